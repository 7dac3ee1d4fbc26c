"""The catalog browser driven like a user: search, groups, sort, select, saved groups."""

from __future__ import annotations

from datetime import datetime, timezone

import numpy as np
from PySide6.QtCore import QPoint, Qt

from widgets.panels.catalog_panel import CatalogPanel

AT = datetime(2026, 8, 12, 12, 0, tzinfo=timezone.utc)


def _panel(qtbot, catalog, settings=None):
    panel = CatalogPanel(settings)
    qtbot.addWidget(panel)
    panel.set_catalog(catalog, AT)
    return panel


def _names(panel, count=None):
    model = panel.model
    rows = range(model.rowCount() if count is None else min(count, model.rowCount()))
    return [model.index(r, 0).data() for r in rows]


def test_search_filters_table_and_mask(qtbot, default_catalog):
    panel = _panel(qtbot, default_catalog)
    assert panel.model.rowCount() == len(default_catalog)
    with qtbot.waitSignal(panel.filter_changed, timeout=2000) as blocker:
        qtbot.keyClicks(panel.search, "zarya")
    mask = blocker.args[0]
    assert _names(panel) == ["ISS (ZARYA)"] and mask.sum() == 1
    assert default_catalog.norad_id[np.nonzero(mask)[0][0]] == 25544
    assert "1 of 18,700" in panel.count_label.text()
    panel.search.clear()
    qtbot.waitUntil(lambda: panel.model.rowCount() == len(default_catalog), timeout=2000)


def test_search_by_number_and_designator(qtbot, default_catalog):
    panel = _panel(qtbot, default_catalog)
    qtbot.keyClicks(panel.search, "1998-067A")
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1, timeout=2000)
    assert panel.model.index(0, 1).data() == "25544"


def test_groups_decide_what_is_shown(qtbot, default_catalog):
    panel = _panel(qtbot, default_catalog)
    with qtbot.waitSignal(panel.filter_changed) as blocker:
        panel.select_group("GEO belt")
    mask = blocker.args[0]
    assert mask.sum() == np.count_nonzero(default_catalog.regime == "GEO") == panel.model.rowCount()
    assert {panel.model.index(r, 5).data() for r in range(panel.model.rowCount())} == {"GEO"}
    panel.select_group("Debris")
    assert {panel.model.index(r, 3).data() for r in range(50)} == {"DEBRIS"}
    qtbot.keyClicks(panel.search, "fengyun")  # search narrows the group
    qtbot.waitUntil(lambda: 0 < panel.model.rowCount() < 2608, timeout=2000)
    assert all("FENGYUN" in name for name in _names(panel))


def test_sort_by_clicking_headers(qtbot, default_catalog):
    panel = _panel(qtbot, default_catalog)
    header = panel.table.horizontalHeader()
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton,
                     pos=QPoint(header.sectionViewportPosition(0) + 20, header.height() // 2))
    names = _names(panel, 200)
    assert names == sorted(names) or names == sorted(names, reverse=True)
    panel.table.sortByColumn(6, Qt.SortOrder.DescendingOrder)  # oldest element sets first
    ages = [float(panel.model.index(r, 6).data()) for r in range(20)]
    assert ages == sorted(ages, reverse=True) and ages[0] > 50  # the June debris sets


def test_selecting_a_row_emits_the_catalog_row(qtbot, default_catalog):
    panel = _panel(qtbot, default_catalog)
    qtbot.keyClicks(panel.search, "HST")
    qtbot.waitUntil(lambda: panel.model.rowCount() >= 1, timeout=2000)
    view_row = next(r for r in range(panel.model.rowCount()) if panel.model.index(r, 0).data() == "HST")
    rect = panel.table.visualRect(panel.model.index(view_row, 0))
    with qtbot.waitSignal(panel.object_selected) as blocker:
        qtbot.mouseClick(panel.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert default_catalog.norad_id[blocker.args[0]] == 20580


def test_selection_from_elsewhere_survives_a_sort(qtbot, default_catalog):
    panel = _panel(qtbot, default_catalog)
    iss = default_catalog.row_of(25544)
    panel.select_row(iss)
    panel.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    selected = panel.table.selectionModel().selectedRows()
    assert len(selected) == 1 and panel.model.catalog_row(selected[0].row()) == iss


def test_saved_groups_persist(qtbot, default_catalog, qsettings):
    panel = _panel(qtbot, default_catalog, qsettings)
    panel.select_group("Starlink")
    qtbot.keyClicks(panel.search, "STARLINK-1")
    qtbot.wait(300)
    expected = panel.model.rowCount()
    panel.save_group("Early Starlinks")
    qsettings.sync()
    again = _panel(qtbot, default_catalog, qsettings)
    again.select_group("★ Early Starlinks")
    assert again.model.rowCount() == expected and expected > 100

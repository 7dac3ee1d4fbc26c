"""The console fits any screen: at 1280×720, 1366×768, 1920×1080 and 2560×1440 the mode
indicator shows (it once fell into the toolbar's overflow at 1280×720) and the globe keeps a
usable share (it was a 150 px strip at 1366×768)."""

from __future__ import annotations

import pytest
from tests.operators import officer


def _shown_window(qtbot, tmp_path, size, dock=None, **options):
    """A main window of ``size`` with no catalog, on its own sensor file, ``dock`` raised."""
    from app.live.clock import SimulationClock
    from app.sensors.sites import SensorStore
    from widgets.main_window import MainWindow

    options.setdefault("open_default_store", False)
    window = MainWindow(settings=None, clock=SimulationClock(), interactive=False,
                        sensor_store=SensorStore(tmp_path / "user_sensors.json"), **options)
    qtbot.addWidget(window)
    window.resize(*size)
    window.show()
    if dock is not None:
        getattr(window, dock).raise_()
    qtbot.waitExposed(window)
    qtbot.wait(50)
    return window


@pytest.mark.parametrize("size", [(1280, 720), (1366, 768), (1920, 1080), (2560, 1440)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_mode_indicator_and_globe_share(qtbot, size, tmp_path):
    window = _shown_window(qtbot, tmp_path, size)
    mode, toolbar = window.time_controls.mode_label, window.time_controls
    assert mode.isVisible() and mode.text().startswith(("LIVE", "REPLAY"))
    assert mode.mapTo(toolbar, mode.rect().topRight()).x() <= toolbar.width()
    globe = window.globe
    assert globe.height() >= 0.3 * size[1] and globe.width() >= 0.35 * size[0], (globe.width(), globe.height())


def test_the_watchlist_shows_five_pairs_at_1366x768(qtbot, tmp_path):
    window = _shown_window(qtbot, tmp_path, (1366, 768), "watchlist_dock")
    table = window.watchlist.table
    assert table.viewport().height() // table.verticalHeader().defaultSectionSize() >= 5


def test_every_tasking_editor_field_is_reachable_at_1366x768(qtbot, tmp_path, settle):
    """The tasking editor in its dock on a laptop screen: each field can be scrolled into view
    at its natural height (none squashed to nothing), and Save with its error line stays in
    sight whatever is scrolled."""
    from PySide6.QtWidgets import QScrollArea

    from app.storage import Store

    window = _shown_window(qtbot, tmp_path, (1366, 768), "tasking_dock",
                           store=Store(f"sqlite:///{tmp_path / 'ops.db'}", operator=officer("officer", "GBR")))
    panel = window.tasking
    assert panel.new_request(25544) is not None  # a new request: every field editable, Save shown
    settle(window)
    form = panel.form
    scroll = next(w for w in panel.findChildren(QScrollArea) if w.widget().isAncestorOf(form))
    fields = list(form._fields.values()) + [form.justification]
    for field in fields:
        scroll.ensureWidgetVisible(field)
        qtbot.wait(5)
        assert not field.visibleRegion().isEmpty(), field
        assert field.height() >= min(field.sizeHint().height(), 20), (field, field.height())
        assert panel.save_button.isVisible() and not panel.save_button.visibleRegion().isEmpty()


def test_no_dock_makes_the_window_wider_than_1280(window):
    """Every dock's own minimum fits a 1280-pixel screen with the others beside it (a button
    added beside three others once pushed the window's minimum to 1,359 px)."""
    assert window.minimumSizeHint().width() <= 1280, {
        dock.objectName(): dock.minimumSizeHint().width() for dock in window.docks}

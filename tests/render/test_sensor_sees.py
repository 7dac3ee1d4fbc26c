"""What does this sensor see, in the real window: the Sensors panel's button computes the
catalog's passes over the selected sensor on a worker, the table lists them, the objects in
view at the clock's time are ringed on the globe (and leave it as the clock moves on), and a
double-click selects the object and jumps the clock to its rise."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
from PySide6.QtCore import Qt

RADAR = "CapeCod (Cape Cod, MA)"


def _compute(qtbot, window, group="Debris", hours=2.0):
    panel = window.sensor_sees
    window.sensors_panel.select_name(RADAR)
    assert window.session.state.selection.sensor == RADAR
    assert window.sensors_panel.sees_button.isEnabled()
    panel.group.setCurrentText(group)
    panel.hours.setValue(hours)
    with qtbot.waitSignal(panel.table_changed, timeout=120000, check_params_cb=lambda t: t is not None):
        window.sensors_panel.sees_button.click()
    return panel


def test_the_button_computes_the_sensors_passes_and_rings_what_is_in_view(qtbot, window):
    panel = _compute(qtbot, window)
    assert window.sensor_sees_dock.isVisible()
    table = panel.table
    assert len(table) > 20 and panel.model.rowCount() == len(table)
    assert set(table.sensors[i].name for i in set(table.sensor_index.tolist())) == {RADAR}
    debris = set(window.session.catalog.norad_id[window.session.catalog.object_type == "DEBRIS"].tolist())
    assert set(table.norad_id.tolist()) <= debris
    assert "passes of" in panel.summary.text()

    # a moment inside a pass: the globe rings exactly the objects in view then
    moment = table.pass_at(len(table) // 2).tca
    window.session.clock.jump_to(moment)
    window.session.advance_frame()
    in_view = table.in_view_at(window.session.now())
    assert len(in_view) >= 1
    assert window.globe.seen_markers.visible
    assert len(window.globe.seen_positions()) == len(in_view)

    panel.ring.setChecked(False)  # the operator turns the rings off
    window.session.advance_frame()
    assert not window.globe.seen_markers.visible
    panel.ring.setChecked(True)
    window.session.advance_frame()
    assert window.globe.seen_markers.visible


def test_sorting_filtering_and_double_click(qtbot, window):
    panel = _compute(qtbot, window)
    model, table = panel.model, panel.table
    model.sort(6, Qt.SortOrder.DescendingOrder)  # by maximum elevation
    elevations = [model.data(model.index(r, 6)) for r in range(model.rowCount())]
    assert elevations == sorted(elevations, reverse=True)
    first = int(table.norad_id[model.pass_row(0)])
    panel.filter.setText(str(first))
    assert 1 <= model.rowCount() < len(table)
    assert {model.data(model.index(r, 1)) for r in range(model.rowCount())} == {first}

    index = model.index(0, 0)
    panel.view.doubleClicked.emit(index)
    chosen = model.pass_row(0)
    assert window.session.state.selection.objects == (int(table.norad_id[chosen]),)
    assert abs((window.session.now() - table.pass_at(chosen).aos).total_seconds()) < 1.0


def test_another_sensor_or_catalog_clears_the_answer(qtbot, window, default_catalog):
    panel = _compute(qtbot, window)
    window.sensors_panel.select_name("Beale (Beale, CA)")
    assert panel.table is None and panel.model.rowCount() == 0
    assert not window.globe.seen_markers.visible
    assert "Beale" in panel.sensor_label.full_text and "Beale" in panel.sensor_label.toolTip()
    panel = _compute(qtbot, window)
    window.loader.use(default_catalog.subset(np.arange(100)), ["subset"])
    assert panel.table is None


def test_cancel_leaves_no_table(qtbot, window):
    panel = window.sensor_sees
    window.sensors_panel.select_name(RADAR)
    panel.group.setCurrentText("All objects")
    panel.hours.setValue(24.0)
    job = panel.compute()
    panel.cancel()
    with qtbot.waitSignal(job.ended, timeout=120000):
        pass
    assert panel.table is None
    assert panel.summary.text() == "Cancelled."
    assert panel.compute_button.isEnabled()


def test_the_window_start_follows_the_clock(qtbot, window):
    window.session.clock.jump_to(window.session.now() + timedelta(hours=3))
    window.sensors_panel.select_name(RADAR)
    window.show_what_sensor_sees()
    assert abs((window.sensor_sees.start() - window.session.now()).total_seconds()) < 60
    window.sensor_sees.cancel()


def test_the_window_still_fits_1280_pixels(qtbot, window):
    """The first "What does it see?" button sat beside Add/Edit/Remove and pushed the window's
    minimum width to 1,359 px: `spaceops screenshot --size 1280x800` then refused."""
    _compute(qtbot, window)
    assert window.minimumSizeHint().width() <= 1280
    window.resize(1280, 720)
    qtbot.wait(50)
    assert window.width() == 1280


def test_at_1366x768_the_answer_shows_four_rows_and_the_sensor_on_one_line(qtbot, window):
    """Tried as a user would at 1366x768: the sensor's name wrapped over three lines and the
    filter had a row of its own, leaving room for one pass."""
    window.resize(1366, 768)
    window.fit_docks_to_window()  # as the console opens at this size
    panel = _compute(qtbot, window)
    assert panel.summary.text()  # the answer's summary line shown as well
    qtbot.wait(200)  # the layout settles
    rows_room = panel.view.viewport().height() / panel.view.verticalHeader().defaultSectionSize()
    assert rows_room >= 4, rows_room
    label = panel.sensor_label
    assert label.height() <= 2 * label.fontMetrics().height()
    assert label.full_text.startswith(RADAR) and label.toolTip() == label.full_text


def test_the_time_columns_show_whole_times_and_their_notes(window):
    """A user saw "2026-08-12 12:04:0…" on the first rows: "(in progress)" was cut off."""
    view = window.sensor_sees.view
    metrics = view.fontMetrics()
    for column, text in ((2, "2026-08-12 12:04:05  (in progress)"), (3, "2026-08-12 12:04:05"),
                         (4, "2026-08-12 12:04:05  (continues)")):
        assert view.columnWidth(column) >= metrics.horizontalAdvance(text) + 12, column

"""Sensors panel, sensor form and passes panel driven like a user."""

from __future__ import annotations

import csv
import json
from datetime import datetime, timezone

import pytest
from PySide6.QtCore import Qt

from app.sensors.sites import SensorStore
from widgets.panels.passes_panel import PassesPanel
from widgets.dialogs.sensor_dialog import SensorDialog
from widgets.panels.sensors_panel import SensorsPanel

START = datetime(2026, 8, 12, 0, 0, tzinfo=timezone.utc)


@pytest.fixture
def store(tmp_path):
    return SensorStore(tmp_path / "user_sensors.json")


def _fill(dialog, **values):
    for key, value in values.items():
        widget = dialog.inputs[key]
        if hasattr(widget, "setCurrentText"):
            widget.setCurrentText(value)
        else:
            widget.setText(value)


def test_form_refuses_impossible_values_naming_the_field(qtbot):
    dialog = SensorDialog()
    qtbot.addWidget(dialog)
    _fill(dialog, name="Kiwi radar", operator_nation="NZL", lat_deg="-95", lon_deg="170", alt_m="10",
          min_elevation_deg="5", max_range_km="2000", sensor_type="radar")
    dialog.accept()
    assert dialog.result() == 0 and dialog.sensor is None
    assert dialog.error_label.text().startswith("lat_deg:") and "outside" in dialog.error_label.text()
    assert dialog.inputs["name"].text() == "Kiwi radar"  # the user's input is kept
    _fill(dialog, lat_deg="-45")
    dialog.accept()
    assert dialog.sensor is not None and dialog.sensor.lat_deg == -45.0


def test_add_edit_remove_user_sensors(qtbot, store):
    panel = SensorsPanel(store, interactive=False)
    qtbot.addWidget(panel)
    bundled = len(panel.sensors)
    dialog = SensorDialog()
    _fill(dialog, name="Kiwi radar", operator_nation="NZL", lat_deg="-45", lon_deg="170", alt_m="10",
          min_elevation_deg="5", max_range_km="2000", sensor_type="radar", provider="commercial")
    dialog.accept()
    with qtbot.waitSignal(panel.sensors_changed):
        panel.save(dialog.sensor)
    assert len(panel.sensors) == bundled + 1
    assert panel.selected().name == "Kiwi radar" and panel.edit_button.isEnabled()
    again = SensorsPanel(SensorStore(store.path), interactive=False)  # survives a restart
    qtbot.addWidget(again)
    assert "Kiwi radar" in {s.name for s in again.sensors}
    panel.remove_sensor()
    assert len(panel.sensors) == bundled and SensorStore(store.path).sensors() == []


def test_bundled_sensors_cannot_be_edited_and_filter_works(qtbot, store):
    panel = SensorsPanel(store, interactive=False)
    qtbot.addWidget(panel)
    qtbot.keyClicks(panel.search, "GBR")
    assert 0 < panel.proxy.rowCount() < 10
    panel.table.selectRow(0)
    assert panel.selected().operator_nation == "GBR"
    assert not panel.edit_button.isEnabled() and not panel.remove_button.isEnabled()


def test_passes_panel_compute_jump_export(qtbot, default_catalog, store, tmp_path):
    sensors_panel = SensorsPanel(store, interactive=False)
    panel = PassesPanel()
    qtbot.addWidget(panel)
    panel.set_sensors(sensors_panel.sensors)
    panel.set_object(default_catalog, default_catalog.row_of(25544))
    panel.set_start(START)
    panel.hours.setValue(12)
    panel.group.setCurrentText("Radars")
    job = panel.compute()
    assert panel.progress.isVisibleTo(panel) and panel.cancel_button.isEnabled()
    with qtbot.waitSignal(job.ended, timeout=60000):
        pass
    assert not panel.progress.isVisibleTo(panel) and not panel.cancel_button.isEnabled()
    assert panel.passes and {p.norad_id for p in panel.passes} == {25544}
    radars = {s.name for s in sensors_panel.sensors if s.sensor_type == "radar"}
    assert {p.sensor for p in panel.passes} <= radars
    assert panel.proxy.rowCount() == len(panel.passes)
    assert "passes over" in panel.summary.text()
    with qtbot.waitSignal(panel.jump_requested) as blocker:
        panel.table.doubleClicked.emit(panel.proxy.index(0, 0))
    assert blocker.args[0] in {p.aos for p in panel.passes}
    panel.export(tmp_path / "passes.csv", "csv")
    panel.export(tmp_path / "passes.json", "json")
    rows = list(csv.DictReader(open(tmp_path / "passes.csv")))
    assert len(rows) == len(panel.passes) and rows[0]["norad_id"] == "25544"
    assert json.loads((tmp_path / "passes.json").read_text())[0]["aos_utc"].endswith("Z")


def test_passes_can_be_cancelled(qtbot, default_catalog, store):
    panel = PassesPanel()
    qtbot.addWidget(panel)
    panel.set_sensors(SensorsPanel(store, interactive=False).sensors)
    panel.set_object(default_catalog, default_catalog.row_of(25544))
    panel.set_start(START)
    panel.hours.setValue(168)
    job = panel.compute()
    qtbot.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(job.ended, timeout=60000):
        pass
    assert job.cancelled and job.result is None and panel.passes == []
    assert panel.summary.text() == "Cancelled." and panel.compute_button.isEnabled()


def test_the_sensor_list_shows_each_sites_standing_and_filters_on_it(qtbot, store):
    """Other nations' sites are listed for context, said to be so, never as partners."""
    panel = SensorsPanel(store, interactive=False)
    qtbot.addWidget(panel)
    qtbot.keyClicks(panel.search, "context only")
    shown = [panel.proxy.index(row, 0).data(Qt.ItemDataRole.UserRole) for row in range(panel.proxy.rowCount())]
    by_name = {s.name: s for s in panel.sensors}
    assert len(shown) == sum(not s.schedulable for s in panel.sensors) > 50
    assert any("ARMAVIR" in name.upper() for name in shown)
    assert all(by_name[name].standing == "other" for name in shown)

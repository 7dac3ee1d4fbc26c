"""Sensor standing in the Qt face (issue #14): the tasking form offers only sites that can be
tasked and refuses another nation's site; such sites are drawn hollow on the map and named
in the legend."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import numpy as np
import pytest

from app.sensors.sites import bundled_sensors
from app.tasking.request import SensorRequest, TaskingError, TaskingRequest

START = datetime(2026, 8, 12, tzinfo=timezone.utc)


def test_the_tasking_form_offers_only_schedulable_sites_and_refuses_armavir(qtbot):
    from widgets.panels.tasking_form import TaskingForm

    form = TaskingForm()
    qtbot.addWidget(form)
    sensors = list(bundled_sensors())
    form.set_sensors(sensors)
    offered = set(form.sensor_names.stringList())
    assert "Fylingdales (Fylingdales, UK)" in offered and "Armavir (Armavir, Russia)" not in offered
    assert offered == {s.name for s in sensors if s.schedulable}
    form.show_request(TaskingRequest("TR-GBR-FORM0001", "Track ISS", 25544, "GBR", "UKSpOC",
                                     SensorRequest("sensor", "Armavir"), "track", "PRIORITY", START,
                                     START + timedelta(hours=6)))
    with pytest.raises(TaskingError, match="Armavir is another nation's site"):
        form.edited()
    assert "sensor_request: Armavir is another nation's site (context only)" in form.error_label.text()
    form.sensor_value.setText("Fylingdales (Fylingdales, UK)")
    assert form.edited().sensor_request.value == "Fylingdales (Fylingdales, UK)"


def test_other_nations_sites_are_hollow_on_the_map_and_named_in_the_legend(qtbot):
    from widgets.views.map_view import MapView
    from widgets.views.point_style import sensor_colors, sensor_hollow, sensor_legend_html
    from widgets.views.textures import earth_texture

    sensors = list(bundled_sensors())
    hollow = sensor_hollow(sensors)
    assert hollow.tolist() == [s.standing == "other" for s in sensors] and hollow.any() and not hollow.all()
    view = MapView(earth_texture())
    qtbot.addWidget(view)
    view.set_sensors([s.lat_deg for s in sensors], [s.lon_deg for s in sensors], sensor_colors(sensors, "type"),
                     hollow)
    brushes, pens = view.sensor_sites.data["brush"], view.sensor_sites.data["pen"]
    np.testing.assert_array_equal([b.color().alpha() > 0 for b in brushes], ~hollow)  # hollow: no fill
    armavir = next(i for i, s in enumerate(sensors) if s.name.startswith("Armavir ("))
    assert pens[armavir].color().name() == brushes[armavir].color().name() != "#000000"  # outlined in its colour
    legend = sensor_legend_html("type", sensors)
    assert "□</span>&nbsp;other&nbsp;nation&nbsp;(context&nbsp;only)" in legend
    assert "■</span>&nbsp;partner&nbsp;/&nbsp;contracted" in legend
    partners_only = [s for s in sensors if s.schedulable]
    assert "context" not in sensor_legend_html("nation", partners_only)

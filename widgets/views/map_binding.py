"""The ground-track map bound to the session: shown objects in their colours, the selected
object's track, sub-satellite point and footprint, sensor sites and the selected sensor's
coverage."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject

from app.astro.orbit_path import period_s, sample_orbit
from app.sensors.coverage import coverage_ring_deg
from widgets.session import ConsoleSession
from widgets.views.globe_binding import selected_altitude_km
from widgets.runner import JobRunner
from widgets.views.map_view import MapView, objects_raster
from widgets.views.point_style import ObjectColors, sensor_colors, sensor_hollow

TRACK_POINTS = 721


class MapBinding(QObject):
    def __init__(self, session: ConsoleSession, map_view: MapView, colors: ObjectColors):
        super().__init__(map_view)
        self.session, self.map_view, self.colors = session, map_view, colors
        self.jobs = JobRunner(self)  # the newest raster wins
        state = session.state
        session.frame.connect(map_view.set_epoch)
        session.snapshot_ready.connect(lambda snapshot: self.show_objects(snapshot))
        session.shown_changed.connect(lambda _mask: self.show_objects(force=True))
        session.catalog_changed.connect(lambda _catalog: self.show_selection())
        session.sensors_changed.connect(lambda _sensors: self.show_sensors())
        colors.changed.connect(lambda _colors: self.show_objects(force=True))
        state.connect("selection.objects", lambda _objects: self.show_selection())
        state.connect("selection.sensor", lambda _name: self.show_coverage())
        state.connect("shown.sensor_color_mode", lambda _mode: self.show_sensors())
        state.connect("clock", lambda _clock: self.show_selection())

    def show_objects(self, snapshot=None, force: bool = False) -> None:
        snapshot = snapshot or self.session.latest
        if snapshot is None or len(self.colors.colors) != len(snapshot):
            return
        shown = self.session.shown_mask
        if len(shown) != len(snapshot):
            shown = np.ones(len(snapshot), dtype=bool)
        if self.map_view.dots_due(force):  # drawn on a worker: 18,700 splats cost the GUI thread ~30 ms
            colors = self.colors.colors
            self.jobs.start("Drawing the map", lambda _progress: objects_raster(snapshot, colors, shown),
                            lambda image: self.map_view.show_dots(image, snapshot))

    def show_selection(self) -> None:
        session, row = self.session, self.session.selected_row
        if row is None:
            self.map_view.set_selection(None, None, None)
        else:
            satrec = session.catalog.satrecs[row]
            period = period_s(satrec)
            track = sample_orbit(satrec, session.now(), span_s=2 * period, start_offset_s=-period, points=TRACK_POINTS)
            self.map_view.set_selection(row, track, session.latest)
        self.show_coverage()

    def show_sensors(self) -> None:
        sensors = self.session.sensors
        self.map_view.set_sensors(np.array([s.lat_deg for s in sensors]), np.array([s.lon_deg for s in sensors]),
                                  sensor_colors(sensors, self.session.state.shown.sensor_color_mode),
                                  sensor_hollow(sensors))
        self.show_coverage()

    def show_coverage(self) -> None:
        sensor = self.session.sensor_named(self.session.state.selection.sensor)
        self.map_view.set_coverage(None if sensor is None else coverage_ring_deg(sensor, selected_altitude_km(self.session)))

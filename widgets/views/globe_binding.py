"""The globe bound to the session: it draws what the state says (catalog, shown objects,
colours, selection and its orbit, watch pair, sensors and coverage, camera, watermark) and
writes back what the operator does on it (a click selects, a drag or zoom moves the camera)."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject

from app.astro.constants import MEAN_EARTH_RADIUS_KM
from app.astro.frames import gmst_rad
from app.astro.timeutil import datetime_to_jd
from app.astro.orbit_path import sample_orbit
from app.state.camera_framing import MAX_DISTANCE_ER, MIN_DISTANCE_ER
from app.sensors.coverage import DEFAULT_COVERAGE_ALT_KM, coverage_ring_deg, ring_itrs
from widgets.session import ConsoleSession
from widgets.theme import rgba
from widgets.views.globe_view import GlobeView
from widgets.views.globe_visuals import EARTH_RADIUS_KM
from widgets.views.point_style import ObjectColors, sensor_colors, sensor_hollow

CAMERA_FIELDS = ("azimuth_deg", "elevation_deg", "distance_er", "center_er")


def selected_altitude_km(session: ConsoleSession) -> float:
    """The selected object's altitude now, else the default coverage altitude."""
    row, snapshot = session.selected_row, session.latest
    if row is not None and snapshot is not None and row < len(snapshot) and snapshot.valid[row]:
        return float(snapshot.alt_km[row])
    return DEFAULT_COVERAGE_ALT_KM


class GlobeBinding(QObject):
    def __init__(self, session: ConsoleSession, globe: GlobeView, colors: ObjectColors):
        super().__init__(globe)
        self.session, self.globe, self.colors = session, globe, colors
        self._writing_camera = False
        state = session.state
        session.frame.connect(self._on_frame)
        session.snapshot_ready.connect(self._on_snapshot)
        session.catalog_changed.connect(lambda _catalog: self._on_catalog())
        session.shown_changed.connect(globe.set_shown)
        session.sensors_changed.connect(lambda _sensors: self.show_sensors())
        session.sensor_sees_changed.connect(self._on_sensor_sees)
        self._sensor_sees = None
        colors.changed.connect(self._on_colors)
        globe.object_clicked.connect(session.select_row)
        globe.camera_moved.connect(self._record_camera)
        state.connect("selection.objects", lambda _objects: self.show_selection())
        state.connect("selection.watch_pair", lambda _pair: self.show_pair())
        state.connect("selection.sensor", lambda _name: self.show_coverage())
        state.connect("shown.sensor_color_mode", lambda _mode: self.show_sensors())
        state.connect("clock", lambda _clock: self.show_selection())
        state.connect("camera", lambda _camera: self._apply_camera())
        state.connect("banner.data_mode", lambda _mode: self._show_watermark())
        state.connect("scenario", lambda _scenario: self._show_watermark())
        state.connect_any(self._frame_what_was_chosen)
        self._apply_camera()

    # --- data ------------------------------------------------------------------------------------

    def _on_catalog(self) -> None:
        self.globe.clear()
        self.show_selection()
        self.show_pair()

    def _on_snapshot(self, snapshot) -> None:
        shown = self.session.shown_mask
        if len(shown) != len(snapshot):
            shown = np.ones(len(snapshot), dtype=bool)
        self.globe.set_snapshot(snapshot, self.colors.colors, shown)
        self.show_pair()

    def _on_colors(self, colors: np.ndarray) -> None:
        latest = self.session.latest
        if latest is not None and len(latest) == len(colors):
            self.globe.set_colors(colors)

    def _on_frame(self, epoch) -> None:
        self._show_seen(epoch)
        self.globe.set_epoch(epoch)

    def _on_sensor_sees(self, sees) -> None:
        self._sensor_sees = sees
        self._show_seen(self.session.now())

    def _show_seen(self, epoch) -> None:
        """Ring the objects the sensor's computed passes put in its view at this moment."""
        sees, catalog = self._sensor_sees, self.session.catalog
        if sees is None:
            self.globe.set_seen(None)
            return
        norad = sees.in_view_at(epoch)
        rows = catalog.rows_of([n for n in norad.tolist() if n in catalog]) if len(norad) else norad
        self.globe.set_seen(rows)

    # --- selection, pair, sensors ----------------------------------------------------------------

    def show_selection(self) -> None:
        session, row = self.session, self.session.selected_row
        if row is None:
            self.globe.set_selection(None, None, "")
        else:
            catalog = session.catalog
            orbit = sample_orbit(catalog.satrecs[row], session.now())
            self.globe.set_selection(row, orbit, str(catalog.name[row]) or str(catalog.norad_id[row]))
        self.show_coverage()

    def show_pair(self) -> None:
        pair, catalog = self.session.state.selection.watch_pair, self.session.catalog
        if pair is None or pair[0] not in catalog or pair[1] not in catalog:
            self.globe.set_pair(None)
            self.globe.tracking_pair = False
            return
        self.globe.set_pair((catalog.row_of(pair[0]), catalog.row_of(pair[1])),
                            tuple(self._name(n) for n in pair))

    def _name(self, norad_id: int) -> str:
        catalog = self.session.catalog
        return str(catalog.name[catalog.row_of(norad_id)]) or str(norad_id)

    # --- framing: what the operator chose comes into view ----------------------------------------

    def _frame_what_was_chosen(self, changes: dict) -> None:
        """An object or a pair just chosen is framed; not when the same change set the camera
        too (a saved view, an instructor's push: their camera stands)."""
        if any(path.startswith("camera.") for path in changes):
            return
        if changes.get("selection.watch_pair") is not None:
            self.globe.frame_pair()
        elif "selection.objects" in changes and self.session.selected_row is not None:
            self.frame_selection()
        elif changes.get("selection.sensor") is not None:
            self.frame_sensor()

    def frame_selection(self) -> None:
        row = self.session.selected_row
        if row is None:
            return
        orbit = sample_orbit(self.session.catalog.satrecs[row], self.session.now())
        self.globe.frame_orbit(orbit.r_teme_km / EARTH_RADIUS_KM, self.globe._selected_position())

    def frame_sensor(self) -> bool:
        """The selected sensor's site facing the camera with its whole coverage ring in view."""
        sensor = self.session.sensor_named(self.session.state.selection.sensor)
        if sensor is None:
            return False
        x, y, z = ring_itrs(np.array([sensor.lat_deg]), np.array([sensor.lon_deg]), 1.0)[0]
        theta = float(gmst_rad(*datetime_to_jd(self.session.now())))  # the Earth's turn now: the site's place
        site = np.array([x * np.cos(theta) - y * np.sin(theta), x * np.sin(theta) + y * np.cos(theta), z])
        self.globe.frame_site(site, (MEAN_EARTH_RADIUS_KM + selected_altitude_km(self.session)) / EARTH_RADIUS_KM)
        return True

    def zoom_to_fit(self) -> None:
        """``Z``: the watched pair, else the selected object's orbit, else the selected sensor's
        coverage, else the whole GEO ring."""
        if self.session.state.selection.watch_pair is not None and self.globe.frame_pair():
            return
        if self.session.selected_row is not None:
            self.frame_selection()
        elif not self.frame_sensor():
            self.globe.reset_camera()

    def show_sensors(self) -> None:
        sensors = self.session.sensors
        if not sensors:
            self.globe.set_sensors(np.zeros((0, 3)), np.zeros((0, 4)))
        else:
            lat = np.array([s.lat_deg for s in sensors])
            lon = np.array([s.lon_deg for s in sensors])
            colors = sensor_colors(sensors, self.session.state.shown.sensor_color_mode)
            self.globe.set_sensors(ring_itrs(lat, lon, 1.0), np.array([rgba(c) for c in colors]),
                                   sensor_hollow(sensors))
        self.show_coverage()

    def show_coverage(self) -> None:
        sensor = self.session.sensor_named(self.session.state.selection.sensor)
        if sensor is None:
            self.globe.set_coverage(None)
            return
        alt_km = selected_altitude_km(self.session)
        ring = coverage_ring_deg(sensor, alt_km)
        self.globe.set_coverage(None if ring is None else
                                ring_itrs(ring[0], ring[1], (MEAN_EARTH_RADIUS_KM + alt_km) / EARTH_RADIUS_KM))

    def _show_watermark(self) -> None:
        state = self.session.state
        self.globe.set_watermark(f"{state.banner.data_mode} — {state.scenario.name}" if state.scenario.path else None)

    # --- camera: the state and vispy's turntable kept alike --------------------------------------

    def _camera_values(self) -> dict:
        camera = self.globe.view.camera
        return {"azimuth_deg": float(camera.azimuth), "elevation_deg": float(np.clip(camera.elevation, -90, 90)),
                "distance_er": float(np.clip(camera.distance, MIN_DISTANCE_ER, MAX_DISTANCE_ER)),
                "center_er": tuple(float(v) for v in (camera.center or (0.0, 0.0, 0.0))[:3])}

    def _record_camera(self) -> None:
        """The operator turned or zoomed the globe: say so in the state."""
        values, state = self._camera_values(), self.session.state.camera
        if all(getattr(state, name) == values[name] for name in CAMERA_FIELDS):
            return
        self._writing_camera = True
        try:
            with self.session.state.batch():
                for name in CAMERA_FIELDS:
                    setattr(state, name, values[name])
        finally:
            self._writing_camera = False

    def _apply_camera(self) -> None:
        state = self.session.state.camera
        self.globe.follow_selection = state.follow_selection
        if self._writing_camera:
            return
        camera = self.globe.view.camera
        camera.azimuth, camera.elevation = state.azimuth_deg, state.elevation_deg
        camera.distance, camera.center = state.distance_er, state.center_er
        self.globe.canvas.update()

"""The 3D globe: a vispy SceneCanvas in the Qt window (inertial TEME frame, Earth radii).

Per frame (``set_epoch``) it sets a handful of uniforms and moves the one selected object's
marker: nothing that grows with the catalog. Snapshots, colours and filters rewrite the
point buffers when they change.
"""

from __future__ import annotations

import math
from datetime import datetime

import numpy as np
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget
from vispy import scene
from vispy.visuals.transforms import MatrixTransform

from app.astro.frames import gmst_rad
from app.astro.orbit_path import OrbitPath
from app.astro.sun import sun_direction_eci
from app.astro.timeutil import datetime_to_jd
from app.live.engine import Snapshot
from app.state.camera_framing import (FOV_DEG, MAX_DISTANCE_ER, MIN_DISTANCE_ER, START_DISTANCE_ER, distance_to_fit,
                                      orbit_frame, pair_frame)
from widgets.views.halo_text import HaloText
from widgets.views.globe_visuals import EARTH_RADIUS_KM, CatalogPoints, Earth, extrapolate_positions
from widgets.theme import COVERAGE_COLOR, ORBIT_COLOR, SEEN_COLOR, SELECTION_COLOR, rgba

CLICK_TOLERANCE_PX = 6.0
ORBIT_VIEW_TILT_DEG = 30.0


def _grid_segments(step_deg: float = 30.0, radius: float = 1.002, samples: int = 121) -> np.ndarray:
    """Latitude and longitude lines as line-segment pairs, Earth-fixed, Earth radii."""
    segments = []
    t = np.radians(np.linspace(-180, 180, samples))
    for lat in np.arange(-60, 61, step_deg):
        la = math.radians(lat)
        ring = np.stack([np.cos(la) * np.cos(t), np.cos(la) * np.sin(t), np.full_like(t, np.sin(la))], -1)
        segments.append(np.repeat(ring, 2, axis=0)[1:-1])
    p = np.radians(np.linspace(-90, 90, samples // 2))
    for lon in np.arange(-180, 180, step_deg):
        lo = math.radians(lon)
        meridian = np.stack([np.cos(p) * math.cos(lo), np.cos(p) * math.sin(lo), np.sin(p)], -1)
        segments.append(np.repeat(meridian, 2, axis=0)[1:-1])
    return np.concatenate(segments).astype(np.float32) * radius


class GlobeView(QWidget):
    """Signals: ``object_clicked(row)`` when a click lands within a few pixels of an object."""

    object_clicked = Signal(int)
    camera_moved = Signal()  # the operator (or a command) turned, zoomed or reset the camera

    def __init__(self, texture_rgb: np.ndarray, parent: QWidget | None = None):
        super().__init__(parent)
        self.canvas = scene.SceneCanvas(keys=None, bgcolor="#05080c", show=False, parent=self)
        # A native child window: otherwise every globe frame re-composes the whole main window
        # through OpenGL (on software GL that halved the globe's rate in a 1920x1080 window).
        self.canvas.native.setAttribute(Qt.WidgetAttribute.WA_NativeWindow)
        # it paints every pixel of its own: nothing behind it is repainted for each of its frames
        self.canvas.native.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.canvas.native.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.canvas.native)
        self.view = self.canvas.central_widget.add_view()
        self.view.camera = scene.TurntableCamera(fov=FOV_DEG, distance=START_DISTANCE_ER, elevation=20.0,
                                                 azimuth=0.0, up="+z")
        self.earth = Earth(texture_rgb, parent=self.view.scene)
        # Earth-fixed things (grid, sensor sites, the selected sensor's coverage) under one node
        # turned with the Earth: one transform to update a frame, not one per visual. Drawn after
        # the point cloud (order 1), so the coverage ring is never lost under the LEO points.
        self.earth_fixed = scene.Node(parent=self.view.scene)
        self.earth_fixed.transform, self.earth_fixed.order = MatrixTransform(), 1
        self.grid = scene.visuals.Line(_grid_segments(), color=(0.65, 0.8, 0.95, 0.45), connect="segments",
                                       parent=self.earth_fixed)
        self.grid.visible = False
        self.sensor_markers = scene.visuals.Markers(parent=self.earth_fixed)
        self.sensor_markers.set_gl_state("translucent", depth_test=True)
        self.sensor_markers.visible = False
        self._has_sensors = False
        # the coverage ring on a dark edge so it reads over the points
        self.coverage_edge = scene.visuals.Line(np.zeros((2, 3)), color=(0.0, 0.0, 0.0, 0.8), width=5.0,
                                                parent=self.earth_fixed)
        self.coverage = scene.visuals.Line(np.zeros((2, 3)), color=rgba(COVERAGE_COLOR), width=2.5,
                                           parent=self.earth_fixed)
        for order, line in enumerate((self.coverage_edge, self.coverage), start=1):
            line.order, line.visible = order, False
            line.set_gl_state("translucent", depth_test=True, depth_func="lequal")  # the ring on its own edge
        self.orbit = scene.visuals.Line(np.zeros((2, 3)), color=rgba(ORBIT_COLOR, 0.85), width=1.5,
                                        parent=self.view.scene)
        self.orbit.visible = False
        self.points = CatalogPoints(parent=self.view.scene)  # after the orbit, so points never hide it
        # what the selected sensor sees now: thin lime rings (hidden behind the Earth)
        self.seen_markers = scene.visuals.Markers(parent=self.view.scene)
        self.seen_markers.set_gl_state("translucent", depth_test=True)
        self.seen_markers.visible = False
        self._seen_rows = np.zeros(0, dtype=np.int64)
        self.marker = scene.visuals.Markers(parent=self.view.scene)
        self.marker.set_gl_state("translucent", depth_test=False)
        self.marker.visible = False
        self.pair_line = scene.visuals.Line(np.zeros((2, 3)), color=rgba("#ffb302", 0.95), width=2.0,
                                            parent=self.view.scene)
        self.pair_line.visible = False
        self.pair_markers = scene.visuals.Markers(parent=self.view.scene)
        self.pair_markers.set_gl_state("translucent", depth_test=False)
        self.pair_markers.visible = False
        self._pair_rows: tuple[int, int] | None = None
        self.label = HaloText("", color=SELECTION_COLOR, font_size=9, anchor_x="left",
                                        anchor_y="bottom", parent=self.view.scene)
        self.label.visible = False
        self.pair_labels = [HaloText("", color="#ffb302", font_size=9, anchor_x="left", anchor_y=anchor,
                                               parent=self.view.scene) for anchor in ("bottom", "top")]
        for label in self.pair_labels:
            label.visible = False

        self.follow_selection = False
        self.tracking_pair = False
        self._snapshot_r: np.ndarray | None = None  # TEME, Earth radii
        self._snapshot_v: np.ndarray | None = None
        self._snapshot_posix = 0.0
        self._frame_posix = 0.0  # the epoch of the last frame drawn
        self._shown = np.zeros(0, dtype=bool)
        self._selected_row: int | None = None
        self._dt_s = 0.0
        self._press_pos: tuple[float, float] | None = None
        self.canvas.events.mouse_press.connect(self._on_mouse_press)
        self.canvas.events.mouse_release.connect(self._on_mouse_release)
        # after vispy's own handlers have moved the camera
        self.canvas.events.mouse_wheel.connect(lambda _event: QTimer.singleShot(0, self.camera_moved.emit))

    # --- data --------------------------------------------------------------------------------

    def set_snapshot(self, snapshot: Snapshot, colors: np.ndarray, shown: np.ndarray) -> None:
        """Upload positions and velocities (TEME) of a new snapshot."""
        self._snapshot_r = np.asarray(snapshot.r_teme_km) / EARTH_RADIUS_KM
        self._snapshot_v = np.asarray(snapshot.v_teme_km_s) / EARTH_RADIUS_KM
        self._snapshot_posix = snapshot.epoch.timestamp()
        self._shown = np.asarray(shown, dtype=bool) & snapshot.valid
        self.points.set_data(self._snapshot_r, self._snapshot_v, colors, self._shown)
        # the frame's time against the new snapshot's, now: a paused clock draws no next frame
        # (after a jump, the old dt would carry the new states hours along their velocities)
        self._dt_s = self._frame_posix - self._snapshot_posix if self._frame_posix else 0.0
        self.points.set_dt(self._dt_s)
        self._update_selection_marker()

    def set_colors(self, colors: np.ndarray) -> None:
        self.points.set_colors(colors)

    def set_shown(self, shown: np.ndarray) -> None:
        if self._snapshot_r is None or len(shown) != len(self._snapshot_r):
            return
        self._shown = np.asarray(shown, dtype=bool) & np.isfinite(self._snapshot_r[:, 0])
        self.points.set_shown(self._shown)

    def clear(self) -> None:
        self._snapshot_r = self._snapshot_v = None
        self._shown = np.zeros(0, dtype=bool)
        self.points.set_data(np.zeros((0, 3)), np.zeros((0, 3)), np.zeros((0, 4)), np.zeros(0))
        self.set_selection(None, None, "")

    def set_selection(self, row: int | None, orbit: OrbitPath | None, label: str) -> None:
        self._selected_row = row
        has_orbit = orbit is not None and np.isfinite(orbit.r_teme_km).any()
        if has_orbit:
            self.orbit.set_data(pos=(orbit.r_teme_km / EARTH_RADIUS_KM).astype(np.float32))
        self.orbit.visible = bool(has_orbit)
        self.label.text = f"  {label}" if row is not None else ""
        self._update_selection_marker()

    def set_sensors(self, r_itrs_er: np.ndarray, colors: np.ndarray, hollow: np.ndarray | None = None) -> None:
        """Sensor sites (Earth-fixed, Earth radii) as small squares; the ``hollow`` ones (other
        nations' sites, context only) as outlines in their colour."""
        self._has_sensors = len(r_itrs_er) > 0
        if not self._has_sensors:
            self.sensor_markers.visible = False
            return
        face = np.array(colors, dtype=np.float32).reshape(-1, 4)
        edge = np.tile(np.array([0, 0, 0, 0.8], dtype=np.float32), (len(face), 1))
        width = np.ones(len(face), dtype=np.float32)
        if hollow is not None and np.any(hollow):
            hollow = np.asarray(hollow, dtype=bool)
            edge[hollow], width[hollow] = face[hollow], 1.5
            face[hollow, 3] = 0.0
        self.sensor_markers.set_data(np.asarray(r_itrs_er, dtype=np.float32) * 1.003, symbol="square", size=7,
                                     face_color=face, edge_color=edge, edge_width=width)
        self.sensor_markers.visible = True
        self.canvas.update()

    def set_sensors_visible(self, visible: bool) -> None:
        self.sensor_markers.visible = visible and self._has_sensors
        self.canvas.update()

    def set_coverage(self, ring_itrs_er: np.ndarray | None) -> None:
        """The selected sensor's coverage ring (Earth-fixed, Earth radii), or none."""
        shown = ring_itrs_er is not None and len(ring_itrs_er) >= 2
        for line in (self.coverage_edge, self.coverage):
            if shown:
                line.set_data(pos=np.asarray(ring_itrs_er, dtype=np.float32))
            line.visible = shown
        self.canvas.update()

    def set_grid_visible(self, visible: bool) -> None:
        self.grid.visible = visible
        self.canvas.update()

    # --- per frame ---------------------------------------------------------------------------

    def set_epoch(self, epoch: datetime) -> None:
        """Everything a frame needs: Earth rotation, Sun, the points' dt, the selection."""
        jd, fr = datetime_to_jd(epoch)
        theta = float(gmst_rad(jd, fr))
        sun = sun_direction_eci(jd, fr)
        self.earth.set_orientation(theta, sun)
        self.earth_fixed.transform.reset()
        self.earth_fixed.transform.rotate(math.degrees(theta), (0, 0, 1))
        self._frame_posix = epoch.timestamp()
        self._dt_s = self._frame_posix - self._snapshot_posix
        self.points.set_dt(self._dt_s, sun)
        self._update_selection_marker()
        self._update_seen()
        if self.tracking_pair:
            positions = self.pair_positions()
            if positions is not None:
                self.view.camera.center = tuple(float(v) for v in positions.mean(axis=0))
        self._update_pair()
        self.canvas.update()

    def set_watermark(self, text: str | None) -> None:
        """A large, faint word in the corner (EXERCISE / SIMULATED) while a scenario runs."""
        if getattr(self, "_watermark", None) is None:
            self._watermark = scene.visuals.Text("", color=(1.0, 0.70, 0.0, 0.55), font_size=22, bold=True,
                                                 anchor_x="left", anchor_y="bottom", pos=(16, 12),
                                                 parent=self.canvas.scene)
        self._watermark.text = text or ""
        self._watermark.visible = bool(text)
        self.canvas.update()

    def set_seen(self, rows: np.ndarray | None) -> None:
        """Ring these catalog rows (what the selected sensor sees now); None or empty: none."""
        self._seen_rows = np.zeros(0, dtype=np.int64) if rows is None else np.asarray(rows, dtype=np.int64)
        self._update_seen()
        self.canvas.update()

    def seen_positions(self) -> np.ndarray:
        rows = self._seen_rows
        if not len(rows) or self._snapshot_r is None:
            return np.zeros((0, 3))
        rows = rows[rows < len(self._snapshot_r)]
        r, v = self._snapshot_r[rows], self._snapshot_v[rows]
        valid = np.isfinite(r).all(axis=1)
        return extrapolate_positions(r[valid], v[valid], self._dt_s)

    def _update_seen(self) -> None:
        positions = self.seen_positions()
        if not len(positions):
            self.seen_markers.visible = False
            return
        self.seen_markers.set_data(positions.astype(np.float32), face_color=(0, 0, 0, 0),
                                   edge_color=rgba(SEEN_COLOR, 0.9), edge_width=1.2, size=8)
        self.seen_markers.visible = True

    def set_pair(self, rows: tuple[int, int] | None, names: tuple[str, str] = ("", "")) -> None:
        """Highlight a watched pair: both objects ringed and labelled, a line between them."""
        self._pair_rows = rows
        for label, name in zip(self.pair_labels, names):
            label.text = f"  {name}"
        self._update_pair()
        self.canvas.update()

    def pair_positions(self) -> np.ndarray | None:
        if self._pair_rows is None or self._snapshot_r is None:
            return None
        rows = list(self._pair_rows)
        if max(rows) >= len(self._snapshot_r) or not np.isfinite(self._snapshot_r[rows]).all():
            return None
        return extrapolate_positions(self._snapshot_r[rows], self._snapshot_v[rows], self._dt_s)

    def _update_pair(self) -> None:
        positions = self.pair_positions()
        if positions is None:
            self.pair_line.visible = self.pair_markers.visible = False
            for label in self.pair_labels:
                label.visible = False
            return
        for label, position in zip(self.pair_labels, positions):
            label.pos, label.visible = position, True
        self.pair_line.set_data(pos=positions.astype(np.float32))
        self.pair_markers.set_data(positions.astype(np.float32), face_color=(0, 0, 0, 0),
                                   edge_color=rgba("#ffb302"), edge_width=2.0, size=12)
        self.pair_line.visible = self.pair_markers.visible = True

    def _selected_position(self) -> np.ndarray | None:
        row = self._selected_row
        if row is None or self._snapshot_r is None or row >= len(self._snapshot_r):
            return None
        r = self._snapshot_r[row]
        if not np.isfinite(r).all():
            return None
        return extrapolate_positions(r[None, :], self._snapshot_v[row][None, :], self._dt_s)[0]

    def _update_selection_marker(self) -> None:
        position = self._selected_position()
        if position is None:
            self.marker.visible = self.label.visible = False
            return
        self.marker.set_data(position[None, :].astype(np.float32), face_color=(0, 0, 0, 0),
                             edge_color=rgba(SELECTION_COLOR), edge_width=2.0, size=14)
        self.label.pos = position
        self.marker.visible = self.label.visible = True
        if self.follow_selection:
            self.look_at(position)

    # --- camera ------------------------------------------------------------------------------

    def look_at(self, position: np.ndarray) -> None:
        """Turn the camera so that ``position`` is in front of it, Earth still centred."""
        x, y, z = position
        camera = self.view.camera
        camera.elevation = math.degrees(math.atan2(z, math.hypot(x, y)))
        camera.azimuth = math.degrees(math.atan2(x, -y))
        self.camera_moved.emit()

    def reset_camera(self) -> None:
        """The start view: the Earth in the middle, the whole GEO ring around it."""
        self.tracking_pair = False
        camera = self.view.camera
        camera.center = (0.0, 0.0, 0.0)
        camera.distance = START_DISTANCE_ER
        camera.elevation, camera.azimuth = 20.0, 0.0
        self.camera_moved.emit()

    def zoom(self, factor: float) -> None:
        self.view.camera.distance = float(np.clip(self.view.camera.distance * factor, MIN_DISTANCE_ER,
                                                  MAX_DISTANCE_ER))
        self.camera_moved.emit()

    def frame_orbit(self, r_orbit_er: np.ndarray, towards: np.ndarray | None) -> None:
        """The whole orbit and the Earth in view, turned towards the object."""
        self.tracking_pair = False
        centre, distance = orbit_frame(r_orbit_er)
        camera = self.view.camera
        camera.center, camera.distance = tuple(float(v) for v in centre), distance
        if towards is not None:
            self.look_at(towards)
            # from a little above the object: its orbit reads as a ring, not a line, and the
            # object and its label stand clear of the Earth's disc
            camera.elevation = float(np.clip(camera.elevation + ORBIT_VIEW_TILT_DEG, -80.0, 80.0))
        self.camera_moved.emit()

    def frame_site(self, site_er: np.ndarray, radius_er: float) -> None:
        """A place (a sensor site, in the globe's inertial frame) turned to face the camera, the
        Earth in the middle, everything within ``radius_er`` of the centre (its coverage) in view."""
        self.tracking_pair = False
        camera = self.view.camera
        camera.center, camera.distance = (0.0, 0.0, 0.0), distance_to_fit(radius_er)
        self.look_at(site_er)

    def frame_pair(self) -> bool:
        """Both objects of the watched pair and the line between them in view, followed as they
        move until the camera is reset or framed on something else."""
        positions = self.pair_positions()
        if positions is None:
            return False
        centre, distance = pair_frame(positions)
        camera = self.view.camera
        camera.center, camera.distance = tuple(float(v) for v in centre), distance
        self.tracking_pair = True
        self.camera_moved.emit()
        return True

    # --- picking -----------------------------------------------------------------------------

    def current_positions(self) -> np.ndarray | None:
        if self._snapshot_r is None:
            return None
        return extrapolate_positions(self._snapshot_r, self._snapshot_v, self._dt_s)

    def project(self, positions: np.ndarray) -> np.ndarray:
        """Canvas pixel coordinates (x, y) and depth of scene positions."""
        transform = self.points.get_transform("visual", "canvas")
        mapped = transform.map(np.asarray(positions, dtype=float))
        return mapped[:, :3] / mapped[:, 3:4]

    def eye_position(self) -> np.ndarray:
        camera = self.view.camera
        return np.asarray(camera.transform.map([0, 0, 0, 1]))[:3]

    def pick(self, x_px: float, y_px: float, tolerance_px: float = CLICK_TOLERANCE_PX) -> int | None:
        """The visible object nearest to the click, within the tolerance, not behind the Earth."""
        positions = self.current_positions()
        if positions is None or not self._shown.any():
            return None
        rows = np.nonzero(self._shown)[0]
        screen = self.project(positions[rows])
        distance_px = np.hypot(screen[:, 0] - x_px, screen[:, 1] - y_px)
        close = distance_px <= tolerance_px
        if not close.any():
            return None
        candidates, candidate_distance = rows[close], distance_px[close]
        eye = self.eye_position()
        visible = ~_hidden_by_earth(eye, positions[candidates])
        if not visible.any():
            return None
        candidates, candidate_distance = candidates[visible], candidate_distance[visible]
        return int(candidates[np.argmin(candidate_distance)])

    def _on_mouse_press(self, event) -> None:
        self._press_pos = tuple(event.pos[:2])

    def _on_mouse_release(self, event) -> None:
        QTimer.singleShot(0, self.camera_moved.emit)
        if self._press_pos is None or event.button != 1:
            return
        moved = math.hypot(event.pos[0] - self._press_pos[0], event.pos[1] - self._press_pos[1])
        self._press_pos = None
        if moved <= 3:
            row = self.pick(*event.pos[:2])
            if row is not None:
                self.object_clicked.emit(row)

    def render_rgba(self) -> np.ndarray:
        """The canvas as an RGBA array (tests, screenshots)."""
        return self.canvas.render()


def _hidden_by_earth(eye: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """True where the segment from the eye to a target passes through the unit sphere."""
    direction = targets - eye
    length = np.linalg.norm(direction, axis=1)
    unit = direction / length[:, None]
    along = -unit @ eye  # closest approach of the line to the Earth's centre
    closest = eye[None, :] + unit * along[:, None]
    crosses = (np.linalg.norm(closest, axis=1) < 1.0) & (along > 0) & (along < length)
    return crosses

"""Ground-track map (pyqtgraph): Blue Marble in plate carrée, night side, all shown objects,
and the selected object's ground track, sub-satellite point and visibility footprint.

The catalog is drawn as one raster image (each object a 2x2 splat), rebuilt at most once a
second from the latest snapshot: cheap for 100k objects, where a scatter item is not.
"""

from __future__ import annotations

import time
from datetime import datetime

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF
from PySide6.QtWidgets import QVBoxLayout, QWidget

from app.astro.orbit_path import OrbitPath, break_at_antimeridian
from app.astro.sun import solar_elevation_deg
from app.astro.timeutil import datetime_to_jd
from app.live.engine import Snapshot
from app.sensors.footprint import footprint_circle_deg
from widgets.theme import COVERAGE_COLOR, ORBIT_COLOR, SELECTION_COLOR

RASTER_WIDTH, RASTER_HEIGHT = 1440, 720
NIGHT_GRID_DEG = 1.0
NIGHT_ALPHA = 175
MIN_REDRAW_INTERVAL_S = 1.0
NIGHT_REDRAW_SIM_S = 120.0


def rasterize_points(lat_deg: np.ndarray, lon_deg: np.ndarray, colors_rgba8: np.ndarray) -> np.ndarray:
    """RGBA image (row 0 = south) with a 2x2 splat per point."""
    image = np.zeros((RASTER_HEIGHT, RASTER_WIDTH, 4), dtype=np.uint8)
    finite = np.isfinite(lat_deg) & np.isfinite(lon_deg)
    cols = ((lon_deg[finite] + 180.0) / 360.0 * RASTER_WIDTH).astype(np.int64)
    rows = ((lat_deg[finite] + 90.0) / 180.0 * RASTER_HEIGHT).astype(np.int64)
    colors = colors_rgba8[finite]
    for d_row in (0, 1):
        for d_col in (0, 1):
            image[np.clip(rows + d_row, 0, RASTER_HEIGHT - 1), (cols + d_col) % RASTER_WIDTH] = colors
    return image


def objects_raster(snapshot: Snapshot, colors: np.ndarray, shown: np.ndarray) -> np.ndarray:
    """The shown objects with a valid state, in their colours (any thread)."""
    keep = np.asarray(shown, dtype=bool) & snapshot.valid
    rgba8 = (np.asarray(colors)[keep] * 255).astype(np.uint8)
    return rasterize_points(snapshot.lat_deg[keep], snapshot.lon_deg[keep], rgba8)


def night_overlay(at: datetime) -> np.ndarray:
    """RGBA image (row 0 = south) darkening where the Sun is below the horizon; twilight graded."""
    lat = np.arange(-90 + NIGHT_GRID_DEG / 2, 90, NIGHT_GRID_DEG)
    lon = np.arange(-180 + NIGHT_GRID_DEG / 2, 180, NIGHT_GRID_DEG)
    lon_grid, lat_grid = np.meshgrid(lon, lat)
    elevation = solar_elevation_deg(lat_grid, lon_grid, *datetime_to_jd(at))
    darkness = np.clip((2.0 - elevation) / 8.0, 0.0, 1.0)  # 0 above +2 deg, full below -6 (civil twilight)
    image = np.zeros(lat_grid.shape + (4,), dtype=np.uint8)
    image[..., 2] = 20
    image[..., 3] = (darkness * NIGHT_ALPHA).astype(np.uint8)
    return image


class MapView(QWidget):
    def __init__(self, texture_rgb: np.ndarray, parent: QWidget | None = None):
        super().__init__(parent)
        self.plot = pg.PlotWidget(background="#05080c")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot)
        item = self.plot.getPlotItem()
        item.setAspectLocked(True)
        item.setLimits(minXRange=5, maxXRange=3000, minYRange=2.5, maxYRange=1500)
        item.getViewBox().sigResized.connect(lambda *_: self.fit_world())  # whole world after each resize
        self.fit_world()
        item.getAxis("bottom").setTicks([[(x, f"{x}°") for x in range(-180, 181, 60)]])
        item.getAxis("left").setTicks([[(y, f"{y}°") for y in range(-90, 91, 30)]])
        item.hideButtons()
        item.setMenuEnabled(False)
        self._world = world = QRectF(-180, -90, 360, 180)

        self.base = pg.ImageItem(np.ascontiguousarray(texture_rgb[::-1]), axisOrder="row-major")
        self.base.setRect(world)
        self.night = pg.ImageItem(axisOrder="row-major")
        self.night.setRect(world)
        self.dots = pg.ImageItem(axisOrder="row-major")
        self.dots.setRect(world)
        for z, image_item in enumerate((self.base, self.night, self.dots)):
            image_item.setZValue(z)
            item.addItem(image_item)
        self.track = pg.PlotDataItem(pen=pg.mkPen(ORBIT_COLOR, width=1.5), connect="finite")
        self.footprint = pg.PlotDataItem(pen=pg.mkPen(SELECTION_COLOR, width=1, style=pg.QtCore.Qt.PenStyle.DashLine),
                                         connect="finite")
        self.subpoint = pg.ScatterPlotItem(size=11, pen=pg.mkPen(SELECTION_COLOR, width=2), brush=None)
        self.sensor_sites = pg.ScatterPlotItem(size=6, symbol="s", pen=pg.mkPen("#000000", width=0.5))
        self.coverage = pg.PlotDataItem(pen=pg.mkPen(COVERAGE_COLOR, width=2.0), connect="finite")
        for z, overlay in enumerate((self.sensor_sites, self.coverage, self.track, self.footprint, self.subpoint),
                                    start=10):
            overlay.setZValue(z)
            item.addItem(overlay)

        self._last_dots_wall = 0.0
        self._last_night_posix: float | None = None
        self._epoch: datetime | None = None  # the frame's time, kept while the map is hidden
        self.selected_row: int | None = None

    def fit_world(self) -> None:
        self.plot.getPlotItem().setRange(xRange=(-180, 180), yRange=(-90, 90), padding=0)


    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.fit_world()
        if self._epoch is not None:
            self.set_epoch(self._epoch)  # the night as it is now, not as it was when hidden

    def set_epoch(self, at: datetime) -> None:
        """Each frame: the night overlay, redrawn every ``NIGHT_REDRAW_SIM_S`` of simulated
        time while the map shows (behind another tab it waits: 9 ms of the GUI thread)."""
        self._epoch = at
        if not self.isVisible():
            return
        posix = at.timestamp()
        if self._last_night_posix is None or abs(posix - self._last_night_posix) >= NIGHT_REDRAW_SIM_S:
            self.night.setImage(night_overlay(at), autoLevels=False)
            self.night.setRect(self._world)  # the rect maps image pixels: set it after each new image
            self._last_night_posix = posix

    def set_snapshot(self, snapshot: Snapshot, colors: np.ndarray, shown: np.ndarray, force: bool = False) -> None:
        """Redraw the objects (at most once a second unless ``force``), here on this thread."""
        if self.dots_due(force):
            self.show_dots(objects_raster(snapshot, colors, shown), snapshot)

    def dots_due(self, force: bool = False) -> bool:
        """Whether the objects' raster should be redrawn now (once a second, or forced); if so
        the time is taken as the redraw's."""
        now = time.monotonic()
        if not force and now - self._last_dots_wall < MIN_REDRAW_INTERVAL_S:
            return False
        self._last_dots_wall = now
        return True

    def show_dots(self, image: np.ndarray, snapshot: Snapshot) -> None:
        self.dots.setImage(image, autoLevels=False)
        self.dots.setRect(self._world)
        self._update_subpoint(snapshot)

    def set_selection(self, row: int | None, track: OrbitPath | None, snapshot: Snapshot | None) -> None:
        self.selected_row = row
        if row is None or track is None:
            self.track.setData([], [])
            self.footprint.setData([], [])
            self.subpoint.setData([], [])
            return
        self.track.setData(*break_at_antimeridian(track.lon_deg, track.lat_deg))
        if snapshot is not None:
            self._update_subpoint(snapshot)

    def _update_subpoint(self, snapshot: Snapshot) -> None:
        row = self.selected_row
        if row is None or row >= len(snapshot) or not snapshot.valid[row]:
            self.subpoint.setData([], [])
            self.footprint.setData([], [])
            return
        lat, lon, alt = float(snapshot.lat_deg[row]), float(snapshot.lon_deg[row]), float(snapshot.alt_km[row])
        self.subpoint.setData([lon], [lat])
        circle_lat, circle_lon = footprint_circle_deg(lat, lon, alt)
        self.footprint.setData(*break_at_antimeridian(circle_lon, circle_lat))

    def set_sensors(self, lat_deg, lon_deg, colors_hex: list[str], hollow=None) -> None:
        """Sites as small squares; the ``hollow`` ones (other nations', context only) as
        outlines in their colour."""
        lon = (np.asarray(lon_deg, dtype=float) + 180.0) % 360.0 - 180.0
        hollow = np.zeros(len(colors_hex), dtype=bool) if hollow is None else np.asarray(hollow, dtype=bool)
        filled_pen = pg.mkPen("#000000", width=0.5)
        self.sensor_sites.setData(lon, np.asarray(lat_deg, dtype=float),
                                  brush=[_clear(c) if h else pg.mkBrush(c) for c, h in zip(colors_hex, hollow)],
                                  pen=[pg.mkPen(c, width=1.5) if h else filled_pen for c, h in zip(colors_hex, hollow)])

    def set_sensors_visible(self, visible: bool) -> None:
        self.sensor_sites.setVisible(visible)

    def set_coverage(self, ring: tuple[np.ndarray, np.ndarray] | None) -> None:
        if ring is None:
            self.coverage.setData([], [])
        else:
            lat, lon = ring
            self.coverage.setData(*break_at_antimeridian(lon, lat))


def _clear(color: str):
    """A brush of ``color`` with no fill (the colour kept, so a hollow site still says it)."""
    qcolor = pg.mkColor(color)
    qcolor.setAlpha(0)
    return pg.mkBrush(qcolor)

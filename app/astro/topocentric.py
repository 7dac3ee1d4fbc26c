"""Where a satellite stands in a ground site's sky: azimuth, elevation, range."""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from pyproj import Transformer

from app.astro.constants import WGS84_EQUATORIAL_RADIUS_KM

EARTH_SHADOW_RADIUS_KM = WGS84_EQUATORIAL_RADIUS_KM  # a cylinder of the equatorial radius


_per_thread = threading.local()


def _geodetic_to_itrs() -> Transformer:
    """This thread's transformer: pyproj transformers must not be shared between threads
    (two scenario forecasts computing passes at once crashed the console in pyproj)."""
    transformer = getattr(_per_thread, "geodetic_to_itrs", None)
    if transformer is None:
        transformer = _per_thread.geodetic_to_itrs = Transformer.from_crs("EPSG:4979", "EPSG:4978", always_xy=True)
    return transformer


@dataclass(frozen=True)
class Site:
    """A ground site's Earth-fixed position and its local east/north/up axes."""

    lat_deg: float
    lon_deg: float
    alt_m: float

    @cached_property
    def r_itrs_km(self) -> np.ndarray:
        x, y, z = _geodetic_to_itrs().transform(self.lon_deg, self.lat_deg, self.alt_m)
        return np.array([x, y, z]) / 1000.0

    @cached_property
    def enu_axes(self) -> np.ndarray:
        """Rows: east, north, up (geodetic) in ITRS."""
        lat, lon = math.radians(self.lat_deg), math.radians(self.lon_deg)
        return np.array([
            [-math.sin(lon), math.cos(lon), 0.0],
            [-math.sin(lat) * math.cos(lon), -math.sin(lat) * math.sin(lon), math.cos(lat)],
            [math.cos(lat) * math.cos(lon), math.cos(lat) * math.sin(lon), math.sin(lat)],
        ])


def look_angles(site: Site, r_itrs_km: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(azimuth_deg, elevation_deg, range_km)`` of ITRS positions (..., 3) from a site.
    Azimuth is clockwise from north."""
    enu = (np.asarray(r_itrs_km) - site.r_itrs_km) @ site.enu_axes.T
    east, north, up = enu[..., 0], enu[..., 1], enu[..., 2]
    range_km = np.sqrt(east**2 + north**2 + up**2)
    elevation_deg = np.degrees(np.arcsin(np.clip(up / range_km, -1.0, 1.0)))
    azimuth_deg = np.degrees(np.arctan2(east, north)) % 360.0
    return azimuth_deg, elevation_deg, range_km


def in_earth_shadow(r_km: np.ndarray, sun_unit: np.ndarray) -> np.ndarray:
    """Cylindrical shadow model: behind the Earth (away from the Sun) and within one Earth
    radius of the Earth-Sun line. ``r_km`` and ``sun_unit`` in the same frame."""
    r = np.asarray(r_km, dtype=float)
    along = np.sum(r * sun_unit, axis=-1)  # one Sun direction, or one per row
    across = np.linalg.norm(r - along[..., None] * sun_unit, axis=-1)
    return (along < 0.0) & (across < EARTH_SHADOW_RADIUS_KM)

"""The Sun's direction: low-precision formula of the Astronomical Almanac (accurate to about
0.01 deg between 1950 and 2050), enough for day/night shading and lighting flags."""

from __future__ import annotations

import math

import numpy as np

from app.astro.frames import gmst_rad

_J2000_JD = 2451545.0


def sun_ecliptic_longitude_deg(jd, fr=0.0):
    """Apparent ecliptic longitude of the Sun (deg, in [0, 360)); ``fr`` may be an array."""
    n = (jd - _J2000_JD) + np.asarray(fr, dtype=float)
    mean_longitude = 280.460 + 0.9856474 * n
    mean_anomaly = np.radians(357.528 + 0.9856003 * n)
    longitude = mean_longitude + 1.915 * np.sin(mean_anomaly) + 0.020 * np.sin(2 * mean_anomaly)
    return longitude % 360.0 if longitude.ndim else float(longitude % 360.0)


def sun_direction_eci(jd, fr=0.0) -> np.ndarray:
    """Unit vector to the Sun in the mean equator and equinox of date (TEME to 0.01 deg):
    shape (3,), or (..., 3) for an array of ``fr``."""
    n = (jd - _J2000_JD) + np.asarray(fr, dtype=float)
    longitude = np.radians(sun_ecliptic_longitude_deg(jd, fr))
    obliquity = np.radians(23.439 - 0.0000004 * n)
    return np.stack([np.cos(longitude), np.cos(obliquity) * np.sin(longitude),
                     np.sin(obliquity) * np.sin(longitude)], axis=-1)


def sun_direction_itrs(jd, fr=0.0) -> np.ndarray:
    """Unit vector to the Sun in the Earth-fixed frame (same GMST rotation as the engine)."""
    theta = gmst_rad(jd, fr)
    eci = sun_direction_eci(jd, fr)
    x, y, z = eci[..., 0], eci[..., 1], eci[..., 2]
    return np.stack([np.cos(theta) * x + np.sin(theta) * y, -np.sin(theta) * x + np.cos(theta) * y, z], axis=-1)


def subsolar_point_deg(jd: float, fr: float = 0.0) -> tuple[float, float]:
    """Geocentric latitude and longitude (deg) where the Sun is overhead."""
    x, y, z = sun_direction_itrs(jd, fr)
    return math.degrees(math.asin(z)), math.degrees(math.atan2(y, x))


def solar_elevation_deg(lat_deg: np.ndarray, lon_deg: np.ndarray, jd: float, fr=0.0) -> np.ndarray:
    """Elevation of the Sun's centre above the geocentric horizon at each point (deg); points
    and ``fr`` broadcast together (many points at one time, or one point at many times)."""
    sun = sun_direction_itrs(jd, fr)
    lat, lon = np.radians(lat_deg), np.radians(lon_deg)
    up_dot_sun = (np.cos(lat) * np.cos(lon) * sun[..., 0] + np.cos(lat) * np.sin(lon) * sun[..., 1]
                  + np.sin(lat) * sun[..., 2])
    return np.degrees(np.arcsin(np.clip(up_dot_sun, -1.0, 1.0)))

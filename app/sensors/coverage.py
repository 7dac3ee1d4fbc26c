"""Sensor coverage at an altitude: the ring of points at that altitude a sensor can see
within its elevation mask, its maximum range and its azimuth limits (spherical Earth)."""

from __future__ import annotations

import math

import numpy as np

from app.astro.constants import MEAN_EARTH_RADIUS_KM
from app.sensors.footprint import points_around_deg
from app.sensors.sites import Sensor

DEFAULT_COVERAGE_ALT_KM = 800.0


def coverage_half_angle_rad(sensor: Sensor, alt_km: float) -> float | None:
    """Earth central angle from the site to the edge of what it sees at ``alt_km``; None if
    the altitude is out of the sensor's range altogether."""
    radius, orbit = MEAN_EARTH_RADIUS_KM, MEAN_EARTH_RADIUS_KM + alt_km
    if sensor.max_range_km < alt_km:
        return None
    elevation = math.radians(sensor.min_elevation_deg)
    by_elevation = math.acos(min(1.0, radius * math.cos(elevation) / orbit)) - elevation
    cos_range = (radius**2 + orbit**2 - sensor.max_range_km**2) / (2 * radius * orbit)
    by_range = math.acos(max(-1.0, min(1.0, cos_range)))
    return max(0.0, min(by_elevation, by_range))


def coverage_ring_deg(sensor: Sensor, alt_km: float = DEFAULT_COVERAGE_ALT_KM,
                      points: int = 181) -> tuple[np.ndarray, np.ndarray] | None:
    """``(lat_deg, lon_deg)`` of the coverage edge's ground track; a sector is closed through
    the site. None when nothing at that altitude is in reach."""
    delta = coverage_half_angle_rad(sensor, alt_km)
    if delta is None or delta == 0.0:
        return None
    if sensor.az_min_deg is not None and sensor.az_max_deg is not None:
        width = (sensor.az_max_deg - sensor.az_min_deg) % 360.0 or 360.0
        bearing = np.radians(sensor.az_min_deg + np.linspace(0.0, width, points))
    else:
        bearing = np.linspace(0.0, 2 * np.pi, points)
    lat_deg, lon_deg = points_around_deg(sensor.lat_deg, sensor.lon_deg, delta, bearing)
    if sensor.az_min_deg is not None and sensor.az_max_deg is not None and width < 360.0:
        lat_deg = np.concatenate([[sensor.lat_deg], lat_deg, [sensor.lat_deg]])
        lon_deg = np.concatenate([[sensor.lon_deg], lon_deg, [sensor.lon_deg]])
    return lat_deg, lon_deg


def ring_itrs(lat_deg: np.ndarray, lon_deg: np.ndarray, radius: float) -> np.ndarray:
    """Points on a sphere of ``radius`` (any unit) over the given geocentric lat/lon."""
    lat, lon = np.radians(lat_deg), np.radians(lon_deg)
    return np.stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)], axis=-1) * radius

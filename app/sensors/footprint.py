"""Visibility footprint: the circle on the ground from which a satellite is above the horizon."""

from __future__ import annotations

import numpy as np

from app.astro.constants import MEAN_EARTH_RADIUS_KM


def footprint_half_angle_rad(alt_km: float, min_elevation_deg: float = 0.0) -> float:
    """Earth central angle from the sub-satellite point to the footprint's edge."""
    ratio = MEAN_EARTH_RADIUS_KM / (MEAN_EARTH_RADIUS_KM + max(alt_km, 0.0))
    elevation = np.radians(min_elevation_deg)
    # triangle Earth centre / ground point / satellite: nadir angle from the sine rule
    nadir = np.arcsin(ratio * np.cos(elevation))
    return float(np.pi / 2 - elevation - nadir)


def footprint_circle_deg(lat_deg: float, lon_deg: float, alt_km: float, points: int = 181,
                         min_elevation_deg: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """``(lat_deg, lon_deg)`` of the footprint's edge (spherical Earth), longitudes in [-180, 180)."""
    delta = footprint_half_angle_rad(alt_km, min_elevation_deg)
    return points_around_deg(lat_deg, lon_deg, delta, np.linspace(0.0, 2 * np.pi, points))


def points_around_deg(lat_deg: float, lon_deg: float, central_angle_rad: float,
                      bearing_rad: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(lat_deg, lon_deg)`` of the points at a central angle from a point, along each
    bearing (clockwise from north), on a sphere; longitudes in [-180, 180)."""
    delta = central_angle_rad
    lat1, lon1 = np.radians(lat_deg), np.radians(lon_deg)
    lat2 = np.arcsin(np.sin(lat1) * np.cos(delta) + np.cos(lat1) * np.sin(delta) * np.cos(bearing_rad))
    lon2 = lon1 + np.arctan2(np.sin(bearing_rad) * np.sin(delta) * np.cos(lat1),
                             np.cos(delta) - np.sin(lat1) * np.sin(lat2))
    return np.degrees(lat2), (np.degrees(lon2) + 180.0) % 360.0 - 180.0

"""Where the globe's camera stands to show what matters: the whole GEO ring at the start,
a selected object's whole orbit, a watched pair and the line between them.

The turntable camera looks at its centre from ``distance`` with a field of view of
``FOV_DEG`` across the window's smaller side; a sphere of radius R about the centre is
wholly in view from R / sin(fov / 2).
"""

from __future__ import annotations

import math

import numpy as np

from app.astro.constants import WGS84_EQUATORIAL_RADIUS_KM

FOV_DEG = 30.0
MARGIN = 1.08
GEO_RADIUS_ER = 42_164.0 / WGS84_EQUATORIAL_RADIUS_KM  # the drawing unit is the WGS84 radius
MIN_DISTANCE_ER, MAX_DISTANCE_ER = 0.02, 120.0
MIN_PAIR_RADIUS_ER = 0.01  # about 64 km: a docked pair still shows as two ringed points


def distance_to_fit(radius_er: float, fov_deg: float = FOV_DEG, margin: float = MARGIN) -> float:
    """Camera distance at which a sphere of ``radius_er`` about the camera's centre fits in view."""
    distance = margin * radius_er / math.sin(math.radians(fov_deg) / 2.0)
    return float(np.clip(distance, MIN_DISTANCE_ER, MAX_DISTANCE_ER))


START_DISTANCE_ER = distance_to_fit(GEO_RADIUS_ER)  # the GEO ring in view when the console opens


def orbit_frame(r_orbit_er: np.ndarray) -> tuple[np.ndarray, float]:
    """Centre and camera distance showing a sampled orbit whole, and the Earth: a circular
    orbit keeps the Earth in the middle; a Molniya's centre moves towards its apogee."""
    finite = r_orbit_er[np.isfinite(r_orbit_er).all(axis=-1)]
    if not len(finite):
        return np.zeros(3), START_DISTANCE_ER
    points = np.vstack([finite, np.eye(3), -np.eye(3)])  # the Earth's extent too
    centre = (points.min(axis=0) + points.max(axis=0)) / 2.0
    radius = float(np.linalg.norm(points - centre, axis=1).max())
    return centre, distance_to_fit(radius)


def pair_frame(positions_er: np.ndarray) -> tuple[np.ndarray, float]:
    """Centre and camera distance showing both objects of a pair and the line between them."""
    centre = positions_er.mean(axis=0)
    radius = max(float(np.linalg.norm(positions_er[0] - positions_er[1])) / 2.0, MIN_PAIR_RADIUS_ER)
    return centre, distance_to_fit(radius, margin=2.0)

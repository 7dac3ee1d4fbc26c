"""Relative motion of a secondary about a primary: the RIC frame, range and range rate."""

from __future__ import annotations

import numpy as np


def ric_axes(r_primary: np.ndarray, v_primary: np.ndarray) -> np.ndarray:
    """Rows radial, in-track, cross-track of the primary's frame (..., 3, 3)."""
    radial = r_primary / np.linalg.norm(r_primary, axis=-1, keepdims=True)
    cross = np.cross(r_primary, v_primary)
    cross /= np.linalg.norm(cross, axis=-1, keepdims=True)
    in_track = np.cross(cross, radial)
    return np.stack([radial, in_track, cross], axis=-2)


def relative_ric(r1: np.ndarray, v1: np.ndarray, r2: np.ndarray) -> np.ndarray:
    """The secondary's position relative to the primary, in the primary's RIC frame (km)."""
    return np.einsum("...ij,...j->...i", ric_axes(r1, v1), np.asarray(r2) - np.asarray(r1))


def range_and_rate(r1, v1, r2, v2) -> tuple[np.ndarray, np.ndarray]:
    """Distance (km) and its rate (km/s, negative while closing)."""
    rel_r, rel_v = np.asarray(r2) - np.asarray(r1), np.asarray(v2) - np.asarray(v1)
    distance = np.linalg.norm(rel_r, axis=-1)
    rate = np.sum(rel_r * rel_v, axis=-1) / np.where(distance > 0, distance, 1.0)
    return distance, rate

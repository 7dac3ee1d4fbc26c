"""Orbit paths for selected objects: N samples over one period (or a given span).

Used by the globe (inertial and Earth-fixed paths) and the ground-track map. Only the
objects someone is looking at are sampled; the whole catalog never is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
from sgp4.api import Satrec

from app.astro.frames import itrs_to_geodetic, teme_to_itrs_many_epochs
from app.astro.timeutil import SECONDS_PER_DAY, datetime_to_jd


@dataclass(frozen=True, eq=False)
class OrbitPath:
    """Samples of one object's orbit; rows with ``sgp4_error`` != 0 are NaN."""

    jd: np.ndarray
    fr: np.ndarray
    offset_s: np.ndarray  # seconds from the requested centre/start epoch
    r_teme_km: np.ndarray
    r_itrs_km: np.ndarray
    lat_deg: np.ndarray
    lon_deg: np.ndarray
    alt_km: np.ndarray
    sgp4_error: np.ndarray


def period_s(satrec: Satrec) -> float:
    """Anomalistic period from the Brouwer mean motion (``satrec.no`` in rad/min)."""
    return 2.0 * np.pi / satrec.no * 60.0


def sample_orbit(satrec: Satrec, epoch: datetime, span_s: float | None = None, points: int = 361,
                 start_offset_s: float = 0.0) -> OrbitPath:
    """Sample ``points`` instants from ``epoch + start_offset_s`` over ``span_s`` seconds
    (default: one orbital period). For a ground track one period back and forward, pass
    ``start_offset_s=-P`` and ``span_s=2P``."""
    if points < 2:
        raise ValueError("an orbit path needs at least 2 points")
    span = period_s(satrec) if span_s is None else float(span_s)
    jd0, fr0 = datetime_to_jd(epoch)
    offset = start_offset_s + np.linspace(0.0, span, points)
    jd = np.full(points, jd0)
    fr = fr0 + offset / SECONDS_PER_DAY
    error, r_teme, _v = satrec.sgp4_array(jd, fr)
    failed = error != 0
    r_teme[failed] = np.nan
    r_itrs = teme_to_itrs_many_epochs(r_teme, jd, fr)
    lat, lon, alt = itrs_to_geodetic(r_itrs)
    return OrbitPath(jd, fr, offset, r_teme, r_itrs, lat, lon, alt, error.astype(np.uint8))


def _antimeridian_jumps(lon_deg: np.ndarray) -> np.ndarray:
    """Indices where a track wraps from +180 to -180 (or back)."""
    return np.nonzero(np.abs(np.diff(lon_deg)) > 180.0)[0] + 1


def break_at_antimeridian(lon_deg: np.ndarray, lat_deg: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The same track with NaN inserted where it wraps, so a plotted line breaks there."""
    jumps = _antimeridian_jumps(lon_deg)
    return np.insert(lon_deg.astype(float), jumps, np.nan), np.insert(lat_deg.astype(float), jumps, np.nan)


def split_at_antimeridian(lon_deg: np.ndarray, lat_deg: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """Break a ground track where it wraps from +180 to -180 (or back) into pieces."""
    jumps = _antimeridian_jumps(lon_deg)
    return [(lo, la) for lo, la in zip(np.split(lon_deg, jumps), np.split(lat_deg, jumps)) if len(lo)]

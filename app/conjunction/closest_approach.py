"""Time and distance of closest approach between two objects: a coarse scan of the range,
then each local minimum refined as the root of the range rate (never sampling alone)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from sgp4.api import Satrec

from app.astro.relative_motion import range_and_rate, relative_ric
from app.astro.root_finding import bracketed_roots
from app.astro.timeutil import SECONDS_PER_DAY, datetime_to_jd, format_utc

CO_LOCATED_KM = 1e-6
RATE_STEP_S = 0.01  # central-difference step for the range rate  # objects sharing one element set (docked modules) are this close throughout


@dataclass(frozen=True, slots=True)  # slots: a week's screening holds hundreds of thousands
class Approach:
    primary: int
    secondary: int
    tca: datetime
    miss_km: float
    relative_speed_km_s: float
    r_ric_km: tuple[float, float, float]  # secondary relative to primary at TCA

    def as_dict(self) -> dict:
        return {"primary": self.primary, "secondary": self.secondary, "tca_utc": format_utc(self.tca),
                "miss_km": self.miss_km, "relative_speed_km_s": self.relative_speed_km_s,
                "r_ric_km": list(self.r_ric_km)}


class PairMotion:
    """Both objects' TEME states at offsets (s) from a reference epoch."""

    def __init__(self, primary: Satrec, secondary: Satrec, jd0: float, fr0: float):
        self.primary, self.secondary, self.jd0, self.fr0 = primary, secondary, jd0, fr0

    def states(self, offsets_s):
        offsets = np.atleast_1d(np.asarray(offsets_s, dtype=float))
        jd = np.full(offsets.shape, self.jd0)
        fr = self.fr0 + offsets / SECONDS_PER_DAY
        e1, r1, v1 = self.primary.sgp4_array(jd, fr)
        e2, r2, v2 = self.secondary.sgp4_array(jd, fr)
        valid = (e1 == 0) & (e2 == 0)
        return valid, r1, v1, r2, v2

    def range_rate(self, offsets_s) -> np.ndarray:
        """d(range)/dt of the SGP4 positions themselves, by a central difference. (SGP4's own
        velocities are not exactly the derivative of its positions: a few mm/s apart, which
        would move the TCA of a slow GEO encounter by seconds.)"""
        offsets = np.atleast_1d(np.asarray(offsets_s, dtype=float))
        both = np.concatenate([offsets - RATE_STEP_S, offsets + RATE_STEP_S])
        valid, r1, _v1, r2, _v2 = self.states(both)
        distance = np.linalg.norm(r2 - r1, axis=-1)
        n = len(offsets)
        rate = (distance[n:] - distance[:n]) / (2 * RATE_STEP_S)
        return np.where(valid[:n] & valid[n:], rate, 0.0)


def scan_step_s(primary: Satrec, secondary: Satrec) -> float:
    """Coarse step: 1/64 of the shorter period, so that every close approach (twice an
    orbit at most per pair of crossing orbits) has its own local minimum on the grid."""
    shortest = min(2 * math.pi / primary.no, 2 * math.pi / secondary.no) * 60.0
    return max(5.0, min(300.0, shortest / 64.0))


def closest_approaches(primary: Satrec, secondary: Satrec, start: datetime, span_s: float,
                       primary_id: int = 0, secondary_id: int = 0, step_s: float | None = None,
                       max_miss_km: float = math.inf) -> list[Approach]:
    """Every local minimum of the range in [start, start + span_s] (TCA by range-rate root)."""
    jd0, fr0 = datetime_to_jd(start)
    motion = PairMotion(primary, secondary, jd0, fr0)
    step = step_s or scan_step_s(primary, secondary)
    grid = np.linspace(0.0, span_s, max(3, int(math.ceil(span_s / step)) + 1))
    valid, r1, v1, r2, v2 = motion.states(grid)
    distance, rate = range_and_rate(r1, v1, r2, v2)
    distance = np.where(valid, distance, np.inf)
    if np.all(distance[valid] < CO_LOCATED_KM) and valid.any():
        return []  # one element set for both: co-located, not an approach
    closing_then_opening = np.nonzero((rate[:-1] < 0) & (rate[1:] >= 0) & valid[:-1] & valid[1:])[0]
    candidates = _refine(motion, grid, closing_then_opening, step)
    results = []
    for offset in candidates:
        ok, r1c, v1c, r2c, v2c = motion.states([offset])
        if not ok[0]:
            continue
        miss = float(np.linalg.norm(r2c[0] - r1c[0]))
        if miss > max_miss_km:
            continue
        speed = float(np.linalg.norm(v2c[0] - v1c[0]))
        ric = relative_ric(r1c[0], v1c[0], r2c[0])
        results.append(Approach(primary_id, secondary_id, start + timedelta(seconds=float(offset)), miss, speed,
                                tuple(float(x) for x in ric)))
    # an end of the window that is closer than anything inside it is reported too
    for edge in (0, len(grid) - 1):
        inward = rate[edge] >= 0 if edge == 0 else rate[edge] < 0
        if valid[edge] and inward and distance[edge] <= max_miss_km and not any(
                abs((a.tca - start).total_seconds() - grid[edge]) < step for a in results):
            ric = relative_ric(r1[edge], v1[edge], r2[edge])
            results.append(Approach(primary_id, secondary_id, start + timedelta(seconds=float(grid[edge])),
                                    float(distance[edge]), float(np.linalg.norm(v2[edge] - v1[edge])),
                                    tuple(float(x) for x in ric)))
    return sorted(results, key=lambda a: a.tca)


def _refine(motion: PairMotion, grid: np.ndarray, turns: np.ndarray, step: float) -> np.ndarray:
    """Roots of the range rate in each turning interval, widened by a step on each side
    where the positions' own rate changes sign just outside the velocity-based bracket."""
    if not len(turns):
        return np.zeros(0)
    low = np.maximum(grid[turns] - step, grid[0])
    high = np.minimum(grid[turns + 1] + step, grid[-1])
    inner_low, inner_high = grid[turns], grid[turns + 1]
    f_inner_low, f_inner_high = motion.range_rate(inner_low), motion.range_rate(inner_high)
    inside = (f_inner_low < 0) & (f_inner_high >= 0)
    low, high = np.where(inside, inner_low, low), np.where(inside, inner_high, high)
    f_low, f_high = motion.range_rate(low), motion.range_rate(high)
    ok = (f_low < 0) & (f_high >= 0)
    if not ok.any():
        return np.zeros(0)
    return bracketed_roots(motion.range_rate, low[ok], high[ok], f_low[ok], f_high[ok], tolerance_s=1e-4)


def refine_turns(primary: Satrec, secondary: Satrec, start: datetime, grid_s: np.ndarray, turns: np.ndarray,
                 primary_id: int, secondary_id: int, max_miss_km: float) -> list[Approach]:
    """Approaches from turning intervals already found on a grid (screening's scan)."""
    motion = PairMotion(primary, secondary, *datetime_to_jd(start))
    step = float(grid_s[1] - grid_s[0]) if len(grid_s) > 1 else 60.0
    results = []
    for offset in _refine(motion, grid_s, np.asarray(turns), step):
        ok, r1, v1, r2, v2 = motion.states([offset])
        miss = float(np.linalg.norm(r2[0] - r1[0]))
        if ok[0] and miss <= max_miss_km:
            results.append(Approach(primary_id, secondary_id, start + timedelta(seconds=float(offset)), miss,
                                    float(np.linalg.norm(v2[0] - v1[0])),
                                    tuple(float(x) for x in relative_ric(r1[0], v1[0], r2[0]))))
    return results

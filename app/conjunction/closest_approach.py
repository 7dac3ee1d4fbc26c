"""Time and distance of closest approach between two objects: a coarse scan of the range,
then each local minimum refined as the root of the range rate (never sampling alone)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from collections.abc import Sequence
from datetime import datetime, timedelta

import numpy as np
from sgp4.api import Satrec

from app.astro.ephemeris_satrec import sgp4_rows
from app.astro.relative_motion import range_and_rate, relative_ric
from app.astro.root_finding import bracketed_roots
from app.astro.timeutil import SECONDS_PER_DAY, datetime_to_jd, format_utc

CO_LOCATED_KM = 1e-6  # objects sharing one element set (docked modules) are this close throughout
RATE_STEP_S = 0.01  # central-difference step for the range rate


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
        return _central_range_rate(self.states, np.atleast_1d(np.asarray(offsets_s, dtype=float)))


def _central_range_rate(states, offsets: np.ndarray) -> np.ndarray:
    """The range rate at ``offsets`` from ``states(offsets)``' positions ``RATE_STEP_S`` either side."""
    n = len(offsets)
    valid, r1, _v1, r2, _v2 = states(np.concatenate([offsets - RATE_STEP_S, offsets + RATE_STEP_S]))
    distance = np.linalg.norm(r2 - r1, axis=-1)
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
    motion = PairMotion(primary, secondary, *datetime_to_jd(start))
    step = step_s or scan_step_s(primary, secondary)
    return _pairs_approaches(lambda _, t: motion.states(t), lambda _, t: motion.range_rate(t), start,
                             np.zeros(1), np.array([float(span_s)]), np.array([float(step)]), [primary_id],
                             [secondary_id], max_miss_km)[0]


def closest_approaches_many(satrecs: Sequence[Satrec], a: np.ndarray, b: np.ndarray, start: datetime,
                            low_s: np.ndarray, high_s: np.ndarray, step_s: float, primary_ids: Sequence[int],
                            secondary_ids: Sequence[int], max_miss_km: float = math.inf) -> list[list[Approach]]:
    """:func:`closest_approaches` of many pairs at once (``satrecs[a[k]]`` against ``satrecs[b[k]]``
    over [low_s[k], high_s[k]] seconds after ``start``), one list each: the same search,
    with each object's states from one compiled call per step of the search (``sgp4_rows``)
    instead of one per pair."""
    motion = PairsMotion(satrecs, np.asarray(a), np.asarray(b), *datetime_to_jd(start))
    low_s, high_s = np.asarray(low_s, dtype=float), np.asarray(high_s, dtype=float)
    return _pairs_approaches(motion.states, motion.range_rate, start, low_s, high_s, np.full(len(low_s), step_s),
                             primary_ids, secondary_ids, max_miss_km)


class PairsMotion:
    """Many pairs' TEME states at offsets (s) from a reference epoch: pair k is
    ``satrecs[a[k]]`` against ``satrecs[b[k]]``; rows name their pair."""

    def __init__(self, satrecs: Sequence[Satrec], a: np.ndarray, b: np.ndarray, jd0: float, fr0: float):
        self.satrecs, self.a, self.b, self.jd0, self.fr0 = satrecs, a, b, jd0, fr0

    def states(self, pair: np.ndarray, offsets_s: np.ndarray):
        n = len(pair)
        fr = self.fr0 + np.asarray(offsets_s, dtype=float) / SECONDS_PER_DAY
        error, r, v = sgp4_rows(self.satrecs, np.concatenate([self.a[pair], self.b[pair]]), self.jd0,
                                np.concatenate([fr, fr]))
        return (error[:n] == 0) & (error[n:] == 0), r[:n], v[:n], r[n:], v[n:]

    def range_rate(self, pair: np.ndarray, offsets_s: np.ndarray) -> np.ndarray:
        """As :meth:`PairMotion.range_rate`, row by row."""
        both = np.concatenate([pair, pair])
        return _central_range_rate(lambda t: self.states(both, t), np.asarray(offsets_s, dtype=float))


def _pairs_approaches(states, range_rate, start: datetime, low_s: np.ndarray, high_s: np.ndarray,
                      step_s: np.ndarray, primary_ids, secondary_ids, max_miss_km: float) -> list[list[Approach]]:
    """The search behind :func:`closest_approaches`, pair by pair but all at once: a grid of
    each pair's window (``states(pairs, offsets)``), the range's turns from closing to
    opening refined as roots of ``range_rate(pairs, offsets)``, and an end of a window
    closer than anything inside it. A pair that stays co-located (one element set) has none."""
    count = np.maximum(3, np.ceil((high_s - low_s) / step_s).astype(np.int64) + 1)
    first_row = np.cumsum(count) - count
    pair = np.repeat(np.arange(len(count)), count)
    position = np.arange(len(pair)) - first_row[pair]
    grid = low_s[pair] + (high_s - low_s)[pair] * (position / (count - 1)[pair])
    valid, r1, v1, r2, v2 = states(pair, grid)
    distance, rate = range_and_rate(r1, v1, r2, v2)
    distance = np.where(valid, distance, np.inf)
    valid_count = np.bincount(pair, valid, minlength=len(count))
    co_located = (valid_count > 0) & (np.bincount(pair, valid & (distance < CO_LOCATED_KM), len(count)) == valid_count)
    turns = np.nonzero((pair[:-1] == pair[1:]) & (rate[:-1] < 0) & (rate[1:] >= 0) & valid[:-1] & valid[1:]
                       & ~co_located[pair[:-1]])[0]
    turn_pair, tca_s = _turn_roots(range_rate, grid, pair, turns, step_s)
    ok, r1c, v1c, r2c, v2c = states(turn_pair, tca_s)
    miss = np.linalg.norm(r2c - r1c, axis=1)
    keep = ok & (miss <= max_miss_km)
    results: list[list[Approach]] = [[] for _ in count]
    _append(results, turn_pair[keep], tca_s[keep], r1c[keep], v1c[keep], r2c[keep], v2c[keep], start, primary_ids,
            secondary_ids)
    # an end of the window that is closer than anything inside it is reported too
    last_row = first_row + count - 1
    for edge, inward in ((first_row, rate[first_row] >= 0), (last_row, rate[last_row] < 0)):
        at = edge[valid[edge] & inward & (distance[edge] <= max_miss_km) & ~co_located]
        at = [row for row in at.tolist() if not any(abs((a.tca - start).total_seconds() - grid[row]) < step_s[pair[row]]
                                                   for a in results[pair[row]])]
        _append(results, pair[at], grid[at], r1[at], v1[at], r2[at], v2[at], start, primary_ids, secondary_ids)
    return [sorted(found, key=lambda a: a.tca) for found in results]


def _append(results, pairs, offsets_s, r1, v1, r2, v2, start, primary_ids, secondary_ids) -> None:
    """Approaches at these rows (states of both objects) onto their pairs' lists."""
    if not len(pairs):
        return
    miss = np.linalg.norm(r2 - r1, axis=1)
    speed = np.linalg.norm(v2 - v1, axis=1)
    ric = relative_ric(r1, v1, r2)
    for k, p in enumerate(pairs.tolist()):
        results[p].append(Approach(primary_ids[p], secondary_ids[p], start + timedelta(seconds=float(offsets_s[k])),
                                   float(miss[k]), float(speed[k]), tuple(float(x) for x in ric[k])))


def _turn_roots(range_rate, grid: np.ndarray, pair: np.ndarray, turns: np.ndarray, step_s: np.ndarray):
    """(pair, offset) of the range rate's root in each turning interval of the grid, widened
    by a step on each side (within the pair's window) where the positions' own rate changes
    sign just outside the velocity-based bracket."""
    if not len(turns):
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    turn_pair = pair[turns]
    first_t = grid[np.searchsorted(pair, turn_pair, side="left")]
    last_t = grid[np.searchsorted(pair, turn_pair, side="right") - 1]
    step = step_s[turn_pair]
    low, high = np.maximum(grid[turns] - step, first_t), np.minimum(grid[turns + 1] + step, last_t)
    inner_low, inner_high = grid[turns], grid[turns + 1]
    inside = (range_rate(turn_pair, inner_low) < 0) & (range_rate(turn_pair, inner_high) >= 0)
    low, high = np.where(inside, inner_low, low), np.where(inside, inner_high, high)
    f_low, f_high = range_rate(turn_pair, low), range_rate(turn_pair, high)
    ok = (f_low < 0) & (f_high >= 0)
    roots = bracketed_roots(range_rate, low[ok], high[ok], f_low[ok], f_high[ok], tolerance_s=1e-4,
                            labels=turn_pair[ok])
    return turn_pair[ok], roots


def refine_turns(primary: Satrec, secondary: Satrec, start: datetime, grid_s: np.ndarray, turns: np.ndarray,
                 primary_id: int, secondary_id: int, max_miss_km: float) -> list[Approach]:
    """Approaches from turning intervals already found on a grid (screening's scan)."""
    motion = PairMotion(primary, secondary, *datetime_to_jd(start))
    grid_s = np.asarray(grid_s, dtype=float)
    step = float(grid_s[1] - grid_s[0]) if len(grid_s) > 1 else 60.0
    _, offsets = _turn_roots(lambda _, t: motion.range_rate(t), grid_s, np.zeros(len(grid_s), dtype=np.int64),
                             np.asarray(turns, dtype=np.int64), np.array([step]))
    if not len(offsets):
        return []
    ok, r1, v1, r2, v2 = motion.states(offsets)
    keep = ok & (np.linalg.norm(r2 - r1, axis=-1) <= max_miss_km)
    results: list[list[Approach]] = [[]]
    _append(results, np.zeros(int(keep.sum()), dtype=np.int64), offsets[keep], r1[keep], v1[keep], r2[keep], v2[keep],
            start, [primary_id], [secondary_id])
    return results[0]

"""Conjunction screening: one or more primaries against the catalog, or the catalog
against itself, for a distance threshold over a window.

1. Objects sharing one element set (modules docked to the ISS carry its elements) are
   reported once as a co-located group, and never paired with each other.
2. Apogee/perigee filter: two orbits whose radius bands, widened by the threshold and by
   a margin for SGP4's short-period radius swings, do not overlap can never come close.
3. Primaries against the catalog: the survivors are propagated together on a 300 s grid;
   in every interval where the range rate turns from closing to opening, the closest
   distance of the cubic Hermite interpolant of the relative motion (exact to within a
   bound from each orbit's perigee) must beat the threshold plus that bound.
   Catalog against itself: at every grid step a scipy cKDTree finds the pairs within the
   threshold plus the distance two objects can cover in half a step at the catalog's
   largest relative speed; a linear-motion sieve keeps those whose straight-line closest
   approach within the half step, widened by the worst curvature error, beats the threshold.
4. Every candidate is refined as the root of the pair's range rate (``closest_approach``).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable, Sequence

import numpy as np
from scipy.spatial import cKDTree
from sgp4.api import SatrecArray
from sgp4.earth_gravity import wgs72

from app import hermite
from app.catalog import Catalog
from app.closest_approach import Approach, closest_approaches, refine_turns
from app.screening_refine import refine_flagged
from app.timeutil import SECONDS_PER_DAY, datetime_to_jd

EARTH_RADIUS_KM = wgs72.radiusearthkm  # SGP4's own constants
MU_KM3_S2 = wgs72.mu
# Perigee and apogee come from mean elements; the osculating radius of an SGP4 orbit swings
# around them by J2 short-period terms (10-20 km in LEO), so the band filter is widened.
BAND_MARGIN_KM = 30.0
FORMATION_SPEED_KM_S = 0.01  # pairs that only ever pass each other slower than this fly together
SGP4_EVERY = 4  # all against all: SGP4 at every 4th grid step, Hermite interpolation between
MAX_GRAVITY_KM_S2 = 0.0098  # at the surface; relative acceleration of two objects is at most twice this
Progress = Callable[[int, int], bool | None]  # (done, total) -> True to stop


@dataclass
class ScreeningResult:
    approaches: list[Approach] = field(default_factory=list)
    co_located: list[list[int]] = field(default_factory=list)  # catalog numbers sharing one element set
    cancelled: bool = False


def co_located_groups(catalog: Catalog) -> list[np.ndarray]:
    """Rows whose element sets are identical (same epoch and elements)."""
    groups = defaultdict(list)
    for row, s in enumerate(catalog.satrecs):
        groups[(s.jdsatepoch, s.jdsatepochF, s.inclo, s.nodeo, s.ecco, s.argpo, s.mo, s.no_kozai, s.bstar)].append(row)
    return [np.array(rows) for rows in groups.values() if len(rows) > 1]


def _radius_bands(catalog: Catalog) -> tuple[np.ndarray, np.ndarray]:
    return catalog.perigee_alt_km + EARTH_RADIUS_KM, catalog.apogee_alt_km + EARTH_RADIUS_KM


def band_overlap(catalog: Catalog, row: int, threshold_km: float) -> np.ndarray:
    """Rows whose perigee-apogee radius band comes within the threshold of ``row``'s."""
    low, high = _radius_bands(catalog)
    reach = threshold_km + BAND_MARGIN_KM
    return (low <= high[row] + reach) & (high >= low[row] - reach)


def screen_primaries(catalog: Catalog, primaries: Sequence[int], start: datetime, hours: float,
                     threshold_km: float, step_s: float = 300.0, progress: Progress | None = None) -> ScreeningResult:
    """Each primary (catalog number) against every other object."""
    result = ScreeningResult()
    span_s = hours * 3600.0
    same_set = _same_set_partner(catalog)
    for done, norad_id in enumerate(primaries):
        if progress is not None and progress(done, len(primaries)):
            result.cancelled = True
            break
        row = catalog.row_of(norad_id)
        candidates = np.nonzero(band_overlap(catalog, row, threshold_km))[0]
        candidates = candidates[(candidates != row) & (same_set[candidates] != same_set[row])]
        found = _one_against_many(catalog, row, candidates, start, span_s, threshold_km, step_s,
                                  stop=None if progress is None else lambda: bool(progress(done, len(primaries))))
        if found is None:
            result.cancelled = True
            break
        result.approaches += found
    result.co_located = _co_located_ids(catalog, primaries)
    _set_apart_formations(result)
    return result


def _same_set_partner(catalog: Catalog) -> np.ndarray:
    """A group label per row: equal labels share one element set."""
    label = np.arange(len(catalog))
    for group in co_located_groups(catalog):
        label[group] = group[0]
    return label


def _co_located_ids(catalog: Catalog, primaries: Sequence[int] | None) -> list[list[int]]:
    groups = [sorted(catalog.norad_id[g].tolist()) for g in co_located_groups(catalog)]
    if primaries is None:
        return groups
    wanted = set(primaries)
    return [g for g in groups if wanted & set(g)]


def hermite_error_bound_km(catalog: Catalog, rows: np.ndarray, step_s: float) -> np.ndarray:
    """How far a cubic Hermite interpolant over ``step_s`` (positions and velocities at both
    ends) may stray from each object's SGP4 path: K (mu/r_p^3)^2 r_p step^4 / 384, the
    fourth-derivative bound of Keplerian motion at perigee, with K = 5 and at least 250 m
    (measured on LEO, GEO and 40 HEO orbits: K <= 4 wherever the error exceeds 60 m)."""
    perigee_km = catalog.perigee_alt_km[rows] + EARTH_RADIUS_KM
    fourth = (MU_KM3_S2 / perigee_km**3) ** 2 * perigee_km
    return np.maximum(5.0 * fourth * step_s**4 / 384.0, 0.25)


def _hermite_closest(p0, v0, p1, v1, step_s: float, iterations: int = 16) -> tuple[np.ndarray, np.ndarray]:
    """Closest distance of the cubic Hermite relative path over each turning interval, and
    how far that may be above the cubic's true minimum after ``iterations`` halvings."""
    s = hermite.closest_fraction(p0, v0, p1, v1, step_s, iterations)[:, None]
    distance = np.linalg.norm(hermite.interpolate(p0, v0, p1, v1, step_s, s)[0], axis=1)
    speed = np.maximum(np.linalg.norm(v0, axis=1), np.linalg.norm(v1, axis=1))
    return distance, 2.0 * speed * step_s * 0.5 ** iterations


def _one_against_many(catalog: Catalog, row: int, candidates: np.ndarray, start: datetime, span_s: float,
                      threshold_km: float, step_s: float, stop: Callable[[], bool] | None = None
                      ) -> list[Approach] | None:
    """Approaches of one primary with the candidates; None if ``stop()`` asked to stop.

    Everything is propagated on a coarse grid; in each interval where the range rate turns
    from closing to opening, the cubic Hermite interpolant of the relative motion gives the
    closest distance to within the interpolation bound of both objects, and only turns
    within the threshold plus that bound are refined with SGP4 itself."""
    if not len(candidates):
        return []
    jd0, fr0 = datetime_to_jd(start)
    grid = np.linspace(0.0, span_s, max(3, int(math.ceil(span_s / step_s)) + 1))
    step = float(grid[1] - grid[0])
    jd, fr = np.full(grid.shape, jd0), fr0 + grid / SECONDS_PER_DAY
    e1, r1, v1 = catalog.satrecs[row].sgp4_array(jd, fr)
    primary_bound = hermite_error_bound_km(catalog, np.array([row]), step)[0]
    found: list[Approach] = []
    for chunk in np.array_split(candidates, max(1, len(candidates) // 512)):
        if stop is not None and stop():
            return None
        e2, r2, v2 = SatrecArray([catalog.satrecs[k] for k in chunk]).sgp4(jd, fr)
        dr, dv = r2 - r1[None], v2 - v1[None]
        rate = np.einsum("ijk,ijk->ij", dr, dv)  # the sign of the range rate
        valid = (e2 == 0) & (e1 == 0)[None]
        turn = (rate[:, :-1] < 0) & (rate[:, 1:] >= 0) & valid[:, :-1] & valid[:, 1:]
        sec, k = np.nonzero(turn)
        if len(sec):
            closest, slack = _hermite_closest(dr[sec, k], dv[sec, k], dr[sec, k + 1], dv[sec, k + 1], step)
            bound = primary_bound + hermite_error_bound_km(catalog, chunk[sec], step) + slack
            far = closest > threshold_km + bound
            turn[sec[far], k[far]] = False
        first, last = np.linalg.norm(dr[:, 0], axis=1), np.linalg.norm(dr[:, -1], axis=1)
        edges = (valid[:, 0] & (rate[:, 0] >= 0) & (first <= threshold_km)) | (
            valid[:, -1] & (rate[:, -1] < 0) & (last <= threshold_km))
        for local in np.nonzero(turn.any(axis=1))[0]:
            secondary = int(chunk[local])
            found += refine_turns(catalog.satrecs[row], catalog.satrecs[secondary], start, grid,
                                  np.nonzero(turn[local])[0], int(catalog.norad_id[row]), int(catalog.norad_id[secondary]),
                                  threshold_km)
        for local in np.nonzero(edges & ~turn.any(axis=1))[0]:  # closest at an end of the window
            secondary = int(chunk[local])
            found += closest_approaches(catalog.satrecs[row], catalog.satrecs[secondary], start, span_s,
                                        int(catalog.norad_id[row]), int(catalog.norad_id[secondary]),
                                        step_s=step_s, max_miss_km=threshold_km)
    return found


def _linear_min(dr: np.ndarray, dv: np.ndarray, t_low: float, t_high: float) -> np.ndarray:
    """Closest distance of straight-line relative motion dr + dv t over [t_low, t_high]."""
    t = np.clip(-np.sum(dr * dv, axis=1) / np.maximum(np.sum(dv * dv, axis=1), 1e-12), t_low, t_high)
    return np.linalg.norm(dr + dv * t[:, None], axis=1)


def screen_all(catalog: Catalog, start: datetime, hours: float, threshold_km: float, step_s: float = 30.0,
               progress: Progress | None = None) -> ScreeningResult:
    """The whole catalog against itself."""
    result = ScreeningResult(co_located=_co_located_ids(catalog, None))
    span_s = hours * 3600.0
    jd0, fr0 = datetime_to_jd(start)
    label = _same_set_partner(catalog)
    low, high = _radius_bands(catalog)
    steps = np.arange(0.0, span_s + step_s, step_s)
    half = step_s / 2.0
    curvature_km = 0.5 * 2 * MAX_GRAVITY_KM_S2 * half**2
    flagged: dict[tuple[int, int], list[int]] = defaultdict(list)  # pair -> grid steps where it may close in
    # SGP4 every SGP4_EVERY steps, cubic Hermite positions and velocities in between; each
    # object's interpolation bound widens the sieve (and its velocity error over half a step)
    sampled_s = SGP4_EVERY * step_s
    stray_km = hermite_error_bound_km(catalog, np.arange(len(catalog)), sampled_s) * (1.0 + 4.0 * half / sampled_s)
    states = _HermiteStates(catalog, jd0, fr0, steps, SGP4_EVERY)
    for k, offset in enumerate(steps):
        if progress is not None and k % 20 == 0 and progress(k, len(steps)):
            result.cancelled = True
            return result
        r, v, ok = states.at(k)
        speed = np.linalg.norm(v[ok], axis=1)
        reach_km = (threshold_km + 2 * float(speed.max() if len(speed) else 0.0) * half + curvature_km
                    + 2 * float(stray_km.max() if len(stray_km) else 0.0))
        rows = np.nonzero(ok)[0]
        pairs = cKDTree(r[rows], balanced_tree=False).query_pairs(reach_km, output_type="ndarray")
        if not len(pairs):
            continue
        i, j = rows[pairs[:, 0]], rows[pairs[:, 1]]
        reach_band = threshold_km + BAND_MARGIN_KM
        keep = (label[i] != label[j]) & (low[i] <= high[j] + reach_band) & (low[j] <= high[i] + reach_band)
        i, j = i[keep], j[keep]
        # straight-line closest approach within +-half a step
        dr, dv = r[j] - r[i], v[j] - v[i]
        t_min = np.clip(-np.sum(dr * dv, axis=1) / np.maximum(np.sum(dv * dv, axis=1), 1e-12), -half, half)
        d_min = np.linalg.norm(dr + dv * t_min[:, None], axis=1)
        close = d_min <= threshold_km + curvature_km + stray_km[i] + stray_km[j]
        for a, b in zip(i[close].tolist(), j[close].tolist()):
            flagged[(min(a, b), max(a, b))].append(k)
    result.approaches = refine_flagged(catalog, flagged, start, steps, step_s, span_s, threshold_km)
    _set_apart_formations(result)
    return result


def _set_apart_formations(result: ScreeningResult) -> None:
    """Docked vehicles with element sets of their own, and close formations, pass each other
    at a few m/s every orbit: report each such pair once as co-located, not as approaches."""
    by_pair: dict[tuple[int, int], list[Approach]] = defaultdict(list)
    for approach in result.approaches:
        by_pair[(approach.primary, approach.secondary)].append(approach)
    kept = []
    for pair, approaches in by_pair.items():
        if all(a.relative_speed_km_s < FORMATION_SPEED_KM_S for a in approaches):
            if not any(set(pair) <= set(group) for group in result.co_located):
                result.co_located.append(sorted(pair))
        else:
            kept += approaches
    result.approaches = sorted(kept, key=lambda x: (x.tca, x.primary, x.secondary))


class _HermiteStates:
    """Catalog states at grid steps: SGP4 at every ``every``-th step (and the last), cubic
    Hermite interpolation of positions and velocities between."""

    def __init__(self, catalog: Catalog, jd0: float, fr0: float, steps: np.ndarray, every: int):
        self.catalog, self.jd0, self.fr0, self.steps, self.every = catalog, jd0, fr0, steps, every
        self._cache: dict[int, tuple] = {}

    def _sampled(self, k: int):
        if k not in self._cache:
            self._cache = {key: value for key, value in self._cache.items() if key >= k - self.every}
            self._cache[k] = _catalog_states(self.catalog, np.array([self.jd0]),
                                             np.array([self.fr0 + self.steps[k] / SECONDS_PER_DAY]))
        return self._cache[k]

    def at(self, k: int):
        k0 = (k // self.every) * self.every
        k1 = min(k0 + self.every, len(self.steps) - 1)
        if k == k0 or k1 == k0:
            return self._sampled(k0)
        (r0, v0, ok0), (r1, v1, ok1) = self._sampled(k0), self._sampled(k1)
        span = self.steps[k1] - self.steps[k0]
        r, v = hermite.interpolate(r0, v0, r1, v1, span, (self.steps[k] - self.steps[k0]) / span)
        return r, v, ok0 & ok1


def _catalog_states(catalog: Catalog, jd: np.ndarray, fr: np.ndarray):
    n = len(catalog)
    r, v, ok = np.empty((n, 3)), np.empty((n, 3)), np.empty(n, dtype=bool)
    for chunk in catalog.chunks:
        e, rc, vc = chunk.array.sgp4(jd, fr)
        r[chunk.start:chunk.stop], v[chunk.start:chunk.stop] = rc[:, 0], vc[:, 0]
        ok[chunk.start:chunk.stop] = e[:, 0] == 0
    return r, v, ok

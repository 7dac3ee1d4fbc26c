"""Refinement of the pairs the all-against-all sieve flagged, many pairs at once.

A pair flagged at one to three consecutive grid steps is a fast encounter. All such pairs
whose run is centred on the same step are refined together: every object involved is
propagated by one ``SatrecArray`` call on a 2-second grid around that step; each local
minimum of a pair's range on that grid is located inside its interval as the root of
p . p' of the cubic Hermite interpolant of the relative motion (sub-millimetre over two
seconds), then the state at that TCA is evaluated with SGP4 itself. Slow encounters (relative
speed under 100 m/s, or runs of more steps: formations, GEO neighbours) and runs touching
the ends of the screening window go through the exact pairwise search instead
(``closest_approach``: roots of the range rate of the SGP4 positions)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

import numpy as np
from sgp4.api import SatrecArray

from app import hermite
from app.catalog import Catalog
from app.closest_approach import Approach, closest_approaches
from app.relative_motion import relative_ric
from app.timeutil import SECONDS_PER_DAY, datetime_to_jd

SLOW_KM_S = 0.1
SAMPLE_S = 2.0  # the batch grid; the Hermite cubic over 2 s is exact to well under a millimetre
LONGEST_FAST_RUN = 3  # steps


def refine_flagged(catalog: Catalog, flagged: dict[tuple[int, int], list[int]], start: datetime, steps: np.ndarray,
                   step_s: float, span_s: float, threshold_km: float) -> list[Approach]:
    by_centre: dict[int, list[tuple[int, int, float, float]]] = defaultdict(list)
    exact: list[tuple[int, int, float, float]] = []
    for (a, b), flagged_steps in flagged.items():
        runs = np.split(np.asarray(flagged_steps), np.nonzero(np.diff(flagged_steps) > 1)[0] + 1)
        for run in runs:
            low = max(0.0, float(steps[run[0]]) - 1.5 * step_s)
            high = min(span_s, float(steps[run[-1]]) + 1.5 * step_s)
            window = (a, b, low, high)
            at_edge = low <= 0.0 or high >= span_s
            if len(run) > LONGEST_FAST_RUN or at_edge:
                exact.append(window)
            else:
                by_centre[int(run[len(run) // 2])].append(window)
    found: list[Approach] = []
    jd0, fr0 = datetime_to_jd(start)
    for centre, windows in sorted(by_centre.items()):
        fast, slow = _refine_together(catalog, windows, float(steps[centre]), 2.5 * step_s, jd0, fr0, start,
                                      threshold_km)
        found += fast
        exact += slow
    for a, b, low, high in exact:
        found += _refine_one(catalog, a, b, start, low, high, step_s, span_s, threshold_km)
    unique = {}
    for approach in found:  # neighbouring windows may meet the same approach
        unique.setdefault((approach.primary, approach.secondary, round((approach.tca - start).total_seconds())),
                          approach)
    return list(unique.values())


def _refine_together(catalog: Catalog, windows, centre_s: float, half_s: float, jd0: float, fr0: float,
                     start: datetime, threshold_km: float):
    """(approaches, windows to refine exactly instead) for the windows around one grid step."""
    a = np.array([w[0] for w in windows])
    b = np.array([w[1] for w in windows])
    objects, inverse = np.unique(np.concatenate([a, b]), return_inverse=True)
    ia, ib = inverse[:len(a)], inverse[len(a):]
    offsets = np.arange(centre_s - half_s, centre_s + half_s + SAMPLE_S / 2, SAMPLE_S)
    jd, fr = np.full(offsets.shape, jd0), fr0 + offsets / SECONDS_PER_DAY
    error, r, v = SatrecArray([catalog.satrecs[k] for k in objects]).sgp4(jd, fr)
    dr, dv = r[ib] - r[ia], v[ib] - v[ia]  # (pairs, times, 3)
    distance = np.linalg.norm(dr, axis=2)
    valid = (error[ia] == 0) & (error[ib] == 0)
    distance = np.where(valid, distance, np.inf)
    interior = (distance[:, 1:-1] <= distance[:, :-2]) & (distance[:, 1:-1] <= distance[:, 2:])
    pair, m = np.nonzero(interior)
    m = m + 1
    lows = np.array([windows[p][2] for p in pair])
    highs = np.array([windows[p][3] for p in pair])
    # between samples a pair passing at speed v may come v * SAMPLE_S / 2 closer than the nearest one
    speed = np.linalg.norm(dv[pair, m], axis=1)
    keep = (distance[pair, m] <= threshold_km + 0.5 * SAMPLE_S * speed + 0.01) & (
        offsets[m] >= lows - SAMPLE_S) & (offsets[m] <= highs + SAMPLE_S)
    pair, m = pair[keep], m[keep]
    closing = np.einsum("ij,ij->i", dr[pair, m], dv[pair, m]) < 0
    first = np.where(closing, m, m - 1)  # the 1 s interval holding the minimum
    s = hermite.closest_fraction(dr[pair, first], dv[pair, first], dr[pair, first + 1], dv[pair, first + 1],
                                 SAMPLE_S, iterations=24)
    tca_s = offsets[first] + SAMPLE_S * s
    approaches, slow = [], set()
    for p, t in zip(pair.tolist(), tca_s.tolist()):
        k_a, k_b = int(a[p]), int(b[p])
        _, r1, v1 = catalog.satrecs[k_a].sgp4(jd0, fr0 + t / SECONDS_PER_DAY)
        _, r2, v2 = catalog.satrecs[k_b].sgp4(jd0, fr0 + t / SECONDS_PER_DAY)
        r1, v1, r2, v2 = np.array(r1), np.array(v1), np.array(r2), np.array(v2)
        speed = float(np.linalg.norm(v2 - v1))
        if speed < SLOW_KM_S:
            slow.add(p)
            continue
        miss = float(np.linalg.norm(r2 - r1))
        if miss <= threshold_km and windows[p][2] <= t <= windows[p][3]:
            approaches.append(Approach(int(catalog.norad_id[k_a]), int(catalog.norad_id[k_b]),
                                       start + timedelta(seconds=t), miss, speed,
                                       tuple(float(x) for x in relative_ric(r1, v1, r2))))
    return approaches, [windows[p] for p in sorted(slow)]


def _refine_one(catalog: Catalog, a: int, b: int, start: datetime, low: float, high: float, step_s: float,
                span_s: float, threshold_km: float) -> list[Approach]:
    """The exact pairwise search over one window; a minimum at a window's end counts only
    where that end is the screening window's."""
    found = []
    for approach in closest_approaches(catalog.satrecs[a], catalog.satrecs[b], start + timedelta(seconds=low),
                                       high - low, int(catalog.norad_id[a]), int(catalog.norad_id[b]),
                                       step_s=min(step_s / 4, 10.0), max_miss_km=threshold_km):
        offset = (approach.tca - start).total_seconds()
        if low + 1e-3 < offset < high - 1e-3 or offset <= 1e-3 or offset >= span_s - 1e-3:
            found.append(approach)
    return found

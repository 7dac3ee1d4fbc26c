"""Refinement of the pairs the all-against-all sieve flagged, all at once.

A pair flagged at consecutive grid steps k1..k2 is one run; its closest approach lies
within half a step of one of them. Fast runs (one to three steps) are refined together:
both objects' SGP4 states at the steps k1-1..k2+1 (each object at each step evaluated
once); in each step interval where the range rate turns from closing
to opening, the TCA is the root of p . p' of the cubic Hermite interpolant of the
relative motion (over a 20 s step it stays within centimetres of SGP4's path in LEO), and
the miss distance, speed and RIC position come from SGP4 itself at that TCA. Slow
encounters (relative speed under 100 m/s), longer runs (formations, GEO neighbours) and
runs touching the ends of the screening window go through the exact pairwise search
(``closest_approach``: roots of the range rate of the SGP4 positions), many runs at once
(``closest_approaches_many``: one compiled SGP4 call per object at each step of the search,
not one per pair).

The fast runs go in batches of ``FAST_BATCH`` (a batch's states take about 200 bytes a run:
a synthetic 100,000-object day flags millions), the states of each batch grouped by object
(one compiled SGP4 call per object: ``sgp4_rows``).

Progress runs to ``PROGRESS_TOTAL``: the fast runs take it to a half, the exact searches the
rest."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np

from app.astro import hermite
from app.astro.ephemeris_satrec import sgp4_rows
from app.astro.relative_motion import relative_ric
from app.astro.timeutil import SECONDS_PER_DAY, datetime_to_jd
from app.catalog import Catalog
from app.common.progress import Progress
from app.conjunction.closest_approach import Approach, closest_approaches_many

SLOW_KM_S = 0.1
LONGEST_FAST_RUN = 3  # steps
FAST_BATCH = 500_000  # fast runs refined together
EXACT_BATCH_ROWS = 200_000  # grid points of the exact searches done together
PROGRESS_TOTAL = 1000


def refine_flagged(catalog: Catalog, flagged: np.ndarray, start: datetime, steps: np.ndarray,
                   threshold_km: float, progress: Progress | None = None) -> list[Approach]:
    """Approaches within the threshold among the sieve's rows (step, i, j). ``progress``
    hears ``(done, PROGRESS_TOTAL)`` now and then and ``(PROGRESS_TOTAL, PROGRESS_TOTAL)``
    at the end; once it is cancelled its next report raises
    :class:`~app.common.progress.Cancelled`."""
    progress = progress if progress is not None else Progress()
    if not len(flagged):
        progress.report(PROGRESS_TOTAL, PROGRESS_TOTAL)
        return []
    a, b, first, last = _runs(flagged)
    step_s, span_s = float(steps[1] - steps[0]), float(steps[-1])
    exact = (last - first + 1 > LONGEST_FAST_RUN) | (first == 0) | (last == len(steps) - 1)
    fast = np.nonzero(~exact)[0]
    found, slow = [], []
    batches = range(0, len(fast), FAST_BATCH)
    for k, at in enumerate(batches):
        batch = fast[at:at + FAST_BATCH]
        found_here, slow_here = _refine_fast(catalog, a[batch], b[batch], first[batch], last[batch], start, steps,
                                             threshold_km, progress.scaled(PROGRESS_TOTAL // 2 * k // len(batches),
                                                                           PROGRESS_TOTAL // 2 * (k + 1) // len(batches),
                                                                           PROGRESS_TOTAL))
        found += found_here
        slow.append(batch[slow_here])
    searched = np.concatenate([np.nonzero(exact)[0]] + slow)
    found += _search_exactly(catalog, a[searched], b[searched], steps[first[searched]] - 1.5 * step_s,
                             steps[last[searched]] + 1.5 * step_s, start, step_s, span_s, threshold_km,
                             progress.scaled(PROGRESS_TOTAL // 2, PROGRESS_TOTAL, PROGRESS_TOTAL))
    unique = {}
    for approach in found:  # neighbouring runs may meet the same approach
        unique.setdefault((approach.primary, approach.secondary, round((approach.tca - start).total_seconds())),
                          approach)
    progress.report(PROGRESS_TOTAL, PROGRESS_TOTAL)
    return list(unique.values())


def _runs(flagged: np.ndarray):
    """(i, j, first step, last step) of each run of consecutive steps a pair was flagged at."""
    rows = flagged[np.lexsort((flagged[:, 0], flagged[:, 2], flagged[:, 1]))]
    step, i, j = rows[:, 0], rows[:, 1], rows[:, 2]
    begins = np.ones(len(rows), dtype=bool)
    begins[1:] = (i[1:] != i[:-1]) | (j[1:] != j[:-1]) | (step[1:] - step[:-1] > 1)
    starts = np.nonzero(begins)[0]
    ends = np.append(starts[1:], len(rows)) - 1
    return (i[starts].astype(np.int64), j[starts].astype(np.int64), step[starts].astype(np.int64),
            step[ends].astype(np.int64))


def _refine_fast(catalog: Catalog, a, b, first, last, start: datetime, steps: np.ndarray, threshold_km: float,
                 progress: Progress):
    """(approaches, indices of the runs to search exactly because they pass slowly);
    ``progress`` (out of ``PROGRESS_TOTAL``) hears the states at the grid steps as its first
    half, SGP4 at the TCAs as its second."""
    if not len(a):
        return [], np.zeros(0, dtype=int)
    points = last - first + 3  # states at first-1 .. last+1
    run = np.repeat(np.arange(len(a)), points)
    step = np.arange(len(run)) - np.repeat(np.cumsum(points) - points - first + 1, points)
    jd0, fr0 = datetime_to_jd(start)
    ok, r, v = _states_at(catalog, step, a[run], b[run], steps, jd0, fr0,
                          progress.scaled(0, PROGRESS_TOTAL // 2, PROGRESS_TOTAL))
    dr, dv = r[:, 1] - r[:, 0], v[:, 1] - v[:, 0]
    rate = np.einsum("ij,ij->i", dr, dv)
    # intervals (p, p + 1) within one run where the pair turns from closing to opening
    p = np.nonzero((run[:-1] == run[1:]) & ok[:-1] & ok[1:] & (rate[:-1] < 0) & (rate[1:] >= 0))[0]
    step_s = float(steps[1] - steps[0])
    fraction = hermite.closest_fraction(dr[p], dv[p], dr[p + 1], dv[p + 1], step_s, iterations=24)
    tca_s = steps[step[p]] + step_s * fraction
    which = run[p]
    tca_progress = progress.scaled(PROGRESS_TOTAL // 2, PROGRESS_TOTAL, PROGRESS_TOTAL)
    tca_fr = fr0 + tca_s / SECONDS_PER_DAY
    _, r1, v1 = sgp4_rows(catalog.satrecs, a[which], jd0, tca_fr,
                          lambda done, total: tca_progress.report(done, 2 * total))
    _, r2, v2 = sgp4_rows(catalog.satrecs, b[which], jd0, tca_fr,
                          lambda done, total: tca_progress.report(total + done, 2 * total))
    miss = np.linalg.norm(r2 - r1, axis=1)
    speed = np.linalg.norm(v2 - v1, axis=1)
    is_slow = speed < SLOW_KM_S
    keep = np.nonzero(~is_slow & (miss <= threshold_km))[0]
    ric = relative_ric(r1[keep], v1[keep], r2[keep])
    ids = catalog.norad_id
    primary, secondary = ids[a[which[keep]]].tolist(), ids[b[which[keep]]].tolist()
    tca = [start + timedelta(seconds=t) for t in tca_s[keep].tolist()]
    approaches = [Approach(*fields) for fields in zip(primary, secondary, tca, miss[keep].tolist(),
                                                     speed[keep].tolist(), map(tuple, ric.tolist()))]
    return approaches, np.unique(which[is_slow])


def _states_at(catalog: Catalog, step: np.ndarray, a: np.ndarray, b: np.ndarray, steps: np.ndarray,
               jd0: float, fr0: float, progress: Progress):
    """SGP4 states of objects a and b at grid steps ``step`` (one row each): ok (m,),
    positions and velocities (m, 2, 3); each (step, object) evaluated once."""
    wanted = np.concatenate([a * len(steps) + step, b * len(steps) + step])  # grouped by object
    keys, inverse = np.unique(wanted, return_inverse=True)
    key_object, key_step = keys // len(steps), keys % len(steps)
    error, r_all, v_all = sgp4_rows(catalog.satrecs, key_object, jd0, fr0 + steps[key_step] / SECONDS_PER_DAY,
                                    progress.report)
    ok_all = error == 0
    ia, ib = inverse[:len(step)], inverse[len(step):]
    return ok_all[ia] & ok_all[ib], np.stack([r_all[ia], r_all[ib]], axis=1), np.stack([v_all[ia], v_all[ib]], axis=1)


def _search_exactly(catalog: Catalog, a: np.ndarray, b: np.ndarray, low: np.ndarray, high: np.ndarray,
                    start: datetime, step_s: float, span_s: float, threshold_km: float,
                    progress: Progress) -> list[Approach]:
    """The exact pairwise search of each run's window [low, high] (cut to the screening
    window), ``EXACT_BATCH_ROWS`` grid points of many runs at a time; a minimum at a
    window's end counts only where that end is the screening window's."""
    low, high = np.maximum(low, 0.0), np.minimum(high, span_s)
    scan_s = min(step_s / 4, 10.0)
    rows = np.ceil((high - low) / scan_s) + 1
    batch = np.cumsum(rows) // EXACT_BATCH_ROWS  # runs in batches of about that many grid points
    found = []
    ids = catalog.norad_id
    for k, number in enumerate(np.unique(batch).tolist()):
        progress.report(k, int(batch[-1]) + 1)
        runs = np.nonzero(batch == number)[0]
        each = closest_approaches_many(catalog.satrecs, a[runs], b[runs], start, low[runs], high[runs], scan_s,
                                       ids[a[runs]].tolist(), ids[b[runs]].tolist(), max_miss_km=threshold_km)
        for run, approaches in zip(runs.tolist(), each):
            for approach in approaches:
                offset = (approach.tca - start).total_seconds()
                if (low[run] + 1e-3 < offset < high[run] - 1e-3 or offset <= 1e-3
                        or offset >= span_s - 1e-3):
                    found.append(approach)
    return found

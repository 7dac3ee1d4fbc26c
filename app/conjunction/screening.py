"""Conjunction screening: one or more primaries against the catalog, or the catalog
against itself, for a distance threshold over a window.

1. Objects sharing one element set (modules docked to the ISS carry its elements) are
   reported once as a co-located group, and never paired with each other.
2. Apogee/perigee filter: two orbits whose radius bands, widened by the threshold and by
   a margin for SGP4's short-period radius swings, do not overlap can never come close
   (bands from the propagated states where an old element set has left its mean band).
3. Primaries against the catalog: near-Earth candidates are looked at only while the
   primary crosses their orbit plane (``plane_crossings``); the others (deep space,
   ephemeris objects, nearly coplanar) are propagated together on a 300 s grid;
   in every interval where the range rate turns from closing to opening, the closest
   distance of the cubic Hermite interpolant of the relative motion (exact to within a
   bound from each orbit's osculating perigee) must beat the threshold plus that bound.
   Catalog against itself: at every 20 s step a grid of cubes (``sieve``,
   ``grid``) finds the pairs whose straight-line relative motion within half a
   step either side, widened by the path's curvature and each object's interpolation
   bound, beats the threshold.
4. Every candidate is refined as the root of the pair's range rate (``closest_approach``,
   ``refine``).

Both screenings report through a :class:`~app.common.progress.Progress` and, once it is
cancelled, stop with :class:`~app.common.progress.Cancelled` (no partial result).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Sequence

import numpy as np

from app.astro import hermite
from app.astro.constants import WGS72_EARTH_RADIUS_KM
from app.astro.ephemeris_satrec import sgp4_many
from app.astro.osculating import apsides
from app.astro.timeutil import SECONDS_PER_DAY, datetime_to_jd
from app.catalog import Catalog
from app.common.progress import Progress
from app.conjunction.closest_approach import Approach, closest_approaches, refine_turns
from app.conjunction.plane_crossings import screen_by_crossings
from app.conjunction.refine import refine_flagged
from app.conjunction.sieve import (MAX_GRAVITY_KM_S2, SHORT_PERIOD_MARGIN_KM, catalog_states, interpolation_bound_km,
                                   sieve_catalog)

# Perigee and apogee come from mean elements; the osculating radius of an SGP4 orbit swings
# around them by J2 short-period terms (10-20 km in LEO), so the band filter is widened.
BAND_MARGIN_KM = SHORT_PERIOD_MARGIN_KM
FORMATION_SPEED_KM_S = 0.01  # pairs that only ever pass each other slower than this fly together
SIEVE_SHARE = 80  # of 100: screen_all's progress through the sieve; the refinement takes the rest


@dataclass
class ScreeningResult:
    approaches: list[Approach] = field(default_factory=list)
    co_located: list[list[int]] = field(default_factory=list)  # catalog numbers sharing one element set


def co_located_groups(catalog: Catalog) -> list[np.ndarray]:
    """Rows whose element sets are identical (same epoch and elements)."""
    groups = defaultdict(list)
    for row, s in enumerate(catalog.satrecs):
        groups[(s.jdsatepoch, s.jdsatepochF, s.inclo, s.nodeo, s.ecco, s.argpo, s.mo, s.no_kozai, s.bstar)].append(row)
    return [np.array(rows) for rows in groups.values() if len(rows) > 1]


def radius_bands(catalog: Catalog, start: datetime | None = None, hours: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Perigee and apogee radius (km) of each object from its mean elements; given a window,
    where the osculating orbit at its start or its end leaves that band by more than
    ``BAND_MARGIN_KM`` (an old element set of a decaying object: its mean perigee is far
    above where SGP4 puts it now), the osculating radius instead. Decay only lowers both,
    so in between the ends bound them."""
    low, high = catalog.perigee_alt_km + WGS72_EARTH_RADIUS_KM, catalog.apogee_alt_km + WGS72_EARTH_RADIUS_KM
    if start is None:
        return low, high
    jd0, fr0 = datetime_to_jd(start)
    for offset_h in (0.0, hours):
        r, v, ok = catalog_states(catalog, jd0, fr0 + offset_h / 24.0)
        perigee, apogee, _ = apsides(r, v)
        low = np.where(ok & (perigee < low - BAND_MARGIN_KM), perigee, low)
        high = np.where(ok & (apogee > high + BAND_MARGIN_KM), apogee, high)
    return low, high


def band_overlap(bands: tuple[np.ndarray, np.ndarray], row: int, threshold_km: float) -> np.ndarray:
    """Rows whose radius band (``radius_bands``) comes within the threshold of ``row``'s."""
    low, high = bands
    reach = threshold_km + BAND_MARGIN_KM
    return (low <= high[row] + reach) & (high >= low[row] - reach)


def screen_primaries(catalog: Catalog, primaries: Sequence[int], start: datetime, hours: float,
                     threshold_km: float, step_s: float = 300.0, progress: Progress | None = None) -> ScreeningResult:
    """Each primary (catalog number) against every other object. ``progress`` hears
    ``(primaries done, primaries)`` before each primary and at the end; once it is
    cancelled the screening stops within one chunk of candidates with
    :class:`~app.common.progress.Cancelled`."""
    progress = progress if progress is not None else Progress()
    result = ScreeningResult()
    span_s = hours * 3600.0
    groups = co_located_groups(catalog)
    same_set = _same_set_partner(catalog, groups)
    bands = radius_bands(catalog, start, hours)
    for done, norad_id in enumerate(primaries):
        progress.report(done, len(primaries))
        row = catalog.row_of(norad_id)
        candidates = np.nonzero(band_overlap(bands, row, threshold_km))[0]
        candidates = candidates[(candidates != row) & (same_set[candidates] != same_set[row])]
        found, rest = screen_by_crossings(catalog, row, candidates, start, span_s, threshold_km, progress)
        result.approaches += found + _one_against_many(catalog, row, rest, start, span_s, threshold_km, step_s,
                                                       progress)
    progress.report(len(primaries), len(primaries))
    result.co_located = _co_located_ids(catalog, groups, primaries)
    _set_apart_formations(result)
    return result


def _same_set_partner(catalog: Catalog, groups: list[np.ndarray]) -> np.ndarray:
    """A group label per row: equal labels share one element set."""
    label = np.arange(len(catalog))
    for group in groups:
        label[group] = group[0]
    return label


def _co_located_ids(catalog: Catalog, groups: list[np.ndarray], primaries: Sequence[int] | None) -> list[list[int]]:
    groups = [sorted(catalog.norad_id[g].tolist()) for g in groups]
    if primaries is None:
        return groups
    wanted = set(primaries)
    return [g for g in groups if wanted & set(g)]


def _hermite_closest(p0, v0, p1, v1, step_s: float, iterations: int = 16) -> tuple[np.ndarray, np.ndarray]:
    """Closest distance of the cubic Hermite relative path over each turning interval, and
    how far that may be above the cubic's true minimum after ``iterations`` halvings."""
    s = hermite.closest_fraction(p0, v0, p1, v1, step_s, iterations)[:, None]
    distance = np.linalg.norm(hermite.interpolate(p0, v0, p1, v1, step_s, s)[0], axis=1)
    speed = np.maximum(np.linalg.norm(v0, axis=1), np.linalg.norm(v1, axis=1))
    return distance, 2.0 * speed * step_s * 0.5 ** iterations


def _one_against_many(catalog: Catalog, row: int, candidates: np.ndarray, start: datetime, span_s: float,
                      threshold_km: float, step_s: float, progress: Progress | None = None
                      ) -> list[Approach]:
    """Approaches of one primary with the candidates; raises :class:`~app.common.progress.Cancelled`
    before the next chunk of candidates once ``progress`` is cancelled (it only checks).

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
    primary_perigee = apsides(r1, v1)[0]  # osculating: an old element set's mean perigee may be far off
    primary_bound = interpolation_bound_km(np.minimum(primary_perigee[:-1], primary_perigee[1:]), step)
    found: list[Approach] = []
    for chunk in np.array_split(candidates, max(1, len(candidates) // 512)):
        if progress is not None:
            progress.check()
        e2, r2, v2 = sgp4_many([catalog.satrecs[k] for k in chunk], jd, fr)
        dr, dv = r2 - r1[None], v2 - v1[None]
        rate = np.einsum("ijk,ijk->ij", dr, dv)  # the sign of the range rate
        valid = (e2 == 0) & (e1 == 0)[None]
        turn = (rate[:, :-1] < 0) & (rate[:, 1:] >= 0) & valid[:, :-1] & valid[:, 1:]
        sec, k = np.nonzero(turn)
        if len(sec):
            # the pair is never closer than (d0 + d1 - step v_max) / 2 in the interval, v_max its
            # largest relative speed there: most turns are far apart and skip the Hermite test
            distance = np.linalg.norm(dr[sec, k], axis=1) + np.linalg.norm(dr[sec, k + 1], axis=1)
            speed = np.maximum(np.linalg.norm(dv[sec, k], axis=1), np.linalg.norm(dv[sec, k + 1], axis=1))
            near = 0.5 * (distance - step * (speed + 2 * MAX_GRAVITY_KM_S2 * step)) <= threshold_km
            turn[sec[~near], k[~near]] = False
            sec, k = sec[near], k[near]
        if len(sec):
            closest, slack = _hermite_closest(dr[sec, k], dv[sec, k], dr[sec, k + 1], dv[sec, k + 1], step)
            secondary_perigee = np.minimum(apsides(r2[sec, k], v2[sec, k])[0], apsides(r2[sec, k + 1], v2[sec, k + 1])[0])
            bound = primary_bound[k] + interpolation_bound_km(secondary_perigee, step) + slack
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


def screen_all(catalog: Catalog, start: datetime, hours: float, threshold_km: float, step_s: float = 20.0,
               sample_every: int = 36, progress: Progress | None = None, workers: int = 2) -> ScreeningResult:
    """The whole catalog against itself: the sieve (``sieve``) at every grid step
    of ``step_s``, with SGP4 at every ``sample_every``-th step and Hermite states between
    (the bounds are measured for 720 s blocks: 36 steps of 20 s), on ``workers`` threads;
    then every flagged pair refined (``refine``).
    ``progress`` runs to 100: the sieve takes it to ``SIEVE_SHARE``, the refinement the rest,
    ending at (100, 100). Once it is cancelled the sieve's workers stop and are joined, and
    :class:`~app.common.progress.Cancelled` is raised (no partial result)."""
    progress = progress if progress is not None else Progress()
    groups = co_located_groups(catalog)
    result = ScreeningResult(co_located=_co_located_ids(catalog, groups, None))
    span_s = hours * 3600.0
    steps = np.linspace(0.0, span_s, max(2, int(math.ceil(span_s / step_s)) + 1))
    flagged = sieve_catalog(catalog, _same_set_partner(catalog, groups), start, steps, sample_every, threshold_km,
                            progress.scaled(0, SIEVE_SHARE), workers)
    result.approaches = refine_flagged(catalog, flagged, start, steps, threshold_km, progress.scaled(SIEVE_SHARE, 100))
    _set_apart_formations(result)
    return result


def _set_apart_formations(result: ScreeningResult) -> None:
    """Docked vehicles with element sets of their own, and close formations, pass each other
    at a few m/s every orbit: report each such pair once as co-located, not as approaches.
    The rest are sorted by TCA, then catalog numbers (as columns: a synthetic 100k day has
    millions)."""
    approaches = result.approaches
    if not approaches:
        return
    n = len(approaches)
    primary = np.fromiter((a.primary for a in approaches), np.int64, n)
    secondary = np.fromiter((a.secondary for a in approaches), np.int64, n)
    fast = np.fromiter((a.relative_speed_km_s >= FORMATION_SPEED_KM_S for a in approaches), bool, n)
    first_tca = min(a.tca for a in approaches)
    tca_s = np.fromiter(((a.tca - first_tca).total_seconds() for a in approaches), float, n)
    _, first, pair = np.unique(primary * 2**32 + secondary, return_index=True, return_inverse=True)
    formation = np.bincount(pair, fast) == 0  # per pair: never faster than a formation's drift
    for k in np.nonzero(formation)[0][np.argsort(first[formation], kind="stable")].tolist():
        members = {int(primary[first[k]]), int(secondary[first[k]])}
        if not any(members <= set(group) for group in result.co_located):
            result.co_located.append(sorted(members))
    kept = np.nonzero(~formation[pair])[0]
    kept = kept[np.lexsort((secondary[kept], primary[kept], tca_s[kept]))]
    result.approaches = [approaches[i] for i in kept.tolist()]

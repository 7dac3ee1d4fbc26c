"""One primary against many, the time filter: a candidate can only pass within the
threshold of the primary while the primary is within that distance of the candidate's
orbit plane (|r_P . n_S| = |(r_P - r_S) . n_S| <= |r_P - r_S|, n_S the unit normal of the
plane the candidate's position lies in). A primary crosses a plane twice an orbit, for a
few seconds each time, so the candidate's SGP4 is needed at those crossings only (about
200 states a week instead of 2,000 on the 300 s grid), which is what makes a primary in a
dense shell (HST among the Starlinks: about 9,700 candidates) quick.

- The plane a near-Earth SGP4 object's position lies in is its osculating plane
  (inclination and node after SGP4's short-period terms). The mean plane is exact and
  cheap: the element set's inclination, and the node nodeo + nodedot t + nodecf t^2 (read
  off SGP4's own mean node at the window's ends; sgp4 does not expose nodecf). The
  short-period terms tilt the osculating normal from it by 1.5 k |cos i sin i| <= 0.75 k,
  k = J2 / (2 p^2) (p the semi-latus rectum in Earth radii; sgp4's ``xnode``/``xinc``
  terms), ``TILT_SAFETY`` times that is allowed for.
- The primary (any object, ephemeris included) is propagated every half fine step; the
  kernel (``crossing_kernel``) finds the fine intervals where it may be within the
  threshold plus the tilt of the candidate's mean plane, with the curvature of the
  primary's distance from the plane (its acceleration, at most ``MAX_ACCELERATION_KM_S2``,
  and the plane's turning) bounded over coarse and fine steps.
- Runs of such intervals are cut (in the kernel) into pieces of at most ``LONGEST_PIECE`` fine steps; at
  each piece's middle both objects' SGP4 states give the straight-line closest approach
  over the piece, which the true relative path misses by at most half their largest
  relative acceleration times the half-width squared; pieces beyond the threshold by
  more than that are dropped; the rest go to the exact pairwise search over the piece.

Deep-space (SDP4) and ephemeris candidates, candidates whose SGP4 fails at the window's
ends, and those nearly coplanar with the primary (so many pieces that the 300 s grid is
cheaper) are left to the caller's grid search; so is every candidate when the primary has
no state somewhere in the window.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from sgp4.api import Satrec

from app.astro.ephemeris_satrec import sgp4_rows
from app.astro.timeutil import SECONDS_PER_DAY, datetime_to_jd
from app.catalog import Catalog
from app.common.progress import Progress
from app.conjunction.closest_approach import Approach, closest_approaches_many

COARSE_S = 300.0
FINE_S = 20.0
LONGEST_PIECE = 3  # fine steps judged from one SGP4 state of the candidate
MAX_ACCELERATION_KM_S2 = 0.0099  # gravity at the surface with J2 (0.00980), and drag
TILT_SAFETY = 1.25
MOST_PIECES = 600  # a candidate with more pieces (nearly coplanar) is cheaper on the 300 s grid


@dataclass(frozen=True)
class MeanPlanes:
    """Each candidate's mean orbit plane over the window: node(t) = node0 + rate t + quad t^2
    (rad, t in s from the window's start), its inclination, and how far (rad) its
    osculating normal may tilt from the mean one."""
    rows: np.ndarray
    inclination: np.ndarray
    node0: np.ndarray
    node_rate: np.ndarray
    node_quad: np.ndarray
    tilt: np.ndarray


def mean_planes(satrecs, rows: np.ndarray, jd0: float, fr0: float, span_s: float) -> MeanPlanes:
    """The mean planes of the near-Earth SGP4 objects among ``rows`` whose SGP4 answers at
    both ends of the window (the others are left out)."""
    kept, inclination, node0, rate, quad, tilt = [], [], [], [], [], []
    for row in rows:
        satrec = satrecs[row]
        if type(satrec) is not Satrec or satrec.method != "n":
            continue
        ends = [_mean_elements_at(satrec, jd0, fr0 + offset_s / SECONDS_PER_DAY) for offset_s in (0.0, span_s)]
        if None in ends:
            continue
        # sgp4's mean node is nodeo + nodedot t + nodecf t^2 (t in minutes since epoch),
        # reduced to +-2 pi: nodecf from whichever end lies further from the epoch
        t_far, node_far = max(((t, om) for t, om, _, _ in ends), key=lambda e: abs(e[0]))
        residual = (node_far - satrec.nodeo - satrec.nodedot * t_far + math.pi) % (2 * math.pi) - math.pi
        nodecf = residual / t_far**2 if abs(t_far) > 1.0 else 0.0
        t0 = ends[0][0]
        kept.append(row)
        inclination.append(satrec.inclo)
        node0.append(satrec.nodeo + satrec.nodedot * t0 + nodecf * t0**2)
        rate.append((satrec.nodedot + 2.0 * nodecf * t0) / 60.0)
        quad.append(nodecf / 3600.0)
        # the long-period terms add at most ~2e-3 to the eccentricity sgp4 reports
        semi_latus = min(am for _, _, am, _ in ends) * (1.0 - min(0.999, max(em for _, _, _, em in ends) + 0.002) ** 2)
        k = 0.5 * satrec.j2 / semi_latus**2
        tilt.append(TILT_SAFETY * (0.75 * k + (1.5 * k) ** 2))
    return MeanPlanes(np.array(kept, dtype=np.int64), *(np.array(values, dtype=float)
                                                         for values in (inclination, node0, rate, quad, tilt)))


def _mean_elements_at(satrec: Satrec, jd: float, fr: float):
    """(minutes since epoch, mean node, mean semi-major axis, mean eccentricity) of SGP4's
    mean elements at one time, or None where SGP4 fails. sgp4 leaves them in the satrec
    after a call; another thread (the console's engine) may propagate the same satrec
    between that call and these reads, so they count only if the satrec's own time is ours
    before and after them."""
    for _ in range(10):
        if satrec.sgp4(jd, fr)[0] != 0:
            return None
        minutes = satrec.t
        elements = (minutes, satrec.Om, satrec.am, satrec.em)
        if satrec.t == minutes and abs(minutes - ((jd - satrec.jdsatepoch) + (fr - satrec.jdsatepochF)) * 1440.0) < 1e-6:
            return elements
    return None


def mean_normal(planes: MeanPlanes, t_s: np.ndarray) -> np.ndarray:
    """Unit normals of the mean planes at ``t_s`` (s from the window's start): (candidates, times, 3)."""
    node = planes.node0[:, None] + planes.node_rate[:, None] * t_s + planes.node_quad[:, None] * t_s**2
    sin_i = np.sin(planes.inclination)[:, None]
    return np.stack([sin_i * np.sin(node), -sin_i * np.cos(node),
                     np.broadcast_to(np.cos(planes.inclination)[:, None], node.shape)], axis=-1)


def screen_by_crossings(catalog: Catalog, row: int, candidates: np.ndarray, start: datetime, span_s: float,
                        threshold_km: float, progress: Progress | None = None) -> tuple[list[Approach], np.ndarray]:
    """Approaches of the primary at ``row`` with those ``candidates`` the time filter takes,
    and the candidates it leaves to the grid search (see the module's words)."""
    from app.conjunction import crossing_kernel

    progress = progress if progress is not None else Progress()
    primary = catalog.satrecs[row]
    jd0, fr0 = datetime_to_jd(start)
    fine_per_coarse = int(round(COARSE_S / FINE_S))
    coarse_steps = max(1, int(math.ceil(span_s / COARSE_S)))
    half_s = 0.5 * FINE_S * np.arange(2 * fine_per_coarse * coarse_steps + 1)
    error, r_half, v_half = primary.sgp4_array(np.full(half_s.shape, jd0), fr0 + half_s / SECONDS_PER_DAY)
    if np.any(error != 0):
        return [], candidates
    planes = mean_planes(catalog.satrecs, candidates, jd0, fr0, span_s)
    progress.check()
    r_max = float(np.linalg.norm(r_half, axis=1).max())
    v_max = float(np.linalg.norm(v_half, axis=1).max())
    turn_max = np.abs(planes.node_rate) + 2 * np.abs(planes.node_quad) * span_s  # rad/s
    turn_accel = turn_max**2 + 2 * np.abs(planes.node_quad)  # the normal's second derivative, at most
    curvature = MAX_ACCELERATION_KM_S2 + 2 * v_max * turn_max + r_max * turn_accel  # of r_P . n, km/s^2
    reach = threshold_km + r_max * planes.tilt
    limit_coarse = reach + curvature * COARSE_S**2 / 8.0
    limit_fine = reach + curvature * FINE_S**2 / 8.0 + r_max * turn_accel * COARSE_S**2 / 8.0
    crossings_each = 2.0 * span_s / (60.0 * float(catalog.period_min[row]))  # pieces a candidate usually gets
    owner, first, last, crowded = crossing_kernel.crossings(
        r_half, fine_per_coarse, COARSE_S, planes.inclination, planes.node0, planes.node_rate, planes.node_quad,
        limit_coarse, limit_fine, LONGEST_PIECE, MOST_PIECES, int(1.5 * crossings_each) + 16)
    progress.check()
    left = np.setdiff1d(candidates, planes.rows[~crowded])
    keep = first * FINE_S <= span_s  # the grid runs up to a coarse step past the window's end
    owner, first, last = owner[keep], first[keep], last[keep]
    middle_half = (first + last + 1).astype(np.int64)  # index into r_half of each piece's middle
    half_width_s = 0.5 * FINE_S * (last - first + 1)
    r2, v2, ok = _states_at(catalog, planes.rows, owner, half_s[middle_half], jd0, fr0, progress)
    miss = crossing_kernel.straight_line_miss(r_half, v_half, middle_half, half_width_s, r2, v2)
    near = ~ok | (miss <= threshold_km + MAX_ACCELERATION_KM_S2 * half_width_s**2 + 0.01)
    pieces = np.nonzero(near)[0]
    secondary = planes.rows[owner[pieces]]
    low_s, high_s = first[pieces] * FINE_S, np.minimum(span_s, (last[pieces] + 1) * FINE_S)
    ids = catalog.norad_id
    each = closest_approaches_many(catalog.satrecs, np.full(len(pieces), row), secondary, start,
                                   np.maximum(0.0, low_s - FINE_S), np.minimum(span_s, high_s + FINE_S), 0.5 * FINE_S,
                                   [int(ids[row])] * len(pieces), ids[secondary].tolist(), max_miss_km=threshold_km)
    found: list[Approach] = []
    for low, high, approaches in zip(low_s.tolist(), high_s.tolist(), each):
        for approach in approaches:
            tca_s = (approach.tca - start).total_seconds()
            if low <= tca_s < high or tca_s == span_s:  # a piece's end is the next one's start
                found.append(approach)
    return found, left


def _states_at(catalog: Catalog, rows: np.ndarray, owner: np.ndarray, offsets_s: np.ndarray, jd0: float, fr0: float,
               progress: Progress):
    """Each piece's candidate's SGP4 state at its offset."""
    error, r, v = sgp4_rows(catalog.satrecs, rows[owner], jd0, fr0 + offsets_s / SECONDS_PER_DAY,
                              lambda done, total: progress.check())
    return r, v, error == 0

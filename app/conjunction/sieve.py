"""All against all, the sieve: every pair of catalog objects that may pass within the
threshold near some grid step, as rows (step, i, j) for ``refine``.

The window is cut into blocks between SGP4 samples of the whole catalog (every
``sample_every`` steps: 720 s by default). Between them each object follows a quintic
Hermite interpolant (SGP4's positions and velocities at both ends, point-mass + J2
accelerations), except the few it would not follow within its bound (an eccentric orbit,
a perigee below ``SMOOTH_PERIGEE_ALTITUDE_KM`` where drag matters, an ephemeris): those
are sampled ``PIECES`` times as often and follow cubic pieces, as every object did before
(three times the SGP4 calls). The blocks are shared out in contiguous runs to worker threads:
the grid (``grid``) releases the GIL and SGP4 holds it, so one thread
propagates while another sieves. Each block's bounds come from its two samples, not from
the catalog's mean elements (stale for an old element set of a decaying object): the
osculating perigee and apogee at both ends give each object's radius band, interpolation
bound and top speed (``tests/core/test_screening_sieve.py`` checks the bound on the whole
catalog, re-entering objects included).

Cancelling: the workers look at ``progress.cancelled`` before each block and stop there;
the calling thread, which alone reports, raises :class:`~app.common.progress.Cancelled`
only once they have all been joined, so no worker outlives the call.
"""

from __future__ import annotations

import math
import threading
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass
from functools import cached_property
from datetime import datetime

import numpy as np

from app.astro import hermite
from app.astro.constants import WGS72_EARTH_RADIUS_KM
from app.astro.ephemeris_satrec import sgp4_many
from app.astro.gravity import acceleration_km_s2
from app.astro.osculating import apsides
from app.astro.timeutil import SECONDS_PER_DAY, datetime_to_jd
from app.catalog import Catalog
from app.common.progress import Progress

SHORT_PERIOD_MARGIN_KM = 30.0  # J2 swings the osculating radii this much about the mean orbit
SPEED_MARGIN = 1.02  # over the osculating perigee speed: short-period terms and drag within a block
MAX_GRAVITY_KM_S2 = 0.0098  # at the surface; relative acceleration of two objects is at most twice this
PIECES = 3  # an object the quintic would not follow is sampled at this many equal pieces of a block
# the quintic's bound (``hermite.quintic_error_bound_km``) holds for near-circular orbits above the drag
SMOOTH_MAX_ECCENTRICITY = 0.05
SMOOTH_PERIGEE_ALTITUDE_KM = 350.0
# the grid's slabs are this many cubes tall divided by the objects (at least 2): 13 for the
# bundled catalog's 18,700, 2.4 for 100,000, so that a column of a slab holds about as many
# points whatever the catalog's size (the fastest height at both sizes, measured)
SLAB_CUBES_OBJECTS = 240_000
MIN_SLAB_CUBES = 2.0


@dataclass(frozen=True)
class _Sample:
    r: np.ndarray
    v: np.ndarray
    ok: np.ndarray

    @cached_property
    def apsides(self):
        return apsides(self.r, self.v)

    @cached_property
    def acceleration(self):
        """Point-mass + J2 gravity at each position (the next block's first sample is this
        block's last: computed once)."""
        return acceleration_km_s2(self.r)


@dataclass(frozen=True)
class BlockMotion:
    """Every object's path over one block (``grid.evaluate``'s ``quintic``, ``rough_rows`` and
    ``rough_pieces``), which objects were propagated at every sample (``ok``), and their
    osculating perigee and apogee radii and perigee speed over the block's samples."""

    quintic: np.ndarray
    rough_rows: np.ndarray
    rough_pieces: np.ndarray
    ok: np.ndarray
    perigee_km: np.ndarray
    apogee_km: np.ndarray
    speed_km_s: np.ndarray

    @property
    def paths(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return self.quintic, self.rough_rows, self.rough_pieces

    @property
    def rough(self) -> np.ndarray:
        """Per object: follows cubic pieces."""
        rough = np.zeros(len(self.quintic), dtype=bool)
        rough[self.rough_rows] = True
        return rough


@dataclass(frozen=True)
class _BlockBounds:
    objects: np.ndarray  # grid.object_table rows
    cube_km: float
    slab_km: float
    fast_cubes: int
    fast_reach_km: float


def sieve_catalog(catalog: Catalog, label: np.ndarray, start: datetime, steps: np.ndarray, sample_every: int,
                  threshold_km: float, progress: Progress | None = None, workers: int = 2) -> np.ndarray:
    """Rows (step, i, j) (int32), i < j, of every pair the sieve flags. ``label``: equal labels share
    one element set and are never paired. ``progress`` hears ``(blocks done, blocks)`` from
    the calling thread about every 0.1 s and at the end; once it is cancelled the workers stop
    before their next block and, after they are joined, :class:`~app.common.progress.Cancelled`
    is raised."""
    progress = progress if progress is not None else Progress()
    sieve_block = _kernels().sieve_block  # imported here in the calling thread, not in the workers
    samples = np.unique(np.append(np.arange(0, len(steps), sample_every), len(steps) - 1))
    blocks = list(zip(samples[:-1].tolist(), samples[1:].tolist()))
    half_s = float(steps[1] - steps[0]) / 2.0
    limit_km = threshold_km + 0.5 * 2 * MAX_GRAVITY_KM_S2 * half_s**2  # plus the path's curvature
    jd0, fr0 = datetime_to_jd(start)
    ephemeris = np.zeros(len(catalog), dtype=bool)
    ephemeris[catalog.ephemeris_rows()] = True
    stop = threading.Event()
    done = [0]

    def sample(k: int) -> _Sample:
        return _Sample(*catalog_states(catalog, jd0, fr0 + steps[k] / SECONDS_PER_DAY))

    def run(blocks_here) -> list[np.ndarray]:
        found, out = [], np.empty((4096, 3), np.int32)
        after = None
        for k0, k1 in blocks_here:
            if stop.is_set() or progress.cancelled:
                break
            before, after = (after if after is not None else sample(k0)), sample(k1)
            ks = np.arange(k0, k1 + 1 if k1 == len(steps) - 1 else k1)
            span_s = float(steps[k1] - steps[k0])
            motion = block_motion(catalog, ephemeris, before, after, jd0, fr0 + steps[k0] / SECONDS_PER_DAY, span_s)
            bounds = _block_bounds(motion, label, span_s, half_s, limit_km)
            args = (*motion.paths, motion.ok, span_s, (steps[ks] - steps[k0]) / span_s, ks, bounds.objects,
                    bounds.cube_km, bounds.slab_km, bounds.fast_cubes, bounds.fast_reach_km, half_s, limit_km,
                    threshold_km)
            count = sieve_block(*args, out)
            if count > len(out):
                out = np.empty((2 * count, 3), np.int32)
                count = sieve_block(*args, out)
            found.append(out[:count].copy())
            done[0] += 1
        return found

    shares = [part for part in np.array_split(np.arange(len(blocks)), max(1, workers)) if len(part)]
    with ThreadPoolExecutor(max_workers=len(shares)) as pool:  # leaving it joins the workers
        futures = [pool.submit(run, [blocks[b] for b in part]) for part in shares]
        try:
            pending = set(futures)
            while pending:
                finished, pending = wait(pending, timeout=0.1, return_when=FIRST_EXCEPTION)
                if any(f.exception() is not None for f in finished):
                    break  # a worker failed: its error is raised below, once the others stop
                progress.report(done[0], len(blocks))  # raises Cancelled here, in the calling thread
        finally:
            stop.set()  # however the wait ended (done, cancelled, a failing report), the workers end
        parts = [piece for f in futures for piece in f.result()]
    progress.report(len(blocks), len(blocks))  # raises Cancelled if the workers stopped early
    return np.concatenate(parts) if parts else np.empty((0, 3), np.int32)


def _kernels():
    """The numba kernels (``grid``), imported when a screening first runs: numba and LLVM cost
    0.3 s of every start of the console and of every command that never screens."""
    from app.conjunction import grid

    return grid


def interpolation_bound_km(osculating_perigee_km: np.ndarray, span_s: float) -> np.ndarray:
    """How far a cubic Hermite interpolant over ``span_s`` may stray from SGP4, from the
    osculating perigee radius of the propagated states (less the short-period margin)."""
    return hermite.error_bound_km(_bound_perigee_km(osculating_perigee_km), span_s)


def _bound_perigee_km(osculating_perigee_km: np.ndarray) -> np.ndarray:
    return np.maximum(osculating_perigee_km - SHORT_PERIOD_MARGIN_KM, 0.5 * WGS72_EARTH_RADIUS_KM)


def block_motion(catalog: Catalog, ephemeris: np.ndarray, before: _Sample, after: _Sample, jd: float, fr: float,
                 span_s: float) -> BlockMotion:
    """Every object's path over the block from (jd, fr) to ``span_s`` later, between the two
    samples: a quintic, or for the objects it would not follow (see the module's notes;
    ``ephemeris`` marks ephemeris rows) cubic pieces between ``PIECES + 1`` samples, the
    inner ones propagated here for those objects alone."""
    perigee0, apogee0, speed0 = before.apsides
    perigee1, apogee1, speed1 = after.apsides
    perigee, apogee, speed = np.minimum(perigee0, perigee1), np.maximum(apogee0, apogee1), np.maximum(speed0, speed1)
    with np.errstate(invalid="ignore"):
        eccentricity = (apogee - perigee) / (apogee + perigee)  # nan or 1 when unbound: rough
    smooth = (eccentricity < SMOOTH_MAX_ECCENTRICITY) & (perigee - WGS72_EARTH_RADIUS_KM > SMOOTH_PERIGEE_ALTITUDE_KM)
    ok = before.ok & after.ok
    rows = np.flatnonzero((~smooth | ephemeris) & ok)
    quintic = np.stack([before.r, *hermite.quintic_coefficients(before.r, before.v, before.acceleration, after.r,
                                                                  after.v, after.acceleration, span_s)], axis=1)
    pieces = np.zeros((len(rows), PIECES, 6, 3))
    if len(rows):
        satrecs = catalog.satrecs
        inner_fr = fr + span_s * np.arange(1, PIECES) / PIECES / SECONDS_PER_DAY
        error, r_inner, v_inner = sgp4_many([satrecs[i] for i in rows.tolist()], np.full(PIECES - 1, jd), inner_fr)
        r = np.concatenate([before.r[rows, None], r_inner, after.r[rows, None]], axis=1)
        v = np.concatenate([before.v[rows, None], v_inner, after.v[rows, None]], axis=1)
        ok[rows] &= (error == 0).all(axis=1)
        for piece in range(PIECES):
            p0, v0, p1, v1 = r[:, piece], v[:, piece], r[:, piece + 1], v[:, piece + 1]
            cubic = np.stack([p0, *hermite.coefficients(p0, v0, p1, v1, span_s / PIECES), 0 * p0, 0 * p0])
            pieces[:, piece] = np.moveaxis(hermite.in_block_fraction(cubic, PIECES, piece), 0, 1)
        inner_perigee, inner_apogee, inner_speed = apsides(r_inner.reshape(-1, 3), v_inner.reshape(-1, 3))
        perigee[rows] = np.minimum(perigee[rows], inner_perigee.reshape(len(rows), -1).min(axis=1))
        apogee[rows] = np.maximum(apogee[rows], inner_apogee.reshape(len(rows), -1).max(axis=1))
        speed[rows] = np.maximum(speed[rows], inner_speed.reshape(len(rows), -1).max(axis=1))
    return BlockMotion(quintic, rows, pieces, ok, perigee, apogee, speed)


def _block_bounds(motion: BlockMotion, label: np.ndarray, span_s: float, half_s: float,
                  limit_km: float) -> _BlockBounds:
    """Each object's radius band, interpolation bound and top speed over one block, and the
    grid's cube size from them (and its slab height from the number of objects)."""
    ok = motion.ok
    perigee = np.where(ok, motion.perigee_km, WGS72_EARTH_RADIUS_KM)
    apogee = np.where(ok, motion.apogee_km, WGS72_EARTH_RADIUS_KM)
    speed = np.where(ok, SPEED_MARGIN * motion.speed_km_s, 0.0)
    # the interpolant's position error, and its velocity error carried over half a step
    # (the error's rate is at most 4 times the bound over its span: 3 for the quintic)
    piece_s = span_s / PIECES
    cubic = interpolation_bound_km(perigee, piece_s) * (1.0 + 4.0 * half_s / piece_s)
    quintic = hermite.quintic_error_bound_km(_bound_perigee_km(perigee), span_s) * (1.0 + 4.0 * half_s / span_s)
    stray = np.where(ok, np.where(motion.rough, cubic, quintic), 0.0)
    grid = _kernels()
    fast = speed > grid.ORDINARY_KM_S
    stray_max = float(stray.max(initial=0.0))
    cube_km = limit_km + 2 * stray_max + 2 * float(speed[~fast].max(initial=0.0)) * half_s
    fast_reach_km = limit_km + 2 * stray_max + 2 * float(speed.max(initial=0.0)) * half_s
    objects = grid.object_table(stray, perigee - SHORT_PERIOD_MARGIN_KM, apogee + SHORT_PERIOD_MARGIN_KM, label, fast)
    slab_km = cube_km * max(MIN_SLAB_CUBES, SLAB_CUBES_OBJECTS / max(1, int(ok.sum())))
    return _BlockBounds(objects, cube_km, slab_km, max(1, int(math.ceil(fast_reach_km / cube_km))), fast_reach_km)


def catalog_states(catalog: Catalog, jd: float, fr: float):
    """Positions, velocities and ok flags of the whole catalog at one time, chunk by chunk."""
    n = len(catalog)
    r, v, ok = np.empty((n, 3)), np.empty((n, 3)), np.empty(n, dtype=bool)
    for chunk in catalog.chunks:
        e, rc, vc = chunk.sgp4(np.array([jd]), np.array([fr]))
        r[chunk.start:chunk.stop], v[chunk.start:chunk.stop] = rc[:, 0], vc[:, 0]
        ok[chunk.start:chunk.stop] = e[:, 0] == 0
    return r, v, ok

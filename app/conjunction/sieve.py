"""All against all, the sieve: every pair of catalog objects that may pass within the
threshold near some grid step, as rows (step, i, j) for ``refine``.

The window is cut into blocks between SGP4 samples of the whole catalog (every
``sample_every`` steps). The blocks are shared out in contiguous runs to worker threads:
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
from app.astro.osculating import apsides
from app.astro.timeutil import SECONDS_PER_DAY, datetime_to_jd
from app.catalog import Catalog
from app.common.progress import Progress

SHORT_PERIOD_MARGIN_KM = 30.0  # J2 swings the osculating radii this much about the mean orbit
SPEED_MARGIN = 1.02  # over the osculating perigee speed: short-period terms and drag within a block
MAX_GRAVITY_KM_S2 = 0.0098  # at the surface; relative acceleration of two objects is at most twice this


@dataclass(frozen=True)
class _Sample:
    r: np.ndarray
    v: np.ndarray
    ok: np.ndarray

    @cached_property
    def apsides(self):
        return apsides(self.r, self.v)


@dataclass(frozen=True)
class _BlockBounds:
    objects: np.ndarray  # grid.object_table rows
    cube_km: float
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
            bounds = _block_bounds(before, after, label, span_s, half_s, limit_km)
            args = (before.r, before.v, after.r, after.v, before.ok & after.ok, span_s, (steps[ks] - steps[k0]) / span_s,
                    ks, bounds.objects, bounds.cube_km, bounds.fast_cubes, bounds.fast_reach_km, half_s, limit_km,
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
    perigee_km = np.maximum(osculating_perigee_km - SHORT_PERIOD_MARGIN_KM, 0.5 * WGS72_EARTH_RADIUS_KM)
    return hermite.error_bound_km(perigee_km, span_s)


def _block_bounds(before: _Sample, after: _Sample, label: np.ndarray, span_s: float, half_s: float,
                  limit_km: float) -> _BlockBounds:
    """Each object's radius band, interpolation bound and top speed over one block, and the
    grid's cube size from them."""
    ok = before.ok & after.ok
    perigee0, apogee0, speed0 = before.apsides
    perigee1, apogee1, speed1 = after.apsides
    perigee = np.where(ok, np.minimum(perigee0, perigee1), WGS72_EARTH_RADIUS_KM)
    apogee = np.where(ok, np.maximum(apogee0, apogee1), WGS72_EARTH_RADIUS_KM)
    speed = np.where(ok, SPEED_MARGIN * np.maximum(speed0, speed1), 0.0)
    # the interpolant's position error, and its velocity error carried over half a step
    stray = np.where(ok, interpolation_bound_km(perigee, span_s) * (1.0 + 4.0 * half_s / span_s), 0.0)
    grid = _kernels()
    fast = speed > grid.ORDINARY_KM_S
    stray_max = float(stray.max(initial=0.0))
    cube_km = limit_km + 2 * stray_max + 2 * float(speed[~fast].max(initial=0.0)) * half_s
    fast_reach_km = limit_km + 2 * stray_max + 2 * float(speed.max(initial=0.0)) * half_s
    objects = grid.object_table(stray, perigee - SHORT_PERIOD_MARGIN_KM, apogee + SHORT_PERIOD_MARGIN_KM, label, fast)
    return _BlockBounds(objects, cube_km, max(1, int(math.ceil(fast_reach_km / cube_km))), fast_reach_km)


def catalog_states(catalog: Catalog, jd: float, fr: float):
    """Positions, velocities and ok flags of the whole catalog at one time, chunk by chunk."""
    n = len(catalog)
    r, v, ok = np.empty((n, 3)), np.empty((n, 3)), np.empty(n, dtype=bool)
    for chunk in catalog.chunks:
        e, rc, vc = chunk.sgp4(np.array([jd]), np.array([fr]))
        r[chunk.start:chunk.stop], v[chunk.start:chunk.stop] = rc[:, 0], vc[:, 0]
        ok[chunk.start:chunk.stop] = e[:, 0] == 0
    return r, v, ok

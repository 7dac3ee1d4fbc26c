"""The all-against-all sieve: the grid finds exactly the pairs a test of every pair finds;
its bounds hold on the real catalog; the whole screening keeps what brute force finds for
fast eccentric objects and for decaying objects whose element sets are weeks old."""

from __future__ import annotations

from datetime import datetime, timezone

import numpy as np
import pytest

from app.astro import hermite
from app.astro.constants import WGS72_EARTH_RADIUS_KM as EARTH_RADIUS_KM
from app.astro.timeutil import datetime_to_jd
from app.astro.osculating import apsides
from app.conjunction.grid import FAST, HIGH, LOW, STRAY, evaluate, sieve_block
from app.conjunction.screening import screen_all, screen_primaries
from app.conjunction.sieve import (MAX_GRAVITY_KM_S2, PIECES, BlockMotion, _block_bounds, _Sample, block_motion,
                                   catalog_states)
from tests.core.test_screening import _nearest_at_perigee, brute_force_minima

START = datetime(2026, 8, 12, tzinfo=timezone.utc)
MU = 398600.8


def _random_states(seed: int):
    """LEO shell, a GEO ring and fast eccentric objects at perigee, crowded enough that
    thousands of pairs sit within a few cubes of each other."""
    rng = np.random.default_rng(seed)

    def around(radius, count, speed_factor):
        direction = rng.normal(size=(count, 3))
        direction /= np.linalg.norm(direction, axis=1, keepdims=True)
        other = np.cross(direction, rng.normal(size=(count, 3)))
        other /= np.linalg.norm(other, axis=1, keepdims=True)
        return direction * radius[:, None], other * (speed_factor * np.sqrt(MU / radius))[:, None]

    leo = around(rng.uniform(6900, 7000, 2500), 2500, rng.uniform(0.98, 1.02, 2500))
    fast = around(rng.uniform(6700, 6800, 60), 60, rng.uniform(1.15, 1.35, 60))
    angle = rng.uniform(0, 2 * np.pi, 400)
    geo_r = np.column_stack([np.cos(angle), np.sin(angle), rng.normal(0, 0.01, 400)]) * 42164.0
    geo_v = np.column_stack([-np.sin(angle), np.cos(angle), np.zeros(400)]) * 3.0747
    r = np.concatenate([leo[0], fast[0], geo_r])
    v = np.concatenate([leo[1], fast[1], geo_v])
    return r, v


def _cubic_motion(r0, v0, ok, r1, v1, span_s):
    """A block of one cubic piece between two states for every object (``grid.evaluate``'s
    form), with the radius bands of the two states."""
    c1, c2, c3 = hermite.coefficients(r0, v0, r1, v1, span_s)
    path = np.stack([r0, c1, c2, c3, 0 * r0, 0 * r0], axis=1)
    (p0, a0, s0), (p1, a1, s1) = apsides(r0, v0), apsides(r1, v1)
    return BlockMotion(path, np.empty(0, np.int64), np.empty((0, 1, 6, 3)), ok.copy(), np.minimum(p0, p1),
                       np.maximum(a0, a1), np.maximum(s0, s1))


@pytest.mark.parametrize("seed, slab_cubes", [(1, 1e6), (2, 1e6), (1, 1.0), (2, 2.5)])
def test_grid_flags_exactly_the_pairs_an_all_pairs_test_flags(seed, slab_cubes):
    """One slab (columns the whole length of z) or slabs as thin as a cube: pairs across a
    slab's top are found as well as those within one."""
    r, v = _random_states(seed)
    n = len(r)
    ok = np.ones(n, dtype=bool)
    ok[::97] = False  # some objects SGP4 could not propagate
    label = np.arange(n)
    label[1:40:2] = label[0:40:2]  # pairs sharing one element set
    motion = _cubic_motion(r, v, ok, r, v, 240.0)
    half_s, threshold = 10.0, 150.0
    limit = threshold + MAX_GRAVITY_KM_S2 * half_s**2
    bounds = _block_bounds(motion, label, 240.0, half_s, limit)
    objects = bounds.objects
    assert objects[:, FAST].sum() >= 40 and bounds.fast_cubes >= 2  # the fast pass is exercised
    out = np.empty((200000, 3), np.int64)
    count = sieve_block(*motion.paths, ok, 240.0, np.array([0.0]), np.array([7]), objects, bounds.cube_km,
                        slab_cubes * bounds.cube_km, bounds.fast_cubes, bounds.fast_reach_km, half_s, limit, threshold,
                        out)
    assert count < len(out)
    flagged = {(int(i), int(j)) for _, i, j in out[:count]}
    assert (out[:count, 0] == 7).all() and len(flagged) == count  # each pair once

    i, j = np.triu_indices(n, 1)
    keep = ok[i] & ok[j] & (label[i] != label[j])
    keep &= (objects[i, LOW] <= objects[j, HIGH] + threshold) & (objects[j, LOW] <= objects[i, HIGH] + threshold)
    i, j = i[keep], j[keep]
    dr, dv = r[j] - r[i], v[j] - v[i]
    t = np.clip(-np.sum(dr * dv, axis=1) / np.maximum(np.sum(dv * dv, axis=1), 1e-12), -half_s, half_s)
    miss = np.linalg.norm(dr + dv * t[:, None], axis=1)
    close = miss <= limit + objects[i, STRAY] + objects[j, STRAY]
    expected = set(zip(i[close].tolist(), j[close].tolist()))
    assert len(expected) > 300
    assert flagged == expected


def test_grid_flags_the_same_pairs_whatever_order_the_objects_come_in():
    """The grid puts each block's objects in an order of its own (by place) and answers in
    the caller's numbering: shuffling the objects changes nothing but their numbers."""
    r0, v0 = _random_states(3)
    span = 240.0
    r1, v1 = r0 + v0 * span, v0  # a second sample, so that the steps between are interpolated
    n = len(r0)
    ok = np.ones(n, dtype=bool)
    ok[5::89] = False
    label = np.arange(n)
    half_s, threshold = 10.0, 60.0
    limit = threshold + MAX_GRAVITY_KM_S2 * half_s**2
    motion = _cubic_motion(r0, v0, ok, r1, v1, span)
    bounds = _block_bounds(motion, label, span, half_s, limit)
    fractions, steps = np.arange(12) / 12.0, np.arange(12)

    def flagged(order):
        out = np.empty((400000, 3), np.int64)
        count = sieve_block(motion.quintic[order], motion.rough_rows, motion.rough_pieces, ok[order], span,
                            fractions, steps, bounds.objects[order], bounds.cube_km, bounds.slab_km, bounds.fast_cubes,
                            bounds.fast_reach_km, half_s, limit, threshold, out)
        assert count < len(out)
        step, i, j = out[:count, 0], order[out[:count, 1]], order[out[:count, 2]]
        return set(zip(step.tolist(), np.minimum(i, j).tolist(), np.maximum(i, j).tolist()))

    in_order = flagged(np.arange(n))
    assert len(in_order) > 1000
    assert flagged(np.random.default_rng(4).permutation(n)) == in_order


def test_linear_motion_from_interpolated_states_stays_within_the_bounds(default_catalog):
    """On the whole catalog (objects re-entering, eccentric and ephemeris objects included),
    blocks of 720 s as the sieve cuts them: the position a step's state (``grid.evaluate``,
    the kernel's own) predicts a half step away is within the object's bound plus the
    curvature allowance of the SGP4 position, at 25 fractions of blocks at three epochs; and
    ordinary objects stay in their cube. Most objects follow the quintic (a third of the SGP4
    calls), the eccentric and the low ones cubic pieces."""
    jd0, fr0 = datetime_to_jd(START)
    span, half = 720.0, 10.0
    n = len(default_catalog)
    label = np.arange(n)
    ephemeris = np.zeros(n, dtype=bool)
    ephemeris[default_catalog.ephemeris_rows()] = True
    worst = {True: 0.0, False: 0.0}  # rough, smooth: the largest error / allowed
    r_h, v_h = np.empty((n, 3)), np.empty((n, 3))
    for t0 in (0.0, 31000.0, 62000.0):
        before = _Sample(*catalog_states(default_catalog, jd0, fr0 + t0 / 86400.0))
        after = _Sample(*catalog_states(default_catalog, jd0, fr0 + (t0 + span) / 86400.0))
        motion = block_motion(default_catalog, ephemeris, before, after, jd0, fr0 + t0 / 86400.0, span)
        assert 0.9 * n < np.count_nonzero(~motion.rough) < n
        bounds = _block_bounds(motion, label, span, half, 5.0)
        fast = bounds.objects[:, FAST] != 0
        for s in np.linspace(0.0, 1.0, 25):
            evaluate(*motion.paths, s, span, r_h, v_h)
            for tau in (-half, 0.0, half):  # at the step itself the curvature allowance is nil
                r, _, ok = catalog_states(default_catalog, jd0, fr0 + (t0 + s * span + tau) / 86400.0)
                error = np.linalg.norm(r_h + v_h * tau - r, axis=1)
                allowed = bounds.objects[:, STRAY] + 0.5 * MAX_GRAVITY_KM_S2 * tau**2
                use = motion.ok & ok
                for rough in (True, False):
                    here = use & (motion.rough == rough)
                    worst[rough] = max(worst[rough], float((error[here] / allowed[here]).max()))
            speed = np.linalg.norm(v_h, axis=1)
            assert (speed[motion.ok & ~fast] * 2 * half <= bounds.cube_km).all()
    assert worst[True] < 1.0 and worst[False] < 1.0, worst


def test_block_motion_meets_both_samples_and_the_inner_ones():
    """Each object's path over a block passes through its samples with their velocities:
    the quintic at the ends (with their accelerations), the cubic pieces of the rough objects
    at the ends and at the inner samples."""
    r0, v0 = _random_states(5)
    r1, v1 = r0 + v0 * 720.0, v0 * 1.001
    a0, a1 = 0 * r0 + 1e-4, 0 * r0 - 2e-4
    quintic = np.stack([r0, *hermite.quintic_coefficients(r0, v0, a0, r1, v1, a1, 720.0)], axis=1)
    assert np.abs(2 * quintic[:, 2] / 720.0**2 - a0).max() < 1e-12
    rows = np.arange(3, len(r0), 7)
    pieces = np.zeros((len(rows), PIECES, 6, 3))
    inner = [(r0[rows] + v0[rows] * 240.0 * k + 0.3 * k, v0[rows] + 0.001 * k) for k in range(PIECES + 1)]
    for piece in range(PIECES):
        (p0, w0), (p1, w1) = inner[piece], inner[piece + 1]
        cubic = np.stack([p0, *hermite.coefficients(p0, w0, p1, w1, 240.0), 0 * p0, 0 * p0])
        pieces[:, piece] = np.moveaxis(hermite.in_block_fraction(cubic, PIECES, piece), 0, 1)
    r, v = np.empty_like(r0), np.empty_like(r0)
    smooth = np.setdiff1d(np.arange(len(r0)), rows)
    for s, (r_end, v_end) in ((0.0, (r0, v0)), (1.0, (r1, v1))):
        evaluate(quintic, rows, pieces, s, 720.0, r, v)
        assert np.abs(r - r_end)[smooth].max() < 1e-6 and np.abs(v - v_end)[smooth].max() < 1e-9
    for k, (p, w) in enumerate(inner):
        evaluate(quintic, rows, pieces, k / PIECES, 720.0, r, v)
        assert np.abs(r[rows] - p).max() < 1e-6 and np.abs(v[rows] - w).max() < 1e-9


def test_decaying_objects_with_old_elements_are_screened(default_catalog):
    """Element sets weeks old for objects decaying fast: their catalog radius band is far
    above where SGP4 puts them now, so bands and bounds come from the propagated states,
    all against all and one against many."""
    jd0, fr0 = datetime_to_jd(START)
    r, v, ok = catalog_states(default_catalog, jd0, fr0 + 0.125)
    perigee_alt = apsides(r, v)[0] - EARTH_RADIUS_KM
    stale = np.nonzero(ok & (perigee_alt < default_catalog.perigee_alt_km - 60))[0]
    assert len(stale) >= 5 and (perigee_alt[stale] < 150).any()
    partners = [default_catalog.row_of(n) for n in (69356, 62890)]  # meet 34861 and 36470 under 5 km
    rows = np.unique(np.concatenate([stale[:8], [default_catalog.row_of(34861), default_catalog.row_of(36470)],
                                     partners]))
    subset = default_catalog.subset(rows)
    threshold, hours = 5.0, 6
    found = {(*sorted((a.primary, a.secondary)), round((a.tca - START).total_seconds()))
             for a in screen_all(subset, START, hours, threshold).approaches}
    expected = set()
    for i in range(len(subset)):
        for j in range(i + 1, len(subset)):
            for t, m in zip(*brute_force_minima(subset.satrecs[i], subset.satrecs[j], START, hours * 3600.0)):
                if m <= threshold and 1.0 < t < hours * 3600.0 - 1.0:
                    expected.add((*sorted((int(subset.norad_id[i]), int(subset.norad_id[j]))), round(t)))
    assert {e[:2] for e in expected} >= {(34861, 69356), (36470, 62890)}
    missed = [e for e in expected if not any(f[:2] == e[:2] and abs(f[2] - e[2]) <= 1 for f in found)]
    assert not missed
    # one against many: the same approaches of two of the decaying objects
    primaries = (34861, 36470)
    one_many = {(*sorted((a.primary, a.secondary)), round((a.tca - START).total_seconds()))
                for a in screen_primaries(subset, primaries, START, hours, threshold).approaches}
    theirs = [e for e in expected if set(e[:2]) & set(primaries)]
    assert theirs and all(any(f[:2] == e[:2] and abs(f[2] - e[2]) <= 1 for f in one_many) for e in theirs)


def test_fast_eccentric_object_against_its_neighbours(default_catalog):
    """ARASE (398 x 31,789 km) passes perigee at over 10 km/s, in the grid's fast pass:
    all against all, every approach brute force finds for it is kept."""
    row = default_catalog.row_of(41896)
    rows = np.concatenate([[row], _nearest_at_perigee(default_catalog, row, 50)])
    subset = default_catalog.subset(rows)
    threshold, hours = 100.0, 24
    found = {(a.primary, a.secondary, round((a.tca - START).total_seconds()))
             for a in screen_all(subset, START, hours, threshold).approaches if 41896 in (a.primary, a.secondary)}
    expected = set()
    for j in range(1, len(subset)):
        pair = tuple(sorted((41896, int(subset.norad_id[j]))))
        for t, m in zip(*brute_force_minima(subset.satrecs[0], subset.satrecs[j], START, hours * 3600.0)):
            if m <= threshold and 1.0 < t < hours * 3600.0 - 1.0:
                expected.add((pair, round(t)))
    assert expected
    missed = [e for e in expected
              if not any(tuple(sorted(f[:2])) == e[0] and abs(f[2] - e[1]) <= 1 for f in found)]
    assert not missed


def test_fast_runs_refined_in_batches_give_the_same_approaches(default_catalog, monkeypatch):
    """The fast runs go to SGP4 in batches (memory stays bounded for a 100,000-object day):
    batches of 7 runs give exactly the approaches of one batch, progress still ends at the
    total and never goes back."""
    from app.common.progress import Progress
    from app.conjunction import refine

    leo = np.nonzero(default_catalog.regime == "LEO")[0]
    subset = default_catalog.subset(leo[np.linspace(0, len(leo) - 1, 2500).astype(int)])
    whole = screen_all(subset, START, 2, 20.0).approaches
    assert len(whole) > 30
    monkeypatch.setattr(refine, "FAST_BATCH", 7)
    heard = []
    batched = screen_all(subset, START, 2, 20.0, progress=Progress(lambda done, total, note: heard.append(done))
                         ).approaches
    assert batched == whole
    assert heard[-1] == 100 and heard == sorted(heard)

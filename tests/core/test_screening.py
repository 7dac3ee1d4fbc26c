"""Closest approach and screening against brute force: TCA within 0.1 s and miss within
10 m of 1-second sampling refined by a fine golden-section search; screening recalls every
approach below the threshold that pairwise brute force finds on a subset of the catalog."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import numpy as np
import pytest

from app.astro.root_finding import golden_max
from app.astro.timeutil import datetime_to_jd
from app.conjunction.closest_approach import PairMotion, closest_approaches, closest_approaches_many
from app.conjunction.screening import screen_all, screen_primaries

START = datetime(2026, 8, 12, tzinfo=timezone.utc)


def brute_force_minima(primary, secondary, start, span_s):
    """1 s samples of the range; each local minimum refined to 1 us by golden section."""
    motion = PairMotion(primary, secondary, *datetime_to_jd(start))
    t = np.arange(0.0, span_s + 0.5, 1.0)
    _, r1, _, r2, _ = motion.states(t)
    d = np.linalg.norm(r2 - r1, axis=1)
    k = np.nonzero((d[1:-1] <= d[:-2]) & (d[1:-1] <= d[2:]))[0] + 1

    def minus_range(offsets):
        _, a, _, b, _ = motion.states(offsets)
        return -np.linalg.norm(b - a, axis=1)
    if not len(k):
        return np.zeros(0), np.zeros(0)
    tca = golden_max(minus_range, t[k - 1], t[k + 1], tolerance_s=1e-6)
    return tca, -minus_range(tca)


def _pair(catalog, a, b):
    return catalog.satrecs[catalog.row_of(a)], catalog.satrecs[catalog.row_of(b)]


def _geo_slot_pair(catalog):
    """Two GEO objects that stay within 100 km of each other (a shared orbital slot)."""
    from app.live.engine import propagate
    geo = np.nonzero(catalog.regime == "GEO")[0]
    snapshot = propagate(catalog.subset(geo), START)
    r = snapshot.r_teme_km
    best = (np.inf, None)
    for i in range(len(geo)):
        d = np.linalg.norm(r - r[i], axis=1)
        d[i] = np.inf
        j = int(np.nanargmin(d))
        if 1.0 < d[j] < best[0]:
            best = (d[j], (int(catalog.norad_id[geo[i]]), int(catalog.norad_id[geo[j]])))
    return best[1]


@pytest.mark.parametrize("kind", ["crossing LEO", "same GEO slot"])
def test_tca_against_brute_force(default_catalog, kind):
    if kind == "crossing LEO":
        ids = (25544, 20580)  # ISS and HST: 51.6 and 28.5 degree orbits, crossing twice an orbit
        span = 6 * 3600.0
    else:
        ids = _geo_slot_pair(default_catalog)
        span = 48 * 3600.0
    primary, secondary = _pair(default_catalog, *ids)
    ours = closest_approaches(primary, secondary, START, span, *ids)
    interior = [a for a in ours if 1.0 < (a.tca - START).total_seconds() < span - 1.0]
    tca, miss = brute_force_minima(primary, secondary, START, span)
    assert len(interior) == len(tca) > 0
    for approach, t, m in zip(interior, tca, miss):
        assert abs((approach.tca - START).total_seconds() - t) < 0.1
        assert abs(approach.miss_km - m) < 0.010


def test_many_pairs_at_once_find_what_each_pair_alone_finds(default_catalog):
    """The all-against-all refinement searches its slow and long runs together
    (``closest_approaches_many``): the same approaches as one search a pair, including a
    crossing pair, a shared GEO slot, window ends, a docked pair and an object against itself."""
    catalog = default_catalog
    rng = np.random.default_rng(7)
    named = [(25544, 20580), _geo_slot_pair(catalog), (25544, 25575), (25544, 25544)]
    a = [catalog.row_of(i) for i, _ in named] + rng.integers(0, len(catalog), 40).tolist()
    b = [catalog.row_of(j) for _, j in named] + rng.integers(0, len(catalog), 40).tolist()
    low = np.concatenate([[0.0, 3600.0, 0.0, 0.0], rng.uniform(0.0, 40000.0, 40)])
    high = low + np.concatenate([[6 * 3600.0, 24 * 3600.0, 3600.0, 3600.0], rng.uniform(60.0, 9000.0, 40)])
    ids = catalog.norad_id
    together = closest_approaches_many(catalog.satrecs, np.array(a), np.array(b), START, low, high, 5.0,
                                       ids[a].tolist(), ids[b].tolist())
    assert len(together) == len(a)
    assert together[2] == together[3] == []  # docked modules, and one object: co-located, no approaches
    count = 0
    for k, found in enumerate(together):
        alone = closest_approaches(catalog.satrecs[a[k]], catalog.satrecs[b[k]], START + timedelta(seconds=low[k]),
                                   high[k] - low[k], int(ids[a[k]]), int(ids[b[k]]), step_s=5.0)
        assert len(found) == len(alone)
        for x, y in zip(found, alone):
            count += 1
            assert (x.primary, x.secondary) == (y.primary, y.secondary)
            assert abs((x.tca - y.tca).total_seconds()) < 1e-3
            assert abs(x.miss_km - y.miss_km) < 1e-4 and abs(x.relative_speed_km_s - y.relative_speed_km_s) < 1e-6
            assert np.allclose(x.r_ric_km, y.r_ric_km, atol=1e-4)
    assert count > 100


def test_ric_and_speed_are_consistent(default_catalog):
    primary, secondary = _pair(default_catalog, 25544, 20580)
    for approach in closest_approaches(primary, secondary, START, 6 * 3600.0, 25544, 20580):
        assert abs(np.linalg.norm(approach.r_ric_km) - approach.miss_km) < 1e-9
        assert 5.0 < approach.relative_speed_km_s < 16.0  # crossing orbits meet fast


def test_screening_recall_against_brute_force(default_catalog):
    """A LEO subset, all against all for 6 h at 50 km: every brute-force approach is found,
    with its TCA within 0.1 s and its miss distance within 10 m."""
    leo = np.nonzero(default_catalog.regime == "LEO")[0]
    rows = leo[np.linspace(0, len(leo) - 1, 70).astype(int)]
    subset = default_catalog.subset(rows)
    threshold = 50.0
    found = [(a.primary, a.secondary, (a.tca - START).total_seconds(), a.miss_km)
             for a in screen_all(subset, START, 6, threshold).approaches]
    expected = []
    for i in range(len(subset)):
        for j in range(i + 1, len(subset)):
            tca, miss = brute_force_minima(subset.satrecs[i], subset.satrecs[j], START, 6 * 3600.0)
            expected += [(int(subset.norad_id[i]), int(subset.norad_id[j]), t, m) for t, m in zip(tca, miss)
                         if m <= threshold and 1.0 < t < 6 * 3600.0 - 1.0]
    assert expected
    for primary, secondary, tca, miss in expected:
        match = [f for f in found if f[:2] == (primary, secondary) and abs(f[2] - tca) <= 1.0]
        assert match, f"missed {primary} / {secondary} at {tca:.1f} s ({miss:.3f} km)"
        assert abs(match[0][2] - tca) < 0.1 and abs(match[0][3] - miss) < 0.01


def test_one_primary_against_the_catalog(default_catalog):
    result = screen_primaries(default_catalog, [20580], START, 24, 50.0)
    assert all(a.primary == 20580 and a.miss_km <= 50.0 for a in result.approaches)
    assert [a.tca for a in result.approaches] == sorted(a.tca for a in result.approaches)
    # cross-check a few against the pairwise search
    for approach in result.approaches[:5]:
        primary, secondary = _pair(default_catalog, 20580, approach.secondary)
        pairwise = closest_approaches(primary, secondary, START, 24 * 3600.0, max_miss_km=50.0)
        assert any(abs((p.tca - approach.tca).total_seconds()) < 0.01 for p in pairwise)


def test_docked_modules_are_one_co_located_group(default_catalog):
    result = screen_primaries(default_catalog, [25544], START, 24, 5.0)
    assert any(25544 in group and len(group) >= 5 for group in result.co_located)
    docked = {n for group in result.co_located for n in group}
    assert all(a.secondary not in docked for a in result.approaches)
    assert len(result.approaches) < 20  # not thousands of "approaches"


def _nearest_at_perigee(catalog, row, count):
    """The objects nearest to ``row`` when it passes its first perigee after START."""
    from app.live.engine import propagate

    motion = PairMotion(catalog.satrecs[row], catalog.satrecs[row], *datetime_to_jd(START))
    t = np.arange(0.0, 2 * 86400.0, 30.0)
    _, r, _, _, _ = motion.states(t)
    when = START + timedelta(seconds=float(t[int(np.argmin(np.linalg.norm(r, axis=1)))]))
    snapshot = propagate(catalog, when)
    d = np.linalg.norm(snapshot.r_teme_km - snapshot.r_teme_km[row], axis=1)
    d[row] = np.inf
    return np.argsort(np.nan_to_num(d, nan=np.inf))[:count]


@pytest.mark.parametrize("primary, threshold, hours", [
    (20580, 50.0, 6),  # HST, inside the Starlink shells
    (41896, 100.0, 24),  # ARASE, 398 x 31789 km: the sieve's bound at a fast, low perigee
])
def test_one_primary_recall_against_brute_force(default_catalog, primary, threshold, hours):
    """One primary against 80 objects (HST: spread over its radius band; ARASE: those
    nearest at its perigee): the Hermite sieve keeps every approach 1 s brute force finds."""
    from app.conjunction.screening import band_overlap, radius_bands

    row = default_catalog.row_of(primary)
    if primary == 20580:
        near = np.nonzero(band_overlap(radius_bands(default_catalog), row, threshold))[0]
        near = near[near != row]
        near = near[np.linspace(0, len(near) - 1, 80).astype(int)]
    else:
        near = _nearest_at_perigee(default_catalog, row, 80)
    rows = np.concatenate([[row], near])
    subset = default_catalog.subset(rows)
    span = hours * 3600.0
    found = {(a.secondary, round((a.tca - START).total_seconds()))
             for a in screen_primaries(subset, [primary], START, hours, threshold).approaches}
    expected = set()
    for j in range(1, len(subset)):
        tca, miss = brute_force_minima(subset.satrecs[0], subset.satrecs[j], START, span)
        expected |= {(int(subset.norad_id[j]), round(t)) for t, m in zip(tca, miss)
                     if m <= threshold and 1.0 < t < span - 1.0}
    assert expected
    missed = [e for e in expected if not any(f[0] == e[0] and abs(f[1] - e[1]) <= 1 for f in found)]
    assert not missed

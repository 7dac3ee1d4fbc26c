"""One primary against the catalog, the time filter (``plane_crossings``): its premise (the
osculating plane SGP4 puts an object in stays within the stated tilt of the mean plane
read from its elements) against SGP4 itself over the whole catalog, and its results
against the 300 s grid search (itself checked against 1 s brute force in
``test_screening.py``) for primaries in the dense shells, and against brute force."""

from __future__ import annotations

from datetime import datetime, timezone

import numpy as np
import pytest
from sgp4.api import SatrecArray

from app.astro.timeutil import datetime_to_jd
from app.common.progress import Cancelled, Progress
from app.conjunction.plane_crossings import TILT_SAFETY, mean_normal, mean_planes, screen_by_crossings
from app.conjunction.screening import _one_against_many, band_overlap, radius_bands, screen_primaries
from tests.core.test_screening import brute_force_minima

START = datetime(2026, 8, 12, tzinfo=timezone.utc)
WEEK_S = 7 * 86400.0
STARLINK = 68896  # STARLINK-34xx in the 53 degree, 550 km shell


def test_osculating_plane_within_the_tilt_of_the_mean_plane(default_catalog):
    """Every near-Earth object, 61 times over a week: the normal of SGP4's r x v is within
    the stated tilt of the mean plane's normal, and the bound is tight (first order in J2:
    reached at 45 degrees), so it is SGP4's own short-period term that it bounds."""
    jd0, fr0 = datetime_to_jd(START)
    planes = mean_planes(default_catalog.satrecs, np.arange(len(default_catalog)), jd0, fr0, WEEK_S)
    assert len(planes.rows) > 0.9 * len(default_catalog)
    t = np.linspace(0.0, WEEK_S, 61)
    error, r, v = SatrecArray([default_catalog.satrecs[k] for k in planes.rows]).sgp4(
        np.full(len(t), jd0), fr0 + t / 86400.0)
    h = np.cross(r, v)
    h /= np.linalg.norm(h, axis=-1, keepdims=True)
    tilt = np.linalg.norm(h - mean_normal(planes, t), axis=-1)
    share = np.where(error == 0, tilt / (planes.tilt[:, None] / TILT_SAFETY), 0.0)
    assert np.nanmax(share) <= 1.0 + 1e-6
    assert np.nanmax(share) > 0.95


def test_mean_node_follows_sgp4s_own(default_catalog):
    """The node's quadratic (drag's nodecf term read off the window's ends) gives SGP4's
    mean node in between, for the objects with the most drag."""
    jd0, fr0 = datetime_to_jd(START)
    rows = np.argsort(-np.abs(default_catalog.bstar))[:200]
    planes = mean_planes(default_catalog.satrecs, rows, jd0, fr0, WEEK_S)
    assert len(planes.rows) > 100
    for at_s in (0.3 * WEEK_S, 0.77 * WEEK_S):
        model = planes.node0 + planes.node_rate * at_s + planes.node_quad * at_s**2
        for row, node in zip(planes.rows, model):
            satrec = default_catalog.satrecs[row]
            satrec.sgp4(jd0, fr0 + at_s / 86400.0)
            assert abs((satrec.Om - node + np.pi) % (2 * np.pi) - np.pi) < 1e-9


def _key(approach):
    return approach.secondary, (approach.tca - START).total_seconds(), approach.miss_km


@pytest.mark.parametrize("primary", [20580, STARLINK, 25544])
def test_same_approaches_as_the_grid_search(default_catalog, primary):
    """HST and a Starlink inside the Starlink shells, and the ISS, against the whole
    catalog for 24 h at 10 km: the same approaches as the 300 s grid search over every
    candidate, TCA within 1 ms and miss within 1 m."""
    row = default_catalog.row_of(primary)
    candidates = np.nonzero(band_overlap(radius_bands(default_catalog, START, 24), row, 10.0))[0]
    candidates = candidates[candidates != row]
    found, rest = screen_by_crossings(default_catalog, row, candidates, START, 86400.0, 10.0)
    assert len(rest) < 0.04 * len(candidates)  # nearly all taken by the time filter
    found += _one_against_many(default_catalog, row, rest, START, 86400.0, 10.0, 300.0)
    grid = _one_against_many(default_catalog, row, candidates, START, 86400.0, 10.0, 300.0)
    assert len(grid) >= 3
    assert len(found) == len(grid)
    for a, b in zip(sorted(map(_key, found)), sorted(map(_key, grid))):
        assert a[0] == b[0] and abs(a[1] - b[1]) < 1e-3 and abs(a[2] - b[2]) < 1e-3


def test_starlink_recall_against_brute_force(default_catalog):
    """A Starlink against 60 objects of its shell that the grid search finds passing it
    within 100 km in 6 h (so the 1 s brute force has approaches to find): every approach
    brute force finds, the time filter finds."""
    threshold, hours = 100.0, 6
    row = default_catalog.row_of(STARLINK)
    candidates = np.nonzero(band_overlap(radius_bands(default_catalog, START, hours), row, threshold))[0]
    candidates = candidates[candidates != row]
    grid = _one_against_many(default_catalog, row, candidates, START, hours * 3600.0, threshold, 300.0)
    near = sorted({a.secondary for a in grid})[:60]
    found = {(a.secondary, (a.tca - START).total_seconds())
             for a in screen_primaries(default_catalog, [STARLINK], START, hours, threshold).approaches}
    assert len(near) >= 20
    subset = default_catalog.subset([row] + [default_catalog.row_of(n) for n in near])
    expected = []
    for j in range(1, len(subset)):
        tca, miss = brute_force_minima(subset.satrecs[0], subset.satrecs[j], START, hours * 3600.0)
        expected += [(int(subset.norad_id[j]), t) for t, m in zip(tca, miss) if m <= threshold and 1 < t < hours * 3600 - 1]
    assert len(expected) >= len(near)
    missed = [e for e in expected if not any(s == e[0] and abs(t - e[1]) < 0.5 for s, t in found)]
    assert not missed


def test_left_to_the_grid_search(default_catalog):
    """Deep-space candidates and those nearly coplanar with the primary (flying with it)
    go to the grid search; a primary with no state somewhere in the window leaves all."""
    iss = default_catalog.row_of(25544)
    geo = np.nonzero(default_catalog.regime == "GEO")[0][:5]
    rows = np.nonzero((np.abs(default_catalog.inclination_deg - default_catalog.inclination_deg[iss]) < 0.05)
                      & (np.abs(default_catalog.raan_deg - default_catalog.raan_deg[iss]) < 0.05))[0]
    formation = rows[rows != iss]
    assert len(formation)
    _, rest = screen_by_crossings(default_catalog, iss, np.concatenate([geo, formation]), START, 86400.0, 5.0)
    assert set(rest) == set(geo) | set(formation)
    jd0, fr0 = datetime_to_jd(START)
    decaying = next(int(k) for k in np.argsort(default_catalog.perigee_alt_km)  # SGP4 gives up within 30 days
                    if default_catalog.satrecs[k].sgp4(jd0, fr0)[0] == 0 and default_catalog.satrecs[k].sgp4(jd0, fr0 + 30)[0])
    everyone = np.arange(20)
    _, rest = screen_by_crossings(default_catalog, decaying, everyone, START, 30 * 86400.0, 5.0)
    assert list(rest) == list(everyone)


def test_cancelled_before_the_candidates_states(default_catalog):
    progress = Progress()
    progress.cancel()
    row = default_catalog.row_of(20580)
    with pytest.raises(Cancelled):
        screen_by_crossings(default_catalog, row, np.arange(100), START, 86400.0, 5.0, progress)


def test_mean_planes_unmoved_by_another_thread_propagating_the_same_objects(default_catalog):
    """sgp4 leaves its mean elements in the satrec after each call; a thread propagating
    the same satrecs to other times (the watchlist's, a pass search's) must not leak into them."""
    import sys
    import threading

    jd0, fr0 = datetime_to_jd(START)
    rows = np.arange(300)
    quiet = mean_planes(default_catalog.satrecs, rows, jd0, fr0, WEEK_S)
    stop = threading.Event()

    def busy():
        k = 0
        while not stop.is_set():
            default_catalog.satrecs[rows[k % len(rows)]].sgp4(jd0 + 3.0, fr0)
            k += 1

    thread = threading.Thread(target=busy)
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads take turns as often as they can
    thread.start()
    try:
        for _ in range(5):
            noisy = mean_planes(default_catalog.satrecs, rows, jd0, fr0, WEEK_S)
            assert np.array_equal(noisy.rows, quiet.rows)
            assert np.allclose(noisy.node0, quiet.node0, rtol=0, atol=1e-12)
            assert np.allclose(noisy.node_quad, quiet.node_quad, rtol=0, atol=1e-20)
            assert np.allclose(noisy.tilt, quiet.tilt, rtol=1e-12)
    finally:
        stop.set()
        thread.join()
        sys.setswitchinterval(interval)

"""Orbit paths against direct sgp4 calls and the geometry they must have."""

from __future__ import annotations

from datetime import datetime, timezone

import numpy as np

from app.astro.frames import itrs_to_geodetic, teme_to_itrs
from app.astro.orbit_path import period_s, sample_orbit, split_at_antimeridian
from app.astro.timeutil import datetime_to_jd

EPOCH = datetime(2026, 8, 12, 6, 0, tzinfo=timezone.utc)


def test_samples_match_single_sgp4_calls(default_catalog):
    satrec = default_catalog.satrecs[default_catalog.row_of(25544)]
    path = sample_orbit(satrec, EPOCH, points=91)
    assert len(path.jd) == 91 and path.offset_s[-1] == period_s(satrec)
    for k in (0, 45, 90):
        error, r, v = satrec.sgp4(path.jd[k], path.fr[k])
        assert error == 0
        np.testing.assert_allclose(path.r_teme_km[k], r, rtol=0, atol=1e-9)
        r_itrs, _ = teme_to_itrs(np.array([r]), np.array([v]), path.jd[k], path.fr[k])
        np.testing.assert_allclose(path.r_itrs_km[k], r_itrs[0], rtol=0, atol=1e-9)
        lat, lon, alt = itrs_to_geodetic(r_itrs)
        np.testing.assert_allclose([path.lat_deg[k], path.lon_deg[k]], [lat[0], lon[0]], rtol=0, atol=1e-9)


def test_one_period_closes_in_inertial_space(default_catalog):
    for norad_id in (25544, 41866):  # ISS, GOES 16
        satrec = default_catalog.satrecs[default_catalog.row_of(norad_id)]
        path = sample_orbit(satrec, EPOCH)
        radius = np.linalg.norm(path.r_teme_km[0])
        assert np.linalg.norm(path.r_teme_km[-1] - path.r_teme_km[0]) < 0.01 * radius


def test_ground_track_back_and_forward(default_catalog):
    satrec = default_catalog.satrecs[default_catalog.row_of(25544)]
    period = period_s(satrec)
    path = sample_orbit(satrec, EPOCH, span_s=2 * period, start_offset_s=-period, points=241)
    assert path.offset_s[0] == -period and path.offset_s[120] == 0.0
    assert 51.0 < np.abs(path.lat_deg).max() < 52.0  # geodetic latitude peaks a little above i
    segments = split_at_antimeridian(path.lon_deg, path.lat_deg)
    assert sum(len(lon) for lon, _ in segments) == 241
    for lon, _ in segments:
        assert np.all(np.abs(np.diff(lon)) < 180)
    jd, fr = datetime_to_jd(EPOCH)
    assert path.jd[120] + path.fr[120] == jd + fr

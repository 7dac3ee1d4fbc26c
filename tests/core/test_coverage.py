"""Coverage rings against the pass predictor: an object at the ring's altitude on the
ring's edge is seen exactly at the mask (or at the maximum range)."""

from __future__ import annotations

import math

import numpy as np

from app.astro.constants import MEAN_EARTH_RADIUS_KM
from app.astro.topocentric import look_angles
from app.sensors.coverage import coverage_half_angle_rad, coverage_ring_deg, ring_itrs
from app.sensors.sites import Sensor


def sensor(mask=10.0, max_range=1e5, az=None):
    return Sensor("s", "USA", "national", "radar", 40.0, -75.0, 0.0, mask, max_range,
                  *(az if az else (None, None)))


def _spherical_look(s, lat_deg, lon_deg, alt_km):
    """Look angles on a spherical Earth (the ring's own model), independent of pyproj."""
    site = ring_itrs(np.array([s.lat_deg]), np.array([s.lon_deg]), MEAN_EARTH_RADIUS_KM)[0]
    target = ring_itrs(lat_deg, lon_deg, MEAN_EARTH_RADIUS_KM + alt_km)
    rho = target - site
    up = site / np.linalg.norm(site)
    range_km = np.linalg.norm(rho, axis=1)
    return np.degrees(np.arcsin(rho @ up / range_km)), range_km


def test_ring_edge_is_at_the_mask():
    s = sensor(mask=10.0)
    lat, lon = coverage_ring_deg(s, 800.0)
    elevation, _ = _spherical_look(s, lat, lon, 800.0)
    np.testing.assert_allclose(elevation, 10.0, atol=1e-6)


def test_range_limit_shrinks_the_ring():
    wide = coverage_half_angle_rad(sensor(mask=3.0), 800.0)
    near = coverage_half_angle_rad(sensor(mask=3.0, max_range=1500.0), 800.0)
    assert near < wide
    lat, lon = coverage_ring_deg(sensor(mask=3.0, max_range=1500.0), 800.0)
    _, range_km = _spherical_look(sensor(), lat, lon, 800.0)
    np.testing.assert_allclose(range_km, 1500.0, rtol=1e-9)
    assert coverage_half_angle_rad(sensor(max_range=500.0), 800.0) is None  # out of reach


def test_sector_is_closed_through_the_site():
    lat, lon = coverage_ring_deg(sensor(az=(300.0, 60.0)), 800.0)
    assert (lat[0], lon[0]) == (40.0, -75.0) == (lat[-1], lon[-1])
    assert np.all(lat[1:-1] > 40.0 - 1e-6)  # a northern sector stays north of the site
    assert math.isclose(lat[1 + 90], max(lat), rel_tol=1e-9)  # due north in the middle


def test_geo_ring_from_a_pyproj_site_matches():
    s = sensor(mask=0.0)
    lat, lon = coverage_ring_deg(s, 35786.0)
    # on the real (ellipsoidal) Earth the elevation at the ring is within a few tenths of a degree of 0
    from app.astro.topocentric import Site
    r = ring_itrs(lat, lon, MEAN_EARTH_RADIUS_KM + 35786.0)
    _, elevation, _ = look_angles(Site(40.0, -75.0, 0.0), r)
    assert np.all(np.abs(elevation) < 0.5)

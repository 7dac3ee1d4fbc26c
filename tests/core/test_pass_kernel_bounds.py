"""The bounds that let the whole-catalog pass finder skip most of the day, against brute
force: neither may ever skip time when the object could be seen.

- ``coarse_kept`` (10 min intervals): every moment, sampled every 20 s with SGP4 itself,
  when the object is above the sensor's mask and in range lies in a kept interval;
- ``_may_rise`` (2 min intervals, on the Hermite interpolant the kernel evaluates): where
  it says g = up - sin(mask) x range stays negative, g sampled 41 times across the interval
  is negative; and shifted down by its highest sample, g touches zero inside every interval
  whose highest sample is not at a knot, none of which may be called skippable (a bound
  bent the wrong way is caught; one without curvature passes on this sample, so the bound
  has room to spare).

Also the pass table's time order (one sort by AOS, three keys only for ties) against
a plain three-key ``lexsort``."""

from __future__ import annotations

from datetime import datetime, timezone

import numpy as np
import pytest

from app.astro.ephemeris_satrec import sgp4_many
from app.astro.topocentric import Site
from app.sensors import pass_kernel
from app.sensors.catalog_passes import _Grid, _Limits, _time_order, _to_itrs
from app.sensors.sites import Sensor

START = datetime(2026, 8, 12, 0, 0, tzinfo=timezone.utc)
SENSORS = [Sensor("radar", "USA", "national", "radar", 42.0, -71.0, 100.0, 3.0, 6000.0),
           Sensor("low mask", "NOR", "national", "radar", 70.0, 20.0, 0.0, -2.0, 2500.0),
           Sensor("high mask", "AUS", "national", "radar", -31.0, 115.0, 0.0, 30.0, 40000.0),
           Sensor("sector", "AUS", "national", "radar", -20.0, 140.0, 0.0, 5.0, 3000.0,
                  az_min_deg=300.0, az_max_deg=60.0)]


@pytest.fixture(scope="module")
def states(default_catalog):
    """SGP4 at the fine knots of a day for a strided sample with every regime in it."""
    catalog = default_catalog
    rows = set(np.linspace(0, len(catalog) - 1, 240).astype(int).tolist())
    for regime in ("HEO", "GEO", "MEO"):
        rows |= set(np.flatnonzero(catalog.regime == regime)[:10].tolist())
    satrecs = [catalog.satrecs[r] for r in sorted(rows)]
    grid = _Grid(START, 24.0)
    jd, fr = np.full(len(grid.fine_t), grid.jd0), grid.fr(grid.fine_t)
    error, r, v = sgp4_many(satrecs, jd, fr)
    good = ~(error != 0).any(axis=1)
    satrecs = [s for s, ok in zip(satrecs, good) if ok]
    r, v = r[good], v[good]
    coarse = grid.coarse_columns
    limits = _Limits.of(satrecs, r[:, coarse], v[:, coarse])
    return satrecs, grid, r, v, limits


def _parameters(sensor: Sensor):
    site = Site(sensor.lat_deg, sensor.lon_deg, sensor.alt_m)
    return site, pass_kernel.sensor_parameters(site.r_itrs_km, site.enu_axes, sensor.min_elevation_deg,
                                               sensor.max_range_km, sensor.az_min_deg, sensor.az_max_deg)


def test_coarse_intervals_left_out_hold_no_moment_in_view(states):
    satrecs, grid, r, v, limits = states
    coarse = grid.coarse_columns
    r_e, v_e = _to_itrs(r[:, coarse], grid.gmst(grid.fine_t[coarse])[None, :], v[:, coarse])
    t = np.arange(0.0, grid.span_s, 20.0)
    error, r_t, _v = sgp4_many(satrecs, np.full(len(t), grid.jd0), grid.fr(t))
    r_t = _to_itrs(r_t, grid.gmst(t)[None, :])
    for sensor in SENSORS:
        site, parameters = _parameters(sensor)
        kept = np.zeros((len(satrecs), grid.coarse_count), dtype=bool)
        pass_kernel.coarse_kept(r_e, v_e, limits.r_max, limits.speed, limits.acceleration, grid.coarse_s,
                                parameters, kept)
        offset = r_t - site.r_itrs_km
        distance = np.linalg.norm(offset, axis=-1)
        in_view = (offset @ site.enu_axes[2] > np.sin(np.radians(sensor.min_elevation_deg)) * distance) \
            & (distance < sensor.max_range_km) & (error == 0)
        obj, sample = np.nonzero(in_view)
        assert len(obj) > 1000, sensor.name
        assert kept[obj, (t[sample] // grid.coarse_s).astype(int)].all(), sensor.name
        assert kept.mean() < 0.5, sensor.name  # and it does leave most of the day out


def _sampled_margin(r, v, theta, step, m, fractions, h, site, sin_mask):
    """g = up - sin(mask) x range on the cubic Hermite interpolant (as the kernel's), at
    ``fractions`` of intervals (obj, m) given as index arrays."""
    obj, m = m
    s = fractions[None, :, None]
    p0, p1 = r[obj, m][:, None], r[obj, m + 1][:, None]
    d0, d1 = v[obj, m][:, None] * h, v[obj, m + 1][:, None] * h
    position = p0 + s * (d0 + s * (3.0 * (p1 - p0) - (2.0 * d0 + d1) + s * (2.0 * (p0 - p1) + d0 + d1)))
    angle = theta[m][:, None] + step[m][:, None] * fractions[None, :]
    earth_fixed = _to_itrs(position, angle)
    offset = earth_fixed - site.r_itrs_km
    return offset @ site.enu_axes[2] - sin_mask * np.linalg.norm(offset, axis=-1)


def _knot_margins(r, v, theta, site, sin_mask):
    r_e, v_e = _to_itrs(r, theta[None, :], v)
    offset = r_e - site.r_itrs_km
    distance = np.linalg.norm(offset, axis=-1)
    up = site.enu_axes[2]
    range_rate = np.einsum("ijk,ijk->ij", offset, v_e) / distance
    return offset @ up - sin_mask * distance, v_e @ up - sin_mask * range_rate, distance


def _skippable(g, rate, distance, i, j, h, limits, sin_mask, curvature_scale=1.0, shift=0.0):
    return not pass_kernel._may_rise(g[i, j] - shift, rate[i, j], distance[i, j], g[i, j + 1] - shift,
                                     rate[i, j + 1], distance[i, j + 1], h, limits.speed[i],
                                     curvature_scale * limits.acceleration[i], sin_mask)


def _interval_highs(r, v, theta, h, site, sin_mask, fractions):
    """Highest sampled g of every interval, and whether it lies inside (not at a knot)."""
    step = np.append(np.diff(theta), 0.0)
    objects, intervals = r.shape[0], r.shape[1] - 1
    highest = np.empty((objects, intervals))
    inside = np.empty((objects, intervals), dtype=bool)
    for first in range(0, objects, 40):
        rows = np.arange(first, min(first + 40, objects))
        obj, m = np.repeat(rows, intervals), np.tile(np.arange(intervals), len(rows))
        sampled = _sampled_margin(r, v, theta, step, (obj, m), fractions, h, site, sin_mask)
        at = sampled.argmax(axis=1)
        highest[rows] = sampled.max(axis=1).reshape(len(rows), intervals)
        inside[rows] = ((at > 0) & (at < len(fractions) - 1)).reshape(len(rows), intervals)
    return highest, inside


@pytest.mark.parametrize("curvature_scale, sound", [(1.0, True), (-0.5, False)])
def test_fine_intervals_skipped_never_reach_the_mask(states, curvature_scale, sound):
    """The skip's claim, g < 0 throughout, tested where it matters and everywhere else too:
    g shifted down by its highest sampled value touches zero inside every interval whose
    highest sample is not at a knot (culminations, grazes below the horizon), so none of
    those may be skippable. A bound bent the wrong way (``curvature_scale`` < 0) is caught."""
    satrecs, grid, r, v, limits = states
    h = grid.fine_s
    theta = np.unwrap(grid.gmst(grid.fine_t))
    fractions = np.linspace(0.0, 1.0, 41)
    wrongly_skipped, tried = 0, 0
    for sensor in SENSORS:
        site, parameters = _parameters(sensor)
        sin_mask = parameters[pass_kernel.SIN_MASK]
        g, rate, distance = _knot_margins(r, v, theta, site, sin_mask)
        highest, inside = _interval_highs(r, v, theta, h, site, sin_mask, fractions)
        obj, m = np.nonzero(inside)
        tried += len(obj)
        wrongly_skipped += sum(_skippable(g, rate, distance, i, j, h, limits, sin_mask, curvature_scale,
                                          shift=highest[i, j] - 1e-9) for i, j in zip(obj.tolist(), m.tolist()))
        if sound:  # as the kernel uses it: both knots below the mask
            obj, m = np.nonzero((g[:, :-1] < 0.0) & (g[:, 1:] < 0.0))
            skip = np.array([_skippable(g, rate, distance, i, j, h, limits, sin_mask)
                             for i, j in zip(obj.tolist(), m.tolist())], dtype=bool)
            assert skip.mean() > 0.8, sensor.name  # most intervals never looked at closely
            assert (highest[obj[skip], m[skip]] < 0.0).all(), sensor.name
    assert tried > 10_000
    assert (wrongly_skipped == 0) == sound, wrongly_skipped


def test_the_knot_values_the_kernel_uses_are_the_margin_and_its_rate(states):
    satrecs, grid, r, v, limits = states
    theta = np.unwrap(grid.gmst(grid.fine_t))
    turn = np.column_stack([np.cos(theta), np.sin(theta), np.append(np.diff(theta), 0.0)])
    site, parameters = _parameters(SENSORS[1])
    g, rate, distance = _knot_margins(r, v, theta, site, parameters[pass_kernel.SIN_MASK])
    for i, m in [(0, 0), (5, 100), (len(satrecs) - 1, 700), (17, 333)]:
        seen, g_knot, rate_knot, distance_knot = pass_kernel._knot(r, v, turn, i, m, parameters)
        assert g_knot == pytest.approx(g[i, m], abs=1e-9)
        assert rate_knot == pytest.approx(rate[i, m], abs=1e-9)
        assert distance_knot == pytest.approx(distance[i, m], abs=1e-9)
        assert seen == (g[i, m] > 0 and distance[i, m] < SENSORS[1].max_range_km)
    # the rate is the derivative of g along the interpolant: centred differences at a knot
    fractions = np.array([-1e-4, 1e-4]) / grid.fine_s * 60.0
    for i, m in [(5, 100), (17, 333)]:
        sampled = _sampled_margin(r, v, theta, np.append(np.diff(theta), 0.0), (np.array([i]), np.array([m])),
                                  fractions, grid.fine_s, site, parameters[pass_kernel.SIN_MASK])[0]
        derivative = (sampled[1] - sampled[0]) / (2e-4 * 60.0)
        assert derivative == pytest.approx(rate[i, m], rel=1e-4, abs=1e-6)


def test_time_order_is_aos_then_sensor_then_object():
    generator = np.random.default_rng(7)
    count = 5000
    aos = np.round(generator.uniform(0.0, 600.0, count))  # many ties
    aos[:400] = 0.0  # passes in progress when the window opens
    columns = {"aos_s": aos, "sensor_index": generator.integers(0, 6, count),
               "norad_id": generator.integers(1, 90000, count)}
    order = _time_order(columns)
    expected = np.lexsort((columns["norad_id"], columns["sensor_index"], aos))
    keys = np.column_stack([aos, columns["sensor_index"], columns["norad_id"]])
    assert np.array_equal(keys[order], keys[expected])
    assert sorted(order.tolist()) == list(range(count))
    assert len(_time_order({name: values[:0] for name, values in columns.items()})) == 0

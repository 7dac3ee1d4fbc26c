"""One sensor's passes over one chunk of objects, compiled with numba (releases the GIL).

``catalog_passes`` hands over the fine knots (TEME states; NaN where no sensor kept the
interval), the Earth's rotation angle at each knot, and this sensor's kept fine intervals as
(object, interval) pairs in time order per object. Between knots the orbit is the cubic
Hermite interpolant, turned to the Earth-fixed frame by the rotation angle interpolated
linearly (GMST is linear in time to 1e-10 rad over a day). On that curve, per interval:

- is the object seen at each knot (above the mask, in range, in the azimuth sector)? A
  change is a rise or a set, found by bisection to under 1 ms;
- both knots unseen, the visibility margin of ``passes.py`` (degrees) within
  ``PEAK_FLOOR_DEG`` of seen, rising from one knot and falling to the other: golden-section
  search for its peak between them, and if that is seen, a short pass, rise and set by
  bisection either side of it;
- a set closes the pass: 17 probes, then golden section (0.1 s) for the culmination; the
  maximum elevation, range and TEME position there go out (lighting is done by the caller).

Most evaluations only ask "seen or not": no arcsine, and the Earth's turn within an interval
by the angle-addition formulas from the knot's cosine and sine (the turn over 2 min is
under 0.01 rad: the series below are exact to 1e-12).
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np

from app.common.kernel_cache import install_frozen_locator

install_frozen_locator()  # before the first kernel below is defined (a no-op unless frozen)

PEAK_FLOOR_DEG = -25.0
RANGE_MARGIN_SCALE_KM = 100.0
SLOPE_PROBE_S = 0.05
ROOT_TOLERANCE_S = 1e-3
PROBES_PER_PASS = 17
_GOLDEN = (math.sqrt(5.0) - 1.0) / 2.0
# sensor parameters, one float64 array: site x, y, z (ITRS km), east, north, up axes, limits
SITE, EAST, NORTH, UP = 0, 3, 6, 9
MASK_DEG, SIN_MASK, SIN_NEAR, MAX_RANGE_KM, AZ_MIN_DEG, AZ_MAX_DEG, HAS_SECTOR = 12, 13, 14, 15, 16, 17, 18


def sensor_parameters(site_r_km, enu_axes, mask_deg, max_range_km, az_min_deg, az_max_deg) -> np.ndarray:
    sector = az_min_deg is not None and az_max_deg is not None
    return np.concatenate([site_r_km, enu_axes[0], enu_axes[1], enu_axes[2],
                           [mask_deg, math.sin(math.radians(mask_deg)),
                            math.sin(math.radians(max(mask_deg + PEAK_FLOOR_DEG, -90.0))), max_range_km,
                            az_min_deg if sector else 0.0, az_max_deg if sector else 0.0,
                            1.0 if sector else 0.0]]).astype(np.float64)


@nb.njit(cache=True, nogil=True, inline="always")
def _hermite(r, v, obj, m, d, s, h):
    """Coordinate ``d`` of the cubic Hermite interpolant at fraction ``s`` of interval ``m``."""
    p0, p1 = r[obj, m, d], r[obj, m + 1, d]
    d0, d1 = v[obj, m, d] * h, v[obj, m + 1, d] * h
    c2 = 3.0 * (p1 - p0) - (2.0 * d0 + d1)
    c3 = 2.0 * (p0 - p1) + d0 + d1
    return p0 + s * (d0 + s * (c2 + s * c3))


@nb.njit(cache=True, nogil=True, inline="always")
def _enu(r, v, turn, obj, m, s, h, sensor):
    """(east, north, up) from the site in km, and the TEME position, at fraction ``s`` of
    interval ``m``. ``turn`` rows: (cos, sin) of the rotation angle at each knot, and the
    angle's step to the next knot."""
    if s == 0.0:
        x, y, z = r[obj, m, 0], r[obj, m, 1], r[obj, m, 2]
    elif s == 1.0:
        x, y, z = r[obj, m + 1, 0], r[obj, m + 1, 1], r[obj, m + 1, 2]
    else:
        x, y, z = _hermite(r, v, obj, m, 0, s, h), _hermite(r, v, obj, m, 1, s, h), _hermite(r, v, obj, m, 2, s, h)
    b = turn[m, 2] * s
    b2 = b * b
    cos_b = 1.0 - b2 * (0.5 - b2 / 24.0)
    sin_b = b * (1.0 - b2 * (1.0 / 6.0 - b2 / 120.0))
    c = turn[m, 0] * cos_b - turn[m, 1] * sin_b
    sn = turn[m, 1] * cos_b + turn[m, 0] * sin_b
    dx = c * x + sn * y - sensor[SITE]
    dy = -sn * x + c * y - sensor[SITE + 1]
    dz = z - sensor[SITE + 2]
    east = sensor[EAST] * dx + sensor[EAST + 1] * dy + sensor[EAST + 2] * dz
    north = sensor[NORTH] * dx + sensor[NORTH + 1] * dy + sensor[NORTH + 2] * dz
    up = sensor[UP] * dx + sensor[UP + 1] * dy + sensor[UP + 2] * dz
    return east, north, up, x, y, z


@nb.njit(cache=True, nogil=True, inline="always")
def _sector_margin_deg(east, north, sensor):
    width = (sensor[AZ_MAX_DEG] - sensor[AZ_MIN_DEG]) % 360.0
    if width == 0.0:
        width = 360.0
    into = (math.degrees(math.atan2(east, north)) - sensor[AZ_MIN_DEG]) % 360.0
    return min(into, width - into) if into <= width else -min(into - width, 360.0 - into)


@nb.njit(cache=True, nogil=True)
def _seen(r, v, turn, obj, m, s, h, sensor):
    """Above the mask, within range and in the sector: the sign of the margin, cheaply."""
    east, north, up, _x, _y, _z = _enu(r, v, turn, obj, m, s, h, sensor)
    distance = math.sqrt(east * east + north * north + up * up)
    if up <= distance * sensor[SIN_MASK] or distance >= sensor[MAX_RANGE_KM]:
        return False
    return sensor[HAS_SECTOR] == 0.0 or _sector_margin_deg(east, north, sensor) > 0.0


@nb.njit(cache=True, nogil=True)
def _near(r, v, turn, obj, m, s, h, sensor):
    """Could the margin here be above ``PEAK_FLOOR_DEG`` (the sector aside)? Cheaply."""
    east, north, up, _x, _y, _z = _enu(r, v, turn, obj, m, s, h, sensor)
    distance = math.sqrt(east * east + north * north + up * up)
    return up > distance * sensor[SIN_NEAR] and distance < sensor[MAX_RANGE_KM] - PEAK_FLOOR_DEG * RANGE_MARGIN_SCALE_KM


@nb.njit(cache=True, nogil=True)
def _margin(r, v, turn, obj, m, s, h, sensor):
    """The visibility margin in degrees (as ``passes.visibility_margin``): > 0 when seen."""
    east, north, up, _x, _y, _z = _enu(r, v, turn, obj, m, s, h, sensor)
    distance = math.sqrt(east * east + north * north + up * up)
    elevation = math.degrees(math.asin(min(1.0, max(-1.0, up / distance))))
    margin = min(elevation - sensor[MASK_DEG], (sensor[MAX_RANGE_KM] - distance) / RANGE_MARGIN_SCALE_KM)
    if sensor[HAS_SECTOR] > 0.0:
        margin = min(margin, _sector_margin_deg(east, north, sensor))
    return margin


@nb.njit(cache=True, nogil=True, inline="always")
def _segment(r, obj, t, h, last):
    """The interval holding ``t`` whose states exist, and the fraction into it."""
    m = min(max(int(t / h), 0), last)
    if math.isnan(r[obj, m + 1, 0]) and m > 0:
        m -= 1  # t on the knot that ends a kept stretch
    elif math.isnan(r[obj, m, 0]) and m < last:
        m += 1  # t on the knot that starts one
    return m, (t - m * h) / h


@nb.njit(cache=True, nogil=True, inline="always")
def _sine_elevation(r, v, turn, obj, t, h, last, sensor):
    m, s = _segment(r, obj, t, h, last)
    east, north, up, _x, _y, _z = _enu(r, v, turn, obj, m, s, h, sensor)
    return up / math.sqrt(east * east + north * north + up * up)


@nb.njit(cache=True, nogil=True)
def _bisect(r, v, turn, obj, m, low, high, seen_at_low, h, sensor):
    """Where seen turns to unseen (or back) in [low, high] (times, s) inside interval ``m``."""
    t0 = m * h
    while high - low > ROOT_TOLERANCE_S:
        middle = 0.5 * (low + high)
        if _seen(r, v, turn, obj, m, (middle - t0) / h, h, sensor) == seen_at_low:
            low = middle
        else:
            high = middle
    return 0.5 * (low + high)


@nb.njit(cache=True, nogil=True, inline="always")
def _probe(r, v, turn, obj, m, t, anywhere, h, last, sensor):
    if anywhere:  # the sine of the elevation, anywhere in a pass
        return _sine_elevation(r, v, turn, obj, t, h, last, sensor)
    return _margin(r, v, turn, obj, m, (t - m * h) / h, h, sensor)  # the margin inside interval m


@nb.njit(cache=True, nogil=True)
def _golden(r, v, turn, obj, m, low, high, tolerance, anywhere, h, last, sensor):
    """Arg-max in [low, high] of the margin inside interval ``m``, or of the elevation."""
    a, b = low, high
    c, d = b - _GOLDEN * (b - a), a + _GOLDEN * (b - a)
    fc = _probe(r, v, turn, obj, m, c, anywhere, h, last, sensor)
    fd = _probe(r, v, turn, obj, m, d, anywhere, h, last, sensor)
    while b - a > tolerance:
        if fc > fd:
            b, d, fd = d, c, fc
            c = b - _GOLDEN * (b - a)
            fc = _probe(r, v, turn, obj, m, c, anywhere, h, last, sensor)
        else:
            a, c, fc = c, d, fd
            d = a + _GOLDEN * (b - a)
            fd = _probe(r, v, turn, obj, m, d, anywhere, h, last, sensor)
    return 0.5 * (a + b)


@nb.njit(cache=True, nogil=True)
def _emit(r, v, turn, obj, aos, los, h, last, sensor, count, out_obj, out_times, out_values, out_teme):
    """Culmination of the pass (aos, los) and its row in the outputs."""
    best, best_sine = 0, -2.0
    step = (los - aos) / (PROBES_PER_PASS - 1)
    for k in range(PROBES_PER_PASS):
        sine = _sine_elevation(r, v, turn, obj, aos + k * step, h, last, sensor)
        if sine > best_sine:
            best, best_sine = k, sine
    low = aos + max(best - 1, 0) * step
    high = aos + min(best + 1, PROBES_PER_PASS - 1) * step
    tca = _golden(r, v, turn, obj, 0, low, high, 0.1, True, h, last, sensor)
    m, s = _segment(r, obj, tca, h, last)
    east, north, up, x, y, z = _enu(r, v, turn, obj, m, s, h, sensor)
    distance = math.sqrt(east * east + north * north + up * up)
    out_obj[count] = obj
    out_times[count, 0], out_times[count, 1], out_times[count, 2] = aos, tca, los
    out_values[count, 0] = math.degrees(math.asin(min(1.0, max(-1.0, up / distance))))
    out_values[count, 1] = distance
    out_teme[count, 0], out_teme[count, 1], out_teme[count, 2] = x, y, z


@nb.njit(cache=True, nogil=True)
def sensor_passes(r, v, turn, seg_obj, seg_m, h, span_s, sensor, out_obj, out_times, out_values, out_teme):
    """Passes found along the kept intervals into the outputs; returns how many, -1 when the
    outputs are too short (the caller makes them longer and calls again), -2 when a pass
    runs off the end of a kept stretch (the caller falls back to the slow way)."""
    last = r.shape[1] - 2  # the last interval
    capacity = out_obj.shape[0]
    count = 0
    aos = np.nan
    previous_obj, previous_m, previous_seen1 = -1, -2, False
    for k in range(seg_obj.shape[0]):
        obj, m = seg_obj[k], seg_m[k]
        if not math.isnan(aos) and (obj != previous_obj or m != previous_m + 1):
            return -2  # seen at the end of a kept stretch: the bound let a pass through (never seen)
        t0 = m * h
        t1 = t0 + h
        if obj == previous_obj and m == previous_m + 1:
            seen0 = previous_seen1
        else:
            seen0 = _seen(r, v, turn, obj, m, 0.0, h, sensor)
        seen1 = _seen(r, v, turn, obj, m, 1.0, h, sensor)
        previous_obj, previous_m, previous_seen1 = obj, m, seen1
        if m == 0 and seen0:
            aos = 0.0  # seen when the window opens
        if seen0 != seen1:
            root = _bisect(r, v, turn, obj, m, t0, t1, seen0, h, sensor)
            if not seen0:
                aos = root
            elif not math.isnan(aos):
                if count == capacity:
                    return -1
                _emit(r, v, turn, obj, aos, root, h, last, sensor, count, out_obj, out_times, out_values, out_teme)
                count += 1
                aos = np.nan
        elif not seen0 and (_near(r, v, turn, obj, m, 0.0, h, sensor) or _near(r, v, turn, obj, m, 1.0, h, sensor)):
            g0 = _margin(r, v, turn, obj, m, 0.0, h, sensor)
            g1 = _margin(r, v, turn, obj, m, 1.0, h, sensor)
            if max(g0, g1) > PEAK_FLOOR_DEG \
                    and _margin(r, v, turn, obj, m, SLOPE_PROBE_S / h, h, sensor) > g0 \
                    and _margin(r, v, turn, obj, m, 1.0 - SLOPE_PROBE_S / h, h, sensor) > g1:
                top = _golden(r, v, turn, obj, m, t0, t1, 0.5, False, h, last, sensor)
                if _seen(r, v, turn, obj, m, (top - t0) / h, h, sensor):
                    if count == capacity:
                        return -1
                    rise = _bisect(r, v, turn, obj, m, t0, top, False, h, sensor)
                    set_ = _bisect(r, v, turn, obj, m, top, t1, True, h, sensor)
                    _emit(r, v, turn, obj, rise, set_, h, last, sensor, count, out_obj, out_times, out_values,
                          out_teme)
                    count += 1
        if m == last and seen1 and not math.isnan(aos):
            if count == capacity:
                return -1
            _emit(r, v, turn, obj, aos, span_s, h, last, sensor, count, out_obj, out_times, out_values, out_teme)
            count += 1
            aos = np.nan
    return count

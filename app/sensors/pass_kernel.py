"""One sensor's passes over one chunk of objects, compiled with numba (releases the GIL).

``catalog_passes`` hands over the fine knots (TEME states; NaN where no sensor kept the
interval), the Earth's rotation angle at each knot, and this sensor's kept fine intervals as
(object, interval) pairs in time order per object. Between knots the orbit is the cubic
Hermite interpolant, turned to the Earth-fixed frame by the rotation angle interpolated
linearly (GMST is linear in time to 1e-10 rad over a day). On that curve, per interval:

- is the object seen at each knot (above the mask, in range, in the azimuth sector)? A
  change is a rise or a set, found to under 1 ms by regula falsi (Illinois) on a continuous
  margin, falling back to bisection steps where that stalls;
- both knots unseen, the visibility margin of ``passes.py`` (degrees) within
  ``PEAK_FLOOR_DEG`` of seen, rising from one knot and falling to the other: Brent's search
  for its peak between them, and if that is seen, a short pass, rise and set either side;
- a set closes the pass: 9 probes (17 for a pass over an hour, which may culminate twice),
  then Brent's search (0.1 s) for the culmination; the maximum elevation, range and TEME
  position there go out (lighting is done by the caller).

Most intervals are dismissed before any of this: with g = up - sin(mask) x range (> 0 above
the mask), its value and rate at both knots and a bound G on |g''| (from the object's
Earth-fixed speed and acceleration bounds), g stays under the lower of the two parabolas
g(knot) + g'(knot) t + G t^2 / 2 drawn from each end; when that is below zero everywhere
the object cannot be seen in the interval (no Hermite evaluation at all).

Most evaluations only ask "seen or not": no arcsine, and the Earth's turn within an interval
by the angle-addition formulas from the knot's cosine and sine (the turn over 2 min is
under 0.01 rad: the series below are exact to 1e-12).
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np

from app.astro.constants import EARTH_ROTATION_RAD_S, WGS72_EARTH_RADIUS_KM as EARTH_RADIUS_KM
from app.common.kernel_cache import install_frozen_locator

install_frozen_locator()  # before the first kernel below is defined (a no-op unless frozen)

PEAK_FLOOR_DEG = -25.0
RANGE_MARGIN_SCALE_KM = 100.0
SLOPE_PROBE_S = 0.05
ROOT_TOLERANCE_S = 1e-3
PROBES_PER_SHORT_PASS = 9  # a low orbit's pass: one rise, one culmination, one set
PROBES_PER_LONG_PASS = 17  # a high orbit's elevation may rise and fall more than once
LONG_PASS_S = 3600.0
_GOLDEN = (math.sqrt(5.0) - 1.0) / 2.0
CURVATURE_SAFETY = 1.1  # the interpolant's g'' against the bound on the true one
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
def _knot(r, v, turn, obj, m, sensor):
    """At knot ``m``: seen or not (as ``_seen``), g = up - sin(mask) x range (km, > 0 above
    the mask), its rate (km/s) and the range (km), from the knot's state turned to the
    Earth-fixed frame."""
    c, sn = turn[m, 0], turn[m, 1]
    x, y, z = c * r[obj, m, 0] + sn * r[obj, m, 1], -sn * r[obj, m, 0] + c * r[obj, m, 1], r[obj, m, 2]
    vx = c * v[obj, m, 0] + sn * v[obj, m, 1] + EARTH_ROTATION_RAD_S * y
    vy = -sn * v[obj, m, 0] + c * v[obj, m, 1] - EARTH_ROTATION_RAD_S * x
    vz = v[obj, m, 2]
    dx, dy, dz = x - sensor[SITE], y - sensor[SITE + 1], z - sensor[SITE + 2]
    distance = math.sqrt(dx * dx + dy * dy + dz * dz)
    up = sensor[UP] * dx + sensor[UP + 1] * dy + sensor[UP + 2] * dz
    up_rate = sensor[UP] * vx + sensor[UP + 1] * vy + sensor[UP + 2] * vz
    range_rate = (dx * vx + dy * vy + dz * vz) / distance
    g = up - sensor[SIN_MASK] * distance
    seen = g > 0.0 and distance < sensor[MAX_RANGE_KM]
    if seen and sensor[HAS_SECTOR] > 0.0:
        east = sensor[EAST] * dx + sensor[EAST + 1] * dy + sensor[EAST + 2] * dz
        north = sensor[NORTH] * dx + sensor[NORTH + 1] * dy + sensor[NORTH + 2] * dz
        seen = _sector_margin_deg(east, north, sensor) > 0.0
    return seen, g, up_rate - sensor[SIN_MASK] * range_rate, distance


@nb.njit(cache=True, nogil=True, inline="always")
def _may_rise(g0, rate0, d0, g1, rate1, d1, h, speed, acceleration, sin_mask):
    """Can g (see ``_knot``) reach zero between two knots where it is negative?
    |g''| <= A + |sin mask| (A + V^2 / range) (range'' <= V^2 / range + A), so g stays under
    min(p0, p1), p0 = g0 + rate0 t + G t^2/2 from the left knot and p1 likewise from the
    right; both are convex, so the highest point of their minimum is where they cross."""
    nearest = min(d0, d1) - 0.5 * speed * h
    if nearest < 1.0:
        return True
    curvature = CURVATURE_SAFETY * (acceleration + abs(sin_mask) * (acceleration + speed * speed / nearest))
    slope = rate0 - rate1 + curvature * h  # p0 - p1 = offset + slope t
    offset = g0 - g1 + rate1 * h - 0.5 * curvature * h * h
    if slope == 0.0:
        return False
    t = -offset / slope
    return 0.0 < t < h and g0 + rate0 * t + 0.5 * curvature * t * t >= 0.0


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
def _seen_margin(r, v, turn, obj, m, s, h, sensor):
    """A continuous function positive exactly where ``_seen`` is true: the least of the
    sine of the elevation above the mask's, the range to spare (per 1000 km) and the sector
    margin (radians)."""
    east, north, up, _x, _y, _z = _enu(r, v, turn, obj, m, s, h, sensor)
    distance = math.sqrt(east * east + north * north + up * up)
    margin = min(up / distance - sensor[SIN_MASK], (sensor[MAX_RANGE_KM] - distance) / 1000.0)
    if sensor[HAS_SECTOR] > 0.0:
        margin = min(margin, math.radians(_sector_margin_deg(east, north, sensor)))
    return margin


@nb.njit(cache=True, nogil=True)
def _bisect(r, v, turn, obj, m, low, high, seen_at_low, h, sensor):
    """Where seen turns to unseen (or back) in [low, high] (times, s) inside interval ``m``,
    to ``ROOT_TOLERANCE_S``: regula falsi with the Illinois rule on ``_seen_margin`` (a few
    evaluations where bisection takes 17), a bisection step whenever the bracket fails to
    halve."""
    t0 = m * h
    side = 1.0 if seen_at_low else -1.0  # f = side x margin: > 0 at low, < 0 at high
    f_low = max(side * _seen_margin(r, v, turn, obj, m, (low - t0) / h, h, sensor), 1e-300)
    f_high = min(side * _seen_margin(r, v, turn, obj, m, (high - t0) / h, h, sensor), -1e-300)
    kept_end, reference, steps = 0, high - low, 0
    while high - low > ROOT_TOLERANCE_S:
        if steps == 2:  # two steps since the bracket last halved
            t = 0.5 * (low + high)
        else:
            t = high - f_high * (high - low) / (f_high - f_low)
            t = min(max(t, low + 0.25 * ROOT_TOLERANCE_S), high - 0.25 * ROOT_TOLERANCE_S)
        f = side * _seen_margin(r, v, turn, obj, m, (t - t0) / h, h, sensor)
        if f > 0.0:
            low, f_low = t, f
            if kept_end == 1:
                f_high *= 0.5  # the Illinois rule: an end kept twice weighs half
            kept_end = 1
        else:
            high, f_high = t, min(f, -1e-300)
            if kept_end == -1:
                f_low *= 0.5
            kept_end = -1
        steps += 1
        if high - low <= 0.5 * reference or steps > 2:
            reference, steps = high - low, 0
    return 0.5 * (low + high)


@nb.njit(cache=True, nogil=True, inline="always")
def _probe(r, v, turn, obj, m, t, anywhere, h, last, sensor):
    if anywhere:  # the sine of the elevation, anywhere in a pass
        return _sine_elevation(r, v, turn, obj, t, h, last, sensor)
    return _margin(r, v, turn, obj, m, (t - m * h) / h, h, sensor)  # the margin inside interval m


@nb.njit(cache=True, nogil=True)
def _peak(r, v, turn, obj, m, low, high, x, fx, tolerance, anywhere, h, last, sensor):
    """Arg-max in [low, high] of the margin inside interval ``m``, or of the elevation, to
    about ``tolerance`` (s): Brent's method (parabolic steps through the three best points,
    golden-section steps where a parabola would not help), from ``x`` where ``fx`` is known
    (NaN: from the golden point)."""
    if math.isnan(x):
        x = low + (1.0 - _GOLDEN) * (high - low)
        fx = _probe(r, v, turn, obj, m, x, anywhere, h, last, sensor)
    a, b = low, high
    w, fw, u_prev, fv = x, fx, x, fx  # second and third best points (u_prev: the third)
    step, last_step = 0.0, 0.0
    tol = 0.25 * tolerance  # the bracket ends at most 4 tol wide
    while True:
        middle = 0.5 * (a + b)
        if abs(x - middle) <= 2.0 * tol - 0.5 * (b - a):
            return x
        parabolic = False
        if abs(last_step) > tol:
            q1 = (x - w) * (fx - fv)
            q2 = (x - u_prev) * (fx - fw)
            p = (x - u_prev) * q2 - (x - w) * q1
            q = 2.0 * (q2 - q1)
            if q > 0.0:
                p = -p
            q = abs(q)
            if abs(p) < abs(0.5 * q * last_step) and q * (a - x) < p < q * (b - x):
                last_step, step = step, p / q
                parabolic = True
                if (x + step) - a < 2.0 * tol or b - (x + step) < 2.0 * tol:
                    step = tol if middle >= x else -tol
        if not parabolic:
            last_step = (a - x) if x >= middle else (b - x)
            step = (1.0 - _GOLDEN) * last_step
        u = x + (step if abs(step) >= tol else (tol if step > 0.0 else -tol))
        fu = _probe(r, v, turn, obj, m, u, anywhere, h, last, sensor)
        if fu >= fx:
            if u >= x:
                a = x
            else:
                b = x
            u_prev, fv, w, fw, x, fx = w, fw, x, fx, u, fu
        else:
            if u < x:
                a = u
            else:
                b = u
            if fu >= fw or w == x:
                u_prev, fv, w, fw = w, fw, u, fu
            elif fu >= fv or u_prev == x or u_prev == w:
                u_prev, fv = u, fu


@nb.njit(cache=True, nogil=True)
def _emit(r, v, turn, obj, aos, los, h, last, sensor, count, out_obj, out_times, out_values, out_teme):
    """Culmination of the pass (aos, los) and its row in the outputs."""
    best, best_sine = 0, -2.0
    probes = PROBES_PER_SHORT_PASS if los - aos < LONG_PASS_S else PROBES_PER_LONG_PASS
    step = (los - aos) / (probes - 1)
    for k in range(probes):
        sine = _sine_elevation(r, v, turn, obj, aos + k * step, h, last, sensor)
        if sine > best_sine:
            best, best_sine = k, sine
    low = aos + max(best - 1, 0) * step
    high = aos + min(best + 1, probes - 1) * step
    tca = _peak(r, v, turn, obj, 0, low, high, aos + best * step, best_sine, 0.1, True, h, last, sensor)
    m, s = _segment(r, obj, tca, h, last)
    east, north, up, x, y, z = _enu(r, v, turn, obj, m, s, h, sensor)
    distance = math.sqrt(east * east + north * north + up * up)
    out_obj[count] = obj
    out_times[count, 0], out_times[count, 1], out_times[count, 2] = aos, tca, los
    out_values[count, 0] = math.degrees(math.asin(min(1.0, max(-1.0, up / distance))))
    out_values[count, 1] = distance
    out_teme[count, 0], out_teme[count, 1], out_teme[count, 2] = x, y, z


@nb.njit(cache=True, nogil=True)
def coarse_kept(r_itrs, v_itrs, r_max, speed, acceleration, step_s, sensor, kept):
    """Into ``kept`` (objects, coarse intervals): where the object may be above the horizon
    and within range at some time of the interval, from its Earth-fixed states at the coarse
    knots. The height above the horizon plane h(t) = (r - site) . up has |h''| <= the
    acceleration bound A, so on each half of an interval h stays under its end's value plus
    rate x step/2 + A step^2/8; range changes no faster than the speed. Below a negative mask,
    visibility reaches under the horizon plane by range x sin(mask)."""
    half = 0.5 * step_s
    depth = min(0.0, sensor[SIN_MASK])
    for i in range(r_itrs.shape[0]):
        slack = acceleration[i] * step_s * step_s / 8.0
        floor = depth * min(sensor[MAX_RANGE_KM], r_max[i] + EARTH_RADIUS_KM)
        height1, rate1, distance1 = _plane_height(r_itrs, v_itrs, i, 0, sensor)
        for j in range(kept.shape[1]):
            height0, rate0, distance0 = height1, rate1, distance1
            height1, rate1, distance1 = _plane_height(r_itrs, v_itrs, i, j + 1, sensor)
            highest = max(max(height0, height1), max(height0 + rate0 * half, height1 - rate1 * half) + slack)
            nearest = 0.5 * (distance0 + distance1 - speed[i] * step_s)
            kept[i, j] = highest >= floor and nearest <= sensor[MAX_RANGE_KM]


@nb.njit(cache=True, nogil=True, inline="always")
def _plane_height(r_itrs, v_itrs, i, j, sensor):
    dx, dy, dz = r_itrs[i, j, 0] - sensor[SITE], r_itrs[i, j, 1] - sensor[SITE + 1], r_itrs[i, j, 2] - sensor[SITE + 2]
    height = sensor[UP] * dx + sensor[UP + 1] * dy + sensor[UP + 2] * dz
    rate = sensor[UP] * v_itrs[i, j, 0] + sensor[UP + 1] * v_itrs[i, j, 1] + sensor[UP + 2] * v_itrs[i, j, 2]
    return height, rate, math.sqrt(dx * dx + dy * dy + dz * dz)


@nb.njit(cache=True, nogil=True)
def sensor_passes(r, v, turn, kept, per_coarse, h, span_s, sensor, speed, acceleration, out_obj, out_times,
                  out_values, out_teme):
    """Passes found along the kept coarse intervals (each ``per_coarse`` fine ones) into the
    outputs; returns how many, -1 when the outputs are too short (the caller makes them
    longer and calls again), -2 when a pass runs off the end of a kept stretch (the caller
    falls back to the slow way). ``speed`` and ``acceleration``: per object, bounds on its
    Earth-fixed speed (km/s) and acceleration (km/s^2) over the window."""
    last = r.shape[1] - 2  # the last interval
    capacity = out_obj.shape[0]
    count = 0
    for obj in range(kept.shape[0]):
        aos = np.nan
        previous_m, seen1, g1, rate1, d1 = -2, False, 0.0, 0.0, 0.0
        for c in range(kept.shape[1]):
            if not kept[obj, c]:
                if not math.isnan(aos):
                    return -2  # seen at the end of a kept stretch: the bound let a pass through (never seen)
                continue
            for m in range(c * per_coarse, (c + 1) * per_coarse):
                t0 = m * h
                t1 = t0 + h
                if m == previous_m + 1:
                    seen0, g0, rate0, d0 = seen1, g1, rate1, d1
                else:
                    seen0, g0, rate0, d0 = _knot(r, v, turn, obj, m, sensor)
                seen1, g1, rate1, d1 = _knot(r, v, turn, obj, m + 1, sensor)
                previous_m = m
                if not seen0 and not seen1 and g0 < 0.0 and g1 < 0.0 and not _may_rise(
                        g0, rate0, d0, g1, rate1, d1, h, speed[obj], acceleration[obj], sensor[SIN_MASK]):
                    continue  # g < 0 throughout: never above the mask here
                if m == 0 and seen0:
                    aos = 0.0  # seen when the window opens
                if seen0 != seen1:
                    root = _bisect(r, v, turn, obj, m, t0, t1, seen0, h, sensor)
                    if not seen0:
                        aos = root
                    elif not math.isnan(aos):
                        if count == capacity:
                            return -1
                        _emit(r, v, turn, obj, aos, root, h, last, sensor, count, out_obj, out_times, out_values,
                              out_teme)
                        count += 1
                        aos = np.nan
                elif not seen0 and (_near(r, v, turn, obj, m, 0.0, h, sensor)
                                    or _near(r, v, turn, obj, m, 1.0, h, sensor)):
                    margin0 = _margin(r, v, turn, obj, m, 0.0, h, sensor)
                    margin1 = _margin(r, v, turn, obj, m, 1.0, h, sensor)
                    if max(margin0, margin1) > PEAK_FLOOR_DEG \
                            and _margin(r, v, turn, obj, m, SLOPE_PROBE_S / h, h, sensor) > margin0 \
                            and _margin(r, v, turn, obj, m, 1.0 - SLOPE_PROBE_S / h, h, sensor) > margin1:
                        top = _peak(r, v, turn, obj, m, t0, t1, np.nan, np.nan, 0.5, False, h, last, sensor)
                        if _seen(r, v, turn, obj, m, (top - t0) / h, h, sensor):
                            if count == capacity:
                                return -1
                            rise = _bisect(r, v, turn, obj, m, t0, top, False, h, sensor)
                            set_ = _bisect(r, v, turn, obj, m, top, t1, True, h, sensor)
                            _emit(r, v, turn, obj, rise, set_, h, last, sensor, count, out_obj, out_times,
                                  out_values, out_teme)
                            count += 1
                if m == last and seen1 and not math.isnan(aos):
                    if count == capacity:
                        return -1
                    _emit(r, v, turn, obj, aos, span_s, h, last, sensor, count, out_obj, out_times, out_values,
                          out_teme)
                    count += 1
                    aos = np.nan
    return count

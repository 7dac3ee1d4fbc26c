"""The all-against-all sieve's grid: which pairs of objects may pass within a threshold
near each grid step of a block. Compiled with numba; each call releases the GIL.

At each step every object's position and velocity come from a cubic Hermite interpolant
between the block's two SGP4 samples. Objects go into a uniform grid of cubes as wide as the largest
distance two ordinary objects can close in half a step, plus the threshold; points are
sorted by cube (a radix sort on the cube's x, y, z), and each cube is compared with itself
and the 13 neighbours whose keys sort after it (a neighbour column's points are one
contiguous run of the sorted array, and its bounds only ever move forward). The few fast
objects (eccentric orbits whose perigee speed exceeds ``ORDINARY_KM_S``) would widen every
cube; they are compared instead with every point in a wider block of cubes around them.

A pair is flagged at a step when the straight-line closest approach of its relative
motion within half a step either side comes within ``limit_km`` plus both objects'
interpolation bounds; ``limit_km`` carries the threshold and the curvature of the true
relative path over half a step. Pairs with one element set (same label) and pairs whose
radius bands cannot meet are never flagged.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from app.common.kernel_cache import install_frozen_locator

install_frozen_locator()  # before the first kernel below is defined (a no-op unless frozen)

ORDINARY_KM_S = 8.0  # no circular orbit above the atmosphere is faster
# per-object columns of ``objects`` (see ``object_table``)
STRAY, LOW, HIGH, LABEL, FAST = range(5)
_INVALID = np.iinfo(np.int64).max  # objects SGP4 could not propagate sort last


def object_table(stray_km: np.ndarray, low_km: np.ndarray, high_km: np.ndarray, label: np.ndarray,
                 fast: np.ndarray) -> np.ndarray:
    """One row an object: its interpolation bound, radius band, element-set label, fast flag."""
    return np.column_stack([stray_km, low_km, high_km, label, fast]).astype(np.float64)


@nb.njit(cache=True, nogil=True, inline="always")
def _key(cx, cy, cz):
    return (cx << 42) | (cy << 21) | cz


@nb.njit(cache=True, nogil=True)
def _interpolate(r0, v0, r1, v1, span_s, s, r, v):
    """Cubic Hermite position and velocity at fraction ``s`` of the span, into r and v."""
    for i in range(r0.shape[0]):
        for d in range(3):
            c1 = span_s * v0[i, d]
            c2 = 3.0 * (r1[i, d] - r0[i, d]) - span_s * (2.0 * v0[i, d] + v1[i, d])
            c3 = 2.0 * (r0[i, d] - r1[i, d]) + span_s * (v0[i, d] + v1[i, d])
            r[i, d] = r0[i, d] + s * (c1 + s * (c2 + s * c3))
            v[i, d] = (c1 + s * (2.0 * c2 + 3.0 * s * c3)) / span_s


@nb.njit(cache=True, nogil=True)
def _sort_by_cube(r, ok, cube_km, margin, cells):
    """Indices of the propagated points sorted by cube (x, then y, then z): LSD counting
    sort, three stable passes. Fills ``cells`` with cube coordinates from ``margin`` up."""
    n = r.shape[0]
    points = np.empty(n, np.int64)
    valid = 0
    for i in range(n):
        if ok[i]:
            points[valid] = i
            valid += 1
    points = points[:valid]
    top = (1 << 21) - 2 * margin - 2
    for d in range(3):
        low = np.inf
        for i in points:
            low = min(low, r[i, d])
        for i in points:
            cells[i, d] = margin + min(int((r[i, d] - low) / cube_km), top)
    for d in (2, 1, 0):
        size = 0
        for i in points:
            size = max(size, cells[i, d] + 1)
        counts = np.zeros(size + 1, np.int64)
        for i in points:
            counts[cells[i, d] + 1] += 1
        for c in range(size):
            counts[c + 1] += counts[c]
        sorted_points = np.empty(valid, np.int64)
        for i in points:
            sorted_points[counts[cells[i, d]]] = i
            counts[cells[i, d]] += 1
        points = sorted_points
    return points


@nb.njit(cache=True, nogil=True, inline="always")
def _forward(keys, at, target, valid, inclusive):
    """Move ``at`` forward to the first key above (inclusive) or at least ``target``."""
    if inclusive:
        while at < valid and keys[at] <= target:
            at += 1
    else:
        while at < valid and keys[at] < target:
            at += 1
    return at


@nb.njit(cache=True, nogil=True, inline="always")
def _may_close(pts, p, q, reach2, half_s, limit_km, band_km):
    """Whether sorted points p and q may pass within the limit during the step."""
    dx = pts[q, 0] - pts[p, 0]
    dy = pts[q, 1] - pts[p, 1]
    dz = pts[q, 2] - pts[p, 2]
    if dx * dx + dy * dy + dz * dz > reach2:
        return False
    if pts[p, 6 + LABEL] == pts[q, 6 + LABEL]:  # one element set
        return False
    if pts[p, 6 + LOW] > pts[q, 6 + HIGH] + band_km or pts[q, 6 + LOW] > pts[p, 6 + HIGH] + band_km:
        return False
    ux = pts[q, 3] - pts[p, 3]
    uy = pts[q, 4] - pts[p, 4]
    uz = pts[q, 5] - pts[p, 5]
    t = min(max(-(dx * ux + dy * uy + dz * uz) / max(ux * ux + uy * uy + uz * uz, 1e-12), -half_s), half_s)
    ex, ey, ez = dx + ux * t, dy + uy * t, dz + uz * t
    limit = limit_km + pts[p, 6 + STRAY] + pts[q, 6 + STRAY]
    return ex * ex + ey * ey + ez * ez <= limit * limit


@nb.njit(cache=True, nogil=True, inline="always")
def _emit(out, count, step, i, j):
    if count < out.shape[0]:
        out[count, 0] = step
        out[count, 1] = min(i, j)
        out[count, 2] = max(i, j)
    return count + 1


@nb.njit(cache=True, nogil=True, inline="always")
def _ordinary_pairs(pts, order, p, lo, hi, reach2, half_s, limit_km, band_km, step, out, count):
    """Point p against the ordinary (not fast) points lo..hi-1."""
    for q in range(lo, hi):
        if pts[q, 6 + FAST] == 0.0 and _may_close(pts, p, q, reach2, half_s, limit_km, band_km):
            count = _emit(out, count, step, order[p], order[q])
    return count


@nb.njit(cache=True, nogil=True)
def _sieve_step(r, v, ok, objects, cube_km, fast_cubes, fast_reach_km, half_s, limit_km, band_km, step, out, count):
    """Flag the pairs of one step into ``out`` rows (step, i, j), from row ``count`` on;
    returns the new count (rows past the end of ``out`` are counted, not written)."""
    n = r.shape[0]
    cells = np.empty((n, 3), np.int64)
    order = _sort_by_cube(r, ok, cube_km, fast_cubes + 1, cells)
    valid = len(order)
    keys = np.empty(valid, np.int64)
    pts = np.empty((valid, 6 + 5))  # position, velocity, object columns: in sorted order
    for p in range(valid):
        i = order[p]
        keys[p] = _key(cells[i, 0], cells[i, 1], cells[i, 2])
        for d in range(3):
            pts[p, d] = r[i, d]
            pts[p, 3 + d] = v[i, d]
        for c in range(5):
            pts[p, 6 + c] = objects[i, c]
    cube2 = cube_km * cube_km
    # bounds of the forward neighbour columns: (x, y, z..z+1), (x, y+1, z-1..z+1), (x+1, y-1..y+1, z-1..z+1)
    h0 = l1 = h1 = l2 = h2 = l3 = h3 = l4 = h4 = 0
    start = 0
    while start < valid:
        key = keys[start]
        stop = _forward(keys, start, key, valid, True)
        cx, cy, cz = cells[order[start], 0], cells[order[start], 1], cells[order[start], 2]
        h0 = _forward(keys, h0, _key(cx, cy, cz + 1), valid, True)
        l1 = _forward(keys, l1, _key(cx, cy + 1, cz - 1), valid, False)
        h1 = _forward(keys, h1, _key(cx, cy + 1, cz + 1), valid, True)
        l2 = _forward(keys, l2, _key(cx + 1, cy - 1, cz - 1), valid, False)
        h2 = _forward(keys, h2, _key(cx + 1, cy - 1, cz + 1), valid, True)
        l3 = _forward(keys, l3, _key(cx + 1, cy, cz - 1), valid, False)
        h3 = _forward(keys, h3, _key(cx + 1, cy, cz + 1), valid, True)
        l4 = _forward(keys, l4, _key(cx + 1, cy + 1, cz - 1), valid, False)
        h4 = _forward(keys, h4, _key(cx + 1, cy + 1, cz + 1), valid, True)
        for p in range(start, stop):
            if pts[p, 6 + FAST] != 0.0:
                continue
            count = _ordinary_pairs(pts, order, p, p + 1, h0, cube2, half_s, limit_km, band_km, step, out, count)
            count = _ordinary_pairs(pts, order, p, l1, h1, cube2, half_s, limit_km, band_km, step, out, count)
            count = _ordinary_pairs(pts, order, p, l2, h2, cube2, half_s, limit_km, band_km, step, out, count)
            count = _ordinary_pairs(pts, order, p, l3, h3, cube2, half_s, limit_km, band_km, step, out, count)
            count = _ordinary_pairs(pts, order, p, l4, h4, cube2, half_s, limit_km, band_km, step, out, count)
        start = stop
    # fast objects against everything within their wider block of cubes
    fast2 = fast_reach_km * fast_reach_km
    for p in range(valid):
        if pts[p, 6 + FAST] == 0.0:
            continue
        cx, cy, cz = cells[order[p], 0], cells[order[p], 1], cells[order[p], 2]
        for dx in range(-fast_cubes, fast_cubes + 1):
            for dy in range(-fast_cubes, fast_cubes + 1):
                lo = np.searchsorted(keys, _key(cx + dx, cy + dy, cz - fast_cubes), side="left")
                hi = np.searchsorted(keys, _key(cx + dx, cy + dy, cz + fast_cubes), side="right")
                for q in range(lo, hi):
                    if q == p or (pts[q, 6 + FAST] != 0.0 and q < p):  # fast pairs once
                        continue
                    if _may_close(pts, p, q, fast2, half_s, limit_km, band_km):
                        count = _emit(out, count, step, order[p], order[q])
    return count


@nb.njit(cache=True, nogil=True)
def sieve_block(r0, v0, r1, v1, ok, span_s, fractions, steps, objects, cube_km, fast_cubes, fast_reach_km, half_s,
                limit_km, band_km, out):
    """Every step of one block between two SGP4 samples (at ``fractions`` of ``span_s``);
    returns how many rows (step, i, j) the block flagged (more than ``out`` holds: call again)."""
    r = np.empty_like(r0)
    v = np.empty_like(v0)
    count = 0
    for m in range(len(fractions)):
        _interpolate(r0, v0, r1, v1, span_s, fractions[m], r, v)
        count = _sieve_step(r, v, ok, objects, cube_km, fast_cubes, fast_reach_km, half_s, limit_km, band_km,
                            steps[m], out, count)
    return count

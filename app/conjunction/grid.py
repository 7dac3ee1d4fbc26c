"""The all-against-all sieve's grid: which pairs of objects may pass within a threshold
near each grid step of a block. Compiled with numba; each call releases the GIL.

At each step every object's position and velocity come from its polynomial path over the
block (``evaluate``: a quintic Hermite interpolant between the block's two SGP4 samples, or
for the few objects it would not follow, cubic pieces between closer samples). Objects go
into a uniform grid of cells as wide in x and y as the largest distance two ordinary
objects can close in half a step, plus the threshold (a cube), and ``Z_SPLIT`` times
thinner in z; points are sorted by cell key (a radix sort on its z, y and x fields), and
each point is compared with the points of its own column up to a cube
above it and of the four forward neighbour columns within a cube either side (each such
run is contiguous in the sorted array, and its bounds only ever move forward): thinner
cells test a fifth fewer pairs than whole cubes. Each block first puts its objects in
order of place (``locality_order``), so that a step's reads lie near each other. The few fast
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
Z_SPLIT = 4  # cells this many times thinner in z than in x and y: fewer pairs tested
# per-object columns of ``objects`` (see ``object_table``)
STRAY, LOW, HIGH, LABEL, FAST = range(5)


def object_table(stray_km: np.ndarray, low_km: np.ndarray, high_km: np.ndarray, label: np.ndarray,
                 fast: np.ndarray) -> np.ndarray:
    """One row an object: its interpolation bound, radius band, element-set label, fast flag."""
    return np.column_stack([stray_km, low_km, high_km, label, fast]).astype(np.float64)


@nb.njit(cache=True, nogil=True, inline="always")
def _key(cx, cy, cz):
    """A cell's key: its x, y and z numbers in fields of 21 bits, so keys sort as cells do."""
    return (cx << 42) | (cy << 21) | cz


@nb.njit(cache=True, nogil=True, inline="always")
def _polynomial(c, row, s, span_s, r, v, i):
    """Row ``row`` of ``c`` (..., 6, 3: coefficients of s^0..s^5 per axis) at s, into r[i], v[i]."""
    for d in range(3):
        c0, c1, c2, c3, c4, c5 = c[row, 0, d], c[row, 1, d], c[row, 2, d], c[row, 3, d], c[row, 4, d], c[row, 5, d]
        r[i, d] = c0 + s * (c1 + s * (c2 + s * (c3 + s * (c4 + s * c5))))
        v[i, d] = (c1 + s * (2.0 * c2 + s * (3.0 * c3 + s * (4.0 * c4 + s * 5.0 * c5)))) / span_s


@nb.njit(cache=True, nogil=True)
def evaluate(quintic, rough_rows, rough_pieces, s, span_s, r, v):
    """Positions and velocities at fraction ``s`` of the block, into r and v: each object's
    path is a polynomial of degree 5 in the block's fraction (``quintic``: objects, 6, 3),
    except the objects ``rough_rows``, whose paths are cut into equal pieces, each its own
    polynomial (``rough_pieces``: their rows, pieces, 6, 3)."""
    for i in range(quintic.shape[0]):
        _polynomial(quintic, i, s, span_s, r, v, i)
    pieces = rough_pieces.shape[1]
    here = rough_pieces[:, min(int(s * pieces), pieces - 1)]  # each rough object's piece holding s
    for k in range(len(rough_rows)):
        _polynomial(here, k, s, span_s, r, v, rough_rows[k])


_MASK = (1 << 21) - 1  # one field of a cell key


@nb.njit(cache=True, nogil=True)
def _sort_by_cube(r, ok, cube_km, margin, z_split):
    """The propagated points sorted by cell (x, then y, then z) and their cell keys (see
    ``_key``), in that order: LSD counting sort, three stable passes on the keys' fields.
    Cells are ``cube_km`` wide in x and y, ``z_split`` times thinner in z, numbered from
    ``margin`` cubes up."""
    n = r.shape[0]
    width = np.array([cube_km, cube_km, cube_km / z_split])
    first = np.array([margin, margin, margin * z_split])
    top = (1 << 21) - 2 * margin * z_split - 2
    low = np.full(3, np.inf)
    valid = 0
    for i in range(n):
        if ok[i]:
            valid += 1
            for d in range(3):
                low[d] = min(low[d], r[i, d])
    points = np.empty(valid, np.int64)
    keys = np.empty(valid, np.int64)
    size = np.zeros(3, np.int64)
    cell = np.empty(3, np.int64)
    k = 0
    for i in range(n):
        if ok[i]:
            for d in range(3):
                cell[d] = first[d] + min(int((r[i, d] - low[d]) / width[d]), top)
                size[d] = max(size[d], cell[d] + 1)
            points[k], keys[k] = i, _key(cell[0], cell[1], cell[2])
            k += 1
    points, keys = _counting_pass(keys, 0, size[2], points)
    points, keys = _counting_pass(keys, 21, size[1], points)
    return _counting_pass(keys, 42, size[0], points)


@nb.njit(cache=True, nogil=True)
def locality_order(r, ok, cube_km):
    """A permutation of the objects putting those in one cube next to each other (the
    unpropagated ones last): a block's arrays in this order keep each step's reads near
    each other in memory, the catalog's own order being unrelated to position."""
    sorted_points, _ = _sort_by_cube(r, ok, cube_km, 0, 1)
    order = np.empty(r.shape[0], np.int64)
    order[:len(sorted_points)] = sorted_points
    k = len(sorted_points)
    for i in range(r.shape[0]):
        if not ok[i]:
            order[k] = i
            k += 1
    return order


@nb.njit(cache=True, nogil=True)
def _counting_pass(keys, shift, size, points):
    """``points`` and their ``keys`` stably sorted by the keys' field at ``shift``
    (0 <= field < size), as new arrays."""
    counts = np.zeros(size + 1, np.int64)
    for key in keys:
        counts[((key >> shift) & _MASK) + 1] += 1
    for c in range(size):
        counts[c + 1] += counts[c]
    out, out_keys = np.empty_like(points), np.empty_like(keys)
    for k in range(len(keys)):
        field = (keys[k] >> shift) & _MASK
        at = counts[field]
        counts[field] += 1
        out[at], out_keys[at] = points[k], keys[k]
    return out, out_keys


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
def _ordinary_pairs(pts, ident, keys, p, q, last_key, reach2, half_s, limit_km, band_km, step, out, count):
    """Point p against the ordinary (not fast) points from q on while their key is at most
    ``last_key``; ``ident``: the sorted points' object numbers."""
    while q < len(keys) and keys[q] <= last_key:
        if _may_close(pts, p, q, reach2, half_s, limit_km, band_km) and pts[q, 6 + FAST] == 0.0:
            count = _emit(out, count, step, ident[p], ident[q])
        q += 1
    return count


@nb.njit(cache=True, nogil=True)
def _sieve_step(r, v, ok, ids, objects, cube_km, fast_cubes, fast_reach_km, half_s, limit_km, band_km, step, out,
                count):
    """Flag the pairs of one step into ``out`` rows (step, ids[i], ids[j]), from row ``count``
    on; returns the new count (rows past the end of ``out`` are counted, not written)."""
    order, keys = _sort_by_cube(r, ok, cube_km, fast_cubes + 1, Z_SPLIT)
    valid = len(order)
    ident = np.empty(valid, np.int64)
    pts = np.empty((valid, 6 + 5))  # position, velocity, object columns: in sorted order
    for p in range(valid):
        i = order[p]
        ident[p] = ids[i]
        for d in range(3):
            pts[p, d] = r[i, d]
            pts[p, 3 + d] = v[i, d]
        for c in range(5):
            pts[p, 6 + c] = objects[i, c]
    cube2 = cube_km * cube_km
    # the forward neighbours: this column's (x, y, z..z+Z), then four columns' z-Z..z+Z:
    # (x, y+1), (x+1, y-1), (x+1, y), (x+1, y+1); each a run of the sorted points whose
    # start only ever moves forward
    zs = Z_SPLIT
    s1 = s2 = s3 = s4 = 0
    start = 0
    while start < valid:
        key = keys[start]
        stop = _forward(keys, start, key, valid, True)
        cx, cy, cz = key >> 42, (key >> 21) & _MASK, key & _MASK
        s1 = _forward(keys, s1, _key(cx, cy + 1, cz - zs), valid, False)
        s2 = _forward(keys, s2, _key(cx + 1, cy - 1, cz - zs), valid, False)
        s3 = _forward(keys, s3, _key(cx + 1, cy, cz - zs), valid, False)
        s4 = _forward(keys, s4, _key(cx + 1, cy + 1, cz - zs), valid, False)
        for p in range(start, stop):
            if pts[p, 6 + FAST] != 0.0:
                continue
            count = _ordinary_pairs(pts, ident, keys, p, p + 1, key + zs, cube2, half_s, limit_km, band_km, step, out,
                                    count)
            count = _ordinary_pairs(pts, ident, keys, p, s1, _key(cx, cy + 1, cz + zs), cube2, half_s, limit_km, band_km,
                                    step, out, count)
            count = _ordinary_pairs(pts, ident, keys, p, s2, _key(cx + 1, cy - 1, cz + zs), cube2, half_s, limit_km,
                                    band_km, step, out, count)
            count = _ordinary_pairs(pts, ident, keys, p, s3, _key(cx + 1, cy, cz + zs), cube2, half_s, limit_km, band_km,
                                    step, out, count)
            count = _ordinary_pairs(pts, ident, keys, p, s4, _key(cx + 1, cy + 1, cz + zs), cube2, half_s, limit_km,
                                    band_km, step, out, count)
        start = stop
    # fast objects against everything within their wider block of cubes
    fast2 = fast_reach_km * fast_reach_km
    for p in range(valid):
        if pts[p, 6 + FAST] == 0.0:
            continue
        cx, cy, cz = keys[p] >> 42, (keys[p] >> 21) & _MASK, keys[p] & _MASK
        for dx in range(-fast_cubes, fast_cubes + 1):
            for dy in range(-fast_cubes, fast_cubes + 1):
                lo = np.searchsorted(keys, _key(cx + dx, cy + dy, cz - fast_cubes * zs), side="left")
                hi = np.searchsorted(keys, _key(cx + dx, cy + dy, cz + fast_cubes * zs), side="right")
                for q in range(lo, hi):
                    if q == p or (pts[q, 6 + FAST] != 0.0 and q < p):  # fast pairs once
                        continue
                    if _may_close(pts, p, q, fast2, half_s, limit_km, band_km):
                        count = _emit(out, count, step, ident[p], ident[q])
    return count


@nb.njit(cache=True, nogil=True)
def sieve_block(quintic, rough_rows, rough_pieces, ok, span_s, fractions, steps, objects, cube_km, fast_cubes,
                fast_reach_km, half_s, limit_km, band_km, out):
    """Every step of one block of ``span_s`` (at ``fractions`` of it; the paths: see
    :func:`evaluate`); returns how many rows (step, i, j) the block flagged (more than ``out``
    holds: call again). The steps run on copies of the arrays in :func:`locality_order`."""
    ids = locality_order(quintic[:, 0, :], ok, cube_km)
    quintic, objects, ok = quintic[ids], objects[ids], ok[ids]
    place = np.empty(len(ids), np.int64)  # object -> its row in that order
    place[ids] = np.arange(len(ids))
    rough_rows = place[rough_rows]
    r = np.empty((quintic.shape[0], 3))
    v = np.empty_like(r)
    count = 0
    for m in range(len(fractions)):
        evaluate(quintic, rough_rows, rough_pieces, fractions[m], span_s, r, v)
        count = _sieve_step(r, v, ok, ids, objects, cube_km, fast_cubes, fast_reach_km, half_s, limit_km, band_km,
                            steps[m], out, count)
    return count

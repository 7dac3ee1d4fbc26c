"""The all-against-all sieve's grid: which pairs of objects may pass within a threshold
near each grid step of a block. Compiled with numba; each call releases the GIL.

At each step every object's position and velocity come from its polynomial path over the
block (``evaluate``: a quintic Hermite interpolant between the block's two SGP4 samples, or
for the few objects it would not follow, cubic pieces between closer samples). Objects go
into columns as wide in x and y as the largest distance two ordinary objects can close in
half a step, plus the threshold (a cube), cut in z into slabs (at least a cube tall: 13 cubes
for the bundled catalog, fewer for a denser one, see ``sieve``); points are sorted by column (a
radix sort on the slab, x and y fields of its key). Each point is compared with every
point of two runs of the sorted array: its own column's later points with the next column
in y, and the three columns of x+1; and, when it lies within a cube of its slab's top, the
nine columns above. The comparison of a run is branch-free (the within-reach points are
gathered, most runs having none), which makes more pairs looked at cheaper than the
bookkeeping of finer cells: that bookkeeping, not arithmetic, bounded the earlier grids of
cubes. Each block first puts its objects in order of place (``locality_order``), so that a
step's reads lie near each other. The few fast objects (eccentric orbits whose perigee
speed exceeds ``ORDINARY_KM_S``) would widen every cube; they are compared instead with
every point in a wider block of columns and slabs around them.

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


def object_table(stray_km: np.ndarray, low_km: np.ndarray, high_km: np.ndarray, label: np.ndarray,
                 fast: np.ndarray) -> np.ndarray:
    """One row an object: its interpolation bound, radius band, element-set label, fast flag."""
    return np.column_stack([stray_km, low_km, high_km, label, fast]).astype(np.float64)


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


_MASK = (1 << 21) - 1  # one field of a key
# a key's steps: the next column in y, in x, the same column in the next slab
_Y, _X, _SLAB = 1, 1 << 21, 1 << 42
_END = 1 << 62  # above every key


@nb.njit(cache=True, nogil=True, inline="always")
def _key(slab, cx, cy):
    """A column's key: its slab, x and y numbers in fields of 21 bits, so keys sort as columns do."""
    return slab * _SLAB + cx * _X + cy * _Y


@nb.njit(cache=True, nogil=True)
def _sort_by_column(r, ok, cube_km, slab_km, margin):
    """The propagated points sorted by column (slab, then x, then y) and their keys (see
    ``_key``), in that order (LSD counting sort, a stable pass on each of the keys' fields),
    and the z where slab 0 starts. Columns are ``cube_km`` wide in x and y and ``slab_km``
    tall; numbered from ``margin`` up."""
    n = r.shape[0]
    low = np.full(3, np.inf)
    valid = 0
    for i in range(n):
        if ok[i]:
            valid += 1
            for d in range(3):
                low[d] = min(low[d], r[i, d])
    top = (1 << 21) - 2 * margin - 2
    points = np.empty(valid, np.int64)
    keys = np.empty(valid, np.int64)
    size = np.zeros(3, np.int64)
    k = 0
    for i in range(n):
        if ok[i]:
            slab = margin + min(int((r[i, 2] - low[2]) / slab_km), top >> 2)  # keys below the end mark
            cx = margin + min(int((r[i, 0] - low[0]) / cube_km), top)
            cy = margin + min(int((r[i, 1] - low[1]) / cube_km), top)
            size[0], size[1], size[2] = max(size[0], slab + 1), max(size[1], cx + 1), max(size[2], cy + 1)
            points[k], keys[k] = i, _key(slab, cx, cy)
            k += 1
    points, keys = _counting_pass(keys, 0, size[2], points)
    points, keys = _counting_pass(keys, 21, size[1], points)
    if size[0] > margin + 1:
        points, keys = _counting_pass(keys, 42, size[0], points)
    return points, keys, low[2] - margin * slab_km


@nb.njit(cache=True, nogil=True)
def locality_order(r, ok, cube_km):
    """A permutation of the objects putting those in one cube next to each other (the
    unpropagated ones last): a block's arrays in this order keep each step's reads near
    each other in memory, the catalog's own order being unrelated to position."""
    sorted_points, _, _ = _sort_by_column(r, ok, cube_km, cube_km, 0)
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
def _within_reach(pts, p, lo, hi, reach2, near, m):
    """The sorted points lo..hi-1 within reach of point p appended to ``near`` from m on;
    returns the new count. Branch-free: this loop is most of a step."""
    xp, yp, zp = pts[0, p], pts[1, p], pts[2, p]
    for q in range(lo, hi):
        dx = pts[0, q] - xp
        dy = pts[1, q] - yp
        dz = pts[2, q] - zp
        near[m] = q
        m += dx * dx + dy * dy + dz * dz <= reach2
    return m


@nb.njit(cache=True, nogil=True, inline="always")
def _may_close(pts, objects, p, q, i, j, reach2, half_s, limit_km, stray_max_km, band_km):
    """Whether sorted points p and q (objects i and j) may pass within the limit during the
    step. The objects' own columns are read last, for the few pairs that pass the rest
    within the largest interpolation bound (``stray_max_km``): they lie scattered in memory."""
    dx = pts[0, q] - pts[0, p]
    dy = pts[1, q] - pts[1, p]
    dz = pts[2, q] - pts[2, p]
    if dx * dx + dy * dy + dz * dz > reach2:
        return False
    ux = pts[3, q] - pts[3, p]
    uy = pts[4, q] - pts[4, p]
    uz = pts[5, q] - pts[5, p]
    t = min(max(-(dx * ux + dy * uy + dz * uz) / max(ux * ux + uy * uy + uz * uz, 1e-12), -half_s), half_s)
    ex, ey, ez = dx + ux * t, dy + uy * t, dz + uz * t
    miss2 = ex * ex + ey * ey + ez * ez
    if miss2 > (limit_km + 2.0 * stray_max_km) ** 2:
        return False
    if objects[i, LABEL] == objects[j, LABEL]:  # one element set
        return False
    if objects[i, LOW] > objects[j, HIGH] + band_km or objects[j, LOW] > objects[i, HIGH] + band_km:
        return False
    limit = limit_km + objects[i, STRAY] + objects[j, STRAY]
    return miss2 <= limit * limit


@nb.njit(cache=True, nogil=True, inline="always")
def _emit(out, count, step, i, j):
    if count < out.shape[0]:
        out[count, 0] = step
        out[count, 1] = min(i, j)
        out[count, 2] = max(i, j)
    return count + 1


@nb.njit(cache=True, nogil=True, inline="always")
def _first_column(column_key, at, target):
    """Move ``at`` forward to the first column whose key is at least ``target``."""
    while column_key[at] < target:
        at += 1
    return at


@nb.njit(cache=True, nogil=True)
def _sieve_step(r, v, ok, ids, objects, stray_max_km, cube_km, slab_km, fast_cubes, fast_reach_km, half_s, limit_km,
                band_km, step, out, count):
    """Flag the pairs of one step into ``out`` rows (step, ids[i], ids[j]), from row ``count``
    on; returns the new count (rows past the end of ``out`` are counted, not written).
    ``slab_km``: the slabs' height (a cube at least); ``stray_max_km``: the largest of the
    objects' interpolation bounds."""
    slab_km = max(slab_km, cube_km)  # a pair within reach lies in one slab or two neighbouring ones
    fast_slabs = int(np.ceil(fast_reach_km / slab_km))
    order, keys, z0 = _sort_by_column(r, ok, cube_km, slab_km, max(fast_cubes, fast_slabs) + 1)
    valid = len(order)
    pts = np.empty((6, valid))  # positions and velocities in sorted order, a row an axis
    fast = np.empty(valid, np.bool_)
    for p in range(valid):
        i = order[p]
        for d in range(3):
            pts[d, p] = r[i, d]
            pts[3 + d, p] = v[i, d]
        fast[p] = objects[i, FAST] != 0.0
    # the columns holding points: their keys and first points (and a last, empty one)
    columns = 0
    column_key = np.empty(valid + 1, np.int64)
    column_start = np.empty(valid + 1, np.int64)
    for p in range(valid):
        if p == 0 or keys[p] != keys[p - 1]:
            column_key[columns], column_start[columns] = keys[p], p
            columns += 1
    column_key[columns], column_start[columns] = _END, valid
    near = np.empty(valid, np.int64)
    reach2 = cube_km * cube_km
    # point p of column (x, y) of a slab against its column's later points and column
    # (x, y+1) (one run of the sorted points), and columns (x+1, y-1..y+1) of the slab
    # (another); the second run's first and last columns only ever move forward. (The loop
    # over the points in reach is written out here and below: as a shared numba function,
    # inlined or not, it made the step half as slow again.)
    next_lo = next_hi = 0
    for u in range(columns):
        key = column_key[u]
        own_end = column_start[u + 2] if column_key[u + 1] == key + _Y else column_start[u + 1]
        next_lo = _first_column(column_key, next_lo, key + _X - _Y)
        next_hi = _first_column(column_key, next_hi, key + _X + 2 * _Y)
        for p in range(column_start[u], column_start[u + 1]):
            if fast[p]:
                continue
            m = _within_reach(pts, p, p + 1, own_end, reach2, near, 0)
            m = _within_reach(pts, p, column_start[next_lo], column_start[next_hi], reach2, near, m)
            for k in range(m):
                q = near[k]
                if not fast[q] and _may_close(pts, objects, p, q, order[p], order[q], reach2, half_s, limit_km,
                                              stray_max_km, band_km):
                    count = _emit(out, count, step, ids[order[p]], ids[order[q]])
    # points within reach of the slab above against its columns (x-1..x+1, y-1..y+1): three
    # runs, whose first and last columns only ever move forward
    above_lo = np.zeros(3, np.int64)
    above_hi = np.zeros(3, np.int64)
    slabs_apart = columns > 0 and column_key[columns - 1] // _SLAB > column_key[0] // _SLAB
    for u in range(columns if slabs_apart else 0):
        key = column_key[u]
        top = z0 + (key // _SLAB + 1) * slab_km - cube_km - 1e-6  # (rounding)
        looked = False
        for p in range(column_start[u], column_start[u + 1]):
            if fast[p] or pts[2, p] < top:
                continue
            if not looked:
                for d in range(3):
                    row = key + _SLAB + (d - 1) * _X
                    above_lo[d] = _first_column(column_key, above_lo[d], row - _Y)
                    above_hi[d] = _first_column(column_key, above_hi[d], row + 2 * _Y)
                looked = True
            m = 0
            for d in range(3):
                m = _within_reach(pts, p, column_start[above_lo[d]], column_start[above_hi[d]], reach2, near, m)
            for k in range(m):
                q = near[k]
                if not fast[q] and _may_close(pts, objects, p, q, order[p], order[q], reach2, half_s, limit_km,
                                              stray_max_km, band_km):
                    count = _emit(out, count, step, ids[order[p]], ids[order[q]])
    # fast objects against everything within their wider block of columns
    fast2 = fast_reach_km * fast_reach_km
    for p in range(valid):
        if not fast[p]:
            continue
        for ds in range(-fast_slabs, fast_slabs + 1):
            for dx in range(-fast_cubes, fast_cubes + 1):
                row = keys[p] + ds * _SLAB + dx * _X
                lo = np.searchsorted(keys, row - fast_cubes * _Y, side="left")
                hi = np.searchsorted(keys, row + fast_cubes * _Y, side="right")
                for q in range(lo, hi):
                    if q == p or (fast[q] and q < p):  # fast pairs once
                        continue
                    if _may_close(pts, objects, p, q, order[p], order[q], fast2, half_s, limit_km, stray_max_km,
                                  band_km):
                        count = _emit(out, count, step, ids[order[p]], ids[order[q]])
    return count


@nb.njit(cache=True, nogil=True)
def sieve_block(quintic, rough_rows, rough_pieces, ok, span_s, fractions, steps, objects, cube_km, slab_km, fast_cubes,
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
    stray_max_km = objects[:, STRAY].max() if len(objects) else 0.0
    count = 0
    for m in range(len(fractions)):
        evaluate(quintic, rough_rows, rough_pieces, fractions[m], span_s, r, v)
        count = _sieve_step(r, v, ok, ids, objects, stray_max_km, cube_km, slab_km, fast_cubes, fast_reach_km, half_s,
                            limit_km, band_km, steps[m], out, count)
    return count

"""The plane-crossing kernel of one-against-many screening (``plane_crossings``): for
each candidate, the fine grid intervals in which the primary may be within a limit of the
candidate's mean orbit plane. Compiled with numba; the call releases the GIL.

The primary's positions come at every half fine step (``r_half``). The candidate's mean
plane turns about the Earth's axis: node(t) = node0 + rate t + quad t^2 (t in s from the
window's start), a fixed inclination. At every coarse step the signed distance
f = r . n of the primary from the plane (n its unit normal) is computed exactly (the node's
sine and cosine by rotation recurrences, no trigonometry per step); within a coarse
interval f strays from the straight line between its ends by at most ``limit_coarse``'s
curvature share, so only the part of the interval where that line is within
``limit_coarse`` of zero is looked at step by step, with the normal interpolated linearly
between the coarse ends (``limit_fine`` carries both errors).
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np

from app.common.kernel_cache import install_frozen_locator

install_frozen_locator()  # before the kernel below is defined (a no-op unless frozen)


@nb.njit(cache=True, nogil=True, inline="always")
def _segment_range(f0, f1, limit):
    """Fractions lo..hi of [0, 1] where f0 + s (f1 - f0) is within +-limit (lo > hi: none)."""
    df = f1 - f0
    if df == 0.0:
        return (0.0, 1.0) if abs(f0) <= limit else (1.0, 0.0)
    a, b = (-limit - f0) / df, (limit - f0) / df
    return max(min(a, b), 0.0), min(max(a, b), 1.0)


@nb.njit(cache=True, nogil=True)
def plane_crossings(r_half, fine_per_coarse, coarse_s, inclination, node0, node_rate, node_quad, limit_coarse,
                    limit_fine, longest_piece, most_pieces, out_candidate, out_first, out_last, crowded):
    """Pieces (candidate, first fine interval, last fine interval) covering every fine
    interval where the primary may be within ``limit_fine`` of the candidate's plane: runs
    of such intervals cut into pieces of at most ``longest_piece``, in candidate order then
    time order. A candidate with more than ``most_pieces`` gets none and is marked in
    ``crowded``. Returns how many pieces (more than the outputs hold: call again with
    larger ones)."""
    n_coarse = (r_half.shape[0] - 1) // (2 * fine_per_coarse)
    count = 0
    for c in range(len(inclination)):
        si, ci = math.sin(inclination[c]), math.cos(inclination[c])
        zc, zs = math.cos(node0[c]), math.sin(node0[c])
        step = node_rate[c] * coarse_s + node_quad[c] * coarse_s * coarse_s
        wc, ws = math.cos(step), math.sin(step)
        turn = 2.0 * node_quad[c] * coarse_s * coarse_s  # the step's own growth per step
        qc, qs = math.cos(turn), math.sin(turn)
        mx0, my0 = si * zs, -si * zc
        f0 = r_half[0, 0] * mx0 + r_half[0, 1] * my0 + r_half[0, 2] * ci
        own_start, first, last = count, -10, -10
        for k in range(n_coarse):
            zc, zs = zc * wc - zs * ws, zc * ws + zs * wc
            wc, ws = wc * qc - ws * qs, wc * qs + ws * qc
            mx1, my1 = si * zs, -si * zc
            h1 = 2 * (k + 1) * fine_per_coarse
            f1 = r_half[h1, 0] * mx1 + r_half[h1, 1] * my1 + r_half[h1, 2] * ci
            lo, hi = _segment_range(f0, f1, limit_coarse[c])
            if lo <= hi:
                j_first = min(int(lo * fine_per_coarse), fine_per_coarse - 1)
                j_last = min(int(hi * fine_per_coarse), fine_per_coarse - 1)
                for j in range(j_first, j_last + 1):
                    s0, s1 = j / fine_per_coarse, (j + 1) / fine_per_coarse
                    h = 2 * (k * fine_per_coarse + j)
                    ax, ay = mx0 + s0 * (mx1 - mx0), my0 + s0 * (my1 - my0)
                    bx, by = mx0 + s1 * (mx1 - mx0), my0 + s1 * (my1 - my0)
                    g0 = r_half[h, 0] * ax + r_half[h, 1] * ay + r_half[h, 2] * ci
                    g1 = r_half[h + 2, 0] * bx + r_half[h + 2, 1] * by + r_half[h + 2, 2] * ci
                    a, b = _segment_range(g0, g1, limit_fine[c])
                    if a > b:
                        continue
                    interval = k * fine_per_coarse + j
                    if interval == last + 1 and last - first + 1 < longest_piece:
                        last = interval
                        continue
                    if first >= 0:
                        count = _emit(out_candidate, out_first, out_last, count, c, first, last)
                    first, last = interval, interval
            f0, mx0, my0 = f1, mx1, my1
            if count - own_start > most_pieces:
                break
        if first >= 0:
            count = _emit(out_candidate, out_first, out_last, count, c, first, last)
        if count - own_start > most_pieces:
            crowded[c] = True
            count = own_start
    return count


@nb.njit(cache=True, nogil=True, inline="always")
def _emit(out_candidate, out_first, out_last, count, c, first, last):
    if count < len(out_candidate):
        out_candidate[count], out_first[count], out_last[count] = c, first, last
    return count + 1


@nb.njit(cache=True, nogil=True)
def straight_line_miss(r_half, v_half, middle_half, half_width_s, r2, v2):
    """Closest distance of the straight-line relative motion at each piece's middle over
    +- its half-width (the primary's states at half fine steps ``middle_half``)."""
    miss = np.empty(len(middle_half))
    for p in range(len(middle_half)):
        m = middle_half[p]
        dx, dy, dz = r2[p, 0] - r_half[m, 0], r2[p, 1] - r_half[m, 1], r2[p, 2] - r_half[m, 2]
        ux, uy, uz = v2[p, 0] - v_half[m, 0], v2[p, 1] - v_half[m, 1], v2[p, 2] - v_half[m, 2]
        t = -(dx * ux + dy * uy + dz * uz) / max(ux * ux + uy * uy + uz * uz, 1e-12)
        t = min(max(t, -half_width_s[p]), half_width_s[p])
        ex, ey, ez = dx + ux * t, dy + uy * t, dz + uz * t
        miss[p] = math.sqrt(ex * ex + ey * ey + ez * ez)
    return miss


def crossings(r_half: np.ndarray, fine_per_coarse: int, coarse_s: float, inclination, node0, node_rate, node_quad,
              limit_coarse, limit_fine, longest_piece: int, most_pieces: int, expected_per_candidate: int):
    """``plane_crossings`` with outputs grown until they hold every piece: (candidate,
    first, last) of each piece, and the crowded flags."""
    size = expected_per_candidate * len(inclination) + 1024
    while True:
        out = [np.empty(size, np.int32) for _ in range(3)]
        crowded = np.zeros(len(inclination), np.bool_)
        count = plane_crossings(r_half, fine_per_coarse, coarse_s, inclination, node0, node_rate, node_quad,
                                limit_coarse, limit_fine, longest_piece, most_pieces, *out, crowded)
        if count <= size:
            return out[0][:count], out[1][:count], out[2][:count], crowded
        size = count

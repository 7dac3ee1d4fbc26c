"""Vectorised one-dimensional searches, many intervals at once: roots of sign-changing
functions and maxima of unimodal ones (pass rise/set and culmination, closest approach)."""

from __future__ import annotations

import math

import numpy as np

_GOLDEN = (math.sqrt(5.0) - 1.0) / 2.0


def bracketed_roots(function, low: np.ndarray, high: np.ndarray, f_low: np.ndarray, f_high: np.ndarray,
                    tolerance_s: float = 1e-3, max_iterations: int = 60, labels: np.ndarray | None = None) -> np.ndarray:
    """Roots of ``function`` in each [low, high] where it changes sign, all at once, by the
    Illinois variant of regula falsi (superlinear, and never leaves its bracket). With
    ``labels`` (one per bracket: which function it is, say which pair of objects),
    ``function`` is called as ``function(labels, times)``."""
    a, b = low.astype(float).copy(), high.astype(float).copy()
    fa, fb = f_low.astype(float).copy(), f_high.astype(float).copy()
    side = np.zeros(len(a), dtype=np.int8)
    for _ in range(max_iterations):
        open_ = (b - a) > tolerance_s
        if not open_.any():
            break
        c = np.where(open_, (a * fb - b * fa) / np.where(fb != fa, fb - fa, 1.0), 0.5 * (a + b))
        c = np.where((c <= a) | (c >= b), 0.5 * (a + b), c)
        fc = np.zeros_like(c)
        fc[open_] = function(c[open_]) if labels is None else function(labels[open_], c[open_])
        same_as_b = open_ & (np.sign(fc) == np.sign(fb))
        same_as_a = open_ & ~same_as_b
        fa = np.where(same_as_b & (side == 1), fa * 0.5, fa)  # Illinois: halve the stale end
        fb = np.where(same_as_a & (side == -1), fb * 0.5, fb)
        b, fb = np.where(same_as_b, c, b), np.where(same_as_b, fc, fb)
        a, fa = np.where(same_as_a, c, a), np.where(same_as_a, fc, fa)
        side = np.where(same_as_b, 1, np.where(same_as_a, -1, side)).astype(np.int8)
        done = open_ & (fc == 0)
        a, b = np.where(done, c, a), np.where(done, c, b)
    return 0.5 * (a + b)


def golden_max(function, low: np.ndarray, high: np.ndarray, tolerance_s: float = 0.05) -> np.ndarray:
    """Arg-max of a unimodal ``function`` in each [low, high], all at once (golden section,
    reusing one probe per step)."""
    a, b = low.astype(float).copy(), high.astype(float).copy()
    c, d = b - _GOLDEN * (b - a), a + _GOLDEN * (b - a)
    fc, fd = function(c), function(d)
    while np.max(b - a) > tolerance_s:
        keep_left = fc > fd  # the maximum is in [a, d]: d <- c, new c
        b = np.where(keep_left, d, b)
        a = np.where(keep_left, a, c)
        probe = np.where(keep_left, b - _GOLDEN * (b - a), a + _GOLDEN * (b - a))
        f_probe = function(probe)
        c, d, fc, fd = (np.where(keep_left, probe, d), np.where(keep_left, c, probe),
                        np.where(keep_left, f_probe, fd), np.where(keep_left, fc, f_probe))
    return 0.5 * (a + b)

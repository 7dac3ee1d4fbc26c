"""Hermite interpolation of motion between two states: cubic (positions and velocities at
both ends of an interval: the path, its velocity, and its closest approach to the origin,
for relative motion the closest approach of a pair) and quintic (accelerations at both
ends too). ``s`` runs from 0 to 1 over an interval of ``span_s`` seconds; arrays of
intervals are handled at once."""

from __future__ import annotations

import math

import numpy as np

from app.astro.constants import WGS72_MU_KM3_S2


def coefficients(p0, v0, p1, v1, span_s):
    """p(s) = p0 + c1 s + c2 s^2 + c3 s^3."""
    c1 = span_s * v0
    c2 = 3.0 * (p1 - p0) - span_s * (2.0 * v0 + v1)
    c3 = 2.0 * (p0 - p1) + span_s * (v0 + v1)
    return c1, c2, c3


def interpolate(p0, v0, p1, v1, span_s, s):
    """Position and velocity at fraction ``s`` (a scalar, or one per interval as (n, 1))."""
    c1, c2, c3 = coefficients(p0, v0, p1, v1, span_s)
    position = p0 + s * (c1 + s * (c2 + s * c3))
    velocity = (c1 + s * (2.0 * c2 + 3.0 * s * c3)) / span_s
    return position, velocity


def closest_fraction(p0, v0, p1, v1, span_s, iterations: int) -> np.ndarray:
    """Fraction of each interval (n, 3 arrays) where |p| is smallest, for intervals where
    p . p' goes from negative (closing) to positive (opening): bisection, ``iterations``
    halvings (the result is within 2^-iterations of the cubic's own minimum)."""
    c1, c2, c3 = coefficients(p0, v0, p1, v1, span_s)
    low, high = np.zeros(len(p0)), np.ones(len(p0))
    for _ in range(iterations):
        s = (0.5 * (low + high))[:, None]
        p = p0 + s * (c1 + s * (c2 + s * c3))
        dp = c1 + s * (2.0 * c2 + 3.0 * s * c3)
        closing = np.einsum("ij,ij->i", p, dp) < 0
        low, high = np.where(closing, s[:, 0], low), np.where(closing, high, s[:, 0])
    return 0.5 * (low + high)


def error_bound_km(perigee_radius_km: np.ndarray, span_s: float) -> np.ndarray:
    """How far a cubic Hermite interpolant over ``span_s`` (positions and velocities at both
    ends) may stray from an orbit with that perigee radius: K (mu/r_p^3)^2 r_p span^4 / 384,
    the fourth-derivative bound of Keplerian motion at perigee, with K = 5 and at least
    250 m (measured on the default catalog with 240 s and 300 s spans and the osculating
    perigee of the propagated states, re-entering objects included: at most 0.7 of this)."""
    fourth = (WGS72_MU_KM3_S2 / perigee_radius_km**3) ** 2 * perigee_radius_km
    return np.maximum(5.0 * fourth * span_s**4 / 384.0, 0.25)


def quintic_coefficients(p0, v0, a0, p1, v1, a1, span_s):
    """p(s) = p0 + c1 s + ... + c5 s^5 matching position, velocity and acceleration at both ends."""
    h, h2 = span_s, span_s * span_s
    c1, c2 = h * v0, 0.5 * h2 * a0
    c3 = 10.0 * (p1 - p0) - h * (6.0 * v0 + 4.0 * v1) - h2 * (1.5 * a0 - 0.5 * a1)
    c4 = 15.0 * (p0 - p1) + h * (8.0 * v0 + 7.0 * v1) + h2 * (1.5 * a0 - a1)
    c5 = 6.0 * (p1 - p0) - 3.0 * h * (v0 + v1) - 0.5 * h2 * (a0 - a1)
    return c1, c2, c3, c4, c5


def quintic_error_bound_km(perigee_radius_km: np.ndarray, span_s: float) -> np.ndarray:
    """How far a quintic Hermite interpolant over ``span_s`` (SGP4 positions and velocities,
    point-mass + J2 accelerations at both ends) may stray from SGP4 for a near-circular orbit
    (eccentricity under 0.05, perigee above 350 km: see ``sieve``) with that perigee radius:
    K (mu/r_p^3)^3 r_p span^6 / 46080, the sixth-derivative bound of Keplerian motion
    (s^3 (1-s)^3 is at most 1/64), with K = 5 and at least 250 m for what the accelerations
    leave out (drag, SGP4's own terms). Measured on the default catalog with 720 s spans and
    the osculating perigee of the propagated states (four epochs, 37 fractions each): at
    most 0.14 km, 0.55 of this, the largest for high-drag Fengyun-1C debris (an eccentricity
    up to 0.1 would have reached 0.65 of it: SHIYAN-13, perigee 386 km)."""
    sixth = (WGS72_MU_KM3_S2 / perigee_radius_km**3) ** 3 * perigee_radius_km
    return np.maximum(5.0 * sixth * span_s**6 / 46080.0, 0.25)


def in_block_fraction(coefficients, pieces: int, piece: int) -> np.ndarray:
    """A polynomial in a piece's own fraction u (``coefficients``: (degree + 1, ...), lowest
    first) re-written in the fraction s of a block cut into ``pieces`` equal pieces, this the
    ``piece``-th (u = pieces s - piece): same shape."""
    c = np.asarray(coefficients, dtype=float)
    out = np.zeros_like(c)
    for k in range(len(c)):  # u^k = sum_m C(k, m) (pieces s)^m (-piece)^(k - m)
        for m in range(k + 1):
            out[m] += c[k] * math.comb(k, m) * float(pieces) ** m * float(-piece) ** (k - m)
    return out

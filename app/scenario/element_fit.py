"""New SGP4 mean elements for an object after an injected burn (or for a fragment), so the
same SGP4 engine keeps propagating it.

The post-burn state is propagated numerically (two-body + J2, scipy's DOP853) over a few
hours. To keep what SGP4 models and the integrator does not (drag, J3/J4, the Sun and the
Moon for deep-space orbits) the reference is the pre-burn SGP4 trajectory plus the
*difference* the burn makes in the numerical propagation: numerical(post-burn) −
numerical(pre-burn). A differential correction (scipy ``least_squares``, Levenberg-
Marquardt) then fits the six mean elements, in equinoctial form so near-circular and
near-equatorial orbits (GEO) stay well-conditioned, to the reference positions; the fit's
RMS and largest position residual are reported."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from sgp4.api import WGS72, Satrec

from app.astro.constants import WGS72_EARTH_RADIUS_KM, WGS72_J2, WGS72_MU_KM3_S2
from app.astro.relative_motion import ric_axes
from app.astro.timeutil import SECONDS_PER_DAY, datetime_to_jd

SGP4_EPOCH_JD = 2433281.5  # sgp4init counts epoch days from 1949-12-31 00:00 UT


class FitError(RuntimeError):
    pass


@dataclass(frozen=True)
class FitResult:
    satrec: Satrec
    rms_km: float
    max_km: float
    span_h: float
    samples: int


def _two_body_j2(_t, state):
    r, v = state[:3], state[3:]
    radius = np.linalg.norm(r)
    z2 = (r[2] / radius) ** 2
    factor = 1.5 * WGS72_J2 * WGS72_MU_KM3_S2 * WGS72_EARTH_RADIUS_KM**2 / radius**5
    accel = -WGS72_MU_KM3_S2 * r / radius**3 + factor * r * np.array([5 * z2 - 1, 5 * z2 - 1, 5 * z2 - 3])
    return np.concatenate([v, accel])


def propagate_numerically(r_km: np.ndarray, v_km_s: np.ndarray, offsets_s: np.ndarray) -> np.ndarray:
    """Positions (N, 3) km at ``offsets_s`` (from 0, increasing), two-body + J2."""
    from scipy.integrate import solve_ivp  # here, not at the top: scipy costs the console's first frame 0.7 s

    solution = solve_ivp(_two_body_j2, (0.0, float(offsets_s[-1])), np.concatenate([r_km, v_km_s]),
                         method="DOP853", t_eval=offsets_s, rtol=1e-11, atol=1e-9)
    if not solution.success:
        raise FitError(f"numerical propagation failed: {solution.message}")
    return solution.y[:3].T


def ric_to_teme(r_km: np.ndarray, v_km_s: np.ndarray, ric: np.ndarray) -> np.ndarray:
    """A vector given in the object's radial / in-track / cross-track frame, in TEME."""
    return ric_axes(r_km, v_km_s).T @ np.asarray(ric, dtype=float)


def _osculating(r: np.ndarray, v: np.ndarray) -> tuple[float, float, float, float, float, float]:
    """(n rad/min, e, i, raan, argp, mean anomaly) of a TEME state."""
    h = np.cross(r, v)
    radius, speed2 = np.linalg.norm(r), float(v @ v)
    a = 1.0 / (2.0 / radius - speed2 / WGS72_MU_KM3_S2)
    if a <= 0:
        raise FitError("the state is not on a closed orbit (escape speed or more)")
    e_vec = np.cross(v, h) / WGS72_MU_KM3_S2 - r / radius
    e = float(np.linalg.norm(e_vec))
    i = math.acos(max(-1.0, min(1.0, h[2] / np.linalg.norm(h))))
    node = np.array([-h[1], h[0], 0.0])
    raan = math.atan2(node[1], node[0]) % (2 * math.pi) if np.linalg.norm(node) > 1e-12 else 0.0
    node_dir = node / np.linalg.norm(node) if np.linalg.norm(node) > 1e-12 else np.array([1.0, 0.0, 0.0])
    h_dir = h / np.linalg.norm(h)
    def angle_from_node(vector):  # noqa: E306
        return math.atan2(float(np.cross(node_dir, vector) @ h_dir), float(node_dir @ vector))
    if e > 1e-9:
        argp = angle_from_node(e_vec) % (2 * math.pi)
        true_anomaly = math.atan2(float(np.cross(e_vec, r) @ h_dir), float(e_vec @ r))
    else:
        argp, true_anomaly = 0.0, angle_from_node(r)
    eccentric = 2 * math.atan2(math.sqrt(1 - e) * math.sin(true_anomaly / 2), math.sqrt(1 + e) * math.cos(true_anomaly / 2))
    mean_anomaly = (eccentric - e * math.sin(eccentric)) % (2 * math.pi)
    n_rad_min = math.sqrt(WGS72_MU_KM3_S2 / a**3) * 60.0
    return n_rad_min, e, i, raan, argp, mean_anomaly


def _to_equinoctial(n, e, i, raan, argp, mean_anomaly) -> np.ndarray:
    longitude_of_periapsis = raan + argp
    t = math.tan(i / 2)
    return np.array([n, e * math.cos(longitude_of_periapsis), e * math.sin(longitude_of_periapsis),
                     t * math.cos(raan), t * math.sin(raan), longitude_of_periapsis + mean_anomaly])


def _from_equinoctial(x: np.ndarray) -> tuple[float, float, float, float, float, float]:
    n, h, k, p, q, mean_longitude = (float(v) for v in x)
    e = math.hypot(h, k)
    i = 2 * math.atan(math.hypot(p, q))
    raan = math.atan2(q, p) % (2 * math.pi)
    longitude_of_periapsis = math.atan2(k, h)
    argp = (longitude_of_periapsis - raan) % (2 * math.pi)
    mean_anomaly = (mean_longitude - longitude_of_periapsis) % (2 * math.pi)
    return n, e, i, raan, argp, mean_anomaly


def make_satrec(satnum: int, epoch: datetime, elements, bstar: float) -> Satrec:
    n, e, i, raan, argp, mean_anomaly = elements
    jd, fr = datetime_to_jd(epoch)
    satrec = Satrec()
    satrec.sgp4init(WGS72, "i", satnum, jd + fr - SGP4_EPOCH_JD, bstar, 0.0, 0.0, e, argp, i, mean_anomaly, n, raan)
    return satrec


def fit_after_burn(before: Satrec, satnum: int, burn: datetime, delta_v_ric_m_s, span_h: float = 6.0,
                   samples: int = 73) -> FitResult:
    """Mean elements of ``before`` after a burn of ``delta_v_ric_m_s`` at ``burn``."""
    jd, fr = datetime_to_jd(burn)
    error, r0, v0 = before.sgp4(jd, fr)
    if error:
        raise FitError(f"SGP4 error {error} for the object at the burn time")
    r0, v0 = np.array(r0), np.array(v0)
    delta_v = ric_to_teme(r0, v0, np.asarray(delta_v_ric_m_s, dtype=float) / 1000.0)
    return fit_to_state(before, satnum, burn, r0, v0, v0 + delta_v, span_h, samples)


def fit_to_state(base: Satrec, satnum: int, epoch: datetime, r0: np.ndarray, v_before: np.ndarray,
                 v_after: np.ndarray, span_h: float, samples: int) -> FitResult:
    """Fit elements to the trajectory from (r0, v_after) at ``epoch``, using ``base``'s SGP4
    trajectory from (r0, v_before) for what the numerical model leaves out."""
    offsets = np.linspace(0.0, span_h * 3600.0, samples)
    jd0, fr0 = datetime_to_jd(epoch)
    jd, fr = np.full(samples, jd0), fr0 + offsets / SECONDS_PER_DAY
    errors, base_positions, _ = base.sgp4_array(jd, fr)
    if np.any(errors):
        raise FitError("SGP4 fails on the object within the fit span (decay?)")
    reference = base_positions + (propagate_numerically(r0, v_after, offsets)
                                  - propagate_numerically(r0, v_before, offsets))
    start = _to_equinoctial(*_osculating(r0, v_after))

    def residuals(x: np.ndarray) -> np.ndarray:
        n, e, *_ = _from_equinoctial(x)
        if not (0 < n < 0.2 and e < 0.99):
            return np.full(reference.size, 1e6)
        satrec = make_satrec(satnum, epoch, _from_equinoctial(x), base.bstar)
        error_codes, positions, _ = satrec.sgp4_array(jd, fr)
        if np.any(error_codes):
            return np.full(reference.size, 1e6)
        return (positions - reference).ravel()

    from scipy.optimize import least_squares

    solution = least_squares(residuals, start, method="lm", x_scale="jac", xtol=1e-12, ftol=1e-12, max_nfev=400)
    distance = np.linalg.norm(solution.fun.reshape(-1, 3), axis=1)
    if not np.isfinite(distance).all() or distance.max() > 1e5:
        raise FitError("the element fit did not converge")
    satrec = make_satrec(satnum, epoch, _from_equinoctial(solution.x), base.bstar)
    return FitResult(satrec, float(np.sqrt(np.mean(distance**2))), float(distance.max()), span_h, samples)

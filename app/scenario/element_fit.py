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

from dataclasses import dataclass
from datetime import datetime

import numpy as np
from sgp4.api import Satrec

from app.astro.gravity import acceleration_km_s2
from app.astro.mean_elements import FitError, fit_mean_elements, osculating_elements
from app.astro.relative_motion import ric_axes
from app.astro.timeutil import SECONDS_PER_DAY, datetime_to_jd

@dataclass(frozen=True)
class FitResult:
    satrec: Satrec
    rms_km: float
    max_km: float
    span_h: float
    samples: int


def _two_body_j2(_t, state):
    return np.concatenate([state[3:], acceleration_km_s2(state[:3])])


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
    fit = fit_mean_elements(reference, jd, fr, satnum, epoch, base.bstar, osculating_elements(r0, v_after))
    return FitResult(fit.satrec, fit.rms_km, fit.max_km, span_h, samples)

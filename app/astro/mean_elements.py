"""SGP4 mean elements fitted to positions: the differential correction behind a scenario's
burn (the object's new elements) and behind an ephemeris object's orbit class and bounds
(:mod:`app.astro.ephemeris_satrec`).

The six mean elements are solved in equinoctial form (mean motion, h, k, p, q, mean longitude),
so near-circular and near-equatorial orbits (GEO) stay well-conditioned, by scipy's
Levenberg-Marquardt ``least_squares`` from an osculating first guess; the fit's RMS and
largest position residual come back with it."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from sgp4.api import WGS72, Satrec

from app.astro.constants import WGS72_MU_KM3_S2
from app.astro.timeutil import datetime_to_jd

SGP4_EPOCH_JD = 2433281.5  # sgp4init counts epoch days from 1949-12-31 00:00 UT


class FitError(RuntimeError):
    pass


@dataclass(frozen=True)
class MeanElementFit:
    satrec: Satrec
    rms_km: float
    max_km: float


def osculating_elements(r: np.ndarray, v: np.ndarray) -> tuple[float, float, float, float, float, float]:
    """(n rad/min, e, i, raan, argp, mean anomaly) of a TEME state."""
    r, v = np.asarray(r, dtype=float), np.asarray(v, dtype=float)
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


def make_satrec(satnum: int, epoch: datetime, elements, bstar: float, kind: type[Satrec] = Satrec) -> Satrec:
    """A ``kind`` (Satrec or a subclass) initialised with mean ``elements`` (n rad/min, e, i,
    raan, argp, mean anomaly) at ``epoch``."""
    n, e, i, raan, argp, mean_anomaly = elements
    jd, fr = datetime_to_jd(epoch)
    satrec = kind()
    satrec.sgp4init(WGS72, "i", satnum, jd + fr - SGP4_EPOCH_JD, bstar, 0.0, 0.0, e, argp, i, mean_anomaly, n, raan)
    return satrec


def fit_mean_elements(reference_km: np.ndarray, jd: np.ndarray, fr: np.ndarray, satnum: int, epoch: datetime,
                      bstar: float, first_guess, kind: type[Satrec] = Satrec) -> MeanElementFit:
    """The mean elements at ``epoch`` whose SGP4 positions at the split Julian dates ``(jd,
    fr)`` come nearest (least squares) to ``reference_km`` (n, 3, TEME), from ``first_guess``
    (osculating elements, as :func:`osculating_elements` gives them)."""
    start = _to_equinoctial(*first_guess)

    def residuals(x: np.ndarray) -> np.ndarray:
        n, e, *_ = _from_equinoctial(x)
        if not (0 < n < 0.2 and e < 0.99):
            return np.full(reference_km.size, 1e6)
        error_codes, positions, _ = make_satrec(satnum, epoch, _from_equinoctial(x), bstar).sgp4_array(jd, fr)
        if np.any(error_codes):
            return np.full(reference_km.size, 1e6)
        return (positions - reference_km).ravel()

    from scipy.optimize import least_squares  # here: scipy costs the console's first frame 0.7 s

    solution = least_squares(residuals, start, method="lm", x_scale="jac", xtol=1e-12, ftol=1e-12, max_nfev=400)
    distance = np.linalg.norm(solution.fun.reshape(-1, 3), axis=1)
    if not np.isfinite(distance).all() or distance.max() > 1e5:
        raise FitError("the element fit did not converge")
    satrec = make_satrec(satnum, epoch, _from_equinoctial(solution.x), bstar, kind)
    return MeanElementFit(satrec, float(np.sqrt(np.mean(distance**2))), float(distance.max()))

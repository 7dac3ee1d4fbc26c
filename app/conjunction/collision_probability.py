"""Probability of collision by Foster's 2D method, as NASA CARA implements it (Pc2D_Foster):
rotate each object's position covariance from its RTN frame to inertial, add them, project
on the encounter plane (normal to the relative velocity), and integrate the 2D Gaussian
over the hard-body circle centred on the miss vector."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from app.astro.constants import EARTH_ROTATION_RAD_S
from app.conjunction.cdm import EARTH_FIXED_FRAMES, Cdm


def rtn_to_inertial(r: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Rows R, T, N of an object's radial / transverse / normal frame, in the state's frame."""
    radial = r / np.linalg.norm(r)
    normal = np.cross(r, v)
    normal /= np.linalg.norm(normal)
    return np.array([radial, np.cross(normal, radial), normal])


def _inertial_velocity(r_km: np.ndarray, v_km_s: np.ndarray, frame: str) -> np.ndarray:
    """An Earth-fixed velocity plus Earth's rotation: the velocity seen from a non-rotating
    frame with the same axes at TCA (enough for the RTN axes and the encounter geometry)."""
    if frame in EARTH_FIXED_FRAMES:
        return v_km_s + np.cross([0.0, 0.0, EARTH_ROTATION_RAD_S], r_km)
    return v_km_s


def foster_pc(r1_km, v1_km_s, cov1_rtn_m2, r2_km, v2_km_s, cov2_rtn_m2, hbr_m: float) -> float:
    r1, v1, r2, v2 = (np.asarray(x, dtype=float) for x in (r1_km, v1_km_s, r2_km, v2_km_s))
    rot1, rot2 = rtn_to_inertial(r1, v1), rtn_to_inertial(r2, v2)
    combined = rot1.T @ np.asarray(cov1_rtn_m2) @ rot1 + rot2.T @ np.asarray(cov2_rtn_m2) @ rot2  # m^2
    miss = (r2 - r1) * 1000.0  # m
    relative_velocity = v2 - v1
    z_axis = relative_velocity / np.linalg.norm(relative_velocity)
    in_plane = miss - (miss @ z_axis) * z_axis
    x_axis = in_plane / np.linalg.norm(in_plane) if np.linalg.norm(in_plane) > 0 else np.cross(z_axis, [0, 0, 1.0])
    x_axis /= np.linalg.norm(x_axis)
    y_axis = np.cross(z_axis, x_axis)
    projection = np.array([x_axis, y_axis])
    plane_covariance = projection @ combined @ projection.T
    miss_2d = projection @ miss
    return gaussian_over_circle(miss_2d, plane_covariance, hbr_m)


def gaussian_over_circle(mean: np.ndarray, covariance: np.ndarray, radius: float) -> float:
    """Integral of N(mean, covariance) over the disc of ``radius`` about the origin."""
    from scipy import integrate  # here, not at the top: scipy costs the console's first frame 0.7 s

    eigenvalues, eigenvectors = np.linalg.eigh(covariance)
    sx, sy = math.sqrt(max(eigenvalues[0], 1e-30)), math.sqrt(max(eigenvalues[1], 1e-30))
    xm, ym = eigenvectors.T @ mean  # the miss vector on the principal axes

    def strip_across(x: float) -> float:
        """The probability across y of the disc's chord at x."""
        half = math.sqrt(max(radius * radius - x * x, 0.0))
        return 0.5 * (math.erf((ym + half) / (math.sqrt(2) * sy)) - math.erf((ym - half) / (math.sqrt(2) * sy)))

    def strip(x: float) -> float:
        return math.exp(-0.5 * ((x - xm) / sx) ** 2) / (math.sqrt(2 * math.pi) * sx) * strip_across(x)

    if sx <= 1e-9 * radius:  # no spread across x (a zero or near-zero covariance): the limit
        return float(min(max(strip_across(xm), 0.0), 1.0)) if abs(xm) < radius else 0.0
    # integrate only where the Gaussian lives (12 sigma), or a narrow peak inside a wide disc
    # is stepped over and the answer comes out 0 where it is nearly 1
    low, high = max(-radius, xm - 12.0 * sx), min(radius, xm + 12.0 * sx)
    if low >= high:
        return 0.0
    inside = [xm] if low < xm < high else None
    value, _error = integrate.quad(strip, low, high, epsabs=1e-15, epsrel=1e-12, limit=400, points=inside)
    return float(min(max(value, 0.0), 1.0))


# The one hard-body-radius rule, for the command line and the CDM dialog alike: the radius the
# operator gives, else the message's own (its HBR field, or a "COMMENT HBR =" line), else this
# default (a combined radius for two objects of a few metres each, said as a default wherever used).
DEFAULT_HBR_M = 10.0


@dataclass(frozen=True)
class HardBodyRadius:
    metres: float
    source: str  # "given" | "message" | "default"

    def describe(self) -> str:
        why = {"given": "as given", "message": "the message's HBR", "default": "console default: the message "
               "states none"}[self.source]
        return f"{self.metres:g} m ({why})"


def hard_body_radius(cdm: Cdm, given_m: float | None = None) -> HardBodyRadius:
    if given_m is not None:
        if not given_m > 0:
            raise ValueError(f"hard-body radius: {given_m!r} m must be positive")
        return HardBodyRadius(float(given_m), "given")
    if cdm.hbr_m is not None and cdm.hbr_m > 0:
        return HardBodyRadius(float(cdm.hbr_m), "message")
    return HardBodyRadius(DEFAULT_HBR_M, "default")


def message_pc_radius_text(cdm: Cdm) -> str:
    """What stands behind the message's own Pc: its stated radius, or that it states none."""
    if cdm.collision_probability is None:
        return "the message gives no Pc"
    if cdm.hbr_m is None:
        return "the message does not state the radius behind its Pc"
    method = f", {cdm.collision_probability_method}" if cdm.collision_probability_method else ""
    return f"HBR {cdm.hbr_m:g} m (the message's{method})"


def cdm_pc(cdm: Cdm, hbr_m: float | None = None) -> float:
    """Foster Pc of a CDM with the hard-body radius of the one rule (``hard_body_radius``)."""
    radius = hard_body_radius(cdm, hbr_m).metres
    o1, o2 = cdm.object1, cdm.object2
    return foster_pc(o1.r_km, _inertial_velocity(o1.r_km, o1.v_km_s, o1.ref_frame), o1.covariance_rtn_m2,
                     o2.r_km, _inertial_velocity(o2.r_km, o2.v_km_s, o2.ref_frame), o2.covariance_rtn_m2, radius)

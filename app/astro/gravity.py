"""The Earth's gravity as SGP4's WGS72 constants give it: point mass plus J2 (the
oblateness term; the next, J3, is a thousand times smaller)."""

from __future__ import annotations

import numpy as np

from app.astro.constants import WGS72_EARTH_RADIUS_KM, WGS72_J2, WGS72_MU_KM3_S2


def acceleration_km_s2(r_km: np.ndarray) -> np.ndarray:
    """Gravitational acceleration (km/s^2) at positions ``r_km`` (3,) or (n, 3), Earth-centred
    (any frame whose z axis is the Earth's spin axis: TEME, GCRF to within precession)."""
    r = np.asarray(r_km, dtype=float)
    radius = np.linalg.norm(r, axis=-1, keepdims=True)
    z2 = (r[..., 2:3] / radius) ** 2
    factor = 1.5 * WGS72_J2 * WGS72_MU_KM3_S2 * WGS72_EARTH_RADIUS_KM**2 / radius**5
    oblate = np.concatenate([5 * z2 - 1, 5 * z2 - 1, 5 * z2 - 3], axis=-1)
    return -WGS72_MU_KM3_S2 * r / radius**3 + factor * r * oblate

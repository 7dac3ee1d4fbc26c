"""The osculating two-body orbit through a state: radius of perigee and of apogee, and the
speed at perigee (the fastest the object moves on that orbit). Used to bound screening
where a catalog's mean elements are stale (an old element set of a decaying object)."""

from __future__ import annotations

import numpy as np

from app.astro.constants import WGS72_MU_KM3_S2


def apsides(r_km: np.ndarray, v_km_s: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(perigee radius km, apogee radius km (inf when unbound), perigee speed km/s) for each
    row of positions and velocities (n, 3)."""
    x, y, z = r_km[:, 0], r_km[:, 1], r_km[:, 2]
    vx, vy, vz = v_km_s[:, 0], v_km_s[:, 1], v_km_s[:, 2]
    radius = np.sqrt(x * x + y * y + z * z)
    energy = 0.5 * (vx * vx + vy * vy + vz * vz) - WGS72_MU_KM3_S2 / radius
    momentum = np.sqrt((y * vz - z * vy) ** 2 + (z * vx - x * vz) ** 2 + (x * vy - y * vx) ** 2)
    eccentricity = np.sqrt(np.maximum(1.0 + 2.0 * energy * momentum**2 / WGS72_MU_KM3_S2**2, 0.0))
    perigee = momentum**2 / (WGS72_MU_KM3_S2 * (1.0 + eccentricity))
    with np.errstate(divide="ignore"):
        apogee = np.where(eccentricity < 1.0, momentum**2 / (WGS72_MU_KM3_S2 * (1.0 - eccentricity)), np.inf)
    return perigee, apogee, momentum / np.maximum(perigee, 1e-9)

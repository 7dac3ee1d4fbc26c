"""Object type and orbit regime: what kind of thing an object is and where it flies."""

from __future__ import annotations

import re

import numpy as np

PAYLOAD, ROCKET_BODY, DEBRIS, UNKNOWN = "PAYLOAD", "ROCKET BODY", "DEBRIS", "UNKNOWN"
OBJECT_TYPES = (PAYLOAD, ROCKET_BODY, DEBRIS, UNKNOWN)

LEO, MEO, GEO, HEO = "LEO", "MEO", "GEO", "HEO"
ORBIT_REGIMES = (LEO, MEO, GEO, HEO)

LEO_MAX_APOGEE_ALT_KM = 2000.0
GEO_MEAN_MOTION_REV_DAY = (0.9, 1.1)  # geosynchronous band, about 1 rev per sidereal day
HEO_MIN_ECCENTRICITY = 0.25

# CelesTrak / Space-Track naming conventions for non-payload pieces
_DEBRIS_NAME = re.compile(r"\b(DEB|DEBRIS|COOLANT|SHROUD|FRAG|FRAGMENT)\b")
_ROCKET_BODY_NAME = re.compile(r"(\bR/B\b|\bAKM\b|\bPKM\b|ROCKET BODY)")
# a piece not yet identified: "OBJECT C", "TRANSPORTER-14 OBJECT AC" (CelesTrak truncates to
# "... OBJE*"), "TBA - TO BE ASSIGNED", or a name that is only the designator ("2025-108A")
_UNIDENTIFIED_NAME = re.compile(r"(\bOBJECT\b|\bOBJ\w*\*$|^TBA\b|\bTO BE ASSIGNED\b|^UNKNOWN\b|^\d{4}-\d{3}[A-Z]*$|^$)")


def object_type_from_name(name: str) -> str:
    """DEBRIS for ``... DEB``, ROCKET BODY for ``... R/B``; UNKNOWN when the name says nothing."""
    upper = name.upper()
    if _ROCKET_BODY_NAME.search(upper):
        return ROCKET_BODY
    if _DEBRIS_NAME.search(upper):
        return DEBRIS
    return UNKNOWN


def is_unidentified_piece(name: str) -> bool:
    """A piece the catalog has not identified yet (``OBJECT C``, ``TRANSPORTER-14 OBJECT AC``,
    ``TBA``, a bare designator, no name): its name says nothing about what it is."""
    return bool(_UNIDENTIFIED_NAME.search(name.strip().upper()))


def orbit_regime(mean_motion_rev_day: np.ndarray, eccentricity: np.ndarray,
                 apogee_alt_km: np.ndarray) -> np.ndarray:
    """LEO (apogee below 2000 km), GEO (geosynchronous band, e < 0.25), HEO (highly
    eccentric, e >= 0.25, or beyond the GEO band), MEO (the rest: between LEO and GEO)."""
    n = np.asarray(mean_motion_rev_day, dtype=float)
    e = np.asarray(eccentricity, dtype=float)
    apogee = np.asarray(apogee_alt_km, dtype=float)
    low, high = GEO_MEAN_MOTION_REV_DAY
    regime = np.full(n.shape, MEO, dtype="<U3")
    regime[(e >= HEO_MIN_ECCENTRICITY) | (n < low)] = HEO
    regime[(n >= low) & (n <= high) & (e < HEO_MIN_ECCENTRICITY)] = GEO
    regime[apogee < LEO_MAX_APOGEE_ALT_KM] = LEO
    return regime

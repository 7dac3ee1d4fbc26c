"""Possible maneuvers: a newer element set that the previous one does not explain.

The previous element set is propagated by SGP4 to the new set's epoch; its mean elements
there (SGP4's own secular and drag evolution: ``nm``, ``im``, ``Om``) are compared with the
new set's. A difference beyond what the previous set's age explains flags the object:

    |da|     > 0.5 km   + 0.2 km/day    x age

where ``age`` is the time between the two epochs, and a plane change (the angle between
the two orbit normals, which stays meaningful for equatorial orbits whose RAAN is not)

    angle    > 0.02 deg + 0.01 deg/day  x age

For deep-space orbits (period 225 min or more: lunisolar and radiation-pressure noise in
the element sets) the allowances are doubled. They cover drag and element noise for objects
that do not thrust (a non-propulsive object such as HST is not flagged over two months);
a burn of a few m/s changes ``a`` by several km at once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from sgp4.api import Satrec

from app.astro.constants import WGS72_MU_KM3_S2
from app.astro.timeutil import format_utc, jd_to_datetime
from app.catalog.catalog import Catalog

DA_KM, DA_KM_PER_DAY = 0.5, 0.2
PLANE_DEG, PLANE_DEG_PER_DAY = 0.02, 0.01
DEEP_SPACE_PERIOD_MIN = 225.0


@dataclass(frozen=True)
class ManeuverFlag:
    norad_id: int
    previous_epoch_utc: str
    new_epoch_utc: str
    age_days: float
    delta_a_km: float
    delta_inclination_deg: float
    delta_raan_deg: float
    reasons: tuple[str, ...]

    def message(self) -> str:
        return (f"{self.norad_id}: possible maneuver between {self.previous_epoch_utc} and {self.new_epoch_utc}"
                f" ({'; '.join(self.reasons)})")


def _semi_major_axis_km(mean_motion_rad_min: float) -> float:
    n = mean_motion_rad_min / 60.0
    return (WGS72_MU_KM3_S2 / (n * n)) ** (1.0 / 3.0)


def _wrap_deg(angle: float) -> float:
    return (angle + 180.0) % 360.0 - 180.0


def _normal(inclination_rad: float, raan_rad: float) -> np.ndarray:
    return np.array([math.sin(inclination_rad) * math.sin(raan_rad), -math.sin(inclination_rad) * math.cos(raan_rad),
                     math.cos(inclination_rad)])


def _angle(a: np.ndarray, b: np.ndarray) -> float:
    return math.atan2(np.linalg.norm(np.cross(a, b)), float(a @ b))


def compare(previous: Satrec, new: Satrec, norad_id: int) -> ManeuverFlag | None:
    """A flag if ``new`` departs from ``previous`` propagated to its epoch beyond the rule."""
    age_days = (new.jdsatepoch - previous.jdsatepoch) + (new.jdsatepochF - previous.jdsatepochF)
    if age_days <= 0:
        return None
    error, _r, _v = previous.sgp4(new.jdsatepoch, new.jdsatepochF)
    if error != 0:
        return None  # the old set no longer propagates (decayed): nothing to compare
    delta_a = _semi_major_axis_km(new.no) - _semi_major_axis_km(previous.nm)
    delta_i = math.degrees(new.inclo - previous.im)
    delta_raan = _wrap_deg(math.degrees(new.nodeo - previous.Om))
    plane = math.degrees(_angle(_normal(previous.im, previous.Om), _normal(new.inclo, new.nodeo)))
    scale = 2.0 if 2 * math.pi / new.no >= DEEP_SPACE_PERIOD_MIN else 1.0
    reasons = []
    if abs(delta_a) > scale * (DA_KM + DA_KM_PER_DAY * age_days):
        reasons.append(f"semi-major axis changed by {delta_a:+.2f} km")
    if plane > scale * (PLANE_DEG + PLANE_DEG_PER_DAY * age_days):
        reasons.append(f"orbit plane turned by {plane:.3f} deg (inclination {delta_i:+.3f} deg)")
    if not reasons:
        return None
    return ManeuverFlag(norad_id, format_utc(jd_to_datetime(previous.jdsatepoch, previous.jdsatepochF)),
                        format_utc(jd_to_datetime(new.jdsatepoch, new.jdsatepochF)), float(age_days),
                        float(delta_a), float(delta_i), float(delta_raan), tuple(reasons))


def flag_maneuvers(previous: Catalog, new: Catalog) -> list[ManeuverFlag]:
    """Flags for every object in both catalogs whose new element set is newer."""
    flags = []
    common = np.intersect1d(previous.norad_id, new.norad_id)
    for norad_id in common.tolist():
        old_set = previous.satrecs[previous.row_of(norad_id)]
        new_set = new.satrecs[new.row_of(norad_id)]
        flag = compare(old_set, new_set, norad_id)
        if flag is not None:
            flags.append(flag)
    return flags

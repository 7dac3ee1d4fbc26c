"""Reference frames: TEME (what SGP4 gives) to Earth-fixed ITRS and to inertial GCRS, and
ITRS to geodetic.

The TEME -> ITRS and TEME -> GCRS rotations live here and nowhere else. TEME -> ITRS is the
IAU-82 GMST rotation (Vallado, *Fundamentals of Astrodynamics*, alg. 15, and the ``teme2ecef``
of "Revisiting Spacetrack Report #3"), with UT1 - UTC and polar motion as parameters that
default to zero: display grade, about 0.5 km at LEO until those are fed from IERS data.
Geodetic coordinates come from one reused ``pyproj.Transformer`` (EPSG:4978 -> 4979).

TEME -> GCRS (the ICRF-aligned geocentric frame: Cesium's INERTIAL, CCSDS's GCRF) goes
through pyerfa, the IAU's SOFA routines: TEME's mean equinox to the true equinox by the
difference of the IAU-82 GMST (SGP4's own) and the IAU 2006/2000A apparent sidereal time, then
the IAU 2006/2000A bias-precession-nutation matrix. It hardly depends on UT1 - UTC (both
sidereal times turn with the Earth: their difference moves by under 1e-11 rad for a second of
UT1 - UTC, 0.4 mm at GEO), so UT1 = UTC costs nothing here: it agrees with Skyfield's GCRS
within millimetres.

GCRS -> EME2000 (the mean equator and equinox of J2000, CCSDS's EME2000) is the IAU 2000 frame
bias, one constant rotation of about 23 mas (``erfa.bp00``'s bias matrix): up to 0.8 m at LEO,
4.5 m at GEO (less along the rotation's axis). GCRS -> ITRS is the IAU 2006/2000A CIO-based rotation (``erfa.c2t06a``),
with UT1 = UTC and no polar motion as everywhere in the console: the same Earth-fixed frame as
the IAU-82 GMST rotation from TEME above within 2e-10 rad (measured 0.5 mm at LEO, 3 mm at
GEO: both turn TEME's mean equinox with one UT1 and the same sidereal-time model), so a state
taken to ITRS one way comes back by the other.
"""

from __future__ import annotations

import math
import threading

import numpy as np
from pyproj import Transformer

from app.astro.constants import EARTH_ROTATION_RAD_S

_ARCSEC_TO_RAD = math.pi / (180.0 * 3600.0)
_J2000_JD = 2451545.0
_DAYS_PER_CENTURY = 36525.0


def gmst_rad(jd_ut1: np.ndarray | float, fr_ut1: np.ndarray | float = 0.0) -> np.ndarray:
    """Greenwich mean sidereal time (IAU-82) in radians, in [0, 2 pi), from a split UT1 JD."""
    t_ut1 = ((np.asarray(jd_ut1, dtype=float) - _J2000_JD) + np.asarray(fr_ut1, dtype=float)) / _DAYS_PER_CENTURY
    seconds = (67310.54841 + (876600.0 * 3600.0 + 8640184.812866) * t_ut1
               + 0.093104 * t_ut1**2 - 6.2e-6 * t_ut1**3)
    return np.mod(np.radians(seconds / 240.0), 2.0 * math.pi)


def _polar_motion_matrix(xp_arcsec: float, yp_arcsec: float) -> np.ndarray:
    """W such that r_itrs = W.T @ r_pef (IAU-76/FK5 small-angle form, as Vallado)."""
    xp, yp = xp_arcsec * _ARCSEC_TO_RAD, yp_arcsec * _ARCSEC_TO_RAD
    cos_xp, sin_xp, cos_yp, sin_yp = math.cos(xp), math.sin(xp), math.cos(yp), math.sin(yp)
    return np.array([
        [cos_xp, 0.0, -sin_xp],
        [sin_xp * sin_yp, cos_yp, cos_xp * sin_yp],
        [sin_xp * cos_yp, -sin_yp, cos_xp * cos_yp],
    ])


def teme_to_itrs(r_teme_km: np.ndarray, v_teme_km_s: np.ndarray, jd_utc: float, fr_utc: float,
                 ut1_minus_utc_s: float = 0.0, xp_arcsec: float = 0.0, yp_arcsec: float = 0.0
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Rotate N x 3 TEME states at one UTC epoch into ITRS; velocity includes Earth rotation."""
    theta = float(gmst_rad(jd_utc, fr_utc + ut1_minus_utc_s / 86400.0))
    cos_t, sin_t = math.cos(theta), math.sin(theta)
    rotation = np.array([[cos_t, sin_t, 0.0], [-sin_t, cos_t, 0.0], [0.0, 0.0, 1.0]])  # R3(gmst)
    r_pef = r_teme_km @ rotation.T
    v_pef = v_teme_km_s @ rotation.T
    # v_pef -= omega x r_pef, omega = (0, 0, w)
    v_pef[..., 0] += EARTH_ROTATION_RAD_S * r_pef[..., 1]
    v_pef[..., 1] -= EARTH_ROTATION_RAD_S * r_pef[..., 0]
    if xp_arcsec or yp_arcsec:
        polar = _polar_motion_matrix(xp_arcsec, yp_arcsec)
        return r_pef @ polar, v_pef @ polar  # (W.T @ r.T).T == r @ W
    return r_pef, v_pef


def _utc_and_tt(jd_utc, fr_utc):
    """``(jd, fr, tt1, tt2)``: the UTC date with its whole days in ``jd`` (as ERFA's UTC
    functions want a date and a fraction) and the same instants in TT."""
    import warnings

    import erfa

    jd = np.asarray(jd_utc, dtype=float)
    fr = np.asarray(fr_utc, dtype=float)
    whole = np.floor(fr)
    jd, fr = jd + whole, fr - whole
    with warnings.catch_warnings():
        # past ERFA's table of leap seconds it warns "dubious year" and keeps the last offset
        warnings.simplefilter("ignore", erfa.ErfaWarning)
        tai1, tai2 = erfa.utctai(jd, fr)
    tt1, tt2 = erfa.taitt(tai1, tai2)
    return jd, fr, tt1, tt2


def teme_to_gcrs_rotation(jd_utc: np.ndarray | float, fr_utc: np.ndarray | float) -> np.ndarray:
    """The matrices (... x 3 x 3) taking TEME vectors to GCRS at split UTC Julian dates:
    ``r_gcrs = R @ r_teme`` (positions; velocities too, to well under a mm/s)."""
    import erfa  # (pyerfa: imported here, so that the frames most commands use cost nothing more)

    jd, fr, tt1, tt2 = _utc_and_tt(jd_utc, fr_utc)
    # UT1 = UTC, as everywhere in the console: the rotation does not feel it (see above)
    angle = erfa.gmst82(jd, fr) - erfa.gst06a(jd, fr, tt1, tt2)  # TEME -> true of date: R3(GMST - GAST)
    cos_a, sin_a = np.cos(angle), np.sin(angle)
    r3 = np.zeros(np.shape(angle) + (3, 3))
    r3[..., 0, 0], r3[..., 0, 1], r3[..., 1, 0], r3[..., 1, 1], r3[..., 2, 2] = cos_a, sin_a, -sin_a, cos_a, 1.0
    npb = erfa.pnm06a(tt1, tt2)  # GCRS -> true of date
    return np.swapaxes(npb, -1, -2) @ r3


def teme_to_gcrs_many_epochs(r_teme_km: np.ndarray, jd_utc: np.ndarray, fr_utc: np.ndarray) -> np.ndarray:
    """Positions (N x 3, one epoch per row) from TEME to GCRS."""
    rotation = teme_to_gcrs_rotation(jd_utc, fr_utc)
    return np.einsum("...ij,...j->...i", rotation, np.asarray(r_teme_km, dtype=float))


def teme_to_itrs_many_epochs(r_teme_km: np.ndarray, jd_utc: np.ndarray, fr_utc: np.ndarray,
                             ut1_minus_utc_s: float = 0.0) -> np.ndarray:
    """Positions only, one epoch per row (for orbit paths and ground tracks)."""
    theta = gmst_rad(jd_utc, np.asarray(fr_utc) + ut1_minus_utc_s / 86400.0)
    cos_t, sin_t = np.cos(theta), np.sin(theta)
    out = np.empty_like(r_teme_km)
    out[..., 0] = cos_t * r_teme_km[..., 0] + sin_t * r_teme_km[..., 1]
    out[..., 1] = -sin_t * r_teme_km[..., 0] + cos_t * r_teme_km[..., 1]
    out[..., 2] = r_teme_km[..., 2]
    return out


def gcrs_to_eme2000_matrix() -> np.ndarray:
    """The IAU 2000 frame bias B (``erfa.bp00``'s first matrix, constant): ``r_eme2000 = B @
    r_gcrs``. The two frames differ by about 23 mas (1.1e-7 rad): up to 0.8 m at LEO, 4.5 m at GEO."""
    import erfa

    return erfa.bp00(_J2000_JD, 0.0)[0]


def gcrs_to_itrs_rotation(jd_utc: np.ndarray | float, fr_utc: np.ndarray | float) -> np.ndarray:
    """The matrices (... x 3 x 3) taking GCRS vectors to ITRS at split UTC Julian dates
    (IAU 2006/2000A, CIO based: ``erfa.c2t06a``), UT1 = UTC and no polar motion: ``r_itrs =
    R @ r_gcrs``. Velocities also need Earth's rotation: see :func:`gcrs_to_itrs_states`."""
    import erfa

    jd, fr, tt1, tt2 = _utc_and_tt(jd_utc, fr_utc)
    return erfa.c2t06a(tt1, tt2, jd, fr, 0.0, 0.0)


def gcrs_to_itrs_states(r_gcrs_km: np.ndarray, v_gcrs_km_s: np.ndarray, jd_utc: np.ndarray,
                        fr_utc: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """States (N x 3, one epoch per row) from GCRS to ITRS; the velocity is the Earth-fixed
    one (``v_itrs = R v_gcrs - omega x r_itrs``)."""
    rotation = gcrs_to_itrs_rotation(jd_utc, fr_utc)
    r_itrs = np.einsum("...ij,...j->...i", rotation, np.asarray(r_gcrs_km, dtype=float))
    v_itrs = np.einsum("...ij,...j->...i", rotation, np.asarray(v_gcrs_km_s, dtype=float))
    v_itrs[..., 0] += EARTH_ROTATION_RAD_S * r_itrs[..., 1]
    v_itrs[..., 1] -= EARTH_ROTATION_RAD_S * r_itrs[..., 0]
    return r_itrs, v_itrs


def itrs_to_gcrs_states(r_itrs_km: np.ndarray, v_itrs_km_s: np.ndarray, jd_utc: np.ndarray,
                        fr_utc: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The inverse of :func:`gcrs_to_itrs_states` (``v_gcrs = R.T (v_itrs + omega x r_itrs)``)."""
    rotation = np.swapaxes(gcrs_to_itrs_rotation(jd_utc, fr_utc), -1, -2)
    r_itrs = np.asarray(r_itrs_km, dtype=float)
    v_inertial = np.array(v_itrs_km_s, dtype=float)
    v_inertial[..., 0] -= EARTH_ROTATION_RAD_S * r_itrs[..., 1]
    v_inertial[..., 1] += EARTH_ROTATION_RAD_S * r_itrs[..., 0]
    return (np.einsum("...ij,...j->...i", rotation, r_itrs),
            np.einsum("...ij,...j->...i", rotation, v_inertial))


def teme_to_itrs_states_many_epochs(r_teme_km: np.ndarray, v_teme_km_s: np.ndarray, jd_utc: np.ndarray,
                                    fr_utc: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`teme_to_itrs` (UT1 = UTC, no polar motion) with one epoch per row: positions and
    Earth-fixed velocities."""
    theta = gmst_rad(jd_utc, fr_utc)
    cos_t, sin_t = np.cos(theta), np.sin(theta)
    r, v = np.asarray(r_teme_km, dtype=float), np.asarray(v_teme_km_s, dtype=float)
    r_itrs, v_itrs = np.empty_like(r), np.empty_like(v)
    for out, vec in ((r_itrs, r), (v_itrs, v)):
        out[..., 0] = cos_t * vec[..., 0] + sin_t * vec[..., 1]
        out[..., 1] = -sin_t * vec[..., 0] + cos_t * vec[..., 1]
        out[..., 2] = vec[..., 2]
    v_itrs[..., 0] += EARTH_ROTATION_RAD_S * r_itrs[..., 1]
    v_itrs[..., 1] -= EARTH_ROTATION_RAD_S * r_itrs[..., 0]
    return r_itrs, v_itrs


class GeodeticConverter:
    """ITRS (km) -> WGS84 geodetic latitude, longitude (deg) and height (km), via pyproj.

    One ``Transformer`` per thread: pyproj transformers are not safe to share across
    threads, and building one costs milliseconds, so each thread keeps its own.
    """

    def __init__(self) -> None:
        self._local = threading.local()

    def _transformer(self) -> Transformer:
        transformer = getattr(self._local, "transformer", None)
        if transformer is None:
            transformer = Transformer.from_crs("EPSG:4978", "EPSG:4979", always_xy=True)
            self._local.transformer = transformer
        return transformer

    def to_geodetic(self, r_itrs_km: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        r_m = np.asarray(r_itrs_km, dtype=float).reshape(-1, 3) * 1000.0
        lon_deg, lat_deg, height_m = self._transformer().transform(r_m[:, 0], r_m[:, 1], r_m[:, 2])
        shape = np.shape(r_itrs_km)[:-1]
        return (np.reshape(lat_deg, shape), np.reshape(lon_deg, shape), np.reshape(height_m, shape) / 1000.0)


GEODETIC = GeodeticConverter()


def itrs_to_geodetic(r_itrs_km: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(lat_deg, lon_deg, alt_km)`` of N x 3 ITRS positions (NaN rows stay NaN)."""
    return GEODETIC.to_geodetic(r_itrs_km)

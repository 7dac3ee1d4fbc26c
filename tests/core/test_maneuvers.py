"""Maneuver flags: an element set re-epoched without a burn is not flagged; a few m/s of
burn or a plane change is; a real non-propulsive object (HST) over two months is not."""

from __future__ import annotations

import math

import pytest
from sgp4.api import WGS72, Satrec

from app.catalog import Catalog
from app.catalog.ingest.tle import read_tle_text
from app.catalog.maneuvers import compare, flag_maneuvers

SGP4_EPOCH0_JD = 2433281.5


def _re_epoched(satrec: Satrec, days: float, delta_n_rad_min: float = 0.0, delta_i_rad: float = 0.0) -> Satrec:
    """The set propagated ``days`` ahead and re-initialised there from its own mean elements
    (what a fresh element set would look like without a burn), optionally changed."""
    jd, fr = satrec.jdsatepoch, satrec.jdsatepochF + days
    error, _r, _v = satrec.sgp4(jd, fr)
    assert error == 0
    fresh = Satrec()
    # nm is Brouwer's mean motion; sgp4init wants Kozai's: close enough for a re-epoch
    kozai = satrec.no_kozai * satrec.nm / satrec.no
    fresh.sgp4init(WGS72, "i", satrec.satnum, jd + fr - SGP4_EPOCH0_JD, satrec.bstar, satrec.ndot, satrec.nddot,
                   satrec.em, satrec.om, satrec.im + delta_i_rad, satrec.mm, kozai + delta_n_rad_min, satrec.Om)
    return fresh


@pytest.fixture(scope="module")
def iss(default_catalog):
    return default_catalog.satrecs[default_catalog.row_of(25544)]


def test_no_burn_no_flag(iss):
    assert compare(iss, _re_epoched(iss, 2.0), 25544) is None


def test_a_burn_is_flagged(iss):
    # +2 m/s along-track at 420 km raises a by about 3.6 km: dn = -3/2 n da/a
    a = (398600.8 / (iss.no / 60) ** 2) ** (1 / 3)
    delta_n = -1.5 * iss.no * 3.6 / a
    flag = compare(iss, _re_epoched(iss, 2.0, delta_n_rad_min=delta_n), 25544)
    assert flag is not None and "semi-major axis" in flag.reasons[0] and 3.0 < flag.delta_a_km < 4.5


def test_a_plane_change_is_flagged(iss):
    flag = compare(iss, _re_epoched(iss, 1.0, delta_i_rad=math.radians(0.05)), 25544)
    assert flag is not None and any("plane" in r for r in flag.reasons)


def test_hst_between_two_real_snapshots_is_not_flagged(default_catalog, data_dir):
    """HST has no thrusters: its 2026-06-14 set against the 2026-08-11 catalog's."""
    june = read_tle_text((data_dir / "hst_2026-06-14.tle").read_text(), "june").element_sets
    old = Catalog(june)
    new = default_catalog.subset([default_catalog.row_of(20580)])
    assert flag_maneuvers(old, new) == []

"""Objects from an OEM in the catalog (issue #16): an operator's ephemeris joins the catalog,
replaces the element set of the object it names, and every feature that asks the catalog for
states (the engine behind the globe and map, the watchlist, screening, passes, exports) gets
the ephemeris's, never extrapolated.

The authority: an OEM written from the bundled catalog's own SGP4 at 60 s steps (Lagrange 7),
so the ephemeris object's states must be the SGP4 object's within the interpolation error the
OEM tests measure (2 cm at LEO and GEO), and every screening, pass and watchlist answer the
SGP4 object's within what 2 cm can move them (tolerances stated per test, all far wider than
2 cm would explain and far tighter than any mistake would give: a wrong frame is kilometres,
the fitted mean elements used by mistake are tens of metres to kilometres).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import numpy as np
import pytest
from sgp4.api import Satrec

from app.astro.ephemeris_satrec import sgp4_rows
from app.astro.timeutil import datetime_to_jd
from app.catalog.catalog import Catalog
from app.catalog.ingest.ephemeris_objects import UNMATCHED_BASE
from app.common.resources import default_catalog_paths
from app.common.user_settings import Operator
from app.conjunction.grid import evaluate
from app.conjunction.screening import screen_all, screen_primaries
from app.conjunction.sieve import PIECES, _Sample, block_motion, catalog_states
from app.exchange.oem_out import export_oem
from app.exchange.release import releasable
from app.live.engine import propagate
from app.rpo.watch_pair import WatchPair
from app.rpo.watchlist import next_approach, range_history
from app.sensors.catalog_passes import catalog_passes
from app.sensors.sites import bundled_sensors

OFFICER = Operator("alice", "GBR", clearance="SECRET")
START = datetime(2026, 8, 12, 0, 0, tzinfo=timezone.utc)
HOURS = 24.0
ISS, GEO = 25544, 41866  # the ISS and GOES-16 (GEO)
INTERPOLATION_KM = 2e-5  # 2 cm: Lagrange 7 over 60 s SGP4 states, the OEM tests' bound


@pytest.fixture(scope="module")
def oem_path(tmp_path_factory, default_catalog):
    path = tmp_path_factory.mktemp("oem") / "operator.oem"
    rows = [default_catalog.row_of(ISS), default_catalog.row_of(GEO)]
    release = releasable(default_catalog, rows, OFFICER, exported_utc=START)
    path.write_text(export_oem(default_catalog, release, START, HOURS, 60.0, "GCRF").text)
    return path


@pytest.fixture(scope="module")
def with_oem(oem_path) -> Catalog:
    return Catalog.load(list(default_catalog_paths()) + [oem_path])


def test_an_oem_object_replaces_the_element_set_of_the_object_it_names(with_oem, default_catalog, oem_path):
    assert len(with_oem) == len(default_catalog)
    for norad_id in (ISS, GEO):
        row = with_oem.row_of(norad_id)
        assert with_oem.is_ephemeris(row) and not default_catalog.is_ephemeris(default_catalog.row_of(norad_id))
        assert with_oem.name[row] == default_catalog.name[default_catalog.row_of(norad_id)]  # the catalog's name kept
        assert with_oem.regime[row] == default_catalog.regime[default_catalog.row_of(norad_id)]  # fitted elements
        assert str(oem_path) in {s.kept_source for s in with_oem.superseded if s.norad_id == norad_id}
    fitted = with_oem.satrecs[with_oem.row_of(ISS)].fit_rms_km
    assert fitted is not None and fitted < 1.0  # the mean elements fit SGP4's own trajectory closely


def test_the_engine_gives_the_ephemeris_states_and_nothing_outside_its_span(with_oem, default_catalog):
    times = [START + timedelta(seconds=s) for s in (0.0, 1234.567, 43210.5, HOURS * 3600.0)]
    for when in times:
        ours, reference = propagate(with_oem, when), propagate(default_catalog, when)
        for norad_id in (ISS, GEO):
            row, base = with_oem.row_of(norad_id), default_catalog.row_of(norad_id)
            assert ours.sgp4_error[row] == 0
            assert np.linalg.norm(ours.r_teme_km[row] - reference.r_teme_km[base]) < INTERPOLATION_KM
            assert np.linalg.norm(ours.r_itrs_km[row] - reference.r_itrs_km[base]) < INTERPOLATION_KM
    for when in (START - timedelta(seconds=1), START + timedelta(hours=HOURS, seconds=1)):
        snapshot = propagate(with_oem, when)
        row = with_oem.row_of(ISS)
        assert snapshot.sgp4_error[row] == 7 and np.isnan(snapshot.r_teme_km[row]).all()
        assert np.isnan(snapshot.lat_deg[row])
        assert "outside its ephemeris (2026-08-12 00:00:00 → 2026-08-13 00:00:00 UTC)" in \
            with_oem.no_state_reason(row, 7)
    assert np.count_nonzero(propagate(with_oem, START - timedelta(hours=1)).sgp4_error != 0) == \
        np.count_nonzero(propagate(default_catalog, START - timedelta(hours=1)).sgp4_error != 0) + 2


def test_an_object_no_catalog_holds_gets_a_stable_number_of_its_own(tmp_path, oem_path):
    text = oem_path.read_text().replace("OBJECT_ID = 1998-067A", "OBJECT_ID = 2099-123QZ", 1)
    path = tmp_path / "new.oem"
    path.write_text(text)
    first, second = (Catalog.load(list(default_catalog_paths()) + [path]) for _ in range(2))
    new = [int(n) for n in first.norad_id if n >= UNMATCHED_BASE]
    assert len(new) == 1 and new == [int(n) for n in second.norad_id if n >= UNMATCHED_BASE]
    assert first.is_ephemeris(first.row_of(new[0])) and not first.is_ephemeris(first.row_of(ISS))
    assert any("2099-123QZ" in w.reason and str(new[0]) in w.reason for w in first.warnings)
    alone = Catalog.load([path])  # an OEM as the whole catalog: a number for every object
    assert len(alone) == 2 and all(alone.is_ephemeris(r) for r in range(2))


def test_a_numeric_object_id_is_the_catalog_number(tmp_path, oem_path):
    path = tmp_path / "numbered.oem"
    path.write_text(oem_path.read_text().replace("OBJECT_ID = 1998-067A", "OBJECT_ID = 25544", 1))
    catalog = Catalog.load(list(default_catalog_paths()) + [path])
    assert catalog.is_ephemeris(catalog.row_of(ISS))


def test_a_malformed_oem_costs_nothing_else(tmp_path, data_dir, default_catalog):
    broken = sorted((data_dir / "oem" / "invalid").iterdir())
    catalog = Catalog.load(list(default_catalog_paths()) + broken)
    assert len(catalog) == len(default_catalog)
    assert not any(catalog.is_ephemeris(r) for r in range(0, len(catalog), 97))
    reported = {r.source for r in catalog.rejections}
    assert {str(p) for p in broken} <= reported
    assert all(r.location.startswith("line ") or r.location == "" for r in catalog.rejections
               if r.source in {str(p) for p in broken})


def test_screening_an_ephemeris_primary_finds_the_sgp4_approaches(with_oem, default_catalog):
    start, hours = START + timedelta(hours=1), 22.0
    ours = screen_primaries(with_oem, [ISS], start, hours, 25.0).approaches
    reference = screen_primaries(default_catalog, [ISS], start, hours, 25.0).approaches
    assert len(reference) > 0
    assert _keyed(ours).keys() == _keyed(reference).keys()
    for key, approach in _keyed(ours).items():
        other = _keyed(reference)[key]
        assert abs((approach.tca - other.tca).total_seconds()) < 0.01
        assert abs(approach.miss_km - other.miss_km) < 1e-3
    # and as the secondary: a primary that passes the ISS finds it, at the same time and distance
    secondary = reference[0].secondary if reference[0].primary == ISS else reference[0].primary
    back = [a for a in screen_primaries(with_oem, [secondary], start, hours, 25.0).approaches
            if ISS in (a.primary, a.secondary)]
    assert back and abs((back[0].tca - reference[0].tca).total_seconds()) < 0.01


def test_screening_all_against_all_with_an_ephemeris_object_finds_the_sgp4_approaches(with_oem, default_catalog):
    """All against all, an ephemeris object follows cubic pieces between its own samples
    (the sieve's quintic is for SGP4 objects): the ISS's approaches are those of its SGP4
    element set, at the same times and distances."""
    start, hours = START + timedelta(hours=1), 22.0
    reference = screen_primaries(default_catalog, [ISS], start, hours, 25.0).approaches
    others = sorted({a.secondary if a.primary == ISS else a.primary for a in reference})
    assert len(others) >= 3

    def iss_approaches(catalog):
        rows = [catalog.row_of(n) for n in [ISS, GEO, *others]]
        found = screen_all(catalog.subset(rows), start, hours, 25.0).approaches
        return _keyed([a for a in found if ISS in (a.primary, a.secondary)])

    ours, theirs = iss_approaches(with_oem), iss_approaches(default_catalog)
    assert with_oem.is_ephemeris(with_oem.row_of(ISS)) and len(theirs) >= 3
    # the sieve's path of the ephemeris object passes through its ephemeris at the inner samples
    row, span = with_oem.row_of(ISS), 720.0
    jd, fr = datetime_to_jd(start)
    ephemeris = np.zeros(len(with_oem), dtype=bool)
    ephemeris[with_oem.ephemeris_rows()] = True
    ends = [_Sample(*catalog_states(with_oem, jd, fr + t / 86400.0)) for t in (0.0, span)]
    motion = block_motion(with_oem, ephemeris, *ends, jd, fr, span)
    assert motion.rough[row] and motion.ok[row]
    r, v = np.empty((len(with_oem), 3)), np.empty((len(with_oem), 3))
    for piece in range(1, PIECES):
        evaluate(*motion.paths, piece / PIECES, span, r, v)
        r_true, v_true, _ = catalog_states(with_oem, jd, fr + span * piece / PIECES / 86400.0)
        assert np.abs(r[row] - r_true[row]).max() < 1e-6 and np.abs(v[row] - v_true[row]).max() < 1e-9
    assert ours.keys() == theirs.keys()
    for key, approach in ours.items():
        assert abs((approach.tca - theirs[key].tca).total_seconds()) < 0.01
        assert abs(approach.miss_km - theirs[key].miss_km) < 1e-3


def _keyed(approaches) -> dict:
    return {(a.primary, a.secondary, round(a.tca.timestamp() / 60.0)): a for a in approaches}


def test_passes_of_an_ephemeris_object_are_the_sgp4_objects(with_oem, default_catalog):
    sensors = [s for s in bundled_sensors() if s.operational][:6]
    start = START + timedelta(hours=12)  # the window runs 12 h past the ephemeris's end
    rows = [with_oem.row_of(ISS), with_oem.row_of(GEO)]
    ours = [p for p in catalog_passes(with_oem, sensors, start, 24.0, rows).passes()]
    reference = [p for p in catalog_passes(default_catalog, sensors, start, 24.0,
                                           [default_catalog.row_of(ISS), default_catalog.row_of(GEO)]).passes()]
    end = START + timedelta(hours=HOURS)
    inside = [p for p in reference if p.los <= end]
    assert inside, "the sensors should see the ISS or GOES-16 in 12 h"
    assert all(p.los <= end + timedelta(seconds=1) for p in ours)  # nothing made up past the span
    matched = {(p.sensor, p.norad_id, round(p.aos.timestamp())) for p in ours}
    for p in inside:
        if p.aos >= start + timedelta(seconds=1):  # (a pass in progress at the start is cut there by both)
            assert any((p.sensor, p.norad_id, round(p.aos.timestamp()) + d) in matched for d in (-1, 0, 1))


def test_the_watchlist_reads_the_ephemeris(with_oem, default_catalog):
    pair = WatchPair(ISS, GEO)
    offsets, ours, _ = range_history(with_oem, pair, START + timedelta(hours=20), 8.0, points=97)
    _, reference, _ = range_history(default_catalog, pair, START + timedelta(hours=20), 8.0, points=97)
    inside = offsets <= 4 * 3600.0
    assert np.nanmax(np.abs(ours[inside] - reference[inside])) < 2 * INTERPOLATION_KM
    assert np.isnan(ours[~inside]).all()  # past the ephemeris: no range, not an extrapolated one
    approach = next_approach(with_oem, pair, START + timedelta(hours=1), 12.0)
    expected = next_approach(default_catalog, pair, START + timedelta(hours=1), 12.0)
    assert approach is not None and expected is not None
    assert abs((approach.tca - expected.tca).total_seconds()) < 0.01


def test_states_by_row_answer_ephemeris_objects_from_their_ephemerides(with_oem, default_catalog):
    """``sgp4_rows`` (the screening's states of many objects at many times) gives every
    row its own object's state at its own time, in row order; an ephemeris object's from its
    ephemeris (within the OEM's 2 cm of SGP4), never from the fitted mean elements its
    compiled propagator holds (tens of metres to kilometres away)."""
    rows = np.array([with_oem.row_of(ISS), 0, with_oem.row_of(GEO), with_oem.row_of(ISS), 5, 0])
    jd0, fr0 = datetime_to_jd(START + timedelta(hours=6))  # inside the OEM's span
    fr = fr0 + np.array([0.0, 0.01, 0.02, 0.03, 0.04, 0.05])
    error, r, v = sgp4_rows(with_oem.satrecs, rows, jd0, fr)
    assert (error == 0).all()
    for k, row in enumerate(rows):
        norad = int(with_oem.norad_id[row])
        _e, r_sgp4, v_sgp4 = default_catalog.satrecs[default_catalog.row_of(norad)].sgp4(jd0, fr[k])
        assert np.linalg.norm(r[k] - r_sgp4) < 1e3 * INTERPOLATION_KM  # within 20 m; the fit is farther
        assert np.linalg.norm(v[k] - v_sgp4) < 1e-3
    fitted_iss = Satrec.sgp4(with_oem.satrecs[with_oem.row_of(ISS)], jd0, fr[0])[1]
    assert np.linalg.norm(np.array(fitted_iss) - r[0]) > 1e3 * INTERPOLATION_KM  # the test can tell them apart

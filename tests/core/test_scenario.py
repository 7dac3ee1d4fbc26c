"""Scenarios: validation with file/line/field, maneuver element fits against a numerical
reference and vis-viva, breakups, determinism, seeking, and the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pytest

from app.astro.constants import WGS72_MU_KM3_S2 as MU_KM3_S2
from app.astro.timeutil import SECONDS_PER_DAY, datetime_to_jd
from app.scenario.element_fit import fit_after_burn, propagate_numerically, ric_to_teme
from app.scenario.format import ScenarioError, load_scenario
from app.scenario.run import ScenarioRun

SCENARIOS = Path(__file__).parents[2] / "resources" / "scenarios"
BURN = datetime(2026, 8, 12, 1, 0, tzinfo=timezone.utc)


def test_every_error_is_named_with_its_line_and_field(data_dir):
    with pytest.raises(ScenarioError) as raised:
        load_scenario(data_dir / "scenarios" / "broken_fields.yaml")
    errors = [e.split("broken_fields.yaml:", 1)[1] for e in raised.value.errors]
    assert errors == [
        "4: start: give the time zone (end with Z for UTC)",
        "8: watch_pairs.0: primary and secondary must differ",
        "10: watch_pairs.1: warning_km must not exceed caution_km",
        "18: injects.0.delta_v_ric_m_s.2: Field required",
        "19: injects.1: Input tag 'teleport' found using 'kind' does not match any of the expected tags: 'maneuver', "
        "'launch', 'breakup', 'element_update', 'sensor_outage', 'tasking', 'message', 'banner'",
        "25: injects.2.colour: Extra inputs are not permitted",
        "29: injects.3.fragments: Input should be greater than 0"]


@pytest.mark.parametrize("name, expected", [
    ("bad_yaml.yaml", [":8: not valid YAML"]),
    ("inject_outside.yaml", [":14: injects.0.at: 2026-08-12T05:00:00Z is outside the scenario"]),
    ("bad_element_set.yaml", [":9: catalog.element_sets.0: line 1 checksum is 4, computed 5",  # both, in one pass
                              ":14: injects.0.at: 2026-08-12T05:00:00Z is outside the scenario"]),
    ("missing_file.yaml", [":8: catalog.files.0: no file 'nowhere.tle' beside the scenario"]),
    ("absent.yaml", [": cannot be read"])])
def test_broken_files(data_dir, name, expected):
    with pytest.raises(ScenarioError) as raised:
        load_scenario(data_dir / "scenarios" / name)
    assert len(raised.value.errors) == len(expected)
    assert all(f"{name}{part}" in error for part, error in zip(expected, raised.value.errors))


@pytest.mark.parametrize("name", ["geo_rpo_inspection.yaml", "leo_breakup_tasking_surge.yaml"])
def test_samples_are_valid(name):
    scenario, _ = load_scenario(SCENARIOS / name)
    assert scenario.injects and scenario.data_mode == "EXERCISE"


# --- maneuver fits ---------------------------------------------------------------------------------

@pytest.mark.parametrize("norad_id, delta_v, hours, tolerance_km", [
    (25544, (0.0, 1.0, 0.0), 6.0, 0.05),  # ISS, in-track
    (25544, (0.5, -2.0, 1.0), 6.0, 0.05),  # ISS, all three axes
    (20580, (0.0, 10.0, 0.0), 6.0, 0.1),  # HST, a large in-track burn
    (30794, (0.0, -0.4, 0.2), 24.0, 1.0),  # SKYNET 5A (GEO, deep-space SGP4), a day
])
def test_fitted_elements_follow_the_post_burn_trajectory(default_catalog, norad_id, delta_v, hours, tolerance_km):
    """Positions from the fitted elements stay within the stated tolerance of an independent
    reference over the fit span: the pre-burn SGP4 trajectory plus the burn's effect from a
    two-body + J2 integration (post-burn minus pre-burn). A burn-free fit gives back SGP4."""
    before = default_catalog.satrecs[default_catalog.row_of(norad_id)]
    fit = fit_after_burn(before, norad_id, BURN, delta_v, hours)
    offsets = np.linspace(0.0, hours * 3600.0, 241)  # denser than the fit's own samples
    jd0, fr0 = datetime_to_jd(BURN)
    jd, fr = np.full(offsets.shape, jd0), fr0 + offsets / SECONDS_PER_DAY
    _, base, _ = before.sgp4_array(jd, fr)
    _, r0, v0 = before.sgp4(jd0, fr0)
    r0, v0 = np.array(r0), np.array(v0)
    v1 = v0 + ric_to_teme(r0, v0, np.array(delta_v) / 1000.0)
    reference = base + propagate_numerically(r0, v1, offsets) - propagate_numerically(r0, v0, offsets)
    _, fitted, _ = fit.satrec.sgp4_array(jd, fr)
    worst = float(np.linalg.norm(fitted - reference, axis=1).max())
    assert worst < tolerance_km and fit.max_km < tolerance_km
    moved = float(np.linalg.norm(fitted[-1] - base[-1]))
    assert moved > 20 * tolerance_km  # the burn made a difference far above the fit error


def test_in_track_burn_raises_the_orbit_as_vis_viva_says(default_catalog):
    """da = 2 a^2 v dv / mu for a small tangential burn (Vallado, 4th ed., sec. 6.3)."""
    before = default_catalog.satrecs[default_catalog.row_of(20580)]
    fit = fit_after_burn(before, 20580, BURN, (0.0, 5.0, 0.0), 6.0)
    a_before = (MU_KM3_S2 / (before.no_kozai / 60.0) ** 2) ** (1 / 3)
    a_after = (MU_KM3_S2 / (fit.satrec.no_kozai / 60.0) ** 2) ** (1 / 3)
    _, _, v = before.sgp4(*datetime_to_jd(BURN))
    expected = 2 * a_before**2 * float(np.linalg.norm(v)) * 0.005 / MU_KM3_S2
    assert a_after - a_before == pytest.approx(expected, rel=0.05)  # ~ 9.5 km


# --- runs ----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def breakup_run(default_catalog):
    scenario, folder = load_scenario(SCENARIOS / "leo_breakup_tasking_surge.yaml")
    return ScenarioRun(scenario, folder, bundled_catalog=default_catalog)


def test_breakup_fragments_and_events(breakup_run):
    events = list(breakup_run.events(datetime(2026, 8, 12, 3, tzinfo=timezone.utc)))
    kinds = [(e.kind, e.severity) for e in events]
    assert ("inject", "serious") in kinds and ("alert", "critical") in kinds
    breakup = next(e for e in events if e.data.get("inject_kind") == "breakup")
    assert breakup.data["fragments"] == list(range(80000, 80030)) and breakup.data["worst_fit_km"] < 0.5
    # Fylingdales is out 02:00-08:00: the request naming it counts its passes after it returns
    raised = [e for e in events if e.kind == "tasking" and e.sim_utc.startswith("2026-08-12T02:10")]
    assert raised and "INFEASIBLE" not in raised[0].message
    assert "Fylingdales (Fylingdales, UK) out 2026-08-12T02:00Z to 08:00Z" in raised[0].message
    state = breakup_run.state_at(datetime(2026, 8, 12, 2, tzinfo=timezone.utc))
    fragments = [state.catalog.row_of(n) for n in range(80000, 80030)]
    assert all(state.catalog.object_type[r] == "DEBRIS" for r in fragments)
    # the cloud spreads from the parent's position at the breakup
    jd, fr = datetime_to_jd(datetime(2026, 8, 12, 1, 0, 1, tzinfo=timezone.utc))
    parent = np.array(state.catalog.satrecs[state.catalog.row_of(25160)].sgp4(jd, fr)[1])
    spread = [np.linalg.norm(np.array(state.catalog.satrecs[r].sgp4(jd, fr)[1]) - parent) for r in fragments]
    assert max(spread) < 0.5  # km, one second after the event


def test_same_scenario_same_events(default_catalog):
    """Two independent runs (fresh objects, nothing shared) write identical event streams."""
    scenario, folder = load_scenario(SCENARIOS / "leo_breakup_tasking_surge.yaml")
    until = datetime(2026, 8, 12, 4, tzinfo=timezone.utc)
    first = [json.dumps(e.as_dict(), sort_keys=True) for e in ScenarioRun(scenario, folder, default_catalog).events(until)]
    second = [json.dumps(e.as_dict(), sort_keys=True) for e in ScenarioRun(scenario, folder, default_catalog).events(until)]
    assert first == second and len(first) > 10
    faster = scenario.model_copy(update={"clock_rate": 5000.0})  # the rate a console plays it at changes nothing
    assert [json.dumps(e.as_dict(), sort_keys=True) for e in ScenarioRun(faster, folder, default_catalog).events(until)] \
        == first
    same, other = (ScenarioRun(scenario.model_copy(update={"seed": seed}), folder, default_catalog).state_at(until)
                   for seed in (7, 8))
    same_first, other_first = (s.catalog.satrecs[s.catalog.row_of(80000)] for s in (same, other))
    assert same_first.no_kozai != other_first.no_kozai  # the seed, and only the seed, shapes the cloud


def test_seeking_gives_the_state_of_that_time(breakup_run):
    before, after = (datetime(2026, 8, 12, 0, 30, tzinfo=timezone.utc),
                     datetime(2026, 8, 12, 5, tzinfo=timezone.utc))
    later = breakup_run.state_at(after)
    assert 80000 in later.catalog and later.banner == "UNCLASSIFIED//EXERCISE"
    assert "Fylingdales (Fylingdales, UK)" in later.outages and set(later.requests) == {
        "TR-USA-EX000001", "TR-GBR-EX000002", "TR-AUS-EX000003"}
    earlier = breakup_run.state_at(before)  # backward: nothing of the later injects
    assert 80000 not in earlier.catalog and not earlier.outages and not earlier.requests
    again = breakup_run.state_at(after)  # forward again: the same fragments, not new ones
    row_then, row_now = later.catalog.row_of(80007), again.catalog.row_of(80007)
    assert later.catalog.satrecs[row_then].no_kozai == again.catalog.satrecs[row_now].no_kozai
    breakup_run.replace_inject(0, breakup_run.injects[0].model_copy(update={"enabled": False}))
    try:
        assert 80000 not in breakup_run.state_at(after).catalog  # a disabled inject is not applied
    finally:
        breakup_run.replace_inject(0, breakup_run.injects[0].model_copy(update={"enabled": True}))
    assert 80000 in breakup_run.state_at(after).catalog


def test_cli_validate_and_run(tmp_path, data_dir):
    bad = subprocess.run([sys.executable, "-m", "app", "scenario", "validate",
                          str(data_dir / "scenarios" / "broken_fields.yaml")], capture_output=True, text=True)
    assert bad.returncode == 3 and "broken_fields.yaml:8: watch_pairs.0" in bad.stderr and "7 error(s)" in bad.stderr
    good = subprocess.run([sys.executable, "-m", "app", "scenario", "validate",
                           str(SCENARIOS / "geo_rpo_inspection.yaml")], capture_output=True, text=True)
    assert good.returncode == 0 and "valid" in good.stderr
    out = tmp_path / "events.jsonl"
    run = subprocess.run([sys.executable, "-m", "app", "scenario", "run", str(SCENARIOS / "geo_rpo_inspection.yaml"),
                          "--events-out", str(out)], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    events = [json.loads(line) for line in out.read_text().splitlines()]
    burns = [e for e in events if e["kind"] == "inject" and e["data"].get("inject_kind") == "maneuver"]
    assert len(burns) == 2 and all(e["data"]["fit_max_km"] < 0.01 for e in burns)
    # one event per cause: each burn carries its maneuver flag (the live refresh rule sees both)
    assert not [e for e in events if e["kind"] == "maneuver_flag"]
    flags = [dict(e["data"]["maneuver_flag"], sim_utc=e["sim_utc"]) for e in burns]
    assert [f["sim_utc"][:16] for f in flags] == ["2026-08-12T01:00", "2026-08-13T00:56"]
    assert all("possible maneuver" in e["message"] for e in burns)
    # vis-viva, da = 2 a^2 v dv / mu = 2 dv / n: -2.5 km and -6.2 km (the flag compares with the old
    # elements' deep-space SGP4 mean motion, about 1 km apart from the fit's for this GEO set)
    assert [f["delta_a_km"] for f in flags] == [pytest.approx(-2.5, abs=1.5), pytest.approx(-6.2, abs=1.5)]
    critical = [e for e in events if e["kind"] == "alert" and e["severity"] == "critical"]
    assert critical and critical[0]["sim_utc"].startswith("2026-08-13T00:56")  # right after the second burn
    closest = min(e["data"]["miss_km"] for e in events if e["kind"] == "approach")
    assert closest < 10.0  # the inspector passes inside the 10 km warning range
    assert [e["sim_utc"] for e in events] == sorted(e["sim_utc"] for e in events)


def test_damaged_catalog_records_are_reported_and_the_rest_runs(data_dir):
    run = subprocess.run([sys.executable, "-m", "app", "scenario", "run",
                          str(data_dir / "scenarios" / "damaged_catalog.yaml")], capture_output=True, text=True)
    assert run.returncode == 3
    assert "mixed_bad.tle:line 8: checksum: line 1 checksum is 4, computed 3" in run.stderr
    assert "11 catalog records rejected" in run.stderr
    assert json.loads(run.stdout.splitlines()[0])["message"] == "the good records still run"

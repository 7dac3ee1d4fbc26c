"""Feasibility in time (issue #13 item 5): a sensor outage removes only its own span, and the
sensor's return is an event. Uses the real breakup sample and SGP4 passes; the expected passes
are those the same sensor finds with no outage at all, never a list written down here."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timezone

import pytest

from app.common.marking import needs_acknowledgement
from app.scenario.format import SensorOutageInject, load_scenario
from app.scenario.run import ScenarioRun
from app.sensors.passes import passes_of
from app.tasking.request import feasibility
from tests.core.test_scenario import SCENARIOS

FYLINGDALES = "Fylingdales (Fylingdales, UK)"
REQUEST = "TR-GBR-EX000002"  # raised at 02:10 to name Fylingdales; window 01:30-12:00


def utc(hour, minute=0):
    return datetime(2026, 8, 12, hour, minute, tzinfo=timezone.utc)


OUT_FROM, BACK = utc(2), utc(8)  # the sample's outage of Fylingdales


@pytest.fixture(scope="module")
def sample():
    return load_scenario(SCENARIOS / "leo_breakup_tasking_surge.yaml")


@pytest.fixture(scope="module")
def run(sample, default_catalog):
    scenario, folder = sample
    return ScenarioRun(scenario, folder, bundled_catalog=default_catalog)


def _outage_inject(run) -> int:
    return next(n for n, i in enumerate(run.injects) if isinstance(i, SensorOutageInject))


def _as_it_stands(run, moment):
    state = run.state_at(moment)
    request = state.requests[REQUEST]
    return state, request, run.sensors_at(state)


def _no_outage_passes(state, request, sensors):
    """The passes of the request's target over Fylingdales in the window had it never gone down."""
    site = replace(next(s for s in sensors if s.name == FYLINGDALES), status="operational", outages=())
    satrec = state.catalog.satrecs[state.catalog.row_of(request.target_norad_id)]
    hours = (request.window_end - request.window_start).total_seconds() / 3600.0
    return passes_of(satrec, request.target_norad_id, site, request.window_start, hours)


def test_feasible_in_the_outage_with_the_passes_after_the_return(run):
    state, request, sensors = _as_it_stands(run, utc(2, 10))
    assert request.sensor_request.value == FYLINGDALES and request.window_end == utc(12)
    found = feasibility(request, state.catalog, sensors)
    assert found.feasible and found.reasons == (), found.reasons
    site = next(s for s in sensors if s.name == FYLINGDALES)
    assert site.status == "outage" and site.outages == ((OUT_FROM, BACK),)
    assert all(p.sensor == FYLINGDALES and BACK <= p.aos < request.window_end for p in found.passes)
    everything = _no_outage_passes(state, request, sensors)
    lost = [p for p in everything if p.los > OUT_FROM and p.aos < BACK]
    assert lost, "the sample's outage should cost passes, or this test shows nothing"
    kept = [p for p in everything if p.aos >= BACK or p.los <= OUT_FROM]
    assert len(found.passes) == len(kept) and all(
        abs((a.aos - b.aos).total_seconds()) < 1.0 and abs((a.los - b.los).total_seconds()) < 1.0
        for a, b in zip(found.passes, kept))
    n = len(found.passes)
    assert found.notes == (f"{FYLINGDALES} out 2026-08-12T02:00Z to 08:00Z; {n} pass{'' if n == 1 else 'es'} "
                           f"after it returns",)


def test_after_the_return_the_outage_still_removes_its_span(run):
    """At 08:30 Fylingdales is back; the passes it missed while out still do not count."""
    state, request, sensors = _as_it_stands(run, utc(8, 30))
    site = next(s for s in sensors if s.name == FYLINGDALES)
    assert site.status == "operational" and site.outages == ((OUT_FROM, BACK),)
    found = feasibility(request, state.catalog, sensors)
    assert found.feasible and all(not (p.los > OUT_FROM and p.aos < BACK) for p in found.passes)
    earlier_state, earlier_request, earlier_sensors = _as_it_stands(run, utc(2, 10))
    assert found.passes == feasibility(earlier_request, earlier_state.catalog, earlier_sensors).passes


def test_a_pass_across_the_return_is_clipped_to_it(sample, default_catalog):
    """Clipped, not dropped: the sensor is up again and can take the object for the rest of
    the pass. The clipped pass comes from propagating from the return, so it starts there,
    ends where the whole pass ends and culminates no higher than the whole pass."""
    scenario, folder = sample
    run = ScenarioRun(scenario, folder, bundled_catalog=default_catalog)
    state, request, sensors = _as_it_stands(run, utc(2, 10))
    whole = next(p for p in _no_outage_passes(state, request, sensors) if p.aos >= BACK)
    back = whole.aos + (whole.los - whole.aos) / 2  # the sensor returns mid-pass
    number = _outage_inject(run)
    run.replace_inject(number, run.injects[number].model_copy(update={"until": back}))
    state, request, sensors = _as_it_stands(run, utc(2, 10))
    found = feasibility(request, state.catalog, sensors)
    first = found.passes[0]
    assert first.aos == back and first.starts_before_window
    assert abs((first.los - whole.los).total_seconds()) < 1.0
    assert first.max_elevation_deg <= whole.max_elevation_deg + 1e-6
    assert all(p.aos >= back for p in found.passes)


def test_a_pass_across_the_outage_start_is_clipped_to_it(run):
    """The other end: an outage that starts mid-pass leaves the part of the pass before it."""
    state, request, sensors = _as_it_stands(run, utc(2, 10))
    whole = [p for p in _no_outage_passes(state, request, sensors) if p.aos < BACK][-1]
    cut = whole.aos + (whole.los - whole.aos) / 2
    site = replace(next(s for s in sensors if s.name == FYLINGDALES), outages=((cut, request.window_end),))
    found = feasibility(request, state.catalog, [site])
    last = found.passes[-1]
    assert last.los == cut and last.ends_after_window and abs((last.aos - whole.aos).total_seconds()) < 1.0
    assert found.notes == (f"{FYLINGDALES} out {cut:%Y-%m-%dT%H:%M}Z to 12:00Z; {len(found.passes)} passes before it",)


def test_a_window_inside_the_outage_is_infeasible_in_outage(run):
    state, request, sensors = _as_it_stands(run, utc(2, 10))
    for start, end in ((utc(3), utc(7)), (OUT_FROM, BACK), (utc(2, 10), BACK)):
        inside = replace(request, window_start=start, window_end=end)
        found = feasibility(inside, state.catalog, sensors)
        assert not found.feasible and found.passes == () and found.notes == ()
        assert found.reasons == (f"{FYLINGDALES}: in outage until 2026-08-12T08:00Z",)
    # a sensor in outage with no known span is out for any window, as before
    unknown = [replace(s, outages=()) for s in sensors]
    assert feasibility(request, state.catalog, unknown).reasons == (f"{FYLINGDALES}: in outage",)


def test_the_run_says_when_the_sensor_is_back(run):
    before = list(run.events(utc(7, 59)))
    assert not [e for e in before if e.kind == "sensor"]
    events = list(run.events(utc(8, 5)))
    said = [e for e in events if e.kind == "sensor"]
    assert len(said) == 1
    back = said[0]
    assert back.sim_utc == "2026-08-12T08:00:00.000000Z" and back.severity == "normal"
    assert back.message == f"sensor {FYLINGDALES} back in service" and back.data["sensor"] == FYLINGDALES
    assert not needs_acknowledgement(back.kind, back.severity)  # informational, never an alert
    json.dumps(back.as_dict())
    start = next(e for e in events if e.data.get("inject_kind") == "sensor_outage")
    assert events.index(start) < events.index(back)
    after = events[events.index(back) + 1]  # feasibility of the requests it serves, as it stands then
    assert after.kind == "tasking" and after.sim_utc == back.sim_utc and after.message.startswith(f"{REQUEST}: ")
    at_0210 = [e for e in events if e.kind == "tasking" and e.sim_utc.startswith("2026-08-12T02:10")]
    assert at_0210 and "INFEASIBLE" not in at_0210[0].message and "after it returns" in at_0210[0].message
    state = run.state_at(utc(8, 5))
    assert run.returns(state) == [(_outage_inject(run), FYLINGDALES, BACK)]
    assert run.returns(run.state_at(utc(7, 59))) == []


def test_an_outage_extended_before_it_ends_returns_once_at_the_new_time(sample, default_catalog):
    scenario, folder = sample
    run = ScenarioRun(scenario, folder, bundled_catalog=default_catalog)
    run.add_inject(SensorOutageInject(kind="sensor_outage", at=utc(7), sensor=FYLINGDALES, until=utc(9)))
    state = run.state_at(utc(9, 30))
    site = next(s for s in run.sensors_at(state) if s.name == FYLINGDALES)
    assert site.outages == ((OUT_FROM, utc(9)),)
    assert run.returns(state) == [(_outage_inject(run), FYLINGDALES, utc(9))]
    assert next(s for s in run.sensors_at(run.state_at(utc(8, 30))) if s.name == FYLINGDALES).status == "outage"


def test_sensor_record_keeps_its_form(run):
    plain = run.sensors_base[0]
    assert "outages" not in plain.as_dict() and "outages_utc" not in plain.as_dict()
    site = next(s for s in run.sensors_at(run.state_at(utc(3))) if s.name == FYLINGDALES)
    assert json.loads(json.dumps(site.as_dict()))["outages_utc"] == [["2026-08-12T02:00:00.000000Z",
                                                                      "2026-08-12T08:00:00.000000Z"]]

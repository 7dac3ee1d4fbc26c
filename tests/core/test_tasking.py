"""Tasking core: workflow rules, the two-person rule, releasability, feasibility."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.sensors.sites import Sensor
from app.tasking.request import (TRANSITIONS, SensorRequest, TaskingError, TaskingRequest, act, feasibility)

START = datetime(2026, 8, 12, tzinfo=timezone.utc)


def request(**changes):
    base = TaskingRequest("TR-1", "Characterize ISS", 25544, "GBR", "UKSpOC", SensorRequest("any"), "track",
                          "PRIORITY", START, START + timedelta(hours=24), releasable_to=("USA", "AUS"))
    return replace(base, **changes)


def radar(name="R", nation="USA", status="operational", provider="national"):
    return Sensor(name, nation, provider, "radar", 42.0, -71.0, 100.0, 3.0, 6000.0, status=status)


def test_happy_path_and_two_person_rule(default_catalog):
    r = act(request(), "submit", "alice")
    with pytest.raises(TaskingError, match="two-person rule"):
        act(r, "approve", "alice")
    r = act(r, "approve", "bob")
    passes = feasibility(r, default_catalog, [radar()]).passes
    r = act(r, "schedule", "bob", passes[:2])
    assert r.status == "SCHEDULED" and len(r.scheduled_passes) == 2
    assert act(r, "partial", "carol").status == "PARTIAL"


def test_invalid_transitions_are_refused_with_the_reason():
    with pytest.raises(TaskingError, match="cannot approve a DRAFT request"):
        act(request(), "approve", "bob")
    closed = act(request(), "cancel", "alice")
    with pytest.raises(TaskingError, match="closed"):
        act(closed, "submit", "alice")
    for state, actions in TRANSITIONS.items():
        assert ("cancel" in actions) == (state in ("DRAFT", "SUBMITTED", "APPROVED", "SCHEDULED"))


@pytest.mark.parametrize("change, field", [
    (dict(window_end=START), "window_end"), (dict(title=" "), "title"), (dict(precedence="URGENT"), "precedence"),
    (dict(collection_type="photo"), "collection_type"), (dict(releasable_to=("uk",)), "releasable_to"),
])
def test_validation_names_the_field(change, field):
    with pytest.raises(TaskingError) as raised:
        request(**change).validated()
    assert raised.value.field == field


def test_target_must_exist(default_catalog):
    with pytest.raises(TaskingError, match="not in the catalog"):
        request(target_norad_id=1).validated(default_catalog)


@given(nations=st.lists(st.sampled_from(["USA", "GBR", "AUS", "CAN", "NZL", "FRA", "DEU", "JPN"]), unique=True),
       asked=st.sampled_from(["USA", "GBR", "AUS", "CAN", "NZL", "FRA", "DEU", "JPN", "CHN", "RUS"]))
def test_nothing_leaves_for_a_nation_outside_its_list(nations, asked):
    r = request(requesting_nation="GBR", releasable_to=tuple(nations))
    assert r.releasable(asked) == (asked == "GBR" or asked in nations)


def test_feasibility_reasons(default_catalog):
    ok = feasibility(request(), default_catalog, [radar()])
    assert ok.feasible and all(p.norad_id == 25544 for p in ok.passes)
    outage = feasibility(request(), default_catalog, [radar(status="outage")])
    assert not outage.feasible and "outage" in outage.reasons[0]
    nobody = feasibility(request(sensor_request=SensorRequest("nation", "JPN")), default_catalog, [radar()])
    assert not nobody.feasible and "no sensor matches" in nobody.reasons[0]
    daylight = Sensor("O", "USA", "national", "optical", 42.0, -71.0, 100.0, 10.0, 50000.0)
    short = request(window_start=START + timedelta(hours=10), window_end=START + timedelta(hours=20))
    dark = feasibility(short, default_catalog, [daylight])  # ISS passes over Boston by day only, these hours
    assert not dark.feasible and "never dark" in dark.reasons[0]

"""The console's state: typed fields, change events (per field, per part, batched), JSON
with a format version (bad or newer documents refused naming the field), and the clock kept
in step with it both ways."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from app.live.clock import ClockMode, FixedTimeSource, SimulationClock
from app.state import VIEW_FIELDS, ConsoleState, StateFileError
from app.state.clock_sync import ClockSync
from app.state.console_state import FORMAT_VERSION, CameraState

T0 = datetime(2026, 8, 12, 9, 30, tzinfo=timezone.utc)


def _recorder():
    calls = []
    return calls, calls.append


def test_a_field_change_is_announced_once_with_its_value():
    state = ConsoleState()
    calls, record = _recorder()
    state.connect("camera.distance_er", record)
    state.camera.distance_er = 8.0
    state.camera.distance_er = 8.0  # the same value again: nothing to say
    assert calls == [8.0]


def test_an_invalid_value_is_refused_and_nothing_changes():
    state = ConsoleState()
    calls, record = _recorder()
    state.connect_any(record)
    with pytest.raises(ValidationError, match="distance_er"):
        state.camera.distance_er = -1.0
    with pytest.raises(ValidationError, match="objects"):
        state.selection.objects = (25544, 0)
    with pytest.raises(ValidationError, match="timezone"):
        state.clock.epoch_utc = datetime(2026, 8, 12)  # naive: which zone?
    with pytest.raises(ValidationError):
        state.shown.color_mode = "Plaid"
    with pytest.raises(ValidationError):
        state.camera.center_er = (float("nan"), 0.0, 0.0)
    assert calls == [] and state.camera.distance_er == CameraState().distance_er and state.selection.objects == ()


def test_times_are_kept_in_utc():
    state = ConsoleState()
    state.clock.epoch_utc = datetime(2026, 8, 12, 11, 30, tzinfo=timezone(timedelta(hours=2)))
    assert state.clock.epoch_utc == T0 and state.clock.epoch_utc.utcoffset() == timedelta(0)


def test_a_part_hears_any_change_inside_it_and_a_batch_is_one_notification():
    state = ConsoleState()
    camera_calls, camera = _recorder()
    distance_calls, distance = _recorder()
    any_calls, anything = _recorder()
    state.connect("camera", camera)
    state.connect("camera.distance_er", distance)
    state.connect_any(anything)
    with state.batch():
        state.camera.distance_er = 7.0
        state.camera.distance_er = 9.0
        state.camera.azimuth_deg = 45.0
        state.selection.objects = (25544,)
        assert camera_calls == [] and any_calls == []  # nothing yet, inside the batch
    assert distance_calls == [9.0]  # once, with the final value
    assert len(camera_calls) == 1 and camera_calls[0] is state.camera
    assert any_calls == [{"camera.distance_er": 9.0, "camera.azimuth_deg": 45.0, "selection.objects": (25544,)}]


def test_replacing_a_part_announces_what_differs_and_stays_connected():
    state = ConsoleState()
    calls, record = _recorder()
    state.connect("camera.azimuth_deg", record)
    state.camera = CameraState(azimuth_deg=30.0)
    state.camera.azimuth_deg = 60.0  # the new part speaks through the same state
    assert calls == [30.0, 60.0]


def test_a_mistyped_path_fails_at_connect():
    with pytest.raises(AttributeError):
        ConsoleState().connect("camera.zoom", print)


def test_every_subscriber_hears_a_change_even_when_one_fails():
    state = ConsoleState()
    calls, record = _recorder()

    def broken(_value):
        raise RuntimeError("subscriber bug")

    state.connect("selection.sensor", broken)
    state.connect("selection.sensor", record)
    with pytest.raises(RuntimeError, match="subscriber bug"):
        state.selection.sensor = "Fylingdales"
    assert calls == ["Fylingdales"]


def _busy_state() -> ConsoleState:
    state = ConsoleState()
    with state.batch():
        state.clock.mode, state.clock.rate, state.clock.paused, state.clock.epoch_utc = "replay", 60.0, True, T0
        state.selection.objects = (25544, 20580)
        state.selection.watch_pair = (25544, 49044)
        state.shown.group = "GEO belt"
        state.shown.group_filter.regimes = ("GEO",)
        state.shown.search = "intelsat"
        state.shown.color_mode = "Orbit regime"
        state.camera.azimuth_deg, state.camera.distance_er, state.camera.follow_selection = 120.0, 12.0, True
        state.banner.marking = "SECRET//REL TO AUS, GBR, USA"
        state.operator.name, state.operator.nation = "J. Smith", "GBR"
        state.catalog.source_files = ("/data/a.tle",)
        state.catalog.version = 7
    return state


def test_json_round_trip():
    state = _busy_state()
    again = ConsoleState.from_json(state.to_json())
    assert again.model_dump(exclude={"catalog": {"version"}}) == state.model_dump(exclude={"catalog": {"version"}})
    assert again.catalog.version == 0  # a process-local counter is not carried
    assert json.loads(state.to_json())["format_version"] == FORMAT_VERSION


def test_a_view_carries_time_selection_camera_and_filters_only():
    document = json.loads(_busy_state().to_json(VIEW_FIELDS))
    assert set(document) == {"format", "format_version", *VIEW_FIELDS}
    viewer = ConsoleState()
    viewer.operator.name = "A. Colleague"
    calls, record = _recorder()
    viewer.connect_any(record)
    viewer.apply(ConsoleState.from_json(json.dumps(document)))
    assert len(calls) == 1  # one notification for the whole view
    assert viewer.selection.objects == (25544, 20580) and viewer.camera.distance_er == 12.0
    assert viewer.clock.epoch_utc == T0 and viewer.shown.search == "intelsat"
    assert viewer.operator.name == "A. Colleague" and viewer.banner.marking == "UNCLASSIFIED"


def test_applied_parts_are_copies():
    source, target = _busy_state(), ConsoleState()
    target.apply(source)
    calls, record = _recorder()
    source.connect("camera.distance_er", record)
    target.camera.distance_er = 3.0
    assert source.camera.distance_er == 12.0 and calls == []


@pytest.mark.parametrize("document, field", [
    ({"format_version": 99}, "format_version: 99 is newer"),
    ({}, "format_version: required"),
    ({"format_version": "1"}, "format_version: required"),
    ({"format_version": 0}, "format_version: 0 is not"),
    ({"format": "something-else", "format_version": 1}, "format:"),
    ({"format_version": 1, "selection": {"objects": [25544, -3]}}, "selection.objects.1:"),
    ({"format_version": 1, "clock": {"rate": 1e9}}, "clock.rate:"),
    ({"format_version": 1, "clock": {"epoch_utc": "2026-08-12T09:30:00"}}, "clock.epoch_utc:"),
    ({"format_version": 1, "camera": {"distance_er": "far"}}, "camera.distance_er:"),
    ({"format_version": 1, "cameraa": {}}, "cameraa:"),
    ({"format_version": 1, "shown": {"color_mode": "Plaid"}}, "shown.color_mode:"),
])
def test_a_bad_or_newer_document_is_refused_naming_the_field(document, field):
    with pytest.raises(StateFileError) as raised:
        ConsoleState.from_json(json.dumps(document), source="brief.spaceops-view")
    assert str(raised.value).startswith("brief.spaceops-view: ") and field in str(raised.value)


@pytest.mark.parametrize("text", ["{not json", "[1, 2]", "[" * 100_000 + "]" * 100_000, " " * 2_000_000, ""])
def test_what_is_not_a_state_document_is_refused(text):
    with pytest.raises(StateFileError):
        ConsoleState.from_json(text)


def test_reading_files(tmp_path):
    path = tmp_path / "view.json"
    path.write_text(_busy_state().to_json(VIEW_FIELDS))
    assert ConsoleState.read(path).selection.objects == (25544, 20580)
    for bad in (tmp_path, tmp_path / "missing.json", "/dev/zero"):
        with pytest.raises(StateFileError, match="not a regular file"):
            ConsoleState.read(bad)
    path.write_bytes(b"\xff\xfe garbage")
    with pytest.raises(StateFileError, match="cannot be read"):
        ConsoleState.read(path)


def test_the_clock_and_the_state_follow_each_other():
    wall = FixedTimeSource(T0)
    clock = SimulationClock(wall)
    state = ConsoleState()
    sync = ClockSync(clock, state)
    assert state.clock.mode == "live" and state.clock.epoch_utc == T0
    clock.set_rate(60.0)  # the operator speeds up: the state says so
    assert (state.clock.mode, state.clock.rate) == ("replay", 60.0)
    wall.advance(10)
    sync.capture()
    assert state.clock.epoch_utc == T0 + timedelta(minutes=10)
    # a view opened: the clock goes there
    with state.batch():
        state.clock.epoch_utc = T0 - timedelta(days=1)
        state.clock.paused = True
        state.clock.rate = -5.0
    assert clock.mode is ClockMode.REPLAY and clock.paused and clock.rate == -5.0
    assert clock.now() == T0 - timedelta(days=1)
    state.clock.mode = "live"
    assert clock.mode is ClockMode.LIVE and clock.now() == T0 + timedelta(seconds=10)
    assert state.clock.epoch_utc == T0 + timedelta(seconds=10) and state.clock.rate == 1.0

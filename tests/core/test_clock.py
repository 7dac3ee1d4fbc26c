"""The simulation clock with an injected wall clock: every mode, exactly."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from app.live.clock import ClockError, ClockMode, FixedTimeSource, SimulationClock

WALL_START = datetime(2026, 8, 11, 12, 0, 0, tzinfo=timezone.utc)
SCENARIO_START = datetime(2026, 8, 12, 0, 0, 0, tzinfo=timezone.utc)


@pytest.fixture
def wall():
    return FixedTimeSource(WALL_START)


def test_live_follows_the_wall_clock(wall):
    clock = SimulationClock(wall)
    assert clock.mode is ClockMode.LIVE and clock.now() == WALL_START
    wall.advance(61.5)
    assert clock.now() == WALL_START + timedelta(seconds=61.5)


def test_replay_at_rate_and_backward(wall):
    clock = SimulationClock(wall, start=SCENARIO_START, mode=ClockMode.REPLAY, rate=60.0)
    wall.advance(10)
    assert clock.now() == SCENARIO_START + timedelta(minutes=10)
    clock.set_rate(-10_000)
    wall.advance(1)
    assert clock.now() == SCENARIO_START + timedelta(minutes=10) - timedelta(seconds=10_000)


def test_rate_change_does_not_jump(wall):
    clock = SimulationClock(wall, start=SCENARIO_START, mode=ClockMode.REPLAY, rate=100.0)
    wall.advance(3)
    before = clock.now()
    clock.set_rate(7.0)
    assert clock.now() == before


@pytest.mark.parametrize("rate", [10_000.0001, -10_001, float("nan"), float("inf")])
def test_rate_limits(wall, rate):
    clock = SimulationClock(wall)
    with pytest.raises(ClockError):
        clock.set_rate(rate)
    assert clock.mode is ClockMode.LIVE  # a refused rate changes nothing


def test_pause_resume_step_and_jump(wall):
    clock = SimulationClock(wall, start=SCENARIO_START, mode=ClockMode.REPLAY, rate=2.0)
    wall.advance(5)
    clock.pause()
    wall.advance(100)
    assert clock.now() == SCENARIO_START + timedelta(seconds=10)
    clock.resume()
    wall.advance(1)
    assert clock.now() == SCENARIO_START + timedelta(seconds=12)
    clock.step(-30)
    assert clock.paused and clock.now() == SCENARIO_START - timedelta(seconds=18)
    target = datetime(2026, 8, 20, 6, 0, tzinfo=timezone.utc)
    clock.jump_to(target)
    assert clock.now() == target
    clock.toggle_pause()
    wall.advance(4)
    assert clock.now() == target + timedelta(seconds=8)


def test_live_clock_jumped_becomes_replay_and_can_go_live_again(wall):
    clock = SimulationClock(wall)
    clock.jump_to(SCENARIO_START)
    assert clock.mode is ClockMode.REPLAY and clock.rate == 1.0
    wall.advance(2)
    assert clock.now() == SCENARIO_START + timedelta(seconds=2)
    clock.go_live()
    assert clock.mode is ClockMode.LIVE and clock.now() == WALL_START + timedelta(seconds=2)


def test_listeners_hear_every_change(wall):
    clock = SimulationClock(wall)
    heard = []
    clock.add_listener(heard.append)
    clock.set_rate(50)
    clock.pause()
    clock.jump_to(SCENARIO_START)
    assert [s.rate for s in heard] == [50, 50, 50] and heard[1].paused and heard[2].epoch == SCENARIO_START


def test_naive_datetime_refused(wall):
    with pytest.raises(ClockError):
        SimulationClock(wall).jump_to(datetime(2026, 1, 1))

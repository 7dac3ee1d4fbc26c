"""Time controls steer the one clock: buttons, rate box, shortcuts, jump."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from PySide6.QtCore import QDateTime, QTimeZone, Qt

from app.live.clock import ClockMode, FixedTimeSource, SimulationClock
from widgets.panels.time_controls import TimeControls

WALL = datetime(2026, 8, 12, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def controls(qtbot):
    wall = FixedTimeSource(WALL)
    widget = TimeControls(SimulationClock(wall))
    widget.wall = wall
    qtbot.addWidget(widget)
    widget.show()
    return widget


def test_starts_live_and_shows_utc(controls):
    assert controls.clock.mode is ClockMode.LIVE
    assert controls.clock_label.text() == "2026-08-12 12:00:00 UTC" and controls.mode_label.text() == "LIVE"


def test_pause_step_and_play(qtbot, controls):
    controls.play_action.trigger()
    assert controls.clock.paused and "PAUSED" in controls.mode_label.text()
    controls.wall.advance(30)
    assert controls.clock.now() == WALL
    controls.step_forward_action.trigger()
    controls.step_forward_action.trigger()
    controls.step_back_action.trigger()
    assert controls.clock.now() == WALL + timedelta(minutes=1)
    controls.play_action.trigger()
    controls.wall.advance(5)
    assert controls.clock.now() == WALL + timedelta(minutes=1, seconds=5)


def test_rates_from_buttons_and_typed(qtbot, controls):
    controls.faster_action.trigger()
    assert controls.clock.rate == 10 and controls.clock.mode is ClockMode.REPLAY
    controls.faster_action.trigger()
    assert controls.clock.rate == 60
    controls.slower_action.trigger()
    controls.slower_action.trigger()
    controls.slower_action.trigger()
    assert controls.clock.rate == -1
    controls.rate_box.lineEdit().clear()
    qtbot.keyClicks(controls.rate_box.lineEdit(), "2500")
    qtbot.keyClick(controls.rate_box.lineEdit(), Qt.Key.Key_Return)
    assert controls.clock.rate == 2500
    controls.rate_box.lineEdit().clear()
    qtbot.keyClicks(controls.rate_box.lineEdit(), "20000")  # refused: beyond 10,000x
    qtbot.keyClick(controls.rate_box.lineEdit(), Qt.Key.Key_Return)
    assert controls.clock.rate == 2500


def test_jump_and_back_to_live(qtbot, controls):
    target = datetime(2026, 9, 1, 6, 30, tzinfo=timezone.utc)
    controls.jump_edit.setDateTime(QDateTime.fromSecsSinceEpoch(int(target.timestamp()), QTimeZone.utc()))
    with qtbot.waitSignal(controls.clock_changed):
        controls.jump_action.trigger()
    assert controls.clock.now() == target and controls.clock_label.text() == "2026-09-01 06:30:00 UTC"
    controls.live_action.trigger()
    assert controls.clock.mode is ClockMode.LIVE and controls.clock.now() == WALL


def test_keyboard_shortcuts(qtbot, controls):
    assert controls.play_action.shortcut().toString() == "Space"
    assert controls.live_action.shortcut().toString() == "L"
    assert controls.step_forward_action.shortcut().toString() == "Right"


def test_refused_rate_text_is_replaced_by_the_clock_rate(qtbot, controls):
    controls.set_rate(60)
    controls.rate_box.lineEdit().clear()
    qtbot.keyClicks(controls.rate_box.lineEdit(), "99999")
    controls._rate_typed()
    assert controls.clock.rate == 60 and controls.rate_box.currentText() == "+60x"


def test_at_a_fast_rate_the_clock_text_changes_a_few_times_a_second_and_never_resizes(controls, monkeypatch):
    """At 60x every frame brings a new second; repainting the toolbar each frame cost the
    whole window's globe a quarter of its frame rate, so the text follows at most every
    DISPLAY_INTERVAL_S of wall time, and at once after a user action."""
    from widgets.panels import time_controls

    wall_clock = [1000.0]
    monkeypatch.setattr(time_controls.time, "monotonic", lambda: wall_clock[0])
    controls.set_rate(60)
    width = controls.clock_label.minimumWidth()
    assert width >= controls.clock_label.fontMetrics().horizontalAdvance("2026-08-12 12:00:00 UTC")
    shown = controls.clock_label.text()
    controls.wall.advance(0.05)  # one frame: three simulated seconds
    wall_clock[0] += 0.05
    controls.refresh()
    assert controls.clock_label.text() == shown  # too soon
    wall_clock[0] += time_controls.DISPLAY_INTERVAL_S
    controls.refresh()
    assert controls.clock_label.text() != shown
    assert controls.clock_label.text() == controls.clock.now().strftime("%Y-%m-%d %H:%M:%S UTC")
    controls.step_forward_action.trigger()  # a user action shows at once
    assert controls.clock_label.text() == controls.clock.now().strftime("%Y-%m-%d %H:%M:%S UTC")
    assert controls.clock_label.minimumWidth() == width

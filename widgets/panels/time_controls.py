"""Time controls: live / replay, play / pause, rate, step, jump, and the UTC clock."""

from __future__ import annotations

import time
from datetime import datetime, timezone
from typing import Callable

from PySide6.QtCore import QDateTime, QTimeZone, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QComboBox, QDateTimeEdit, QLabel, QToolBar, QWidget

from app.astro.timeutil import format_utc
from app.live.clock import MAX_RATE, ClockError, ClockMode, SimulationClock
from widgets.first_show import on_first_show

RATE_STEPS = (-10_000, -1_000, -100, -10, -1, 1, 10, 60, 100, 1_000, 10_000)
STEP_SECONDS = 60.0
# The clock's text changes at most this often (wall-clock seconds) unless a user action or a
# jump forces it: at 60x every frame brings a new second, and repainting the toolbar each
# frame cost the globe a quarter of its frame rate on software GL.
DISPLAY_INTERVAL_S = 0.2
CLOCK_TEXT_WIDEST = "0000-00-00 00:00:00 UTC"  # sizes the clock label once: no relayout as digits change


class TimeControls(QToolBar):
    """Steers the one SimulationClock. ``clock_changed`` after every user action."""

    clock_changed = Signal()
    refused = Signal(str)  # why an action was refused (Live during an exercise)

    def __init__(self, clock: SimulationClock, parent: QWidget | None = None):
        super().__init__("Time", parent)
        self.setObjectName("timeControls")
        self.clock = clock
        self.live_refusal: Callable[[], str] = lambda: ""  # why Live is refused now ("" when it is not)
        self.live_action = self._action("Live", "L", "Follow wall-clock UTC", self.go_live, checkable=True)
        self.play_action = self._action("Pause", "Space", "Play / pause the simulation clock", self.toggle_pause)
        self.step_back_action = self._action("◀ 1 min", "Left", "Step back one minute", lambda: self.step(-STEP_SECONDS))
        self.step_forward_action = self._action("1 min ▶", "Right", "Step forward one minute",
                                                lambda: self.step(STEP_SECONDS))
        self.slower_action = self._action("Slower", "-", "Next slower rate", lambda: self.nudge_rate(-1))
        self.faster_action = self._action("Faster", "+", "Next faster rate", lambda: self.nudge_rate(+1))
        self.rate_box = QComboBox()
        self.rate_box.setEditable(True)
        self.rate_box.setToolTip(f"Clock rate, -{MAX_RATE:,.0f}x to +{MAX_RATE:,.0f}x (type any value)")
        for rate in RATE_STEPS:
            self.rate_box.addItem(f"{rate:+,}x", rate)
        self.rate_box.setCurrentIndex(RATE_STEPS.index(1))
        self.rate_box.lineEdit().returnPressed.connect(self._rate_typed)
        self.rate_box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.rate_box.activated.connect(self._rate_chosen)
        self.jump_edit = QDateTimeEdit()
        self.jump_edit.setTimeZone(QTimeZone.utc())
        self.jump_edit.setDisplayFormat("yyyy-MM-dd HH:mm:ss 'UTC'")
        self.jump_edit.setCalendarPopup(True)
        self.jump_action = self._action("Jump", "Ctrl+J", "Jump the clock to the date-time at left",
                                        self._jump_from_edit)
        self.clock_label = QLabel()
        self.clock_label.setObjectName("clockLabel")
        self._size_clock_label()
        on_first_show(self.clock_label, self._size_clock_label)  # again in the theme's monospace font
        self.mode_label = QLabel()
        self._shown_second: int | None = None
        self._shown_at = float("-inf")  # time.monotonic() of the last change of the clock's text
        self._shown_mode: tuple | None = None

        # the time and the mode first: on a narrow screen the toolbar hides its last items in an
        # overflow menu, and LIVE / REPLAY / PAUSED must always show
        for widget_or_action in (self.clock_label, self.mode_label, None, self.live_action, self.play_action,
                                 self.step_back_action, self.step_forward_action, self.slower_action, self.rate_box,
                                 self.faster_action, None, self.jump_edit, self.jump_action):
            if widget_or_action is None:
                self.addSeparator()
            elif isinstance(widget_or_action, QAction):
                self.addAction(widget_or_action)
            else:
                self.addWidget(widget_or_action)
        self.refresh()

    def _size_clock_label(self) -> None:
        self.clock_label.setMinimumWidth(self.clock_label.fontMetrics().horizontalAdvance(CLOCK_TEXT_WIDEST) + 4)

    def _action(self, text, shortcut, tip, slot, checkable=False) -> QAction:
        action = QAction(text, self)
        action.setShortcut(QKeySequence(shortcut))
        action.setToolTip(f"{tip} ({shortcut})")
        action.setCheckable(checkable)
        action.triggered.connect(lambda *_: slot())
        return action

    # --- actions ---------------------------------------------------------------------------------

    def go_live(self) -> None:
        refusal = self.live_refusal()
        if refusal:
            self.live_action.setChecked(False)
            self.refused.emit(refusal)
            return
        self.clock.go_live()
        self._changed()

    def toggle_pause(self) -> None:
        self.clock.toggle_pause()
        self._changed()

    def step(self, seconds: float) -> None:
        self.clock.step(seconds)
        self._changed()

    def set_rate(self, rate: float) -> None:
        try:
            self.clock.set_rate(rate)
            if self.clock.paused:
                self.clock.resume()
        except ClockError as error:
            self.rate_box.lineEdit().setToolTip(str(error))
        self._changed()

    def nudge_rate(self, direction: int) -> None:
        current = self.clock.rate if self.clock.mode is ClockMode.REPLAY else 1.0
        faster = [r for r in RATE_STEPS if r > current]
        slower = [r for r in RATE_STEPS if r < current]
        target = (faster[0] if faster else RATE_STEPS[-1]) if direction > 0 else (slower[-1] if slower else RATE_STEPS[0])
        self.set_rate(target)

    def jump_to(self, epoch: datetime) -> None:
        self.clock.jump_to(epoch)
        self._changed()

    def _jump_from_edit(self) -> None:
        value = self.jump_edit.dateTime().toUTC()
        self.jump_to(datetime.fromtimestamp(value.toSecsSinceEpoch(), tz=timezone.utc))

    def _rate_chosen(self, index: int) -> None:
        rate = self.rate_box.itemData(index)
        if rate is not None and self.rate_box.itemText(index) == self.rate_box.currentText():
            self.set_rate(rate)

    def _rate_typed(self) -> None:
        text = self.rate_box.currentText().replace("x", "").replace(",", "").strip()
        try:
            self.set_rate(float(text))
        except ValueError:
            self.refresh(force=True)

    def _changed(self) -> None:
        self.refresh(force=True)
        self.clock_changed.emit()

    # --- display ---------------------------------------------------------------------------------

    def refresh(self, force: bool = False) -> None:
        """Called every frame: touches the widgets only when what they show has changed, the
        time at most every ``DISPLAY_INTERVAL_S`` (``force`` after a user action or a jump, so a
        refused entry is replaced by the clock's value at once)."""
        if force:
            self._shown_second = self._shown_mode = None
            self._shown_at = float("-inf")
        state = self.clock.state()
        second = int(state.epoch.timestamp())
        now = time.monotonic()
        if second != self._shown_second and now - self._shown_at >= DISPLAY_INTERVAL_S:
            self._shown_second, self._shown_at = second, now
            self.clock_label.setText(format_utc(state.epoch)[:19].replace("T", " ") + " UTC")
            if not self.jump_edit.hasFocus():
                self.jump_edit.setDateTime(QDateTime.fromSecsSinceEpoch(second, QTimeZone.utc()))
        mode_key = (state.mode, state.rate, state.paused)
        if mode_key == self._shown_mode:
            return
        self._shown_mode = mode_key
        live = state.mode is ClockMode.LIVE
        self.live_action.setChecked(live)
        self.play_action.setText("Play" if state.paused else "Pause")
        if live:
            self.mode_label.setText("LIVE")
            self.mode_label.setStyleSheet("color: #56f000; font-weight: bold;")
        else:
            paused = " — PAUSED" if state.paused else ""
            self.mode_label.setText(f"REPLAY {state.rate:+,g}x{paused}")
            self.mode_label.setStyleSheet("color: #fce83a; font-weight: bold;")
        if not self.rate_box.lineEdit().hasFocus():
            self.rate_box.setEditText(f"{(1 if live else state.rate):+,g}x")

    def bind(self, session) -> None:
        """Redraw each frame, and at once when the clock is set from elsewhere (a view, a scenario)."""
        session.frame.connect(lambda _epoch: self.refresh())
        self.live_refusal = lambda: (
            f"Live refused: the exercise {session.state.scenario.name!r} runs on its own clock (live time would "
            "fire every inject at once). Leave the exercise first." if session.state.scenario.path else "")
        self.refused.connect(lambda reason: session.say(reason, 15000))
        session.state.connect("clock", lambda _clock: self.refresh(force=True))

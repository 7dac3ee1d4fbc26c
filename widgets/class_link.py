"""The console's side of a class (issue #15): the instructor's console leads, a trainee's
follows. The class's database work (publishing, reading reports, answering) runs on a
thread of its own per class, never on the GUI thread; results come back as Qt signals.

- :class:`InstructorLink` drives an ``app.classroom.ClassLeader``: the lesson's steps,
  freeze / release / bring back, messages; the instructor's own console changes (clock,
  selection, camera, group, colour) are published as they happen, and each step's settings
  come back to the instructor's console. The trainees' reports fold into a ``Roster``.
- :class:`TraineeLink` wraps an ``app.classroom.ClassFollower``; :func:`take_state` puts an
  instructor's state on the trainee's console.
"""

from __future__ import annotations

import logging
import queue
import threading
from datetime import datetime
from typing import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from app.astro.timeutil import parse_utc
from app.classroom import ClassFollower, ClassLeader, ClassRecords, Lesson
from app.classroom.checks import Verdict
from app.classroom.class_state import apply, sim_epoch_at, snapshot, wall_now
from app.classroom.follower import wait_for_class
from app.classroom.roster import Roster
from app.live.clock import SimulationClock
from app.state.console_state import ClockState, ConsoleState

log = logging.getLogger(__name__)

JOIN_POLL_S = 0.5  # how often a trainee who came early looks for the class
TICK_MS = 500  # heartbeat, roster reading
CLOCK_TOLERANCE_S = 0.3  # a trainee's clock this close to the instructor's (in wall seconds of the class clock) is left alone


class _ClassThread:
    """One Python thread running a class's database work in order."""

    def __init__(self, name: str, on_error: Callable[[str], None]):
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._on_error = on_error
        self.pending = 0
        threading.Thread(target=self._serve, name=name, daemon=True).start()

    def submit(self, work: Callable[[], None]) -> None:
        self.pending += 1
        self._queue.put(work)

    def stop(self) -> None:
        self._queue.put(None)

    def _serve(self) -> None:
        while (work := self._queue.get()) is not None:
            try:
                work()
            except Exception as error:  # a database gone or refusing: say so, keep the console running
                log.warning("class: %s", error, exc_info=not isinstance(error, (OSError, ValueError)))
                self._on_error(str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__)
            finally:
                self.pending -= 1


def console_view(state: ConsoleState, clock: SimulationClock) -> dict:
    """The console's clock (as of now), selection, camera, group and colour mode, in the
    class state's form."""
    reading = clock.state()
    view = snapshot(state, "follow", 0)
    view["clock"] = ClockState(mode=reading.mode.value, rate=reading.rate, paused=reading.paused,
                               epoch_utc=clock.now()).model_dump(mode="json")
    return view


def take_state(state: ConsoleState, clock: SimulationClock, class_state: dict, sent_utc: str) -> None:
    """Put a class state on a console: its clock extrapolated to now (left alone when already
    within ``CLOCK_TOLERANCE_S`` of it), then its selection, camera, group and colour mode."""
    setting = ClockState.model_validate(class_state["clock"])
    now = wall_now()
    epoch = sim_epoch_at(setting, parse_utc(sent_utc), now)
    reading = clock.state()
    same_run = (reading.mode.value == setting.mode and reading.rate == setting.rate
                and reading.paused == setting.paused)
    tolerance_s = CLOCK_TOLERANCE_S * max(1.0, abs(setting.rate))
    local = dict(class_state)
    if class_state.get("watch_pair"):  # the console frames and tracks the pair itself, as the instructor's does
        local["camera"] = state.camera.model_dump(mode="json")
    if same_run and abs((clock.now() - epoch).total_seconds()) <= tolerance_s:
        local["clock"] = state.clock.model_dump(mode="json")  # already there: no jump
    else:
        local["clock"] = {**class_state["clock"], "epoch_utc": epoch.isoformat() if setting.mode == "replay" else None}
    apply(state, local)


class InstructorLink(QObject):
    opened = Signal(str)  # the class's name
    step_started = Signal(int, str, object)  # (step, prompt, check dict or None)
    mode_changed = Signal(str)  # follow | frozen | free | closed
    console_state = Signal(dict, str)  # a step's state and when it held: the instructor's console takes it too
    roster_changed = Signal(object)  # Roster
    notices_changed = Signal(list)
    problem = Signal(str)
    closed = Signal()

    def __init__(self, url: str, password: str | None, class_name: str, lesson: Lesson, parent=None,
                 operator=None):
        super().__init__(parent)
        self.operator = operator
        self.class_name, self.lesson = class_name, lesson
        self.roster = Roster()
        self.leader: ClassLeader | None = None
        self.records: ClassRecords | None = None
        self.step, self.mode = 0, "follow"
        self._notices_shown = 0  # how many notices the Class dock was told of
        self._thread = _ClassThread(f"class-{class_name}", self.problem.emit)
        self._thread.submit(lambda: self._open(url, password))
        self._timer = QTimer(self, interval=TICK_MS)
        self._timer.timeout.connect(self._tick)

    @property
    def step_count(self) -> int:
        return len(self.lesson.steps)

    def _open(self, url: str, password: str | None) -> None:
        self.records = ClassRecords(url, password, self.operator)
        self.leader = ClassLeader(self.records, self.class_name, self.lesson)
        self.leader.open()
        self.opened.emit(self.class_name)
        self._announce_step()

    def _announce_step(self) -> None:
        leader = self.leader
        step = self.lesson.steps[leader.step]
        self.step = leader.step
        self.step_started.emit(leader.step, step.prompt, step.check.model_dump(mode="json") if step.check else None)
        self.mode_changed.emit(leader.mode)
        self.console_state.emit(snapshot(leader.console, leader.mode, leader.step), _iso(leader.anchor_utc))

    def start(self) -> None:
        self._timer.start()

    # --- what the instructor does ---------------------------------------------------------------
    def go_to_step(self, index: int) -> None:
        if not 0 <= index < self.step_count:
            return
        self._thread.submit(lambda: (self.leader.start_step(index), self._announce_step()))

    def next_step(self) -> None:
        self.go_to_step(self.step + 1)

    def previous_step(self) -> None:
        self.go_to_step(self.step - 1)

    def change_mode(self, mode: str) -> None:
        self.mode = mode
        self._thread.submit(lambda: (self.leader.change_mode(mode), self.mode_changed.emit(mode)))

    def message(self, text: str) -> None:
        self._thread.submit(lambda: (self.leader.message(text), self.notices_changed.emit(list(self.leader.notices))))

    def adopt(self, view: dict) -> None:
        """The instructor's own console changed: the class follows it."""
        captured = wall_now()  # the view's clock is as of now, not as of when the thread gets to it
        self._thread.submit(lambda: self.leader is not None and self.leader.adopt(view, captured))

    def close(self) -> None:
        """Close the class (its last state says so) and let the thread go."""
        self._timer.stop()

        def close() -> None:
            try:
                if self.leader is not None:
                    self.leader.close()
            finally:
                if self.records is not None:
                    self.records.close_connection()
                self.closed.emit()
        self._thread.submit(close)
        self._thread.stop()

    # --- heartbeat and roster -------------------------------------------------------------------
    def _tick(self) -> None:
        if self._thread.pending == 0 and self.leader is not None:
            self._thread.submit(self._beat)

    def _beat(self) -> None:
        leader = self.leader
        if (wall_now() - leader.last_sent_utc).total_seconds() >= 0.5:
            leader.publish()
            if len(leader.notices) != self._notices_shown:  # the scenario's messages, sent by the leader itself
                self._notices_shown = len(leader.notices)
                self.notices_changed.emit(list(leader.notices))
        if self.roster.add(self.records.reports(self.class_name, self.roster.last_seq)) or not self.roster.rows:
            self.roster_changed.emit(self.roster)


class TraineeLink(QObject):
    state_received = Signal(dict, str, str)  # (class state, sent_utc, instructor)
    answered = Signal(dict)  # what was sent
    problem = Signal(str)
    joined = Signal(str, str)  # (class, instructor)
    waiting = Signal(str)  # the class is not open yet

    def __init__(self, url: str, password: str | None, class_name: str, parent=None, operator=None):
        super().__init__(parent)
        self.operator = operator
        self.class_name = class_name
        self.follower: ClassFollower | None = None
        self.records: ClassRecords | None = None
        self._leaving = threading.Event()
        self._thread = _ClassThread(f"class-{class_name}", self.problem.emit)
        self._thread.submit(lambda: self._join(url, password))
        self._timer = QTimer(self, interval=2000)
        self._timer.timeout.connect(lambda: self.follower is not None and self._thread.pending == 0
                                    and self._thread.submit(self.follower.heartbeat))
        self._timer.start()

    def _join(self, url: str, password: str | None) -> None:
        """Join the class; a trainee who comes before the instructor waits for it to open."""
        self.records = ClassRecords(url, password, self.operator)
        if not wait_for_class(self.records, self.class_name, self._leaving,
                              on_waiting=lambda: self.waiting.emit(self.class_name), poll_s=JOIN_POLL_S):
            return
        follower = ClassFollower(self.records, self.class_name)
        follower.on_state = lambda state, published: self.state_received.emit(state, published.sent_utc,
                                                                              published.sent_by)
        self.follower = follower.start()
        self.joined.emit(self.class_name, follower.instructor)

    def answer(self, verdict: Verdict) -> None:
        self._thread.submit(lambda: self.answered.emit(self.follower.answer(verdict)))

    def leave(self) -> None:
        self._timer.stop()
        self._leaving.set()

        def leave() -> None:
            if self.follower is not None:
                self.follower.stop()
            if self.records is not None:
                self.records.close_connection()
        self._thread.submit(leave)
        self._thread.stop()


def _iso(moment: datetime) -> str:
    return moment.isoformat()

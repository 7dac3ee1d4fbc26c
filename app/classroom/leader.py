"""The instructor's side of a class, headless: open the class, take it through a lesson's
steps, freeze, release and bring it back, close it.

The leader keeps its own ``ConsoleState`` (the instructor's view); its simulation clock runs
from a wall-clock anchor at the lesson's rate × ``speed``. It publishes the class's state
(``app.classroom.class_state``) whenever something changes and at least every
``HEARTBEAT_S``, and reports each state and each event as a JSON-ready dict to ``emit``:

    {"sent_utc", "sim_epoch_utc", "rate", "paused", "selection", "step", "mode", "seq"}
    {"event": "opened" | "step" | "frozen" | "released" | "brought back" | "message" | "closed", "at_utc", ...}

With no human at the keys, each step lasts its ``hold_s`` divided by ``speed``.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Callable

from app.astro.timeutil import format_utc
from app.classroom.class_records import ClassRecords
from app.classroom.class_state import MAX_NOTICE_CHARS, apply, sim_epoch_at, snapshot, wall_now
from app.classroom.lesson import Lesson, LessonError
from app.live.clock import MAX_RATE
from app.state.console_state import ConsoleState

HEARTBEAT_S = 0.5  # the longest time between two published states
TICK_S = 0.05  # how often the running lesson looks at the clock
MODE_EVENTS = {"frozen": "frozen", "free": "released", "follow": "brought back"}

Emit = Callable[[dict], None]


@dataclass(frozen=True)
class LeaderView:
    """The leader at one instant: what the class should be showing then."""
    sim_epoch_utc: datetime
    step: int
    mode: str
    selection: tuple[int, ...]
    seq: int  # the newest state published
    changed_utc: datetime  # when the step, mode, selection or clock last changed (not a heartbeat)


class ClassLeader:
    def __init__(self, records: ClassRecords, class_name: str, lesson: Lesson, speed: float = 1.0,
                 emit: Emit | None = None):
        _check_speed(lesson, speed)
        self.records, self.class_name, self.lesson, self.speed = records, class_name, lesson, speed
        self.emit = emit or (lambda line: None)
        self.console = ConsoleState()
        self.console.clock.mode = "replay"
        self.console.clock.epoch_utc = lesson.start
        self.mode, self.step = "follow", 0
        self.opened = False
        self.anchor_utc = wall_now()  # the wall time at which console.clock.epoch_utc held
        self.last_seq, self.last_sent_utc, self.changed_utc = 0, self.anchor_utc, self.anchor_utc
        self._lesson_rate = lesson.rate
        self.notices: list[dict] = []  # the instructor's messages and the scenario's to trainees, oldest first
        self._scenario_messages = list(lesson.trainee_messages)  # not yet sent, in time order
        self._lock = threading.RLock()  # the lesson's thread and the instructor's calls

    # --- the clock ----------------------------------------------------------------------
    def sim_epoch_at(self, at_utc: datetime) -> datetime:
        with self._lock:
            return sim_epoch_at(self.console.clock, self.anchor_utc, at_utc)

    def view(self, at_utc: datetime) -> LeaderView:
        with self._lock:
            return LeaderView(self.sim_epoch_at(at_utc), self.step, self.mode, self.console.selection.objects,
                              self.last_seq, self.changed_utc)

    def _set_clock(self, now: datetime, epoch: datetime | None = None, rate: float | None = None,
                   paused: bool | None = None) -> None:
        """Re-anchor the clock at ``now``, then change what is given."""
        clock = self.console.clock
        with self.console.batch():
            clock.epoch_utc = epoch if epoch is not None else sim_epoch_at(clock, self.anchor_utc, now)
            if rate is not None:
                self._lesson_rate = rate
            clock.rate = self._lesson_rate * self.speed  # within bounds: _check_speed
            if paused is not None:
                clock.paused = paused
        self.anchor_utc = now

    # --- the class ----------------------------------------------------------------------
    def open(self) -> None:
        info = self.records.open(self.class_name, self.lesson.name)
        self.opened = True  # from here on the class is closed on the way out, whatever happens
        self.emit({"event": "opened", "at_utc": info.opened_utc, "class": self.class_name,
                   "instructor": info.instructor, "lesson": self.lesson.name, "steps": len(self.lesson.steps)})
        self.start_step(0)

    def start_step(self, index: int) -> None:
        step = self.lesson.steps[index]
        with self._lock:
            now = wall_now()
            self.step, self.changed_utc = index, now
            self._set_clock(now, step.at_utc or (self.lesson.start if index == 0 else None), step.rate, step.paused)
            if step.select is not None:
                self.console.selection.objects = step.select
            self.emit({"event": "step", "at_utc": format_utc(now), "step": index, "prompt": step.prompt})
            if step.mode is not None and step.mode != self.mode:
                self._set_mode(step.mode, now)
            self.publish(now)

    def select(self, norad_ids: tuple[int, ...]) -> None:
        with self._lock:
            self.console.selection.objects = tuple(norad_ids)
            self.changed_utc = wall_now()
            self.publish(self.changed_utc)

    def adopt(self, view: dict, now: datetime | None = None) -> None:
        """Take the instructor's own console (a class state's clock as of ``now``, selection,
        camera, group, colour mode) and publish it: the class follows what the instructor does."""
        with self._lock:
            now = now or wall_now()
            apply(self.console, view)
            self._lesson_rate = self.console.clock.rate / self.speed
            self.anchor_utc = self.changed_utc = now
            self.publish(now)

    def freeze(self) -> None:
        self.change_mode("frozen")

    def release(self) -> None:
        self.change_mode("free")

    def bring_back(self) -> None:
        self.change_mode("follow")

    def change_mode(self, mode: str) -> None:
        with self._lock:
            now = wall_now()
            self._set_mode(mode, now)
            self.publish(now)

    def _set_mode(self, mode: str, now: datetime) -> None:
        self.mode, self.changed_utc = mode, now
        self.emit({"event": MODE_EVENTS[mode], "at_utc": format_utc(now), "step": self.step})

    def message(self, text: str, source: str = "instructor") -> dict:
        """Send a notice to the class (it rides on every state until ten newer ones come)."""
        text = text.strip()
        if not 1 <= len(text) <= MAX_NOTICE_CHARS:
            raise ValueError(f"a message is 1 to {MAX_NOTICE_CHARS} characters")
        with self._lock:
            now = wall_now()
            notice = {"id": len(self.notices) + 1, "text": text, "sent_utc": format_utc(now), "source": source}
            self.notices.append(notice)
            self.emit({"event": "message", "at_utc": notice["sent_utc"], "step": self.step, "text": text,
                       "source": source})
            self.publish(now)
            return notice

    def _scenario_messages_due(self, now: datetime) -> None:
        """The scenario's messages to trainees whose time the class's clock has reached."""
        epoch = sim_epoch_at(self.console.clock, self.anchor_utc, now)
        while self._scenario_messages and self._scenario_messages[0][0] <= epoch:
            _at, text = self._scenario_messages.pop(0)
            self.message(text, source="scenario")

    def publish(self, now: datetime | None = None) -> int:
        """Send the class's state as of ``now`` (default: this instant)."""
        with self._lock:
            now = now or wall_now()
            self._scenario_messages_due(now)
            self._set_clock(now)  # the epoch as of sending: followers extrapolate from it
            step = self.lesson.steps[self.step]
            state = snapshot(self.console, self.mode, self.step, step.prompt,
                             check=step.check.model_dump(mode="json") if step.check else None,
                             notices=tuple(self.notices),
                             scenario=self.lesson.scenario if self.lesson.scenario_bundled else None)
            sent_utc = format_utc(now)
            self.last_seq, self.last_sent_utc = self.records.publish(self.class_name, state, sent_utc), now
            clock = self.console.clock
            self.emit({"sent_utc": sent_utc, "sim_epoch_utc": format_utc(clock.epoch_utc), "rate": clock.rate,
                       "paused": clock.paused, "selection": list(self.console.selection.objects),
                       "step": self.step, "mode": self.mode, "seq": self.last_seq})
            return self.last_seq

    def close(self) -> None:
        with self._lock:
            self.mode, self.changed_utc = "closed", wall_now()
            self.publish(self.changed_utc)
            self.records.close(self.class_name)
            self.emit({"event": "closed", "at_utc": format_utc(wall_now()), "class": self.class_name})

    # --- the lesson ---------------------------------------------------------------------
    def run(self, stop: threading.Event | None = None) -> None:
        """Take the class through every step (the first is taken when the class opens), each
        held ``hold_s / speed``, publishing at least every ``HEARTBEAT_S``; ``stop`` ends early."""
        stop = stop or threading.Event()
        for index in range(len(self.lesson.steps)):
            if index > 0:
                self.start_step(index)
            ends = wall_now().timestamp() + self.lesson.steps[index].hold_s / self.speed
            while not stop.is_set() and (now := wall_now().timestamp()) < ends:
                if now - self.last_sent_utc.timestamp() >= HEARTBEAT_S:
                    self.publish()
                stop.wait(min(TICK_S, max(0.0, ends - now)))
            if stop.is_set():
                return


def _check_speed(lesson: Lesson, speed: float) -> None:
    """Every rate the lesson sets, times ``speed``, must be a rate the clock runs at."""
    if not 0 < speed <= MAX_RATE:
        raise LessonError([f"speed {speed:g}: above 0, at most {MAX_RATE:,.0f}"])
    rate = lesson.rate
    for index, step in enumerate(lesson.steps):
        rate = step.rate if step.rate is not None else rate
        if abs(rate * speed) > MAX_RATE:
            raise LessonError([f"speed {speed:g}: step {index}'s rate {rate:g} would run the clock at "
                               f"{rate * speed:g}x, beyond ±{MAX_RATE:,.0f}x"])


def lead(url: str, class_name: str, lesson: Lesson, speed: float = 1.0, password: str | None = None,
         emit: Emit | None = None, stop: threading.Event | None = None) -> None:
    """Open the class, run the lesson, close the class (also when interrupted)."""
    records = ClassRecords(url, password)
    try:
        leader = ClassLeader(records, class_name, lesson, speed, emit)
        try:
            leader.open()
            leader.run(stop)
        finally:
            if leader.opened:  # also when interrupted while opening (seen: SIGTERM as the first state went out)
                leader.close()
    finally:
        records.close_connection()

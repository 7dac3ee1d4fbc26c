"""A trainee's side of a class, headless: join a class, apply each newer state the
instructor publishes, and keep a simulation clock that runs on between states.

What the trainee may do depends on the class's mode:

- ``follow``: the console shows the instructor's state; local changes are refused (the
  instructor's next state would undo them).
- ``frozen``: the same, and the refusal says the class is frozen.
- ``free``: the trainee's own clock and selection, starting from the state that released
  the class; the instructor's later states still arrive (mode, step) and the newest is
  applied in full when the class is brought back.
- ``closed``: the class is over (``closed`` is set).

Each state applied is reported to ``emit`` as a JSON-ready dict:
``{"received_utc", "sim_epoch_utc", "rate", "paused", "selection", "step", "mode", "seq"}``.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Callable

from pydantic import ValidationError

from app.astro.timeutil import format_utc, parse_utc
from app.classroom.class_link import ClassLink
from app.catalog.catalog import Catalog
from app.classroom.answer_script import AnswerScript
from app.classroom.checks import CheckError, Verdict, judge
from app.classroom.class_records import ClassRecords, ClassroomError, Published
from app.classroom.class_state import ClassStateError, apply, checked, sim_epoch_at, wall_now
from app.state.console_state import ClockState, ConsoleState
from app.storage import StoreError

log = logging.getLogger(__name__)

Emit = Callable[[dict], None]
STATUS_EVERY_S = 10.0  # a trainee's status report doubles as its heartbeat: connected if heard within 30 s


@dataclass(frozen=True)
class LocalChange:
    """The answer to a trainee's own change: true when it was made, else why not."""
    accepted: bool
    reason: str = ""

    def __bool__(self) -> bool:
        return self.accepted


class ClassFollower:
    def __init__(self, records: ClassRecords, class_name: str, emit: Emit | None = None):
        """Join ``class_name`` (ClassroomError when there is no such open class)."""
        info = records.info(class_name)
        if info is None:
            raise ClassroomError(f"there is no class {class_name!r} on {records.url}: the instructor opens it "
                                 "(spaceops classroom lead)")
        if info.closed_utc is not None:
            raise ClassroomError(f"class {class_name!r} was closed at {info.closed_utc}")
        self.records, self.class_name, self.instructor = records, class_name, info.instructor
        self.emit = emit or (lambda line: None)
        self.console = ConsoleState()
        self.mode: str | None = None  # None until the first state arrives
        self.step: int | None = None
        self.prompt = ""
        self.applied_seq = 0
        self.anchor_utc = wall_now()  # the wall time at which console.clock.epoch_utc held
        self.check: dict | None = None  # the current step's check, if any
        self.notices: tuple[dict, ...] = ()  # the newest the instructor sent (app.classroom.class_state.Notice)
        self.step_started_utc = wall_now()  # when this console first saw the current step
        self.answers: dict[int, dict] = {}  # step -> the verdict sent (app.classroom.checks)
        self.closed = threading.Event()
        self._lock = threading.RLock()
        self._left = False
        self._reporting = True  # off once the database refuses this login's reports (not a trainee)
        self._last_report = 0.0  # time.monotonic() of the last report
        self.on_state: Callable[[dict, Published], None] | None = None  # each state taken (a console applies it)
        self.link = ClassLink(records, class_name, self._receive)

    def start(self) -> "ClassFollower":
        self._send("joined", None, {})
        self.link.start()
        return self

    def stop(self) -> None:
        self.link.stop()
        if not self.closed.is_set() and not self._left:
            self._left = True  # once, however often it is stopped
            self._send("left", self.step, {})

    # --- what the trainee reports to the instructor ------------------------------------------
    def _send(self, kind: str, step: int | None, detail: dict) -> None:
        """A report to the class (logged, not raised, when the database refuses it)."""
        if not self._reporting:
            return
        self._last_report = time.monotonic()
        try:
            self.records.report(self.class_name, kind, step, detail, format_utc(wall_now()))
        except StoreError as error:
            if "permission" in str(error).lower() or "policy" in str(error).lower():
                self._reporting = False  # an instructor or an observer following the class: nothing to report
            log.warning("class %s: report not sent (%s)", self.class_name, error)

    @property
    def following(self) -> str:
        """following, frozen or free (what the Class dock shows); waiting before the first state."""
        return {"follow": "following", None: "waiting"}.get(self.mode, self.mode)

    def report_status(self) -> None:
        with self._lock:
            step, detail = self.step, {"mode": self.following, "selection": list(self.console.selection.objects)}
        self._send("status", step, detail)

    def heartbeat(self, every_s: float = STATUS_EVERY_S) -> None:
        """Report the status when nothing was reported for ``every_s`` (call it often)."""
        if time.monotonic() - self._last_report >= every_s and not self.closed.is_set():
            self.report_status()

    def answer(self, verdict: Verdict) -> dict:
        """Send the verdict on the current step's check (app.classroom.checks judges it); what
        was sent. A later answer on the same step replaces the earlier one in the Class dock."""
        with self._lock:
            step = self.step
            elapsed = (wall_now() - self.step_started_utc).total_seconds()
            detail = {**verdict.as_dict(), "elapsed_s": round(elapsed, 1), "kind": (self.check or {}).get("kind")}
            self.answers[step] = detail
        self._send("answer", step, detail)
        return detail

    def wait_for_state(self, timeout_s: float = 10.0) -> bool:
        """True once the first state has arrived, False after ``timeout_s``."""
        deadline = time.monotonic() + timeout_s
        while self.mode is None and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.mode is not None

    def sim_epoch_at(self, at_utc: datetime) -> datetime:
        with self._lock:
            return sim_epoch_at(self.console.clock, self.anchor_utc, at_utc)

    @property
    def selection(self) -> tuple[int, ...]:
        with self._lock:
            return self.console.selection.objects

    # --- the instructor's states --------------------------------------------------------------
    def _receive(self, published: Published) -> None:
        try:
            state = checked(published.state)
        except ClassStateError as error:
            log.warning("class %s: state %d refused (%s)", self.class_name, published.seq, error)
            return
        with self._lock:
            if published.seq <= self.applied_seq:
                return  # an older state: the newest wins
            received = wall_now()
            self.applied_seq, self.instructor = published.seq, published.sent_by
            exploring = self.mode == "free"  # the state that releases the class is taken; later ones are not
            changed = (self.mode, self.step) != (state["mode"], state["step"])
            if state["step"] != self.step:
                self.step_started_utc = received
            self.mode, self.step, self.prompt = state["mode"], state["step"], state["prompt"]
            self.check, self.notices = state["check"], tuple(state["notices"])
            if not (exploring and self.mode == "free"):
                apply(self.console, state)
                self.anchor_utc = parse_utc(published.sent_utc)
            self._report(received)
        if self.on_state is not None:
            self.on_state(state, published)
        if self.mode == "closed":
            self.closed.set()
        elif changed:
            self.report_status()

    def _report(self, received: datetime) -> None:
        clock = self.console.clock
        self.emit({"received_utc": format_utc(received), "sim_epoch_utc": format_utc(self.sim_epoch_at(received)),
                   "rate": clock.rate, "paused": clock.paused, "selection": list(self.console.selection.objects),
                   "step": self.step, "mode": self.mode, "seq": self.applied_seq})

    # --- the trainee's own changes ------------------------------------------------------------
    def _refusal(self) -> LocalChange | None:
        if self.mode == "free":
            return None
        if self.mode == "frozen":
            return LocalChange(False, f"the class is frozen by {self.instructor}")
        if self.mode == "closed":
            return LocalChange(False, "the class is closed")
        if self.mode is None:
            return LocalChange(False, "no state from the instructor yet")
        return LocalChange(False, f"following {self.instructor}: the instructor has not released the class")

    def local_select(self, norad_id: int) -> LocalChange:
        with self._lock:
            refused = self._refusal()
            if refused is not None:
                return refused
            self.console.selection.objects = (norad_id,)
            return LocalChange(True)

    def local_clock(self, rate: float | None = None, paused: bool | None = None) -> LocalChange:
        """Change the trainee's own clock rate or pause (free exploration only)."""
        with self._lock:
            refused = self._refusal()
            if refused is not None:
                return refused
            now = wall_now()
            clock = self.console.clock
            try:
                setting = ClockState(mode=clock.mode, rate=clock.rate if rate is None else rate,
                                     paused=clock.paused if paused is None else paused,
                                     epoch_utc=sim_epoch_at(clock, self.anchor_utc, now))
            except ValidationError as error:  # a rate the clock does not run at
                first = error.errors()[0]
                return LocalChange(False, f"{'.'.join(map(str, first['loc']))}: {first['msg']}")
            self.console.clock, self.anchor_utc = setting, now
            return LocalChange(True)


class ScriptedTrainee:
    """Answers each step from an answer script once its thinking time has passed, judged with
    the console's machinery (the catalog loaded when a check first needs it)."""

    def __init__(self, follower: ClassFollower, script: AnswerScript, catalog: Callable[[], Catalog] | None,
                 emit: Emit | None):
        self.follower, self.script, self.emit = follower, script, emit or (lambda line: None)
        self._catalog_source, self._catalog = catalog, None

    def catalog(self) -> Catalog | None:
        if self._catalog is None and self._catalog_source is not None:
            self._catalog = self._catalog_source()
        return self._catalog

    def tick(self) -> None:
        follower = self.follower
        with follower._lock:
            step, check, started = follower.step, follower.check, follower.step_started_utc
        scripted = self.script.for_step(step)
        if (scripted is None or check is None or step in follower.answers
                or (wall_now() - started).total_seconds() < scripted.after_s):
            return
        try:
            needs_catalog = check.get("kind") in ("regime", "closest_approach")
            verdict = judge(check, scripted.answer, self.catalog() if needs_catalog else None,
                            follower.sim_epoch_at(started), (wall_now() - started).total_seconds())
        except CheckError as error:
            follower.answers[step] = {"error": str(error)}  # answered once, even when it cannot be judged
            self.emit({"event": "not judged", "at_utc": format_utc(wall_now()), "step": step, "why": str(error)})
            return
        sent = follower.answer(verdict)
        self.emit({"event": "answered", "at_utc": format_utc(wall_now()), "step": step, **sent})


def wait_for_class(records: ClassRecords, class_name: str, stop: threading.Event, deadline: float | None = None,
                   on_waiting: Callable[[], None] | None = None, poll_s: float = 0.5) -> bool:
    """Wait for the instructor to open the class (a trainee who comes early); True once it
    exists, False when ``stop`` is set or the wall-clock ``deadline`` (POSIX s) passes.
    ``on_waiting`` is told once, when there is something to wait for."""
    if records.info(class_name) is not None:
        return True
    if on_waiting is not None:
        on_waiting()
    while records.info(class_name) is None:
        if deadline is not None and wall_now().timestamp() >= deadline:
            return False
        if stop.wait(poll_s):
            return False
    return True


def follow(url: str, class_name: str, password: str | None = None, emit: Emit | None = None,
           seconds: float | None = None, stop: threading.Event | None = None, answers: AnswerScript | None = None,
           catalog: Callable[[], Catalog] | None = None) -> ClassFollower:
    """Follow the class until it closes, ``seconds`` pass or ``stop`` is set; the follower.
    A trainee who comes before the instructor waits for the class to open (within ``seconds``).
    With ``answers``, the trainee answers the lesson's checks from the script (``catalog``
    gives the catalog the checks are judged on)."""
    records = ClassRecords(url, password)
    try:
        stop = stop or threading.Event()
        deadline = None if seconds is None else wall_now().timestamp() + seconds
        wait_for_class(records, class_name, stop, deadline,
                       on_waiting=None if emit is None else lambda: emit(
                           {"event": "waiting", "at_utc": format_utc(wall_now()), "class": class_name}))
        follower = ClassFollower(records, class_name, emit).start()
        scripted = ScriptedTrainee(follower, answers, catalog, emit) if answers is not None else None
        while not (follower.closed.is_set() or stop.is_set()):
            follower.heartbeat()
            if scripted is not None:
                scripted.tick()
            left = None if deadline is None else deadline - wall_now().timestamp()
            if left is not None and left <= 0:
                break
            stop.wait(0.1 if left is None else min(0.1, left))
        follower.stop()
        return follower
    finally:
        records.close_connection()

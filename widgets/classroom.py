"""Classroom mode in the console (issue #15): the Classroom menu's work on a window.

An instructor opens a class on the console's database (a floor, or a single seat for a
rehearsal) and leads it from the Class dock; a trainee joins a class and the console follows
the instructor (clock, selection, camera, group, colour mode) with a FOLLOWING bar over the
globe. While following or frozen the trainee's own changes are undone and the time controls
are locked; released, the trainee explores alone until brought back. The Lesson dock shows
the step's prompt and check; answers are judged here, off the GUI thread, by the console's
own machinery (``app.classroom.checks``) and sent to the instructor.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import QFileDialog, QInputDialog, QLabel

from app.classroom import LessonError, load_lesson
from app.classroom.class_state import wall_now
from app.classroom.lesson import bundled_scenario
from app.classroom.checks import CheckError, Verdict, judge, judge_tasking
from app.common.resources import resource_path
from app.tasking.request import feasibility
from widgets.class_link import InstructorLink, TraineeLink, console_view, take_state
from widgets.panels.class_panel import ClassPanel
from widgets.panels.lesson_panel import LessonPanel, following_text
from widgets.runner import JobRunner

log = logging.getLogger(__name__)

TRAINEE_FONT_SCALE = 1.25
CHECK_DOCKS = {"closest_approach": "screening_dock", "acknowledge": "events_dock", "tasking": "tasking_dock"}
FOLLOWED_PATHS = ("clock", "selection.objects", "selection.watch_pair", "camera", "shown.group", "shown.group_filter", "shown.color_mode")
SILENT_S = 5.0  # the instructor publishes every 0.5 s: this long without a state and the bar says so
LET_GO_S = 30.0  # and after this long the trainee's controls are unlocked
ADOPT_AFTER_MS = 150  # the instructor's changes gathered (a camera drag) before they are published


class Classroom(QObject):
    def __init__(self, window):
        super().__init__(window)
        self.window, self.session = window, window.session
        self.class_panel, self.lesson_panel = ClassPanel(), LessonPanel()
        self.bar = QLabel(objectName="followingBar", alignment=Qt.AlignmentFlag.AlignCenter)
        self.bar.hide()
        self.instructor: InstructorLink | None = None
        self.trainee: TraineeLink | None = None
        self.mode: str | None = None
        self.leader_name = ""
        self.last_state: tuple[dict, str] | None = None  # the newest instructor's state and when it held
        self._taking = False  # a class state is being put on this console: not the user's change
        self.judging = JobRunner(self)
        self.scenario_opening = JobRunner(self)
        self.scenario_name: str | None = None  # the class's scenario, once this console opened it
        self._own_layout = None  # (dock state, font) from before the trainee layout
        self._real_before = False  # the console was in REAL mode before it joined a class
        self._laid_out_for = None  # (step, check) the trainee layout was last set for
        self._adopt_timer = QTimer(self, singleShot=True, interval=ADOPT_AFTER_MS)
        self._adopt_timer.timeout.connect(self._adopt)
        self.session.state.connect_any(self._console_changed)
        self._heard = 0.0  # time.monotonic() of the instructor's newest state
        self._silence_timer = QTimer(self, interval=1000)
        self._silence_timer.timeout.connect(self._check_silence)
        self._silence_timer.start()
        panel = self.class_panel
        panel.step_requested.connect(lambda delta: self.instructor and self.instructor.go_to_step(
            self.instructor.step + delta))
        panel.mode_requested.connect(lambda mode: self.instructor and self.instructor.change_mode(mode))
        panel.message_requested.connect(lambda text: self.instructor and self.instructor.message(text))
        panel.close_requested.connect(self.close_class)
        panel.debrief_requested.connect(self.export_debrief)
        self.lesson_panel.option_chosen.connect(self.answer)
        self.lesson_panel.selection_answered.connect(lambda: self.answer(self.session.selected_norad()))
        window.event_log.acknowledged.connect(self._acknowledged)
        window.tasking.request_saved.connect(self._request_saved)

    def _database(self) -> tuple[str, str | None] | None:
        store = self.session.store
        if store is None:
            self.window.show_status("Classroom needs the console's database (a floor, or the seat's SQLite file)", 15000)
            return None
        return store.url, store.database.connect_password

    # --- the instructor -------------------------------------------------------------------------
    def open_class(self, class_name: str, lesson_path: str | Path) -> InstructorLink | None:
        try:
            lesson = load_lesson(lesson_path)
        except LessonError as error:
            self.window.show_status(f"Lesson not read: {error.errors[0]}", 30000)
            return None
        database = self._database()
        if database is None:
            return None
        self.leave()
        if lesson.scenario_path is not None:
            self._open_scenario(lesson.scenario_path)
        link = self.instructor = InstructorLink(*database, class_name, lesson, self, self.session.store.operator)
        panel = self.class_panel
        link.opened.connect(lambda name: (panel.show_class(name, lesson.name, len(lesson.steps)),
                                          self.window.show_status(f"Class {name} is open: trainees may join", 15000)))
        link.step_started.connect(panel.show_step)
        link.mode_changed.connect(panel.show_mode)
        link.mode_changed.connect(lambda mode: self._show_bar(f"LEADING class {class_name} — "
                                                              f"{panel.mode_label.text() or mode}", "#2dccff"))
        link.console_state.connect(self._take)
        link.roster_changed.connect(panel.show_roster)
        link.problem.connect(lambda text: self.window.show_status(f"Class {class_name}: {text}", 30000))
        link.closed.connect(lambda: (panel.show_mode("closed"), self.bar.hide()))
        link.start()
        self.window.class_dock.show()
        self.window.class_dock.raise_()
        return link

    def close_class(self) -> None:
        if self.instructor is not None:
            self.instructor.close()
            self.instructor = None

    def _console_changed(self, changes: dict) -> None:
        if self._taking or not any(path.startswith(FOLLOWED_PATHS) for path in changes):
            return
        if self.instructor is not None:
            if not self._adopt_timer.isActive():  # at most every ADOPT_AFTER_MS, also while the camera tracks a pair
                self._adopt_timer.start()
        elif self.trainee is not None and self.mode in ("follow", "frozen") and self.last_state is not None:
            QTimer.singleShot(0, self._undo_own_change)

    def _adopt(self) -> None:
        if self.instructor is not None:
            self.instructor.adopt(console_view(self.session.state, self.session.clock))

    def export_debrief(self) -> None:
        name = self.instructor.class_name if self.instructor else ""
        path, _ = QFileDialog.getSaveFileName(self.window, "Export debrief", f"debrief-{name}.pdf",
                                              "PDF (*.pdf);;PNG (*.png);;CSV (*.csv);;JSON (*.json)")
        if path and self.instructor is not None:
            self._write_debrief(path)

    def _write_debrief(self, path: str) -> None:
        from app.classroom.debrief import build_debrief, write_csv, write_json
        from app.common.output_file import OutputError, check_output
        link = self.instructor
        suffix = Path(path).suffix.lower()
        if suffix not in (".csv", ".json", ".png", ".pdf"):
            self.window.show_status(f"Debrief not written: {path} — give a .pdf, .png, .csv or .json file", 15000)
            return
        try:
            check_output(path)
        except OutputError as error:
            self.window.show_status(f"Debrief not written: {error}", 15000)
            return

        def work(_progress):
            return build_debrief(link.records, link.class_name)

        def write(debrief) -> None:
            if suffix in (".png", ".pdf"):
                from widgets.debrief_page import save_debrief_page
                save_debrief_page(debrief, path)
            else:
                (write_json if suffix == ".json" else write_csv)(debrief, path)
            self.window.show_status(f"Debrief written to {path}", 15000)
        self.judging.start("Debrief", work, write,
                           on_error=lambda error: self.window.show_status(f"Debrief not written: {error}", 15000))

    # --- the trainee ----------------------------------------------------------------------------
    def join_class(self, class_name: str) -> TraineeLink | None:
        database = self._database()
        if database is None:
            return None
        self.leave()
        banner = self.session.state.banner
        if banner.data_mode == "REAL":  # what a trainee makes in class is exercise data (a floor enforces it too)
            self._real_before, banner.data_mode = True, "EXERCISE"
        link = self.trainee = TraineeLink(*database, class_name, self, self.session.store.operator)
        link.joined.connect(lambda name, instructor: self._joined(name, instructor))
        link.waiting.connect(lambda name: self.lesson_panel.indicator.setText(
            f"Waiting for class {name} to open (the instructor opens it)…"))
        link.state_received.connect(self._state_received)
        link.problem.connect(lambda text: self.window.show_status(f"Class {class_name}: {text}", 30000))
        self.window.lesson_dock.show()
        self.window.lesson_dock.raise_()
        self.lesson_panel.show_mode(None, "")
        return link

    def _joined(self, class_name: str, instructor: str) -> None:
        self.leader_name = instructor
        self.window.show_status(f"Joined class {class_name}, led by {instructor}", 15000)

    def leave(self) -> None:
        self.close_class()
        if self.trainee is not None:
            self.trainee.leave()
            self.trainee = None
        if self._real_before:
            self._real_before, self.session.state.banner.data_mode = False, "REAL"
        self.mode, self.last_state, self.scenario_name, self._laid_out_for = None, None, None, None
        self._own_layout_back()
        self.window.time_controls.setEnabled(True)
        self.bar.hide()

    def _open_scenario(self, path: Path) -> None:
        """Open the lesson's scenario here too (off the GUI thread), then take the class's
        newest state again: opening a scenario sets the clock to its start."""
        from app.scenario.opening import open_scenario

        def opened(run) -> None:
            self.window.open_scenario(run)
            if self.last_state is not None and self.mode != "free":
                self._take(*self.last_state)
        self.scenario_opening.start("Opening the lesson's scenario", lambda _progress: open_scenario(path), opened,
                                    on_error=lambda error: self.window.show_status(
                                        f"The lesson's scenario was not opened: {error}", 30000))

    # --- the trainee's layout --------------------------------------------------------------------
    def _trainee_layout(self, check: dict | None) -> None:
        """The simpler layout a class asks for: globe, map, details and the lesson, in a larger
        font, plus the dock the step's check is answered in. The trainee's own layout comes back
        on leaving the class."""
        window = self.window
        if self._own_layout is None:
            self._own_layout = (window.saveState(), window.font())
            font = window.font()
            font.setPointSizeF(font.pointSizeF() * TRAINEE_FONT_SCALE)
            window.setFont(font)
        wanted = {window.map_dock, window.details_dock, window.lesson_dock}
        extra = CHECK_DOCKS.get((check or {}).get("kind"))
        if extra is not None:
            wanted.add(getattr(window, extra))
        for dock in window.docks:
            dock.setVisible(dock in wanted)
        window.lesson_dock.raise_()
        if extra is not None:
            getattr(window, extra).raise_()

    def _own_layout_back(self) -> None:
        if self._own_layout is not None:
            state, font = self._own_layout
            self._own_layout = None
            self.window.setFont(font)
            self.window.restoreState(state)

    def _check_silence(self) -> None:
        """A class whose instructor has gone quiet (a crashed console, a lost connection): say so,
        and after LET_GO_S give the trainee the console back until the instructor returns."""
        if self.trainee is None or self.mode in (None, "closed"):
            return
        silent_s = time.monotonic() - self._heard
        if silent_s < SILENT_S:
            return
        text = f"NO WORD from {self.leader_name or 'the instructor'} for {silent_s:.0f} s"
        if silent_s >= LET_GO_S and self.mode != "lost":
            self.mode = "lost"
            self.window.time_controls.setEnabled(True)
        text += ": your console is yours until the class resumes" if self.mode == "lost" else ": waiting…"
        self._show_bar(text, "#ffb302")
        self.lesson_panel.indicator.setText(text)

    def _state_received(self, state: dict, sent_utc: str, instructor: str) -> None:
        self._heard = time.monotonic()
        scenario = state.get("scenario")
        if scenario and scenario != self.scenario_name:
            self.scenario_name = scenario
            path = bundled_scenario(scenario)
            if path is not None:
                self._open_scenario(path)
            else:
                self.window.show_status(f"The lesson's scenario {scenario} is not shipped with this console", 30000)
        exploring = self.mode == "free"
        self.mode, self.leader_name = state["mode"], instructor
        self.last_state = (state, sent_utc)
        if not (exploring and self.mode == "free") and self.mode != "closed":
            self._take(state, sent_utc)
        locked = self.mode in ("follow", "frozen")
        self.window.time_controls.setEnabled(not locked)
        text, color = following_text(self.mode, instructor)
        self._show_bar(f"{text} — step {state['step'] + 1}", color)
        self.lesson_panel.show_mode(self.mode, instructor)
        if state.get("layout") == "trainee" and (state["step"], state.get("check")) != self._laid_out_for:
            self._laid_out_for = (state["step"], state.get("check"))
            self._trainee_layout(state.get("check"))
        self.lesson_panel.show_step(state["step"], state["prompt"], state.get("check"))
        self.lesson_panel.show_notices(state.get("notices", []))

    def _take(self, state: dict, sent_utc: str) -> None:
        self._taking = True
        try:
            take_state(self.session.state, self.session.clock, state, sent_utc)
        finally:
            self._taking = False

    def _undo_own_change(self) -> None:
        if self.last_state is not None and self.mode in ("follow", "frozen"):
            self._take(*self.last_state)
            who = f"frozen by {self.leader_name}" if self.mode == "frozen" else f"following {self.leader_name}"
            self.window.show_status(f"The class is {who}: wait until the instructor releases it", 5000)

    def _show_bar(self, text: str, color: str) -> None:
        self.bar.setText(text)
        self.bar.setStyleSheet(f"background: {color}; color: #101418; font-weight: bold; padding: 3px")
        self.bar.show()

    # --- answers --------------------------------------------------------------------------------
    def answer(self, answer) -> None:
        """Judge the trainee's answer on the current check (off the GUI thread) and send it."""
        check, link = self.lesson_panel.check, self.trainee
        if check is None or link is None or answer is None:
            self.lesson_panel.show_verdict(None, "Select an object first." if answer is None else "")
            return
        catalog, started = self.session.catalog, link.follower.step_started_utc if link.follower else None
        start = link.follower.sim_epoch_at(started) if started is not None else None
        self.lesson_panel.show_verdict(None, "Judging… (screening the catalog)" if check["kind"] ==
                                       "closest_approach" else "")
        self.judging.start("Judging the answer", lambda _progress: judge(check, answer, catalog, start),
                           self._send, on_error=lambda error: self.lesson_panel.show_verdict(None, str(error)))

    def _send(self, verdict: Verdict) -> None:
        self.lesson_panel.show_verdict(verdict)
        if self.trainee is not None:
            self.trainee.answer(verdict)

    def _acknowledged(self, events: list[dict]) -> None:
        check = self.lesson_panel.check
        if self.trainee is None or not check or check.get("kind") != "acknowledge":
            return
        if any(e.get("severity") == "critical" for e in events) and self.trainee.follower is not None:
            elapsed = (wall_now() - self.trainee.follower.step_started_utc).total_seconds()
            self._send(judge(check, "ack", elapsed_s=elapsed))

    def _request_saved(self, request) -> None:
        check = self.lesson_panel.check
        if self.trainee is None or not check or check.get("kind") != "tasking":
            return
        catalog, sensors = self.session.catalog, list(self.session.sensors)

        def work(_progress) -> Verdict:
            if request.target_norad_id not in catalog:
                raise CheckError(f"{request.target_norad_id} is not in the catalog")
            passes = len(feasibility(request, catalog, sensors).passes)
            return judge_tasking(check, request.target_norad_id, passes, request.id)
        self.judging.start("Judging the request", work, self._send,
                           on_error=lambda error: self.lesson_panel.show_verdict(None, str(error)))


def open_class_dialog(window) -> None:
    name, ok = QInputDialog.getText(window, "Open class", "Class name (1 to 64 characters):")
    if not ok or not name.strip():
        return
    lesson, _ = QFileDialog.getOpenFileName(window, "Lesson", str(resource_path("lessons")), "Lessons (*.yaml *.yml)")
    if lesson:
        window.classroom.open_class(name.strip(), lesson)


def join_class_dialog(window) -> None:
    name, ok = QInputDialog.getText(window, "Join class", "Class name:")
    if ok and name.strip():
        window.classroom.join_class(name.strip())

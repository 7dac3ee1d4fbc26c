"""The Lesson dock, the trainee's side of a class (issue #15): whom the console follows (or
that the class is frozen, released, closed), the step's prompt in a large font, the answer
controls the step's check asks for, the verdict, and the instructor's notices."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QListWidget, QPushButton, QVBoxLayout, QWidget

from app.classroom.checks import Verdict, answer_options
from widgets.theme import STATUS_COLORS

ACTION_HINTS = {
    "closest_approach": "Select the object that passes closest to {object} in the next {within_h:g} h, then press "
                        "“Answer with the selection”.",
    "acknowledge": "Acknowledge the critical alert (the red banner, or the Events dock) within {within_s:g} s.",
    "tasking": "Submit a tasking request for {target} that has at least one feasible pass (Tasking dock).",
}


def following_text(mode: str | None, instructor: str) -> tuple[str, str]:
    """(indicator text, its colour) for the class's mode."""
    return {"follow": (f"FOLLOWING {instructor}", STATUS_COLORS["standby"]),
            "frozen": (f"FROZEN by {instructor}: your controls are locked", STATUS_COLORS["serious"]),
            "free": ("FREE: explore on your own (the instructor may bring you back)", STATUS_COLORS["normal"]),
            "closed": ("CLASS CLOSED", STATUS_COLORS["off"])}.get(mode, ("Joining the class…", STATUS_COLORS["off"]))


class LessonPanel(QWidget):
    option_chosen = Signal(str)  # an answer picked from the options
    selection_answered = Signal()  # answer with the selected object (closest approach)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.step: int | None = None
        self.check: dict | None = None
        self.indicator = QLabel("Not in a class. Classroom ▸ Join class… to follow one.", objectName="followingLabel",
                                wordWrap=True)
        self.prompt = QLabel(objectName="lessonPrompt", wordWrap=True)
        self.prompt.setStyleSheet("font-size: 15pt")
        self.prompt.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hint = QLabel(objectName="lessonHint", wordWrap=True)
        self.verdict = QLabel(objectName="lessonVerdict", wordWrap=True)
        self.verdict.setStyleSheet("font-size: 13pt")
        self.options_row = QHBoxLayout()
        self.option_buttons: list[QPushButton] = []
        self.selection_button = QPushButton("Answer with the selection")
        self.selection_button.clicked.connect(self.selection_answered)
        self.notices = QListWidget(objectName="lessonNotices")
        self.notices.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.indicator)
        layout.addWidget(self.prompt)
        layout.addWidget(self.hint)
        layout.addLayout(self.options_row)
        layout.addWidget(self.selection_button)
        layout.addWidget(self.verdict)
        layout.addWidget(QLabel("Messages from the instructor"))
        layout.addWidget(self.notices, 1)
        self.show_step(None, "", None)

    def show_mode(self, mode: str | None, instructor: str) -> None:
        text, color = following_text(mode, instructor)
        self.indicator.setText(text)
        self.indicator.setStyleSheet(f"color: #101418; background: {color}; font-weight: bold; padding: 4px")

    def show_step(self, step: int | None, prompt: str, check: dict | None) -> None:
        if step == self.step and check == self.check:
            return
        self.step, self.check = step, check
        self.prompt.setText(f"<b>Step {step + 1}.</b> {prompt}" if step is not None else "")
        self.verdict.clear()
        for button in self.option_buttons:
            self.options_row.removeWidget(button)
            button.deleteLater()
        self.option_buttons = []
        for option in answer_options(check):
            button = QPushButton(option)
            button.setMinimumHeight(32)
            button.clicked.connect(lambda _=False, o=option: self.option_chosen.emit(o))
            self.options_row.addWidget(button)
            self.option_buttons.append(button)
        kind = (check or {}).get("kind")
        self.hint.setText(ACTION_HINTS[kind].format(**check) if kind in ACTION_HINTS else
                          ("Your answer:" if self.option_buttons else ""))
        self.selection_button.setVisible(kind == "closest_approach")

    def show_verdict(self, verdict: Verdict | None, waiting: str = "") -> None:
        if verdict is None:
            self.verdict.setText(waiting)
            self.verdict.setStyleSheet("font-size: 13pt")
            return
        if verdict.correct is None:
            text, color = f"Sent: {verdict.answer}", STATUS_COLORS["standby"]
        elif verdict.correct:
            text, color = f"Right: {verdict.answer}. {verdict.note}", STATUS_COLORS["normal"]
        else:
            text, color = f"Not quite: {verdict.answer}. The answer is {verdict.expected}. {verdict.note}", \
                STATUS_COLORS["serious"]
        self.verdict.setText(text)
        self.verdict.setStyleSheet(f"font-size: 13pt; color: {color}")

    def show_notices(self, notices: list[dict]) -> None:
        shown = {self.notices.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.notices.count())}
        for notice in notices:
            key = (notice.get("source"), notice.get("id"))
            if key in shown:
                continue
            who = "Scenario" if notice.get("source") == "scenario" else "Instructor"
            self.notices.insertItem(0, f"{notice.get('sent_utc', '')[11:19]}Z {who}: {notice.get('text', '')}")
            self.notices.item(0).setData(Qt.ItemDataRole.UserRole, key)

"""The Class dock, the instructor's view of a class (issue #15): the lesson's step and prompt,
the controls (previous / next step, freeze, release, bring back, a message to the class,
close, export the debrief), and one row per trainee: connected, the step they are on,
following or free, their answer on this step, right or wrong, time to answer, and their
acknowledgement times."""

from __future__ import annotations

from datetime import datetime, timezone

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QStandardItem
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from app.classroom.roster import Roster, TraineeRow
from widgets.panels.filtered_table import filtered_table
from widgets.theme import STATUS_COLORS

COLUMNS = ("Trainee", "Connected", "Step", "Following", "Answer", "Right?", "Time to answer", "Acknowledged in")
MODE_TEXT = {"follow": "The class follows you", "frozen": "The class is FROZEN: trainees' input is locked",
             "free": "The class is RELEASED: each trainee explores alone", "closed": "The class is closed"}


class ClassPanel(QWidget):
    step_requested = Signal(int)  # +1 next, -1 previous
    mode_requested = Signal(str)  # frozen | free | follow
    message_requested = Signal(str)
    close_requested = Signal()
    debrief_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.roster = Roster()
        self.step, self.step_count, self.check = 0, 0, None
        self.title = QLabel("No class open. Classroom ▸ Open class… to lead one.", objectName="classTitle",
                            wordWrap=True)
        self.prompt = QLabel(objectName="classPrompt", wordWrap=True)
        self.prompt.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.mode_label = QLabel(objectName="classMode", wordWrap=True)
        self.summary = QLabel(objectName="classSummary", wordWrap=True)
        self.buttons = {name: QPushButton(text) for name, text in (
            ("previous", "◀ Step"), ("next", "Step ▶"), ("frozen", "Freeze"), ("free", "Release"),
            ("follow", "Bring back"), ("debrief", "Export debrief…"), ("close", "Close class"))}
        self.message_box = QLineEdit(placeholderText="A message to the class…", maxLength=2000)
        self.send_button = QPushButton("Send")
        self.model, self.proxy, self.table = filtered_table(self, COLUMNS)
        for column, width in enumerate((95, 72, 40, 68, 70, 55, 90, 100)):
            self.table.setColumnWidth(column, width)
        self._build_layout()
        self.buttons["previous"].clicked.connect(lambda: self.step_requested.emit(-1))
        self.buttons["next"].clicked.connect(lambda: self.step_requested.emit(+1))
        for mode in ("frozen", "free", "follow"):
            self.buttons[mode].clicked.connect(lambda _=False, m=mode: self.mode_requested.emit(m))
        self.buttons["close"].clicked.connect(self.close_requested)
        self.buttons["debrief"].clicked.connect(self.debrief_requested)
        self.send_button.clicked.connect(self._send)
        self.message_box.returnPressed.connect(self._send)
        self.set_active(False)

    def _build_layout(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.title)
        layout.addWidget(self.prompt)
        for names in (("previous", "next"), ("frozen", "free", "follow")):  # two rows: the dock fits 1366 px
            row = QHBoxLayout()
            for name in names:
                row.addWidget(self.buttons[name])
            row.addStretch(1)
            layout.addLayout(row)
        layout.addWidget(self.mode_label)
        message = QHBoxLayout()
        message.addWidget(self.message_box, 1)
        message.addWidget(self.send_button)
        layout.addLayout(message)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        end = QHBoxLayout()
        end.addStretch(1)
        end.addWidget(self.buttons["debrief"])
        end.addWidget(self.buttons["close"])
        layout.addLayout(end)

    def set_active(self, active: bool) -> None:
        for name, button in self.buttons.items():
            button.setEnabled(active or name == "debrief" and self.roster.rows != {})
        self.message_box.setEnabled(active)
        self.send_button.setEnabled(active)

    def _send(self) -> None:
        text = self.message_box.text().strip()
        if text:
            self.message_requested.emit(text)
            self.message_box.clear()

    # --- what the class shows -------------------------------------------------------------------
    def show_class(self, class_name: str, lesson_name: str, step_count: int) -> None:
        self.step_count = step_count
        self.title.setText(f"<b>Class {class_name}</b> — lesson “{lesson_name}”, {step_count} steps")
        self.set_active(True)

    def show_step(self, step: int, prompt: str, check: dict | None) -> None:
        self.step, self.check = step, check
        kind = f" <i>(check: {check['kind'].replace('_', ' ')})</i>" if check else ""
        self.prompt.setText(f"<b>Step {step + 1} of {self.step_count}:</b> {prompt}{kind}")
        self.buttons["previous"].setEnabled(step > 0)
        self.buttons["next"].setEnabled(step + 1 < self.step_count)
        self.show_roster(self.roster)

    def show_mode(self, mode: str) -> None:
        self.mode_label.setText(MODE_TEXT.get(mode, mode))
        color = {"frozen": STATUS_COLORS["serious"], "free": STATUS_COLORS["normal"]}.get(mode)
        self.mode_label.setStyleSheet(f"color: {color}; font-weight: bold" if color else "font-weight: bold")
        for name in ("frozen", "free", "follow"):
            self.buttons[name].setEnabled(mode != "closed" and mode != name)
        if mode == "closed":
            self.set_active(False)

    def show_roster(self, roster: Roster) -> None:
        self.roster = roster
        now = datetime.now(timezone.utc)
        self.model.setRowCount(0)
        for row in roster.rows.values():
            self.model.appendRow(self._row_items(row, now))
        answered, right, wrong = roster.answered(self.step)
        people = len(roster.rows)
        connected = sum(row.connected(now) for row in roster.rows.values())
        text = f"{connected} of {people} trainee{'s' if people != 1 else ''} connected"
        if self.check:
            tally = roster.tally(self.step)
            if self.check.get("kind") == "go_no_go" or (self.check.get("kind") == "choice"
                                                         and not self.check.get("answer")):
                text += " — poll: " + (", ".join(f"{a} {n}" for a, n in sorted(tally.items())) or "no answers yet")
            else:
                text += f" — step {self.step + 1}: {answered} answered, {right} right, {wrong} wrong"
        self.summary.setText(text)
        self.buttons["debrief"].setEnabled(bool(roster.rows))

    def _row_items(self, row: TraineeRow, now: datetime) -> list[QStandardItem]:
        answer = row.answers.get(self.step, {})
        correct = answer.get("correct")
        acknowledged = [f"{a['elapsed_s']:.0f} s" for a in row.answers.values()
                        if a.get("kind") == "acknowledge" and "elapsed_s" in a]
        connected = row.connected(now)
        cells = [row.trainee, "yes" if connected else "no", "" if row.step is None else str(row.step + 1),
                 row.following, str(answer.get("answer", "")),
                 {True: "right", False: "wrong", None: "poll" if answer else ""}[correct],
                 f"{answer['elapsed_s']:.1f} s" if "elapsed_s" in answer else "", ", ".join(acknowledged)]
        items = [QStandardItem(text) for text in cells]
        if not connected:
            items[1].setForeground(QColor(STATUS_COLORS["serious"]))
        if correct is not None:
            items[5].setForeground(QColor(STATUS_COLORS["normal" if correct else "critical"]))
        if answer.get("expected") and correct is False:
            items[5].setToolTip(f"The answer was {answer['expected']}. {answer.get('note', '')}")
        return items

"""Exercise control: the scenario's injects with time, kind, target and status (pending /
fired / disabled); fire now, enable or disable, edit or add (as YAML, validated by the
scenario schema with line numbers), jump the clock to the previous or next inject."""

from __future__ import annotations

from datetime import datetime

import yaml
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QStandardItem
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QPlainTextEdit, QPushButton,
                               QVBoxLayout, QWidget)

from app.astro.timeutil import format_utc
from app.scenario.format import parse_inject
from app.scenario.run import ScenarioRun
from widgets.panels.filtered_table import filtered_table

COLUMNS = ("#", "Time (UTC)", "T+", "Kind", "Target", "Status", "Note")
STATUS_COLORS = {"fired": "#2e9d00", "pending": "#b07800", "disabled": "#7b8089"}
NEW_INJECT_TEMPLATE = """kind: message
at: {at}
audience: room
text: A new message to the room
"""


def inject_target(inject) -> str:
    for name in ("object", "parent", "sensor"):
        if hasattr(inject, name):
            return str(getattr(inject, name))
    if hasattr(inject, "element_set"):
        return inject.element_set.name
    if hasattr(inject, "request"):
        return inject.request.id
    return ""


def inject_yaml(inject) -> str:
    return yaml.safe_dump(inject.model_dump(mode="json"), sort_keys=False, allow_unicode=True)


class InjectDialog(QDialog):
    def __init__(self, text: str, title: str, span: tuple[datetime, datetime], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.span = span
        self.inject = None
        self.editor = QPlainTextEdit(text)
        self.editor.setMinimumSize(520, 260)
        self.error_label = QLabel(wordWrap=True, objectName="errorLabel")
        self.error_label.setStyleSheet("color: #ff3838;")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("The inject, in the scenario file's YAML (see resources/scenarios/README.md):"))
        layout.addWidget(self.editor)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)

    def accept(self) -> None:
        try:
            inject = parse_inject(self.editor.toPlainText())
            if not self.span[0] <= inject.at <= self.span[1]:
                raise ValueError(f"at: {format_utc(inject.at)} is outside the scenario "
                                 f"({format_utc(self.span[0])} to {format_utc(self.span[1])})")
        except ValueError as error:
            self.error_label.setText(str(error))
            return
        self.inject = inject
        super().accept()


class ScenarioPanel(QWidget):
    injects_changed = Signal(int)  # the inject edited, added, enabled/disabled or fired now
    jump_requested = Signal(object)  # datetime

    def __init__(self, interactive: bool = True, parent: QWidget | None = None):
        super().__init__(parent)
        self.interactive = interactive
        self.run: ScenarioRun | None = None
        self.now: datetime | None = None
        self._shown: list = []  # (inject, status) rows in the table
        self.title = QLabel("No scenario (start with: spaceops --scenario FILE)", wordWrap=True)
        self.model, self.proxy, self.table = filtered_table(self, COLUMNS)
        self.table.setColumnWidth(0, 30)
        self.table.setColumnWidth(1, 150)
        self.buttons = {name: QPushButton(name) for name in
                        ("◀ Previous", "Next ▶", "Fire now", "Enable / disable", "Edit…", "Add…")}
        row = QHBoxLayout()
        for button in self.buttons.values():
            row.addWidget(button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.title)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        self.buttons["◀ Previous"].clicked.connect(lambda: self.jump(-1))
        self.buttons["Next ▶"].clicked.connect(lambda: self.jump(+1))
        self.buttons["Fire now"].clicked.connect(lambda: self.fire_now(self.selected()))
        self.buttons["Enable / disable"].clicked.connect(lambda: self.toggle(self.selected()))
        self.buttons["Edit…"].clicked.connect(self._edit_dialog)
        self.buttons["Add…"].clicked.connect(self._add_dialog)
        self.table.doubleClicked.connect(lambda *_: self._jump_to_selected())
        self._enable(False)

    def _enable(self, on: bool) -> None:
        for button in self.buttons.values():
            button.setEnabled(on)

    def set_run(self, run: ScenarioRun) -> None:
        self.run = run
        scenario = run.scenario
        self.title.setText(f"<b>{scenario.name}</b> — {scenario.data_mode}, {scenario.start:%Y-%m-%d %H:%M}Z + "
                           f"{scenario.duration_hours:g} h, seed {scenario.seed}. {scenario.description.strip()}")
        self._enable(True)
        self.refresh(scenario.start)

    def refresh(self, now: datetime) -> None:
        """Statuses as of ``now`` (fired: enabled and at or before now)."""
        self.now = now
        if self.run is None:
            return
        rows = [(inject, "disabled" if not inject.enabled else "fired" if inject.at <= now else "pending")
                for inject in self.run.injects]
        if rows == self._shown:  # called every second: rebuild only when something changed
            return
        self._shown = rows
        chosen = self.selected()
        self.model.setRowCount(0)
        for number, (inject, status) in enumerate(rows):
            offset = (inject.at - self.run.scenario.start).total_seconds()
            cells = (str(number), format_utc(inject.at)[:19].replace("T", " "),
                     f"{int(offset // 3600)}h{int(offset % 3600 // 60):02d}", inject.kind, inject_target(inject),
                     status, inject.note or getattr(inject, "text", ""))
            items = [QStandardItem(c) for c in cells]
            items[0].setData(number, Qt.ItemDataRole.UserRole)
            items[5].setForeground(QColor(STATUS_COLORS[status]))
            self.model.appendRow(items)
        self.table.sortByColumn(1, Qt.SortOrder.AscendingOrder)
        if chosen is not None:
            self.select(chosen)

    def statuses(self) -> list[str]:
        return [self.model.item(r, 5).text() for r in range(self.model.rowCount())]

    def selected(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return None if not rows else self.proxy.index(rows[0].row(), 0).data(Qt.ItemDataRole.UserRole)

    def select(self, number: int) -> None:
        for row in range(self.proxy.rowCount()):
            if self.proxy.index(row, 0).data(Qt.ItemDataRole.UserRole) == number:
                self.table.selectRow(row)

    # --- controller actions ----------------------------------------------------------------------

    def jump(self, direction: int) -> datetime | None:
        """Move the clock to the next (+1) or previous (-1) enabled inject's time."""
        if self.run is None or self.now is None:
            return None
        times = sorted({i.at for i in self.run.injects if i.enabled})
        target = (next((t for t in times if t > self.now), None) if direction > 0
                  else next((t for t in reversed(times) if t < self.now), None))
        if target is not None:
            self.jump_requested.emit(target)
        return target

    def _jump_to_selected(self) -> None:
        number = self.selected()
        if number is not None and self.run is not None:
            self.jump_requested.emit(self.run.injects[number].at)

    def fire_now(self, number: int | None) -> None:
        """Bring the inject to the current time (enabled), so it fires at once."""
        if self.run is None or number is None or self.now is None:
            return
        inject = self.run.injects[number]
        moment = min(max(self.now, self.run.scenario.start), self.run.scenario.end)
        self.run.replace_inject(number, inject.model_copy(update={"at": moment, "enabled": True}))
        self.injects_changed.emit(number)

    def toggle(self, number: int | None) -> None:
        if self.run is None or number is None:
            return
        inject = self.run.injects[number]
        self.run.replace_inject(number, inject.model_copy(update={"enabled": not inject.enabled}))
        self.injects_changed.emit(number)

    def replace(self, number: int, inject) -> None:
        self.run.replace_inject(number, inject)
        self.injects_changed.emit(number)

    def add(self, inject) -> int:
        number = self.run.add_inject(inject)
        self.injects_changed.emit(number)
        return number

    def _span(self) -> tuple[datetime, datetime]:
        return self.run.scenario.start, self.run.scenario.end

    def _edit_dialog(self) -> None:
        number = self.selected()
        if self.run is None or number is None:
            return
        dialog = InjectDialog(inject_yaml(self.run.injects[number]), f"Edit inject {number}", self._span(), self)
        if dialog.exec() and dialog.inject is not None:
            self.replace(number, dialog.inject)

    def _add_dialog(self) -> None:
        if self.run is None:
            return
        at = format_utc(self.now or self.run.scenario.start)
        dialog = InjectDialog(NEW_INJECT_TEMPLATE.format(at=at), "Add an inject", self._span(), self)
        if dialog.exec() and dialog.inject is not None:
            self.add(dialog.inject)

"""The tasking panel's "History" and "Comments" tabs: the request's audit trail (read on the
database thread) and its comments, with a line to add one."""

from __future__ import annotations

import re

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLineEdit, QListWidget, QVBoxLayout, QWidget

from app.storage import TaskingRepository
from app.tasking.request import TaskingRequest
from widgets.runner import JobRunner


def short(value) -> str:
    """A changed value as a person reads it: times as ``2026-08-12 12:00``, a sensor request
    as ``radar: Fylingdales``, lists counted, long text cut."""
    if isinstance(value, list):
        return f"[{len(value)} item{'s' if len(value) != 1 else ''}]"
    if isinstance(value, dict):
        text = ": ".join(str(v) for v in value.values() if v not in (None, "")) or "—"
    elif isinstance(value, str) and ISO_TIME.match(value):
        text = f"{value[:10]} {value[11:16]}"
    else:
        text = "—" if value in (None, "") else str(value)
    return text if len(text) <= 40 else text[:39] + "…"


def field_label(name: str) -> str:
    """``window_end`` -> ``window end``."""
    return name.replace("_", " ")


ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


class RequestHistory(QObject):
    comment_entered = Signal(str)

    def __init__(self, parent: QWidget):
        super().__init__(parent)
        self.request_id: str | None = None
        self.jobs = JobRunner(self, serial=True)
        self.history = QListWidget(wordWrap=True)
        self.comments = QListWidget(wordWrap=True)
        self.comment_edit = QLineEdit(placeholderText="Add a comment and press Enter")
        self.comment_edit.returnPressed.connect(lambda: self.comment_entered.emit(self.comment_edit.text()))
        self.talk = QWidget()
        column = QVBoxLayout(self.talk)
        column.addWidget(self.comments, 1)
        column.addWidget(self.comment_edit)

    def show_request(self, request: TaskingRequest | None, tasking: TaskingRepository | None) -> None:
        self.history.clear()
        self.comments.clear()
        self.request_id = None if request is None else request.id
        if request is None or tasking is None:
            return
        for comment in request.comments:
            self.comments.addItem(f"{comment.at_utc[:16]}Z  {comment.author} ({comment.nation or '—'}): {comment.text}")
        request_id = request.id
        self.jobs.start("Reading the request's history", lambda _progress: tasking.history(request_id),
                        lambda rows: self._show_history(request_id, rows),
                        on_error=lambda error: self.history.addItem(f"History not loaded: {error}"))

    def _show_history(self, request_id: str, rows: list[dict]) -> None:
        if request_id != self.request_id:
            return
        self.history.clear()
        for row in rows:
            changes = "; ".join(f"{field_label(name)}: {short(change['old'])} → {short(change['new'])}"
                                for name, change in row["changes"].items())
            who = f"{row['user']} ({row['nation'] or '—'}, {row['role'] or '—'})"
            self.history.addItem(f"{row['at_utc'][:19]}Z  {row['action'].upper()}  by {who}\n    {changes}")

"""The event log: alerts and other events, newest first; an alert stays until acknowledged,
or leaves the waiting count for a while when shelved (5, 15 or 60 minutes, with a reason).
It tells the session the highest classification of the events listed, for the banner."""

from __future__ import annotations

from datetime import datetime, timezone

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor, QStandardItem
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from app.astro.timeutil import format_utc, parse_utc
from app.common.marking import (DEFAULT_CLASSIFICATION, SHELVE_MINUTES, highest_classification, is_shelved,
                                is_waiting, needs_acknowledgement)
from app.rpo.watchlist import STATUS_RANK
from app.storage import Store
from widgets.panels.filtered_table import filtered_table
from widgets.runner import Job, JobRunner
from widgets.theme import STATUS_COLORS

INFO_COLOR = "#8fa3b8"
SHELVED_COLOR = "#6b7f95"


def wall_clock_utc() -> str:
    return format_utc(datetime.now(timezone.utc))


class EventLogPanel(QWidget):
    """Alerts and other events, newest first; an alert stays until acknowledged."""

    waiting_changed = Signal(int, object)  # (alerts waiting, the most severe waiting event or None)
    content_marking = Signal(str)  # the highest classification of the events listed
    acknowledged = Signal(list)  # the events (dicts as listed) this console acknowledged, once written

    def __init__(self, store: Store | None, parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        self.events: list[dict] = []  # as listed
        self.database = JobRunner(self, serial=True)
        self.model, self.proxy, self.table = filtered_table(self, ("Sim time (UTC)", "Severity", "Kind", "Message",
                                                                   "Acknowledged / shelved"))
        self.table.setColumnWidth(0, 170)
        self.table.setColumnWidth(3, 400)  # who acknowledged or shelved it stays in sight at 1366x768
        self.ack_button = QPushButton("Acknowledge")
        self.ack_all_button = QPushButton("Acknowledge all")
        self.shelve_minutes = QComboBox()
        for minutes in SHELVE_MINUTES:
            self.shelve_minutes.addItem(f"{minutes} min", minutes)
        self.shelve_reason = QLineEdit()
        self.shelve_reason.setPlaceholderText("reason to shelve")
        self.shelve_reason.setMinimumWidth(160)  # room to type on a laptop screen, not squeezed by the counts
        self.shelve_button = QPushButton("Shelve")
        self.shelve_button.setToolTip("Keep the selected alert out of the waiting count for a while, with a reason "
                                      "(audited); it comes back when the time is up")
        self.unacknowledged = QLabel(wordWrap=True)
        self.ack_button.clicked.connect(self.acknowledge_selected)
        self.ack_all_button.clicked.connect(self.acknowledge_all)
        self.shelve_button.clicked.connect(lambda: self.shelve_selected(self.shelve_minutes.currentData(),
                                                                        self.shelve_reason.text()))
        self.shelve_reason.returnPressed.connect(self.shelve_button.click)
        self.comes_back = QTimer(self)  # re-reads the log when the next shelved alert comes back
        self.comes_back.setSingleShot(True)
        self.comes_back.timeout.connect(self.reload)
        row = QHBoxLayout()
        row.addWidget(self.ack_button)
        row.addWidget(self.ack_all_button)
        row.addSpacing(12)
        row.addWidget(self.shelve_minutes)
        row.addWidget(self.shelve_reason, 1)
        row.addWidget(self.shelve_button)
        row.addWidget(self.unacknowledged, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(row)
        layout.addWidget(self.table)
        self.reload()

    def reload(self) -> Job | None:
        """Read the events again on the database thread; the table follows when they arrive."""
        if self.store is None:
            return None
        return self.database.start("Reading the event log", lambda _progress: self.store.event_log.recent(), self._show,
                                   on_error=lambda error: self.unacknowledged.setText(str(error)))

    def _show(self, rows: list[dict]) -> None:
        """Alerts in their severity's colour until acknowledged; shelved ones dimmed, saying until
        when, by whom and why; informational events in grey, never counted as waiting."""
        self.model.setRowCount(0)
        self.events = rows
        now = wall_clock_utc()
        waiting = [e for e in rows if is_waiting(e, now)]
        shelved = [e for e in rows if is_shelved(e, now)]
        for event in rows:
            alert = needs_acknowledgement(event["kind"], event["severity"])
            items = [QStandardItem(str(event[k] or "")) for k in ("sim_utc", "severity", "kind", "message")]
            items.append(QStandardItem(_handled(event, event in shelved)))
            if not alert:
                items[1].setText("info")
            color = STATUS_COLORS.get(event["severity"], STATUS_COLORS["off"]) if alert else INFO_COLOR
            if event["acknowledged_by"] is None:
                for item in items:
                    item.setForeground(QColor(SHELVED_COLOR if event in shelved else color))
            items[0].setData(event["id"], Qt.ItemDataRole.UserRole)
            self.model.appendRow(items)
        said = [f"{len(waiting)} alert(s) waiting for acknowledgement"] if waiting else []
        said += [f"{len(shelved)} shelved"] if shelved else []
        self.unacknowledged.setText(", ".join(said))
        if shelved:  # come back when the first shelf runs out
            back = min(parse_utc(e["shelved_until_utc"]) for e in shelved)
            self.comes_back.start(max(0, int((back - datetime.now(timezone.utc)).total_seconds() * 1000)) + 50)
        else:
            self.comes_back.stop()
        worst = min(waiting, key=lambda e: (STATUS_RANK[e["severity"]], -e["id"]), default=None)
        self.waiting_changed.emit(len(waiting), worst)
        self.content_marking.emit(self.highest_shown())

    def highest_shown(self) -> str:
        """The highest classification of the events listed (an event without one is UNCLASSIFIED)."""
        return highest_classification(e.get("classification") or DEFAULT_CLASSIFICATION for e in self.events)

    def acknowledge_selected(self) -> Job | None:
        ids = [self.proxy.index(i.row(), 0).data(Qt.ItemDataRole.UserRole)
               for i in self.table.selectionModel().selectedRows()]
        return self._acknowledge(lambda store: ids)

    def acknowledge_all(self) -> Job | None:
        return self._acknowledge(lambda store: [e["id"] for e in store.event_log.recent(unacknowledged_only=True)
                                                if needs_acknowledgement(e["kind"], e["severity"])])

    def shelve_selected(self, minutes: int, reason: str) -> Job | None:
        """Shelve the selected alerts; a refusal (no reason, not an alert) is said beside the buttons."""
        ids = [self.proxy.index(i.row(), 0).data(Qt.ItemDataRole.UserRole)
               for i in self.table.selectionModel().selectedRows()]
        if self.store is None:
            return None
        if not ids:
            self.unacknowledged.setText("Select an alert to shelve")
            return None
        store = self.store

        def work(_progress) -> None:
            for event_id in ids:
                store.event_log.shelve(event_id, minutes, reason)

        def done(_none) -> None:
            self.shelve_reason.clear()
            self.reload()

        return self.database.start("Shelving alerts", work, done, exclusive=False,
                                   on_error=lambda error: self.unacknowledged.setText(f"Not shelved: {error}"))

    def acknowledge_event(self, event_id: int) -> Job | None:
        return self._acknowledge(lambda store: [event_id])

    def _acknowledge(self, which) -> Job | None:
        if self.store is None:
            return None
        store = self.store

        listed = {event["id"]: event for event in self.events}

        def work(_progress) -> list[int]:
            ids = list(which(store))
            for event_id in ids:
                store.event_log.acknowledge(event_id)
            return ids

        def done(ids: list[int]) -> None:
            self.reload()
            self.acknowledged.emit([listed[i] for i in ids if i in listed])

        return self.database.start("Acknowledging events", work, done,
                                   on_error=lambda error: self.unacknowledged.setText(str(error)), exclusive=False)

    def bind(self, session) -> None:
        session.events_changed.connect(self.reload)
        self.content_marking.connect(lambda level: session.report_content("events", level))
        session.report_content("events", self.highest_shown())


def _handled(event: dict, shelved: bool) -> str:
    if event["acknowledged_by"] is not None:
        return str(event["acknowledged_by"])
    if shelved:
        return (f"shelved until {event['shelved_until_utc'][11:16]}Z by {event['shelved_by']}: "
                f"{event['shelve_reason']}")
    return ""

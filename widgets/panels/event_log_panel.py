"""The event log: alerts and other events, newest first; an alert stays until acknowledged."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QStandardItem
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.common.marking import needs_acknowledgement
from app.rpo.watchlist import STATUS_RANK
from app.storage import Store
from widgets.panels.filtered_table import filtered_table
from widgets.runner import Job, JobRunner
from widgets.theme import STATUS_COLORS

INFO_COLOR = "#8fa3b8"


class EventLogPanel(QWidget):
    """Alerts and other events, newest first; an alert stays until acknowledged."""

    waiting_changed = Signal(int, object)  # (alerts waiting, the most severe waiting event or None)

    def __init__(self, store: Store | None, parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        self.database = JobRunner(self, serial=True)
        self.model, self.proxy, self.table = filtered_table(self, ("Sim time (UTC)", "Severity", "Kind", "Message",
                                                                   "Acknowledged by"))
        self.table.setColumnWidth(0, 170)
        self.table.setColumnWidth(3, 520)
        self.ack_button = QPushButton("Acknowledge")
        self.ack_all_button = QPushButton("Acknowledge all")
        self.unacknowledged = QLabel()
        self.ack_button.clicked.connect(self.acknowledge_selected)
        self.ack_all_button.clicked.connect(self.acknowledge_all)
        row = QHBoxLayout()
        row.addWidget(self.ack_button)
        row.addWidget(self.ack_all_button)
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
        """Alerts in their severity's colour until acknowledged; informational events in grey,
        never counted as waiting."""
        self.model.setRowCount(0)
        waiting = [e for e in rows if e["acknowledged_by"] is None and needs_acknowledgement(e["kind"], e["severity"])]
        for event in rows:
            items = [QStandardItem(str(event[k] or "")) for k in ("sim_utc", "severity", "kind", "message",
                                                                   "acknowledged_by")]
            alert = needs_acknowledgement(event["kind"], event["severity"])
            if not alert:
                items[1].setText("info")
            color = STATUS_COLORS.get(event["severity"], STATUS_COLORS["off"]) if alert else INFO_COLOR
            if event["acknowledged_by"] is None:
                for item in items:
                    item.setForeground(QColor(color))
            items[0].setData(event["id"], Qt.ItemDataRole.UserRole)
            self.model.appendRow(items)
        self.unacknowledged.setText(f"{len(waiting)} alert(s) waiting for acknowledgement" if waiting else "")
        worst = min(waiting, key=lambda e: (STATUS_RANK[e["severity"]], -e["id"]), default=None)
        self.waiting_changed.emit(len(waiting), worst)

    def acknowledge_selected(self) -> Job | None:
        ids = [self.proxy.index(i.row(), 0).data(Qt.ItemDataRole.UserRole)
               for i in self.table.selectionModel().selectedRows()]
        return self._acknowledge(lambda store: ids)

    def acknowledge_all(self) -> Job | None:
        return self._acknowledge(lambda store: [e["id"] for e in store.event_log.recent(unacknowledged_only=True)
                                                if needs_acknowledgement(e["kind"], e["severity"])])

    def acknowledge_event(self, event_id: int) -> Job | None:
        return self._acknowledge(lambda store: [event_id])

    def _acknowledge(self, which) -> Job | None:
        if self.store is None:
            return None
        store = self.store

        def work(_progress) -> None:
            for event_id in which(store):
                store.event_log.acknowledge(event_id)

        return self.database.start("Acknowledging events", work, lambda _none: self.reload(),
                                   on_error=lambda error: self.unacknowledged.setText(str(error)), exclusive=False)

    def bind(self, session) -> None:
        session.events_changed.connect(self.reload)

"""The event log: alerts and other events, newest first; an alert stays until acknowledged."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QStandardItem
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.storage.store import Store, StoreError
from widgets.panels.filtered_table import filtered_table
from widgets.theme import STATUS_COLORS


class EventLogPanel(QWidget):
    """Alerts and other events, newest first; an alert stays until acknowledged."""

    def __init__(self, store: Store | None, parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
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

    def reload(self) -> None:
        if self.store is None:
            return
        try:
            rows = self.store.events()
        except StoreError as error:
            self.unacknowledged.setText(str(error))
            return
        self.model.setRowCount(0)
        waiting = 0
        for event in rows:
            items = [QStandardItem(str(event[k] or "")) for k in ("sim_utc", "severity", "kind", "message",
                                                                   "acknowledged_by")]
            color = STATUS_COLORS.get(event["severity"], STATUS_COLORS["off"])
            if event["acknowledged_by"] is None:
                waiting += 1
                for item in items:
                    item.setForeground(QColor(color))
            items[0].setData(event["id"], Qt.ItemDataRole.UserRole)
            self.model.appendRow(items)
        self.unacknowledged.setText(f"{waiting} alert(s) waiting for acknowledgement" if waiting else "")

    def acknowledge_selected(self) -> None:
        for index in self.table.selectionModel().selectedRows():
            self.store.acknowledge(self.proxy.index(index.row(), 0).data(Qt.ItemDataRole.UserRole))
        self.reload()

    def acknowledge_all(self) -> None:
        for event in self.store.events(unacknowledged_only=True):
            self.store.acknowledge(event["id"])
        self.reload()

    def bind(self, session) -> None:
        session.events_changed.connect(self.reload)

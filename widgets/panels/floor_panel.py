"""The Floor dock: whether this console is live on its floor (or offline, and for how long),
and who else is on the floor (login, nation, roles, clearance, since when). A single seat
(SQLite) has no floor and says so, with the operator's identity."""

from __future__ import annotations

import time

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor, QStandardItem
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from app.storage import FeedStatus, OnFloor, Store, floor_presence
from widgets.panels.filtered_table import filtered_table
from widgets.runner import JobRunner
from widgets.theme import STATUS_COLORS

COLUMNS = ("Login", "Nation", "Roles", "Clearance", "On the floor since (UTC)", "Consoles")
PRESENCE_EVERY_MS = 10_000  # who is on the floor: one small query, not a table read


class FloorPanel(QWidget):
    def __init__(self, store: Store | None, parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        self.present: list[OnFloor] = []
        self.status: FeedStatus | None = None
        self.link_label = QLabel(objectName="floorLinkLabel", wordWrap=True)
        self.model, self.proxy, self.table = filtered_table(self, COLUMNS)
        for column, width in enumerate((130, 55, 170, 100, 150, 65)):
            self.table.setColumnWidth(column, width)
        self.database = JobRunner(self, serial=True)
        self._presence_timer = QTimer(self, interval=PRESENCE_EVERY_MS)
        self._presence_timer.timeout.connect(self.reload)
        self._offline_timer = QTimer(self, interval=1000)  # "offline for N s" counts up
        self._offline_timer.timeout.connect(self._show_link)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.link_label)
        layout.addWidget(self.table, 1)
        self.on_floor = store is not None and store.database.is_postgresql
        if self.on_floor:
            self._set_link("Connecting to the floor…", "standby")
            self._presence_timer.start()
            self.reload()
        else:
            operator = store.operator if store is not None else None
            who = (f" You are {operator.label}." if operator is not None else "")
            if operator is not None and not operator.on_roster:
                who += (f" To put this account on the seat's roster: spaceops floor add-operator {operator.name} "
                        f"--nation ISO3 --role watch_officer --clearance LEVEL --database {store.url}")
            self._set_link("Single seat (SQLite): no floor to share." + who, "off")
            self.link_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
            self.link_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.table.hide()

    def reload(self):
        if not self.on_floor or (self.status is not None and self.status.state == "offline"):
            return None  # no floor, or the link is down: the dock says so already
        database = self.store.database
        return self.database.start("Reading who is on the floor", lambda _progress: floor_presence(database),
                                   self._show_presence,
                                   on_error=self._presence_failed)

    def _presence_failed(self, error: BaseException) -> None:
        if self.status is None or self.status.state != "offline":  # else the outage is what the dock shows
            self._set_link(f"Presence not read: {error}", "caution")

    def _show_presence(self, present: list[OnFloor]) -> None:
        self.present = present
        self.model.setRowCount(0)
        me = self.store.operator.name
        for person in present:
            cells = (person.login + (" (you)" if person.login == me else ""), person.nation,
                     ", ".join(person.roles) or "not on the roster", person.clearance or "—",
                     person.since_utc.replace("T", " ").rstrip("Z"), str(person.consoles))
            items = [QStandardItem(text) for text in cells]
            if not person.nation:
                items[2].setForeground(QColor(STATUS_COLORS["caution"]))
            self.model.appendRow(items)
        self._show_link()

    def show_status(self, status: FeedStatus) -> None:
        self.status = status
        if status.state == "offline":
            self._offline_timer.start()
        else:
            self._offline_timer.stop()
            self.reload()  # back (or first) on the floor: who is there now
        self._show_link()

    def _show_link(self) -> None:
        status = self.status
        count = f"{len(self.present)} login(s) on the floor"
        if status is None:
            self._set_link(f"Connecting to the floor… {count}", "standby")
        elif status.state == "offline":
            away = time.monotonic() - status.since_monotonic
            self._set_link(f"OFFLINE for {away:.0f} s — {status.message}. Records shown may be out of date.",
                           "critical")
        elif status.offline_s > 0:
            self._set_link(f"Live — {count}. Was offline for {status.offline_s:.0f} s; "
                           f"caught up {status.caught_up} change(s).", "normal")
        else:
            self._set_link(f"Live — {count}; changes by others show within a second.", "normal")

    def _set_link(self, text: str, status: str) -> None:
        self.link_label.setText(text)
        self.link_label.setStyleSheet(f"color: {STATUS_COLORS[status]}; font-weight: bold")

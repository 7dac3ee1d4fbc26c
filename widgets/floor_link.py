"""The console's live link to its floor (PostgreSQL): ``FloorLink`` runs the core's
``FloorFeed`` and turns what it hears into Qt signals on the GUI thread. Changes arriving
together are gathered for a moment, so a burst of a hundred changes re-reads each table
once; each panel then re-reads through the console's own login, which row-level security
limits to what its operator may see."""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QTimer, Signal

from app.storage import FeedStatus, FloorFeed, Store

log = logging.getLogger(__name__)

GATHER_MS = 150  # changes arriving within this time re-read their tables once


class FloorLink(QObject):
    tables_changed = Signal(set)  # names of the tables that changed (tasking_requests, watch_pairs, events)
    status_changed = Signal(object)  # FeedStatus
    _heard = Signal(object)  # list[Change], from the feed's thread
    _heard_status = Signal(object)  # FeedStatus, from the feed's thread

    def __init__(self, store: Store, parent: QObject | None = None):
        super().__init__(parent)
        self.store = store
        self.status: FeedStatus | None = None
        self.changes_heard = 0
        self._pending: set[str] = set()
        self._gather = QTimer(self, singleShot=True, interval=GATHER_MS)
        self._gather.timeout.connect(self._flush)
        self._heard.connect(self._on_changes)
        self._heard_status.connect(self._on_status)
        self.feed: FloorFeed | None = None

    def start(self) -> None:
        self.feed = FloorFeed(self.store.url, self.store.database.connect_password, self._heard.emit,
                              self._heard_status.emit).start()

    def stop(self) -> None:
        if self.feed is not None:
            self.feed.stop()
            self.feed = None

    def _on_changes(self, changes) -> None:
        self.changes_heard += len(changes)
        self._pending.update(change.table for change in changes)
        if not self._gather.isActive():
            self._gather.start()

    def _flush(self) -> None:
        tables, self._pending = self._pending, set()
        if tables:
            self.tables_changed.emit(tables)

    def _on_status(self, status: FeedStatus) -> None:
        self.status = status
        self.status_changed.emit(status)

"""The console's element-set history (``app.catalog.history``): each catalog the console
loads outside an exercise is recorded, and the selected object's history and "what changed
at the last refresh" are read, all off the GUI thread (the history file may be busy with
another console's write for seconds: the GUI thread never waits on it). Results come back
through the session: ``history_changed`` after a recording, ``object_history_ready`` with
the selected object's element sets. A history file that cannot be used turns the history
off with a word in the status line; nothing else stops.

The work runs on this keeper's own thread, not the job runner's shared database thread (it
must not hold up the records' reads and writes), and its results are collected by a timer of
the keeper's: a window closed while work runs has no keeper left to call back, and the work
finishes on its own."""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Callable

from PySide6.QtCore import QObject, QTimer

log = logging.getLogger(__name__)
POLL_MS = 100


class HistoryKeeper(QObject):
    def __init__(self, session, loader, path=None, parent: QObject | None = None):
        super().__init__(parent)
        self.session, self.path = session, path
        self.problem: str | None = None
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="element-history")
        self._pending: list[tuple[Future, Callable]] = []
        self._timer = QTimer(self, interval=POLL_MS)
        self._timer.timeout.connect(self._collect)
        loader.loaded.connect(self.record)
        session.state.connect("selection.objects", lambda _objects: self.read_selected())
        session.history_changed.connect(lambda _refresh: self.read_selected())

    @property
    def busy(self) -> bool:
        return bool(self._pending)

    def _submit(self, work: Callable, then: Callable) -> Future | None:
        if self.problem is not None:
            return None
        future = self._executor.submit(work)
        self._pending.append((future, then))
        self._timer.start()
        return future

    def record(self, catalog) -> Future | None:
        """Keep this catalog's element sets (not an exercise's: its element sets are made up)."""
        session = self.session
        if session.state.scenario.path or not len(catalog):
            return None
        seen, known, path = session.now(), session.element_history, self.path

        def work():
            from app.catalog.history import ElementHistory

            history = known or ElementHistory(path)
            return history, history.record(catalog, seen)

        return self._submit(work, self._recorded)

    def _recorded(self, result) -> None:
        history, refresh = result
        self.session.element_history = history
        self.session.history_changed.emit(refresh)

    def read_selected(self) -> Future | None:
        """The selected object's element sets and the refresh times, for the details panel."""
        norad, history = self.session.selected_norad, self.session.element_history
        if norad is None or history is None:
            self.session.object_history_ready.emit(norad, None, [])
            return None

        def work():
            return norad, history.of(norad), [r.seen_utc.timestamp() for r in history.refreshes()]

        return self._submit(work, lambda result: self.session.object_history_ready.emit(*result))

    def read_changes(self, then: Callable[[list], None]) -> Future | None:
        """What the last refresh changed (``History.changed_in_last_refresh``), to ``then``."""
        history = self.session.element_history
        return None if history is None else self._submit(history.changed_in_last_refresh, then)

    def _collect(self) -> None:
        for future, then in [p for p in self._pending if p[0].done()]:
            self._pending.remove((future, then))
            error = future.exception()
            if error is not None:
                self._failed(error)
            elif self.problem is None:
                then(future.result())
        if not self._pending:
            self._timer.stop()

    def _failed(self, error: BaseException) -> None:
        self.problem = str(error)
        log.warning("element-set history off: %s", error)
        self.session.say(f"Element-set history off: {error}", 30000)
        self.session.object_history_ready.emit(self.session.selected_norad, None, [])

    def stop(self) -> None:
        """The window is closing: nothing more starts; work under way finishes on its own."""
        self.problem = self.problem or "the console is closing"
        self._timer.stop()
        self._executor.shutdown(wait=False)

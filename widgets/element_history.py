"""The console's element-set history (``app.catalog.history``): each catalog the console
loads outside an exercise is recorded on a worker; the session holds the history for the
details panel's plot and the "changed at the last refresh" list, and says when it changed.
A history file that cannot be used turns the history off with a word in the status line;
nothing else stops."""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject

from widgets.runner import JobRunner

log = logging.getLogger(__name__)


class HistoryKeeper(QObject):
    def __init__(self, session, loader, path=None, parent: QObject | None = None):
        super().__init__(parent)
        self.session, self.path = session, path
        self.jobs = JobRunner(self, serial=True)  # one refresh recorded after another
        self.problem: str | None = None
        loader.loaded.connect(self.record)

    def record(self, catalog):
        """Keep this catalog's element sets (not an exercise's: its element sets are made up)."""
        session = self.session
        if self.problem is not None or session.state.scenario.path or not len(catalog):
            return None
        seen = session.now()

        def work(_progress):
            from app.catalog.history import ElementHistory

            history = session.element_history or ElementHistory(self.path)
            return history, history.record(catalog, seen)

        return self.jobs.start("Element-set history", work, self._recorded, on_error=self._failed)

    def _recorded(self, result) -> None:
        history, refresh = result
        self.session.element_history = history
        self.session.history_changed.emit(refresh)

    def _failed(self, error: BaseException) -> None:
        self.problem = str(error)
        log.warning("element-set history off: %s", error)
        self.session.say(f"Element-set history off: {error}", 30000)

"""How long work in the core says how far it is and learns that it should stop: one
interface for every such job (catalog loads, screening, passes, feasibility).

The caller makes a :class:`Progress` (with a callback to hear reports, e.g. one that emits
a Qt signal) and hands it to the work; the work calls :meth:`Progress.report` now and then.
Once :meth:`Progress.cancel` has been called — from any thread — the next report raises
:class:`Cancelled`, so the work stops there and leaves nothing half-done behind it.
"""

from __future__ import annotations

import threading
from typing import Callable

Report = Callable[[int, int, str], None]  # (done, total, note)


class Cancelled(Exception):
    """The work was asked to stop (by :meth:`Progress.cancel`) and did."""


class Progress:
    def __init__(self, on_report: Report | None = None):
        self._on_report = on_report
        self._cancel = threading.Event()

    def report(self, done: int, total: int, note: str = "") -> None:
        """``done`` of ``total`` steps finished; raises :class:`Cancelled` if asked to stop."""
        self.check()
        if self._on_report is not None:
            self._on_report(int(done), int(total), note)

    def check(self) -> None:
        """Raise :class:`Cancelled` if asked to stop (for loops that report rarely)."""
        if self._cancel.is_set():
            raise Cancelled()

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def scaled(self, start: int, end: int, total: int = 100) -> "Progress":
        """A view of this progress for one stage of the work: its reports, 0..its own total,
        are mapped onto ``start``..``end`` of ``total``; cancelling either cancels both."""
        parent = self

        def report(done: int, stage_total: int, note: str) -> None:
            parent.report(start + (end - start) * done // max(stage_total, 1), total, note)

        stage = Progress(report)
        stage._cancel = self._cancel
        return stage

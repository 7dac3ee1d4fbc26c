"""The one way the console runs long work off the GUI thread (superqt's ``thread_worker``
underneath, on Python threads): progress onto a progress bar, a cancel button that cancels, the result handed
to the GUI thread, errors shown and logged — never swallowed.

Work is a function of one :class:`~app.common.progress.Progress`; it reports through it and
stops with :class:`~app.common.progress.Cancelled` once cancelled. A :class:`JobRunner`
runs one job at a time for its owner (a panel): starting another cancels the one before,
whose result, if it still comes, is dropped. ``serial=True`` runners share one database
thread, so a console's reads and writes reach the database one after another, in order.
"""

from __future__ import annotations

import logging
import queue
import threading
from typing import Any, Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QAbstractButton, QProgressBar
from shiboken6 import isValid
from superqt.utils import create_worker

from app.common.progress import Cancelled, Progress

log = logging.getLogger(__name__)

PROGRESS_INT_MAX = 2**31 - 1  # Qt's progress bars and int signals



class _DatabaseThread:
    """One Python thread that runs queued database work one job after another, in order."""

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        threading.Thread(target=self._serve, name="database", daemon=True).start()

    def submit(self, worker) -> None:
        self._queue.put(worker)

    def _serve(self) -> None:
        while True:
            self._queue.get().run()


_database_thread: _DatabaseThread | None = None


def _start(worker, serial: bool) -> None:
    """Run a superqt worker on a Python thread: a new one for computations, the one database
    thread for ``serial`` work. Not on Qt's thread pool: pyproj, which the orbit code calls,
    crashes (segmentation fault) in threads Python did not create."""
    global _database_thread
    worker._worker_set.add(worker)
    worker._finished.connect(worker._set_discard)
    if serial:
        if _database_thread is None:
            _database_thread = _DatabaseThread()
        _database_thread.submit(worker)
    else:
        threading.Thread(target=worker.run, name="job", daemon=True).start()


class Job(QObject):
    """One run of work: ``progressed`` while it runs, then ``ended`` once (after the result,
    the error, or the cancel)."""

    progressed = Signal(int, int, str)  # (done, total, note), on the GUI thread
    ended = Signal()
    _reported = Signal(object, object, str)  # from the worker thread (byte counts may pass 2**31)

    def __init__(self, name: str, parent: QObject | None = None):
        super().__init__(parent)
        self.name = name
        self.progress = Progress(self._report)
        self._reported.connect(self._on_report)
        self.result: Any = None
        self.error: BaseException | None = None

    def _report(self, done, total, note: str) -> None:
        """From the worker thread. A job whose window closed is told to stop instead of
        emitting on a deleted object (which PySide answers with an error that, repeated,
        corrupted the interpreter)."""
        if not isValid(self):
            self.progress.cancel()
            return
        self._reported.emit(done, total, note)

    @property
    def cancelled(self) -> bool:
        return self.progress.cancelled

    def cancel(self) -> None:
        self.progress.cancel()

    def _on_report(self, done: int, total: int, note: str) -> None:
        if not self.cancelled:
            if total > PROGRESS_INT_MAX:  # bytes of several large files: in thousandths, as Qt's progress takes int
                done, total = done * 1000 // total, 1000
            self.progressed.emit(done, total, note)


class JobRunner(QObject):
    """Runs its owner's jobs; ``failed(name, message)`` after an error that no ``on_error``
    handler took (it is logged either way)."""

    failed = Signal(str, str)

    def __init__(self, parent: QObject | None = None, progress_bar: QProgressBar | None = None,
                 cancel_button: QAbstractButton | None = None, serial: bool = False):
        super().__init__(parent)
        self.progress_bar, self.cancel_button, self.serial = progress_bar, cancel_button, serial
        self.current: Job | None = None
        self._running: set[Job] = set()
        if cancel_button is not None:
            cancel_button.setEnabled(False)
            cancel_button.clicked.connect(self.cancel)

    @property
    def busy(self) -> bool:
        return bool(self._running)

    def start(self, name: str, work: Callable[[Progress], Any], on_result: Callable[[Any], None] | None = None,
              on_error: Callable[[BaseException], None] | None = None, exclusive: bool = True) -> Job:
        """Run ``work(progress)`` on a worker thread; ``on_result(value)`` on the GUI thread
        unless cancelled; ``on_error(exception)`` there too (else ``failed`` is emitted); the
        error is logged either way. ``exclusive``: this job replaces the runner's current one
        (never for writes: a cancelled write may still have been written)."""
        if exclusive and self.current is not None:
            self.current.cancel()
        job = Job(name, self)
        if exclusive:
            self.current = job
        self._running.add(job)
        # handlers given at creation: without an 'errored' one superqt re-raises the error in the event loop
        worker = create_worker(work, job.progress, _start_thread=False, _connect={
            "returned": lambda value: self._returned(job, value, on_result),
            "errored": lambda error: self._errored(job, error, on_error),
            "finished": lambda: self._finished(job)})
        self._show_busy(job, started=True)
        job.progressed.connect(lambda done, total, _note: self._on_progress(job, done, total))
        _start(worker, self.serial)
        return job

    def cancel(self) -> None:
        if self.current is not None:
            self.current.cancel()
            self._show_busy(self.current, started=False)

    # --- on the GUI thread -------------------------------------------------------------------------

    def _gone(self) -> bool:
        """This runner was deleted with its owner (a window closed while the work ran): the
        work's end has no one left to tell (emitting would raise, or crash in Qt)."""
        return not isValid(self)

    def _returned(self, job: Job, value: Any, on_result: Callable[[Any], None] | None) -> None:
        if self._gone():
            return
        job.result = value
        if job.cancelled or on_result is None:
            return
        try:
            on_result(value)
        except Exception as error:  # noqa: BLE001 - a bug in a result handler is reported like any failure
            self._errored(job, error, None)

    def _errored(self, job: Job, error: BaseException, on_error: Callable[[BaseException], None] | None) -> None:
        if self._gone():
            log.info("%s ended after its window closed: %s", job.name, error)
            return
        if isinstance(error, Cancelled) or job.cancelled:
            return
        job.error = error
        log.error("%s failed", job.name, exc_info=(type(error), error, error.__traceback__))
        if on_error is not None:  # the owner says it where the operator looks
            on_error(error)
        else:
            self.failed.emit(job.name, failure_text(job.name, error))

    def _finished(self, job: Job) -> None:
        if self._gone():
            return
        self._running.discard(job)
        if job is self.current:
            self.current = None
            self._show_busy(job, started=False)
        job.ended.emit()

    def _show_busy(self, job: Job, started: bool) -> None:
        if self.progress_bar is not None:
            self.progress_bar.setVisible(started)
            if started:
                self.progress_bar.setRange(0, 0)  # busy until the first report
        if self.cancel_button is not None:
            self.cancel_button.setEnabled(started)

    def _on_progress(self, job: Job, done: int, total: int) -> None:
        if self.progress_bar is not None and job is self.current:
            self.progress_bar.setRange(0, max(total, 1))
            self.progress_bar.setValue(done)


def failure_text(name: str, error: BaseException) -> str:
    """``Passes failed: ValueError: no such sensor`` (a store's own errors are already sentences)."""
    from app.storage import StoreError  # noqa: PLC0415 - only to word the message

    return f"{name} failed: {error if isinstance(error, StoreError) else f'{type(error).__name__}: {error}'}"

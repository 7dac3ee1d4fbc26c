"""Opening catalog files in the console: read on a worker thread (progress and cancel for a
long load; the newer load wins), rejected records reported, the catalog handed to the
session, and, when a catalog replaces another, possible maneuvers flagged and logged."""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Sequence

import numpy as np
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QWidget

from app.catalog import Catalog
from app.catalog.catalog import STALE_ELEMENT_AGE_DAYS
from app.catalog.ingest import LoadCancelled
from app.catalog.maneuvers import flag_maneuvers
from app.storage.store import StoreError
from widgets.session import ConsoleSession

log = logging.getLogger(__name__)
MAX_REJECTIONS_LISTED = 500


def report(parent: QWidget | None, interactive: bool, icon, title: str, text: str, details: str = "") -> None:
    """Log a problem and, for a person at the console, show it in a non-modal box."""
    log.warning("%s: %s", title, text)
    if not interactive:
        return
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, parent)
    if details:
        box.setDetailedText(details)
    box.setModal(False)
    box.show()


class CatalogLoader(QObject):
    loaded = Signal(object)  # Catalog, once the session uses it
    _done = Signal(object, object)  # ((Catalog, paths, cancel) | None, error message | None), from the worker
    _progress = Signal(int, int, str)
    _maneuvers_found = Signal(object, int)  # (list of ManeuverFlag, catalog version)

    def __init__(self, session: ConsoleSession, window: QWidget | None = None):
        super().__init__(window)
        self.session, self.window = session, window
        self.last_rejections: list = []
        self._loading: threading.Event | None = None
        self._dialog: QProgressDialog | None = None
        self._done.connect(self._on_done)
        self._progress.connect(self._on_progress)
        self._maneuvers_found.connect(self._on_maneuvers)

    def load(self, paths: Sequence[str | Path]) -> None:
        paths = [str(p) for p in paths]
        if self._loading is not None:
            self._loading.set()  # the newer load wins
        cancel = threading.Event()
        self._loading = cancel
        if self.session.interactive:
            self._dialog = QProgressDialog("Reading catalog files…", "Cancel", 0, len(paths), self.window)
            self._dialog.setWindowTitle("Loading catalog")
            self._dialog.setMinimumDuration(400)
            self._dialog.canceled.connect(cancel.set)

        def progress(done: int, total: int, name: str) -> bool:
            self._progress.emit(done, total, name)
            return cancel.is_set()

        def work() -> None:
            try:
                self._done.emit((Catalog.load(paths, progress=progress), paths, cancel), None)
            except LoadCancelled:
                self._done.emit(None, None)
            except Exception as error:  # never lose the console to a load
                log.exception("loading %s failed", paths)
                self._done.emit(None, f"{type(error).__name__}: {error}")

        threading.Thread(target=work, name="catalog-loader", daemon=True).start()

    def failed(self, error: str) -> None:
        report(self.window, self.session.interactive, QMessageBox.Icon.Critical, "Catalog not loaded", error)

    def _on_progress(self, done: int, total: int, name: str) -> None:
        if self._dialog is not None:
            self._dialog.setMaximum(total)
            self._dialog.setValue(done)
            self._dialog.setLabelText(f"Reading {Path(name).name}…" if name else "Building the catalog…")

    def _on_done(self, result, error: str | None) -> None:
        if self._dialog is not None:
            self._dialog.reset()
            self._dialog = None
        if error is not None:
            self.failed(error)
            return
        if result is None:
            self.session.say("Catalog load cancelled; the previous catalog stays.", 5000)
            return
        catalog, paths, cancel = result
        if cancel.is_set():
            return
        self._loading = None
        self.use(catalog, paths)

    def use(self, catalog: Catalog, paths: Sequence[str]) -> None:
        """Make ``catalog`` the session's, reporting its rejected records and stale elements."""
        previous = self.session.catalog
        if len(previous) and len(catalog):  # a refresh: look for maneuvers on a worker thread
            threading.Thread(target=lambda: self._maneuvers_found.emit(flag_maneuvers(previous, catalog),
                                                                       catalog.version),
                             name="maneuver-flags", daemon=True).start()
        self.session.set_catalog(catalog, paths)
        self.last_rejections = list(catalog.rejections)
        if catalog.rejections:
            lines = "\n".join(str(r) for r in catalog.rejections[:MAX_REJECTIONS_LISTED])
            more = len(catalog.rejections) - MAX_REJECTIONS_LISTED
            report(self.window, self.session.interactive, QMessageBox.Icon.Warning, "Some records were rejected",
                   f"{len(catalog):,} objects loaded; {len(catalog.rejections)} records rejected.",
                   lines + (f"\n… and {more} more" if more > 0 else ""))
        message = f"Loaded {len(catalog):,} objects from {len(paths)} file(s)"
        if len(catalog):
            median_age = float(np.median(np.abs(catalog.element_age_days(self.session.now()))))
            if median_age > STALE_ELEMENT_AGE_DAYS:
                message += (f" — CAUTION: element sets are {median_age:.0f} days from the clock's time (median);"
                            " positions are extrapolated far beyond their epochs")
        self.session.say(message, 15000)
        self.loaded.emit(catalog)

    def _on_maneuvers(self, flags: list, catalog_version: int) -> None:
        """Flag the objects (the catalog table and the watchlist bind to the flags); log each as an event."""
        session = self.session
        if catalog_version != session.catalog.version:
            return
        messages = {f.norad_id: f.message() for f in flags}
        session.maneuver_flags_changed.emit(messages)
        if session.store is not None and flags:
            try:
                session.store.log_events([{"sim_utc": f.new_epoch_utc, "kind": "maneuver", "severity": "caution",
                                           "message": f.message(), "data": {"delta_a_km": f.delta_a_km,
                                                                            "age_days": f.age_days}}
                                          for f in flags])
            except StoreError as error:
                session.say(f"Maneuver flags not logged: {error}", 15000)
            session.events_changed.emit()
        session.say(f"{len(flags):,} possible maneuvers since the previous catalog", 20000)

"""Opening catalog files in the console: read on a worker thread (progress and cancel for a
long load; the newer load wins), rejected records reported, the catalog handed to the
session, and, when a catalog replaces another, possible maneuvers flagged and logged."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Sequence

import numpy as np
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QWidget

from app.catalog import Catalog
from app.catalog.catalog import STALE_ELEMENT_AGE_DAYS
from app.catalog.maneuvers import flag_maneuvers
from widgets.runner import Job, JobRunner
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

    def __init__(self, session: ConsoleSession, window: QWidget | None = None):
        super().__init__(window)
        self.session, self.window = session, window
        self.last_rejections: list = []
        self.jobs = JobRunner(self)  # one load at a time: a newer one replaces the one before
        self.flag_jobs = JobRunner(self)
        self.database = JobRunner(self, serial=True)
        self._dialog: QProgressDialog | None = None

    def load(self, paths: Sequence[str | Path]) -> Job:
        """Read ``paths`` on a worker thread (a progress dialog with Cancel for a person) and use them."""
        paths = [str(p) for p in paths]
        job = self.jobs.start("Loading the catalog", lambda progress: Catalog.load(paths, progress=progress),
                              lambda catalog: self.use(catalog, paths),
                              on_error=lambda error: self.failed(f"{type(error).__name__}: {error}"))
        if self.session.interactive:
            dialog = QProgressDialog("Reading catalog files…", "Cancel", 0, len(paths), self.window)
            dialog.setWindowTitle("Loading catalog")
            dialog.setMinimumDuration(400)
            dialog.canceled.connect(job.cancel)
            job.progressed.connect(lambda done, total, name: (
                dialog.setMaximum(total), dialog.setValue(done),
                dialog.setLabelText(f"Reading {Path(name).name}…" if name else "Building the catalog…")))
            job.ended.connect(dialog.reset)
        job.ended.connect(lambda: self.session.say("Catalog load cancelled; the previous catalog stays.", 5000)
                          if job.cancelled and not self.jobs.busy else None)
        return job

    def failed(self, error: str) -> None:
        report(self.window, self.session.interactive, QMessageBox.Icon.Critical, "Catalog not loaded", error)

    def use(self, catalog: Catalog, paths: Sequence[str]) -> None:
        """Make ``catalog`` the session's, reporting its rejected records and stale elements."""
        previous = self.session.catalog
        if len(previous) and len(catalog):  # a refresh: look for maneuvers on a worker thread
            self.flag_jobs.start("Looking for maneuvers", lambda _progress: flag_maneuvers(previous, catalog),
                                 lambda flags: self._on_maneuvers(flags, catalog.version))
        self.session.set_catalog(catalog, paths)
        self.last_rejections = list(catalog.rejections)
        if catalog.rejections:
            lines = "\n".join(str(r) for r in catalog.rejections[:MAX_REJECTIONS_LISTED])
            more = catalog.rejected_count - min(len(catalog.rejections), MAX_REJECTIONS_LISTED)
            report(self.window, self.session.interactive, QMessageBox.Icon.Warning, "Some records were rejected",
                   f"{len(catalog):,} objects loaded; {catalog.rejected_count:,} records rejected.",
                   lines + (f"\n… and {more:,} more" if more > 0 else ""))
        message = f"Loaded {len(catalog):,} objects from {len(paths)} file(s)"
        warned = len(catalog.warnings) + catalog.more_warnings
        if warned:  # loaded, but worth a look (a perigee below the surface)
            message += f"; {warned} warning{'s' if warned != 1 else ''}: {catalog.warnings[0]}"
            for warning in catalog.warnings:
                log.warning("%s", warning)
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
            events = [{"sim_utc": f.new_epoch_utc, "kind": "maneuver", "severity": "caution", "message": f.message(),
                       "data": {"delta_a_km": f.delta_a_km, "age_days": f.age_days}} for f in flags]
            self.database.start("Logging maneuver flags", lambda _progress: session.store.event_log.log_many(events),
                                lambda _result: session.events_changed.emit(), exclusive=False)
        session.say(f"{len(flags):,} possible maneuvers since the previous catalog", 20000)

"""The console's catalog feed (off by default: floors are often air-gapped): a drop folder
scanned for new element-set files, and a GP-style URL fetched at an interval
(``app.catalog.feed``). Either refreshes the catalog in use: its files plus the new ones,
loaded by the catalog loader (newest element set per object wins, rejected records
reported, possible maneuvers flagged as on any refresh). A rejected or failed fetch says so
in the status line and the log; the catalog in use and the last good feed file stay.

A dropped file is taken once its size and time have held still for one scan (a copy in
progress is not read half-written). Settings live in the console's preferences as plain
text and numbers (``feed/...``)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from app.catalog.ingest import CATALOG_SUFFIXES
from app.common.paths import user_data_dir
from widgets.runner import JobRunner

log = logging.getLogger(__name__)

SCAN_INTERVAL_MS = 10_000
MIN_SIZE_FRACTION = 0.5  # a refresh with fewer objects than this share of the catalog in use is refused
MIN_INTERVAL_MIN, MAX_INTERVAL_MIN = 5, 24 * 60


@dataclass(frozen=True)
class FeedSettings:
    drop_folder: str = ""
    url: str = ""
    interval_min: int = 60
    proxy: str = ""
    credentials_file: str = ""

    @property
    def enabled(self) -> bool:
        return bool(self.drop_folder or self.url)

    @classmethod
    def load(cls, preferences) -> "FeedSettings":
        interval = preferences.json_value("feed/interval_min", 60, int)
        return cls(preferences.text("feed/drop_folder", ""), preferences.text("feed/url", ""),
                   min(max(interval, MIN_INTERVAL_MIN), MAX_INTERVAL_MIN), preferences.text("feed/proxy", ""),
                   preferences.text("feed/credentials_file", ""))

    def save(self, preferences) -> None:
        for key in ("drop_folder", "url", "proxy", "credentials_file"):
            preferences.set_text(f"feed/{key}", getattr(self, key))
        preferences.set_json("feed/interval_min", self.interval_min)


def feed_file() -> Path:
    """Where fetched catalogs are kept (the last good one, with its ``.feed.json``)."""
    return user_data_dir() / "feed" / "feed_catalog.txt"


class CatalogFeedWatcher(QObject):
    refreshed = Signal(list)  # the new files that went into the catalog

    def __init__(self, session, loader, preferences, out_file: Path | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.session, self.loader, self.preferences = session, loader, preferences
        self.out_file = out_file or feed_file()
        self.settings = FeedSettings()
        self.jobs = JobRunner(self)  # fetches
        self.refreshes = JobRunner(self)
        self._seen: dict[str, tuple[int, int]] = {}  # taken files: (mtime ns, size)
        self._pending: dict[str, tuple[int, int]] = {}  # seen once: taken if unchanged at the next scan
        self.scan_timer = QTimer(self, interval=SCAN_INTERVAL_MS)
        self.scan_timer.timeout.connect(self.scan_drop_folder)
        self.fetch_timer = QTimer(self)
        self.fetch_timer.timeout.connect(self.fetch)
        self.status = "Catalog feed off"

    def apply(self, settings: FeedSettings) -> None:
        """Use these settings from now on: timers restarted, a first scan and fetch at once."""
        self.settings = settings
        self.scan_timer.stop()
        self.fetch_timer.stop()
        self._seen.clear()
        self._pending.clear()
        if settings.drop_folder:
            self._note_existing()  # what is there already is the catalog's business, not news
            self.scan_timer.start()
        if settings.url:
            self.fetch_timer.start(settings.interval_min * 60_000)
            self.fetch()
        self.status = self._describe()

    def stop(self) -> None:
        """No more scans or fetches (the window is closing); a fetch under way finishes."""
        self.scan_timer.stop()
        self.fetch_timer.stop()
        self.jobs.cancel()
        self.refreshes.cancel()

    def _describe(self) -> str:
        parts = []
        if self.settings.drop_folder:
            parts.append(f"watching {self.settings.drop_folder}")
        if self.settings.url:
            parts.append(f"fetching every {self.settings.interval_min} min")
        return "Catalog feed: " + ", ".join(parts) if parts else "Catalog feed off"

    # --- the drop folder -------------------------------------------------------------------------

    def _files(self) -> dict[str, tuple[int, int]]:
        folder = Path(self.settings.drop_folder)
        try:
            entries = [p for p in folder.iterdir() if p.suffix.lower() in CATALOG_SUFFIXES and p.is_file()
                       and not p.name.startswith(".")]
            return {str(p): (p.stat().st_mtime_ns, p.stat().st_size) for p in entries}
        except OSError as error:
            self._say(f"Catalog feed: drop folder {folder}: {error.strerror or error}")
            return {}

    def _note_existing(self) -> None:
        self._seen.update(self._files())

    def scan_drop_folder(self) -> list[str]:
        """New or changed files that held still since the last scan go into the catalog."""
        files = self._files()
        ready = [path for path, stamp in files.items()
                 if self._seen.get(path) != stamp and self._pending.get(path) == stamp]
        self._pending = {path: stamp for path, stamp in files.items()
                         if self._seen.get(path) != stamp and path not in ready}
        for path in ready:
            self._seen[path] = files[path]
        if ready:
            log.info("catalog feed: new file(s) in the drop folder: %s", ", ".join(ready))
            self._refresh(ready)
        return ready

    # --- the URL ---------------------------------------------------------------------------------

    def fetch(self):
        if not self.settings.url or self.jobs.busy:
            return None
        from app.catalog.feed import FeedOptions, fetch_catalog

        url, out = self.settings.url, self.out_file
        options = FeedOptions(proxy=self.settings.proxy or None,
                              credentials_file=Path(self.settings.credentials_file) if self.settings.credentials_file
                              else None)
        return self.jobs.start("Catalog feed", lambda _progress: fetch_catalog(url, out, options), self._fetched,
                               on_error=self._fetch_failed)

    def _fetched(self, result) -> None:
        if not result.changed:
            self._say(f"Catalog feed: {result.note}", log_level=logging.INFO)
            return
        self._say(f"Catalog feed: fetched {result.note}", log_level=logging.INFO)
        self._refresh([str(result.path)])

    def _fetch_failed(self, error: BaseException) -> None:
        from app.catalog.feed import FeedRejected

        what = "payload rejected" if isinstance(error, FeedRejected) else "could not fetch"
        self._say(f"Catalog feed: {what}, the catalog in use stays: {error}")

    # --- both ------------------------------------------------------------------------------------

    def _refresh(self, new_paths: list[str]) -> None:
        """The catalog in use, its files re-read with the new ones, on a worker; used only
        if it is not much smaller than the one in use (a file gone since is not a reason to
        lose its objects)."""
        if self.session.state.scenario.path:
            self._say("Catalog feed: new element sets not applied while an exercise runs (its catalog stands)")
            return
        current = list(self.session.state.catalog.source_files)
        missing = [p for p in current if not Path(p).is_file()]
        if missing:
            self._say(f"Catalog feed: not applied, the catalog's file(s) {', '.join(missing)} are gone; "
                      "open the catalog again")
            return
        paths = current + [p for p in new_paths if p not in current]
        in_use = len(self.session.catalog)
        from app.catalog import Catalog

        def use(catalog) -> None:
            if len(catalog) < MIN_SIZE_FRACTION * in_use:
                self._say(f"Catalog feed: not applied, {len(catalog):,} objects against {in_use:,} in use")
                return
            self.loader.use(catalog, paths)
            self.refreshed.emit(new_paths)

        self.refreshes.start("Catalog feed refresh", lambda progress: Catalog.load(paths, progress=progress), use,
                        on_error=lambda error: self._say(f"Catalog feed: refresh failed: {error}"))

    def _say(self, text: str, log_level: int = logging.WARNING) -> None:
        log.log(log_level, "%s", text)
        self.status = text
        self.session.say(text, 30000)

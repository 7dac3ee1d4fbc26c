"""Element-set history: every element set this console has seen for an object, kept for
``HISTORY_DAYS`` days of epochs in a SQLite file in the user data folder, with each catalog
refresh that brought it. What the details panel plots (mean semi-major axis, inclination,
eccentricity over time) and what "changed since the last refresh" lists.

It is the console's own record of what it loaded (each console on a floor loads its own
catalogs), derived data rather than a coalition record: no marking or audit beyond the
element sets' own classification, which is kept. A file that is locked, corrupt or gone
raises :class:`HistoryError` with the file and the reason; the console runs on without
history.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from app.catalog import Catalog

HISTORY_DAYS = 90
_ROWS_PER_CALL = 500
_UNIX_JD = 2440587.5
_SCHEMA = """
CREATE TABLE IF NOT EXISTS refreshes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    seen_utc REAL NOT NULL,          -- unix seconds, when the catalog was loaded
    objects INTEGER NOT NULL,
    new_sets INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS element_sets (
    norad_id INTEGER NOT NULL,
    epoch_utc REAL NOT NULL,         -- unix seconds
    refresh_id INTEGER NOT NULL REFERENCES refreshes(id),
    semi_major_axis_km REAL NOT NULL,
    eccentricity REAL NOT NULL,
    inclination_deg REAL NOT NULL,
    raan_deg REAL NOT NULL,
    mean_motion_rev_day REAL NOT NULL,
    bstar REAL NOT NULL,
    classification TEXT NOT NULL,
    PRIMARY KEY (norad_id, epoch_utc)
);
CREATE INDEX IF NOT EXISTS element_sets_refresh ON element_sets (refresh_id);
"""


class HistoryError(Exception):
    """The history file cannot be used; the message names it and says why."""


@dataclass(frozen=True)
class Refresh:
    id: int
    seen_utc: datetime
    objects: int
    new_sets: int


@dataclass(frozen=True)
class ObjectHistory:
    """One object's element sets, oldest epoch first; ``refresh_id`` is the load that brought each."""

    norad_id: int
    epoch_utc: np.ndarray  # datetime64[ms]
    semi_major_axis_km: np.ndarray
    inclination_deg: np.ndarray
    eccentricity: np.ndarray
    refresh_id: np.ndarray

    def __len__(self) -> int:
        return len(self.epoch_utc)


@dataclass(frozen=True)
class Change:
    """An object whose newest element set came with the last refresh."""

    norad_id: int
    previous_epoch_utc: datetime | None  # None: an object new to this console
    epoch_utc: datetime
    delta_a_km: float
    delta_inclination_deg: float
    delta_eccentricity: float


def default_history_path() -> Path:
    from app.common.paths import user_data_dir

    return user_data_dir() / "element_history.sqlite"


def _unix(dt: datetime) -> float:
    return dt.astimezone(timezone.utc).timestamp()


def _utc(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, tz=timezone.utc)


class ElementHistory:
    def __init__(self, path: Path | None = None, timeout_s: float = 5.0):
        self.path = Path(path) if path is not None else default_history_path()
        self._lock = threading.Lock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._connection = sqlite3.connect(self.path, timeout=timeout_s, check_same_thread=False)
            self._connection.executescript(_SCHEMA)
        except (sqlite3.Error, OSError) as error:
            raise HistoryError(f"element-set history {self.path}: {error}") from None

    def close(self) -> None:
        with self._lock:
            self._connection.close()

    def _run(self, work):
        """``work(connection)`` as one transaction, one thread at a time: the console records on
        a worker while the details panel reads on the GUI thread, and Python's sqlite3 objects
        must not be used by two threads at once."""
        with self._lock:
            try:
                with self._connection:
                    return work(self._connection)
            except sqlite3.Error as error:
                raise HistoryError(f"element-set history {self.path}: {error}") from None

    def record(self, catalog: Catalog, seen: datetime) -> Refresh:
        """Keep the catalog's element sets (those already kept are left as they were) as one
        refresh, then forget epochs more than ``HISTORY_DAYS`` before the newest."""
        epochs = (catalog.epoch_jd - _UNIX_JD + catalog.epoch_fr) * 86400.0
        columns = (catalog.norad_id.tolist(), epochs.tolist(), catalog.semi_major_axis_km.tolist(),
                   catalog.eccentricity.tolist(), catalog.inclination_deg.tolist(), catalog.raan_deg.tolist(),
                   catalog.mean_motion_rev_day.tolist(), catalog.bstar.tolist(), catalog.classification.tolist())

        def work(db: sqlite3.Connection) -> Refresh:
            refresh_id = db.execute("INSERT INTO refreshes (seen_utc, objects, new_sets) VALUES (?, ?, 0)",
                                    (_unix(seen), len(catalog))).lastrowid
            before = db.total_changes
            rows = list(zip(columns[0], columns[1], [refresh_id] * len(columns[0]), *columns[2:]))  # tuples in C
            for first in range(0, len(rows), _ROWS_PER_CALL):  # short calls: a console's GUI thread gets the GIL between
                db.executemany("INSERT OR IGNORE INTO element_sets VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                               rows[first:first + _ROWS_PER_CALL])
                time.sleep(0)
            new_sets = db.total_changes - before
            db.execute("UPDATE refreshes SET new_sets = ? WHERE id = ?", (new_sets, refresh_id))
            if len(epochs):
                db.execute("DELETE FROM element_sets WHERE epoch_utc < ?",
                           (float(np.max(epochs)) - HISTORY_DAYS * 86400.0,))
            return Refresh(refresh_id, seen, len(catalog), new_sets)

        return self._run(work)

    def refreshes(self) -> list[Refresh]:
        rows = self._run(lambda db: db.execute("SELECT id, seen_utc, objects, new_sets FROM refreshes ORDER BY id")
                         .fetchall())
        return [Refresh(i, _utc(seen), objects, new) for i, seen, objects, new in rows]

    def of(self, norad_id: int) -> ObjectHistory:
        rows = self._run(lambda db: db.execute(
            "SELECT epoch_utc, semi_major_axis_km, inclination_deg, eccentricity, refresh_id FROM element_sets "
            "WHERE norad_id = ? ORDER BY epoch_utc", (int(norad_id),)).fetchall())
        values = np.array(rows, dtype=float).reshape(-1, 5)
        return ObjectHistory(int(norad_id), (values[:, 0] * 1000).astype("datetime64[ms]"), values[:, 1],
                             values[:, 2], values[:, 3], values[:, 4].astype(np.int64))

    def changed_in_last_refresh(self) -> list[Change]:
        """Objects whose newest element set the last refresh brought, with how it moved from
        the one before (none before: a new object), largest change of semi-major axis first."""
        def work(db: sqlite3.Connection):
            last = db.execute("SELECT MAX(id) FROM refreshes").fetchone()[0]
            if last is None:
                return []
            return db.execute(
                "SELECT n.norad_id, p.epoch_utc, n.epoch_utc, n.semi_major_axis_km - p.semi_major_axis_km, "
                "n.inclination_deg - p.inclination_deg, n.eccentricity - p.eccentricity "
                "FROM element_sets n LEFT JOIN element_sets p ON p.norad_id = n.norad_id AND p.epoch_utc = "
                "(SELECT MAX(epoch_utc) FROM element_sets q WHERE q.norad_id = n.norad_id AND q.epoch_utc < "
                "n.epoch_utc) WHERE n.refresh_id = ? AND n.epoch_utc = (SELECT MAX(epoch_utc) FROM element_sets "
                "r WHERE r.norad_id = n.norad_id)", (last,)).fetchall()

        changes = [Change(int(n), None if pe is None else _utc(pe), _utc(ne), da or 0.0, di or 0.0, de or 0.0)
                   for n, pe, ne, da, di, de in self._run(work)]
        return sorted(changes, key=lambda c: (c.previous_epoch_utc is None, -abs(c.delta_a_km), c.norad_id))

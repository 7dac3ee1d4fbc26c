"""The console's database: SQLAlchemy Core, SQLite in the user data directory by default,
any SQLAlchemy URL (PostgreSQL for a shared ops floor) when given.

Every change is one transaction and leaves a row in the append-only ``audit`` table (who,
with their nation and role, what, when). Records carry classification, releasability and
data mode, and a ``version`` column: an update based on a stale version is refused with
:class:`StaleEdit`, which carries the newer record, so two officers never overwrite each
other. The schema has a version; an older database is migrated forward one step at a time
(``MIGRATIONS``, each step tested from a real database of the version before), a newer one
is refused. (A registry of small steps rather than Alembic: the schema is a handful of
tables, every step runs inside the same transaction as the version bump, and there is no
second tool, config file or script directory to ship.) Tasking requests are read and
written through ``app.storage.tasking_store``.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

from sqlalchemy import (Column, Float, ForeignKey, Integer, MetaData, String, Table, Text, UniqueConstraint,
                        create_engine, delete, event, insert, select, update)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import ArgumentError, IntegrityError, OperationalError, SQLAlchemyError

from app.astro.timeutil import format_utc
from app.common.paths import user_data_dir
from app.common.user_settings import Operator, current_user
from app.rpo.watch_pair import WatchPair

log = logging.getLogger(__name__)

SCHEMA_VERSION = 2

metadata = MetaData()
schema_info = Table("schema_info", metadata, Column("version", Integer, nullable=False))
watch_pairs = Table(
    "watch_pairs", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("primary_id", Integer, nullable=False),
    Column("secondary_id", Integer, nullable=False),
    Column("caution_km", Float, nullable=False),
    Column("warning_km", Float, nullable=False),
    Column("closing_speed_km_s", Float, nullable=True),
    Column("notes", Text, nullable=False, default=""),
    Column("classification", String(64), nullable=False),
    Column("releasability", String(256), nullable=False, default=""),
    Column("data_mode", String(16), nullable=False),
    Column("version", Integer, nullable=False),
    Column("updated_utc", String(32), nullable=False),
    Column("updated_by", String(64), nullable=False),
    UniqueConstraint("primary_id", "secondary_id", "data_mode", name="one_pair_per_mode"),
)
events = Table(
    "events", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("sim_utc", String(32), nullable=False),  # when it happened, in simulation time
    Column("logged_utc", String(32), nullable=False),  # when it was written, wall clock
    Column("kind", String(32), nullable=False),
    Column("pair_id", Integer, ForeignKey("watch_pairs.id", ondelete="SET NULL"), nullable=True),
    Column("severity", String(16), nullable=False),
    Column("message", Text, nullable=False),
    Column("data", Text, nullable=False, default="{}"),
    Column("data_mode", String(16), nullable=False),
    Column("acknowledged_by", String(64), nullable=True),
    Column("acknowledged_utc", String(32), nullable=True),
)
audit = Table(
    "audit", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at_utc", String(32), nullable=False),
    Column("user", String(64), nullable=False),
    Column("table_name", String(64), nullable=False),
    Column("record_id", Integer, nullable=True),
    Column("action", String(16), nullable=False),
    Column("data", Text, nullable=False),
    Column("nation", String(3), nullable=False, server_default=""),  # schema 2
    Column("role", String(32), nullable=False, server_default=""),  # schema 2
    Column("record_key", String(40), nullable=True),  # schema 2: text ids (tasking requests)
)
tasking_requests = Table(  # schema 2
    "tasking_requests", metadata,
    Column("id", String(40), primary_key=True),
    Column("title", String(200), nullable=False),
    Column("target_norad_id", Integer, nullable=False),
    Column("requesting_nation", String(3), nullable=False),
    Column("requesting_unit", String(100), nullable=False),
    Column("sensor_kind", String(16), nullable=False),
    Column("sensor_value", String(100), nullable=False),
    Column("collection_type", String(16), nullable=False),
    Column("precedence", String(16), nullable=False),
    Column("window_start", String(32), nullable=False),  # ISO 8601 UTC
    Column("window_end", String(32), nullable=False),
    Column("justification", Text, nullable=False),
    Column("classification", String(32), nullable=False),
    Column("releasable_to", String(400), nullable=False),  # ISO alpha-3 codes separated by ';' 
    Column("data_mode", String(16), nullable=False),
    Column("comments", Text, nullable=False),  # JSON list of {at_utc, author, nation, text}
    Column("status", String(16), nullable=False),
    Column("submitted_by", String(64), nullable=False),
    Column("approved_by", String(64), nullable=False),
    Column("scheduled_passes", Text, nullable=False),  # JSON list of passes
    Column("version", Integer, nullable=False),
    Column("created_utc", String(32), nullable=False),
    Column("created_by", String(64), nullable=False),
    Column("updated_utc", String(32), nullable=False),
    Column("updated_by", String(64), nullable=False),
)


def _schema_1_to_2(connection: Connection) -> None:
    """Audit rows name the operator's nation and role and can point at text ids; the
    tasking table itself is created by ``create_all`` after the steps."""
    for column in ("nation VARCHAR(3) NOT NULL DEFAULT ''", "role VARCHAR(32) NOT NULL DEFAULT ''",
                   "record_key VARCHAR(40)"):
        connection.exec_driver_sql(f"ALTER TABLE audit ADD COLUMN {column}")


# version -> step that brings a database at that version to the next
MIGRATIONS: dict[int, Callable[[Connection], None]] = {1: _schema_1_to_2}


class StoreError(RuntimeError):
    """The database cannot be used (locked, gone, newer than this console...)."""


class StaleEdit(StoreError):
    def __init__(self, current: Any):
        super().__init__("someone else changed this record since you opened it; their version is shown")
        self.current = current


def _now() -> str:
    return format_utc(datetime.now(timezone.utc))


def default_database_url() -> str:
    return f"sqlite:///{user_data_dir() / 'spaceops.db'}"


class Store:
    def __init__(self, url: str | None = None, user: str | None = None, operator: Operator | None = None):
        """``operator`` signs every change; ``user`` is a shorthand for an operator with only a name."""
        self.url = url or default_database_url()
        self.operator = operator or Operator(user or current_user())
        if self.url.startswith("sqlite:///") and self.url != "sqlite:///:memory:":
            try:
                Path(self.url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise StoreError(f"the database {self.url} cannot be used ({error.strerror or error}); "
                                 "nothing was changed") from None
        try:
            self.engine: Engine = create_engine(self.url, future=True)
        except ImportError as error:  # e.g. a PostgreSQL URL without its driver
            raise StoreError(f"the database driver for {self.url.split(':', 1)[0]} is not installed ({error}); "
                             "for PostgreSQL: pip install 'spaceops[postgresql]'") from None
        except ArgumentError as error:
            raise StoreError(f"{self.url!r} is not a database URL ({error})") from None
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._prepare_schema()

    @property
    def user(self) -> str:
        return self.operator.name

    # --- schema ----------------------------------------------------------------------------------

    def _prepare_schema(self) -> None:
        try:
            with self.engine.begin() as connection:
                metadata.create_all(connection, tables=[schema_info])
                row = connection.execute(select(schema_info.c.version)).first()
                if row is None:
                    metadata.create_all(connection)
                    connection.execute(insert(schema_info).values(version=SCHEMA_VERSION))
                    return
                version = int(row.version)
                if version > SCHEMA_VERSION:
                    raise StoreError(f"the database {self.url} has schema version {version}, newer than this "
                                     f"console's {SCHEMA_VERSION}: update the console (nothing was changed)")
                while version < SCHEMA_VERSION:
                    MIGRATIONS[version](connection)
                    version += 1
                    connection.execute(update(schema_info).values(version=version))
                metadata.create_all(connection)
        except OperationalError as error:
            raise StoreError(_explain(self.url, error)) from None

    # --- watch pairs -----------------------------------------------------------------------------

    def pairs(self, data_mode: str | None = None) -> list[WatchPair]:
        query = select(watch_pairs).order_by(watch_pairs.c.id)
        if data_mode is not None:
            query = query.where(watch_pairs.c.data_mode == data_mode)
        rows = self._read(lambda c: c.execute(query).mappings().all())
        return [WatchPair(**dict(row)) for row in rows]

    def pair(self, pair_id: int) -> WatchPair | None:
        row = self._read(lambda c: c.execute(select(watch_pairs).where(watch_pairs.c.id == pair_id)).mappings().first())
        return WatchPair(**dict(row)) if row else None

    def add_pair(self, pair: WatchPair) -> WatchPair:
        pair = pair.validated()
        values = {k: v for k, v in asdict(pair).items() if k != "id"}
        values.update(version=1, updated_utc=_now(), updated_by=self.user)

        def work(connection: Connection) -> WatchPair:
            try:
                new_id = connection.execute(insert(watch_pairs).values(**values)).inserted_primary_key[0]
            except IntegrityError:
                raise StoreError(f"{pair.primary_id} / {pair.secondary_id} is already on the "
                                 f"{pair.data_mode} watchlist") from None
            self._audit(connection, "watch_pairs", new_id, "insert", values)
            return replace(pair, id=new_id, version=1, updated_utc=values["updated_utc"], updated_by=self.user)

        return self._write(work)

    def update_pair(self, pair: WatchPair) -> WatchPair:
        """Save ``pair`` if the stored version is still ``pair.version``; else StaleEdit."""
        pair = pair.validated()
        changes = {k: v for k, v in asdict(pair).items() if k not in ("id", "version", "updated_utc", "updated_by")}
        changes.update(version=pair.version + 1, updated_utc=_now(), updated_by=self.user)

        def work(connection: Connection) -> WatchPair:
            done = connection.execute(update(watch_pairs).where(watch_pairs.c.id == pair.id)
                                      .where(watch_pairs.c.version == pair.version).values(**changes))
            if done.rowcount != 1:
                current = connection.execute(select(watch_pairs).where(watch_pairs.c.id == pair.id)).mappings().first()
                raise StaleEdit(WatchPair(**dict(current)) if current else None)
            self._audit(connection, "watch_pairs", pair.id, "update", changes)
            return replace(pair, version=changes["version"], updated_utc=changes["updated_utc"], updated_by=self.user)

        return self._write(work)

    def remove_pair(self, pair: WatchPair) -> None:
        def work(connection: Connection) -> None:
            done = connection.execute(delete(watch_pairs).where(watch_pairs.c.id == pair.id)
                                      .where(watch_pairs.c.version == pair.version))
            if done.rowcount != 1:
                current = connection.execute(select(watch_pairs).where(watch_pairs.c.id == pair.id)).mappings().first()
                raise StaleEdit(WatchPair(**dict(current)) if current else None)
            self._audit(connection, "watch_pairs", pair.id, "delete", asdict(pair))

        self._write(work)

    # --- event log -------------------------------------------------------------------------------

    def log_event(self, sim_utc: str, kind: str, severity: str, message: str, pair_id: int | None = None,
                  data: dict | None = None, data_mode: str = "REAL") -> int:
        values = dict(sim_utc=sim_utc, logged_utc=_now(), kind=kind, pair_id=pair_id, severity=severity,
                      message=message, data=json.dumps(data or {}), data_mode=data_mode)

        def work(connection: Connection) -> int:
            event_id = connection.execute(insert(events).values(**values)).inserted_primary_key[0]
            self._audit(connection, "events", event_id, "insert", values)
            return event_id

        return self._write(work)

    def log_events(self, entries: list[dict], data_mode: str = "REAL") -> int:
        """Many events in one transaction (a catalog refresh's maneuver flags); each entry has
        sim_utc, kind, severity, message and optionally pair_id and data."""
        logged = _now()
        rows = [dict(sim_utc=e["sim_utc"], logged_utc=logged, kind=e["kind"], pair_id=e.get("pair_id"),
                     severity=e["severity"], message=e["message"], data=json.dumps(e.get("data") or {}),
                     data_mode=data_mode) for e in entries]
        if not rows:
            return 0

        def work(connection: Connection) -> int:
            connection.execute(insert(events), rows)
            self._audit(connection, "events", None, "insert-many", {"count": len(rows), "kind": rows[0]["kind"]})
            return len(rows)

        return self._write(work)

    def events(self, unacknowledged_only: bool = False, limit: int = 500) -> list[dict]:
        query = select(events).order_by(events.c.id.desc()).limit(limit)
        if unacknowledged_only:
            query = query.where(events.c.acknowledged_by.is_(None))
        return [dict(row) for row in self._read(lambda c: c.execute(query).mappings().all())]

    def last_alert_statuses(self, kind: str = "rpo-alert") -> dict[int, str]:
        """Each watch pair's most recent alert status (its severity), from the event log."""
        query = (select(events.c.pair_id, events.c.severity).where(events.c.kind == kind)
                 .where(events.c.pair_id.is_not(None)).order_by(events.c.id))
        return {row.pair_id: row.severity for row in self._read(lambda c: c.execute(query).all())}

    def acknowledge(self, event_id: int) -> None:
        values = dict(acknowledged_by=self.user, acknowledged_utc=_now())

        def work(connection: Connection) -> None:
            connection.execute(update(events).where(events.c.id == event_id)
                               .where(events.c.acknowledged_by.is_(None)).values(**values))
            self._audit(connection, "events", event_id, "acknowledge", values)

        self._write(work)

    def audit_trail(self, table_name: str | None = None, record_key: str | None = None) -> list[dict]:
        query = select(audit).order_by(audit.c.id)
        if table_name is not None:
            query = query.where(audit.c.table_name == table_name)
        if record_key is not None:
            query = query.where(audit.c.record_key == record_key)
        return [dict(r) for r in self._read(lambda c: c.execute(query).mappings().all())]

    # --- plumbing --------------------------------------------------------------------------------

    def _audit(self, connection: Connection, table_name: str, record_id: int | str | None, action: str,
               data: dict) -> None:
        key = record_id if isinstance(record_id, str) else None
        connection.execute(insert(audit).values(at_utc=_now(), user=self.user, nation=self.operator.nation,
                                                role=self.operator.role, table_name=table_name,
                                                record_id=None if key else record_id, record_key=key,
                                                action=action, data=json.dumps(data, default=str)))

    def _write(self, work):
        try:
            with self.engine.begin() as connection:  # one transaction: all of it or none of it
                return work(connection)
        except (StoreError, ValueError):
            raise
        except SQLAlchemyError as error:
            raise StoreError(_explain(self.url, error)) from None

    def _read(self, work):
        try:
            with self.engine.connect() as connection:
                return work(connection)
        except SQLAlchemyError as error:
            raise StoreError(_explain(self.url, error)) from None

    def close(self) -> None:
        self.engine.dispose()


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=2000")  # wait up to 2 s for another writer, then say so
    cursor.close()


def _explain(url: str, error: Exception) -> str:
    text = str(getattr(error, "orig", error))
    if "locked" in text:
        return f"the database {url} is locked by another program; try again in a moment (nothing was changed)"
    if "unable to open" in text or "no such" in text or "readonly" in text:
        return f"the database {url} cannot be used ({text}); nothing was changed"
    return f"database error on {url}: {text}"

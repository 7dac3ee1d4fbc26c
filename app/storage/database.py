"""The connection to the console's database: SQLAlchemy Core, SQLite in the user data
directory by default, any SQLAlchemy URL (PostgreSQL for a shared ops floor) when given.

It prepares the schema (``app.storage.schema``), runs each read on a connection and each
change in one transaction, and writes the append-only ``audit`` row every change leaves
(who, with their nation and role, what, when). The repositories (watch pairs, event log,
tasking requests) build their queries on it; nothing else touches the engine.

Who is connected comes from the connection, never from a text field: on PostgreSQL the
login (``current_user``), on SQLite the operating-system account; nation, roles and
clearance from the ``operators`` table (a floor's operators, a single seat's roster).
Programs that already know who acts (tests, the floor's own tools) may pass ``operator``.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, TypeVar

from sqlalchemy import create_engine, event, insert, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import ArgumentError, DatabaseError, OperationalError, ProgrammingError, SQLAlchemyError

from app.astro.timeutil import format_utc
from app.common.paths import user_data_dir
from app.common.user_settings import Operator, current_user
from app.storage.errors import StoreError
from app.storage.schema import MIGRATIONS, SCHEMA_VERSION, audit, metadata, operators, schema_info

log = logging.getLogger(__name__)

Result = TypeVar("Result")


def now_utc() -> str:
    """The wall clock as the database stores it (ISO 8601 UTC text)."""
    return format_utc(datetime.now(timezone.utc))


def default_database_url() -> str:
    return f"sqlite:///{user_data_dir() / 'spaceops.db'}"


APPLICATION_NAME = "spaceops"  # how a console's connections show in pg_stat_activity (the floor's presence)


class Database:
    def __init__(self, url: str, operator: Operator | None = None, password: str | None = None):
        """``password``: a floor login's password (from a file; never in the URL, never shown)."""
        self.url = url
        self.connect_password = password  # a console's floor feed connects with it too
        if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
            try:
                Path(url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise StoreError(f"the database {url} cannot be used ({error.strerror or error}); "
                                 "nothing was changed") from None
        connect_args = {}
        if url.startswith("postgresql"):
            connect_args["application_name"] = APPLICATION_NAME
            if password:
                connect_args["password"] = password
        try:
            # on a floor, a pooled connection may have died with a server restart: test it before use
            self.engine: Engine = create_engine(url, future=True, connect_args=connect_args,
                                                pool_pre_ping=url.startswith("postgresql"))
        except ImportError as error:  # e.g. a PostgreSQL URL without its driver
            raise StoreError(f"the database driver for {url.split(':', 1)[0]} is not installed ({error}); "
                             "for PostgreSQL: pip install 'spaceops[postgresql]'") from None
        except ArgumentError as error:
            raise StoreError(f"{url!r} is not a database URL ({error})") from None
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
            event.listen(self.engine, "begin", _sqlite_begin)
        self._prepare_schema()
        self.operator: Operator = operator or self.identify()  # signs every change

    @property
    def is_postgresql(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    def identify(self) -> Operator:
        """Who this connection is: the login (PostgreSQL) or the operating-system account
        (SQLite), with nation, roles and clearance from the operators table. An account the
        table does not know has no nation and UNCLASSIFIED clearance (on a floor, no role)."""
        def work(connection: Connection) -> Operator:
            login = (connection.exec_driver_sql("SELECT current_user").scalar() if self.is_postgresql
                     else current_user())
            row = connection.execute(select(operators).where(operators.c.login == login)).mappings().first()
            if row is None:
                return Operator(login, roles=() if self.is_postgresql else ("watch_officer",), on_roster=False)
            return Operator(login, row["nation"], tuple(r for r in row["roles"].split(";") if r), row["clearance"])

        return self.read(work)

    def require_write(self, data_mode: str, what: str) -> None:
        """Refuse a change an exercise, instructor or trainee login may not make."""
        if not self.operator.may_write(data_mode):
            raise StoreError(f"{self.operator.name} ({self.operator.role}) cannot change {data_mode} {what}: "
                             "exercise, instructor and trainee logins work on EXERCISE and SIMULATED data only")

    def _prepare_schema(self) -> None:
        found = SCHEMA_VERSION
        try:
            with self.engine.begin() as connection:
                metadata.create_all(connection, tables=[schema_info])
                row = connection.execute(select(schema_info.c.version)).first()
                if row is None:
                    metadata.create_all(connection)
                    connection.execute(insert(schema_info).values(version=SCHEMA_VERSION))
                    return
                version = _schema_version(row.version, self.url)
                if version > SCHEMA_VERSION:
                    raise StoreError(f"the database {self.url} has schema version {version}, newer than this "
                                     f"console's {SCHEMA_VERSION}: update the console (nothing was changed)")
                found = version
                while version < SCHEMA_VERSION:
                    MIGRATIONS[version](connection)
                    version += 1
                    connection.execute(update(schema_info).values(version=version))
                metadata.create_all(connection)
        except OperationalError as error:
            raise StoreError(_explain(self.url, error)) from None
        except ProgrammingError as error:  # on a floor: a login without the right to change the schema
            if "permission denied" in str(error.orig) or "must be owner" in str(error.orig):
                raise StoreError(f"the floor {self.url} has schema version {found}, older than this console's "
                                 f"{SCHEMA_VERSION}, and this login may not upgrade it: the floor's administrator "
                                 "runs 'spaceops floor init --database ADMIN_URL' (nothing was changed)") from None
            raise StoreError(_explain(self.url, error)) from None
        except DatabaseError as error:  # e.g. a file that is not a SQLite database at all
            raise StoreError(_explain(self.url, error)) from None

    def read(self, work: Callable[[Connection], Result]) -> Result:
        """Run ``work(connection)``; a database failure becomes a StoreError that says what to do."""
        try:
            with self.engine.connect() as connection:
                return work(connection)
        except SQLAlchemyError as error:
            raise StoreError(_explain(self.url, error)) from None

    def write(self, work: Callable[[Connection], Result]) -> Result:
        """Run ``work(connection)`` in one transaction: all of it lands or none of it."""
        try:
            with self.engine.begin() as connection:
                return work(connection)
        except (StoreError, ValueError):
            raise
        except SQLAlchemyError as error:
            raise StoreError(_explain(self.url, error)) from None

    def audit(self, connection: Connection, table_name: str, record_id: int | str | None, action: str,
              data: dict) -> None:
        """The audit row of a change, written in the change's own transaction."""
        key = record_id if isinstance(record_id, str) else None
        connection.execute(insert(audit).values(at_utc=now_utc(), user=self.operator.name,
                                                nation=self.operator.nation, role=self.operator.role,
                                                table_name=table_name, record_id=None if key else record_id,
                                                record_key=key, action=action, data=json.dumps(data, default=str)))

    def audit_many(self, connection: Connection, table_name: str,
                   entries: list[tuple[int | str | None, str, dict]]) -> None:
        """Many audit rows (record, action, data) in one statement, in the change's transaction."""
        if not entries:
            return
        at, operator = now_utc(), self.operator
        connection.execute(insert(audit), [
            dict(at_utc=at, user=operator.name, nation=operator.nation, role=operator.role, table_name=table_name,
                 record_id=None if isinstance(key, str) else key, record_key=key if isinstance(key, str) else None,
                 action=action, data=json.dumps(data, default=str)) for key, action, data in entries])

    def audit_trail(self, table_name: str | None = None, record_key: str | None = None) -> list[dict]:
        query = select(audit).order_by(audit.c.id)
        if table_name is not None:
            query = query.where(audit.c.table_name == table_name)
        if record_key is not None:
            query = query.where(audit.c.record_key == record_key)
        return [dict(r) for r in self.read(lambda c: c.execute(query).mappings().all())]

    def close(self) -> None:
        self.engine.dispose()


def _sqlite_begin(connection) -> None:
    """Begin every transaction ourselves (SQLAlchemy's recipe for the sqlite3 driver): left to
    the driver, a SAVEPOINT before the first write opens the transaction, and releasing it
    commits, so a one-transaction import would land part by part."""
    connection.exec_driver_sql("BEGIN")


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    dbapi_connection.isolation_level = None  # the driver leaves transactions to _sqlite_begin
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=2000")  # wait up to 2 s for another writer, then say so
    # write-ahead log: readers (another console, `tasking list`) never wait for a writer, and
    # a long import blocks only other writers (kept on the file once set)
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def _schema_version(value, url: str) -> int:
    """The stored schema version, or StoreError when it is not one any console wrote."""
    try:
        version = int(value)
    except (TypeError, ValueError):
        version = 0
    if version < 1 or (version < SCHEMA_VERSION and version not in MIGRATIONS):
        raise StoreError(f"the database {url} has schema version {value!r}, which no spaceops console wrote: "
                         "it is damaged or not a spaceops database (nothing was changed)")
    return version


def _explain(url: str, error: Exception) -> str:
    text = str(getattr(error, "orig", error))
    if "not a database" in text or "malformed" in text:
        return (f"the database {url} is not a SQLite database, or is damaged ({text}); nothing was changed: "
                "open another with --database, or move this file away")
    if "locked" in text:
        return f"the database {url} is locked by another program; try again in a moment (nothing was changed)"
    if "unable to open" in text or "no such" in text or "readonly" in text:
        return f"the database {url} cannot be used ({text}); nothing was changed"
    return f"database error on {url}: {text}"

"""A console's live link to its floor: ``FloorFeed`` listens on the change channel from a
connection of its own (a thread), hands each change (table, id, version, sequence; never
content) to the console, which re-reads the record through its own row-level-secured login,
and survives a dropped connection or a server restart: it reconnects with back-off, then
catches up from the ``changes`` table so that nothing committed while it was away is missed,
and says how long it was offline.

Sequence numbers are taken when a change is made, not when it commits, so a change with a
lower number can commit after one with a higher number. Catch-up therefore re-reads a margin
below the highest number seen and drops what was already delivered.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Callable

from sqlalchemy.engine import make_url

from app.storage.floor import CHANGES_CHANNEL, CONSOLE_APPLICATION_NAME

log = logging.getLogger(__name__)

CATCH_UP_MARGIN = 500  # sequence numbers re-read below the highest seen (changes that committed late)
_REMEMBERED = 20_000  # delivered sequence numbers kept to drop repeats
RETRY_DELAYS_S = (0.2, 0.5, 1.0, 2.0, 5.0)


@dataclass(frozen=True)
class Change:
    table: str
    record_key: str
    version: int | None
    seq: int
    action: str  # insert, update, delete


@dataclass(frozen=True)
class FeedStatus:
    """``state``: connecting, live, offline. ``offline_s`` and ``caught_up``: after a
    reconnection, how long the feed was away and how many changes it caught up."""

    state: str
    since_monotonic: float
    message: str = ""
    offline_s: float = 0.0
    caught_up: int = 0


def connection_arguments(url: str, password: str | None = None) -> dict:
    """psycopg keyword arguments for a SQLAlchemy PostgreSQL URL (host, socket folder, login,
    database), plus the password from a file, never from the URL."""
    parsed = make_url(url)
    arguments = {"dbname": parsed.database, "user": parsed.username, "host": parsed.host, "port": parsed.port,
                 "password": password or parsed.password}
    for key, value in parsed.query.items():
        arguments[key] = value if isinstance(value, str) else value[-1]
    return {key: value for key, value in arguments.items() if value not in (None, "")}


def parse_notification(payload: str) -> Change | None:
    try:
        item = json.loads(payload)
        return Change(str(item["table"]), str(item["id"]), item.get("version"), int(item["seq"]),
                      str(item.get("action", "update")))
    except (ValueError, KeyError, TypeError):
        log.warning("floor feed: an unreadable notification was ignored: %.200s", payload)
        return None


class FloorFeed:
    """``on_changes(list[Change])`` and ``on_status(FeedStatus)`` are called on the feed's
    own thread: a Qt console forwards them through signals."""

    def __init__(self, url: str, password: str | None, on_changes: Callable[[list[Change]], None],
                 on_status: Callable[[FeedStatus], None] | None = None, batch_s: float = 0.05,
                 application_name: str = CONSOLE_APPLICATION_NAME):
        self._arguments = {**connection_arguments(url, password), "application_name": application_name}
        self._on_changes = on_changes
        self._on_status = on_status or (lambda status: None)
        self._batch_s = batch_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._connection = None
        self._last_seq: int | None = None  # None until the first connection: start from "now"
        self._delivered: set[int] = set()
        self._delivered_order: deque[int] = deque()
        self.status = FeedStatus("connecting", time.monotonic())
        self.live = threading.Event()

    # --- life ---------------------------------------------------------------------------
    def start(self) -> "FloorFeed":
        self._thread = threading.Thread(target=self._run, name="floor-feed", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout_s: float = 5.0) -> None:
        self._stop.set()  # the thread sees it within half a second (its wait for notifications)
        if self._thread is not None:
            self._thread.join(timeout_s)

    @property
    def backend_pid(self) -> int | None:
        connection = self._connection
        return connection.info.backend_pid if connection is not None and not connection.closed else None

    # --- the thread ---------------------------------------------------------------------
    def _run(self) -> None:
        offline_since: float | None = None
        attempt = 0
        while not self._stop.is_set():
            try:
                self._connect_and_listen(offline_since)
                offline_since, attempt = None, 0
            except Exception as error:  # psycopg.OperationalError and friends: the link is down
                if self._stop.is_set():
                    break
                self.live.clear()
                if offline_since is None:
                    offline_since = time.monotonic()
                    log.warning("floor feed offline: %s", str(error).strip().splitlines()[0] if str(error) else error)
                self._set_status(FeedStatus("offline", offline_since,
                                            f"offline: {_first_line(error)}; reconnecting"))
                self._stop.wait(RETRY_DELAYS_S[min(attempt, len(RETRY_DELAYS_S) - 1)])
                attempt += 1
            finally:
                self._close()
        self._close()

    def _connect_and_listen(self, offline_since: float | None) -> None:
        import psycopg

        self._connection = connection = psycopg.connect(autocommit=True, connect_timeout=5, **self._arguments)
        connection.execute(f"LISTEN {CHANGES_CHANNEL}")
        caught_up = self._catch_up(connection)
        now = time.monotonic()
        if offline_since is None:
            self._set_status(FeedStatus("live", now, "live"))
        else:
            offline_s = now - offline_since
            self._set_status(FeedStatus("live", now, f"reconnected after {offline_s:.0f} s offline; "
                                                     f"caught up {caught_up} change(s)", offline_s, caught_up))
        self.live.set()
        while not self._stop.is_set():
            batch = self._receive(connection, timeout_s=0.5, most=1)  # wait for the first
            if batch:  # then gather what arrives with it, and hand them over together
                self._deliver(batch + self._receive(connection, self._batch_s, most=1000))

    @staticmethod
    def _receive(connection, timeout_s: float, most: int) -> list[Change]:
        received = [parse_notification(n.payload) for n in connection.notifies(timeout=timeout_s, stop_after=most)]
        return [change for change in received if change is not None]

    def _catch_up(self, connection) -> int:
        if self._last_seq is None:
            # the console read everything committed before now: remember those as delivered
            self._last_seq = connection.execute("SELECT coalesce(max(seq), 0) FROM changes").fetchone()[0]
            for (seq,) in connection.execute("SELECT seq FROM changes WHERE seq > %s",
                                             (self._last_seq - CATCH_UP_MARGIN,)).fetchall():
                self._remember(seq)
            return 0
        rows = connection.execute(
            "SELECT table_name, record_key, version, seq, action FROM changes WHERE seq > %s ORDER BY seq",
            (max(0, self._last_seq - CATCH_UP_MARGIN),)).fetchall()
        return self._deliver([Change(table, key, version, seq, action) for table, key, version, seq, action in rows])

    def _deliver(self, changes: list[Change]) -> int:
        fresh = []
        for change in changes:
            if change.seq in self._delivered:
                continue
            if self._last_seq is not None and change.seq <= self._last_seq - CATCH_UP_MARGIN:
                continue  # older than anything a catch-up reads: already handled before
            self._remember(change.seq)
            fresh.append(change)
            self._last_seq = max(self._last_seq or 0, change.seq)
        if fresh:
            try:
                self._on_changes(fresh)
            except Exception:  # the console's handler: never let it stop the feed
                log.exception("floor feed: a change handler failed")
        return len(fresh)

    def _remember(self, seq: int) -> None:
        self._delivered.add(seq)
        self._delivered_order.append(seq)
        while len(self._delivered_order) > _REMEMBERED:
            self._delivered.discard(self._delivered_order.popleft())

    def _set_status(self, status: FeedStatus) -> None:
        self.status = status
        try:
            self._on_status(status)
        except Exception:
            log.exception("floor feed: a status handler failed")

    def _close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                connection.close()
            except Exception:
                pass


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__

"""A follower's link to its class: a thread that hands over the class's newest state each
time there is a newer one.

On a floor (PostgreSQL) it LISTENs on ``CLASS_CHANNEL`` from a connection of its own and
reads the newest state when its class is announced; a dropped connection is retried with
``FloorFeed``'s back-off and, once back, it reads the newest state, so a follower catches
up with whatever it missed (only the newest matters). A single seat (SQLite) has no
announcements: the link reads the newest state every ``POLL_S`` seconds.
"""

from __future__ import annotations

import json
import logging
import threading
from typing import Callable

from app.classroom.class_records import ClassRecords, Published
from app.storage import CLASS_CHANNEL, CONSOLE_APPLICATION_NAME, RETRY_DELAYS_S, connection_arguments

log = logging.getLogger(__name__)

POLL_S = 0.2  # SQLite: how often the newest state is read
LISTEN_WAIT_S = 0.5  # PostgreSQL: the longest wait for a notification before checking for stop


class ClassLink:
    """``on_state(Published)`` is called on the link's thread, newest first: a state is
    never handed over twice, nor after a newer one."""

    def __init__(self, records: ClassRecords, class_name: str, on_state: Callable[[Published], None]):
        self.records, self.class_name, self._on_state = records, class_name, on_state
        self.last_seq = 0
        self.reconnections = 0  # times the link came back after losing its connection
        self.live = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._connection = None

    def start(self) -> "ClassLink":
        target = self._listen if self.records.is_postgresql else self._poll
        self._thread = threading.Thread(target=target, name=f"class-link-{self.class_name}", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout_s: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout_s)

    @property
    def backend_pid(self) -> int | None:
        connection = self._connection
        return connection.info.backend_pid if connection is not None and not connection.closed else None

    def _catch_up(self) -> None:
        published = self.records.newest(self.class_name, self.last_seq)
        if published is None:
            return
        self.last_seq = published.seq
        try:
            self._on_state(published)
        except Exception:  # the follower's handler: never let it stop the link
            log.exception("class link: a state handler failed")

    def _poll(self) -> None:
        self.live.set()
        while not self._stop.is_set():
            try:
                self._catch_up()
            except Exception as error:  # a locked or vanished database: say so, keep trying
                log.warning("class link: %s", error)
            self._stop.wait(POLL_S)

    def _listen(self) -> None:
        attempt, dropped = 0, False
        while not self._stop.is_set():
            try:
                self._connect_and_listen(dropped)
                attempt = 0
            except Exception as error:  # psycopg.OperationalError and friends: the link is down
                if self._stop.is_set():
                    break
                self.live.clear()
                if not dropped:
                    log.warning("class link offline: %s", str(error).strip().splitlines()[0] if str(error) else error)
                dropped = True
                self._stop.wait(RETRY_DELAYS_S[min(attempt, len(RETRY_DELAYS_S) - 1)])
                attempt += 1
            finally:
                self._close()

    def _connect_and_listen(self, dropped: bool) -> None:
        import psycopg

        arguments = connection_arguments(self.records.url, self.records.password)
        self._connection = connection = psycopg.connect(autocommit=True, connect_timeout=5,
                                                        application_name=CONSOLE_APPLICATION_NAME, **arguments)
        connection.execute(f"LISTEN {CLASS_CHANNEL}")
        self._catch_up()  # what was published before, or while the link was down
        if dropped:
            self.reconnections += 1
        self.live.set()
        while not self._stop.is_set():
            heard = [n.payload for n in connection.notifies(timeout=LISTEN_WAIT_S, stop_after=1)]
            if any(self._concerns_us(payload) for payload in heard):
                self._catch_up()

    def _concerns_us(self, payload: str) -> bool:
        try:
            item = json.loads(payload)
            return item["class"] == self.class_name and int(item["seq"]) > self.last_seq
        except (ValueError, KeyError, TypeError):
            log.warning("class link: an unreadable notification was ignored: %.200s", payload)
            return False

    def _close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                connection.close()
            except Exception:
                pass


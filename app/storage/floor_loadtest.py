"""``spaceops floor loadtest``: N simulated consoles on a real floor, each with logins of its
own, a listening ``FloorFeed`` and a writer connection, make M updates between them; every
console must hear every update (its own included) and end on the versions it re-reads
through its own login. The figures come from real notifications through the real server.

Only for a floor on this machine (loopback or a local socket): the run creates temporary
logins (``spaceops_load_<tag>_<NN>``) and EXERCISE watch pairs, and removes them afterwards,
Ctrl-C included. A floor administrator's URL is needed (a superuser, or a floor_admin login).
"""

from __future__ import annotations

import math
import os
import secrets
import threading
import time
from dataclasses import dataclass, field, replace
from typing import Callable

from sqlalchemy import delete
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from app.storage.database import Database, now_utc
from app.storage.floor import FloorError, add_operator
from app.storage.floor_feed import Change, FloorFeed, connection_arguments
from app.storage.schema import operators

APPLICATION_NAME = "spaceops-loadtest"  # feeds too: the load is not shown as consoles on the floor
LOGIN_PREFIX = "spaceops_load_"
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")
LIVE_TIMEOUT_S = 20.0  # for every feed to be listening
STRAGGLERS_S = 5.0  # after the last update, for the last notifications
NATION, ROLE, CLEARANCE = "GBR", "watch_officer", "SECRET"
PAIR_PRIMARY_BASE = 900_000  # beyond the catalog's numbers (alpha-5 ends at 339 999)

Key = tuple[int, int]  # (pair id, version)


class LoadtestRefused(ValueError):
    """Not run: the arguments or the URL (a usage error; nothing was connected)."""


@dataclass(frozen=True)
class LoadtestResult:
    consoles: int
    updates: int
    converged: int
    lost: int
    p50_ms: float | None
    p99_ms: float | None
    p_max_ms: float | None = None
    seconds: float = 0.0  # the pace asked for
    writing_s: float = 0.0  # from the start to the last update committed
    cleaned_up: bool = True

    @property
    def passed(self) -> bool:
        return self.converged == self.consoles and self.lost == 0

    def as_json(self) -> dict:
        rate = self.updates / self.writing_s if self.writing_s > 0 else None
        return {"consoles": self.consoles, "updates": self.updates, "converged": self.converged, "lost": self.lost,
                "p50_ms": self.p50_ms, "p99_ms": self.p99_ms, "p_max_ms": self.p_max_ms, "seconds": self.seconds,
                "writing_s": round(self.writing_s, 3), "updates_per_s": None if rate is None else round(rate, 1),
                "cleaned_up": self.cleaned_up}


# --- pure arithmetic ---------------------------------------------------------------------
def percentile(values: list[float], fraction: float) -> float | None:
    """Nearest rank: the smallest value with at least ``fraction`` of the values at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered), max(1, math.ceil(fraction * len(ordered)))) - 1]


def tally(expected: list[Key], sent_s: dict[Key, float], arrived_s: list[dict[Key, float]],
          heard: list[dict[int, int]], final: list[dict[int, int]], pair_ids: list[int]
          ) -> tuple[int, int, list[float]]:
    """(lost, converged, latencies in s). Each console must hear every expected update (lost:
    those it did not, or that were never sent); it converged when the newest version it heard
    of every pair is the version its own login reads at the end."""
    lost, latencies_s = 0, []
    for arrived in arrived_s:
        for key in expected:
            if key in arrived and key in sent_s:
                latencies_s.append(arrived[key] - sent_s[key])
            else:
                lost += 1
    converged = sum(1 for newest, read in zip(heard, final)
                    if set(read) == set(pair_ids) and all(newest.get(i) == read[i] for i in pair_ids))
    return lost, converged, latencies_s


def plan(consoles: int, updates: int, seconds: float) -> list[list[tuple[float, int]]]:
    """Each console's (due after the start in s, version) updates: round-robin, evenly paced;
    a console's pair starts at version 1."""
    plans: list[list[tuple[float, int]]] = [[] for _ in range(consoles)]
    for number in range(updates):
        plans[number % consoles].append((number * seconds / updates, 2 + number // consoles))
    return plans


def require_local(url: str) -> None:
    """Refuse (LoadtestRefused) a URL whose server is not on this machine."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise LoadtestRefused(f"{url!r} is not a database URL") from None
    if not parsed.drivername.startswith("postgresql"):
        raise LoadtestRefused(f"a load test needs a PostgreSQL floor (postgresql+psycopg://...), not {url!r}")
    hosts = [parsed.host or ""]
    for key in ("host", "hostaddr"):
        value = parsed.query.get(key)
        for item in ([value] if isinstance(value, str) else list(value or ())):
            hosts.extend(item.split(","))
    if not any(hosts):  # no host in the URL: libpq's environment decides
        hosts = [os.environ.get("PGHOSTADDR") or os.environ.get("PGHOST", "")]
    remote = [h for h in hosts if h and not h.startswith(("/", "@")) and h.lower() not in LOCAL_HOSTS]
    if remote:
        raise LoadtestRefused(f"a load test runs only against a floor on this machine (loopback or a local "
                              f"socket), not {', '.join(remote)}")


# --- the run -----------------------------------------------------------------------------
@dataclass
class _Console:
    login: str
    password: str
    url: str
    feed: FloorFeed | None = None
    writer: object | None = None  # psycopg.Connection on its own login
    pair_id: int | None = None
    plan: list[tuple[float, int]] = field(default_factory=list)
    sent_s: dict[Key, float] = field(default_factory=dict)  # written by its writer thread only
    arrived_s: dict[Key, float] = field(default_factory=dict)  # first arrival, monotonic
    newest: dict[int, int] = field(default_factory=dict)  # pair id -> newest version heard
    done_s: float = 0.0  # its last update committed, monotonic
    error: Exception | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def hear(self, changes: list[Change]) -> None:  # on the feed's thread
        now_s = time.monotonic()
        with self.lock:
            for change in changes:
                if change.table != "watch_pairs" or change.action == "delete" or change.version is None:
                    continue
                key = (int(change.record_key), int(change.version))
                self.arrived_s.setdefault(key, now_s)
                self.newest[key[0]] = max(self.newest.get(key[0], 0), key[1])

    def heard_all(self, keys: set[Key]) -> bool:
        with self.lock:
            return keys.issubset(self.arrived_s)

    def write(self, start_s: float, stop: threading.Event) -> None:  # the writer thread
        try:
            for due_s, version in self.plan:
                if stop.wait(max(0.0, start_s + due_s - time.monotonic())):  # behind schedule: no wait
                    return  # stopped
                self.sent_s[(self.pair_id, version)] = time.monotonic()
                done = self.writer.execute(
                    "UPDATE watch_pairs SET version = %s, caution_km = %s, updated_utc = %s "
                    "WHERE id = %s AND version = %s", (version, 25.0 + version % 50, now_utc(), self.pair_id,
                                                        version - 1))
                if done.rowcount != 1:
                    raise FloorError(f"{self.login}: pair {self.pair_id} was not at version {version - 1}")
                self.done_s = time.monotonic()
        except Exception as error:  # reported by the main thread
            self.error = error


def run_loadtest(admin_url: str, consoles: int, updates: int, seconds: float = 10.0,
                 password: str | None = None, note: Callable[[str], None] = lambda line: None) -> LoadtestResult:
    """Run the load test on the floor at ``admin_url`` (an administrator's, on this machine)."""
    if consoles < 1 or updates < 1 or not seconds > 0:
        raise LoadtestRefused("consoles and updates: at least 1; seconds: above 0")
    require_local(admin_url)
    import psycopg

    try:
        admin = psycopg.connect(autocommit=True, connect_timeout=5, application_name=APPLICATION_NAME,
                                **connection_arguments(admin_url, password))
    except psycopg.Error as error:
        raise FloorError(f"cannot connect to {admin_url}: {_first_line(error)}") from None
    try:
        run = _Run(admin, admin_url, password, _check_floor(admin, admin_url, consoles), note)
        try:
            result = run.go(consoles, updates, seconds)
        finally:
            cleaned_up = run.clean_up()
        return replace(result, cleaned_up=cleaned_up)
    except psycopg.Error as error:
        raise FloorError(f"load test on {admin_url}: {_first_line(error)}") from None
    finally:
        admin.close()


def _check_floor(admin, url: str, consoles: int) -> bool:
    """Whether the login is a superuser; refuse a database that is no floor, a login that may not
    add operators, and a server without connections enough."""
    initialised = admin.execute(
        "SELECT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = 'spaceops_note_change' "
        "AND tgrelid = to_regclass('public.watch_pairs')) AND to_regclass('public.changes') IS NOT NULL").fetchone()[0]
    if not initialised:
        raise FloorError(f"{url} is not a floor yet: run 'spaceops floor init --database URL' first")
    superuser, create_role = admin.execute(
        "SELECT rolsuper, rolcreaterole FROM pg_roles WHERE rolname = current_user").fetchone()
    if not (superuser or create_role):
        raise FloorError("a load test creates temporary logins: run it with the floor administrator's URL "
                         "(a superuser or a floor_admin login)")
    free = admin.execute(
        "SELECT current_setting('max_connections')::int - current_setting('superuser_reserved_connections')::int "
        "- (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend')").fetchone()[0]
    needed = 2 * consoles + 2  # a feed and a writer each; the set-up's own
    if free < needed:
        raise FloorError(f"the server has {free} connection(s) free; {consoles} consoles need {needed}: "
                         "fewer --consoles, or a larger max_connections")
    return bool(superuser)


class _Run:
    def __init__(self, admin, admin_url: str, password: str | None, superuser: bool, note: Callable[[str], None]):
        self.admin, self.admin_url, self.password, self.superuser, self.note = (admin, admin_url, password,
                                                                                 superuser, note)
        self.consoles: list[_Console] = []
        self.writers: list[threading.Thread] = []
        self.stop = threading.Event()

    def go(self, count: int, updates: int, seconds: float) -> LoadtestResult:
        import psycopg

        tag = secrets.token_hex(3)
        for index in range(count):  # listed before it exists: the clean-up drops what was made
            login = f"{LOGIN_PREFIX}{tag}_{index:02d}"
            url = make_url(self.admin_url).set(username=login, password=None).render_as_string(hide_password=False)
            console = _Console(login, secrets.token_urlsafe(18), url)
            self.consoles.append(console)
            add_operator(self.admin_url, login, NATION, (ROLE,), CLEARANCE, console.password, self.password)
        self.note(f"loadtest: {count} temporary logins {LOGIN_PREFIX}{tag}_NN")
        for console in self.consoles:
            console.writer = psycopg.connect(autocommit=True, connect_timeout=5, application_name=APPLICATION_NAME,
                                             **connection_arguments(console.url, console.password))
            console.feed = FloorFeed(console.url, console.password, console.hear,
                                     application_name=APPLICATION_NAME).start()
        deadline_s = time.monotonic() + LIVE_TIMEOUT_S
        for console in self.consoles:
            if not console.feed.live.wait(max(0.0, deadline_s - time.monotonic())):
                raise FloorError(f"{console.login}'s feed is not live after {LIVE_TIMEOUT_S:.0f} s: "
                                 f"{console.feed.status.message}")
        secondary = int(tag, 16)
        for index, console in enumerate(self.consoles):
            console.pair_id = console.writer.execute(
                "INSERT INTO watch_pairs (primary_id, secondary_id, caution_km, warning_km, notes, classification, "
                "releasability, data_mode, version, updated_utc, updated_by, nation) "
                "VALUES (%s, %s, 25, 5, 'loadtest', 'UNCLASSIFIED', '', 'EXERCISE', 1, %s, '', %s) RETURNING id",
                (PAIR_PRIMARY_BASE + index, secondary, now_utc(), NATION)).fetchone()[0]
        pair_ids = [console.pair_id for console in self.consoles]
        expected: list[Key] = []
        for console, schedule in zip(self.consoles, plan(count, updates, seconds)):
            console.plan = schedule
            expected.extend((console.pair_id, version) for _, version in schedule)
        self.note(f"loadtest: {count} consoles live; {updates} updates over {seconds:g} s")

        start_s = time.monotonic() + 0.05
        self.writers = [threading.Thread(target=c.write, args=(start_s, self.stop), name=f"loadtest-{c.login}",
                                         daemon=True) for c in self.consoles]
        for thread in self.writers:
            thread.start()
        for thread in self.writers:
            thread.join()
        failed = next((c for c in self.consoles if c.error is not None), None)
        if failed is not None:
            raise FloorError(f"{failed.login} could not write: {_first_line(failed.error)}")
        sent_s = {key: at for console in self.consoles for key, at in console.sent_s.items()}
        writing_s = max(c.done_s for c in self.consoles) - start_s

        awaited = set(expected) | {(i, 1) for i in pair_ids}
        deadline_s = time.monotonic() + STRAGGLERS_S
        while time.monotonic() < deadline_s and not all(c.heard_all(awaited) for c in self.consoles):
            time.sleep(0.02)
        final = [dict(c.writer.execute("SELECT id, version FROM watch_pairs WHERE id = ANY(%s)",
                                       (pair_ids,)).fetchall()) for c in self.consoles]
        arrived, heard = [], []
        for console in self.consoles:
            with console.lock:
                arrived.append(dict(console.arrived_s))
                heard.append(dict(console.newest))
        lost, converged, latencies_s = tally(expected, sent_s, arrived, heard, final, pair_ids)
        p50, p99, p_max = (percentile(latencies_s, f) for f in (0.50, 0.99, 1.0))
        return LoadtestResult(count, updates, converged, lost, _ms(p50), _ms(p99), _ms(p_max), seconds, writing_s)

    def clean_up(self) -> bool:
        """Stop, close, and remove the pairs, their change rows (but the deletions: a console
        catching up still learns they went), the roster entries and the logins. Whether all went."""
        self.stop.set()
        for thread in self.writers:
            thread.join(5.0)
        feeds = [c.feed for c in self.consoles if c.feed is not None]
        for feed in feeds:
            feed.stop(timeout_s=0)  # all told at once, then waited for
        for feed in feeds:
            feed.stop()
        clean = True
        pair_ids = [c.pair_id for c in self.consoles if c.pair_id is not None]
        left = []  # pairs a console could not remove through its own login
        for console in self.consoles:
            try:
                if console.pair_id is not None:
                    console.writer.execute("DELETE FROM watch_pairs WHERE id = %s", (console.pair_id,))
            except Exception:  # a broken writer: the administrator tries below
                left.append(console.pair_id)
            if console.writer is not None:
                console.writer.close()
        if left:  # a superuser can; a floor_admin may not delete watch pairs
            clean &= self._admin_step("remove the loadtest pairs", "DELETE FROM watch_pairs WHERE id = ANY(%s)",
                                      left, check="SELECT count(*) FROM watch_pairs WHERE id = ANY(%s)")
        if self.superuser and pair_ids:  # the change rows: only a superuser may delete them
            clean &= self._admin_step("remove their change rows", "DELETE FROM changes WHERE table_name = "
                                      "'watch_pairs' AND action <> 'delete' AND record_key = ANY(%s)",
                                      [str(i) for i in pair_ids])
        logins = [c.login for c in self.consoles]
        if logins:
            clean &= self._remove_operators(logins)
            for login in logins:
                clean &= self._admin_step(f"drop the login {login}", f'DROP ROLE IF EXISTS "{login}"')
        self.note("loadtest: cleaned up" if clean else "loadtest: the clean-up was incomplete (said above)")
        return clean

    def _admin_step(self, what: str, statement: str, values: list | None = None, check: str | None = None) -> bool:
        try:
            self.admin.execute(statement, (values,) if values is not None else None)
            if check and self.admin.execute(check, (values,)).fetchone()[0]:
                raise FloorError("some remain (the administrator may not see them)")
            return True
        except Exception as error:
            self.note(f"loadtest: could not {what}: {_first_line(error)}")
            return False

    def _remove_operators(self, logins: list[str]) -> bool:
        """Off the roster, audited as ``add_operator`` audits adding them."""
        try:
            database = Database(self.admin_url, None, self.password)
        except Exception as error:
            self.note(f"loadtest: could not remove the roster entries: {_first_line(error)}")
            return False
        try:
            def work(connection) -> None:
                connection.execute(delete(operators).where(operators.c.login.in_(logins)))
                for login in logins:
                    database.audit(connection, "operators", login, "delete", {"reason": "loadtest ended"})

            database.write(work)
            return True
        except Exception as error:
            self.note(f"loadtest: could not remove the roster entries: {_first_line(error)}")
            return False
        finally:
            database.close()


def _ms(value_s: float | None) -> float | None:
    return None if value_s is None else round(value_s * 1000.0, 1)


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__

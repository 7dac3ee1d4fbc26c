"""``spaceops watchlist list`` and ``spaceops events list`` as a user runs them: each login
sees only the watch pairs and events its nation and clearance allow, and every output says
its overall marking and who is looking (a PostgreSQL floor, and a single seat's roster)."""

from __future__ import annotations

import csv
import getpass
import io
import json
import sqlite3
import subprocess
import sys

from app.common.user_settings import Operator
from app.rpo.watch_pair import WatchPair
from app.storage import Store
from tests.operators import officer

SECRET_REL = "REL TO AUS, GBR, USA"


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "app", *args], capture_output=True, text=True, timeout=120)


def _json(command: str, url: str, *more: str) -> dict:
    done = _cli(command, "list", "--database", url, "--format", "json", *more)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _seed(store: Store, unclassified_releasability: str) -> tuple[WatchPair, WatchPair]:
    """A SECRET pair REL TO AUS, GBR, USA with a critical alert, an UNCLASSIFIED pair with a
    caution alert, and an unmarked message."""
    secret = store.watch_pairs.add(WatchPair(25544, 48274, classification="SECRET", releasability=SECRET_REL))
    plain = store.watch_pairs.add(WatchPair(20580, 25544, releasability=unclassified_releasability))
    store.event_log.log("2026-08-12T00:00:00.000000Z", "rpo-alert", "critical", "ISS close to CSS", secret.id)
    store.event_log.log("2026-08-12T00:01:00.000000Z", "rpo-alert", "caution", "HST near ISS", plain.id)
    store.event_log.log("2026-08-12T00:02:00.000000Z", "message", "info", "shift change")
    store.close()
    return secret, plain


def _seen(url: str) -> tuple[dict, dict]:
    pairs, events = _json("watchlist", url), _json("events", url)
    return pairs, events


def test_floor_logins_see_what_their_nation_and_clearance_allow(floor):
    secret, plain = _seed(Store(floor.url("ft_gbr_officer")), "REL TO FRA, USA")

    trainee_pairs, trainee_events = _seen(floor.url("ft_fra_trainee"))  # FRA: not in the SECRET pair's REL TO
    assert [r["id"] for r in trainee_pairs["records"]] == [plain.id]
    assert [r["message"] for r in trainee_events["records"]] == ["shift change", "HST near ISS"]
    assert trainee_pairs["marking"] == "UNCLASSIFIED//REL TO FRA, GBR, USA"
    assert trainee_pairs["listed_by"] == {"login": "ft_fra_trainee", "nation": "FRA", "clearance": "SECRET",
                                          "on_roster": True}

    low_pairs, low_events = _seen(floor.url("ft_usa_low"))  # USA, only CONFIDENTIAL
    assert [r["id"] for r in low_pairs["records"]] == [plain.id]
    assert "ISS close to CSS" not in json.dumps(low_events) and not low_pairs["marking"].startswith("SECRET")

    usa_pairs, usa_events = _seen(floor.url("ft_usa_approver"))  # USA, SECRET: released to USA
    assert [r["id"] for r in usa_pairs["records"]] == [secret.id, plain.id]
    assert usa_pairs["marking"] == "SECRET//REL TO GBR, USA"  # the nations every row is released to
    row = usa_pairs["records"][0]
    assert row["marking"] == "SECRET//REL TO AUS, GBR, USA" and row["nation"] == "GBR"
    assert (row["primary_id"], row["secondary_id"], row["version"], row["updated_by"]) == (
        25544, 48274, 1, "ft_gbr_officer")
    assert [r["message"] for r in usa_events["records"]] == ["shift change", "HST near ISS", "ISS close to CSS"]
    assert usa_events["marking"].startswith("SECRET")

    waiting = _json("events", floor.url("ft_usa_approver"), "--waiting", "--limit", "1")["records"]
    assert [(r["message"], r["waiting"]) for r in waiting] == [("HST near ISS", True)]

    text = _cli("watchlist", "list", "--database", floor.url("ft_usa_low"))
    first = text.stdout.splitlines()[0]
    assert text.returncode == 0 and first.startswith("UNCLASSIFIED") and "as ft_usa_low (USA, CONFIDENTIAL)" in first
    text = _cli("events", "list", "--database", floor.url("ft_usa_approver"))
    assert text.stdout.startswith("SECRET//REL TO GBR, USA — 3 events as ft_usa_approver (USA, SECRET)")
    assert "waiting" in text.stdout and "ISS close to CSS" in text.stdout


def test_single_seat_roster_filters_the_cli(tmp_path):
    path = tmp_path / "seat.db"
    url = f"sqlite:///{path}"
    _seed(Store(url, operator=officer("gbr_analyst", "GBR")), "")
    unmarked = Store(url, operator=Operator("nobody"))  # no nation: its pair is unmarked, everyone's
    mine = unmarked.watch_pairs.add(WatchPair(20580, 48274))
    unmarked.close()

    pairs, events = _seen(url)  # this account is not on the roster yet
    assert [r["id"] for r in pairs["records"]] == [mine.id] and pairs["marking"] == "UNCLASSIFIED"
    assert pairs["listed_by"]["on_roster"] is False
    assert [r["message"] for r in events["records"]] == ["shift change"]

    me = getpass.getuser()
    for clearance, sees_secret in (("CONFIDENTIAL", False), ("SECRET", True)):
        added = _cli("floor", "add-operator", me, "--nation", "USA", "--role", "watch_officer",
                     "--clearance", clearance, "--database", url)
        assert added.returncode == 0, added.stderr
        pairs, events = _seen(url)
        assert ("ISS close to CSS" in json.dumps(events)) is sees_secret
        assert any(r["classification"] == "SECRET" for r in pairs["records"]) is sees_secret
        assert pairs["marking"].startswith("SECRET") is sees_secret
        assert "GBR" not in {r["nation"] for r in pairs["records"] if r["classification"] == "UNCLASSIFIED"}
        waiting = _json("events", url, "--waiting", "--limit", "1")["records"]  # the newest alert is GBR's own
        assert [r["message"] for r in waiting] == (["ISS close to CSS"] if sees_secret else [])

    listed = _cli("watchlist", "list", "--database", url, "--format", "csv", "--mode", "REAL")
    first, *rest = listed.stdout.splitlines()
    assert first.startswith("# SECRET//REL TO AUS, GBR, USA — 2 watch pairs listed") and f"as {me} (USA, SECRET)" in first
    rows = list(csv.DictReader(io.StringIO("\n".join(rest))))  # an unmarked row narrows no REL TO
    assert [r["marking"] for r in rows] == ["SECRET//REL TO AUS, GBR, USA", "UNCLASSIFIED"]
    assert rows[0]["caution_km"] == "25.0" and rows[1]["id"] == str(mine.id)
    assert _json("watchlist", url, "--mode", "EXERCISE")["records"] == []


def test_missing_or_locked_database_exits_4(tmp_path):
    missing = _cli("watchlist", "list", "--database", f"sqlite:///{tmp_path / 'nowhere' / 'seat.db'}")
    assert missing.returncode == 4 and "no database" in missing.stderr and "Traceback" not in missing.stderr
    assert not (tmp_path / "nowhere").exists()  # a listing creates nothing

    url = f"sqlite:///{tmp_path / 'seat.db'}"
    Store(url, operator=officer()).close()
    holder = sqlite3.connect(tmp_path / "seat.db", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # a writer (an import) holds the database
    try:
        reading = _cli("events", "list", "--database", url)  # a reader does not wait for it (write-ahead log)
        writing = _cli("floor", "add-operator", "someone", "--nation", "GBR", "--role", "watch_officer",
                       "--database", url)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert reading.returncode == 0, reading.stderr
    assert writing.returncode == 4 and "locked" in writing.stderr and "Traceback" not in writing.stderr

    no_password = _cli("events", "list", "--database", url, "--connect-password-file", str(tmp_path / "absent"))
    assert no_password.returncode == 2 and "Traceback" not in no_password.stderr
    assert _cli("events", "list", "--database", url, "--limit", "0").returncode == 2

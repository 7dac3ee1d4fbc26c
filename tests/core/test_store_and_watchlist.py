"""The store (transactions, audit, versions, refusals) and the watchlist's status rules."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import update

from app.conjunction.closest_approach import Approach
from app.live.engine import propagate
from app.rpo.watch_pair import WatchPair
from app.rpo.watchlist import AlertTracker, evaluate, next_approach, pair_status
from app.storage import StaleEdit, Store, StoreError
from app.storage.schema import SCHEMA_VERSION, schema_info
from tests.operators import officer

START = datetime(2026, 8, 12, tzinfo=timezone.utc)


@pytest.fixture
def store(database_url):
    """The same tests on SQLite and on a real PostgreSQL server."""
    s = Store(database_url, operator=officer("officer1"))
    yield s
    s.close()


def test_pairs_persist_with_audit(store, database_url):
    pair = store.watch_pairs.add(WatchPair(25544, 20580, caution_km=50, warning_km=10, notes="test",
                                                 classification="SECRET", releasability="REL TO AUS, GBR, USA"))
    assert pair.id and pair.version == 1 and pair.updated_by == "officer1"
    again = Store(database_url, operator=officer("officer2"))
    (loaded,) = again.watch_pairs.all()
    assert loaded == pair
    assert [(a["action"], a["user"]) for a in again.audit_trail()] == [("insert", "officer1")]
    with pytest.raises(StoreError, match="already on the REAL watchlist"):
        store.watch_pairs.add(WatchPair(25544, 20580))


def test_concurrent_edits_are_refused(store, database_url):
    pair = store.watch_pairs.add(WatchPair(25544, 20580))
    other = Store(database_url, operator=officer("officer2"))
    theirs = other.watch_pairs.update(replace(other.watch_pairs.get(pair.id), caution_km=80.0))
    with pytest.raises(StaleEdit) as raised:
        store.watch_pairs.update(replace(pair, notes="my edit on an old version"))
    assert raised.value.current == theirs and raised.value.current.caution_km == 80.0
    assert store.watch_pairs.get(pair.id).notes == ""  # nothing of the stale edit landed
    with pytest.raises(StaleEdit):
        store.watch_pairs.remove(pair)
    store.watch_pairs.remove(theirs)
    assert store.watch_pairs.all() == []


@pytest.mark.parametrize("change, field", [(dict(secondary_id=25544), "secondary"), (dict(warning_km=60.0), "warning_km"),
                                           (dict(data_mode="PRETEND"), "data_mode"), (dict(classification=" "), "classification")])
def test_impossible_pairs_refused(store, change, field):
    with pytest.raises(ValueError, match=field):
        store.watch_pairs.add(replace(WatchPair(25544, 20580), **change))
    assert store.watch_pairs.all() == []


def test_events_and_acknowledgement(store):
    event_id = store.event_log.log("2026-08-12T00:00:00.000000Z", "alert", "critical", "too close")
    assert store.event_log.recent(unacknowledged_only=True)[0]["id"] == event_id
    store.event_log.acknowledge(event_id)
    assert store.event_log.recent(unacknowledged_only=True) == []
    assert store.event_log.recent()[0]["acknowledged_by"] == "officer1"


def test_consoles_sharing_a_database_raise_one_alert_per_change(store, database_url):
    """Seen in a class: the instructor's and each trainee's console play the same scenario on
    one database, and every one of them logged its injects and the pair's alerts (two critical
    alerts, one still waiting after the trainee acknowledged). One event per cause."""
    pair = store.watch_pairs.add(WatchPair(30794, 99001, data_mode="EXERCISE"))
    other = Store(database_url, operator=officer("officer2"))
    first = store.event_log.log("2026-08-13T00:57:45Z", "rpo-alert", "critical", "caution -> critical", pair.id,
                                data_mode="EXERCISE")
    again = other.event_log.log("2026-08-13T00:57:52Z", "rpo-alert", "critical", "caution -> critical", pair.id,
                                data_mode="EXERCISE")
    assert again == first and len(store.event_log.recent()) == 1
    later = other.event_log.log("2026-08-14T00:00:00Z", "rpo-alert", "normal", "critical -> normal", pair.id,
                                data_mode="EXERCISE")
    assert later != first  # a new change is a new alert
    inject = {"sim_utc": "2026-08-13T00:56:00Z", "kind": "inject", "severity": "info", "message": "99001 burns"}
    assert store.event_log.log_many([inject], data_mode="EXERCISE") == 1
    assert other.event_log.log_many([inject, {**inject, "message": "another"}], data_mode="EXERCISE") == 1
    assert [e["message"] for e in store.event_log.recent()].count("99001 burns") == 1
    other.close()


def test_newer_database_refused(database_url):
    first = Store(database_url)
    with first.database.engine.begin() as connection:
        connection.execute(update(schema_info).values(version=SCHEMA_VERSION + 1))
    with pytest.raises(StoreError, match="newer than this console"):
        Store(database_url)
    first.close()


def test_schema_1_database_is_migrated_with_its_data(tmp_path, data_dir):
    """A database written by the first release (schema 1: pairs, events, audit) opens,
    keeps everything, and gains the tasking table and the audit's nation and role."""
    import shutil


    shutil.copy(data_dir / "spaceops_v1.db", tmp_path / "old.db")
    store = Store(f"sqlite:///{tmp_path / 'old.db'}", operator=officer("officer1"))
    (pair,) = store.watch_pairs.all()
    assert (pair.primary_id, pair.secondary_id, pair.notes) == (25544, 48274, "ISS vs CSS")
    assert store.event_log.recent()[0]["message"] == "ISS pair inside caution range"
    assert [a["action"] for a in store.audit_trail()] == ["insert", "insert"]
    assert store.tasking.requests() == []
    with store.database.engine.connect() as connection:
        assert connection.execute(schema_info.select()).scalar() == SCHEMA_VERSION == 6
    store.event_log.log("2026-08-12T01:00:00Z", "note", "normal", "after the migration")
    assert store.audit_trail()[-1]["nation"] == "GBR"


def test_schema_2_database_is_migrated_with_its_data(tmp_path, data_dir):
    """A database written by the release before shelving (schema 2: a pair, an alert, a
    message, a tasking request) opens with all of it, and its alert can be shelved."""
    import shutil

    shutil.copy(data_dir / "spaceops_v2.db", tmp_path / "old.db")
    store = Store(f"sqlite:///{tmp_path / 'old.db'}", operator=officer("officer2"))
    (pair,) = store.watch_pairs.all()
    assert (pair.primary_id, pair.secondary_id, pair.notes) == (25544, 20580, "ISS and HST")
    message, alert = store.event_log.recent()
    assert alert["severity"] == "critical" and alert["shelved_until_utc"] is None
    (request,) = store.tasking.requests()
    assert (request.id, request.justification) == ("TR-GBR-V2000001", "schema 2 fixture")
    assert len(store.audit_trail()) == 4
    with store.database.engine.connect() as connection:
        assert connection.execute(schema_info.select()).scalar() == SCHEMA_VERSION == 6
    store.event_log.shelve(alert["id"], 15, "known: HST pass, briefed")
    assert store.event_log.recent()[1]["shelved_by"] == "officer2"


def test_schema_3_database_is_migrated_and_marked(tmp_path, data_dir):
    """A database written before the floor (schema 3) opens with all of it; its pair's alert
    takes the pair's marking, so the migration widens nothing: a French officer, or a British
    one cleared only to CONFIDENTIAL, sees the message and nothing else."""
    import shutil

    shutil.copy(data_dir / "spaceops_v3.db", tmp_path / "old.db")
    url = f"sqlite:///{tmp_path / 'old.db'}"
    store = Store(url, operator=officer("officer4", "GBR"))
    (pair,) = store.watch_pairs.all()
    assert (pair.notes, pair.classification, pair.nation) == ("schema 3 pair", "SECRET", "")
    message, alert = store.event_log.recent()
    assert (alert["classification"], alert["releasability"]) == ("SECRET", "REL TO AUS, GBR, USA")
    assert store.tasking.get("TR-GBR-V3000001").justification == "schema 3 fixture"
    with store.database.engine.connect() as connection:
        assert connection.execute(schema_info.select()).scalar() == SCHEMA_VERSION == 6
    for outsider in (officer("fra", "FRA"), officer("low", "GBR", "CONFIDENTIAL")):
        other = Store(url, operator=outsider)
        assert other.watch_pairs.all() == [] and other.tasking.requests() == []
        assert [e["message"] for e in other.event_log.recent()] == ["shift change"]
        with pytest.raises(StoreError, match="no event"):
            other.event_log.acknowledge(alert["id"])
    usa = Store(url, operator=officer("usa", "USA"))
    assert [r.id for r in usa.tasking.requests()] == ["TR-GBR-V3000001"] and len(usa.watch_pairs.all()) == 1


def test_shelved_alert_leaves_the_waiting_count_and_comes_back(store):
    """Shelving is audited, needs a reason and one of the offered spans, and lasts only its span."""
    from app.common.marking import is_waiting

    alert_id = store.event_log.log("2026-08-12T00:00:00.000000Z", "rpo-alert", "critical", "too close", None)
    note_id = store.event_log.log("2026-08-12T00:00:00.000000Z", "message", "normal", "shift change")
    with pytest.raises(ValueError, match="shelve minutes"):
        store.event_log.shelve(alert_id, 10, "because")
    with pytest.raises(ValueError, match="shelve reason"):
        store.event_log.shelve(alert_id, 5, "  ")
    with pytest.raises(StoreError, match="not an alert"):
        store.event_log.shelve(note_id, 5, "noise")
    before = datetime.now(timezone.utc)
    until = store.event_log.shelve(alert_id, 5, "sensor recalibrating")
    shelved = next(e for e in store.event_log.recent() if e["id"] == alert_id)
    assert shelved["shelve_reason"] == "sensor recalibrating" and shelved["shelved_until_utc"] == until
    assert timedelta(minutes=4.9) < datetime.fromisoformat(until.replace("Z", "+00:00")) - before < timedelta(minutes=5.1)
    assert not is_waiting(shelved, (before + timedelta(minutes=4)).strftime("%Y-%m-%dT%H:%M:%S.%fZ"))
    assert is_waiting(shelved, (before + timedelta(minutes=6)).strftime("%Y-%m-%dT%H:%M:%S.%fZ"))
    (audit_row,) = [a for a in store.audit_trail("events") if a["action"] == "shelve"]
    assert audit_row["user"] == "officer1" and "sensor recalibrating" in audit_row["data"]
    store.event_log.acknowledge(alert_id)
    with pytest.raises(StoreError, match="acknowledged by officer1"):
        store.event_log.shelve(alert_id, 5, "too late")


def test_locked_database_explained(tmp_path):
    url = f"sqlite:///{tmp_path / 'ops.db'}"
    first = Store(url)
    first.watch_pairs.add(WatchPair(1, 2))
    blocker = sqlite3.connect(tmp_path / "ops.db", timeout=0)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StoreError, match="locked"):
            first.watch_pairs.add(WatchPair(3, 4))
    finally:
        blocker.rollback()
        blocker.close()
    assert [(p.primary_id, p.secondary_id) for p in first.watch_pairs.all()] == [(1, 2)]  # nothing lost


def test_database_that_cannot_be_reached(tmp_path):
    (tmp_path / "a_file").write_text("not a directory")
    with pytest.raises(StoreError, match="cannot be used"):
        Store(f"sqlite:///{tmp_path / 'a_file' / 'ops.db'}")


def _approach(miss, hours_ahead):
    return Approach(1, 2, START + timedelta(hours=hours_ahead), miss, 0.5, (0.0, miss, 0.0))


@pytest.mark.parametrize("range_km, rate, miss, hours, expected", [
    (100.0, 0.0, 60.0, 10, "normal"),
    (20.0, 0.0, 60.0, 10, "caution"),
    (100.0, 0.0, 20.0, 10, "caution"),
    (100.0, 0.0, 3.0, 48, "serious"),
    (20.0, -0.5, 60.0, 10, "serious"),  # closing faster than 0.1 km/s inside caution
    (100.0, 0.0, 3.0, 10, "critical"),
    (4.0, 0.0, 60.0, 10, "critical"),
])
def test_status_rules(range_km, rate, miss, hours, expected):
    pair = WatchPair(1, 2, caution_km=25.0, warning_km=5.0, closing_speed_km_s=0.1, id=1)
    status, reason = pair_status(pair, range_km, rate, _approach(miss, hours), hours * 3600.0)
    assert status == expected and (reason or expected == "normal")


def test_watchlist_on_real_pairs_and_alerts(default_catalog):
    pairs = [WatchPair(25544, 20580, caution_km=2000.0, warning_km=500.0, id=1),  # ISS and HST
             WatchPair(25544, 68689, caution_km=5.0, warning_km=1.0, id=2),  # a vehicle docked to the ISS
             WatchPair(25544, 99999999, id=3)]  # not in the catalog
    snapshot = propagate(default_catalog, START)
    approaches = {p.id: next_approach(default_catalog, p, START, 24) for p in pairs}
    states = evaluate(pairs, default_catalog, snapshot, approaches)
    by_id = {s.pair.id: s for s in states}
    assert by_id[2].status == "critical" and by_id[2].range_km < 1.0
    assert by_id[3].status == "off"
    assert states[0].pair.id == 2 and states[-1].pair.id == 3  # most urgent first, unknown last
    iss_hst = by_id[1]
    assert iss_hst.approach is not None and iss_hst.approach.miss_km < iss_hst.range_km
    tracker = AlertTracker()
    alerts = tracker.update(states, START)
    assert {a.pair_id for a in alerts} == {s.pair.id for s in states if s.status in ("critical", "serious", "caution")}
    assert tracker.update(states, START + timedelta(seconds=1)) == []  # no repeat while nothing changes


def test_recent_events_are_the_newest_the_operator_may_see_however_many_are_hidden(tmp_path):
    """On a single seat the filter runs after the read: the limit must count visible events."""
    from app.common.user_settings import Operator
    from app.storage import Store

    writer = Store(f"sqlite:///{tmp_path / 'ops.db'}", operator=Operator("gbr", "GBR", ("watch_officer",), "SECRET"))
    seen = writer.event_log.log("2026-08-12T00:00:00.000000Z", "message", "normal", "for everyone")
    from app.rpo.watch_pair import WatchPair

    pair = writer.watch_pairs.add(WatchPair(25544, 48274, classification="SECRET"))  # GBR's own
    writer.event_log.log_many([{"sim_utc": "2026-08-12T00:00:01.000000Z", "kind": "message", "severity": "normal",
                                "message": f"gbr {number}", "pair_id": pair.id} for number in range(30)])
    reader = Store(f"sqlite:///{tmp_path / 'ops.db'}", operator=Operator("fra", "FRA", ("watch_officer",), "SECRET"))
    assert [e["id"] for e in reader.event_log.recent(limit=5)] == [seen]
    assert len(writer.event_log.recent(limit=5)) == 5 and len(writer.event_log.recent(limit=None)) == 31
    writer.close()
    reader.close()

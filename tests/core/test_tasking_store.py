"""Tasking requests in the database: workflow through the store, the two-person rule
between two operators, audit with identity and old -> new values, concurrent edits from two
connections, imports that never overwrite newer local versions. Every test runs on SQLite
and on a real PostgreSQL server."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from app.sensors.passes import Pass
from app.storage import StoreError, StaleEdit, Store
from app.tasking.request import SensorRequest, TaskingError, TaskingRequest, new_request_id
from tests.operators import officer

START = datetime(2026, 8, 12, tzinfo=timezone.utc)
ALICE = officer("alice", "GBR")
BOB = officer("bob", "USA")
ROLES = "watch_officer, tasking_approver"


def draft(**changes) -> TaskingRequest:
    base = TaskingRequest(new_request_id("GBR"), "Characterize ISS", 25544, "GBR", "UKSpOC", SensorRequest("any"),
                          "track", "PRIORITY", START, START + timedelta(hours=24), justification="routine check",
                          releasable_to=("USA",))
    return replace(base, **changes)


def a_pass(hours: float = 2.0) -> Pass:
    aos = START + timedelta(hours=hours)
    return Pass("FYLINGDALES", 25544, aos, aos + timedelta(minutes=4), aos + timedelta(minutes=8), 45.0, 900.0,
                True, False)


@pytest.fixture
def two_operators(database_url):
    """Alice and Bob on their own connections to the same database."""
    alice, bob = Store(database_url, operator=ALICE), Store(database_url, operator=BOB)
    yield alice.tasking, bob.tasking
    alice.close()
    bob.close()


def test_workflow_through_the_store_with_the_two_person_rule(two_operators):
    alice, bob = two_operators
    request = alice.create(draft())
    assert (request.version, request.status, request.created_by) == (1, "DRAFT", "alice")
    request = alice.act(request, "submit")
    with pytest.raises(TaskingError, match="two-person rule"):
        alice.act(request, "approve")
    assert alice.get(request.id).status == "SUBMITTED"  # the refusal changed nothing
    request = bob.act(request, "approve")
    with pytest.raises(TaskingError, match="at least one feasible pass"):
        bob.act(request, "schedule")
    request = bob.act(request, "schedule", [a_pass(2), a_pass(14)])
    request = alice.act(request, "collected")
    stored = bob.get(request.id)
    assert stored == request
    assert (stored.status, stored.submitted_by, stored.approved_by, stored.version) == ("COLLECTED", "alice", "bob", 5)
    assert [p.aos for p in stored.scheduled_passes] == [START + timedelta(hours=2), START + timedelta(hours=14)]
    with pytest.raises(TaskingError, match="closed"):
        alice.act(stored, "cancel")


def test_every_change_is_audited_with_who_and_old_to_new(two_operators):
    alice, bob = two_operators
    request = alice.create(draft())
    request = alice.save(replace(request, precedence="IMMEDIATE", title="Characterize ISS now"))
    request = alice.act(request, "submit")
    bob.comment(request.id, "Fylingdales can take it tonight")
    rows = alice.history(request.id)
    assert [(r["action"], r["user"], r["nation"], r["role"]) for r in rows] == [
        ("create", "alice", "GBR", ROLES), ("edit", "alice", "GBR", ROLES),
        ("submit", "alice", "GBR", ROLES), ("comment", "bob", "USA", ROLES)]
    assert rows[1]["changes"] == {"precedence": {"old": "PRIORITY", "new": "IMMEDIATE"},
                                  "title": {"old": "Characterize ISS", "new": "Characterize ISS now"}}
    assert rows[2]["changes"]["status"] == {"old": "DRAFT", "new": "SUBMITTED"}
    assert rows[3]["changes"]["comments"]["new"][-1]["text"] == "Fylingdales can take it tonight"
    assert all(r["at_utc"].endswith("Z") for r in rows)


def test_concurrent_edit_from_another_connection_is_refused_and_shows_theirs(two_operators):
    alice, bob = two_operators
    mine = alice.create(draft())
    theirs = bob.save(replace(bob.get(mine.id), justification="bob's reason"))
    with pytest.raises(StaleEdit) as raised:
        alice.save(replace(mine, justification="alice's reason"))
    assert raised.value.current == theirs  # the newer values, for the form to show
    with pytest.raises(StaleEdit):
        alice.act(mine, "submit")
    assert alice.get(mine.id).justification == "bob's reason"
    assert [r["action"] for r in alice.history(mine.id)] == ["create", "edit"]  # nothing of the stale edits


def test_edits_are_refused_after_approval_and_workflow_fields_cannot_be_forged(two_operators):
    alice, bob = two_operators
    request = alice.create(draft())
    forged = alice.save(replace(request, status="COLLECTED", approved_by="alice", title="t2"))
    assert (forged.status, forged.approved_by, forged.title) == ("DRAFT", "", "t2")
    approved = bob.act(alice.act(forged, "submit"), "approve")
    with pytest.raises(TaskingError, match="cannot be edited"):
        alice.save(replace(approved, title="changed after approval"))
    with pytest.raises(TaskingError, match="already exists"):
        alice.create(replace(draft(), id=request.id))


def test_filters(two_operators):
    alice, bob = two_operators
    a = alice.create(draft(precedence="FLASH"))
    b = bob.create(draft(id=new_request_id("USA"), requesting_nation="USA", target_norad_id=20580,
                         data_mode="EXERCISE", releasable_to=("GBR",)))
    alice.act(a, "submit")
    assert [r.id for r in alice.requests(status="SUBMITTED")] == [a.id]
    assert [r.id for r in alice.requests(nation="USA")] == [b.id]
    assert [r.id for r in alice.requests(precedence="FLASH")] == [a.id]
    assert [r.id for r in alice.requests(target_norad_id=20580)] == [b.id]
    assert [r.id for r in alice.requests(data_mode="EXERCISE")] == [b.id]


def test_import_adds_updates_and_never_overwrites_newer_local_versions(two_operators):
    alice, _bob = two_operators
    local = alice.create(draft())
    local = alice.save(replace(local, title="local, version 2"))
    older = replace(local, title="partner's older copy", version=1)
    newer_elsewhere = replace(draft(), title="new from partner", version=3)
    report = alice.import_requests([older, newer_elsewhere], source="partner.json")
    assert report.added == [newer_elsewhere.id] and report.updated == []
    assert report.kept_local == [f"{local.id}: local version 2 is as new as or newer than the file's 1"]
    assert alice.get(local.id).title == "local, version 2"
    assert alice.get(newer_elsewhere.id).version == 3
    report = alice.import_requests([replace(local, title="partner's newer copy", version=7)], source="p2.json",
                                   origin_nation="GBR")  # the owning nation's own export
    assert report.updated == [local.id]
    assert (alice.get(local.id).title, alice.get(local.id).version) == ("partner's newer copy", 7)
    last = alice.history(local.id)[-1]
    assert last["action"] == "import" and last["changes"]["title"]["old"] == "local, version 2"


def test_an_import_never_widens_lowers_skips_or_approves_and_owners_change_their_own(two_operators,
                                                                                     monkeypatch):
    """Issue #19: a partner file at version 99 once made a USA SECRET request UNCLASSIFIED,
    releasable to RUS and CHN, APPROVED by its submitter. Conflicts are reported, not applied."""
    alice, _bob = two_operators
    mine = alice.act(alice.create(draft(classification="SECRET", releasable_to=("USA",))), "submit")
    hostile = replace(mine, classification="UNCLASSIFIED", releasable_to=("USA", "FRA", "RUS", "CHN"),
                      status="APPROVED", approved_by=mine.submitted_by, version=99)
    report = alice.import_requests([hostile], source="partner.json", origin_nation="GBR")
    assert report.updated == [] and len(report.conflicts) == 1
    for words in ("lowered from SECRET to UNCLASSIFIED", "widened to CHN, FRA, RUS", "approved_by"):
        assert words in report.conflicts[0]
    assert alice.get(mine.id) == mine and "conflicts (not applied)" in report.summary()
    skipping = replace(mine, status="COLLECTED", version=5)
    assert "SUBMITTED → COLLECTED skips" in alice.import_requests([skipping], "p.json", "GBR").conflicts[0]
    from_usa = replace(mine, title="USA retitles a GBR request", version=5)
    assert "changes only through GBR's own export (this file is from USA)" in \
        alice.import_requests([from_usa], "usa.json", "USA").conflicts[0]
    assert "a nation it does not name" in alice.import_requests([from_usa], "anon.csv", None).conflicts[0]
    rejected = replace(mine, status="REJECTED", title="rejected by the owner", version=5)  # one step, by its owner
    assert alice.import_requests([rejected], "gbr.json", "GBR").updated == [mine.id]
    self_approved = replace(draft(), status="APPROVED", submitted_by="x", approved_by="x", version=2)
    assert "two-person rule" in alice.import_requests([self_approved], "p.json", "GBR").conflicts[0]
    duplicate = draft(title="first")
    twice = alice.import_requests([duplicate, replace(duplicate, title="second")], "p.json", "GBR")
    assert twice.added == [duplicate.id] and "more than once" in twice.conflicts[0]
    assert alice.get(duplicate.id).title == "first"
    # an edit committed between the import's read and its write is never overwritten unseen
    current = alice.get(mine.id)
    stale = replace(current, version=current.version - 1)
    monkeypatch.setattr(type(alice), "_stored_many", lambda self, connection, ids: ({stale.id: stale}, set()))
    late = alice.import_requests([replace(current, title="late", version=50)], "gbr.json", "GBR")
    assert late.updated == [] and "changed here while importing" in late.conflicts[0]
    monkeypatch.undo()
    assert alice.get(mine.id).title == "rejected by the owner"


def test_each_operator_sees_and_does_only_what_nation_clearance_and_role_allow(database_url):
    """The FRA trainee of the issue: SECRET//REL TO AUS, GBR, USA is not theirs to see, and
    a REL TO GBR, USA request is not theirs to approve; a watch officer without the approver
    role cannot approve either; exercise logins never touch REAL records."""
    alice = Store(database_url, operator=ALICE).tasking
    secret = alice.act(alice.create(draft(classification="SECRET", releasable_to=("AUS", "USA"))), "submit")
    exercise = alice.act(alice.create(draft(id=new_request_id("GBR"), data_mode="EXERCISE",
                                            releasable_to=("USA", "FRA"))), "submit")
    trainee = Store(database_url, operator=officer("pierre", "FRA", roles=("trainee",))).tasking
    assert [r.id for r in trainee.requests()] == [exercise.id] and trainee.get(secret.id) is None
    with pytest.raises(TaskingError, match="tasking_approver"):
        trainee.act(exercise, "approve")
    with pytest.raises(StoreError, match="EXERCISE and SIMULATED data only"):
        trainee.create(draft(id=new_request_id("FRA"), requesting_nation="FRA"))
    assert trainee.create(draft(id=new_request_id("FRA"), requesting_nation="FRA", data_mode="EXERCISE")).version == 1
    officer_only = Store(database_url, operator=officer("carol", "USA", roles=("watch_officer",))).tasking
    with pytest.raises(TaskingError, match="tasking_approver"):
        officer_only.act(secret, "approve")
    confidential = Store(database_url, operator=officer("dan", "USA", "CONFIDENTIAL")).tasking
    assert confidential.get(secret.id) is None and secret.id not in {r.id for r in confidential.requests()}
    with pytest.raises(TaskingError, match="clearance"):
        confidential.create(draft(id=new_request_id("USA"), requesting_nation="USA", classification="SECRET"))
    assert Store(database_url, operator=BOB).tasking.act(secret, "approve").approved_by == "bob"


def test_a_large_import_lands_whole_or_not_at_all(tmp_path, monkeypatch):
    """Imports go in batches inside savepoints; on SQLite a savepoint opened the transaction
    itself and releasing it committed, so a failure late in the file left the early batches."""
    store = Store(f"sqlite:///{tmp_path / 'ops.db'}", operator=officer("alice", "GBR"))
    requests = [draft(id=f"TR-GBR-{n:08X}") for n in range(1200)]
    calls = []

    def failing_audit(connection, table_name, entries):
        calls.append(len(entries))
        if len(calls) == 2:
            raise RuntimeError("the disk is full")

    monkeypatch.setattr(store.database, "audit_many", failing_audit)
    with pytest.raises(RuntimeError):
        store.tasking.import_requests(requests, "big.json", "GBR")
    monkeypatch.undo()
    assert store.tasking.requests() == [] and calls == [500, 500]
    report = store.tasking.import_requests(requests, "big.json", "GBR")
    assert len(report.added) == 1200 and len(store.tasking.requests()) == 1200
    assert len(store.tasking.history(requests[-1].id)) == 1

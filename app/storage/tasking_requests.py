"""Tasking requests in the console's database: create, edit, move through
the workflow, comment, import; each change one transaction with its audit row (who, their
nation and role, what changed old -> new), each guarded by the record's version."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field, replace
from typing import Iterable

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from app.sensors.passes import Pass
from app.storage.database import Database, now_utc
from app.storage.errors import StaleEdit, StoreError
from app.storage.schema import tasking_requests
from app.tasking.import_rules import import_conflicts, new_record_problems
from app.tasking.request import (Comment, TaskingError, TaskingRequest, act, request_from_flat, request_to_flat,
                                 request_to_record)

EDITABLE_STATES = ("DRAFT", "SUBMITTED")  # after approval a change means cancel and resubmit
_BOOKKEEPING = ("version", "created_utc", "created_by", "updated_utc", "updated_by")


def changes_between(old: TaskingRequest | None, new: TaskingRequest) -> dict[str, dict]:
    """``{field: {"old": ..., "new": ...}}`` for every field that differs (bookkeeping aside;
    a new record's empty fields are not changes)."""
    before = request_to_record(old) if old is not None else {}
    after = request_to_record(new)
    return {name: {"old": before.get(name), "new": value} for name, value in after.items()
            if name not in _BOOKKEEPING and before.get(name) != value and (before.get(name) or value)}


log = logging.getLogger(__name__)
_BATCH = 500  # records per statement in an import


@dataclass
class ImportReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    kept_local: list[str] = field(default_factory=list)  # "ID: why" (the local version is as new or newer)
    rejected: list[str] = field(default_factory=list)  # "where: why" (the record failed validation)
    conflicts: list[str] = field(default_factory=list)  # "ID: why" (a change a partner's file may not make)

    def summary(self) -> str:
        return (f"{len(self.added)} added, {len(self.updated)} updated, {len(self.kept_local)} kept "
                f"(local version newer), {len(self.conflicts)} conflicts (not applied), "
                f"{len(self.rejected)} rejected")


class TaskingRepository:
    def __init__(self, database: Database):
        self.database = database
        self.unreadable: list[str] = []  # rows the last read could not make into requests

    # --- reading ---------------------------------------------------------------------------------

    def requests(self, data_mode: str | None = None, status: str | None = None, nation: str | None = None,
                 precedence: str | None = None, target_norad_id: int | None = None) -> list[TaskingRequest]:
        """Filtered, newest window first."""
        query = select(tasking_requests).order_by(tasking_requests.c.window_start.desc(), tasking_requests.c.id)
        for column, value in (("data_mode", data_mode), ("status", status), ("requesting_nation", nation),
                              ("precedence", precedence), ("target_norad_id", target_norad_id)):
            if value is not None:
                query = query.where(tasking_requests.c[column] == value)
        rows = self.database.read(lambda c: c.execute(query).mappings().all())
        readable = []
        self.unreadable = []
        for row in rows:
            try:
                readable.append(request_from_flat(dict(row)))
            except TaskingError as error:  # one damaged row costs only itself, and is said
                self.unreadable.append(f"tasking_requests row {row.get('id')!r}: {error}; skipped")
                log.warning("%s", self.unreadable[-1])
        return [request for request in readable if self._visible(request)]

    def get(self, request_id: str) -> TaskingRequest | None:
        return self.database.read(lambda c: self._current(c, request_id))

    def _visible(self, request: TaskingRequest) -> bool:
        """May the operator see it: within their clearance, and their nation's or released to it."""
        return self.database.operator.may_see(request.classification, request.requesting_nation,
                                              request.releasable_to)

    def _check_change(self, request: TaskingRequest) -> None:
        """The operator may change it (data mode) and still see it afterwards (nation, clearance)."""
        self.database.require_write(request.data_mode, "tasking requests")
        if not self._visible(request):
            operator = self.database.operator
            raise TaskingError(f"{request.marking} is not within {operator.name}'s nation "
                               f"({operator.nation or 'none'}) and clearance ({operator.clearance})",
                               "classification")

    def history(self, request_id: str) -> list[dict]:
        """The audit rows of one request, oldest first, with ``changes`` decoded."""
        rows = self.database.audit_trail("tasking_requests", request_id)
        for row in rows:
            row["changes"] = json.loads(row.pop("data")).get("changes", {})
        return rows

    # --- writing ---------------------------------------------------------------------------------

    def create(self, request: TaskingRequest) -> TaskingRequest:
        now, user = now_utc(), self.database.operator.name
        self._check_change(request.validated())
        new = replace(request, status="DRAFT", submitted_by="", approved_by="", scheduled_passes=(),
                      version=1, created_utc=now, created_by=user, updated_utc=now, updated_by=user)

        def work(connection: Connection) -> TaskingRequest:
            if self._current(connection, new.id) is not None:
                raise TaskingError(f"a request {new.id} already exists", "id")
            connection.execute(insert(tasking_requests).values(**request_to_flat(new)))
            self._audit(connection, new, "create", changes_between(None, new))
            return new

        return self.database.write(work)

    def save(self, request: TaskingRequest) -> TaskingRequest:
        """Save edited fields of ``request`` (read at ``request.version``); the workflow fields
        (status, who submitted/approved, passes, comments) stay as stored."""
        self._check_change(request.validated())

        def work(connection: Connection) -> TaskingRequest:
            current = self._require_version(connection, request)
            if current.status not in EDITABLE_STATES:
                raise TaskingError(f"a {current.status} request cannot be edited; cancel it and submit a new one",
                                   "status")
            if request.data_mode != current.data_mode:
                raise TaskingError("cannot move a request between data modes", "data_mode")
            edited = replace(request, status=current.status, submitted_by=current.submitted_by,
                             approved_by=current.approved_by, scheduled_passes=current.scheduled_passes,
                             comments=current.comments, created_utc=current.created_utc,
                             created_by=current.created_by)
            return self._replace(connection, current, edited, "edit")

        return self.database.write(work)

    def act(self, request: TaskingRequest, action: str, passes: Iterable[Pass] = ()) -> TaskingRequest:
        """Apply a workflow action (submit, approve, schedule ...) to the request as read at
        ``request.version``; TaskingError with the reason when the workflow refuses it."""
        operator = self.database.operator
        if action == "approve" and not operator.has_role("tasking_approver"):
            raise TaskingError(f"{operator.name} ({operator.role}) cannot approve: approving needs the "
                               "tasking_approver role", "approved_by")

        def work(connection: Connection) -> TaskingRequest:
            current = self._require_version(connection, request)
            self._check_change(current)
            return self._replace(connection, current, act(current, action, operator.name, tuple(passes)), action)

        return self.database.write(work)

    def comment(self, request_id: str, text: str) -> TaskingRequest:
        """Add a comment to the stored request, whatever its state (a comment conflicts with nobody)."""
        if not text.strip():
            raise TaskingError("is empty", "comment")
        operator = self.database.operator

        def work(connection: Connection) -> TaskingRequest:
            current = self._current(connection, request_id)
            if current is None:
                raise TaskingError(f"no request {request_id}", "id")
            self._check_change(current)
            note = Comment(now_utc(), operator.name, operator.nation, text.strip())
            return self._replace(connection, current, replace(current, comments=current.comments + (note,)),
                                 "comment")

        return self.database.write(work)

    def import_requests(self, requests: Iterable[TaskingRequest], source: str, origin_nation: str | None = None,
                        partner_file: bool = True) -> ImportReport:
        """Load validated requests from a file in one transaction: new ids are added, a record
        newer than ours (higher version) replaces ours if the import rules allow the change
        (``app.tasking.import_rules``; a partner's file from ``origin_nation``), else it is a
        reported conflict; an older or equal one is left out so no newer local change is lost.
        ``partner_file=False``: the console's own scenario data, under the version rule only."""
        report = ImportReport()
        incoming_all = [replace(r, version=max(r.version, 1)) for r in requests]

        def work(connection: Connection) -> None:
            checked, seen = [], set()
            for incoming in incoming_all:
                try:
                    self._check_change(incoming)
                except (TaskingError, StoreError) as refusal:
                    report.rejected.append(f"{incoming.id}: {refusal}")
                    continue
                if incoming.id in seen:
                    report.conflicts.append(f"{incoming.id}: appears more than once in the file; the first is used")
                    continue
                seen.add(incoming.id)
                checked.append(incoming)
            stored, hidden = self._stored_many(connection, [r.id for r in checked])
            added: list[TaskingRequest] = []
            for incoming in checked:
                current = stored.get(incoming.id)
                if current is None:
                    problems = new_record_problems(incoming) if partner_file else []
                    if incoming.id in hidden:
                        problems.append("a request with this id exists and is not released to you")
                    if problems:
                        report.conflicts.append(f"{incoming.id}: {'; '.join(problems)}")
                    else:
                        added.append(incoming)
                elif incoming.version > current.version:
                    self._import_update(connection, current, incoming, origin_nation, partner_file, source, report)
                else:
                    report.kept_local.append(f"{incoming.id}: local version {current.version} is as new as or "
                                             f"newer than the file's {incoming.version}")
            self._insert_imported(connection, added, source, report)

        self.database.write(work)
        return report

    def _import_update(self, connection: Connection, current: TaskingRequest, incoming: TaskingRequest,
                       origin_nation: str | None, partner_file: bool, source: str, report: ImportReport) -> None:
        problems = import_conflicts(current, incoming, origin_nation) if partner_file else []
        if problems:
            report.conflicts.append(f"{incoming.id}: {'; '.join(problems)}")
            return
        done = connection.execute(update(tasking_requests).where(tasking_requests.c.id == incoming.id)
                                  .where(tasking_requests.c.version == current.version)
                                  .values(**request_to_flat(incoming)))
        if done.rowcount != 1:  # an edit committed since we read it: never overwrite it unseen
            report.conflicts.append(f"{incoming.id}: changed here while importing; import again")
            return
        self._audit(connection, incoming, "import", changes_between(current, incoming), source)
        report.updated.append(incoming.id)

    def _insert_imported(self, connection: Connection, added: list[TaskingRequest], source: str,
                         report: ImportReport) -> None:
        """New records in batches (one statement each, so 20,000 take seconds, not minutes);
        a batch that meets an id row-level security hides is retried one record at a time."""
        for start in range(0, len(added), _BATCH):
            batch = added[start:start + _BATCH]
            try:
                with connection.begin_nested():  # a savepoint: a refused batch costs only itself
                    connection.execute(insert(tasking_requests), [request_to_flat(r) for r in batch])
                inserted = batch
            except IntegrityError:
                inserted = []
                for request in batch:
                    try:
                        with connection.begin_nested():
                            connection.execute(insert(tasking_requests), [request_to_flat(request)])
                        inserted.append(request)
                    except IntegrityError:  # the id is taken by a request row-level security hides
                        report.conflicts.append(f"{request.id}: a request with this id exists and is not "
                                                "released to you")
            self.database.audit_many(connection, "tasking_requests", [
                (r.id, "import", {"version": r.version, "changes": changes_between(None, r), "source": source})
                for r in inserted])
            report.added.extend(r.id for r in inserted)

    def _stored_many(self, connection: Connection, ids: list[str]) -> tuple[dict[str, TaskingRequest], set[str]]:
        """The stored requests with these ids that the operator may see, and the ids taken by
        ones they may not (on a floor those are hidden by row-level security, found on insert)."""
        visible, hidden = {}, set()
        for start in range(0, len(ids), _BATCH):
            query = select(tasking_requests).where(tasking_requests.c.id.in_(ids[start:start + _BATCH]))
            for row in connection.execute(query).mappings():
                try:
                    request = request_from_flat(dict(row))
                except TaskingError:  # a damaged stored row: never overwritten by an import
                    hidden.add(row["id"])
                    continue
                if self._visible(request):
                    visible[request.id] = request
                else:
                    hidden.add(request.id)
        return visible, hidden

    # --- plumbing --------------------------------------------------------------------------------

    def _current(self, connection: Connection, request_id: str) -> TaskingRequest | None:
        """The stored request, if the operator may see it."""
        row = connection.execute(select(tasking_requests).where(tasking_requests.c.id == request_id)).mappings().first()
        request = request_from_flat(dict(row)) if row else None
        return request if request is not None and self._visible(request) else None

    def _require_version(self, connection: Connection, request: TaskingRequest) -> TaskingRequest:
        current = self._current(connection, request.id)
        if current is None:
            raise TaskingError(f"no request {request.id} (deleted or never saved)", "id")
        if current.version != request.version:
            raise StaleEdit(current)
        return current

    def _replace(self, connection: Connection, current: TaskingRequest, new: TaskingRequest,
                 action: str) -> TaskingRequest:
        new = replace(new, version=current.version + 1, updated_utc=now_utc(), updated_by=self.database.operator.name)
        done = connection.execute(update(tasking_requests).where(tasking_requests.c.id == current.id)
                                  .where(tasking_requests.c.version == current.version).values(**request_to_flat(new)))
        if done.rowcount != 1:  # another connection committed in between
            raise StaleEdit(self._current(connection, current.id))
        self._audit(connection, new, action, changes_between(current, new))
        return new

    def _audit(self, connection: Connection, request: TaskingRequest, action: str, changes: dict,
               source: str | None = None) -> None:
        data = {"version": request.version, "changes": changes}
        if source:
            data["source"] = source
        self.database.audit(connection, "tasking_requests", request.id, action, data)

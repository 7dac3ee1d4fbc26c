"""A class in the database: the ``classes`` row an instructor opens and closes, and the
``class_states`` rows it publishes (the newest ``seq`` is the class's state). On a floor the
database signs each row with the login, lets only the class's own instructor write, and
announces each state on ``CLASS_CHANNEL`` (``app.storage.floor``); a single seat (SQLite)
holds the same rows, without announcements. (A class's row says who opened
it, when, and when it closed, and an audit row each time; its states are themselves an
append-only, signed record.)
Trainees add ``class_reports`` rows (joined, status, answers) that only they and the class's
instructor read; the instructor's Class dock and the debrief are built from them."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import insert, select, update

from app.storage import Store, StoreError, class_reports, class_states, classes, now_utc

KINDS = ("joined", "status", "answer", "left")  # what a trainee reports


class ClassroomError(StoreError):
    """A class that cannot be opened, joined or published to; the message says why."""


@dataclass(frozen=True)
class ClassInfo:
    name: str
    instructor: str
    lesson: str
    opened_utc: str
    closed_utc: str | None


@dataclass(frozen=True)
class Published:
    """One state as the database holds it."""
    seq: int
    class_name: str
    state: dict
    sent_utc: str
    sent_by: str


@dataclass(frozen=True)
class Report:
    """One thing a trainee reported: joined, status (step and mode, also as a heartbeat),
    answer (a verdict, app.classroom.checks), left."""
    seq: int
    class_name: str
    trainee: str
    kind: str
    step: int | None
    detail: dict
    at_utc: str


class ClassRecords:
    def __init__(self, url: str, password: str | None = None, operator=None):
        """``operator``: who acts on a single seat (the console's own identity); a floor
        always takes it from the login."""
        self.store = Store(url, password=password, operator=operator if url.startswith("sqlite") else None)
        self.url, self.password = url, password
        self.database = self.store.database

    @property
    def login(self) -> str:
        return self.database.operator.name

    @property
    def is_postgresql(self) -> bool:
        return self.database.is_postgresql

    def info(self, name: str) -> ClassInfo | None:
        row = self.database.read(lambda c: c.execute(select(classes).where(classes.c.name == name)).mappings().first())
        return ClassInfo(**dict(row)) if row is not None else None

    def open(self, name: str, lesson: str) -> ClassInfo:
        """Open the class (again, if this login opened it before and it was closed)."""
        operator = self.database.operator
        if self.is_postgresql and "instructor" not in operator.roles:
            raise ClassroomError(f"{operator.name} cannot open a class: that needs the instructor role")
        if not 1 <= len(name) <= 64:
            raise ClassroomError(f"class name {name!r}: 1 to 64 characters")
        known = self.info(name)
        if known is not None and known.instructor != operator.name:
            raise ClassroomError(f"class {name!r} belongs to {known.instructor}; choose another name")
        values = {"instructor": operator.name, "lesson": lesson, "opened_utc": now_utc(), "closed_utc": None}
        change = (insert(classes).values(name=name, **values) if known is None
                  else update(classes).where(classes.c.name == name).values(**values))

        def write(connection) -> None:
            connection.execute(change)
            self.database.audit(connection, "classes", name, "opened", {"lesson": lesson})
        self.database.write(write)
        return ClassInfo(name, **values)

    def close(self, name: str) -> None:
        def write(connection) -> None:
            connection.execute(update(classes).where(classes.c.name == name).values(closed_utc=now_utc()))
            self.database.audit(connection, "classes", name, "closed", {})
        self.database.write(write)

    def publish(self, name: str, state: dict, sent_utc: str) -> int:
        """Add a state (the database announces it on a floor); its sequence number."""
        row = {"class_name": name, "state": json.dumps(state, separators=(",", ":")), "sent_utc": sent_utc,
               "sent_by": self.login}
        return int(self.database.write(lambda c: c.execute(insert(class_states).values(**row)).inserted_primary_key[0]))

    def newest(self, name: str, after_seq: int = 0) -> Published | None:
        """The class's newest state if it is newer than ``after_seq``."""
        query = (select(class_states).where(class_states.c.class_name == name, class_states.c.seq > after_seq)
                 .order_by(class_states.c.seq.desc()).limit(1))
        row = self.database.read(lambda c: c.execute(query).mappings().first())
        if row is None:
            return None
        try:
            state = json.loads(row["state"])
        except ValueError:
            state = None  # refused by the follower's checks, with the others
        return Published(int(row["seq"]), name, state, row["sent_utc"], row["sent_by"])

    def report(self, name: str, kind: str, step: int | None, detail: dict, at_utc: str) -> int:
        """Add a report as this login (a trainee; the database signs it on a floor)."""
        if kind not in KINDS:
            raise ValueError(f"report kind {kind!r} is not one of {KINDS}")
        row = {"class_name": name, "trainee": self.login, "kind": kind, "step": step,
               "detail": json.dumps(detail, separators=(",", ":")), "at_utc": at_utc}
        return int(self.database.write(lambda c: c.execute(insert(class_reports).values(**row))
                                       .inserted_primary_key[0]))

    def reports(self, name: str, after_seq: int = 0) -> list[Report]:
        """The class's reports after ``after_seq``, oldest first (on a floor: all of them for
        the class's instructor, a trainee's own for a trainee)."""
        query = (select(class_reports).where(class_reports.c.class_name == name, class_reports.c.seq > after_seq)
                 .order_by(class_reports.c.seq))
        rows = self.database.read(lambda c: c.execute(query).mappings().all())
        return [Report(int(r["seq"]), name, r["trainee"], r["kind"], r["step"], _json_object(r["detail"]), r["at_utc"])
                for r in rows]

    def states(self, name: str) -> list[Published]:
        """Every state the class was sent, oldest first (the debrief's timeline)."""
        query = select(class_states).where(class_states.c.class_name == name).order_by(class_states.c.seq)
        rows = self.database.read(lambda c: c.execute(query).mappings().all())
        return [Published(int(r["seq"]), name, _json_object(r["state"]), r["sent_utc"], r["sent_by"]) for r in rows]

    def close_connection(self) -> None:
        self.store.close()


def _json_object(text: str) -> dict:
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}

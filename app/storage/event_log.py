"""The event log: alerts, maneuver flags, messages and injects, in simulation time, each
written with its audit row; acknowledgements and shelving signed by the operator. An event
about a watch pair carries the pair's marking (classification, releasability, owning
nation); the operator reads only the events their nation and clearance allow."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

from app.astro.timeutil import format_utc
from app.common.marking import DEFAULT_CLASSIFICATION, SHELVE_MINUTES, needs_acknowledgement
from app.storage.database import Database, now_utc
from app.storage.errors import StoreError
from app.storage.schema import events, watch_pairs

ALERT_KIND = "rpo-alert"  # a watch pair's status change; raised once per change on a shared database


class EventLogRepository:
    def __init__(self, database: Database):
        self.database = database

    def log(self, sim_utc: str, kind: str, severity: str, message: str, pair_id: int | None = None,
            data: dict | None = None, data_mode: str = "REAL") -> int:
        values = dict(sim_utc=sim_utc, logged_utc=now_utc(), kind=kind, pair_id=pair_id, severity=severity,
                      message=message, data=json.dumps(data or {}), data_mode=data_mode)

        def work(connection: Connection) -> int:
            if kind == ALERT_KIND and pair_id is not None:
                known = connection.execute(
                    select(events.c.id, events.c.severity).where(events.c.kind == kind, events.c.pair_id == pair_id,
                                                                 events.c.data_mode == data_mode)
                    .order_by(events.c.id.desc()).limit(1)).first()
                if known is not None and known.severity == severity:
                    return int(known.id)  # another console on this database raised it already: one alert
            values.update(_pair_marking(connection, pair_id))
            event_id = connection.execute(insert(events).values(**values)).inserted_primary_key[0]
            self.database.audit(connection, "events", event_id, "insert", values)
            return event_id

        return self.database.write(work)

    def log_many(self, entries: list[dict], data_mode: str = "REAL") -> int:
        """Many events in one transaction (a catalog refresh's maneuver flags); each entry has
        sim_utc, kind, severity, message and optionally pair_id and data."""
        logged = now_utc()
        rows = [dict(sim_utc=e["sim_utc"], logged_utc=logged, kind=e["kind"], pair_id=e.get("pair_id"),
                     severity=e["severity"], message=e["message"], data=json.dumps(e.get("data") or {}),
                     data_mode=data_mode) for e in entries]
        if not rows:
            return 0

        def work(connection: Connection) -> int:
            fresh = [row for row in rows if not _logged_already(connection, row)]
            if not fresh:
                return 0
            for row in fresh:
                row.update(_pair_marking(connection, row["pair_id"]))
            connection.execute(insert(events), fresh)
            self.database.audit(connection, "events", None, "insert-many",
                                {"count": len(fresh), "kind": fresh[0]["kind"]})
            return len(fresh)

        return self.database.write(work)

    def recent(self, unacknowledged_only: bool = False, limit: int | None = 500) -> list[dict]:
        """The newest ``limit`` events the operator may see (None: all), newest first (read in
        pages, since on a single seat what is hidden is filtered here, not by the database)."""
        visible: list[dict] = []
        below: int | None = None
        while limit is None or len(visible) < limit:
            query = select(events).order_by(events.c.id.desc()).limit(limit)
            if unacknowledged_only:
                query = query.where(events.c.acknowledged_by.is_(None))
            if below is not None:
                query = query.where(events.c.id < below)
            rows = self.database.read(lambda c, q=query: c.execute(q).mappings().all())
            visible.extend(dict(row) for row in rows if self._visible(row))
            if limit is None or len(rows) < limit:
                break
            below = rows[-1]["id"]
        return visible if limit is None else visible[:limit]

    def last_alert_statuses(self, kind: str = ALERT_KIND) -> dict[int, str]:
        """Each watch pair's most recent alert status (its severity)."""
        query = (select(events.c.pair_id, events.c.severity, events.c.classification, events.c.nation,
                        events.c.releasability).where(events.c.kind == kind)
                 .where(events.c.pair_id.is_not(None)).order_by(events.c.id))
        rows = self.database.read(lambda c: c.execute(query).mappings().all())
        return {row["pair_id"]: row["severity"] for row in rows if self._visible(row)}

    def _visible(self, row) -> bool:
        return self.database.operator.may_see(row["classification"], row["nation"], row["releasability"])

    def _changeable(self, connection: Connection, event_id: int):
        """The stored event, if the operator may see it and change it (else StoreError)."""
        row = connection.execute(select(events).where(events.c.id == event_id)).mappings().first()
        if row is None or not self._visible(row):
            raise StoreError(f"no event {event_id}")
        self.database.require_write(row["data_mode"], "events")
        return row

    def acknowledge(self, event_id: int) -> None:
        values = dict(acknowledged_by=self.database.operator.name, acknowledged_utc=now_utc())

        def work(connection: Connection) -> None:
            self._changeable(connection, event_id)
            connection.execute(update(events).where(events.c.id == event_id)
                               .where(events.c.acknowledged_by.is_(None)).values(**values))
            self.database.audit(connection, "events", event_id, "acknowledge", values)

        self.database.write(work)

    def shelve(self, event_id: int, minutes: int, reason: str) -> str:
        """Keep an unacknowledged alert out of the waiting count for ``minutes`` of wall-clock
        time (one of SHELVE_MINUTES; the operator's attention, not the simulation's, is what
        is being managed), with the operator's reason; audited. Returns the time it comes back."""
        if minutes not in SHELVE_MINUTES:
            raise ValueError(f"shelve minutes: {minutes!r} is not one of {', '.join(map(str, SHELVE_MINUTES))}")
        if not reason.strip():
            raise ValueError("shelve reason: say why the alert is shelved")
        until = format_utc(datetime.now(timezone.utc) + timedelta(minutes=minutes))
        values = dict(shelved_until_utc=until, shelved_by=self.database.operator.name, shelve_reason=reason.strip())

        def work(connection: Connection) -> str:
            row = self._changeable(connection, event_id)
            if not needs_acknowledgement(row["kind"], row["severity"]):
                raise StoreError(f"event {event_id} is not an alert; only alerts can be shelved")
            if row["acknowledged_by"] is not None:
                raise StoreError(f"event {event_id} was acknowledged by {row['acknowledged_by']}; nothing to shelve")
            connection.execute(update(events).where(events.c.id == event_id).values(**values))
            self.database.audit(connection, "events", event_id, "shelve", dict(values, minutes=minutes))
            return until

        return self.database.write(work)


def _pair_marking(connection: Connection, pair_id: int | None) -> dict:
    """An event about a pair is marked as the pair is; any other event is unmarked."""
    unmarked = {"classification": DEFAULT_CLASSIFICATION, "releasability": "", "nation": ""}
    if pair_id is None:
        return unmarked
    row = connection.execute(select(watch_pairs.c.classification, watch_pairs.c.releasability, watch_pairs.c.nation)
                             .where(watch_pairs.c.id == pair_id)).mappings().first()
    return dict(row) if row else unmarked


def _logged_already(connection: Connection, row: dict) -> bool:
    """The same event (kind, simulation time, message, data mode) is in the log: a scenario's
    inject logged by another console playing the same exercise on this database (a class)."""
    return connection.execute(select(events.c.id).where(
        events.c.kind == row["kind"], events.c.sim_utc == row["sim_utc"], events.c.message == row["message"],
        events.c.data_mode == row["data_mode"]).limit(1)).first() is not None

"""The watch pairs on the RPO watchlist: read, add, update and remove, each change audited
and guarded by the record's version (a stale edit is refused with the newer record)."""

from __future__ import annotations

from dataclasses import asdict, replace

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from app.rpo.watch_pair import WatchPair
from app.storage.database import Database, now_utc
from app.storage.errors import StaleEdit, StoreError
from app.storage.schema import watch_pairs


class WatchPairRepository:
    def __init__(self, database: Database):
        self.database = database

    def all(self, data_mode: str | None = None) -> list[WatchPair]:
        """The pairs the operator may see (nation and clearance)."""
        query = select(watch_pairs).order_by(watch_pairs.c.id)
        if data_mode is not None:
            query = query.where(watch_pairs.c.data_mode == data_mode)
        rows = self.database.read(lambda c: c.execute(query).mappings().all())
        return [pair for pair in (WatchPair(**dict(row)) for row in rows) if self._visible(pair)]

    def get(self, pair_id: int) -> WatchPair | None:
        pair = self.database.read(lambda c: _current(c, pair_id))
        return pair if pair is not None and self._visible(pair) else None

    def _visible(self, pair: WatchPair) -> bool:
        return self.database.operator.may_see(pair.classification, pair.nation, pair.releasability)

    def _check_change(self, pair: WatchPair) -> None:
        self.database.require_write(pair.data_mode, "watch pairs")
        if not self._visible(pair):
            operator = self.database.operator
            raise StoreError(f"a {pair.classification} pair of {pair.nation or 'no nation'} "
                             f"({pair.releasability or 'not released'}) would be hidden from its own editor "
                             f"{operator.name} ({operator.nation or 'no nation'}, cleared {operator.clearance})")

    def add(self, pair: WatchPair) -> WatchPair:
        pair = pair.validated()
        if not pair.nation:
            pair = replace(pair, nation=self.database.operator.nation)
        self._check_change(pair)
        user = self.database.operator.name
        values = {k: v for k, v in asdict(pair).items() if k != "id"}
        values.update(version=1, updated_utc=now_utc(), updated_by=user)

        def work(connection: Connection) -> WatchPair:
            try:
                new_id = connection.execute(insert(watch_pairs).values(**values)).inserted_primary_key[0]
            except IntegrityError:
                raise StoreError(f"{pair.primary_id} / {pair.secondary_id} is already on the "
                                 f"{pair.data_mode} watchlist") from None
            self.database.audit(connection, "watch_pairs", new_id, "insert", values)
            return replace(pair, id=new_id, version=1, updated_utc=values["updated_utc"], updated_by=user)

        return self.database.write(work)

    def update(self, pair: WatchPair) -> WatchPair:
        """Save ``pair`` if the stored version is still ``pair.version``; else StaleEdit."""
        pair = pair.validated()
        self._check_change(pair)
        user = self.database.operator.name
        changes = {k: v for k, v in asdict(pair).items() if k not in ("id", "version", "updated_utc", "updated_by")}
        changes.update(version=pair.version + 1, updated_utc=now_utc(), updated_by=user)

        def work(connection: Connection) -> WatchPair:
            done = connection.execute(update(watch_pairs).where(watch_pairs.c.id == pair.id)
                                      .where(watch_pairs.c.version == pair.version).values(**changes))
            if done.rowcount != 1:
                raise StaleEdit(_current(connection, pair.id))
            self.database.audit(connection, "watch_pairs", pair.id, "update", changes)
            return replace(pair, version=changes["version"], updated_utc=changes["updated_utc"], updated_by=user)

        return self.database.write(work)

    def remove(self, pair: WatchPair) -> None:
        self._check_change(pair)

        def work(connection: Connection) -> None:
            done = connection.execute(delete(watch_pairs).where(watch_pairs.c.id == pair.id)
                                      .where(watch_pairs.c.version == pair.version))
            if done.rowcount != 1:
                raise StaleEdit(_current(connection, pair.id))
            self.database.audit(connection, "watch_pairs", pair.id, "delete", asdict(pair))

        self.database.write(work)


def _current(connection: Connection, pair_id: int | None) -> WatchPair | None:
    row = connection.execute(select(watch_pairs).where(watch_pairs.c.id == pair_id)).mappings().first()
    return WatchPair(**dict(row)) if row else None

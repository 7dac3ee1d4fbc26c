"""The console's database as the rest of the console sees it: one ``Store`` per database,
holding one repository per record type.

    store = Store(url)  # who acts comes from the connection and the operators table
    store.watch_pairs.add(WatchPair(25544, 20580))
    store.event_log.recent(unacknowledged_only=True)
    store.tasking.create(request)

Every change is one transaction and leaves a row in the append-only ``audit`` table.
Records carry classification, releasability and data mode, and a ``version`` column: an
update based on a stale version is refused with ``StaleEdit``, which carries the newer
record, so two officers never overwrite each other.
"""

from __future__ import annotations

from app.common.user_settings import Operator
from app.storage.database import Database, default_database_url
from app.storage.event_log import EventLogRepository
from app.storage.tasking_requests import TaskingRepository
from app.storage.watch_pairs import WatchPairRepository


class Store:
    def __init__(self, url: str | None = None, user: str | None = None, operator: Operator | None = None,
                 password: str | None = None):
        """Who acts is read from the connection (see ``Database.identify``); programs that
        know it already (tests, tools) may pass ``operator``, or ``user`` for a watch officer
        with only a name. ``password``: a floor login's, read from a file."""
        if operator is None and user is not None:
            operator = Operator(user)
        self.database = Database(url or default_database_url(), operator, password)
        self.watch_pairs = WatchPairRepository(self.database)
        self.event_log = EventLogRepository(self.database)
        self.tasking = TaskingRepository(self.database)

    @property
    def url(self) -> str:
        return self.database.url

    @property
    def operator(self) -> Operator:
        return self.database.operator

    @operator.setter
    def operator(self, operator: Operator) -> None:
        self.database.operator = operator

    def audit_trail(self, table_name: str | None = None, record_key: str | None = None) -> list[dict]:
        return self.database.audit_trail(table_name, record_key)

    def close(self) -> None:
        self.database.close()

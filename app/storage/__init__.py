"""The console's database: ``Store`` (one per database) and its repositories, one per record
type (``watch_pairs``, ``event_log``, ``tasking_requests``), on ``database`` (engine,
transactions, audit, who is connected) and ``schema`` (tables, migrations); ``floor`` sets
up a shared PostgreSQL floor (roles, row-level security, triggers) and its operators. Domain records are imported from
their features, never defined here. Modules outside this package import only from
``app.storage`` itself."""

from app.storage.errors import StaleEdit, StoreError
from app.storage.floor import CHANGES_CHANNEL, FloorError, FloorOperator, add_operator, init_floor, list_operators
from app.storage.store import Store
from app.storage.tasking_requests import ImportReport, TaskingRepository, changes_between

__all__ = ["CHANGES_CHANNEL", "FloorError", "FloorOperator", "ImportReport", "StaleEdit", "Store", "StoreError",
           "TaskingRepository", "add_operator", "changes_between", "init_floor", "list_operators"]

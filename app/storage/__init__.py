"""The console's database: ``Store`` (one per database) and its repositories, one per record
type (``watch_pairs``, ``event_log``, ``tasking_requests``), on ``database`` (engine,
transactions, audit) and ``schema`` (tables, migrations). Domain records are imported from
their features, never defined here. Modules outside this package import only from
``app.storage`` itself."""

from app.storage.errors import StaleEdit, StoreError
from app.storage.store import Store
from app.storage.tasking_requests import ImportReport, TaskingRepository, changes_between

__all__ = ["ImportReport", "StaleEdit", "Store", "StoreError", "TaskingRepository", "changes_between"]

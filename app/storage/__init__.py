"""The console's database: ``Store`` (one per database) and its repositories, one per record
type (``watch_pairs``, ``event_log``, ``tasking_requests``), on ``database`` (engine,
transactions, audit, who is connected) and ``schema`` (tables, migrations); ``floor`` sets
up a shared PostgreSQL floor (roles, row-level security, triggers) and its operators;
``floor_feed`` is a console's live link to it. Domain records are imported from
their features, never defined here. Modules outside this package import only from
``app.storage`` itself."""

from app.storage.database import default_database_url, now_utc
from app.storage.errors import StaleEdit, StoreError
from app.storage.floor import (CHANGES_CHANNEL, CLASS_CHANNEL, CONSOLE_APPLICATION_NAME, FloorError, FloorOperator,
                               OnFloor, add_operator, floor_presence, init_floor, list_operators)
from app.storage.floor_feed import RETRY_DELAYS_S, Change, FeedStatus, FloorFeed, connection_arguments
from app.storage.floor_loadtest import LoadtestRefused, LoadtestResult, require_local, run_loadtest
from app.storage.schema import class_reports, class_states, classes  # the classroom's tables (app.classroom)
from app.storage.store import Store
from app.storage.tasking_requests import ImportReport, TaskingRepository, changes_between

__all__ = ["CHANGES_CHANNEL", "CLASS_CHANNEL", "CONSOLE_APPLICATION_NAME", "RETRY_DELAYS_S", "Change", "FeedStatus",
           "FloorError", "FloorFeed", "FloorOperator", "ImportReport", "OnFloor", "StaleEdit", "Store", "StoreError",
           "TaskingRepository", "LoadtestRefused", "LoadtestResult", "add_operator", "changes_between", "class_reports", "class_states",
           "classes", "connection_arguments", "default_database_url", "floor_presence", "init_floor", "list_operators",
           "now_utc", "require_local", "run_loadtest"]

"""The console's tables and the steps that bring an older database forward.

The schema has a version; an older database is migrated forward one step at a time
(``MIGRATIONS``, each step tested from a real database of the version before), a newer one
is refused. (A registry of small steps rather than Alembic: the schema is a handful of
tables, every step runs inside the same transaction as the version bump, and there is no
second tool, config file or script directory to ship.)
"""

from __future__ import annotations

from typing import Callable

from sqlalchemy import (BigInteger, Column, Float, ForeignKey, Index, Integer, MetaData, String, Table, Text,
                        UniqueConstraint)
from sqlalchemy.engine import Connection

SCHEMA_VERSION = 6

metadata = MetaData()
schema_info = Table("schema_info", metadata, Column("version", Integer, nullable=False))
watch_pairs = Table(
    "watch_pairs", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("primary_id", Integer, nullable=False),
    Column("secondary_id", Integer, nullable=False),
    Column("caution_km", Float, nullable=False),
    Column("warning_km", Float, nullable=False),
    Column("closing_speed_km_s", Float, nullable=True),
    Column("notes", Text, nullable=False, default=""),
    Column("classification", String(64), nullable=False),
    Column("releasability", String(256), nullable=False, default=""),
    Column("data_mode", String(16), nullable=False),
    Column("version", Integer, nullable=False),
    Column("updated_utc", String(32), nullable=False),
    Column("updated_by", String(64), nullable=False),
    Column("nation", String(3), nullable=False, server_default=""),  # schema 4: the owning nation
    UniqueConstraint("primary_id", "secondary_id", "data_mode", name="one_pair_per_mode"),
)
events = Table(
    "events", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("sim_utc", String(32), nullable=False),  # when it happened, in simulation time
    Column("logged_utc", String(32), nullable=False),  # when it was written, wall clock
    Column("kind", String(32), nullable=False),
    Column("pair_id", Integer, ForeignKey("watch_pairs.id", ondelete="SET NULL"), nullable=True),
    Column("severity", String(16), nullable=False),
    Column("message", Text, nullable=False),
    Column("data", Text, nullable=False, default="{}"),
    Column("data_mode", String(16), nullable=False),
    Column("acknowledged_by", String(64), nullable=True),
    Column("acknowledged_utc", String(32), nullable=True),
    Column("shelved_until_utc", String(32), nullable=True),  # schema 3: out of the waiting count until then
    Column("shelved_by", String(64), nullable=True),  # schema 3
    Column("shelve_reason", Text, nullable=True),  # schema 3
    Column("classification", String(32), nullable=False, server_default="UNCLASSIFIED"),  # schema 4
    Column("releasability", String(256), nullable=False, server_default=""),  # schema 4
    Column("nation", String(3), nullable=False, server_default=""),  # schema 4: the owning nation
)
audit = Table(
    "audit", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at_utc", String(32), nullable=False),
    Column("user", String(64), nullable=False),
    Column("table_name", String(64), nullable=False),
    Column("record_id", Integer, nullable=True),
    Column("action", String(16), nullable=False),
    Column("data", Text, nullable=False),
    Column("nation", String(3), nullable=False, server_default=""),  # schema 2
    Column("role", String(32), nullable=False, server_default=""),  # schema 2
    Column("record_key", String(40), nullable=True),  # schema 2: text ids (tasking requests)
)
tasking_requests = Table(  # schema 2
    "tasking_requests", metadata,
    Column("id", String(40), primary_key=True),
    Column("title", String(200), nullable=False),
    Column("target_norad_id", Integer, nullable=False),
    Column("requesting_nation", String(3), nullable=False),
    Column("requesting_unit", String(100), nullable=False),
    Column("sensor_kind", String(16), nullable=False),
    Column("sensor_value", String(100), nullable=False),
    Column("collection_type", String(16), nullable=False),
    Column("precedence", String(16), nullable=False),
    Column("window_start", String(32), nullable=False),  # ISO 8601 UTC
    Column("window_end", String(32), nullable=False),
    Column("justification", Text, nullable=False),
    Column("classification", String(32), nullable=False),
    Column("releasable_to", String(400), nullable=False),  # ISO alpha-3 codes separated by ';' 
    Column("data_mode", String(16), nullable=False),
    Column("comments", Text, nullable=False),  # JSON list of {at_utc, author, nation, text}
    Column("status", String(16), nullable=False),
    Column("submitted_by", String(64), nullable=False),
    Column("approved_by", String(64), nullable=False),
    Column("scheduled_passes", Text, nullable=False),  # JSON list of passes
    Column("version", Integer, nullable=False),
    Column("created_utc", String(32), nullable=False),
    Column("created_by", String(64), nullable=False),
    Column("updated_utc", String(32), nullable=False),
    Column("updated_by", String(64), nullable=False),
)

operators = Table(  # schema 4: the floor's operators, or a single seat's roster (written by floor add-operator)
    "operators", metadata,
    Column("login", String(64), primary_key=True),
    Column("nation", String(3), nullable=False),
    Column("roles", String(200), nullable=False),  # role names separated by ';'
    Column("clearance", String(32), nullable=False),
    Column("added_utc", String(32), nullable=False),
    Column("added_by", String(64), nullable=False),
)
changes = Table(  # schema 4: one row per change to a shared record, in commit order (a floor's catch-up)
    "changes", metadata,
    Column("seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("table_name", String(64), nullable=False),
    Column("record_key", String(40), nullable=False),
    Column("version", Integer, nullable=True),
    Column("action", String(16), nullable=False),
    Column("at_utc", String(40), nullable=False),
)
classes = Table(  # schema 5: a classroom an instructor opened (app.classroom)
    "classes", metadata,
    Column("name", String(64), primary_key=True),
    Column("instructor", String(64), nullable=False),  # the login that opened it
    Column("lesson", String(256), nullable=False),  # the lesson's name
    Column("opened_utc", String(32), nullable=False),
    Column("closed_utc", String(32), nullable=True),  # None: open
)
class_states = Table(  # schema 5: each state the instructor published to the class, newest seq wins
    "class_states", metadata,
    Column("seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("class_name", String(64), ForeignKey("classes.name", ondelete="CASCADE"), nullable=False),
    Column("state", Text, nullable=False),  # JSON: app.classroom.class_state
    Column("sent_utc", String(32), nullable=False),  # the instructor's wall clock when the state held
    Column("sent_by", String(64), nullable=False),
    Index("class_states_newest", "class_name", "seq"),
)
class_reports = Table(  # schema 6: what each trainee did in a class (joined, status, answer), oldest first
    "class_reports", metadata,
    Column("seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("class_name", String(64), ForeignKey("classes.name", ondelete="CASCADE"), nullable=False),
    Column("trainee", String(64), nullable=False),  # the login (signed by the database on a floor)
    Column("kind", String(16), nullable=False),  # app.classroom.class_reports.KINDS
    Column("step", Integer, nullable=True),
    Column("detail", Text, nullable=False, default="{}"),  # JSON
    Column("at_utc", String(32), nullable=False),  # the trainee's wall clock
    Index("class_reports_class", "class_name", "seq"),
)


def _schema_1_to_2(connection: Connection) -> None:
    """Audit rows name the operator's nation and role and can point at text ids; the
    tasking table itself is created by ``create_all`` after the steps."""
    for column in ("nation VARCHAR(3) NOT NULL DEFAULT ''", "role VARCHAR(32) NOT NULL DEFAULT ''",
                   "record_key VARCHAR(40)"):
        connection.exec_driver_sql(f"ALTER TABLE audit ADD COLUMN {column}")


def _schema_2_to_3(connection: Connection) -> None:
    """An alert can be shelved for a while, by someone, for a reason."""
    for column in ("shelved_until_utc VARCHAR(32)", "shelved_by VARCHAR(64)", "shelve_reason TEXT"):
        connection.exec_driver_sql(f"ALTER TABLE events ADD COLUMN {column}")


def _schema_3_to_4(connection: Connection) -> None:
    """Watch pairs and events carry an owning nation (events their marking too), so that each
    operator sees only what was released to them; the operators and changes tables are
    created by ``create_all`` after the steps."""
    for table, column in (("watch_pairs", "nation VARCHAR(3) NOT NULL DEFAULT ''"),
                          ("events", "classification VARCHAR(32) NOT NULL DEFAULT 'UNCLASSIFIED'"),
                          ("events", "releasability VARCHAR(256) NOT NULL DEFAULT ''"),
                          ("events", "nation VARCHAR(3) NOT NULL DEFAULT ''")):
        connection.exec_driver_sql(f"ALTER TABLE {table} ADD COLUMN {column}")
    for column in ("classification", "releasability"):  # an old pair's events are marked as the pair is
        connection.exec_driver_sql(f"UPDATE events SET {column} = (SELECT w.{column} FROM watch_pairs w "
                                   "WHERE w.id = events.pair_id) WHERE pair_id IS NOT NULL")


def _schema_4_to_5(connection: Connection) -> None:
    """Classroom mode: the classes and class_states tables, created by ``create_all`` after
    the steps (nothing older changes)."""


def _schema_5_to_6(connection: Connection) -> None:
    """Classroom mode: trainees' reports (class_reports), created by ``create_all`` after the
    steps."""


# version -> step that brings a database at that version to the next
MIGRATIONS: dict[int, Callable[[Connection], None]] = {1: _schema_1_to_2, 2: _schema_2_to_3, 3: _schema_3_to_4,
                                                      4: _schema_4_to_5, 5: _schema_5_to_6}

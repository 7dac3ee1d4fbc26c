"""The coalition floor: one PostgreSQL database that every console of a floor shares, where
the database itself enforces who may see and do what, so that raw SQL through a partner's
login (psql, psycopg) can read or change no more than the console would let it.

``init_floor`` (run with an administrator's URL) prepares the schema, creates the floor's
group roles (``ROLES``), grants each what it may do, turns on row-level security on the
shared records, and installs the triggers: the two-person rule on tasking (logins compared,
in the database), the signer of every change (``updated_by`` and the audit row's user are the
login, whatever the client sends), and the change feed (a row in ``changes`` and a
``NOTIFY spaceops_changes`` carrying table, id, version and sequence, never content).

``add_operator`` creates a login (PostgreSQL) or a roster entry (SQLite, the single seat),
with its nation, roles and clearance in the ``operators`` table that only a floor
administrator can change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import delete, insert, select

from app.common.marking import CLASSIFICATIONS
from app.common.user_settings import ROLES, Operator, is_nation_code
from app.storage.database import Database, now_utc
from app.storage.errors import StoreError
from app.storage.schema import operators

CHANGES_CHANNEL = "spaceops_changes"
CLASS_CHANNEL = "spaceops_class"  # a class's new state: {class, seq}, never the state itself
CONSOLE_APPLICATION_NAME = "spaceops-console"  # a console's feed connection: who is on the floor
SHARED_TABLES = ("tasking_requests", "watch_pairs", "events")  # row-level security and the change feed
# who may write what (every floor role reads everything, row-level security deciding which rows)
WRITERS = {
    "tasking_requests": ("watch_officer", "tasking_approver", "exercise_controller", "instructor", "trainee"),
    "watch_pairs": ("watch_officer", "exercise_controller", "instructor", "trainee"),
    "events": ("watch_officer", "tasking_approver", "exercise_controller", "instructor", "trainee"),
}
_LOGIN = re.compile(r"^[a-z_][a-z0-9_.-]{0,62}$")
# the owning nation column of each shared table, and its releasability column
_MARKING_COLUMNS = {"tasking_requests": ("requesting_nation", "releasable_to"),
                    "watch_pairs": ("nation", "releasability"), "events": ("nation", "releasability")}


class FloorError(StoreError):
    pass


@dataclass(frozen=True)
class FloorOperator:
    login: str
    nation: str
    roles: tuple[str, ...]
    clearance: str
    added_utc: str = ""
    added_by: str = ""


def _functions_sql() -> str:
    ranks = " ".join(f"WHEN '{c}' THEN {i}" for i, c in enumerate(CLASSIFICATIONS))
    return rf"""
CREATE OR REPLACE FUNCTION spaceops_rank(classification text) RETURNS int
  LANGUAGE sql IMMUTABLE AS $$ SELECT CASE classification {ranks} ELSE 99 END $$;

CREATE OR REPLACE FUNCTION spaceops_nations(releasability text) RETURNS text[]
  LANGUAGE sql IMMUTABLE AS $$
  SELECT coalesce(array_remove(regexp_split_to_array(
           upper(regexp_replace(coalesce(releasability, ''), '^\s*REL\s+TO\s*', '', 'i')), '[\s,;/]+'), ''), '{{}}')
$$;

-- the console's rule (app.common.marking.may_see): within the login's clearance, and the
-- login's nation owns the row or is named in its releasability; unmarked unclassified rows
-- are everyone's. A login not in the operators table sees nothing.
CREATE OR REPLACE FUNCTION spaceops_may_see(classification text, owner_nation text, releasability text)
  RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT EXISTS (SELECT 1 FROM operators o WHERE o.login = current_user
    AND spaceops_rank(classification) <= spaceops_rank(o.clearance)
    AND ((classification = 'UNCLASSIFIED' AND coalesce(owner_nation, '') = ''
          AND cardinality(spaceops_nations(releasability)) = 0)
         OR o.nation = owner_nation OR o.nation = ANY (spaceops_nations(releasability))))
$$;

-- exercise, instructor and trainee logins never touch REAL rows
CREATE OR REPLACE FUNCTION spaceops_may_write(data_mode text) RETURNS boolean
  LANGUAGE sql STABLE AS $$
  SELECT data_mode <> 'REAL' OR pg_has_role(current_user, 'watch_officer', 'MEMBER')
         OR pg_has_role(current_user, 'tasking_approver', 'MEMBER')
$$;

-- the two-person rule and the signer, on the database side: whoever connects, the approver
-- is the approving login, holds tasking_approver and did not submit the request
CREATE OR REPLACE FUNCTION spaceops_tasking_rules() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.approved_by <> '' AND NEW.approved_by = NEW.submitted_by THEN
    RAISE EXCEPTION 'two-person rule: % cannot approve a request % submitted', NEW.approved_by, NEW.submitted_by
      USING ERRCODE = 'check_violation';
  END IF;
  IF TG_OP = 'UPDATE' THEN
    IF NEW.approved_by IS DISTINCT FROM OLD.approved_by AND NEW.approved_by <> '' THEN
      IF NEW.approved_by <> current_user THEN
        RAISE EXCEPTION 'approved_by must be the approving login %, not %', current_user, NEW.approved_by
          USING ERRCODE = 'insufficient_privilege';
      END IF;
      IF NOT pg_has_role(current_user, 'tasking_approver', 'MEMBER') THEN
        RAISE EXCEPTION '% cannot approve: approving needs the tasking_approver role', current_user
          USING ERRCODE = 'insufficient_privilege';
      END IF;
    END IF;
    IF NEW.status = 'APPROVED' AND OLD.status IS DISTINCT FROM 'APPROVED'
       AND NOT pg_has_role(current_user, 'tasking_approver', 'MEMBER') THEN
      RAISE EXCEPTION '% cannot approve: approving needs the tasking_approver role', current_user
        USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.submitted_by IS DISTINCT FROM OLD.submitted_by AND NEW.submitted_by <> ''
       AND NEW.submitted_by <> current_user THEN
      RAISE EXCEPTION 'submitted_by must be the submitting login %, not %', current_user, NEW.submitted_by
        USING ERRCODE = 'insufficient_privilege';
    END IF;
  END IF;
  RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION spaceops_signed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_by := current_user;
  RETURN NEW;
END $$;

-- an acknowledgement or a shelving is signed by the login that makes it
CREATE OR REPLACE FUNCTION spaceops_event_signed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.acknowledged_by IS DISTINCT FROM OLD.acknowledged_by AND NEW.acknowledged_by IS NOT NULL THEN
    NEW.acknowledged_by := current_user;
  END IF;
  IF NEW.shelved_by IS DISTINCT FROM OLD.shelved_by AND NEW.shelved_by IS NOT NULL THEN
    NEW.shelved_by := current_user;
  END IF;
  RETURN NEW;
END $$;

-- who is on the floor: each login with a console's feed open on this database, since when.
-- SECURITY DEFINER: pg_stat_activity hides other logins' start times from ordinary logins.
CREATE OR REPLACE FUNCTION spaceops_presence()
  RETURNS TABLE (login text, nation text, roles text, clearance text, since_utc text, consoles int)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_catalog AS $$
  SELECT a.usename::text, coalesce(o.nation, ''), coalesce(o.roles, ''), coalesce(o.clearance, ''),
         to_char(min(a.backend_start) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), count(*)::int
  FROM pg_stat_activity a LEFT JOIN operators o ON o.login = a.usename::text
  WHERE a.application_name = '{CONSOLE_APPLICATION_NAME}' AND a.datname = current_database()
  GROUP BY a.usename, o.nation, o.roles, o.clearance ORDER BY 1
$$;

CREATE OR REPLACE FUNCTION spaceops_audit_signed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW."user" := current_user;
  RETURN NEW;
END $$;

-- the change feed: a sequence row and a notification with no content (a console re-reads
-- the record through its own login, so a notification never shows what RLS hides)
CREATE OR REPLACE FUNCTION spaceops_note_change() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  item jsonb := to_jsonb(CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END);
  number bigint;
BEGIN
  INSERT INTO changes (table_name, record_key, version, action, at_utc)
    VALUES (TG_TABLE_NAME, item->>'id', (item->>'version')::int, lower(TG_OP),
            to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))
    RETURNING seq INTO number;
  PERFORM pg_notify('{CHANGES_CHANNEL}', json_build_object('table', TG_TABLE_NAME, 'id', item->>'id',
                    'version', (item->>'version')::int, 'seq', number, 'action', lower(TG_OP))::text);
  RETURN NULL;
END $$;
"""


def _policies_sql(table: str) -> str:
    nation, releasability = _MARKING_COLUMNS[table]
    see = f"spaceops_may_see(classification, {nation}, {releasability})"
    change = f"{see} AND spaceops_may_write(data_mode)"
    return f"""
ALTER TABLE {table} ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS floor_see ON {table};
DROP POLICY IF EXISTS floor_add ON {table};
DROP POLICY IF EXISTS floor_change ON {table};
DROP POLICY IF EXISTS floor_remove ON {table};
CREATE POLICY floor_see ON {table} FOR SELECT USING ({see});
CREATE POLICY floor_add ON {table} FOR INSERT WITH CHECK ({change});
CREATE POLICY floor_change ON {table} FOR UPDATE USING ({change}) WITH CHECK ({change});
CREATE POLICY floor_remove ON {table} FOR DELETE USING ({change});
DROP TRIGGER IF EXISTS spaceops_note_change ON {table};
CREATE TRIGGER spaceops_note_change AFTER INSERT OR UPDATE OR DELETE ON {table}
  FOR EACH ROW EXECUTE FUNCTION spaceops_note_change();
"""


def _triggers_sql() -> str:
    """Audit rows are appended only, signed by the login, and read only where the record they
    describe can be read (they hold its fields); changes are signed by the login; the
    two-person rule."""
    return """
ALTER TABLE audit ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS floor_see ON audit;
DROP POLICY IF EXISTS floor_add ON audit;
CREATE POLICY floor_see ON audit FOR SELECT USING (
  (table_name = 'tasking_requests' AND EXISTS (SELECT 1 FROM tasking_requests t WHERE t.id = audit.record_key))
  OR (table_name = 'watch_pairs' AND EXISTS (SELECT 1 FROM watch_pairs w WHERE w.id = audit.record_id))
  OR (table_name = 'events' AND EXISTS (SELECT 1 FROM events e WHERE e.id = audit.record_id))
  OR (table_name = 'operators' AND pg_has_role(current_user, 'floor_admin', 'MEMBER'))
  OR (table_name = 'classes' AND EXISTS (SELECT 1 FROM classes c WHERE c.name = audit.record_key))
  OR (audit."user" = current_user AND audit.record_id IS NULL AND audit.record_key IS NULL));
CREATE POLICY floor_add ON audit FOR INSERT WITH CHECK (true);
DROP TRIGGER IF EXISTS spaceops_audit_signed ON audit;
CREATE TRIGGER spaceops_audit_signed BEFORE INSERT ON audit FOR EACH ROW EXECUTE FUNCTION spaceops_audit_signed();
DROP TRIGGER IF EXISTS spaceops_tasking_rules ON tasking_requests;
CREATE TRIGGER spaceops_tasking_rules BEFORE INSERT OR UPDATE ON tasking_requests
  FOR EACH ROW EXECUTE FUNCTION spaceops_tasking_rules();
DROP TRIGGER IF EXISTS spaceops_signed ON tasking_requests;
CREATE TRIGGER spaceops_signed BEFORE INSERT OR UPDATE ON tasking_requests
  FOR EACH ROW EXECUTE FUNCTION spaceops_signed();
DROP TRIGGER IF EXISTS spaceops_signed ON watch_pairs;
CREATE TRIGGER spaceops_signed BEFORE INSERT OR UPDATE ON watch_pairs
  FOR EACH ROW EXECUTE FUNCTION spaceops_signed();
DROP TRIGGER IF EXISTS spaceops_event_signed ON events;
CREATE TRIGGER spaceops_event_signed BEFORE UPDATE ON events FOR EACH ROW EXECUTE FUNCTION spaceops_event_signed();
"""


def _grants_sql() -> str:
    everyone = ", ".join(ROLES)
    lines = [f"GRANT USAGE ON SCHEMA public TO {everyone};",
             f"GRANT SELECT ON schema_info, operators, changes, {', '.join(SHARED_TABLES)} TO {everyone};",
             f"GRANT SELECT, INSERT ON audit TO {everyone};",
             f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {everyone};",
             "GRANT INSERT, UPDATE, DELETE ON operators TO floor_admin;",
             "REVOKE ALL ON FUNCTION spaceops_presence() FROM PUBLIC;",
             f"GRANT EXECUTE ON FUNCTION spaceops_presence() TO {everyone};"]
    for table, writers in WRITERS.items():
        rights = "INSERT, UPDATE, DELETE" if table == "watch_pairs" else "INSERT, UPDATE"
        lines.append(f"GRANT {rights} ON {table} TO {', '.join(writers)};")
    return "\n".join(lines)


def _classroom_sql() -> str:
    """Classes and their states: every floor role reads them; an instructor opens, closes and
    publishes to its own classes only (signed by the login, whatever the client sends); each
    published state is announced on ``CLASS_CHANNEL``. A trainee reports (joined, status,
    answers) to an open class as itself; only the trainee and the class's instructor read
    those reports."""
    everyone = ", ".join(ROLES)
    return f"""
CREATE OR REPLACE FUNCTION spaceops_class_signed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = 'classes' THEN NEW.instructor := current_user;
  ELSIF TG_TABLE_NAME = 'class_reports' THEN NEW.trainee := current_user;
  ELSE NEW.sent_by := current_user; END IF;
  RETURN NEW;
END $$;
CREATE OR REPLACE FUNCTION spaceops_class_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('{CLASS_CHANNEL}', json_build_object('class', NEW.class_name, 'seq', NEW.seq)::text);
  RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS spaceops_class_signed ON classes;
CREATE TRIGGER spaceops_class_signed BEFORE INSERT OR UPDATE ON classes FOR EACH ROW EXECUTE FUNCTION spaceops_class_signed();
DROP TRIGGER IF EXISTS spaceops_class_signed ON class_states;
CREATE TRIGGER spaceops_class_signed BEFORE INSERT ON class_states FOR EACH ROW EXECUTE FUNCTION spaceops_class_signed();
DROP TRIGGER IF EXISTS spaceops_class_signed ON class_reports;
CREATE TRIGGER spaceops_class_signed BEFORE INSERT ON class_reports FOR EACH ROW EXECUTE FUNCTION spaceops_class_signed();
DROP TRIGGER IF EXISTS spaceops_class_notify ON class_states;
CREATE TRIGGER spaceops_class_notify AFTER INSERT ON class_states FOR EACH ROW EXECUTE FUNCTION spaceops_class_notify();
ALTER TABLE classes ENABLE ROW LEVEL SECURITY;
ALTER TABLE class_states ENABLE ROW LEVEL SECURITY;
ALTER TABLE class_reports ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS floor_see ON classes;
DROP POLICY IF EXISTS floor_add ON classes;
DROP POLICY IF EXISTS floor_change ON classes;
DROP POLICY IF EXISTS floor_see ON class_states;
DROP POLICY IF EXISTS floor_add ON class_states;
DROP POLICY IF EXISTS floor_see ON class_reports;
DROP POLICY IF EXISTS floor_add ON class_reports;
CREATE POLICY floor_see ON classes FOR SELECT USING (true);
CREATE POLICY floor_add ON classes FOR INSERT WITH CHECK (instructor = current_user);
CREATE POLICY floor_change ON classes FOR UPDATE USING (instructor = current_user) WITH CHECK (instructor = current_user);
CREATE POLICY floor_see ON class_states FOR SELECT USING (true);
CREATE POLICY floor_add ON class_states FOR INSERT WITH CHECK (EXISTS (SELECT 1 FROM classes c
  WHERE c.name = class_name AND c.instructor = current_user AND c.closed_utc IS NULL));
CREATE POLICY floor_see ON class_reports FOR SELECT USING (trainee = current_user OR EXISTS (SELECT 1 FROM classes c
  WHERE c.name = class_name AND c.instructor = current_user));
CREATE POLICY floor_add ON class_reports FOR INSERT WITH CHECK (trainee = current_user AND EXISTS (SELECT 1
  FROM classes c WHERE c.name = class_name AND c.closed_utc IS NULL));
GRANT SELECT ON classes, class_states, class_reports TO {everyone};
GRANT INSERT ON class_reports TO trainee;
GRANT INSERT, UPDATE ON classes TO instructor;
GRANT INSERT ON class_states TO instructor;
"""


def _roles_sql() -> str:
    return "\n".join(f"""DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}') THEN CREATE ROLE {role} NOLOGIN; END IF;
END $$;""" for role in ROLES)


def _postgresql(database: Database, what: str) -> None:
    if not database.is_postgresql:
        raise FloorError(f"{what} needs a PostgreSQL database (postgresql+psycopg://...); {database.url} is "
                         f"{database.engine.dialect.name}")


def _run_script(database: Database, script: str) -> None:
    """DDL as one transaction on the driver's own connection (no parameter parsing)."""
    raw = database.engine.raw_connection()
    try:
        with raw.cursor() as cursor:
            cursor.execute(script)
        raw.commit()
    except Exception as error:
        raw.rollback()
        raise FloorError(f"floor set-up on {database.url} failed: {str(error).strip()}") from None
    finally:
        raw.close()


def init_floor(admin_url: str, password: str | None = None) -> list[str]:
    """Prepare a floor database (idempotent; a newer schema is refused by ``Database``) and say
    what was done."""
    database = Database(admin_url, Operator("floor-init", roles=("floor_admin",)), password)
    try:
        _postgresql(database, "floor init")
        _run_script(database, _roles_sql() + _functions_sql()
                    + "".join(_policies_sql(table) for table in SHARED_TABLES) + _triggers_sql() + _grants_sql()
                    + _classroom_sql())
    finally:
        database.close()
    return [f"schema ready on {admin_url.rsplit('@', 1)[-1]}", f"roles: {', '.join(ROLES)}",
            f"row-level security on {', '.join(SHARED_TABLES)} and audit",
            "two-person rule and signer triggers on tasking_requests", f"change feed: NOTIFY {CHANGES_CHANNEL}",
            f"classroom: instructors publish to their classes, NOTIFY {CLASS_CHANNEL}"]


def validated_operator(login: str, nation: str, roles: tuple[str, ...], clearance: str) -> FloorOperator:
    if not _LOGIN.match(login):
        raise FloorError(f"login {login!r}: lower-case letters, digits, '_', '.', '-'; at most 63; "
                         "starting with a letter or '_'")
    if not is_nation_code(nation):
        raise FloorError(f"nation {nation!r}: an ISO alpha-3 code (e.g. GBR)")
    if not roles or any(role not in ROLES for role in roles):
        raise FloorError(f"role: one or more of {', '.join(ROLES)}")
    if clearance not in CLASSIFICATIONS:
        raise FloorError(f"clearance {clearance!r}: one of {', '.join(CLASSIFICATIONS)}")
    return FloorOperator(login, nation, tuple(dict.fromkeys(roles)), clearance)


def add_operator(url: str, login: str, nation: str, roles: tuple[str, ...], clearance: str,
                 password: str | None = None, connect_password: str | None = None) -> FloorOperator:
    """Add (or change) an operator. PostgreSQL: a login role with ``password``, member of its
    roles and of no other floor role, run by a floor administrator. SQLite: an entry in the
    single seat's roster (the login is the operating-system account; no password)."""
    entry = validated_operator(login, nation, roles, clearance)
    database = Database(url, None, connect_password)
    try:
        if database.is_postgresql and not password:
            raise FloorError("a floor login needs a password (--password-file)")
        added = FloorOperator(entry.login, entry.nation, entry.roles, entry.clearance, now_utc(),
                              database.operator.name)

        def work(connection) -> None:  # the login and its roster entry land together, or neither
            if database.is_postgresql:
                try:
                    _create_login(connection, entry, password)
                except Exception as error:  # psycopg's own: the driver cursor is not SQLAlchemy's
                    raise FloorError(f"cannot add login {entry.login} on {database.url} ({str(error).strip()}); "
                                     "run add-operator as the floor's administrator") from None
            connection.execute(delete(operators).where(operators.c.login == login))
            connection.execute(insert(operators).values(login=login, nation=nation, roles=";".join(entry.roles),
                                                        clearance=clearance, added_utc=added.added_utc,
                                                        added_by=added.added_by))
            database.audit(connection, "operators", login, "set", {"nation": nation, "roles": list(entry.roles),
                                                                   "clearance": clearance})

        try:
            database.write(work)
        except StoreError as error:
            if database.is_postgresql and ("permission denied" in str(error) or "row-level security" in str(error)
                                           or "must have" in str(error)):
                raise FloorError(f"cannot add login {entry.login} on {database.url} ({error}); "
                                 "run add-operator as the floor's administrator") from None
            raise
        return added
    finally:
        database.close()


def _create_login(connection, entry: FloorOperator, password: str) -> None:
    """The login role, member of exactly its floor roles (in the caller's transaction)."""
    from psycopg import sql  # only a floor needs the PostgreSQL driver

    with connection.connection.cursor() as cursor:  # the driver's own, in the same transaction
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (entry.login,))
        verb = "ALTER" if cursor.fetchone() else "CREATE"
        cursor.execute(sql.SQL(verb + " ROLE {} LOGIN PASSWORD {}").format(sql.Identifier(entry.login),
                                                                          sql.Literal(password)))
        administrator = "floor_admin" in entry.roles
        for role in ROLES:
            if role in entry.roles:
                cursor.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(role), sql.Identifier(entry.login)))
            elif not administrator:  # (an administrator keeps every role to grant; revoking would orphan its grants)
                cursor.execute(sql.SQL("REVOKE {} FROM {}").format(sql.Identifier(role), sql.Identifier(entry.login)))
        if administrator:  # an administrator adds operators: create logins, grant roles
            cursor.execute(sql.SQL("ALTER ROLE {} CREATEROLE").format(sql.Identifier(entry.login)))
            for role in ROLES:
                cursor.execute(sql.SQL("GRANT {} TO {} WITH ADMIN OPTION").format(sql.Identifier(role),
                                                                                 sql.Identifier(entry.login)))


@dataclass(frozen=True)
class OnFloor:
    """A login with a console open on the floor."""

    login: str
    nation: str
    roles: tuple[str, ...]
    clearance: str
    since_utc: str
    consoles: int


def floor_presence(database: Database) -> list[OnFloor]:
    """Who is on the floor now (PostgreSQL; a single seat has no floor: empty)."""
    if not database.is_postgresql:
        return []
    rows = database.read(lambda c: c.exec_driver_sql("SELECT * FROM spaceops_presence()").mappings().all())
    return [OnFloor(r["login"], r["nation"], tuple(x for x in r["roles"].split(";") if x), r["clearance"],
                    r["since_utc"] or "", r["consoles"]) for r in rows]


def list_operators(url: str, connect_password: str | None = None) -> list[FloorOperator]:
    database = Database(url, None, connect_password)
    try:
        rows = database.read(lambda c: c.execute(select(operators).order_by(operators.c.login)).mappings().all())
    finally:
        database.close()
    return [FloorOperator(r["login"], r["nation"], tuple(x for x in r["roles"].split(";") if x), r["clearance"],
                          r["added_utc"], r["added_by"]) for r in rows]

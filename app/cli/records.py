"""``spaceops watchlist list`` and ``spaceops events list``: the watch pairs and events the
operator may see (nation and clearance; the store's repositories filter, and on a floor the
database's row-level security too), on the same database as the console and ``tasking``.

Every output carries its overall marking, the highest classification among the rows shown,
``REL TO`` the nations every row is released to (as the tasking export marks a file), and
who is looking: text on its first line, CSV in a first ``# `` comment line, JSON as
``{"marking", "listed_utc", "listed_by", "records": [{"marking", ...}]}``."""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from app.common.marking import DATA_MODES, highest_classification, is_shelved, is_waiting, nations_in
from app.common.spreadsheet import safe_row
from app.common.user_settings import Operator, PasswordFileError, connection_password, load_settings

if TYPE_CHECKING:
    from app.storage import Store

# the database (app.storage: SQLAlchemy) is imported when a command runs: the parsers are
# built for every ``spaceops`` command

EXIT_OK, EXIT_USAGE, EXIT_DATABASE = 0, 2, 4
PAIR_FIELDS = ("id", "primary_id", "secondary_id", "caution_km", "warning_km", "closing_speed_km_s",
               "classification", "releasability", "nation", "data_mode", "version", "updated_by", "updated_utc",
               "notes")
EVENT_FIELDS = ("id", "sim_utc", "logged_utc", "kind", "severity", "message", "pair_id", "data_mode", "waiting",
                "acknowledged_by", "acknowledged_utc", "shelved_until_utc", "shelved_by", "shelve_reason",
                "classification", "releasability", "nation")
# text columns: (header, record field)
PAIR_COLUMNS = (("ID", "id"), ("PRIMARY", "primary_id"), ("SECONDARY", "secondary_id"), ("CAUTION_KM", "caution_km"),
                ("WARNING_KM", "warning_km"), ("CLASSIFICATION", "classification"),
                ("RELEASABILITY", "releasability"), ("NATION", "nation"), ("MODE", "data_mode"),
                ("VERSION", "version"), ("UPDATED_BY", "updated_by"), ("UPDATED_UTC", "updated_utc"))
EVENT_COLUMNS = (("ID", "id"), ("SIM_UTC", "sim_utc"), ("SEVERITY", "severity"), ("KIND", "kind"),
                 ("PAIR", "pair_id"), ("CLASSIFICATION", "classification"), ("STATUS", "status"),
                 ("MESSAGE", "message"))
MAX_LIMIT = 100_000


def _limit(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if not 1 <= value <= MAX_LIMIT:
        raise argparse.ArgumentTypeError(f"must be in [1, {MAX_LIMIT}], got {value}")
    return value


def database_options() -> argparse.ArgumentParser:
    """``--database`` and ``--connect-password-file``, as ``tasking``, ``watchlist``, ``events``
    and ``export`` take them."""
    options = argparse.ArgumentParser(add_help=False)
    options.add_argument("--database", metavar="URL",
                         help="SQLAlchemy URL (default: the settings' database, else SQLite in the user data dir)")
    options.add_argument("--connect-password-file", metavar="FILE",
                         help="a floor login's password (else the settings' file, PGPASSFILE, ~/.pgpass)")
    return options


def add_records_parsers(commands, common: argparse.ArgumentParser) -> None:
    database = database_options()
    watchlist = commands.add_parser("watchlist", parents=[common], help="the RPO watch pairs you may see")
    sub = watchlist.add_subparsers(dest="watchlist_command", metavar="SUBCOMMAND", required=True)
    pairs = sub.add_parser("list", parents=[common, database], help="watch pairs, with their markings")
    pairs.add_argument("--mode", "--data-mode", dest="data_mode", choices=DATA_MODES)
    pairs.add_argument("--format", choices=("text", "json", "csv"), default="text")

    events = commands.add_parser("events", parents=[common], help="the event log entries you may see")
    sub = events.add_subparsers(dest="events_command", metavar="SUBCOMMAND", required=True)
    log = sub.add_parser("list", parents=[common, database], help="events, newest first, with their markings")
    log.add_argument("--waiting", action="store_true", help="only alerts waiting for acknowledgement (not shelved)")
    log.add_argument("--limit", type=_limit, default=500, metavar="N", help="at most N events (default 500)")
    log.add_argument("--format", choices=("text", "json", "csv"), default="text")


def open_store(args) -> Store:
    """The store on ``--database``, else the settings' URL, else the default SQLite file
    (as ``tasking``). A listing never creates a database: a SQLite file that is not there
    is a StoreError. PasswordFileError for an unreadable ``--connect-password-file``."""
    from app.storage import Store, StoreError, default_database_url

    settings = load_settings()
    url = args.database or settings.database_url or default_database_url()
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:" and not Path(url[len("sqlite:///"):]).is_file():
        raise StoreError(f"there is no database at {url} (nothing was created; the console makes one on first start)")
    return Store(url, password=connection_password(settings, args.connect_password_file))


def records_command(args) -> int:
    from app.storage import StoreError

    try:
        store = open_store(args)
    except PasswordFileError as error:
        print(f"spaceops: {error}", file=sys.stderr)
        return EXIT_USAGE
    except StoreError as error:
        print(f"spaceops: {error}", file=sys.stderr)
        return EXIT_DATABASE
    try:
        if args.command == "watchlist":
            records = [_pair_record(p) for p in store.watch_pairs.all(data_mode=args.data_mode)]
            _write(records, PAIR_FIELDS, PAIR_COLUMNS, "watch pair", store.operator, args.format)
        else:
            _write(_events(store, args.waiting, args.limit), EVENT_FIELDS, EVENT_COLUMNS, "event", store.operator,
                   args.format)
        return EXIT_OK
    except StoreError as error:
        print(f"spaceops: {error}", file=sys.stderr)
        return EXIT_DATABASE
    finally:
        store.close()


def _events(store: Store, waiting_only: bool, limit: int) -> list[dict]:
    """The newest ``limit`` events the operator may see (only waiting alerts with
    ``waiting_only``). Shelved and informational events are not waiting, so when fewer
    than ``limit`` waiting ones come back the whole log is read."""
    from app.storage import now_utc

    now = now_utc()

    def read(window: int | None) -> list[dict]:
        rows = store.event_log.recent(unacknowledged_only=waiting_only, limit=window)
        records = [_event_record(row, now) for row in rows]
        return [r for r in records if r["waiting"] or not waiting_only]

    records = read(limit)
    return records if len(records) >= limit else read(None)[:limit]  # (None: SQLAlchemy's "no limit")


def _pair_record(pair) -> dict:
    record = {name: getattr(pair, name) for name in PAIR_FIELDS}
    return {"marking": _marking(record), **record}


def _event_record(row, now: str) -> dict:
    record = {name: row[name] for name in EVENT_FIELDS if name != "waiting"}
    record["waiting"] = is_waiting(record, now)
    return {"marking": _marking(record), **{name: record[name] for name in EVENT_FIELDS}}


def _released_to(record: dict) -> frozenset[str]:
    return frozenset(n for n in (record["nation"], *nations_in(record["releasability"])) if n)


def _marking(record: dict) -> str:
    """One record's marking: ``SECRET//REL TO AUS, GBR, USA``, or the bare classification
    of a record that names no nation."""
    nations = _released_to(record)
    return f"{record['classification']}//REL TO {', '.join(sorted(nations))}" if nations else record["classification"]


def overall_marking(records: list[dict]) -> str:
    """The highest classification shown (UNCLASSIFIED for none), ``REL TO`` the nations
    every marked record is released to (an unmarked record is everyone's, so it narrows nothing)."""
    highest = highest_classification(r["classification"] for r in records)
    named = [_released_to(r) for r in records if _released_to(r)]
    common = frozenset.intersection(*named) if named else frozenset()
    return f"{highest}//REL TO {', '.join(sorted(common))}" if common else highest


def _who(operator: Operator) -> str:
    """``as alice (GBR, SECRET)``."""
    if not operator.on_roster:
        return f"as {operator.name} (not on the roster: no nation, {operator.clearance})"
    return f"as {operator.name} ({operator.nation or 'no nation'}, {operator.clearance})"


def _status(record: dict, now: str) -> str:
    """As the event list says it: waiting, acknowledged by, shelved until ... by, or info."""
    if record["acknowledged_by"]:
        return f"acknowledged by {record['acknowledged_by']}"
    if is_shelved(record, now):
        return f"shelved until {record['shelved_until_utc']} by {record['shelved_by']}"
    return "waiting" if record["waiting"] else "info"


def _cell(value) -> str:
    return "" if value is None else str(value)


def _write(records: list[dict], fields: tuple[str, ...], columns, noun: str, operator: Operator, form: str) -> None:
    from app.storage import now_utc

    marking, listed = overall_marking(records), now_utc()
    count = f"{len(records)} {noun}{'' if len(records) == 1 else 's'}"
    if form == "json":
        print(json.dumps({"marking": marking, "listed_utc": listed,
                          "listed_by": {"login": operator.name, "nation": operator.nation,
                                        "clearance": operator.clearance, "on_roster": operator.on_roster},
                          "records": records}, indent=1))
    elif form == "csv":
        out = io.StringIO()
        out.write(f"# {marking} — {count} listed {listed} {_who(operator)}\n")
        writer = csv.DictWriter(out, fieldnames=("marking", *fields), lineterminator="\n")
        writer.writeheader()
        writer.writerows(safe_row(record) for record in records)
        sys.stdout.write(out.getvalue())
    else:
        print(f"{marking} — {count} {_who(operator)}")
        table = [[h for h, _ in columns]]
        table += [[_cell(_status(r, listed) if name == "status" else r[name]) for _, name in columns] for r in records]
        widths = [max(len(row[i]) for row in table) for i in range(len(columns))]
        for row in table:
            print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())

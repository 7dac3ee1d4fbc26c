"""``spaceops tasking list|show|export|import``: tasking requests from the command line,
on the same database as the console (``--database URL``, else the settings' URL, else
SQLite in the user data directory), signed by the store's operator. An export holds only
what that operator may see (nation and clearance) and, with ``--for-nation X``, what is
releasable to X too; CSV carries the marking (``app.tasking.exchange``)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from app.cli.arguments import nation_argument
from app.cli.records import database_options
from app.common.marking import DATA_MODES
from app.tasking.vocabulary import FINAL_STATES, PRECEDENCES, TRANSITIONS

if TYPE_CHECKING:
    from app.storage import TaskingRepository

# the database, the exchange formats and the requests are imported when a command runs
# (the parser is built for every ``spaceops`` command)

EXIT_OK, EXIT_USAGE, EXIT_REJECTED, EXIT_DATABASE = 0, 2, 3, 4
LIST_FIELDS = ("id", "status", "precedence", "title", "target_norad_id", "requesting_nation", "collection_type",
               "window_start", "window_end", "classification", "data_mode", "version")


def add_tasking_parser(commands, common: argparse.ArgumentParser) -> None:
    database = database_options()
    tasking = commands.add_parser("tasking", parents=[common], help="tasking requests: list, show, export, import")
    sub = tasking.add_subparsers(dest="tasking_command", metavar="SUBCOMMAND", required=True)

    listing = sub.add_parser("list", parents=[common, database], help="requests, newest window first")
    listing.add_argument("--status", choices=(*TRANSITIONS, *FINAL_STATES))
    listing.add_argument("--nation", type=nation_argument, help="requesting nation")
    listing.add_argument("--precedence", choices=PRECEDENCES)
    listing.add_argument("--target", type=int, metavar="NORAD")
    listing.add_argument("--data-mode", choices=DATA_MODES)
    listing.add_argument("--format", choices=("json", "csv"), default="json")

    show = sub.add_parser("show", parents=[common, database], help="one request with its history")
    show.add_argument("id", metavar="ID")

    export = sub.add_parser("export", parents=[common, database], help="write requests for exchange (stdout)")
    export.add_argument("--for-nation", type=nation_argument, metavar="X",
                        help="only records releasable to nation X (always only what you may see)")
    export.add_argument("--data-mode", choices=DATA_MODES)
    export.add_argument("--format", choices=("json", "csv"), default="json")

    load = sub.add_parser("import", parents=[common, database],
                          help="load a JSON or CSV exchange file; bad records are reported, newer local ones kept")
    load.add_argument("file", metavar="FILE")


def tasking_command(args) -> int:
    from app.common.user_settings import PasswordFileError, connection_password, load_settings
    from app.storage import Store, StoreError

    settings = load_settings()
    try:
        store = Store(args.database or settings.database_url or None,
                      password=connection_password(settings, args.connect_password_file))
    except PasswordFileError as error:
        print(f"spaceops: {error}", file=sys.stderr)
        return EXIT_USAGE
    except StoreError as error:
        print(f"spaceops: {error}", file=sys.stderr)
        return EXIT_DATABASE
    book = store.tasking
    try:
        if args.tasking_command == "list":
            return _list(book, args)
        if args.tasking_command == "show":
            return _show(book, args.id)
        if args.tasking_command == "export":
            return _export(book, store.operator, args)
        return _import(book, args.file)
    except StoreError as error:
        print(f"spaceops: {error}", file=sys.stderr)
        return EXIT_DATABASE
    finally:
        store.close()


def _list(book: TaskingRepository, args) -> int:
    from app.tasking.exchange import export_csv
    from app.tasking.request import request_to_record

    requests = book.requests(data_mode=args.data_mode, status=args.status, nation=args.nation,
                             precedence=args.precedence, target_norad_id=args.target)
    _report_unreadable(book)
    if args.format == "csv":
        sys.stdout.write(export_csv(requests, None))
    else:
        rows = [{k: v for k, v in request_to_record(r).items() if k in LIST_FIELDS} for r in requests]
        print(json.dumps(rows, indent=1))
    return EXIT_OK


def _report_unreadable(book: TaskingRepository) -> None:
    for line in book.unreadable:
        print(f"spaceops: warning: {line}", file=sys.stderr)


def _export(book: TaskingRepository, operator, args) -> int:
    """Only what the operator may see (their nation and clearance), for ``--for-nation`` X."""
    from app.tasking.exchange import HIGHEST_CLEARANCE, export_csv, export_json

    requests = book.requests(data_mode=args.data_mode)
    _report_unreadable(book)
    clearance = getattr(operator, "clearance", HIGHEST_CLEARANCE)
    sys.stdout.write(export_json(requests, args.for_nation, operator, clearance) + "\n" if args.format == "json"
                     else export_csv(requests, args.for_nation, operator, clearance))
    return EXIT_OK


def _show(book: TaskingRepository, request_id: str) -> int:
    from app.tasking.request import request_to_record

    request = book.get(request_id)
    if request is None:
        print(f"spaceops: no tasking request {request_id!r} in {book.database.url}", file=sys.stderr)
        return EXIT_REJECTED
    record = request_to_record(request)
    record["marking"] = request.marking
    record["history"] = [{k: row[k] for k in ("at_utc", "user", "nation", "role", "action", "changes")}
                         for row in book.history(request_id)]
    print(json.dumps(record, indent=1))
    return EXIT_OK


def _import(book: TaskingRepository, path: str) -> int:
    from app.tasking.exchange import ExchangeError, read_exchange_file

    try:
        read = read_exchange_file(Path(path))
    except ExchangeError as error:
        print(f"spaceops: {error}", file=sys.stderr)
        return EXIT_REJECTED
    report = book.import_requests(read.requests, source=Path(path).name, origin_nation=read.origin_nation)
    report.rejected = read.rejected + report.rejected  # the file's bad records, then those not ours to hold
    for line in report.rejected:
        print(f"rejected: {line}", file=sys.stderr)
    for line in report.conflicts:
        print(f"conflict (not applied): {line}", file=sys.stderr)
    print(json.dumps({"added": report.added, "updated": report.updated, "kept_local": report.kept_local,
                      "conflicts": report.conflicts, "rejected": report.rejected}, indent=1))
    print(f"spaceops: {path}: {report.summary()}", file=sys.stderr)
    return EXIT_REJECTED if report.rejected or report.conflicts else EXIT_OK

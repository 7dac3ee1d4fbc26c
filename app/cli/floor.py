"""``spaceops floor init|add-operator|list-operators|loadtest``: set up a coalition floor on
PostgreSQL (schema, roles, row-level security, triggers, change feed) and its operators, or
a single seat's roster on SQLite (``app.storage.floor``); measure a floor on this machine
under simulated consoles (``app.storage.floor_loadtest``)."""

from __future__ import annotations

import argparse
import json
import sys

from app.common.marking import CLASSIFICATIONS
from app.cli.termination import end_on_sigterm_as_on_ctrl_c
from app.common.user_settings import ROLES, PasswordFileError, connection_password, load_settings, read_password_file

# the database (app.storage: SQLAlchemy) is imported when a command runs: the parser is built
# for every ``spaceops`` command

EXIT_OK, EXIT_NOT_CONVERGED, EXIT_USAGE, EXIT_DATABASE, EXIT_INTERRUPTED = 0, 1, 2, 4, 130


def add_floor_parser(commands, common: argparse.ArgumentParser) -> None:
    database = argparse.ArgumentParser(add_help=False)
    database.add_argument("--database", metavar="URL", required=True,
                          help="postgresql+psycopg://LOGIN@HOST/DB (a floor), or sqlite:///PATH (a single seat)")
    database.add_argument("--connect-password-file", metavar="FILE",
                          help="the password of the login in --database (else the settings' file, PGPASSFILE, ~/.pgpass)")
    floor = commands.add_parser("floor", parents=[common],
                                help="a coalition floor: PostgreSQL set-up, operators, roles, clearances")
    sub = floor.add_subparsers(dest="floor_command", metavar="SUBCOMMAND", required=True)
    sub.add_parser("init", parents=[common, database],
                   help="schema, roles, row-level security, triggers (run with an administrator's URL; idempotent)")
    add = sub.add_parser("add-operator", parents=[common, database],
                         help="a login (PostgreSQL) or a roster entry (SQLite) with nation, roles and clearance")
    add.add_argument("login", metavar="LOGIN")
    add.add_argument("--nation", required=True, metavar="ISO3")
    add.add_argument("--role", required=True, action="append", choices=ROLES, dest="roles",
                     help="repeat for several roles")
    add.add_argument("--clearance", default="UNCLASSIFIED", choices=CLASSIFICATIONS)
    add.add_argument("--password-file", metavar="FILE", help="the new login's password (PostgreSQL floors)")
    listing = sub.add_parser("list-operators", parents=[common, database], help="the floor's operators")
    listing.add_argument("--format", choices=("json", "text"), default="text")
    load = sub.add_parser("loadtest", parents=[common, database],
                          help="simulated consoles (own logins and connections) make updates and listen: JSON "
                               "figures; exit 0 only if every console converged with nothing lost, else 1. A floor "
                               "on this machine only, with an administrator's URL; what it adds, it removes")
    load.add_argument("--consoles", type=_count_argument, default=20, metavar="N", help="default 20")
    load.add_argument("--updates", type=_count_argument, default=1000, metavar="M",
                      help="in all, round-robin across the consoles (default 1000)")
    load.add_argument("--seconds", type=_seconds_argument, default=10.0, metavar="S",
                      help="the updates evenly paced over S seconds (default 10)")


def _count_argument(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _seconds_argument(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError("must be above 0")
    return value


def floor_command(args) -> int:
    if args.floor_command == "loadtest":
        return _loadtest(args)
    from app.storage import StoreError, add_operator, init_floor, list_operators

    try:
        password = connection_password(load_settings(), args.connect_password_file)
        if args.floor_command == "init":
            for line in init_floor(args.database, password):
                print(line)
            return EXIT_OK
        if args.floor_command == "add-operator":
            new_password = read_password_file(args.password_file) if args.password_file else None
            added = add_operator(args.database, args.login, args.nation.upper(), tuple(args.roles), args.clearance,
                                 new_password, password)
            print(f"{added.login}: {added.nation}, {', '.join(added.roles)}, cleared {added.clearance}")
            return EXIT_OK
        return _list(list_operators(args.database, password), args.format)
    except PasswordFileError as error:
        print(f"spaceops: {error}", file=sys.stderr)
        return EXIT_USAGE
    except StoreError as error:
        print(f"spaceops: {error}", file=sys.stderr)
        return EXIT_DATABASE


def _loadtest(args) -> int:
    from app.storage import LoadtestRefused, StoreError, require_local, run_loadtest

    try:
        require_local(args.database)  # before reading anything or connecting
        password = connection_password(load_settings(), args.connect_password_file)
        end_on_sigterm_as_on_ctrl_c()
        result = run_loadtest(args.database, args.consoles, args.updates, args.seconds, password,
                              note=lambda line: print(line, file=sys.stderr, flush=True))
    except (LoadtestRefused, PasswordFileError) as error:
        print(f"spaceops: {error}", file=sys.stderr)
        return EXIT_USAGE
    except StoreError as error:
        print(f"spaceops: {error}", file=sys.stderr)
        return EXIT_DATABASE
    except KeyboardInterrupt:
        print("spaceops: loadtest interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    print(json.dumps(result.as_json(), indent=1))
    return EXIT_OK if result.passed else EXIT_NOT_CONVERGED


def _list(operators, form: str) -> int:
    if form == "json":
        print(json.dumps([{"login": o.login, "nation": o.nation, "roles": list(o.roles), "clearance": o.clearance,
                           "added_utc": o.added_utc, "added_by": o.added_by} for o in operators], indent=1))
        return EXIT_OK
    print(f"{'LOGIN':<20} {'NATION':<6} {'CLEARANCE':<12} ROLES")
    for o in operators:
        print(f"{o.login:<20} {o.nation:<6} {o.clearance:<12} {', '.join(o.roles)}")
    return EXIT_OK

"""``spaceops classroom lead|follow|debrief``: a class without windows (``app.classroom``).
The leader opens a class, takes it through a lesson and closes it; a follower joins a class
and, with ``--print-state``, prints each state it applies; ``debrief`` writes the class's
debrief (``app.classroom.debrief``) as CSV, JSON, or a marked PNG or PDF page. JSON lines on
stdout, messages on stderr. Exit codes: 0 done; 2 usage or a bad lesson (file:line: field:
why) or a bad output file; 4 database (no such class, not an instructor, unreachable); 130
interrupted."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from app.common.output_file import OutputError, check_output
from app.cli.termination import end_on_sigterm_as_on_ctrl_c
from app.common.user_settings import PasswordFileError, connection_password, load_settings

# the classes and their database (app.classroom, app.storage) are imported when a command
# runs: the parser is built for every ``spaceops`` command

EXIT_OK, EXIT_USAGE, EXIT_DATABASE, EXIT_INTERRUPTED = 0, 2, 4, 130


def add_classroom_parser(commands, common: argparse.ArgumentParser) -> None:
    shared = argparse.ArgumentParser(add_help=False)
    shared.add_argument("--database", metavar="URL", required=True,
                        help="postgresql+psycopg://LOGIN@HOST/DB (a floor), or sqlite:///PATH (a single seat)")
    shared.add_argument("--connect-password-file", metavar="FILE",
                        help="the password of the login in --database (else the settings' file, PGPASSFILE, ~/.pgpass)")
    shared.add_argument("--class", dest="class_name", required=True, metavar="NAME", help="the class's name")
    classroom = commands.add_parser("classroom", parents=[common],
                                    help="a class without windows: an instructor leads, trainees follow")
    sub = classroom.add_subparsers(dest="classroom_command", metavar="SUBCOMMAND", required=True)
    lead = sub.add_parser("lead", parents=[common, shared],
                          help="open the class, take it through a lesson, close it; each state and event as a "
                               "JSON line")
    lead.add_argument("--lesson", required=True, metavar="FILE", help="a lesson (see resources/lessons)")
    lead.add_argument("--speed", type=_positive_argument, default=1.0, metavar="X",
                      help="run the lesson X times faster: its clock rates times X, each step's hold divided by X")
    follow = sub.add_parser("follow", parents=[common, shared],
                            help="follow a class until it closes (or --seconds pass): on a floor it listens for the "
                                 "instructor's states, on SQLite it reads the newest every 0.2 s")
    follow.add_argument("--print-state", action="store_true", help="each state applied, as a JSON line")
    follow.add_argument("--seconds", type=_positive_argument, metavar="S", help="stop after S seconds")
    follow.add_argument("--answer-script", metavar="FILE",
                        help="answer the lesson's checks from this file (format spaceops-answers; see "
                             "app/classroom/answer_script.py), judged as the console judges them")
    follow.add_argument("--catalog", action="extend", nargs="+", metavar="FILE",
                        help="the catalog the checks are judged on (default: the bundled catalog), read when a "
                             "check first needs it")
    debrief = sub.add_parser("debrief", parents=[common, shared],
                             help="the class's debrief: a timeline of steps, prompts, messages and injects against "
                                  "each trainee's answers, and a summary per trainee; marked UNCLASSIFIED//EXERCISE")
    debrief.add_argument("--out", required=True, metavar="FILE",
                         help="the file to write: .csv or .json (everything), .png or .pdf (one A4 page)")


DEBRIEF_SUFFIXES = (".csv", ".json", ".png", ".pdf")


def _positive_argument(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 < value <= 10_000:
        raise argparse.ArgumentTypeError("must be above 0, at most 10000")
    return value


def _print_line(line: dict) -> None:
    print(json.dumps(line), flush=True)


def _catalog_reader(paths: list[str] | None):
    """The catalog the checks are judged on, read when first needed."""
    def read():
        from app.catalog.catalog import Catalog
        return Catalog.load(paths) if paths else Catalog.load_default()
    return read


def classroom_command(args) -> int:
    from app.classroom import LessonError, follow, lead, load_lesson
    from app.classroom.answer_script import load_answer_script
    from app.storage import StoreError

    if args.classroom_command == "debrief":
        return debrief_command(args)
    try:
        password = connection_password(load_settings(), args.connect_password_file)
        if args.classroom_command == "lead":
            lesson = load_lesson(args.lesson)
            end_on_sigterm_as_on_ctrl_c()
            lead(args.database, args.class_name, lesson, args.speed, password, _print_line)
        else:
            answers = load_answer_script(args.answer_script) if args.answer_script else None
            end_on_sigterm_as_on_ctrl_c()
            follower = follow(args.database, args.class_name, password,
                              _print_line if args.print_state or answers else None, args.seconds, answers=answers,
                              catalog=_catalog_reader(args.catalog))
            print(f"spaceops: followed class {args.class_name} led by {follower.instructor} "
                  f"({follower.applied_seq} the newest state applied)", file=sys.stderr)
    except (LessonError, PasswordFileError) as error:
        print(f"spaceops: {error}", file=sys.stderr)
        return EXIT_USAGE
    except StoreError as error:
        print(f"spaceops: {error}", file=sys.stderr)
        return EXIT_DATABASE
    except KeyboardInterrupt:
        print("spaceops: classroom interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    return EXIT_OK


def debrief_command(args) -> int:
    """Write the debrief to ``--out`` (its suffix says the form); exit 2 for a bad output, 4
    for no such class or a database that cannot be read."""
    from app.classroom.class_records import ClassRecords
    from app.classroom.debrief import build_debrief, write_csv, write_json
    from app.storage import StoreError

    suffix = Path(args.out).suffix.lower()
    if suffix not in DEBRIEF_SUFFIXES:
        print(f"spaceops: --out {args.out}: a debrief is written as {', '.join(DEBRIEF_SUFFIXES)}", file=sys.stderr)
        return EXIT_USAGE
    url = args.database
    sqlite_file = url[len("sqlite:///"):] if url.startswith("sqlite:///") and url != "sqlite:///:memory:" else None
    try:
        target = check_output(args.out, [p for p in (sqlite_file, args.connect_password_file) if p])
        password = connection_password(load_settings(), args.connect_password_file)
    except (OutputError, PasswordFileError) as error:
        print(f"spaceops: {error}", file=sys.stderr)
        return EXIT_USAGE
    if sqlite_file is not None and not Path(sqlite_file).is_file():
        print(f"spaceops: there is no database at {url} (nothing was created)", file=sys.stderr)
        return EXIT_DATABASE
    try:
        records = ClassRecords(url, password)
        try:
            debrief = build_debrief(records, args.class_name)
        finally:
            records.close_connection()
    except StoreError as error:
        print(f"spaceops: {error}", file=sys.stderr)
        return EXIT_DATABASE
    try:
        if suffix == ".csv":
            write_csv(debrief, target)
        elif suffix == ".json":
            write_json(debrief, target)
        else:
            from widgets.debrief_page import save_debrief_page
            from widgets.page_drawing import offscreen_application

            offscreen_application()
            save_debrief_page(debrief, target)
    except OSError as error:
        print(f"spaceops: {target}: not written ({error.strerror or error})", file=sys.stderr)
        return EXIT_USAGE
    print(f"spaceops: debrief of class {args.class_name}: {len(debrief.timeline)} timeline rows, "
          f"{len(debrief.trainees)} trainees -> {target}", file=sys.stderr)
    return EXIT_OK

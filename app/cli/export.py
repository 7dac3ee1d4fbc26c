"""``spaceops export omm|tle|czml|oem``: element sets and ephemerides out, for partners
(``app.exchange``).

    spaceops export omm  [--catalog FILE...] [--ids N,N] [--group NAME] [--format xml|kvn|json|csv] --out FILE
    spaceops export tle  [--catalog FILE...] [--ids N,N] [--group NAME] --out FILE
    spaceops export czml [--catalog FILE...] [--ids N,N] [--group NAME] --start ISO --hours H
                         [--step-s S] [--frame INERTIAL|FIXED] --out FILE
    spaceops export oem  [--catalog FILE...] [--ids N,N] [--group NAME] --start ISO --hours H
                         [--step-s S] [--frame GCRF|EME2000|TEME|ITRF] [--format kvn|xml] --out FILE

Each takes ``--for-nation X`` (the recipients: only what X may see goes out) and
``--max-classification LEVEL`` (the export's own limit), and always holds only what the
operator may export: their clearance, from the console's database as ``tasking export`` reads
it (``--database``, else the settings', else the single seat's SQLite file). With no database
there, the operating-system account exports as an account not on the roster: no nation,
UNCLASSIFIED only. The file is written beside ``--out`` and renamed into place when complete.
A summary goes to stdout as JSON; every object left out is named on stderr.

Exit codes: 0 written; 2 usage (a bad option, group, span, an output that cannot be written);
3 written, but input records were rejected or objects left out (not releasable, no TLE
catalog number, no position in the span, fewer than two OEM states), or a catalog number asked
for is not in the catalog;
4 the database named cannot be used."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from app.cli.arguments import ids_argument, nation_argument, utc_argument
from app.cli.records import database_options
from app.common.marking import CLASSIFICATIONS

if TYPE_CHECKING:
    from app.common.user_settings import Operator

# the catalog, the formats and the database are imported when the command runs (the parsers
# are built for every ``spaceops`` command)

EXIT_OK, EXIT_USAGE, EXIT_REJECTED, EXIT_DATABASE = 0, 2, 3, 4
OMM_FORMATS = ("xml", "kvn", "json", "csv")
OEM_FORMATS = ("kvn", "xml")
OEM_FRAMES = ("GCRF", "EME2000", "TEME", "ITRF")
_FORMAT_BY_SUFFIX = {".xml": "xml", ".kvn": "kvn", ".omm": "kvn", ".txt": "kvn", ".json": "json", ".csv": "csv"}
MAX_HOURS = 24 * 31


def _positive(text: str, limit: float, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of {what}: {text!r}") from None
    if not 0 < value <= limit:
        raise argparse.ArgumentTypeError(f"{what} must be in (0, {limit:g}], got {value:g}")
    return value


def _hours(text: str) -> float:
    return _positive(text, MAX_HOURS, "hours")


def _step(text: str) -> float:
    return _positive(text, 86400.0, "seconds")


def add_export_parser(commands, common: argparse.ArgumentParser) -> None:
    shared = argparse.ArgumentParser(add_help=False, parents=[database_options()])  # who exports: nation, clearance
    shared.add_argument("--catalog", nargs="+", action="extend", metavar="FILE",
                        help="catalog files, after one --catalog or several (default: the bundled catalog)")
    shared.add_argument("--ids", type=ids_argument, metavar="N,N,...", help="only these catalog numbers")
    shared.add_argument("--group", metavar="NAME", help="only this group of the catalog panel (e.g. 'GEO belt')")
    shared.add_argument("--for-nation", type=nation_argument, metavar="X",
                        help="the recipients' nation: only what X may see (always only what you may export)")
    shared.add_argument("--max-classification", choices=CLASSIFICATIONS, metavar="LEVEL",
                        help=f"export nothing above LEVEL ({', '.join(CLASSIFICATIONS)}; your clearance limits too)")
    shared.add_argument("--out", required=True, metavar="FILE", help="the file to write")

    export = commands.add_parser("export", parents=[common],
                                 help="element sets out for partners: OMM, TLE, CZML or OEM, marked and "
                                      "releasable")
    sub = export.add_subparsers(dest="export_command", metavar="FORMAT", required=True)
    omm = sub.add_parser("omm", parents=[common, shared],
                         help="CCSDS OMM: XML (NDM/XML 2.0), KVN (502.0-B-3), JSON or CSV (CelesTrak's GP fields)")
    omm.add_argument("--format", choices=OMM_FORMATS,
                     help="default: from the --out suffix (.xml, .kvn/.omm, .json, .csv), else xml")
    sub.add_parser("tle", parents=[common, shared],
                   help="3LE (objects whose catalog number does not fit a TLE are left out and named)")
    czml = sub.add_parser("czml", parents=[common, shared], help="CZML for Cesium: positions sampled over a span")
    czml.add_argument("--start", required=True, type=utc_argument, metavar="ISO8601",
                      help="UTC time of the first sample")
    czml.add_argument("--hours", required=True, type=_hours, metavar="H", help=f"the span (at most {MAX_HOURS} h)")
    czml.add_argument("--step-s", type=_step, default=60.0, metavar="S", help="seconds between samples (default 60)")
    czml.add_argument("--frame", choices=("INERTIAL", "FIXED"), default="INERTIAL",
                      help="INERTIAL: GCRS/ICRF (default; Cesium turns it with the Earth); FIXED: Earth-fixed")
    oem = sub.add_parser("oem", parents=[common, shared],
                         help="CCSDS OEM 2.0 (KVN or XML): SGP4 states over a span, Lagrange degree 7")
    oem.add_argument("--start", required=True, type=utc_argument, metavar="ISO8601", help="UTC time of the first state")
    oem.add_argument("--hours", required=True, type=_hours, metavar="H", help=f"the span (at most {MAX_HOURS} h)")
    oem.add_argument("--step-s", type=_step, default=60.0, metavar="S", help="seconds between states (default 60)")
    oem.add_argument("--frame", choices=OEM_FRAMES, default="GCRF",
                     help="GCRF (default), EME2000 (GCRF with the IAU 2000 frame bias), TEME (SGP4's own) or ITRF "
                          "(Earth-fixed, display grade)")
    oem.add_argument("--format", choices=OEM_FORMATS, help="default: xml for an --out ending in .xml, else kvn")


def _say(text: str) -> None:
    print(f"spaceops: {text}", file=sys.stderr)


def resolve_operator(args) -> "Operator | int":
    """Who exports (nation and clearance), from the database as ``tasking export`` reads it;
    an exit code when that database cannot be used. No database at the default place: the
    operating-system account, not on the roster (no nation, UNCLASSIFIED)."""
    from app.cli.records import open_store
    from app.common.user_settings import Operator, PasswordFileError, current_user, load_settings
    from app.storage import StoreError

    try:
        store = open_store(args)
    except PasswordFileError as error:
        _say(str(error))
        return EXIT_USAGE
    except StoreError as error:
        if args.database or load_settings().database_url:
            _say(str(error))
            return EXIT_DATABASE
        operator = Operator(current_user(), roles=(), on_roster=False)
        _say(f"no database here: exporting as {operator.name}, not on the roster (no nation, "
             f"{operator.clearance} only)")
        return operator
    try:
        return store.operator
    finally:
        store.close()


def _rows(catalog, args) -> tuple[list[int] | None, list[str]] | int:
    """The catalog rows the options choose (None: all) and the catalog numbers asked for that
    are not there; an exit code for an unknown group."""
    import numpy as np

    from app.catalog.filter import BUILTIN_GROUPS, builtin_group

    mask = np.ones(len(catalog), dtype=bool)
    if args.group is not None:
        group = builtin_group(args.group)
        if group is None:
            _say(f"--group: no group {args.group!r}; one of: {', '.join(BUILTIN_GROUPS)}")
            return EXIT_USAGE
        mask &= group.mask(catalog)
    missing: list[str] = []
    if args.ids is not None:
        wanted = np.zeros(len(catalog), dtype=bool)
        for norad_id in dict.fromkeys(args.ids):
            if norad_id in catalog:
                wanted[catalog.row_of(norad_id)] = True
            else:
                missing.append(f"--ids: {norad_id}: catalog number not in the catalog")
        mask &= wanted
    if args.group is None and args.ids is None:
        return None, missing
    return [int(row) for row in np.flatnonzero(mask)], missing


def export_command(args) -> int:
    from app.catalog import Catalog
    from app.common.output_file import OutputError, check_output, replaced_when_done
    from app.common.resources import default_catalog_paths

    files = args.catalog or [str(path) for path in default_catalog_paths()]
    try:
        target = check_output(args.out, [*files, *(p for p in (args.connect_password_file,) if p)])
    except OutputError as error:
        _say(str(error))
        return EXIT_USAGE
    fmt = None
    if args.export_command == "omm":
        fmt = args.format or _FORMAT_BY_SUFFIX.get(target.suffix.lower(), "xml")
    elif args.export_command == "oem":
        fmt = args.format or ("xml" if target.suffix.lower() == ".xml" else "kvn")
    operator = resolve_operator(args)
    if isinstance(operator, int):
        return operator
    catalog = Catalog.load(files)
    chosen = _rows(catalog, args)
    if isinstance(chosen, int):
        return chosen
    rows, missing = chosen
    result = _export(catalog, rows, operator, fmt, args)
    if isinstance(result, int):
        return result
    with replaced_when_done(target) as temporary:
        temporary.write_text(result.text, encoding="utf-8")
    _report(catalog, result, missing)
    print(json.dumps({"out": str(target), "kind": args.export_command, "format": fmt, "marking": result.marking,
                      "exported": result.exported, "left_out": [x.as_dict() for x in result.left_out],
                      "warnings": result.warnings, "rejected_count": catalog.rejected_count,
                      "exported_by": {"login": operator.name, "nation": operator.nation,
                                      "clearance": operator.clearance, "on_roster": operator.on_roster},
                      "for_nation": args.for_nation}, indent=1))
    return EXIT_REJECTED if result.left_out or missing or catalog.rejected_count else EXIT_OK


def _export(catalog, rows, operator, fmt, args):
    """The ExportResult, or EXIT_USAGE for a CZML or OEM span or step it cannot sample (said why)."""
    from app.exchange.release import ExportError, releasable
    from app.exchange.writers import write_export

    release = releasable(catalog, rows, operator, args.for_nation, args.max_classification)
    sampled = {"start": args.start, "hours": args.hours, "step_s": args.step_s,
               "frame": args.frame} if args.export_command in ("czml", "oem") else {}
    try:
        return write_export(args.export_command, catalog, release, fmt, **sampled)
    except ExportError as error:
        _say(str(error))
        return EXIT_USAGE


def _report(catalog, result, missing: list[str]) -> None:
    rejections = list(catalog.rejections)
    if rejections:
        _say(f"{catalog.rejected_count:,} input record(s) rejected:")
        for rejection in rejections:
            print(f"  {rejection}", file=sys.stderr)
        if catalog.more_rejections:
            print(f"  ... and {catalog.more_rejections:,} more", file=sys.stderr)
    for line in missing:
        _say(line)
    if result.left_out:
        _say(f"{len(result.left_out):,} object(s) left out:")
        for left in result.left_out:
            print(f"  {left}", file=sys.stderr)
    for warning in result.warnings:
        _say(f"warning: {warning}")
    _say(f"{result.exported:,} object(s) written, marked {result.marking}")

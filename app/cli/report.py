"""``spaceops report pair|request``: briefing pages, headless, drawn on Qt's offscreen
platform (no display needed).

    spaceops report pair PRIMARY SECONDARY --at ISO --out FILE.pdf|.png [--cdm FILE] [--hbr-m R]
    spaceops report request ID --out FILE.pdf|.png [--database URL]

``pair``: ``app.rpo.briefing`` drawn by ``widgets.briefing_page`` (the picture is a
ground-track map; the console puts its globe there instead). ``request``: a tasking
request as the operator may see it (the database as ``tasking show`` opens it), with its
feasible passes over the bundled and user sensors now (``widgets.request_briefing_page``).

Exit codes: 0 written; 2 usage (an output that is not .pdf or .png, or cannot be written);
3 an object not in the catalog, a CDM that cannot be read, or no such request (nothing
written); 4 the database cannot be used."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from app.cli.arguments import utc_argument

EXIT_OK, EXIT_USAGE, EXIT_REJECTED, EXIT_DATABASE = 0, 2, 3, 4


def add_report_parser(commands, common: argparse.ArgumentParser) -> None:
    report = commands.add_parser("report", parents=[common], help="briefing pages (PDF or PNG)")
    kinds = report.add_subparsers(dest="report_kind", metavar="KIND", required=True)
    pair = kinds.add_parser("pair", parents=[common], help="one page about two objects: range, RIC, approaches")
    pair.add_argument("primary", type=int, metavar="PRIMARY", help="catalog number")
    pair.add_argument("secondary", type=int, metavar="SECONDARY", help="catalog number")
    pair.add_argument("--at", required=True, type=utc_argument, metavar="ISO8601", help="the moment briefed")
    pair.add_argument("--out", required=True, type=Path, metavar="FILE", help="FILE.pdf or FILE.png")
    pair.add_argument("--catalog", nargs="+", action="extend", metavar="FILE",
                      help="catalog files, after one --catalog or several (default: the bundled catalog)")
    pair.add_argument("--cdm", type=Path, metavar="FILE", help="a CDM about the pair: its numbers beside ours")
    pair.add_argument("--hbr-m", type=float, metavar="R", help="hard-body radius for our Pc (default: the CDM's)")
    from app.cli.records import database_options

    request = kinds.add_parser("request", parents=[common, database_options()],
                               help="one page about a tasking request: what is asked, passes that serve it")
    request.add_argument("id", metavar="ID")
    request.add_argument("--out", required=True, type=Path, metavar="FILE", help="FILE.pdf or FILE.png")
    request.add_argument("--catalog", nargs="+", action="extend", metavar="FILE",
                         help="catalog files, after one --catalog or several (default: the bundled catalog)")


def report_command(args) -> int:
    if args.out.suffix.lower() not in (".pdf", ".png"):
        print(f"spaceops report: {args.out.name}: a briefing is .pdf or .png", file=sys.stderr)
        return EXIT_USAGE
    return _pair(args) if args.report_kind == "pair" else _request(args)


def _write(save, out: Path) -> int:
    from widgets.page_drawing import offscreen_application

    offscreen_application()
    try:
        save()
    except OSError as error:
        print(f"spaceops report: cannot write {out}: {error}", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_OK


def _request(args) -> int:
    from app.catalog import Catalog
    from app.cli.records import open_store
    from app.common.resources import default_catalog_paths
    from app.common.user_settings import PasswordFileError
    from app.sensors.sites import SensorStore, all_sensors
    from app.storage import StoreError
    from app.tasking.request import feasibility

    try:
        store = open_store(args)
    except PasswordFileError as error:
        print(f"spaceops report: {error}", file=sys.stderr)
        return EXIT_USAGE
    except StoreError as error:
        print(f"spaceops report: {error}", file=sys.stderr)
        return EXIT_DATABASE
    try:
        request = store.tasking.get(args.id)
    except StoreError as error:
        print(f"spaceops report: {error}", file=sys.stderr)
        return EXIT_DATABASE
    finally:
        store.close()
    if request is None:
        print(f"spaceops report: no tasking request {args.id!r} you may see", file=sys.stderr)
        return EXIT_REJECTED
    catalog = Catalog.load(args.catalog if args.catalog else default_catalog_paths(), lazy=True)
    target = request.target_norad_id
    name = str(catalog.name[catalog.row_of(target)]) if target in catalog else "not in the catalog"
    one = catalog.subset(catalog.rows_of([target])) if target in catalog else catalog
    feasible = feasibility(request, one, all_sensors(SensorStore()))

    from widgets.request_briefing_page import save_request_page

    code = _write(lambda: save_request_page(request, name, feasible, args.out), args.out)
    if code == EXIT_OK:
        json.dump({"file": str(args.out), "marking": request.marking, "passes": len(feasible.passes),
                   "reasons": list(feasible.reasons)}, sys.stdout, indent=1)
        sys.stdout.write("\n")
    return code


def _pair(args) -> int:
    from app.catalog import Catalog
    from app.common.resources import default_catalog_paths
    from app.conjunction.cdm import CdmError, read_cdm
    from app.rpo.briefing import pair_briefing

    if args.primary == args.secondary:
        print("spaceops report: a pair needs two different objects", file=sys.stderr)
        return EXIT_USAGE
    cdm = None
    if args.cdm is not None:
        try:
            cdm = read_cdm(args.cdm)
        except CdmError as error:
            print(f"spaceops report: CDM rejected: {error}", file=sys.stderr)
            return EXIT_REJECTED
    catalog = Catalog.load(args.catalog if args.catalog else default_catalog_paths(), lazy=True)
    missing = [n for n in (args.primary, args.secondary) if n not in catalog]
    if missing:
        print(f"spaceops report: not in the catalog: {', '.join(map(str, missing))}", file=sys.stderr)
        return EXIT_REJECTED
    pair = catalog.subset(catalog.rows_of([args.primary, args.secondary]))
    briefing = pair_briefing(pair, args.primary, args.secondary, args.at, cdm=cdm, hbr_m=args.hbr_m)

    from widgets.briefing_page import save_briefing_page

    code = _write(lambda: save_briefing_page(briefing, args.out), args.out)
    if code != EXIT_OK:
        return code
    for warning in briefing.warnings:
        print(f"spaceops report: {warning}", file=sys.stderr)
    json.dump({"file": str(args.out), "marking": briefing.marking, "approaches": len(briefing.approaches),
               "range_km": briefing.range_km}, sys.stdout, indent=1)
    sys.stdout.write("\n")
    return EXIT_OK

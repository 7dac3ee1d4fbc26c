"""``spaceops report pair PRIMARY SECONDARY --at ISO --out FILE.pdf|.png``: the pair briefing
page, headless (``app.rpo.briefing``, drawn by ``widgets.briefing_page`` on Qt's offscreen
platform: no display needed; the picture is a ground-track map, the console puts its globe
there instead).

Exit codes: 0 written; 2 usage (an output that is not .pdf or .png, or cannot be written);
3 an object not in the catalog, or a CDM that cannot be read (nothing written)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from app.cli.arguments import utc_argument

EXIT_OK, EXIT_USAGE, EXIT_REJECTED = 0, 2, 3


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


def report_command(args) -> int:
    from app.catalog import Catalog
    from app.common.resources import default_catalog_paths
    from app.conjunction.cdm import CdmError, read_cdm
    from app.rpo.briefing import pair_briefing

    if args.out.suffix.lower() not in (".pdf", ".png"):
        print(f"spaceops report: {args.out.name}: a briefing is .pdf or .png", file=sys.stderr)
        return EXIT_USAGE
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
    from widgets.page_drawing import offscreen_application

    offscreen_application()
    try:
        save_briefing_page(briefing, args.out)
    except OSError as error:
        print(f"spaceops report: cannot write {args.out}: {error}", file=sys.stderr)
        return EXIT_USAGE
    for warning in briefing.warnings:
        print(f"spaceops report: {warning}", file=sys.stderr)
    json.dump({"file": str(args.out), "marking": briefing.marking, "approaches": len(briefing.approaches),
               "range_km": briefing.range_km}, sys.stdout, indent=1)
    sys.stdout.write("\n")
    return EXIT_OK

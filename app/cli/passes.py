"""``spaceops passes``: who sees an object, or what sensors see.

    spaceops passes --norad N --start ISO --hours H [--sensor NAME ... | --site LAT,LON,ALT_M]
    spaceops passes --all [--group NAME] [--sensor NAME ... | --site LAT,LON,ALT_M] --start ISO --hours H

Both take ``--min-elevation-deg E`` (overrides the sensors' masks) and ``--format json|csv``.
``--norad``: one object's passes over the sensors (default: every operational sensor).
``--all``: every object of the catalog (or of one of the catalog panel's groups) over the
sensors, by ``app.sensors.catalog_passes``; rows are written as they are made, in time order.

Exit codes: 0; 2 usage (an unknown sensor or group, a mask outside [-5, 90]); 3 input
records rejected, or the catalog number asked for is not in the catalog."""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from typing import Iterable

from app.cli.arguments import hours_argument, site_argument, utc_argument
from app.cli.reporting import report_rejections, report_warnings

EXIT_OK, EXIT_USAGE, EXIT_REJECTED = 0, 2, 3
PASS_FIELDS = ("sensor", "norad_id", "aos_utc", "tca_utc", "los_utc", "max_elevation_deg", "range_at_tca_km",
               "sunlit", "site_dark")


def add_passes_parser(commands, common: argparse.ArgumentParser) -> None:
    passes = commands.add_parser("passes", parents=[common], help="passes of one object, or of the catalog, over sensors")
    passes.add_argument("--catalog", nargs="+", action="extend", metavar="FILE",
                        help="catalog files, after one --catalog or several (default: the bundled catalog)")
    what = passes.add_mutually_exclusive_group(required=True)
    what.add_argument("--norad", type=int, metavar="N", help="catalog number of the object")
    what.add_argument("--all", action="store_true", help="every object of the catalog (or of --group)")
    passes.add_argument("--group", metavar="NAME", help="with --all: one of the catalog panel's groups (e.g. 'GEO belt')")
    where = passes.add_mutually_exclusive_group()
    where.add_argument("--sensor", nargs="+", metavar="NAME", help="sensor names (or unique prefixes); default: all")
    where.add_argument("--site", type=site_argument, metavar="LAT,LON,ALT_M", help="an ad-hoc site, named 'site'")
    passes.add_argument("--start", required=True, type=utc_argument, metavar="ISO8601")
    passes.add_argument("--hours", required=True, type=hours_argument, metavar="H")
    passes.add_argument("--min-elevation-deg", type=float, metavar="E", help="elevation mask (overrides the sensors')")
    passes.add_argument("--format", choices=("json", "csv"), default="json")


def _sensors(parser: argparse.ArgumentParser, args) -> list:
    from dataclasses import replace

    from app.sensors.sites import Sensor, SensorError, SensorStore, all_sensors, find_sensors

    store = SensorStore()
    for problem in store.problems:
        print(f"spaceops: {problem}", file=sys.stderr)
    if args.site is not None:
        lat, lon, alt = args.site
        sensors = [Sensor("site", "UNK", "national", "optical", lat, lon, alt,
                          10.0 if args.min_elevation_deg is None else args.min_elevation_deg, 1e6)]
    else:
        known = all_sensors(store)
        try:
            sensors = find_sensors(args.sensor, known) if args.sensor else [s for s in known if s.operational]
        except SensorError as error:
            parser.error(str(error))
    if args.min_elevation_deg is not None:
        if not -5.0 <= args.min_elevation_deg <= 90.0:
            parser.error("--min-elevation-deg must be in [-5, 90]")
        sensors = [replace(s, min_elevation_deg=args.min_elevation_deg) for s in sensors]
    return sensors


def passes_command(parser: argparse.ArgumentParser, args) -> int:
    from app.catalog import Catalog
    from app.catalog.filter import BUILTIN_GROUPS, builtin_group
    from app.catalog.ingest import Rejection
    from app.common.resources import default_catalog_paths

    if args.group is not None and not args.all:
        parser.error("--group goes with --all")
    group = None if args.group is None else builtin_group(args.group)
    if args.group is not None and group is None:
        parser.error(f"--group: no group {args.group!r}; one of: {', '.join(BUILTIN_GROUPS)}")
    sensors = _sensors(parser, args)
    catalog = Catalog.load(args.catalog if args.catalog else default_catalog_paths(), lazy=True)
    rejected = list(catalog.rejections)
    if args.all:
        rows = _catalog_rows(catalog, sensors, args, group)
    elif args.norad in catalog:
        from app.sensors.passes import passes_for_object

        one = catalog.subset(catalog.rows_of([args.norad]))  # makes this object's satrec only
        rows = (p.as_dict() for p in passes_for_object(one, args.norad, sensors, args.start, args.hours))
    else:
        rejected.append(Rejection("--norad", str(args.norad), "catalog number not in the catalog"))
        rows = iter(())
    _write(rows, args.format)
    report_warnings(catalog)
    report_rejections(rejected, catalog.more_rejections)
    return EXIT_REJECTED if rejected else EXIT_OK


def _catalog_rows(catalog, sensors, args, group) -> Iterable[dict]:
    import numpy as np

    from app.sensors.catalog_passes import catalog_passes

    rows = None if group is None else np.flatnonzero(group.mask(catalog))
    started = time.perf_counter()
    table = catalog_passes(catalog, sensors, args.start, args.hours, rows=rows)
    print(f"spaceops: {len(table):,} passes of {len(table.objects_seen()):,} objects over "
          f"{len(table.sensors)} sensor(s) in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return table.rows()


def _write(rows: Iterable[dict], output_format: str) -> None:
    """Rows as a JSON array or CSV, one at a time (the catalog's passes run to millions)."""
    from app.common.spreadsheet import safe_row

    picked = ({k: row[k] for k in PASS_FIELDS} for row in rows)
    if output_format == "csv":
        writer = csv.DictWriter(sys.stdout, PASS_FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(safe_row(row) for row in picked)
        return
    count = 0
    sys.stdout.write("[")
    for row in picked:
        sys.stdout.write((",\n " if count else "\n ") + json.dumps(row))
        count += 1
    sys.stdout.write("\n]\n" if count else "]\n")

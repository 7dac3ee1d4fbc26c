"""``spaceops``: the console's command line. JSON on stdout, messages on stderr.

Exit codes: 0 success; 2 usage error; 3 input data rejected (the report goes to stderr,
the good records are still used and printed).
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import math
import sys
from datetime import datetime
from typing import Sequence

from app import __version__
from app.catalog import Catalog
from app.ingest import Rejection
from app.logconfig import configure_logging
from app.resources import default_catalog_paths
from app.timeutil import TimeFormatError, format_utc, parse_utc

EXIT_OK, EXIT_USAGE, EXIT_REJECTED = 0, 2, 3
log = logging.getLogger("spaceops")


def _utc_argument(text: str) -> datetime:
    try:
        return parse_utc(text)
    except TimeFormatError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _ids_argument(text: str) -> list[int]:
    try:
        ids = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a comma-separated list of catalog numbers: {text!r}") from None
    if not ids:
        raise argparse.ArgumentTypeError("no catalog numbers given")
    return ids


def _size_argument(text: str) -> tuple[int, int]:
    try:
        width, height = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a size like 1600x1000: {text!r}") from None
    if not (320 <= width <= 8000 and 240 <= height <= 8000):
        raise argparse.ArgumentTypeError(f"size {width}x{height} is outside 320x240 .. 8000x8000")
    return width, height


def build_parser() -> argparse.ArgumentParser:
    # --verbose works before or after the command: subcommands must not reset it to False
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS,
                        help="debug messages on stderr")
    parser = argparse.ArgumentParser(
        prog="spaceops", parents=[common],
        description="Coalition Space Operations Console. With no command, opens the console window.")
    parser.add_argument("--version", action="version", version=f"spaceops {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    catalog = commands.add_parser("catalog", help="inspect catalog files", parents=[common])
    catalog_commands = catalog.add_subparsers(dest="catalog_command", metavar="SUBCOMMAND", required=True)
    info = catalog_commands.add_parser("info", parents=[common],
                                       help="counts by type and regime, epoch range, rejected records")
    info.add_argument("files", nargs="+", metavar="FILE", help="TLE/3LE, OMM XML/KVN/JSON or CelesTrak CSV")

    propagate = commands.add_parser("propagate", parents=[common], help="positions of catalog objects at one time")
    propagate.add_argument("--catalog", nargs="+", metavar="FILE", help="catalog files (default: the bundled catalog)")
    propagate.add_argument("--at", required=True, type=_utc_argument, metavar="ISO8601", help="UTC time")
    propagate.add_argument("--ids", type=_ids_argument, metavar="N,N,...", help="only these catalog numbers")
    propagate.add_argument("--format", choices=("json", "csv"), default="json")

    screenshot = commands.add_parser("screenshot", parents=[common],
                                     help="render the main window (globe and map included) to a PNG")
    screenshot.add_argument("--out", required=True, metavar="FILE.png")
    screenshot.add_argument("--catalog", nargs="+", metavar="FILE", help="catalog files (default: the bundled catalog)")
    screenshot.add_argument("--at", type=_utc_argument, metavar="ISO8601", help="UTC time (default: now)")
    screenshot.add_argument("--select", type=int, metavar="NORAD", help="select this object")
    screenshot.add_argument("--size", type=_size_argument, default=(1600, 1000), metavar="WxH")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return _run(argv)
    except BrokenPipeError:  # the reader went away (e.g. "| head"): not an error of ours
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


def _run(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    configure_logging(getattr(args, "verbose", False))
    if args.command is None:
        return launch_console()
    if args.command == "catalog":
        return catalog_info(args.files)
    if args.command == "propagate":
        return propagate_command(args.catalog, args.at, args.ids, args.format)
    if args.command == "screenshot":
        return screenshot_command(args.out, args.catalog, args.at, args.select, args.size)
    parser.error(f"unknown command {args.command}")
    return EXIT_USAGE


def launch_console() -> int:
    """Open the console window (the one place the core reaches into ``widgets``, lazily)."""
    from widgets.launch import run_console

    return run_console()


def screenshot_command(out: str, files, at, select, size) -> int:
    from widgets.launch import NoDisplayError, take_screenshot

    try:
        written, problems = take_screenshot(out, files, at, select, size)
    except NoDisplayError as error:
        print(f"spaceops screenshot: {error}", file=sys.stderr)
        return 1
    if not written:
        print(f"spaceops screenshot: could not write {out}", file=sys.stderr)
        return 1
    if problems:
        print(f"spaceops: {len(problems)} input problem(s):", file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        return EXIT_REJECTED
    print(json.dumps({"screenshot": str(out)}))
    return EXIT_OK


def _report_rejections(rejections: Sequence[Rejection]) -> None:
    if not rejections:
        return
    print(f"spaceops: {len(rejections)} input record(s) rejected:", file=sys.stderr)
    for rejection in rejections:
        print(f"  {rejection}", file=sys.stderr)


def catalog_info(files: Sequence[str]) -> int:
    catalog = Catalog.load(files)
    json.dump(catalog.summary(), sys.stdout, indent=2)
    sys.stdout.write("\n")
    _report_rejections(catalog.rejections)
    return EXIT_REJECTED if catalog.rejections else EXIT_OK


def _finite_or_none(values) -> list[float | None]:
    return [float(v) if math.isfinite(v) else None for v in values]


def propagate_command(files: Sequence[str] | None, at: datetime, ids: list[int] | None, fmt: str) -> int:
    from app.engine import propagate  # after logging is set up; keeps --help fast

    catalog = Catalog.load(files if files else default_catalog_paths())
    rejected = list(catalog.rejections)
    if ids is not None:
        missing = [n for n in ids if n not in catalog]
        for norad_id in missing:
            rejected.append(Rejection("--ids", str(norad_id), "catalog number not in the catalog"))
        catalog = catalog.subset(catalog.rows_of([n for n in ids if n in catalog]))
    snapshot = propagate(catalog, at)
    assert snapshot is not None
    rows = []
    for row in range(len(catalog)):
        rows.append({
            "norad_id": int(catalog.norad_id[row]),
            "name": str(catalog.name[row]),
            "epoch_utc": format_utc(at),
            "element_epoch_utc": format_utc(catalog.epoch_utc(row)),
            "r_teme_km": _finite_or_none(snapshot.r_teme_km[row]),
            "v_teme_km_s": _finite_or_none(snapshot.v_teme_km_s[row]),
            "r_itrs_km": _finite_or_none(snapshot.r_itrs_km[row]),
            "v_itrs_km_s": _finite_or_none(snapshot.v_itrs_km_s[row]),
            "lat_deg": _finite_or_none([snapshot.lat_deg[row]])[0],
            "lon_deg": _finite_or_none([snapshot.lon_deg[row]])[0],
            "alt_km": _finite_or_none([snapshot.alt_km[row]])[0],
            "sgp4_error": int(snapshot.sgp4_error[row]),
        })
    if fmt == "json":
        json.dump(rows, sys.stdout, indent=1)
        sys.stdout.write("\n")
    else:
        _write_csv(rows)
    _report_rejections(rejected)
    return EXIT_REJECTED if rejected else EXIT_OK


def _write_csv(rows: list[dict]) -> None:
    vectors = ("r_teme_km", "v_teme_km_s", "r_itrs_km", "v_itrs_km_s")
    header = ["norad_id", "name", "epoch_utc", "element_epoch_utc"]
    for vector in vectors:
        quantity, frame, unit = vector.split("_", 2)  # "v_teme_km_s" -> v, teme, km_s
        header += [f"{quantity}_{frame}_{axis}_{unit}" for axis in "xyz"]
    header += ["lat_deg", "lon_deg", "alt_km", "sgp4_error"]
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        flat = [row["norad_id"], row["name"], row["epoch_utc"], row["element_epoch_utc"]]
        for vector in vectors:
            flat += ["" if v is None else repr(v) for v in row[vector]]
        flat += ["" if row[k] is None else repr(row[k]) for k in ("lat_deg", "lon_deg", "alt_km")]
        flat.append(row["sgp4_error"])
        writer.writerow(flat)


if __name__ == "__main__":
    sys.exit(main())

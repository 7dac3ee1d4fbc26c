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
from pathlib import Path
from typing import Sequence

from app import __version__
from app.astro.timeutil import format_utc
from app.cli.arguments import hours_argument, ids_argument, utc_argument
from app.cli.catalog_fetch import add_fetch_parser, fetch_command
from app.cli.passes import add_passes_parser, passes_command
from app.cli.report import add_report_parser, report_command
from app.cli.reporting import report_rejections, report_warnings
from app.cli.classroom import add_classroom_parser, classroom_command
from app.cli.export import add_export_parser, export_command
from app.cli.scenario import add_scenario_parser, scenario_command
from app.cli.floor import add_floor_parser, floor_command
from app.cli.records import add_records_parsers, records_command
from app.cli.tasking import add_tasking_parser, tasking_command
from app.common.logconfig import configure_logging
from app.common.resources import default_catalog_paths
from app.common.spreadsheet import safe_row

# Each command imports what it needs when it runs (the command modules above import only
# what their parsers need): ``spaceops propagate`` must not pay for the scenario stack,
# scipy, pydantic, SQLAlchemy or Qt (tests/core/test_cli_imports.py).

EXIT_OK, EXIT_USAGE, EXIT_REJECTED = 0, 2, 3
log = logging.getLogger("spaceops")


def _size_argument(text: str) -> tuple[int, int]:
    try:
        width, height = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a size like 1600x1000: {text!r}") from None
    if not (320 <= width <= 8000 and 240 <= height <= 8000):
        raise argparse.ArgumentTypeError(f"size {width}x{height} is outside 320x240 .. 8000x8000")
    return width, height


def _threshold_argument(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 < value <= 1000:
        raise argparse.ArgumentTypeError(f"must be in (0, 1000], got {value:g}")
    return value


def build_parser() -> argparse.ArgumentParser:
    # --verbose works before or after the command: subcommands must not reset it to False
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS,
                        help="debug messages on stderr")
    parser = argparse.ArgumentParser(
        prog="spaceops", parents=[common],
        description="Coalition Space Operations Console. With no command, opens the console window.")
    parser.add_argument("--version", action="version", version=f"spaceops {__version__}")
    parser.add_argument("--scenario", metavar="FILE", default=argparse.SUPPRESS,
                        help="open the console on an exercise scenario (see resources/scenarios/README.md)")
    parser.add_argument("--database", metavar="URL", default=argparse.SUPPRESS,
                        help="SQLAlchemy URL of the console's database (default: the settings', else SQLite "
                             "in the user data directory)")
    parser.add_argument("--connect-password-file", metavar="FILE", default=argparse.SUPPRESS,
                        help="the password of the login in --database (else the settings' file, PGPASSFILE, "
                             "~/.pgpass)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    catalog = commands.add_parser("catalog", help="inspect catalog files, fetch one from a feed", parents=[common])
    catalog_commands = catalog.add_subparsers(dest="catalog_command", metavar="SUBCOMMAND", required=True)
    info = catalog_commands.add_parser("info", parents=[common],
                                       help="counts by type and regime, epoch range, rejected records")
    info.add_argument("files", nargs="*", metavar="FILE",
                      help="TLE/3LE, OMM XML/KVN/JSON or CelesTrak CSV (default: the bundled catalog)")
    add_fetch_parser(catalog_commands, common)

    propagate = commands.add_parser("propagate", parents=[common], help="positions of catalog objects at one time")
    propagate.add_argument("--catalog", nargs="+", action="extend", metavar="FILE",
                           help="catalog files, after one --catalog or several (default: the bundled catalog)")
    propagate.add_argument("--at", required=True, type=utc_argument, metavar="ISO8601", help="UTC time")
    propagate.add_argument("--ids", type=ids_argument, metavar="N,N,...", help="only these catalog numbers")
    propagate.add_argument("--format", choices=("json", "csv"), default="json")

    add_passes_parser(commands, common)
    add_report_parser(commands, common)

    screen = commands.add_parser("screen", parents=[common], help="conjunction screening")
    screen.add_argument("--catalog", nargs="+", action="extend", metavar="FILE",
                           help="catalog files, after one --catalog or several (default: the bundled catalog)")
    who = screen.add_mutually_exclusive_group(required=True)
    who.add_argument("--primary", nargs="+", type=int, metavar="N", help="catalog numbers of the primaries")
    who.add_argument("--all", action="store_true", help="the whole catalog against itself")
    screen.add_argument("--start", required=True, type=utc_argument, metavar="ISO8601")
    screen.add_argument("--hours", required=True, type=hours_argument, metavar="H")
    screen.add_argument("--threshold-km", required=True, type=_threshold_argument, metavar="D")
    screen.add_argument("--format", choices=("json", "csv"), default="json")

    cdm = commands.add_parser("cdm", parents=[common], help="read a CCSDS CDM and compute Pc (Foster 2D)")
    cdm.add_argument("file", metavar="FILE")
    cdm.add_argument("--hbr-m", type=_threshold_argument, metavar="R", help="hard-body radius (default: the message's, else 10 m, said on stderr)")
    cdm.add_argument("--format", choices=("json",), default="json")

    sensors = commands.add_parser("sensors", parents=[common], help="the coalition sensor list")
    sensor_commands = sensors.add_subparsers(dest="sensors_command", metavar="SUBCOMMAND", required=True)
    listing = sensor_commands.add_parser("list", parents=[common], help="bundled and user sensors, with their "
                                         "standing (partner, contracted, or other: context only, never tasked)")
    listing.add_argument("--format", choices=("text", "json"), default="text")

    warm = commands.add_parser("warm-up", parents=[common],
                               help="compile the screening and pass kernels now (setup and the frozen build run it), so "
                                    "no first screening waits for them")
    warm.add_argument("--quiet", action="store_true", help="print nothing when it works")

    add_tasking_parser(commands, common)
    add_records_parsers(commands, common)
    add_floor_parser(commands, common)
    add_classroom_parser(commands, common)
    add_scenario_parser(commands, common)
    add_export_parser(commands, common)

    screenshot = commands.add_parser("screenshot", parents=[common],
                                     help="render the main window (globe and map included) to a PNG")
    screenshot.add_argument("--out", required=True, metavar="FILE.png")
    screenshot.add_argument("--catalog", nargs="+", action="extend", metavar="FILE",
                           help="catalog files, after one --catalog or several (default: the bundled catalog)")
    screenshot.add_argument("--at", type=utc_argument, metavar="ISO8601", help="UTC time (default: now)")
    screenshot.add_argument("--select", type=int, metavar="NORAD", help="select this object")
    screenshot.add_argument("--sensor", metavar="NAME", help="select this sensor (its coverage on the globe and map)")
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
        return _gui_exit(launch_console(getattr(args, "database", None), getattr(args, "scenario", None),
                                        getattr(args, "connect_password_file", None)))
    if args.command == "catalog" and args.catalog_command == "fetch":
        return fetch_command(args)
    if args.command == "catalog":
        return catalog_info(args.files or [str(path) for path in default_catalog_paths()])
    if args.command == "propagate":
        return propagate_command(args.catalog, args.at, args.ids, args.format)
    if args.command == "passes":
        return passes_command(parser, args)
    if args.command == "screen":
        return screen_command(args)
    if args.command == "cdm":
        return cdm_command(args.file, args.hbr_m)
    if args.command == "sensors":
        return sensors_list_command(args.format)
    if args.command == "tasking":
        return tasking_command(args)
    if args.command in ("watchlist", "events"):
        return records_command(args)
    if args.command == "floor":
        return floor_command(args)
    if args.command == "classroom":
        return classroom_command(args)
    if args.command == "export":
        return export_command(args)
    if args.command == "report":
        return report_command(args)
    if args.command == "scenario":
        return scenario_command(args)
    if args.command == "warm-up":
        return warm_up_command(args.quiet)
    if args.command == "screenshot":
        return _gui_exit(screenshot_command(args.out, args.catalog, args.at, args.select, args.size, args.sensor))
    parser.error(f"unknown command {args.command}")
    return EXIT_USAGE


def _gui_exit(code: int) -> int:
    """After a Qt command, exit without interpreter teardown (see widgets.launch)."""
    if "PySide6" in sys.modules:
        from widgets.launch import exit_without_teardown

        exit_without_teardown(code)
    return code


def launch_console(database_url: str | None = None, scenario_path: str | None = None,
                   password_file: str | None = None) -> int:
    """Open the console window (the one place the core reaches into ``widgets``, lazily)."""
    from widgets.launch import run_console

    return run_console(database_url=database_url, scenario_path=scenario_path, password_file=password_file)


def warm_up_command(quiet: bool) -> int:
    from app.cli.warm_up import warm_up

    if not quiet:
        print("spaceops: compiling the screening and pass kernels (about a minute the first time)", file=sys.stderr)
    seconds = warm_up()
    if not quiet:
        print(f"spaceops: screening and pass kernels ready ({seconds:.1f} s)", file=sys.stderr)
    return EXIT_OK


SCREEN_FIELDS = ("primary", "primary_name", "secondary", "secondary_name", "tca_utc", "miss_km", "relative_speed_km_s",
                 "r_ric_km")


def screen_command(args) -> int:
    from app.catalog import Catalog
    from app.catalog.ingest import Rejection
    from app.conjunction.screening import screen_all, screen_primaries

    catalog = Catalog.load(args.catalog if args.catalog else default_catalog_paths())
    rejected = list(catalog.rejections)
    if args.all:
        print(f"spaceops: screening {len(catalog):,} objects against each other over {args.hours:g} h (the first "
              "run after installation first compiles the screening kernels: about a minute more)", file=sys.stderr)
        result = screen_all(catalog, args.start, args.hours, args.threshold_km)
    else:
        known = [n for n in args.primary if n in catalog]
        for missing in sorted(set(args.primary) - set(known)):
            rejected.append(Rejection("--primary", str(missing), "catalog number not in the catalog"))
        result = screen_primaries(catalog, known, args.start, args.hours, args.threshold_km)
    names = dict(zip(catalog.norad_id.tolist(), catalog.name.tolist()))
    rows = [{**a.as_dict(), "primary_name": names.get(a.primary, ""), "secondary_name": names.get(a.secondary, "")}
            for a in result.approaches]
    if args.format == "json":
        json.dump(rows, sys.stdout, indent=1)
        sys.stdout.write("\n")
    else:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(SCREEN_FIELDS[:-1] + ("r_ric_r_km", "r_ric_i_km", "r_ric_c_km"))
        for row in rows:
            writer.writerow(safe_row([row[k] for k in SCREEN_FIELDS[:-1]] + row["r_ric_km"]))
    for group in result.co_located:
        print(f"spaceops: co-located (one element set or flying together, not screened as approaches): "
              f"{', '.join(map(str, group))}", file=sys.stderr)
    report_warnings(catalog)
    report_rejections(rejected, catalog.more_rejections)
    return EXIT_REJECTED if rejected else EXIT_OK


def cdm_command(path: str, hbr_m: float | None) -> int:
    from app.conjunction.cdm import CdmError, read_cdm
    from app.conjunction.collision_probability import cdm_pc, hard_body_radius, message_pc_radius_text

    try:
        cdm = read_cdm(path)
    except CdmError as error:
        print(f"spaceops: CDM rejected: {error}", file=sys.stderr)
        return EXIT_REJECTED
    radius = hard_body_radius(cdm, hbr_m)
    if radius.source == "default":
        print(f"spaceops: {path}: the message states no hard-body radius; Pc uses {radius.describe()} "
              "(--hbr-m to choose)", file=sys.stderr)
    pc = cdm_pc(cdm, radius.metres)
    objects = [{"designator": o.designator, "name": o.name, "international_designator": o.international_designator,
                "ref_frame": o.ref_frame} for o in (cdm.object1, cdm.object2)]
    json.dump({"tca_utc": format_utc(cdm.tca), "miss_km": cdm.miss_distance_km,
               "relative_speed_km_s": cdm.relative_speed_km_s, "hbr_m": radius.metres, "hbr_source": radius.source,
               "pc_foster": pc, "pc_in_message": cdm.collision_probability, "hbr_m_in_message": cdm.hbr_m,
               "pc_in_message_radius": message_pc_radius_text(cdm), "object1": objects[0], "object2": objects[1]},
              sys.stdout, indent=1)
    sys.stdout.write("\n")
    return EXIT_OK


def sensors_list_command(fmt: str) -> int:
    from app.sensors.sites import SensorStore, all_sensors

    store = SensorStore()
    sensors = all_sensors(store)
    if fmt == "json":
        json.dump([s.as_dict() for s in sensors], sys.stdout, indent=1)
        sys.stdout.write("\n")
    else:
        print(f"{'NAME':<44} {'NAT'} {'TYPE':<7} {'PROVIDER':<10} {'STANDING':<10} {'LAT_DEG':>9} {'LON_DEG':>10} "
              f"{'ALT_M':>7}  {'MASK_DEG':>8} {'RANGE_KM':>9}  STATUS")
        for s in sensors:
            print(f"{s.name:<44} {s.operator_nation} {s.sensor_type:<7} {s.provider:<10} {s.standing:<10} "
                  f"{s.lat_deg:9.4f} {s.lon_deg:10.4f} {s.alt_m:7.0f}  {s.min_elevation_deg:8.1f} "
                  f"{s.max_range_km:9.0f}  {s.status}{'  (user)' if s.user_defined else ''}")
    for problem in store.problems:
        print(f"spaceops: {problem}", file=sys.stderr)
    return EXIT_REJECTED if store.problems else EXIT_OK


IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp")


def screenshot_command(out: str, files, at, select, size, sensor=None) -> int:
    from app.common.output_file import OutputError, check_output

    try:  # before the window, and never truncating what is there
        check_output(out, files or ())
        if Path(out).suffix.lower() not in IMAGE_SUFFIXES:
            raise OutputError(f"{out}: give an image file name ({', '.join(IMAGE_SUFFIXES)})")
    except OutputError as error:
        print(f"spaceops screenshot: --out: {error}", file=sys.stderr)
        return EXIT_USAGE
    from widgets.launch import NoDisplayError, take_screenshot

    try:
        written, problems = take_screenshot(out, files, at, select, size, sensor)
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


def catalog_info(files: Sequence[str]) -> int:
    from app.catalog import Catalog

    catalog = Catalog.load(files, lazy=True)  # the columns say it all: no satrec is made
    json.dump(catalog.summary(), sys.stdout, indent=2)
    sys.stdout.write("\n")
    report_warnings(catalog)
    report_rejections(catalog.rejections, catalog.more_rejections)
    return EXIT_REJECTED if catalog.rejections else EXIT_OK


def _finite_or_none(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def _finite_vector(values) -> list[float | None]:
    return [_finite_or_none(v) for v in values]


def propagate_command(files: Sequence[str] | None, at: datetime, ids: list[int] | None, fmt: str) -> int:
    from app.catalog import Catalog
    from app.catalog.ingest import Rejection
    from app.live.engine import propagate  # after logging is set up; keeps --help fast

    loaded = catalog = Catalog.load(files if files else default_catalog_paths(), lazy=True)  # makes the --ids only
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
            "r_teme_km": _finite_vector(snapshot.r_teme_km[row]),
            "v_teme_km_s": _finite_vector(snapshot.v_teme_km_s[row]),
            "r_itrs_km": _finite_vector(snapshot.r_itrs_km[row]),
            "v_itrs_km_s": _finite_vector(snapshot.v_itrs_km_s[row]),
            "lat_deg": _finite_or_none(snapshot.lat_deg[row]),
            "lon_deg": _finite_or_none(snapshot.lon_deg[row]),
            "alt_km": _finite_or_none(snapshot.alt_km[row]),
            "sgp4_error": int(snapshot.sgp4_error[row]),
        })
    if fmt == "json":
        json.dump(rows, sys.stdout, indent=1)
        sys.stdout.write("\n")
    else:
        _write_csv(rows)
    for row in [r for r in range(len(catalog)) if snapshot.sgp4_error[r] != 0]:
        print(f"spaceops: {int(catalog.norad_id[row])} ({catalog.name[row]}): no state: "
              f"{catalog.no_state_reason(row, int(snapshot.sgp4_error[row]))}", file=sys.stderr)
    report_warnings(loaded)
    report_rejections(rejected, loaded.more_rejections)
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
        writer.writerow(safe_row(flat))


if __name__ == "__main__":
    sys.exit(main())

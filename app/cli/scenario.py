"""``spaceops scenario validate FILE`` and ``spaceops scenario run FILE [--until ISO8601]
[--events-out FILE.jsonl]``: check a scenario file (its fields and everything it names, every
problem in one pass), or run it headless from its start to its end (or ``--until``) as fast as
the machine allows, every event as one JSON line."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from app.cli.arguments import utc_argument
from app.common.output_file import OutputError, check_output, replaced_when_done

# the scenario stack (pydantic, scipy) is imported when a command runs: the parser is built
# for every ``spaceops`` command

EXIT_OK, EXIT_USAGE, EXIT_INVALID = 0, 2, 3


def add_scenario_parser(commands, common: argparse.ArgumentParser) -> None:
    scenario = commands.add_parser("scenario", parents=[common], help="exercise scenarios: validate, run")
    sub = scenario.add_subparsers(dest="scenario_command", metavar="SUBCOMMAND", required=True)
    validate = sub.add_parser("validate", parents=[common], help="check a scenario file (exit 3 with every error)")
    validate.add_argument("file", metavar="FILE")
    run = sub.add_parser("run", parents=[common], help="run a scenario headless, writing its events")
    run.add_argument("file", metavar="FILE")
    run.add_argument("--until", type=utc_argument, metavar="ISO8601", help="stop at this simulation time")
    run.add_argument("--events-out", metavar="FILE.jsonl", help="write the events here (default: stdout)")


def scenario_command(args) -> int:
    from app.scenario.format import ScenarioError
    from app.scenario.opening import open_scenario

    started = time.perf_counter()
    try:
        run = open_scenario(args.file)
    except ScenarioError as error:
        for line in error.errors:
            print(line, file=sys.stderr)
        print(f"spaceops: {args.file}: {len(error.errors)} error(s); nothing was run", file=sys.stderr)
        return EXIT_INVALID
    except (ValueError, OSError) as error:
        print(f"spaceops: {args.file}: {error}", file=sys.stderr)
        return EXIT_INVALID
    for rejection in run.rejections:
        print(f"rejected: {rejection}", file=sys.stderr)
    if run.more_rejections:
        print(f"rejected: ... and {run.more_rejections:,} more", file=sys.stderr)
    rejected = len(run.rejections) + run.more_rejections
    if args.scenario_command == "validate":
        scenario = run.scenario
        print(f"{args.file}: valid ({scenario.name}: {len(scenario.injects)} injects, "
              f"{scenario.duration_hours:g} h from {scenario.start:%Y-%m-%dT%H:%M:%SZ})"
              + (f", but {rejected:,} records of its catalog files are rejected (listed above)"
                 if run.rejections else ""), file=sys.stderr)
        return EXIT_INVALID if run.rejections else EXIT_OK
    if args.events_out:
        try:
            target = check_output(args.events_out, [args.file, *(run.folder / f for f in run.scenario.catalog.files)])
        except OutputError as error:
            print(f"spaceops: --events-out: {error}", file=sys.stderr)
            return EXIT_USAGE
        with replaced_when_done(target) as temporary, open(temporary, "w", encoding="utf-8") as out:
            count = _write_events(run, args.until, out)
    else:
        count = _write_events(run, args.until, sys.stdout)
    print(f"spaceops: {Path(args.file).name}: {count} events in {time.perf_counter() - started:.1f} s"
          + (f"; {rejected:,} catalog records rejected" if run.rejections else ""), file=sys.stderr)
    return EXIT_INVALID if run.rejections else EXIT_OK


def _write_events(run, until, out) -> int:
    count = 0
    for event in run.events(until):
        out.write(json.dumps(event.as_dict(), sort_keys=True) + "\n")
        count += 1
    return count

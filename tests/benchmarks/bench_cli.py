"""A quick command line (issue #17): how long ``spaceops propagate --at ISO --ids 25544``
takes as a process, against the interpreter's own start measured in the same run. Prints
JSON, never passes or fails.

    python3 tests/benchmarks/bench_cli.py [--runs 5] [--before DIR]

Each figure is the median (and the fastest) of ``--runs`` processes, started as a user starts
them (the ``spaceops`` script beside this interpreter, else ``python -m app``):
- ``python_pass``: ``python -c pass``, the baseline every ratio is set against;
- ``import_sgp4``: ``python -c "import sgp4.api"``;
- ``import_numpy_pyproj``: ``python -c "import numpy, pyproj"``, the floor of what a
  propagation must import (positions need numpy, latitude and longitude pyproj);
- ``imports_before_17``: what ``import app.cli.main`` pulled in before issue #17 (the
  scenario stack, the database, the classroom, the tasking exchange: scipy, pydantic,
  SQLAlchemy), for comparison;
- ``propagate_cold``: the command with the catalog cache cleared before each run (it parses
  the bundled catalog and stores the entry);
- ``propagate_uncached``: the command with the cache turned off (``SPACEOPS_NO_CATALOG_CACHE``);
- ``propagate_warm``: the command with the cache entry present (target: at most 0.5 s);
- ``propagate_before``, with ``--before DIR``: the command run from the code in DIR, e.g. the
  commit before issue #17's work (``git archive COMMIT app resources | tar -x -C DIR``).
The processes keep their compiled bytecode in a temporary folder, as an installed console
has it (this benchmark's environment may say PYTHONDONTWRITEBYTECODE, which would make every
run compile the console's sources again), and their catalog cache in another.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ARGS = ["propagate", "--at", "2026-08-12T00:00:00Z", "--ids", "25544"]
BEFORE_17 = "import app.cli.main, app.scenario.opening, app.storage, app.classroom, app.tasking.exchange"


def spaceops_command() -> list[str]:
    script = Path(sys.executable).with_name("spaceops")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "app"]


def timed(command: list[str], env: dict[str, str], cwd: Path, runs: int, before_each=None) -> dict:
    """Median and fastest wall time of ``runs`` processes (seconds), and the last one's output.
    ``cwd`` outside the checkout: ``python -c`` looks for modules in its folder first."""
    seconds = []
    done = None
    for _ in range(runs):
        if before_each is not None:
            before_each()
        started = time.perf_counter()
        done = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True)
        seconds.append(time.perf_counter() - started)
        if done.returncode not in (0, 3):
            raise SystemExit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr}")
    return {"median_s": round(statistics.median(seconds), 3), "fastest_s": round(min(seconds), 3),
            "stdout": done.stdout}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--before", type=Path, metavar="DIR",
                        help="also time the command from the app and resources packages in DIR")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="bench-cli-"))
    cache = scratch / "catalog-cache"
    env = {key: value for key, value in os.environ.items()
           if key not in ("PYTHONDONTWRITEBYTECODE", "SPACEOPS_NO_CATALOG_CACHE")}
    env.update(PYTHONPYCACHEPREFIX=str(scratch / "bytecode"), SPACEOPS_CATALOG_CACHE=str(cache),
               PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p))
    uncached_env = {**env, "SPACEOPS_NO_CATALOG_CACHE": "1"}
    spaceops = spaceops_command()
    try:
        subprocess.run([*spaceops, *ARGS], env=env, cwd=scratch, capture_output=True)  # the bytecode, once
        subprocess.run([sys.executable, "-c", BEFORE_17], env=env, cwd=scratch, capture_output=True)
        figures = {
            "python_pass": timed([sys.executable, "-c", "pass"], env, scratch, args.runs),
            "import_sgp4": timed([sys.executable, "-c", "import sgp4.api"], env, scratch, args.runs),
            "import_numpy_pyproj": timed([sys.executable, "-c", "import numpy, pyproj"], env, scratch, args.runs),
            "imports_before_17": timed([sys.executable, "-c", BEFORE_17], env, scratch, args.runs),
            "propagate_cold": timed([*spaceops, *ARGS], env, scratch, args.runs,
                                    before_each=lambda: shutil.rmtree(cache, ignore_errors=True)),
            "propagate_uncached": timed([*spaceops, *ARGS], uncached_env, scratch, args.runs),
            "propagate_warm": timed([*spaceops, *ARGS], env, scratch, args.runs),  # the last cold run left the entry
        }
        if args.before is not None:
            before_env = {**env, "PYTHONPATH": str(args.before.resolve())}
            command = [sys.executable, "-c", "import sys; from app.cli.main import main; sys.exit(main())", *ARGS]
            subprocess.run(command, env=before_env, cwd=scratch, capture_output=True)  # its bytecode
            figures["propagate_before"] = timed(command, before_env, scratch, args.runs)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    baseline = figures["python_pass"]["median_s"]
    outputs = {figures[name].pop("stdout") for name in ("propagate_cold", "propagate_uncached", "propagate_warm")}
    before_output = figures.get("propagate_before", {}).get("stdout")
    for figure in figures.values():
        figure.pop("stdout", None)
        figure["x_python_pass"] = round(figure["median_s"] / baseline, 1)
    report = {
        "machine": f"{os.cpu_count()} cores, shared",
        "command": " ".join([Path(spaceops[0]).name, *spaceops[1:], *ARGS]),
        "runs": args.runs,
        "baseline_python_pass_s": baseline,
        "figures": figures,
        "warm_target_s": 0.5,
        "warm_within_target": figures["propagate_warm"]["median_s"] <= 0.5,
        "warm_vs_cold": round(figures["propagate_warm"]["median_s"] / figures["propagate_cold"]["median_s"], 3),
        **({"warm_vs_before": round(figures["propagate_warm"]["median_s"] / figures["propagate_before"]["median_s"],
                                    3)} if "propagate_before" in figures else {}),
        "same_output_cold_uncached_warm": len(outputs) == 1,
        **({"same_output_as_before": outputs == {before_output}} if before_output is not None else {}),
    }
    json.dump(report, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()

"""A quick command line (issue #17): ``spaceops propagate`` imports what it needs and no
more. The parsers of every command are built for every run, so the command modules import
only what their parsers need; the database, the scenario stack, screening and Qt are
imported by the commands that use them, when they run."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

# what a one-object propagation must not pay for (about 2 s of imports before issue #17)
HEAVY = ("scipy", "pydantic", "sqlalchemy", "yaml", "numba", "PySide6", "shiboken6", "vispy", "pyqtgraph",
         "app.scenario", "app.storage", "app.classroom", "app.conjunction", "app.sensors", "app.tasking.request",
         "widgets")

PROBE = """
import json, sys
from app.cli.main import build_parser, main
argv = json.loads(sys.argv[1])
code = main(argv) if argv else build_parser().parse_args(["tasking", "list", "--status", "DRAFT", "--nation", "gbr"])
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


def imported_by(argv: list[str], tmp_path) -> set[str]:
    env = {**os.environ, "SPACEOPS_CATALOG_CACHE": str(tmp_path / "catalog-cache")}
    done = subprocess.run([sys.executable, "-c", PROBE, json.dumps(argv)], capture_output=True, text=True, env=env,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stderr.strip().splitlines()[-1]))


def heavy_in(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY))


@pytest.mark.parametrize("argv", [["propagate", "--at", "2026-08-12T00:00:00Z", "--ids", "25544"], []],
                         ids=["propagate", "parsers"])
def test_propagate_and_the_parsers_import_none_of_the_heavy_modules(argv, tmp_path):
    modules = imported_by(argv, tmp_path)
    assert heavy_in(modules) == []
    if argv:
        assert {"app.catalog.catalog", "app.live.engine"} <= modules  # what it does need

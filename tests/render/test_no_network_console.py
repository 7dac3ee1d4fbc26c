"""Air-gapped ops floors: from start to quit the console window, started as a user starts
it (live, and on a scenario), and ``spaceops screenshot`` make no network connection. Each
runs in a subprocess whose socket module logs and refuses every attempt (tests/no_network.py;
tests/core/test_no_network.py checks the guard itself and the headless commands)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from tests.no_network import run_guarded

SCENARIO = Path(__file__).parents[2] / "resources" / "scenarios" / "geo_rpo_inspection.yaml"


@pytest.fixture
def home(tmp_path):
    """Private config, data and state folders, as on a new workstation."""
    return {"XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_DATA_HOME": str(tmp_path / "data"),
            "XDG_STATE_HOME": str(tmp_path / "state"), "XDG_CACHE_HOME": str(tmp_path / "cache")}


@pytest.mark.parametrize("args", [(), ("--scenario", str(SCENARIO))], ids=["live", "scenario"])
def test_the_console_makes_no_network_connection(tmp_path, home, args):
    done, tried = run_guarded(tmp_path, list(args), {**home, "SPACEOPS_QUIT_AFTER_FIRST_FRAME": "1"})
    assert done.returncode == 0, done.stderr[-3000:]
    assert "first-frame-at" in done.stdout  # it got as far as drawing, then quit
    assert tried == "", f"the console ({' '.join(args) or 'live'}) tried the network:\n{tried}"
    assert "network disabled by the test guard" not in done.stderr


def test_a_screenshot_makes_no_network_connection(tmp_path, home):
    out = tmp_path / "console.png"
    done, tried = run_guarded(tmp_path, ["screenshot", "--out", str(out), "--at", "2026-08-12T09:30:00Z",
                                         "--size", "1280x800"], home)
    assert done.returncode == 0, done.stderr[-3000:]
    assert tried == "", f"spaceops screenshot tried the network:\n{tried}"
    assert (QImage(str(out)).width(), QImage(str(out)).height()) == (1280, 800)

"""The real console, started as a user starts it, twice on the same configuration folder
(the second start used to exit 1 on the catalog paths the first had pickled into the ini),
and once on a corrupted one: it starts on defaults and says what it ignored."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

SCENARIO = Path(__file__).parents[2] / "resources" / "scenarios" / "geo_rpo_inspection.yaml"


@pytest.fixture
def home(tmp_path):
    """Private config, data and state folders, as on a new workstation."""
    return {"XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_DATA_HOME": str(tmp_path / "data"),
            "XDG_STATE_HOME": str(tmp_path / "state"), "XDG_CACHE_HOME": str(tmp_path / "cache")}


def _start(home: dict, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, **home, "SPACEOPS_QUIT_AFTER_FIRST_FRAME": "1"}
    return subprocess.run([sys.executable, "-m", "app", *args], capture_output=True, text=True, timeout=240, env=env)


def _ini(home: dict) -> Path:
    return Path(home["XDG_CONFIG_HOME"]) / "CoalitionSpaceOps" / "spaceops.ini"


def _assert_started(done: subprocess.CompletedProcess) -> None:
    assert done.returncode == 0, done.stderr[-3000:]
    assert "first-frame-at" in done.stdout
    assert "Traceback" not in done.stderr, done.stderr[-3000:]


@pytest.mark.parametrize("args", [(), ("--scenario", str(SCENARIO))], ids=["live", "scenario"])
def test_console_starts_twice_on_the_same_configuration(home, args):
    _assert_started(_start(home, *args))
    assert _ini(home).is_file()
    second = _start(home, *args)
    _assert_started(second)
    assert "settings:" not in second.stderr  # nothing the first run wrote was refused
    saved = QSettings(str(_ini(home)), QSettings.Format.IniFormat)
    if not args:  # a live start remembers its catalog files as plain text
        paths = json.loads(saved.value("catalog/paths"))
        assert paths and all(isinstance(p, str) and Path(p).is_file() for p in paths)
    assert b"PyObjectWrapper" not in _ini(home).read_bytes()


def test_console_starts_on_corrupted_settings(home, tmp_path):
    ini = _ini(home)
    ini.parent.mkdir(parents=True)
    # what the landed console wrote: Path objects, pickled by PySide6 and unreadable back
    old = QSettings(str(ini), QSettings.Format.IniFormat)
    old.setValue("catalog/paths", [tmp_path / "gone.tle"])
    old.setValue("view/color_mode", 42)
    old.setValue("window/state", "not a layout")
    old.setValue("catalog/saved_groups", "{not json")
    old.sync()
    with ini.open("ab") as handle:
        handle.write(b"\n\x00\xff garbage [[[ = = \n[window]\ngeometry=@Variant(\\0\\0\\0\\x7f\\0\\0\\0\\x18junk)\n")
    done = _start(home)
    _assert_started(done)
    for key in ("catalog/paths", "view/color_mode", "window/state", "catalog/saved_groups"):
        assert key in done.stderr, key
    log = (Path(home["XDG_STATE_HOME"]) / "spaceops" / "log" / "spaceops.log").read_text()
    assert "catalog/paths: unreadable value ignored" in log
    _assert_started(_start(home))  # and the settings it wrote back are good


def test_console_starts_on_a_settings_file_of_garbage(home):
    ini = _ini(home)
    ini.parent.mkdir(parents=True)
    ini.write_bytes(os.urandom(4096))
    _assert_started(_start(home))


def test_missing_catalog_files_fall_back_to_the_bundled_catalog(home, tmp_path):
    ini = _ini(home)
    ini.parent.mkdir(parents=True)
    saved = QSettings(str(ini), QSettings.Format.IniFormat)
    saved.setValue("catalog/paths", json.dumps([str(tmp_path / "moved_away.tle")]))
    saved.sync()
    done = _start(home)
    _assert_started(done)
    assert "moved_away.tle" in done.stderr and "bundled catalog" in done.stderr

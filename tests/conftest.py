"""Shared fixtures. Test data lives in tests/data (see tests/data/SOURCES.md); nothing here
reads ../shared, so the suite passes on a fresh clone."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

DATA_DIR = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA_DIR


@pytest.fixture(scope="session")
def default_catalog():
    from app.catalog import Catalog

    return Catalog.load_default()


def pytest_configure(config):
    """With Xvfb on the machine, pytest-xvfb gives the session a real X display with Mesa
    OpenGL and every Qt test runs there. Without it, Qt tests fall back to the offscreen
    platform (no OpenGL) and the render tests skip, saying why.

    The user's data, state and settings directories point into a temporary folder for the
    whole session (subprocesses included), so no test reads or writes a real database,
    sensor list, log or QSettings file."""
    if not shutil.which("Xvfb") and not os.environ.get("DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    scratch = Path(tempfile.mkdtemp(prefix="spaceops-tests-"))
    for variable in ("XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        os.environ[variable] = str(scratch / variable.lower())


@pytest.fixture
def qsettings(tmp_path):
    from PySide6.QtCore import QSettings

    return QSettings(str(tmp_path / "spaceops.ini"), QSettings.Format.IniFormat)

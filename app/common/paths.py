"""Where the console keeps the user's files (platformdirs: the conventions of each OS)."""

from __future__ import annotations

from pathlib import Path

import platformdirs

APP_NAME = "spaceops"


def user_data_dir() -> Path:
    """Database and user sensors (``~/.local/share/spaceops`` on Linux)."""
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def user_log_dir() -> Path:
    """Log files (``~/.local/state/spaceops/log`` on Linux)."""
    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))


def user_config_dir() -> Path:
    """The operator's identity (``~/.config/spaceops`` on Linux); window settings stay in QSettings."""
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))

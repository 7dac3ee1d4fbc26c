"""Logging set-up: messages to stderr, and a rotating file in the user's log directory."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from app.common.paths import user_log_dir

_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure_logging(verbose: bool = False) -> Path | None:
    """Configure the root logger once; returns the log file path (None if it can't be written)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_spaceops", False):
            root.removeHandler(handler)
    root.setLevel(logging.DEBUG)
    console = logging.StreamHandler()
    console.setLevel(logging.DEBUG if verbose else logging.WARNING)
    console.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    console._spaceops = True  # type: ignore[attr-defined]
    root.addHandler(console)
    log_file: Path | None = user_log_dir() / "spaceops.log"
    try:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        to_file = logging.handlers.RotatingFileHandler(log_file, maxBytes=5_000_000, backupCount=3,
                                                       encoding="utf-8")
    except OSError as error:
        logging.getLogger(__name__).warning("cannot write the log file %s: %s", log_file, error)
        return None
    to_file.setLevel(logging.DEBUG if verbose else logging.INFO)
    to_file.setFormatter(logging.Formatter(_FORMAT))
    to_file._spaceops = True  # type: ignore[attr-defined]
    root.addHandler(to_file)
    return log_file

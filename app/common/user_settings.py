"""Settings the console and the command line share, in one small JSON file in the user's
config directory: who is at the console (name, nation, role: every saved change and audit
row carries them, and the title bar shows them) and which database to use. Window layout
and view preferences stay in QSettings, on the Qt side."""

from __future__ import annotations

import getpass
import json
import logging
from dataclasses import asdict, dataclass, field
from pathlib import Path

from app.common.atomic_file import write_text_atomic
from app.common.field_error import FieldError
from app.common.paths import user_config_dir

log = logging.getLogger(__name__)

ROLES = ("watch officer", "tasking manager", "exercise controller", "instructor", "trainee", "analyst")
SETTINGS_FILE = "settings.json"


class OperatorError(FieldError):
    pass


def is_nation_code(text: str) -> bool:
    """ISO 3166 alpha-3, upper case (GBR, USA ...)."""
    return len(text) == 3 and text.isalpha() and text.isupper() and text.isascii()


@dataclass(frozen=True)
class Operator:
    name: str
    nation: str = ""  # ISO alpha-3; empty until the operator sets it
    role: str = "watch officer"

    def validated(self) -> "Operator":
        if not self.name.strip():
            raise OperatorError("is required", "name")
        if len(self.name) > 64:
            raise OperatorError("at most 64 characters", "name")
        if self.nation and not is_nation_code(self.nation):
            raise OperatorError(f"{self.nation!r} is not an ISO alpha-3 code (e.g. GBR)", "nation")
        if self.role not in ROLES:
            raise OperatorError(f"must be one of {', '.join(ROLES)}", "role")
        return self

    @property
    def label(self) -> str:
        """As the title bar shows it: ``J. Smith (GBR, watch officer)``."""
        return f"{self.name} ({self.nation or 'nation not set'}, {self.role})"


def current_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "unknown"


@dataclass(frozen=True)
class UserSettings:
    operator: Operator = field(default_factory=lambda: Operator(current_user()))
    database_url: str = ""  # empty: SQLite in the user data directory


def settings_path() -> Path:
    return user_config_dir() / SETTINGS_FILE


def load_settings(path: Path | None = None) -> UserSettings:
    """The saved settings; defaults (login name, no nation, default database) for what is
    missing or unreadable, with a warning in the log naming the file."""
    path = path or settings_path()
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
        operator = Operator(**saved.get("operator", {"name": current_user()})).validated()
        database_url = saved.get("database_url", "")
        if not isinstance(database_url, str):
            raise ValueError("database_url: must be text")
        return UserSettings(operator, database_url)
    except FileNotFoundError:
        pass
    except (OSError, ValueError, TypeError, AttributeError, RecursionError) as error:
        log.warning("%s: %s; using defaults until the settings are saved again", path, error)
    return UserSettings()


def save_settings(settings: UserSettings, path: Path | None = None) -> None:
    settings.operator.validated()
    write_text_atomic(path or settings_path(), json.dumps(asdict(settings), indent=1))

"""Who is at the console, and the settings the console and the command line share.

Identity is never typed in: on a floor (PostgreSQL) it is the database login and the floor's
operators table; on a single seat (SQLite) it is the operating-system account and the local
roster that ``spaceops floor add-operator`` writes (``app.storage`` reads both). The
settings file (one small JSON file in the user's config directory) holds only which
database to use and where the password file is. Window layout and view preferences stay in
QSettings, on the Qt side."""

from __future__ import annotations

import csv
import functools
import getpass
import json
import logging
from dataclasses import asdict, dataclass
from pathlib import Path

from app.common.atomic_file import write_text_atomic
from app.common.field_error import FieldError
from app.common.input_file import SMALL_MAX_BYTES, read_input_text
from app.common.marking import CLASSIFICATIONS, DEFAULT_CLASSIFICATION, may_see
from app.common.paths import user_config_dir

log = logging.getLogger(__name__)

# the floor's roles (PostgreSQL group roles of the same names on a floor)
ROLES = ("watch_officer", "tasking_approver", "exercise_controller", "instructor", "trainee", "floor_admin")
REAL_DATA_ROLES = ("watch_officer", "tasking_approver")  # the others work on exercise and simulated data only
SETTINGS_FILE = "settings.json"


class OperatorError(FieldError):
    pass


def is_nation_code(text: str) -> bool:
    """An ISO 3166-1 alpha-3 country code, upper case (GBR, USA ...; not ALL or XXX)."""
    return isinstance(text, str) and text in _nation_codes()


@functools.cache
def _nation_codes() -> frozenset[str]:
    from app.common.resources import resource_path

    with open(resource_path("iso_3166_alpha3.csv"), encoding="utf-8", newline="") as handle:
        return frozenset(row["alpha_3"] for row in csv.DictReader(handle))


@dataclass(frozen=True)
class Operator:
    name: str  # the login: operating-system account (single seat) or database login (floor)
    nation: str = ""  # ISO alpha-3; empty for an account not on the roster
    roles: tuple[str, ...] = ("watch_officer",)
    clearance: str = DEFAULT_CLASSIFICATION
    on_roster: bool = True  # False: an account the roster does not know (nation and clearance unset)

    def validated(self) -> "Operator":
        if not self.name.strip():
            raise OperatorError("is required", "name")
        if len(self.name) > 64:
            raise OperatorError("at most 64 characters", "name")
        if self.nation and not is_nation_code(self.nation):
            raise OperatorError(f"{self.nation!r} is not an ISO alpha-3 code (e.g. GBR)", "nation")
        for role in self.roles:
            if role not in ROLES:
                raise OperatorError(f"{role!r} is not a role ({', '.join(ROLES)})", "role")
        if self.clearance not in CLASSIFICATIONS:
            raise OperatorError(f"must be one of {', '.join(CLASSIFICATIONS)}", "clearance")
        return self

    @property
    def role(self) -> str:
        """The roles as one word list, as audit rows and the title bar show them."""
        return ", ".join(self.roles) or "no role"

    def has_role(self, role: str) -> bool:
        return role in self.roles

    def may_see(self, classification: str, owner_nation: str, releasable_to) -> bool:
        return may_see(self.nation, self.clearance, classification, owner_nation, releasable_to)

    def may_write(self, data_mode: str) -> bool:
        """Exercise, instructor and trainee logins never touch REAL records."""
        return data_mode != "REAL" or any(role in REAL_DATA_ROLES for role in self.roles)

    @property
    def label(self) -> str:
        """As the title bar shows it: ``jsmith (GBR, watch_officer, SECRET)``."""
        if not self.on_roster:
            return f"{self.name} (not on the roster)"
        return f"{self.name} ({self.nation or 'no nation'}, {self.role}, {self.clearance})"


def current_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "unknown"


@dataclass(frozen=True)
class UserSettings:
    database_url: str = ""  # empty: SQLite in the user data directory
    password_file: str = ""  # a floor login's password, read when connecting, never shown


def settings_path() -> Path:
    return user_config_dir() / SETTINGS_FILE


def load_settings(path: Path | None = None) -> UserSettings:
    """The saved settings; defaults (the default database) for what is missing or
    unreadable, with a warning in the log naming the file."""
    path = path or settings_path()
    try:
        saved = json.loads(read_input_text(path, SMALL_MAX_BYTES))
        if not isinstance(saved, dict):
            raise ValueError("not a JSON object")
        values = {}
        for name in ("database_url", "password_file"):  # an old file's "operator" is ignored: identity is not a setting
            value = saved.get(name, "")
            if not isinstance(value, str):
                raise ValueError(f"{name}: must be text")
            values[name] = value
        return UserSettings(**values)
    except FileNotFoundError:
        pass
    except (OSError, ValueError, TypeError, AttributeError, RecursionError) as error:
        log.warning("%s: %s; using defaults until the settings are saved again", path, error)
    return UserSettings()


def save_settings(settings: UserSettings, path: Path | None = None) -> None:
    write_text_atomic(path or settings_path(), json.dumps(asdict(settings), indent=1))


class PasswordFileError(ValueError):
    pass


def read_password_file(path: str | Path) -> str:
    """A login's password: the first line of a file (never given on a command line, never
    shown). Errors name the file."""
    try:
        text = read_input_text(path, SMALL_MAX_BYTES)
    except (OSError, UnicodeDecodeError) as error:
        raise PasswordFileError(f"{path}: cannot read the password file ({getattr(error, 'strerror', None) or error})") from None
    password = text.splitlines()[0].strip() if text.strip() else ""
    if not password:
        raise PasswordFileError(f"{path}: the password file is empty")
    return password


def connection_password(settings: UserSettings, password_file: str | None = None) -> str | None:
    """The password to connect with: a given file, else the settings' file, else none (libpq
    then looks in PGPASSFILE / ~/.pgpass)."""
    chosen = password_file or settings.password_file
    return read_password_file(chosen) if chosen else None

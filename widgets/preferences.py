"""The console's saved preferences (window layout, colour mode, banner, last catalog files,
saved groups) in QSettings' ini file, written as plain types only.

QSettings pickles any Python object it is given (a ``PosixPath`` became a ``@Variant``
that PySide6 then refuses to read back, and the console failed on every start after the
first). So values are written as text, JSON text or Qt byte arrays, and every read is
checked: an unreadable, corrupt or mistyped value is ignored with a note in ``problems``
(shown in the status line and logged) and the default is used instead.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QSettings

log = logging.getLogger(__name__)

_MISSING = object()


class Preferences:
    def __init__(self, settings: QSettings | None):
        self.settings = settings
        self.problems: list[str] = []
        if settings is not None and settings.status() != QSettings.Status.NoError:
            self.note_problem(f"{settings.fileName()}: cannot be read ({settings.status().name}); defaults are used")

    @classmethod
    def wrap(cls, settings: "Preferences | QSettings | None") -> "Preferences":
        return settings if isinstance(settings, Preferences) else cls(settings)

    @property
    def enabled(self) -> bool:
        return self.settings is not None

    def note_problem(self, message: str) -> None:
        log.warning("settings: %s", message)
        self.problems.append(message)

    def _raw(self, key: str) -> Any:
        if self.settings is None:
            return _MISSING
        try:
            if not self.settings.contains(key):
                return _MISSING
            return self.settings.value(key)
        except (RuntimeError, TypeError, ValueError, EOFError) as error:  # a pickled object PySide6 will not load
            self.note_problem(f"{key}: unreadable value ignored ({type(error).__name__}: {str(error)[:120]})")
            return _MISSING

    def _wrong_type(self, key: str, value: Any, wanted: str) -> None:
        self.note_problem(f"{key}: expected {wanted}, found {type(value).__name__}; ignored")

    # --- reading: never raises ------------------------------------------------------------------

    def text(self, key: str, default: str) -> str:
        value = self._raw(key)
        if value is _MISSING:
            return default
        if not isinstance(value, str):
            self._wrong_type(key, value, "text")
            return default
        return value

    def json_value(self, key: str, default: Any, expected: type) -> Any:
        """A JSON document stored as text, of the ``expected`` top-level type."""
        raw = self.text(key, "")
        if not raw:
            return default
        try:
            value = json.loads(raw)
        except (ValueError, RecursionError) as error:
            self.note_problem(f"{key}: not valid JSON ({str(error)[:120]}); ignored")
            return default
        if not isinstance(value, expected):
            self._wrong_type(key, value, expected.__name__)
            return default
        return value

    def text_list(self, key: str) -> list[str]:
        values = self.json_value(key, [], list)
        if not all(isinstance(v, str) for v in values):
            self.note_problem(f"{key}: expected a list of text; ignored")
            return []
        return values

    def byte_array(self, key: str) -> QByteArray | None:
        value = self._raw(key)
        if value is _MISSING:
            return None
        if not isinstance(value, QByteArray):
            self._wrong_type(key, value, "a byte array")
            return None
        return value

    # --- writing: plain types only --------------------------------------------------------------

    def set_text(self, key: str, value: str) -> None:
        if self.settings is not None:
            self.settings.setValue(key, str(value))

    def set_json(self, key: str, value: Any) -> None:
        if self.settings is not None:
            self.settings.setValue(key, json.dumps(value))

    def set_byte_array(self, key: str, value: QByteArray) -> None:
        if self.settings is not None:
            self.settings.setValue(key, QByteArray(value))

    def sync(self) -> None:
        if self.settings is not None:
            self.settings.sync()


CATALOG_PATHS_KEY = "catalog/paths"


def saved_catalog_paths(preferences) -> list[str]:
    """The catalog files used last time, if every one of them still exists (else none: a
    partial catalog would mislead; the problem is noted in ``preferences.problems``)."""
    paths = preferences.text_list(CATALOG_PATHS_KEY)
    missing = [p for p in paths if not Path(p).is_file()]
    if missing:
        preferences.note_problem(f"{CATALOG_PATHS_KEY}: the last catalog's file(s) {', '.join(missing)} no longer "
                                 "exist; the bundled catalog is used")
        return []
    return paths

"""What the storage layer raises: a database that cannot be used, and an edit based on a
record someone else has changed since."""

from __future__ import annotations

from typing import Any


class StoreError(RuntimeError):
    """The database cannot be used (locked, gone, newer than this console...)."""


class StaleEdit(StoreError):
    def __init__(self, current: Any):
        super().__init__("someone else changed this record since you opened it; their version is shown")
        self.current = current  # the stored record as it is now (None when it was deleted)

"""The error of a record that fails validation: the reason, and the field it concerns."""

from __future__ import annotations


class FieldError(ValueError):
    def __init__(self, reason: str, field: str | None = None):
        super().__init__(f"{field}: {reason}" if field else reason)
        self.reason, self.field = reason, field

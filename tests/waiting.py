"""Waiting in tests for something another thread or process does."""

from __future__ import annotations

import time


def until(predicate, timeout_s: float = 10.0, poll_s: float = 0.01) -> bool:
    """True as soon as ``predicate()`` is; its last answer after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(poll_s)
    return predicate()

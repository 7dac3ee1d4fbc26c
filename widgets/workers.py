"""Background work for the panels: a daemon thread, joined at once when a test asks."""

from __future__ import annotations

import threading
from typing import Callable


def run_in_thread(work: Callable[[], None], name: str, wait: bool = False) -> threading.Thread:
    thread = threading.Thread(target=work, name=name, daemon=True)
    thread.start()
    if wait:
        thread.join()
    return thread

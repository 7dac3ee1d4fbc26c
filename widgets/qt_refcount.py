"""A guard against PySide6 6.12.0's ``Signal.emit`` refcount bug on Python 3.11.

In PySide6 6.12.0 every ``emit()`` made from Python drops one reference to ``True`` it never
took (the ``bool`` it returns is handed back without its reference). Python 3.12 made ``True``
and ``False`` immortal, so there it costs nothing; on Python 3.11 (the floor's, and the
frozen build's) ``True``'s count, about 12,000 in a running console, reaches zero after as
many emits and the interpreter aborts ("Fatal Python error: bool_dealloc"), minutes to hours
into a watch. :func:`keep_true_and_false_alive` measures the loss on a probe signal and, only
where there is one, raises the two singletons' counts by 2**40 (what 3.12's immortality
amounts to): at one lost reference per emit that is centuries of emits. Nothing else in the
objects changes; they are never freed in any case.
"""

from __future__ import annotations

import ctypes
import logging
import sys

log = logging.getLogger(__name__)

PROBE_EMITS = 16
IMMORTAL_MARGIN = 1 << 40


def lost_per_emit() -> float:
    """References to ``True`` one ``emit()`` drops (0 where PySide6 is sound)."""
    from PySide6.QtCore import QObject, Signal

    class _Probe(QObject):
        probed = Signal()

    probe = _Probe()
    before = sys.getrefcount(True)
    for _ in range(PROBE_EMITS):
        probe.probed.emit()
    return (before - sys.getrefcount(True)) / PROBE_EMITS


def keep_true_and_false_alive() -> bool:
    """Apply the guard where it is needed; True when it was."""
    if sys.version_info >= (3, 12) or lost_per_emit() < 0.5:
        return False
    for singleton in (True, False):
        ctypes.c_ssize_t.from_address(id(singleton)).value += IMMORTAL_MARGIN  # ob_refcnt, the first field
    log.debug("PySide6 Signal.emit loses a reference to True: True and False made immortal, as in Python 3.12")
    return True

"""PySide6 6.12.0's ``emit()`` drops a reference to ``True`` each time; on Python 3.11 the
console aborted ("bool_dealloc") once ``True``'s count ran out: the render suite did, after
about 60 tests, and so would a console on watch. Importing ``widgets`` guards against it."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal

import widgets  # the guard applies on import


class _Emitter(QObject):
    happened = Signal(object)


def test_many_emits_leave_true_alive():
    assert widgets.qt_refcount.IMMORTAL_MARGIN > 10**12
    emitter = _Emitter()
    received = []
    emitter.happened.connect(received.append)
    for k in range(100_000):  # far more than True's count in a running console (about 12,000)
        emitter.happened.emit(k)
    assert len(received) == 100_000
    assert sys.getrefcount(True) > 1000  # (without the guard the loop aborts the interpreter before here)

"""Run something once, when a widget is first shown: sizes measured from its font then are
the theme's (the style sheet reaches a widget only as it is polished, after it is made), and
later changes are the user's."""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QWidget


class _FirstShow(QObject):
    def __init__(self, widget: QWidget, callback: Callable[[], None]):
        super().__init__(widget)
        self.callback = callback
        widget.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Show:
            watched.removeEventFilter(self)
            self.callback()
        return False


def on_first_show(widget: QWidget, callback: Callable[[], None]) -> None:
    _FirstShow(widget, callback)

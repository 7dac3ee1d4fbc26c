"""The classification banner shown at the top and the bottom of the window."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from widgets.theme import banner_colors

DEFAULT_BANNER = "UNCLASSIFIED"


class ClassificationBanner(QLabel):
    def __init__(self, text: str = DEFAULT_BANNER, parent: QWidget | None = None):
        super().__init__(parent)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setFixedHeight(22)
        self.set_marking(text)

    def set_marking(self, text: str) -> None:
        background, foreground = banner_colors(text)
        self.setText(text.upper())
        self.setStyleSheet(f"background-color: {background}; color: {foreground}; font-weight: bold;"
                           " letter-spacing: 1px; font-size: 10pt;")

    def bind(self, session) -> None:
        session.state.connect("banner.marking", self.set_marking)
        self.set_marking(session.state.banner.marking)

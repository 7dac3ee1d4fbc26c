"""The classification banner shown at the top and the bottom of the window.

It is never lower than the highest classification of the records on screen (tasking
requests, watch pairs, events: each panel reports what it shows to the session): when the
content is above the banner the operator set (``state.banner.marking``, left as set), the
banner shows the content's level and says so, e.g. ``SECRET — raised by content on screen
(set: UNCLASSIFIED)``, in that level's colour; it falls back when the record is gone."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from app.common.marking import CLASSIFICATIONS, DATA_MODES, DEFAULT_CLASSIFICATION, classification_rank
from widgets.theme import banner_colors

DEFAULT_BANNER = "UNCLASSIFIED"
RAISED_NOTE = "raised by content on screen"


def banner_rank(marking: str) -> int:
    """The level a banner marking states, on :func:`classification_rank`'s scale: its leading
    part (before ``//``) names it (``NATO SECRET`` is SECRET); TOP SECRET is above every level a
    record here has; a banner naming no level (``CUI``, ``EXERCISE``) counts as UNCLASSIFIED."""
    leading = marking.split("//")[0].strip().upper()
    if leading.startswith("TOP SECRET"):
        return len(CLASSIFICATIONS)
    named = [c for c in CLASSIFICATIONS if re.search(rf"\b{c}\b", leading)]
    return max((classification_rank(c) for c in named), default=0)


def shown_marking(set_marking: str, content: str) -> str:
    """What the banner says: the set marking, or, when the content on screen is above it, the
    content's level (keeping the set marking's data mode, e.g. ``//EXERCISE``) and why."""
    set_marking = set_marking.strip().upper() or DEFAULT_BANNER
    content = content.strip().upper() or DEFAULT_CLASSIFICATION
    if classification_rank(content) <= banner_rank(set_marking):
        return set_marking
    modes = [part.strip() for part in set_marking.split("//")[1:] if part.strip() in DATA_MODES]
    return f"{'//'.join([content, *modes])} — {RAISED_NOTE} (set: {set_marking})"


class ClassificationBanner(QLabel):
    def __init__(self, text: str = DEFAULT_BANNER, parent: QWidget | None = None):
        super().__init__(parent)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setFixedHeight(22)
        self.set_value = DEFAULT_BANNER  # the operator's banner
        self.content = DEFAULT_CLASSIFICATION  # the highest classification on screen
        self.set_marking(text)

    @property
    def raised(self) -> bool:
        """Whether the content on screen raised the banner above the set one."""
        return RAISED_NOTE in self.text()

    def set_marking(self, text: str) -> None:
        """The banner the operator set (or a scenario)."""
        self.set_value = text
        self._show()

    def set_content(self, classification: str) -> None:
        """The highest classification of the records on screen."""
        self.content = classification
        self._show()

    def _show(self) -> None:
        text = shown_marking(self.set_value, self.content)
        background, foreground = banner_colors(text)
        self.setText(text)
        self.setToolTip(f"Set banner: {self.set_value.upper()}; highest classification on screen: "
                        f"{self.content.upper()}")
        self.setStyleSheet(f"background-color: {background}; color: {foreground}; font-weight: bold;"
                           " letter-spacing: 1px; font-size: 10pt;")

    def bind(self, session) -> None:
        session.state.connect("banner.marking", self.set_marking)
        session.content_marking_changed.connect(self.set_content)
        self.set_value = session.state.banner.marking
        self.set_content(session.content_classification)

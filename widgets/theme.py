"""Colours and the dark stylesheet: a calm console for a dim ops floor.

Status colours are the Astro UXDS status system (normal, caution, serious, critical,
standby, off); the object and regime palettes avoid them so a status never reads as a type.
"""

from __future__ import annotations

import numpy as np

# Astro UXDS status colours (dark theme)
STATUS_COLORS = {
    "off": "#a4abb6",
    "standby": "#2dccff",
    "normal": "#56f000",
    "caution": "#fce83a",
    "serious": "#ffb302",
    "critical": "#ff3838",
}

OBJECT_TYPE_COLORS = {
    "PAYLOAD": "#4fc3f7",
    "ROCKET BODY": "#ce93d8",
    "DEBRIS": "#9e9e9e",
    "UNKNOWN": "#e0e0e0",
}
BREAKUP_DEBRIS_COLOR = "#ff8a65"  # fragments a scenario's breakup makes: apart from the catalog's own debris
REGIME_COLORS = {
    "LEO": "#4fc3f7",
    "MEO": "#aed581",
    "GEO": "#f48fb1",
    "HEO": "#ffcc80",
}
SENSOR_TYPE_COLORS = {
    "radar": "#ff8a65",
    "optical": "#81c784",
    "laser": "#ba68c8",
    "RF": "#bcaaa4",
}
# operator nations: the largest networks get their own colour, the rest share one
NATION_COLORS = {
    "USA": "#64b5f6", "GBR": "#e57373", "FRA": "#9575cd", "DEU": "#ffd54f", "JPN": "#f06292", "AUS": "#4db6ac",
    "CAN": "#ff8a65", "RUS": "#a1887f", "CHN": "#ef5350", "UKR": "#dce775", "ESP": "#ffb74d", "ITA": "#81c784",
}
OTHER_NATION_COLOR = "#b0bec5"
SELECTION_COLOR = "#ffffff"
ORBIT_COLOR = "#fce83a"
COVERAGE_COLOR = "#7df9ff"  # a sensor's coverage ring: brighter than any object colour, drawn on a dark edge
SEEN_COLOR = "#c6ff00"  # rings round the objects the selected sensor sees now: no object or sensor is lime

# Classification banners: the common US/NATO-style colour conventions
BANNER_COLORS = {
    "UNCLASSIFIED": ("#007a33", "#ffffff"),
    "CUI": ("#502b85", "#ffffff"),
    "CONFIDENTIAL": ("#0033a0", "#ffffff"),
    "SECRET": ("#c8102e", "#ffffff"),
    "TOP SECRET": ("#ff8c00", "#000000"),
    "EXERCISE": ("#1a6fb5", "#ffffff"),
}


def banner_colors(text: str) -> tuple[str, str]:
    """Background and text colour for a banner, from its leading marking."""
    upper = text.upper()
    for marking in ("TOP SECRET", "SECRET", "CONFIDENTIAL", "CUI", "UNCLASSIFIED", "EXERCISE"):
        if upper.startswith(marking):
            return BANNER_COLORS[marking]
    return BANNER_COLORS["UNCLASSIFIED"]


def rgba(hex_color: str, alpha: float = 1.0) -> tuple[float, float, float, float]:
    value = hex_color.lstrip("#")
    return (int(value[0:2], 16) / 255, int(value[2:4], 16) / 255, int(value[4:6], 16) / 255, alpha)


def category_colors(values: np.ndarray, palette: dict[str, str], alpha: float = 0.9) -> np.ndarray:
    """N x 4 float colours for a column of category names."""
    colors = np.empty((len(values), 4), dtype=np.float32)
    colors[:] = rgba("#e0e0e0", alpha)
    for name, hex_color in palette.items():
        colors[values == name] = rgba(hex_color, alpha)
    return colors


STYLESHEET = """
QWidget { background-color: #101923; color: #d5dde6; font-size: 10pt; }
QMainWindow::separator { background: #1b2d3e; width: 3px; height: 3px; }
QDockWidget { titlebar-close-icon: none; }
QDockWidget::title { background: #172635; padding: 4px 8px; color: #9fb3c8; }
QMenuBar, QMenu, QToolBar { background-color: #14202c; }
QMenu::item:selected, QMenuBar::item:selected { background: #1f3a52; }
QToolBar { border: none; spacing: 6px; padding: 3px; }
QLineEdit, QComboBox, QDateTimeEdit, QDoubleSpinBox, QSpinBox {
    background: #0b131b; border: 1px solid #2b4257; border-radius: 3px; padding: 3px 5px; }
QPushButton, QToolButton { background: #1b3147; border: 1px solid #2b4a66; border-radius: 3px; padding: 4px 10px; }
QPushButton:hover, QToolButton:hover { background: #234060; }
QPushButton:checked, QToolButton:checked { background: #2d5a85; border-color: #4dacff; }
QTableView { background: #0d151e; alternate-background-color: #111c27; gridline-color: #1b2a38;
             selection-background-color: #285a86; selection-color: #ffffff; }
QHeaderView::section { background: #172635; color: #9fb3c8; border: none; border-right: 1px solid #0d151e; padding: 4px; }
QLabel#clockLabel { font-family: monospace; font-size: 13pt; color: #ffffff; padding: 0 8px; }
QLabel#legendLabel { font-size: 9pt; }
QLabel#statusLabel { font-size: 9pt; color: #9fb3c8; padding: 2px 8px; background: #0d151e; }
QFormLayout QLabel { color: #9fb3c8; }
QProgressBar { border: 1px solid #2b4257; border-radius: 3px; text-align: center; }
QProgressBar::chunk { background: #2dccff; }
"""

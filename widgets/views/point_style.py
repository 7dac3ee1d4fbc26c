"""How objects and sensor sites are coloured, from the state's colour modes: one place for
the globe, the map and the legend. Sites that can be tasked (partners', contracted
providers') are filled squares; other nations' sites (context only) are hollow squares,
outlined in the same colour."""

from __future__ import annotations

from typing import Sequence

import numpy as np
from PySide6.QtCore import QObject, Signal

from app.catalog import Catalog
from app.catalog.filter import BREAKUP_SOURCE
from app.sensors.sites import Sensor
from widgets.session import ConsoleSession
from widgets.theme import (BREAKUP_DEBRIS_COLOR, NATION_COLORS, OBJECT_TYPE_COLORS, OTHER_NATION_COLOR, REGIME_COLORS,
                           SENSOR_TYPE_COLORS, STATUS_COLORS, category_colors, rgba)

COLOR_MODES = {"Object type": ("object_type", OBJECT_TYPE_COLORS), "Orbit regime": ("regime", REGIME_COLORS)}
BREAKUP_LEGEND = "Breakup debris"  # by object type, a scenario's breakup fragments have a colour of their own


def object_colors(catalog: Catalog, mode: str) -> np.ndarray:
    column, palette = COLOR_MODES[mode]
    colors = category_colors(getattr(catalog, column), palette)
    if mode == "Object type":
        colors[catalog.source_file == BREAKUP_SOURCE] = rgba(BREAKUP_DEBRIS_COLOR, 0.9)
    return colors


def object_legend_html(mode: str, catalog: Catalog | None = None) -> str:
    """The colour mode's entries; breakup debris only when ``catalog`` holds fragments (or,
    with no catalog given, always)."""
    _column, palette = COLOR_MODES[mode]
    entries = [(_legend_name(name), c) for name, c in palette.items()]
    fragments = catalog is None or bool((catalog.source_file == BREAKUP_SOURCE).any())
    if mode == "Object type" and fragments:
        entries.append((BREAKUP_LEGEND, BREAKUP_DEBRIS_COLOR))
    return "  ".join(_entry("●", c, name) for name, c in entries)


def _entry(symbol: str, color: str, name: str) -> str:
    """One legend entry that never breaks between its symbol and its name when the legend wraps."""
    return f"<span style='color:{color}'>{symbol}</span>&nbsp;{name.replace(' ', '&nbsp;')}"


def _legend_name(name: str) -> str:
    """Regimes are acronyms (LEO, MEO, GEO, HEO); object types read as words (Rocket Body)."""
    return name if name.isupper() and len(name) <= 4 else name.title()


def sensor_colors(sensors: Sequence[Sensor], mode: str) -> list[str]:
    """Hex colours by sensor type or operator nation; sensors out of service in the 'off' colour."""
    if mode == "nation":
        palette = [NATION_COLORS.get(s.operator_nation, OTHER_NATION_COLOR) for s in sensors]
    else:
        palette = [SENSOR_TYPE_COLORS[s.sensor_type] for s in sensors]
    return [c if s.operational else STATUS_COLORS["off"] for c, s in zip(palette, sensors)]


def sensor_hollow(sensors: Sequence[Sensor]) -> np.ndarray:
    """Which sites are drawn hollow: other nations' (context only, never tasked)."""
    return np.array([not s.schedulable for s in sensors], dtype=bool)


def sensor_legend_html(mode: str, sensors: Sequence[Sensor] = ()) -> str:
    """By nation: the nations among ``sensors`` (all with a colour when none are given), then
    'other' when some operator has no colour of its own. Then the standing styles: filled
    for sites that can be tasked, hollow for other nations' (when there are any)."""
    if mode == "nation":
        nations = {s.operator_nation for s in sensors}
        shown = [(n, c) for n, c in NATION_COLORS.items() if not sensors or n in nations]
        other = not sensors or bool(nations - set(NATION_COLORS))
        colours = "  ".join(_entry("■", c, n) for n, c in shown + ([("other", OTHER_NATION_COLOR)] if other else []))
    else:
        colours = "  ".join(_entry("■", c, t.upper() if len(t) <= 2 else t.title())  # RF, Radar
                            for t, c in SENSOR_TYPE_COLORS.items())
    styles = [("■", "partner / contracted")]
    if not sensors or not all(s.schedulable for s in sensors):
        styles.append(("□", "other nation (context only)"))
    return colours + "&nbsp;&nbsp;·&nbsp; " + "  ".join(_entry(symbol, OTHER_NATION_COLOR, name)
                                                       for symbol, name in styles)


class ObjectColors(QObject):
    """The catalog's point colours for the state's colour mode, recomputed when either changes."""

    changed = Signal(object)  # N×4 float32 RGBA

    def __init__(self, session: ConsoleSession):
        super().__init__(session)
        self.session = session
        self.colors = np.zeros((0, 4), dtype=np.float32)
        session.catalog_changed.connect(lambda _catalog: self._recompute())
        session.state.connect("shown.color_mode", lambda _mode: self._recompute())

    def _recompute(self) -> None:
        self.colors = object_colors(self.session.catalog, self.session.state.shown.color_mode)
        self.changed.emit(self.colors)

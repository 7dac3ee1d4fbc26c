"""A strip under the globe with time across: the current time (drag it to scrub the clock),
and lanes of intervals and markers (scheduled passes now; scenario injects and approaches
later), pan and zoom along time with the mouse."""

from __future__ import annotations

from datetime import datetime, timezone

import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtGui import QColor

from widgets.theme import SELECTION_COLOR

DEFAULT_SPAN_S = 24 * 3600.0
LANE_HEIGHT = 0.7


class Timeline(pg.PlotWidget):
    time_dragged = Signal(object)  # datetime chosen by dragging the current-time line

    def __init__(self, parent=None):
        super().__init__(parent, axisItems={"bottom": pg.DateAxisItem(utcOffset=0)})
        self.setFixedHeight(78)
        self.setMouseEnabled(x=True, y=False)
        self.hideButtons()
        self.showGrid(x=True, y=False, alpha=0.25)
        self.getAxis("left").setWidth(120)
        self.lanes: list[str] = []
        self._items: dict[str, list] = {}
        self.now_line = pg.InfiniteLine(angle=90, movable=True, pen=pg.mkPen(SELECTION_COLOR, width=2),
                                        hoverPen=pg.mkPen("#ffffff", width=3))
        self.addItem(self.now_line)
        self.now_line.sigDragged.connect(lambda line: self.time_dragged.emit(
            datetime.fromtimestamp(line.value(), tz=timezone.utc)))
        self._follow = True
        self.getViewBox().sigRangeChangedManually.connect(lambda *_: setattr(self, "_follow", False))
        self.setYRange(-0.5, 0.5)

    def set_now(self, epoch: datetime) -> None:
        """Move the current-time line (unless the user is dragging it); keep it in view."""
        seconds = epoch.timestamp()
        low, high = self.getViewBox().viewRange()[0]
        seconds_per_px = (high - low) / max(self.getViewBox().width(), 1.0)
        # moved only when it moves on screen: at 60x the line crawls a fiftieth of a pixel a frame,
        # and each move repaints the timeline
        if not self.now_line.moving and abs(seconds - self.now_line.value()) >= 0.5 * seconds_per_px:
            self.now_line.setValue(seconds)
        # following the clock, the view turns a page only when the time nears its right edge
        # (called every frame: no re-ranging, and so no axis relayout, in between)
        near_edge = not low + (high - low) / 8 <= seconds <= high - (high - low) / 4
        if not low <= seconds <= high or (self._follow and near_edge):
            self._follow = True
            self.setXRange(seconds - DEFAULT_SPAN_S / 4, seconds + 3 * DEFAULT_SPAN_S / 4, padding=0)

    def set_span(self, start: datetime, end: datetime) -> None:
        """Show this span (a scenario's) instead of following the clock."""
        self._follow = False
        self.setXRange(start.timestamp(), end.timestamp(), padding=0.01)

    def set_intervals(self, lane: str, intervals: list[tuple[datetime, datetime, str]], color: str,
                      label_gap_s: float = 0.0) -> None:
        """Bars from start to end in ``lane``, each labelled at its right unless the previous
        label is closer than ``label_gap_s`` (markers close together would overprint)."""
        row = self._lane(lane)
        self._clear(lane)
        if intervals:
            x0 = [a.timestamp() for a, _b, _l in intervals]
            x1 = [max(b.timestamp(), a.timestamp() + 60.0) for a, b, _l in intervals]  # at least a minute wide
            bars = pg.BarGraphItem(x0=x0, x1=x1, y0=[row - LANE_HEIGHT / 2] * len(x0), height=LANE_HEIGHT,
                                   brush=QColor(color), pen=pg.mkPen(color))
            self.addItem(bars)
            self._items[lane].append(bars)
            last_label = -float("inf")
            for end, (_a, _b, label) in zip(x1, intervals):
                if label and end - last_label >= label_gap_s:
                    last_label = end
                    text = pg.TextItem(label, color="#e0e6ed", anchor=(0, 0.5))
                    text.setPos(end, row)
                    self.addItem(text)
                    self._items[lane].append(text)

    def intervals_in(self, lane: str) -> int:
        return sum(len(item.opts["x0"]) for item in self._items.get(lane, []) if isinstance(item, pg.BarGraphItem))

    def _lane(self, lane: str) -> int:
        if lane not in self.lanes:
            self.lanes.append(lane)
            self._items[lane] = []
            self.getAxis("left").setTicks([[(i, name) for i, name in enumerate(self.lanes)]])
            self.setYRange(-0.6, len(self.lanes) - 0.4, padding=0)
        return self.lanes.index(lane)

    def _clear(self, lane: str) -> None:
        for item in self._items.get(lane, []):
            self.removeItem(item)
        self._items[lane] = []

    def bind(self, session) -> None:
        """The session's time and lanes; dragging the time line moves its clock."""
        session.frame.connect(self.set_now)
        session.intervals_changed.connect(self.set_intervals)
        session.span_changed.connect(self.set_span)
        self.time_dragged.connect(session.clock.jump_to)

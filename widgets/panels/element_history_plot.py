"""The selected object's element-set history in the details panel: mean semi-major axis,
inclination and eccentricity against epoch (pyqtgraph, one time axis), each catalog
refresh a faint vertical line, the element sets the last refresh brought in the caution
colour when a possible maneuver is flagged on the object."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from widgets.theme import STATUS_COLORS

SERIES = (("semi_major_axis_km", "a (km)"), ("inclination_deg", "i (°)"), ("eccentricity", "e"))


class ElementHistoryPlot(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.caption = QLabel("No element-set history yet", wordWrap=True, objectName="historyCaption")
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setMinimumHeight(240)
        self.plots, self.curves = [], []
        for row, (_key, title) in enumerate(SERIES):
            plot = self.graphics.addPlot(row=row, col=0, axisItems={"bottom": pg.DateAxisItem(utcOffset=0)})
            plot.setLabel("left", title)
            plot.showGrid(x=True, y=True, alpha=0.2)
            plot.getAxis("bottom").setStyle(showValues=row == len(SERIES) - 1)
            if self.plots:
                plot.setXLink(self.plots[0])
            self.curves.append(plot.plot([], [], pen=pg.mkPen("#64b5f6", width=1.5), symbol="o", symbolSize=5,
                                         symbolBrush="#64b5f6"))
            self.plots.append(plot)
        self.refresh_lines: list = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.caption)
        layout.addWidget(self.graphics)
        self.points = 0

    def show_history(self, history, refresh_times: list[float], flagged: bool) -> None:
        """``history``: an ``ObjectHistory`` (or None); refresh times in unix seconds."""
        for plot, line in self.refresh_lines:
            plot.removeItem(line)
        self.refresh_lines = []
        self.points = 0 if history is None else len(history)
        if not self.points:
            for curve in self.curves:
                curve.setData([], [])
            self.caption.setText("No element-set history yet" if history is None else
                                 "No element sets of this object kept yet")
            return
        x = history.epoch_utc.astype("datetime64[ms]").astype(np.int64) / 1000.0
        last_refresh = int(history.refresh_id.max())
        brushes = [STATUS_COLORS["caution"] if flagged and r == last_refresh else "#64b5f6"
                   for r in history.refresh_id.tolist()]
        for (key, _title), curve, plot in zip(SERIES, self.curves, self.plots):
            curve.setData(x, getattr(history, key), symbolBrush=brushes)
            for seen in refresh_times:
                if x[0] - 86400 <= seen <= x[-1] + 86400:
                    line = pg.InfiniteLine(seen, angle=90, pen=pg.mkPen("#9e9e9e", width=1, style=Qt.PenStyle.DashLine))
                    plot.addItem(line)
                    self.refresh_lines.append((plot, line))
        span_days = (x[-1] - x[0]) / 86400.0
        self.caption.setText(f"{self.points} element set(s) over {span_days:.1f} days"
                             + ("; the newest flagged as a possible maneuver" if flagged else "")
                             + " (dashed: catalog refreshes)")

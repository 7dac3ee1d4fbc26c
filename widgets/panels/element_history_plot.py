"""The selected object's element-set history in the details panel: mean semi-major axis,
inclination and eccentricity against epoch, one time span for all three, each catalog
refresh a dashed vertical line, the element sets the last refresh brought in the caution
colour when a possible maneuver is flagged on the object.

Drawn with QPainter in ``paintEvent`` (a pyqtgraph version, updated at each refresh,
corrupted the interpreter under PySide6 6.12 in the full suite: a bool's reference count
ran out in a later garbage collection)."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from widgets.theme import STATUS_COLORS

SERIES = (("semi_major_axis_km", "a (km)", "{:,.1f}"), ("inclination_deg", "i (°)", "{:.4f}"),
          ("eccentricity", "e", "{:.6f}"))
LINE, GRID, TEXT = QColor("#64b5f6"), QColor("#3a4654"), QColor("#9aa5b1")


class _Plots(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setMinimumHeight(240)
        self.x = np.zeros(0)
        self.series: list[np.ndarray] = []
        self.newest = np.zeros(0, dtype=bool)
        self.refreshes = np.zeros(0)
        self.flagged = False

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor("#05080c"))
        if not len(self.x):
            painter.end()
            return
        x0, x1 = float(self.x[0]), float(self.x[-1])
        margin = 0.06 * (x1 - x0) if x1 - x0 >= 1.0 else 43200.0  # the end points inside the frame
        x0, x1 = x0 - margin, x1 + margin
        height = self.height() / len(SERIES)
        for k, ((_key, title, fmt), y) in enumerate(zip(SERIES, self.series)):
            box = QRectF(70, k * height + 6, self.width() - 80, height - 22)
            low, high = float(np.min(y)), float(np.max(y))
            pad = 0.1 * (high - low) or max(abs(high) * 1e-6, 1e-9)
            low, high = low - pad, high + pad

            def point(xv: float, yv: float) -> QPointF:
                return QPointF(box.left() + (xv - x0) / (x1 - x0) * box.width(),
                               box.bottom() - (yv - low) / (high - low) * box.height())

            painter.setPen(QPen(GRID, 1))
            painter.drawRect(box)
            painter.setPen(QPen(QColor("#9e9e9e"), 1, Qt.PenStyle.DashLine))
            for seen in self.refreshes.tolist():
                if x0 <= seen <= x1:
                    painter.drawLine(point(seen, low), point(seen, high))
            painter.setPen(TEXT)
            painter.drawText(QRectF(0, box.top(), 66, 16), Qt.AlignmentFlag.AlignRight, title)
            painter.drawText(QRectF(0, box.top() + 16, 66, 16), Qt.AlignmentFlag.AlignRight, fmt.format(high - pad))
            painter.drawText(QRectF(0, box.bottom() - 16, 66, 16), Qt.AlignmentFlag.AlignRight, fmt.format(low + pad))
            points = [point(a, b) for a, b in zip(self.x.tolist(), y.tolist())]
            painter.setPen(QPen(LINE, 1.5))
            for a, b in zip(points[:-1], points[1:]):
                painter.drawLine(a, b)
            for p, new in zip(points, self.newest.tolist()):
                color = QColor(STATUS_COLORS["caution"]) if self.flagged and new else LINE
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(color)
                painter.drawEllipse(p, 4.5 if self.flagged and new else 3.0, 4.5 if self.flagged and new else 3.0)
            painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(TEXT)
        span = f"{np.datetime64(int(x0), 's')}  —  {np.datetime64(int(x1), 's')} UTC".replace("T", " ")
        painter.drawText(QRectF(70, self.height() - 16, self.width() - 80, 16), Qt.AlignmentFlag.AlignCenter, span)
        painter.end()


class ElementHistoryPlot(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.caption = QLabel("No element-set history yet", wordWrap=True, objectName="historyCaption")
        self.plots = _Plots()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.caption)
        layout.addWidget(self.plots)
        self.points = 0
        self.refreshes_shown = 0
        self.flagged_points = 0

    def show_history(self, history, refresh_times: list[float], flagged: bool) -> None:
        """``history``: an ``ObjectHistory`` (or None); refresh times in unix seconds."""
        plots = self.plots
        self.points = 0 if history is None else len(history)
        if not self.points:
            plots.x, plots.series, self.refreshes_shown, self.flagged_points = np.zeros(0), [], 0, 0
            self.caption.setText("No element-set history yet" if history is None else
                                 "No element sets of this object kept yet")
            plots.update()
            return
        plots.x = history.epoch_utc.astype("datetime64[ms]").astype(np.int64) / 1000.0
        plots.series = [np.asarray(getattr(history, key), dtype=float) for key, _t, _f in SERIES]
        plots.newest = history.refresh_id == history.refresh_id.max()
        plots.flagged = flagged
        plots.refreshes = np.array([t for t in refresh_times if plots.x[0] - 86400 <= t <= plots.x[-1] + 86400])
        self.refreshes_shown = len(plots.refreshes)
        self.flagged_points = int(plots.newest.sum()) if flagged else 0
        span_days = (plots.x[-1] - plots.x[0]) / 86400.0
        self.caption.setText(f"{self.points} element set(s) over {span_days:.1f} days"
                             + ("; the newest flagged as a possible maneuver" if flagged else "")
                             + " (dashed: catalog refreshes)")
        plots.update()

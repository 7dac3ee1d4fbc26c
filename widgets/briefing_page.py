"""A pair briefing (``app.rpo.briefing``) as one marked page: the marking at the top and the
bottom, the pair and the moment, a picture (the console's globe as it stands, or from the
command line a ground-track map of both objects on the Blue Marble), the range and the RIC
position over the day around the moment, the closest approaches ahead, and a CDM's numbers
beside ours when there is one. PNG or PDF by the file's suffix (``page_drawing``)."""

from __future__ import annotations

import math
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPainterPath, QPen

from app.astro.timeutil import format_utc
from app.rpo.briefing import AFTER_H, BEFORE_H, PairBriefing
from widgets.page_drawing import (BANNER_H, FAINT, INK, MARGIN, PAGE_H, PAGE_W, ROW_H, RULE, STRIPE, draw_banner,
                                  draw_header_row, draw_note, draw_row, draw_section, draw_text, page_font, save_page)

PRIMARY_COLOR, SECONDARY_COLOR = QColor("#c79100"), QColor("#c2185b")
RIC_COLORS = (QColor("#1565c0"), QColor("#2e7d32"), QColor("#c62828"))
CAUTION, WARNING = QColor("#f9a825"), QColor("#c62828")
APPROACH_COLUMNS = (("TCA (UTC)", 300, "l"), ("In", 120, "r"), ("Miss (km)", 160, "r"), ("Speed (km/s)", 170, "r"),
                    ("R (km)", 150, "r"), ("I (km)", 150, "r"), ("C (km)", 150, "r"))


def save_briefing_page(briefing: PairBriefing, path: str | Path, picture: QImage | None = None) -> Path:
    """The page into ``path`` (.png or .pdf); ``picture``: the globe as the console shows it
    (None: a ground-track map). Needs a QGuiApplication (``page_drawing.offscreen_application``)."""
    title = f"{briefing.marking} — pair briefing {briefing.primary_id} / {briefing.secondary_id}"
    return save_page(path, lambda painter: draw_briefing(painter, briefing, picture), title,
                     "spaceops pair briefing", "a briefing page")


def draw_briefing(painter: QPainter, briefing: PairBriefing, picture: QImage | None = None) -> None:
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    draw_banner(painter, briefing.marking, 0)
    draw_banner(painter, briefing.marking, PAGE_H - BANNER_H)
    width = PAGE_W - 2 * MARGIN
    y = _title(painter, briefing, BANNER_H + 40)
    picture_rect = QRectF(MARGIN, y + 10, width, 560)
    if picture is not None and not picture.isNull():
        _picture(painter, picture, picture_rect)
    else:
        _map(painter, briefing, picture_rect)
    y = picture_rect.bottom() + 20
    hours = briefing.offsets_s / 3600.0 - BEFORE_H
    y = draw_section(painter, "Range (km), hours from the moment", y)
    limits = [(v, c) for v, c in ((briefing.caution_km, CAUTION), (briefing.warning_km, WARNING)) if v]
    _plot(painter, QRectF(MARGIN, y + 4, width, 300), hours, [(briefing.range_series_km, INK, "range")], limits)
    y += 330
    y = draw_section(painter, "Secondary relative to primary, RIC (km)", y)
    series = [(briefing.ric_series_km[:, k], RIC_COLORS[k], name) for k, name in enumerate(("R", "I", "C"))]
    _plot(painter, QRectF(MARGIN, y + 4, width, 300), hours, series, [])
    y += 330
    y = draw_section(painter, f"Closest approaches in the next 72 h ({len(briefing.approaches)})", y)
    y = _approaches(painter, briefing, y)
    if briefing.cdm is not None:
        y = _cdm(painter, briefing, y + 16)
    for warning in briefing.warnings:
        y = draw_note(painter, f"Note: {warning}", y)
    painter.setFont(page_font(20))
    draw_text(painter, QRectF(MARGIN, PAGE_H - BANNER_H - 44, width, 30),
              f"Built {datetime.now(timezone.utc):%Y-%m-%d %H:%M}Z by spaceops from SGP4 element sets; "
              "times UTC", color=FAINT)


def _title(painter: QPainter, b: PairBriefing, y: float) -> float:
    width = PAGE_W - 2 * MARGIN
    painter.setFont(page_font(46, bold=True))
    draw_text(painter, QRectF(MARGIN, y, width, 60), f"Pair briefing: {b.primary_name} — {b.secondary_name}")
    y += 70
    painter.setFont(page_font(27))
    closing = "closing" if b.range_rate_km_s < 0 else "opening"
    lines = [f"Primary {b.primary_id} (yellow), secondary {b.secondary_id} (magenta)   ·   at {format_utc(b.at)[:19]}Z",
             f"Range {b.range_km:,.3f} km, {closing} at {abs(b.range_rate_km_s):.4f} km/s"
             + (f"   ·   caution {b.caution_km:g} km, warning {b.warning_km:g} km" if b.caution_km else "")]
    if b.notes:
        lines.append(f"Notes: {b.notes}")
    for line in lines:
        draw_text(painter, QRectF(MARGIN, y, width, 38), line)
        y += 40
    return y


def _picture(painter: QPainter, picture: QImage, rect: QRectF) -> None:
    scaled = picture.scaled(int(rect.width()), int(rect.height()), Qt.AspectRatioMode.KeepAspectRatio,
                            Qt.TransformationMode.SmoothTransformation)
    left = rect.left() + (rect.width() - scaled.width()) / 2
    painter.fillRect(rect, QColor("#05080c"))
    painter.drawImage(QPointF(left, rect.top() + (rect.height() - scaled.height()) / 2), scaled)


def _map(painter: QPainter, b: PairBriefing, rect: QRectF) -> None:
    """Both ground tracks, 100 minutes either side, on the Blue Marble (plate carrée)."""
    from app.common.resources import resource_path

    map_rect = QRectF(rect.left(), rect.top(), min(rect.width(), 2 * rect.height()), rect.height())
    map_rect.moveLeft(rect.left() + (rect.width() - map_rect.width()) / 2)
    texture = QImage(str(resource_path("earth/bluemarble_2048x1024.jpg")))
    if not texture.isNull():
        painter.drawImage(map_rect, texture)
    else:
        painter.fillRect(map_rect, QColor("#20304a"))

    def point(lat, lon) -> QPointF:
        return QPointF(map_rect.left() + (lon + 180.0) / 360.0 * map_rect.width(),
                       map_rect.top() + (90.0 - lat) / 180.0 * map_rect.height())

    for (lat, lon), color, name, (lat0, lon0) in zip(b.tracks_deg, (PRIMARY_COLOR, SECONDARY_COLOR),
                                                     (b.primary_name, b.secondary_name), b.positions_deg):
        path = QPainterPath()
        previous = None
        for la, lo in zip(lat.tolist(), lon.tolist()):
            if not (math.isfinite(la) and math.isfinite(lo)):
                previous = None
                continue
            if previous is None or abs(lo - previous) > 180.0:  # across the date line: a new stroke
                path.moveTo(point(la, lo))
            else:
                path.lineTo(point(la, lo))
            previous = lo
        painter.setPen(QPen(color.lighter(140), 4))
        painter.drawPath(path)
        if math.isfinite(lat0) and math.isfinite(lon0):
            centre = point(lat0, lon0)
            painter.setPen(QPen(QColor("white"), 3))
            painter.setBrush(color)
            painter.drawEllipse(centre, 11, 11)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setFont(page_font(24, bold=True))
            draw_text(painter, QRectF(centre.x() + 16, centre.y() - 18, 420, 34), name, color=QColor("white"))
    painter.setPen(QPen(RULE, 2))
    painter.drawRect(map_rect)


def _plot(painter: QPainter, rect: QRectF, x: np.ndarray, series, limits) -> None:
    """Lines of ``series`` [(y, colour, label)] against ``x`` (hours), axes with ticks, the
    moment (x = 0) as a vertical line, ``limits`` [(value, colour)] as dashed levels."""
    inner = QRectF(rect.left() + 110, rect.top() + 8, rect.width() - 130, rect.height() - 56)
    values = np.concatenate([np.asarray(y, dtype=float) for y, _c, _l in series] + [np.array([v for v, _ in limits])])
    values = values[np.isfinite(values)]
    low, high = (float(values.min()), float(values.max())) if len(values) else (0.0, 1.0)
    if high - low < 1e-9:
        low, high = low - 1.0, high + 1.0
    pad = 0.05 * (high - low)
    low, high = low - pad, high + pad
    x0, x1 = -BEFORE_H, AFTER_H

    def to_point(xv, yv) -> QPointF:
        return QPointF(inner.left() + (xv - x0) / (x1 - x0) * inner.width(),
                       inner.bottom() - (yv - low) / (high - low) * inner.height())

    painter.fillRect(inner, STRIPE)
    painter.setFont(page_font(20))
    for k in range(5):
        value = low + (high - low) * k / 4
        yp = to_point(x0, value).y()
        painter.setPen(QPen(RULE, 1))
        painter.drawLine(QPointF(inner.left(), yp), QPointF(inner.right(), yp))
        draw_text(painter, QRectF(rect.left(), yp - 15, 100, 30), f"{value:,.1f}", "r", FAINT)
    for hour in range(int(x0), int(x1) + 1, 3):
        xp = to_point(hour, low).x()
        painter.setPen(QPen(RULE, 1))
        painter.drawLine(QPointF(xp, inner.top()), QPointF(xp, inner.bottom()))
        draw_text(painter, QRectF(xp - 40, inner.bottom() + 6, 80, 28), f"{hour:+d} h" if hour else "now", "c",
                  FAINT)
    for value, color in limits:
        painter.setPen(QPen(color, 2, Qt.PenStyle.DashLine))
        yp = to_point(x0, value).y()
        painter.drawLine(QPointF(inner.left(), yp), QPointF(inner.right(), yp))
    painter.setPen(QPen(INK, 2))
    xp = to_point(0.0, low).x()
    painter.drawLine(QPointF(xp, inner.top()), QPointF(xp, inner.bottom()))
    for index, (y, color, label) in enumerate(series):
        path, drawing = QPainterPath(), False
        for xv, yv in zip(np.asarray(x).tolist(), np.asarray(y, dtype=float).tolist()):
            if not math.isfinite(yv):
                drawing = False
                continue
            (path.lineTo if drawing else path.moveTo)(to_point(xv, yv))
            drawing = True
        painter.setPen(QPen(color, 3))
        painter.drawPath(path)
        if len(series) > 1:
            painter.setFont(page_font(22, bold=True))
            draw_text(painter, QRectF(inner.right() - 70 * (len(series) - index), inner.top() + 6, 60, 28), label,
                      "r", color)
    painter.setPen(QPen(INK, 1.5))
    painter.drawRect(inner)


def _approaches(painter: QPainter, b: PairBriefing, y: float) -> float:
    y = draw_header_row(painter, APPROACH_COLUMNS, y)
    for index, a in enumerate(b.approaches):
        hours = (a.tca - b.at).total_seconds() / 3600.0
        cells = [format_utc(a.tca)[:19].replace("T", " "), f"{hours:.1f} h", f"{a.miss_km:,.3f}",
                 f"{a.relative_speed_km_s:.4f}", *(f"{v:,.3f}" for v in a.r_ric_km)]
        color = WARNING if b.warning_km and a.miss_km <= b.warning_km else (
            CAUTION if b.caution_km and a.miss_km <= b.caution_km else INK)
        y = draw_row(painter, APPROACH_COLUMNS, cells, y, STRIPE if index % 2 else None, {2: color}, bold=(2,))
    return y + 6


def _cdm(painter: QPainter, b: PairBriefing, y: float) -> float:
    c = b.cdm
    y = draw_section(painter, f"Conjunction data message: {Path(c.source).name}", y)
    painter.setFont(page_font(25))
    message_pc = "none stated" if c.pc_in_message is None else f"{c.pc_in_message:.3e}"
    for line in (f"TCA {format_utc(c.tca_utc)[:23]}Z   ·   miss {c.miss_km:,.3f} km",
                 f"Pc in the message {message_pc}   ·   ours (Foster) {c.pc_ours:.3e} with a hard-body radius of "
                 f"{c.hbr_m:g} m ({c.hbr_source})"):
        draw_text(painter, QRectF(MARGIN, y, PAGE_W - 2 * MARGIN, ROW_H + 4), line)
        y += ROW_H + 6
    return y

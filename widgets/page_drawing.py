"""One marked A4 page drawn with QPainter (no widgets, no OpenGL: it works on the offscreen
platform): page units, fonts, the marking banner, one-line text, section headings, tables,
and writing the page as PNG (A4 at 200 dpi) or PDF (A4) by the file's suffix. The class
debrief and the pair briefing are drawn with these."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QMarginsF, QRectF, Qt
from PySide6.QtGui import (QColor, QFont, QFontMetricsF, QGuiApplication, QImage, QPageLayout, QPageSize, QPainter,
                           QPdfWriter, QPen)

from app.common.output_file import replaced_when_done
from widgets.theme import banner_colors

PAGE_W, PAGE_H = 1654, 2339  # A4 at 200 dpi: the page's drawing units, in PNG and PDF alike
DPI = 200
SUFFIXES = (".png", ".pdf")
MARGIN = 80
BANNER_H = 58
ROW_H = 34
INK, FAINT, RULE = QColor("#1b2430"), QColor("#5b6776"), QColor("#c4ccd6")
STRIPE = QColor("#f3f5f8")

_started: list[QGuiApplication] = []  # the application offscreen_application made, kept alive


def offscreen_application() -> QGuiApplication:
    """The running Qt application, or a new QGuiApplication on the offscreen platform (a
    command line drawing a page needs no display), kept for the rest of the process."""
    running = QGuiApplication.instance()
    if running is None:
        running = QGuiApplication([sys.argv[0] if sys.argv else "spaceops", "-platform", "offscreen"])
        _started.append(running)
    return running


def save_page(path: str | Path, draw: Callable[[QPainter], None], title: str, creator: str,
              what: str = "a page") -> Path:
    """``draw`` (in page units) into ``path``: PNG (1654×2339) or PDF (A4) by its suffix,
    written whole or not at all. ValueError for another suffix, OSError when it cannot be
    written. Needs a QGuiApplication (:func:`offscreen_application`)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise ValueError(f"{path.name}: {what} is .png or .pdf")
    with replaced_when_done(path) as temporary:
        if suffix == ".png":
            image = QImage(PAGE_W, PAGE_H, QImage.Format.Format_RGB32)
            image.setDotsPerMeterX(round(DPI / 0.0254))
            image.setDotsPerMeterY(round(DPI / 0.0254))
            image.fill(QColor("white"))
            painter = QPainter(image)
            try:
                draw(painter)
            finally:
                painter.end()
            if not image.save(str(temporary), "PNG"):
                raise OSError(f"{path}: the image could not be written")
        else:
            writer = QPdfWriter(str(temporary))
            writer.setResolution(DPI)
            writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait,
                                             QMarginsF(0, 0, 0, 0)))
            writer.setTitle(title)
            writer.setCreator(creator)
            painter = QPainter(writer)
            if not painter.isActive():
                raise OSError(f"{path}: the PDF could not be started")
            try:
                painter.scale(writer.width() / PAGE_W, writer.height() / PAGE_H)  # A4 either way: within 0.1 %
                draw(painter)
            finally:
                if not painter.end():
                    raise OSError(f"{path}: the PDF could not be written")
    return path


def page_font(pixels: float, bold: bool = False) -> QFont:
    font = QFont()
    font.setStyleHint(QFont.StyleHint.SansSerif)
    font.setPixelSize(round(pixels))
    font.setBold(bold)
    return font


def single_line(text) -> str:
    return re.sub(r"\s+", " ", "" if text is None else str(text)).strip()


def draw_banner(painter: QPainter, marking: str, top: float) -> None:
    background, foreground = banner_colors(marking)
    painter.fillRect(QRectF(0, top, PAGE_W, BANNER_H), QColor(background))
    painter.setPen(QColor(foreground))
    painter.setFont(page_font(30, bold=True))
    painter.drawText(QRectF(0, top, PAGE_W, BANNER_H), Qt.AlignmentFlag.AlignCenter, marking)


def draw_text(painter: QPainter, rect: QRectF, text: str, align: str = "l", color: QColor = INK) -> None:
    """One line, elided to fit ``rect``; ``align`` l, r or c."""
    metrics = QFontMetricsF(painter.font())
    shown = metrics.elidedText(single_line(text), Qt.TextElideMode.ElideRight, rect.width())
    painter.setPen(color)
    side = {"r": Qt.AlignmentFlag.AlignRight, "c": Qt.AlignmentFlag.AlignHCenter}.get(align, Qt.AlignmentFlag.AlignLeft)
    flags = side | Qt.AlignmentFlag.AlignVCenter
    painter.drawText(rect, flags, shown)


def draw_section(painter: QPainter, heading: str, y: float) -> float:
    painter.setFont(page_font(34, bold=True))
    draw_text(painter, QRectF(MARGIN, y, PAGE_W - 2 * MARGIN, 48), heading)
    y += 52
    painter.setPen(QPen(INK, 2))
    painter.drawLine(int(MARGIN), int(y), int(PAGE_W - MARGIN), int(y))
    return y + 6


def column_spans(columns) -> list[tuple[float, float, str]]:
    """(left, width, alignment) of each column, spread over the page's width."""
    total = sum(width for _h, width, _a in columns)
    scale = (PAGE_W - 2 * MARGIN) / total
    left, placed = MARGIN, []
    for _header, width, align in columns:
        placed.append((left, width * scale, align))
        left += width * scale
    return placed


def draw_header_row(painter: QPainter, columns, y: float) -> float:
    painter.setFont(page_font(23, bold=True))
    for (header, _w, _a), (left, width, align) in zip(columns, column_spans(columns)):
        draw_text(painter, QRectF(left + 6, y, width - 12, ROW_H), header, align, FAINT)
    y += ROW_H
    painter.setPen(QPen(RULE, 1.5))
    painter.drawLine(int(MARGIN), int(y), int(PAGE_W - MARGIN), int(y))
    return y + 2


def draw_row(painter: QPainter, columns, cells, y: float, fill: QColor | None, colors=None,
         bold: tuple[int, ...] = ()) -> float:
    """One table row (23 px text; the columns in ``bold`` bold)."""
    if fill is not None:
        painter.fillRect(QRectF(MARGIN, y, PAGE_W - 2 * MARGIN, ROW_H), fill)
    for index, ((left, width, align), cell) in enumerate(zip(column_spans(columns), cells)):
        painter.setFont(page_font(23, bold=index in bold))
        draw_text(painter, QRectF(left + 6, y, width - 12, ROW_H), cell, align, (colors or {}).get(index, INK))
    return y + ROW_H


def draw_note(painter: QPainter, text: str, y: float) -> float:
    painter.setFont(page_font(24))
    painter.save()
    font = painter.font()
    font.setItalic(True)
    painter.setFont(font)
    draw_text(painter, QRectF(MARGIN, y + 4, PAGE_W - 2 * MARGIN, ROW_H), text, color=FAINT)
    painter.restore()
    return y + ROW_H + 8

"""The class debrief (``app.classroom.debrief``) as one marked page: the marking banner at the
top and the bottom (the console's banner colours), the class, the per-trainee summary, then
as much of the timeline as fits (the rest is in the CSV/JSON export, and the page says how
many rows that is). PNG (A4 at 200 dpi) or PDF (A4), by the file's suffix.

Drawn with QPainter alone (no widgets, no OpenGL), so it works on the offscreen platform:
:func:`widgets.page_drawing.offscreen_application` gives a command line the QGuiApplication it needs."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter

from app.astro.timeutil import parse_utc
from app.classroom.debrief import Debrief
from widgets.page_drawing import (BANNER_H, FAINT, INK, MARGIN, PAGE_H, PAGE_W, ROW_H, STRIPE, column_spans,
                                  draw_banner, draw_header_row, draw_note, draw_row, draw_section, draw_text, page_font,
                                  save_page, single_line)

MAX_TRAINEE_ROWS = 16  # more trainees than this: the rest are in the export

STEP_FILL, MODE_FILL = QColor("#e3eef9"), QColor("#fff4d6")
RIGHT, WRONG, POLL = QColor("#1e7d32"), QColor("#c62828"), QColor("#5b6776")
INSTRUCTOR_ROWS = ("opened", "step", "frozen", "released", "brought back", "message", "scenario message", "closed")

# (header, width in page units, alignment) of the two tables
TRAINEE_COLUMNS = (("Trainee", 250, "l"), ("Joined", 150, "l"), ("Left", 150, "l"), ("Answered", 140, "r"),
                   ("Right", 95, "r"), ("Wrong", 105, "r"), ("Polls", 90, "r"), ("Mean s", 115, "r"),
                   ("Longest s", 140, "r"), ("Ack s", 120, "r"), ("Last step", 135, "r"))
TIMELINE_COLUMNS = (("Time", 205, "l"), ("Who", 200, "l"), ("What", 170, "l"), ("Step", 82, "r"),
                    ("Prompt, message or note", 420, "l"), ("Answer", 125, "l"), ("Verdict", 118, "l"),
                    ("Expected", 165, "l"))


def save_debrief_page(debrief: Debrief, path: str | Path) -> Path:
    """Draw the debrief as a page into ``path``: PNG (1654×2339, A4 at 200 dpi) or PDF (A4)
    by its suffix, written whole or not at all. ValueError for another suffix, OSError when
    it cannot be written. Needs a QGuiApplication (:func:`offscreen_application`)."""
    return save_page(path, lambda painter: draw_debrief(painter, debrief), f"{debrief.marking} — {debrief.title()}",
                     "spaceops classroom debrief", "a debrief page")

def _time(text: str | None, with_date: bool = True) -> str:
    """``2026-08-12 10:00:03Z`` (or ``10:00:03.4`` without the date), the text itself when it
    does not parse, a dash for none."""
    if not text:
        return "—"
    try:
        moment = parse_utc(text)
    except ValueError:
        return single_line(text)
    return f"{moment:%Y-%m-%d %H:%M:%S}Z" if with_date else f"{moment:%H:%M:%S}.{moment.microsecond // 100000}"


def _row_time(text: str | None, with_date: bool) -> str:
    """A timeline row's time: ``10:00:03.4``, or ``08-12 10:00:03`` when the class ran over midnight."""
    stamp = _time(text)
    return stamp if len(stamp) != 20 else (f"{stamp[5:19]}" if with_date else _time(text, False))


def _seconds(value) -> str:
    return "" if value is None else f"{value:.1f}"


def draw_debrief(painter: QPainter, debrief: Debrief) -> None:
    """Draw the page in page units (PAGE_W × PAGE_H) with ``painter``."""
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    draw_banner(painter, debrief.marking, 0)
    draw_banner(painter, debrief.marking, PAGE_H - BANNER_H)
    y = BANNER_H + 60
    y = _title(painter, debrief, y)
    y = draw_section(painter, f"Trainees ({len(debrief.trainees)})", y + 30)
    y = _trainees(painter, debrief, y)
    y = draw_section(painter, f"Timeline ({len(debrief.timeline)} rows)", y + 40)
    _timeline(painter, debrief, y, PAGE_H - BANNER_H - 30)


def _title(painter: QPainter, debrief: Debrief, y: float) -> float:
    width = PAGE_W - 2 * MARGIN
    painter.setFont(page_font(50, bold=True))
    draw_text(painter, QRectF(MARGIN, y, width, 64), f"Class debrief: {debrief.class_name}")
    y += 80
    painter.setFont(page_font(28))
    lines = (f"Lesson: {single_line(debrief.lesson)}",
             f"Instructor: {single_line(debrief.instructor)}",
             f"Opened {_time(debrief.opened_utc)}   ·   "
             + (f"closed {_time(debrief.closed_utc)}" if debrief.closed_utc else "not closed"),
             f"Built {_time(debrief.built_utc)} by {single_line(debrief.built_by)}; "
             "times on this page are UTC wall-clock times")
    for index, line in enumerate(lines):
        draw_text(painter, QRectF(MARGIN, y, width, 40), line, color=INK if index < 3 else FAINT)
        y += 42
    return y


def _trainees(painter: QPainter, debrief: Debrief, y: float) -> float:
    y = draw_header_row(painter, TRAINEE_COLUMNS, y)
    if not debrief.trainees:
        return draw_note(painter, "No trainee reported to this class.", y)
    shown = debrief.trainees[:MAX_TRAINEE_ROWS]
    for index, t in enumerate(shown):
        cells = (t.trainee, _time(t.joined_utc, False), _time(t.left_utc, False) if t.left_utc else "",
                 str(t.answered), str(t.right), str(t.wrong), str(t.polls), _seconds(t.mean_answer_s),
                 _seconds(t.longest_answer_s), ", ".join(f"{s:.1f}" for s in t.acknowledge_s),
                 "" if t.last_step is None else str(t.last_step))
        colors = {4: RIGHT, 5: WRONG if t.wrong else INK}
        y = draw_row(painter, TRAINEE_COLUMNS, cells, y, STRIPE if index % 2 else None, colors)
    if len(debrief.trainees) > len(shown):
        y = draw_note(painter, f"… {len(debrief.trainees) - len(shown)} more trainees in the CSV/JSON export", y)
    return y


def _verdict(row: dict) -> tuple[str, QColor]:
    if row["what"] != "answer":
        return "", INK
    if row["correct"] is True:
        return "right", RIGHT
    if row["correct"] is False:
        return "wrong", WRONG
    return "poll", POLL


def _timeline(painter: QPainter, debrief: Debrief, y: float, bottom: float) -> None:
    y = draw_header_row(painter, TIMELINE_COLUMNS, y)
    rows = debrief.timeline
    if not rows:
        draw_note(painter, "Nothing was sent to this class.", y)
        return
    dates = {_time(row["at_utc"])[:10] for row in rows}
    with_date = len(dates) > 1  # a class over midnight: each row says its date
    fits = int((bottom - y) // ROW_H)
    shown = rows if len(rows) <= fits else rows[:max(0, fits - 1)]  # the last line says how many more
    for row in shown:
        instructor = row["what"] in INSTRUCTOR_ROWS
        fill = STEP_FILL if row["what"] in ("step", "opened", "closed") else (
            MODE_FILL if row["what"] in ("frozen", "released", "brought back", "message", "scenario message")
            else None)
        verdict, verdict_color = _verdict(row)
        text = row["text"] or ""
        if row["what"] == "answer" and row.get("elapsed_s") is not None:
            text = f"after {row['elapsed_s']:.1f} s" + (f"; {text}" if text else "")
        spans = row["what"] != "answer"  # no answer, verdict or expected: the text runs on over them
        cells = (_row_time(row["at_utc"], with_date), row["who"],
                 row["what"], "" if row["step"] is None else str(row["step"]), "" if spans else text,
                 "" if row["answer"] is None else str(row["answer"]), verdict,
                 "" if row["expected"] is None else str(row["expected"]))
        bold = row["what"] in ("step", "opened", "closed")
        y_next = draw_row(painter, TIMELINE_COLUMNS, cells, y, fill, {6: verdict_color, 2: INK if instructor else FAINT},
                      (2, 3) if bold else ())
        if spans:
            check = f"(check: {row['check']})" if row["what"] == "step" and row.get("check") else ""
            left, right = column_spans(TIMELINE_COLUMNS)[4][0], PAGE_W - MARGIN
            painter.setFont(page_font(23, bold=bold))
            metrics = QFontMetricsF(painter.font())
            room = right - left - 12 - (QFontMetricsF(page_font(23)).horizontalAdvance(check) + 16 if check else 0)
            shown_text = metrics.elidedText(single_line(text), Qt.TextElideMode.ElideRight, max(room, 0))
            draw_text(painter, QRectF(left + 6, y, right - left - 12, ROW_H), shown_text)
            if check:
                painter.setFont(page_font(23))
                after = metrics.horizontalAdvance(shown_text) + 16
                draw_text(painter, QRectF(left + 6 + after, y, right - left - 12 - after, ROW_H), check, color=FAINT)
        y = y_next
    if len(shown) < len(rows):
        draw_note(painter, f"… {len(rows) - len(shown)} more rows in the CSV/JSON export", y)

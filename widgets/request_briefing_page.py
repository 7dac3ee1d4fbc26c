"""A tasking request as one marked page: the request's marking (classification and REL TO)
at the top and the bottom, what is asked (target, requester, sensors, collection, precedence,
window, status, who submitted and approved it, the justification), the passes that can
serve it now (``app.tasking.request.feasibility``: sensor, AOS, TCA, LOS, elevation,
lighting) or the reasons there are none, the passes scheduled, and the latest comments.
PNG or PDF by the file's suffix (``page_drawing``)."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from PySide6.QtCore import QRectF
from PySide6.QtGui import QPainter

from app.astro.timeutil import format_utc
from widgets.page_drawing import (BANNER_H, FAINT, MARGIN, PAGE_H, PAGE_W, STRIPE, draw_banner, draw_header_row,
                                  draw_note, draw_row, draw_section, draw_text, page_font, save_page)

PASS_COLUMNS = (("Sensor", 330, "l"), ("AOS (UTC)", 230, "l"), ("TCA", 120, "l"), ("LOS", 120, "l"),
                ("Max el (°)", 150, "r"), ("Range (km)", 160, "r"), ("Sunlit", 100, "l"), ("Site dark", 120, "l"))
MAX_PASS_ROWS = 18
MAX_COMMENTS = 5


def save_request_page(request, target_name: str, feasible, path: str | Path) -> Path:
    """``feasible``: a ``Feasibility`` (passes, reasons, notes) or None when not worked out."""
    return save_page(path, lambda painter: draw_request(painter, request, target_name, feasible),
                     f"{request.marking} — tasking request {request.id}", "spaceops tasking briefing",
                     "a briefing page")


def _utc(moment: datetime) -> str:
    return format_utc(moment)[:16].replace("T", " ")


def draw_request(painter: QPainter, request, target_name: str, feasible) -> None:
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    draw_banner(painter, request.marking, 0)
    draw_banner(painter, request.marking, PAGE_H - BANNER_H)
    width = PAGE_W - 2 * MARGIN
    y = BANNER_H + 40
    painter.setFont(page_font(44, bold=True))
    draw_text(painter, QRectF(MARGIN, y, width, 60), f"Tasking request {request.id}: {request.title}")
    y += 74
    sensors = request.sensor_request
    asked = "any sensor" if sensors.kind == "any" else f"{sensors.kind} {sensors.value}".strip()
    fields = (("Target", f"{target_name} ({request.target_norad_id})"),
              ("Requested by", f"{request.requesting_unit} ({request.requesting_nation})"),
              ("Sensors", asked), ("Collection", request.collection_type), ("Precedence", request.precedence),
              ("Window", f"{_utc(request.window_start)} to {_utc(request.window_end)} UTC"),
              ("Status", f"{request.status} (version {request.version}, {request.data_mode})"),
              ("Submitted by", request.submitted_by or "—"), ("Approved by", request.approved_by or "—"),
              ("Justification", request.justification or "—"))
    for name, value in fields:
        painter.setFont(page_font(26, bold=True))
        draw_text(painter, QRectF(MARGIN, y, 300, 38), name, color=FAINT)
        painter.setFont(page_font(26))
        draw_text(painter, QRectF(MARGIN + 310, y, width - 310, 38), value)
        y += 40
    y += 20
    if feasible is None:
        y = draw_note(painter, "Feasibility not worked out (no catalog or sensors)", y)
    else:
        y = draw_section(painter, f"Passes that can serve it ({len(feasible.passes)})", y)
        if feasible.reasons:
            for reason in feasible.reasons:
                y = draw_note(painter, f"Infeasible: {reason}", y)
        else:
            y = _passes(painter, feasible.passes, y)
        for note in feasible.notes:
            y = draw_note(painter, note, y)
    if request.scheduled_passes:
        y = draw_section(painter, f"Scheduled ({len(request.scheduled_passes)})", y + 20)
        y = _passes(painter, request.scheduled_passes, y)
    if request.comments:
        y = draw_section(painter, f"Comments (the latest {min(len(request.comments), MAX_COMMENTS)})", y + 20)
        painter.setFont(page_font(24))
        for comment in request.comments[-MAX_COMMENTS:]:
            draw_text(painter, QRectF(MARGIN, y, width, 34),
                      f"{comment.at_utc[:16].replace('T', ' ')}  {comment.author} ({comment.nation}): {comment.text}")
            y += 36
    painter.setFont(page_font(20))
    draw_text(painter, QRectF(MARGIN, PAGE_H - BANNER_H - 44, width, 30),
              f"Built {datetime.now(timezone.utc):%Y-%m-%d %H:%M}Z by spaceops; times UTC", color=FAINT)


def _passes(painter: QPainter, passes, y: float) -> float:
    y = draw_header_row(painter, PASS_COLUMNS, y)
    for index, p in enumerate(passes[:MAX_PASS_ROWS]):
        cells = [p.sensor, _utc(p.aos), f"{p.tca:%H:%M}", f"{p.los:%H:%M}", f"{p.max_elevation_deg:.1f}",
                 f"{p.range_at_tca_km:,.0f}", "yes" if p.sunlit else "no", "yes" if p.site_dark else "no"]
        y = draw_row(painter, PASS_COLUMNS, cells, y, STRIPE if index % 2 else None)
    if len(passes) > MAX_PASS_ROWS:
        y = draw_note(painter, f"… and {len(passes) - MAX_PASS_ROWS} more (Tasking ▸ Feasible passes lists them all)", y)
    return y + 6


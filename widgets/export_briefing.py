"""File ▸ Export briefing…: one marked page (PDF or PNG) about the selected watch pair, or
the two selected objects: the globe as it stands, range and RIC over the day around the
clock's time, the approaches ahead (``app.rpo.briefing``, ``widgets.briefing_page``). The
numbers are computed on a worker; the page is drawn when they come."""

from __future__ import annotations

from datetime import datetime

import numpy as np
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QFileDialog

from widgets.runner import Job, JobRunner, failure_text


def briefing_pair(window) -> tuple[int, int] | None:
    selection = window.session.state.selection
    if selection.watch_pair is not None:
        return tuple(selection.watch_pair)
    return tuple(selection.objects[:2]) if len(selection.objects) >= 2 else None


def briefing_request(window):
    """The selected tasking request, when no pair is chosen."""
    chosen = window.session.state.selection.tasking_request
    return next((r for r in window.tasking.requests if r.id == chosen), None) if chosen else None


def export_briefing_dialog(window) -> None:
    ids = briefing_pair(window)
    request = briefing_request(window) if ids is None else None
    if ids is None and request is None:
        window.show_status("Export briefing: select a watch pair in the Watchlist, two objects, or a tasking "
                           "request first", 15000)
        return
    if not window.session.interactive:  # no file dialog without a person (tests, screenshots)
        return
    if request is not None:
        path, _ = QFileDialog.getSaveFileName(window, "Export briefing", f"{request.id}.pdf",
                                              "PDF (*.pdf);;PNG image (*.png)")
        if path:
            export_request_briefing(window, request, path)
        return
    path, _ = QFileDialog.getSaveFileName(window, "Export briefing", f"briefing_{ids[0]}_{ids[1]}.pdf",
                                          "PDF (*.pdf);;PNG image (*.png)")
    if path:
        export_briefing(window, ids, path)


def approach_briefing_dialog(window, primary: int, secondary: int, tca: datetime) -> None:
    """The Screening panel's "Brief selected approach…": the pair's page at the approach's TCA
    (the picture is the globe as it stands now)."""
    if not window.session.interactive:  # no file dialog without a person (tests, screenshots)
        return
    path, _ = QFileDialog.getSaveFileName(window, "Brief the approach", f"approach_{primary}_{secondary}_"
                                          f"{tca:%Y%m%dT%H%M%S}.pdf", "PDF (*.pdf);;PNG image (*.png)")
    if path:
        export_briefing(window, (primary, secondary), path, at=tca)


def globe_picture(window) -> QImage | None:
    try:
        rgba = np.ascontiguousarray(window.globe.render_rgba())
    except Exception:  # no OpenGL here: the page draws a ground-track map instead
        return None
    height, width = rgba.shape[:2]
    return QImage(rgba.data, width, height, 4 * width, QImage.Format.Format_RGBA8888).copy()


def export_briefing(window, ids: tuple[int, int], path: str, at: datetime | None = None) -> Job | None:
    """The page for ``ids`` at ``at`` (default: the clock's time) into ``path``, on a worker."""
    from app.rpo.briefing import pair_briefing
    from widgets.briefing_page import save_briefing_page

    session = window.session
    catalog, at = session.catalog, at or session.now()
    missing = [n for n in ids if n not in catalog]
    if missing:
        window.show_status(f"Export briefing: not in the catalog: {', '.join(map(str, missing))}", 15000)
        return None
    pair = next((p for p in window.watchlist.pairs if (p.primary_id, p.secondary_id) == ids), None)
    picture = globe_picture(window)
    runner = getattr(window, "briefing_jobs", None) or JobRunner(window)
    window.briefing_jobs = runner

    def write(briefing) -> None:
        try:
            save_briefing_page(briefing, path, picture)
        except (OSError, ValueError) as error:
            window.show_status(f"Export briefing: {error}", 30000)
            return
        window.show_status(f"Briefing on {briefing.primary_name} and {briefing.secondary_name} written to {path}, "
                           f"marked {briefing.marking}", 30000)

    return runner.start("Briefing", lambda _progress: pair_briefing(catalog, ids[0], ids[1], at, pair=pair), write,
                        on_error=lambda error: window.show_status(failure_text("Briefing", error), 30000))


def export_request_briefing(window, request, path: str) -> Job:
    """The tasking request's page: its feasible passes over the session's sensors worked out
    on a worker, then drawn."""
    from app.tasking.request import feasibility
    from widgets.request_briefing_page import save_request_page

    catalog, sensors = window.session.catalog, list(window.session.sensors)
    target = request.target_norad_id
    name = str(catalog.name[catalog.row_of(target)]) if target in catalog else "not in the catalog"
    runner = getattr(window, "briefing_jobs", None) or JobRunner(window)
    window.briefing_jobs = runner

    def write(feasible) -> None:
        try:
            save_request_page(request, name, feasible, path)
        except (OSError, ValueError) as error:
            window.show_status(f"Export briefing: {error}", 30000)
            return
        window.show_status(f"Briefing on {request.id} written to {path}, marked {request.marking}", 30000)

    return runner.start("Briefing", lambda progress: feasibility(request, catalog, sensors, progress=progress), write,
                        on_error=lambda error: window.show_status(failure_text("Briefing", error), 30000))

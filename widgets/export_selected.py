"""File ▸ Export selected objects…: the selected objects' element sets (OMM, TLE) or sampled
states (CZML, OEM) to a file, as ``spaceops export`` writes them: marked, through the
releasability rule for the operator at the console, written beside the target and renamed
into place. The work runs on a worker thread; the status line says what was written, its
marking and what was left out (and why, in the log)."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtWidgets import QFileDialog

from app.common.output_file import OutputError, check_output, replaced_when_done
from widgets.runner import JobRunner

log = logging.getLogger(__name__)

# file filter → (kind, format); the sampled kinds cover SPAN_HOURS from the clock's time
FORMATS = {
    "CCSDS OMM, XML (*.xml)": ("omm", "xml"),
    "CCSDS OMM, KVN (*.kvn)": ("omm", "kvn"),
    "OMM as CelesTrak GP JSON (*.json)": ("omm", "json"),
    "OMM as CelesTrak GP CSV (*.csv)": ("omm", "csv"),
    "Two-line element sets (*.tle)": ("tle", None),
    "CZML for Cesium, 24 h from the clock (*.czml)": ("czml", None),
    "CCSDS OEM, GCRF, 24 h from the clock (*.oem)": ("oem", "kvn"),
}
SPAN_HOURS = 24.0
STEP_S = 60.0


def selected_rows(window) -> list[int]:
    catalog = window.session.catalog
    return [catalog.row_of(n) for n in window.session.state.selection.objects if n in catalog]


def export_selected_dialog(window) -> None:
    rows = selected_rows(window)
    if not rows:
        window.show_status("Export: select one or more objects first (on the globe, the map or the catalog)", 15000)
        return
    path, chosen = QFileDialog.getSaveFileName(window, f"Export {len(rows)} selected object(s)",
                                               "spaceops-export.xml", ";;".join(FORMATS))
    if path:
        export_selected(window, rows, path, chosen)


def export_selected(window, rows: list[int], path: str, file_filter: str):
    """Write the export on a worker; the Job (its ``ended`` signal) for whoever waits."""
    kind, fmt = FORMATS[file_filter]
    try:
        target = check_output(path, [])
    except OutputError as error:
        window.show_status(f"Export: {error}", 30000)
        return None
    session = window.session
    catalog, operator, start = session.catalog, window.operator, session.now()
    runner = getattr(window, "exports", None)
    if runner is None:
        runner = window.exports = JobRunner(window, serial=True)

    def work(_progress):
        from app.exchange.release import releasable  # (the writers load when an export first runs)
        from app.exchange.writers import write_export

        result = write_export(kind, catalog, releasable(catalog, rows, operator), fmt, start, SPAN_HOURS, STEP_S)
        with replaced_when_done(target) as temporary:
            temporary.write_text(result.text, encoding="utf-8")
        return result

    return runner.start(f"Exporting to {target.name}", work, exclusive=False,
                        on_result=lambda result: _report(window, target, result),
                        on_error=lambda error: window.show_status(f"Export to {target.name} failed: {error}", 30000))


def _report(window, target: Path, result) -> None:
    text = f"Exported {result.exported} object(s) to {target.name}, marked {result.marking}"
    if result.left_out:
        text += f"; {len(result.left_out)} left out: " + "; ".join(str(x) for x in result.left_out[:3])
        for left in result.left_out:
            log.info("export to %s: left out %s", target, left)
    window.show_status(text, 30000)

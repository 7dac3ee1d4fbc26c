"""The tasking panel's "Feasible passes" tab: the passes of a request's target over the
eligible sensors in its window (on a worker, with progress and cancel), why a request is
infeasible, and the passes the operator picks to schedule."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QStandardItem
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from app.catalog import Catalog
from app.sensors.passes import Pass
from app.sensors.sites import Sensor
from app.tasking.request import Feasibility, TaskingRequest, feasibility
from widgets.panels.filtered_table import filtered_table
from widgets.runner import Job, JobRunner, failure_text

PASS_COLUMNS = ("Sensor", "AOS (UTC)", "TCA", "LOS", "Max el (deg)", "Range (km)", "Sunlit", "Site dark")


class FeasiblePassesTab(QWidget):
    found = Signal(str, object)  # (request id, Feasibility)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.passes: list[Pass] = []
        self.request_id: str | None = None
        self.passes_model, _proxy, self.passes_table = filtered_table(self, PASS_COLUMNS)
        self.passes_table.setSortingEnabled(False)
        self.find_button, self.cancel_button = QPushButton("Find feasible passes"), QPushButton("Cancel")
        self.progress = QProgressBar(visible=False)
        self.jobs = JobRunner(self, progress_bar=self.progress, cancel_button=self.cancel_button)
        self.reasons = QLabel(wordWrap=True)
        self.reasons.setMinimumWidth(100)
        column = QVBoxLayout(self)
        row = QHBoxLayout()
        for widget in (self.find_button, self.cancel_button, self.progress):
            row.addWidget(widget)
        row.addStretch(1)
        column.addLayout(row)
        column.addWidget(self.reasons)
        column.addWidget(self.passes_table, 1)
        column.addWidget(QLabel("Select passes, then Schedule (an APPROVED request).", wordWrap=True))
        self.find_button.setEnabled(False)

    def find(self, request: TaskingRequest, catalog: Catalog, sensors: list[Sensor]) -> Job:
        self.request_id = request.id
        self.find_button.setEnabled(False)
        self.reasons.setText("Computing…")
        sensors = list(sensors)
        job = self.jobs.start("Feasibility", lambda progress: feasibility(request, catalog, sensors, progress),
                              lambda result: self._show(request.id, result),
                              on_error=lambda error: self.reasons.setText(
                                  f"<span style='color:#ff3838'>{failure_text('Feasibility', error)}</span>"))
        job.ended.connect(lambda: self._after(job))
        return job

    def show_request(self, request: TaskingRequest | None, changed: bool) -> None:
        """Another request chosen (``changed``): what was found for the last one goes."""
        if changed:
            self.jobs.cancel()
            self.passes = []
            self.passes_model.setRowCount(0)
            self.reasons.clear()
        self.request_id = None if request is None else request.id
        self.find_button.setEnabled(request is not None and not self.jobs.busy)

    def selected_passes(self) -> list[Pass]:
        rows = sorted({index.row() for index in self.passes_table.selectionModel().selectedRows()})
        return [self.passes[row] for row in rows if row < len(self.passes)]

    def _after(self, job: Job) -> None:
        if not self.jobs.busy:
            self.find_button.setEnabled(self.request_id is not None)
            if job.cancelled:
                self.reasons.setText("Cancelled.")

    def _show(self, request_id: str, result: Feasibility) -> None:
        if request_id != self.request_id:
            return
        self.passes = list(result.passes)
        self.passes_model.setRowCount(0)
        for p in self.passes:
            cells = (p.sensor, f"{p.aos:%m-%d %H:%M:%S}", f"{p.tca:%H:%M:%S}", f"{p.los:%H:%M:%S}",
                     f"{p.max_elevation_deg:.1f}", f"{p.range_at_tca_km:,.0f}", "yes" if p.sunlit else "no",
                     "yes" if p.site_dark else "no")
            self.passes_model.appendRow([QStandardItem(c) for c in cells])
        self.passes_table.resizeColumnsToContents()
        self.reasons.setText(f"{len(self.passes)} feasible passes." + "".join(f" {n}." for n in result.notes)
                             if result.feasible else
                             "<span style='color:#ff3838'>INFEASIBLE</span>: " + "; ".join(result.reasons))
        self.found.emit(request_id, result)

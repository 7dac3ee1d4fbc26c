"""Passes of the selected object over the coalition's sensors: computed on a worker thread
with progress and cancel, shown in a sortable, filterable table; double-click jumps the
clock to the pass; export to CSV or JSON."""

from __future__ import annotations

import csv
import json
from datetime import datetime, timezone
from pathlib import Path

from PySide6.QtCore import QDateTime, Qt, QTimeZone, Signal
from PySide6.QtGui import QStandardItem
from PySide6.QtWidgets import (QComboBox, QDateTimeEdit, QDoubleSpinBox, QFileDialog, QHBoxLayout, QLabel, QLineEdit,
                               QProgressBar, QPushButton, QVBoxLayout, QWidget)

from app.astro.timeutil import format_utc
from app.catalog import Catalog
from app.sensors.passes import Pass, passes_of
from app.sensors.sites import Sensor
from app.common.progress import Progress
from app.common.spreadsheet import safe_row
from widgets.panels.filtered_table import filtered_table
from widgets.runner import Job, JobRunner, failure_text

COLUMNS = ("Sensor", "Nation", "Type", "AOS (UTC)", "TCA (UTC)", "LOS (UTC)", "Duration (s)", "Max el (deg)",
           "Range at TCA (km)", "Sunlit", "Site dark")
SENSOR_GROUPS = {
    "All operational sensors": lambda s: True,
    "Radars": lambda s: s.sensor_type == "radar",
    "Optical": lambda s: s.sensor_type == "optical",
    "Laser ranging": lambda s: s.sensor_type == "laser",
    "RF": lambda s: s.sensor_type == "RF",
    "National": lambda s: s.provider == "national",
    "Commercial": lambda s: s.provider == "commercial",
}


class PassesPanel(QWidget):
    jump_requested = Signal(object)  # datetime

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.catalog: Catalog | None = None
        self.row: int | None = None
        self.sensors: list[Sensor] = []
        self.passes: list[Pass] = []

        self.object_label = QLabel("Select an object")
        self.start_edit = QDateTimeEdit()
        self.start_edit.setTimeZone(QTimeZone.utc())
        self.start_edit.setDisplayFormat("yyyy-MM-dd HH:mm 'UTC'")
        self.hours = QDoubleSpinBox(minimum=0.5, maximum=168.0, value=24.0, suffix=" h", decimals=1)
        self.group = QComboBox()
        self.group.addItems(list(SENSOR_GROUPS))
        self.nation = QLineEdit(placeholderText="Nation (e.g. GBR)")
        self.nation.setMaximumWidth(110)
        self.compute_button = QPushButton("Compute")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.jobs = JobRunner(self, progress_bar=self.progress, cancel_button=self.cancel_button)
        self.filter = QLineEdit(placeholderText="Filter passes…")
        self.filter.setClearButtonEnabled(True)
        self.export_csv_button = QPushButton("Export CSV…")
        self.export_json_button = QPushButton("Export JSON…")
        self.summary = QLabel()

        self.model, self.proxy, self.table = filtered_table(self, COLUMNS)
        self.table.setColumnWidth(0, 200)
        for column in (3, 4, 5):
            self.table.setColumnWidth(column, 150)

        top = QHBoxLayout()
        for widget in (self.object_label, QLabel("from"), self.start_edit, self.hours):
            top.addWidget(widget)
        top.addStretch(1)
        second = QHBoxLayout()
        for widget in (self.group, self.nation, self.compute_button, self.cancel_button):
            second.addWidget(widget)
        second.addStretch(1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.summary, 1)
        bottom.addWidget(self.export_csv_button)
        bottom.addWidget(self.export_json_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addLayout(second)
        layout.addWidget(self.progress)
        layout.addWidget(self.filter)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)

        self.compute_button.clicked.connect(self.compute)
        self.filter.textChanged.connect(self.proxy.setFilterFixedString)
        self.table.doubleClicked.connect(self._on_double_click)
        self.export_csv_button.clicked.connect(lambda: self._export_dialog("csv"))
        self.export_json_button.clicked.connect(lambda: self._export_dialog("json"))
        self._set_object_label()

    # --- inputs ----------------------------------------------------------------------------------

    def set_sensors(self, sensors: list[Sensor]) -> None:
        self.sensors = list(sensors)

    def set_object(self, catalog: Catalog, row: int | None) -> None:
        self.catalog, self.row = catalog, row
        self._set_object_label()

    def set_start(self, start: datetime) -> None:
        self.start_edit.setDateTime(QDateTime.fromSecsSinceEpoch(int(start.timestamp()), QTimeZone.utc()))

    def start(self) -> datetime:
        return datetime.fromtimestamp(self.start_edit.dateTime().toSecsSinceEpoch(), tz=timezone.utc)

    def chosen_sensors(self) -> list[Sensor]:
        keep = SENSOR_GROUPS[self.group.currentText()]
        nation = self.nation.text().strip().upper()
        return [s for s in self.sensors if s.operational and keep(s) and (not nation or s.operator_nation == nation)]

    def _set_object_label(self) -> None:
        if self.catalog is None or self.row is None:
            self.object_label.setText("Select an object")
            self.compute_button.setEnabled(False)
            return
        name = self.catalog.name[self.row] or "(no name)"
        self.object_label.setText(f"<b>{name}</b> ({self.catalog.norad_id[self.row]})")
        self.compute_button.setEnabled(not self.jobs.busy)

    # --- computing -------------------------------------------------------------------------------

    def compute(self) -> Job | None:
        """Passes over the chosen sensors on a worker thread (progress, cancel; the newer run wins)."""
        if self.catalog is None or self.row is None:
            return None
        satrec, norad_id = self.catalog.satrecs[self.row], int(self.catalog.norad_id[self.row])
        sensors, start, hours = self.chosen_sensors(), self.start(), self.hours.value()

        def work(progress: Progress) -> list[Pass]:
            found: list[Pass] = []
            for done, sensor in enumerate(sensors):
                progress.report(done, len(sensors), sensor.name)
                found += passes_of(satrec, norad_id, sensor, start, hours)
            progress.report(len(sensors), len(sensors))
            return sorted(found, key=lambda p: (p.aos, p.sensor))

        self.compute_button.setEnabled(False)
        self.summary.setText("Computing passes…")
        job = self.jobs.start("Passes", work, self.show_passes,
                              on_error=lambda error: self.summary.setText(failure_text("Passes", error)))
        job.ended.connect(lambda: self._after(job))
        return job

    def cancel(self) -> None:
        self.jobs.cancel()

    def _after(self, job: Job) -> None:
        self._set_object_label()
        if job.cancelled and not self.jobs.busy:
            self.summary.setText("Cancelled.")

    def show_passes(self, passes: list[Pass]) -> None:
        self.passes = passes
        nations = {s.name: s.operator_nation for s in self.sensors}
        types = {s.name: s.sensor_type for s in self.sensors}
        self.model.setRowCount(0)
        for p in passes:
            cells = [p.sensor, nations.get(p.sensor, ""), types.get(p.sensor, ""),
                     format_utc(p.aos)[:19].replace("T", " ") + ("  (in progress)" if p.starts_before_window else ""),
                     format_utc(p.tca)[:19].replace("T", " "),
                     format_utc(p.los)[:19].replace("T", " ") + ("  (continues)" if p.ends_after_window else "")]
            items = [QStandardItem(text) for text in cells]
            for value in (round(p.duration_s), round(p.max_elevation_deg, 1), round(p.range_at_tca_km)):
                item = QStandardItem()
                item.setData(value, Qt.ItemDataRole.DisplayRole)
                items.append(item)
            items += [QStandardItem("yes" if p.sunlit else "no"), QStandardItem("yes" if p.site_dark else "no")]
            items[0].setData(p.aos.timestamp(), Qt.ItemDataRole.UserRole)
            self.model.appendRow(items)
        self.table.sortByColumn(3, Qt.SortOrder.AscendingOrder)  # by AOS
        sensors_seeing = len({p.sensor for p in passes})
        self.summary.setText(f"{len(passes)} passes over {sensors_seeing} sensors"
                             + (f"; {sum(p.optically_visible for p in passes)} optically visible" if passes else ""))

    # --- use -------------------------------------------------------------------------------------

    def _on_double_click(self, index) -> None:
        aos = self.proxy.index(index.row(), 0).data(Qt.ItemDataRole.UserRole)
        if aos is not None:
            self.jump_requested.emit(datetime.fromtimestamp(float(aos), tz=timezone.utc))

    def export(self, path: str | Path, fmt: str) -> None:
        rows = [p.as_dict() for p in self.passes]
        if fmt == "json":
            Path(path).write_text(json.dumps(rows, indent=1), encoding="utf-8")
            return
        with open(path, "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, list(rows[0]) if rows else ["sensor"])
            writer.writeheader()
            writer.writerows(safe_row(row) for row in rows)

    def _export_dialog(self, fmt: str) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export passes", f"passes.{fmt}", f"{fmt.upper()} (*.{fmt})")
        if path:
            self.export(path, fmt)

    def bind(self, session) -> None:
        """Passes of the session's selected object over its sensors; double-click jumps its clock."""
        def selection_changed(*_args) -> None:
            self.set_object(session.catalog, session.selected_row)
            self.set_start(session.now())

        session.catalog_changed.connect(selection_changed)
        session.state.connect("selection.objects", selection_changed)
        session.sensors_changed.connect(self.set_sensors)
        self.jump_requested.connect(session.clock.jump_to)

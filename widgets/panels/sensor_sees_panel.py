"""What does this sensor see: every pass of the catalog (or of a group) over the selected
sensor, computed on a worker with progress and cancel (``app.sensors.catalog_passes``).

The table is a view on the pass table's columns (a radar's day runs to 100,000 passes: no
item per cell), sorted and filtered with numpy. The objects with a pass in progress at the
clock's time are ringed on the globe as the clock runs. Double-click: select the object and
jump the clock to its rise."""

from __future__ import annotations

from datetime import datetime, timezone

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QDateTime, QModelIndex, Qt, QTimeZone, Signal
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QComboBox, QDateTimeEdit, QDoubleSpinBox, QHBoxLayout,
                               QLabel, QLineEdit, QProgressBar, QPushButton, QTableView, QVBoxLayout, QWidget)

from app.catalog import Catalog
from app.catalog.filter import BUILTIN_GROUPS, text_mask
from app.common.progress import Progress
from app.sensors.sites import Sensor
from widgets.elided_label import ElidedLabel
from widgets.first_show import on_first_show
from widgets.runner import Job, JobRunner, failure_text

COLUMNS = ("Object", "NORAD", "AOS (UTC)", "TCA (UTC)", "LOS (UTC)", "Duration (s)", "Max el (deg)",
           "Range at TCA (km)", "Sunlit", "Site dark")
GUI_CHUNK_OBJECTS = 200  # SGP4 holds the GIL per call: small chunks keep the frames coming


IN_PROGRESS = "  (in progress)"  # a pass under way when the window opens
CONTINUES = "  (continues)"  # one still under way when it closes


class PassTableModel(QAbstractTableModel):
    """Rows of a ``PassTable`` in ``order`` (sorted, filtered), formatted when asked for."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.table = None
        self.names = np.zeros(0, dtype=object)
        self.order = np.zeros(0, dtype=np.int64)

    def set_table(self, table, names: np.ndarray) -> None:
        self.beginResetModel()
        self.table, self.names = table, names
        self.order = np.arange(0 if table is None else len(table))
        self.endResetModel()

    def show_only(self, rows: np.ndarray) -> None:
        self.beginResetModel()
        self.order = rows
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.order)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role in (Qt.ItemDataRole.DisplayRole,
                                                                  Qt.ItemDataRole.ToolTipRole):
            return COLUMNS[section]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if role != Qt.ItemDataRole.DisplayRole or not index.isValid():
            return None
        t, i = self.table, int(self.order[index.row()])
        column = index.column()
        if column == 0:
            return self.names[i]
        if column == 1:
            return int(t.norad_id[i])
        if column in (2, 3, 4):
            offset = (t.aos_s, t.tca_s, t.los_s)[column - 2][i]
            text = _utc_text(t.start, offset)
            if column == 2 and t.starts_before_window[i]:
                text += IN_PROGRESS
            if column == 4 and t.ends_after_window[i]:
                text += CONTINUES
            return text
        if column == 5:
            return int(round(t.los_s[i] - t.aos_s[i]))
        if column == 6:
            return round(float(t.max_elevation_deg[i]), 1)
        if column == 7:
            return int(round(t.range_at_tca_km[i]))
        return "yes" if (t.sunlit if column == 8 else t.site_dark)[i] else "no"

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        if self.table is None:
            return
        t = self.table
        keys = (self.names.astype(str), t.norad_id, t.aos_s, t.tca_s, t.los_s, t.los_s - t.aos_s,
                t.max_elevation_deg, t.range_at_tca_km, t.sunlit, t.site_dark)[column]
        ranked = self.order[np.argsort(keys[self.order], kind="stable")]
        self.layoutAboutToBeChanged.emit()
        self.order = ranked if order == Qt.SortOrder.AscendingOrder else ranked[::-1]
        self.layoutChanged.emit()

    def pass_row(self, view_row: int) -> int:
        return int(self.order[view_row])


def _utc_text(start: datetime, offset_s: float) -> str:
    moment = np.datetime64(start.astimezone(timezone.utc).replace(tzinfo=None), "us") + np.timedelta64(
        int(round(offset_s * 1e6)), "us")
    return str(moment)[:19].replace("T", " ")


class SensorSeesPanel(QWidget):
    jump_requested = Signal(object)  # datetime: the clock goes there
    object_chosen = Signal(int)  # catalog number: it is selected
    table_changed = Signal(object)  # PassTable or None: the globe rings what is in view

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.catalog: Catalog | None = None
        self.sensor: Sensor | None = None
        self.table = None

        # one line, elided: wrapped, a long name left a 1366x768 screen one row of passes
        self.sensor_label = ElidedLabel("Select a sensor (Sensors panel, or click its site)")
        self.start_edit = QDateTimeEdit()
        self.start_edit.setTimeZone(QTimeZone.utc())
        self.start_edit.setDisplayFormat("yyyy-MM-dd HH:mm 'UTC'")
        self.hours = QDoubleSpinBox(minimum=0.5, maximum=168.0, value=24.0, suffix=" h", decimals=1)
        self.group = QComboBox()
        self.group.addItems(list(BUILTIN_GROUPS))
        self.compute_button = QPushButton("Compute")
        self.cancel_button = QPushButton("Cancel")
        self.ring = QCheckBox("Ring what it sees now", checked=True)
        self.ring.setToolTip("Ring on the globe the objects with a pass in progress at the clock's time")
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.jobs = JobRunner(self, progress_bar=self.progress, cancel_button=self.cancel_button)
        self.filter = QLineEdit(placeholderText="Filter by object name or number…")
        self.filter.setClearButtonEnabled(True)
        self.summary = QLabel(wordWrap=True)
        self.model = PassTableModel(self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSortingEnabled(True)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.verticalHeader().setVisible(False)
        self.view.verticalHeader().setDefaultSectionSize(20)
        self.view.setColumnWidth(0, 190)
        self._size_time_columns()
        on_first_show(self.view, self._size_time_columns)  # again in the theme's font; then the user's

        top = QHBoxLayout()
        top.addWidget(self.sensor_label, 1)
        for widget in (QLabel("from"), self.start_edit, self.hours):
            top.addWidget(widget)
        second = QHBoxLayout()
        for widget in (self.group, self.compute_button, self.cancel_button, self.ring):
            second.addWidget(widget)
        second.addWidget(self.filter, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.setSpacing(3)  # every pixel of height is a row of passes at 1366x768
        layout.addLayout(top)
        layout.addLayout(second)
        layout.addWidget(self.progress)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.summary)

        self.compute_button.clicked.connect(self.compute)
        self.filter.textChanged.connect(self._apply_filter)
        self.view.doubleClicked.connect(self._on_double_click)
        self.ring.toggled.connect(lambda _on: self.table_changed.emit(self.table if self._ringing() else None))
        self._show_sensor()

    def _size_time_columns(self) -> None:
        """Whole times and their notes (150 px cut "(in progress)" off the first rows), in the
        table's font."""
        metrics = self.view.fontMetrics()
        for column, widest in ((2, f"0000-00-00 00:00:00{IN_PROGRESS}"), (3, "0000-00-00 00:00:00"),
                               (4, f"0000-00-00 00:00:00{CONTINUES}")):
            self.view.setColumnWidth(column, metrics.horizontalAdvance(widest) + 24)

    # --- inputs ----------------------------------------------------------------------------------

    def set_catalog(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.show_table(None)  # passes of another catalog's rows mean nothing now

    def set_sensor(self, sensor: Sensor | None) -> None:
        if sensor != self.sensor:
            self.sensor = sensor
            self.show_table(None)
        self._show_sensor()

    def set_start(self, start: datetime) -> None:
        self.start_edit.setDateTime(QDateTime.fromSecsSinceEpoch(int(start.timestamp()), QTimeZone.utc()))

    def start(self) -> datetime:
        return datetime.fromtimestamp(self.start_edit.dateTime().toSecsSinceEpoch(), tz=timezone.utc)

    def _show_sensor(self) -> None:
        sensor = self.sensor
        if sensor is None:
            self.sensor_label.set_full_text("Select a sensor (Sensors panel, or click its site)")
        else:
            state = "" if sensor.operational else f" — {sensor.status}: sees nothing"
            self.sensor_label.set_full_text(f"{sensor.name} — {sensor.operator_nation} {sensor.sensor_type}, "
                                            f"mask {sensor.min_elevation_deg:g}°, {sensor.max_range_km:,.0f} km{state}")
        self.compute_button.setEnabled(sensor is not None and sensor.operational and self.catalog is not None
                                       and not self.jobs.busy)

    # --- computing -------------------------------------------------------------------------------

    def compute(self) -> Job | None:
        """The catalog's (or the group's) passes over the sensor, on a worker; the newer run wins."""
        if self.catalog is None or self.sensor is None:
            return None
        from app.sensors.catalog_passes import catalog_passes

        catalog, sensor, start, hours = self.catalog, self.sensor, self.start(), self.hours.value()
        rows = np.flatnonzero(BUILTIN_GROUPS[self.group.currentText()].mask(catalog))

        def work(progress: Progress):
            return catalog_passes(catalog, [sensor], start, hours, rows=rows, progress=progress,
                                  chunk_objects=GUI_CHUNK_OBJECTS)

        self.compute_button.setEnabled(False)
        self.summary.setText(f"Computing the passes of {len(rows):,} objects over {sensor.name}…")
        job = self.jobs.start("Sensor passes", work, self.show_table,
                              on_error=lambda error: self.summary.setText(failure_text("Sensor passes", error)))
        job.ended.connect(lambda: self._after(job))
        return job

    def cancel(self) -> None:
        self.jobs.cancel()

    def _after(self, job: Job) -> None:
        self._show_sensor()
        if job.cancelled and not self.jobs.busy:
            self.summary.setText("Cancelled.")

    def show_table(self, table) -> None:
        self.table = table
        names = np.zeros(0, dtype=object)
        if table is not None and self.catalog is not None:
            rows = self.catalog.rows_of(table.norad_id.tolist()) if len(table) else np.zeros(0, dtype=np.int64)
            names = np.array([n or "(no name)" for n in self.catalog.name[rows].tolist()], dtype=object)
        self.model.set_table(table, names)
        self._apply_filter(self.filter.text())
        if table is None:
            self.summary.setText("")
        else:
            self.summary.setText(f"{len(table):,} passes of {len(table.objects_seen()):,} objects; "
                                 f"{int(np.sum(table.sunlit & table.site_dark)):,} with the object sunlit and the "
                                 f"site dark")
        self.table_changed.emit(table if self._ringing() else None)

    def ringed_sensor(self) -> str | None:
        """The sensor whose view the globe rings, if any (for the legend)."""
        return self.sensor.name if self._ringing() and self.sensor is not None else None

    def _ringing(self) -> bool:
        return self.table is not None and self.ring.isChecked()

    def _apply_filter(self, text: str) -> None:
        table = self.table
        if table is None or self.catalog is None or not text.strip():
            self.model.show_only(np.arange(0 if table is None else len(table)))
            return
        wanted = self.catalog.norad_id[text_mask(self.catalog, text)]
        self.model.show_only(np.flatnonzero(np.isin(table.norad_id, wanted)))

    # --- use -------------------------------------------------------------------------------------

    def _on_double_click(self, index) -> None:
        i = self.model.pass_row(index.row())
        self.object_chosen.emit(int(self.table.norad_id[i]))
        self.jump_requested.emit(self.table.pass_at(i).aos)

    def bind(self, session) -> None:
        """The selected sensor's passes; what is in view rings on the globe; double-click selects."""
        session.catalog_changed.connect(self.set_catalog)
        if session.catalog is not None:
            self.catalog = session.catalog

        def sensor_changed(*_args) -> None:
            self.set_sensor(session.sensor_named(session.state.selection.sensor))
            self.set_start(session.now())

        session.state.connect("selection.sensor", sensor_changed)
        session.sensors_changed.connect(sensor_changed)
        self.table_changed.connect(session.sensor_sees_changed.emit)
        self.object_chosen.connect(session.select_norad)
        self.jump_requested.connect(session.clock.jump_to)
        sensor_changed()

"""Conjunction screening in the window: the selection (or the whole catalog) against the
catalog, on a worker thread with progress and cancel; each result one click from the
watchlist."""

from __future__ import annotations

from datetime import datetime, timezone

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QComboBox, QDoubleSpinBox, QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout,
                               QWidget)

from app.astro.timeutil import format_utc
from app.catalog import Catalog
from app.common.progress import Progress
from app.conjunction.screening import ScreeningResult, screen_all, screen_primaries
from widgets.first_show import on_first_show
from widgets.panels.filtered_table import SORT_ROLE, filtered_table, sortable_item
from widgets.runner import Job, JobRunner, failure_text

COLUMNS = ("TCA (UTC)", "Primary", "Primary name", "Secondary", "Secondary name", "Miss (km)", "Rel. speed (km/s)",
           "R (km)", "I (km)", "C (km)")


class ScreeningPanel(QWidget):
    watch_requested = Signal(int, int)  # (primary, secondary)
    briefing_requested = Signal(int, int, object)  # (primary, secondary, TCA datetime): a page about the approach

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.catalog = Catalog.empty()
        self.selected: int | None = None
        self._session = None
        self.start: datetime | None = None
        self.result: ScreeningResult | None = None
        self.scope = QComboBox()
        self.scope.addItems(["Selected object vs catalog", "Whole catalog vs itself"])
        self.hours = QDoubleSpinBox(minimum=0.5, maximum=168.0, value=24.0, suffix=" h", decimals=1)
        self.threshold = QDoubleSpinBox(minimum=0.1, maximum=500.0, value=5.0, suffix=" km", decimals=1)
        self.run_button, self.cancel_button = QPushButton("Screen"), QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        self.watch_button = QPushButton("Watch selected pair")
        self.brief_button = QPushButton("Brief selected approach…")
        self.brief_button.setToolTip("A briefing page (PDF or PNG) about the pair at this approach's TCA")
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.jobs = JobRunner(self, progress_bar=self.progress, cancel_button=self.cancel_button)
        self.summary = QLabel()
        self.summary.setWordWrap(True)  # the co-located list must not widen the window
        self.model, self.proxy, self.table = filtered_table(self, COLUMNS)
        self._size_tca_column()
        on_first_show(self.table, self._size_tca_column)  # again in the theme's font; then the user's
        self.proxy.setSortRole(SORT_ROLE)  # numbers by value
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)  # the soonest approach first
        row, second = QHBoxLayout(), QHBoxLayout()
        for widget in (self.scope, self.hours, self.threshold):
            row.addWidget(widget)
        for widget in (self.run_button, self.cancel_button, self.watch_button, self.brief_button):
            second.addWidget(widget)
        row.addStretch(1)
        second.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(row)
        layout.addLayout(second)
        layout.addWidget(self.progress)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.summary)
        self.run_button.clicked.connect(lambda: self.run())
        self.watch_button.clicked.connect(self._watch_selected)
        self.brief_button.clicked.connect(self._brief_selected)
        self.table.doubleClicked.connect(lambda *_: self._watch_selected())

    def _size_tca_column(self) -> None:
        """The TCA to the millisecond, whole (160 px cut it to "12:04:0…"), in the table's font."""
        self.table.setColumnWidth(0, self.table.fontMetrics().horizontalAdvance("0000-00-00 00:00:00.000") + 24)

    def set_context(self, catalog: Catalog, selected_norad: int | None, start: datetime) -> None:
        self.catalog, self.selected, self.start = catalog, selected_norad, start

    def run(self) -> Job | None:
        """Screen on a worker thread (progress, cancel; the newer run wins)."""
        if self._session is not None:  # from the session's selection and clock, as they are now
            self.set_context(self._session.catalog, self._session.selected_norad, self._session.now())
        if self.start is None or not len(self.catalog):
            return None
        everything = self.scope.currentIndex() == 1
        if not everything and self.selected is None:
            self.summary.setText("Select an object to screen, or screen the whole catalog")
            return None
        catalog, start, hours, threshold, primary = (self.catalog, self.start, self.hours.value(),
                                                     self.threshold.value(), self.selected)

        def work(progress: Progress) -> ScreeningResult:
            if everything:
                return screen_all(catalog, start, hours, threshold, progress=progress)
            return screen_primaries(catalog, [primary], start, hours, threshold, progress=progress)

        self.run_button.setEnabled(False)
        self.summary.setText("Screening…")
        job = self.jobs.start("Screening", work, self._show_result,
                              on_error=lambda error: self.summary.setText(failure_text("Screening", error)))
        job.ended.connect(lambda: self._after(job))
        return job

    def cancel(self) -> None:
        self.jobs.cancel()

    def _after(self, job: Job) -> None:
        if not self.jobs.busy:
            self.run_button.setEnabled(True)
            if job.cancelled:
                self.summary.setText("Cancelled.")

    def _show_result(self, result: ScreeningResult) -> None:
        self.result = result
        names = {int(n): str(name) for n, name in zip(self.catalog.norad_id.tolist(), self.catalog.name.tolist())}
        self.model.setRowCount(0)
        for a in result.approaches:
            primary_name, secondary_name = names.get(a.primary, ""), names.get(a.secondary, "")
            items = [sortable_item(format_utc(a.tca)[:23].replace("T", " "), a.tca.timestamp()),
                     sortable_item(str(a.primary), a.primary), sortable_item(primary_name, primary_name),
                     sortable_item(str(a.secondary), a.secondary), sortable_item(secondary_name, secondary_name),
                     *(sortable_item(f"{x:.3f}", float(x)) for x in (a.miss_km, a.relative_speed_km_s, *a.r_ric_km))]
            items[0].setData((a.primary, a.secondary, a.tca.timestamp()), Qt.ItemDataRole.UserRole)
            self.model.appendRow(items)
        groups = "; ".join(", ".join(map(str, g)) for g in result.co_located[:5])
        self.summary.setText(f"{len(result.approaches)} approaches" + (f"; co-located: {groups}" if groups else ""))

    def _selected_approach(self) -> tuple[int, int, datetime] | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        primary, secondary, tca = self.proxy.index(rows[0].row(), 0).data(Qt.ItemDataRole.UserRole)
        return int(primary), int(secondary), datetime.fromtimestamp(float(tca), tz=timezone.utc)

    def _watch_selected(self) -> None:
        chosen = self._selected_approach()
        if chosen is not None:
            self.watch_requested.emit(chosen[0], chosen[1])

    def _brief_selected(self) -> None:
        chosen = self._selected_approach()
        if chosen is None:
            self.summary.setText("Select an approach in the table to brief it")
            return
        self.briefing_requested.emit(*chosen)

    def bind(self, session) -> None:
        """Screen the session's selected object (or catalog) from its clock's time; watch a pair found."""
        self._session = session
        self.watch_requested.connect(lambda primary, secondary: session.watch_requested.emit(primary, secondary, ""))

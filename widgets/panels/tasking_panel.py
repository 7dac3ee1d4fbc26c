"""The tasking panel: requests with filters, the editor, exactly the actions the request's
state allows, its feasible passes (computed on a worker, with progress and cancel) to
schedule, its history from the audit table, and comments. Import and export exchange
files, including "export for nation X". It tells the session the highest classification it
shows (the listed requests and the one in the editor), for the classification banner."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QStandardItem
from PySide6.QtWidgets import (QComboBox, QFileDialog, QHBoxLayout, QInputDialog, QLabel, QLineEdit,
                               QMessageBox, QPushButton, QScrollArea, QSplitter, QTabWidget, QVBoxLayout, QWidget)

from app.catalog import Catalog
from app.common.marking import DATA_MODES, highest_classification
from app.sensors.sites import Sensor
from app.storage import StaleEdit, TaskingRepository
from app.tasking.exchange import HIGHEST_CLEARANCE, export_csv, export_json, exportable, read_exchange_file
from app.tasking.request import (FINAL_STATES, PRECEDENCES, TRANSITIONS, SensorRequest,
                                 TaskingError, TaskingRequest, new_request_id, request_to_record)
from widgets.panels.filtered_table import filtered_table
from widgets.panels.tasking_form import TaskingForm
from widgets.panels.tasking_history import RequestHistory, field_label, short
from widgets.panels.tasking_passes import FeasiblePassesTab
from widgets.runner import Job, JobRunner

COLUMNS = ("ID", "Status", "Precedence", "Title", "Target", "Nation", "Window start (UTC)", "Window end (UTC)",
           "Marking", "Feasibility")
ACTIONS = ("submit", "approve", "schedule", "collected", "partial", "failed", "reject", "cancel")
PRECEDENCE_COLORS = {"FLASH": "#ff3838", "IMMEDIATE": "#ffb302", "PRIORITY": "#fce83a", "ROUTINE": "#c7d3e0"}


def _minute(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M}"


class TaskingPanel(QWidget):
    target_selected = Signal(int)  # NORAD id of the selected request's target
    request_shown = Signal(object)  # the id of the request in the editor, or None
    imported = Signal(str)  # summary of an import, with its rejected records
    schedule_changed = Signal(list)  # every scheduled Pass of the shown requests, for the timeline
    content_marking = Signal(str)  # the highest classification shown (listed or in the editor)
    request_saved = Signal(object)  # a TaskingRequest this console wrote (created, edited or moved on)

    def __init__(self, tasking: TaskingRepository | None, interactive: bool = True, parent: QWidget | None = None):
        super().__init__(parent)
        self.tasking = tasking
        self.interactive = interactive
        self.catalog = Catalog.empty()
        self.sensors: list[Sensor] = []
        self.now = datetime.now().astimezone()
        self.selected_object: int | None = None  # the window's selection: the default target of New
        self.data_mode = "REAL"  # of new requests when the mode filter shows all
        self.hidden_ids: set[str] = set()  # a scenario's requests not made yet at the clock's time
        self.requests: list[TaskingRequest] = []
        self.current: TaskingRequest | None = None
        self.feasibility_by_id: dict[str, object] = {}

        self.status_filter, self.precedence_filter, self.mode_filter = QComboBox(), QComboBox(), QComboBox()
        self.status_filter.addItems(["", *TRANSITIONS, *FINAL_STATES])
        self.precedence_filter.addItems(["", *PRECEDENCES])
        self.mode_filter.addItems(["", *DATA_MODES])
        for combo, what in ((self.status_filter, "status"), (self.precedence_filter, "precedence"),
                            (self.mode_filter, "data mode")):
            combo.setToolTip(f"Show only this {what}")
            combo.setItemText(0, f"All {what}")
        self.nation_filter = QLineEdit(placeholderText="Nation")
        self.nation_filter.setMaximumWidth(70)
        self.target_filter = QLineEdit(placeholderText="Target")
        self.target_filter.setMaximumWidth(80)
        self.model, self.proxy, self.table = filtered_table(self, COLUMNS)
        self.table.setColumnWidth(0, 130)
        self.table.setColumnWidth(3, 200)
        for combo in (self.status_filter, self.precedence_filter, self.mode_filter):
            combo.setMinimumContentsLength(6)
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.new_button, self.import_button = QPushButton("New"), QPushButton("Import…")
        self.export_button = QPushButton("Export…")

        self.form = TaskingForm()
        self.save_button = QPushButton("Save")
        self.action_buttons = {name: QPushButton(name.title()) for name in ACTIONS}
        self.message = QLabel(objectName="taskingMessage", wordWrap=True)
        self.message.setMinimumWidth(100)
        self.passes_tab = FeasiblePassesTab()
        self.database = JobRunner(self, serial=True)  # reads (the newer wins) and writes, in order
        self.trail = RequestHistory(self)
        self.history, self.comments, self.comment_edit = self.trail.history, self.trail.comments, self.trail.comment_edit
        self._build_layout()
        self._connect()
        self.form.show_request(None)
        self._show_actions()

    # --- construction ----------------------------------------------------------------------------

    def _build_layout(self) -> None:
        filters = QHBoxLayout()
        for widget in (self.status_filter, self.precedence_filter, self.mode_filter, self.nation_filter,
                       self.target_filter):
            filters.addWidget(widget)
        filters.addStretch(1)
        buttons = QHBoxLayout()
        for button in (self.new_button, self.import_button, self.export_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        left = QWidget()
        left_column = QVBoxLayout(left)
        left_column.setContentsMargins(0, 0, 0, 0)
        left_column.addLayout(filters)
        left_column.addWidget(self.table, 1)
        left_column.addLayout(buttons)

        actions = QHBoxLayout()  # at most four show at once (the state's actions)
        actions.addWidget(self.save_button)
        for button in self.action_buttons.values():
            button.setMinimumWidth(20)
            actions.addWidget(button)
        actions.addStretch(1)
        editor = QWidget()
        editor_column = QVBoxLayout(editor)
        editor_column.setContentsMargins(0, 0, 0, 0)
        editor_column.addWidget(self.form)
        editor_column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(editor)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        details = QWidget()
        details_column = QVBoxLayout(details)
        details_column.setContentsMargins(2, 2, 2, 2)
        details_column.addWidget(scroll, 1)
        details_column.addWidget(self.form.error_label)  # beside Save, never below the fold
        details_column.addLayout(actions)
        details_column.addWidget(self.message)
        self.tabs = QTabWidget()
        self.tabs.addTab(details, "Request")
        self.tabs.addTab(self.passes_tab, "Feasible passes")
        self.tabs.addTab(self.history, "History")
        self.tabs.addTab(self.trail.talk, "Comments")
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(self.tabs)
        splitter.setSizes([560, 520])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(splitter)

    def _connect(self) -> None:
        for combo in (self.status_filter, self.precedence_filter, self.mode_filter):
            combo.currentTextChanged.connect(lambda *_: self.reload())
        for edit in (self.nation_filter, self.target_filter):
            edit.editingFinished.connect(self.reload)
        self.table.selectionModel().selectionChanged.connect(self._on_table_selection)
        self.new_button.clicked.connect(lambda: self.new_request())
        self.import_button.clicked.connect(self._import_dialog)
        self.export_button.clicked.connect(self._export_dialog)
        self.save_button.clicked.connect(self.save)
        for name, button in self.action_buttons.items():
            button.clicked.connect(lambda *_, n=name: self.perform(n))
        self.passes_tab.find_button.clicked.connect(self.find_passes)
        self.passes_tab.found.connect(self._on_feasibility)
        self.trail.comment_entered.connect(self.add_comment)

    # --- context from the window ----------------------------------------------------------------

    def set_context(self, catalog: Catalog, sensors: list[Sensor], now: datetime) -> None:
        self.catalog, self.sensors, self.now = catalog, list(sensors), now
        self.form.set_catalog(catalog)
        self.form.set_sensors(sensors)

    # --- list ------------------------------------------------------------------------------------

    def reload(self, select_id: str | None = None) -> Job | None:
        """Read the requests the filters choose (on the database thread); the table follows."""
        if self.tasking is None:
            self.message.setText("Tasking is off: the database could not be opened (see the status line).")
            return None
        target = self.target_filter.text().strip()
        nation = self.nation_filter.text().strip().upper()
        choice = lambda combo: None if combo.currentIndex() == 0 else combo.currentText()  # noqa: E731
        query = dict(data_mode=choice(self.mode_filter), status=choice(self.status_filter), nation=nation or None,
                     precedence=choice(self.precedence_filter),
                     target_norad_id=int(target) if target.isdigit() else None)
        tasking = self.tasking
        return self.database.start("Reading tasking requests", lambda _progress: tasking.requests(**query),
                                   lambda requests: self._show_requests(requests, select_id),
                                   on_error=lambda error: self.message.setText(f"Not loaded: {error}"))

    def _show_requests(self, requests: list[TaskingRequest], select_id: str | None) -> None:
        self.requests = [r for r in requests if r.id not in self.hidden_ids]
        keep = select_id or (self.current.id if self.current else None)
        self.model.setRowCount(0)
        for request in self.requests:
            self.model.appendRow(self._row_items(request))
        self.schedule_changed.emit([p for r in self.requests if r.status == "SCHEDULED" for p in r.scheduled_passes])
        if keep is not None:
            self.select_request(keep)
        self._report_content()

    def highest_shown(self) -> str:
        """The highest classification of the requests on screen: listed, or in the editor."""
        shown = self.requests + ([self.current] if self.current is not None else [])
        return highest_classification(r.classification for r in shown)

    def _report_content(self) -> None:
        self.content_marking.emit(self.highest_shown())

    def _row_items(self, request: TaskingRequest) -> list[QStandardItem]:
        found = self.feasibility_by_id.get(request.id)
        feasible = "" if found is None else ("feasible" if found.feasible else "INFEASIBLE: " + "; ".join(found.reasons))
        cells = (request.id, request.status, request.precedence, request.title, str(request.target_norad_id),
                 request.requesting_nation, _minute(request.window_start), _minute(request.window_end),
                 request.marking, feasible)
        items = [QStandardItem(text) for text in cells]
        items[0].setData(request.id, Qt.ItemDataRole.UserRole)
        items[2].setForeground(QColor(PRECEDENCE_COLORS[request.precedence]))
        if found is not None and not found.feasible:
            items[-1].setForeground(QColor("#ff3838"))
        return items

    def _on_table_selection(self, *_) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return
        request_id = self.proxy.index(rows[0].row(), 0).data(Qt.ItemDataRole.UserRole)
        request = next((r for r in self.requests if r.id == request_id), None)
        if request is not None and (self.current is None or request.id != self.current.id
                                    or request.version != self.current.version):
            self._show_unless_editing(request)

    def select_request(self, request_id: str) -> None:
        for row in range(self.proxy.rowCount()):
            if self.proxy.index(row, 0).data(Qt.ItemDataRole.UserRole) == request_id:
                self.table.selectRow(row)  # shows it, unless it was the selected row already
                request = next(r for r in self.requests if r.id == request_id)
                if self.current != request:
                    self._show_unless_editing(request)
                return

    def _show_unless_editing(self, request: TaskingRequest) -> None:
        """Show a newer version of the request in the editor, unless the operator is editing
        it: then the typing is kept, and saving will meet the newer version as a conflict."""
        if (self.current is not None and request.id == self.current.id and request.version != self.current.version
                and self.form.has_unsaved_edits()):
            self.message.setText(f"{request.id} was changed meanwhile (v{request.version}, {request.status}, by "
                                 f"{request.updated_by or 'another login'}); your edits are kept — saving shows both")
            return
        self._show(request)

    def _show(self, request: TaskingRequest | None) -> None:
        changed_request = self.current is None or request is None or request.id != self.current.id
        self.current = request
        self.form.show_request(request)
        self._show_actions()
        self._show_history_and_comments()
        self.passes_tab.show_request(request, changed_request)
        if changed_request:
            self.message.clear()
        self.request_shown.emit(None if request is None else request.id)
        self._report_content()
        if request is not None:
            self.target_selected.emit(request.target_norad_id)

    def _show_actions(self) -> None:
        allowed = self.current.allowed_actions() if self.current else ()
        for name, button in self.action_buttons.items():
            button.setVisible(name in allowed)
        editable = self.current is not None and self.current.status in ("DRAFT", "SUBMITTED")
        self.save_button.setVisible(editable)
        self.form.setEnabled(editable)

    def _show_history_and_comments(self) -> None:
        self.trail.show_request(self.current, self.tasking)

    # --- changes ---------------------------------------------------------------------------------

    def new_request(self, target_norad_id: int | None = None) -> TaskingRequest | None:
        """A new DRAFT, saved at once, for the given target (else the selected object)."""
        if self.tasking is None:
            return None
        operator = self.tasking.database.operator
        if not operator.nation:
            self.message.setText("Set your nation in File ▸ Operator and database… before creating requests.")
            return None
        target = target_norad_id or self.selected_object
        if not target:
            self.message.setText("Select the target first (catalog or globe), then New.")
            return None
        name = str(self.catalog.name[self.catalog.row_of(target)]) if target in self.catalog else str(target)
        mode = None if self.mode_filter.currentIndex() == 0 else self.mode_filter.currentText()
        draft = TaskingRequest(new_request_id(operator.nation), f"Track {name}", target, operator.nation, "",
                               SensorRequest("any"), "track", "ROUTINE", self.now, self.now + timedelta(hours=24),
                               data_mode=mode or self.data_mode)
        tasking = self.tasking
        return self._write(lambda: tasking.create(draft), "created")

    def save(self) -> Job | None:
        if self.current is None:
            return None
        try:
            edited = self.form.edited()
        except TaskingError as error:
            self.message.setText(f"<span style='color:#ff3838'>Not saved: {error}</span>")
            return None
        tasking = self.tasking
        return self._write(lambda: tasking.save(edited), "saved", keep_form_on_conflict=True)

    def perform(self, action: str) -> Job | None:
        if self.current is None:
            return None
        passes = self.passes_tab.selected_passes() if action == "schedule" else []
        request, tasking = self.current, self.tasking
        return self._write(lambda: tasking.act(request, action, passes), action)

    def add_comment(self, text: str) -> Job | None:
        if self.current is None or not text.strip():
            return None
        self.comment_edit.clear()
        request_id, tasking = self.current.id, self.tasking
        return self._write(lambda: tasking.comment(request_id, text), "comment added")

    def _write(self, work, done: str, keep_form_on_conflict: bool = False) -> Job:
        """A change on the database thread; the saved request (``job.result``) is shown when it lands."""
        def failed(error: BaseException) -> None:
            if isinstance(error, StaleEdit):
                self._conflict(error.current, keep_form_on_conflict)
            else:
                self.message.setText(f"<span style='color:#ff3838'>Not done: {error}</span>")

        def written(saved: TaskingRequest) -> None:
            self.request_saved.emit(saved)
            self._show(saved)
            self.message.setText(f"{saved.id} {done} (version {saved.version}).")
            self.reload(select_id=saved.id)

        return self.database.start(f"Tasking: {done}", lambda _progress: work(), written, on_error=failed,
                                   exclusive=False)

    def _conflict(self, newer: TaskingRequest | None, keep_form: bool) -> None:
        """Someone saved first: show their values, keep the user's edit in the form, and base
        the next save on their version (saving again puts the user's values over theirs)."""
        if newer is None:
            self.message.setText("<span style='color:#ff3838'>Not saved: the request was removed.</span>")
            return
        mine = request_to_record(self.form.edited() if keep_form else self.current)
        theirs = request_to_record(newer)
        differences = "; ".join(f"{field_label(name)} = {short(theirs[name])}" for name in theirs
                                if name not in ("version", "updated_utc", "updated_by") and theirs[name] != mine[name])
        self.message.setText(f"<span style='color:#ffb302'>Not saved: {newer.updated_by} changed this request "
                             f"(version {newer.version}, {newer.updated_utc[:16]}Z). Their values: "
                             f"{differences or 'the same as yours'}. "
                             + ("Your edit is kept in the form; Save again to put it over theirs."
                                if keep_form else "Shown now; try again.") + "</span>")
        if keep_form:
            self.current = newer
            self.form.original = newer
            self._show_actions()
            self._show_history_and_comments()
        else:
            self.reload(select_id=newer.id)
            self._show(newer)

    # --- feasibility -----------------------------------------------------------------------------

    def find_passes(self) -> Job | None:
        """Passes of the target over the eligible sensors in the window, on a worker thread."""
        if self.current is None:
            return None
        return self.passes_tab.find(self.current, self.catalog, self.sensors)

    def _on_feasibility(self, request_id: str, result) -> None:
        self.feasibility_by_id[request_id] = result
        self.reload(select_id=request_id)

    # --- exchange --------------------------------------------------------------------------------

    def import_file(self, path: str | Path) -> Job:
        """Load an exchange file (read and written on the database thread); the summary, with
        the bad records, is ``job.result`` and shown in the message line."""
        tasking = self.tasking

        def work(_progress) -> str:
            read = read_exchange_file(path)
            report = tasking.import_requests(read.requests, source=Path(path).name,
                                             origin_nation=read.origin_nation)
            report.rejected = read.rejected + report.rejected  # the file's bad records, then those not ours
            return report

        def imported(report) -> None:
            self.reload()
            summary = f"{Path(path).name}: {report.summary()}"
            self.message.setText(summary)
            if self.interactive and (report.rejected or report.kept_local or report.conflicts):
                box = QMessageBox(QMessageBox.Icon.Warning, "Import", summary, QMessageBox.StandardButton.Ok, self)
                box.setDetailedText("\n".join(report.rejected + report.conflicts + report.kept_local))
                box.show()
            problems = report.rejected + report.conflicts
            self.imported.emit(summary + ("\n" + "\n".join(problems) if problems else ""))

        return self.database.start("Importing tasking requests", work, imported, exclusive=False,
                                   on_error=lambda error: self.message.setText(
                                       f"<span style='color:#ff3838'>Not imported: {error}</span>"))

    def export_file(self, path: str | Path, for_nation: str | None) -> int:
        """Write the shown requests that the operator may see (their nation and clearance) and,
        for a nation, that are releasable to it; CSV carries the marking. The count written."""
        operator = self.tasking.database.operator
        clearance = getattr(operator, "clearance", HIGHEST_CLEARANCE)
        chosen = exportable(self.requests, for_nation, operator, clearance)
        text = (export_csv(self.requests, for_nation, operator, clearance) if str(path).lower().endswith(".csv")
                else export_json(self.requests, for_nation, operator, clearance))
        Path(path).write_text(text, encoding="utf-8")
        held = len(self.requests) - len(chosen)
        self.message.setText(f"Exported {len(chosen)} of {len(self.requests)} shown requests to {Path(path).name}"
                             + (f" (releasable to {for_nation})" if for_nation else "")
                             + (f"; {held} left out: above your clearance ({clearance}) or not released to "
                                + " and ".join(filter(None, [operator.nation or "your nation", for_nation]))
                                if held else ""))
        return len(chosen)

    def _import_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import tasking requests", "", "Tasking (*.json *.csv)")
        if path:
            self.import_file(path)

    def _export_dialog(self) -> None:
        nation, ok = QInputDialog.getText(self, "Export tasking requests",
                                          "Export for nation (ISO alpha-3; empty for all shown requests):")
        if not ok:
            return
        nation = nation.strip().upper() or None
        path, _ = QFileDialog.getSaveFileName(self, "Export tasking requests",
                                              f"tasking{'-for-' + nation if nation else ''}.json",
                                              "JSON (*.json);;CSV (*.csv)")
        if path:
            self.export_file(path, nation)

    def bind(self, session) -> None:
        """The session's catalog, sensors, clock and selection are the context of new requests;
        choosing a request selects its target; the scenario hides requests not made yet."""
        def context(*_args) -> None:
            self.set_context(session.catalog, session.sensors, session.now())

        def target(norad_id: int) -> None:
            if norad_id not in session.catalog:
                session.say(f"Tasking target {norad_id} is not in the loaded catalog", 8000)
            elif session.selected_norad != norad_id:
                session.select_norad(norad_id)

        session.catalog_changed.connect(context)
        session.sensors_changed.connect(context)
        session.second.connect(lambda now: setattr(self, "now", now))  # new requests' default window starts here
        session.state.connect("selection.objects", lambda _objects: setattr(self, "selected_object",
                                                                            session.selected_norad))
        session.state.connect("banner.data_mode", lambda mode: setattr(self, "data_mode", mode))
        session.tasking_changed.connect(self._on_records_changed)
        self.target_selected.connect(target)
        self.request_shown.connect(lambda request_id: setattr(session.state.selection, "tasking_request", request_id))
        session.state.connect("selection.tasking_request", lambda request_id: self.select_request(request_id)
                              if request_id and (self.current is None or self.current.id != request_id) else None)
        self.schedule_changed.connect(lambda passes: session.intervals_changed.emit(
            "Passes", [(p.aos, p.los, p.sensor) for p in passes], "#4dacff", 0.0))
        self.content_marking.connect(lambda level: session.report_content("tasking", level))
        context()
        self._report_content()

    def _on_records_changed(self, hidden_ids: set) -> None:
        self.hidden_ids = set(hidden_ids)
        self.reload()

"""The tasking request editor: every field of a request, checked as a whole on save with
the offending field named (and focused). It edits a copy; the panel saves it. The sensor
field offers the schedulable sites by name (partners' and contracted providers'); naming
another nation's site is refused on save."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone

from PySide6.QtCore import QDateTime, QStringListModel, Qt, QTimeZone
from PySide6.QtWidgets import (QComboBox, QCompleter, QDateTimeEdit, QFormLayout, QHBoxLayout, QLabel, QLineEdit,
                               QPlainTextEdit, QSpinBox, QWidget)

from app.catalog import Catalog
from app.common.marking import DATA_MODES
from app.sensors.sites import Sensor
from app.tasking.request import (CLASSIFICATIONS, COLLECTION_TYPES, PRECEDENCES, SENSOR_REQUEST_KINDS, SensorRequest,
                                 TaskingError, TaskingRequest)


def _qdatetime(moment: datetime) -> QDateTime:
    return QDateTime.fromSecsSinceEpoch(int(moment.timestamp()), QTimeZone.utc())


def _datetime(value: QDateTime) -> datetime:
    return datetime.fromtimestamp(value.toSecsSinceEpoch(), tz=timezone.utc)


def _utc_edit() -> QDateTimeEdit:
    edit = QDateTimeEdit()
    edit.setTimeZone(QTimeZone.utc())
    edit.setDisplayFormat("yyyy-MM-dd HH:mm 'UTC'")
    edit.setCalendarPopup(True)
    return edit


class TaskingForm(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.original: TaskingRequest | None = None
        self.id_label = QLabel(wordWrap=True)
        self.marking_label = QLabel(objectName="markingLabel", wordWrap=True)
        self.title = QLineEdit()
        self.target = QSpinBox(minimum=0, maximum=999_999_999)
        self.target.setSpecialValueText("—")
        self.target_name = QLabel()
        self.nation = QLineEdit(placeholderText="ISO alpha-3, e.g. GBR")
        self.nation.setMaxLength(3)
        self.unit = QLineEdit()
        self.sensor_kind = QComboBox()
        self.sensor_kind.addItems(list(SENSOR_REQUEST_KINDS))
        self.sensor_value = QLineEdit(placeholderText="sensor name, or nation for 'nation'")
        self.sensors: list[Sensor] = []
        self.sensor_names = QStringListModel(self)  # the schedulable sites, offered as the operator types
        completer = QCompleter(self.sensor_names, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.sensor_value.setCompleter(completer)
        self.collection = QComboBox()
        self.collection.addItems(list(COLLECTION_TYPES))
        self.precedence = QComboBox()
        self.precedence.addItems(list(PRECEDENCES))
        self.window_start, self.window_end = _utc_edit(), _utc_edit()
        self.justification = QPlainTextEdit()
        self.justification.setFixedHeight(54)
        self.classification = QComboBox()
        self.classification.addItems(list(CLASSIFICATIONS))
        self.releasable = QLineEdit(placeholderText="nations it may be released to: AUS, CAN, USA")
        self.data_mode = QComboBox()
        self.data_mode.addItems(list(DATA_MODES))
        self.error_label = QLabel(objectName="errorLabel")
        self.error_label.setStyleSheet("color: #ff3838;")
        self.error_label.setWordWrap(True)
        self._fields = {"title": self.title, "target_norad_id": self.target, "requesting_nation": self.nation,
                        "requesting_unit": self.unit, "sensor_request": self.sensor_value,
                        "collection_type": self.collection, "precedence": self.precedence,
                        "window_start": self.window_start, "window_end": self.window_end,
                        "classification": self.classification, "releasable_to": self.releasable,
                        "data_mode": self.data_mode}
        sensor_row, target_row = QHBoxLayout(), QHBoxLayout()
        sensor_row.addWidget(self.sensor_kind)
        sensor_row.addWidget(self.sensor_value, 1)
        target_row.addWidget(self.target)
        target_row.addWidget(self.target_name, 1)
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        for title, item in (("Request", self.id_label), ("Marking", self.marking_label), ("Title", self.title),
                            ("Target (NORAD)", target_row), ("Requesting nation", self.nation), ("Unit", self.unit),
                            ("Sensor / provider", sensor_row), ("Collection", self.collection),
                            ("Precedence", self.precedence), ("Window start", self.window_start),
                            ("Window end", self.window_end), ("Justification", self.justification),
                            ("Classification", self.classification), ("Releasable to", self.releasable),
                            ("Data mode", self.data_mode)):
            form.addRow(title, item)
        # the error label is laid out by the panel, beside Save, where the operator looks
        self.catalog = Catalog.empty()
        self.target.valueChanged.connect(self._show_target_name)

    def set_catalog(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self._show_target_name(self.target.value())

    def set_sensors(self, sensors: list[Sensor]) -> None:
        """The sensors a request may name: only the schedulable ones are offered."""
        self.sensors = list(sensors)
        self.sensor_names.setStringList(sorted(s.name for s in self.sensors if s.schedulable))

    def _show_target_name(self, norad_id: int) -> None:
        if norad_id in self.catalog:
            self.target_name.setText(str(self.catalog.name[self.catalog.row_of(norad_id)]))
        else:
            self.target_name.setText("not in the catalog" if norad_id else "")

    def show_request(self, request: TaskingRequest | None) -> None:
        """Fill the form from ``request`` (None empties it)."""
        self.original = request
        self.error_label.clear()
        self.setEnabled(request is not None)
        if request is None:
            self.id_label.clear()
            self.marking_label.clear()
            return
        self.id_label.setText(f"{request.id}  v{request.version}  {request.status}"
                              + (f"  — last change {request.updated_utc[:16]}Z by {request.updated_by}"
                                 if request.updated_by else ""))
        self.marking_label.setText(request.marking)
        self.title.setText(request.title)
        self.target.setValue(request.target_norad_id)
        self.nation.setText(request.requesting_nation)
        self.unit.setText(request.requesting_unit)
        self.sensor_kind.setCurrentText(request.sensor_request.kind)
        self.sensor_value.setText(request.sensor_request.value)
        self.collection.setCurrentText(request.collection_type)
        self.precedence.setCurrentText(request.precedence)
        self.window_start.setDateTime(_qdatetime(request.window_start))
        self.window_end.setDateTime(_qdatetime(request.window_end))
        self.justification.setPlainText(request.justification)
        self.classification.setCurrentText(request.classification)
        self.releasable.setText(", ".join(request.releasable_to))
        self.data_mode.setCurrentText(request.data_mode)

    def _as_typed(self) -> TaskingRequest:
        """The original with the form's fields, unvalidated."""
        nations = tuple(n.strip().upper() for n in self.releasable.text().replace(";", ",").split(",") if n.strip())
        return replace(self.original, title=self.title.text().strip(), target_norad_id=self.target.value(),
                       requesting_nation=self.nation.text().strip().upper(),
                       requesting_unit=self.unit.text().strip(),
                       sensor_request=SensorRequest(self.sensor_kind.currentText(), self.sensor_value.text().strip()),
                       collection_type=self.collection.currentText(), precedence=self.precedence.currentText(),
                       window_start=_datetime(self.window_start.dateTime()),
                       window_end=_datetime(self.window_end.dateTime()),
                       justification=self.justification.toPlainText().strip(),
                       classification=self.classification.currentText(), releasable_to=nations,
                       data_mode=self.data_mode.currentText())

    def has_unsaved_edits(self) -> bool:
        """Whether the operator has typed something the shown request does not say (times to
        the second, as the form shows them)."""
        if self.original is None or not self.isEnabled():
            return False
        whole_seconds = lambda moment: int(moment.timestamp())  # noqa: E731
        typed, original = self._as_typed(), self.original
        return (replace(typed, window_start=original.window_start, window_end=original.window_end) != original
                or whole_seconds(typed.window_start) != whole_seconds(original.window_start)
                or whole_seconds(typed.window_end) != whole_seconds(original.window_end))

    def edited(self) -> TaskingRequest:
        """The form's request, validated (TaskingError naming the field; that field gets focus)."""
        assert self.original is not None
        request = self._as_typed()
        try:
            request.sensor_request.check(self.sensors)
            return request.validated(self.catalog if len(self.catalog) else None)
        except TaskingError as error:
            self.error_label.setText(str(error))
            if error.field in self._fields:
                self._fields[error.field].setFocus()
            raise

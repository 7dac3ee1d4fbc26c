"""The coalition sensor list: filter, select (its coverage shows on the globe and map),
and add, edit or remove the user's own sensors."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QStandardItem
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QLabel, QLineEdit, QMessageBox, QPushButton,
                               QVBoxLayout, QWidget)

from app.sensors.sites import Sensor, SensorStore, all_sensors
from widgets.panels.filtered_table import filtered_table
from widgets.dialogs.sensor_dialog import SensorDialog
from widgets.theme import SENSOR_TYPE_COLORS, STATUS_COLORS

COLUMNS = ("Name", "Nation", "Standing", "Type", "Provider", "Status", "Min el (deg)", "Max range (km)")
STANDING_TEXT = {"partner": "partner", "contracted": "contracted", "other": "other nation (context only)"}


class SensorsPanel(QWidget):
    sensor_selected = Signal(object)  # Sensor | None
    sensors_changed = Signal(list)  # the whole list after an add, edit or remove
    sees_requested = Signal()  # "What does it see?": the selected sensor's passes of the catalog

    def __init__(self, store: SensorStore, interactive: bool = True, parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        self.interactive = interactive
        self.sensors: list[Sensor] = []
        self.model, self.proxy, self.table = filtered_table(self, COLUMNS)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.search = QLineEdit(placeholderText="Filter sensors (name, nation, type…)")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.proxy.setFilterFixedString)
        self.table.setColumnWidth(0, 220)
        self.table.selectionModel().selectionChanged.connect(self._on_selection)
        self.add_button, self.edit_button = QPushButton("Add…"), QPushButton("Edit…")
        self.remove_button = QPushButton("Remove")
        self.sees_button = QPushButton("What does it see?")
        self.sees_button.setToolTip("Every pass of the catalog over the selected sensor (Sensor sees panel)")
        self.sees_button.setEnabled(False)
        self.sees_button.clicked.connect(self.sees_requested.emit)
        self.add_button.clicked.connect(self.add_sensor)
        self.edit_button.clicked.connect(self.edit_sensor)
        self.remove_button.clicked.connect(self.remove_sensor)
        legend = "  ".join(f"<span style='color:{c}'>■</span> {t}" for t, c in SENSOR_TYPE_COLORS.items())
        buttons = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.remove_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        sees = QHBoxLayout()  # its own row: the dock stays as narrow as the window needs on 1280 px
        sees.addWidget(self.sees_button)
        sees.addStretch(1)
        legend_label = QLabel(legend + f"  <span style='color:{STATUS_COLORS['off']}'>■</span> outage")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.search)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addLayout(sees)
        layout.addWidget(legend_label)
        self.reload()

    def reload(self) -> None:
        self.sensors = all_sensors(self.store)
        self.model.setRowCount(0)
        for sensor in self.sensors:
            cells = [sensor.name + (" (user)" if sensor.user_defined else ""), sensor.operator_nation,
                     STANDING_TEXT.get(sensor.standing, sensor.standing), sensor.sensor_type, sensor.provider,
                     sensor.status]
            items = [QStandardItem(text) for text in cells]
            if not sensor.schedulable:
                items[2].setForeground(QColor(STATUS_COLORS["off"]))
                items[2].setToolTip("Drawn for context; never offered for tasking")
            for value in (sensor.min_elevation_deg, sensor.max_range_km):
                item = QStandardItem()
                item.setData(float(value), Qt.ItemDataRole.DisplayRole)
                items.append(item)
            items[0].setData(sensor.name, Qt.ItemDataRole.UserRole)
            self.model.appendRow(items)
        self.sensors_changed.emit(self.sensors)

    def selected(self) -> Sensor | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        name = self.proxy.index(rows[0].row(), 0).data(Qt.ItemDataRole.UserRole)
        return next((s for s in self.sensors if s.name == name), None)

    def select_name(self, name: str) -> None:
        for row in range(self.proxy.rowCount()):
            if self.proxy.index(row, 0).data(Qt.ItemDataRole.UserRole) == name:
                self.table.selectRow(row)
                return
        raise KeyError(name)

    def _on_selection(self, *_args) -> None:
        sensor = self.selected()
        self.edit_button.setEnabled(sensor is not None and sensor.user_defined)
        self.remove_button.setEnabled(sensor is not None and sensor.user_defined)
        self.sees_button.setEnabled(sensor is not None and sensor.operational)
        self.sensor_selected.emit(sensor)

    # --- editing ---------------------------------------------------------------------------------

    def add_sensor(self) -> None:
        self._edit(None)

    def edit_sensor(self) -> None:
        sensor = self.selected()
        if sensor is not None and sensor.user_defined:
            self._edit(sensor)

    def _edit(self, sensor: Sensor | None) -> None:
        dialog = SensorDialog(sensor, self)
        if dialog.exec() and dialog.sensor is not None:
            self.save(dialog.sensor, replacing=sensor.name if sensor else None)

    def save(self, sensor: Sensor, replacing: str | None = None) -> bool:
        try:
            self.store.put(sensor, replacing=replacing)
        except OSError as error:
            self._warn(f"Could not save sensor {sensor.name!r} to {self.store.path}: {error}")
            return False
        self.reload()
        self.select_name(sensor.name)
        return True

    def remove_sensor(self) -> None:
        sensor = self.selected()
        if sensor is None or not sensor.user_defined:
            return
        try:
            self.store.remove(sensor.name)
        except OSError as error:
            self._warn(f"Could not remove sensor {sensor.name!r}: {error}")
            return
        self.reload()

    def _warn(self, text: str) -> None:
        if self.interactive:
            QMessageBox.warning(self, "Sensors", text)

    def bind(self, session) -> None:
        """The session's sensors are this list; choosing one selects it in the state."""
        self.sensors_changed.connect(session.set_sensors)
        self.sensor_selected.connect(lambda sensor: setattr(session.state.selection, "sensor",
                                                            None if sensor is None else sensor.name))
        session.state.connect("selection.sensor", self._show_selected)
        session.set_sensors(self.sensors)

    def _show_selected(self, name: str | None) -> None:
        chosen = self.selected()
        if name is not None and (chosen is None or chosen.name != name):
            try:
                self.select_name(name)
            except KeyError:  # filtered out of the table here: the globe and map still show it
                pass

"""Add or edit a user sensor: a form whose impossible values are refused, naming the field."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QDialog, QFormLayout, QLineEdit, QWidget

from app.sensors.sites import PROVIDERS, SENSOR_TYPES, STATUSES, Sensor, SensorError, validate_sensor_fields
from widgets.dialogs.form_dialog import finish_form

TEXT_FIELDS = (("name", "Name"), ("operator_nation", "Operator nation (ISO alpha-3)"), ("lat_deg", "Latitude (deg)"),
               ("lon_deg", "Longitude (deg)"), ("alt_m", "Altitude (m)"), ("min_elevation_deg", "Minimum elevation (deg)"),
               ("max_range_km", "Maximum range (km)"), ("az_min_deg", "Azimuth from (deg, optional)"),
               ("az_max_deg", "Azimuth to (deg, optional)"))
CHOICE_FIELDS = (("provider", "Provider", PROVIDERS), ("sensor_type", "Type", SENSOR_TYPES),
                 ("status", "Status", STATUSES))


class SensorDialog(QDialog):
    def __init__(self, sensor: Sensor | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Edit sensor" if sensor else "Add sensor")
        self.sensor: Sensor | None = None
        self.inputs: dict[str, QLineEdit | QComboBox] = {}
        form = QFormLayout()
        for key, title in TEXT_FIELDS:
            edit = QLineEdit()
            edit.setObjectName(key)
            self.inputs[key] = edit
            form.addRow(title, edit)
        for key, title, choices in CHOICE_FIELDS:
            box = QComboBox()
            box.setObjectName(key)
            box.addItems(list(choices))
            self.inputs[key] = box
            form.addRow(title, box)
        self.error_label = finish_form(self, form)
        self.fill(sensor)

    def fill(self, sensor: Sensor | None) -> None:
        values = sensor.as_dict() if sensor else {"provider": "commercial", "sensor_type": "optical",
                                                  "min_elevation_deg": 15, "max_range_km": 50000, "alt_m": 0}
        for key, widget in self.inputs.items():
            value = values.get(key)
            if isinstance(widget, QComboBox):
                widget.setCurrentText(str(value or widget.itemText(0)))
            else:
                widget.setText("" if value is None else f"{value:g}" if isinstance(value, float) else str(value))

    def values(self) -> dict[str, str]:
        return {key: (w.currentText() if isinstance(w, QComboBox) else w.text()) for key, w in self.inputs.items()}

    def accept(self) -> None:
        """Save only a valid sensor; otherwise say which field is wrong and keep the form."""
        try:
            self.sensor = validate_sensor_fields(self.values(), user_defined=True)
        except SensorError as error:
            self.error_label.setText(f"{error.field or 'sensor'}: {error.reason}")
            widget = self.inputs.get(error.field or "")
            if widget is not None:
                widget.setFocus()
            return
        super().accept()

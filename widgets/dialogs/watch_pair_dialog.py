"""Add or edit a watch pair: thresholds, notes, classification and releasability."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtWidgets import (QComboBox, QDialog, QDoubleSpinBox, QFormLayout, QLineEdit, QPlainTextEdit, QSpinBox,
                               QWidget)

from app.common.marking import DATA_MODES

from app.rpo.watch_pair import WatchPair
from widgets.dialogs.form_dialog import finish_form

CLASSIFICATIONS = ("UNCLASSIFIED", "CONFIDENTIAL", "SECRET")


class WatchPairDialog(QDialog):
    def __init__(self, pair: WatchPair, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Watch pair")
        self.original = pair
        self.pair: WatchPair | None = None
        self.primary = QSpinBox(maximum=999_999_999, value=pair.primary_id)
        self.secondary = QSpinBox(maximum=999_999_999, value=pair.secondary_id)
        self.caution = QDoubleSpinBox(maximum=100_000.0, decimals=3, value=pair.caution_km, suffix=" km")
        self.warning = QDoubleSpinBox(maximum=100_000.0, decimals=3, value=pair.warning_km, suffix=" km")
        self.closing = QDoubleSpinBox(maximum=20.0, decimals=4, value=pair.closing_speed_km_s or 0.0, suffix=" km/s")
        self.closing.setSpecialValueText("none")
        self.classification = QComboBox()
        self.classification.setEditable(True)
        self.classification.addItems(list(CLASSIFICATIONS))
        self.classification.setCurrentText(pair.classification)
        self.releasability = QLineEdit(pair.releasability, placeholderText="e.g. REL TO AUS, CAN, GBR, NZL, USA")
        self.data_mode = QComboBox()
        self.data_mode.addItems(list(DATA_MODES))
        self.data_mode.setCurrentText(pair.data_mode)
        self.notes = QPlainTextEdit(pair.notes)
        form = QFormLayout()
        for title, widget in (("Primary (NORAD)", self.primary), ("Secondary (NORAD)", self.secondary),
                              ("Caution range", self.caution), ("Warning range", self.warning),
                              ("Closing-speed alert", self.closing), ("Classification", self.classification),
                              ("Releasability", self.releasability), ("Data mode", self.data_mode),
                              ("Notes", self.notes)):
            form.addRow(title, widget)
        self.error_label = finish_form(self, form)

    def edited(self) -> WatchPair:
        return replace(self.original, primary_id=self.primary.value(), secondary_id=self.secondary.value(),
                       caution_km=self.caution.value(), warning_km=self.warning.value(),
                       closing_speed_km_s=self.closing.value() or None,
                       classification=self.classification.currentText().strip().upper(),
                       releasability=self.releasability.text().strip(), data_mode=self.data_mode.currentText(),
                       notes=self.notes.toPlainText())

    def accept(self) -> None:
        try:
            self.pair = self.edited().validated()
        except ValueError as error:
            self.error_label.setText(str(error))
            return
        super().accept()

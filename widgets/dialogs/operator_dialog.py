"""Settings ▸ Operator and database: who signs every change (name, nation, role) and which
database the console opens (takes effect at the next start)."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtWidgets import QComboBox, QDialog, QFormLayout, QLineEdit, QWidget

from app.common.user_settings import ROLES, Operator, OperatorError, UserSettings
from widgets.dialogs.form_dialog import finish_form


class OperatorDialog(QDialog):
    def __init__(self, settings: UserSettings, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Operator and database")
        self.original = settings
        self.result_settings: UserSettings | None = None
        self.name = QLineEdit(settings.operator.name)
        self.nation = QLineEdit(settings.operator.nation, placeholderText="ISO alpha-3, e.g. GBR")
        self.nation.setMaxLength(3)
        self.role = QComboBox()
        self.role.addItems(list(ROLES))
        self.role.setCurrentText(settings.operator.role)
        self.database = QLineEdit(settings.database_url,
                                  placeholderText="empty: SQLite in the user data folder; or postgresql+psycopg://…")
        self.database.setMinimumWidth(380)
        form = QFormLayout()
        for title, widget in (("Name", self.name), ("Nation", self.nation), ("Role", self.role),
                              ("Database URL (next start)", self.database)):
            form.addRow(title, widget)
        self.error_label = finish_form(self, form)

    def accept(self) -> None:
        operator = Operator(self.name.text().strip(), self.nation.text().strip().upper(), self.role.currentText())
        try:
            operator.validated()
        except OperatorError as error:
            self.error_label.setText(str(error))
            return
        self.result_settings = replace(self.original, operator=operator, database_url=self.database.text().strip())
        super().accept()

"""File ▸ Operator and database: who is at the console, as the database says (the floor's
login, or this machine's account on the seat's roster: read-only here, never typed in), and
which database to open with which password file (used from the next start)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtWidgets import QDialog, QFormLayout, QLabel, QLineEdit, QWidget

from app.common.user_settings import Operator, UserSettings
from widgets.dialogs.form_dialog import finish_form


def identity_text(operator: Operator, on_floor: bool) -> str:
    """Who the console is signed in as, and where that comes from."""
    source = "the floor's operators table" if on_floor else "this machine's roster"
    if not operator.on_roster:
        how = ("ask the floor administrator to add this login" if on_floor else
               f"spaceops floor add-operator {operator.name} --nation ISO3 --role watch_officer "
               "--clearance LEVEL --database sqlite:///…")
        return (f"{operator.name}: not in {source}. No nation, cleared UNCLASSIFIED: only unmarked records are "
                f"shown. To be added: {how}")
    return (f"{operator.name} — {operator.nation or 'no nation'}, {operator.role}, cleared {operator.clearance} "
            f"(from {source})")


class OperatorDialog(QDialog):
    def __init__(self, settings: UserSettings, operator: Operator, on_floor: bool = False,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Operator and database")
        self.original = settings
        self.result_settings: UserSettings | None = None
        self.identity = QLabel(identity_text(operator, on_floor), wordWrap=True, objectName="identityLabel")
        self.identity.setMinimumWidth(380)
        self.database = QLineEdit(settings.database_url,
                                  placeholderText="empty: SQLite in the user data folder; or postgresql+psycopg://LOGIN@HOST/DB")
        self.password_file = QLineEdit(settings.password_file,
                                       placeholderText="a floor login's password file (else PGPASSFILE, ~/.pgpass)")
        form = QFormLayout()
        for title, widget in (("Signed in as", self.identity), ("Database URL (next start)", self.database),
                              ("Password file (next start)", self.password_file)):
            form.addRow(title, widget)
        self.error_label = finish_form(self, form)

    def accept(self) -> None:
        password_file = self.password_file.text().strip()
        if password_file and not Path(password_file).is_file():
            self.error_label.setText(f"password file: {password_file} is not a file")
            return
        if "@" in self.database.text() and ":" in self.database.text().split("@")[0].split("//")[-1]:
            self.error_label.setText("database URL: keep the password out of the URL; give a password file")
            return
        self.result_settings = replace(self.original, database_url=self.database.text().strip(),
                                       password_file=password_file)
        super().accept()

"""The bottom of the console's form dialogs: an error line and Save / Cancel."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QVBoxLayout


def finish_form(dialog: QDialog, form: QFormLayout) -> QLabel:
    """Lay out ``form``, an error label (returned) and Save / Cancel wired to the dialog."""
    error_label = QLabel(objectName="errorLabel")
    error_label.setStyleSheet("color: #ff3838;")
    error_label.setWordWrap(True)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    layout = QVBoxLayout(dialog)
    layout.addLayout(form)
    layout.addWidget(error_label)
    layout.addWidget(buttons)
    return error_label

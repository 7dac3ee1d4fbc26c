"""File ▸ Catalog feed…: the drop folder and the URL the console refreshes its catalog from
(both empty: off, the default), the fetch interval, a proxy and a credentials file."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QDialog, QFormLayout, QLabel, QLineEdit, QSpinBox, QWidget

from widgets.catalog_feed import MAX_INTERVAL_MIN, MIN_INTERVAL_MIN, FeedSettings
from widgets.dialogs.form_dialog import finish_form


class CatalogFeedDialog(QDialog):
    def __init__(self, settings: FeedSettings, status: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Catalog feed")
        self.result_settings: FeedSettings | None = None
        self.status = QLabel(status, wordWrap=True, objectName="feedStatus")
        self.drop_folder = QLineEdit(settings.drop_folder, placeholderText="empty: no drop folder")
        self.url = QLineEdit(settings.url, placeholderText="empty: no fetching (e.g. https://celestrak.org/NORAD/"
                                                           "elements/gp.php?GROUP=active&FORMAT=tle)")
        self.url.setMinimumWidth(460)
        self.interval = QSpinBox(minimum=MIN_INTERVAL_MIN, maximum=MAX_INTERVAL_MIN, value=settings.interval_min,
                                 suffix=" min")
        self.proxy = QLineEdit(settings.proxy, placeholderText="empty: the environment's proxy, if any")
        self.credentials = QLineEdit(settings.credentials_file,
                                     placeholderText="a file holding user:password (never shown or logged)")
        self.credentials.setToolTip("Sent as HTTP basic authentication; to space-track.org through its login form, "
                                    "as Space-Track asks")
        form = QFormLayout()
        for title, widget in (("Now", self.status), ("Drop folder", self.drop_folder), ("URL", self.url),
                              ("Fetch every", self.interval), ("Proxy", self.proxy),
                              ("Credentials file", self.credentials)):
            form.addRow(title, widget)
        self.error_label = finish_form(self, form)

    def accept(self) -> None:
        folder, url = self.drop_folder.text().strip(), self.url.text().strip()
        credentials, proxy = self.credentials.text().strip(), self.proxy.text().strip()
        if folder and not Path(folder).is_dir():
            self.error_label.setText(f"drop folder: {folder} is not a folder")
            return
        if url and not url.lower().startswith(("http://", "https://")):
            self.error_label.setText("URL: give an http:// or https:// address")
            return
        if proxy and not proxy.lower().startswith(("http://", "https://")):
            self.error_label.setText("proxy: give an http:// or https:// address")
            return
        if credentials and not Path(credentials).is_file():
            self.error_label.setText(f"credentials file: {credentials} is not a file")
            return
        self.result_settings = FeedSettings(folder, url, self.interval.value(), proxy, credentials)
        super().accept()


def catalog_feed_dialog(window) -> None:
    dialog = CatalogFeedDialog(window.catalog_feed.settings, window.catalog_feed.status, window)
    if dialog.exec() and dialog.result_settings is not None:
        dialog.result_settings.save(window.settings)
        window.catalog_feed.apply(dialog.result_settings)
        window.show_status(window.catalog_feed.status, 15000)

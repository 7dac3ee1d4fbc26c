"""View ▸ Changed at the last refresh…: the objects whose newest element set the last catalog
refresh brought, with how far it moved (semi-major axis, inclination, eccentricity) from the
one before, largest change of semi-major axis first; objects seen for the first time are
counted, not listed. Double-click selects the object."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QStandardItem
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from widgets.panels.filtered_table import filtered_table

COLUMNS = ("Object", "NORAD", "Previous epoch (UTC)", "New epoch (UTC)", "Δa (km)", "Δi (°)", "Δe")


class ChangedDialog(QDialog):
    object_chosen = Signal(int)

    def __init__(self, changes, names: dict[int, str], flags: dict[int, str], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Changed at the last refresh")
        self.resize(900, 480)
        changed = [c for c in changes if c.previous_epoch_utc is not None]
        new = len(changes) - len(changed)
        self.summary = QLabel(f"{len(changed):,} object(s) with a newer element set"
                              + (f"; {new:,} seen for the first time (not listed)" if new else "")
                              + (f"; {sum(c.norad_id in flags for c in changed):,} flagged as possible maneuvers"
                                 if flags else ""), wordWrap=True)
        self.model, self.proxy, self.table = filtered_table(self, COLUMNS)
        self.table.setColumnWidth(0, 200)
        for column in (2, 3):
            self.table.setColumnWidth(column, 140)
        for c in changed:
            cells = [names.get(c.norad_id, "") + ("  ⚠ maneuver?" if c.norad_id in flags else ""),
                     c.norad_id, c.previous_epoch_utc.strftime("%Y-%m-%d %H:%M"),
                     c.epoch_utc.strftime("%Y-%m-%d %H:%M"), round(c.delta_a_km, 3),
                     round(c.delta_inclination_deg, 4), round(c.delta_eccentricity, 7)]
            items = []
            for value in cells:
                item = QStandardItem()
                item.setData(value, Qt.ItemDataRole.DisplayRole)
                items.append(item)
            items[0].setData(c.norad_id, Qt.ItemDataRole.UserRole)
            self.model.appendRow(items)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.table.doubleClicked.connect(
            lambda index: self.object_chosen.emit(int(self.proxy.index(index.row(), 0).data(Qt.ItemDataRole.UserRole))))


def changed_dialog(window) -> None:
    """Read what the last refresh changed off the GUI thread, then show it."""
    if window.history_keeper.read_changes(lambda changes: _show(window, changes)) is None:
        why = window.history_keeper.problem
        window.show_status(f"Element-set history off: {why}" if why else "No element-set history yet (it is kept "
                           "from the first catalog loaded outside an exercise)", 15000)


def _show(window, changes) -> None:
    catalog = window.session.catalog
    names = {int(n): str(name) for n, name in zip(catalog.norad_id.tolist(), catalog.name.tolist())}
    dialog = ChangedDialog(changes, names, window.details.flags, window)
    dialog.object_chosen.connect(window.session.select_norad)
    dialog.setModal(False)
    dialog.show()
    window.changed_dialog = dialog  # kept while open

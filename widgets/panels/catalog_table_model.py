"""The catalog as a table: a QAbstractTableModel over the catalog's numpy columns.

Sorting and filtering are numpy operations on whole columns (an index permutation and a
mask); Qt asks only for the rows on screen, so 100k objects scroll and filter instantly.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QColor

from app.catalog.catalog import STALE_ELEMENT_AGE_DAYS, Catalog
from widgets.theme import STATUS_COLORS

COLUMNS = ("Name", "NORAD", "Int'l designator", "Type", "Owner", "Regime", "Element age (d)", "Flag")
_NUMERIC_COLUMNS = {1, 6}


class CatalogTableModel(QAbstractTableModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.catalog = Catalog.empty()
        self._age_days = np.zeros(0)
        self._mask = np.zeros(0, dtype=bool)
        self._order = np.zeros(0, dtype=np.int64)  # all catalog rows in sort order
        self._rows = np.zeros(0, dtype=np.int64)  # the rows shown, in order
        self._view_row_of = np.zeros(0, dtype=np.int64)
        self._sort = (1, Qt.SortOrder.AscendingOrder)
        self._stale_brush = QColor(STATUS_COLORS["caution"])
        self._flags = np.zeros(0, dtype=object)  # per catalog row: "" or a maneuver-flag message
        self._flag_column = np.zeros(0, dtype="<U5")  # what the Flag column shows: "" or "MNVR?"

    # --- content -----------------------------------------------------------------------------

    def set_catalog(self, catalog: Catalog, at: datetime) -> None:
        self.beginResetModel()
        self.catalog = catalog
        self._age_days = catalog.element_age_days(at) if len(catalog) else np.zeros(0)
        self._flags = np.full(len(catalog), "", dtype=object)
        self._flag_column = np.full(len(catalog), "", dtype="<U5")
        self._mask = np.ones(len(catalog), dtype=bool)
        self._order = self._sorted_order(*self._sort)
        self._apply()
        self.endResetModel()

    def set_mask(self, mask: np.ndarray) -> None:
        self.beginResetModel()
        self._mask = np.asarray(mask, dtype=bool)
        self._apply()
        self.endResetModel()

    def update_ages(self, at: datetime) -> None:
        if not len(self.catalog):
            return
        self._age_days = self.catalog.element_age_days(at)
        if len(self._rows):
            self.dataChanged.emit(self.index(0, 6), self.index(len(self._rows) - 1, 6))

    def _apply(self) -> None:
        self._rows = self._order[self._mask[self._order]] if len(self._order) else self._order
        self._view_row_of = np.full(len(self.catalog), -1, dtype=np.int64)
        self._view_row_of[self._rows] = np.arange(len(self._rows))

    def set_flags(self, messages: dict[int, str]) -> None:
        """Maneuver flags by catalog number (shown as 'MNVR?' with the reason as tooltip)."""
        self._flags = np.full(len(self.catalog), "", dtype=object)
        for norad_id, message in messages.items():
            if norad_id in self.catalog:
                self._flags[self.catalog.row_of(norad_id)] = message
        self._flag_column = np.where(self._flags != "", "MNVR?", "").astype("<U5")
        if len(self._rows):
            self.dataChanged.emit(self.index(0, 7), self.index(len(self._rows) - 1, 7))

    def flag_of(self, catalog_row: int) -> str:
        return str(self._flags[catalog_row]) if 0 <= catalog_row < len(self._flags) else ""

    def _column_values(self, column: int) -> np.ndarray:
        c = self.catalog
        return [c.name, c.norad_id, c.intl_designator, c.object_type, c.owner_state, c.regime, self._age_days,
                self._flag_column][column]

    def _sorted_order(self, column: int, order: Qt.SortOrder) -> np.ndarray:
        if not len(self.catalog):
            return np.zeros(0, dtype=np.int64)
        permutation = np.argsort(self._column_values(column), kind="stable")
        return permutation[::-1].copy() if order == Qt.SortOrder.DescendingOrder else permutation

    # --- mapping -------------------------------------------------------------------------------

    def catalog_row(self, view_row: int) -> int:
        return int(self._rows[view_row])

    def view_row(self, catalog_row: int) -> int:
        """-1 when the object is filtered out."""
        return int(self._view_row_of[catalog_row]) if 0 <= catalog_row < len(self._view_row_of) else -1

    @property
    def shown_rows(self) -> np.ndarray:
        return self._rows

    # --- Qt model API --------------------------------------------------------------------------

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row, column = int(self._rows[index.row()]), index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            value = self._column_values(column)[row]
            if column == 6:
                return f"{value:.1f}"
            return str(value)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in _NUMERIC_COLUMNS:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and column == 6 and abs(self._age_days[row]) > STALE_ELEMENT_AGE_DAYS:
            return self._stale_brush
        if role == Qt.ItemDataRole.ForegroundRole and column == 7:
            return self._stale_brush
        if role == Qt.ItemDataRole.ToolTipRole and column == 7 and self._flags[row]:
            return str(self._flags[row])
        if role == Qt.ItemDataRole.ToolTipRole and column == 6 and abs(self._age_days[row]) > STALE_ELEMENT_AGE_DAYS:
            return f"element set older than {STALE_ELEMENT_AGE_DAYS:.0f} days at the clock's time"
        return None

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        self.beginResetModel()  # the panel re-selects the selected object after a reset
        self._sort = (column, order)
        self._order = self._sorted_order(column, order)
        self._apply()
        self.endResetModel()

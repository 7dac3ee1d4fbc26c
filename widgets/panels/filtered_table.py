"""A small read-only table with a text filter over every column (sensors, passes)."""

from __future__ import annotations

from PySide6.QtCore import QObject, QSortFilterProxyModel, Qt
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import QAbstractItemView, QTableView


class NumberAwareProxy(QSortFilterProxyModel):
    """Sorts cells that read as numbers by their value ("12.000" after "9.100"), the rest as text."""

    def lessThan(self, left, right) -> bool:
        try:
            return float(left.data()) < float(right.data())
        except (TypeError, ValueError):
            return super().lessThan(left, right)


def filtered_table(owner: QObject, columns: tuple[str, ...]) -> tuple[QStandardItemModel, QSortFilterProxyModel,
                                                                      QTableView]:
    """Model, case-insensitive all-column filter proxy, and a sortable row-selecting view."""
    model = QStandardItemModel(0, len(columns), owner)
    model.setHorizontalHeaderLabels(list(columns))
    for column, title in enumerate(columns):  # the whole title on hover when the column is narrow
        model.setHeaderData(column, Qt.Orientation.Horizontal, title, Qt.ItemDataRole.ToolTipRole)
    proxy = NumberAwareProxy(owner)
    proxy.setSourceModel(model)
    proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    proxy.setFilterKeyColumn(-1)
    table = QTableView()
    table.setModel(proxy)
    table.setSortingEnabled(True)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setDefaultSectionSize(20)
    return model, proxy, table

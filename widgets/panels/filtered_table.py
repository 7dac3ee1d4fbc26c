"""A small read-only table with a text filter over every column (sensors, passes)."""

from __future__ import annotations

from PySide6.QtCore import QObject, QSortFilterProxyModel, Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QAbstractItemView, QTableView


SORT_ROLE = Qt.ItemDataRole.UserRole + 64  # a table whose proxy sorts by it gives every item a value there


def sortable_item(text: str, key) -> QStandardItem:
    """A cell showing ``text`` and sorted by ``key`` (a number sorts by value: a 12.000 km
    miss after a 9.100 km one), for a table whose proxy's sort role is ``SORT_ROLE``."""
    item = QStandardItem(text)
    item.setData(key, SORT_ROLE)
    return item


def filtered_table(owner: QObject, columns: tuple[str, ...]) -> tuple[QStandardItemModel, QSortFilterProxyModel,
                                                                      QTableView]:
    """Model, case-insensitive all-column filter proxy, and a sortable row-selecting view."""
    model = QStandardItemModel(0, len(columns), owner)
    model.setHorizontalHeaderLabels(list(columns))
    for column, title in enumerate(columns):  # the whole title on hover when the column is narrow
        model.setHeaderData(column, Qt.Orientation.Horizontal, title, Qt.ItemDataRole.ToolTipRole)
    proxy = QSortFilterProxyModel(owner)
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

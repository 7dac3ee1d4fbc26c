"""Catalog browser: search, groups (built-in and saved), and the sortable table.

The filter decides what the table lists and what the globe and map show
(``filter_changed`` carries the mask); choosing a row emits ``object_selected``.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
from PySide6.QtCore import QItemSelectionModel, QSettings, Qt, QTimer, Signal
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QHBoxLayout, QHeaderView, QInputDialog, QLabel,
                               QLineEdit, QPushButton, QTableView, QVBoxLayout, QWidget)

from app.catalog import Catalog
from app.catalog.filter import BUILTIN_GROUPS, CatalogFilter
from app.state.console_state import GroupFilter
from widgets.panels.catalog_table_model import CatalogTableModel
from widgets.preferences import Preferences

SAVED_GROUPS_KEY = "catalog/saved_groups"


class CatalogPanel(QWidget):
    object_selected = Signal(int)  # catalog row
    filter_changed = Signal(object)  # boolean mask over the catalog

    def __init__(self, settings: Preferences | QSettings | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self._settings = Preferences.wrap(settings)
        self.catalog = Catalog.empty()
        self._selected_row: int | None = None
        self._mask = np.zeros(0, dtype=bool)
        self._session = None

        self.search = QLineEdit(placeholderText="Search name, designator or number…")
        self.search.setClearButtonEnabled(True)
        self.group = QComboBox()
        self.save_group_button = QPushButton("Save group…")
        self.save_group_button.setToolTip("Save the current group and search as a named group")
        self.count_label = QLabel()
        self.model = CatalogTableModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(1, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(20)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        for column, width in enumerate((160, 62, 92, 92, 52, 52, 70, 50)):
            self.table.setColumnWidth(column, width)

        top = QHBoxLayout()
        top.addWidget(self.group, 1)
        top.addWidget(self.save_group_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.search)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count_label)

        self._search_timer = QTimer(self, singleShot=True, interval=150)
        self._search_timer.timeout.connect(self._refilter)
        self.search.textChanged.connect(self._search_timer.start)
        self.group.currentIndexChanged.connect(self._refilter)
        self.save_group_button.clicked.connect(self._save_group_dialog)
        self.table.selectionModel().selectionChanged.connect(self._on_table_selection)
        self.model.modelReset.connect(self._reselect)
        self._load_groups()

    # --- groups ----------------------------------------------------------------------------------

    def saved_groups(self) -> dict[str, CatalogFilter]:
        groups = {}
        for name, data in self._settings.json_value(SAVED_GROUPS_KEY, {}, dict).items():
            try:
                groups[name] = CatalogFilter.from_dict(data)
            except (TypeError, ValueError, AttributeError, KeyError) as error:
                self._settings.note_problem(f"{SAVED_GROUPS_KEY}: group {name!r} unreadable ({error}); ignored")
        return groups

    def save_group(self, name: str) -> None:
        groups = {n: f.to_dict() for n, f in self.saved_groups().items()}
        groups[name] = self.current_filter().to_dict()
        self._settings.set_json(SAVED_GROUPS_KEY, groups)
        self._load_groups(select=f"★ {name}")

    def _save_group_dialog(self) -> None:
        name, ok = QInputDialog.getText(self, "Save group", "Name of the group:")
        if ok and name.strip():
            self.save_group(name.strip())

    def _load_groups(self, select: str | None = None) -> None:
        self.group.blockSignals(True)
        self.group.clear()
        for name, group_filter in BUILTIN_GROUPS.items():
            self.group.addItem(name, group_filter)
        for name, group_filter in self.saved_groups().items():
            self.group.addItem(f"★ {name}", group_filter)
        if select is not None:
            self.group.setCurrentText(select)
        self.group.blockSignals(False)
        if select is not None:
            self.search.clear()
            self._refilter()

    def select_group(self, name: str) -> None:
        index = self.group.findText(name)
        if index < 0:
            raise KeyError(name)
        self.group.setCurrentIndex(index)

    def current_filter(self) -> CatalogFilter:
        group_filter = self.group.currentData() or CatalogFilter()
        text = self.search.text()
        return group_filter.with_text(f"{group_filter.text} {text}".strip() if group_filter.text else text)

    # --- catalog and selection ---------------------------------------------------------------------

    def set_catalog(self, catalog: Catalog, at: datetime) -> None:
        self.catalog = catalog
        self._selected_row = None
        self.model.set_catalog(catalog, at)
        self._refilter()

    def update_ages(self, at: datetime) -> None:
        self.model.update_ages(at)

    @property
    def mask(self) -> np.ndarray:
        return self._mask

    def _refilter(self) -> None:
        if self._session is not None:  # the session filters, for every view alike
            self._write_shown()
            return
        self._apply_mask(self.current_filter().mask(self.catalog) if len(self.catalog) else np.zeros(0, dtype=bool))

    def _apply_mask(self, mask: np.ndarray) -> None:
        self._mask = mask
        self.model.set_mask(self._mask)
        self.count_label.setText(f"{int(self._mask.sum()):,} of {len(self.catalog):,} objects")
        self.filter_changed.emit(self._mask)

    # --- bound to a console session ---------------------------------------------------------------

    def bind(self, session) -> None:
        """Show the session's catalog and selection; the group and search write the state."""
        self._session = session
        session.catalog_changed.connect(lambda catalog: self.set_catalog(catalog, session.now()))
        session.shown_changed.connect(self._apply_mask)
        session.second.connect(self.update_ages)
        session.maneuver_flags_changed.connect(self.model.set_flags)
        session.state.connect("selection.objects", lambda _objects: self.select_row(session.selected_row))
        session.state.connect("shown", lambda _shown: self._show_state())
        self.object_selected.connect(session.select_row)
        self._write_shown()

    def _write_shown(self) -> None:
        shown = self._session.state.shown
        with self._session.state.batch():
            shown.group = self.group.currentText()
            shown.group_filter = GroupFilter.of(self.group.currentData() or CatalogFilter())
            shown.search = self.search.text()

    def _show_state(self) -> None:
        """A view opened or an instructor's push: the group and search as the state says."""
        shown = self._session.state.shown
        self.group.blockSignals(True)
        self.search.blockSignals(True)
        if self.group.findText(shown.group) < 0:  # a group this console does not have: take it as given
            self.group.addItem(shown.group, shown.group_filter.catalog_filter())
        self.group.setCurrentText(shown.group)
        if self.search.text() != shown.search:
            self.search.setText(shown.search)
        self.group.blockSignals(False)
        self.search.blockSignals(False)

    def select_row(self, catalog_row: int | None) -> None:
        """Select an object (from the globe, say) without echoing it back."""
        self._selected_row = catalog_row
        self._reselect()

    def _reselect(self) -> None:
        selection = self.table.selectionModel()
        selection.blockSignals(True)
        selection.clearSelection()
        view_row = self.model.view_row(self._selected_row) if self._selected_row is not None else -1
        if view_row >= 0:
            index = self.model.index(view_row, 0)
            selection.select(index, QItemSelectionModel.SelectionFlag.ClearAndSelect
                             | QItemSelectionModel.SelectionFlag.Rows)
            self.table.scrollTo(index)
        selection.blockSignals(False)
        self.table.viewport().update()

    def _on_table_selection(self, *_args) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return
        catalog_row = self.model.catalog_row(rows[0].row())
        if catalog_row != self._selected_row:
            self._selected_row = catalog_row
            self.object_selected.emit(catalog_row)

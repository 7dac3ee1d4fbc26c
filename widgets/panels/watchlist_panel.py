"""The RPO watchlist: watched pairs with live range, range rate, RIC position, next closest
approach and status (Astro UXDS colours and shapes), most urgent first; alerts into the
event log; the selected pair's range and relative-motion plots. It tells the session the
highest classification of the pairs it holds, for the classification banner."""

from __future__ import annotations

from datetime import datetime

import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QStandardItem
from PySide6.QtWidgets import (QHBoxLayout, QInputDialog, QLabel, QMessageBox, QPushButton, QSplitter, QVBoxLayout,
                               QWidget)

from app.astro.timeutil import format_utc
from app.catalog import Catalog
from app.common.marking import highest_classification
from app.live.engine import Snapshot
from app.rpo.watch_pair import WatchPair
from app.rpo.watchlist import LOOK_AHEAD_H, STATUS_RANK, AlertTracker, PairState, evaluate, next_approach, range_history
from app.storage import StaleEdit, Store, StoreError
from widgets.panels.filtered_table import filtered_table
from widgets.runner import Job, JobRunner
from app.common.explanations import RIC_AXES, ric_text
from widgets.theme import ORBIT_COLOR, SELECTION_COLOR, STATUS_COLORS
from widgets.dialogs.watch_pair_dialog import WatchPairDialog

COLUMNS = ("Status", "Primary", "Secondary", "Range (km)", "Range rate (km/s)", "R (km)", "I (km)", "C (km)",
           "Next TCA (UTC)", "Miss (km)", "Rel. speed (km/s)", "Time to TCA", "Why")
STATUS_SHAPES = {"critical": "■", "serious": "◆", "caution": "▲", "normal": "●", "off": "○"}
RECOMPUTE_AFTER_S = 3600.0  # approaches are recomputed once the clock moves this far
RIC_COLUMNS = tuple(COLUMNS.index(f"{axis} (km)") for axis in "RIC")


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return ""
    sign = "-" if seconds < 0 else ""
    seconds = abs(int(seconds))
    return f"{sign}{seconds // 3600:d}h {seconds % 3600 // 60:02d}m"


class WatchlistPanel(QWidget):
    pair_selected = Signal(object)  # WatchPair | None
    alerts_raised = Signal(list)
    content_marking = Signal(str)  # the highest classification of the pairs listed

    def __init__(self, store: Store | None, interactive: bool = True, parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        self.interactive = interactive
        self.catalog = Catalog.empty()
        self.pairs: list[WatchPair] = []
        self.states: list[PairState] = []
        self.approaches: dict[int, object] = {}
        self.approaches_start: datetime | None = None
        self.tracker = AlertTracker()
        self.selected_object: int | None = None
        self.jobs = JobRunner(self)  # approaches: the newer computation wins
        self.database = JobRunner(self, serial=True)
        self._last_snapshot: Snapshot | None = None
        self.maneuver_flags: dict[int, str] = {}
        self.notes_by_pair: dict[int, str] = {}  # e.g. the CDM a pair came from
        self._session = None
        self._reported: str | None = None

        self.model, self.proxy, self.table = filtered_table(self, COLUMNS)
        for column, axis in zip(RIC_COLUMNS, "RIC"):
            self.model.setHeaderData(column, Qt.Orientation.Horizontal, f"{COLUMNS[column]}: {RIC_AXES[axis]}",
                                     Qt.ItemDataRole.ToolTipRole)
        self.table.setSortingEnabled(False)  # kept in urgency order: most urgent first
        self.proxy.sort(-1)  # (enabling sorting in filtered_table had sorted the proxy by a column)
        self.table.setColumnWidth(0, 90)
        for column in (1, 2):
            self.table.setColumnWidth(column, 170)
        self.table.selectionModel().selectionChanged.connect(self._on_selection)
        self.add_button = QPushButton("Add pair with selection…")
        self.edit_button = QPushButton("Edit…")
        self.remove_button = QPushButton("Remove")
        self.message = QLabel()
        self.add_button.clicked.connect(self.add_from_selection)
        self.edit_button.clicked.connect(self.edit_selected)
        self.remove_button.clicked.connect(self.remove_selected)
        buttons = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.remove_button):
            buttons.addWidget(button)
        buttons.addWidget(self.message, 1)

        self.range_plot = pg.PlotWidget(background="#05080c")
        self.range_plot.setLabel("left", "range", units="km")
        self.range_plot.setLabel("bottom", "hours from now")
        self.range_plot.getAxis("left").enableAutoSIPrefix(False)
        self.range_curve = self.range_plot.plot(pen=pg.mkPen(ORBIT_COLOR, width=1.5))
        self.approach_marks = pg.ScatterPlotItem(symbol="t", size=10, brush=pg.mkBrush(STATUS_COLORS["serious"]))
        self.range_plot.addItem(self.approach_marks)
        self.now_line = pg.InfiniteLine(pos=0, angle=90, pen=pg.mkPen(SELECTION_COLOR, style=Qt.PenStyle.DashLine))
        self.range_plot.addItem(self.now_line)
        self.ric_plot = pg.PlotWidget(background="#05080c")
        self.ric_plot.setLabel("left", "radial", units="km")
        self.ric_plot.setLabel("bottom", "in-track (yellow) / cross-track (cyan)", units="km")
        for axis in ("left", "bottom"):
            self.ric_plot.getAxis(axis).enableAutoSIPrefix(False)
        self.ric_it = self.ric_plot.plot(pen=pg.mkPen(ORBIT_COLOR, width=1))
        self.ric_ct = self.ric_plot.plot(pen=pg.mkPen("#2dccff", width=1))
        self.ric_now = pg.ScatterPlotItem(size=10, pen=pg.mkPen(SELECTION_COLOR, width=2), brush=None)
        self.ric_tca = pg.ScatterPlotItem(symbol="t", size=10, brush=pg.mkBrush(STATUS_COLORS["serious"]))
        self.ric_plot.addItem(self.ric_now)
        self.ric_plot.addItem(self.ric_tca)
        plots = QSplitter(Qt.Orientation.Vertical)
        for plot in (self.range_plot, self.ric_plot):
            plot.setMinimumSize(120, 60)
            plots.addWidget(plot)
        # the pairs at the left at full height (five rows and more on a 1366 x 768 screen), the
        # selected pair's plots at the right
        split = QSplitter(Qt.Orientation.Horizontal)
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addLayout(buttons)
        top_layout.addWidget(self.table)
        split.addWidget(top)
        split.addWidget(plots)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(split)
        self.reload()

    # --- data ------------------------------------------------------------------------------------

    def reload(self) -> Job | None:
        """Read the pairs again (on the database thread); the table follows when they arrive."""
        if self.store is None:
            self.pairs = []
            self.message.setText("No database: the watchlist is off")
            return None
        store = self.store
        return self.database.start("Reading the watchlist",
                                   lambda _progress: (store.watch_pairs.all(), store.event_log.last_alert_statuses()),
                                   self._on_pairs, on_error=self._failed)

    def _on_pairs(self, read: tuple[list[WatchPair], dict[int, str]]) -> None:
        pairs, alerted = read
        self.tracker.remember(alerted)
        self.pairs = pairs
        self._report_content()
        self.approaches_start = None  # recompute
        if self._last_snapshot is not None:
            self.update(self._last_snapshot)

    def set_catalog(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.approaches_start = None

    def set_maneuver_flags(self, flags: dict[int, str]) -> None:
        self.maneuver_flags = dict(flags)
        self._show_states()

    def set_selected_object(self, norad_id: int | None) -> None:
        self.selected_object = norad_id

    def update(self, snapshot: Snapshot) -> list:
        """Re-evaluate at a new snapshot; start recomputing approaches when due; log new alerts."""
        self._last_snapshot = snapshot
        due = (self.approaches_start is None
               or abs((snapshot.epoch - self.approaches_start).total_seconds()) > RECOMPUTE_AFTER_S)
        if due and self.pairs and len(self.catalog):
            self._compute_approaches(snapshot.epoch)
        self.states = evaluate(self.pairs, self.catalog, snapshot, self.approaches)
        alerts = self.tracker.update(self.states, snapshot.epoch)
        self._show_states()
        if alerts and self.store is not None:
            store = self.store

            def log_alerts(_progress) -> None:
                for alert in alerts:
                    store.event_log.log(alert.sim_utc, "rpo-alert", alert.status, alert.message, alert.pair_id, alert.data)

            self.database.start("Logging alerts", log_alerts, lambda _none: self.alerts_raised.emit(alerts),
                                on_error=self._failed, exclusive=False)
        elif alerts:
            self.alerts_raised.emit(alerts)
        return alerts

    def _compute_approaches(self, start: datetime) -> Job:
        self.approaches_start = start
        pairs, catalog = list(self.pairs), self.catalog

        def work(progress) -> dict:
            found = {}
            for done, pair in enumerate(pairs):
                progress.report(done, len(pairs))
                found[pair.id] = next_approach(catalog, pair, start, LOOK_AHEAD_H)
            return found

        return self.jobs.start("Next approaches", work, self._on_approaches, on_error=self._failed)

    def _on_approaches(self, found: dict) -> None:
        self.approaches = found
        if self._last_snapshot is not None:
            self.states = evaluate(self.pairs, self.catalog, self._last_snapshot, self.approaches)
            self._show_states()
            self._plot_selected()

    # --- table -----------------------------------------------------------------------------------

    def highest_shown(self) -> str:
        """The highest classification of the pairs listed (every pair held: each has a row once
        a snapshot is evaluated)."""
        return highest_classification(p.classification for p in self.pairs)

    def _report_content(self) -> None:
        level = self.highest_shown()
        if level != self._reported:
            self._reported = level
            self.content_marking.emit(level)

    def _show_states(self) -> None:
        """Rebuild the rows (urgency order changes); the selection is kept without telling
        anyone, so the globe's camera is not pulled back to the pair on every snapshot."""
        self._report_content()
        selected = self.selected_pair()
        selection = self.table.selectionModel()
        selection.blockSignals(True)
        self.model.setRowCount(0)
        for state in self.states:
            a = state.approach
            cells = [f"{STATUS_SHAPES[state.status]} {state.status.upper()}", self._named(state.pair.primary_id),
                     self._named(state.pair.secondary_id), f"{state.range_km:,.3f}", f"{state.range_rate_km_s:+.4f}",
                     *(f"{x:,.3f}" for x in state.r_ric_km),
                     format_utc(a.tca)[:19].replace("T", " ") if a else "", f"{a.miss_km:,.3f}" if a else "",
                     f"{a.relative_speed_km_s:.4f}" if a else "", _duration(state.time_to_tca_s),
                     "; ".join(filter(None, [state.reason] + [f"possible maneuver of {n}" for n in
                                                               (state.pair.primary_id, state.pair.secondary_id)
                                                               if n in self.maneuver_flags]))]
            items = [QStandardItem(text) for text in cells]
            for column, axis, value in zip(RIC_COLUMNS, "RIC", state.r_ric_km):
                items[column].setToolTip(ric_text(axis, value))
            items[0].setForeground(QColor(STATUS_COLORS[state.status]))
            items[0].setData(state.pair.id, Qt.ItemDataRole.UserRole)
            self.model.appendRow(items)
        if selected is not None:
            self.select_pair(selected.id)
        selection.blockSignals(False)

    def _named(self, norad_id: int) -> str:
        """``25544 ISS (ZARYA)``: the number the message gives, the name a person knows."""
        if norad_id not in self.catalog:
            return str(norad_id)
        return f"{norad_id} {self.catalog.name[self.catalog.row_of(norad_id)]}".strip()

    def selected_pair(self) -> WatchPair | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        pair_id = self.proxy.index(rows[0].row(), 0).data(Qt.ItemDataRole.UserRole)
        return next((p for p in self.pairs if p.id == pair_id), None)

    def select_pair(self, pair_id: int, notify: bool = False) -> None:
        """Select a pair's row quietly; ``notify`` also plots it and tells the window."""
        for row in range(self.proxy.rowCount()):
            if self.proxy.index(row, 0).data(Qt.ItemDataRole.UserRole) == pair_id:
                selection = self.table.selectionModel()
                was_blocked = selection.blockSignals(True)
                self.table.selectRow(row)
                selection.blockSignals(was_blocked)
                if notify:
                    self._on_selection()
                return

    def _on_selection(self, *_args) -> None:
        pair = self.selected_pair()
        if pair is not None and pair.id in self.notes_by_pair:
            self.message.setText(self.notes_by_pair[pair.id])
        self._plot_selected()
        self.pair_selected.emit(self.selected_pair())

    def _plot_selected(self) -> None:
        pair, snapshot = self.selected_pair(), self._last_snapshot
        if pair is None or snapshot is None or pair.primary_id not in self.catalog or pair.secondary_id not in self.catalog:
            for curve in (self.range_curve, self.ric_it, self.ric_ct):
                curve.setData([], [])
            self.approach_marks.setData([], [])
            return
        offsets, distance, ric = range_history(self.catalog, pair, snapshot.epoch, LOOK_AHEAD_H)
        hours = offsets / 3600.0
        self.range_curve.setData(hours, distance)
        self.ric_it.setData(ric[:, 1], ric[:, 0])
        self.ric_ct.setData(ric[:, 2], ric[:, 0])
        self.ric_now.setData([ric[0, 1]], [ric[0, 0]])
        approach = self.approaches.get(pair.id)
        if approach is not None:
            tca_h = (approach.tca - snapshot.epoch).total_seconds() / 3600.0
            self.approach_marks.setData([tca_h], [approach.miss_km])
            self.ric_tca.setData([approach.r_ric_km[1]], [approach.r_ric_km[0]])
        else:
            self.approach_marks.setData([], [])
            self.ric_tca.setData([], [])

    # --- editing ---------------------------------------------------------------------------------

    def add_from_selection(self) -> None:
        if self.selected_object is None:
            self._say("Select the primary object first (globe or catalog)")
            return
        secondary, ok = QInputDialog.getInt(self, "Watch pair", "Secondary object (NORAD):", 0, 1, 999_999_999)
        if ok:
            self.add_pair(WatchPair(self.selected_object, secondary))

    def add_pair(self, pair: WatchPair, edit: bool = True, select: bool = False,
                 note: str = "") -> Job | None:
        """Save a new pair (after the dialog, for a person); ``select`` it once saved."""
        if self.store is None:
            return None
        if edit and self.interactive:
            dialog = WatchPairDialog(pair, self)
            if not dialog.exec() or dialog.pair is None:
                return None
            pair = dialog.pair
        return self.database.start("Adding a watch pair", lambda _progress: self.store.watch_pairs.add(pair),
                                   lambda saved: self._on_saved(saved, select, note), on_error=self._failed,
                                   exclusive=False)

    def edit_selected(self) -> None:
        pair = self.selected_pair()
        if pair is None or self.store is None:
            return
        dialog = WatchPairDialog(pair, self)
        if dialog.exec() and dialog.pair is not None:
            self.save_edit(dialog.pair)

    def save_edit(self, pair: WatchPair) -> Job | None:
        """Save an edited pair; someone else's newer edit is kept and shown instead."""
        if self.store is None:
            return None
        return self.database.start("Saving the watch pair", lambda _progress: self.store.watch_pairs.update(pair),
                                   lambda saved: self._on_saved(saved, True, ""), on_error=self._failed,
                                   exclusive=False)

    def remove_selected(self) -> Job | None:
        pair = self.selected_pair()
        if pair is None or self.store is None:
            return None
        self.tracker.forget(pair.id)
        return self.database.start("Removing the watch pair", lambda _progress: self.store.watch_pairs.remove(pair),
                                   lambda _none: self.reload(), on_error=self._failed, exclusive=False)

    def _on_saved(self, saved: WatchPair, select: bool, note: str) -> None:
        self.pairs = [p for p in self.pairs if p.id != saved.id] + [saved]
        self._report_content()
        if note:
            self.notes_by_pair[saved.id] = note
        self.approaches_start = None
        if self._last_snapshot is not None:
            self.update(self._last_snapshot)
        if select:
            self.select_pair(saved.id, notify=True)

    def _failed(self, error: BaseException) -> None:
        if isinstance(error, StaleEdit):
            current = error.current
            self._say(f"Not saved: {error}. Newer values: caution {current.caution_km:g} km, warning "
                      f"{current.warning_km:g} km, by {current.updated_by}" if current
                      else "Not saved: the pair was removed by someone else")
            self.reload()
        elif isinstance(error, (StoreError, ValueError)):
            self._say(str(error))
        else:
            self._say(f"{type(error).__name__}: {error}")

    def _say(self, text: str) -> None:
        self.message.setText(text)
        if self.interactive and len(text) > 80:
            QMessageBox.warning(self, "Watchlist", text)

    # --- bound to a console session ---------------------------------------------------------------

    def bind(self, session) -> None:
        """Evaluate the session's pairs at each snapshot; the chosen pair is the state's watch pair."""
        self._session = session
        session.catalog_changed.connect(self.set_catalog)
        session.snapshot_ready.connect(self.update)
        session.maneuver_flags_changed.connect(self._on_maneuver_flags)
        session.watch_requested.connect(self.watch)
        session.watchlist_changed.connect(self.reload)
        session.state.connect("selection.objects", lambda _objects: self.set_selected_object(session.selected_norad))
        session.state.connect("selection.watch_pair", self._show_watch_pair)
        self.pair_selected.connect(lambda pair: setattr(session.state.selection, "watch_pair",
                                                        None if pair is None else (pair.primary_id, pair.secondary_id)))
        self.alerts_raised.connect(self._on_alerts)
        self.content_marking.connect(lambda level: session.report_content("watchlist", level))
        self._reported = None
        self._report_content()

    def watch(self, primary: int, secondary: int, note: str = "") -> Job | None:
        """Put a pair on the watchlist (from screening or a CDM), select it and say why it is there."""
        existing = next((p for p in self.pairs if (p.primary_id, p.secondary_id) == (primary, secondary)), None)
        if existing is None:
            return self.add_pair(WatchPair(primary, secondary, notes=note), edit=self.interactive, select=True,
                                 note=note)
        self._on_saved(existing, True, note)
        return None

    def _show_watch_pair(self, ids: tuple[int, int] | None) -> None:
        chosen = self.selected_pair()
        if ids is None or (chosen is not None and (chosen.primary_id, chosen.secondary_id) == tuple(ids)):
            return
        pair = next((p for p in self.pairs if (p.primary_id, p.secondary_id) == tuple(ids)), None)
        if pair is not None:
            self.select_pair(pair.id)
            self._plot_selected()

    def _on_maneuver_flags(self, flags: dict[int, str]) -> None:
        self.set_maneuver_flags(flags)
        watched = {n for p in self.pairs for n in (p.primary_id, p.secondary_id)} & set(flags)
        if watched and self._session is not None:
            self._session.say(f"Possible maneuver of watched object(s) {', '.join(map(str, sorted(watched)))}", 20000)

    def _on_alerts(self, alerts: list) -> None:
        if self._session is None:
            return
        self._session.events_changed.emit()
        worst = min(alerts, key=lambda a: STATUS_RANK[a.status])
        self._session.say(f"<span style='color:{STATUS_COLORS[worst.status]}'><b>{worst.status.upper()}</b></span> "
                          f"{worst.message}", 30000)

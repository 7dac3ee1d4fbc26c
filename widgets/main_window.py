"""The console's main window: globe in the centre, catalog, details and map in docks, the
time controls on top, classification banners above and below everything."""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Sequence

import numpy as np
from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import (QComboBox, QDockWidget, QFileDialog, QHBoxLayout, QInputDialog, QLabel, QMainWindow,
                               QMenuBar, QMessageBox, QProgressDialog, QScrollArea, QSizePolicy, QTabBar, QToolBar,
                               QVBoxLayout, QWidget)

from app import __version__
from app.astro.constants import MEAN_EARTH_RADIUS_KM
from app.astro.orbit_path import period_s, sample_orbit
from app.catalog.catalog import STALE_ELEMENT_AGE_DAYS, Catalog
from app.catalog.ingest import LoadCancelled
from app.catalog.maneuvers import flag_maneuvers
from app.common.resources import default_catalog_paths
from app.common.user_settings import UserSettings, load_settings, save_settings
from app.conjunction.cdm import CdmError, read_cdm
from app.live.clock import SimulationClock
from app.live.engine import Snapshot
from app.rpo.watch_pair import WatchPair
from app.rpo.watchlist import STATUS_RANK
from app.scenario.run import ScenarioRun
from app.sensors.coverage import DEFAULT_COVERAGE_ALT_KM, coverage_ring_deg, ring_itrs
from app.sensors.sites import Sensor, SensorStore
from app.storage.store import Store, StoreError
from app.storage.tasking_store import TaskingStore
from widgets.catalog_panel import CatalogPanel
from widgets.classification_banner import DEFAULT_BANNER, ClassificationBanner
from widgets.details_panel import DetailsPanel
from widgets.engine_bridge import EngineBridge
from widgets.globe_view import GlobeView
from widgets.globe_visuals import EARTH_RADIUS_KM
from widgets.passes_panel import PassesPanel
from widgets.sensors_panel import SensorsPanel
from widgets.launch import CATALOG_PATHS_KEY, saved_catalog_paths
from widgets.preferences import Preferences
from widgets.map_view import MapView
from widgets.textures import earth_texture
from widgets.cdm_dialog import CdmDialog, cdm_summary
from widgets.operator_dialog import OperatorDialog
from widgets.scenario_controller import ScenarioController
from widgets.scenario_panel import ScenarioPanel
from widgets.screening_panel import ScreeningPanel
from widgets.tasking_panel import TaskingPanel
from widgets.timeline import Timeline
from widgets.watchlist_panel import EventLogPanel, WatchlistPanel
from widgets.theme import (NATION_COLORS, OBJECT_TYPE_COLORS, OTHER_NATION_COLOR, REGIME_COLORS, SENSOR_TYPE_COLORS,
                           STATUS_COLORS, category_colors, rgba)
from widgets.time_controls import TimeControls

log = logging.getLogger(__name__)

FRAME_INTERVAL_MS = 33
LAYOUT_VERSION = 2  # raise when docks are added or removed: saved layouts of other versions are not restored
COLOR_MODES = {"Object type": ("object_type", OBJECT_TYPE_COLORS), "Orbit regime": ("regime", REGIME_COLORS)}
ABOUT_TEXT = f"""<b>Coalition Space Operations Console</b> {__version__}<br><br>
Orbital data: CelesTrak (Dr T.S. Kelso).<br>
Owner states: J. McDowell, GCAT, planet4589.org (CC-BY).<br>
Earth imagery: NASA Earth Observatory, Blue Marble Next Generation.<br>
Propagation: SGP4 (Vallado et al. 2006) through python-sgp4."""


class MainWindow(QMainWindow):
    catalog_loaded = Signal(object)  # Catalog, after it is shown
    _load_done = Signal(object, object)  # (Catalog | None, error message | None), from the loader thread
    _load_progress = Signal(int, int, str)
    _maneuvers_found = Signal(object, int)  # (list of ManeuverFlag, catalog version)

    def __init__(self, settings: Preferences | QSettings | None = None, clock: SimulationClock | None = None,
                 interactive: bool = True, sensor_store: SensorStore | None = None, store: Store | None = None,
                 open_default_store: bool = True, database_url: str | None = None):
        """``store``: an open database; else one is opened from ``database_url``, else from the
        user settings' URL, else SQLite in the user data folder (unless ``open_default_store``
        is False: then the watchlist and tasking are off)."""
        super().__init__()
        self.user_settings: UserSettings = load_settings()
        self.settings = Preferences.wrap(settings)
        self.interactive = interactive  # dialogs pop up only for a person, not for tests or screenshots
        self.clock = clock or SimulationClock()
        self.catalog = Catalog.empty()
        self.catalog_paths: list[str] = []
        self.selected_row: int | None = None
        self.color_mode = "Object type"
        self.last_rejections: list = []
        self._colors = np.zeros((0, 4), dtype=np.float32)
        self._loading: threading.Event | None = None
        self._progress: QProgressDialog | None = None

        texture = earth_texture()
        self.bridge = EngineBridge(self)
        self.globe = GlobeView(texture)
        self.map_view = MapView(texture)
        self.catalog_panel = CatalogPanel(self.settings)
        self.sensor_store = sensor_store or SensorStore()
        self.sensors_panel = SensorsPanel(self.sensor_store, interactive)
        self.passes_panel = PassesPanel()
        self.store, store_problem = store, None
        if store is None and open_default_store:
            try:
                self.store = Store(database_url or self.user_settings.database_url or None,
                                   operator=self.user_settings.operator)
            except StoreError as error:  # the console still runs, without the watchlist and tasking
                store_problem = str(error)
        self.watchlist = WatchlistPanel(self.store, interactive)
        self.tasking = TaskingPanel(TaskingStore(self.store) if self.store else None, interactive)
        self.timeline = Timeline()
        self.scenario_panel = ScenarioPanel(interactive)
        self.screening = ScreeningPanel()
        self.event_log = EventLogPanel(self.store)
        self.selected_sensor: Sensor | None = None
        self.sensors: list[Sensor] = []
        self.sensor_color_mode = "type"  # or "nation"
        self.details = DetailsPanel()
        self.time_controls = TimeControls(self.clock)
        self.top_banner = ClassificationBanner()
        self.bottom_banner = ClassificationBanner()
        self.legend = QLabel(objectName="legendLabel")
        self.status_label = QLabel(objectName="statusLabel")
        self._status_timer = QTimer(self, singleShot=True)
        self._status_timer.timeout.connect(self.status_label.clear)
        self.color_box = QComboBox()
        self.color_box.addItems(list(COLOR_MODES))

        self._build_layout()
        self._build_menus()
        self._connect()
        self.setAcceptDrops(True)
        self.set_banner(self.settings.text("banner/text", DEFAULT_BANNER))
        self._update_legend()
        self.set_sensors(self.sensors_panel.sensors)
        self._update_title()
        self.tasking.reload()
        if store_problem:
            self.show_status(f"Watchlist and tasking off: {store_problem}", 60000)
        self.frame_timer = QTimer(self, interval=FRAME_INTERVAL_MS)
        self.frame_timer.timeout.connect(self.advance_frame)
        self._slow_timer = QTimer(self, interval=1000)
        self._slow_timer.timeout.connect(self._once_a_second)

    # --- construction ----------------------------------------------------------------------------

    def _build_layout(self) -> None:
        bar = QHBoxLayout()
        bar.setContentsMargins(6, 2, 6, 2)
        bar.addWidget(QLabel("Colour by"))
        bar.addWidget(self.color_box)
        bar.addWidget(self.legend, 1)
        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addLayout(bar)
        column.addWidget(self.globe, 1)
        column.addWidget(self.timeline)
        self.setCentralWidget(central)
        # the banners frame the whole window: above the menu bar and below everything else
        top = QWidget()
        top_column = QVBoxLayout(top)
        top_column.setContentsMargins(0, 0, 0, 0)
        top_column.setSpacing(0)
        top_column.addWidget(self.top_banner)
        top_column.addWidget(QMenuBar(self))
        self.setMenuWidget(top)
        bottom = QToolBar("Classification", self)
        bottom.setObjectName("bottomBanner")
        bottom.setMovable(False)
        bottom.setFloatable(False)
        bottom.toggleViewAction().setEnabled(False)
        bottom.setContentsMargins(0, 0, 0, 0)
        bottom.setStyleSheet("QToolBar { padding: 0px; border: none; }")
        holder = QWidget()
        holder_column = QVBoxLayout(holder)
        holder_column.setContentsMargins(0, 0, 0, 0)
        holder_column.setSpacing(0)
        holder_column.addWidget(self.status_label)
        holder_column.addWidget(self.bottom_banner)
        holder.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        bottom.addWidget(holder)
        self.addToolBar(Qt.ToolBarArea.BottomToolBarArea, bottom)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.time_controls)
        # side docks run the full height: the map sits under the globe, near its 2:1 shape
        self.setCorner(Qt.Corner.BottomLeftCorner, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.setCorner(Qt.Corner.BottomRightCorner, Qt.DockWidgetArea.RightDockWidgetArea)
        self.catalog_dock = self._dock("Catalog", "catalogDock", self.catalog_panel, Qt.DockWidgetArea.LeftDockWidgetArea)
        details_scroll = QScrollArea()
        details_scroll.setWidget(self.details)
        details_scroll.setWidgetResizable(True)
        details_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.details_dock = self._dock("Details", "detailsDock", details_scroll, Qt.DockWidgetArea.RightDockWidgetArea)
        self.map_dock = self._dock("Ground track", "mapDock", self.map_view, Qt.DockWidgetArea.BottomDockWidgetArea)
        self.passes_dock = self._dock("Passes", "passesDock", self.passes_panel, Qt.DockWidgetArea.BottomDockWidgetArea)
        self.sensors_dock = self._dock("Sensors", "sensorsDock", self.sensors_panel, Qt.DockWidgetArea.RightDockWidgetArea)
        self.watchlist_dock = self._dock("Watchlist", "watchlistDock", self.watchlist,
                                         Qt.DockWidgetArea.BottomDockWidgetArea)
        self.events_dock = self._dock("Events", "eventsDock", self.event_log, Qt.DockWidgetArea.BottomDockWidgetArea)
        self.screening_dock = self._dock("Screening", "screeningDock", self.screening,
                                         Qt.DockWidgetArea.BottomDockWidgetArea)
        self.tasking_dock = self._dock("Tasking", "taskingDock", self.tasking, Qt.DockWidgetArea.BottomDockWidgetArea)
        self.scenario_dock = self._dock("Exercise control", "scenarioDock", self.scenario_panel,
                                        Qt.DockWidgetArea.BottomDockWidgetArea)
        self.tabifyDockWidget(self.map_dock, self.passes_dock)
        self.tabifyDockWidget(self.map_dock, self.watchlist_dock)
        self.tabifyDockWidget(self.map_dock, self.events_dock)
        self.tabifyDockWidget(self.map_dock, self.screening_dock)
        self.tabifyDockWidget(self.map_dock, self.tasking_dock)
        self.tabifyDockWidget(self.map_dock, self.scenario_dock)
        self.scenario_dock.hide()  # shown when a scenario is opened
        self.tabifyDockWidget(self.details_dock, self.sensors_dock)
        self.map_dock.raise_()
        self.details_dock.raise_()
        self.resizeDocks([self.catalog_dock, self.details_dock], [520, 330], Qt.Orientation.Horizontal)
        self.resizeDocks([self.map_dock], [380], Qt.Orientation.Vertical)

    def _dock(self, title: str, name: str, widget: QWidget, area) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        dock.dockLocationChanged.connect(lambda *_: QTimer.singleShot(0, self._hide_stray_tab_bars))
        return dock

    def _hide_stray_tab_bars(self) -> None:
        """Qt 6.12 leaves extra, unused tab bars of tabified docks visible over the views
        (seen with plain QMainWindow too): keep only the bar lying along its docks."""
        docks = {d.windowTitle(): d for d in self.findChildren(QDockWidget)}
        for bar in self.findChildren(QTabBar):
            if bar.parent() is not self or bar.count() == 0:
                continue
            dock = docks.get(bar.tabText(0))
            if dock is None:
                continue
            area = dock.geometry()
            along = (abs(bar.geometry().top() - area.bottom()) <= 8 or abs(bar.geometry().bottom() - area.top()) <= 8)
            overlaps = bar.geometry().left() < area.right() and bar.geometry().right() > area.left()
            if not (along and overlaps):
                bar.hide()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        QTimer.singleShot(0, self._hide_stray_tab_bars)

    def _build_menus(self) -> None:
        menu_bar = self.menuWidget().findChild(QMenuBar)
        file_menu = menu_bar.addMenu("&File")
        self._add_action(file_menu, "&Open catalog…", QKeySequence.StandardKey.Open, self.open_catalog_dialog)
        self._add_action(file_menu, "Load &default catalog", None, lambda: self.load_catalog(default_catalog_paths()))
        self._add_action(file_menu, "Open &CDM…", None, self.open_cdm_dialog)
        self._add_action(file_menu, "Save &screenshot…", "Ctrl+Shift+S", self.save_screenshot_dialog)
        self._add_action(file_menu, "Operator and &database…", None, self.operator_dialog)
        file_menu.addSeparator()
        self._add_action(file_menu, "&Quit", QKeySequence.StandardKey.Quit, self.close)

        view_menu = menu_bar.addMenu("&View")
        self.grid_action = self._add_action(view_menu, "Latitude/longitude &grid", "G",
                                            lambda: self.globe.set_grid_visible(self.grid_action.isChecked()))
        self.grid_action.setCheckable(True)
        self.follow_action = self._add_action(view_menu, "&Follow selected object", "F", self._toggle_follow)
        self.follow_action.setCheckable(True)
        self._add_action(view_menu, "&Reset camera", "R", self.globe.reset_camera)
        self._add_action(view_menu, "Zoom &in", "Ctrl+=", lambda: self.globe.zoom(0.8))
        self._add_action(view_menu, "Zoom &out", "Ctrl+-", lambda: self.globe.zoom(1.25))
        colour_menu = view_menu.addMenu("&Colour by")
        group = QActionGroup(self)
        for mode in COLOR_MODES:
            action = self._add_action(colour_menu, mode, None, lambda m=mode: self.set_color_mode(m))
            action.setCheckable(True)
            action.setChecked(mode == self.color_mode)
            group.addAction(action)
        self._add_action(view_menu, "Classification &banner…", None, self.banner_dialog)
        self.sensors_action = self._add_action(view_menu, "&Sensor sites", "S", self._toggle_sensors)
        self.sensors_action.setCheckable(True)
        self.sensors_action.setChecked(True)
        sensor_colour_menu = view_menu.addMenu("Colour sensors &by")
        sensor_group = QActionGroup(self)
        for mode, title in (("type", "Sensor type"), ("nation", "Operator nation")):
            action = self._add_action(sensor_colour_menu, title, None, lambda m=mode: self.set_sensor_color_mode(m))
            action.setCheckable(True)
            action.setChecked(mode == "type")
            sensor_group.addAction(action)
        self.timeline_action = self._add_action(view_menu, "&Timeline under the globe", "T",
                                                lambda: self.timeline.setVisible(self.timeline_action.isChecked()))
        self.timeline_action.setCheckable(True)
        self.timeline_action.setChecked(True)
        self.shadow_action = self._add_action(view_menu, "&Dim objects in the Earth's shadow", "D", self._toggle_shadow)
        self.shadow_action.setCheckable(True)
        view_menu.addSeparator()
        for dock in (self.catalog_dock, self.details_dock, self.map_dock, self.passes_dock, self.sensors_dock,
                     self.watchlist_dock, self.events_dock, self.screening_dock, self.tasking_dock,
                     self.scenario_dock):
            view_menu.addAction(dock.toggleViewAction())
        help_menu = menu_bar.addMenu("&Help")
        self._add_action(help_menu, "&About", None, lambda: QMessageBox.about(self, "About", ABOUT_TEXT))

    def _add_action(self, menu, text, shortcut, slot) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(lambda *_: slot())
        menu.addAction(action)
        return action

    def _connect(self) -> None:
        self.bridge.snapshot_ready.connect(self.on_snapshot)
        self.catalog_panel.object_selected.connect(self.select_row)
        self.catalog_panel.filter_changed.connect(self._on_filter_changed)
        self.globe.object_clicked.connect(self.select_row)
        self.time_controls.clock_changed.connect(self._on_clock_changed)
        self.color_box.currentTextChanged.connect(self.set_color_mode)
        self._load_done.connect(self._on_load_done)
        self.sensors_panel.sensors_changed.connect(self.set_sensors)
        self.sensors_panel.sensor_selected.connect(self.select_sensor)
        self.passes_panel.jump_requested.connect(self.time_controls.jump_to)
        self.watchlist.pair_selected.connect(self.show_pair)
        self.watchlist.alerts_raised.connect(self._on_alerts)
        self.screening.watch_requested.connect(self.watch_pair)
        self.screening.run_button.pressed.connect(self._update_screening_context)
        self._load_progress.connect(self._on_load_progress)
        self._maneuvers_found.connect(self._on_maneuvers)
        self.tasking.target_selected.connect(self._on_tasking_target)
        self.tasking.schedule_changed.connect(self._show_scheduled_passes)
        self.timeline.time_dragged.connect(self.time_controls.jump_to)
        self.scenario_panel.jump_requested.connect(self.time_controls.jump_to)
        self.exercise = ScenarioController(self)

    # --- running ---------------------------------------------------------------------------------

    def start(self) -> None:
        """Begin ticking (the frame timer drives the clock, the engine and the views)."""
        self.advance_frame()
        self.frame_timer.start()
        self._slow_timer.start()

    def advance_frame(self) -> None:
        epoch = self.clock.now()
        self.globe.set_epoch(epoch)
        self.map_view.set_epoch(epoch)
        self.bridge.tick(epoch)
        self.time_controls.refresh()
        self.timeline.set_now(epoch)

    def _once_a_second(self) -> None:
        epoch = self.clock.now()
        self.details.update_age(epoch)
        self.catalog_panel.update_ages(epoch)
        self.tasking.now = epoch  # new requests' default window starts here
        self.exercise.apply_state()

    def on_snapshot(self, snapshot: Snapshot) -> None:
        shown = self.catalog_panel.mask
        if len(shown) != len(snapshot):
            shown = np.ones(len(snapshot), dtype=bool)
        self.globe.set_snapshot(snapshot, self._colors, shown)
        self.map_view.set_snapshot(snapshot, self._colors, shown)
        self.details.update_state(snapshot)
        self.watchlist.update(snapshot)
        if not self._status_timer.isActive():
            self.status_label.setText(f"{len(snapshot):,} objects at {snapshot.epoch:%Y-%m-%d %H:%M:%S} UTC"
                                      f" — engine tick {snapshot.compute_s * 1000:.0f} ms")

    def _on_clock_changed(self) -> None:
        self.exercise.apply_state()
        self.advance_frame()
        if self.selected_row is not None:
            self._refresh_selection_paths()

    # --- catalog ---------------------------------------------------------------------------------

    def load_catalog(self, paths: Sequence[str | Path], wait: bool = False) -> None:
        """Read files on a worker thread (progress and cancel for long loads); ``wait`` reads
        them here instead (screenshots, tests)."""
        paths = [str(p) for p in paths]
        if wait:
            self.set_catalog(Catalog.load(paths), paths)
            return
        if self._loading is not None:
            self._loading.set()  # the newer load wins
        cancel = threading.Event()
        self._loading = cancel
        if self.interactive:
            self._progress = QProgressDialog("Reading catalog files…", "Cancel", 0, len(paths), self)
            self._progress.setWindowTitle("Loading catalog")
            self._progress.setMinimumDuration(400)
            self._progress.canceled.connect(cancel.set)

        def progress(done: int, total: int, name: str) -> bool:
            self._load_progress.emit(done, total, name)
            return cancel.is_set()

        def work() -> None:
            try:
                catalog = Catalog.load(paths, progress=progress)
                self._load_done.emit((catalog, paths, cancel), None)
            except LoadCancelled:
                self._load_done.emit(None, None)
            except Exception as error:  # never lose the console to a load
                log.exception("loading %s failed", paths)
                self._load_done.emit(None, f"{type(error).__name__}: {error}")

        threading.Thread(target=work, name="catalog-loader", daemon=True).start()

    def _on_load_progress(self, done: int, total: int, name: str) -> None:
        if self._progress is not None:
            self._progress.setMaximum(total)
            self._progress.setValue(done)
            self._progress.setLabelText(f"Reading {Path(name).name}…" if name else "Building the catalog…")

    def _on_load_done(self, result, error: str | None) -> None:
        if self._progress is not None:
            self._progress.reset()
            self._progress = None
        if error is not None:
            self._report(QMessageBox.Icon.Critical, "Catalog not loaded", error)
            return
        if result is None:
            self.show_status("Catalog load cancelled; the previous catalog stays.", 5000)
            return
        catalog, paths, cancel = result
        if cancel.is_set():
            return
        self._loading = None
        self.set_catalog(catalog, paths)

    def set_catalog(self, catalog: Catalog, paths: Sequence[str], remember: bool = True) -> None:
        """Show ``catalog``; ``remember`` its files for the next start (not a scenario's)."""
        previous = self.catalog
        if len(previous) and len(catalog):  # a refresh: look for maneuvers on a worker thread
            threading.Thread(target=lambda: self._maneuvers_found.emit(flag_maneuvers(previous, catalog),
                                                                       catalog.version),
                             name="maneuver-flags", daemon=True).start()
        self.catalog = catalog
        self.catalog_paths = list(paths)
        self.selected_row = None
        self._colors = self._colors_for(catalog)
        self.bridge.set_catalog(catalog)
        self.globe.clear()
        self.map_view.set_selection(None, None, None)
        self.details.show_object(catalog, None, self.clock.now())
        self.catalog_panel.set_catalog(catalog, self.clock.now())
        self.watchlist.set_catalog(catalog)
        self.tasking.set_context(catalog, self.sensors, self.clock.now())
        self.globe.set_pair(None)
        if remember:
            self.settings.set_json(CATALOG_PATHS_KEY, [str(p) for p in self.catalog_paths])
        self.last_rejections = list(catalog.rejections)
        if catalog.rejections:
            lines = "\n".join(str(r) for r in catalog.rejections[:500])
            more = f"\n… and {len(catalog.rejections) - 500} more" if len(catalog.rejections) > 500 else ""
            self._report(QMessageBox.Icon.Warning, "Some records were rejected",
                         f"{len(catalog):,} objects loaded; {len(catalog.rejections)} records rejected.",
                         lines + more)
        message = f"Loaded {len(catalog):,} objects from {len(paths)} file(s)"
        if len(catalog):
            median_age = float(np.median(np.abs(catalog.element_age_days(self.clock.now()))))
            if median_age > STALE_ELEMENT_AGE_DAYS:
                message += (f" — CAUTION: element sets are {median_age:.0f} days from the clock's time (median);"
                            " positions are extrapolated far beyond their epochs")
        self.show_status(message, 15000)
        self.bridge.tick(self.clock.now())  # the first snapshot of the new catalog, now
        self.catalog_loaded.emit(catalog)

    def show_status(self, text: str, timeout_ms: int) -> None:
        """A message under the views, kept for ``timeout_ms`` before engine figures return."""
        self.status_label.setText(text)
        self._status_timer.start(timeout_ms)

    def _on_maneuvers(self, flags: list, catalog_version: int) -> None:
        """Mark flagged objects in the catalog and the watchlist; log every flag as an event."""
        if catalog_version != self.catalog.version:
            return
        messages = {f.norad_id: f.message() for f in flags}
        self.catalog_panel.model.set_flags(messages)
        self.watchlist.set_maneuver_flags(messages)
        if self.store is not None and flags:
            try:
                self.store.log_events([{"sim_utc": f.new_epoch_utc, "kind": "maneuver", "severity": "caution",
                                        "message": f.message(), "data": {"delta_a_km": f.delta_a_km,
                                                                         "age_days": f.age_days}} for f in flags])
            except StoreError as error:
                self.show_status(f"Maneuver flags not logged: {error}", 15000)
            self.event_log.reload()
        watched = {n for p in self.watchlist.pairs for n in (p.primary_id, p.secondary_id)} & set(messages)
        self.show_status(f"{len(flags):,} possible maneuvers since the previous catalog"
                         + (f"; watched: {', '.join(map(str, sorted(watched)))}" if watched else ""), 20000)

    def _report(self, icon, title: str, text: str, details: str = "") -> None:
        log.warning("%s: %s", title, text)
        if not self.interactive:
            return
        box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, self)
        if details:
            box.setDetailedText(details)
        box.setModal(False)
        box.show()

    def open_catalog_dialog(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(self, "Open catalog files", "",
                                                "Element sets (*.tle *.3le *.2le *.txt *.xml *.kvn *.omm *.json *.csv);;"
                                                "All files (*)")
        if files:
            self.load_catalog(files)

    def dragEnterEvent(self, event) -> None:
        if event.mimeData().hasUrls() and all(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        files = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if files:
            self.load_catalog(files)
            event.acceptProposedAction()

    # --- colours, filter, selection ------------------------------------------------------------

    def _colors_for(self, catalog: Catalog) -> np.ndarray:
        column, palette = COLOR_MODES[self.color_mode]
        return category_colors(getattr(catalog, column), palette)

    def set_color_mode(self, mode: str) -> None:
        if mode not in COLOR_MODES:
            return
        self.color_mode = mode
        if self.color_box.currentText() != mode:
            self.color_box.setCurrentText(mode)
        self._colors = self._colors_for(self.catalog)
        if self.bridge.latest is not None:
            self.globe.set_colors(self._colors)
            self.map_view.set_snapshot(self.bridge.latest, self._colors, self.catalog_panel.mask, force=True)
        self._update_legend()

    def _update_legend(self) -> None:
        _column, palette = COLOR_MODES[self.color_mode]
        self.legend.setText("  ".join(f"<span style='color:{c}'>●</span> {name.title()}" for name, c in palette.items()))

    def _on_filter_changed(self, mask: np.ndarray) -> None:
        self.globe.set_shown(mask)
        if self.bridge.latest is not None and len(mask) == len(self.bridge.latest):
            self.map_view.set_snapshot(self.bridge.latest, self._colors, mask, force=True)

    def select_norad(self, norad_id: int) -> None:
        self.select_row(self.catalog.row_of(norad_id))

    def select_row(self, row: int | None) -> None:
        self.selected_row = row
        self.watchlist.set_selected_object(None if row is None else int(self.catalog.norad_id[row]))
        self.tasking.selected_object = None if row is None else int(self.catalog.norad_id[row])
        self.passes_panel.set_object(self.catalog, row)
        self.passes_panel.set_start(self.clock.now())
        self.catalog_panel.select_row(row)
        self.details.show_object(self.catalog, row, self.clock.now())
        if self.bridge.latest is not None:
            self.details.update_state(self.bridge.latest)
        self._refresh_selection_paths()

    def _refresh_selection_paths(self) -> None:
        row = self.selected_row
        if row is None:
            self.globe.set_selection(None, None, "")
            self.map_view.set_selection(None, None, None)
            return
        satrec = self.catalog.satrecs[row]
        now = self.clock.now()
        orbit = sample_orbit(satrec, now)
        period = period_s(satrec)
        track = sample_orbit(satrec, now, span_s=2 * period, start_offset_s=-period, points=721)
        label = str(self.catalog.name[row]) or str(self.catalog.norad_id[row])
        self.globe.set_selection(row, orbit, label)
        self.map_view.set_selection(row, track, self.bridge.latest)
        if self.selected_sensor is not None:
            self.select_sensor(self.selected_sensor)

    # --- sensors -------------------------------------------------------------------------------

    def set_sensors(self, sensors: list[Sensor]) -> None:
        self.sensors = list(sensors)
        if self.sensor_color_mode == "nation":
            palette = [NATION_COLORS.get(s.operator_nation, OTHER_NATION_COLOR) for s in sensors]
        else:
            palette = [SENSOR_TYPE_COLORS[s.sensor_type] for s in sensors]
        colors = [c if s.operational else STATUS_COLORS["off"] for c, s in zip(palette, sensors)]
        lat = np.array([s.lat_deg for s in sensors])
        lon = np.array([s.lon_deg for s in sensors])
        r = ring_itrs(lat, lon, 1.0) if len(sensors) else np.zeros((0, 3))
        self.globe.set_sensors(r, np.array([rgba(c) for c in colors]) if colors else np.zeros((0, 4)))
        self.map_view.set_sensors(lat, lon, colors)
        self.passes_panel.set_sensors(sensors)
        self.tasking.set_context(self.catalog, self.sensors, self.clock.now())
        if self.selected_sensor is not None and self.selected_sensor.name not in {s.name for s in sensors}:
            self.select_sensor(None)

    def set_sensor_color_mode(self, mode: str) -> None:
        self.sensor_color_mode = mode
        self.set_sensors(self.sensors)
        if mode == "nation":
            legend = "  ".join(f"<span style='color:{c}'>■</span> {n}" for n, c in NATION_COLORS.items())
            self.show_status(f"Sensors by operator nation: {legend}  <span style='color:{OTHER_NATION_COLOR}'>■</span> "
                             "other", 15000)

    def select_sensor(self, sensor: Sensor | None) -> None:
        """Show what the sensor covers at the selected object's altitude (else 800 km)."""
        self.selected_sensor = sensor
        if sensor is None:
            self.globe.set_coverage(None)
            self.map_view.set_coverage(None)
            return
        alt_km = DEFAULT_COVERAGE_ALT_KM
        snapshot = self.bridge.latest
        if self.selected_row is not None and snapshot is not None and snapshot.valid[self.selected_row]:
            alt_km = float(snapshot.alt_km[self.selected_row])
        ring = coverage_ring_deg(sensor, alt_km)
        self.map_view.set_coverage(ring)
        self.globe.set_coverage(None if ring is None else
                                ring_itrs(ring[0], ring[1], (MEAN_EARTH_RADIUS_KM + alt_km) / EARTH_RADIUS_KM))
        self.show_status(f"{sensor.name}: coverage at {alt_km:,.0f} km altitude"
                         + ("" if ring else " — out of reach"), 8000)

    def _update_screening_context(self) -> None:
        selected = None if self.selected_row is None else int(self.catalog.norad_id[self.selected_row])
        self.screening.set_context(self.catalog, selected, self.clock.now())

    def watch_pair(self, primary: int, secondary: int, note: str = "") -> WatchPair | None:
        """Put a pair on the watchlist (from screening or a CDM) and show it there."""
        existing = next((p for p in self.watchlist.pairs if (p.primary_id, p.secondary_id) == (primary, secondary)),
                        None)
        pair = existing or self.watchlist.add_pair(WatchPair(primary, secondary, notes=note), edit=self.interactive)
        if pair is None:
            return None
        if note:
            self.watchlist.notes_by_pair[pair.id] = note
        if self.bridge.latest is not None:
            self.watchlist.update(self.bridge.latest)
        self.watchlist_dock.raise_()
        self.watchlist.select_pair(pair.id, notify=True)
        return pair

    def open_cdm(self, path: str) -> CdmDialog | None:
        try:
            cdm = read_cdm(path)
        except CdmError as error:
            self._report(QMessageBox.Icon.Warning, "CDM not read", str(error))
            self.show_status(f"CDM not read: {error}", 15000)
            return None
        dialog = CdmDialog(cdm, self.catalog, self)
        dialog.watch_requested.connect(lambda a, b: self.watch_pair(a, b, cdm_summary(cdm, dialog.pc, dialog.hbr.value())))
        if self.interactive:
            dialog.show()
        return dialog

    def open_cdm_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open CDM", "", "CDM (*.cdm *.txt *.kvn *.xml);;All files (*)")
        if path:
            self.open_cdm(path)

    def show_pair(self, pair: WatchPair | None) -> None:
        """Highlight a watched pair on the globe and turn the camera to it."""
        if pair is None or pair.primary_id not in self.catalog or pair.secondary_id not in self.catalog:
            self.globe.set_pair(None)
            return
        self.globe.set_pair((self.catalog.row_of(pair.primary_id), self.catalog.row_of(pair.secondary_id)))
        positions = self.globe.pair_positions()
        if positions is not None:
            self.globe.look_at(positions.mean(axis=0))

    def _on_alerts(self, alerts: list) -> None:
        self.event_log.reload()
        worst = min(alerts, key=lambda a: STATUS_RANK[a.status])
        color = STATUS_COLORS[worst.status]
        self.show_status(f"<span style='color:{color}'><b>{worst.status.upper()}</b></span> {worst.message}", 30000)

    def _toggle_sensors(self) -> None:
        visible = self.sensors_action.isChecked()
        self.globe.set_sensors_visible(visible)
        self.map_view.set_sensors_visible(visible)

    def _toggle_shadow(self) -> None:
        self.globe.points.set_shadow_dimming(0.3 if self.shadow_action.isChecked() else 1.0)

    def _toggle_follow(self) -> None:
        self.globe.follow_selection = self.follow_action.isChecked()

    # --- scenario --------------------------------------------------------------------------------

    @property
    def scenario(self) -> ScenarioRun | None:
        return self.exercise.run

    def open_scenario(self, run: ScenarioRun) -> None:
        self.exercise.open(run)

    # --- tasking ---------------------------------------------------------------------------------

    def _on_tasking_target(self, norad_id: int) -> None:
        if norad_id in self.catalog:
            if self.selected_row is None or int(self.catalog.norad_id[self.selected_row]) != norad_id:
                self.select_norad(norad_id)
        else:
            self.show_status(f"Tasking target {norad_id} is not in the loaded catalog", 8000)

    def _show_scheduled_passes(self, passes: list) -> None:
        self.timeline.set_intervals("Passes", [(p.aos, p.los, p.sensor) for p in passes], "#4dacff")

    def _update_title(self) -> None:
        operator = self.store.operator if self.store is not None else self.user_settings.operator
        where = "" if self.store is None or self.store.url.startswith("sqlite") else f" — {self.store.url.split('@')[-1]}"
        self.setWindowTitle(f"Coalition Space Operations Console — {operator.label}{where}")

    def operator_dialog(self) -> None:
        dialog = OperatorDialog(self.user_settings, self)
        if dialog.exec() and dialog.result_settings is not None:
            self.set_user_settings(dialog.result_settings)

    def set_user_settings(self, settings: UserSettings) -> None:
        """Save who is at the console (signs changes from now on) and the database for the next start."""
        database_changed = settings.database_url != self.user_settings.database_url
        save_settings(settings)
        self.user_settings = settings
        if self.store is not None:
            self.store.operator = settings.operator
        self._update_title()
        if database_changed:
            self.show_status("The new database is used from the next start.", 15000)

    # --- frame -----------------------------------------------------------------------------------

    def set_banner(self, text: str) -> None:
        self.top_banner.set_marking(text)
        self.bottom_banner.set_marking(text)

    def banner_dialog(self) -> None:
        text, ok = QInputDialog.getText(self, "Classification banner",
                                        "Marking shown above and below the console (e.g. SECRET//REL TO AUS, GBR, USA):",
                                        text=self.top_banner.text())
        if ok and text.strip():
            self.set_banner(text.strip())
            self.settings.set_text("banner/text", text.strip().upper())

    def save_screenshot(self, path: str | Path) -> bool:
        return self.grab().save(str(path))

    def save_screenshot_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save screenshot", "spaceops.png", "PNG images (*.png)")
        if path:
            self.save_screenshot(path)

    def restore_layout(self) -> None:
        """Window geometry, dock layout and colour mode from the last session; anything
        unreadable or from another version is ignored and said in the status line."""
        geometry, state = self.settings.byte_array("window/geometry"), self.settings.byte_array("window/state")
        if geometry is not None and not self.restoreGeometry(geometry):
            self.settings.note_problem("window/geometry: not a window geometry; ignored")
        if state is not None and not self.restoreState(state, LAYOUT_VERSION):
            self.settings.note_problem("window/state: a dock layout from another version; the default layout is used")
        mode = self.settings.text("view/color_mode", self.color_mode)
        if mode not in COLOR_MODES:
            self.settings.note_problem(f"view/color_mode: {mode[:40]!r} is not a colour mode; ignored")
        self.set_color_mode(mode if mode in COLOR_MODES else self.color_mode)
        self.show_settings_problems()

    def show_settings_problems(self) -> None:
        """Say in the status line that saved settings were ignored (each one is in the log)."""
        problems = self.settings.problems
        if problems:
            self.show_status(f"Some saved settings were ignored and defaults used ({len(problems)}): {problems[0]}"
                             + (" …; see the log" if len(problems) > 1 else ""), 30000)

    def saved_catalog_paths(self) -> list[str]:
        return saved_catalog_paths(self.settings)

    def closeEvent(self, event) -> None:
        self.settings.set_byte_array("window/geometry", self.saveGeometry())
        self.settings.set_byte_array("window/state", self.saveState(LAYOUT_VERSION))
        self.settings.set_text("view/color_mode", self.color_mode)
        self.settings.sync()
        self.frame_timer.stop()
        self._slow_timer.stop()
        self.bridge.shutdown()
        if self.store is not None:
            self.store.close()
        super().closeEvent(event)

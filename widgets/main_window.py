"""The console's main window: it builds the views and panels, binds each to the session,
and docks them — globe in the centre, catalog, details and map in docks, the time controls
on top, classification banners above and below everything. What the console shows lives in
the session's state (``window.session.state``); the menus are in ``widgets.main_menus``."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Sequence

from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (QComboBox, QDockWidget, QHBoxLayout, QLabel, QMainWindow, QScrollArea, QVBoxLayout,
                               QWidget)

from app.common.user_settings import (Operator, PasswordFileError, UserSettings, connection_password, current_user,
                                     load_settings)
from widgets.dialogs.operator_dialog import identity_text
from app.live.clock import SimulationClock
from app.scenario.run import ScenarioRun
from app.common.explanations import REGIMES
from app.common.output_file import replaced_when_done
from app.sensors.sites import SensorStore
from app.storage import Store, StoreError
from widgets.catalog_loader import CatalogLoader
from widgets.classroom import Classroom
from widgets.floor_link import FloorLink
from widgets.main_menus import build_menus
from widgets.panels.catalog_panel import CatalogPanel
from widgets.panels.details_panel import DetailsPanel
from widgets.panels.event_log_panel import EventLogPanel
from widgets.panels.floor_panel import FloorPanel
from widgets.panels.passes_panel import PassesPanel
from widgets.panels.scenario_panel import ScenarioPanel
from widgets.panels.screening_panel import ScreeningPanel
from widgets.catalog_feed import CatalogFeedWatcher, FeedSettings
from widgets.element_history import HistoryKeeper
from widgets.export_briefing import approach_briefing_dialog
from widgets.panels.sensor_sees_panel import SensorSeesPanel
from widgets.theme import SEEN_COLOR
from widgets.panels.sensors_panel import SensorsPanel
from widgets.panels.tasking_panel import TaskingPanel
from widgets.panels.time_controls import TimeControls
from widgets.panels.watchlist_panel import WatchlistPanel
from widgets.preferences import CATALOG_PATHS_KEY, Preferences, saved_catalog_paths
from widgets.runner import JobRunner
from widgets.scenario_controller import ScenarioController
from widgets.session import ConsoleSession
from widgets.views.alert_status import AlertCount, CriticalBanner
from widgets.views.classification_banner import DEFAULT_BANNER, ClassificationBanner
from widgets.views.globe_binding import GlobeBinding
from widgets.views.globe_view import GlobeView
from widgets.views.map_binding import MapBinding
from widgets.views.map_view import MapView
from widgets.views.point_style import COLOR_MODES, ObjectColors, object_legend_html, sensor_legend_html
from widgets.views.textures import earth_texture
from widgets.views.timeline import Timeline
from widgets.window_frame import frame_with_banners, hide_stray_tab_bars

log = logging.getLogger(__name__)

LAYOUT_VERSION = 3  # raise when docks are added or removed: saved layouts of other versions are not restored


QT_GEOMETRY_MAGIC = bytes.fromhex("01d9d0cb")  # how QWidget.saveGeometry's data starts


def fit_to_screen(window: QWidget, width: int, height: int) -> None:
    """The preferred size, or the screen's available area where that is smaller (a laptop)."""
    screen = window.screen() or QGuiApplication.primaryScreen()
    area = screen.availableGeometry() if screen is not None else None
    if area is None or area.isEmpty():
        window.resize(width, height)
        return
    window.resize(min(width, area.width()), min(height, area.height()))
    window.move(area.topLeft())


class MainWindow(QMainWindow):
    catalog_loaded = Signal(object)  # Catalog, after it is shown

    def __init__(self, settings: Preferences | QSettings | None = None, clock: SimulationClock | None = None,
                 interactive: bool = True, sensor_store: SensorStore | None = None, store: Store | None = None,
                 open_default_store: bool = True, database_url: str | None = None,
                 password_file: str | None = None):
        """``store``: an open database; else one is opened from ``database_url``, else from the
        user settings' URL, else SQLite in the user data folder (unless ``open_default_store``
        is False: then the watchlist and tasking are off)."""
        super().__init__()
        self.user_settings: UserSettings = load_settings()
        self.settings = Preferences.wrap(settings)
        self.interactive = interactive
        store_problem = None
        if store is None and open_default_store:
            try:
                store = Store(database_url or self.user_settings.database_url or None,
                              password=connection_password(self.user_settings, password_file))
            except (StoreError, PasswordFileError) as error:  # the console still runs, without the watchlist and tasking
                store_problem = str(error)
        self.session = session = ConsoleSession(clock, store, interactive, parent=self)
        self.loader = CatalogLoader(session, self)
        self.catalog_feed = CatalogFeedWatcher(session, self.loader, self.settings, parent=self)
        self._feed_started = False
        self.history_keeper = HistoryKeeper(session, self.loader, parent=self)
        self.colors = ObjectColors(session)  # before the views, so they draw the new colours

        texture = earth_texture()
        self.globe, self.map_view, self.timeline = GlobeView(texture), MapView(texture), Timeline()
        self.catalog_panel = CatalogPanel(self.settings)
        self.details = DetailsPanel()
        self.sensors_panel = SensorsPanel(sensor_store or SensorStore(), interactive)
        self.passes_panel = PassesPanel()
        self.sensor_sees = SensorSeesPanel()
        self.watchlist = WatchlistPanel(store, interactive)
        self.event_log = EventLogPanel(store)
        self.screening = ScreeningPanel()
        self.tasking = TaskingPanel(store.tasking if store else None, interactive)
        self.floor_panel = FloorPanel(store)
        self.scenario_panel = ScenarioPanel(interactive)
        self.time_controls = TimeControls(session.clock)
        self.top_banner, self.bottom_banner = ClassificationBanner(), ClassificationBanner()
        self.legend = QLabel(objectName="legendLabel", wordWrap=True)  # a second line rather than a wider window
        self.status_label = QLabel(objectName="statusLabel")
        self.alert_count, self.critical_banner = AlertCount(), CriticalBanner()
        self.color_box = QComboBox()
        self.color_box.addItems(list(COLOR_MODES))
        self._status_timer = QTimer(self, singleShot=True)
        self._status_timer.timeout.connect(self.status_label.clear)

        self.classroom_bar = QLabel()  # replaced by the classroom's FOLLOWING bar once it exists
        self._build_layout()
        self._bind()
        self.classroom = Classroom(self)
        self._place_classroom()
        build_menus(self)
        self.setAcceptDrops(True)
        operator = self.operator
        with session.state.batch():
            session.state.banner.marking = self.settings.text("banner/text", DEFAULT_BANNER) or DEFAULT_BANNER
            session.state.operator.name, session.state.operator.nation = operator.name, operator.nation
            session.state.operator.role, session.state.operator.clearance = operator.role, operator.clearance
        self._update_title()
        self.tasking.reload()
        self.floor_link = self._join_floor(store)
        if store_problem:
            self.show_status(f"Watchlist and tasking off: {store_problem}", 60000)
        elif not operator.on_roster:
            self.show_status(identity_text(operator, self.on_floor), 60000)

    # --- construction ----------------------------------------------------------------------------

    def _bind(self) -> None:
        session = self.session
        self.globe_binding = GlobeBinding(session, self.globe, self.colors)
        self.map_binding = MapBinding(session, self.map_view, self.colors)
        for part in (self.catalog_panel, self.details, self.sensors_panel, self.passes_panel, self.sensor_sees,
                     self.watchlist,
                     self.event_log, self.screening, self.tasking, self.time_controls, self.timeline,
                     self.top_banner, self.bottom_banner):
            part.bind(session)
        self.exercise = ScenarioController(session, self.scenario_panel)
        self.loader.loaded.connect(self._remember_catalog)
        self.loader.loaded.connect(self.catalog_loaded)
        session.status_message.connect(self.show_status)
        for runner in self.findChildren(JobRunner):  # a failure no panel showed itself goes to the status line
            runner.failed.connect(lambda _name, message: self.show_status(message, 30000))
        session.watch_requested.connect(lambda *_: self.watchlist_dock.raise_())
        self.sensors_panel.sees_requested.connect(self.show_what_sensor_sees)
        self.screening.briefing_requested.connect(lambda p, s, tca: approach_briefing_dialog(self, p, s, tca))
        self.sensor_sees.table_changed.connect(lambda _table: self._show_legend())
        session.snapshot_ready.connect(lambda snapshot: self._status_timer.isActive() or self.status_label.setText(
            f"{len(snapshot):,} objects at {snapshot.epoch:%Y-%m-%d %H:%M:%S} UTC — engine tick "
            f"{snapshot.compute_s * 1000:.0f} ms"))  # engine figures unless a message is showing
        session.state.connect("scenario.path", lambda path: (self.scenario_dock.show(), self.scenario_dock.raise_())
                              if path else None)
        session.state.connect("shown.color_mode", self._show_color_mode)
        session.state.connect("shown.sensor_color_mode", lambda _mode: self._show_legend())
        session.sensors_changed.connect(lambda _sensors: self._show_legend())
        session.catalog_changed.connect(lambda _catalog: self._show_legend())  # breakup debris comes and goes
        session.state.connect("operator", lambda _operator: self._update_title())
        for view in (self.alert_count, self.critical_banner):
            self.event_log.waiting_changed.connect(view.show_waiting)
        self.alert_count.clicked.connect(lambda: (self.events_dock.show(), self.events_dock.raise_()))
        self.critical_banner.acknowledge_requested.connect(self.event_log.acknowledge_event)
        self.color_box.currentTextChanged.connect(lambda mode: setattr(session.state.shown, "color_mode", mode))
        self._show_color_mode(session.state.shown.color_mode)

    def show_what_sensor_sees(self) -> None:
        """The Sensors panel's "What does it see?": the Sensor sees dock, computing from now."""
        self.sensor_sees_dock.show()
        self.sensor_sees_dock.raise_()
        self.sensor_sees.set_start(self.session.now())
        self.sensor_sees.compute()

    def _join_floor(self, store: Store | None) -> FloorLink | None:
        """On a PostgreSQL floor: listen for the others' changes and re-read what they touched."""
        if store is None or not store.database.is_postgresql:
            return None
        link = FloorLink(store, self)
        link.tables_changed.connect(self._reread_changed)
        link.status_changed.connect(self.floor_panel.show_status)
        link.status_changed.connect(self._report_floor_link)
        link.start()
        return link

    def _reread_changed(self, tables: set) -> None:
        if "tasking_requests" in tables:
            self.tasking.reload()
        if "watch_pairs" in tables:
            self.watchlist.reload()
        if "events" in tables:
            self.event_log.reload()

    def _report_floor_link(self, status) -> None:
        if status.state == "offline":
            self.show_status(f"Floor {status.message}", 600000)
        elif status.offline_s > 0:
            self.show_status(f"Floor: {status.message}", 30000)
            self._reread_changed({"tasking_requests", "watch_pairs", "events"})  # what a missed feed may hide

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
        column.addWidget(self.critical_banner)
        self._central_column = column
        column.addWidget(self.globe, 1)
        column.addWidget(self.timeline)
        self.setCentralWidget(central)
        frame_with_banners(self, self.top_banner, self.bottom_banner, self.status_label, self.alert_count)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.time_controls)
        # side docks run the full height: the map sits under the globe, near its 2:1 shape
        self.setCorner(Qt.Corner.BottomLeftCorner, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.setCorner(Qt.Corner.BottomRightCorner, Qt.DockWidgetArea.RightDockWidgetArea)
        left, right, below = (Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea,
                              Qt.DockWidgetArea.BottomDockWidgetArea)
        self.catalog_dock = self._dock("Catalog", "catalogDock", self.catalog_panel, left)
        details_scroll = QScrollArea()
        details_scroll.setWidget(self.details)
        details_scroll.setWidgetResizable(True)
        details_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.details_dock = self._dock("Details", "detailsDock", details_scroll, right)
        self.map_dock = self._dock("Ground track", "mapDock", self.map_view, below)
        self.passes_dock = self._dock("Passes", "passesDock", self.passes_panel, below)
        self.sensor_sees_dock = self._dock("Sensor sees", "sensorSeesDock", self.sensor_sees, below)
        self.sensors_dock = self._dock("Sensors", "sensorsDock", self.sensors_panel, right)
        self.floor_dock = self._dock("Floor", "floorDock", self.floor_panel, right)
        self.watchlist_dock = self._dock("Watchlist", "watchlistDock", self.watchlist, below)
        self.events_dock = self._dock("Events", "eventsDock", self.event_log, below)
        self.screening_dock = self._dock("Screening", "screeningDock", self.screening, below)
        self.tasking_dock = self._dock("Tasking", "taskingDock", self.tasking, below)
        self.scenario_dock = self._dock("Exercise control", "scenarioDock", self.scenario_panel, below)
        for dock in (self.passes_dock, self.sensor_sees_dock, self.watchlist_dock, self.events_dock, self.screening_dock, self.tasking_dock,
                     self.scenario_dock):
            self.tabifyDockWidget(self.map_dock, dock)
        self.scenario_dock.hide()  # shown when a scenario is opened
        self.tabifyDockWidget(self.details_dock, self.sensors_dock)
        self.tabifyDockWidget(self.sensors_dock, self.floor_dock)
        self.map_dock.raise_()
        self.details_dock.raise_()
        self._layout_restored = False

    def _place_classroom(self) -> None:
        """The FOLLOWING bar over the globe; the Class and Lesson docks on the right, hidden
        until a class is opened or joined."""
        self._central_column.insertWidget(2, self.classroom.bar)
        right = Qt.DockWidgetArea.RightDockWidgetArea
        self.class_dock = self._dock("Class", "classDock", self.classroom.class_panel, right)
        self.lesson_dock = self._dock("Lesson", "lessonDock", self.classroom.lesson_panel, right)
        self.tabifyDockWidget(self.floor_dock, self.class_dock)
        self.tabifyDockWidget(self.class_dock, self.lesson_dock)
        self.class_dock.hide()
        self.lesson_dock.hide()
        self.details_dock.raise_()

    @property
    def docks(self) -> list[QDockWidget]:
        return [self.catalog_dock, self.details_dock, self.map_dock, self.passes_dock, self.sensor_sees_dock,
                self.sensors_dock,
                self.watchlist_dock, self.events_dock, self.screening_dock, self.tasking_dock, self.scenario_dock,
                self.floor_dock, self.class_dock, self.lesson_dock]

    def _dock(self, title: str, name: str, widget: QWidget, area) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        dock.dockLocationChanged.connect(lambda *_: QTimer.singleShot(0, lambda: hide_stray_tab_bars(self)))
        return dock

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._layout_restored:
            self.fit_docks_to_window()
            self._layout_restored = True
        QTimer.singleShot(0, lambda: hide_stray_tab_bars(self))

    def fit_docks_to_window(self) -> None:
        """Dock sizes for this window's size, so the globe keeps a usable share on a small screen."""
        width, height = self.width(), self.height()
        self.resizeDocks([self.catalog_dock, self.details_dock],
                         [int(min(max(0.27 * width, 300), 520)), int(min(max(0.22 * width, 260), 340))],
                         Qt.Orientation.Horizontal)
        self.resizeDocks([self.map_dock], [int(min(max(0.34 * height, 200), 420))], Qt.Orientation.Vertical)

    # --- what the window itself shows ------------------------------------------------------------

    def _show_color_mode(self, mode: str) -> None:
        if self.color_box.currentText() != mode:
            self.color_box.setCurrentText(mode)
        self._show_legend()

    def _show_legend(self) -> None:
        """Objects by the colour mode, then sensor sites by type or by nation."""
        shown = self.session.state.shown
        self.legend.setToolTip("\n\n".join(f"{name}: {text}" for name, text in REGIMES.items())
                               if shown.color_mode == "Orbit regime" else "")
        seen = self.sensor_sees.ringed_sensor()
        self.legend.setText(f"{object_legend_html(shown.color_mode, self.session.catalog)}&nbsp;&nbsp;│&nbsp; Sensors: "
                            f"{sensor_legend_html(shown.sensor_color_mode, self.session.sensors)}"
                            + (f"&nbsp;&nbsp;│&nbsp; <span style='color:{SEEN_COLOR}'>◯</span> in view of {seen}"
                               if seen else ""))

    def show_status(self, text: str, timeout_ms: int) -> None:
        """A message under the views, kept for ``timeout_ms`` before engine figures return."""
        self.status_label.setText(text)
        self.status_label.setToolTip(text)
        self._status_timer.start(timeout_ms)

    @property
    def operator(self) -> Operator:
        """Who is at the console, as the database says; without a database, the account alone."""
        store = self.session.store
        return store.operator if store is not None else Operator(current_user(), roles=(), on_roster=False)

    @property
    def on_floor(self) -> bool:
        store = self.session.store
        return store is not None and not store.url.startswith("sqlite")

    def _update_title(self) -> None:
        store = self.session.store
        operator = self.operator
        where = "" if store is None or store.url.startswith("sqlite") else f" — {store.url.split('@')[-1]}"
        self.setWindowTitle(f"Coalition Space Operations Console — {operator.label}{where}")

    # --- the session's catalog and scenario ------------------------------------------------------

    def start(self) -> None:
        self.session.start()

    def load_catalog(self, paths: Sequence[str | Path]) -> None:
        """Read files on a worker thread; ``catalog_loaded`` when they are shown."""
        self.loader.load(paths)

    def _remember_catalog(self, _catalog) -> None:
        self.settings.set_json(CATALOG_PATHS_KEY, list(self.session.state.catalog.source_files))
        if not self._feed_started:  # the feed refreshes a catalog: it starts once there is one
            self._feed_started = True
            settings = FeedSettings.load(self.settings)
            if settings.enabled and not self.session.state.scenario.path:  # an exercise keeps its own catalog
                self.catalog_feed.apply(settings)

    def open_scenario(self, run: ScenarioRun) -> None:
        self.exercise.open(run)

    # --- saved settings ----------------------------------------------------------------------------

    def restore_layout(self) -> None:
        """Window geometry, dock layout and colour mode from the last session; anything
        unreadable or from another version is ignored and said in the status line."""
        geometry, state = self.settings.byte_array("window/geometry"), self.settings.byte_array("window/state")
        if geometry is not None and not self.restoreGeometry(geometry):
            if bytes(geometry[:4]) == QT_GEOMETRY_MAGIC:  # Qt refuses a geometry bigger than this screen
                log.info("window/geometry: saved on a larger screen; the window fits this one")
            else:
                self.settings.note_problem("window/geometry: not a window geometry; ignored")
        if state is not None and not self.restoreState(state, LAYOUT_VERSION):
            self.settings.note_problem("window/state: a dock layout from another version; the default layout is used")
        refused = any(p.startswith("window/state") for p in self.settings.problems)
        self._layout_restored = state is not None and not refused
        mode = self.settings.text("view/color_mode", self.session.state.shown.color_mode)
        if mode in COLOR_MODES:
            self.session.state.shown.color_mode = mode
        else:
            self.settings.note_problem(f"view/color_mode: {mode[:40]!r} is not a colour mode; ignored")
        self.show_settings_problems()

    def show_settings_problems(self) -> None:
        """Say in the status line that saved settings were ignored (each one is in the log)."""
        problems = self.settings.problems
        if problems:
            self.show_status(f"Some saved settings were ignored and defaults used ({len(problems)}): {problems[0]}"
                             + (" …; see the log" if len(problems) > 1 else ""), 30000)

    def saved_catalog_paths(self) -> list[str]:
        return saved_catalog_paths(self.settings)

    def save_screenshot(self, path: str | Path) -> bool:
        """The window as an image (format from the suffix), written whole or not at all."""
        path = Path(path)
        image = self.grab()
        try:
            with replaced_when_done(path) as temporary:
                if not image.save(str(temporary)):
                    raise OSError(f"cannot write a {path.suffix or 'suffix-less'} image")
        except OSError as error:
            log.warning("screenshot %s not written: %s", path, error)
            return False
        return True

    def dragEnterEvent(self, event) -> None:
        if event.mimeData().hasUrls() and all(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        files = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if files:
            self.load_catalog(files)
            event.acceptProposedAction()

    def closeEvent(self, event) -> None:
        self.classroom.leave()  # first: a trainee's own layout comes back before it is saved
        self.settings.set_byte_array("window/geometry", self.saveGeometry())
        self.settings.set_byte_array("window/state", self.saveState(LAYOUT_VERSION))
        self.settings.set_text("view/color_mode", self.session.state.shown.color_mode)
        self.settings.sync()
        self.catalog_feed.stop()
        self.history_keeper.stop()
        self.session.stop()
        if self.floor_link is not None:
            self.floor_link.stop()
        if self.session.store is not None:
            self.session.store.close()
        super().closeEvent(event)

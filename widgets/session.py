"""What every view and panel of one console shares: the :class:`ConsoleState` (what the
operator sees and has chosen) and the live objects behind it — the catalog in use, the
clock, the SGP4 engine, the sensors, the database — with the signals that say when they
change. Views and panels bind to the session and write their choices to its state; none
sets another's attributes, and the main window only builds and docks.

Derived from the state here, once for everyone: the catalog rows the shown group and search
select (``shown_mask``), the selected object's catalog row, and the frame and once-a-second
ticks of the clock. Collected here: the highest classification of the records on screen,
which each panel reports (``report_content``) and the classification banner shows when it is
above the banner the operator set (the state's ``banner.marking`` stays the set value).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Sequence

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal

from app.catalog import Catalog
from app.catalog.filter import CatalogFilter
from app.common.marking import DEFAULT_CLASSIFICATION, highest_classification
from app.live.clock import SimulationClock
from app.live.engine import Snapshot
from app.sensors.sites import Sensor
from app.state.clock_sync import ClockSync
from app.state.console_state import ConsoleState
from widgets.engine_bridge import EngineBridge

log = logging.getLogger(__name__)

FRAME_INTERVAL_MS = 33


class ConsoleSession(QObject):
    catalog_changed = Signal(object)  # Catalog, once it is the one in use
    snapshot_ready = Signal(object)  # Snapshot of the catalog in use
    shown_changed = Signal(object)  # boolean mask over the catalog
    sensors_changed = Signal(list)  # every Sensor, after the list changed
    maneuver_flags_changed = Signal(object)  # {norad_id: message}
    events_changed = Signal()  # the event log has new or acknowledged rows
    watch_requested = Signal(int, int, str)  # (primary, secondary, note): put a pair on the watchlist
    watchlist_changed = Signal()  # watch pairs were added or changed elsewhere: reload
    span_changed = Signal(object, object)  # (start, end) datetimes the timeline should show
    tasking_changed = Signal(object)  # set of request ids a scenario has not made yet (hidden): reload
    intervals_changed = Signal(str, object, str, float)  # a timeline lane: (lane, [(start, end, label)], colour, gap s)
    frame = Signal(object)  # datetime, every frame while running
    second = Signal(object)  # datetime, once a second while running
    history_changed = Signal(object)  # app.catalog.history.Refresh: a catalog's element sets were recorded
    object_history_ready = Signal(object, object, list)  # (norad, ObjectHistory or None, refresh unix times)
    sensor_sees_changed = Signal(object)  # SensorSees (passes of the catalog over one sensor) or None
    status_message = Signal(str, int)  # (text, milliseconds to keep it)
    content_marking_changed = Signal(str)  # the highest classification of the records on screen

    def __init__(self, clock: SimulationClock | None = None, store=None, interactive: bool = True,
                 parent: QObject | None = None):
        super().__init__(parent)
        self.state = ConsoleState()
        self.clock = clock or SimulationClock()
        self.clock_sync = ClockSync(self.clock, self.state)
        self.store = store
        self.element_history = None  # app.catalog.history.ElementHistory once a catalog was recorded
        self.interactive = interactive  # dialogs pop up only for a person, not for tests or screenshots
        self.catalog = Catalog.empty()
        self.sensors: list[Sensor] = []
        self.shown_mask = np.zeros(0, dtype=bool)
        self.content_by_source: dict[str, str] = {}  # panel -> highest classification it shows
        self.content_classification = DEFAULT_CLASSIFICATION
        self.bridge = EngineBridge(self)
        self.bridge.snapshot_ready.connect(self.snapshot_ready)
        self.state.connect("shown", lambda _shown: self._refilter())
        self.state.connect("clock", lambda _clock: self.advance_frame())  # set from anywhere: every view follows now
        self._frame_timer = QTimer(self, interval=FRAME_INTERVAL_MS)
        self._frame_timer.timeout.connect(self.advance_frame)
        self._second_timer = QTimer(self, interval=1000)
        self._second_timer.timeout.connect(lambda: self.second.emit(self.clock.now()))

    # --- the live objects ------------------------------------------------------------------------

    @property
    def latest(self) -> Snapshot | None:
        return self.bridge.latest

    def set_catalog(self, catalog: Catalog, paths: Sequence[str]) -> None:
        """Use ``catalog``; the selection is kept where the new catalog has the objects."""
        self.catalog = catalog
        self.bridge.set_catalog(catalog)
        with self.state.batch():
            self.state.catalog.version = catalog.version
            self.state.catalog.source_files = tuple(str(p) for p in paths)
            kept = tuple(n for n in self.state.selection.objects if n in catalog)
            self.state.selection.objects = kept
        self._refilter(announce=False)
        self.catalog_changed.emit(catalog)
        self.shown_changed.emit(self.shown_mask)
        self.bridge.tick(self.clock.now())  # the first snapshot of the new catalog, now

    def set_sensors(self, sensors: Sequence[Sensor]) -> None:
        self.sensors = list(sensors)
        if self.state.selection.sensor is not None and self.sensor_named(self.state.selection.sensor) is None:
            self.state.selection.sensor = None
        self.sensors_changed.emit(self.sensors)

    def sensor_named(self, name: str | None) -> Sensor | None:
        return next((s for s in self.sensors if s.name == name), None)

    # --- selection -------------------------------------------------------------------------------

    @property
    def selected_norad(self) -> int | None:
        return self.state.selection.object

    @property
    def selected_row(self) -> int | None:
        norad = self.state.selection.object
        return None if norad is None or norad not in self.catalog else self.catalog.row_of(norad)

    def select_norad(self, norad_id: int | None) -> None:
        self.state.selection.objects = () if norad_id is None else (int(norad_id),)

    def select_row(self, row: int | None) -> None:
        self.select_norad(None if row is None else int(self.catalog.norad_id[row]))

    # --- what is shown ---------------------------------------------------------------------------

    def shown_filter(self) -> CatalogFilter:
        shown = self.state.shown
        group_filter = shown.group_filter.catalog_filter()
        text = f"{group_filter.text} {shown.search}".strip() if group_filter.text else shown.search
        return group_filter.with_text(text)

    def _refilter(self, announce: bool = True) -> None:
        mask = self.shown_filter().mask(self.catalog) if len(self.catalog) else np.zeros(0, dtype=bool)
        if len(mask) == len(self.shown_mask) and np.array_equal(mask, self.shown_mask):
            return
        self.shown_mask = mask
        if announce:
            self.shown_changed.emit(mask)

    # --- running ---------------------------------------------------------------------------------

    def start(self) -> None:
        """Begin ticking: the frame timer drives the clock's views and the engine."""
        self.advance_frame()
        self._frame_timer.start()
        self._second_timer.start()

    def stop(self) -> None:
        self._frame_timer.stop()
        self._second_timer.stop()
        self.bridge.shutdown()

    def advance_frame(self) -> None:
        epoch = self.clock.now()
        self.bridge.tick(epoch)
        self.frame.emit(epoch)

    def now(self) -> datetime:
        return self.clock.now()

    # --- markings of what is on screen -------------------------------------------------------

    def report_content(self, source: str, classification: str) -> None:
        """``source`` (a panel) now shows records up to ``classification`` (replacing what it
        said before); ``content_marking_changed`` follows when the highest on screen changes."""
        self.content_by_source[source] = classification.split("//")[0].strip().upper() or DEFAULT_CLASSIFICATION
        highest = highest_classification(self.content_by_source.values())
        if highest != self.content_classification:
            self.content_classification = highest
            self.content_marking_changed.emit(highest)

    def say(self, text: str, timeout_ms: int = 15000) -> None:
        """A message for the status line (and the log)."""
        log.info("status: %s", text)
        self.status_message.emit(text, timeout_ms)

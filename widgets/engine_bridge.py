"""Qt adapter for the SGP4 engine: snapshots arrive on the GUI thread as a signal.

The frame timer calls ``tick(epoch)``; a request goes to the engine only when the last one
has been answered and the clock has moved, so the engine is never asked for more than it
can do (a missed cycle is skipped, not queued) and a paused clock costs nothing; and no more
than twice a second of wall time unless the clock runs so fast that the globe's extrapolation
would stretch too far.
"""

from __future__ import annotations

import time
from datetime import datetime

from PySide6.QtCore import QObject, Qt, Signal

from app.catalog import Catalog
from app.live.engine import PropagationEngine, Snapshot

MIN_SIM_STEP_S = 0.5  # the shader extrapolates in between; finer snapshots buy nothing
# Snapshots at most this often in wall time: each one holds a core (and the GIL between chunks)
# for tens of ms, time the GUI thread needs for frames ...
MIN_WALL_INTERVAL_S = 0.5
# ... unless the clock has moved further than the shader's straight-line extrapolation should
# reach (LEO bends off its tangent by about 4 km in 30 s: a pixel or less on the globe).
MAX_EXTRAPOLATION_SIM_S = 30.0


class EngineBridge(QObject):
    snapshot_ready = Signal(object)  # a Snapshot, on the GUI thread
    _from_worker = Signal(object)  # emitted on the engine's thread, queued to ours

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._from_worker.connect(self._accept, Qt.ConnectionType.QueuedConnection)
        self.engine = PropagationEngine(on_snapshot=self._from_worker.emit).start()
        self.catalog: Catalog = Catalog.empty()
        self.latest: Snapshot | None = None
        self._in_flight: int | None = None
        self._last_requested_posix: float | None = None
        self._last_requested_wall = 0.0

    def set_catalog(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.latest = None
        self._in_flight = None
        self._last_requested_posix = None

    def tick(self, epoch: datetime) -> None:
        if len(self.catalog) == 0 or self._in_flight is not None:
            return
        posix, wall = epoch.timestamp(), time.monotonic()
        if self._last_requested_posix is not None:
            moved = abs(posix - self._last_requested_posix)
            if moved < MIN_SIM_STEP_S:
                return
            if wall - self._last_requested_wall < MIN_WALL_INTERVAL_S and moved < MAX_EXTRAPOLATION_SIM_S:
                return
        self._last_requested_posix, self._last_requested_wall = posix, wall
        self._in_flight = self.engine.submit(self.catalog, epoch)

    def propagate_now(self, epoch: datetime) -> Snapshot:
        """A snapshot computed on this thread (screenshots, tests), delivered like any other."""
        snapshot = self.engine.propagate_sync(self.catalog, epoch)
        self._last_requested_posix = epoch.timestamp()
        self._accept(snapshot)
        return snapshot

    def _accept(self, snapshot: Snapshot) -> None:
        if self._in_flight is not None and snapshot.sequence_id >= self._in_flight:
            self._in_flight = None
        if snapshot.catalog_version != self.catalog.version:
            return  # for a catalog that has since been replaced
        if self.latest is not None and snapshot.sequence_id < self.latest.sequence_id:
            return  # older than what is shown
        self.latest = snapshot
        self.snapshot_ready.emit(snapshot)

    def shutdown(self) -> None:
        self.engine.stop()

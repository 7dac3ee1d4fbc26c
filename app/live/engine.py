"""The SGP4 engine: catalog + epoch in, an immutable :class:`Snapshot` out.

``propagate`` is the synchronous path (tests, CLI). :class:`PropagationEngine` runs the
same function on one worker thread: the latest submitted request wins (a request that
was waiting is replaced, never queued behind), snapshots older than one already
delivered are dropped, and work for a catalog that has since been replaced is abandoned.

sgp4 holds the GIL for the whole of a ``SatrecArray.sgp4`` call, so the catalog is
propagated in chunks (``Catalog.chunk_size`` objects, about a millisecond each) and the
worker gives the GIL away between chunks; the GUI thread never waits long for it.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable

import numpy as np

from app.astro.frames import GEODETIC, teme_to_itrs
from app.astro.timeutil import datetime_to_jd, jd_to_datetime
from app.catalog import Catalog

log = logging.getLogger(__name__)

SGP4_OK = 0
SGP4_DECAYED = 6  # "satellite has decayed": positions are returned but meaningless
# Rows rotated and converted to geodetic together, on the helper thread, while sgp4 goes on:
# fewer, larger hand-offs between the two threads cost less than one per chunk, but the
# last batch cannot overlap anything, so small catalogs use smaller batches.
MAX_FRAME_BATCH = 16384
FRAME_BATCHES_PER_TICK = 6


Epoch = datetime | tuple[float, float]  # an aware UTC datetime, or a split Julian date (jd, fr)


def split_epoch(when: Epoch) -> tuple[float, float, datetime]:
    """``(jd, fr, datetime)`` of either form. A split JD is used as given, to the last bit
    (a datetime only resolves microseconds, 7 mm at orbital speed)."""
    if isinstance(when, datetime):
        jd, fr = datetime_to_jd(when)
        return jd, fr, when
    jd, fr = float(when[0]), float(when[1])
    return jd, fr, jd_to_datetime(jd, fr)


@dataclass(frozen=True)
class PropagationRequest:
    sequence_id: int
    catalog: Catalog
    epoch: Epoch

    @property
    def catalog_version(self) -> int:
        return self.catalog.version


@dataclass(frozen=True, eq=False)
class Snapshot:
    """Every catalog object at one epoch. Arrays are read-only; rows follow the catalog.

    Rows whose ``sgp4_error`` is not 0 carry NaN positions and velocities: mask on
    ``valid`` (error code 6, decayed, returns numbers from sgp4 that mean nothing).
    """

    sequence_id: int
    catalog_version: int
    epoch: datetime
    jd: float
    fr: float
    norad_id: np.ndarray
    r_teme_km: np.ndarray
    v_teme_km_s: np.ndarray
    r_itrs_km: np.ndarray
    v_itrs_km_s: np.ndarray
    lat_deg: np.ndarray
    lon_deg: np.ndarray
    alt_km: np.ndarray
    sgp4_error: np.ndarray
    compute_s: float = field(default=0.0)

    @property
    def valid(self) -> np.ndarray:
        return self.sgp4_error == SGP4_OK

    def __len__(self) -> int:
        return len(self.norad_id)


def _read_only(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array


_geodetic_pool: ThreadPoolExecutor | None = None
_geodetic_pool_lock = threading.Lock()


def _geodetic_helper() -> ThreadPoolExecutor:
    """One helper thread for the geodetic conversion. pyproj releases the GIL, so chunk k's
    conversion runs on the second core while chunk k+1 is in sgp4."""
    global _geodetic_pool
    with _geodetic_pool_lock:
        if _geodetic_pool is None:
            _geodetic_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="geodetic")
        return _geodetic_pool


def propagate(catalog: Catalog, epoch: Epoch, sequence_id: int = 0,
              should_abandon: Callable[[], bool] = lambda: False,
              yield_between_chunks: bool = False) -> Snapshot | None:
    """Propagate the whole catalog to ``epoch``; ``None`` if ``should_abandon()`` said so."""
    started = time.perf_counter()
    jd, fr, epoch_utc = split_epoch(epoch)
    jd_array, fr_array = np.array([jd]), np.array([fr])
    count = len(catalog)
    r_teme = np.empty((count, 3))
    v_teme = np.empty((count, 3))
    r_itrs = np.empty((count, 3))
    v_itrs = np.empty((count, 3))
    lat, lon, alt = np.empty(count), np.empty(count), np.empty(count)
    error = np.empty(count, dtype=np.uint8)

    def to_geodetic(rows: slice) -> None:
        lat[rows], lon[rows], alt[rows] = GEODETIC.to_geodetic(r_itrs[rows])

    pending: list[Future] = []
    helper = _geodetic_helper()
    batch_start = 0
    batch_size = min(MAX_FRAME_BATCH, count // FRAME_BATCHES_PER_TICK)
    try:
        for chunk in catalog.chunks:
            if should_abandon():
                return None
            rows = slice(chunk.start, chunk.stop)
            chunk_error, chunk_r, chunk_v = chunk.sgp4(jd_array, fr_array)
            error[rows] = chunk_error[:, 0]
            r_teme[rows], v_teme[rows] = chunk_r[:, 0, :], chunk_v[:, 0, :]
            if chunk.stop - batch_start >= batch_size or chunk.stop == count:
                batch = slice(batch_start, chunk.stop)
                failed = error[batch] != SGP4_OK
                r_teme[batch][failed] = np.nan
                v_teme[batch][failed] = np.nan
                r_itrs[batch], v_itrs[batch] = teme_to_itrs(r_teme[batch], v_teme[batch], jd, fr)
                pending.append(helper.submit(to_geodetic, batch))
                batch_start = chunk.stop
            if yield_between_chunks:
                time.sleep(0)  # hand the GIL to a waiting thread (the GUI) between chunks
    finally:
        for future in pending:
            future.result()  # re-raises a conversion error; never leaves work writing behind us
    return Snapshot(
        sequence_id=sequence_id, catalog_version=catalog.version, epoch=epoch_utc, jd=jd, fr=fr,
        norad_id=_read_only(catalog.norad_id.copy()),
        r_teme_km=_read_only(r_teme), v_teme_km_s=_read_only(v_teme),
        r_itrs_km=_read_only(r_itrs), v_itrs_km_s=_read_only(v_itrs),
        lat_deg=_read_only(lat), lon_deg=_read_only(lon), alt_km=_read_only(alt),
        sgp4_error=_read_only(error), compute_s=time.perf_counter() - started,
    )


SnapshotCallback = Callable[[Snapshot], None]


class PropagationEngine:
    """One worker thread; ``submit`` requests, receive snapshots through ``on_snapshot``.

    ``on_snapshot`` runs on the worker thread: a GUI hands it to its own thread (a queued
    Qt signal). ``latest`` always holds the newest delivered snapshot.
    """

    def __init__(self, on_snapshot: SnapshotCallback | None = None):
        self._on_snapshot = on_snapshot
        self._condition = threading.Condition()
        self._pending: PropagationRequest | None = None
        self._current_catalog_version: int | None = None
        self._sequence = itertools.count(1)
        self._thread: threading.Thread | None = None
        self._stopping = False
        self._busy = False
        self.latest: Snapshot | None = None
        self.replaced_requests = 0  # submitted but superseded before they started
        self.abandoned_requests = 0  # started, then made useless by a newer catalog
        self.dropped_snapshots = 0  # finished but older than one already delivered

    # --- lifecycle --------------------------------------------------------------------------

    def start(self) -> "PropagationEngine":
        if self._thread is None:
            self._stopping = False
            self._thread = threading.Thread(target=self._run, name="sgp4-engine", daemon=True)
            self._thread.start()
        return self

    def stop(self, timeout_s: float = 5.0) -> None:
        with self._condition:
            self._stopping = True
            self._pending = None
            self._condition.notify_all()
        if self._thread is not None:
            self._thread.join(timeout_s)
            self._thread = None

    def __enter__(self) -> "PropagationEngine":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    # --- requests ---------------------------------------------------------------------------

    def submit(self, catalog: Catalog, epoch: Epoch) -> int:
        """Ask for a snapshot; returns its sequence id. Replaces any request still waiting."""
        with self._condition:
            request = PropagationRequest(next(self._sequence), catalog, epoch)
            if self._pending is not None:
                self.replaced_requests += 1
            self._pending = request
            self._condition.notify_all()
        return request.sequence_id

    def propagate_sync(self, catalog: Catalog, epoch: Epoch) -> Snapshot:
        """The same computation on the caller's thread (tests, CLI)."""
        snapshot = propagate(catalog, epoch, next(self._sequence))
        assert snapshot is not None
        self._deliver(snapshot)
        return snapshot

    def wait_for(self, sequence_id: int, timeout_s: float = 10.0) -> Snapshot | None:
        """Block until a snapshot at least as new as ``sequence_id`` was delivered."""
        deadline = time.monotonic() + timeout_s
        with self._condition:
            while self.latest is None or self.latest.sequence_id < sequence_id:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self._condition.wait(remaining)
            return self.latest

    # --- worker -----------------------------------------------------------------------------

    def _run(self) -> None:
        while True:
            with self._condition:
                while self._pending is None and not self._stopping:
                    self._condition.wait()
                if self._stopping:
                    return
                request, self._pending = self._pending, None
                self._current_catalog_version = request.catalog_version
                self._busy = True
            try:
                snapshot = propagate(request.catalog, request.epoch, request.sequence_id,
                                     should_abandon=lambda: self._catalog_replaced(request),
                                     yield_between_chunks=True)
                if snapshot is None:
                    self.abandoned_requests += 1
                    log.debug("abandoned request %d: catalog replaced", request.sequence_id)
                else:
                    self._deliver(snapshot)
            except Exception:  # the engine must outlive one bad request
                log.exception("propagation of request %d failed", request.sequence_id)
            finally:
                with self._condition:
                    self._busy = False
                    self._condition.notify_all()

    def _catalog_replaced(self, request: PropagationRequest) -> bool:
        pending = self._pending
        return self._stopping or (pending is not None and pending.catalog_version != request.catalog_version)

    def _deliver(self, snapshot: Snapshot) -> None:
        with self._condition:
            if self.latest is not None and snapshot.sequence_id < self.latest.sequence_id:
                self.dropped_snapshots += 1
                return
            self.latest = snapshot
            self._condition.notify_all()
        if self._on_snapshot is not None:
            self._on_snapshot(snapshot)

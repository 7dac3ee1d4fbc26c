"""The one simulation clock every view draws from.

Modes: LIVE (simulation time = wall-clock UTC) and REPLAY (simulation time advances at
``rate`` times wall-clock speed, -10,000x to +10,000x, or stands still when paused).
Simulation time is ``anchor_sim + (wall - anchor_wall) * rate``; every change of rate,
pause or jump re-anchors, so time never jumps when the rate changes. The wall-clock
source is injected (a callable returning POSIX seconds) so tests are deterministic.
The clock is thread-safe; it owns no timers: the GUI or a headless loop polls ``now()``.
"""

from __future__ import annotations

import enum
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable

MAX_RATE = 10_000.0
TimeSource = Callable[[], float]  # POSIX seconds, UTC


class ClockMode(enum.Enum):
    LIVE = "live"
    REPLAY = "replay"


class ClockError(ValueError):
    """A rate or operation the clock refuses."""


@dataclass(frozen=True)
class ClockState:
    """What the clock looks like at one instant (for display and for saving)."""

    mode: ClockMode
    epoch: datetime
    rate: float
    paused: bool


class FixedTimeSource:
    """A wall clock for tests: stands still until advanced."""

    def __init__(self, start: datetime | float):
        self.posix_s = start.timestamp() if isinstance(start, datetime) else float(start)

    def __call__(self) -> float:
        return self.posix_s

    def advance(self, seconds: float) -> None:
        self.posix_s += seconds


class SimulationClock:
    def __init__(self, time_source: TimeSource = time.time, start: datetime | None = None,
                 mode: ClockMode = ClockMode.LIVE, rate: float = 1.0, paused: bool = False):
        self._time_source = time_source
        self._lock = threading.Lock()
        self._listeners: list[Callable[[ClockState], None]] = []
        wall = time_source()
        self._mode = mode
        self._rate = 1.0 if mode is ClockMode.LIVE else self._checked_rate(rate)
        self._paused = paused and mode is ClockMode.REPLAY
        self._anchor_wall = wall
        self._anchor_sim = wall if start is None or mode is ClockMode.LIVE else start.timestamp()

    # --- reading ----------------------------------------------------------------------------

    def now(self) -> datetime:
        """Simulation time, aware UTC."""
        return datetime.fromtimestamp(self.now_posix(), tz=timezone.utc)

    def now_posix(self) -> float:
        with self._lock:
            return self._sim_at(self._time_source())

    def state(self) -> ClockState:
        with self._lock:
            posix = self._sim_at(self._time_source())
            mode, rate, paused = self._mode, self._rate, self._paused
        return ClockState(mode, datetime.fromtimestamp(posix, tz=timezone.utc), rate, paused)

    @property
    def mode(self) -> ClockMode:
        return self._mode

    @property
    def rate(self) -> float:
        return self._rate

    @property
    def paused(self) -> bool:
        return self._paused

    # --- steering ---------------------------------------------------------------------------

    def go_live(self) -> None:
        with self._lock:
            wall = self._time_source()
            self._mode, self._rate, self._paused = ClockMode.LIVE, 1.0, False
            self._anchor_wall, self._anchor_sim = wall, wall
        self._notify()

    def set_rate(self, rate: float) -> None:
        """Replay speed (negative runs backward); switches a live clock to replay."""
        checked = self._checked_rate(rate)
        with self._lock:
            self._reanchor()
            self._mode, self._rate = ClockMode.REPLAY, checked
        self._notify()

    def pause(self) -> None:
        with self._lock:
            self._reanchor()
            self._mode, self._paused = ClockMode.REPLAY, True
        self._notify()

    def resume(self) -> None:
        with self._lock:
            self._reanchor()
            self._paused = False
        self._notify()

    def toggle_pause(self) -> None:
        (self.resume if self._paused else self.pause)()

    def jump_to(self, epoch: datetime) -> None:
        """Set simulation time; a live clock becomes a replay clock at the same rate."""
        if epoch.tzinfo is None:
            raise ClockError("jump_to needs a timezone-aware UTC datetime")
        with self._lock:
            self._anchor_wall, self._anchor_sim = self._time_source(), epoch.timestamp()
            self._mode = ClockMode.REPLAY
        self._notify()

    def step(self, seconds: float) -> None:
        """Move simulation time by ``seconds`` (negative steps back); pauses the clock."""
        with self._lock:
            self._reanchor()
            self._anchor_sim += seconds
            self._mode, self._paused = ClockMode.REPLAY, True
        self._notify()

    def add_listener(self, callback: Callable[[ClockState], None]) -> None:
        """Called (on the caller's thread) after every mode, rate, pause or jump change."""
        self._listeners.append(callback)

    # --- internals --------------------------------------------------------------------------

    def _sim_at(self, wall: float) -> float:
        if self._mode is ClockMode.LIVE:
            return wall
        if self._paused:
            return self._anchor_sim
        return self._anchor_sim + (wall - self._anchor_wall) * self._rate

    def _reanchor(self) -> None:
        wall = self._time_source()
        self._anchor_sim, self._anchor_wall = self._sim_at(wall), wall

    @staticmethod
    def _checked_rate(rate: float) -> float:
        rate = float(rate)
        if not -MAX_RATE <= rate <= MAX_RATE or rate != rate:
            raise ClockError(f"rate {rate} is outside -{MAX_RATE:,.0f}x .. +{MAX_RATE:,.0f}x")
        return rate

    def _notify(self) -> None:
        current = self.state()
        for callback in list(self._listeners):
            callback(current)

"""Keeps the running simulation clock and the state's clock fields in step, both ways.

The :class:`~app.clock.SimulationClock` runs time (thread-safe, continuous); the state
records how it was last set (mode, rate, paused, the simulation time then). A change made
on the clock (the time controls, a scenario) is written to the state; a change written to
the state (a view opened, an instructor's push) is applied to the clock. Each side's echo
of the other's change is ignored.
"""

from __future__ import annotations

from app.live.clock import ClockMode, SimulationClock
from app.state.console_state import ClockState, ConsoleState


class ClockSync:
    def __init__(self, clock: SimulationClock, state: ConsoleState):
        self.clock, self.state = clock, state
        self._applying = False
        clock.add_listener(lambda _reading: self._record())
        state.connect("clock", self._apply)
        self._record()

    def capture(self) -> None:
        """Write the clock's current time into the state (before saving or sharing it)."""
        self._record()

    def _record(self) -> None:
        if self._applying:
            return
        reading = self.clock.state()
        self._applying = True
        try:
            with self.state.batch():
                self.state.clock.mode = reading.mode.value
                self.state.clock.rate = reading.rate
                self.state.clock.paused = reading.paused
                self.state.clock.epoch_utc = reading.epoch
        finally:
            self._applying = False

    def _apply(self, setting: ClockState) -> None:
        if self._applying:
            return
        self._applying = True
        try:
            if setting.mode == ClockMode.LIVE.value:
                self.clock.go_live()
            else:
                self.clock.set_rate(setting.rate)
                self.clock.pause() if setting.paused else self.clock.resume()
                if setting.epoch_utc is not None:  # last, so the time is exactly the one set
                    self.clock.jump_to(setting.epoch_utc)
        finally:
            self._applying = False
        self._record()  # what the clock made of it (a live clock has no epoch of its own)

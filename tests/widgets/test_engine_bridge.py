"""The engine is asked for snapshots at a pace the GUI can afford: at most twice a second of
wall time, unless the clock runs so fast that the globe would extrapolate further than 30 s
(at 60x it once propagated the whole catalog six times a second, holding a core the frames
needed)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import widgets.engine_bridge as bridge_module
from widgets.engine_bridge import MAX_EXTRAPOLATION_SIM_S, MIN_WALL_INTERVAL_S, EngineBridge

START = datetime(2026, 8, 12, 12, tzinfo=timezone.utc)


def _requests(monkeypatch, default_catalog, rate: float, frames: int = 60, frame_s: float = 0.033) -> int:
    bridge = EngineBridge()
    try:
        bridge.set_catalog(default_catalog)
        asked = []
        monkeypatch.setattr(bridge.engine, "submit", lambda catalog, epoch: asked.append(epoch) or len(asked))
        wall = [100.0]
        monkeypatch.setattr(bridge_module.time, "monotonic", lambda: wall[0])
        for frame in range(frames):
            wall[0] = 100.0 + frame * frame_s
            bridge.tick(START + timedelta(seconds=frame * frame_s * rate))
            bridge._in_flight = None  # the engine answers at once
        return len(asked)
    finally:
        bridge.shutdown()


def test_at_60x_twice_a_second(monkeypatch, default_catalog):
    seconds = 60 * 0.033
    assert _requests(monkeypatch, default_catalog, 60.0) <= seconds / MIN_WALL_INTERVAL_S + 1  # was one a frame


def test_faster_than_the_extrapolation_every_frame_it_can(monkeypatch, default_catalog):
    assert 0.033 * 2000.0 > MAX_EXTRAPOLATION_SIM_S
    assert _requests(monkeypatch, default_catalog, 2000.0) == 60


def test_paused_nothing(monkeypatch, default_catalog):
    assert _requests(monkeypatch, default_catalog, 0.0) == 1

"""Whole-window frame rate against an empty canvas drawn in the same run: prints JSON, never
passes or fails.

    python3 tests/benchmarks/bench_window.py [--seconds 8] [--profile]

Absolute frame rates on software GL differ 2-3x between machines, so every rate is set
against an empty vispy canvas of the same size drawn the same way on the same machine:
- window: the whole main window at 1920x1080, playing at 60x on the default catalog with
  the ISS selected and the watchlist (two pairs) showing; how often the globe draws a second,
  against an empty canvas of the globe's size (target: at least 25 %), and the longest gap a
  1 ms GUI-thread timer sees meanwhile (target: under 100 ms);
- globe: the globe alone at 1600x1000 on the default catalog, drawn as fast as it can, against
  an empty canvas of 1600x1000 (target: its frame costs at most 2x the empty canvas's).
``--profile`` adds the GUI thread's heaviest functions while the whole window plays.
Needs an X display with OpenGL (starts a private Xvfb when DISPLAY is unset).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from widgets.launch import _application, _has_display, start_virtual_display  # noqa: E402
from tests.operators import officer

EPOCH = datetime(2026, 8, 12, 12, 0, tzinfo=timezone.utc)
WINDOW_SIZE = (1920, 1080)
GLOBE_SIZE = (1600, 1000)


def _spin(app, seconds: float) -> None:
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        app.processEvents()
        time.sleep(0.0005)


def draws_per_second(app, canvas, seconds: float, continuous: bool) -> float:
    """How often ``canvas`` draws in ``seconds``; ``continuous`` asks for the next draw as each
    ends (from the event loop: an update asked for inside a paint is dropped)."""
    from PySide6.QtCore import QTimer

    count = [0]

    def drawn(_event) -> None:
        count[0] += 1
        if continuous:
            QTimer.singleShot(0, canvas.update)

    canvas.events.draw.connect(drawn)
    canvas.update()
    _spin(app, 1.0)  # warm-up: shaders compiled, buffers uploaded
    count[0] = 0
    started = time.perf_counter()
    _spin(app, seconds)
    rate = count[0] / (time.perf_counter() - started)
    canvas.events.draw.disconnect(drawn)
    return rate


def empty_canvas_rate(app, size: tuple[int, int], seconds: float) -> float:
    from vispy import scene

    canvas = scene.SceneCanvas(size=size, bgcolor="#05080d", show=True, keys=None)
    canvas.central_widget.add_view()
    rate = draws_per_second(app, canvas, seconds, continuous=True)
    canvas.close()
    return rate


def globe_alone_rate(app, catalog, seconds: float) -> float:
    import numpy as np

    from app.live.engine import propagate
    from widgets.views.globe_view import GlobeView
    from widgets.views.textures import earth_texture

    globe = GlobeView(earth_texture())
    globe.resize(*GLOBE_SIZE)
    globe.show()
    snapshot = propagate(catalog, EPOCH)
    colors = np.tile(np.array([[0.3, 0.76, 0.97, 0.9]], np.float32), (len(catalog), 1))
    globe.set_snapshot(snapshot, colors, np.ones(len(catalog), bool))
    globe.set_epoch(EPOCH)
    rate = draws_per_second(app, globe.canvas, seconds, continuous=True)
    globe.close()
    return rate


def whole_window(app, catalog, seconds: float, profile: bool) -> dict:
    from PySide6.QtCore import QTimer

    from app.live.clock import ClockMode, SimulationClock
    from app.rpo.watch_pair import WatchPair
    from app.storage import Store
    from widgets.main_window import MainWindow

    folder = Path(os.environ.get("TMPDIR", "/tmp")) / f"bench_window_{os.getpid()}"
    folder.mkdir(parents=True, exist_ok=True)
    clock = SimulationClock(start=EPOCH, mode=ClockMode.REPLAY, rate=60.0, paused=True)
    window = MainWindow(settings=None, clock=clock, interactive=False,
                        store=Store(f"sqlite:///{folder / 'bench.db'}", operator=officer("bench")))
    window.resize(*WINDOW_SIZE)
    window.show()
    window.loader.use(catalog, ["default"])
    window.start()
    for pair in (WatchPair(25544, 20580, caution_km=3000.0, warning_km=100.0),
                 WatchPair(25544, 48274, caution_km=50.0, warning_km=5.0)):
        window.watchlist.add_pair(pair, edit=False)
    window.watchlist_dock.show()
    window.watchlist_dock.raise_()
    window.session.select_norad(25544)
    _spin(app, 2.0)
    clock.resume()
    globe_size = tuple(window.globe.canvas.size)
    gaps: list[float] = []
    last = [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        gaps.append((now - last[0]) * 1000.0)
        last[0] = now

    timer = QTimer(interval=1)
    timer.timeout.connect(tick)
    timer.start()
    profiler = cProfile.Profile() if profile else None
    if profiler:
        profiler.enable()
    rate = draws_per_second(app, window.globe.canvas, seconds, continuous=False)
    if profiler:
        profiler.disable()
    timer.stop()
    window.close()
    result = {"globe_size": f"{globe_size[0]}x{globe_size[1]}", "globe_draws_per_s": round(rate, 1),
              "gui_longest_gap_ms": round(max(gaps[20:]), 1) if len(gaps) > 20 else None,
              "globe_size_px": globe_size}
    if profiler:
        text = io.StringIO()
        pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(35)
        result["profile"] = text.getvalue()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    if not _has_display():
        start_virtual_display(WINDOW_SIZE[0] + 64, WINDOW_SIZE[1] + 64)
    app = _application()
    from vispy.gloo import gl

    from app.catalog import Catalog

    catalog = Catalog.load_default()
    window = whole_window(app, catalog, args.seconds, args.profile)
    empty_at_globe_size = empty_canvas_rate(app, window.pop("globe_size_px"), args.seconds)
    globe = globe_alone_rate(app, catalog, args.seconds)
    empty_1600 = empty_canvas_rate(app, GLOBE_SIZE, args.seconds)
    profile = window.pop("profile", None)
    report = {
        "gl_renderer": gl.glGetParameter(gl.GL_RENDERER),
        "window_1920x1080_playing_60x": {
            **window, "empty_canvas_draws_per_s": round(empty_at_globe_size, 1),
            "globe_rate_over_empty": round(window["globe_draws_per_s"] / empty_at_globe_size, 3)},
        "globe_alone_1600x1000": {
            "globe_draws_per_s": round(globe, 1), "empty_canvas_draws_per_s": round(empty_1600, 1),
            "globe_frame_cost_over_empty": round(empty_1600 / globe, 2)},
        "targets": {"globe_rate_over_empty": ">= 0.25", "gui_longest_gap_ms": "< 100",
                    "globe_frame_cost_over_empty": "<= 2"},
    }
    json.dump(report, sys.stdout, indent=2)
    sys.stdout.write("\n")
    if profile:
        sys.stdout.write(profile)
    sys.stdout.flush()
    os._exit(0)  # skip interpreter teardown: PySide6 6.12 can abort while collecting Qt objects there


if __name__ == "__main__":
    main()

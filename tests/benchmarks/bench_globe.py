"""Globe rendering benchmark: prints JSON figures, never passes or fails.

    python3 tests/benchmarks/bench_globe.py [--frames 60]

Needs an X display with OpenGL (starts a private Xvfb when DISPLAY is unset). Reports, for
the globe at 1600x1000 with 20k, 100k and 1M points (beyond the real 18.7k catalog the
points are SYNTHETIC: the real snapshot's states rotated about the polar axis by random
angles, so they lie on real orbits):
- fps and frame_ms: wall time per frame (update, paint, glFinish) on this machine's GL
  (Mesa llvmpipe here: the GL work itself runs on the CPU);
- app_frame_cpu_us: the application's own per-frame work (``GlobeView.set_epoch``), which
  must not grow with the number of points (target: 100k within 1.2x of 10k);
- first_frame_s: from process start to the first drawn frame of ``spaceops`` on the
  default catalog (target < 2 s), and as a ratio to a bare vispy canvas's first frame in a
  process of its own (Qt and vispy imported, one empty canvas shown and drawn), measured in
  the same run (``--first-frame-only`` measures just these);
- catalog_table_100k: the catalog browser over a SYNTHETIC 100k catalog: setting it,
  searching, sorting and scrolling, in ms;
- gui_longest_gap_ms: the longest gap a 1 ms GUI-thread timer sees while the full window
  runs live at 100x on the default catalog (engine ticking, frames drawing).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from widgets.launch import _application, _has_display, start_virtual_display  # noqa: E402

EPOCH = datetime(2026, 8, 12, 12, 0, tzinfo=timezone.utc)
SIZE = (1600, 1000)


class _SyntheticSnapshot:
    """What GlobeView.set_snapshot reads, for point counts beyond the catalog."""

    def __init__(self, r, v, epoch):
        self.r_teme_km, self.v_teme_km_s, self.epoch = r, v, epoch
        self.valid = np.isfinite(r[:, 0])


def synthetic_states(r: np.ndarray, v: np.ndarray, count: int, seed: int = 7):
    rng = np.random.default_rng(seed)
    rows = np.arange(count) % len(r)
    angle = np.where(np.arange(count) < len(r), 0.0, rng.uniform(0, 2 * np.pi, count))
    c, s = np.cos(angle), np.sin(angle)

    def rotate(x):
        x = x[rows]
        return np.stack([c * x[:, 0] - s * x[:, 1], s * x[:, 0] + c * x[:, 1], x[:, 2]], axis=1)
    return rotate(r), rotate(v)


def measure_globe(app, globe, count: int, r, v, frames: int) -> dict:
    from vispy.gloo import gl

    rs, vs = synthetic_states(r, v, count)
    colors = np.tile(np.array([[0.3, 0.76, 0.97, 0.9]], np.float32), (count, 1))
    globe.set_snapshot(_SyntheticSnapshot(rs, vs, EPOCH), colors, np.ones(count, bool))
    for k in range(5):  # warm-up: upload and compile
        globe.set_epoch(EPOCH + timedelta(seconds=k))
        globe.canvas.native.repaint()
        app.processEvents()
    gl.glFinish()
    wall, app_cpu = [], []
    for k in range(frames):
        started = time.perf_counter()
        cpu_started = time.perf_counter()
        globe.set_epoch(EPOCH + timedelta(seconds=k * 0.033))
        app_cpu.append(time.perf_counter() - cpu_started)
        globe.canvas.native.repaint()
        gl.glFinish()
        app.processEvents()
        wall.append(time.perf_counter() - started)
    frame_s = statistics.median(wall)
    return {"points": count, "synthetic": count > len(r), "fps": round(1.0 / frame_s, 1),
            "frame_ms": round(frame_s * 1000, 2), "app_frame_cpu_us": round(statistics.median(app_cpu) * 1e6, 1)}


def first_frame_seconds(runs: int = 3) -> list[float]:
    times = []
    env = {**os.environ, "SPACEOPS_QUIT_AFTER_FIRST_FRAME": "1"}
    for _ in range(runs):
        started = time.time()
        done = subprocess.run([sys.executable, "-m", "app"], capture_output=True, text=True, timeout=120, env=env,
                              cwd=ROOT)
        line = next((l for l in done.stdout.splitlines() if l.startswith("first-frame-at")), None)
        if line:
            times.append(round(float(line.split()[1]) - started, 3))
    return times


def gui_longest_gap_ms(app, seconds: float = 6.0) -> float:
    from PySide6.QtCore import QTimer

    from app.catalog import Catalog
    from app.common.resources import default_catalog_paths
    from app.live.clock import ClockMode, SimulationClock
    from widgets.main_window import MainWindow

    clock = SimulationClock(start=EPOCH, mode=ClockMode.REPLAY, rate=100.0)
    window = MainWindow(settings=None, clock=clock, interactive=False)
    window.resize(*SIZE)
    window.show()
    paths = [str(p) for p in default_catalog_paths()]
    window.loader.use(Catalog.load(paths), paths)
    window.start()
    gaps: list[float] = []
    last = [time.perf_counter()]

    def tick():
        now = time.perf_counter()
        gaps.append((now - last[0]) * 1000.0)
        last[0] = now

    timer = QTimer(interval=1)
    timer.timeout.connect(tick)
    timer.start()
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        app.processEvents()
        time.sleep(0.0005)
    timer.stop()
    window.close()
    return max(gaps[10:]) if len(gaps) > 10 else float("nan")


def catalog_table_ms(app, count: int = 100_000) -> dict:
    """Filtering and sorting the catalog browser over a SYNTHETIC catalog of ``count`` objects."""
    sys.path.insert(0, str(Path(__file__).parent))
    from bench_engine import synthetic_catalog

    from app.catalog import Catalog
    from widgets.panels.catalog_panel import CatalogPanel

    catalog = synthetic_catalog(Catalog.load_default(), count)
    panel = CatalogPanel()
    panel.resize(500, 800)
    panel.show()
    started = time.perf_counter()
    panel.set_catalog(catalog, EPOCH)
    app.processEvents()
    set_ms = (time.perf_counter() - started) * 1000
    timings = {}
    for label, text in (("search_starlink", "starlink"), ("search_number", "25544"), ("clear", "")):
        started = time.perf_counter()
        panel.search.setText(text)
        panel._refilter()
        app.processEvents()
        timings[f"{label}_ms"] = round((time.perf_counter() - started) * 1000, 1)
    started = time.perf_counter()
    panel.table.sortByColumn(0, panel.table.horizontalHeader().sortIndicatorOrder())
    app.processEvents()
    timings["sort_by_name_ms"] = round((time.perf_counter() - started) * 1000, 1)
    started = time.perf_counter()
    panel.table.scrollToBottom()
    app.processEvents()
    timings["scroll_to_end_ms"] = round((time.perf_counter() - started) * 1000, 1)
    panel.close()
    return {"objects": count, "synthetic": True, "set_catalog_ms": round(set_ms, 1), **timings}


BARE_CANVAS = """
import time, sys
from vispy import app, scene
app.use_app("pyside6")
canvas = scene.SceneCanvas(size=(1600, 1000), show=True)
canvas.events.draw.connect(lambda event: (print(f"first-frame-at {time.time():.3f}", flush=True), app.quit()))
app.run()
"""


def bare_canvas_first_frame_seconds(runs: int = 3) -> list[float]:
    """The baseline for ``first_frame_seconds``: a process that only shows one empty vispy canvas."""
    times = []
    for _ in range(runs):
        started = time.time()
        done = subprocess.run([sys.executable, "-c", BARE_CANVAS], capture_output=True, text=True, timeout=120,
                              cwd=ROOT)
        line = next((l for l in done.stdout.splitlines() if l.startswith("first-frame-at")), None)
        if line:
            times.append(round(float(line.split()[1]) - started, 3))
    return times


def first_frame_report() -> dict:
    console, bare = first_frame_seconds(), bare_canvas_first_frame_seconds()
    return {"first_frame_s": console, "bare_canvas_first_frame_s": bare,
            "first_frame_over_bare_canvas": (round(statistics.median(console) / statistics.median(bare), 2)
                                             if console and bare else None)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=60)
    parser.add_argument("--counts", default="10000,20000,100000,1000000")
    parser.add_argument("--first-frame-only", action="store_true", help="only the start-up figures")
    args = parser.parse_args()
    if not _has_display():
        start_virtual_display(SIZE[0] + 100, SIZE[1] + 100)
    if args.first_frame_only:
        json.dump(first_frame_report(), sys.stdout, indent=2)
        sys.stdout.write("\n")
        sys.stdout.flush()
        os._exit(0)
    app = _application()
    from app.catalog import Catalog
    from app.live.engine import propagate
    from widgets.views.globe_view import GlobeView
    from widgets.views.textures import earth_texture

    catalog = Catalog.load_default()
    snapshot = propagate(catalog, EPOCH)
    r, v = np.asarray(snapshot.r_teme_km)[snapshot.valid], np.asarray(snapshot.v_teme_km_s)[snapshot.valid]
    globe = GlobeView(earth_texture())
    globe.resize(*SIZE)
    globe.show()
    app.processEvents()
    from vispy.gloo import gl

    results = [measure_globe(app, globe, int(n), r, v, args.frames) for n in args.counts.split(",")]
    by_count = {row["points"]: row for row in results}
    report = {
        "gl_renderer": gl.glGetParameter(gl.GL_RENDERER),
        "canvas": f"{globe.canvas.size[0]}x{globe.canvas.size[1]}",
        "globe": results,
        "app_frame_cpu_100k_over_10k": (round(by_count[100000]["app_frame_cpu_us"] / by_count[10000]["app_frame_cpu_us"], 2)
                                        if 100000 in by_count and 10000 in by_count else None),
        **first_frame_report(),
        "catalog_table_100k": catalog_table_ms(app),
        "gui_longest_gap_ms_default_catalog_live_100x": round(gui_longest_gap_ms(app), 1),
        "targets": {"fps_default_catalog_llvmpipe": ">= 30", "app_frame_cpu_100k_over_10k": "<= 1.2",
                    "first_frame_s": "< 2"},
    }
    json.dump(report, sys.stdout, indent=2)
    sys.stdout.write("\n")
    sys.stdout.flush()
    os._exit(0)  # skip interpreter teardown: PySide6 6.12 can abort while collecting Qt objects there


if __name__ == "__main__":
    main()

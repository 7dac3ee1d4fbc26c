"""Starting the Qt face: the console itself, and the non-interactive screenshot.

This is the one module ``app.cli.main`` imports (lazily) from ``widgets``.
"""

from __future__ import annotations

import atexit
import logging
import os
import shutil
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Sequence

log = logging.getLogger(__name__)

ORGANIZATION, APPLICATION = "CoalitionSpaceOps", "spaceops"


class NoDisplayError(RuntimeError):
    pass


def exit_without_teardown(code: int) -> None:
    """Leave the process once the Qt work is done, skipping interpreter teardown.

    PySide6 6.12 can abort while the garbage collector finalises Qt objects at interpreter
    exit ("Fatal Python error: bool_dealloc"), after everything was written and closed:
    flush and close what we own, then exit at once with our own exit code."""
    sys.stdout.flush()
    sys.stderr.flush()
    logging.shutdown()
    for display in _private_displays:  # os._exit skips atexit: stop what we started ourselves
        display.terminate()
        try:
            display.wait(5)
        except subprocess.TimeoutExpired:
            display.kill()
    os._exit(code)


_private_displays: list[subprocess.Popen] = []  # Xvfb servers this process started


def _has_display() -> bool:
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
                or os.environ.get("QT_QPA_PLATFORM") or sys.platform in ("win32", "darwin"))


def start_virtual_display(width: int = 1920, height: int = 1200) -> None:
    """Start a private Xvfb (for screenshots on a machine with no screen) and point DISPLAY at it."""
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        raise NoDisplayError("no display (DISPLAY is not set) and no Xvfb to start one: "
                             "install xvfb or run on a desktop")
    for number in range(90, 140):
        if not Path(f"/tmp/.X11-unix/X{number}").exists() and not Path(f"/tmp/.X{number}-lock").exists():
            break
    process = subprocess.Popen([xvfb, f":{number}", "-screen", "0", f"{width}x{height}x24", "-nolisten", "tcp",
                                "+extension", "GLX", "+render"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    atexit.register(process.terminate)
    _private_displays.append(process)
    deadline = time.monotonic() + 10
    while not Path(f"/tmp/.X11-unix/X{number}").exists():
        if process.poll() is not None or time.monotonic() > deadline:
            raise NoDisplayError("could not start Xvfb")
        time.sleep(0.05)
    os.environ["DISPLAY"] = f":{number}"


def _application():
    from PySide6.QtWidgets import QApplication

    from widgets.theme import STYLESHEET

    app = QApplication.instance() or QApplication(sys.argv[:1])
    if not hasattr(app, "_garbage_collector"):
        # Worker threads (screening, passes, forecasts) allocate a lot; if Python's cyclic
        # collector ran there it could delete Qt objects off the GUI thread and deadlock
        # against painting. Collection is moved to a timer on the GUI thread instead.
        from pyqtgraph.util.garbage_collector import GarbageCollector

        app._garbage_collector = GarbageCollector(interval=1.0)
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    app.setDesktopFileName(APPLICATION)  # packaging/spaceops.desktop: its icon and name on Wayland
    app.setWindowIcon(application_icon())
    app.setStyleSheet(STYLESHEET)
    return app


ICON_SIZES = (16, 32, 48, 64, 128, 256)


def application_icon():
    """The console's icon (resources/icons: the SVG and its PNG renders), for every window."""
    from PySide6.QtGui import QIcon

    from app.common.resources import resource_path

    icon = QIcon()
    for size in ICON_SIZES:
        icon.addFile(str(resource_path(f"icons/hicolor/{size}x{size}/apps/spaceops.png")))
    icon.addFile(str(resource_path("icons/spaceops.svg")))
    return icon


def settings():
    from PySide6.QtCore import QSettings

    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANIZATION, APPLICATION)


def run_console(catalog_paths: Sequence[str] | None = None, database_url: str | None = None,
                scenario_path: str | None = None, password_file: str | None = None) -> int:
    """Open the console; the catalog is the one given, else the last one used, else the bundled
    one; the database is ``database_url``, else the settings' one, else SQLite in the user data
    folder. With ``scenario_path`` the console plays that scenario (validated first: exit 3
    with its errors), its records in a separate exercise database unless one is given."""
    run = None
    if scenario_path is not None:
        from app.common.paths import user_data_dir
        from app.scenario.format import ScenarioError
        from app.scenario.opening import open_scenario

        try:
            run = open_scenario(scenario_path)
        except ScenarioError as error:
            print("\n".join(error.errors), file=sys.stderr)
            print(f"spaceops: {scenario_path}: {len(error.errors)} error(s); the console was not started", file=sys.stderr)
            return 3
        except (ValueError, OSError) as error:
            print(f"spaceops: {scenario_path}: {error}", file=sys.stderr)
            return 3
        database_url = database_url or f"sqlite:///{user_data_dir() / (run.scenario.data_mode.lower() + '.db')}"
    if not _has_display():
        print("spaceops: no display (DISPLAY is not set). Run the console on a desktop session, or under "
              "'xvfb-run -a spaceops' to run it without a screen.", file=sys.stderr)
        return 1
    app = _application()
    from app.common.resources import default_catalog_paths

    from widgets.preferences import Preferences, saved_catalog_paths

    preferences = Preferences(settings())
    paths = [str(p) for p in (catalog_paths or saved_catalog_paths(preferences) or default_catalog_paths())]
    early = _EarlyLoad(paths) if run is None else None  # reads the files while the window is being built

    from widgets.main_window import MainWindow, fit_to_screen

    window = MainWindow(preferences, database_url=database_url, password_file=password_file)
    fit_to_screen(window, 1600, 1000)
    window.restore_layout()
    window.show()
    window.start()
    if os.environ.get("SPACEOPS_QUIT_AFTER_FIRST_FRAME"):
        _quit_after_first_frame(app, window)
    if run is not None:
        window.open_scenario(run)
    else:
        early.hand_to(window)
    return app.exec()


class _EarlyLoad:
    """Start reading the catalog (through the job runner) before the window exists; hand the
    result, or the error, to the window's loader once both are ready."""

    def __init__(self, paths: list[str]):
        from app.catalog import Catalog
        from widgets.runner import JobRunner

        self.paths, self.window = paths, None
        self.runner = JobRunner()
        self.job = self.runner.start("Loading the catalog", lambda progress: Catalog.load(paths, progress=progress),
                                     on_error=lambda error: self._hand(None, f"{type(error).__name__}: {error}"))
        self.job.ended.connect(lambda: self._hand(self.job.result, None) if self.job.error is None else None)
        self._ready: tuple | None = None

    def hand_to(self, window) -> None:
        self.window = window
        if self._ready is not None:
            self._hand(*self._ready)

    def _hand(self, catalog, error: str | None) -> None:
        if self.window is None:
            self._ready = (catalog, error)
        elif catalog is not None:
            self.window.loader.use(catalog, self.paths)
        elif error is not None:
            self.window.loader.failed(error)


def _quit_after_first_frame(app, window) -> None:
    """For the start-up benchmark: once the first snapshot of the catalog is drawn, print the
    wall-clock time (the parent subtracts the time it started the process) and quit."""

    def drawn(_snapshot) -> None:
        window.globe.canvas.native.repaint()
        print(f"first-frame-at {time.time():.3f}", flush=True)
        app.quit()

    window.session.snapshot_ready.connect(drawn)


SCREENSHOT_SETTLE_MS = 400


def _run_event_loop(milliseconds: int) -> None:
    """Let the window live for a moment (no operator): the event loop runs, then returns."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(milliseconds, loop.quit)
    loop.exec()


def take_screenshot(out: str, catalog_paths: Sequence[str] | None, at: datetime | None, select: int | None,
                    size: tuple[int, int], sensor: str | None = None) -> tuple[bool, list[str]]:
    """Render the whole main window to a PNG. Returns (written, problems)."""
    if not _has_display():
        start_virtual_display(max(size[0], 800) + 64, max(size[1], 600) + 64)
    _application()
    from app.common.resources import default_catalog_paths
    from app.live.clock import ClockMode, SimulationClock
    from widgets.main_window import MainWindow

    clock = SimulationClock(start=at, mode=ClockMode.REPLAY, paused=True) if at else SimulationClock()
    if at is None:
        clock.pause()
    window = MainWindow(settings=None, clock=clock, interactive=False)
    window.resize(*size)
    window.show()
    from app.catalog import Catalog

    paths = [str(p) for p in (catalog_paths or default_catalog_paths())]
    window.loader.use(Catalog.load(paths), paths)
    problems = [str(r) for r in window.loader.last_rejections]
    window.session.bridge.propagate_now(clock.now())
    if select is not None:
        if select in window.session.catalog:
            window.session.select_norad(select)
        else:
            problems.append(f"--select: catalog number {select} is not in the catalog")
    if sensor is not None:
        from app.sensors.sites import SensorError, find_sensors

        try:
            window.session.state.selection.sensor = find_sensors([sensor], window.session.sensors)[0].name
        except SensorError as error:
            problems.append(f"--sensor: {error} (spaceops sensors list)")
    window.session.advance_frame()
    _run_event_loop(SCREENSHOT_SETTLE_MS)  # layout, the database's first reads, a few frames drawn
    if (window.width(), window.height()) != tuple(size):  # below the window's smallest: Qt keeps that
        problems.append(f"--size {size[0]}x{size[1]}: the window cannot be that small; the picture is "
                        f"{window.width()}x{window.height()}")
    written = window.save_screenshot(out)
    window.close()
    return written, problems

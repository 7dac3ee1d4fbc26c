"""Render tests need real OpenGL: an X display (Xvfb via pytest-xvfb) with Mesa."""

from __future__ import annotations

import os
from datetime import datetime, timezone

import pytest
from tests.operators import officer

EPOCH = datetime(2026, 8, 12, 12, 0, tzinfo=timezone.utc)


def pytest_collection_modifyitems(config, items):
    if os.environ.get("QT_QPA_PLATFORM") == "offscreen" or not os.environ.get("DISPLAY"):
        skip = pytest.mark.skip(reason="no X display with OpenGL (install xvfb: bash packaging/setup.sh --test)")
        for item in items:
            if "tests/render" in str(item.fspath):
                item.add_marker(skip)


@pytest.fixture
def window(qtbot, default_catalog, tmp_path):
    """The main window on the default catalog, clock paused at EPOCH, one snapshot shown."""
    from app.live.clock import ClockMode, FixedTimeSource, SimulationClock
    from app.sensors.sites import SensorStore
    from app.storage import Store
    from widgets.main_window import MainWindow

    clock = SimulationClock(FixedTimeSource(EPOCH), start=EPOCH, mode=ClockMode.REPLAY, paused=True)
    main = MainWindow(settings=None, clock=clock, interactive=False,
                      sensor_store=SensorStore(tmp_path / "user_sensors.json"),
                      store=Store(f"sqlite:///{tmp_path / 'ops.db'}", operator=officer("officer")))
    qtbot.addWidget(main)
    main.resize(1400, 900)
    main.show()
    qtbot.waitExposed(main)
    main.loader.use(default_catalog, ["default"])
    main.session.bridge.propagate_now(clock.now())
    main.session.advance_frame()
    return main

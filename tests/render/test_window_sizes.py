"""The console fits any screen: at 1280×720, 1366×768, 1920×1080 and 2560×1440 the mode
indicator shows (it once fell into the toolbar's overflow at 1280×720) and the globe keeps a
usable share (it was a 150 px strip at 1366×768)."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("size", [(1280, 720), (1366, 768), (1920, 1080), (2560, 1440)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_mode_indicator_and_globe_share(qtbot, size, tmp_path):
    from app.live.clock import SimulationClock
    from app.sensors.sites import SensorStore
    from widgets.main_window import MainWindow

    window = MainWindow(settings=None, clock=SimulationClock(), interactive=False, open_default_store=False,
                       sensor_store=SensorStore(tmp_path / "user_sensors.json"))
    qtbot.addWidget(window)
    window.resize(*size)
    window.show()
    qtbot.waitExposed(window)
    qtbot.wait(50)
    mode, toolbar = window.time_controls.mode_label, window.time_controls
    assert mode.isVisible() and mode.text().startswith(("LIVE", "REPLAY"))
    assert mode.mapTo(toolbar, mode.rect().topRight()).x() <= toolbar.width()
    globe = window.globe
    assert globe.height() >= 0.3 * size[1] and globe.width() >= 0.35 * size[0], (globe.width(), globe.height())


def test_the_watchlist_shows_five_pairs_at_1366x768(qtbot, tmp_path):
    from app.live.clock import SimulationClock
    from app.sensors.sites import SensorStore
    from widgets.main_window import MainWindow

    window = MainWindow(settings=None, clock=SimulationClock(), interactive=False, open_default_store=False,
                        sensor_store=SensorStore(tmp_path / "user_sensors.json"))
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    window.watchlist_dock.raise_()
    qtbot.waitExposed(window)
    qtbot.wait(50)
    table = window.watchlist.table
    assert table.viewport().height() // table.verticalHeader().defaultSectionSize() >= 5

"""Screening dock, whole catalog against itself: progress runs to the end and the result
fills the table; Cancel stops a run part-way and leaves the dock ready for the next."""

from __future__ import annotations

from datetime import datetime, timezone

import numpy as np
import pytest

START = datetime(2026, 8, 12, tzinfo=timezone.utc)


@pytest.fixture
def panel(qtbot, default_catalog):
    from widgets.panels.screening_panel import ScreeningPanel

    widget = ScreeningPanel()
    qtbot.addWidget(widget)
    leo = np.nonzero(default_catalog.regime == "LEO")[0]
    widget.set_context(default_catalog.subset(leo[::4]), None, START)
    widget.scope.setCurrentIndex(1)  # whole catalog vs itself
    return widget


def test_whole_catalog_run_fills_the_table(qtbot, panel):
    seen = []
    panel.hours.setValue(1.0)
    panel.threshold.setValue(10.0)
    job = panel.run()
    job.progressed.connect(lambda done, total, _note: seen.append((done, total)))
    with qtbot.waitSignal(job.ended, timeout=120000):
        pass
    assert panel.result is not None and job.error is None
    assert panel.model.rowCount() == len(panel.result.approaches) > 0
    assert seen and all(total == 100 for _, total in seen) and max(done for done, _ in seen) >= 80
    assert panel.run_button.isEnabled() and not panel.cancel_button.isEnabled()
    assert "approaches" in panel.summary.text()


def test_cancel_stops_a_whole_catalog_run(qtbot, panel):
    panel.hours.setValue(48.0)
    started = []
    job = panel.run()
    job.progressed.connect(lambda done, total, _note: started.append(done))
    qtbot.waitUntil(lambda: len(started) > 0, timeout=60000)
    with qtbot.waitSignal(job.ended, timeout=60000):
        panel.cancel_button.click()
    assert job.cancelled
    assert panel.summary.text() == "Cancelled."
    assert panel.run_button.isEnabled() and panel.result is None

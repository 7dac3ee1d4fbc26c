"""Screening dock, whole catalog against itself: progress runs to the end and the result
fills the table; Cancel stops a run part-way and leaves the dock ready for the next."""

from __future__ import annotations

from datetime import datetime, timezone

import numpy as np
from PySide6.QtCore import Qt
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


def test_soonest_approach_first_and_numbers_sorted_by_value(panel):
    """The table opens soonest TCA first (it opened latest first: Qt's default indicator),
    and a number column sorts by value ("12.000" after "9.100", not before)."""
    from datetime import timedelta

    from app.conjunction.closest_approach import Approach
    from app.conjunction.screening import ScreeningResult

    approaches = [Approach(25544, 20580 + k, START + timedelta(hours=h), miss, 10.0, (0.0, 0.0, 0.0))
                  for k, (h, miss) in enumerate([(5, 12.0), (1, 9.1), (3, 0.5)])]
    panel._show_result(ScreeningResult(approaches))
    column = [panel.proxy.index(row, 0).data() for row in range(3)]
    assert column == sorted(column) and column[0].startswith("2026-08-12 01:00")
    miss_column = 5
    panel.table.sortByColumn(miss_column, Qt.SortOrder.AscendingOrder)
    assert [panel.proxy.index(row, miss_column).data() for row in range(3)] == ["0.500", "9.100", "12.000"]


def test_the_tca_column_shows_the_whole_time(panel):
    """A user saw "2026-08-12 12:04:0…": the column is as wide as a TCA to the millisecond."""
    needed = panel.table.fontMetrics().horizontalAdvance("2026-08-12 12:04:05.123")
    assert panel.table.columnWidth(0) >= needed + 12


def test_the_tca_column_is_sized_in_the_font_the_theme_gives(qtbot, panel):
    """The theme's style sheet reaches the table only as it is polished, after the panel is
    made: a width measured in the constructor's font was still too narrow in the console."""
    panel.setStyleSheet("QWidget { font-size: 20pt; }")
    panel.show()
    qtbot.waitExposed(panel)
    needed = panel.table.fontMetrics().horizontalAdvance("2026-08-12 12:04:05.123")
    assert panel.table.columnWidth(0) >= needed + 12
    panel.table.setColumnWidth(0, 300)  # the user's width stays
    panel.hide()
    panel.show()
    assert panel.table.columnWidth(0) == 300

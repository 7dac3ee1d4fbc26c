"""Element-set history: each refresh keeps the element sets it brings (once), the history is
bounded to 90 days of epochs, "changed at the last refresh" lists the objects whose newest
element set the last refresh brought with how it moved, and a file that cannot be used is
named in a HistoryError (never a traceback, nothing else lost)."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest

from app.catalog import Catalog
from app.catalog.history import HISTORY_DAYS, ElementHistory, HistoryError

SEEN = datetime(2026, 8, 12, 12, tzinfo=timezone.utc)


def checksum(line: str) -> str:
    return line + str(sum(int(c) if c.isdigit() else c == "-" for c in line) % 10)


def iss_file(tmp_path, day: float, mean_motion: float, name: str = "iss.tle"):
    path = tmp_path / name
    path.write_text("ISS (ZARYA)\n"
                    + checksum(f"1 25544U 98067A   {26000 + day:014.8f}  .00012000  00000-0  21000-3 0  999") + "\n"
                    + checksum(f"2 25544  51.6400 100.0000 0004000  90.0000 270.0000 {mean_motion:11.8f}    0")
                    + "\n")
    return path


@pytest.fixture
def history(tmp_path):
    kept = ElementHistory(tmp_path / "history.sqlite")
    yield kept
    kept.close()


def test_refreshes_keep_each_element_set_once(history, default_catalog, tmp_path):
    first = history.record(default_catalog, SEEN)
    assert first.new_sets == len(default_catalog) == 18700
    again = history.record(default_catalog, SEEN + timedelta(hours=1))
    assert again.new_sets == 0 and again.id == first.id + 1
    assert [r.id for r in history.refreshes()] == [first.id, again.id]
    iss = history.of(25544)
    assert len(iss) == 1 and iss.refresh_id.tolist() == [first.id]
    row = default_catalog.row_of(25544)
    assert iss.semi_major_axis_km[0] == pytest.approx(default_catalog.semi_major_axis_km[row])
    assert iss.inclination_deg[0] == pytest.approx(default_catalog.inclination_deg[row])
    assert str(iss.epoch_utc[0])[:16] == default_catalog.epoch_utc(row).strftime("%Y-%m-%dT%H:%M")
    # the first refresh brought every object: all new, none "changed"
    changes = history.changed_in_last_refresh()
    assert changes == []  # the last refresh (the second) brought nothing


def test_changed_at_the_last_refresh_and_the_order(history, tmp_path):
    history.record(Catalog.load([iss_file(tmp_path, 223.5, 15.50)]), SEEN)
    history.record(Catalog.load([iss_file(tmp_path, 224.5, 15.40, "newer.tle")]), SEEN + timedelta(days=1))
    (change,) = history.changed_in_last_refresh()
    assert change.norad_id == 25544 and change.previous_epoch_utc.day == 11 and change.epoch_utc.day == 12
    assert change.delta_a_km > 20  # slower mean motion: a higher orbit (about 29 km for 0.1 rev/day)
    assert change.delta_inclination_deg == pytest.approx(0.0, abs=1e-9)
    iss = history.of(25544)
    assert len(iss) == 2 and np.all(np.diff(iss.epoch_utc.astype(np.int64)) > 0)
    # an older element set arriving later is kept, but the newest is still the newest
    history.record(Catalog.load([iss_file(tmp_path, 220.0, 15.50, "old.tle")]), SEEN + timedelta(days=2))
    assert len(history.of(25544)) == 3
    assert history.changed_in_last_refresh() == []


def test_the_history_is_bounded(history, tmp_path):
    history.record(Catalog.load([iss_file(tmp_path, 100.0, 15.5, "a.tle")]), SEEN)
    history.record(Catalog.load([iss_file(tmp_path, 100.0 + HISTORY_DAYS + 5, 15.5, "b.tle")]), SEEN)
    assert len(history.of(25544)) == 1  # the epoch 95 days older than the newest is gone


def test_a_file_that_cannot_be_used_is_named(tmp_path, default_catalog):
    garbage = tmp_path / "garbage.sqlite"
    garbage.write_bytes(b"this is not a database" * 100)
    with pytest.raises(HistoryError, match="garbage.sqlite"):
        ElementHistory(garbage)
    locked_path = tmp_path / "locked.sqlite"
    kept = ElementHistory(locked_path, timeout_s=0.2)
    holder = sqlite3.connect(locked_path)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(HistoryError, match="locked"):
            kept.record(default_catalog, SEEN)
    finally:
        holder.rollback()
        holder.close()
    assert kept.record(default_catalog, SEEN).new_sets == len(default_catalog)  # usable again once free
    (tmp_path / "folder").mkdir()
    (tmp_path / "folder" / "blocked").write_text("a file where a folder should be")
    with pytest.raises(HistoryError, match="blocked"):
        ElementHistory(tmp_path / "folder" / "blocked" / "history.sqlite")

"""The console's catalog feed: off by default; a file dropped in the folder joins the catalog
once it holds still (a newer ISS element set: the ISS moves to it and a possible maneuver
is flagged); a garbage file costs nothing else; a URL fetched into the catalog; a failed
fetch leaves the catalog as it was and says so; the dialog refuses what cannot work and
its settings come back at the next start."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from app.common.resources import default_catalog_paths
from widgets.catalog_feed import FeedSettings
from widgets.dialogs.catalog_feed_dialog import CatalogFeedDialog
from widgets.preferences import Preferences

ISS = 25544
# the ISS a day after the bundled element set, its mean motion changed (a reboost)
ISS_LATER = ("ISS (ZARYA)\n"
             "1 25544U 98067A   26224.50000000  .00012000  00000-0  21000-3 0  9990\n"
             "2 25544  51.6400 100.0000 0004000  90.0000 270.0000 15.40000000    09\n")


def _checksum(line: str) -> str:
    return line[:68] + str(sum(int(c) if c.isdigit() else c == "-" for c in line[:68]) % 10)


def _write_iss(folder: Path) -> Path:
    name, l1, l2 = ISS_LATER.splitlines()
    path = folder / "iss_update.tle"
    path.write_text("\n".join([name, _checksum(l1), _checksum(l2)]) + "\n")
    return path


def test_off_by_default(window):
    assert not window.catalog_feed.settings.enabled
    assert not window.catalog_feed.scan_timer.isActive() and not window.catalog_feed.fetch_timer.isActive()
    assert window.catalog_feed.status == "Catalog feed off"


@pytest.fixture
def on_files(window, default_catalog):
    """The window's catalog as read from the bundled files (the feed re-reads them)."""
    window.loader.use(default_catalog, [str(p) for p in default_catalog_paths()])
    return window


def test_a_dropped_file_joins_the_catalog_and_flags_a_maneuver(qtbot, on_files, tmp_path):
    window = on_files
    drop = tmp_path / "drop"
    drop.mkdir()
    (drop / "already_there.tle").write_text("")  # present before the feed started: not news
    feed = window.catalog_feed
    feed.apply(FeedSettings(drop_folder=str(drop)))
    assert feed.scan_timer.isActive()
    before = len(window.session.catalog)
    path = _write_iss(drop)
    assert feed.scan_drop_folder() == []  # seen once: maybe still being written
    with qtbot.waitSignal(window.session.maneuver_flags_changed, timeout=60000,
                          check_params_cb=lambda flags: ISS in flags) as flags:
        assert feed.scan_drop_folder() == [str(path)]
    catalog = window.session.catalog
    assert len(catalog) == before and str(path) in window.session.state.catalog.source_files
    assert catalog.epoch_utc(catalog.row_of(ISS)).day == 12  # the newer element set won
    assert ISS in flags.args[0]
    assert feed.scan_drop_folder() == []  # taken once

    # a file of the catalog gone: no refresh that would lose its objects
    sources = window.session.state.catalog.source_files
    window.session.state.catalog.source_files = sources + ("/gone.tle",)
    (drop / "another.tle").write_text(path.read_text())
    feed.scan_drop_folder()
    feed.scan_drop_folder()
    assert "are gone" in feed.status
    window.session.state.catalog.source_files = sources

    garbage = drop / "broken.tle"
    garbage.write_text("this is not a TLE\n" * 3)
    feed.scan_drop_folder()
    with qtbot.waitSignal(window.loader.loaded, timeout=60000, check_params_cb=lambda c: c is not catalog):
        feed.scan_drop_folder()
    assert len(window.session.catalog) == before  # the rest loaded
    assert any("broken.tle" in str(r.source) for r in window.loader.last_rejections)


def test_a_url_is_fetched_into_the_catalog_and_a_failure_changes_nothing(qtbot, on_files, tmp_path, feed_server):
    window = on_files
    feed = window.catalog_feed
    feed.out_file = tmp_path / "feed" / "feed_catalog.txt"
    with qtbot.waitSignal(window.loader.loaded, timeout=60000):
        feed.apply(FeedSettings(url=f"{feed_server}/gp", interval_min=5))
    assert feed.fetch_timer.isActive() and feed.fetch_timer.interval() == 5 * 60_000
    assert str(feed.out_file) in window.session.state.catalog.source_files
    assert "fetched 400 objects" in feed.status

    sources = window.session.state.catalog.source_files
    feed.settings = FeedSettings(url=f"{feed_server}/garbage")
    job = feed.fetch()
    with qtbot.waitSignal(job.ended, timeout=60000):
        pass
    assert window.session.state.catalog.source_files == sources
    assert "payload rejected, the catalog in use stays" in feed.status
    assert feed.out_file.stat().st_size > 0  # the last good feed file is still there


def test_the_dialog_refuses_what_cannot_work_and_settings_come_back(qtbot, tmp_path):
    dialog = CatalogFeedDialog(FeedSettings(), "Catalog feed off")
    qtbot.addWidget(dialog)
    dialog.drop_folder.setText(str(tmp_path / "nowhere"))
    dialog.accept()
    assert "is not a folder" in dialog.error_label.text() and dialog.result_settings is None
    dialog.drop_folder.setText(str(tmp_path))
    dialog.url.setText("ftp://example.org/gp")
    dialog.accept()
    assert "http:// or https://" in dialog.error_label.text()
    dialog.url.setText("https://celestrak.org/NORAD/elements/gp.php?GROUP=active&FORMAT=tle")
    dialog.credentials.setText(str(tmp_path / "missing.credentials"))
    dialog.accept()
    assert "credentials file" in dialog.error_label.text()
    dialog.credentials.setText("")
    dialog.interval.setValue(30)
    dialog.accept()
    chosen = dialog.result_settings
    assert chosen == FeedSettings(str(tmp_path), dialog.url.text(), 30, "", "")

    ini = tmp_path / "spaceops.ini"
    chosen.save(Preferences(QSettings(str(ini), QSettings.Format.IniFormat)))
    again = FeedSettings.load(Preferences(QSettings(str(ini), QSettings.Format.IniFormat)))
    assert again == chosen


@pytest.mark.parametrize("stored", ["-3", "banana", "999999"])
def test_a_bad_interval_in_the_settings_is_clamped_or_ignored(tmp_path, stored):
    ini = tmp_path / "spaceops.ini"
    ini.write_text(f"[feed]\ninterval_min={stored}\nurl=https://example.org/gp\n")
    settings = FeedSettings.load(Preferences(QSettings(str(ini), QSettings.Format.IniFormat)))
    assert 5 <= settings.interval_min <= 24 * 60


def test_closing_the_window_stops_the_feed(window, tmp_path):
    """A closed window's feed timers kept firing (a fetch every 5 minutes from a window long
    gone): closing stops them."""
    window.catalog_feed.apply(FeedSettings(drop_folder=str(tmp_path), url="http://127.0.0.1:9/gp"))
    assert window.catalog_feed.scan_timer.isActive() and window.catalog_feed.fetch_timer.isActive()
    window.close()
    assert not window.catalog_feed.scan_timer.isActive() and not window.catalog_feed.fetch_timer.isActive()

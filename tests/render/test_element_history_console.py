"""Element-set history in the console: each catalog loaded is recorded on a worker; the
details panel plots the selected object's element sets with the newest flagged when a
maneuver is suspected; View ▸ Changed at the last refresh… lists it and selects it; a
history file that cannot be used turns the history off with a word, nothing else."""

from __future__ import annotations

from tests.core.test_element_history import iss_file
from widgets.dialogs.changed_dialog import changed_dialog
from widgets.element_history import HistoryKeeper

ISS = 25544


def _load(qtbot, window, paths):
    from app.catalog import Catalog

    catalog = Catalog.load(paths)
    with qtbot.waitSignal(window.session.history_changed, timeout=60000,
                          check_params_cb=lambda refresh: refresh.objects == len(catalog)) as recorded:
        window.loader.use(catalog, [str(p) for p in paths])
    return recorded.args[0]


def test_history_is_plotted_flagged_and_listed(qtbot, window, tmp_path):
    keeper = window.history_keeper
    # the window records the default catalog as it opens; on a slow machine that may still be
    # under way, and its answer (into the default history) must not be taken for ours
    qtbot.waitUntil(lambda: not keeper.busy, timeout=60000)
    keeper.path = tmp_path / "history.sqlite"
    window.session.element_history = None
    first = _load(qtbot, window, [iss_file(tmp_path, 223.5, 15.50)])
    assert first.new_sets == 1
    with qtbot.waitSignal(window.session.maneuver_flags_changed, timeout=60000,
                          check_params_cb=lambda flags: ISS in flags):
        _load(qtbot, window, [iss_file(tmp_path, 224.5, 15.40, "newer.tle")])
    window.session.select_norad(ISS)
    plot = window.details.history_plot
    qtbot.waitUntil(lambda: plot.points == 2, timeout=30000)  # read off the GUI thread
    assert "flagged as a possible maneuver" in plot.caption.text()
    assert plot.refreshes_shown >= 2  # both refreshes marked
    assert plot.flagged_points == 1  # the newest element set, in the caution colour

    window.changed_dialog = None
    changed_dialog(window)
    qtbot.waitUntil(lambda: window.changed_dialog is not None, timeout=30000)
    dialog = window.changed_dialog
    assert dialog.model.rowCount() == 1 and "maneuver?" in dialog.model.item(0, 0).text()
    window.session.select_norad(None)
    dialog.table.doubleClicked.emit(dialog.proxy.index(0, 1))
    assert window.session.state.selection.objects == (ISS,)
    dialog.close()


def test_an_unusable_history_file_turns_history_off(qtbot, window, tmp_path, default_catalog):
    bad = tmp_path / "history.sqlite"
    bad.write_bytes(b"not a database" * 200)
    keeper = HistoryKeeper(window.session, window.loader, path=bad, parent=window)
    window.session.element_history = None
    window.history_keeper.problem = "tested elsewhere"  # only the keeper under test records
    assert keeper.record(default_catalog) is not None
    qtbot.waitUntil(lambda: not keeper.busy, timeout=60000)
    assert keeper.problem is not None and "history.sqlite" in keeper.problem
    assert "Element-set history off" in window.status_label.text()
    assert keeper.record(default_catalog) is None  # off from now on
    window.session.select_norad(ISS)
    assert window.details.text_of("name") == "ISS (ZARYA)"  # the details stand without it


def test_a_window_closed_while_recording_leaves_nothing_behind(qtbot, window, default_catalog):
    """A recording still under way when its window closes (the window fixture's own load,
    18,700 element sets) finishes on its own thread; nothing calls back into the gone window."""
    keeper = window.history_keeper
    keeper.problem = None
    future = keeper.record(default_catalog)
    window.close()
    assert future is None or future.result(timeout=60) is not None
    assert keeper.record(default_catalog) is None  # closed: no more recordings

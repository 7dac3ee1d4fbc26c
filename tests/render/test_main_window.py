"""The whole window driven like a user: search, select, details and map follow; the clock
moves and the snapshot epoch follows; files load with rejections reported."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import numpy as np
from PySide6.QtCore import QPointF, Qt

from tests.render.conftest import EPOCH
from tests.operators import officer


def test_search_select_and_everything_follows(qtbot, window):
    panel = window.catalog_panel
    qtbot.keyClicks(panel.search, "ISS (ZARYA)")
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1, timeout=3000)
    rect = panel.table.visualRect(panel.model.index(0, 0))
    qtbot.mouseClick(panel.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    row = window.session.catalog.row_of(25544)
    assert window.session.selected_row == row
    assert window.details.text_of("name") == "ISS (ZARYA)"
    snapshot = window.session.bridge.latest
    x, y = window.map_view.subpoint.getData()
    assert (x[0], y[0]) == (snapshot.lon_deg[row], snapshot.lat_deg[row])
    assert window.globe.orbit.visible and window.globe.marker.visible
    # the globe and map show only the filtered objects
    assert window.globe._shown.sum() == 1


def test_clock_changes_and_snapshots_follow(qtbot, window):
    window.time_controls.step(600)
    target = EPOCH + timedelta(seconds=600)
    qtbot.waitUntil(lambda: window.session.bridge.latest is not None and window.session.bridge.latest.epoch == target, timeout=5000)
    assert window.time_controls.clock_label.text() == "2026-08-12 12:10:00 UTC"
    window.session.select_norad(25544)
    lat_before = float(window.session.bridge.latest.lat_deg[window.session.catalog.row_of(25544)])
    window.time_controls.step(600)
    later = target + timedelta(seconds=600)
    qtbot.waitUntil(lambda: window.session.bridge.latest.epoch == later, timeout=5000)
    assert float(window.session.bridge.latest.lat_deg[window.session.catalog.row_of(25544)]) != lat_before
    assert window.details.text_of("state_epoch") == "2026-08-12T12:20:00.000000Z"


def test_colour_by_regime(qtbot, window):
    window.session.state.shown.color_mode = "Orbit regime"
    assert all(f"&nbsp;{r}" in window.legend.text() for r in ("LEO", "MEO", "GEO", "HEO"))
    assert window.color_box.currentText() == "Orbit regime"
    geo = window.session.catalog.regime == "GEO"
    assert np.allclose(window.colors.colors[geo][0], window.colors.colors[geo][-1])


def test_sensor_nation_legend_is_in_the_legend_area(qtbot, window):
    """Colouring sensors by nation puts the nations of the sensors on the globe (and only
    those) in the legend above it, not in a status message that goes away."""
    assert "Sensors:" in window.legend.text() and "Radar" in window.legend.text()
    window.session.state.shown.sensor_color_mode = "nation"
    nations = {s.operator_nation for s in window.session.sensors}
    legend = window.legend.text()
    assert {"USA", "GBR"} <= nations and all(f"■</span>&nbsp;{n}" in legend for n in nations if n in ("USA", "GBR", "AUS"))
    assert "■</span>&nbsp;UKR" not in legend or "UKR" in nations
    assert window.legend.geometry().right() <= window.centralWidget().width()  # wraps, never widens the window


def test_loading_files_reports_rejections(qtbot, window, data_dir):
    with qtbot.waitSignal(window.catalog_loaded, timeout=10000) as blocker:
        window.load_catalog([data_dir / "malformed" / "mixed_bad.tle", data_dir / "omm_two_messages.kvn"])
    catalog = blocker.args[0]
    assert sorted(catalog.norad_id.tolist()) == [5, 20580, 25544, 100005, 270000123]
    assert len(window.loader.last_rejections) == 11
    assert window.catalog_panel.model.rowCount() == 5
    qtbot.waitUntil(lambda: window.session.bridge.latest is not None and len(window.session.bridge.latest) == 5, timeout=5000)


def test_banner_and_screenshot(qtbot, window, tmp_path):
    window.session.state.banner.marking = "SECRET//REL TO AUS, CAN, GBR, NZL, USA"
    assert window.top_banner.text().startswith("SECRET") and "#c8102e" in window.top_banner.styleSheet()
    path = tmp_path / "window.png"
    assert window.save_screenshot(path)
    from PySide6.QtGui import QImage

    image = QImage(str(path))
    assert image.width() == window.width() and image.height() == window.height()


def test_layout_and_catalog_restored(qtbot, qsettings, default_catalog):
    from app.live.clock import SimulationClock
    from widgets.main_window import MainWindow

    first = MainWindow(settings=qsettings, clock=SimulationClock(), interactive=False)
    qtbot.addWidget(first)
    first.show()
    first.loader.use(default_catalog.subset(range(10)), [str(p) for p in default_catalog.source_file[:1]])
    first.map_dock.hide()
    first.close()
    qsettings.sync()
    second = MainWindow(settings=qsettings, clock=SimulationClock(), interactive=False)
    qtbot.addWidget(second)
    second.restore_layout()
    second.show()
    assert not second.map_dock.isVisible()
    assert second.saved_catalog_paths() == [str(default_catalog.source_file[0])]


def test_catalog_paths_given_as_path_objects_are_saved_as_text(qtbot, qsettings, default_catalog):
    """The launcher hands the bundled catalog over as ``Path`` objects: QSettings pickled
    them and the next start could not read the file back."""
    from app.live.clock import SimulationClock
    from widgets.main_window import MainWindow

    first = MainWindow(settings=qsettings, clock=SimulationClock(), interactive=False)
    qtbot.addWidget(first)
    first.loader.use(default_catalog.subset(range(10)), [Path(p) for p in default_catalog.source_file[:1]])
    first.close()
    qsettings.sync()
    second = MainWindow(settings=qsettings, clock=SimulationClock(), interactive=False)
    qtbot.addWidget(second)
    second.restore_layout()
    assert second.saved_catalog_paths() == [str(default_catalog.source_file[0])]
    assert second.settings.problems == []


def test_a_window_saved_on_a_larger_screen_fits_this_one_without_a_warning(qtbot, qsettings, monkeypatch):
    """Saved on a 1920x1080 desk, started on a 1366x768 laptop: Qt refuses the geometry
    (restoreGeometry is False); that is not a broken setting, and the window fits the screen."""
    from app.live.clock import SimulationClock
    from widgets.main_window import MainWindow, fit_to_screen

    first = MainWindow(settings=qsettings, clock=SimulationClock(), interactive=False)
    qtbot.addWidget(first)
    first.close()
    qsettings.sync()
    second = MainWindow(settings=qsettings, clock=SimulationClock(), interactive=False)
    qtbot.addWidget(second)
    fit_to_screen(second, 100_000, 100_000)
    area = second.screen().availableGeometry()
    smallest = second.minimumSizeHint()  # (the test display, 800x600, is below the console's minimum)
    assert second.width() <= max(area.width(), smallest.width()) and second.height() <= max(area.height(),
                                                                                          smallest.height())
    monkeypatch.setattr(second, "restoreGeometry", lambda data: False)  # as Qt answers on the smaller screen
    second.restore_layout()
    assert second.settings.problems == []
    from PySide6.QtCore import QByteArray

    qsettings.setValue("window/geometry", QByteArray(b"not a geometry at all"))
    third = MainWindow(settings=qsettings, clock=SimulationClock(), interactive=False)
    qtbot.addWidget(third)
    third.restore_layout()
    assert any("not a window geometry" in p for p in third.settings.problems), third.settings.problems


def test_unreadable_settings_are_said_in_the_status_line(qtbot, qsettings):
    from app.live.clock import SimulationClock
    from widgets.main_window import MainWindow

    qsettings.setValue("window/state", "not a layout")
    qsettings.setValue("view/color_mode", "Plaid")
    qsettings.setValue("banner/text", 7)
    qsettings.sync()
    main = MainWindow(settings=qsettings, clock=SimulationClock(), interactive=False)
    qtbot.addWidget(main)
    main.restore_layout()
    assert main.session.state.shown.color_mode == "Object type" and main.top_banner.text() == "UNCLASSIFIED"
    assert len(main.settings.problems) == 3
    assert "settings were ignored" in main.status_label.text()


def test_dropping_files_loads_them(qtbot, window, data_dir):
    from PySide6.QtCore import QMimeData, QPointF, QUrl
    from PySide6.QtGui import QDropEvent

    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(data_dir / "python-sgp4_sample_omm.xml"))])
    event = QDropEvent(QPointF(200, 200), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    with qtbot.waitSignal(window.catalog_loaded, timeout=10000) as blocker:
        window.dropEvent(event)
    assert blocker.args[0].norad_id.tolist() == [5]
    assert window.session.state.catalog.source_files == (str(data_dir / "python-sgp4_sample_omm.xml"),)


def test_sensor_coverage_and_passes_in_the_window(qtbot, window):
    window.session.select_norad(25544)
    window.sensors_panel.search.setText("CapeCod (Cape Cod, MA)")
    window.sensors_panel.table.selectRow(0)
    assert window.session.sensor_named(window.session.state.selection.sensor).name.startswith("CapeCod")
    assert window.globe.coverage.visible
    x, y = window.map_view.coverage.getData()
    assert len(x) > 100 and -100 < np.nanmin(x) < -80 and -60 < np.nanmax(x) < -40  # around Cape Cod (70.5 W)
    assert window.passes_panel.object_label.text().endswith("(25544)")
    assert window.sensors_panel.sensors and window.globe.sensor_markers.visible
    window.sensors_action.trigger()
    assert not window.globe.sensor_markers.visible
    assert window.details.text_of("illumination") in ("sunlit", "in the Earth's shadow")


def test_sensors_coloured_by_nation(qtbot, window):
    window.session.state.shown.sensor_color_mode = "nation"
    brushes = window.map_view.sensor_sites.data["brush"]
    names = [s.name for s in window.session.sensors]
    usa = names.index(next(s.name for s in window.session.sensors if s.operator_nation == "USA" and s.operational))
    rus = names.index(next(s.name for s in window.session.sensors if s.operator_nation == "RUS" and s.operational))
    assert brushes[usa].color().name() == "#64b5f6" and brushes[rus].color().name() == "#a1887f"
    assert "USA" in window.legend.text()  # in the legend area now, not a status message that goes


def test_watchlist_pair_alert_and_plots(qtbot, window, settle):
    from dataclasses import replace

    from app.rpo.watch_pair import WatchPair

    panel = window.watchlist
    alerts = []
    panel.alerts_raised.connect(alerts.extend)  # raised once logged, as soon as a saved pair is evaluated
    jobs = [panel.add_pair(WatchPair(25544, 20580, caution_km=3000.0, warning_km=100.0), edit=False),
            panel.add_pair(WatchPair(25544, 68689, caution_km=5.0, warning_km=1.0), edit=False)]
    settle(window)
    iss_hst, docked = (job.result for job in jobs)
    assert iss_hst and docked and len(panel.pairs) == 2
    assert panel.update(window.session.bridge.latest) == []  # raised once, not again at the next snapshot
    settle(window)
    assert panel.states[0].pair.id == docked.id and panel.states[0].status == "critical"
    assert panel.model.index(0, 0).data().endswith("CRITICAL")
    assert any(a.pair_id == docked.id for a in alerts)
    window.event_log.reload()
    settle(window)
    assert "waiting for acknowledgement" in window.event_log.unacknowledged.text()
    window.event_log.acknowledge_all()
    settle(window)
    assert window.event_log.unacknowledged.text() == ""
    # select the ISS/HST pair: plots drawn, the globe shows both and a line
    panel.select_pair(iss_hst.id)
    panel._on_selection()
    x, y = panel.range_curve.getData()
    assert len(x) > 100 and np.nanmin(y) > 0
    assert window.globe.pair_line.visible
    # an edit based on a stale version is refused and the newer values are shown
    panel.store.watch_pairs.update(replace(panel.store.watch_pairs.get(iss_hst.id), caution_km=2500.0))
    stale = panel.save_edit(replace(iss_hst, notes="stale"))
    settle(window)
    assert stale.error is not None
    assert "Not saved" in panel.message.text() and "2500" in panel.message.text()


def test_no_stray_tab_bar_over_the_globe(qtbot, window):
    from PySide6.QtWidgets import QTabBar

    qtbot.wait(50)
    globe = window.globe.geometry().translated(window.globe.mapTo(window, window.globe.rect().topLeft())
                                               - window.globe.geometry().topLeft())
    for bar in window.findChildren(QTabBar):
        if bar.isVisible():
            assert not bar.geometry().intersects(globe), [bar.tabText(i) for i in range(bar.count())]


def test_catalog_refresh_flags_maneuvers(qtbot, window, data_dir, default_catalog):
    """June HST and the August ISS, then the August HST and an ISS set a day later with a
    higher mean motion: the ISS is flagged (a burn), HST (no thrusters) is not."""
    from app.catalog import Catalog
    from app.catalog.ingest.tle import read_tle_text, tle_checksum

    def with_checksum(line):
        return line[:68] + str(tle_checksum(line))

    june_hst = read_tle_text((data_dir / "hst_2026-06-14.tle").read_text()).element_sets
    august_hst = default_catalog.element_sets[default_catalog.row_of(20580)]
    august_iss = default_catalog.element_sets[default_catalog.row_of(25544)]
    window.loader.use(Catalog(june_hst + [august_iss]), ["before"])
    later_iss = read_tle_text("ISS (ZARYA)\n"
                              + with_checksum("1 25544U 98067A   26224.14934248  .00003640  00000+0  73197-4 0  9990")
                              + "\n"
                              + with_checksum("2 25544  51.6325  28.0815 0007436  34.6982 325.4490 15.50408704580270")
                              ).element_sets
    refreshed = Catalog([august_hst] + later_iss)
    with qtbot.waitSignal(window.session.events_changed, timeout=10000):  # flagged, then logged
        window.loader.use(refreshed, ["after"])
    model = window.catalog_panel.model
    assert model.flag_of(refreshed.row_of(25544)).startswith("25544: possible maneuver")
    assert model.flag_of(refreshed.row_of(20580)) == ""
    assert any(e["kind"] == "maneuver" and e["message"].startswith("25544") for e in window.session.store.event_log.recent())


def test_screening_results_one_click_from_the_watchlist(qtbot, window, settle):
    window.session.select_norad(20580)
    window.screening.hours.setValue(2)
    window.screening.threshold.setValue(50)
    job = window.screening.run()
    with qtbot.waitSignal(job.ended, timeout=120000):
        pass
    assert window.screening.result is not None and window.screening.model.rowCount() > 0
    window.screening.table.selectRow(0)
    primary, secondary = (int(x) for x in (window.screening.proxy.index(0, 1).data(),
                                          window.screening.proxy.index(0, 3).data()))
    window.screening.watch_button.click()
    settle(window)
    assert any((p.primary_id, p.secondary_id) == (primary, secondary) for p in window.watchlist.pairs)
    assert window.watchlist.selected_pair().secondary_id == secondary


def test_cdm_opens_with_pc_and_bad_cdm_is_reported(qtbot, window, data_dir):
    from widgets.main_menus import open_cdm

    dialog = open_cdm(window, str(data_dir / "cdm" / "orekit_AlfanoTestCase01.cdm"))
    assert dialog is not None and abs(dialog.pc - 0.146749549) < 1e-6
    assert not dialog.watch_button.isEnabled()  # objects 1001 / 1002 are not in the catalog
    assert dialog.radius().source == "message" and "(the message's HBR)" in dialog.pc_label.text()
    dialog.hbr.setValue(30.0)
    assert dialog.pc > 0.146749549 and dialog.radius().source == "given" and "30 m (as given)" in dialog.pc_label.text()
    bare = open_cdm(window, str(data_dir / "cdm" / "orekit_ION_SCV8_vs_STARLINK_1233.txt"))  # no HBR in it
    assert bare.radius().source == "default" and "console default" in bare.hbr_source.text()
    assert open_cdm(window, str(data_dir / "cdm" / "invalid" / "orekit_CDM-missing-TCA.txt")) is None
    assert "TCA" in window.status_label.text()


def test_watchlist_refresh_does_not_pull_the_camera(qtbot, window, settle):
    from app.rpo.watch_pair import WatchPair

    pair = window.watchlist.add_pair(WatchPair(25544, 20580, caution_km=3000.0, warning_km=100.0), edit=False)
    settle(window)
    pair = pair.result
    window.watchlist.watch(25544, 20580)
    assert window.watchlist.selected_pair().id == pair.id and window.globe.pair_line.visible
    window.globe.view.camera.azimuth = 123.0  # the officer turns the globe away
    window.watchlist.update(window.session.bridge.latest)
    assert window.globe.view.camera.azimuth == 123.0
    assert window.watchlist.selected_pair().id == pair.id and window.globe.pair_line.visible


def test_tasking_selects_its_target_and_scheduled_passes_show_on_the_timeline(qtbot, window, settle):
    """A scheduled request: choosing it in the tasking panel selects its target on the globe
    and map, and its passes are drawn as bars on the timeline under the globe; dragging the
    timeline's time line moves the clock."""

    from app.sensors.passes import Pass
    from app.storage import Store
    from app.tasking.request import SensorRequest, TaskingRequest

    book = window.session.store.tasking
    other = Store(window.session.store.url, operator=officer("bob", "GBR")).tasking  # a second GBR approver
    aos = EPOCH + timedelta(hours=2)
    chosen = Pass("FYLINGDALES", 20580, aos, aos + timedelta(minutes=5), aos + timedelta(minutes=10), 40.0, 1000.0,
                  True, False)
    request = book.create(TaskingRequest("TR-GBR-RENDER01", "Track HST", 20580, "GBR", "UKSpOC", SensorRequest(),
                                         "track", "PRIORITY", EPOCH, EPOCH + timedelta(hours=12)))
    request = other.act(book.act(request, "submit"), "approve")
    book.act(request, "schedule", [chosen])
    window.tasking_dock.raise_()
    window.tasking.reload()
    settle(window)
    window.tasking.select_request("TR-GBR-RENDER01")
    assert window.session.selected_row == window.session.catalog.row_of(20580)
    assert window.details.text_of("name") == "HST"
    assert window.timeline.intervals_in("Passes") == 1
    qtbot.wait(50)
    image = window.timeline.grab().toImage()
    bar_x = window.timeline.getViewBox().mapViewToScene(QPointF(aos.timestamp() + 300, 0))
    view_point = window.timeline.mapFromScene(bar_x)
    colour = image.pixelColor(view_point.x(), view_point.y())
    assert (colour.red(), colour.green(), colour.blue()) == (0x4d, 0xac, 0xff)  # the pass bar's blue
    window.timeline.now_line.setValue((EPOCH + timedelta(hours=3)).timestamp())
    window.timeline.now_line.sigDragged.emit(window.timeline.now_line)
    assert window.session.clock.now() == EPOCH + timedelta(hours=3)
    assert "officer" in window.windowTitle()


def test_scenario_plays_seeks_and_logs_its_injects(qtbot, window, settle):
    """The LEO breakup scenario in the window: its injects fire as the clock passes them
    (fragments in the catalog, events in the log, banner), seeking back removes what came
    after, 'fire now' and disabling change the state, the timeline shows the injects."""
    from datetime import datetime, timezone

    from app.scenario.format import load_scenario
    from app.scenario.run import ScenarioRun
    from tests.core.test_scenario import SCENARIOS

    scenario, folder = load_scenario(SCENARIOS / "leo_breakup_tasking_surge.yaml")
    window.open_scenario(ScenarioRun(scenario, folder, bundled_catalog=window.session.catalog))
    assert window.session.clock.now() == scenario.start and window.session.clock.paused
    assert window.scenario_panel.statuses() == ["pending"] * 8
    assert window.timeline.intervals_in("Injects") == 8
    assert 80000 not in window.session.catalog
    after = datetime(2026, 8, 12, 2, 15, tzinfo=timezone.utc)
    window.time_controls.jump_to(after)
    settle(window)
    assert 80000 in window.session.catalog and len(window.session.catalog) == 18730
    assert window.scenario_panel.statuses().count("fired") == 7
    logged = [e["message"] for e in window.session.store.event_log.recent()]
    assert any("25160 broke up: 30 fragments" in m for m in logged)
    assert any(m.startswith("TR-GBR-EX000002: ") and "after it returns" in m for m in logged)  # Fylingdales out
    assert {r.id for r in window.tasking.requests} == {"TR-USA-EX000001", "TR-GBR-EX000002", "TR-AUS-EX000003"}
    assert next(s for s in window.session.sensors if s.name.startswith("Fylingdales")).status == "outage"
    window.time_controls.jump_to(datetime(2026, 8, 12, 8, 30, tzinfo=timezone.utc))  # its outage ended at 08:00
    settle(window)
    assert next(s for s in window.session.sensors if s.name.startswith("Fylingdales")).status == "operational"
    assert "sensor Fylingdales (Fylingdales, UK) back in service" in [
        e["message"] for e in window.session.store.event_log.recent()]
    window.time_controls.jump_to(datetime(2026, 8, 12, 0, 30, tzinfo=timezone.utc))  # seek back
    settle(window)
    assert 80000 not in window.session.catalog and window.tasking.requests == []  # not made yet at 00:30
    assert next(s for s in window.session.sensors if s.name.startswith("Fylingdales")).status == "operational"
    count = len(window.session.store.event_log.recent())
    window.scenario_panel.fire_now(1)  # the message, now
    settle(window)
    assert window.scenario_panel.statuses()[1] == "fired"
    assert len(window.session.store.event_log.recent()) == count + 1
    window.scenario_panel.toggle(0)  # disable the breakup: going forward, no fragments
    window.time_controls.jump_to(after)
    assert 80000 not in window.session.catalog and window.scenario_panel.statuses()[0] == "disabled"
    assert window.globe._watermark.text.startswith("EXERCISE")
    before = window.session.clock.now()
    window.time_controls.live_action.trigger()  # L: live time would fire every inject at once
    assert window.session.clock.now() == before and "Live refused" in window.status_label.text()
    assert window.scenario_panel.statuses()[0] == "disabled"
    assert window.top_banner.text() == "UNCLASSIFIED//EXERCISE"


def _second_window(qtbot, default_catalog, tmp_path):
    from app.live.clock import SimulationClock
    from widgets.main_window import MainWindow

    other = MainWindow(settings=None, clock=SimulationClock(), interactive=False, open_default_store=False)
    qtbot.addWidget(other)
    other.resize(1400, 900)
    other.show()
    other.loader.use(default_catalog, ["default"])
    return other


def test_a_saved_view_reopens_to_the_same_time_selection_camera_and_filter(qtbot, window, default_catalog,
                                                                            tmp_path):
    from widgets.main_menus import open_view, save_view

    state = window.session.state
    window.catalog_panel.select_group("GEO belt")
    qtbot.keyClicks(window.catalog_panel.search, "INTELSAT")
    qtbot.waitUntil(lambda: state.shown.search == "INTELSAT", timeout=3000)
    shown = int(window.session.shown_mask.sum())
    assert 0 < shown < 200
    target = next(int(n) for n, keep in zip(default_catalog.norad_id, window.session.shown_mask) if keep)
    window.session.select_norad(target)
    window.session.clock.jump_to(EPOCH + timedelta(hours=5, minutes=7))
    framed = window.globe.view.camera.distance  # selecting it framed its whole (GEO) orbit
    window.globe.look_at(np.array([-3.0, 1.0, -1.0]))  # then the officer turns the globe and zooms out
    window.globe.zoom(1.25)
    camera = window.globe.view.camera
    expected = (camera.azimuth, camera.elevation, camera.distance)
    assert (state.camera.azimuth_deg, state.camera.elevation_deg, state.camera.distance_er) == expected
    assert expected[2] == framed * 1.25 and expected[1] < 0
    path = tmp_path / "brief.spaceops-view"
    save_view(window, path)

    other = _second_window(qtbot, default_catalog, tmp_path)
    assert open_view(other, path)
    assert other.session.clock.now() == EPOCH + timedelta(hours=5, minutes=7) and other.session.clock.paused
    assert other.session.selected_norad == target
    assert other.details.text_of("norad_id") == str(target)
    selected = other.catalog_panel.table.selectionModel().selectedRows()
    assert len(selected) == 1 and other.catalog_panel.model.catalog_row(selected[0].row()) == other.session.selected_row
    assert other.catalog_panel.group.currentText() == "GEO belt" and other.catalog_panel.search.text() == "INTELSAT"
    assert int(other.session.shown_mask.sum()) == shown == other.catalog_panel.model.rowCount()
    other_camera = other.globe.view.camera
    assert (other_camera.azimuth, other_camera.elevation, other_camera.distance) == expected
    assert other.globe.label.text.strip() == str(default_catalog.name[default_catalog.row_of(target)])


def test_a_bad_view_file_changes_nothing_and_says_why(qtbot, window, tmp_path):
    from widgets.main_menus import open_view

    window.session.select_norad(25544)
    before = window.session.state.to_json()
    newer = tmp_path / "newer.spaceops-view"
    newer.write_text('{"format_version": 7, "selection": {"objects": [20580]}}')
    assert not open_view(window, newer)
    assert "format_version: 7 is newer" in window.status_label.text()
    broken = tmp_path / "broken.spaceops-view"
    broken.write_text('{"format_version": 1, "camera": {"distance_er": -4}}')
    assert not open_view(window, broken)
    assert "camera.distance_er" in window.status_label.text()
    assert window.session.state.to_json() == before


def test_banner_and_menus_above_everything(qtbot, window):
    """Building the menus once replaced the holder of the top banner and the menu bar."""
    from PySide6.QtWidgets import QMenuBar

    holder = window.menuWidget()
    assert window.top_banner.parent() is holder and window.top_banner.isVisible()
    menus = [a.text() for a in holder.findChild(QMenuBar).actions()]
    assert menus == ["&File", "&View", "C&lassroom", "&Help"]
    file_entries = [a.text() for a in holder.findChild(QMenuBar).actions()[0].menu().actions()]
    assert "Save &view…" in file_entries and "Open v&iew…" in file_entries

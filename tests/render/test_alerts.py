"""What needs attention comes first: the count of alerts waiting, in the colour of the most
severe, always in sight; a critical alert's banner until it is acknowledged; informational
events never counted; an acknowledged alert not raised again at the next start; the
watchlist names its objects."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from app.rpo.watch_pair import WatchPair
from tests.operators import officer


def _critical_pair(window, settle):
    job = window.watchlist.add_pair(WatchPair(25544, 68689, caution_km=5.0, warning_km=1.0), edit=False)  # docked
    settle(window)
    return job.result


def test_a_critical_alert_is_counted_bannered_and_acknowledged(qtbot, window, settle):
    window.session.store.event_log.log_many([{"sim_utc": "2026-08-12T12:00:00Z", "kind": "message", "severity": "normal",
                                      "message": "EXERCISE message to all", "data": {}},
                                     {"sim_utc": "2026-08-12T12:00:00Z", "kind": "banner", "severity": "caution",
                                      "message": "banner now SECRET", "data": {}}])
    window.event_log.reload()
    settle(window)
    assert window.alert_count.text() == "No alerts waiting"  # informational events are not alerts
    assert window.critical_banner.isHidden()
    pair = _critical_pair(window, settle)
    window.event_log.reload()
    settle(window)
    assert window.alert_count.text().endswith("1 alert waiting") and "#ff3838" in window.alert_count.styleSheet()
    assert window.critical_banner.isVisible() and "CRITICAL" in window.critical_banner.text.text()
    assert "25544 / 68689" in window.critical_banner.text.text()
    assert window.watchlist.model.index(0, 1).data() == "25544 ISS (ZARYA)"
    window.watchlist.add_pair(WatchPair(25544, 20580, caution_km=3000.0, warning_km=100.0), edit=False)
    settle(window)  # a normal pair added after the critical one: the critical one stays on top
    shown = [window.watchlist.proxy.index(row, 0).data() for row in range(window.watchlist.proxy.rowCount())]
    assert len(shown) == 2 and shown[0].endswith("CRITICAL")
    window.critical_banner.button.click()
    settle(window)
    assert window.critical_banner.isHidden() and window.alert_count.text() == "No alerts waiting"
    assert pair.id is not None
    window.alert_count.click()
    assert window.events_dock.isVisible()


def test_an_acknowledged_alert_is_not_raised_again_at_the_next_start(qtbot, window, settle, tmp_path):
    from app.live.clock import SimulationClock
    from app.storage import Store
    from widgets.main_window import MainWindow

    _critical_pair(window, settle)
    window.event_log.acknowledge_all()
    settle(window)
    alerts = [e for e in window.session.store.event_log.recent() if e["kind"] == "rpo-alert"]
    assert len(alerts) == 1 and alerts[0]["acknowledged_by"]
    again = MainWindow(settings=None, clock=SimulationClock(), interactive=False,
                       store=Store(window.session.store.url, operator=officer("officer")))
    qtbot.addWidget(again)
    again.loader.use(window.session.catalog, ["default"])
    again.session.bridge.propagate_now(window.session.clock.now())
    settle(again)
    again.watchlist.update(again.session.latest)
    settle(again)
    assert again.watchlist.states[0].status == "critical"
    assert len([e for e in again.session.store.event_log.recent() if e["kind"] == "rpo-alert"]) == 1
    assert again.alert_count.text() == "No alerts waiting"


def test_a_shelved_alert_leaves_the_count_and_comes_back_when_its_time_is_up(qtbot, window, settle):
    """Shelving needs a reason (said beside the buttons when missing); a shelved critical alert
    drops its banner and leaves the count, stays listed saying until when, by whom and why,
    and comes back by itself when its time runs out."""
    from sqlalchemy import update

    from app.astro.timeutil import format_utc
    from app.storage.schema import events  # the test moves the shelf's end, as the clock would

    _critical_pair(window, settle)
    window.event_log.reload()
    settle(window)
    assert window.critical_banner.isVisible()
    log = window.event_log
    log.table.selectRow(0)
    assert log.shelve_selected(15, " ") is not None
    settle(window)
    assert "Not shelved: shelve reason" in log.unacknowledged.text() and window.critical_banner.isVisible()
    log.table.selectRow(0)
    log.shelve_minutes.setCurrentIndex(1)
    log.shelve_reason.setText("conjunction team already on it")
    log.shelve_button.click()
    settle(window)
    assert window.critical_banner.isHidden() and window.alert_count.text() == "No alerts waiting"
    assert log.unacknowledged.text() == "1 shelved"
    handled = log.model.index(0, 4).data()
    assert handled.startswith("shelved until") and "by officer: conjunction team already on it" in handled
    soon = format_utc(datetime.now(timezone.utc) + timedelta(seconds=1.5))
    with window.session.store.database.engine.begin() as connection:
        connection.execute(update(events).where(events.c.shelved_until_utc.is_not(None)).values(shelved_until_utc=soon))
    log.reload()
    settle(window)
    assert window.critical_banner.isHidden()
    qtbot.waitUntil(lambda: window.critical_banner.isVisible(), timeout=8000)
    assert window.alert_count.text().endswith("1 alert waiting")

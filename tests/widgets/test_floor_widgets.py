"""The console on a live floor (a real PostgreSQL server): another login's change shows in
the tasking panel within a second, re-read through this console's own login; an edit in
progress is kept when someone else changes the same request; the Floor dock shows who is on
the floor and says when the link is down and for how long it was."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

from app.storage import Store
from app.tasking.request import SensorRequest, TaskingRequest

NOW = datetime(2026, 8, 12, 1, 0, tzinfo=timezone.utc)


def _request(request_id: str, **changes) -> TaskingRequest:
    base = TaskingRequest(request_id, "Characterize ISS", 25544, "GBR", "UKSpOC", SensorRequest("any"), "track",
                          "PRIORITY", NOW, NOW + timedelta(hours=24), justification="routine check",
                          classification="SECRET", releasable_to=("USA",))
    return TaskingRequest(**{**base.__dict__, **changes})


def _console(qtbot, floor, login: str):
    """The parts of a console that the floor drives: tasking panel, Floor dock, the link."""
    from widgets.floor_link import FloorLink
    from widgets.panels.floor_panel import FloorPanel
    from widgets.panels.tasking_panel import TaskingPanel

    store = Store(floor.url(login))
    panel, floor_panel = TaskingPanel(store.tasking, interactive=False), FloorPanel(store)
    qtbot.addWidget(panel)
    qtbot.addWidget(floor_panel)
    link = FloorLink(store)
    link.tables_changed.connect(lambda tables: "tasking_requests" in tables and panel.reload())
    link.status_changed.connect(floor_panel.show_status)
    link.start()
    qtbot.waitUntil(lambda: link.status is not None and link.status.state == "live", timeout=10000)
    panel.reload()
    qtbot.waitUntil(lambda: not panel.database.busy, timeout=10000)
    return store, panel, floor_panel, link


def test_another_logins_change_shows_within_a_second_and_the_edit_in_progress_is_kept(qtbot, floor):
    store, panel, floor_panel, link = _console(qtbot, floor, "ft_usa_approver")
    gbr = Store(floor.url("ft_gbr_officer"))
    try:
        started = time.monotonic()
        request = gbr.tasking.act(gbr.tasking.create(_request("TR-GBR-00000101")), "submit")
        qtbot.waitUntil(lambda: [r.id for r in panel.requests] == [request.id], timeout=5000)
        assert time.monotonic() - started < 1.5  # within a second, plus the gathering of a burst
        gbr.tasking.create(_request("TR-GBR-00000102", releasable_to=()))  # not released to USA
        qtbot.wait(600)
        assert [r.id for r in panel.requests] == [request.id]  # heard of, re-read, not shown
        assert link.changes_heard >= 3

        panel.select_request(request.id)
        panel.form.title.setText("Characterize ISS — my edit")  # typing, not saved
        commented = gbr.tasking.comment(request.id, "GBR: sensor time is short this week")
        assert commented.version > request.version
        qtbot.waitUntil(lambda: "changed meanwhile" in panel.message.text(), timeout=5000)
        assert panel.form.title.text() == "Characterize ISS — my edit" and panel.current.version == request.version
        assert f"v{commented.version}" in panel.message.text() and "ft_gbr_officer" in panel.message.text()
        panel.form.show_request(panel.current)  # the edit abandoned: the next change shows as it comes
        again = gbr.tasking.comment(request.id, "GBR: second note")
        qtbot.waitUntil(lambda: panel.current.version == again.version, timeout=5000)
        assert panel.form.title.text() == "Characterize ISS"
    finally:
        link.stop()
        gbr.close()
        store.close()


def test_floor_dock_shows_who_is_on_the_floor_and_an_outage(qtbot, floor):
    store, panel, floor_panel, link = _console(qtbot, floor, "ft_gbr_officer")
    other_store, _, _, other_link = _console(qtbot, floor, "ft_usa_approver")
    try:
        floor_panel.reload()
        qtbot.waitUntil(lambda: {p.login for p in floor_panel.present} == {"ft_gbr_officer", "ft_usa_approver"},
                        timeout=5000)
        cells = {floor_panel.model.item(row, 0).text(): floor_panel.model.item(row, 1).text()
                 for row in range(floor_panel.model.rowCount())}
        assert cells == {"ft_gbr_officer (you)": "GBR", "ft_usa_approver": "USA"}
        assert floor_panel.link_label.text().startswith("Live — 2 login(s) on the floor")
        with floor.sql("postgres") as admin:  # the link drops
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE usename = 'ft_gbr_officer' AND application_name = 'spaceops-console'")
        qtbot.waitUntil(lambda: link.status.state == "live" and link.status.offline_s > 0, timeout=15000)
        assert "Was offline for" in floor_panel.link_label.text()
    finally:
        link.stop()
        other_link.stop()
        store.close()
        other_store.close()


def test_a_single_seat_has_no_floor_and_says_who_you_are(qtbot, tmp_path):
    from widgets.panels.floor_panel import FloorPanel

    store = Store(f"sqlite:///{tmp_path / 'seat.db'}")
    panel = FloorPanel(store)
    qtbot.addWidget(panel)
    assert panel.link_label.text().startswith("Single seat (SQLite): no floor") and "floor add-operator" in \
        panel.link_label.text()
    assert panel.reload() is None
    store.close()

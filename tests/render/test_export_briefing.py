"""File ▸ Export briefing… in the real window: the selected watch pair (or two selected
objects) on one marked page with the globe as it stands; nothing selected says what to do."""

from __future__ import annotations

from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QMenuBar

from widgets.export_briefing import briefing_pair, export_briefing, export_briefing_dialog

ISS, HST = 25544, 20580


def _file_action(window, text):
    bar = window.menuWidget().findChild(QMenuBar)
    menu = next(a.menu() for a in bar.actions() if a.text() == "&File")
    return next(a for a in menu.actions() if a.text() == text)


def test_the_menu_offers_it_and_nothing_selected_says_what_to_do(window):
    assert _file_action(window, "Export &briefing…").shortcut().toString() == "Ctrl+B"
    window.session.state.selection.objects = (ISS,)
    assert briefing_pair(window) is None
    export_briefing_dialog(window)
    assert "select a watch pair" in window.status_label.text()


def test_two_selected_objects_on_a_page_with_the_globe(qtbot, window, tmp_path):
    window.session.state.selection.objects = (ISS, HST)
    assert briefing_pair(window) == (ISS, HST)
    out = tmp_path / "brief.png"
    job = export_briefing(window, (ISS, HST), str(out))
    with qtbot.waitSignal(job.ended, timeout=60000):
        pass
    assert "written to" in window.status_label.text() and "UNCLASSIFIED" in window.status_label.text()
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1654, 2339)
    # the globe picture: the dark sky of the globe view, not the page's white
    sky = QColor(image.pixel(120, 560))
    assert sky.lightness() < 60, sky.name()


def test_an_object_gone_from_the_catalog(window, tmp_path):
    assert export_briefing(window, (ISS, 999999), str(tmp_path / "x.pdf")) is None
    assert "not in the catalog: 999999" in window.status_label.text()
    assert not (tmp_path / "x.pdf").exists()


def test_an_approach_from_the_screening_panel_is_briefed_at_its_tca(qtbot, window, tmp_path):
    from datetime import datetime, timezone

    from app.conjunction.closest_approach import Approach
    from app.conjunction.screening import ScreeningResult

    tca = datetime(2026, 8, 13, 3, 4, 5, tzinfo=timezone.utc)
    panel = window.screening
    panel._show_result(ScreeningResult([Approach(ISS, HST, tca, 4.2, 10.5, (1.0, 2.0, 3.0))]))
    panel.brief_button.click()
    assert "Select an approach" in panel.summary.text()
    panel.table.selectRow(0)
    with qtbot.waitSignal(panel.briefing_requested) as asked:
        panel.brief_button.click()
    assert asked.args == [ISS, HST, tca]
    out = tmp_path / "approach.pdf"
    job = export_briefing(window, (ISS, HST), str(out), at=tca)
    with qtbot.waitSignal(job.ended, timeout=60000):
        pass
    assert out.read_bytes().startswith(b"%PDF") and "written to" in window.status_label.text()


def test_a_tasking_request_is_briefed(qtbot, window, tmp_path):
    from datetime import timedelta

    from app.tasking.request import SensorRequest, TaskingRequest
    from widgets.export_briefing import briefing_request, export_request_briefing

    start = window.session.now()
    request = TaskingRequest("TR-GBR-BRIEF001", "Characterize the ISS", ISS, "GBR", "UKSpOC", SensorRequest("any"),
                             "characterize", "PRIORITY", start, start + timedelta(hours=12), releasable_to=("USA",))
    window.tasking.requests = [request]
    window.session.state.selection.objects = ()
    window.session.state.selection.tasking_request = request.id
    assert briefing_pair(window) is None and briefing_request(window) is request
    out = tmp_path / "request.pdf"
    job = export_request_briefing(window, request, str(out))
    with qtbot.waitSignal(job.ended, timeout=120000):
        pass
    assert out.read_bytes().startswith(b"%PDF")
    assert "UNCLASSIFIED//REL TO GBR, USA" in window.status_label.text()

"""File ▸ Export selected objects… on the real window: the selection's element sets and
states written as ``spaceops export`` writes them, marked, off the GUI thread."""

from __future__ import annotations

import io
import json

from PySide6.QtWidgets import QMenuBar
from sgp4 import omm

from widgets.export_selected import FORMATS, export_selected, export_selected_dialog, selected_rows

ISS, HST = 25544, 20580


def _file_action(window, text):
    bar = window.menuWidget().findChild(QMenuBar)
    menu = next(a.menu() for a in bar.actions() if a.text() == "&File")
    return next(a for a in menu.actions() if a.text() == text)


def _export(qtbot, window, tmp_path, name, file_filter):
    window.session.state.selection.objects = (ISS, HST)
    rows = selected_rows(window)
    assert len(rows) == 2
    job = export_selected(window, rows, str(tmp_path / name), file_filter)
    with qtbot.waitSignal(job.ended, timeout=60000):
        pass
    return tmp_path / name


def test_the_file_menu_offers_the_export(window):
    assert _file_action(window, "&Export selected objects…").shortcut().toString() == "Ctrl+E"


def test_nothing_selected_says_what_to_do(window):
    window.session.state.selection.objects = ()
    export_selected_dialog(window)  # no file dialog: a word in the status line
    assert "select one or more objects" in window.status_label.text()


def test_omm_xml_of_the_selection_reads_back_through_sgp4(qtbot, window, tmp_path):
    path = _export(qtbot, window, tmp_path, "two.xml", "CCSDS OMM, XML (*.xml)")
    text = path.read_text()
    assert "UNCLASSIFIED" in text.split("<body>")[0]  # the marking, in the header
    records = list(omm.parse_xml(io.StringIO(text)))
    assert sorted(int(r["NORAD_CAT_ID"]) for r in records) == [HST, ISS]
    status = window.status_label.text()
    assert "Exported 2 object(s) to two.xml, marked UNCLASSIFIED" in status


def test_czml_of_the_selection_spans_a_day_from_the_clock(qtbot, window, tmp_path):
    path = _export(qtbot, window, tmp_path, "two.czml", "CZML for Cesium, 24 h from the clock (*.czml)")
    document = json.loads(path.read_text())
    assert document[0]["id"] == "document"
    assert {packet["id"] for packet in document[1:]} == {str(ISS), str(HST)}
    start = window.session.now().strftime("%Y-%m-%dT%H:%M")
    assert document[0]["clock"]["interval"].startswith(start)
    assert len(document[1]["position"]["cartesian"]) == 4 * (24 * 60 + 1)  # t, x, y, z every 60 s


def test_every_offered_format_writes_a_file(qtbot, window, tmp_path):
    for n, file_filter in enumerate(FORMATS):
        path = _export(qtbot, window, tmp_path, f"export{n}", file_filter)
        assert path.stat().st_size > 200, file_filter

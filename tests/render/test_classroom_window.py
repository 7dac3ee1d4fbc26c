"""Classroom mode in the console (issue #15): an instructor's window leads a class, a trainee's
window follows it (FOLLOWING bar, Lesson dock, locked controls), answers a check that the
instructor's Class dock then shows; freeze, release and bring back; notices."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.operators import officer

LESSON = """\
format: spaceops-lesson
version: 1
name: Window drill
start_utc: 2026-08-12T00:00:00Z
rate: 60
steps:
  - prompt: This is the ISS. Which regime is GOES 16 in?
    select: 25544
    check: {kind: regime, object: 41866}
  - prompt: Frozen while it goes round.
    mode: frozen
  - prompt: Your turn.
    mode: free
  - prompt: GO or NO-GO?
    mode: follow
    select: 41866
    check: {kind: go_no_go}
"""


@pytest.fixture
def consoles(qtbot, default_catalog, tmp_path):
    from app.live.clock import SimulationClock
    from app.sensors.sites import SensorStore
    from app.storage import Store
    from widgets.main_window import MainWindow

    made = []
    for name in ("instructor", "trainee"):
        window = MainWindow(settings=None, clock=SimulationClock(), interactive=False,
                            sensor_store=SensorStore(tmp_path / f"{name}_sensors.json"),
                            store=Store(f"sqlite:///{tmp_path / 'class.db'}", operator=officer(name)))
        qtbot.addWidget(window)
        window.resize(1366, 768)
        window.show()
        qtbot.waitExposed(window)
        window.loader.use(default_catalog, ["default"])
        made.append(window)
    (tmp_path / "drill.yaml").write_text(LESSON)
    yield made[0], made[1], tmp_path / "drill.yaml"
    for window in made:
        window.classroom.leave()


def test_a_trainee_console_follows_the_instructor_and_answers(qtbot, consoles, tmp_path):
    lead, trainee, lesson = consoles
    link = lead.classroom.open_class("drill", lesson)
    assert link is not None and lead.class_dock.isVisible()
    qtbot.waitUntil(lambda: "Step 1 of 4" in lead.classroom.class_panel.prompt.text(), timeout=10000)
    assert lead.session.state.selection.objects == (25544,)  # the step's selection on the instructor's console too

    trainee.classroom.join_class("drill")
    panel = trainee.classroom.lesson_panel
    qtbot.waitUntil(lambda: panel.indicator.text().startswith("FOLLOWING"), timeout=10000)
    assert trainee.lesson_dock.isVisible() and trainee.classroom.bar.isVisible()
    assert "FOLLOWING" in trainee.classroom.bar.text() and "step 1" in trainee.classroom.bar.text()
    qtbot.waitUntil(lambda: trainee.session.state.selection.objects == (25544,), timeout=5000)
    assert not trainee.time_controls.isEnabled()  # locked while following
    # the trainee layout: globe, map, details, lesson, in a larger font
    assert trainee.lesson_dock.isVisible() and trainee.details_dock.isVisible()
    assert not trainee.catalog_dock.isVisible() and not trainee.tasking_dock.isVisible()
    assert trainee.font().pointSizeF() > lead.font().pointSizeF()
    assert trainee.session.state.banner.data_mode == "EXERCISE"  # what a trainee makes in class is exercise data
    epoch_gap = abs((trainee.session.clock.now() - lead.session.clock.now()).total_seconds())
    assert epoch_gap < 60.0  # one wall second at 60x

    trainee.session.select_norad(41866)  # the trainee's own change is undone while following
    qtbot.waitUntil(lambda: trainee.session.state.selection.objects == (25544,), timeout=5000)

    assert [b.text() for b in panel.option_buttons] == ["LEO", "MEO", "GEO", "HEO"]
    panel.option_buttons[2].click()
    qtbot.waitUntil(lambda: panel.verdict.text().startswith("Right: GEO"), timeout=10000)
    class_panel = lead.classroom.class_panel
    qtbot.waitUntil(lambda: "1 answered, 1 right" in class_panel.summary.text(), timeout=10000)
    assert class_panel.model.item(0, 4).text() == "GEO" and class_panel.model.item(0, 5).text() == "right"
    lead.classroom._write_debrief(str(tmp_path / "debrief.csv"))
    qtbot.waitUntil(lambda: (tmp_path / "debrief.csv").exists(), timeout=10000)
    assert "UNCLASSIFIED//EXERCISE" in (tmp_path / "debrief.csv").read_text().splitlines()[0]
    lead.save_screenshot(tmp_path / "instructor.png")
    trainee.save_screenshot(tmp_path / "trainee.png")

    link.message("Look at the altitude in the Details dock.")
    qtbot.waitUntil(lambda: panel.notices.count() == 1, timeout=5000)
    assert "Instructor: Look at the altitude" in panel.notices.item(0).text()

    link.next_step()  # frozen
    qtbot.waitUntil(lambda: panel.indicator.text().startswith("FROZEN"), timeout=5000)
    assert not trainee.time_controls.isEnabled()
    link.next_step()  # released: the trainee's own selection stays
    qtbot.waitUntil(lambda: panel.indicator.text().startswith("FREE"), timeout=5000)
    assert trainee.time_controls.isEnabled()
    trainee.session.select_norad(40296)
    qtbot.wait(1500)  # heartbeats arrive meanwhile
    assert trainee.session.state.selection.objects == (40296,)
    link.next_step()  # brought back, with the step's selection
    qtbot.waitUntil(lambda: trainee.session.state.selection.objects == (41866,), timeout=5000)
    assert panel.indicator.text().startswith("FOLLOWING")
    assert [b.text() for b in panel.option_buttons] == ["GO", "NO-GO"]

    lead.session.select_norad(25544)  # what the instructor does, the class follows
    qtbot.waitUntil(lambda: trainee.session.state.selection.objects == (25544,), timeout=5000)
    lead.session.state.selection.watch_pair = (25544, 41866)  # a watch pair too: framed and tracked on each console
    qtbot.waitUntil(lambda: trainee.session.state.selection.watch_pair == (25544, 41866), timeout=5000)

    lead.classroom.close_class()
    qtbot.waitUntil(lambda: panel.indicator.text() == "CLASS CLOSED", timeout=5000)
    assert trainee.time_controls.isEnabled()  # the trainee's console is the trainee's again


def test_a_bad_lesson_is_refused_with_its_line(qtbot, consoles, tmp_path):
    lead, _trainee, lesson = consoles
    bad = Path(tmp_path / "bad.yaml")
    bad.write_text(LESSON.replace("object: 41866}", "object: zero}"))
    assert lead.classroom.open_class("drill", bad) is None
    assert f"{bad}:9: steps.0.check.regime.object" in lead.status_label.text()


def test_a_silent_instructor_is_said_and_the_console_given_back(qtbot, consoles, monkeypatch):
    """The instructor's console crashes (no close, no more states): the trainee's bar says so
    within seconds and, a while later, the trainee's controls come back. Leaving restores the
    trainee's own layout."""
    import widgets.classroom as classroom

    monkeypatch.setattr(classroom, "SILENT_S", 1.5)
    monkeypatch.setattr(classroom, "LET_GO_S", 3.0)
    lead, trainee, lesson = consoles
    link = lead.classroom.open_class("drill", lesson)
    trainee.classroom.join_class("drill")
    qtbot.waitUntil(lambda: trainee.classroom.lesson_panel.indicator.text().startswith("FOLLOWING"), timeout=10000)
    assert not trainee.catalog_dock.isVisible()
    link._timer.stop()  # no more heartbeats: as if the instructor's console had died
    qtbot.waitUntil(lambda: trainee.classroom.bar.text().startswith("NO WORD from"), timeout=5000)
    qtbot.waitUntil(lambda: trainee.time_controls.isEnabled(), timeout=5000)
    assert "your console is yours" in trainee.classroom.bar.text()
    trainee.classroom.leave()
    assert trainee.catalog_dock.isVisible() and not trainee.classroom.bar.isVisible()
    assert trainee.session.state.banner.data_mode == "REAL"


def test_a_long_status_message_never_widens_the_window(qtbot, consoles):
    """Seen taking the README's screenshots: a caution message in the status line made the
    window 1820 px wide on a 1366 px screen. The line is cut (whole on hover) instead."""
    lead, _trainee, _lesson = consoles
    width = lead.width()
    text = "CAUTION 30794 / 99001: normal -> caution: predicted miss 40.058 km inside the caution range " * 6
    lead.show_status(text, 10000)
    qtbot.wait(200)
    assert lead.width() == width and lead.status_label.toolTip() == text


def test_the_classroom_menu_opens_and_joins_a_class(qtbot, consoles, monkeypatch):
    """As a user does it: Classroom ▸ Open class… (a name, then the lesson file), Classroom ▸
    Join class… on the other console, Classroom ▸ Leave or close the class."""
    from PySide6.QtWidgets import QFileDialog, QInputDialog, QMenuBar

    lead, trainee, lesson = consoles

    def menu_action(window, text):
        bar = window.menuWidget().findChild(QMenuBar)
        menu = next(a.menu() for a in bar.actions() if a.text() == "C&lassroom")
        return next(a for a in menu.actions() if a.text() == text)

    monkeypatch.setattr(QInputDialog, "getText", lambda *args, **kwargs: ("menu-drill", True))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *args, **kwargs: (str(lesson), ""))
    menu_action(lead, "&Open class…").trigger()
    qtbot.waitUntil(lambda: "Class menu-drill" in lead.classroom.class_panel.title.text(), timeout=10000)
    menu_action(trainee, "&Join class…").trigger()
    qtbot.waitUntil(lambda: trainee.classroom.lesson_panel.indicator.text().startswith("FOLLOWING"), timeout=10000)
    menu_action(lead, "&Leave or close the class").trigger()
    qtbot.waitUntil(lambda: trainee.classroom.lesson_panel.indicator.text() == "CLASS CLOSED", timeout=10000)
    menu_action(trainee, "&Leave or close the class").trigger()
    assert trainee.catalog_dock.isVisible() and trainee.time_controls.isEnabled()

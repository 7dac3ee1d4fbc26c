"""The tasking panel: editing with validation, exactly the actions a state allows, the
two-person rule from the window, a concurrent edit keeping the user's values, feasible
passes on a worker and scheduling, comments, history, import and export for a nation."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from app.sensors.sites import Sensor
from app.storage import Store
from tests.operators import officer

NOW = datetime(2026, 8, 12, 1, 0, tzinfo=timezone.utc)
RADAR = Sensor("TEST RADAR", "GBR", "national", "radar", 54.36, -0.67, 340.0, 5.0, 5000.0)


@pytest.fixture
def panel(qtbot, tmp_path, default_catalog):
    from widgets.panels.tasking_panel import TaskingPanel

    store = Store(f"sqlite:///{tmp_path / 'ops.db'}", operator=officer("alice", "GBR"))
    widget = TaskingPanel(store.tasking, interactive=False)
    qtbot.addWidget(widget)
    widget.set_context(default_catalog, [RADAR], NOW)
    widget.selected_object = 25544
    widget.reload()
    settle(qtbot, widget)
    yield widget
    store.close()


def settle(qtbot, panel) -> None:
    """Wait until the panel's database work (reads, writes, history) has landed on screen."""
    qtbot.waitUntil(lambda: not panel.database.busy and not panel.trail.jobs.busy, timeout=10000)


def done(qtbot, panel, job):
    """What a change wrote (the saved request), once everything it started has landed; None if refused."""
    settle(qtbot, panel)
    return None if job is None or job.error is not None else job.result


def shown_actions(panel) -> set[str]:
    return {name for name, button in panel.action_buttons.items() if not button.isHidden()}


def test_new_request_edit_and_validation(panel, qtbot):
    targets = []
    panel.target_selected.connect(targets.append)
    request = done(qtbot, panel, panel.new_request())
    assert request.status == "DRAFT" and request.target_norad_id == 25544 and targets[-1] == 25544
    assert panel.model.rowCount() == 1 and panel.form.target_name.text() == "ISS (ZARYA)"
    assert shown_actions(panel) == {"submit", "cancel"} and not panel.save_button.isHidden()
    panel.form.window_end.setDateTime(panel.form.window_start.dateTime().addSecs(-3600))
    assert panel.save() is None
    assert "window_end: the window must end after it starts" in panel.form.error_label.text()
    panel.form.window_end.setDateTime(panel.form.window_start.dateTime().addSecs(6 * 3600))
    panel.form.target.setValue(1)
    assert panel.save() is None and "not in the catalog" in panel.form.error_label.text()
    panel.form.target.setValue(20580)
    panel.form.title.setText("Track HST")
    saved = done(qtbot, panel, panel.save())
    assert (saved.title, saved.target_norad_id, saved.version) == ("Track HST", 20580, 2)
    assert targets[-1] == 20580


def test_actions_follow_the_state_and_the_two_person_rule(panel, qtbot, tmp_path):
    request = done(qtbot, panel, panel.perform("submit")) if done(qtbot, panel, panel.new_request()) else None
    assert request.status == "SUBMITTED" and shown_actions(panel) == {"approve", "reject", "cancel"}
    assert done(qtbot, panel, panel.perform("approve")) is None
    assert "two-person rule" in panel.message.text()
    bob = Store(f"sqlite:///{tmp_path / 'ops.db'}", operator=officer("bob", "GBR")).tasking
    bob.act(request, "approve")
    panel.reload()
    settle(qtbot, panel)
    assert panel.current.status == "APPROVED" and shown_actions(panel) == {"schedule", "reject", "cancel"}
    assert panel.save_button.isHidden() and not panel.form.isEnabled()  # no edits after approval
    history = [panel.history.item(i).text() for i in range(panel.history.count())]
    assert "APPROVE  by bob (GBR" in history[-1] and "status: SUBMITTED → APPROVED" in history[-1]


def test_concurrent_edit_keeps_my_values_and_shows_theirs(panel, qtbot, tmp_path):
    request = done(qtbot, panel, panel.new_request())
    bob = Store(f"sqlite:///{tmp_path / 'ops.db'}", operator=officer("bob", "GBR")).tasking
    bob.save(bob.get(request.id).__class__(**{**bob.get(request.id).__dict__, "precedence": "FLASH"}))
    panel.form.title.setText("my new title")
    assert done(qtbot, panel, panel.save()) is None
    text = panel.message.text()
    assert "bob changed this request" in text and "precedence = FLASH" in text
    assert panel.form.title.text() == "my new title"  # my edit is still in the form
    saved = done(qtbot, panel, panel.save())  # saving again, knowingly, puts mine over theirs
    assert saved.title == "my new title" and saved.version == 3


def test_feasible_passes_schedule_and_timeline_signal(panel, qtbot, tmp_path):
    request = done(qtbot, panel, panel.perform("submit")) if done(qtbot, panel, panel.new_request()) else None
    bob = Store(f"sqlite:///{tmp_path / 'ops.db'}", operator=officer("bob", "GBR")).tasking
    bob.act(request, "approve")
    panel.reload()
    settle(qtbot, panel)
    with qtbot.waitSignal(panel.find_passes().ended, timeout=60000):
        pass
    qtbot.waitUntil(lambda: panel.passes_tab.passes_model.rowCount() > 0, timeout=10000)
    assert all(p.sensor == "TEST RADAR" for p in panel.passes_tab.passes)
    assert "feasible passes" in panel.passes_tab.reasons.text()
    scheduled = []
    panel.schedule_changed.connect(scheduled.append)
    panel.passes_tab.passes_table.selectRow(1)
    saved = done(qtbot, panel, panel.perform("schedule"))
    assert saved.status == "SCHEDULED" and saved.scheduled_passes == (panel.passes_tab.passes[1],)
    assert scheduled[-1] == [panel.passes_tab.passes[1]]
    assert shown_actions(panel) == {"collected", "partial", "failed", "cancel"}


def test_infeasible_request_is_flagged_with_the_reason(panel, qtbot):
    done(qtbot, panel, panel.new_request())
    panel.sensors = [Sensor("DOWN", "GBR", "national", "radar", 54.0, 0.0, 0.0, 5.0, 5000.0, status="outage")]
    with qtbot.waitSignal(panel.find_passes().ended, timeout=60000):
        pass
    qtbot.waitUntil(lambda: "INFEASIBLE" in panel.passes_tab.reasons.text(), timeout=10000)
    settle(qtbot, panel)
    assert "DOWN: in outage" in panel.passes_tab.reasons.text()
    assert panel.model.item(0, 9).text() == "INFEASIBLE: DOWN: in outage"


def test_comments_import_and_export_for_a_nation(panel, qtbot, data_dir, tmp_path):
    request = done(qtbot, panel, panel.new_request())
    done(qtbot, panel, panel.add_comment("radar preferred"))
    assert "alice (GBR): radar preferred" in panel.comments.item(0).text()
    with qtbot.waitSignal(panel.imported, timeout=10000) as blocker:
        panel.import_file(data_dir / "tasking" / "bad_records.json")
    summary = blocker.args[0]
    assert "1 added" in summary and "8 rejected" in summary and "record 2 (TR-USA-00000002)" in summary
    done(qtbot, panel, panel.import_file(data_dir / "tasking" / "exchange_good.json"))
    assert panel.model.rowCount() == 4  # not the third: Australia's unreleased record is not alice's to hold
    out = tmp_path / "for-aus.json"
    assert panel.export_file(out, "AUS") == 1  # alice (GBR) may not export AUS's own TR-AUS-55667788
    records = json.loads(out.read_text())["records"]
    assert sorted(r["id"] for r in records) == ["TR-GBR-0A1B2C3D"]
    assert request.id not in {r["id"] for r in records}  # a GBR draft released to nobody else
    panel.status_filter.setCurrentText("SCHEDULED")
    settle(qtbot, panel)
    assert [panel.model.item(r, 0).text() for r in range(panel.model.rowCount())] == ["TR-GBR-0A1B2C3D"]


def test_operator_dialog_shows_identity_read_only_and_saves_the_database(qtbot, tmp_path):
    """Who is at the console is read from the database, never typed in: the dialog shows it
    (and how to get on the roster) and edits only the database and the password file."""
    from PySide6.QtWidgets import QLineEdit

    from app.common.user_settings import Operator, UserSettings, load_settings, save_settings
    from widgets.dialogs.operator_dialog import OperatorDialog

    stranger = Operator("jsmith", roles=("watch_officer",), on_roster=False)
    dialog = OperatorDialog(UserSettings(), stranger)
    qtbot.addWidget(dialog)
    assert "not in this machine's roster" in dialog.identity.text() and "floor add-operator jsmith" in dialog.identity.text()
    assert [w for w in dialog.findChildren(QLineEdit)] == [dialog.database, dialog.password_file]  # no name, no nation
    dialog.database.setText("postgresql+psycopg://ops:hunter2@db.example/spaceops")
    dialog.accept()
    assert dialog.result_settings is None and "password out of the URL" in dialog.error_label.text()
    dialog.database.setText("postgresql+psycopg://ops@db.example/spaceops")
    dialog.password_file.setText(str(tmp_path / "absent"))
    dialog.accept()
    assert dialog.result_settings is None and "is not a file" in dialog.error_label.text()
    (tmp_path / "pw").write_text("secret\n")
    dialog.password_file.setText(str(tmp_path / "pw"))
    dialog.accept()
    chosen = dialog.result_settings
    assert chosen == UserSettings("postgresql+psycopg://ops@db.example/spaceops", str(tmp_path / "pw"))
    save_settings(chosen, tmp_path / "settings.json")
    assert load_settings(tmp_path / "settings.json") == chosen
    (tmp_path / "broken.json").write_text("{not json")
    assert load_settings(tmp_path / "broken.json") == UserSettings()  # defaults, with a warning in the log
    officer_dialog = OperatorDialog(UserSettings(), Operator("ops", "GBR", ("watch_officer",), "SECRET"), True)
    qtbot.addWidget(officer_dialog)
    assert officer_dialog.identity.text() == "ops — GBR, watch_officer, cleared SECRET (from the floor's operators table)"


def test_history_reads_as_sentences_not_raw_values(panel, qtbot):
    """History once showed 'window_end: 2026-08-12T12:00:00.000000Z → ...' and sensor requests
    as raw dictionaries."""
    done(qtbot, panel, panel.new_request())
    panel.form.window_end.setDateTime(panel.form.window_start.dateTime().addSecs(14 * 3600))
    done(qtbot, panel, panel.save())
    history = "\n".join(panel.history.item(i).text() for i in range(panel.history.count()))
    end = panel.current.window_end
    assert "window end: " in history and f"→ {end:%Y-%m-%d %H:%M}" in history
    assert "{" not in history and "sensor request: — → any" in history


def test_a_refused_save_is_said_beside_save_on_a_small_screen(panel, qtbot):
    """The error sat below the fold of the form while the message line still said 'created'."""
    done(qtbot, panel, panel.new_request())
    panel.resize(700, 260)  # the bottom dock on a 1366 x 768 screen
    panel.show()
    qtbot.waitExposed(panel)
    panel.form.window_end.setDateTime(panel.form.window_start.dateTime().addSecs(-3600))
    assert panel.save() is None
    label = panel.form.error_label
    assert label.isVisible() and "window_end" in label.text()
    top_left = label.mapTo(panel, label.rect().topLeft())
    assert 0 <= top_left.y() and top_left.y() + label.height() <= panel.height()
    assert "Not saved" in panel.message.text() and "created" not in panel.message.text()


def test_export_holds_only_what_the_operator_may_see_and_csv_carries_the_marking(panel, qtbot, tmp_path):
    """alice (GBR, cleared to SECRET) exports for USA: her SECRET request released to USA goes,
    her CONFIDENTIAL one released to nobody stays; the CSV says the file's marking first."""
    from dataclasses import replace

    tasking = panel.tasking
    secret = tasking.create(replace(done(qtbot, panel, panel.new_request()), id="TR-GBR-5EC2E7A1",
                                    classification="SECRET", releasable_to=("USA",), version=0))
    confidential = tasking.create(replace(secret, id="TR-GBR-C0F1DE47", classification="CONFIDENTIAL",
                                          releasable_to=(), version=0))
    panel.reload()
    settle(qtbot, panel)
    assert panel.export_file(tmp_path / "for-usa.csv", "USA") == 1
    lines = (tmp_path / "for-usa.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("# SECRET//REL TO GBR, USA — exported ") and lines[0].endswith("by alice (GBR)")
    assert lines[1].startswith("marking,id,") and lines[2].startswith(f'"SECRET//REL TO GBR, USA",{secret.id},')
    assert confidential.id not in "\n".join(lines)
    assert "left out: above your clearance (SECRET) or not released to GBR and USA" in panel.message.text()

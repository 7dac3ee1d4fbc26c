"""Classroom lesson checks (issue #15): a step's check is validated like the rest of the lesson,
judged by the console's own machinery (regime classification, screening checked against
brute-force sampling), and each trainee's answers reach the instructor's roster (schema 6
class_reports), on a single seat and on the floor, where a trainee reports only as itself
and only the class's instructor reads the others' reports."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import psycopg
import pytest

from app.classroom import ClassFollower, ClassLeader, ClassRecords, LessonError, parse_lesson
from app.classroom.checks import CheckError, answer_options, closest_object, judge, judge_tasking
from app.classroom.roster import Roster
from app.storage import add_operator

from tests.waiting import until

ROOT = Path(__file__).resolve().parents[2]
START = datetime(2026, 8, 12, tzinfo=timezone.utc)
INSTRUCTOR = "ft_gbr_instructor"

CHECKS_LESSON = """\
format: spaceops-lesson
version: 1
name: Checks
start_utc: 2026-08-12T00:00:00Z
steps:
  - prompt: Which regime is GOES 16 in?
    select: 41866
    check: {kind: regime, object: 41866}
    hold_s: 3
  - prompt: GO or NO-GO for the burn?
    check: {kind: go_no_go}
    hold_s: 3
"""




def test_a_bad_check_names_the_line_and_the_field():
    text = CHECKS_LESSON.replace("{kind: go_no_go}", "{kind: choice, options: ['yes', 'no'], answer: maybe}")
    text = text.replace("{kind: regime, object: 41866}", "{kind: closest_approach, object: 25544, within_h: 100}")
    with pytest.raises(LessonError) as caught:
        parse_lesson(text, "l.yaml")
    assert caught.value.errors == [
        "l.yaml:8: steps.0.check.closest_approach.within_h: Input should be less than or equal to 72",
        "l.yaml:11: steps.1.check.choice.answer: 'maybe' is not one of the options"]
    with pytest.raises(LessonError, match=r"l.yaml:8: steps.0.check: Input tag 'guess' found"):
        parse_lesson(CHECKS_LESSON.replace("kind: regime", "kind: guess"), "l.yaml")
    with pytest.raises(LessonError, match=r"l.yaml:11: steps.1.check.choice.options.0: YAML read this as true or "
                                          r"false: quote it"):  # surprised us: options [yes, no] were booleans
        parse_lesson(CHECKS_LESSON.replace("{kind: go_no_go}", "{kind: choice, options: [yes, no]}"), "l.yaml")


def test_regime_and_poll_checks_are_judged_by_the_console(default_catalog):
    regime = {"kind": "regime", "object": 40296}
    assert answer_options(regime) == ("LEO", "MEO", "GEO", "HEO")
    wrong = judge(regime, "GEO", default_catalog)
    assert (wrong.correct, wrong.expected) == (False, "HEO") and "e 0.66" in wrong.note  # Meridian 7: Molniya
    assert judge({"kind": "regime", "object": 25544}, "LEO", default_catalog).correct is True
    poll = judge({"kind": "go_no_go"}, "NO-GO")
    assert poll.correct is None and poll.answer == "NO-GO"
    with pytest.raises(CheckError, match="'maybe' is not one of GO, NO-GO"):
        judge({"kind": "go_no_go"}, "maybe")
    assert judge({"kind": "choice", "options": ["a", "b"], "answer": "b"}, "b").correct is True
    assert judge({"kind": "acknowledge", "within_s": 60}, None, elapsed_s=75).correct is False
    with pytest.raises(CheckError, match="not in the catalog"):
        judge({"kind": "regime", "object": 99999999}, "LEO", default_catalog)
    tasked = judge_tasking({"kind": "tasking", "target": 25544}, 25544, 0, "TR-1")
    assert tasked.correct is False and "0 feasible passes" in tasked.note


def test_the_closest_approach_check_agrees_with_brute_force_sampling(default_catalog):
    """The object screening names as passing closest to the ISS over 3 h is the one fine
    sampling (1 s) finds closest, vehicles docked to it aside, and screening's miss is no
    larger than the sampled one."""
    near = np.nonzero((default_catalog.perigee_alt_km < 440) & (default_catalog.apogee_alt_km > 400))[0]
    catalog = default_catalog.subset(near)
    check = {"kind": "closest_approach", "object": 25544, "within_h": 3}
    other, miss_km, _tca = closest_object(check, catalog, START)

    from sgp4.api import SatrecArray, jday
    seconds = np.arange(0.0, 3 * 3600.0 + 1.0, 1.0)
    jd, fr = jday(2026, 8, 12, 0, 0, 0)
    satrecs = [es.satrec for es in catalog.element_sets]
    errors, r, _v = SatrecArray(satrecs).sgp4(np.full(seconds.size, jd), fr + seconds / 86400.0)
    mine = catalog.row_of(25544)
    distance = np.linalg.norm(r - r[mine], axis=2)
    distance[errors != 0] = np.inf
    distance[mine] = np.inf
    docked = distance.max(axis=1) < 10.0  # within 10 km all along (Cygnus at the ISS): not a passing object
    distance[docked] = np.inf
    per_object = distance.min(axis=1)
    assert int(catalog.norad_id[int(per_object.argmin())]) == other
    assert miss_km <= per_object.min() + 1e-3
    assert judge(check, other, catalog, START).correct is True


def test_answers_reach_the_instructors_roster_on_a_single_seat(tmp_path):
    url = f"sqlite:///{tmp_path / 'class.db'}"
    leader_records, trainee_records = ClassRecords(url), ClassRecords(url)
    leader = ClassLeader(leader_records, "seat", parse_lesson(CHECKS_LESSON))
    leader.open()
    follower = ClassFollower(trainee_records, "seat").start()
    try:
        assert follower.wait_for_state(5) and follower.check == {"kind": "regime", "object": 41866}
        notice = leader.message("Look at the altitude column.")
        assert until(lambda: [n["text"] for n in follower.notices] == ["Look at the altitude column."])
        assert notice["id"] == 1
        sent = follower.answer(judge(follower.check, "MEO", catalog=_one_object_catalog()))
        assert sent["correct"] is False and sent["expected"] == "GEO" and sent["elapsed_s"] >= 0
        leader.start_step(1)
        assert until(lambda: follower.step == 1)
        follower.answer(judge(follower.check, "GO"))
        roster = Roster()
        assert roster.add(leader_records.reports("seat"))
        row = roster.rows[trainee_records.login]
        assert until(lambda: (roster.add(leader_records.reports("seat", roster.last_seq)), row.step == 1)[1])
        # (the status report of step 1 is sent by the link's thread, after the state is taken)
        assert row.answers[0]["answer"] == "MEO" and row.answers[1]["correct"] is None
        assert row.step == 1 and row.following == "following"
        assert roster.answered(0) == (1, 0, 1) and roster.tally(1) == {"GO": 1}
        assert row.connected(datetime.now(timezone.utc))
        assert not roster.add(leader_records.reports("seat", roster.last_seq))  # nothing new
    finally:
        follower.stop()
        leader.close()
        leader_records.close_connection()
        trainee_records.close_connection()
    roster.add(ClassRecords(url).reports("seat", roster.last_seq))
    assert roster.rows[trainee_records.login].following == "left"


def _one_object_catalog():
    from app.catalog import Catalog
    return Catalog.load_default().subset([Catalog.load_default().row_of(41866)])


def test_scenario_messages_to_trainees_arrive_as_notices(tmp_path):
    """A lesson naming a scenario passes on its messages addressed to trainees when the
    class's clock reaches them (the room's messages stay with the exercise controller)."""
    scenario = (ROOT / "resources" / "scenarios" / "geo_rpo_inspection.yaml").read_text()
    scenario = scenario.replace("    text: Intelligence reports", "    audience: trainees\n    text: Intelligence reports")
    (tmp_path / "rpo.yaml").write_text(scenario)
    lesson = parse_lesson(CHECKS_LESSON.replace("start_utc: 2026-08-12T00:00:00Z", "scenario: rpo.yaml\nrate: 600"),
                          "l.yaml", tmp_path)
    assert [text for _at, text in lesson.trainee_messages] == [
        "Intelligence reports INSPECTOR-1 is preparing a phasing burn."]
    url = f"sqlite:///{tmp_path / 'class.db'}"
    records = ClassRecords(url)
    leader = ClassLeader(records, "rpo", lesson, speed=10)  # 6000x: the 00:30 message after 0.3 s
    leader.open()
    try:
        assert leader.notices == []
        time.sleep(0.4)
        leader.publish()
        assert [(n["source"], n["text"][:12]) for n in leader.notices] == [("scenario", "Intelligence")]
    finally:
        leader.close()
        records.close_connection()
    with pytest.raises(LessonError, match="scenario: must be in the lesson's folder"):
        parse_lesson(CHECKS_LESSON.replace("start_utc: 2026-08-12T00:00:00Z", "scenario: ../rpo.yaml"), "l.yaml",
                     tmp_path / "sub")


def test_on_the_floor_a_trainee_reports_only_as_itself_and_reads_only_its_own(floor):
    add_operator(floor.admin_url, INSTRUCTOR, "GBR", ("instructor",), "SECRET", password=f"pw-{INSTRUCTOR}")
    add_operator(floor.admin_url, "ft_deu_trainee", "DEU", ("trainee",), "SECRET", password="pw-ft_deu_trainee")
    leader_records = ClassRecords(floor.url(INSTRUCTOR))
    leader = ClassLeader(leader_records, "ft-checks", parse_lesson(CHECKS_LESSON))
    leader.open()
    report = ("INSERT INTO class_reports (class_name, trainee, kind, step, detail, at_utc) "
              "VALUES ('ft-checks', %s, 'answer', 0, '{\"answer\": \"GEO\"}', 'now')")
    with floor.sql("ft_fra_trainee") as fra:
        fra.execute(report, ("ft_deu_trainee",))  # claims to be somebody else: signed as itself
    with floor.sql("ft_deu_trainee") as deu:
        deu.execute(report, ("ft_deu_trainee",))
        assert deu.execute("SELECT trainee FROM class_reports").fetchall() == [("ft_deu_trainee",)]
    with floor.sql("ft_usa_approver") as not_a_trainee:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            not_a_trainee.execute(report, ("ft_usa_approver",))
    roster = Roster()
    roster.add(leader_records.reports("ft-checks"))
    assert sorted(roster.rows) == ["ft_deu_trainee", "ft_fra_trainee"]
    follower_records = ClassRecords(floor.url("ft_fra_trainee"))
    assert [r.trainee for r in follower_records.reports("ft-checks")] == ["ft_fra_trainee"]
    leader.close()
    with floor.sql("ft_fra_trainee") as fra:  # a closed class takes no more reports
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            fra.execute(report, ("ft_fra_trainee",))
    leader_records.close_connection()
    follower_records.close_connection()


def test_a_scripted_trainee_answers_on_the_command_line(tmp_path):
    url = f"sqlite:///{tmp_path / 'class.db'}"
    (tmp_path / "lesson.yaml").write_text(CHECKS_LESSON)
    script = tmp_path / "answers.yaml"
    script.write_text("format: spaceops-answers\nversion: 1\nanswers:\n  - {step: 0, answer: GEO, after_s: 0.2}\n"
                      "  - {step: 1, answer: GO, after_s: 0.1}\n")
    records = ClassRecords(url)
    leader = ClassLeader(records, "cli", parse_lesson(CHECKS_LESSON))
    leader.open()
    stop = threading.Event()
    running = threading.Thread(target=leader.run, args=(stop,), daemon=True)
    try:
        following = subprocess.Popen([sys.executable, "-m", "app", "classroom", "follow", "--database", url,
                                      "--class", "cli", "--answer-script", str(script), "--seconds", "60"],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
        assert until(lambda: any(r.kind == "status" for r in records.reports("cli")), 30)  # joined, first state in
        running.start()
        running.join(30)
        leader.close()
        out, err = following.communicate(timeout=60)
    finally:
        stop.set()
        records.close_connection()
    assert following.returncode == 0, err
    answered = [line for line in map(json.loads, out.splitlines()) if line.get("event") == "answered"]
    assert [(a["step"], a["answer"], a["correct"]) for a in answered] == [(0, "GEO", True), (1, "GO", None)]
    roster = Roster()
    roster.add(ClassRecords(url).reports("cli"))
    assert roster.answered(0) == (1, 1, 0)

    bad = tmp_path / "bad.yaml"
    bad.write_text("format: spaceops-answers\nversion: 1\nanswers:\n  - {step: -1, answer: GEO}\n")
    refused = subprocess.run([sys.executable, "-m", "app", "classroom", "follow", "--database", url, "--class", "cli",
                              "--answer-script", str(bad)], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert refused.returncode == 2 and f"{bad}:4: answers.0.step: Input should be greater than or equal to 0" \
        in refused.stderr


def test_an_instructor_following_a_class_sends_no_reports(floor):
    """Somebody who may not report (not a trainee) still follows; the refusal is logged once."""
    add_operator(floor.admin_url, INSTRUCTOR, "GBR", ("instructor",), "SECRET", password=f"pw-{INSTRUCTOR}")
    records = ClassRecords(floor.url(INSTRUCTOR))
    leader = ClassLeader(records, "ft-obs", parse_lesson(CHECKS_LESSON))
    leader.open()
    watcher = ClassFollower(ClassRecords(floor.url("ft_usa_approver")), "ft-obs").start()
    try:
        assert watcher.wait_for_state(10)
        assert watcher._reporting is False
    finally:
        watcher.stop()
        leader.close()
        records.close_connection()


def test_opening_and_closing_a_class_is_audited(tmp_path, floor):
    """On a single seat and on the floor (where every login reads the audit of a class, signed
    by the instructor whatever the client says)."""
    url = f"sqlite:///{tmp_path / 'class.db'}"
    seat = ClassRecords(url)
    ClassLeader(seat, "audited", parse_lesson(CHECKS_LESSON)).open()
    seat.close("audited")
    trail = seat.store.audit_trail("classes", "audited")
    assert [(row["action"], row["user"]) for row in trail] == [("opened", seat.login), ("closed", seat.login)]
    assert json.loads(trail[0]["data"]) == {"lesson": "Checks"}
    seat.close_connection()

    add_operator(floor.admin_url, INSTRUCTOR, "GBR", ("instructor",), "SECRET", password=f"pw-{INSTRUCTOR}")
    instructor = ClassRecords(floor.url(INSTRUCTOR))
    instructor.open("ft-audited", "Checks")
    instructor.close("ft-audited")
    trainee = ClassRecords(floor.url("ft_fra_trainee"))
    assert [(r["action"], r["user"]) for r in trainee.store.audit_trail("classes", "ft-audited")] == [
        ("opened", INSTRUCTOR), ("closed", INSTRUCTOR)]
    instructor.close_connection()
    trainee.close_connection()


def test_a_terminated_leader_closes_its_class(tmp_path):
    """SIGTERM (a service manager, kill) ends `classroom lead` as Ctrl-C does: the class is
    closed, so its trainees are told, and the exit code says interrupted."""
    import signal

    url = f"sqlite:///{tmp_path / 'class.db'}"
    lesson = tmp_path / "lesson.yaml"
    lesson.write_text(CHECKS_LESSON.replace("hold_s: 3", "hold_s: 600"))
    leading = subprocess.Popen([sys.executable, "-m", "app", "classroom", "lead", "--database", url, "--class", "term",
                                "--lesson", str(lesson)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               cwd=ROOT)
    records = ClassRecords(url)
    try:
        assert until(lambda: records.info("term") is not None, 30)
        leading.send_signal(signal.SIGTERM)
        _out, err = leading.communicate(timeout=30)
    finally:
        leading.kill()
    assert leading.returncode == 130 and "classroom interrupted" in err
    assert records.info("term").closed_utc is not None
    records.close_connection()

"""The instructor's debrief (issue #15): the steps, prompts, messages and mode changes a class
was sent against each trainee's joins, answers and leaves, in time order, with a summary per
trainee; written as marked CSV (spreadsheet-safe) and JSON, and as a marked PNG or PDF page
by ``spaceops classroom debrief``."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.classroom import ClassFollower, ClassLeader, ClassRecords, parse_lesson
from app.classroom.checks import judge
from app.classroom.class_records import ClassInfo, ClassroomError, Published, Report
from app.classroom.class_state import wall_now
from app.classroom.debrief import MARKING, SUMMARY_FIELDS, TIMELINE_FIELDS, build_debrief, write_csv, write_json
from app.common.spreadsheet import read_cell
from app.common.user_settings import Operator

from tests.waiting import until

ROOT = Path(__file__).resolve().parents[2]
INSTRUCTOR = "gbr_instructor"
MESSAGE = "=HYPERLINK(\"http://x\") look at the apogee"

LESSON = """\
format: spaceops-lesson
version: 1
name: Debrief drill
start_utc: 2026-08-12T00:00:00Z
steps:
  - prompt: Which regime is lowest?
    check: {kind: choice, options: [LEO, MEO, GEO], answer: LEO}
    hold_s: 3
  - prompt: Acknowledge the critical alert.
    check: {kind: acknowledge, within_s: 60}
    hold_s: 3
  - prompt: GO or NO-GO for the burn?
    check: {kind: go_no_go}
    mode: frozen
    hold_s: 3
"""




def _records(url: str, login: str, role: str) -> ClassRecords:
    """Records acting as ``login`` (a single seat's login is the OS account: one machine, three people)."""
    records = ClassRecords(url)
    records.database.operator = Operator(login, "GBR", (role,))
    return records


@pytest.fixture(scope="module")
def drilled(tmp_path_factory):
    """A class taken through the lesson: alice and bob join; on step 0 alice is right and bob
    wrong; a message; on step 1 alice acknowledges; step 2 freezes the class and both answer
    the poll; released, brought back; bob leaves; closed. (url, {trainee: [answers sent]})."""
    folder = tmp_path_factory.mktemp("debrief")
    url = f"sqlite:///{folder / 'class.db'}"
    instructor = _records(url, INSTRUCTOR, "instructor")
    leader = ClassLeader(instructor, "drill", parse_lesson(LESSON))
    leader.open()
    trainees = {name: _records(url, name, "trainee") for name in ("alice", "bob")}
    alice = ClassFollower(trainees["alice"], "drill").start()
    bob = ClassFollower(trainees["bob"], "drill").start()
    sent: dict[str, list[dict]] = {"alice": [], "bob": []}
    running = [alice, bob]
    try:
        assert alice.wait_for_state(5) and bob.wait_for_state(5)
        sent["alice"].append(alice.answer(judge(alice.check, "LEO")))
        sent["bob"].append(bob.answer(judge(bob.check, "GEO")))
        leader.message(MESSAGE)
        assert until(lambda: len(alice.notices) == 1 and len(bob.notices) == 1)
        leader.start_step(1)
        assert until(lambda: alice.step == 1 and bob.step == 1)
        time.sleep(0.1)
        elapsed = (wall_now() - alice.step_started_utc).total_seconds()
        sent["alice"].append(alice.answer(judge(alice.check, None, elapsed_s=elapsed)))
        leader.start_step(2)
        assert until(lambda: alice.step == 2 and bob.step == 2 and alice.mode == "frozen")
        sent["alice"].append(alice.answer(judge(alice.check, "GO")))
        sent["bob"].append(bob.answer(judge(bob.check, "NO-GO")))
        leader.release()
        assert until(lambda: bob.mode == "free")
        leader.bring_back()
        assert until(lambda: bob.mode == "follow")
        running.remove(bob)
        bob.stop()
        leader.close()
        assert until(lambda: alice.closed.is_set())
    finally:
        for follower in running:  # (a second stop() would send a second "left")
            follower.stop()
        for records in (instructor, *trainees.values()):
            records.close_connection()
    return url, sent


def _debrief(url: str):
    records = ClassRecords(url)
    try:
        return build_debrief(records, "drill")
    finally:
        records.close_connection()


def test_the_timeline_puts_what_was_sent_against_what_each_trainee_did(drilled):
    url, sent = drilled
    debrief = _debrief(url)
    assert (debrief.class_name, debrief.instructor, debrief.lesson) == ("drill", INSTRUCTOR, "Debrief drill")
    assert debrief.marking == MARKING == "UNCLASSIFIED//EXERCISE" and debrief.closed_utc is not None
    timeline = debrief.timeline
    assert all(tuple(row) == TIMELINE_FIELDS for row in timeline)
    assert timeline[0]["at_utc"] == debrief.opened_utc and timeline[-1]["at_utc"] <= debrief.closed_utc
    assert [row["at_utc"] for row in timeline] == sorted(row["at_utc"] for row in timeline)
    assert [(row["who"], row["what"], row["step"]) for row in timeline] == [
        (INSTRUCTOR, "opened", None), (INSTRUCTOR, "step", 0), ("alice", "joined", None), ("bob", "joined", None),
        ("alice", "answer", 0), ("bob", "answer", 0), (INSTRUCTOR, "message", 0),
        (INSTRUCTOR, "step", 1), ("alice", "answer", 1),
        (INSTRUCTOR, "step", 2), (INSTRUCTOR, "frozen", 2), ("alice", "answer", 2), ("bob", "answer", 2),
        (INSTRUCTOR, "released", 2), (INSTRUCTOR, "brought back", 2), ("bob", "left", 2), (INSTRUCTOR, "closed", 2)]
    steps = [row for row in timeline if row["what"] == "step"]
    assert [(s["text"], s["check"]) for s in steps] == [("Which regime is lowest?", "choice"),
                                                       ("Acknowledge the critical alert.", "acknowledge"),
                                                       ("GO or NO-GO for the burn?", "go_no_go")]
    assert timeline[0]["text"] == "Debrief drill"
    assert timeline[6]["text"] == MESSAGE
    answers = [row for row in timeline if row["what"] == "answer"]
    assert [(a["who"], a["answer"], a["correct"], a["expected"], a["check"]) for a in answers] == [
        ("alice", "LEO", True, "LEO", "choice"), ("bob", "GEO", False, "LEO", "choice"),
        ("alice", sent["alice"][1]["answer"], True, "within 60 s", "acknowledge"),
        ("alice", "GO", None, "", "go_no_go"), ("bob", "NO-GO", None, "", "go_no_go")]
    assert [a["elapsed_s"] for a in answers if a["who"] == "alice"] == [s["elapsed_s"] for s in sent["alice"]]
    assert "status" not in {row["what"] for row in timeline}  # heartbeats are not rows


def test_the_summary_counts_each_trainees_answers_and_times(drilled):
    url, sent = drilled
    alice, bob = _debrief(url).trainees
    assert (alice.trainee, alice.answered, alice.right, alice.wrong, alice.polls) == ("alice", 3, 2, 0, 1)
    assert (bob.trainee, bob.answered, bob.right, bob.wrong, bob.polls) == ("bob", 2, 0, 1, 1)
    times = [s["elapsed_s"] for s in sent["alice"]]
    assert alice.mean_answer_s == round(sum(times) / 3, 1) and alice.longest_answer_s == max(times)
    assert alice.acknowledge_s == [sent["alice"][1]["elapsed_s"]] and bob.acknowledge_s == []
    assert alice.last_step == bob.last_step == 2
    assert alice.joined_utc is not None and alice.left_utc is None  # the class closed on alice: no leave sent
    assert bob.left_utc is not None and bob.left_utc > bob.joined_utc


def test_csv_and_json_carry_the_marking_and_every_row(drilled, tmp_path):
    debrief = _debrief(drilled[0])
    write_csv(debrief, tmp_path / "d.csv")
    lines = (tmp_path / "d.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("# UNCLASSIFIED//EXERCISE — debrief of class drill (lesson Debrief drill, instructor "
                               f"{INSTRUCTOR}), opened ")
    blank = lines.index("")
    timeline = list(csv.DictReader(lines[1:blank]))
    assert tuple(timeline[0]) == TIMELINE_FIELDS and len(timeline) == len(debrief.timeline)
    message = next(row for row in timeline if row["what"] == "message")
    assert message["text"] == "'" + MESSAGE and read_cell(message["text"]) == MESSAGE  # no formula for a spreadsheet
    assert [row["correct"] for row in timeline if row["what"] == "answer"] == ["true", "false", "true", "", ""]
    summary = list(csv.DictReader(lines[blank + 1:]))
    assert tuple(summary[0]) == SUMMARY_FIELDS
    assert [(s["trainee"], s["answered"], s["right"], s["wrong"], s["polls"]) for s in summary] == [
        ("alice", "3", "2", "0", "1"), ("bob", "2", "0", "1", "1")]

    write_json(debrief, tmp_path / "d.json")
    document = json.loads((tmp_path / "d.json").read_text(encoding="utf-8"))
    assert document["marking"] == MARKING
    assert document["class"] == {"name": "drill", "instructor": INSTRUCTOR, "lesson": "Debrief drill",
                                 "opened_utc": debrief.opened_utc, "closed_utc": debrief.closed_utc}
    assert document["timeline"] == debrief.timeline
    assert [(t["trainee"], t["right"], t["wrong"]) for t in document["trainees"]] == [("alice", 2, 0), ("bob", 0, 1)]


PIXELS = """
import json, sys
from PySide6.QtGui import QImage
image = QImage(sys.argv[1])
w, h = image.width(), image.height()
color = lambda x, y: image.pixelColor(x, y).name()
print(json.dumps({"size": [w, h], "top": [color(x, y) for x in (0, 20, w // 3, w - 1) for y in (0, 5, 10)],
                  "bottom": [color(x, h - 1 - y) for x in (0, 20, w - 1) for y in (0, 5, 10)],
                  "middle": color(w - 30, h // 2)}))
"""


def _debrief_command(url: str, out: Path, class_name: str = "drill") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "app", "classroom", "debrief", "--database", url, "--class",
                           class_name, "--out", str(out)], capture_output=True, text=True, cwd=ROOT, timeout=120)


def test_the_debrief_command_writes_csv_json_png_and_pdf(drilled, tmp_path):
    url = drilled[0]
    for suffix in ("csv", "json", "png", "pdf"):
        out = tmp_path / f"drill.{suffix}"
        done = _debrief_command(url, out)
        assert done.returncode == 0, done.stderr
        assert f"debrief of class drill: 17 timeline rows, 2 trainees -> {out}" in done.stderr
    assert (tmp_path / "drill.csv").read_text(encoding="utf-8").startswith("# UNCLASSIFIED//EXERCISE — ")
    assert json.loads((tmp_path / "drill.json").read_text(encoding="utf-8"))["marking"] == MARKING
    png = (tmp_path / "drill.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert (int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")) == (1654, 2339)  # IHDR
    assert (tmp_path / "drill.pdf").read_bytes()[:5] == b"%PDF-"
    pixels = json.loads(subprocess.run([sys.executable, "-c", PIXELS, str(tmp_path / "drill.png")],
                                       capture_output=True, text=True, cwd=ROOT, timeout=60, check=True).stdout)
    assert pixels["size"] == [1654, 2339]
    green = "#007a33"  # the console's UNCLASSIFIED banner (widgets.theme.BANNER_COLORS)
    assert set(pixels["top"]) == set(pixels["bottom"]) == {green}
    assert pixels["middle"] == "#ffffff"  # a white page between them


def test_the_debrief_command_refuses_a_bad_suffix_and_a_missing_class(drilled, tmp_path):
    url = drilled[0]
    refused = _debrief_command(url, tmp_path / "drill.txt")
    assert refused.returncode == 2 and "a debrief is written as .csv, .json, .png, .pdf" in refused.stderr
    assert not (tmp_path / "drill.txt").exists()
    missing = _debrief_command(url, tmp_path / "none.csv", "no-such-class")
    assert missing.returncode == 4 and "there is no class 'no-such-class'" in missing.stderr
    assert not (tmp_path / "none.csv").exists()
    folder = _debrief_command(url, tmp_path / "absent" / "drill.csv")
    assert folder.returncode == 2 and "does not exist" in folder.stderr


class _Stored:
    """What ClassRecords would read back, without a database."""

    def __init__(self, states, reports, closed_utc=None):
        self.url, self.login = "sqlite:///nowhere.db", "gbr_instructor"
        self._states, self._reports, self._closed = states, reports, closed_utc

    def info(self, name):
        return ClassInfo(name, INSTRUCTOR, "L", "2026-08-12T10:00:00.000000Z", self._closed)

    def states(self, name):
        return [Published(seq, name, state, at, INSTRUCTOR) for seq, (at, state) in enumerate(self._states, 1)]

    def reports(self, name):
        return [Report(seq, name, who, kind, step, detail, at)
                for seq, (at, who, kind, step, detail) in enumerate(self._reports, 1)]


def _state(mode, step, notices=()):
    return {"mode": mode, "step": step, "prompt": f"step {step}", "check": None, "notices": list(notices)}


def test_scenario_messages_a_reopened_class_and_a_class_cut_off():
    inject = {"id": 1, "text": "Intelligence reports a burn.", "sent_utc": "2026-08-12T10:00:05.000000Z",
              "source": "scenario"}
    states = [("2026-08-12T10:00:00.000000Z", _state("frozen", 0)),  # the first step freezes the class
              ("2026-08-12T10:00:05.000000Z", _state("frozen", 0, [inject])),
              ("2026-08-12T10:00:06.000000Z", _state("frozen", 0, [inject])),  # the same notice again: no row
              ("2026-08-12T10:00:07.000000Z", _state("closed", 0, [inject])),
              ("2026-08-12T11:00:00.000000Z", _state("follow", 0)),  # opened again, then cut off: no closed state
              ("2026-08-12T11:00:01.000000Z", {}),  # unreadable: left aside
              ("2026-08-12T11:00:02.000000Z", _state("follow", 1))]
    reports = [("2026-08-12T10:00:01.000000Z", "carol", "joined", None, {}),
               ("2026-08-12T10:00:02.000000Z", "carol", "status", 0, {"mode": "frozen"}),
               ("not a time", "carol", "answer", 0, {"answer": "GO", "correct": None, "elapsed_s": 1.5,
                                                    "kind": "go_no_go"})]
    debrief = build_debrief(_Stored(states, reports, "2026-08-12T11:00:03.000000Z"), "c")
    assert [(row["who"], row["what"], row["step"], row["text"]) for row in debrief.timeline] == [
        (INSTRUCTOR, "opened", None, "L"), (INSTRUCTOR, "step", 0, "step 0"), (INSTRUCTOR, "frozen", 0, ""),
        ("carol", "joined", None, ""), ("scenario", "scenario message", 0, "Intelligence reports a burn."),
        (INSTRUCTOR, "closed", 0, ""),
        (INSTRUCTOR, "opened", None, "L"), (INSTRUCTOR, "step", 0, "step 0"), (INSTRUCTOR, "step", 1, "step 1"),
        (INSTRUCTOR, "closed", 1, ""),  # from the class's row
        ("carol", "answer", 0, "")]  # a time that does not read goes last, kept as it was
    assert debrief.timeline[-1]["at_utc"] == "not a time"
    (carol,) = debrief.trainees
    assert (carol.answered, carol.polls, carol.mean_answer_s, carol.last_step, carol.left_utc) == (1, 1, 1.5, 0, None)
    with pytest.raises(ClassroomError, match="there is no class 'c' on sqlite:///nowhere.db"):
        build_debrief(type("Nothing", (_Stored,), {"info": lambda self, name: None})([], []), "c")

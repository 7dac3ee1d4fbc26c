"""Classroom mode, headless (issue #15): lesson files, the class's tables (schema 5), and one
instructor leading two trainees on a real PostgreSQL floor: the trainees' simulation epochs
stay within 1 s of the instructor's, each change reaches them within 1 s, a frozen class
refuses their own changes, a released one keeps them until it is brought back, and a trainee
whose connection drops catches up."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import create_engine, insert, inspect

from app.astro.timeutil import parse_utc
from app.classroom import (ClassFollower, ClassLeader, ClassRecords, ClassroomError, LessonError, load_lesson,
                           parse_lesson)
from app.classroom.class_state import wall_now
from app.storage import add_operator
from app.storage.schema import SCHEMA_VERSION, metadata, schema_info, watch_pairs

from tests.waiting import until

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "resources" / "lessons" / "orbits_and_regimes.yaml"
START = datetime(2026, 8, 12, tzinfo=timezone.utc)
INSTRUCTOR, TRAINEES = "ft_gbr_instructor", ("ft_fra_trainee", "ft_deu_trainee")

# rates kept low enough that a state in flight for a few milliseconds moves no follower by a second
LESSON = """\
format: spaceops-lesson
version: 1
name: Floor test lesson
start_utc: 2026-08-12T00:00:00Z
rate: 10
steps:
  - prompt: The ISS.
    select: 25544
    hold_s: 1.0
  - prompt: GOES 16, faster.
    select: 41866
    rate: 20
    hold_s: 1.0
  - prompt: Six hours on, Meridian 7.
    select: 40296
    at_utc: 2026-08-12T06:00:00Z
    hold_s: 1.0
  - prompt: Frozen while it goes round.
    mode: frozen
    hold_s: 1.0
  - prompt: Paused, following again.
    mode: follow
    paused: true
    hold_s: 0.8
  - prompt: Running slowly.
    paused: false
    rate: 5
    hold_s: 0.8
"""


@pytest.fixture
def records():
    """``records(url)``: a class's records on a login, closed after the test."""
    made: list[ClassRecords] = []

    def make(url: str) -> ClassRecords:
        made.append(ClassRecords(url))
        return made[-1]

    yield make
    for one in made:
        one.close_connection()


# --- lesson files ---------------------------------------------------------------------------------


def test_the_sample_lesson_shows_one_object_of_each_regime(default_catalog):
    lesson = load_lesson(SAMPLE)
    assert lesson.start == START and lesson.name == "Orbits and regimes"
    shown = {n for step in lesson.steps if step.select for n in step.select}
    assert shown == {25544, 41866, 40296}
    regimes = {n: str(default_catalog.regime[default_catalog.rows_of([n])[0]]) for n in shown}
    assert regimes == {25544: "LEO", 41866: "GEO", 40296: "HEO"}
    assert {step.mode for step in lesson.steps} >= {"frozen", "follow", "free"}


def test_a_malformed_lesson_names_the_file_the_line_and_the_field(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(LESSON.replace("    rate: 20", "    rate: fast").replace("hold_s: 0.8", "hold_s: -1", 1)
                   .replace("    select: 40296", "    select: [40296, zero]"))
    with pytest.raises(LessonError) as caught:
        load_lesson(bad)
    assert caught.value.errors == [
        f"{bad}:12: steps.1.rate: Input should be a valid number, unable to parse string as a number",
        f"{bad}:15: steps.2.select.1: Input should be a valid integer, unable to parse string as an integer",
        f"{bad}:24: steps.4.hold_s: Input should be greater than 0"]
    with pytest.raises(LessonError, match=r"<lesson>:6: steps.0.at_utc: the first step needs a time"):
        parse_lesson(LESSON.replace("start_utc: 2026-08-12T00:00:00Z\n", ""))
    with pytest.raises(LessonError, match=r"<lesson>:3: nmae: Extra inputs are not permitted"):
        parse_lesson(LESSON.replace("name:", "nmae:"))
    with pytest.raises(LessonError, match=r"<lesson>:2: not valid YAML"):
        parse_lesson("format: spaceops-lesson\n  version: [1\n")
    with pytest.raises(LessonError, match=r"<lesson>:1: format: expected 'spaceops-lesson'"):
        parse_lesson("format: spaceops-scenario\n")


def test_a_lesson_may_start_at_its_scenario(tmp_path):
    scenario = (ROOT / "resources" / "scenarios" / "geo_rpo_inspection.yaml")
    (tmp_path / "s.yaml").write_text(scenario.read_text())
    text = LESSON.replace("start_utc: 2026-08-12T00:00:00Z", "scenario: s.yaml")
    lesson = parse_lesson(text, "l.yaml", tmp_path)
    from app.scenario.format import load_scenario

    assert lesson.start == load_scenario(tmp_path / "s.yaml")[0].start
    with pytest.raises(LessonError, match=r"l.yaml:4: scenario: no such file in the lesson's folder, nor a scenario "
                                          r"shipped with the console"):
        parse_lesson(text.replace("s.yaml", "missing.yaml"), "l.yaml", tmp_path)
    (tmp_path / "broken.yaml").write_text("format: spaceops-scenario\n")
    with pytest.raises(LessonError, match=r"l.yaml:4: scenario: not a usable scenario: "):
        parse_lesson(text.replace("s.yaml", "broken.yaml"), "l.yaml", tmp_path)
    bundled = parse_lesson(text.replace("s.yaml", "geo_rpo_inspection.yaml"), "l.yaml", tmp_path / "elsewhere")
    assert bundled.scenario_bundled and bundled.start == lesson.start  # a scenario shipped with the console


# --- the tables -----------------------------------------------------------------------------------


def test_schema_4_database_is_migrated_to_6_with_its_data(tmp_path, records):
    """A database of the floor release (schema 4: no classes) opens with its records and gains
    the classes, class_states (schema 5) and class_reports (schema 6) tables."""
    url = f"sqlite:///{tmp_path / 'v4.db'}"
    engine = create_engine(url)
    with engine.begin() as connection:
        metadata.create_all(connection, tables=[t for t in metadata.sorted_tables
                                                if t.name not in ("classes", "class_states", "class_reports")])
        connection.execute(insert(schema_info).values(version=4))
        connection.execute(insert(watch_pairs).values(
            primary_id=25544, secondary_id=48274, caution_km=25.0, warning_km=5.0, notes="schema 4 pair",
            classification="UNCLASSIFIED", releasability="", data_mode="REAL", version=1,
            updated_utc="2026-08-12T00:00:00.000000Z", updated_by="officer", nation=""))
    assert "classes" not in inspect(engine).get_table_names()
    engine.dispose()
    seat = records(url)
    assert [p.notes for p in seat.store.watch_pairs.all()] == ["schema 4 pair"]
    with seat.database.engine.connect() as connection:
        assert connection.execute(schema_info.select()).scalar() == SCHEMA_VERSION == 6
    assert {"classes", "class_states", "class_reports"} <= set(inspect(seat.database.engine).get_table_names())
    seat.open("after-migration", "a lesson")
    assert seat.info("after-migration").lesson == "a lesson"


# --- a single seat (SQLite: the follower polls) ---------------------------------------------------


def test_on_a_single_seat_a_follower_polls_and_a_missing_class_is_said(tmp_path, records):
    url = f"sqlite:///{tmp_path / 'seat.db'}"
    with pytest.raises(ClassroomError, match="there is no class 'seat'"):
        ClassFollower(records(url), "seat")
    leader = ClassLeader(records(url), "seat", parse_lesson(LESSON), speed=4.0)
    leader.open()
    follower = ClassFollower(records(url), "seat").start()
    try:
        assert follower.wait_for_state(3.0)
        leader.select((20580,))
        sent = time.monotonic()
        assert until(lambda: follower.selection == (20580,), 2.0)
        assert time.monotonic() - sent < 1.0  # polled every 0.2 s
        now = wall_now()
        assert abs((follower.sim_epoch_at(now) - leader.sim_epoch_at(now)).total_seconds()) < 1.0
        leader.close()
        assert follower.closed.wait(2.0)
    finally:
        follower.stop()
    with pytest.raises(ClassroomError, match="was closed at"):
        ClassFollower(records(url), "seat")


def test_a_trainee_who_comes_before_the_instructor_waits_for_the_class(tmp_path, records):
    from app.classroom.follower import follow

    url = f"sqlite:///{tmp_path / 'early.db'}"
    lines, result = Lines(), {}
    early = threading.Thread(target=lambda: result.update(follower=follow(url, "early", emit=lines, seconds=20.0)))
    early.start()
    assert until(lambda: lines.events("waiting"), 5.0)
    leader = ClassLeader(records(url), "early", parse_lesson(LESSON), speed=4.0)
    leader.open()
    leader.select((20580,))
    assert until(lambda: any(s["selection"] == [20580] for s in lines.states()), 5.0)
    leader.close()
    early.join(10.0)
    assert not early.is_alive() and result["follower"].closed.is_set()


# --- the floor ------------------------------------------------------------------------------------


def _class_logins(floor) -> None:
    add_operator(floor.admin_url, INSTRUCTOR, "GBR", ("instructor",), "SECRET", password=f"pw-{INSTRUCTOR}")
    add_operator(floor.admin_url, "ft_deu_trainee", "DEU", ("trainee",), "SECRET", password="pw-ft_deu_trainee")




class Lines:
    """What a leader or follower emits, thread-safe."""

    def __init__(self):
        self.lines: list[dict] = []
        self.lock = threading.Lock()

    def __call__(self, line: dict) -> None:
        with self.lock:
            self.lines.append(dict(line))

    def states(self) -> list[dict]:
        with self.lock:
            return [line for line in self.lines if "event" not in line]

    def events(self, kind: str) -> list[dict]:
        with self.lock:
            return [line for line in self.lines if line.get("event") == kind]


def _first_seen(lines: Lines, predicate) -> datetime:
    return next(parse_utc(s["received_utc"]) for s in lines.states() if predicate(s))


def test_one_instructor_two_trainees_follow_freeze_release_and_catch_up(floor, records):
    _class_logins(floor)
    lesson = parse_lesson(LESSON)
    leader_lines = Lines()
    leader = ClassLeader(records(floor.url(INSTRUCTOR)), "ft-class", lesson, emit=leader_lines)
    leader.open()
    trainee_lines = {login: Lines() for login in TRAINEES}
    followers = {login: ClassFollower(records(floor.url(login)), "ft-class", trainee_lines[login]).start()
                 for login in TRAINEES}
    stop = threading.Event()
    try:
        assert all(f.wait_for_state(10) for f in followers.values())
        assert all(f.instructor == INSTRUCTOR for f in followers.values())
        running = threading.Thread(target=leader.run, args=(stop,), daemon=True)
        running.start()
        samples, in_flight, refused = [], [], []
        while running.is_alive():
            now = wall_now()
            led = leader.view(now)
            for login, follower in followers.items():
                epoch = follower.sim_epoch_at(now)
                if (follower.step, follower.mode) == (led.step, led.mode):
                    samples.append((login, led.step, abs((epoch - led.sim_epoch_utc).total_seconds())))
                else:  # the leader's newest change is on its way
                    in_flight.append((login, led.step, (now - led.changed_utc).total_seconds()))
                if follower.mode == "frozen":
                    refused.append(follower.local_select(20580))
            time.sleep(0.1)
        running.join()
        # every sample: each trainee's simulation epoch within 1 s of the instructor's
        assert len(samples) > 60, samples
        worst = max(samples, key=lambda s: s[2])
        assert worst[2] < 1.0, worst
        assert all(age < 1.0 for _, _, age in in_flight), in_flight
        assert {step for _, step, _ in samples} == set(range(len(lesson.steps)))
        # each step, and the selection and clock it sets, reached both within 1 s
        for index, started in enumerate(parse_utc(e["at_utc"]) for e in leader_lines.events("step")):
            for login in TRAINEES:
                seen = _first_seen(trainee_lines[login], lambda s, i=index: s["step"] == i)
                assert timedelta(0) <= seen - started < timedelta(seconds=1), (login, index)
        for login in TRAINEES:
            selections = [tuple(s["selection"]) for s in trainee_lines[login].states()]
            assert [(25544,), (41866,), (40296,)] == list(dict.fromkeys(selections))
            assert any(s["paused"] for s in trainee_lines[login].states())
            assert all(s["sim_epoch_utc"] >= "2026-08-12T06:00:00" for s in trainee_lines[login].states()
                       if s["step"] >= 2)
        # freeze honoured
        assert refused and all(not answer and "frozen by ft_gbr_instructor" in answer.reason for answer in refused)
        assert followers["ft_fra_trainee"].local_select(20580).reason.startswith("following ft_gbr_instructor")

        # released: each trainee's own selection and clock, kept while the instructor goes on
        leader.release()
        assert until(lambda: all(f.mode == "free" for f in followers.values()), 1.0)
        fra, deu = followers["ft_fra_trainee"], followers["ft_deu_trainee"]
        assert fra.local_select(20580) and fra.local_clock(rate=100.0)
        assert fra.local_clock(rate=1e9).reason == "rate: Input should be less than or equal to 10000"
        leader.select((25544,))
        leader.publish()
        assert until(lambda: fra.applied_seq == deu.applied_seq == leader.last_seq, 1.0)
        assert fra.selection == (20580,) and fra.console.clock.rate == 100.0
        # brought back: the instructor's state again, within 1 s
        leader.bring_back()
        sent = time.monotonic()
        assert until(lambda: all(f.selection == (25544,) and f.mode == "follow" for f in followers.values()), 1.0)
        assert time.monotonic() - sent < 1.0
        now = wall_now()
        assert abs((fra.sim_epoch_at(now) - leader.sim_epoch_at(now)).total_seconds()) < 1.0

        # a trainee whose connection drops reconnects and catches up with what it missed
        pid = deu.link.backend_pid
        with floor.sql("postgres") as admin:
            assert admin.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone()[0]
        leader.select((40296,))
        leader.freeze()
        assert until(lambda: deu.link.reconnections >= 1 and deu.applied_seq == leader.last_seq, 5.0)
        assert deu.link.backend_pid not in (None, pid)
        assert deu.selection == (40296,) and deu.mode == "frozen"
        now = wall_now()
        assert abs((deu.sim_epoch_at(now) - leader.sim_epoch_at(now)).total_seconds()) < 1.0
        # and one that leaves and joins again starts from the newest state
        followers["ft_fra_trainee"].stop()
        leader.select((25544, 40296))
        again = ClassFollower(records(floor.url("ft_fra_trainee")), "ft-class").start()
        followers["ft_fra_trainee"] = again
        assert again.wait_for_state(5.0) and again.applied_seq == leader.last_seq
        assert again.selection == (25544, 40296) and not again.local_select(20580)

        leader.close()
        assert all(f.closed.wait(2.0) for f in followers.values())
    finally:
        stop.set()
        for follower in followers.values():
            follower.stop()


def test_only_the_class_instructor_writes_it(floor, records):
    """Raw SQL round the console: a trainee can neither publish nor change a class; another
    instructor cannot publish to it; the rows are signed by the login whatever is sent."""
    _class_logins(floor)
    add_operator(floor.admin_url, "ft_usa_instructor", "USA", ("instructor",), "SECRET", password="pw-x")
    with pytest.raises(ClassroomError, match="needs the instructor role"):
        records(floor.url("ft_fra_trainee")).open("ft-class", "lesson")
    leader = ClassLeader(records(floor.url(INSTRUCTOR)), "ft-class", parse_lesson(LESSON))
    leader.open()
    state = "INSERT INTO class_states (class_name, state, sent_utc, sent_by) VALUES ('ft-class', '{}', 'now', %s)"
    with floor.sql("ft_fra_trainee") as trainee:
        assert trainee.execute("SELECT count(*) FROM class_states").fetchone()[0] == 1  # every role reads
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied"):
            trainee.execute(state, ("ft_fra_trainee",))
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied"):
            trainee.execute("UPDATE classes SET closed_utc = 'now'")
    with floor.sql("ft_usa_instructor") as other:
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            other.execute(state, ("ft_usa_instructor",))
        assert other.execute("UPDATE classes SET closed_utc = 'now' RETURNING name").fetchall() == []
    with pytest.raises(ClassroomError, match="belongs to ft_gbr_instructor"):
        records(floor.url("ft_usa_instructor")).open("ft-class", "lesson")
    with floor.sql(INSTRUCTOR) as instructor:
        instructor.execute(state, ("somebody_else",))
        assert instructor.execute("SELECT sent_by FROM class_states ORDER BY seq DESC LIMIT 1").fetchone() == (
            INSTRUCTOR,)
    leader.close()
    with floor.sql(INSTRUCTOR) as instructor:  # a closed class takes no more states
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            instructor.execute(state, (INSTRUCTOR,))


# --- the command line -----------------------------------------------------------------------------


def _cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "app", "classroom", *args], capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT)


def test_classroom_lead_and_follow_on_the_command_line(floor, tmp_path, records):
    _class_logins(floor)
    lesson = tmp_path / "short.yaml"
    lesson.write_text(LESSON)
    leading = subprocess.Popen([sys.executable, "-m", "app", "classroom", "lead", "--database", floor.url(INSTRUCTOR),
                                "--class", "ft-cli", "--lesson", str(lesson), "--speed", "1"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        trainee = records(floor.url("ft_fra_trainee"))
        assert until(lambda: trainee.info("ft-cli") is not None, 30)  # the class is open: the trainee may join
        following = _cli("follow", "--database", floor.url("ft_fra_trainee"), "--class", "ft-cli", "--print-state",
                         "--seconds", "30")
        out, err = leading.communicate(timeout=60)
    finally:
        leading.kill()
    assert leading.returncode == 0, err
    led = [json.loads(line) for line in out.splitlines()]
    assert [e["event"] for e in led if "event" in e][:2] == ["opened", "step"] and led[-1]["event"] == "closed"
    assert {"sent_utc", "sim_epoch_utc", "rate", "paused", "selection", "step", "mode"} <= set(led[2])
    assert led[2]["rate"] == 10.0 and led[2]["sim_epoch_utc"] == "2026-08-12T00:00:00.000000Z"
    assert following.returncode == 0, following.stderr
    followed = [json.loads(line) for line in following.stdout.splitlines()]
    assert {"received_utc", "sim_epoch_utc", "rate", "paused", "selection", "step", "mode"} <= set(followed[0])
    assert followed[-1]["mode"] == "closed" and followed[-1]["seq"] == led[-2]["seq"]
    assert "led by ft_gbr_instructor" in following.stderr


def test_classroom_command_line_errors(floor, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(LESSON.replace("    rate: 20", "    rate: fast"))
    refused = _cli("lead", "--database", floor.url("ft_fra_trainee"), "--class", "x", "--lesson", str(bad))
    assert refused.returncode == 2 and f"{bad}:12: steps.1.rate:" in refused.stderr
    too_fast = _cli("lead", "--database", floor.url("ft_fra_trainee"), "--class", "x", "--lesson", str(SAMPLE),
                    "--speed", "100")
    assert too_fast.returncode == 2 and "beyond" in too_fast.stderr
    trainee = _cli("lead", "--database", floor.url("ft_fra_trainee"), "--class", "x", "--lesson", str(SAMPLE))
    assert trainee.returncode == 4 and "needs the instructor role" in trainee.stderr
    missing = _cli("follow", "--database", floor.url("ft_fra_trainee"), "--class", "nope", "--seconds", "1")
    assert missing.returncode == 4 and "there is no class 'nope'" in missing.stderr and "Traceback" not in missing.stderr

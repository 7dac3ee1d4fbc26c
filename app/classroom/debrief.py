"""The instructor's debrief of a class (issue #15): a timeline of what the class was sent
(steps with their prompts and checks, freeze / release / bring back, messages and the
scenario's injected messages, opened and closed) against what each trainee did (joined,
answers with their verdicts and times, left), and a summary per trainee.

Built from the database alone (``ClassRecords.states`` and ``reports``): the states are the
instructor's signed record, the reports the trainees'. On a floor the instructor reads every
trainee's reports, a trainee only its own, so a trainee's debrief holds only itself.
Status heartbeats are not timeline rows; they only say the last step a trainee was seen on.

Written as CSV (``write_csv``: the marking in a first comment line, the timeline, a blank
line, the summary) or JSON (``write_json``); ``widgets.debrief_page`` draws it as a page.
Classroom data is exercise data: every output is marked ``UNCLASSIFIED//EXERCISE``."""

from __future__ import annotations

import csv
import json
import re
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from app.astro.timeutil import parse_utc
from app.classroom.class_records import ClassRecords, ClassroomError, Published, Report
from app.common.output_file import replaced_when_done
from app.common.spreadsheet import safe_row
from app.storage import now_utc

MARKING = "UNCLASSIFIED//EXERCISE"
TIMELINE_FIELDS = ("at_utc", "who", "what", "step", "text", "check", "answer", "correct", "expected", "elapsed_s")
SUMMARY_FIELDS = ("trainee", "joined_utc", "left_utc", "answered", "right", "wrong", "polls", "mean_answer_s",
                  "longest_answer_s", "acknowledge_s", "last_step")
MODE_ROWS = {"frozen": "frozen", "free": "released", "follow": "brought back"}  # as the leader's events say
_UNREADABLE_TIME = datetime.max.replace(tzinfo=timezone.utc)  # a row whose time does not parse goes last


@dataclass
class TraineeSummary:
    trainee: str
    joined_utc: str | None = None  # the first time it joined
    left_utc: str | None = None  # the last time it left (None: never said so)
    answered: int = 0  # steps answered (a step answered again counts once, with its newest answer)
    right: int = 0
    wrong: int = 0
    polls: int = 0  # answers to a poll (GO/NO-GO, a choice without a right answer): neither right nor wrong
    mean_answer_s: float | None = None  # over the steps answered
    longest_answer_s: float | None = None
    acknowledge_s: list[float] = field(default_factory=list)  # time to acknowledge, per acknowledge check
    last_step: int | None = None  # the step of its newest report that names one


@dataclass
class Debrief:
    class_name: str
    instructor: str
    lesson: str
    opened_utc: str
    closed_utc: str | None
    marking: str = MARKING
    timeline: list[dict] = field(default_factory=list)  # TIMELINE_FIELDS, oldest first
    trainees: list[TraineeSummary] = field(default_factory=list)  # in the order they first reported
    built_utc: str = ""
    built_by: str = ""

    def class_dict(self) -> dict:
        return {"name": self.class_name, "instructor": self.instructor, "lesson": self.lesson,
                "opened_utc": self.opened_utc, "closed_utc": self.closed_utc}

    def as_dict(self) -> dict:
        """The JSON document: ``{"marking", "class", "built_utc", "built_by", "timeline", "trainees"}``."""
        return {"marking": self.marking, "class": self.class_dict(), "built_utc": self.built_utc,
                "built_by": self.built_by, "timeline": [dict(row) for row in self.timeline],
                "trainees": [asdict(t) for t in self.trainees]}

    def title(self) -> str:
        """One line naming the class: ``debrief of class X (lesson L, instructor I)``."""
        return f"debrief of class {_one_line(self.class_name)} (lesson {_one_line(self.lesson)}, " \
               f"instructor {_one_line(self.instructor)})"


def build_debrief(records: ClassRecords, class_name: str) -> Debrief:
    """The class's debrief from what ``records``' login may read (ClassroomError when there is
    no such class)."""
    info = records.info(class_name)
    if info is None:
        raise ClassroomError(f"there is no class {class_name!r} on {records.url}")
    states, reports = records.states(class_name), records.reports(class_name)
    rows = _state_rows(states, info.lesson, info.closed_utc)
    starts = [index for index, (_group, row) in enumerate(rows) if row["what"] == "opened"]
    if starts:  # the class's row says when it was last opened: a moment before its first state then
        last, before = rows[starts[-1]][1], rows[starts[-1] - 1][1]["at_utc"] if starts[-1] else None
        if (_time_key(info.opened_utc) <= _time_key(last["at_utc"])
                and (before is None or _time_key(before) <= _time_key(info.opened_utc))):
            last["at_utc"] = info.opened_utc
    rows += _report_rows(reports)
    ordered = [row for _key, row in sorted(((_time_key(row["at_utc"]), group, order), row)
                                           for order, (group, row) in enumerate(rows))]
    return Debrief(info.name, info.instructor, info.lesson, info.opened_utc, info.closed_utc,
                   timeline=[{name: row.get(name) for name in TIMELINE_FIELDS} for row in ordered],
                   trainees=_summaries(reports), built_utc=now_utc(), built_by=records.login)


def _time_key(text) -> datetime:
    try:
        return parse_utc(str(text))
    except ValueError:
        return _UNREADABLE_TIME


def _row(at_utc, who, what, step=None, text="", check=None) -> dict:
    return {"at_utc": at_utc, "who": who, "what": what, "step": step, "text": text, "check": check, "answer": None,
            "correct": None, "expected": None, "elapsed_s": None}


def _state_rows(states: list[Published], lesson: str, closed_utc: str | None) -> list[tuple[int, dict]]:
    """(0, row) for each thing the class was sent: a state that starts a session (the first, or
    the first after a closed one) opens the class; a new step, a new mode and a notice not seen
    before are rows; a closed state closes it."""
    rows: list[tuple[int, dict]] = []
    mode = step = None
    seen: set[tuple] = set()
    for published in states:
        state, at, who = published.state, published.sent_utc, published.sent_by
        if not isinstance(state.get("mode"), str):
            continue  # unreadable (a follower refuses it too)
        new_mode, new_step = state.get("mode"), state.get("step")
        starting = mode in (None, "closed")
        if starting:
            rows.append((0, _row(at, who, "opened", text=lesson)))
            step, seen = None, set()
        if new_mode != "closed" and new_step is not None and new_step != step:
            check = state.get("check")
            rows.append((0, _row(at, who, "step", new_step, str(state.get("prompt") or ""),
                                 check.get("kind") if isinstance(check, dict) else None)))
        if new_mode != mode and new_mode in MODE_ROWS and not (starting and new_mode == "follow"):
            rows.append((0, _row(at, who, MODE_ROWS[new_mode], new_step)))
        for notice in state.get("notices") or ():
            if not isinstance(notice, dict) or not notice.get("text"):
                continue
            key = (notice.get("id"), notice.get("sent_utc"), notice.get("text"))
            if key in seen:
                continue
            seen.add(key)
            scenario = notice.get("source") == "scenario"
            rows.append((0, _row(notice.get("sent_utc") or at, "scenario" if scenario else who,
                                 "scenario message" if scenario else "message", new_step, str(notice["text"]))))
        if new_mode == "closed":
            rows.append((0, _row(at, who, "closed", step)))
        mode = new_mode
        step = new_step if new_step is not None else step
    if closed_utc is not None and mode not in (None, "closed"):  # closed without a last state (a leader cut off)
        rows.append((0, _row(closed_utc, states[-1].sent_by, "closed", step)))
    return rows


def _report_rows(reports: list[Report]) -> list[tuple[int, dict]]:
    """(1, row) for each join, answer and leave (a report at the same instant as a state
    comes after it)."""
    rows: list[tuple[int, dict]] = []
    for report in reports:
        if report.kind == "answer":
            detail = report.detail
            row = _row(report.at_utc, report.trainee, "answer", report.step, str(detail.get("note") or ""),
                       detail.get("kind"))
            row.update(answer=detail.get("answer"), correct=detail.get("correct"), expected=detail.get("expected"),
                       elapsed_s=_seconds(detail.get("elapsed_s")))
            rows.append((1, row))
        elif report.kind in ("joined", "left"):
            rows.append((1, _row(report.at_utc, report.trainee, report.kind, report.step)))
    return rows


def _seconds(value) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _summaries(reports: list[Report]) -> list[TraineeSummary]:
    summaries: dict[str, TraineeSummary] = {}
    answers: dict[str, dict[int, dict]] = {}  # trainee -> step -> its newest answer
    for report in reports:
        summary = summaries.setdefault(report.trainee, TraineeSummary(report.trainee))
        if report.kind == "joined" and summary.joined_utc is None:
            summary.joined_utc = report.at_utc
        elif report.kind == "left":
            summary.left_utc = report.at_utc
        elif report.kind == "answer" and report.step is not None:
            answers.setdefault(report.trainee, {})[report.step] = report.detail
        if report.step is not None:
            summary.last_step = report.step
    for trainee, summary in summaries.items():
        given = list(answers.get(trainee, {}).values())
        summary.answered = len(given)
        summary.right = sum(a.get("correct") is True for a in given)
        summary.wrong = sum(a.get("correct") is False for a in given)
        summary.polls = sum(a.get("correct") is None for a in given)
        times = [t for t in (_seconds(a.get("elapsed_s")) for a in given) if t is not None]
        if times:
            summary.mean_answer_s = round(sum(times) / len(times), 1)
            summary.longest_answer_s = max(times)
        summary.acknowledge_s = [t for a in given if a.get("kind") == "acknowledge"
                                 and (t := _seconds(a.get("elapsed_s"))) is not None]
    return list(summaries.values())


def _one_line(text) -> str:
    """Text for a comment line or a title: control characters (a newline) as spaces."""
    return re.sub(r"[\x00-\x1f\x7f]+", " ", str(text))


def _cell(value) -> str | int | float:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "; ".join(f"{v:g}" if isinstance(v, float) else str(v) for v in value)
    return value


def write_csv(debrief: Debrief, path: str | Path) -> None:
    """The marking in a first comment line, the timeline's header and rows, a blank line, the
    summary's header and rows; every cell spreadsheet-safe. Written whole or not at all."""
    closed = f", closed {debrief.closed_utc}" if debrief.closed_utc else ", not closed"
    with replaced_when_done(path) as temporary, open(temporary, "w", encoding="utf-8", newline="") as out:
        out.write(f"# {debrief.marking} — {debrief.title()}, opened {_one_line(debrief.opened_utc)}"
                  f"{_one_line(closed)}; built {debrief.built_utc} by {_one_line(debrief.built_by)}\n")
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(TIMELINE_FIELDS)
        writer.writerows(safe_row([_cell(row[name]) for name in TIMELINE_FIELDS]) for row in debrief.timeline)
        writer.writerow([])
        writer.writerow(SUMMARY_FIELDS)
        writer.writerows(safe_row([_cell(value) for value in asdict(t).values()]) for t in debrief.trainees)


def write_json(debrief: Debrief, path: str | Path) -> None:
    """``Debrief.as_dict`` as JSON, written whole or not at all."""
    with replaced_when_done(path) as temporary, open(temporary, "w", encoding="utf-8") as out:
        json.dump(debrief.as_dict(), out, indent=1, ensure_ascii=False)
        out.write("\n")

"""The instructor's view of the class: each trainee's reports folded into one row (the
Class dock's table): connected or not, the step they are on, following or free, and each
step's answer with its verdict and the time it took."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Iterable

from app.astro.timeutil import parse_utc
from app.classroom.class_records import Report

CONNECTED_WITHIN_S = 30.0  # three missed status heartbeats (follower.STATUS_EVERY_S) and a trainee shows as gone


@dataclass
class TraineeRow:
    trainee: str
    joined_utc: str
    last_seen_utc: str
    step: int | None = None
    following: str = "waiting"  # following | frozen | free | left | waiting
    answers: dict[int, dict] = field(default_factory=dict)  # step -> the newest verdict sent (app.classroom.checks)
    tries: dict[int, int] = field(default_factory=dict)  # step -> answers sent

    def connected(self, now: datetime) -> bool:
        return self.following != "left" and (now - parse_utc(self.last_seen_utc)).total_seconds() <= CONNECTED_WITHIN_S


class Roster:
    """Fold reports in as they come (``add``); ``rows`` by login, in the order they joined."""

    def __init__(self) -> None:
        self.rows: dict[str, TraineeRow] = {}
        self.last_seq = 0

    def add(self, reports: Iterable[Report]) -> bool:
        """True when something changed."""
        changed = False
        for report in reports:
            if report.seq <= self.last_seq:
                continue
            self.last_seq, changed = report.seq, True
            row = self.rows.get(report.trainee)
            if row is None:
                row = self.rows[report.trainee] = TraineeRow(report.trainee, report.at_utc, report.at_utc)
            row.last_seen_utc = max(row.last_seen_utc, report.at_utc)
            if report.kind == "joined" and row.following == "left":
                row.following = "waiting"
            elif report.kind == "status":
                row.step, row.following = report.step, str(report.detail.get("mode", row.following))
            elif report.kind == "answer" and report.step is not None:
                row.answers[report.step] = report.detail
                row.tries[report.step] = row.tries.get(report.step, 0) + 1
            elif report.kind == "left":
                row.following = "left"
        return changed

    def answered(self, step: int) -> tuple[int, int, int]:
        """(answered, right, wrong) on ``step``; a poll's answers are neither right nor wrong."""
        verdicts = [row.answers[step] for row in self.rows.values() if step in row.answers]
        return (len(verdicts), sum(v.get("correct") is True for v in verdicts),
                sum(v.get("correct") is False for v in verdicts))

    def tally(self, step: int) -> dict[str, int]:
        """How many gave each answer on ``step`` (a GO/NO-GO poll's count)."""
        counts: dict[str, int] = {}
        for row in self.rows.values():
            if step in row.answers:
                answer = str(row.answers[step].get("answer", ""))
                counts[answer] = counts.get(answer, 0) + 1
        return counts

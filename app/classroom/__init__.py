"""Classroom mode, headless: an instructor's console leads a class through a lesson and the
trainees' consoles follow it (issue #15).

``lesson`` reads a lesson file; ``class_state`` is the JSON snapshot an instructor publishes
(parts of the ``ConsoleState``, class mode, step) and the clock's extrapolation between
snapshots; ``class_records`` keeps classes and their states in the console's database;
``leader`` opens a class and publishes; ``class_link`` carries the newest state to a
follower (LISTEN on a floor, polling on a single seat); ``follower`` applies it."""

from app.classroom.class_records import ClassInfo, ClassRecords, ClassroomError, Published
from app.classroom.class_state import ClassStateError, sim_epoch_at, snapshot
from app.classroom.follower import ClassFollower, LocalChange, follow
from app.classroom.leader import HEARTBEAT_S, ClassLeader, lead
from app.classroom.lesson import Lesson, LessonError, LessonStep, load_lesson, parse_lesson

__all__ = ["HEARTBEAT_S", "ClassFollower", "ClassInfo", "ClassLeader", "ClassRecords", "ClassStateError",
           "ClassroomError", "Lesson", "LessonError", "LessonStep", "LocalChange", "Published", "follow", "lead",
           "load_lesson", "parse_lesson", "sim_epoch_at", "snapshot"]

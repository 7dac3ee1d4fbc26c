"""The lesson file: versioned YAML, steps an instructor takes the class through. Validated as
scenarios are (``app.scenario.format``: pydantic models, every error 'file:line: field: why').

    format: spaceops-lesson
    version: 1
    name: Orbits and regimes
    start_utc: 2026-08-12T00:00:00Z   # or the first step's at_utc, or the named scenario's start
    rate: 60                          # simulation seconds per wall second (the leader's --speed multiplies it)
    steps:
      - prompt: This is the ISS, in low Earth orbit.
        select: 25544                 # one catalog number or a list
        hold_s: 5                     # how long the headless leader stays on the step (divided by --speed)
      - prompt: Watch it go round; the class may not touch.
        mode: frozen                  # follow | frozen | free; kept until a step says otherwise
        rate: 300
        at_utc: 2026-08-12T06:00:00Z  # jump the clock
        paused: false
      - prompt: Which regime is GOES 16 in?
        check: {kind: regime, object: 41866}

A step's ``check`` is one of: ``choice`` (options, answer), ``regime`` (object),
``closest_approach`` (object, within_h), ``acknowledge`` (within_s), ``tasking`` (target),
``go_no_go``; ``app.classroom.checks`` judges the answers.

Each step changes only what it names; the rest carries over from the step before.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, PrivateAttr, ValidationError, field_validator

from app.common.input_file import DOCUMENT_MAX_BYTES, read_input_text
from app.live.clock import MAX_RATE
from app.scenario.format import ScenarioError, SourceMap, UtcTime, _load_yaml, _Strict, load_scenario

FORMAT = "spaceops-lesson"
FORMAT_VERSION = 1
DEFAULT_HOLD_S = 2.0
CLASS_MODES = ("follow", "frozen", "free")  # follow the instructor; input locked; free exploration


class LessonError(ScenarioError):
    """The file is not a valid lesson; ``errors`` lists every problem as 'file:line: field: why'."""


def _as_list(value):
    return [value] if isinstance(value, int) and not isinstance(value, bool) else value


CatalogNumbers = Annotated[tuple[Annotated[int, Field(ge=1, le=999_999_999)], ...], BeforeValidator(_as_list)]


REGIMES = ("LEO", "MEO", "GEO", "HEO")  # app.catalog.classify's regimes, the choices of a regime check
GO_NO_GO = ("GO", "NO-GO")
MAX_CLOSEST_HOURS = 72.0


def _text_not_truth(value):
    if isinstance(value, bool):  # YAML 1.1 reads yes, no, on, off as true and false
        raise ValueError("YAML read this as true or false: quote it ('yes')")
    return str(value) if isinstance(value, (int, float)) else value


OptionText = Annotated[str, BeforeValidator(_text_not_truth), Field(min_length=1, max_length=64)]


class ChoiceCheck(_Strict):
    """Pick one of ``options``; ``answer`` is the right one (none: an opinion poll)."""
    kind: Literal["choice"]
    options: list[OptionText] = Field(min_length=2, max_length=8)
    answer: OptionText | None = None

    @field_validator("answer")
    @classmethod
    def _one_of_options(cls, value, info):
        if value is not None and value not in info.data.get("options", [value]):
            raise ValueError(f"{value!r} is not one of the options")
        return value


class RegimeCheck(_Strict):
    """Which regime is ``object`` in? Judged by the console's own classification."""
    kind: Literal["regime"]
    object: Annotated[int, Field(ge=1, le=999_999_999)]


class ClosestApproachCheck(_Strict):
    """Select the object that passes closest to ``object`` in the next ``within_h`` hours from
    the step's simulation time. Judged by screening the catalog."""
    kind: Literal["closest_approach"]
    object: Annotated[int, Field(ge=1, le=999_999_999)]
    within_h: float = Field(24.0, gt=0, le=MAX_CLOSEST_HOURS)


class AcknowledgeCheck(_Strict):
    """Acknowledge the critical alert within ``within_s`` wall seconds of the step's start."""
    kind: Literal["acknowledge"]
    within_s: float = Field(60.0, gt=0, le=3600)


class TaskingCheck(_Strict):
    """Submit a tasking request for ``target`` with at least one feasible pass."""
    kind: Literal["tasking"]
    target: Annotated[int, Field(ge=1, le=999_999_999)]


class GoNoGoCheck(_Strict):
    """A GO / NO-GO poll: every answer counts, none is wrong."""
    kind: Literal["go_no_go"]


LessonCheck = Annotated[ChoiceCheck | RegimeCheck | ClosestApproachCheck | AcknowledgeCheck | TaskingCheck | GoNoGoCheck,
                        Field(discriminator="kind")]


class LessonStep(_Strict):
    prompt: str = Field(min_length=1)
    at_utc: UtcTime | None = None  # jump the simulation clock here when the step starts
    select: CatalogNumbers | None = None
    rate: float | None = Field(None, ge=-MAX_RATE, le=MAX_RATE)
    paused: bool | None = None
    mode: Literal[CLASS_MODES] | None = None  # type: ignore[valid-type]
    hold_s: float = Field(DEFAULT_HOLD_S, gt=0, le=3600)
    check: LessonCheck | None = None  # what the trainee answers on this step, judged by the console


class Lesson(_Strict):
    format: Literal["spaceops-lesson"]
    version: int
    name: str = Field(min_length=1, max_length=256)
    description: str = ""
    scenario: str | None = None  # a scenario file relative to the lesson, or a bundled scenario's file name
    start_utc: UtcTime | None = None
    rate: float = Field(1.0, ge=-MAX_RATE, le=MAX_RATE)
    steps: list[LessonStep] = Field(min_length=1)

    _scenario_start: datetime | None = PrivateAttr(None)
    _scenario_path: Path | None = PrivateAttr(None)
    _trainee_messages: tuple[tuple[datetime, str], ...] = PrivateAttr(())  # the scenario's, for trainees

    @property
    def scenario_path(self) -> Path | None:
        """The named scenario's file (checked to be a valid scenario when the lesson was read)."""
        return self._scenario_path

    @property
    def scenario_bundled(self) -> bool:
        """The scenario ships with the console: every trainee's console can open it by name."""
        return self._scenario_path is not None and self.scenario is not None \
            and bundled_scenario(self.scenario) == self._scenario_path

    @property
    def trainee_messages(self) -> tuple[tuple[datetime, str], ...]:
        """(simulation time, text) of the scenario's messages addressed to trainees, in time order."""
        return self._trainee_messages

    @field_validator("version")
    @classmethod
    def _version(cls, value: int) -> int:
        if value != FORMAT_VERSION:
            raise ValueError(f"this console reads lesson version {FORMAT_VERSION}, not {value}")
        return value

    @property
    def start(self) -> datetime:
        """The simulation time the lesson starts at (checked to exist when the file is read)."""
        start = self.steps[0].at_utc or self.start_utc or self._scenario_start
        assert start is not None
        return start


def bundled_scenario(name: str) -> Path | None:
    """A scenario shipped with the console (``resources/scenarios``) by its file name."""
    from app.common.resources import resource_path
    folder = resource_path("scenarios")
    path = folder / name
    return path if Path(name).name == name and path.is_file() else None


def _scenario_file(name: str, folder: Path) -> Path | None:
    """The lesson's scenario: in the lesson's folder (or below), else a bundled one of that name."""
    path = folder / name
    if path.resolve().is_relative_to(folder.resolve()) and path.exists():
        return path
    return bundled_scenario(name)


def load_lesson(path: str | Path) -> Lesson:
    path = Path(path)
    try:
        text = read_input_text(path, DOCUMENT_MAX_BYTES)
    except (OSError, UnicodeDecodeError) as error:
        raise LessonError([f"{path}: cannot be read ({getattr(error, 'strerror', None) or error})"]) from None
    return parse_lesson(text, str(path), path.parent)


def parse_lesson(text: str, source: str = "<lesson>", folder: Path | None = None) -> Lesson:
    """The valid lesson, or LessonError listing every problem with file, line and field. With
    ``folder``, a named scenario is read from there (its start is the lesson's default)."""
    try:
        root, data = _load_yaml(text, lambda line: f"{source}:{line}")
    except ScenarioError as error:
        raise LessonError(error.errors) from None
    where = SourceMap(source, root)
    if not isinstance(data, dict):
        raise LessonError([f"{where.prefix(1)}: a lesson is a mapping of fields (format, version, name, steps ...)"])
    if data.get("format") != FORMAT:
        raise LessonError([where.at(("format",), f"expected {FORMAT!r}")[1]])
    try:
        lesson = Lesson.model_validate(data)
    except ValidationError as error:
        raise LessonError([m for _line, m in sorted(where.describe(e) for e in error.errors())]) from None
    if lesson.scenario is not None and folder is not None:
        path = _scenario_file(lesson.scenario, folder)
        if path is None:
            inside = (folder / lesson.scenario).resolve().is_relative_to(folder.resolve())
            why = ("no such file in the lesson's folder, nor a scenario shipped with the console" if inside else
                   "must be in the lesson's folder or below it, or the name of a scenario shipped with the console")
            raise LessonError([where.at(("scenario",), why)[1]])
        try:
            scenario = load_scenario(path)[0]
            lesson._scenario_start, lesson._scenario_path = scenario.start, path
            lesson._trainee_messages = tuple(sorted((i.at, i.text) for i in scenario.injects
                                                    if i.kind == "message" and i.audience == "trainees"))
        except ScenarioError as error:
            raise LessonError([where.at(("scenario",), f"not a usable scenario: {error.errors[0]}")[1]]) from None
    if lesson.steps[0].at_utc is None and lesson.start_utc is None and lesson._scenario_start is None:
        raise LessonError([where.at(("steps", 0, "at_utc"), "the first step needs a time (or give start_utc, "
                                                             "or a scenario)")[1]])
    return lesson

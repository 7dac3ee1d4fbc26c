"""The scenario file: versioned YAML, validated by pydantic models, every error reported
with the file, line and field (line numbers carried over from the YAML parser's nodes).
Nothing runs until the whole file is valid. The format is documented, field by field, in
``resources/scenarios/README.md``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Annotated, Literal, Union

import yaml
from pydantic import (AfterValidator, BaseModel, ConfigDict, Field, PrivateAttr, TypeAdapter, ValidationError,
                      field_validator, model_validator)

from app.common.input_file import DOCUMENT_MAX_BYTES, read_input_text
from app.astro.timeutil import FIRST_YEAR, LAST_YEAR, in_supported_years
from app.catalog.ingest.omm import SGP4_MAX_SATNUM
from app.catalog.ingest.tle import validate_tle_pair
from app.common.marking import CLASSIFICATIONS
from app.common.user_settings import is_nation_code
from app.tasking.request import COLLECTION_TYPES, PRECEDENCES, SENSOR_REQUEST_KINDS

FORMAT = "spaceops-scenario"
FORMAT_VERSION = 1


class ScenarioError(ValueError):
    """The file is not a valid scenario; ``errors`` lists every problem as 'file:line: field: why'."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("give the time zone (end with Z for UTC)")
    if not in_supported_years(value):
        raise ValueError(f"{value.isoformat()} is outside the years a scenario may use ({FIRST_YEAR}-{LAST_YEAR})")
    return value.astimezone(timezone.utc)


def _nation(value: str) -> str:
    if not is_nation_code(value):
        raise ValueError(f"{value!r} is not an ISO alpha-3 code")
    return value


def _marking(value: str) -> str:
    """A banner marking ``LEVEL[//caveats]`` whose level is one this console handles."""
    level = value.partition("//")[0].strip().upper()
    if level not in CLASSIFICATIONS:
        raise ValueError(f"{level!r} is not one of {', '.join(CLASSIFICATIONS)}")
    return value


UtcTime = Annotated[datetime, AfterValidator(_utc)]  # a time zone is required, never guessed
NationCode = Annotated[str, AfterValidator(_nation)]  # ISO 3166 alpha-3, upper case
Marking = Annotated[str, AfterValidator(_marking)]  # e.g. UNCLASSIFIED//EXERCISE


class ElementSetSpec(_Strict):
    """One object's two-line element set."""
    name: str = Field(min_length=1, max_length=24)
    line1: str
    line2: str

    @model_validator(mode="after")
    def _tle(self):
        validate_tle_pair(self.line1, self.line2)  # ValueError naming the column field
        return self


class CatalogSpec(_Strict):
    bundled: bool = True  # the console's bundled catalog
    files: list[str] = []  # element-set files, relative to the scenario file
    element_sets: list[ElementSetSpec] = []


class SensorSpec(_Strict):
    name: str = Field(min_length=1)
    nation: NationCode
    provider: Literal["national", "commercial"] = "national"
    type: Literal["radar", "optical", "laser", "RF"]
    lat_deg: float = Field(ge=-90, le=90)
    lon_deg: float = Field(ge=-180, le=180)
    alt_m: float = Field(ge=-500, le=9000)
    min_elevation_deg: float = Field(ge=0, lt=90)
    max_range_km: float = Field(gt=0)
    # partner | contracted | other (context only, never tasked); empty: derived from nation and provider
    standing: Literal["", "partner", "contracted", "other"] = ""


class SensorsSpec(_Strict):
    bundled: bool = True  # the bundled coalition sensor list
    add: list[SensorSpec] = []


class WatchPairSpec(_Strict):
    primary: int = Field(gt=0)
    secondary: int = Field(gt=0)
    caution_km: float = Field(25.0, gt=0)
    warning_km: float = Field(5.0, gt=0)
    closing_speed_km_s: float | None = Field(None, gt=0)
    notes: str = ""

    @model_validator(mode="after")
    def _ranges(self):
        if self.primary == self.secondary:
            raise ValueError("primary and secondary must differ")
        if self.warning_km > self.caution_km:
            raise ValueError("warning_km must not exceed caution_km")
        return self


class SensorRequestSpec(_Strict):
    kind: Literal[SENSOR_REQUEST_KINDS] = "any"  # type: ignore[valid-type]
    value: str = ""


class TaskingSpec(_Strict):
    id: str = Field(min_length=1, max_length=40)
    title: str = Field(min_length=1)
    target: int = Field(gt=0)
    nation: NationCode
    unit: str = ""
    sensor: SensorRequestSpec = SensorRequestSpec()
    collection: Literal[COLLECTION_TYPES] = "track"  # type: ignore[valid-type]
    precedence: Literal[PRECEDENCES] = "ROUTINE"  # type: ignore[valid-type]
    window_start: UtcTime
    window_end: UtcTime
    justification: str = ""
    classification: Literal[CLASSIFICATIONS] = "UNCLASSIFIED"  # type: ignore[valid-type]
    releasable_to: list[NationCode] = []
    status: Literal["DRAFT", "SUBMITTED", "APPROVED"] = "SUBMITTED"  # a partner's request arrives submitted


    @model_validator(mode="after")
    def _window(self):
        if self.window_end <= self.window_start:
            raise ValueError("window_end must be after window_start")
        return self


class _Inject(_Strict):
    at: UtcTime  # simulation time it fires
    enabled: bool = True
    note: str = ""



class ManeuverInject(_Inject):
    kind: Literal["maneuver"]
    object: int = Field(gt=0)
    delta_v_ric_m_s: tuple[float, float, float]  # radial, in-track, cross-track
    fit_hours: float = Field(6.0, gt=0.5, le=48)

    @field_validator("delta_v_ric_m_s")
    @classmethod
    def _size(cls, value):
        if sum(x * x for x in value) ** 0.5 > 2000.0:
            raise ValueError("a burn above 2 km/s is not a maneuver this console models")
        return value


class NewObjectInject(_Inject):
    kind: Literal["launch"]
    element_set: ElementSetSpec


class BreakupInject(_Inject):
    kind: Literal["breakup"]
    parent: int = Field(gt=0)
    fragments: int = Field(gt=0, le=500)
    delta_v_spread_m_s: float = Field(gt=0, le=1000)
    seed: int | None = None  # default: the scenario's seed
    first_id: int = Field(80000, gt=0, le=SGP4_MAX_SATNUM - 500)  # the fragments' catalog numbers, counting up


class ElementUpdateInject(_Inject):
    kind: Literal["element_update"]
    element_set: ElementSetSpec


class SensorOutageInject(_Inject):
    kind: Literal["sensor_outage"]
    sensor: str = Field(min_length=1)
    until: UtcTime


    @model_validator(mode="after")
    def _after(self):
        if self.until <= self.at:
            raise ValueError("until must be after at")
        return self


class TaskingInject(_Inject):
    kind: Literal["tasking"]
    request: TaskingSpec


class MessageInject(_Inject):
    kind: Literal["message"]
    text: str = Field(min_length=1)
    audience: Literal["room", "trainees"] = "room"


class BannerInject(_Inject):
    kind: Literal["banner"]
    classification: Marking


Inject = Annotated[Union[ManeuverInject, NewObjectInject, BreakupInject, ElementUpdateInject, SensorOutageInject,
                         TaskingInject, MessageInject, BannerInject], Field(discriminator="kind")]
INJECT_KINDS = ("maneuver", "launch", "breakup", "element_update", "sensor_outage", "tasking", "message", "banner")


class Scenario(_Strict):
    format: Literal["spaceops-scenario"]
    version: int
    name: str = Field(min_length=1)
    description: str = ""
    classification: Marking = "UNCLASSIFIED//EXERCISE"  # the banner while it runs
    data_mode: Literal["EXERCISE", "SIMULATED"] = "EXERCISE"
    start: UtcTime
    duration_hours: float = Field(gt=0, le=24 * 30)
    clock_rate: float = Field(60.0, ge=-10000, le=10000)
    seed: int = 0
    step_s: float = Field(60.0, ge=1, le=3600)  # the headless run's time step for alerts
    catalog: CatalogSpec = CatalogSpec()
    sensors: SensorsSpec = SensorsSpec()
    watch_pairs: list[WatchPairSpec] = []
    tasking_requests: list[TaskingSpec] = []
    injects: list[Inject] = []


    @field_validator("version")
    @classmethod
    def _version(cls, value: int) -> int:
        if value != FORMAT_VERSION:
            raise ValueError(f"this console reads scenario version {FORMAT_VERSION}, not {value}")
        return value

    _source: "SourceMap | None" = PrivateAttr(None)  # where each field is in the file it was read from

    @property
    def end(self) -> datetime:
        return self.start + timedelta(hours=self.duration_hours)

    def locate(self, problems: list[tuple[tuple, str]]) -> list[str]:
        """'file:line: field: reason' for each (location, reason) in this scenario, in file order
        (read from no file: 'field: reason')."""
        if self._source is None:
            return [f"{_field_name(location)}: {reason}" for location, reason in problems]
        return [text for _line, text in sorted((self._source.at(*p) for p in problems), key=lambda p: p[0])]


def load_scenario(path: str | Path) -> tuple[Scenario, Path]:
    """The valid scenario and its folder (for relative catalog files); ScenarioError
    listing every problem of its fields with file, line and field otherwise (the references
    to objects and sensors are checked when it is opened: ``app.scenario.opening``)."""
    checked = check_scenario_file(path)
    if checked.problems:
        raise ScenarioError(checked.messages())
    return checked.scenario, Path(path).parent


def parse_scenario(text: str, source: str = "<scenario>", folder: Path | None = None) -> Scenario:
    """The valid scenario; with ``folder``, its catalog files must exist there too."""
    checked = check_scenario_text(text, source, folder)
    if checked.problems:
        raise ScenarioError(checked.messages())
    return checked.scenario


@dataclass
class ScenarioParts:
    """The parts of a scenario file that are valid on their own, by position in the file (so
    a file with errors still has the references of its good parts checked)."""
    catalog: CatalogSpec | None = None  # None: the part itself has errors
    sensors: SensorsSpec | None = None
    watch_pairs: list[tuple[int, WatchPairSpec]] = field(default_factory=list)
    tasking_requests: list[tuple[int, TaskingSpec]] = field(default_factory=list)
    injects: list[tuple[int, Inject]] = field(default_factory=list)

    @classmethod
    def of(cls, scenario: Scenario) -> "ScenarioParts":
        return cls(scenario.catalog, scenario.sensors, list(enumerate(scenario.watch_pairs)),
                   list(enumerate(scenario.tasking_requests)), list(enumerate(scenario.injects)))

    @classmethod
    def valid_in(cls, data: dict) -> "ScenarioParts":
        def one(adapter: TypeAdapter, value):
            try:
                return adapter.validate_python(value)
            except ValidationError:
                return None

        def each(key: str, adapter: TypeAdapter) -> list:
            items = data.get(key) if isinstance(data.get(key), list) else []
            return [(n, part) for n, part in enumerate(one(adapter, item) for item in items) if part is not None]

        return cls(one(_CATALOG, data.get("catalog", {})), one(_SENSORS, data.get("sensors", {})),
                   each("watch_pairs", _WATCH_PAIR), each("tasking_requests", _TASKING), each("injects", _INJECT))


@dataclass
class CheckedScenario:
    """A scenario file checked field by field: the scenario when every field is valid, the
    valid parts either way, and each problem as (line, 'file:line: field: reason')."""
    source: "SourceMap"
    scenario: Scenario | None
    parts: ScenarioParts
    problems: list[tuple[int, str]]

    def messages(self) -> list[str]:
        return [message for _line, message in sorted(self.problems, key=lambda p: p[0])]


def check_scenario_file(path: str | Path) -> CheckedScenario:
    path = Path(path)
    try:
        text = read_input_text(path, DOCUMENT_MAX_BYTES)
    except (OSError, UnicodeDecodeError) as error:
        raise ScenarioError([f"{path}: cannot be read ({getattr(error, 'strerror', None) or error})"]) from None
    return check_scenario_text(text, str(path), path.parent)


def check_scenario_text(text: str, source: str = "<scenario>", folder: Path | None = None) -> CheckedScenario:
    """Every problem of the fields in one pass (ScenarioError only when the text is not a
    scenario at all: not YAML, not a mapping, another format). With ``folder``, the catalog
    files must exist there too."""
    root, data = _load_yaml(text, lambda line: f"{source}:{line}")
    where = SourceMap(source, root)
    if not isinstance(data, dict):
        raise ScenarioError([f"{where.prefix(1)}: a scenario is a mapping of fields (format, version, name, "
                             f"start ...)"])
    if data.get("format") != FORMAT:
        raise ScenarioError([where.at(("format",), f"expected {FORMAT!r}")[1]])
    try:
        scenario, problems = Scenario.model_validate(data), []
        parts = ScenarioParts.of(scenario)
        scenario._source = where
    except ValidationError as error:
        scenario, problems = None, [where.describe(e) for e in error.errors()]
        parts = ScenarioParts.valid_in(data)
    problems += _outside_the_span(data, parts, where)
    if folder is not None and parts.catalog is not None:
        for n, name in enumerate(parts.catalog.files):
            if not _inside(folder, name):  # a shared scenario must not read ../../etc/passwd or /proc
                problems.append(where.at(("catalog", "files", n), f"{name!r} is outside the scenario's folder; "
                                                                  "put the file beside the scenario"))
            elif not (folder / name).is_file():
                problems.append(where.at(("catalog", "files", n), f"no file {name!r} beside the scenario"))
    return CheckedScenario(where, scenario if not problems else None, parts, problems)


def _inside(folder: Path, name: str) -> bool:
    """Whether ``name`` (relative, links followed) is within ``folder``."""
    try:
        return (folder / name).resolve().is_relative_to(folder.resolve())
    except (OSError, ValueError):
        return False


def _outside_the_span(data: dict, parts: ScenarioParts, where: "SourceMap") -> list[tuple[int, str]]:
    """Each inject that fires outside [start, start + duration_hours] (when both are valid)."""
    try:
        span = _SPAN.validate_python({"start": data.get("start"), "duration_hours": data.get("duration_hours")})
    except ValidationError:
        return []
    end = span.start + timedelta(hours=span.duration_hours)
    return [where.at(("injects", n, "at"), f"{inject.at:%Y-%m-%dT%H:%M:%SZ} is outside the scenario "
                                           f"({span.start:%Y-%m-%dT%H:%M:%SZ} + {span.duration_hours:g} h)")
            for n, inject in parts.injects if not span.start <= inject.at <= end]


class _Span(_Strict):
    start: UtcTime
    duration_hours: float = Scenario.model_fields["duration_hours"]


_INJECT = TypeAdapter(Inject)
_SPAN = TypeAdapter(_Span)
_CATALOG, _SENSORS = TypeAdapter(CatalogSpec), TypeAdapter(SensorsSpec)
_WATCH_PAIR, _TASKING = TypeAdapter(WatchPairSpec), TypeAdapter(TaskingSpec)


def parse_inject(text: str) -> Inject:
    """One inject from YAML text (exercise control's editor); ScenarioError with
    'line N: field: reason' lines otherwise, checked by the same models as a file."""
    root, data = _load_yaml(text, lambda line: f"line {line}")
    try:
        return _INJECT.validate_python(data)
    except ValidationError as error:
        raise ScenarioError([SourceMap(None, root).describe(e)[1] for e in error.errors()]) from None


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader, but an impossible date or offset (2026-02-30, +99:00) is a YAML
    error at its line, not a bare ValueError from ``datetime``."""

    def construct_yaml_timestamp(self, node):
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError as error:
            raise yaml.constructor.ConstructorError(None, None, f"{node.value!r} is not a time: {error}",
                                                    node.start_mark) from None


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)


def _load_yaml(text: str, where):
    """(root node, data): parsed once, the node kept for the line numbers of errors."""
    try:
        loader = _Loader(text)  # (this already refuses control characters)
    except yaml.YAMLError as error:
        raise _not_yaml(error, text, where) from None
    try:
        root = loader.get_single_node()
        return root, (loader.construct_document(root) if root is not None else None)
    except RecursionError:
        raise ScenarioError([f"{where('?')}: nested too deeply to be a scenario"]) from None
    except yaml.YAMLError as error:
        raise _not_yaml(error, text, where) from None
    finally:
        loader.dispose()


def _not_yaml(error: yaml.YAMLError, text: str, where) -> ScenarioError:
    mark = getattr(error, "problem_mark", None)
    if isinstance(error, yaml.reader.ReaderError):  # a character YAML does not allow: no mark, a position
        line = text.count("\n", 0, error.position) + 1 if isinstance(error.position, int) else "?"
        character = error.character
        reason = f"character #x{character:02x} is not allowed" if isinstance(character, int) else error.reason
    else:
        line = mark.line + 1 if mark is not None else "?"
        reason = getattr(error, "problem", None) or error
    return ScenarioError([f"{where(line)}: not valid YAML ({reason})"])


@dataclass(frozen=True)
class SourceMap:
    """Where a field is in the text it was read from (``source`` None: a snippet, 'line N')."""
    source: str | None
    root: yaml.Node | None

    def prefix(self, line: int) -> str:
        return f"{self.source}:{line}" if self.source is not None else f"line {line}"

    def at(self, location: tuple, reason: str) -> tuple[int, str]:
        """(line, 'file:line: field: reason')."""
        line = _line(self.root, location)
        return line, f"{self.prefix(line)}: {_field_name(location)}: {reason}"

    def describe(self, error: dict) -> tuple[int, str]:
        """A pydantic error as (line, 'file:line: field: reason')."""
        location = tuple(part for part in error["loc"] if not (isinstance(part, str) and part in INJECT_KINDS))
        return self.at(location, error["msg"].removeprefix("Value error, "))


def _field_name(location: tuple) -> str:
    return ".".join(str(p) for p in location) or "(record)"


def _line(node, location: tuple) -> int:
    """1-based line of the deepest YAML node the location reaches."""
    line = node.start_mark.line + 1 if node is not None else 1
    for part in location:
        child = None
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if key.value == part:
                    child = value
                    line = key.start_mark.line + 1
                    break
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            child = node.value[part]
            line = child.start_mark.line + 1
        if child is None:
            break
        node = child
    return line

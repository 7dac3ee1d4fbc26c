"""The scenario file: versioned YAML, validated by pydantic models, every error reported
with the file, line and field (line numbers carried over from the YAML parser's nodes).
Nothing runs until the whole file is valid. The format is documented, field by field, in
``resources/scenarios/README.md``."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Annotated, Literal, Union

import yaml
from pydantic import (AfterValidator, BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator,
                      model_validator)

from app.catalog.ingest.tle import validate_tle_pair
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
    return value.astimezone(timezone.utc)


def _nation(value: str) -> str:
    if not is_nation_code(value):
        raise ValueError(f"{value!r} is not an ISO alpha-3 code")
    return value


UtcTime = Annotated[datetime, AfterValidator(_utc)]  # a time zone is required, never guessed
NationCode = Annotated[str, AfterValidator(_nation)]  # ISO 3166 alpha-3, upper case


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
    classification: str = "UNCLASSIFIED"
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
    first_id: int = Field(80000, gt=0)  # catalog numbers given to the fragments, counting up


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
    classification: str = Field(min_length=1)


Inject = Annotated[Union[ManeuverInject, NewObjectInject, BreakupInject, ElementUpdateInject, SensorOutageInject,
                         TaskingInject, MessageInject, BannerInject], Field(discriminator="kind")]
INJECT_KINDS = ("maneuver", "launch", "breakup", "element_update", "sensor_outage", "tasking", "message", "banner")


class Scenario(_Strict):
    format: Literal["spaceops-scenario"]
    version: int
    name: str = Field(min_length=1)
    description: str = ""
    classification: str = "UNCLASSIFIED//EXERCISE"  # the banner while it runs
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

    @model_validator(mode="after")
    def _injects_inside(self):
        for number, inject in enumerate(self.injects):
            if not self.start <= inject.at <= self.end:
                raise ValueError(f"injects.{number}.at: {inject.at:%Y-%m-%dT%H:%M:%SZ} is outside the scenario "
                                 f"({self.start:%Y-%m-%dT%H:%M:%SZ} + {self.duration_hours:g} h)")
        return self

    @property
    def end(self) -> datetime:
        return self.start + timedelta(hours=self.duration_hours)


def load_scenario(path: str | Path) -> tuple[Scenario, Path]:
    """The validated scenario and its folder (for relative catalog files); ScenarioError
    listing every problem with file, line and field otherwise."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ScenarioError([f"{path}: cannot be read ({getattr(error, 'strerror', None) or error})"]) from None
    return parse_scenario(text, str(path), path.parent), path.parent


def parse_scenario(text: str, source: str = "<scenario>", folder: Path | None = None) -> Scenario:
    """The validated scenario; with ``folder``, its catalog files must exist there too."""
    where = lambda line: f"{source}:{line}"  # noqa: E731
    root, data = _load_yaml(text, where)
    if not isinstance(data, dict):
        raise ScenarioError([f"{where(1)}: a scenario is a mapping of fields (format, version, name, start ...)"])
    if data.get("format") != FORMAT:
        raise ScenarioError([f"{where(_line(root, ('format',)))}: format: expected {FORMAT!r}"])
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as error:
        raise ScenarioError([_describe(where, root, e) for e in error.errors()]) from None
    missing = [f"{where(_line(root, ('catalog', 'files', n)))}: catalog.files.{n}: no file {name!r} "
               f"beside the scenario" for n, name in enumerate(scenario.catalog.files)
               if folder is not None and not (folder / name).is_file()]
    if missing:
        raise ScenarioError(missing)
    return scenario


_INJECT = TypeAdapter(Inject)


def parse_inject(text: str) -> Inject:
    """One inject from YAML text (exercise control's editor); ScenarioError with
    'line N: field: reason' lines otherwise, checked by the same models as a file."""
    where = lambda line: f"line {line}"  # noqa: E731
    root, data = _load_yaml(text, where)
    try:
        return _INJECT.validate_python(data)
    except ValidationError as error:
        raise ScenarioError([_describe(where, root, e) for e in error.errors()]) from None


def _load_yaml(text: str, where):
    """(root node, data): parsed once, the node kept for the line numbers of errors."""
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
        return root, (loader.construct_document(root) if root is not None else None)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise ScenarioError([f"{where(mark.line + 1 if mark is not None else '?')}: not valid YAML "
                             f"({getattr(error, 'problem', None) or error})"]) from None
    finally:
        loader.dispose()


def _describe(where, root, error: dict) -> str:
    location = tuple(part for part in error["loc"] if not (isinstance(part, str) and part in INJECT_KINDS))
    message = error["msg"].removeprefix("Value error, ")
    inner = message.split(": ", 1)
    if location == () and inner[0].startswith("injects."):  # a cross-field check naming its own field
        location = tuple(int(p) if p.isdigit() else p for p in inner[0].split("."))
        message = inner[1]
    field = ".".join(str(p) for p in location) or "(record)"
    return f"{where(_line(root, location))}: {field}: {message}"


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

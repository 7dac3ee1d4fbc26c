"""The console's state in one model: what the operator sees and has chosen.

Views and panels subscribe to it and write to it; no widget sets another widget's
attributes. Serialised with a format version it is three things: a saved view (a briefer
mails it to a colleague: time, selection, camera, filters — :data:`VIEW_FIELDS`), what an
instructor pushes to trainees, and what a floor shares.

Fields are typed and checked on every assignment; catalog objects are named by catalog
(NORAD) number, sensors by name, tasking requests by id, so a view means the same on
another console with the same catalog. Times are aware UTC.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Annotated, Iterable, Literal

from pydantic import AfterValidator, AwareDatetime, Field, ValidationError, field_validator

from app.common.input_file import DOCUMENT_MAX_BYTES, read_input_text
from app.live.clock import MAX_RATE
from app.state.camera_framing import MAX_DISTANCE_ER, MIN_DISTANCE_ER, START_DISTANCE_ER
from app.state.evented import EventedModel
from app.catalog.filter import CatalogFilter
from app.common.marking import CLASSIFICATIONS, DATA_MODES, DEFAULT_CLASSIFICATION
from app.common.user_settings import current_user

FORMAT_NAME = "spaceops-console-state"
FORMAT_VERSION = 1
MAX_STATE_FILE_BYTES = 1_000_000
VIEW_FIELDS = ("clock", "selection", "shown", "camera")
COLOR_MODES = ("Object type", "Orbit regime")
SENSOR_COLOR_MODES = ("type", "nation")

CatalogNumber = Annotated[int, Field(ge=1, le=999_999_999)]


def _utc(value: datetime) -> datetime:
    return value.astimezone(timezone.utc)


UtcTime = Annotated[AwareDatetime, AfterValidator(_utc)]


class ClockState(EventedModel):
    """The simulation clock as last set: live, or replay at ``rate`` from ``epoch_utc``."""

    mode: Literal["live", "replay"] = "live"
    rate: float = Field(1.0, ge=-MAX_RATE, le=MAX_RATE, allow_inf_nan=False)
    paused: bool = False
    epoch_utc: UtcTime | None = None  # the simulation time when the clock was last set; None: not yet


class CatalogState(EventedModel):
    version: int = Field(0, exclude=True)  # this process's catalog counter: meaningless elsewhere
    source_files: tuple[str, ...] = ()


class SelectionState(EventedModel):
    objects: tuple[CatalogNumber, ...] = ()
    watch_pair: tuple[CatalogNumber, CatalogNumber] | None = None  # (primary, secondary)
    sensor: Annotated[str, Field(max_length=128)] | None = None
    tasking_request: Annotated[str, Field(max_length=64)] | None = None

    @property
    def object(self) -> int | None:
        """The one selected object (the first), or None."""
        return self.objects[0] if self.objects else None


class GroupFilter(EventedModel):
    """A group's definition, carried with the view so a colleague without the group gets it."""

    text: Annotated[str, Field(max_length=256)] = ""
    object_types: tuple[str, ...] = ()
    regimes: tuple[str, ...] = ()
    owner_states: tuple[str, ...] = ()
    name_prefix: Annotated[str, Field(max_length=64)] = ""
    sources: tuple[str, ...] = ()  # e.g. the breakup debris a scenario makes

    @classmethod
    def of(cls, group_filter: CatalogFilter) -> "GroupFilter":
        return cls(**group_filter.to_dict())

    def catalog_filter(self) -> CatalogFilter:
        return CatalogFilter.from_dict(self.model_dump())


class ShownState(EventedModel):
    group: Annotated[str, Field(max_length=128)] = "All objects"
    group_filter: GroupFilter = Field(default_factory=GroupFilter)
    search: Annotated[str, Field(max_length=256)] = ""
    color_mode: Literal[COLOR_MODES] = "Object type"  # type: ignore[valid-type]
    sensor_color_mode: Literal[SENSOR_COLOR_MODES] = "type"  # type: ignore[valid-type]


class CameraState(EventedModel):
    """The globe's turntable camera, in Earth radii and degrees."""

    azimuth_deg: float = Field(0.0, allow_inf_nan=False)
    elevation_deg: float = Field(20.0, ge=-90.0, le=90.0)
    distance_er: float = Field(START_DISTANCE_ER, ge=MIN_DISTANCE_ER, le=MAX_DISTANCE_ER)
    center_er: tuple[float, float, float] = (0.0, 0.0, 0.0)
    follow_selection: bool = False

    @field_validator("center_er")
    @classmethod
    def _finite_center(cls, value: tuple[float, float, float]) -> tuple[float, float, float]:
        if not all(abs(v) < 1e3 for v in value):  # also refuses NaN
            raise ValueError("each coordinate must be finite and within 1,000 Earth radii")
        return value


class BannerState(EventedModel):
    marking: Annotated[str, Field(min_length=1, max_length=256)] = "UNCLASSIFIED"
    data_mode: Literal[DATA_MODES] = "REAL"  # type: ignore[valid-type]


class OperatorState(EventedModel):
    name: Annotated[str, Field(min_length=1, max_length=64)] = Field(default_factory=current_user)
    nation: Annotated[str, Field(pattern=r"^([A-Z]{3})?$")] = ""
    role: Annotated[str, Field(max_length=200)] = "watch_officer"  # the roles, as the title bar shows them
    clearance: Literal[CLASSIFICATIONS] = DEFAULT_CLASSIFICATION  # type: ignore[valid-type]


class ScenarioState(EventedModel):
    path: str | None = None
    name: Annotated[str, Field(max_length=256)] = ""


class StateFileError(ValueError):
    """A state or view file that cannot be used; the message names the file and the field."""


class ConsoleState(EventedModel):
    clock: ClockState = Field(default_factory=ClockState)
    catalog: CatalogState = Field(default_factory=CatalogState)
    selection: SelectionState = Field(default_factory=SelectionState)
    shown: ShownState = Field(default_factory=ShownState)
    camera: CameraState = Field(default_factory=CameraState)
    banner: BannerState = Field(default_factory=BannerState)
    operator: OperatorState = Field(default_factory=OperatorState)
    scenario: ScenarioState = Field(default_factory=ScenarioState)

    # --- serialisation -------------------------------------------------------------------------

    def to_json(self, fields: Iterable[str] | None = None) -> str:
        """The state (or only ``fields``, e.g. :data:`VIEW_FIELDS`) as a JSON document."""
        include = None if fields is None else set(fields)
        body = self.model_dump(mode="json", include=include)
        return json.dumps({"format": FORMAT_NAME, "format_version": FORMAT_VERSION, **body}, indent=1)

    @classmethod
    def from_json(cls, text: str | bytes, source: str = "state") -> "ConsoleState":
        """Parse a document written by :meth:`to_json`; what it leaves out takes the default.
        A bad or newer document is refused with :class:`StateFileError` naming the field."""
        if len(text) > MAX_STATE_FILE_BYTES:
            raise StateFileError(f"{source}: larger than {MAX_STATE_FILE_BYTES:,} bytes; not a console state")
        try:
            document = json.loads(text)
        except (ValueError, RecursionError) as error:
            raise StateFileError(f"{source}: not a JSON document ({str(error)[:160]})") from None
        if not isinstance(document, dict):
            raise StateFileError(f"{source}: expected a JSON object, found {type(document).__name__}")
        if document.pop("format", FORMAT_NAME) != FORMAT_NAME:
            raise StateFileError(f"{source}: format: not a {FORMAT_NAME} document")
        version = document.pop("format_version", None)
        if isinstance(version, bool) or not isinstance(version, int):
            raise StateFileError(f"{source}: format_version: required, a whole number")
        if version > FORMAT_VERSION:
            raise StateFileError(f"{source}: format_version: {version} is newer than this console reads "
                                 f"({FORMAT_VERSION}); update the console")
        if version < 1:
            raise StateFileError(f"{source}: format_version: {version} is not a valid version")
        try:
            return cls.model_validate(document)
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(part) for part in first["loc"]) or "document"
            more = f" (and {error.error_count() - 1} more)" if error.error_count() > 1 else ""
            raise StateFileError(f"{source}: {where}: {first['msg']}{more}") from None

    @classmethod
    def read(cls, path: str | Path) -> "ConsoleState":
        """A state or view file; only a regular file of at most ``MAX_STATE_FILE_BYTES`` is read."""
        path = Path(path)
        try:
            if not path.is_file():
                raise StateFileError(f"{path}: not a regular file")
            if path.stat().st_size > MAX_STATE_FILE_BYTES:
                raise StateFileError(f"{path}: larger than {MAX_STATE_FILE_BYTES:,} bytes; not a console state")
            text = read_input_text(path, DOCUMENT_MAX_BYTES)
        except (OSError, UnicodeDecodeError) as error:
            raise StateFileError(f"{path}: cannot be read ({error})") from None
        return cls.from_json(text, source=str(path))

    def apply(self, other: "ConsoleState", fields: Iterable[str] = VIEW_FIELDS) -> None:
        """Take ``fields`` from ``other`` (a view just opened, the instructor's state), announced as one batch."""
        with self.batch():
            for name in fields:
                value = getattr(other, name)
                setattr(self, name, type(value).model_validate(value.model_dump()))  # a copy of our own


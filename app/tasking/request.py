"""Tasking requests: the record, its workflow, the two-person rule, releasability, and
feasibility against the coalition's sensors. The record's plain-dict form
(:func:`request_to_record` / :func:`request_from_record`) is what the database, the JSON
and CSV exchange files and the command line share. Persistence is in ``app.storage.tasking_requests``."""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from typing import Any, Iterable

from app.astro.timeutil import FIRST_YEAR, LAST_YEAR, TimeFormatError, format_utc, in_supported_years, parse_utc
from app.catalog import Catalog
from app.common.field_error import FieldError
from app.common.marking import CLASSIFICATIONS, DATA_MODES
from app.common.progress import Progress
from app.common.user_settings import is_nation_code
from app.sensors.passes import Pass, passes_of
from app.sensors.sites import Sensor
from app.tasking.vocabulary import COLLECTION_TYPES, FINAL_STATES, PRECEDENCES, SENSOR_REQUEST_KINDS, TRANSITIONS


class TaskingError(FieldError):
    pass


@dataclass(frozen=True)
class SensorRequest:
    """Who should observe: a named sensor, any sensor of a nation, any commercial provider, or any.
    Only schedulable sites (a partner's or a contracted provider's: ``Sensor.schedulable``) are
    ever eligible; another nation's site is context only, and naming one is refused."""

    kind: str = "any"  # sensor | nation | commercial | any
    value: str = ""

    def eligible(self, sensor: Sensor) -> bool:
        if not sensor.schedulable:
            return False
        if self.kind == "sensor":
            return sensor.name == self.value
        if self.kind == "nation":
            return sensor.operator_nation == self.value.upper()
        if self.kind == "commercial":
            return sensor.provider == "commercial"
        return True

    def refusal(self, sensors: Iterable[Sensor]) -> str | None:
        """Why the request cannot be served when it names what may not be tasked (a site, or a
        nation's sites, that are another nation's: context only); None otherwise."""
        value = self.value.strip()
        if self.kind == "sensor":
            named = [s for s in sensors if s.name == value or s.name.split(" (")[0].lower() == value.lower()]
            if named and not any(s.schedulable for s in named):
                return f"{named[0].name.split(' (')[0]} is another nation's site (context only); it cannot be tasked"
        elif self.kind == "nation":
            theirs = [s for s in sensors if s.operator_nation == value.upper()]
            if theirs and not any(s.schedulable for s in theirs):
                return f"{value.upper()}'s sites are another nation's (context only); they cannot be tasked"
        return None

    def check(self, sensors: Iterable[Sensor]) -> "SensorRequest":
        """This request, or TaskingError (field ``sensor_request``) when it names a site or a
        nation that cannot be tasked: "Armavir is another nation's site (context only); …"."""
        why = self.refusal(sensors)
        if why is not None:
            raise TaskingError(why, "sensor_request")
        return self

    @property
    def label(self) -> str:
        return {"sensor": self.value, "nation": f"any {self.value} sensor", "commercial": "any commercial provider",
                "any": "any sensor"}.get(self.kind, self.kind)


@dataclass(frozen=True)
class Comment:
    at_utc: str
    author: str
    nation: str
    text: str


# the longest text each field may hold (the database's column sizes) and the largest numbers
TEXT_LIMITS = {"id": 40, "title": 200, "requesting_nation": 3, "requesting_unit": 100, "justification": 20_000,
               "submitted_by": 64, "approved_by": 64}
COMMENT_LIMIT = 20_000
REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,39}")  # no spaces, newlines or escape characters
LARGEST_CATALOG_NUMBER = 999_999_999  # CCSDS OMM allows nine digits
LARGEST_VERSION = 2**31 - 1  # the database's integer


def new_request_id(nation: str) -> str:
    """Unique across partners, so exchanged records never collide: ``TR-GBR-3F9A1C2E``."""
    return f"TR-{nation or 'XXX'}-{uuid.uuid4().hex[:8].upper()}"


@dataclass(frozen=True)
class TaskingRequest:
    id: str
    title: str
    target_norad_id: int
    requesting_nation: str
    requesting_unit: str
    sensor_request: SensorRequest
    collection_type: str
    precedence: str
    window_start: datetime
    window_end: datetime
    justification: str = ""
    classification: str = "UNCLASSIFIED"
    releasable_to: tuple[str, ...] = ()  # ISO alpha-3 nations; the requesting nation always may see it
    data_mode: str = "REAL"
    comments: tuple[Comment, ...] = ()
    status: str = "DRAFT"
    submitted_by: str = ""
    approved_by: str = ""
    scheduled_passes: tuple[Pass, ...] = field(default_factory=tuple)
    version: int = 0  # 0 until first saved; each saved change adds one
    created_utc: str = ""
    created_by: str = ""
    updated_utc: str = ""
    updated_by: str = ""

    def validated(self, catalog: Catalog | None = None) -> "TaskingRequest":
        if not REQUEST_ID.fullmatch(self.id):
            raise TaskingError(f"{self.id[:50]!r} is not a request id (letters, digits and . _ : -, at most 40, "
                               "e.g. TR-GBR-3F9A1C2E)", "id")
        if not self.title.strip():
            raise TaskingError("is required", "title")
        for name, longest in TEXT_LIMITS.items():  # the database's column sizes, said before it refuses
            if len(getattr(self, name)) > longest:
                raise TaskingError(f"is {len(getattr(self, name)):,} characters long; at most {longest:,}", name)
        if len(self.sensor_request.value) > 100:
            raise TaskingError("the sensor or nation named is longer than 100 characters", "sensor_request")
        if any(len(comment.text) > COMMENT_LIMIT for comment in self.comments):
            raise TaskingError(f"a comment is longer than {COMMENT_LIMIT:,} characters", "comments")
        if not 0 < self.target_norad_id <= LARGEST_CATALOG_NUMBER:
            raise TaskingError(f"must be a catalog number from 1 to {LARGEST_CATALOG_NUMBER:,}", "target_norad_id")
        if not 0 <= self.version <= LARGEST_VERSION:
            raise TaskingError(f"must be from 0 to {LARGEST_VERSION:,}", "version")
        for name in ("window_start", "window_end"):
            if not in_supported_years(getattr(self, name)):
                raise TaskingError(f"{getattr(self, name):%Y-%m-%d} is outside the years this console plans for "
                                   f"({FIRST_YEAR}-{LAST_YEAR})", name)
        if self.sensor_request.kind not in SENSOR_REQUEST_KINDS:
            raise TaskingError(f"must be one of {', '.join(SENSOR_REQUEST_KINDS)}", "sensor_request")
        if self.sensor_request.kind in ("sensor", "nation") and not self.sensor_request.value.strip():
            raise TaskingError(f"name the {self.sensor_request.kind} asked for", "sensor_request")
        if self.window_start.tzinfo is None or self.window_end.tzinfo is None:
            raise TaskingError("times must be timezone-aware UTC", "window_start")
        if self.window_end <= self.window_start:
            raise TaskingError("the window must end after it starts", "window_end")
        if self.collection_type not in COLLECTION_TYPES:
            raise TaskingError(f"must be one of {', '.join(COLLECTION_TYPES)}", "collection_type")
        if self.precedence not in PRECEDENCES:
            raise TaskingError(f"must be one of {', '.join(PRECEDENCES)}", "precedence")
        if self.data_mode not in DATA_MODES:
            raise TaskingError(f"must be one of {', '.join(DATA_MODES)}", "data_mode")
        if self.classification not in CLASSIFICATIONS:
            raise TaskingError(f"must be one of {', '.join(CLASSIFICATIONS)}", "classification")
        if not is_nation_code(self.requesting_nation):
            raise TaskingError(f"{self.requesting_nation!r} is not an ISO alpha-3 code", "requesting_nation")
        for nation in self.releasable_to:
            if not is_nation_code(nation):
                raise TaskingError(f"{str(nation)[:40]!r} is not an ISO alpha-3 code", "releasable_to")
        if len(set(self.releasable_to)) > 100:
            raise TaskingError("names more than 100 nations", "releasable_to")
        if self.status not in TRANSITIONS and self.status not in FINAL_STATES:
            raise TaskingError(f"{self.status!r} is not a state", "status")
        if catalog is not None and self.target_norad_id not in catalog:
            raise TaskingError(f"catalog number {self.target_norad_id} is not in the catalog", "target_norad_id")
        return self

    def releasable(self, nation: str) -> bool:
        """May this record be shared with ``nation``?"""
        return nation == self.requesting_nation or nation in self.releasable_to

    def allowed_actions(self) -> tuple[str, ...]:
        return tuple(TRANSITIONS.get(self.status, {}))

    @property
    def marking(self) -> str:
        """Classification and releasability as one line, e.g. ``SECRET//REL TO GBR, USA``."""
        nations = sorted({self.requesting_nation, *self.releasable_to})
        return f"{self.classification}//REL TO {', '.join(nations)}"


REQUIRED_FIELDS = ("id", "title", "target_norad_id", "requesting_nation", "requesting_unit", "sensor_request",
                   "collection_type", "precedence", "window_start", "window_end")


def request_to_record(request: TaskingRequest) -> dict[str, Any]:
    """Plain JSON-ready dict: times in ISO 8601 UTC, lists for the tuples."""
    record = {f.name: getattr(request, f.name) for f in fields(request)}
    record.update(sensor_request={"kind": request.sensor_request.kind, "value": request.sensor_request.value},
                  window_start=format_utc(request.window_start), window_end=format_utc(request.window_end),
                  releasable_to=list(request.releasable_to),
                  comments=[vars(c).copy() for c in request.comments],
                  scheduled_passes=[p.as_dict() for p in request.scheduled_passes])
    return record


def request_from_record(record: dict[str, Any], catalog: Catalog | None = None) -> TaskingRequest:
    """A validated request from its dict form; TaskingError naming the field otherwise."""
    if not isinstance(record, dict):
        raise TaskingError("a record must be an object with named fields")
    known = {f.name for f in fields(TaskingRequest)}
    unknown = sorted(set(record) - known)
    if unknown:
        raise TaskingError("unknown field", unknown[0])
    values: dict[str, Any] = {}
    for name in [f.name for f in fields(TaskingRequest) if f.name in record]:
        value = record[name]
        try:
            if name in ("window_start", "window_end"):
                value = parse_utc(str(value))
            elif name in ("target_norad_id", "version"):
                if isinstance(value, bool) or float(value) != int(float(value)):
                    raise ValueError
                value = int(float(value))
            elif name == "sensor_request":
                value = SensorRequest(str(value.get("kind", "any")), str(value.get("value", "")))
            elif name == "releasable_to":
                if not isinstance(value, (list, tuple)):  # an object's keys or a string's letters are not nations
                    raise ValueError
                value = tuple(str(n).strip() for n in value)
            elif name == "comments":
                value = tuple(Comment(str(c["at_utc"]), str(c["author"]), str(c.get("nation", "")), str(c["text"]))
                              for c in value)
            elif name == "scheduled_passes":
                value = tuple(Pass.from_dict(p) for p in value)
            elif not isinstance(value, str):
                raise ValueError
        except (TimeFormatError, ValueError, TypeError, KeyError, AttributeError, OverflowError, RecursionError):
            raise TaskingError(f"cannot read {repr(record[name])[:60]}", name) from None
        values[name] = value
    missing = [name for name in REQUIRED_FIELDS if name not in values]
    if missing:
        raise TaskingError("is missing", missing[0])
    request = TaskingRequest(**values)
    if request.version < 0:
        raise TaskingError("must not be negative", "version")
    return request.validated(catalog)


FLAT_FIELDS = ("id", "title", "target_norad_id", "requesting_nation", "requesting_unit", "sensor_kind",
               "sensor_value", "collection_type", "precedence", "window_start", "window_end", "justification",
               "classification", "releasable_to", "data_mode", "status", "submitted_by", "approved_by", "comments",
               "scheduled_passes", "version", "created_utc", "created_by", "updated_utc", "updated_by")


def request_to_flat(request: TaskingRequest) -> dict[str, Any]:
    """One row of plain values (a database row, a CSV line): the sensor request in two
    columns, nations separated by ';', comments and passes as JSON text."""
    record = request_to_record(request)
    sensor = record.pop("sensor_request")
    record.update(sensor_kind=sensor["kind"], sensor_value=sensor["value"],
                  releasable_to=";".join(record["releasable_to"]), comments=json.dumps(record["comments"]),
                  scheduled_passes=json.dumps(record["scheduled_passes"]))
    return record


def request_from_flat(row: dict[str, Any], catalog: Catalog | None = None) -> TaskingRequest:
    """The inverse of :func:`request_to_flat`; TaskingError naming the field otherwise."""
    record = {k: v for k, v in row.items() if v is not None}
    for name in ("comments", "scheduled_passes"):
        if name in record:
            try:
                record[name] = json.loads(record[name])
            except (json.JSONDecodeError, TypeError):
                raise TaskingError("not a JSON list", name) from None
    if "releasable_to" in record:
        record["releasable_to"] = [n for n in str(record["releasable_to"]).split(";") if n.strip()]
    kind, value = record.pop("sensor_kind", None), record.pop("sensor_value", "")
    if kind is not None:
        record["sensor_request"] = {"kind": kind, "value": value}
    return request_from_record(record, catalog)


def act(request: TaskingRequest, action: str, user: str, passes: tuple[Pass, ...] = ()) -> TaskingRequest:
    """The request after ``action`` by ``user``; TaskingError with the reason when refused."""
    allowed = TRANSITIONS.get(request.status, {})
    if action not in allowed:
        raise TaskingError(f"cannot {action} a {request.status} request (allowed: "
                           f"{', '.join(allowed) or 'nothing, it is closed'})", "status")
    if action == "submit":
        return replace(request, status="SUBMITTED", submitted_by=user)
    if action == "approve":
        if user == request.submitted_by:
            raise TaskingError("the submitter cannot approve their own request (two-person rule)", "approved_by")
        return replace(request, status="APPROVED", approved_by=user)
    if action == "schedule":
        if not passes:
            raise TaskingError("scheduling needs at least one feasible pass", "scheduled_passes")
        outside = [p for p in passes if p.los <= request.window_start or p.aos >= request.window_end]
        if outside:
            raise TaskingError("a chosen pass lies outside the request's window", "scheduled_passes")
        return replace(request, status="SCHEDULED", scheduled_passes=tuple(passes))
    return replace(request, status=allowed[action])


@dataclass(frozen=True)
class Feasibility:
    passes: tuple[Pass, ...]
    reasons: tuple[str, ...]  # why it is infeasible (empty when feasible)
    notes: tuple[str, ...] = ()  # what limits it while feasible (a sensor out for part of the window)

    @property
    def feasible(self) -> bool:
        return bool(self.passes)


def _utc_minute(moment: datetime, day_of: datetime | None = None) -> str:
    """``2026-08-12T08:00Z``, or ``08:00Z`` on the same day as ``day_of``."""
    text = format_utc(moment)[:16] + "Z"
    return text[11:] if day_of is not None and format_utc(day_of)[:10] == text[:10] else text


def _span_text(start: datetime, end: datetime) -> str:
    return f"{_utc_minute(start)} to {_utc_minute(end, start)}"


def _free_spans(sensor: Sensor, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """The parts of ``[start, end)`` outside the sensor's outage spans."""
    free = [(start, end)]
    for out_from, out_until in sorted(sensor.outages):
        free = [piece for a, b in free for piece in ((a, min(b, out_from)), (max(a, out_until), b))
                if piece[0] < piece[1]]
    return free


def _outage_notes(sensor: Sensor, spans: list[tuple[datetime, datetime]], passes: list[Pass],
                  start: datetime, end: datetime) -> list[str]:
    """What each outage inside the window leaves of the sensor, e.g. "Fylingdales out
    2026-08-12T02:00Z to 08:00Z; 1 pass after it returns"."""
    def count(n: int) -> str:
        return f"{n} pass{'' if n == 1 else 'es'}"

    notes = []
    for a, b in spans:
        before, after = sum(p.los <= a for p in passes), sum(p.aos >= b for p in passes)
        said = [f"{sensor.name} out " + (f"until {_utc_minute(b)}" if a <= start else _span_text(a, b))]
        said += [f"{count(before)} before it"] if before else []
        said += [f"{count(after)} after it returns"] if b < end else []
        notes.append("; ".join(said))
    return notes


def feasibility(request: TaskingRequest, catalog: Catalog, sensors: list[Sensor],
                progress: Progress | None = None) -> Feasibility:
    """Passes of the target over the eligible sensors in the window, or the reasons there are
    none. ``progress`` hears ``(sensors done, eligible sensors that can observe)`` before each
    sensor and at the end; once it is cancelled its next report raises
    :class:`~app.common.progress.Cancelled`.

    An outage removes only its own span (``Sensor.outages``): passes before it starts and after
    the sensor returns, inside the window, count; a note says what the outage took. A pass that
    straddles an end of an outage is clipped to the part outside it: passes are found by
    propagating over each free part of the window alone, so the clipped pass's AOS (LOS) is the
    return (the outage start), its culmination is the highest point of the part the sensor can
    see, and ``starts_before_window`` (``ends_after_window``) is set. A sensor in outage with no
    known span is out for the whole window."""
    eligible = [s for s in sensors if request.sensor_request.eligible(s)]
    if not eligible:  # a named site of another nation is refused, saying so
        return Feasibility((), (request.sensor_request.refusal(sensors) or f"no sensor matches the request "
                                f"({request.sensor_request.kind} {request.sensor_request.value})".strip(),))
    if request.target_norad_id not in catalog:
        return Feasibility((), (f"target {request.target_norad_id} is not in the catalog",))
    start, end = request.window_start, request.window_end
    reasons: list[str] = []
    working: list[tuple[Sensor, list[tuple[datetime, datetime]], list[tuple[datetime, datetime]]]] = []
    for s in eligible:
        if not s.operational and not s.outages:
            reasons.append(f"{s.name}: in outage")
            continue
        spans = [(a, b) for a, b in sorted(s.outages) if a < end and b > start]  # the outages inside the window
        free = _free_spans(s, start, end)
        if not free:
            reasons.append(f"{s.name}: in outage until {_utc_minute(max(b for _a, b in spans))}")
            continue
        # the spans say when it is out; over the free parts it is up
        working.append((replace(s, status="operational", outages=()) if s.outages else s, free, spans))
    satrec = catalog.satrecs[catalog.row_of(request.target_norad_id)]
    usable: list[Pass] = []
    notes: list[str] = []
    for done, (sensor, free, spans) in enumerate(working):
        if progress is not None:
            progress.report(done, len(working))
        passes = [p for a, b in free
                  for p in passes_of(satrec, request.target_norad_id, sensor, a, (b - a).total_seconds() / 3600.0)]
        outage = "; ".join(f"in outage {_span_text(a, b)}" for a, b in spans)
        if not passes:
            reasons.append(f"{sensor.name}: " + (f"{outage}; no pass in the window outside it" if spans
                                                 else "no pass in the window"))
            notes += _outage_notes(sensor, spans, [], start, end)  # said when other sensors make it feasible
            continue
        if sensor.sensor_type == "optical":
            lit = [p for p in passes if p.optically_visible]
            if not lit:
                dark = any(p.site_dark for p in passes)
                reasons.append(f"{sensor.name}: " + (f"{outage}; " if spans else "")
                               + ("target never sunlit while the site is dark" if dark
                                  else "optical site never dark during a pass"))
                notes += _outage_notes(sensor, spans, [], start, end)
                continue
            passes = lit
        notes += _outage_notes(sensor, spans, passes, start, end)
        usable += passes
    if progress is not None:
        progress.report(len(working), len(working))
    usable.sort(key=lambda p: (p.aos, p.sensor))
    return Feasibility(tuple(usable), () if usable else tuple(reasons), tuple(notes) if usable else ())

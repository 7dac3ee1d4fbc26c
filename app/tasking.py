"""Tasking requests: the record, its workflow, the two-person rule, releasability, and
feasibility against the coalition's sensors. (Persistence, exchange and the panel come
with the tasking issue; this is the headless core they build on.)"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from app.catalog import Catalog
from app.passes import Pass, passes_of
from app.sensors import Sensor
from app.store import DATA_MODES

COLLECTION_TYPES = ("search", "track", "dwell", "stare", "characterize", "imagery")
PRECEDENCES = ("FLASH", "IMMEDIATE", "PRIORITY", "ROUTINE")
OPEN_STATES = ("DRAFT", "SUBMITTED", "APPROVED", "SCHEDULED")
FINAL_STATES = ("COLLECTED", "PARTIAL", "FAILED", "REJECTED", "CANCELLED")
# state -> actions allowed there -> resulting state
TRANSITIONS = {
    "DRAFT": {"submit": "SUBMITTED", "cancel": "CANCELLED"},
    "SUBMITTED": {"approve": "APPROVED", "reject": "REJECTED", "cancel": "CANCELLED"},
    "APPROVED": {"schedule": "SCHEDULED", "reject": "REJECTED", "cancel": "CANCELLED"},
    "SCHEDULED": {"collected": "COLLECTED", "partial": "PARTIAL", "failed": "FAILED", "cancel": "CANCELLED"},
}


class TaskingError(ValueError):
    def __init__(self, reason: str, field: str | None = None):
        super().__init__(f"{field}: {reason}" if field else reason)
        self.reason, self.field = reason, field


@dataclass(frozen=True)
class SensorRequest:
    """Who should observe: a named sensor, any sensor of a nation, any commercial provider, or any."""

    kind: str = "any"  # sensor | nation | commercial | any
    value: str = ""

    def eligible(self, sensor: Sensor) -> bool:
        if self.kind == "sensor":
            return sensor.name == self.value
        if self.kind == "nation":
            return sensor.operator_nation == self.value.upper()
        if self.kind == "commercial":
            return sensor.provider == "commercial"
        return True


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
    comments: tuple[str, ...] = ()
    status: str = "DRAFT"
    submitted_by: str = ""
    approved_by: str = ""
    scheduled_passes: tuple[Pass, ...] = field(default_factory=tuple)

    def validated(self, catalog: Catalog | None = None) -> "TaskingRequest":
        if not self.title.strip():
            raise TaskingError("is required", "title")
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
        for nation in (self.requesting_nation, *self.releasable_to):
            if not (len(nation) == 3 and nation.isalpha() and nation.isupper()):
                raise TaskingError(f"{nation!r} is not an ISO alpha-3 code", "releasable_to")
        if catalog is not None and self.target_norad_id not in catalog:
            raise TaskingError(f"catalog number {self.target_norad_id} is not in the catalog", "target_norad_id")
        return self

    def releasable(self, nation: str) -> bool:
        """May this record be shared with ``nation``?"""
        return nation == self.requesting_nation or nation in self.releasable_to

    def allowed_actions(self) -> tuple[str, ...]:
        return tuple(TRANSITIONS.get(self.status, {}))


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

    @property
    def feasible(self) -> bool:
        return bool(self.passes)


def feasibility(request: TaskingRequest, catalog: Catalog, sensors: list[Sensor]) -> Feasibility:
    """Passes of the target over the eligible sensors in the window, or the reasons there are none."""
    eligible = [s for s in sensors if request.sensor_request.eligible(s)]
    if not eligible:
        return Feasibility((), (f"no sensor matches the request ({request.sensor_request.kind} "
                                f"{request.sensor_request.value})".strip(),))
    if request.target_norad_id not in catalog:
        return Feasibility((), (f"target {request.target_norad_id} is not in the catalog",))
    working = [s for s in eligible if s.operational]
    reasons = [f"{s.name}: in outage" for s in eligible if not s.operational]
    satrec = catalog.satrecs[catalog.row_of(request.target_norad_id)]
    hours = (request.window_end - request.window_start).total_seconds() / 3600.0
    usable: list[Pass] = []
    for sensor in working:
        passes = passes_of(satrec, request.target_norad_id, sensor, request.window_start, hours)
        if not passes:
            reasons.append(f"{sensor.name}: no pass in the window")
            continue
        if sensor.sensor_type == "optical":
            lit = [p for p in passes if p.optically_visible]
            if not lit:
                dark = any(p.site_dark for p in passes)
                reasons.append(f"{sensor.name}: " + ("target never sunlit while the site is dark" if dark
                                                     else "optical site never dark during a pass"))
                continue
            passes = lit
        usable += passes
    usable.sort(key=lambda p: (p.aos, p.sensor))
    return Feasibility(tuple(usable), () if usable else tuple(reasons))

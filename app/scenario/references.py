"""What a scenario names must exist: checked against its own catalog and sensor list before
anything runs, so a typo is a validation error with its line, not an inject 'not applied'
half-way through an exercise.

- a maneuver's object and a breakup's parent exist when the inject fires: in the catalog, or
  made by an enabled launch, breakup or element update that fires before it;
- a watch pair's objects and a tasking request's target exist at some time in the scenario;
- a sensor named by an outage or a tasking request is in the scenario's sensor list;
- a launch and a breakup's fragments take catalog numbers nothing else uses.

Each problem is (location, reason); the caller says where the location is in the file."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import datetime
from typing import Iterator

from app.astro.timeutil import format_utc
from app.catalog.ingest.tle import validate_tle_pair
from app.scenario.format import (BreakupInject, ElementUpdateInject, ManeuverInject, NewObjectInject, ScenarioParts,
                                 SensorOutageInject, TaskingInject, TaskingSpec)

Problem = tuple[tuple, str]


@dataclass(frozen=True)
class _Made:
    """Catalog numbers an inject adds, and when."""
    first: int
    last: int
    at: datetime
    number: int  # the inject's position in the file
    enabled: bool
    field: tuple  # where the inject gives the numbers
    new: bool = True  # False: an element update, which may also replace an existing object

    @property
    def label(self) -> str:
        return f"catalog number {self.first}" if self.field != ("first_id",) else f"fragments {self.first}-{self.last}"


def _made_by_injects(parts: ScenarioParts) -> list[_Made]:
    made = []
    for n, inject in parts.injects:
        if isinstance(inject, (NewObjectInject, ElementUpdateInject)):
            norad_id = validate_tle_pair(inject.element_set.line1, inject.element_set.line2)
            made.append(_Made(norad_id, norad_id, inject.at, n, inject.enabled, ("element_set", "line1"),
                              new=isinstance(inject, NewObjectInject)))
        elif isinstance(inject, BreakupInject):
            made.append(_Made(inject.first_id, inject.first_id + inject.fragments - 1, inject.at, n, inject.enabled,
                              ("first_id",)))
    return made


def reference_problems(parts: ScenarioParts, catalog_ids: set[int] | None,
                       sensor_names: set[str] | None) -> list[Problem]:
    """Every reference that does not resolve. ``catalog_ids`` None: the catalog itself could not
    be read (its own errors say why), so object references are not checked; likewise sensors."""
    problems: list[Problem] = []
    if catalog_ids is not None:
        problems += _object_problems(parts, catalog_ids)
    if sensor_names is not None:
        problems += _sensor_problems(parts, sensor_names)
    return problems


def _object_problems(parts: ScenarioParts, catalog: set[int]) -> Iterator[Problem]:
    made = _made_by_injects(parts)
    makers = lambda norad_id: [m for m in made if m.first <= norad_id <= m.last]  # noqa: E731

    def missing(norad_id: int) -> str | None:
        """Why the object never exists in the scenario (None: it does, at some time)."""
        if norad_id in catalog or any(m.enabled for m in makers(norad_id)):
            return None
        disabled = [m for m in makers(norad_id) if not m.enabled]
        return (f"object {norad_id} is not in the scenario's catalog and no inject makes it"
                + (f" (injects.{disabled[0].number} would, but it is disabled)" if disabled else ""))

    def not_yet(norad_id: int, at: datetime, number: int) -> str | None:
        """Why the object does not exist when an inject fires at ``at`` (None: it does)."""
        why = missing(norad_id)
        if why is not None or norad_id in catalog:
            return why
        enabled = [m for m in makers(norad_id) if m.enabled]
        if any((m.at, m.number) < (at, number) for m in enabled):
            return None
        first = min(enabled, key=lambda m: (m.at, m.number))
        return (f"object {norad_id} does not exist yet at {format_utc(at)[:19]}Z: injects.{first.number} makes it "
                f"at {format_utc(first.at)[:19]}Z")

    for n, pair in parts.watch_pairs:
        for role in ("primary", "secondary"):
            if (why := missing(getattr(pair, role))) is not None:
                yield ("watch_pairs", n, role), why
    for n, request in parts.tasking_requests:
        if (why := missing(request.target)) is not None:
            yield ("tasking_requests", n, "target"), why
    for n, inject in parts.injects:
        if isinstance(inject, ManeuverInject) and (why := not_yet(inject.object, inject.at, n)) is not None:
            yield ("injects", n, "object"), why
        elif isinstance(inject, BreakupInject) and (why := not_yet(inject.parent, inject.at, n)) is not None:
            yield ("injects", n, "parent"), why
        elif isinstance(inject, TaskingInject) and (why := missing(inject.request.target)) is not None:
            yield ("injects", n, "request", "target"), why
    yield from _reused_numbers(made, catalog)


def _reused_numbers(made: list[_Made], catalog: set[int]) -> Iterator[Problem]:
    """A launch or a breakup would silently replace an object that already has the number."""
    for m in (m for m in made if m.new):
        taken = [k for k in range(m.first, m.last + 1) if k in catalog]
        overlaps = [o.number for o in made if o.new and o.enabled and m.enabled and (o.at, o.number) < (m.at, m.number)
                    and o.first <= m.last and m.first <= o.last]
        if taken and m.field == ("first_id",):
            numbers = ", ".join(map(str, taken[:3])) + (" ..." if len(taken) > 3 else "")
            yield ("injects", m.number, "first_id"), (f"{m.label} would replace {numbers} in the catalog "
                                                      f"(fragments need unused numbers)")
        elif taken:
            yield ("injects", m.number, *m.field), (f"{m.label} is already in the catalog (a launch adds a new "
                                                    f"object; element_update gives one new elements)")
        elif overlaps:
            yield ("injects", m.number, *m.field), (f"{m.label} would replace objects that injects.{overlaps[0]} "
                                                    f"makes (a new object needs an unused number)")


def _sensor_problems(parts: ScenarioParts, names: set[str]) -> Iterator[Problem]:
    def unknown(name: str) -> str | None:
        if name in names:
            return None
        close = difflib.get_close_matches(name, sorted(names), n=1) or sorted(n for n in names if n.startswith(name))
        return f"no sensor named {name!r} in the scenario's sensor list" + (
            f" (did you mean {close[0]!r}?)" if close else "")

    def request_sensor(request: TaskingSpec) -> str | None:
        return unknown(request.sensor.value) if request.sensor.kind == "sensor" else None

    for n, request in parts.tasking_requests:
        if (why := request_sensor(request)) is not None:
            yield ("tasking_requests", n, "sensor", "value"), why
    for n, inject in parts.injects:
        if isinstance(inject, SensorOutageInject) and (why := unknown(inject.sensor)) is not None:
            yield ("injects", n, "sensor"), why
        elif isinstance(inject, TaskingInject) and (why := request_sensor(inject.request)) is not None:
            yield ("injects", n, "request", "sensor", "value"), why

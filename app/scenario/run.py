"""A scenario in motion, headless and deterministic.

``ScenarioRun.state_at(t)`` is what the scenario is at simulation time ``t``: the base
catalog with every enabled inject up to ``t`` applied in time order (and none after it),
sensors with their outages, the banner, the tasking requests. Seeking backward or forward is
just another ``state_at``; states after each inject are cached and recomputed from the first
inject that changed.

``ScenarioRun.events(until)`` replays the scenario on a fixed simulation-time grid
(``step_s``) and yields every event: injects as they fire (with what they caused: fit
residuals, fragments, maneuver flags), sensors back in service as their outages end,
watch-pair alerts from the same status rules as the live watchlist, predicted approaches
inside a pair's caution range, tasking feasibility.
Nothing depends on the wall clock or the clock rate; the only randomness is seeded from the
scenario, so the same file gives the same events on every run."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Iterator

import numpy as np

from app.astro.relative_motion import range_and_rate, relative_ric
from app.astro.timeutil import datetime_to_jd, format_utc
from app.catalog import Catalog
from app.catalog.filter import BREAKUP_SOURCE
from app.catalog.ingest import ReadResult, read_catalog_files
from app.catalog.ingest.records import ElementSet
from app.catalog.ingest.tle import read_tle_text
from app.catalog.maneuvers import compare
from app.common.resources import default_catalog_paths
from app.conjunction.closest_approach import Approach
from app.rpo.watch_pair import WatchPair
from app.rpo.watchlist import LOOK_AHEAD_H, AlertTracker, PairState, next_approach, pair_status
from app.scenario.breakup import break_up
from app.scenario.element_fit import FitError, fit_after_burn
from app.scenario.format import (BannerInject, BreakupInject, CatalogSpec, ElementSetSpec, ElementUpdateInject,
                                 ManeuverInject, MessageInject, NewObjectInject, Scenario, ScenarioError, ScenarioParts,
                                 SensorOutageInject, SensorsSpec, TaskingInject, TaskingSpec)
from app.scenario.references import reference_problems
from app.sensors.sites import Sensor, bundled_sensors
from app.tasking.request import SensorRequest, TaskingRequest, feasibility

log = logging.getLogger(__name__)
APPROACH_REFRESH_S = 3600.0  # predicted approaches are recomputed this often (and after every inject)


@dataclass(frozen=True)
class ScenarioEvent:
    sim_utc: str
    kind: str  # inject | alert | approach | tasking | message | banner | sensor
    severity: str  # normal | caution | serious | critical
    message: str
    data: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"sim_utc": self.sim_utc, "kind": self.kind, "severity": self.severity, "message": self.message,
                "data": self.data}


@dataclass
class ScenarioState:
    at: datetime
    catalog: Catalog
    outages: dict[str, datetime]  # sensor name -> in outage until
    banner: str
    requests: dict[str, TaskingRequest]
    applied: tuple[int, ...] = ()  # inject numbers applied, in order
    fired: list[ScenarioEvent] = field(default_factory=list)  # what the applied injects caused


def _element_set(spec: ElementSetSpec, source: str) -> ElementSet:
    result = read_tle_text(f"{spec.name}\n{spec.line1}\n{spec.line2}\n", source)
    if result.rejections:
        raise ValueError(str(result.rejections[0]))
    return result.element_sets[0]


def base_catalog(spec: CatalogSpec, folder: Path, bundled: Catalog | None = None) -> tuple[Catalog, tuple, int]:
    """The scenario's catalog at its start, the damaged records of its files (reported,
    skipped; the first ``MAX_KEPT``) and how many more there were: the bundled catalog
    (``bundled`` when already loaded) if asked for, the files, then the inline element sets on top."""
    reuse = spec.bundled and bundled is not None
    paths = (list(default_catalog_paths()) if spec.bundled and not reuse else []) + [folder / f for f in spec.files]
    result = read_catalog_files(paths) if paths else ReadResult()
    rejections, more = tuple(result.rejections), result.more_rejections
    for spec_set in spec.element_sets:
        result.element_sets.append(_element_set(spec_set, "scenario"))
    if not reuse:
        return Catalog.from_read_result(result), rejections, more
    return (_with(bundled, result.element_sets) if result.element_sets else bundled), rejections, more


def base_sensors(spec: SensorsSpec) -> list[Sensor]:
    sensors = list(bundled_sensors()) if spec.bundled else []
    for s in spec.add:
        sensors.append(Sensor(s.name, s.nation, s.provider, s.type, s.lat_deg, s.lon_deg, s.alt_m,
                              s.min_elevation_deg, s.max_range_km, standing=s.standing, user_defined=True))
    return sensors


def tasking_request(spec: TaskingSpec, data_mode: str) -> TaskingRequest:
    return TaskingRequest(spec.id, spec.title, spec.target, spec.nation, spec.unit,
                          SensorRequest(spec.sensor.kind, spec.sensor.value), spec.collection, spec.precedence,
                          spec.window_start, spec.window_end, spec.justification, spec.classification,
                          tuple(spec.releasable_to), data_mode, status=spec.status,
                          submitted_by=spec.nation if spec.status != "DRAFT" else "").validated()


class ScenarioRun:
    def __init__(self, scenario: Scenario, folder: Path | str = ".", bundled_catalog: Catalog | None = None):
        """``bundled_catalog``: the bundled catalog when it is already loaded (else it is read
        if the scenario asks for it); the scenario's files and inline element sets go on top."""
        self.scenario = scenario
        self.folder = Path(folder)
        self.injects = list(scenario.injects)  # the controller may edit, add or disable during a run
        self.base_catalog, self.rejections, self.more_rejections = base_catalog(scenario.catalog, self.folder,
                                                                                 bundled_catalog)
        self.sensors_base = base_sensors(scenario.sensors)
        problems = reference_problems(ScenarioParts.of(scenario), set(self.base_catalog.norad_id.tolist()),
                                      {s.name for s in self.sensors_base})
        if problems:  # refused before anything runs, each problem with its line in the file
            raise ScenarioError(scenario.locate(problems))
        self.pairs = [WatchPair(p.primary, p.secondary, p.caution_km, p.warning_km, p.closing_speed_km_s, p.notes,
                                data_mode=scenario.data_mode, id=number + 1)
                      for number, p in enumerate(scenario.watch_pairs)]
        self._states: list[ScenarioState] = [self._initial_state()]

    def copy(self) -> "ScenarioRun":
        """An independent run of the same scenario with the current injects (for a worker thread)."""
        other = object.__new__(ScenarioRun)
        other.scenario = self.scenario.model_copy(update={"injects": list(self.injects)})
        other.folder, other.injects = self.folder, list(self.injects)
        other.base_catalog, other.sensors_base, other.pairs = self.base_catalog, self.sensors_base, self.pairs
        other.rejections, other.more_rejections = self.rejections, self.more_rejections
        other._states = [self._states[0]]
        return other

    # --- set-up ----------------------------------------------------------------------------------

    def _initial_state(self) -> ScenarioState:
        requests = {spec.id: replace(tasking_request(spec, self.scenario.data_mode), version=1)
                    for spec in self.scenario.tasking_requests}
        return ScenarioState(self.scenario.start, self.base_catalog, {}, self.scenario.classification, requests)

    # --- injects ---------------------------------------------------------------------------------

    def order(self) -> list[int]:
        """Numbers of the enabled injects in firing order (time, then position in the file)."""
        return sorted((n for n, i in enumerate(self.injects) if i.enabled), key=lambda n: (self.injects[n].at, n))

    def replace_inject(self, number: int, inject) -> None:
        """Edit, disable (``enabled=False``) or move an inject; states from it on are recomputed."""
        self.injects[number] = inject
        self._forget_from(number)

    def add_inject(self, inject) -> int:
        self.injects.append(inject)
        self._forget_from(len(self.injects) - 1)
        return len(self.injects) - 1

    def _forget_from(self, number: int) -> None:
        """Drop the cached states from the first one that applied ``number`` (an edited inject
        changes everything after it). One not applied yet leaves the cache alone: ``state_at``
        checks the firing order depth by depth and recomputes from where it differs."""
        depth = next((d for d, state in enumerate(self._states) if number in state.applied), None)
        if depth is not None:
            self._states = self._states[:depth]

    def state_at(self, moment: datetime) -> ScenarioState:
        """The scenario at ``moment``: injects up to it applied, none after it."""
        due = [n for n in self.order() if self.injects[n].at <= moment]
        for depth, number in enumerate(due, start=1):
            if depth < len(self._states) and self._states[depth].applied[-1] == number:
                continue
            del self._states[depth:]
            self._states.append(self._apply(self._states[-1], number))
        state = self._states[len(due)]
        return replace(state, at=moment)

    def fired(self, state: ScenarioState, number: int) -> list[ScenarioEvent]:
        """The events inject ``number`` caused, in ``state`` (as returned by ``state_at``)."""
        return self._states[state.applied.index(number) + 1].fired

    def _apply(self, state: ScenarioState, number: int) -> ScenarioState:
        inject = self.injects[number]
        when = format_utc(inject.at)
        catalog, outages, banner, requests = state.catalog, dict(state.outages), state.banner, dict(state.requests)
        fired: list[ScenarioEvent] = []
        base = {"inject": number, "inject_kind": inject.kind, "note": inject.note}

        def event(kind: str, severity: str, message: str, **data) -> None:
            fired.append(ScenarioEvent(when, kind, severity, message, {**base, **data}))

        try:  # each kind below: what the inject changes, and the events it causes
            if isinstance(inject, ManeuverInject):
                catalog = self._maneuver(catalog, inject, event)
            elif isinstance(inject, NewObjectInject):
                new = _element_set(inject.element_set, f"inject {number}")
                catalog = _with(catalog, [new])
                event("inject", "caution", f"new object {new.norad_id} {new.name}", norad_id=new.norad_id)
            elif isinstance(inject, BreakupInject):
                catalog = self._breakup(catalog, inject, event)
            elif isinstance(inject, ElementUpdateInject):
                new = _element_set(inject.element_set, f"inject {number}")
                flag = (_flag(catalog.satrecs[catalog.row_of(new.norad_id)], new.satrec, new.norad_id)
                        if new.norad_id in catalog else None)
                event("inject", "caution" if flag else "normal",
                      f"new element set for {new.norad_id}" + (f"; {flag['message']}" if flag else ""),
                      norad_id=new.norad_id, **({"maneuver_flag": flag} if flag else {}))
                catalog = _with(catalog, [new])
            elif isinstance(inject, SensorOutageInject):
                outages[inject.sensor] = inject.until
                event("inject", "caution", f"sensor {inject.sensor} in outage until {format_utc(inject.until)}",
                      sensor=inject.sensor, until_utc=format_utc(inject.until))
            elif isinstance(inject, TaskingInject):
                request = tasking_request(inject.request, self.scenario.data_mode)
                changed = request.id in requests
                # a change is a newer version, so stores importing it replace the older one
                request = replace(request, version=requests[request.id].version + 1 if changed else 1)
                requests[request.id] = request
                event("inject", "normal", f"tasking request {request.id} {'changed' if changed else 'created'}: "
                      f"{request.title}", request_id=request.id)
            elif isinstance(inject, MessageInject):
                event("message", "normal", inject.text, audience=inject.audience)
            elif isinstance(inject, BannerInject):
                banner = inject.classification
                event("banner", "normal", f"classification banner: {banner}", classification=banner)
        except (FitError, ValueError, KeyError) as error:  # the inject is skipped, the run goes on
            event("inject", "serious", f"{inject.kind} inject {number} not applied: {error}")
        after = ScenarioState(inject.at, catalog, outages, banner, requests, state.applied + (number,), fired)
        if isinstance(inject, TaskingInject):
            fired += self._feasibility_events(after, inject.at, {inject.request.id})
        elif isinstance(inject, SensorOutageInject):
            touched = {r.id for r in requests.values() if any(
                s.name == inject.sensor and r.sensor_request.eligible(s) for s in self.sensors_base)}
            fired += self._feasibility_events(after, inject.at, touched)
        return after

    def _maneuver(self, catalog: Catalog, inject: ManeuverInject, event) -> Catalog:
        if inject.object not in catalog:
            raise KeyError(f"object {inject.object} is not in the catalog")
        row = catalog.row_of(inject.object)
        fit = fit_after_burn(catalog.satrecs[row], inject.object, inject.at, inject.delta_v_ric_m_s, inject.fit_hours)
        old = catalog.element_sets[row]
        new = replace(old, satrec=fit.satrec, source="scenario maneuver", location=format_utc(inject.at))
        dv = float(np.linalg.norm(inject.delta_v_ric_m_s))
        flag = _flag(old.satrec, fit.satrec, inject.object)  # as a catalog refresh would flag it: the consequence
        event("inject", "caution", f"{inject.object} burns {dv:.3f} m/s (RIC {list(inject.delta_v_ric_m_s)}); "
              f"elements refitted, residual RMS {fit.rms_km * 1000:.1f} m, max {fit.max_km * 1000:.1f} m over "
              f"{fit.span_h:g} h" + (f"; {flag['message']}" if flag else ""), norad_id=inject.object,
              delta_v_ric_m_s=list(inject.delta_v_ric_m_s), fit_rms_km=round(fit.rms_km, 6),
              fit_max_km=round(fit.max_km, 6), **({"maneuver_flag": flag} if flag else {}))
        return _with(catalog, [new])

    def _breakup(self, catalog: Catalog, inject: BreakupInject, event) -> Catalog:
        if inject.parent not in catalog:
            raise KeyError(f"parent {inject.parent} is not in the catalog")
        row = catalog.row_of(inject.parent)
        seed = inject.seed if inject.seed is not None else self.scenario.seed
        fragments, skipped = break_up(catalog.satrecs[row], str(catalog.name[row]), inject.at, inject.fragments,
                                      inject.delta_v_spread_m_s, seed, inject.first_id)
        parent = catalog.element_sets[row]
        sets = [replace(parent, satrec=f.fit.satrec, norad_id=f.norad_id, name=f.name, object_type="DEBRIS",
                        source=BREAKUP_SOURCE, location=format_utc(inject.at)) for f in fragments]
        worst = max((f.fit.max_km for f in fragments), default=0.0)
        event("inject", "serious", f"{inject.parent} broke up: {len(fragments)} fragments "
              f"({inject.first_id}-{inject.first_id + inject.fragments - 1}), spread {inject.delta_v_spread_m_s:g} m/s;"
              f" worst fit residual {worst * 1000:.1f} m", parent=inject.parent,
              fragments=[f.norad_id for f in fragments], skipped=skipped, worst_fit_km=round(worst, 6))
        return _with(catalog, sets)

    def outage_spans(self, state: ScenarioState) -> dict[str, list[tuple[int, datetime, datetime]]]:
        """Sensor name -> its outages so far, ``(inject number, from, until)`` in time order: the
        outage injects applied by ``state``. One made while the sensor is still out moves the
        end of that outage (shortens or extends it); one made once it is back starts another."""
        spans: dict[str, list[tuple[int, datetime, datetime]]] = {}
        for number in state.applied:
            inject = self.injects[number]
            if isinstance(inject, SensorOutageInject):
                known = spans.setdefault(inject.sensor, [])
                if known and known[-1][2] > inject.at:  # still out: the new time it returns
                    known[-1] = (known[-1][0], known[-1][1], inject.until)
                else:
                    known.append((number, inject.at, inject.until))
        return spans

    def sensors_at(self, state: ScenarioState) -> list[Sensor]:
        """The sensors at ``state.at``, each with its outage spans so far (feasibility removes
        only those spans) and, while one lasts, status "outage"."""
        spans = self.outage_spans(state)
        return [replace(s, status="outage" if any(a <= state.at < b for _n, a, b in spans[s.name]) else s.status,
                        outages=tuple((a, b) for _n, a, b in spans[s.name])) if s.name in spans else s
                for s in self.sensors_base]

    def returns(self, state: ScenarioState) -> list[tuple[int, str, datetime]]:
        """``(outage inject number, sensor, back in service at)`` of every outage that has
        ended by ``state.at``, in time order."""
        return sorted(((number, name, until) for name, known in self.outage_spans(state).items()
                       for number, _from, until in known if until <= state.at), key=lambda r: (r[2], r[0]))

    def return_events(self, number: int, sensor: str, back: datetime) -> list[ScenarioEvent]:
        """A sensor back in service (informational: not an alert), and the feasibility of the
        open requests it can serve, as it stands at that moment."""
        events = [ScenarioEvent(format_utc(back), "sensor", "normal", f"sensor {sensor} back in service",
                                {"sensor": sensor, "outage_inject": number, "back_utc": format_utc(back)})]
        state = self.state_at(back)
        touched = {r.id for r in state.requests.values() if any(
            s.name == sensor and r.sensor_request.eligible(s) for s in self.sensors_base)}
        return events + self._feasibility_events(state, back, touched)

    def _feasibility_events(self, state: ScenarioState, at: datetime,
                            only: set[str] | None = None) -> list[ScenarioEvent]:
        """Feasibility of the open requests (those in ``only``, or all), as it stands at ``at``."""
        sensors = self.sensors_at(replace(state, at=at))
        when = format_utc(at)
        events = []
        for request in state.requests.values():
            if (only is not None and request.id not in only) or request.status not in ("SUBMITTED", "APPROVED", "DRAFT") or request.window_end <= at:
                continue
            found = feasibility(request, state.catalog, sensors)
            if found.feasible:
                notes = "".join(f"; {note}" for note in found.notes)
                data = {"request_id": request.id, "passes": len(found.passes)}
                events.append(ScenarioEvent(when, "tasking", "normal", f"{request.id}: {len(found.passes)} feasible "
                                            f"passes{notes}", {**data, "notes": list(found.notes)} if notes else data))
            else:
                events.append(ScenarioEvent(when, "tasking", "caution", f"{request.id} INFEASIBLE: "
                                            + "; ".join(found.reasons), {"request_id": request.id,
                                                                         "reasons": list(found.reasons)}))
        return events

    # --- the run ---------------------------------------------------------------------------------

    def events(self, until: datetime | None = None) -> Iterator[ScenarioEvent]:
        """Every event from the start to ``until`` (default: the end), in simulation-time order."""
        end = min(until or self.scenario.end, self.scenario.end)
        step = timedelta(seconds=self.scenario.step_s)
        tracker = AlertTracker()
        announced: dict[int, tuple[str, float] | None] = {}
        approaches: dict[int, Approach | None] = {}
        refreshed_at: datetime | None = None
        state = self._states[0]
        if state.requests:
            yield from self._feasibility_events(state, self.scenario.start)
        returned: set[tuple[int, str, datetime]] = set()
        moment = self.scenario.start
        while moment <= end:
            now_state = self.state_at(moment)
            since: list[tuple[datetime, int, list[ScenarioEvent]]] = []  # what happened since the last step
            for depth in range(len(state.applied) + 1, len(now_state.applied) + 1):
                number = self._states[depth].applied[-1]
                since.append((self.injects[number].at, 1, self._states[depth].fired))  # the injects that fired
            for back in self.returns(now_state):
                if back not in returned:
                    returned.add(back)
                    since.append((back[2], 0, self.return_events(*back)))  # the sensors back in service
            for _at, _order, fired in sorted(since, key=lambda s: (s[0], s[1])):
                yield from fired
            changed = now_state.catalog is not state.catalog
            state = now_state
            if changed or refreshed_at is None or (moment - refreshed_at).total_seconds() >= APPROACH_REFRESH_S:
                approaches = {p.id: next_approach(state.catalog, p, moment, LOOK_AHEAD_H) for p in self.pairs}
                refreshed_at = moment
                for pair in self.pairs:
                    yield from self._approach_event(pair, approaches[pair.id], announced, moment)
            states = [self._pair_state(pair, state.catalog, moment, approaches.get(pair.id)) for pair in self.pairs]
            for alert in tracker.update(states, moment):
                yield ScenarioEvent(alert.sim_utc, "alert", alert.status, alert.message,
                                    {"pair": alert.pair_id, "previous": alert.previous, **_rounded(alert.data)})
            moment += step

    def _approach_event(self, pair: WatchPair, approach: Approach | None, announced: dict, moment: datetime):
        """Announce a predicted approach inside the caution range once; again only when it
        moves (miss by more than 10 m, TCA by more than 10 minutes: a slow GEO encounter's
        TCA is flat and wanders by seconds between predictions)."""
        key = None if approach is None or approach.miss_km > pair.caution_km else (approach.tca, approach.miss_km)
        previous = announced.get(pair.id)
        moved = previous is None or key is None or abs(key[1] - previous[1]) > 0.01 or abs(
            (key[0] - previous[0]).total_seconds()) > 600
        if key is not None and moved:
            severity = "serious" if approach.miss_km <= pair.warning_km else "caution"
            yield ScenarioEvent(format_utc(moment), "approach", severity,
                                f"{pair.primary_id} / {pair.secondary_id}: closest approach {approach.miss_km:.3f} km "
                                f"at {format_utc(approach.tca)[:19]}Z, {approach.relative_speed_km_s * 1000:.1f} m/s",
                                {"pair": pair.id, "tca_utc": format_utc(approach.tca),
                                 "miss_km": round(approach.miss_km, 6),
                                 "relative_speed_km_s": round(approach.relative_speed_km_s, 6)})
        if moved:
            announced[pair.id] = key

    @staticmethod
    def _pair_state(pair: WatchPair, catalog: Catalog, moment: datetime, approach: Approach | None) -> PairState:
        if pair.primary_id not in catalog or pair.secondary_id not in catalog:
            return PairState(pair, np.nan, np.nan, (np.nan,) * 3, None, None, "off", "not in the catalog")
        jd, fr = datetime_to_jd(moment)
        e1, r1, v1 = catalog.satrecs[catalog.row_of(pair.primary_id)].sgp4(jd, fr)
        e2, r2, v2 = catalog.satrecs[catalog.row_of(pair.secondary_id)].sgp4(jd, fr)
        if e1 or e2:
            return PairState(pair, np.nan, np.nan, (np.nan,) * 3, None, None, "off", "no valid state")
        r1, v1, r2, v2 = (np.array(x) for x in (r1, v1, r2, v2))
        distance, rate = range_and_rate(r1, v1, r2, v2)
        ric = tuple(float(x) for x in relative_ric(r1, v1, r2))
        time_to_tca = (approach.tca - moment).total_seconds() if approach else None
        status, reason = pair_status(pair, float(distance), float(rate), approach, time_to_tca)
        return PairState(pair, float(distance), float(rate), ric, approach, time_to_tca, status, reason)


def _flag(before, after, norad_id: int) -> dict | None:
    """The maneuver-flag rule of live catalog refreshes (``app.catalog.maneuvers``), for one
    object: what the inject's one event carries as its consequence (one event per cause)."""
    flag = compare(before, after, norad_id)
    return None if flag is None else {"message": flag.message(), "delta_a_km": round(flag.delta_a_km, 6)}


def _with(catalog: Catalog, element_sets: list[ElementSet]) -> Catalog:
    """The catalog with these element sets added or replacing the same catalog numbers."""
    replaced = {e.norad_id for e in element_sets}
    kept = [e for e in catalog.element_sets if e.norad_id not in replaced]
    return Catalog(kept + element_sets, catalog.rejections, more_rejections=catalog.more_rejections,
                   warnings=catalog.warnings, more_warnings=catalog.more_warnings)


def _rounded(data: dict) -> dict:
    """Floats to 6 decimals, so event files compare equal across runs and machines."""
    return {k: (round(v, 6) if isinstance(v, float) else [round(x, 6) for x in v] if isinstance(v, list) and v
                and isinstance(v[0], float) else v) for k, v in data.items()}

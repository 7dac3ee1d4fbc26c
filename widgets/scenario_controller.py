"""Plays a scenario in the window: the replay clock at its start and rate, its records
seeded once in the (exercise) database, and at every clock change the window showing the
scenario as it is at that time (catalog, sensors, banner, requests), each inject logged in
the event log the first time it fires, and each sensor's return from an outage when the clock
passes it, and the timeline's inject markers and forecast
approaches (a headless run of a copy on a worker thread)."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import timedelta
from PySide6.QtCore import QObject

from app.astro.timeutil import parse_utc
from app.scenario.run import ScenarioRun, ScenarioState
from app.storage import StoreError
from widgets.panels.scenario_panel import ScenarioPanel
from widgets.runner import JobRunner
from widgets.session import ConsoleSession

log = logging.getLogger(__name__)
INJECT_COLOR, APPROACH_COLOR = "#ffb302", "#ff3838"


class ScenarioController(QObject):
    def __init__(self, session: ConsoleSession, panel: ScenarioPanel):
        super().__init__(panel)
        self.session, self.panel = session, panel
        self.run: ScenarioRun | None = None
        self._applied: tuple | None = None  # (injects applied, outages ended) last shown
        self._logged: set[int] = set()  # injects already written to the event log
        self._returned: set[tuple] = set()  # sensors' returns from outages already written there
        self._hidden: set[str] = set()
        self.forecasts = JobRunner(self)  # the newer forecast wins
        self.database = JobRunner(self, serial=True)
        panel.injects_changed.connect(self._on_injects_changed)
        panel.jump_requested.connect(session.clock.jump_to)
        session.state.connect("clock", lambda _clock: self.apply_state())
        session.second.connect(lambda _now: self.apply_state())

    def open(self, run: ScenarioRun) -> None:
        """Replay clock paused at the start and rate; watermark, records, exercise control."""
        session, scenario = self.session, run.scenario
        self.run, self._applied, self._logged, self._returned = run, None, set(), set()
        with session.state.batch():
            session.state.scenario.path, session.state.scenario.name = str(run.folder), scenario.name
            session.state.banner.data_mode = scenario.data_mode
            session.state.clock.mode, session.state.clock.epoch_utc = "replay", scenario.start
            session.state.clock.rate, session.state.clock.paused = scenario.clock_rate, True
        self._seed_records()
        self.panel.set_run(run)
        session.span_changed.emit(scenario.start, scenario.end)
        self._show_inject_markers()
        self.apply_state()
        rejected = (f"; {len(run.rejections) + run.more_rejections} damaged catalog records skipped "
                    f"(first: {run.rejections[0]})"
                    if run.rejections else "")
        session.say(f"Scenario {scenario.name}: {len(scenario.injects)} injects; press Play to run{rejected}", 30000)

    def _seed_records(self) -> None:
        """The scenario's watch pairs and starting tasking requests, in its data mode, once
        (on the database thread; the watchlist and tasking panels reload when they are in)."""
        store, pairs = self.session.store, list(self.run.pairs)
        if store is None:
            return
        requests = list(self.run.state_at(self.run.scenario.start).requests.values())

        def work(_progress) -> list[str]:
            problems = []
            existing = {(p.primary_id, p.secondary_id, p.data_mode) for p in store.watch_pairs.all()}
            for pair in pairs:
                if (pair.primary_id, pair.secondary_id, pair.data_mode) not in existing:
                    try:
                        store.watch_pairs.add(replace(pair, id=None))
                    except (StoreError, ValueError) as error:
                        problems.append(f"Scenario watch pair not added: {error}")
            store.tasking.import_requests(requests, source="scenario", partner_file=False)
            return problems

        def seeded(problems: list[str]) -> None:
            for problem in problems:
                self.session.say(problem, 15000)
            self.session.watchlist_changed.emit()
            self.session.tasking_changed.emit(self._hidden)

        self.database.start("Seeding the scenario's records", work, seeded, exclusive=False,
                            on_error=lambda error: self.session.say(f"Scenario records not loaded: {error}", 15000))

    def _request_ids(self) -> set[str]:
        ids = {r.id for r in self.run.scenario.tasking_requests}
        return ids | {i.request.id for i in self.run.injects if i.kind == "tasking"}

    def _on_injects_changed(self, number: int) -> None:
        if self.run is None:
            return
        self._logged.discard(number)  # an edited inject is logged again when it fires
        self._applied = None
        self._show_inject_markers()
        self.apply_state()

    def apply_state(self) -> None:
        """Make the console show the scenario as it is at the clock's time (seeking included)."""
        if self.run is None:
            return
        session, now = self.session, self.session.now()
        state = self.run.state_at(now)
        returns = self.run.returns(state)  # an outage ending changes the sensors, with no inject
        self.panel.refresh(now)
        if (state.applied, returns) == self._applied:
            return
        self._applied = (state.applied, returns)
        if state.catalog is not session.catalog:
            session.set_catalog(state.catalog, [f"scenario: {self.run.scenario.name}"])  # the selection is kept
            flags = {e.data["norad_id"]: e.data["maneuver_flag"]["message"] for n in state.applied
                     for e in self.run.fired(state, n) if "maneuver_flag" in e.data}
            session.maneuver_flags_changed.emit(flags)  # a burn's consequence, shown as a refresh's would be
        session.set_sensors(self.run.sensors_at(state))
        mode = self.run.scenario.data_mode
        session.state.banner.marking = state.banner if mode in state.banner.upper() else f"{state.banner}//{mode}"
        # requests the scenario has not made yet at this time stay out of the tasking panel
        self._hidden = self._request_ids() - set(state.requests)
        session.tasking_changed.emit(self._hidden)
        fresh = [n for n in state.applied if n not in self._logged]
        back = [r for r in returns if r not in self._returned]
        if (fresh or back) and session.store is not None:
            self._log(state, fresh, back)

    def _log(self, state: ScenarioState, fresh: list[int], back: list[tuple]) -> None:
        """Log the injects that fired (and the requests they made) and the sensors back in
        service on the database thread."""
        session, store, mode = self.session, self.session.store, self.run.scenario.data_mode
        events = [e for r in back for e in self.run.return_events(*r)]  # back at an inject's time: back first
        events += [e for n in fresh for e in self.run.fired(state, n)]
        events.sort(key=lambda e: e.sim_utc)  # one format throughout: text order is time order
        requests = list(state.requests.values())
        self._logged |= set(fresh)  # asked once; a failure is said, not retried every second
        self._returned |= set(back)

        def work(_progress) -> None:
            store.event_log.log_many([{"sim_utc": e.sim_utc, "kind": e.kind, "severity": e.severity, "message": e.message,
                               "data": e.data} for e in events], data_mode=mode)
            store.tasking.import_requests(requests, source="scenario inject", partner_file=False)

        def logged(_none) -> None:
            session.events_changed.emit()
            session.tasking_changed.emit(self._hidden)
            if events:
                said = "INJECT" if fresh else "SENSOR"
                session.say(f"{said} {events[-1].sim_utc[:19]}Z: {events[-1].message}", 20000)

        self.database.start("Logging injects", work, logged, exclusive=False,
                            on_error=lambda error: session.say(f"Inject events not logged: {error}", 15000))

    # --- timeline --------------------------------------------------------------------------------

    def _label_gap_s(self) -> float:
        return self.run.scenario.duration_hours * 3600.0 / 12  # labels at least a twelfth of the span apart

    def _show_inject_markers(self) -> None:
        injects = sorted((i.at, i.at, i.kind) for i in self.run.injects if i.enabled)
        self.session.intervals_changed.emit("Injects", injects, INJECT_COLOR, self._label_gap_s())
        self._forecast()

    def _forecast(self) -> None:
        """Run a copy of the scenario headless on a worker and show its predicted approaches."""
        copy = self.run.copy()

        def work(progress) -> list:
            approaches = []
            for event in copy.events():
                progress.check()  # a newer forecast replaced this one: stop here
                if event.kind == "approach":
                    approaches.append(event)
            return approaches

        self.forecasts.start("Scenario forecast", work, self._on_forecast)

    def _on_forecast(self, events: list) -> None:
        latest = {}
        for event in events:  # the last prediction of each approach (by pair and 10-minute slot)
            tca = parse_utc(event.data["tca_utc"])
            latest[(event.data["pair"], round(tca.timestamp() / 600))] = (tca, event.data["miss_km"])
        bars = sorted((tca - timedelta(minutes=5), tca + timedelta(minutes=5), f"{miss:.1f} km")
                      for tca, miss in latest.values())
        self.session.intervals_changed.emit("Approaches", bars, APPROACH_COLOR, self._label_gap_s())

"""The RPO watchlist's live view: range, range rate, RIC position and the next closest
approach of each watched pair, a status in the Astro UXDS vocabulary, and alerts when a
pair crosses a threshold (in simulation time, whatever the clock rate)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np

from app.astro.relative_motion import range_and_rate, relative_ric
from app.astro.timeutil import datetime_to_jd, format_utc
from app.catalog import Catalog
from app.conjunction.closest_approach import Approach, PairMotion, closest_approaches
from app.live.engine import Snapshot
from app.rpo.watch_pair import WatchPair

LOOK_AHEAD_H = 72.0
SOON_S = 24 * 3600.0  # an approach inside the warning range this soon is critical
STATUS_RANK = {"critical": 0, "serious": 1, "caution": 2, "normal": 3, "off": 4}


@dataclass(frozen=True)
class PairState:
    pair: WatchPair
    range_km: float
    range_rate_km_s: float
    r_ric_km: tuple[float, float, float]
    approach: Approach | None  # the closest approach within the look-ahead
    time_to_tca_s: float | None
    status: str
    reason: str


def next_approach(catalog: Catalog, pair: WatchPair, start: datetime, hours: float = LOOK_AHEAD_H) -> Approach | None:
    """The closest approach of the pair within the look-ahead (None if a member is missing)."""
    if pair.primary_id not in catalog or pair.secondary_id not in catalog:
        return None
    primary = catalog.satrecs[catalog.row_of(pair.primary_id)]
    secondary = catalog.satrecs[catalog.row_of(pair.secondary_id)]
    found = closest_approaches(primary, secondary, start, hours * 3600.0, pair.primary_id, pair.secondary_id)
    return min(found, key=lambda a: a.miss_km) if found else None


def pair_status(pair: WatchPair, range_km: float, range_rate_km_s: float, approach: Approach | None,
                time_to_tca_s: float | None) -> tuple[str, str]:
    """critical: inside the warning range now, or predicted inside it within 24 h;
    serious: predicted inside the warning range later, or inside the caution range and
    closing faster than the pair's closing-speed threshold;
    caution: inside the caution range now or predicted inside it; normal otherwise."""
    miss = approach.miss_km if approach else np.inf
    soon = time_to_tca_s is not None and 0 <= time_to_tca_s <= SOON_S
    if range_km <= pair.warning_km:
        return "critical", f"range {range_km:.3f} km inside the warning range {pair.warning_km:g} km"
    if miss <= pair.warning_km and soon:
        return "critical", f"predicted miss {miss:.3f} km inside the warning range within 24 h"
    if miss <= pair.warning_km:
        return "serious", f"predicted miss {miss:.3f} km inside the warning range"
    closing_fast = pair.closing_speed_km_s is not None and -range_rate_km_s > pair.closing_speed_km_s
    if range_km <= pair.caution_km and closing_fast:
        return "serious", f"closing at {-range_rate_km_s:.3f} km/s inside the caution range"
    if range_km <= pair.caution_km:
        return "caution", f"range {range_km:.3f} km inside the caution range {pair.caution_km:g} km"
    if miss <= pair.caution_km:
        return "caution", f"predicted miss {miss:.3f} km inside the caution range"
    return "normal", ""


def evaluate(pairs: list[WatchPair], catalog: Catalog, snapshot: Snapshot,
             approaches: dict[int, Approach | None]) -> list[PairState]:
    """Each pair at the snapshot's epoch, most urgent first."""
    states = []
    for pair in pairs:
        if pair.primary_id not in catalog or pair.secondary_id not in catalog \
                or snapshot.catalog_version != catalog.version:
            states.append(PairState(pair, np.nan, np.nan, (np.nan,) * 3, None, None, "off",
                                    "not in the loaded catalog"))
            continue
        i, j = catalog.row_of(pair.primary_id), catalog.row_of(pair.secondary_id)
        if not (snapshot.valid[i] and snapshot.valid[j]):
            states.append(PairState(pair, np.nan, np.nan, (np.nan,) * 3, None, None, "off", "no valid state"))
            continue
        r1, v1, r2, v2 = snapshot.r_teme_km[i], snapshot.v_teme_km_s[i], snapshot.r_teme_km[j], snapshot.v_teme_km_s[j]
        distance, rate = range_and_rate(r1, v1, r2, v2)
        ric = tuple(float(x) for x in relative_ric(r1, v1, r2))
        approach = approaches.get(pair.id)
        time_to_tca = (approach.tca - snapshot.epoch).total_seconds() if approach else None
        status, reason = pair_status(pair, float(distance), float(rate), approach, time_to_tca)
        states.append(PairState(pair, float(distance), float(rate), ric, approach, time_to_tca, status, reason))
    return sorted(states, key=lambda s: (STATUS_RANK[s.status], s.time_to_tca_s if s.time_to_tca_s is not None
                                         else np.inf))


@dataclass(frozen=True)
class Alert:
    pair_id: int
    sim_utc: str
    status: str
    previous: str
    message: str
    data: dict


class AlertTracker:
    """Raises an alert when a pair's status gets worse than it was (in simulation time)."""

    def __init__(self):
        self._last: dict[int, str] = {}

    def update(self, states: list[PairState], epoch: datetime) -> list[Alert]:
        alerts = []
        for state in states:
            pair_id = state.pair.id
            previous = self._last.get(pair_id, "normal")
            self._last[pair_id] = state.status
            if state.status != "off" and STATUS_RANK[state.status] < STATUS_RANK[previous]:
                data = {"range_km": state.range_km, "range_rate_km_s": state.range_rate_km_s,
                        "r_ric_km": list(state.r_ric_km),
                        "tca_utc": format_utc(state.approach.tca) if state.approach else None,
                        "miss_km": state.approach.miss_km if state.approach else None}
                message = (f"{state.pair.primary_id} / {state.pair.secondary_id}: {previous} -> {state.status}: "
                           f"{state.reason}")
                alerts.append(Alert(pair_id, format_utc(epoch), state.status, previous, message, data))
        return alerts

    def forget(self, pair_id: int) -> None:
        self._last.pop(pair_id, None)

    def remember(self, statuses: dict[int, str]) -> None:
        """The statuses last alerted (from the event log): after a restart a pair already
        alerted for a condition is not alerted again until it gets worse."""
        for pair_id, status in statuses.items():
            if status in STATUS_RANK and pair_id not in self._last:
                self._last[pair_id] = status


def range_history(catalog: Catalog, pair: WatchPair, start: datetime, hours: float, points: int = 721):
    """(offsets s, range km, RIC km (N x 3)) over a window, for the pair's plots."""
    primary = catalog.satrecs[catalog.row_of(pair.primary_id)]
    secondary = catalog.satrecs[catalog.row_of(pair.secondary_id)]
    motion = PairMotion(primary, secondary, *datetime_to_jd(start))
    offsets = np.linspace(0.0, hours * 3600.0, points)
    valid, r1, v1, r2, _v2 = motion.states(offsets)
    distance = np.where(valid, np.linalg.norm(r2 - r1, axis=1), np.nan)
    ric = relative_ric(r1, v1, r2)
    ric[~valid] = np.nan
    return offsets, distance, ric

"""What a briefing page about a pair says, computed headless: the two objects, the moment,
range and range rate then, the range and RIC position of the secondary relative to the
primary from ``BEFORE_H`` before to ``AFTER_H`` after, every closest approach in the next
``AHEAD_H`` hours (SGP4, TCA as the root of the range rate), both ground tracks around the
moment, and, when a CDM about the pair is given, its numbers beside ours (Pc by Foster's
method with the radius the message states, else the console's default).

The page's marking is the highest of the pair's (when it is a watch pair) and the two
element sets'."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np

from app.astro.frames import itrs_to_geodetic, teme_to_itrs_many_epochs
from app.astro.timeutil import SECONDS_PER_DAY, datetime_to_jd
from app.catalog import Catalog
from app.common.marking import CLASSIFICATIONS, DEFAULT_CLASSIFICATION
from app.conjunction.closest_approach import Approach, PairMotion, closest_approaches, range_and_rate
from app.rpo.watch_pair import WatchPair
from app.rpo.watchlist import range_history

BEFORE_H, AFTER_H, AHEAD_H = 6.0, 18.0, 72.0
TRACK_MIN = 100.0  # ground tracks: this many minutes either side of the moment
MAX_APPROACHES = 12
_CLASSIFICATION_BY_LETTER = {"U": "UNCLASSIFIED", "C": "CONFIDENTIAL", "S": "SECRET"}


@dataclass(frozen=True)
class CdmNumbers:
    source: str
    tca_utc: datetime
    miss_km: float
    pc_in_message: float | None
    pc_ours: float
    hbr_m: float
    hbr_source: str


@dataclass
class PairBriefing:
    primary_id: int
    secondary_id: int
    primary_name: str
    secondary_name: str
    at: datetime
    marking: str
    range_km: float
    range_rate_km_s: float
    offsets_s: np.ndarray  # from ``at`` - BEFORE_H
    range_series_km: np.ndarray
    ric_series_km: np.ndarray  # (N, 3)
    approaches: list[Approach]
    tracks_deg: list[tuple[np.ndarray, np.ndarray]]  # (lat, lon) of primary, secondary
    positions_deg: list[tuple[float, float]]  # (lat, lon) of each at ``at``
    caution_km: float | None = None
    warning_km: float | None = None
    notes: str = ""
    cdm: CdmNumbers | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def series_start(self) -> datetime:
        return self.at - timedelta(hours=BEFORE_H)


def _marking(catalog: Catalog, rows: list[int], pair: WatchPair | None) -> str:
    levels = [_CLASSIFICATION_BY_LETTER.get(str(catalog.classification[r]), DEFAULT_CLASSIFICATION) for r in rows]
    if pair is not None:
        levels.append(pair.classification)
    highest = max(levels, key=lambda c: CLASSIFICATIONS.index(c) if c in CLASSIFICATIONS else 0)
    releasable = f"//REL TO {pair.releasability}" if pair is not None and pair.releasability else ""
    return highest + releasable


def pair_briefing(catalog: Catalog, primary_id: int, secondary_id: int, at: datetime,
                  pair: WatchPair | None = None, cdm=None, hbr_m: float | None = None) -> PairBriefing:
    """KeyError when either object is not in the catalog."""
    rows = [catalog.row_of(primary_id), catalog.row_of(secondary_id)]
    watch = pair or WatchPair(primary_id, secondary_id)
    start = at - timedelta(hours=BEFORE_H)
    offsets, distance, ric = range_history(catalog, watch, start, BEFORE_H + AFTER_H, points=721)
    primary, secondary = catalog.satrecs[rows[0]], catalog.satrecs[rows[1]]
    motion = PairMotion(primary, secondary, *datetime_to_jd(at))
    valid, r1, v1, r2, v2 = motion.states(np.array([0.0]))
    range_now, rate_now = (float(x[0]) for x in range_and_rate(r1, v1, r2, v2)) if valid[0] else (np.nan, np.nan)
    approaches = closest_approaches(primary, secondary, at, AHEAD_H * 3600.0, primary_id, secondary_id)
    approaches = sorted(approaches, key=lambda a: a.miss_km)[:MAX_APPROACHES]
    briefing = PairBriefing(primary_id, secondary_id, str(catalog.name[rows[0]]) or str(primary_id),
                            str(catalog.name[rows[1]]) or str(secondary_id), at, _marking(catalog, rows, pair),
                            range_now, rate_now, offsets, distance, ric, sorted(approaches, key=lambda a: a.tca),
                            *_tracks(catalog, rows, at),
                            caution_km=pair.caution_km if pair else None, warning_km=pair.warning_km if pair else None,
                            notes=pair.notes if pair else "")
    if cdm is not None:
        briefing.cdm = _cdm_numbers(cdm, hbr_m)
        ids = {cdm.object1.norad_id, cdm.object2.norad_id}
        if ids != {primary_id, secondary_id}:
            briefing.warnings.append(f"the CDM {cdm.source} is about {sorted(i for i in ids if i)}, not this pair")
    if not len(approaches):
        briefing.warnings.append(f"no closest approach in the next {AHEAD_H:.0f} h")
    return briefing


def _tracks(catalog: Catalog, rows: list[int], at: datetime):
    jd, fr = datetime_to_jd(at)
    minutes = np.linspace(-TRACK_MIN, TRACK_MIN, 201)
    frs = fr + minutes * 60.0 / SECONDS_PER_DAY
    tracks, positions = [], []
    for row in rows:
        error, r, _v = catalog.satrecs[row].sgp4_array(np.full(frs.shape, jd), frs)
        lat, lon, _alt = itrs_to_geodetic(teme_to_itrs_many_epochs(r, np.full(frs.shape, jd), frs))
        lat, lon = np.where(error == 0, lat, np.nan), np.where(error == 0, lon, np.nan)
        tracks.append((lat, lon))
        positions.append((float(lat[100]), float(lon[100])))
    return tracks, positions


def _cdm_numbers(cdm, hbr_m: float | None) -> CdmNumbers:
    from app.conjunction.collision_probability import cdm_pc, hard_body_radius

    radius = hard_body_radius(cdm, hbr_m)
    return CdmNumbers(cdm.source, cdm.tca, cdm.miss_distance_km, cdm.collision_probability,
                      cdm_pc(cdm, radius.metres), radius.metres, radius.source)

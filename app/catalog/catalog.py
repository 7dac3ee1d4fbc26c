"""The catalog: every object's elements and metadata held as columns, plus its SGP4 state.

A :class:`Catalog` is immutable. Loading files, merging or filtering makes a new one
with a new ``version``; the engine keys its work on that version. The ``Satrec`` objects
are gathered into ``SatrecArray`` chunks once, when the catalog is built, never per tick.
"""

from __future__ import annotations

import itertools
import logging
import math
import time
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
from sgp4.api import Satrec, SatrecArray

from app.astro.constants import WGS72_EARTH_RADIUS_KM
from app.astro.timeutil import datetime_to_jd, format_utc, jd_to_datetime
from app.catalog import classify
from app.catalog.ingest import ElementSet, ReadResult, RecordWarning, Rejection, read_catalog_files
from app.catalog.owners import FROM_GCAT, FROM_LAUNCH, FROM_NAME, FROM_NOTHING, gcat_payload_ids, infer_owner
from app.common.progress import Progress
from app.common.resources import default_catalog_paths

log = logging.getLogger(__name__)

DEFAULT_CHUNK_SIZE = 2048  # objects per SatrecArray call: about 1-2 ms of GIL-holding work
STALE_ELEMENT_AGE_DAYS = 7.0  # element sets older than this at the clock's time are flagged
SUMMARY_OWNER_STATES = 10  # owner states counted one by one in the summary; the rest are "other"
_versions = itertools.count(1)
_MARKINGS = {"U": "UNCLASSIFIED", "C": "CONFIDENTIAL", "S": "SECRET"}


@dataclass(frozen=True)
class Superseded:
    """An element set dropped because the same catalog number came with a newer epoch."""

    norad_id: int
    source: str
    location: str
    kept_source: str
    kept_location: str


@dataclass(frozen=True)
class SatrecChunk:
    start: int
    stop: int
    array: SatrecArray


class Catalog:
    """Columns (numpy arrays, one row per object) over de-duplicated element sets."""

    def __init__(self, element_sets: Sequence[ElementSet], rejections: Sequence[Rejection] = (),
                 superseded: Sequence[Superseded] = (), chunk_size: int = DEFAULT_CHUNK_SIZE,
                 more_rejections: int = 0, warnings: Sequence[RecordWarning] = (), more_warnings: int = 0):
        self.version = next(_versions)
        # what the files' readers kept in full, and how many more they only counted
        self.rejections: tuple[Rejection, ...] = tuple(rejections)
        self.more_rejections = more_rejections
        self.warnings: tuple[RecordWarning, ...] = tuple(warnings)
        self.more_warnings = more_warnings
        self.superseded: tuple[Superseded, ...] = tuple(superseded)
        self.element_sets: tuple[ElementSet, ...] = tuple(element_sets)
        self.satrecs: tuple[Satrec, ...] = tuple(e.satrec for e in self.element_sets)
        self.chunk_size = chunk_size
        self._build_columns()
        self.chunks: tuple[SatrecChunk, ...] = tuple(
            SatrecChunk(start, min(start + chunk_size, len(self)),
                        SatrecArray(list(self.satrecs[start:start + chunk_size])))
            for start in range(0, len(self), chunk_size)
        )
        self._row_of_id = {int(n): i for i, n in enumerate(self.norad_id)}

    # --- construction -----------------------------------------------------------------

    @classmethod
    def from_read_result(cls, result: ReadResult, **kwargs) -> "Catalog":
        kept, superseded = newest_per_catalog_number(result.element_sets)
        return cls(kept, result.rejections, superseded, more_rejections=result.more_rejections,
                   warnings=result.warnings, more_warnings=result.more_warnings, **kwargs)

    @classmethod
    def load(cls, paths: Iterable[str | Path], progress: Progress | None = None, **kwargs) -> "Catalog":
        """Read and build. ``progress`` hears ``(files done, files in all, path)`` before each
        file and ``(files in all, files in all, "")`` when all are read; once it is cancelled
        the load stops at the next file with :class:`~app.common.progress.Cancelled` and
        builds nothing."""
        started = time.perf_counter()
        paths = list(paths)
        catalog = cls.from_read_result(read_catalog_files(paths, progress=progress), **kwargs)
        log.info("loaded %d objects from %d files in %.3f s (%d rejected, %d superseded)",
                 len(catalog), len(paths), time.perf_counter() - started,
                 catalog.rejected_count, len(catalog.superseded))
        return catalog

    @classmethod
    def load_default(cls, **kwargs) -> "Catalog":
        return cls.load(default_catalog_paths(), **kwargs)

    @classmethod
    def empty(cls) -> "Catalog":
        return cls([])

    def _build_columns(self) -> None:
        sets, sats = self.element_sets, self.satrecs
        self.norad_id = np.array([e.norad_id for e in sets], dtype=np.int64)
        self.name = np.array([e.name for e in sets], dtype=str)
        self.intl_designator = np.array([e.intl_designator for e in sets], dtype=str)
        self.classification = np.array([e.classification for e in sets], dtype="<U1")
        self.source_file = np.array([e.source for e in sets], dtype=object)
        self.source_location = np.array([e.location for e in sets], dtype=object)
        self.epoch_jd = np.array([s.jdsatepoch for s in sats], dtype=float)
        self.epoch_fr = np.array([s.jdsatepochF for s in sats], dtype=float)
        self.inclination_deg = np.degrees([s.inclo for s in sats]).astype(float)
        self.raan_deg = np.degrees([s.nodeo for s in sats]).astype(float)
        self.arg_perigee_deg = np.degrees([s.argpo for s in sats]).astype(float)
        self.mean_anomaly_deg = np.degrees([s.mo for s in sats]).astype(float)
        self.eccentricity = np.array([s.ecco for s in sats], dtype=float)
        self.bstar = np.array([s.bstar for s in sats], dtype=float)
        no_kozai_rad_min = np.array([s.no_kozai for s in sats], dtype=float)
        self.mean_motion_rev_day = no_kozai_rad_min * 1440.0 / (2.0 * math.pi)
        no_unkozai = np.array([s.no for s in sats], dtype=float)  # Brouwer mean motion, rad/min
        with np.errstate(divide="ignore", invalid="ignore"):
            self.period_min = np.where(no_unkozai > 0, 2.0 * math.pi / no_unkozai, np.nan)
        self.semi_major_axis_km = np.array([s.a for s in sats], dtype=float) * WGS72_EARTH_RADIUS_KM
        self.apogee_alt_km = self.semi_major_axis_km * (1.0 + self.eccentricity) - WGS72_EARTH_RADIUS_KM
        self.perigee_alt_km = self.semi_major_axis_km * (1.0 - self.eccentricity) - WGS72_EARTH_RADIUS_KM
        self.regime = classify.orbit_regime(self.mean_motion_rev_day, self.eccentricity, self.apogee_alt_km)
        owners = [infer_owner(e.norad_id, e.name, e.intl_designator) for e in sets]
        self.owner_state = np.array([owner for owner, _ in owners], dtype=str)
        self.owner_basis = np.array([basis for _, basis in owners], dtype="<U6")  # GCAT, name, launch or ""
        payloads = gcat_payload_ids()
        self.object_type = np.array([_object_type(e, payloads) for e in sets], dtype="<U11")
        if not len(sets):  # keep string columns typed even when empty
            for column in ("name", "intl_designator", "owner_state", "owner_basis"):
                setattr(self, column, np.array([], dtype="<U1"))

    # --- queries --------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.element_sets)

    @property
    def rejected_count(self) -> int:
        """Records rejected in all, listed in ``rejections`` or not."""
        return len(self.rejections) + self.more_rejections

    def row_of(self, norad_id: int) -> int:
        """Row index of a catalog number; ``KeyError`` when absent."""
        return self._row_of_id[int(norad_id)]

    def rows_of(self, norad_ids: Iterable[int]) -> np.ndarray:
        return np.array([self.row_of(n) for n in norad_ids], dtype=np.int64)

    def __contains__(self, norad_id: object) -> bool:
        return isinstance(norad_id, (int, np.integer)) and int(norad_id) in self._row_of_id

    def marking(self, row: int) -> str:
        """The element set's own classification marking, spelled out."""
        return _MARKINGS.get(str(self.classification[row]), "UNMARKED")

    def epoch_utc(self, row: int) -> datetime:
        return jd_to_datetime(float(self.epoch_jd[row]), float(self.epoch_fr[row]))

    def element_age_days(self, at: datetime) -> np.ndarray:
        """Age of each element set at ``at`` (negative when the epoch is in the future)."""
        jd, fr = datetime_to_jd(at)
        return (jd - self.epoch_jd) + (fr - self.epoch_fr)

    def stale_mask(self, at: datetime, max_age_days: float = STALE_ELEMENT_AGE_DAYS) -> np.ndarray:
        return np.abs(self.element_age_days(at)) > max_age_days

    @cached_property
    def satrec_array(self) -> SatrecArray:
        """All objects in one array (for tools that want a single call; the engine uses chunks)."""
        return SatrecArray(list(self.satrecs))

    def subset(self, rows: Sequence[int] | np.ndarray) -> "Catalog":
        """A new catalog of the given rows (same element sets, new version)."""
        return Catalog([self.element_sets[int(r)] for r in rows], chunk_size=self.chunk_size)

    def summary(self) -> dict:
        """Counts by object type, owner and regime, epoch range: what ``catalog info`` prints."""
        epochs = self.epoch_jd + self.epoch_fr
        first = int(np.argmin(epochs)) if len(self) else None
        last = int(np.argmax(epochs)) if len(self) else None
        return {
            "objects": len(self),
            "by_object_type": {t: int(np.count_nonzero(self.object_type == t)) for t in classify.OBJECT_TYPES},
            "by_owner_state": self._owner_counts(),
            "owner_from": {label: int(np.count_nonzero(self.owner_basis == basis))
                           for label, basis in _OWNER_BASIS_LABELS},
            "by_regime": {r: int(np.count_nonzero(self.regime == r)) for r in classify.ORBIT_REGIMES},
            "epoch_min_utc": format_utc(self.epoch_utc(first)) if first is not None else None,
            "epoch_max_utc": format_utc(self.epoch_utc(last)) if last is not None else None,
            "sources": sorted(set(self.source_file.tolist())),
            "rejected": [r.as_dict() for r in self.rejections],  # the first ones; the count says all
            "rejected_count": self.rejected_count,
            "warnings": [w.as_dict() for w in self.warnings],
            "warning_count": len(self.warnings) + self.more_warnings,
            "superseded": len(self.superseded),
        }

    def _owner_counts(self, shown: int = SUMMARY_OWNER_STATES) -> dict[str, int]:
        """The most common owner states, then "other" and "none": they add up to the objects."""
        states, counts = np.unique(self.owner_state[self.owner_state != ""], return_counts=True)
        order = np.argsort(-counts, kind="stable")
        result = {str(states[i]): int(counts[i]) for i in order[:shown]}
        result["other"] = int(counts[order[shown:]].sum())
        result["none"] = int(np.count_nonzero(self.owner_state == ""))
        return result


_OWNER_BASIS_LABELS = (("GCAT", FROM_GCAT), ("name (inferred)", FROM_NAME), ("launch (inferred)", FROM_LAUNCH),
                       ("none", FROM_NOTHING))


def _object_type(element_set: ElementSet, gcat_payloads: frozenset[int]) -> str:
    """OMM OBJECT_TYPE when given; else the name's markers (DEB, R/B); else PAYLOAD when GCAT
    lists it as a payload or (inferred) when the object is named at all: the catalogs name
    every rocket body and piece of debris as such. A piece not identified yet ("OBJECT C",
    "TBA", its designator) stays UNKNOWN."""
    if element_set.object_type:
        return element_set.object_type
    by_name = classify.object_type_from_name(element_set.name)
    if by_name != classify.UNKNOWN:
        return by_name
    if element_set.norad_id in gcat_payloads:
        return classify.PAYLOAD
    if not classify.is_unidentified_piece(element_set.name):
        return classify.PAYLOAD
    return classify.UNKNOWN


def newest_per_catalog_number(element_sets: Iterable[ElementSet]) -> tuple[list[ElementSet], list[Superseded]]:
    """Keep one element set per catalog number: the newest epoch (on a tie, the later one read)."""
    kept: dict[int, ElementSet] = {}
    superseded: list[Superseded] = []
    for candidate in element_sets:
        current = kept.get(candidate.norad_id)
        if current is None:
            kept[candidate.norad_id] = candidate
            continue
        newer, older = (candidate, current) if candidate.epoch_jd >= current.epoch_jd else (current, candidate)
        kept[candidate.norad_id] = newer
        superseded.append(Superseded(older.norad_id, older.source, older.location, newer.source, newer.location))
    return list(kept.values()), superseded

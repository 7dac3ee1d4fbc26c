"""The catalog: every object's elements and metadata held as columns, plus its SGP4 state.

A :class:`Catalog` is immutable. Loading files, merging or filtering makes a new one
with a new ``version``; the engine keys its work on that version. The ``Satrec`` objects
are gathered into ``SatrecArray`` chunks once, when the catalog is built, never per tick.
"""

from __future__ import annotations

import itertools
import logging
import math
import threading
import time
from dataclasses import dataclass, fields, replace
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
from sgp4.api import SGP4_ERRORS, Satrec, SatrecArray

from app.astro.constants import WGS72_EARTH_RADIUS_KM
from app.astro.ephemeris_satrec import EPHEMERIS_OUTSIDE_SPAN, answer_ephemerides, ephemeris_members
from app.astro.timeutil import datetime_to_jd, format_utc, jd_to_datetime
from app.catalog import cache, classify
from app.catalog.ingest import ElementSet, ReadResult, RecordWarning, Rejection, read_catalog_files
from app.catalog.ingest.ephemeris_objects import identify_ephemeris_objects, is_ephemeris_object
from app.catalog.ingest.records import satrec_from
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
    ephemeris_members: tuple = ()  # (index in the chunk, EphemerisSatrec): answered from their ephemerides

    def sgp4(self, jd: np.ndarray, fr: np.ndarray):
        """``array.sgp4(jd, fr)`` with the chunk's ephemeris objects answered from their ephemerides."""
        error, r, v = self.array.sgp4(jd, fr)
        answer_ephemerides(self.ephemeris_members, jd, fr, error, r, v)
        return error, r, v


class Catalog:
    """Columns (numpy arrays, one row per object) over de-duplicated element sets."""

    def __init__(self, element_sets: Sequence[ElementSet], rejections: Sequence[Rejection] = (),
                 superseded: Sequence[Superseded] = (), chunk_size: int = DEFAULT_CHUNK_SIZE,
                 more_rejections: int = 0, warnings: Sequence[RecordWarning] = (), more_warnings: int = 0,
                 *, _owners_and_types: dict[str, np.ndarray] | None = None):
        self._start(rejections, more_rejections, warnings, more_warnings, superseded, chunk_size)
        self._use_element_sets(tuple(element_sets))
        self._build_columns(_owners_and_types)
        self._row_of_id = {int(n): i for i, n in enumerate(self.norad_id)}

    def _start(self, rejections: Sequence[Rejection], more_rejections: int, warnings: Sequence[RecordWarning],
               more_warnings: int, superseded: Sequence[Superseded], chunk_size: int) -> None:
        self.version = next(_versions)
        # what the files' readers kept in full, and how many more they only counted
        self.rejections: tuple[Rejection, ...] = tuple(rejections)
        self.more_rejections = more_rejections
        self.warnings: tuple[RecordWarning, ...] = tuple(warnings)
        self.more_warnings = more_warnings
        self.superseded: tuple[Superseded, ...] = tuple(superseded)
        self.chunk_size = chunk_size
        self._stored: _StoredElementSets | None = None  # a cached catalog's element sets, until first needed
        self._making = threading.Lock()

    def _use_element_sets(self, element_sets: tuple[ElementSet, ...]) -> None:
        satrecs = tuple(e.satrec for e in element_sets)
        self._satrecs: tuple[Satrec, ...] = satrecs
        self._chunks: tuple[SatrecChunk, ...] = tuple(
            SatrecChunk(start, min(start + self.chunk_size, len(satrecs)),
                        SatrecArray(list(satrecs[start:start + self.chunk_size])),
                        ephemeris_members(satrecs[start:start + self.chunk_size]))
            for start in range(0, len(satrecs), self.chunk_size)
        )
        self._element_sets: tuple[ElementSet, ...] | None = element_sets  # last: the others are ready

    # --- element sets and SGP4 state (a catalog from the cache makes them when first asked) ---

    @property
    def element_sets(self) -> tuple[ElementSet, ...]:
        if self._element_sets is None:
            self._make_element_sets()
        return self._element_sets

    @property
    def satrecs(self) -> tuple[Satrec, ...]:
        if self._element_sets is None:
            self._make_element_sets()
        return self._satrecs

    @property
    def chunks(self) -> tuple[SatrecChunk, ...]:
        """The satrecs gathered into ``SatrecArray``s of ``chunk_size`` objects."""
        if self._element_sets is None:
            self._make_element_sets()
        return self._chunks

    def _make_element_sets(self) -> None:
        with self._making:  # once, whichever thread asks first
            if self._element_sets is None:
                started = time.perf_counter()
                self._use_element_sets(self._stored.all())
                self._stored = None
                log.debug("made %d element sets from the catalog cache in %.3f s", len(self),
                          time.perf_counter() - started)

    def _element_set(self, row: int) -> ElementSet:
        """One row's element set, without making the others of a cached catalog."""
        sets, stored = self._element_sets, self._stored
        if sets is None and stored is not None:
            return stored.one(row)
        return self.element_sets[row]

    # --- construction -----------------------------------------------------------------

    @classmethod
    def from_read_result(cls, result: ReadResult, **kwargs) -> "Catalog":
        element_sets, unmatched = identify_ephemeris_objects(result.element_sets)
        kept, superseded = newest_per_catalog_number(element_sets)
        return cls(kept, result.rejections, superseded, more_rejections=result.more_rejections,
                   warnings=list(result.warnings) + unmatched, more_warnings=result.more_warnings, **kwargs)

    @classmethod
    def load(cls, paths: Iterable[str | Path], progress: Progress | None = None, *, lazy: bool = False,
             **kwargs) -> "Catalog":
        """Read and build. ``progress`` hears ``(files done, files in all, path)`` before each
        file and ``(files in all, files in all, "")`` when all are read; once it is cancelled
        the load stops at the next file with :class:`~app.common.progress.Cancelled` and
        builds nothing.

        Files read before come from the parsed-catalog cache (``app.catalog.cache``) when
        nothing in them changed. ``lazy``: such a catalog makes its element sets and satrecs
        when first asked, one row at a time for a subset (a command that answers for a few
        objects never makes the others); by default they are made here, on the loading
        thread, so that no later reader waits for them."""
        started = time.perf_counter()
        paths = list(paths)
        key = cache.key_of(paths) if cache.cache_folder() is not None else None
        stored = cache.read_entry(key) if key is not None else None
        catalog = cls._from_stored(stored, lazy, **kwargs) if stored is not None else None
        from_cache = catalog is not None
        if from_cache:
            total = sum(key.sizes)
            if progress is not None:  # the reports a parse would give, file by file
                for k, path in enumerate(paths):
                    progress.report(sum(key.sizes[:k]), total, str(path))
                progress.report(total, total, "")
        else:
            catalog = cls.from_read_result(read_catalog_files(paths, progress=progress), **kwargs)
            stored_form = catalog._stored_form() if key is not None else None
            if stored_form is not None and cache.key_of(paths) == key:  # unchanged while they were read
                cache.write_entry(key, stored_form)
        log.info("loaded %d objects from %d files in %.3f s (%d rejected, %d superseded)%s",
                 len(catalog), len(paths), time.perf_counter() - started,
                 catalog.rejected_count, len(catalog.superseded), " from the cache" if from_cache else "")
        return catalog

    # --- the catalog cache (``app.catalog.cache``) ----------------------------------------

    def _stored_form(self) -> dict | None:
        """Everything this catalog holds, as the cache stores it: its columns, how to make
        each element set again, and what the files' readers reported; None when an element
        set does not say what its satrec was made from."""
        sets = self.element_sets
        if any(e.origin is None for e in sets):
            return None
        columns = {name: value for name, value in vars(self).items() if isinstance(value, np.ndarray)}
        return {
            "columns": {name: cache.encode_array(value) for name, value in columns.items()},
            "element_sets": _StoredElementSets.encode(sets, columns),
            "rejections": [_plain(r) for r in self.rejections], "more_rejections": self.more_rejections,
            "warnings": [_plain(w) for w in self.warnings], "more_warnings": self.more_warnings,
            "superseded": [_plain(s) for s in self.superseded],
        }

    @classmethod
    def _from_stored(cls, stored: dict, lazy: bool, chunk_size: int = DEFAULT_CHUNK_SIZE) -> "Catalog | None":
        """The catalog a cache entry holds (``lazy``: its element sets not made yet); None
        (parse the files) if it does not hold one."""
        try:
            columns = {name: cache.decode_array(value) for name, value in stored["columns"].items()}
            element_sets = _StoredElementSets(stored["element_sets"], columns)
            if not all(len(column) == len(element_sets) for column in columns.values()):
                raise ValueError("columns of different lengths")
            catalog = cls.__new__(cls)
            catalog._start([Rejection(*r) for r in stored["rejections"]], stored["more_rejections"],
                           [RecordWarning(*w) for w in stored["warnings"]], stored["more_warnings"],
                           [Superseded(*s) for s in stored["superseded"]], chunk_size)
            catalog._element_sets = None
            catalog._stored = element_sets
            for name, column in columns.items():
                setattr(catalog, name, column)
            catalog._row_of_id = {n: i for i, n in enumerate(catalog.norad_id.tolist())}
            if not lazy:
                catalog._make_element_sets()
            elif len(element_sets):
                element_sets.one(0)  # at least the form of what will be made
        except Exception as error:  # noqa: BLE001 - an entry that does not fit is no catalog
            log.debug("catalog cache: entry not usable (%s: %s); parsing the files", type(error).__name__, error)
            return None
        return catalog

    @classmethod
    def load_default(cls, **kwargs) -> "Catalog":
        return cls.load(default_catalog_paths(), **kwargs)

    @classmethod
    def empty(cls) -> "Catalog":
        return cls([])

    def _build_columns(self, owners_and_types: dict[str, np.ndarray] | None = None) -> None:
        """The columns, from the element sets; ``owners_and_types`` holds the owner and object
        type columns when they are known already (a subset's, from its catalog)."""
        sets, sats = self._element_sets, self._satrecs
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
        if owners_and_types is None:
            owners = [infer_owner(e.norad_id, e.name, e.intl_designator) for e in sets]
            payloads = gcat_payload_ids()
            owner_states = [owner for owner, _ in owners]
            owner_bases = [basis for _, basis in owners]
            object_types = [_object_type(e, payloads) for e in sets]
        else:
            owner_states, owner_bases, object_types = (owners_and_types[name].tolist() for name in _OWNER_AND_TYPE)
        self.owner_state = np.array(owner_states, dtype=str)
        self.owner_basis = np.array(owner_bases, dtype="<U6")  # GCAT, name, launch or ""
        self.object_type = np.array(object_types, dtype="<U11")
        if not len(sets):  # keep string columns typed even when empty
            for column in ("name", "intl_designator", "owner_state", "owner_basis"):
                setattr(self, column, np.array([], dtype="<U1"))

    # --- queries --------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.norad_id)

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

    def is_ephemeris(self, row: int) -> bool:
        """Whether the row's states come from an operator's ephemeris (an OEM), not SGP4."""
        return self.ephemeris(row) is not None

    def ephemeris(self, row: int):
        """The row's :class:`~app.astro.ephemeris.Ephemeris`, or None for an SGP4 object."""
        element_set = self._element_set(row)
        return element_set.satrec.ephemeris if is_ephemeris_object(element_set) else None

    def ephemeris_span_text(self, row: int) -> str:
        """'2026-08-12 06:00:00 → 2026-08-12 18:00:00 UTC': the row's ephemeris's useable span(s); ''
        for an SGP4 object."""
        ephemeris = self.ephemeris(row)
        if ephemeris is None:
            return ""
        return "; ".join(f"{start:%Y-%m-%d %H:%M:%S} → {stop:%Y-%m-%d %H:%M:%S} UTC"
                         for start, stop in ephemeris.useable_spans_utc)

    def no_state_reason(self, row: int, code: int) -> str:
        """Why the row has no state, from its propagation error code."""
        if code == EPHEMERIS_OUTSIDE_SPAN:
            return f"outside its ephemeris ({self.ephemeris_span_text(row)}): never extrapolated"
        return f"SGP4 error {code}" + (f": {SGP4_ERRORS[code]}" if code in SGP4_ERRORS else "")

    @cached_property
    def satrec_array(self) -> SatrecArray:
        """All objects' mean elements in one array: the raw SGP4 baseline of the benchmarks (an
        ephemeris object's fitted elements, not its ephemeris: propagate through ``chunks``)."""
        return SatrecArray(list(self.satrecs))

    def subset(self, rows: Sequence[int] | np.ndarray) -> "Catalog":
        """A new catalog of the given rows (same element sets, new version)."""
        rows = [int(r) for r in rows]
        return Catalog([self._element_set(r) for r in rows], chunk_size=self.chunk_size,
                       _owners_and_types={name: getattr(self, name)[rows] for name in _OWNER_AND_TYPE})

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
            "ephemeris_objects": [{"norad_id": int(self.norad_id[row]), "name": str(self.name[row]),
                                   "span_utc": self.ephemeris_span_text(row)} for row in self.ephemeris_rows()],
        }

    def ephemeris_rows(self) -> list[int]:
        """Rows whose states come from an ephemeris (none in a catalog from the cache: it never
        holds one, so its element sets are not made to find out)."""
        if self._element_sets is None:
            return []
        return [chunk.start + index for chunk in self.chunks for index, _ in chunk.ephemeris_members]

    def _owner_counts(self, shown: int = SUMMARY_OWNER_STATES) -> dict[str, int]:
        """The most common owner states, then "other" and "none": they add up to the objects."""
        states, counts = np.unique(self.owner_state[self.owner_state != ""], return_counts=True)
        order = np.argsort(-counts, kind="stable")
        result = {str(states[i]): int(counts[i]) for i in order[:shown]}
        result["other"] = int(counts[order[shown:]].sum())
        result["none"] = int(np.count_nonzero(self.owner_state == ""))
        return result


_OWNER_AND_TYPE = ("owner_state", "owner_basis", "object_type")  # per row, from tables: a subset takes them over
# what the cache keeps of each element set (its origin makes its satrec), and the column that
# usually holds the same values (then the entry names the column instead)
_STORED_FIELDS = {"norad_id": "norad_id", "name": "name", "intl_designator": "intl_designator",
                  "classification": "classification", "source": "source_file", "location": "source_location",
                  "object_type": None, "origin": None}
_ORIGIN_PARTS, _ORIGINS = "\x1e", "\x1d"  # separators of an origin's parts, and of the origins


def _plain(record) -> tuple:
    """A dataclass record's fields in order (it is made again with ``Record(*values)``)."""
    return tuple(getattr(record, f.name) for f in fields(record))


class _StoredElementSets:
    """A cached catalog's element sets, as the cache keeps them: made one at a time, or all
    at once when the catalog is first propagated."""

    @staticmethod
    def encode(sets: Sequence[ElementSet], columns: dict[str, np.ndarray]) -> dict:
        """Each field's values, as a column's name when that column holds them to the letter,
        origins as one string (fast to read) when no part holds a separator."""
        encoded: dict[str, tuple] = {}
        for name, column in _STORED_FIELDS.items():
            values = [getattr(e, name) for e in sets]
            if column is not None and columns[column].tolist() == values:
                encoded[name] = ("column", column)
            elif name == "origin" and values and not any(
                    _ORIGIN_PARTS in part or _ORIGINS in part for origin in values for part in origin):
                encoded[name] = ("joined", _ORIGINS.join(_ORIGIN_PARTS.join(origin) for origin in values))
            else:
                encoded[name] = ("values", values)
        return encoded

    def __init__(self, encoded: dict, columns: dict[str, np.ndarray]):
        self._fields: list[np.ndarray | list] = []  # a column (read a row at a time) or the values
        for name in _STORED_FIELDS:
            form, value = encoded[name]
            if form == "column":
                self._fields.append(columns[value])
            elif form == "joined":
                self._fields.append(value.split(_ORIGINS))
            elif form == "values":
                self._fields.append(list(value))
            else:
                raise ValueError(f"unknown form {form!r} of {name}")
        self._joined_origins = encoded["origin"][0] == "joined"
        if len({len(values) for values in self._fields}) > 1:
            raise ValueError("fields of different lengths")

    def __len__(self) -> int:
        return len(self._fields[-1])

    def one(self, row: int) -> ElementSet:
        return self._make(*(values[row:row + 1].tolist()[0] if isinstance(values, np.ndarray) else values[row]
                            for values in self._fields))

    def all(self) -> tuple[ElementSet, ...]:
        fields_ = [values.tolist() if isinstance(values, np.ndarray) else values for values in self._fields]
        return tuple(self._make(*values) for values in zip(*fields_))

    def _make(self, norad_id: int, name: str, intl_designator: str, classification: str, source: str, location: str,
              object_type: str | None, origin) -> ElementSet:
        origin = tuple(origin.split(_ORIGIN_PARTS)) if self._joined_origins else tuple(origin)
        return ElementSet(satrec_from(origin), norad_id, name, intl_designator, classification, source, location,
                          object_type).made_from(origin)


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


def _precedence(element_set: ElementSet) -> tuple[bool, float]:
    return is_ephemeris_object(element_set), element_set.epoch_jd


def newest_per_catalog_number(element_sets: Iterable[ElementSet]) -> tuple[list[ElementSet], list[Superseded]]:
    """Keep one element set per catalog number: an operator's ephemeris before any element set,
    then the newest epoch (on a tie, the later one read). An ephemeris that replaces an element
    set takes its name and designator (the catalog's, where the OEM's name is often short)."""
    kept: dict[int, ElementSet] = {}
    superseded: list[Superseded] = []
    for candidate in element_sets:
        current = kept.get(candidate.norad_id)
        if current is None:
            kept[candidate.norad_id] = candidate
            continue
        newer, older = ((candidate, current) if _precedence(candidate) >= _precedence(current)
                        else (current, candidate))
        if is_ephemeris_object(newer) and not is_ephemeris_object(older):
            newer = replace(newer, name=older.name or newer.name,
                            intl_designator=older.intl_designator or newer.intl_designator)
        kept[candidate.norad_id] = newer
        superseded.append(Superseded(older.norad_id, older.source, older.location, newer.source, newer.location))
    return list(kept.values()), superseded

"""CCSDS Orbit Ephemeris Messages in (502.0-B-2 and -B-3: OEM 1.0, 2.0 and 3.0), KVN and XML:
every segment's metadata, states and covariances, each Earth-centred object's usable segments
as one :class:`~app.astro.ephemeris.Ephemeris` (interpolation, time systems and frames are
explained there).

Why our own reader. The issue asked to try the kept libraries first; both were installed and
run on the Orekit and ccsds-ndm corpus (19 valid files, 13 malformed):

- ``oem`` 0.4.5 (MIT; needs astropy, lxml, defusedxml): reads 9 of the 19 valid files. It
  refuses OEM 3.0 headers (``MESSAGE_ID``, ``CLASSIFICATION``), data sections where some lines
  carry accelerations and some not, a missing ``INTERPOLATION_DEGREE``, and Hermite of an even
  degree; any error loses the whole file, and only some errors name a line. It interpolates
  (one epoch at a time, through Vandermonde solves) but has no frame conversion.
- ``ccsds-ndm`` 3.1.1 (GPL-3.0-or-later, which the console's MIT licence and frozen build
  cannot take in; needs lxml and xsdata): reads 18 of 19 (not the OEM 1.0 file), but accepts
  9 of the 12 malformed files without a word (an unknown keyword in the metadata, keywords
  inside the data or a covariance, covariance rows too many, too few or too long, a file cut
  off inside its metadata), and its errors name no line ("could not convert string to
  float"). No interpolation, no frames. (The 13th file of ``invalid/``, Orekit's issue 839,
  is well formed: ccsds-ndm and we read it, ``oem`` does not.)

Neither tells the operator which line and field are wrong, nor keeps a file's good segments
beside a bad one, which is what a floor needs; both bring large dependencies for what is a
small grammar. So the grammar is read here, by hand, and checked against both libraries in
the tests (our writer's files must read in each where it installs).

What is read
    KVN (keyword = value, ``[units]`` after values ignored) and NDM/XML (an ``<oem>``, or
    several in an ``<ndm>``; namespaces ignored; a ``DOCTYPE`` or entity declaration is refused:
    it is the door to entity-expansion attacks). Header: ``CCSDS_OEM_VERS`` (1.0, 2.0, 3.0),
    ``CREATION_DATE`` and ``ORIGINATOR`` (mandatory), ``MESSAGE_ID`` and ``CLASSIFICATION``
    (3.0), comments; several messages may follow one another. Segment metadata:
    ``OBJECT_NAME``, ``OBJECT_ID``, ``CENTER_NAME``, ``REF_FRAME``, ``TIME_SYSTEM``,
    ``START_TIME``, ``STOP_TIME`` (mandatory), ``REF_FRAME_EPOCH``, ``USEABLE_START_TIME``,
    ``USEABLE_STOP_TIME``, ``INTERPOLATION``, ``INTERPOLATION_DEGREE``. Data lines: epoch,
    X Y Z (km), X_DOT Y_DOT Z_DOT (km/s), optionally X_DDOT Y_DDOT Z_DDOT (km/s**2). Covariance
    blocks (``EPOCH``, ``COV_REF_FRAME``, the lower triangle in 6 rows) are checked and kept
    (:class:`~app.astro.ephemeris.Covariance`), not used yet.

What is refused, each as a :class:`~app.catalog.ingest.records.Rejection` naming the file,
the line and the field (``file:line N: FIELD: reason``), never an exception
    - a file that is not an OEM or has a damaged header, is larger than 64 MiB or is not a
      regular file: the whole file (the segments of earlier messages in it still load);
    - a segment with a malformed line (an unknown or repeated keyword, a keyword inside the
      data or a covariance, a number that is not one or not finite, a data line of the wrong
      length, a date that is not a date, a covariance of the wrong shape, ``META_STOP`` or
      ``COVARIANCE_STOP`` missing) or inconsistent content (states not in time order or
      outside ``START_TIME`` .. ``STOP_TIME``, a useable span outside it, fewer than two
      states, a mandatory keyword missing): that segment only, the file's other segments load;
    - a well-formed segment the console cannot use: ``CENTER_NAME`` not EARTH, a
      ``REF_FRAME`` other than EME2000 (J2000 taken as its alias, as Orekit does), GCRF,
      ICRF, TEME or ITRF (ITRF, ITRF-93, ITRF-97, ITRF2000, ITRF1993 ... ITRF2020), a
      ``TIME_SYSTEM`` other than UTC, TAI, TT, GPS or TDB (converted, see
      :mod:`app.astro.ephemeris`), an ``INTERPOLATION`` other than LAGRANGE, HERMITE or
      LINEAR, or a degree outside 1..32 (each problem of such a segment is listed).

A segment with no ``INTERPOLATION`` is interpolated as Hermite (positions and velocities are
always there) of its ``INTERPOLATION_DEGREE``, else of degree 7 (four states), and a warning
says so. Dates are the CCSDS forms (``YYYY-MM-DDThh:mm:ss[.f]`` or ``YYYY-DDDThh:mm:ss[.f]``,
an optional ``Z``) in the segment's time system, between 1957 and 2199 (the years the
console computes); ``23:59:60`` only on a UTC day that ends with a leap second. Positions
beyond 1e9 km, speeds beyond light's and accelerations beyond 1e3 km/s**2 are refused as
implausible, so no later arithmetic can overflow.
"""

from __future__ import annotations

import codecs
import io
import math
import re
from array import array
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from xml.parsers import expat

import numpy as np

from app.astro.ephemeris import (INTERPOLATIONS, MAX_DEGREE, TIME_SYSTEMS, Covariance, Ephemeris, EphemerisSegment,
                                 leap_second_days, tai_to_utc_datetime, to_tai_seconds)
from app.astro.timeutil import FIRST_YEAR, LAST_YEAR
from app.catalog.ingest.records import RecordWarning, Rejection
from app.catalog.ingest.text import UNDECODABLE, decode_lines
from app.common.input_file import DOCUMENT_MAX_BYTES, read_input_bytes

VERSIONS = ("1.0", "2.0", "3.0")
HEADER_KEYWORDS = ("CCSDS_OEM_VERS", "CREATION_DATE", "ORIGINATOR", "MESSAGE_ID", "CLASSIFICATION")
METADATA_KEYWORDS = ("OBJECT_NAME", "OBJECT_ID", "CENTER_NAME", "REF_FRAME", "REF_FRAME_EPOCH", "TIME_SYSTEM",
                     "START_TIME", "USEABLE_START_TIME", "USEABLE_STOP_TIME", "STOP_TIME", "INTERPOLATION",
                     "INTERPOLATION_DEGREE")
MANDATORY_METADATA = ("OBJECT_NAME", "OBJECT_ID", "CENTER_NAME", "REF_FRAME", "TIME_SYSTEM", "START_TIME",
                      "STOP_TIME")
STATE_FIELDS = ("X", "Y", "Z", "X_DOT", "Y_DOT", "Z_DOT", "X_DDOT", "Y_DDOT", "Z_DDOT")
_AXES = ("X", "Y", "Z", "X_DOT", "Y_DOT", "Z_DOT")
COVARIANCE_FIELDS = tuple(f"C{_AXES[i]}_{_AXES[j]}" for i in range(6) for j in range(i + 1))
# REF_FRAME as written (upper case) -> the frame the console computes in
FRAMES_IN = {"EME2000": "EME2000", "J2000": "EME2000", "GCRF": "GCRF", "ICRF": "GCRF", "TEME": "TEME",
             "ITRF": "ITRF", "ITRF-93": "ITRF", "ITRF-97": "ITRF", "ITRF93": "ITRF", "ITRF97": "ITRF",
             "ITRF1993": "ITRF", "ITRF1997": "ITRF", "ITRF2000": "ITRF", "ITRF2005": "ITRF", "ITRF2008": "ITRF",
             "ITRF2014": "ITRF", "ITRF2020": "ITRF"}
DEFAULT_INTERPOLATION, DEFAULT_DEGREE = "HERMITE", 7
MAX_LINE_CHARS = 4096
MAX_POSITION_KM = 1e9
MAX_SPEED_KM_S = 299_792.458
MAX_ACCELERATION_KM_S2 = 1e3
MAX_XML_DEPTH = 32
_EPOCH_SLACK_S = 1e-6
_LIMITS = (MAX_POSITION_KM,) * 3 + (MAX_SPEED_KM_S,) * 3 + (MAX_ACCELERATION_KM_S2,) * 3
_UNITS_XML = {**{k: "km" for k in STATE_FIELDS[:3]}, **{k: "km/s" for k in STATE_FIELDS[3:6]},
              **{k: "km/s**2" for k in STATE_FIELDS[6:]}}
_KVN_LINE = re.compile(r"^\s*([A-Za-z][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$")
_UNITS = re.compile(r"\s*\[[^\]]*\]\s*$")
_KEYWORD = re.compile(r"^[A-Za-z_]+$")
_CALENDAR = re.compile(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2}(?:\.\d*)?)Z?$")
_DAY_OF_YEAR = re.compile(r"^(\d{4})-(\d{3})T(\d{2}):(\d{2}):(\d{2}(?:\.\d*)?)Z?$")
_MJD_ORDINAL = date(1858, 11, 17).toordinal()
_NO_ACCELERATION = (math.nan,) * 3


class _Problem(ValueError):
    """One malformed line (or missing part) of a segment or header."""

    def __init__(self, line: int, reason: str, field_name: str | None = None):
        super().__init__(reason)
        self.line, self.reason, self.field = line, reason, field_name


# --- results --------------------------------------------------------------------------------

@dataclass
class OemHeader:
    """One message's header, as written."""

    line: int
    version: str
    keywords: dict[str, str] = field(default_factory=dict)
    comments: list[str] = field(default_factory=list)


@dataclass
class OemSegment:
    """One segment as the file gives it, usable or not: its metadata (keywords as written,
    with their lines), its comments, how many states and covariances it holds, and the
    :class:`EphemerisSegment` made of it (None when refused: see ``rejections``)."""

    line: int
    metadata: dict[str, str]
    metadata_lines: dict[str, int]
    comments: list[str]
    points: int
    accelerations: int
    covariances: int
    ephemeris: EphemerisSegment | None
    rejections: list[Rejection]

    @property
    def object_id(self) -> str:
        return self.metadata.get("OBJECT_ID", "")


@dataclass
class OemRead:
    """What one OEM file gave: its headers, every segment found (in file order), one
    :class:`Ephemeris` per object of its usable segments, and what was refused or is worth a
    look."""

    source: str
    headers: list[OemHeader] = field(default_factory=list)
    segments: list[OemSegment] = field(default_factory=list)
    ephemerides: list[Ephemeris] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    warnings: list[RecordWarning] = field(default_factory=list)

    @property
    def rejected_count(self) -> int:
        return len(self.rejections)


# --- the segment as parsed, before it is checked ---------------------------------------------

@dataclass
class _RawCovariance:
    line: int
    epoch: tuple[int, float] | None = None
    epoch_line: int = 0
    frame: str = ""
    values: list[float] = field(default_factory=list)
    rows: int = 0


@dataclass
class _RawSegment:
    """A segment as parsed: its data lines held compactly (a million of them is 100 MB)."""

    line: int
    header: OemHeader
    metadata: dict[str, str] = field(default_factory=dict)
    metadata_lines: dict[str, int] = field(default_factory=dict)
    comments: list[str] = field(default_factory=list)
    end_line: int = 0  # META_STOP (the line a missing keyword is reported at, with the start)
    lines: array = field(default_factory=lambda: array("q"))
    days: array = field(default_factory=lambda: array("q"))
    seconds: array = field(default_factory=lambda: array("d"))
    values: array = field(default_factory=lambda: array("d"))  # 9 a line, NaN for absent accelerations
    accelerations: int = 0
    covariances: list[_RawCovariance] = field(default_factory=list)
    problem: _Problem | None = None

    @property
    def count(self) -> int:
        return len(self.lines)

    def add(self, line: int, day: int, second: float, values) -> None:
        self.lines.append(line)
        self.days.append(day)
        self.seconds.append(second)
        self.values.extend(values)
        if len(values) == 6:
            self.values.extend(_NO_ACCELERATION)
        else:
            self.accelerations += 1

    def states(self) -> np.ndarray:
        return np.frombuffer(self.values, dtype=float).reshape(-1, 9)


# --- values ---------------------------------------------------------------------------------

_day_numbers: dict[str, int] = {}
_minutes: dict[str, tuple[int, float]] = {}  # "YYYY-MM-DDThh:mm" seen -> (mjd, seconds at that minute)
_SECONDS = re.compile(r"\d\d(?:\.\d*)?Z?")


def _day_number(text: str, year: int, month: int | None, day: int) -> int:
    """MJD of a calendar (or day-of-year, ``month`` None) date; ValueError when not a date."""
    number = _day_numbers.get(text)
    if number is None:
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise ValueError(f"year {year} is outside the years this console computes ({FIRST_YEAR}-{LAST_YEAR})")
        if month is None:
            if not 1 <= day <= (366 if date(year, 12, 31).timetuple().tm_yday == 366 else 365):
                raise ValueError(f"day {day} is not a day of {year}")
            number = date(year, 1, 1).toordinal() + day - 1 - _MJD_ORDINAL
        else:
            number = date(year, month, day).toordinal() - _MJD_ORDINAL  # ValueError for 2026-02-30
        if len(_day_numbers) < 100_000:
            _day_numbers[text] = number
    return number


def parse_epoch(text: str) -> tuple[int, float]:
    """``(mjd, seconds into the day)`` of a CCSDS date-time in its own time system (seconds
    up to 86401 for a leap second, checked later against the time system); ValueError
    saying why it is not one."""
    text = text.strip()
    match = _CALENDAR.match(text)
    if match:
        year, month, day, hour, minute, second = match.groups()
        day_key, month_value = text[:10], int(month)
    else:
        match = _DAY_OF_YEAR.match(text)
        if not match:
            raise ValueError(f"{text[:40]!r} is not a CCSDS date-time (YYYY-MM-DDThh:mm:ss[.d] or "
                             "YYYY-DDDThh:mm:ss[.d])")
        year, day, hour, minute, second = match.groups()
        day_key, month_value = text[:8], None
    try:
        mjd = _day_number(day_key, int(year), month_value, int(day))
    except ValueError as error:
        raise ValueError(f"{text[:40]!r} is not a date ({error})") from None
    hour, minute, second = int(hour), int(minute), float(second)
    if hour > 23 or minute > 59 or second >= 61.0 or (second >= 60.0 and (hour, minute) != (23, 59)):
        raise ValueError(f"{text[:40]!r} is not a time of day")
    if month_value is not None and len(_minutes) < 100_000:
        _minutes[text[:16]] = (mjd, hour * 3600.0 + minute * 60.0)
    return mjd, hour * 3600.0 + minute * 60.0 + second


def _epoch_fast(text: str, line: int) -> tuple[int, float]:
    """``_epoch`` of a data line's epoch: the usual form in a minute seen before is read
    from the cache (a million data lines: seconds, not tens)."""
    known = _minutes.get(text[:16])
    if known is not None and text[16:17] == ":" and _SECONDS.fullmatch(text, 17):
        second = float(text[17:].rstrip("Z"))
        if second < 60.0:
            return known[0], known[1] + second
    return _epoch(text, line, "EPOCH")


def _number(text: str, line: int, field_name: str, limit: float | None = None) -> float:
    try:
        value = float(text)
    except ValueError:
        raise _Problem(line, f"{text[:40]!r} is not a number", field_name) from None
    if not math.isfinite(value):
        raise _Problem(line, f"{text[:40]!r} is not a finite number", field_name)
    if limit is not None and abs(value) > limit:
        raise _Problem(line, f"{value:g} is beyond any plausible value (at most {limit:g})", field_name)
    return value


def _state(values: list[str], line: int) -> list[float]:
    """The numbers of a data line (checked for plausibility with the segment: see _plausible)."""
    if len(values) not in (6, 9):
        raise _Problem(line, f"a data line holds an epoch and 6 values (X Y Z in km, X_DOT Y_DOT Z_DOT in km/s), "
                             f"or 9 with accelerations; found {len(values)}")
    try:
        return list(map(float, values))
    except ValueError:
        return [_number(text, line, STATE_FIELDS[k]) for k, text in enumerate(values)]


def _plausible(raw: "_RawSegment") -> None:
    """_Problem naming the first data line with a number not finite or beyond plausible."""
    states = raw.states()
    absent = np.isnan(states) & (np.arange(9) >= 6)
    bad = ~(np.isfinite(states) | absent) | (np.abs(np.nan_to_num(states)) > _LIMITS)
    if bad.any():
        row, column = divmod(int(np.argmax(bad.ravel())), 9)
        value = states[row, column]
        reason = (f"{float(value)!r} is not a finite number" if not np.isfinite(value) else
                  f"{value:g} is beyond any plausible value (at most {_LIMITS[column]:g})")
        raise _Problem(raw.lines[row], reason, STATE_FIELDS[column])


def _epoch(text: str, line: int, field_name: str) -> tuple[int, float]:
    try:
        return parse_epoch(text)
    except ValueError as error:
        raise _Problem(line, str(error), field_name) from None


# --- KVN ------------------------------------------------------------------------------------

class _KvnReader:
    """The KVN grammar, line by line: header, then META_START .. META_STOP, data lines, and
    COVARIANCE_START .. COVARIANCE_STOP, segment after segment."""

    def __init__(self, source: str):
        self.source = source
        self.headers: list[OemHeader] = []
        self.segments: list[_RawSegment] = []
        self.file_problem: _Problem | None = None
        self.state = "start"  # start, header, meta, data, covariance, after_covariance, skip
        self.segment: _RawSegment | None = None
        self.covariance: _RawCovariance | None = None

    def read(self, lines) -> None:
        number = 0
        for number, line in enumerate(lines, start=1):
            try:
                if self.state == "data" and line and line[0].isdigit():  # (the way most lines go)
                    self._data_line(number, line)
                else:
                    self._line(number, line)
            except _Problem as problem:
                if self.state in ("start", "header"):
                    self.file_problem = problem
                    return
                self.segment.problem = problem
                self.state = "skip"
        self._end(number)

    def _data_line(self, number: int, line: str) -> None:
        if len(line) > MAX_LINE_CHARS:
            raise _Problem(number, f"a line of {len(line):,} characters (at most {MAX_LINE_CHARS:,})")
        parts = line.split()
        day, second = _epoch_fast(parts[0], number)
        self.segment.add(number, day, second, _state(parts[1:], number))

    def _line(self, number: int, line: str | None) -> None:
        if line is UNDECODABLE:
            if self.state != "skip":
                raise _Problem(number, "the line is not UTF-8 text")
            return
        if len(line) > MAX_LINE_CHARS:
            if self.state != "skip":
                raise _Problem(number, f"a line of {len(line):,} characters (at most {MAX_LINE_CHARS:,})")
            return
        text = line.strip()
        if not text:
            return
        if text.startswith("COMMENT") and (len(text) == 7 or text[7] in " \t"):
            self._comment(text[8:].strip())
            return
        match = _KVN_LINE.match(text)
        key = match.group(1).upper() if match else text.split()[0].upper()
        value = _UNITS.sub("", match.group(2)) if match else ""
        if key == "CCSDS_OEM_VERS" and match and self.state != "meta":
            self._close(number)
            self._version(number, value)
            return
        if self.state == "skip":
            if text.upper() == "META_START":
                self._start_segment(number)
            return
        if self.state == "start":
            raise _Problem(number, "an OEM starts with CCSDS_OEM_VERS = 1.0, 2.0 or 3.0: not an OEM",
                           "CCSDS_OEM_VERS")
        getattr(self, f"_in_{self.state}")(number, text, key, value, match is not None)

    def _comment(self, text: str) -> None:
        if self.state in ("start", "header"):
            if self.headers:
                self.headers[-1].comments.append(text)
        elif self.segment is not None and self.state != "skip":
            self.segment.comments.append(text)

    def _version(self, number: int, value: str) -> None:
        if value not in VERSIONS:
            self.state = "header"
            raise _Problem(number, f"version {value!r}: one of {', '.join(VERSIONS)}", "CCSDS_OEM_VERS")
        self.headers.append(OemHeader(number, value))
        self.state = "header"

    def _in_header(self, number: int, text: str, key: str, value: str, is_kvn: bool) -> None:
        if text.upper() == "META_START":
            header = self.headers[-1]
            for name in ("CREATION_DATE", "ORIGINATOR"):
                if not header.keywords.get(name):
                    raise _Problem(header.line, "mandatory header keyword missing", name)
            self._start_segment(number)
            return
        if not is_kvn:
            raise _Problem(number, f"not a KEYWORD = value line: {text[:40]!r}")
        if key not in HEADER_KEYWORDS[1:]:
            raise _Problem(number, "not an OEM header keyword", key)
        if key in self.headers[-1].keywords:
            raise _Problem(number, "given twice in the header", key)
        if key == "CREATION_DATE":
            _epoch(value, number, key)
        self.headers[-1].keywords[key] = value

    def _start_segment(self, number: int) -> None:
        self.segment = _RawSegment(number, self.headers[-1])
        self.segments.append(self.segment)
        self.covariance = None
        self.state = "meta"

    def _in_meta(self, number: int, text: str, key: str, value: str, is_kvn: bool) -> None:
        segment = self.segment
        upper = text.upper()
        if upper == "META_STOP":
            segment.end_line = number
            self.state = "data"
            return
        if upper == "META_START" or key == "CCSDS_OEM_VERS":
            raise _Problem(number, f"{upper.split()[0]} before the metadata begun at line {segment.line} has ended",
                           "META_STOP")
        if not is_kvn:
            raise _Problem(number, f"not a KEYWORD = value line: {text[:40]!r} (META_STOP missing?)", "META_STOP")
        if key not in METADATA_KEYWORDS:
            raise _Problem(number, "not an OEM metadata keyword", key)
        if key in segment.metadata:
            raise _Problem(number, f"given twice (first at line {segment.metadata_lines[key]})", key)
        if not value:
            raise _Problem(number, "empty value", key)
        segment.metadata[key], segment.metadata_lines[key] = value, number

    def _in_data(self, number: int, text: str, key: str, value: str, is_kvn: bool) -> None:
        upper = text.upper()
        if upper == "META_START":
            self._start_segment(number)
            return
        if upper == "COVARIANCE_START":
            self.state = "covariance"
            return
        if is_kvn:
            raise _Problem(number, "a keyword inside the ephemeris data (after META_STOP only data lines, comments "
                                   "and COVARIANCE_START may come)", key)
        parts = text.split()
        if len(parts) == 1 and _KEYWORD.match(parts[0]):
            raise _Problem(number, "out of place: after META_STOP only data lines, comments and COVARIANCE_START "
                                   "may come", parts[0].upper())
        self._data_line(number, text)

    def _in_covariance(self, number: int, text: str, key: str, value: str, is_kvn: bool) -> None:
        upper = text.upper()
        covariance = self.covariance
        if upper == "COVARIANCE_STOP":
            if covariance is None:
                raise _Problem(number, "a covariance section without a matrix", "EPOCH")
            _check_complete(covariance, number)
            self.state = "after_covariance"
            return
        if is_kvn and key == "EPOCH":
            if covariance is not None:
                _check_complete(covariance, number)
            self.covariance = _RawCovariance(number, _epoch(value, number, "EPOCH"), number)
            self.segment.covariances.append(self.covariance)
            return
        if is_kvn and key == "COV_REF_FRAME":
            if covariance is None or covariance.rows or covariance.frame:
                raise _Problem(number, "COV_REF_FRAME belongs right after a covariance's EPOCH", key)
            covariance.frame = value.upper()
            return
        if is_kvn or upper in ("META_START", "META_STOP", "COVARIANCE_START"):
            raise _Problem(number, "a keyword inside a covariance section (EPOCH, COV_REF_FRAME, the matrix rows, "
                                   "COVARIANCE_STOP)", key if is_kvn else upper)
        if covariance is None:
            raise _Problem(number, "a covariance row before the matrix's EPOCH", "EPOCH")
        _covariance_row(covariance, text.split(), number)

    def _in_after_covariance(self, number: int, text: str, key: str, value: str, is_kvn: bool) -> None:
        if text.upper() == "META_START":
            self._start_segment(number)
            return
        raise _Problem(number, "only a new segment (META_START) or message may follow COVARIANCE_STOP",
                       key if is_kvn else None)

    def _close(self, number: int) -> None:
        """A new message begins at ``number``: what was open must be complete."""
        if self.state == "covariance" and self.segment.problem is None:
            self.segment.problem = _Problem(number, "the covariance section begun before has no COVARIANCE_STOP",
                                            "COVARIANCE_STOP")
        self.segment = self.covariance = None

    def _end(self, count: int) -> None:
        if self.file_problem is not None:
            return
        if not self.headers:
            self.file_problem = _Problem(1, "no CCSDS_OEM_VERS line: not an OEM", "CCSDS_OEM_VERS")
        elif self.state == "header":
            self.file_problem = _Problem(count, "the message holds no segment (no META_START)", "META_START")
        elif self.state == "meta":
            self.segment.problem = _Problem(self.segment.line, f"the file ends (line {count}) inside the metadata "
                                                               "begun here: META_STOP missing", "META_STOP")
        elif self.state == "covariance":
            self.segment.problem = _Problem(count, "the file ends inside a covariance section: COVARIANCE_STOP "
                                                   "missing", "COVARIANCE_STOP")


def _check_complete(covariance: _RawCovariance, number: int) -> None:
    if covariance.rows != 6:
        raise _Problem(number, f"the covariance matrix begun at line {covariance.line} has {covariance.rows} of its "
                               "6 rows", "EPOCH" if covariance.rows else None)


def _covariance_row(covariance: _RawCovariance, values: list[str], number: int) -> None:
    row = covariance.rows
    if row >= 6:
        raise _Problem(number, f"a 7th covariance row: the matrix begun at line {covariance.line} is 6 x 6",
                       "COVARIANCE_STOP")
    if len(values) != row + 1:
        raise _Problem(number, f"covariance row {row + 1} holds {row + 1} value(s) (the lower triangle); found "
                               f"{len(values)}", f"C{_AXES[row]}_X..C{_AXES[row]}_{_AXES[row]}")
    offset = row * (row + 1) // 2
    covariance.values += [_number(text, number, COVARIANCE_FIELDS[offset + k]) for k, text in enumerate(values)]
    covariance.rows += 1


# --- XML ------------------------------------------------------------------------------------

class _Node:
    __slots__ = ("tag", "attributes", "line", "children", "parts")

    def __init__(self, tag: str, attributes: dict, line: int):
        self.tag, self.attributes, self.line = tag, attributes, line
        self.children: list[_Node] = []
        self.parts: list[str] = []

    @property
    def text(self) -> str:
        return "".join(self.parts).strip()


def _xml_tree(data: bytes) -> _Node:
    """The document as nodes with their lines (expat: ElementTree keeps no line numbers);
    _Problem for XML that is not well formed, declares a DOCTYPE or entities, or nests deeper
    than an OEM ever does."""
    parser = expat.ParserCreate(namespace_separator=" ")
    root: list[_Node] = []
    stack: list[_Node] = []

    def start(tag, attributes):
        node = _Node(tag.rsplit(" ", 1)[-1].rsplit(":", 1)[-1], attributes, parser.CurrentLineNumber)
        if len(stack) >= MAX_XML_DEPTH:
            raise _Problem(node.line, f"elements nested more than {MAX_XML_DEPTH} deep")
        (stack[-1].children if stack else root).append(node)
        stack.append(node)

    def end(_tag):
        node = stack.pop()
        if node.tag == "stateVector":  # read at once, its nodes let go: a large file stays small
            try:
                node.parts = [_xml_state(node)]
            except _Problem as problem:
                node.parts = [problem]
            node.children = []

    def text(content):
        if stack:
            stack[-1].parts.append(content)

    def refuse(*_args):
        raise _Problem(parser.CurrentLineNumber, "a DOCTYPE or entity declaration (refused: an OEM needs none)")

    parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = start, end, text
    parser.StartDoctypeDeclHandler = parser.EntityDeclHandler = refuse
    try:
        parser.Parse(data, True)
    except expat.ExpatError as error:
        raise _Problem(error.lineno, f"not well-formed XML ({expat.ErrorString(error.code)}, column "
                                     f"{error.offset + 1})") from None
    except (LookupError, ValueError) as error:
        if isinstance(error, _Problem):
            raise
        raise _Problem(1, f"the XML declaration's encoding cannot be read ({error}); save it as UTF-8") from None
    return root[0]


def _leaves(node: _Node, allowed: tuple[str, ...], comments: list[str]) -> dict[str, tuple[str, int]]:
    found: dict[str, tuple[str, int]] = {}
    for child in node.children:
        if child.tag == "COMMENT":
            comments.append(child.text)
            continue
        if child.tag not in allowed or child.children:
            raise _Problem(child.line, f"not an element of <{node.tag}>", child.tag)
        if child.tag in found:
            raise _Problem(child.line, f"given twice (first at line {found[child.tag][1]})", child.tag)
        found[child.tag] = (child.text, child.line)
    return found


def _read_xml(data: bytes, source: str) -> tuple[list[OemHeader], list[_RawSegment], _Problem | None]:
    try:
        root = _xml_tree(data)
        if root.tag == "oem":
            messages = [root]
        elif root.tag == "ndm":
            messages = [child for child in root.children if child.tag == "oem"]
        else:
            messages = []
        if not messages:
            raise _Problem(root.line, f"<{root.tag}> holds no <oem>: not an OEM", "oem")
        headers, segments = [], []
        for message in messages:
            header = _xml_header(message)
            headers.append(header)
            body = [child for child in message.children if child.tag == "body"]
            if len(body) != 1 or not any(child.tag == "segment" for child in body[0].children):
                raise _Problem(message.line, "an <oem> holds one <body> with at least one <segment>", "body")
            for node in body[0].children:
                if node.tag != "segment":
                    raise _Problem(node.line, "not an element of <body>", node.tag)
                segments.append(_xml_segment(node, header))
    except _Problem as problem:
        return [], [], problem
    return headers, segments, None


def _xml_header(message: _Node) -> OemHeader:
    version = message.attributes.get("version", "")
    if version not in VERSIONS:
        raise _Problem(message.line, f"version {version!r}: one of {', '.join(VERSIONS)}", "CCSDS_OEM_VERS")
    header = OemHeader(message.line, version)
    nodes = [child for child in message.children if child.tag == "header"]
    if len(nodes) != 1:
        raise _Problem(message.line, "an <oem> holds one <header>", "header")
    for key, (value, line) in _leaves(nodes[0], HEADER_KEYWORDS[1:], header.comments).items():
        if key == "CREATION_DATE":
            _epoch(value, line, key)
        header.keywords[key] = value
    for name in ("CREATION_DATE", "ORIGINATOR"):
        if not header.keywords.get(name):
            raise _Problem(nodes[0].line, "mandatory header keyword missing", name)
    return header


def _xml_segment(node: _Node, header: OemHeader) -> _RawSegment:
    segment = _RawSegment(node.line, header)
    try:
        parts = {child.tag: child for child in node.children}
        if set(parts) != {"metadata", "data"} or len(node.children) != 2:
            raise _Problem(node.line, "a <segment> holds one <metadata> and one <data>", "metadata")
        for key, (value, line) in _leaves(parts["metadata"], METADATA_KEYWORDS, segment.comments).items():
            if not value:
                raise _Problem(line, "empty value", key)
            segment.metadata[key], segment.metadata_lines[key] = value, line
        segment.end_line = parts["data"].line
        for child in parts["data"].children:
            if child.tag == "COMMENT":
                segment.comments.append(child.text)
            elif child.tag == "stateVector":
                if segment.covariances:
                    raise _Problem(child.line, "a <stateVector> after a <covarianceMatrix>", child.tag)
                row = child.parts[0]
                if isinstance(row, _Problem):
                    raise row
                segment.add(*row)
            elif child.tag == "covarianceMatrix":
                segment.covariances.append(_xml_covariance(child))
            else:
                raise _Problem(child.line, "not an element of <data>", child.tag)
    except _Problem as problem:
        segment.problem = problem
    return segment


def _checked_units(node: _Node, key: str, expected: str) -> None:
    units = node.attributes.get("units")
    if units is not None and units.replace(" ", "").lower() != expected:
        raise _Problem(node.line, f"units {units!r}: {expected} expected", key)


def _xml_state(node: _Node) -> tuple[int, int, float, list[float]]:
    """A <stateVector> as (line, day, seconds, values)."""
    leaves = {child.tag: child for child in node.children}
    _leaves(node, ("EPOCH",) + STATE_FIELDS, [])
    if "EPOCH" not in leaves:
        raise _Problem(node.line, "a <stateVector> without its EPOCH", "EPOCH")
    wanted = STATE_FIELDS if any(k in leaves for k in STATE_FIELDS[6:]) else STATE_FIELDS[:6]
    values = []
    for k, key in enumerate(wanted):
        if key not in leaves:
            raise _Problem(node.line, "missing from the <stateVector>", key)
        _checked_units(leaves[key], key, _UNITS_XML[key])
        values.append(_number(leaves[key].text, leaves[key].line, key))
    day, second = _epoch(leaves["EPOCH"].text, leaves["EPOCH"].line, "EPOCH")
    return leaves["EPOCH"].line, day, second, values


def _xml_covariance(node: _Node) -> _RawCovariance:
    leaves = _leaves(node, ("EPOCH", "COV_REF_FRAME") + COVARIANCE_FIELDS, [])
    if "EPOCH" not in leaves:
        raise _Problem(node.line, "a <covarianceMatrix> without its EPOCH", "EPOCH")
    text, line = leaves["EPOCH"]
    covariance = _RawCovariance(node.line, _epoch(text, line, "EPOCH"), line,
                                leaves.get("COV_REF_FRAME", ("", 0))[0].upper(), rows=6)
    for key in COVARIANCE_FIELDS:
        if key not in leaves:
            raise _Problem(node.line, "missing from the <covarianceMatrix>", key)
        covariance.values.append(_number(leaves[key][0], leaves[key][1], key))
    return covariance


# --- checking a segment and making its ephemeris ----------------------------------------------

def _rejection(source: str, problem: _Problem) -> Rejection:
    return Rejection(source, f"line {problem.line}" if problem.line else "", problem.reason, problem.field)


def _check(raw: _RawSegment, source: str, warnings: list[RecordWarning]
           ) -> tuple[EphemerisSegment | None, list[Rejection]]:
    """The segment's ephemeris, or every reason it cannot be one (each naming line and field):
    its metadata's, and the first of its data lines'."""
    if raw.problem is not None:
        return None, [_rejection(source, raw.problem)]
    meta, lines = raw.metadata, raw.metadata_lines
    problems: list[_Problem] = []
    for key in MANDATORY_METADATA:
        if key not in meta:
            problems.append(_Problem(raw.line, "mandatory metadata keyword missing", key))
    times: dict[str, tuple[int, float]] = {}
    for key in ("START_TIME", "USEABLE_START_TIME", "USEABLE_STOP_TIME", "STOP_TIME", "REF_FRAME_EPOCH"):
        if key in meta:
            try:
                times[key] = _epoch(meta[key], lines[key], key)
            except _Problem as problem:
                problems.append(problem)
    if ("USEABLE_START_TIME" in meta) != ("USEABLE_STOP_TIME" in meta):
        given = "USEABLE_START_TIME" if "USEABLE_START_TIME" in meta else "USEABLE_STOP_TIME"
        other = "USEABLE_STOP_TIME" if given == "USEABLE_START_TIME" else "USEABLE_START_TIME"
        problems.append(_Problem(lines[given], f"given without {other}", other))
    center = meta.get("CENTER_NAME", "EARTH").strip().upper()
    if center != "EARTH":
        problems.append(_Problem(lines["CENTER_NAME"], f"{meta['CENTER_NAME']!r}: only Earth-centred ephemerides "
                                                       "(EARTH) are read", "CENTER_NAME"))
    frame_text = meta.get("REF_FRAME", "GCRF").strip().upper()
    if frame_text not in FRAMES_IN:
        problems.append(_Problem(lines["REF_FRAME"], f"{meta['REF_FRAME']!r}: one of EME2000 (J2000), GCRF, ICRF, "
                                                     "TEME, ITRF (ITRF-93 .. ITRF2020)", "REF_FRAME"))
    time_system = meta.get("TIME_SYSTEM", "UTC").strip().upper()
    known_time = time_system in TIME_SYSTEMS
    if not known_time:
        problems.append(_Problem(lines["TIME_SYSTEM"], f"{meta['TIME_SYSTEM']!r}: one of {', '.join(TIME_SYSTEMS)} "
                                                       "(others need data the console does not hold)", "TIME_SYSTEM"))
    method, degree, stated = _interpolation(meta, lines, problems)
    if raw.count < 2:
        problems.append(_Problem(raw.end_line or raw.line, f"{raw.count} data line(s): at least 2 are needed "
                                                           "to interpolate", "EPOCH"))
    timeline = None
    try:
        _plausible(raw)  # (a time system the console does not convert is checked as if it were TAI)
        timeline = _Timeline(raw, times, time_system if known_time else "TAI")
        span = timeline.span() if "START_TIME" in times and "STOP_TIME" in times else None
    except _Problem as problem:
        problems.append(problem)
    if problems:
        return None, [_rejection(source, p) for p in sorted(problems, key=lambda p: p.line)]
    return _ephemeris_segment(raw, source, timeline, span, FRAMES_IN[frame_text], time_system, method, degree,
                              stated, warnings), []


def _interpolation(meta: dict, lines: dict, problems: list[_Problem]) -> tuple[str, int, bool]:
    method = meta.get("INTERPOLATION", "").strip().upper()
    degree = DEFAULT_DEGREE
    if method and method not in INTERPOLATIONS:
        problems.append(_Problem(lines["INTERPOLATION"], f"{meta['INTERPOLATION']!r}: one of "
                                                         f"{', '.join(INTERPOLATIONS)}", "INTERPOLATION"))
    if "INTERPOLATION_DEGREE" in meta:
        text = meta["INTERPOLATION_DEGREE"].strip()
        if not text.isdigit() or not 1 <= int(text) <= MAX_DEGREE:
            problems.append(_Problem(lines["INTERPOLATION_DEGREE"], f"{text[:20]!r}: a whole number from 1 to "
                                                                    f"{MAX_DEGREE}", "INTERPOLATION_DEGREE"))
        else:
            degree = int(text)
    if method == "LINEAR":
        degree = 1
    return method or DEFAULT_INTERPOLATION, degree, bool(method)


class _Timeline:
    """A segment's data epochs as TAI seconds from its first, checked: leap seconds only where
    there are some, strictly increasing; and its metadata times on the same scale."""

    def __init__(self, raw: _RawSegment, times: dict[str, tuple[int, float]], time_system: str):
        self.raw, self.times, self.time_system = raw, times, time_system
        lines = raw.metadata_lines
        days = np.asarray(raw.days, dtype=np.int64)
        seconds = np.asarray(raw.seconds, dtype=float)
        leap = seconds >= 86400.0
        if leap.any():
            bad = leap & ~(leap_second_days(days) if time_system == "UTC" else np.zeros(len(days), dtype=bool))
            if bad.any():
                raise _Problem(raw.lines[int(np.argmax(bad))], "23:59:60 on a day that ends with no leap second "
                                                               f"({time_system})", "EPOCH")
        for key, (day, second) in times.items():
            if second >= 86400.0 and not (time_system == "UTC" and leap_second_days(np.array([day]))[0]):
                raise _Problem(lines[key], "23:59:60 on a day that ends with no leap second", key)
        self.reference_mjd = int(days[0]) if len(days) else 0
        tai = to_tai_seconds(days, seconds, time_system)
        self.reference_tai_s = float(tai[0]) if len(tai) else 0.0
        t = (days - self.reference_mjd) * 86400.0 + (tai - self.reference_tai_s)
        # a data line repeated word for word (epoch and state; Orekit's corpus has some) is
        # dropped; the same epoch with another state, or time running back, is an error
        same = np.flatnonzero(np.diff(t) == 0) + 1
        states = raw.states()
        repeated = [int(k) for k in same if np.array_equal(states[k], states[k - 1], equal_nan=True)]
        self.kept = np.ones(len(t), dtype=bool)
        self.kept[repeated] = False
        self.dropped_lines = [raw.lines[k] for k in repeated]
        self.t = t[self.kept]
        lines_kept = np.asarray(raw.lines, dtype=np.int64)[self.kept]
        steps = np.diff(self.t)
        if np.any(steps <= 0):
            k = int(np.argmax(steps <= 0)) + 1
            what = "the previous data line's epoch with another state" if steps[k - 1] == 0 else \
                "before the previous data line's epoch"
            raise _Problem(lines_kept[k], f"{what} (line {lines_kept[k - 1]}): data lines must be in increasing "
                                          "time order", "EPOCH")

    def elapsed(self, key: str) -> float:
        day, second = self.times[key]
        tai = to_tai_seconds(np.array([day]), np.array([second]), self.time_system)[0]
        return float((day - self.reference_mjd) * 86400.0 + (tai - self.reference_tai_s))

    def span(self) -> tuple[float, float]:
        """The useable span (seconds from the first state); _Problem for times that disagree."""
        raw, lines, meta, t = self.raw, self.raw.metadata_lines, self.raw.metadata, self.t
        start, stop = self.elapsed("START_TIME"), self.elapsed("STOP_TIME")
        if stop < start:
            raise _Problem(lines["STOP_TIME"], "before START_TIME", "STOP_TIME")
        outside = (t < start - _EPOCH_SLACK_S) | (t > stop + _EPOCH_SLACK_S)
        if outside.any():
            k = int(np.argmax(outside))
            raise _Problem(raw.lines[k], f"outside START_TIME .. STOP_TIME ({meta['START_TIME']} .. "
                                         f"{meta['STOP_TIME']})", "EPOCH")
        if not len(t):
            return start, stop
        span = (max(start, float(t[0])), min(stop, float(t[-1])))
        if "USEABLE_START_TIME" in self.times and "USEABLE_STOP_TIME" in self.times:
            useable = (self.elapsed("USEABLE_START_TIME"), self.elapsed("USEABLE_STOP_TIME"))
            if not start - _EPOCH_SLACK_S <= useable[0] <= stop + _EPOCH_SLACK_S:
                raise _Problem(lines["USEABLE_START_TIME"], "outside START_TIME .. STOP_TIME", "USEABLE_START_TIME")
            if not useable[0] <= useable[1] <= stop + _EPOCH_SLACK_S:
                raise _Problem(lines["USEABLE_STOP_TIME"], "before USEABLE_START_TIME or after STOP_TIME",
                               "USEABLE_STOP_TIME")
            span = (max(useable[0], span[0]), min(useable[1], span[1]))
            if span[0] > span[1]:
                raise _Problem(lines["USEABLE_START_TIME"], "the useable span holds no data line",
                               "USEABLE_START_TIME")
        return span


def _ephemeris_segment(raw: _RawSegment, source: str, timeline: _Timeline, span: tuple[float, float], frame: str,
                       time_system: str, method: str, degree: int, stated: bool,
                       warnings: list[RecordWarning]) -> EphemerisSegment:
    meta = raw.metadata
    states = raw.states()[timeline.kept]
    accelerations = states[:, 6:].copy() if raw.accelerations else None
    name = meta["OBJECT_NAME"]
    for line in timeline.dropped_lines:
        warnings.append(RecordWarning(source, f"line {line}", f"{name}: the previous data line repeated: dropped"))
    needed = degree + 1 if method == "LAGRANGE" else max(2, math.ceil((degree + 1) / 2)) if method == "HERMITE" else 2
    if not stated:
        warnings.append(RecordWarning(source, f"line {raw.line}", f"{name}: no INTERPOLATION given: Hermite of degree "
                                                                  f"{degree} (positions and velocities) assumed"))
    if len(timeline.t) < needed:
        warnings.append(RecordWarning(source, f"line {raw.line}", f"{name}: {len(timeline.t)} data lines, fewer than "
                                                                  f"{method} of degree {degree} needs ({needed}): "
                                                                  "interpolated through all of them"))
    frame_text = meta["REF_FRAME"].strip().upper()
    return EphemerisSegment(
        frame=frame, interpolation=method, degree=degree, reference_mjd=timeline.reference_mjd,
        reference_tai_s=timeline.reference_tai_s, t_s=timeline.t, r_km=states[:, :3].copy(),
        v_km_s=states[:, 3:6].copy(), useable_t_s=span, a_km_s2=accelerations, time_system=time_system,
        frame_as_written=meta["REF_FRAME"].strip(), interpolation_stated=stated,
        covariances=tuple(_covariance(c, time_system, frame_text) for c in raw.covariances),
        comments=tuple(raw.comments), source=source, line=raw.line)


def _covariance(raw: _RawCovariance, time_system: str, frame: str) -> Covariance:
    matrix = np.zeros((6, 6))
    matrix[np.tril_indices(6)] = raw.values
    matrix = matrix + np.tril(matrix, -1).T
    day, second = raw.epoch
    tai = to_tai_seconds(np.array([day]), np.array([min(second, 86400.0)]), time_system)[0]
    return Covariance(tai_to_utc_datetime(day, tai), raw.frame or frame, matrix)


# --- reading --------------------------------------------------------------------------------

def _text_lines(data: bytes):
    """The lines of KVN bytes one at a time (as ``decode_lines`` gives them: a line that is
    not UTF-8 is ``UNDECODABLE``), so a large file is not held twice over."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        yield from decode_lines(data)
        return
    start = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    stream = io.BytesIO(data)
    stream.seek(start)
    for raw in stream:
        try:
            yield raw.decode("utf-8").rstrip("\r\n")
        except UnicodeDecodeError:
            yield UNDECODABLE


def read_oem_bytes(data: bytes, source: str) -> OemRead:
    """An OEM's bytes (KVN or XML, told by content) as an :class:`OemRead`; never raises for
    what the bytes hold."""
    result = OemRead(source)
    if data.removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"<"):
        headers, raws, problem = _read_xml(data, source)
    else:
        reader = _KvnReader(source)
        reader.read(_text_lines(data))
        headers, raws, problem = reader.headers, reader.segments, reader.file_problem
    if problem is not None:  # (the segments before a damaged later message still load)
        result.rejections.append(_rejection(source, problem))
        if not raws:
            return result
    result.headers = headers
    for raw in raws:
        segment, rejections = _check(raw, source, result.warnings)
        result.segments.append(OemSegment(raw.line, dict(raw.metadata), dict(raw.metadata_lines), list(raw.comments),
                                          raw.count, raw.accelerations,
                                          len(raw.covariances), segment, rejections))
        result.rejections += rejections
    result.ephemerides = _by_object(result.segments, source)
    return result


def _by_object(segments: list[OemSegment], source: str) -> list[Ephemeris]:
    """One ephemeris per OBJECT_ID (then OBJECT_NAME), its usable segments in file order."""
    groups: dict[str, list[OemSegment]] = {}
    for segment in segments:
        if segment.ephemeris is not None:
            key = segment.metadata["OBJECT_ID"].strip().upper() or segment.metadata["OBJECT_NAME"].strip().upper()
            groups.setdefault(key, []).append(segment)
    return [Ephemeris(group[0].metadata["OBJECT_NAME"].strip(), group[0].metadata["OBJECT_ID"].strip(),
                      tuple(s.ephemeris for s in group), source) for group in groups.values()]


def read_oem(path: str | Path) -> OemRead:
    """Read an OEM file (at most 64 MiB, a regular file); a file that cannot be read is one
    rejection of the whole file."""
    path = Path(path)
    try:
        data = read_input_bytes(path, DOCUMENT_MAX_BYTES)
    except OSError as error:
        return OemRead(str(path), rejections=[Rejection(str(path), "", f"cannot read file: {error.strerror or error}")])
    return read_oem_bytes(data, str(path))

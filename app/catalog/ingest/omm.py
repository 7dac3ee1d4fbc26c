"""CCSDS Orbit Mean-Elements Messages (OMM): XML, KVN, JSON and CelesTrak's CSV.

Every format is reduced to one dictionary of OMM keywords per record, validated here
(mandatory fields, numbers, ranges, the frame and theory SGP4 needs), and then handed to
sgp4's own ``sgp4.omm.initialize``, which does the unit conversions and ``sgp4init``.
``NORAD_CAT_ID`` may have up to 9 digits; sgp4 itself stores at most 339999 (Alpha-5
``Z9999``), so larger numbers are kept in our own column and sgp4 is given 0.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import math
import re
import xml.etree.ElementTree as ET
from datetime import datetime
from typing import Any, Iterable

from sgp4 import omm as sgp4_omm

from app.astro.timeutil import parse_ccsds_utc
from app.catalog.ingest.records import (ElementSet, ReadResult, RecordError, Rejection, omm_origin,
                                        satrec_from_omm_fields)
from app.catalog.ingest.text import UNDECODABLE, decode_lines, decode_text

log = logging.getLogger(__name__)

MANDATORY_FIELDS = (
    "OBJECT_NAME", "OBJECT_ID", "EPOCH", "MEAN_MOTION", "ECCENTRICITY", "INCLINATION",
    "RA_OF_ASC_NODE", "ARG_OF_PERICENTER", "MEAN_ANOMALY", "NORAD_CAT_ID", "BSTAR",
    "MEAN_MOTION_DOT", "MEAN_MOTION_DDOT",
)
MAX_NORAD_CAT_ID = 999_999_999
SGP4_MAX_SATNUM = 339_999
MAX_MEAN_MOTION_REV_DAY = 17.0

_OBJECT_TYPES = {"PAYLOAD": "PAYLOAD", "ROCKET BODY": "ROCKET BODY", "DEBRIS": "DEBRIS",
                 "UNKNOWN": "UNKNOWN", "TBA": "UNKNOWN", "OTHER": "UNKNOWN"}
_ANGLE_RANGES = {
    "INCLINATION": (0.0, 180.0),
    "RA_OF_ASC_NODE": (0.0, 360.0),
    "ARG_OF_PERICENTER": (0.0, 360.0),
    "MEAN_ANOMALY": (0.0, 360.0),
}
_KVN_LINE = re.compile(r"^\s*([A-Z0-9_]+)\s*=\s*(.*?)\s*$")
_KVN_UNITS = re.compile(r"\s*\[([^\]]*)\]\s*$")
# text values: a trailing "[...]" is part of the text (``COSMOS 2433 [GLONASS-M]``), not a unit
_KVN_TEXT_KEYWORDS = frozenset({"OBJECT_NAME", "OBJECT_ID", "CENTER_NAME", "REF_FRAME", "TIME_SYSTEM",
                                "MEAN_ELEMENT_THEORY", "ORIGINATOR", "MESSAGE_ID", "CLASSIFICATION",
                                "CREATION_DATE", "EPOCH", "REF_FRAME_EPOCH"})
# the units the CCSDS OMM gives its mean elements in; a value stated in another unit is
# refused rather than read as if it were in these (rad/s read as rev/day is a wrong orbit)
OMM_UNITS = {"MEAN_MOTION": {"rev/day"}, "INCLINATION": {"deg"}, "RA_OF_ASC_NODE": {"deg"},
             "ARG_OF_PERICENTER": {"deg"}, "MEAN_ANOMALY": {"deg"}, "ECCENTRICITY": {"", "n/a"},
             "MEAN_MOTION_DOT": {"rev/day**2", "rev/day^2"}, "MEAN_MOTION_DDOT": {"rev/day**3", "rev/day^3"},
             "BSTAR": {"1/er"}, "SEMI_MAJOR_AXIS": {"km"}}


def unit_problem(key: str, unit: str | None) -> str | None:
    """Why ``unit`` is not the unit the OMM gives ``key`` in (None when it is, or unstated)."""
    if unit is None or key not in OMM_UNITS:
        return None
    stated = unit.strip().lower().replace(" ", "")
    if not stated or stated in OMM_UNITS[key]:
        return None
    expected = sorted(OMM_UNITS[key] - {""})[0]
    return f"stated in {unit.strip()!r}; this console reads {key} in {expected} only (convert it first)"


def parse_omm_epoch(text: str) -> datetime:
    """OMM EPOCH: ``YYYY-MM-DDThh:mm:ss[.f][Z]`` or day-of-year ``YYYY-DDDThh:mm:ss[.f]``."""
    parsed = parse_ccsds_utc(text)
    if parsed is None:
        raise RecordError(f"{text!r} is not an ISO 8601 UTC epoch", "EPOCH")
    return parsed


def _number(fields: dict[str, str], key: str) -> float:
    try:
        value = float(fields[key])
    except ValueError:
        raise RecordError(f"{fields[key]!r} is not a number", key) from None
    if not math.isfinite(value):
        raise RecordError(f"{fields[key]!r} is not a finite number", key)
    return value


def _normalise(raw: dict[Any, Any]) -> dict[str, str]:
    """Upper-case keys, text values, empty values dropped (so they count as missing)."""
    fields: dict[str, str] = {}
    for key, value in raw.items():
        if key is None or value is None:
            continue
        text = str(value).strip()
        if text:
            fields[str(key).strip().upper()] = text
    return fields


def element_set_from_fields(raw: dict[Any, Any], source: str, location: str) -> ElementSet:
    """Validate one OMM record and initialise its ``Satrec``; raises :class:`RecordError`."""
    fields = _normalise(raw)
    missing = [key for key in MANDATORY_FIELDS if key not in fields]
    if missing:
        raise RecordError("mandatory field missing or empty", ", ".join(missing))
    for key, expected in (("CENTER_NAME", ("EARTH",)), ("REF_FRAME", ("TEME",)), ("TIME_SYSTEM", ("UTC",)),
                          ("MEAN_ELEMENT_THEORY", ("SGP4", "SGP/SGP4"))):
        if key in fields and fields[key].upper() not in expected:
            raise RecordError(f"{fields[key]!r} is not supported (SGP4 needs {' or '.join(expected)})", key)
    epoch = parse_omm_epoch(fields["EPOCH"])
    if not 1957 <= epoch.year <= 2056:
        raise RecordError(f"epoch year {epoch.year} is outside 1957-2056", "EPOCH")
    eccentricity = _number(fields, "ECCENTRICITY")
    if not 0.0 <= eccentricity < 1.0:
        raise RecordError(f"{eccentricity} is outside [0, 1)", "ECCENTRICITY")
    mean_motion = _number(fields, "MEAN_MOTION")
    if not 0.0 < mean_motion <= MAX_MEAN_MOTION_REV_DAY:
        raise RecordError(f"{mean_motion} rev/day is outside (0, {MAX_MEAN_MOTION_REV_DAY}]", "MEAN_MOTION")
    for key, (low, high) in _ANGLE_RANGES.items():
        angle = _number(fields, key)
        if not low <= angle <= high:
            raise RecordError(f"{angle} deg is outside [{low}, {high}]", key)
    for key in ("BSTAR", "MEAN_MOTION_DOT", "MEAN_MOTION_DDOT"):
        _number(fields, key)
    norad_text = fields["NORAD_CAT_ID"]
    if not norad_text.isdigit() or not 0 < int(norad_text) <= MAX_NORAD_CAT_ID:
        raise RecordError(f"{norad_text!r} is not a catalog number of 1 to 9 digits", "NORAD_CAT_ID")
    norad_id = int(norad_text)
    classification = fields.get("CLASSIFICATION_TYPE", "U").upper()
    if classification not in ("U", "C", "S"):
        raise RecordError(f"{classification!r} is not U, C or S", "CLASSIFICATION_TYPE")
    for key, default in (("EPHEMERIS_TYPE", "0"), ("ELEMENT_SET_NO", "999"), ("REV_AT_EPOCH", "0")):
        value = fields.setdefault(key, default)
        if not value.lstrip("+-").isdigit():
            raise RecordError(f"{value!r} is not an integer", key)

    sgp4_fields = dict(fields)
    sgp4_fields["EPOCH"] = epoch.strftime("%Y-%m-%dT%H:%M:%S.%f")
    sgp4_fields["CLASSIFICATION_TYPE"] = classification
    sgp4_fields["NORAD_CAT_ID"] = str(norad_id if norad_id <= SGP4_MAX_SATNUM else 0)
    try:
        satrec = satrec_from_omm_fields(sgp4_fields)
    except (ValueError, KeyError, RuntimeError) as error:
        raise RecordError(f"sgp4 refused the element set: {error}") from None
    object_type = _OBJECT_TYPES.get(fields.get("OBJECT_TYPE", "").upper())
    return ElementSet(
        satrec=satrec,
        norad_id=norad_id,
        name=fields["OBJECT_NAME"],
        intl_designator="" if fields["OBJECT_ID"].upper() in ("UNKNOWN", "TBA") else fields["OBJECT_ID"],
        classification=classification,
        source=source,
        location=location,
        object_type=object_type,
    ).made_from(omm_origin(sgp4_fields))


def _collect(records: Iterable[tuple[str, dict[Any, Any]]], source: str) -> ReadResult:
    result = ReadResult()
    for location, fields in records:
        try:
            result.element_sets.append(element_set_from_fields(fields, source, location))
        except RecordError as error:
            result.reject(Rejection(source, error.location or location, error.reason, error.field))
        except Exception as error:  # a safety net: one strange record must not stop the file
            log.exception("unexpected error reading %s %s", source, location)
            result.reject(Rejection(source, location, f"unreadable record ({type(error).__name__}: {error})"))
    return result


def _file_rejection(source: str, reason: str, location: str = "") -> ReadResult:
    return ReadResult(rejections=[Rejection(source, location, reason)])


# --- CSV (CelesTrak column names) --------------------------------------------------------

def read_omm_csv(data: bytes, source: str) -> ReadResult:
    try:
        text = decode_text(data)
    except UnicodeDecodeError as error:
        return _read_csv_lines_individually(data, source, error)
    # leading "# ..." lines (a marking, as our own exports write) come before the header
    lines = text.splitlines(keepends=True)
    comments = next((n for n, line in enumerate(lines) if not line.lstrip().startswith("#")), len(lines))
    reader = sgp4_omm.parse_csv(io.StringIO("".join(lines[comments:]), newline=""))
    return _collect_csv(reader, source, comments)


def _collect_csv(reader: csv.DictReader, source: str, line_offset: int = 0) -> ReadResult:
    try:
        header = reader.fieldnames or []
    except csv.Error as error:
        return _file_rejection(source, f"not a CSV file: {error}", f"line {1 + line_offset}")
    normalised = {str(name).strip().upper() for name in header}
    missing = [key for key in MANDATORY_FIELDS if key not in normalised]
    if missing:
        return _file_rejection(source, "CSV header lacks mandatory OMM columns: " + ", ".join(missing),
                               f"line {1 + line_offset}")

    def rows() -> Iterable[tuple[str, dict[Any, Any]]]:
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                yield f"line {reader.line_num + line_offset}", {"__error__": str(error)}
                continue
            if None in row:
                yield f"line {reader.line_num + line_offset}", {"__error__": "row has more values than the header has columns"}
                continue
            yield f"line {reader.line_num + line_offset}", row

    result = ReadResult()
    for location, row in rows():
        if "__error__" in row:
            result.reject(Rejection(source, location, row["__error__"]))
            continue
        result.extend(_collect([(location, row)], source))
    return result


def _read_csv_lines_individually(data: bytes, source: str, error: UnicodeDecodeError) -> ReadResult:
    """A CSV with some non-UTF-8 lines: reject those lines, read the rest."""
    lines = decode_lines(data)
    result = ReadResult()
    kept: list[str] = []
    line_numbers: list[int] = []
    for number, line in enumerate(lines, start=1):
        if line is UNDECODABLE:
            result.reject(Rejection(source, f"line {number}", "line is not valid UTF-8 text"))
        else:
            kept.append(line)
            line_numbers.append(number)
    inner = _collect_csv(csv.DictReader(io.StringIO("\n".join(kept), newline="")), source)
    for rejection in inner.rejections:  # map line numbers back to the original file
        if rejection.location.startswith("line "):
            kept_index = int(rejection.location.split()[1]) - 1
            if 0 <= kept_index < len(line_numbers):
                rejection = Rejection(source, f"line {line_numbers[kept_index]}", rejection.reason, rejection.field)
        result.reject(rejection)
    result.more_rejections += inner.more_rejections
    result.element_sets.extend(inner.element_sets)
    return result


# --- JSON (CelesTrak / Space-Track GP JSON: a list of OMM keyword objects) ---------------

def read_omm_json(data: bytes, source: str) -> ReadResult:
    try:
        document = json.loads(decode_text(data))
    except UnicodeDecodeError:
        return _file_rejection(source, "file is not UTF-8 text")
    except json.JSONDecodeError as error:
        return _file_rejection(source, f"not valid JSON: {error.msg}", f"line {error.lineno}")
    except RecursionError:
        return _file_rejection(source, "nested too deeply to be an OMM document")
    records = document if isinstance(document, list) else [document]
    result = ReadResult()
    good: list[tuple[str, dict[Any, Any]]] = []
    for number, record in enumerate(records, start=1):
        if isinstance(record, dict):
            good.append((f"record {number}", record))
        else:
            result.reject(Rejection(source, f"record {number}", "not a JSON object of OMM keywords"))
    result.extend(_collect(good, source))
    return result


# --- XML (CCSDS NDM/XML) --------------------------------------------------------------------

def _local_name(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def read_omm_xml(data: bytes, source: str) -> ReadResult:
    try:
        root = ET.fromstring(data)
    except ET.ParseError as error:
        line, column = error.position
        return _file_rejection(source, f"not well-formed XML (column {column})", f"line {line}")
    except (LookupError, ValueError) as error:  # the XML declaration names an unknown or a multi-byte encoding
        return _file_rejection(source, f"the XML declaration's encoding cannot be read ({error}); save it as UTF-8",
                               "line 1")
    segments = [element for element in root.iter() if _local_name(element.tag) == "segment"]
    if not segments:
        return _file_rejection(source, "no OMM <segment> found in the XML document")
    records, units = [], []
    for number, segment in enumerate(segments, start=1):
        fields: dict[str, str | None] = {}
        problem = None
        for element in segment.iter():
            name = _local_name(element.tag)
            if len(element) == 0 and name not in ("segment", "COMMENT"):
                fields[name] = element.text
                problem = problem or ((name, unit_problem(name, element.get("units")))
                                      if unit_problem(name, element.get("units")) else None)
        if problem is not None:
            units.append(Rejection(source, f"record {number}", problem[1], problem[0]))
            continue
        records.append((f"record {number}", fields))
    result = ReadResult()
    for rejection in units:
        result.reject(rejection)
    result.extend(_collect(records, source))
    return result


# --- KVN (CCSDS keyword = value) --------------------------------------------------------------

def read_omm_kvn(data: bytes, source: str) -> ReadResult:
    """One or more OMMs, each starting with ``CCSDS_OMM_VERS``. A bad value is reported at
    its own line; a missing keyword at the line that starts its message."""
    result = ReadResult()
    messages: list[tuple[int, dict[str, str], dict[str, int]]] = []  # start line, fields, key lines
    current: tuple[int, dict[str, str], dict[str, int]] | None = None
    broken = False

    def close() -> None:
        if current is not None and not broken:
            messages.append(current)

    for number, line in enumerate(decode_lines(data), start=1):
        if line is UNDECODABLE:
            result.reject(Rejection(source, f"line {number}", "line is not valid UTF-8 text"))
            broken = True
            continue
        if not line.strip() or line.strip().startswith("COMMENT"):
            continue
        match = _KVN_LINE.match(line)
        if not match:
            result.reject(Rejection(source, f"line {number}",
                                               f"not a KEYWORD = value line: {line.strip()[:40]!r}"))
            broken = True
            continue
        key = match.group(1)
        textual = key in _KVN_TEXT_KEYWORDS
        value = match.group(2) if textual else _KVN_UNITS.sub("", match.group(2))
        stated = None if textual else _KVN_UNITS.search(match.group(2))
        wrong_unit = unit_problem(key, stated.group(1) if stated else None)
        if wrong_unit:
            result.reject(Rejection(source, f"line {number}", wrong_unit, key))
            broken = True
        if key == "CCSDS_OMM_VERS" or current is None:
            close()
            current, broken = (number, {}, {}), False
            if key == "CCSDS_OMM_VERS":
                continue
        start, fields, key_lines = current
        if key in fields:
            result.reject(Rejection(source, f"line {number}", "keyword appears twice in one message", key))
            broken = True
        fields[key], key_lines[key] = value, number
    close()
    if not messages and not result.rejections:
        return _file_rejection(source, "no OMM keywords found (expected CCSDS_OMM_VERS = ...)")
    for start, fields, key_lines in messages:
        try:
            result.element_sets.append(element_set_from_fields(fields, source, f"line {start}"))
        except RecordError as error:
            line = key_lines.get(error.field or "", start)
            result.reject(Rejection(source, f"line {line}", error.reason, error.field))
        except Exception as error:  # a safety net: one strange message must not stop the file
            log.exception("unexpected error reading %s line %d", source, start)
            result.reject(Rejection(source, f"line {start}",
                                               f"unreadable message ({type(error).__name__}: {error})"))
    return result

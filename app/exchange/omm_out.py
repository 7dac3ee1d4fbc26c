"""CCSDS Orbit Mean-Elements Messages out: XML, KVN, JSON and CSV.

- **XML**: CCSDS NDM/XML, OMM version 2.0, as CelesTrak writes it (one ``<omm>`` per object
  in one ``<ndm>``; ``metadata``, ``data/meanElements``, ``data/tleParameters``), the file's
  marking in a ``<COMMENT>`` at the top of each message's header.
- **KVN**: CCSDS 502.0-B-3 (OMM version 3.0), one message per object, the file's marking in a
  ``COMMENT`` line right after ``CCSDS_OMM_VERS`` and the element set's own marking in the
  header's ``CLASSIFICATION`` keyword (new in 3.0), units in brackets.
- **JSON** and **CSV**: CelesTrak's GP field names and order. JSON is a list of keyword
  objects, as CelesTrak and Space-Track serve it (so every GP reader, ours included, reads
  it), each with its own ``MARKING`` and the file's marking line as a ``COMMENT``. CSV
  starts with the file's marking as a ``# `` comment line, as every CSV the console writes,
  and ends each row with a ``MARKING`` column.

Numbers are written so that python-sgp4's OMM reader (``sgp4.omm.initialize``, which our own
reader uses too) makes the very same ``Satrec`` from them: for each element the shortest
decimal text that the reader's own conversion (degrees to radians, rev/day to rad/min ...)
turns into the element's exact double. ``sgp4.exporter.export_omm`` divides by the
conversion factor and prints the quotient, which for 13 % of the bundled catalog's mean
motions comes back one bit off (and it needs a designator and a catalog number below
340,000), so it is not used for the numbers. Two limits remain, both python-sgp4's:

- ``MEAN_MOTION``: the reader computes ``n / 720 * pi``, the TLE reader ``n / (1440 / 2 pi)``;
  about 7 % of the mean motions read from TLEs are doubles the first formula cannot make
  from any text. Those are written as the text that comes closest: one unit in the last
  place (2e-16 relative) off.
- ``EPOCH``: the reader takes microseconds and holds the epoch as one double of days since
  1949 (0.3 us steps in 2026): element sets read from TLEs (epochs in 1e-8 day) come back
  within 1 us, 8 mm along the track at LEO speed.

Element sets read from an OMM come back to the bit, epoch included. An element made some
other way (a Satrec built from radians, as a scenario's burn or breakup makes) may also be a
double the reader's conversion skips: it comes back within one unit in the last place.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from dataclasses import dataclass
from typing import Callable

from sgp4.api import Satrec

from app.astro.timeutil import jd_to_datetime
from app.catalog.catalog import Catalog
from app.common.spreadsheet import safe_row
from app.exchange.release import ExportResult, Release

FORMATS = ("xml", "kvn", "json", "csv")
# CelesTrak's GP fields, in CelesTrak's order (its CSV columns and JSON keys; sgp4.exporter's too)
GP_FIELDS = ("OBJECT_NAME", "OBJECT_ID", "EPOCH", "MEAN_MOTION", "ECCENTRICITY", "INCLINATION", "RA_OF_ASC_NODE",
             "ARG_OF_PERICENTER", "MEAN_ANOMALY", "EPHEMERIS_TYPE", "CLASSIFICATION_TYPE", "NORAD_CAT_ID",
             "ELEMENT_SET_NO", "REV_AT_EPOCH", "BSTAR", "MEAN_MOTION_DOT", "MEAN_MOTION_DDOT")
METADATA = (("CENTER_NAME", "EARTH"), ("REF_FRAME", "TEME"), ("TIME_SYSTEM", "UTC"), ("MEAN_ELEMENT_THEORY", "SGP4"))
MEAN_ELEMENTS = ("EPOCH", "MEAN_MOTION", "ECCENTRICITY", "INCLINATION", "RA_OF_ASC_NODE", "ARG_OF_PERICENTER",
                 "MEAN_ANOMALY")
TLE_PARAMETERS = ("EPHEMERIS_TYPE", "CLASSIFICATION_TYPE", "NORAD_CAT_ID", "ELEMENT_SET_NO", "REV_AT_EPOCH", "BSTAR",
                  "MEAN_MOTION_DOT", "MEAN_MOTION_DDOT")
INTEGER_FIELDS = ("EPHEMERIS_TYPE", "NORAD_CAT_ID", "ELEMENT_SET_NO", "REV_AT_EPOCH")
KVN_UNITS = {"MEAN_MOTION": "rev/day", "INCLINATION": "deg", "RA_OF_ASC_NODE": "deg", "ARG_OF_PERICENTER": "deg",
             "MEAN_ANOMALY": "deg", "BSTAR": "1/ER", "MEAN_MOTION_DOT": "rev/day**2",
             "MEAN_MOTION_DDOT": "rev/day**3"}
MARKING_FIELD = "MARKING"
CSV_COLUMNS = (*GP_FIELDS, MARKING_FIELD)
EPOCH_LAYOUT = "%Y-%m-%dT%H:%M:%S.%f"  # what sgp4.omm.initialize parses (microseconds, no zone letter)
XSI = "http://www.w3.org/2001/XMLSchema-instance"
NDM_SCHEMA = "https://sanaregistry.org/r/ndmxml/ndmxml-1.0-master.xsd"  # the one CelesTrak names

# What sgp4.omm.initialize does with each number (sgp4/omm.py), and a first guess at its inverse.
_TO_RADIANS = math.pi / 180.0
_NDOT_UNITS = 1036800.0 / math.pi
_NDDOT_UNITS = 2985984000.0 / 2.0 / math.pi


@dataclass(frozen=True)
class _Element:
    key: str
    attribute: str
    read: Callable[[float], float]  # text value -> Satrec attribute, as sgp4.omm.initialize computes it
    guess: Callable[[float], float]  # Satrec attribute -> text value, near enough to start the search


_ELEMENTS = (
    _Element("MEAN_MOTION", "no_kozai", lambda v: v / 720.0 * math.pi, lambda x: x * 720.0 / math.pi),
    _Element("ECCENTRICITY", "ecco", lambda v: v, lambda x: x),
    _Element("INCLINATION", "inclo", lambda v: v * _TO_RADIANS, lambda x: x / _TO_RADIANS),
    _Element("RA_OF_ASC_NODE", "nodeo", lambda v: v * _TO_RADIANS, lambda x: x / _TO_RADIANS),
    _Element("ARG_OF_PERICENTER", "argpo", lambda v: v * _TO_RADIANS, lambda x: x / _TO_RADIANS),
    _Element("MEAN_ANOMALY", "mo", lambda v: v * _TO_RADIANS, lambda x: x / _TO_RADIANS),
    _Element("BSTAR", "bstar", lambda v: v, lambda x: x),
    _Element("MEAN_MOTION_DOT", "ndot", lambda v: v / _NDOT_UNITS, lambda x: x * _NDOT_UNITS),
    _Element("MEAN_MOTION_DDOT", "nddot", lambda v: v / _NDDOT_UNITS, lambda x: x * _NDDOT_UNITS),
)
_NEIGHBOURS = 8  # doubles either side of the first guess tried before giving up on an exact text


def exact_text(target: float, read: Callable[[float], float], guess: Callable[[float], float]) -> str:
    """The shortest decimal text ``t`` with ``read(float(t)) == target``; when no text gives
    ``target`` exactly (the reader's formula skips some doubles), the text that comes closest."""
    if target == 0.0 or not math.isfinite(target):
        return "0" if target == 0.0 else repr(target)
    first = guess(target)
    for digits in range(1, 18):
        text = _decimal(first, digits)
        if read(float(text)) == target:
            return text
    below = above = first
    candidates = [first]
    for _ in range(_NEIGHBOURS):
        below, above = math.nextafter(below, -math.inf), math.nextafter(above, math.inf)
        candidates += [below, above]
        for value in (below, above):
            if read(value) == target:
                return repr(value)
    texts = [repr(value) for value in candidates] + [_decimal(first, digits) for digits in (15, 16, 17)]
    return min(texts, key=lambda t: (abs(read(float(t)) - target), len(t)))


def _decimal(value: float, digits: int) -> str:
    """``value`` to ``digits`` significant digits, in plain notation unless very small or large."""
    text = f"{value:.{digits}g}"
    return text.replace("e-0", "e-").replace("e+0", "e+")


def epoch_text(satrec: Satrec) -> str:
    """The element set's epoch to the microsecond, as sgp4's OMM reader parses it."""
    return jd_to_datetime(satrec.jdsatepoch, satrec.jdsatepochF).strftime(EPOCH_LAYOUT)


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def one_line(text: str) -> str:
    """Text for a line-oriented format (KVN, TLE): control characters (a newline that would
    start a keyword or a record of its own) become spaces."""
    return _CONTROL.sub(" ", text)


def gp_record(catalog: Catalog, row: int) -> dict[str, str]:
    """One object's GP keywords (CelesTrak's names and order), every value as text."""
    satrec = catalog.satrecs[row]
    record = {"OBJECT_NAME": str(catalog.name[row]), "OBJECT_ID": str(catalog.intl_designator[row]) or "UNKNOWN",
              "EPOCH": epoch_text(satrec)}
    record.update({e.key: exact_text(float(getattr(satrec, e.attribute)), e.read, e.guess) for e in _ELEMENTS})
    record.update({"EPHEMERIS_TYPE": str(int(satrec.ephtype)), "CLASSIFICATION_TYPE": str(catalog.classification[row]),
                   "NORAD_CAT_ID": str(int(catalog.norad_id[row])), "ELEMENT_SET_NO": str(int(satrec.elnum)),
                   "REV_AT_EPOCH": str(int(satrec.revnum))})
    return {key: record[key] for key in GP_FIELDS}


def export_omm(catalog: Catalog, release: Release, fmt: str) -> ExportResult:
    """The released rows as an OMM file of ``fmt`` (xml, kvn, json, csv)."""
    if fmt not in FORMATS:
        raise ValueError(f"OMM format {fmt!r}: one of {', '.join(FORMATS)}")
    records = [gp_record(catalog, int(row)) for row in release.rows]
    writer = {"xml": _xml, "kvn": _kvn, "json": _json, "csv": _csv}[fmt]
    return ExportResult(writer(records, release), len(records), list(release.left_out), release.marking)


def _originator(release: Release) -> str:
    nation = release.operator.nation if release.operator is not None else ""
    return nation or "SPACEOPS"


def _creation_date(release: Release) -> str:
    return release.exported_utc.strftime("%Y-%m-%dT%H:%M:%S")


# --- XML ------------------------------------------------------------------------------------

_XML_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(text: str) -> str:
    """Character data: ``&``, ``<``, ``>`` escaped, a carriage return as ``&#13;`` (a parser
    would turn a bare one into a newline), and the control characters XML 1.0 cannot hold at
    all as U+FFFD."""
    text = _XML_FORBIDDEN.sub("\ufffd", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


def _leaf(key: str, value: str, indent: str) -> str:
    return f"{indent}<{key}>{xml_text(value)}</{key}>\n"


def _xml(records: list[dict[str, str]], release: Release) -> str:
    out = io.StringIO()
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(f'<ndm xmlns:xsi="{XSI}" xsi:noNamespaceSchemaLocation="{NDM_SCHEMA}">\n')
    comment, created, originator = release.marking_line(), _creation_date(release), _originator(release)
    for record in records:
        out.write('<omm id="CCSDS_OMM_VERS" version="2.0">\n<header>\n')
        out.write(_leaf("COMMENT", comment, " ") + _leaf("CREATION_DATE", created, " ")
                  + _leaf("ORIGINATOR", originator, " "))
        out.write("</header>\n<body>\n<segment>\n <metadata>\n")
        out.write(_leaf("OBJECT_NAME", record["OBJECT_NAME"], "  ") + _leaf("OBJECT_ID", record["OBJECT_ID"], "  "))
        for key, value in METADATA:
            out.write(_leaf(key, value, "  "))
        out.write(" </metadata>\n <data>\n  <meanElements>\n")
        for key in MEAN_ELEMENTS:
            out.write(_leaf(key, record[key], "   "))
        out.write("  </meanElements>\n  <tleParameters>\n")
        for key in TLE_PARAMETERS:
            out.write(_leaf(key, record[key], "   "))
        out.write("  </tleParameters>\n </data>\n</segment>\n</body>\n</omm>\n")
    out.write("</ndm>\n")
    return out.getvalue()


# --- KVN ------------------------------------------------------------------------------------

def _kvn(records: list[dict[str, str]], release: Release) -> str:
    out = io.StringIO()
    # (KVN is ASCII text: the marking line's dash as a hyphen)
    comment = one_line(release.marking_line()).replace("\u2014", "-")
    created, originator = _creation_date(release), _originator(release)
    for record, marking in zip(records, release.record_markings):
        out.write(f"CCSDS_OMM_VERS = 3.0\nCOMMENT {comment}\nCLASSIFICATION = {marking}\n"
                  f"CREATION_DATE = {created}\nORIGINATOR = {one_line(originator)}\n\n")
        out.write(f"OBJECT_NAME = {one_line(record['OBJECT_NAME'])}\nOBJECT_ID = {one_line(record['OBJECT_ID'])}\n")
        for key, value in METADATA:
            out.write(f"{key} = {value}\n")
        out.write("\n")
        for section in (MEAN_ELEMENTS, TLE_PARAMETERS):
            for key in section:
                unit = f" [{KVN_UNITS[key]}]" if key in KVN_UNITS else ""
                out.write(f"{key} = {record[key]}{unit}\n")
            out.write("\n")
    return out.getvalue()


# --- JSON and CSV ---------------------------------------------------------------------------

def _typed(key: str, value: str):
    if key in INTEGER_FIELDS:
        return int(value)
    if key in GP_FIELDS[3:] and key != "CLASSIFICATION_TYPE":
        return float(value)  # json writes the shortest text of this double: it reads back to it
    return value


def _json(records: list[dict[str, str]], release: Release) -> str:
    comment = release.marking_line()
    document = [{**{key: _typed(key, value) for key, value in record.items()}, MARKING_FIELD: marking,
                 "COMMENT": comment} for record, marking in zip(records, release.record_markings)]
    return json.dumps(document, indent=1, ensure_ascii=False, allow_nan=False) + "\n"


def _csv(records: list[dict[str, str]], release: Release) -> str:
    out = io.StringIO()
    out.write(f"# {one_line(release.marking_line())}\n")
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for record, marking in zip(records, release.record_markings):
        writer.writerow(safe_row({**record, MARKING_FIELD: marking}))
    return out.getvalue()

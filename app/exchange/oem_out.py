"""CCSDS Orbit Ephemeris Messages out (502.0-B-2, OEM version 2.0): the selected objects'
SGP4 states over a span, KVN or NDM/XML, for partners whose tools read ephemerides rather
than element sets.

One message: the header (``CCSDS_OEM_VERS = 2.0``, the file's marking line in a ``COMMENT``,
``CREATION_DATE``, ``ORIGINATOR``: the operator's nation, else SPACEOPS), then one segment per
object: its own marking in a ``COMMENT`` at the top of its metadata, ``OBJECT_NAME``,
``OBJECT_ID`` (the international designator, else the catalog number), ``CENTER_NAME = EARTH``,
``REF_FRAME``, ``TIME_SYSTEM = UTC``, ``START_TIME`` / ``STOP_TIME`` (the first and last
state), ``INTERPOLATION = LAGRANGE`` and ``INTERPOLATION_DEGREE = 7`` (8 states: with 60 s
steps within 2 cm of SGP4 between states, measured 2 mm at LEO and 8 mm at HEO; see the
tests), then a comment naming the catalog number and element set, and a state every
``step_s`` seconds from ``start`` (the span's end as the last state, as the CZML export
samples): epoch to the microsecond, positions in km to the millimetre, velocities in km/s to
the micrometre per second. Several objects go in one message, one segment each (CCSDS,
Orekit and ccsds-ndm read that; the ``oem`` package reads one object per file only).

Frames (:mod:`app.astro.frames`, ERFA's IAU 2006/2000A models; SGP4 gives TEME):
``GCRF`` (the default; within millimetres of Skyfield's GCRS), ``EME2000`` (GCRF turned by the
IAU 2000 frame bias), ``TEME`` (SGP4's own) and ``ITRF`` (the console's Earth-fixed frame:
IAU-82 GMST, UT1 = UTC, no polar motion, velocities with Earth's rotation; display grade,
tens of metres at LEO).

States where SGP4 fails (decayed, error code != 0) end the object's segment: it holds the
states before the first failure (a warning says how many were left out); an object with fewer
than two good states is left out and said so. Our reader (:mod:`app.catalog.ingest.oem`) and both
kept libraries (``oem``, ``ccsds-ndm``) read the files back (tests)."""

from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone

import numpy as np

from app.astro.ephemeris import convert_states
from app.astro.timeutil import SECONDS_PER_DAY, datetime_to_jd
from app.catalog.catalog import Catalog
from app.exchange.omm_out import XSI, one_line, xml_text
from app.exchange.release import ExportError, ExportResult, Release
from app.exchange.sampling import SpanError, sample_offsets, teme_states

FRAMES = ("GCRF", "EME2000", "TEME", "ITRF")
FORMATS = ("kvn", "xml")
OEM_VERSION = "2.0"
INTERPOLATION = "LAGRANGE"
INTERPOLATION_DEGREE = 7
DEFAULT_STEP_S = 60.0
MAX_STATES = 2_000_000  # objects x states in one file (about 200 MB of KVN)
EPOCH_LAYOUT = "%Y-%m-%dT%H:%M:%S.%f"
NDM_SCHEMA = "https://sanaregistry.org/r/ndmxml/ndmxml-1.0-master.xsd"
_MJD_ZERO_JD = 2400000.5


class OemError(ExportError):
    """A span, step, frame or format this export cannot make a file of."""


def export_oem(catalog: Catalog, release: Release, start: datetime, hours: float, step_s: float = DEFAULT_STEP_S,
               frame: str = "GCRF", fmt: str = "kvn") -> ExportResult:
    """The released rows as an OEM from ``start`` over ``hours``; OemError for a frame,
    format, span or step it cannot use (nothing is computed then)."""
    if frame not in FRAMES:
        raise OemError(f"frame {frame!r}: one of {', '.join(FRAMES)}")
    if fmt not in FORMATS:
        raise OemError(f"format {fmt!r}: one of {', '.join(FORMATS)}")
    if start.tzinfo is None:
        raise OemError("the start must be a timezone-aware UTC time")
    try:
        offsets = sample_offsets(hours, step_s)
    except SpanError as error:
        raise OemError(str(error)) from None
    if len(offsets) * len(release.rows) > MAX_STATES:
        raise OemError(f"{len(release.rows)} objects x {len(offsets)} states is more than {MAX_STATES:,}: choose "
                       "fewer objects, a shorter span or a longer step")
    start = start.astimezone(timezone.utc)
    micro = np.round(offsets * 1e6).astype(np.int64)
    epochs = [start + timedelta(microseconds=int(us)) for us in micro]  # the very times the file prints
    jd0, fr0 = datetime_to_jd(start)
    jd = np.full(len(micro), jd0)
    fr = fr0 + micro / 1e6 / SECONDS_PER_DAY
    mjd, seconds = _days_and_seconds(jd, fr)
    segments, empty, reasons, warnings = [], [], [], []
    for index, row, errors, r_teme, v_teme in teme_states(catalog, [int(r) for r in release.rows], jd, fr):
        good = (errors == 0) & np.all(np.isfinite(r_teme), axis=1) & np.all(np.isfinite(v_teme), axis=1)
        count = len(good) if good.all() else int(np.argmax(~good))  # the states before the first failure
        if count < 2:
            empty.append(index)
            reasons.append(f"fewer than two states in the span (sgp4 error {int(np.max(errors))})")
            continue
        if count < len(good):
            warnings.append(f"{int(catalog.norad_id[row])} ({catalog.name[row]}): {len(good) - count} of "
                            f"{len(good)} states left out, from {epochs[count]:%Y-%m-%dT%H:%M:%SZ} (sgp4 error "
                            f"{int(errors[count])})")
        r, v = convert_states(r_teme[:count], v_teme[:count], mjd[:count], seconds[:count], "TEME", frame)
        segments.append((row, r, v, count))
    if empty:
        release = release.without(empty, reasons)
    marking_of = dict(zip((int(r) for r in release.rows), release.record_markings))
    kept = [(row, marking_of[row], r, v, epochs[:count]) for row, r, v, count in segments if row in marking_of]
    writer = _kvn if fmt == "kvn" else _xml
    text = writer(catalog, release, kept, frame)
    return ExportResult(text, len(kept), list(release.left_out), release.marking, warnings)


def _days_and_seconds(jd: np.ndarray, fr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    days = jd - _MJD_ZERO_JD + np.floor(fr)
    return days.astype(np.int64), (fr - np.floor(fr)) * SECONDS_PER_DAY


def _epoch(moment: datetime) -> str:
    return moment.strftime(EPOCH_LAYOUT)


def _header_values(release: Release) -> tuple[str, str, str]:
    """The marking comment (ASCII: the marking line's dash as a hyphen), creation date and
    originator."""
    originator = (release.operator.nation if release.operator is not None else "") or "SPACEOPS"
    return (one_line(release.marking_line()).replace("\u2014", "-"),
            release.exported_utc.strftime("%Y-%m-%dT%H:%M:%S"), originator)


def _object(catalog: Catalog, row: int) -> tuple[str, str, str]:
    """OBJECT_NAME, OBJECT_ID and the data comment of a catalog row."""
    norad_id = int(catalog.norad_id[row])
    name = one_line(str(catalog.name[row])).strip() or str(norad_id)
    object_id = one_line(str(catalog.intl_designator[row])).strip() or str(norad_id)
    element_epoch = catalog.epoch_utc(row).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return name, object_id, (f"catalog number {norad_id}; SGP4 states from the element set of {element_epoch}")


def _rows(r: np.ndarray, v: np.ndarray, epochs: list[datetime]) -> list[tuple[str, ...]]:
    return [(_epoch(moment), *(f"{x:.6f}" for x in position), *(f"{x:.9f}" for x in velocity))
            for moment, position, velocity in zip(epochs, r, v)]


def _kvn(catalog: Catalog, release: Release, segments: list, frame: str) -> str:
    out = io.StringIO()
    comment, created, originator = _header_values(release)
    out.write(f"CCSDS_OEM_VERS = {OEM_VERSION}\nCOMMENT {comment}\nCREATION_DATE = {created}\n"
              f"ORIGINATOR = {one_line(originator)}\n")
    for row, marking, r, v, epochs in segments:
        name, object_id, note = _object(catalog, row)
        degree = min(INTERPOLATION_DEGREE, len(epochs) - 1)
        out.write(f"\nMETA_START\nCOMMENT {marking}\nOBJECT_NAME = {name}\nOBJECT_ID = {object_id}\n"
                  f"CENTER_NAME = EARTH\nREF_FRAME = {frame}\nTIME_SYSTEM = UTC\nSTART_TIME = {_epoch(epochs[0])}\n"
                  f"STOP_TIME = {_epoch(epochs[-1])}\nINTERPOLATION = {INTERPOLATION}\n"
                  f"INTERPOLATION_DEGREE = {degree}\nMETA_STOP\n\nCOMMENT {note}\n")
        out.write("".join(" ".join(values) + "\n" for values in _rows(r, v, epochs)))
    return out.getvalue()


def _xml(catalog: Catalog, release: Release, segments: list, frame: str) -> str:
    out = io.StringIO()
    _comment, created, originator = _header_values(release)
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(f'<oem xmlns:xsi="{XSI}" xsi:noNamespaceSchemaLocation="{NDM_SCHEMA}" id="CCSDS_OEM_VERS" '
              f'version="{OEM_VERSION}">\n<header>\n')
    out.write(f" <COMMENT>{xml_text(release.marking_line())}</COMMENT>\n <CREATION_DATE>{created}</CREATION_DATE>\n"
              f" <ORIGINATOR>{xml_text(originator)}</ORIGINATOR>\n</header>\n<body>\n")
    names = ("X", "Y", "Z", "X_DOT", "Y_DOT", "Z_DOT")
    for row, marking, r, v, epochs in segments:
        name, object_id, note = _object(catalog, row)
        degree = min(INTERPOLATION_DEGREE, len(epochs) - 1)
        out.write("<segment>\n <metadata>\n")
        for key, value in (("COMMENT", marking), ("OBJECT_NAME", name), ("OBJECT_ID", object_id),
                           ("CENTER_NAME", "EARTH"), ("REF_FRAME", frame), ("TIME_SYSTEM", "UTC"),
                           ("START_TIME", _epoch(epochs[0])), ("STOP_TIME", _epoch(epochs[-1])),
                           ("INTERPOLATION", INTERPOLATION), ("INTERPOLATION_DEGREE", str(degree))):
            out.write(f"  <{key}>{xml_text(value)}</{key}>\n")
        out.write(f" </metadata>\n <data>\n  <COMMENT>{xml_text(note)}</COMMENT>\n")
        for values in _rows(r, v, epochs):
            out.write(f"  <stateVector><EPOCH>{values[0]}</EPOCH>"
                      + "".join(f"<{key}>{value}</{key}>" for key, value in zip(names, values[1:]))
                      + "</stateVector>\n")
        out.write(" </data>\n</segment>\n")
    out.write("</body>\n</oem>\n")
    return out.getvalue()

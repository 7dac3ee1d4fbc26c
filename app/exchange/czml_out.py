"""CZML out, for partners whose tools are Cesium-based: the selected objects over a time span.

The document is a JSON list of packets: first the document packet (``id`` "document", its
``name`` and ``description`` carrying the marking, ``version`` "1.0", a ``clock`` over the
span), then one packet per object: ``name``, ``description`` (its marking, catalog number,
designator, element epoch), ``availability``, ``label``, ``point``, ``path`` and a
``position`` sampled every ``step_s`` seconds from ``epoch``, ``cartesian`` ``[t, x, y, z,
...]`` in metres (to the millimetre), Lagrange-interpolated (degree 5).

Positions are the console's SGP4 (TEME) turned into the frame asked for:

- ``INERTIAL`` (the default): GCRS, the ICRF-aligned frame Cesium means by INERTIAL, through
  :func:`app.astro.frames.teme_to_gcrs_rotation` (IAU 2006/2000A; within millimetres of
  Skyfield's GCRS). Cesium turns it Earth-fixed with its own Earth-orientation data.
- ``FIXED``: Earth-fixed, through the console's own TEME -> ITRS rotation (IAU-82 GMST, UT1 =
  UTC, no polar motion: display grade, tens of metres at LEO, a few hundred at GEO).

Times are UTC; sample offsets count UTC seconds from the start (a leap second inside the span
would shift the later samples by one second: none is announced). Samples where SGP4 fails
(decayed, error code != 0) are left out; an object with none is left out of the document and
said so. The document is written as plain JSON (the format is a list of dicts; czml3, the
Python CZML library, checks it in the tests and is not needed to run the console)."""

from __future__ import annotations

import html
import json
import math
from datetime import datetime, timedelta, timezone

import numpy as np

from app.astro.frames import teme_to_gcrs_rotation, teme_to_itrs_many_epochs
from app.astro.timeutil import SECONDS_PER_DAY, datetime_to_jd
from app.catalog.catalog import Catalog
from app.exchange.release import ExportError, ExportResult, Release
from app.exchange.sampling import SpanError, sample_offsets, teme_states

FRAMES = ("INERTIAL", "FIXED")
CZML_VERSION = "1.0"
INTERPOLATION = "LAGRANGE"
INTERPOLATION_DEGREE = 5
DEFAULT_STEP_S = 60.0
MAX_SAMPLES = 2_000_000  # objects x samples in one document (about 100 MB of JSON)
CLOCK_MULTIPLIER = 60
_COLOURS = {"PAYLOAD": [0, 200, 255, 255], "ROCKET BODY": [255, 150, 0, 255], "DEBRIS": [170, 170, 170, 255]}
_OTHER_COLOUR = [255, 255, 255, 255]


class CzmlError(ExportError):
    """A span, step or frame this export cannot make a document of."""


def iso(moment: datetime) -> str:
    """ISO 8601 UTC with a Z, microseconds only when there are any."""
    moment = moment.astimezone(timezone.utc)
    fraction = f".{moment.microsecond:06d}" if moment.microsecond else ""
    return f"{moment:%Y-%m-%dT%H:%M:%S}{fraction}Z"


def export_czml(catalog: Catalog, release: Release, start: datetime, hours: float, step_s: float = DEFAULT_STEP_S,
                frame: str = "INERTIAL", title: str = "spaceops element sets") -> ExportResult:
    """The released rows as a CZML document from ``start`` over ``hours``. CzmlError for a
    frame, span or step it cannot use (nothing is computed then)."""
    if frame not in FRAMES:
        raise CzmlError(f"frame {frame!r}: one of {', '.join(FRAMES)}")
    if start.tzinfo is None:
        raise CzmlError("the start must be a timezone-aware UTC time")
    try:
        offsets = sample_offsets(hours, step_s)
    except SpanError as error:
        raise CzmlError(str(error)) from None
    if len(offsets) * len(release.rows) > MAX_SAMPLES:
        raise CzmlError(f"{len(release.rows)} objects x {len(offsets)} samples is more than {MAX_SAMPLES:,} "
                        "positions: choose fewer objects, a shorter span or a longer step")
    jd0, fr0 = datetime_to_jd(start)
    jd = np.full(len(offsets), jd0)
    fr = fr0 + offsets / SECONDS_PER_DAY
    rotation = teme_to_gcrs_rotation(jd, fr) if frame == "INERTIAL" else None
    stop = start + timedelta(seconds=float(offsets[-1]))
    packets, empty, reasons, warnings = [], [], [], []
    for index, row, errors, r_teme, _v in teme_states(catalog, [int(r) for r in release.rows], jd, fr):
        good = (errors == 0) & np.all(np.isfinite(r_teme), axis=1)
        if not good.any():
            empty.append(index)
            reasons.append(f"no position over the span (sgp4 error {int(np.max(errors))})")
            continue
        if not good.all():
            warnings.append(f"{int(catalog.norad_id[row])} ({catalog.name[row]}): {int(np.count_nonzero(~good))} "
                            f"of {len(good)} samples left out (sgp4 error {int(np.max(errors))})")
        if rotation is not None:
            r_km = np.einsum("tij,tj->ti", rotation[good], r_teme[good])
        else:
            r_km = teme_to_itrs_many_epochs(r_teme[good], jd[good], fr[good])
        packets.append((index, row, offsets[good], r_km))
    if empty:
        release = release.without(empty, reasons)
    marking_of = dict(zip((int(r) for r in release.rows), release.record_markings))
    document = [_document_packet(release, title, start, stop)]
    document += [_object_packet(catalog, row, marking_of[row], start, t, r_km, frame, step_s, offsets[-1])
                 for _index, row, t, r_km in packets if row in marking_of]
    text = "[\n" + ",\n".join(json.dumps(p, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
                              for p in document) + "\n]\n"
    return ExportResult(text, len(document) - 1, list(release.left_out), release.marking, warnings)


def _document_packet(release: Release, title: str, start: datetime, stop: datetime) -> dict:
    return {"id": "document", "name": f"{release.marking} — {title}", "version": CZML_VERSION,
            "description": html.escape(release.marking_line()),
            "clock": {"interval": f"{iso(start)}/{iso(stop)}", "currentTime": iso(start),
                      "multiplier": CLOCK_MULTIPLIER, "range": "LOOP_STOP", "step": "SYSTEM_CLOCK_MULTIPLIER"}}


def _object_packet(catalog: Catalog, row: int, marking: str, start: datetime, offsets_s: np.ndarray,
                   r_km: np.ndarray, frame: str, step_s: float, span_s: float) -> dict:
    norad_id, name = int(catalog.norad_id[row]), str(catalog.name[row])
    colour = _COLOURS.get(str(catalog.object_type[row]), _OTHER_COLOUR)
    samples = np.column_stack([offsets_s, np.round(r_km * 1000.0, 3)])
    satrec = catalog.satrecs[row]
    period_s = 2.0 * math.pi / satrec.no * 60.0 if satrec.no > 0 else span_s
    first = start + timedelta(seconds=float(offsets_s[0]))
    last = start + timedelta(seconds=float(offsets_s[-1]))
    designator = str(catalog.intl_designator[row]) or "no designator"
    return {
        "id": str(norad_id),
        "name": name,
        "description": (f"<p><b>{html.escape(marking)}</b></p><p>{html.escape(name)}: catalog number {norad_id}, "
                        f"{html.escape(designator)}, elements of {iso(catalog.epoch_utc(row))} (SGP4), "
                        f"{'GCRS' if frame == 'INERTIAL' else 'Earth-fixed'} positions</p>"),
        "availability": f"{iso(first)}/{iso(last)}",
        "label": {"text": name, "font": "11pt sans-serif", "horizontalOrigin": "LEFT",
                  "pixelOffset": {"cartesian2": [8, 0]}, "fillColor": {"rgba": colour}, "show": True},
        "point": {"pixelSize": 6, "color": {"rgba": colour}, "show": True},
        "path": {"show": True, "width": 1, "resolution": float(step_s), "leadTime": 0.0,
                 "trailTime": float(min(period_s, span_s)), "material": {"solidColor": {"color": {"rgba": colour}}}},
        "position": {"epoch": iso(start), "referenceFrame": frame, "interpolationAlgorithm": INTERPOLATION,
                     "interpolationDegree": int(min(INTERPOLATION_DEGREE, max(1, len(offsets_s) - 1))),
                     "cartesian": samples.ravel().tolist()},
    }

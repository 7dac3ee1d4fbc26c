"""OEM files as catalog files: each object of an OEM joins the catalog as an *ephemeris
object*, an :class:`~app.catalog.ingest.records.ElementSet` whose satrec is an
:class:`~app.astro.ephemeris_satrec.EphemerisSatrec` (states from the ephemeris, mean
elements fitted to it for orbit class and filters).

Which object it is
    ``OBJECT_ID`` as a catalog number (``25544``), else as an international designator
    (``1998-067A``, written with or without the hyphens) matched against the element sets loaded
    with it (:func:`identify_ephemeris_objects`, at catalog build): an operator's ephemeris of a
    catalogued object *replaces* that object's element set (a precise ephemeris beats a general
    perturbations set, whatever their epochs). An object no loaded catalog holds gets a stable
    number of its own, 900,000,000 + a CRC-32 of its OBJECT_ID and OBJECT_NAME (so a watch pair
    kept in the store finds it at the next start), with a warning saying so.

Marking
    The first segment comment that starts with a classification word (``UNCLASSIFIED``,
    ``CONFIDENTIAL``, ``SECRET``, as our own OEM export writes it) gives the element set's
    classification; none: U, as for a TLE.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import replace

from app.astro.ephemeris import Ephemeris
from app.astro.ephemeris_satrec import EphemerisSatrec, ephemeris_satrec
from app.astro.mean_elements import FitError
from app.catalog.ingest.oem import read_oem_bytes
from app.catalog.ingest.records import ElementSet, ReadResult, RecordWarning, Rejection

UNMATCHED_BASE = 900_000_000  # the numbers given to ephemeris objects no loaded catalog holds
UNMATCHED_SPAN = 99_999_999
_CLASSIFICATION_WORDS = {"UNCLASSIFIED": "U", "CONFIDENTIAL": "C", "SECRET": "S"}
_DESIGNATOR = re.compile(r"^(\d{4})-?(\d{3})-?([A-Z]{1,3})$")


def is_ephemeris_object(element_set: ElementSet) -> bool:
    return isinstance(element_set.satrec, EphemerisSatrec)


def designator_key(text: str) -> str:
    """'1998-067-A', '1998067A', '1998-067A' -> '1998-067A'; '' when not a designator."""
    match = _DESIGNATOR.match(text.strip().upper().replace(" ", ""))
    return f"{match[1]}-{match[2]}{match[3]}" if match else ""


def _classification(ephemeris: Ephemeris) -> str:
    for segment in ephemeris.segments:
        for comment in segment.comments:
            word = re.split(r"[\s/]", comment.strip().upper(), maxsplit=1)[0] if comment.strip() else ""
            if word in _CLASSIFICATION_WORDS:
                return _CLASSIFICATION_WORDS[word]
    return "U"


def read_oem_element_sets(data: bytes, source: str) -> ReadResult:
    """An OEM's objects as element sets (catalog number 0: not known yet, see
    :func:`identify_ephemeris_objects`), the file's rejections and warnings kept."""
    read = read_oem_bytes(data, source)
    result = ReadResult()
    for rejection in read.rejections:
        result.reject(rejection)
    for warning in read.warnings:
        result.warn(warning)
    for ephemeris in read.ephemerides:
        first = ephemeris.segments[0]
        location = f"line {first.line}" if first.line else ""
        object_id = ephemeris.object_id.strip()
        norad_id = int(object_id) if object_id.isdigit() and 0 < int(object_id) < UNMATCHED_BASE else 0
        try:
            satrec = ephemeris_satrec(ephemeris, norad_id)
        except FitError as error:
            result.reject(Rejection(source, location, f"{object_id or ephemeris.object_name}: no orbit fits the "
                                    f"ephemeris ({error})", "OBJECT_ID"))
            continue
        designator = designator_key(object_id)
        result.element_sets.append(ElementSet(satrec, norad_id, ephemeris.object_name.strip(), designator,
                                              _classification(ephemeris), source, location, None))
    if not result.element_sets and not result.rejections:
        result.reject(Rejection(source, "", "no ephemeris found in the OEM"))
    return result


def identify_ephemeris_objects(element_sets: list[ElementSet]) -> tuple[list[ElementSet], list[RecordWarning]]:
    """The element sets with each ephemeris object's catalog number filled in: its own, the
    number of the element set with its international designator, or a stable number of its own
    (warned of)."""
    by_designator = {e.intl_designator: e.norad_id for e in element_sets
                     if e.intl_designator and not is_ephemeris_object(e)}
    identified, warnings = [], []
    for element_set in element_sets:
        if is_ephemeris_object(element_set) and element_set.norad_id == 0:
            ephemeris = element_set.satrec.ephemeris
            norad_id = by_designator.get(element_set.intl_designator, 0)
            if norad_id == 0:
                key = f"{ephemeris.object_id.strip().upper()}|{ephemeris.object_name.strip().upper()}"
                norad_id = UNMATCHED_BASE + zlib.crc32(key.encode()) % UNMATCHED_SPAN
                warnings.append(RecordWarning(element_set.source, element_set.location,
                                              f"ephemeris object {ephemeris.object_id or ephemeris.object_name} "
                                              f"({ephemeris.object_name}) is in no catalog loaded with it: shown as "
                                              f"catalog number {norad_id}"))
            element_set = replace(element_set, norad_id=norad_id)
        identified.append(element_set)
    return identified, warnings

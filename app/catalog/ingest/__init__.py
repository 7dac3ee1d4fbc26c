"""Reading element-set files of any supported format into :class:`ElementSet` records.

``read_catalog_files`` picks the reader by extension, or by a look at the content when
the extension says nothing, and never raises for bad input: a file that cannot be read
at all and every bad record inside a good file become :class:`Rejection` entries (the first
``MAX_KEPT`` in full, the rest counted). A record that loads but has its perigee below the
Earth's surface (a decaying object) becomes a :class:`RecordWarning`. A TLE file is read as
a stream, so a huge file of bad records costs time, not memory. Reading stops with
:class:`~app.common.progress.Cancelled` at its next report once its
:class:`~app.common.progress.Progress` is cancelled.
"""

from __future__ import annotations

import codecs
import logging
import os
from pathlib import Path
from typing import Callable, Iterable

from app.astro.constants import WGS72_EARTH_RADIUS_KM
from app.common.input_file import CATALOG_MAX_BYTES, open_input_file, read_rest
from app.catalog.ingest.ephemeris_objects import read_oem_element_sets
from app.catalog.ingest.omm import read_omm_csv, read_omm_json, read_omm_kvn, read_omm_xml
from app.catalog.ingest.records import MAX_KEPT, ElementSet, ReadResult, RecordError, RecordWarning, Rejection
from app.catalog.ingest.tle import read_tle_bytes, read_tle_stream
from app.common.progress import Cancelled, Progress

__all__ = ["ElementSet", "ReadResult", "RecordError", "RecordWarning", "Rejection", "MAX_KEPT",
           "read_catalog_file", "read_catalog_files", "read_catalog_bytes", "detect_format", "CATALOG_SUFFIXES"]

log = logging.getLogger(__name__)

Reader = Callable[[bytes, str], ReadResult]
READERS: dict[str, Reader] = {
    "tle": read_tle_bytes,
    "omm-xml": read_omm_xml,
    "omm-kvn": read_omm_kvn,
    "omm-json": read_omm_json,
    "omm-csv": read_omm_csv,
    "oem": read_oem_element_sets,
}
_BY_SUFFIX = {".tle": "tle", ".3le": "tle", ".2le": "tle", ".txt": "tle", ".xml": "omm-xml",
              ".kvn": "omm-kvn", ".omm": "omm-kvn", ".json": "omm-json", ".csv": "omm-csv",
              ".oem": "oem"}
CATALOG_SUFFIXES = frozenset(_BY_SUFFIX)  # the file names the readers take (the feed's drop folder, the file dialogs)


def detect_format(path: Path, data: bytes) -> str:
    """Format name from the extension, else from the first bytes (an OEM, whatever its
    extension, by its version keyword or root element)."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if b"CCSDS_OEM_VERS" in head or b"<oem" in head:
        return "oem"
    by_suffix = _BY_SUFFIX.get(path.suffix.lower())
    if by_suffix is not None and by_suffix != "tle":
        return by_suffix
    if head.startswith(b"<"):
        return "omm-xml"
    if head.startswith((b"[", b"{")):
        return "omm-json"
    if b"CCSDS_OMM_VERS" in head:
        return "omm-kvn"
    if b"NORAD_CAT_ID" in head.split(b"\n", 1)[0] and b"," in head:
        return "omm-csv"
    return "tle"


HEAD_BYTES = 4096  # what detect_format looks at


def read_catalog_bytes(data: bytes, source: str, format_name: str | None = None) -> ReadResult:
    fmt = format_name or detect_format(Path(source), data)
    return _with_warnings(READERS[fmt](data, source))


def read_catalog_file(path: str | Path, on_bytes: Callable[[int], None] | None = None) -> ReadResult:
    """Read one file; ``on_bytes`` hears the bytes read so far while a TLE file streams in."""
    path = Path(path)
    source = str(path)
    try:
        with open_input_file(path, CATALOG_MAX_BYTES) as handle:
            head = handle.read(HEAD_BYTES)
            if not head.strip() and len(head) < HEAD_BYTES:
                return ReadResult(rejections=[Rejection(source, "", "file is empty")])
            fmt = detect_format(path, head)
            log.debug("reading %s as %s", source, fmt)
            if fmt == "tle" and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                handle.seek(0)
                result = read_tle_stream(handle, source, CATALOG_MAX_BYTES, on_bytes)
            else:  # the other formats are parsed as whole documents
                result = READERS[fmt](head + read_rest(handle, path, CATALOG_MAX_BYTES), source)
    except IsADirectoryError:
        return ReadResult(rejections=[Rejection(source, "", "is a directory, not a catalog file")])
    except FileNotFoundError:
        return ReadResult(rejections=[Rejection(source, "", "file not found")])
    except OSError as error:
        return ReadResult(rejections=[Rejection(source, "", f"cannot read file: {error.strerror or error}")])
    except Cancelled:
        raise
    except Exception as error:  # a safety net: a reader bug must not take the console down
        log.exception("unexpected error reading %s", source)
        return ReadResult(rejections=[Rejection(source, "", f"unreadable file ({type(error).__name__}: {error})")])
    if not result.element_sets and not result.rejections:
        result.reject(Rejection(source, "", f"no element sets found (read as {fmt})"))
    return _with_warnings(result)


def _with_warnings(result: ReadResult) -> ReadResult:
    """Warn of each element set whose perigee lies below the Earth's surface: accepted (a
    decaying object's last elements say just that), but worth the operator's eye."""
    for element_set in result.element_sets:
        satrec = element_set.satrec
        perigee_km = satrec.a * (1.0 - satrec.ecco) * WGS72_EARTH_RADIUS_KM - WGS72_EARTH_RADIUS_KM
        if perigee_km < 0.0:
            name = f" {element_set.name}" if element_set.name else ""
            result.warn(RecordWarning(element_set.source, element_set.location,
                                      f"{element_set.norad_id}{name}: perigee {perigee_km:.1f} km, below the Earth's "
                                      "surface (decaying, or its elements are wrong); loaded"))
    return result


def read_catalog_files(paths: Iterable[str | Path], progress: Progress | None = None) -> ReadResult:
    """Read files in turn. ``progress`` hears ``(bytes read, bytes in all the files, path)``
    before each file and, for a long TLE file, about every MiB while it is read, then
    ``(bytes in all, bytes in all, "")`` at the end; once it is cancelled its next report
    raises :class:`~app.common.progress.Cancelled` (nothing read is returned)."""
    combined = ReadResult()
    paths = list(paths)
    sizes = [_size_or_zero(path) for path in paths]
    total = sum(sizes)
    before = 0
    for path, size in zip(paths, sizes):
        on_bytes = None
        if progress is not None:
            progress.report(before, total, str(path))
            on_bytes = _in_files(progress, before, size, total, str(path))
        combined.extend(read_catalog_file(path, on_bytes))
        before += size
    if progress is not None:
        progress.report(total, total, "")
    return combined


def _in_files(progress: Progress, before: int, size: int, total: int, note: str) -> Callable[[int], None]:
    """Reports of one file's bytes read as bytes of all the files (a file that grew
    meanwhile counts as its size)."""
    return lambda read: progress.report(before + min(read, size), total, note)


def _size_or_zero(path: str | Path) -> int:
    try:
        return os.stat(path).st_size
    except (OSError, ValueError):
        return 0

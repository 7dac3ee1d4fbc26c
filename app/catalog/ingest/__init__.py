"""Reading element-set files of any supported format into :class:`ElementSet` records.

``read_catalog_files`` picks the reader by extension, or by a look at the content when
the extension says nothing, and never raises for bad input: a file that cannot be read
at all and every bad record inside a good file become :class:`Rejection` entries. Reading
several files stops between files with :class:`~app.common.progress.Cancelled` once its
:class:`~app.common.progress.Progress` is cancelled.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Callable, Iterable

from app.common.input_file import CATALOG_MAX_BYTES, read_input_bytes
from app.catalog.ingest.omm import read_omm_csv, read_omm_json, read_omm_kvn, read_omm_xml
from app.catalog.ingest.records import ElementSet, ReadResult, RecordError, Rejection
from app.catalog.ingest.tle import read_tle_bytes
from app.common.progress import Progress

__all__ = ["ElementSet", "ReadResult", "RecordError", "Rejection", "read_catalog_file",
           "read_catalog_files", "read_catalog_bytes", "detect_format"]

log = logging.getLogger(__name__)

Reader = Callable[[bytes, str], ReadResult]
READERS: dict[str, Reader] = {
    "tle": read_tle_bytes,
    "omm-xml": read_omm_xml,
    "omm-kvn": read_omm_kvn,
    "omm-json": read_omm_json,
    "omm-csv": read_omm_csv,
}
_BY_SUFFIX = {".tle": "tle", ".3le": "tle", ".2le": "tle", ".txt": "tle", ".xml": "omm-xml",
              ".kvn": "omm-kvn", ".omm": "omm-kvn", ".json": "omm-json", ".csv": "omm-csv"}


def detect_format(path: Path, data: bytes) -> str:
    """Format name from the extension, else from the first bytes."""
    by_suffix = _BY_SUFFIX.get(path.suffix.lower())
    if by_suffix is not None and by_suffix != "tle":
        return by_suffix
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<"):
        return "omm-xml"
    if head.startswith((b"[", b"{")):
        return "omm-json"
    if b"CCSDS_OMM_VERS" in head:
        return "omm-kvn"
    if b"NORAD_CAT_ID" in head.split(b"\n", 1)[0] and b"," in head:
        return "omm-csv"
    return "tle"


def read_catalog_bytes(data: bytes, source: str, format_name: str | None = None) -> ReadResult:
    fmt = format_name or detect_format(Path(source), data)
    return READERS[fmt](data, source)


def read_catalog_file(path: str | Path) -> ReadResult:
    path = Path(path)
    source = str(path)
    try:
        data = read_input_bytes(path, CATALOG_MAX_BYTES)
    except IsADirectoryError:
        return ReadResult(rejections=[Rejection(source, "", "is a directory, not a catalog file")])
    except FileNotFoundError:
        return ReadResult(rejections=[Rejection(source, "", "file not found")])
    except OSError as error:
        return ReadResult(rejections=[Rejection(source, "", f"cannot read file: {error.strerror or error}")])
    if not data.strip():
        return ReadResult(rejections=[Rejection(source, "", "file is empty")])
    fmt = detect_format(path, data)
    log.debug("reading %s as %s", source, fmt)
    try:
        result = READERS[fmt](data, source)
    except Exception as error:  # a safety net: a reader bug must not take the console down
        log.exception("unexpected error reading %s", source)
        return ReadResult(rejections=[Rejection(source, "", f"unreadable file ({type(error).__name__}: {error})")])
    if not result.element_sets and not result.rejections:
        result.rejections.append(Rejection(source, "", f"no element sets found (read as {fmt})"))
    return result


def read_catalog_files(paths: Iterable[str | Path], progress: Progress | None = None) -> ReadResult:
    """Read files in turn. ``progress`` hears ``(files done, files in all, path)`` before each
    file and ``(files in all, files in all, "")`` at the end; once it is cancelled its next
    report raises :class:`~app.common.progress.Cancelled` (nothing read is returned)."""
    combined = ReadResult()
    paths = list(paths)
    for done, path in enumerate(paths):
        if progress is not None:
            progress.report(done, len(paths), str(path))
        combined.extend(read_catalog_file(path))
    if progress is not None:
        progress.report(len(paths), len(paths), "")
    return combined

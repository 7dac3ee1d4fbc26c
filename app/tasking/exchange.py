"""Tasking requests in and out, in files every partner reads: JSON and CSV.

"Export for nation X" writes only the records releasable to X, each with its marking, and
the file's overall marking (the highest classification in it, released to X). Reading
validates every record and reports each bad one with where and why; the good ones load
(``TaskingRepository.import_requests``), never over a newer local version."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable

from app.astro.timeutil import format_utc
from app.common.user_settings import Operator
from app.tasking.request import (CLASSIFICATIONS, FLAT_FIELDS, TaskingError, TaskingRequest, request_from_flat,
                                 request_from_record, request_to_flat, request_to_record)

FORMAT = "spaceops-tasking"
FORMAT_VERSION = 1
CSV_COLUMNS = FLAT_FIELDS


class ExchangeError(ValueError):
    """The whole file cannot be read (not JSON, not our format, no header ...)."""


@dataclass
class ReadResult:
    requests: list[TaskingRequest] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)  # "file: record 3 (line 4), field: reason"


def releasable_subset(requests: Iterable[TaskingRequest], nation: str | None) -> list[TaskingRequest]:
    """Every request when ``nation`` is None, else only those releasable to it."""
    return [r for r in requests if nation is None or r.releasable(nation)]


def file_marking(requests: list[TaskingRequest], nation: str | None) -> str:
    """The highest classification in the file, and to whom it is released."""
    if not requests:
        return "UNCLASSIFIED"
    highest = max((r.classification for r in requests), key=CLASSIFICATIONS.index)
    return f"{highest}//REL TO {nation}" if nation else highest


def export_json(requests: Iterable[TaskingRequest], for_nation: str | None, operator: Operator) -> str:
    chosen = releasable_subset(requests, for_nation)
    document = {"format": FORMAT, "format_version": FORMAT_VERSION, "marking": file_marking(chosen, for_nation),
                "exported_utc": format_utc(datetime.now(timezone.utc)), "exported_by": operator.name,
                "exporting_nation": operator.nation, "for_nation": for_nation,
                "records": [request_to_record(r) for r in chosen]}
    return json.dumps(document, indent=1)


def export_csv(requests: Iterable[TaskingRequest], for_nation: str | None) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for request in releasable_subset(requests, for_nation):
        writer.writerow(request_to_flat(request))
    return out.getvalue()


def read_exchange_file(path: str | Path) -> ReadResult:
    """Requests from a JSON or CSV exchange file (by extension, else by first character);
    ExchangeError when the file as a whole cannot be read."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise ExchangeError(f"{path}: cannot be read ({getattr(error, 'strerror', None) or error})") from None
    is_json = path.suffix.lower() == ".json" or (path.suffix.lower() != ".csv" and text.lstrip()[:1] in "[{")
    return _read_json(path, text) if is_json else _read_csv(path, text)


def _read_json(path: Path, text: str) -> ReadResult:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise ExchangeError(f"{path}: line {error.lineno}: not valid JSON ({error.msg})") from None
    if isinstance(document, dict):
        if document.get("format") != FORMAT:
            raise ExchangeError(f"{path}: format: expected {FORMAT!r}, found {document.get('format')!r}")
        if not isinstance(document.get("format_version"), int) or document["format_version"] > FORMAT_VERSION:
            raise ExchangeError(f"{path}: format_version: {document.get('format_version')!r} is not one this "
                                f"console reads (up to {FORMAT_VERSION})")
        records = document.get("records")
    else:
        records = document
    if not isinstance(records, list):
        raise ExchangeError(f"{path}: records: expected a list of tasking requests")
    result = ReadResult()
    for number, record in enumerate(records, start=1):
        _take(result, record, f"{path}: record {number}")
    return result


def _read_csv(path: Path, text: str) -> ReadResult:
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in ("id", "title", "target_norad_id") if c not in (reader.fieldnames or ())]
    if missing:
        raise ExchangeError(f"{path}: line 1: the header lacks {', '.join(missing)} (is this a tasking CSV?)")
    result = ReadResult()
    for number, row in enumerate(reader, start=1):
        where = f"{path}: record {number} (line {reader.line_num})"
        if None in row:
            result.rejected.append(f"{where}: more cells than the header has columns")
            continue
        _take(result, row, where, request_from_flat)
    return result


def _take(result: ReadResult, record, where: str, reader=request_from_record) -> None:
    try:
        result.requests.append(reader(record))
    except TaskingError as error:
        label = f" ({record.get('id')})" if isinstance(record, dict) and record.get('id') else ""
        result.rejected.append(f"{where}{label}: {error}")

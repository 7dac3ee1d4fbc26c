"""Tasking requests in and out, in files every partner reads: JSON and CSV.

An export holds only what the exporting operator may see (their nation and clearance,
:func:`app.common.marking.may_see`) and, "for nation X", only what is also releasable to X.
Every record carries its own marking, and the file its overall marking: the highest
classification in it, released to the nations every record in it is released to. A CSV
file says its marking in a first comment line (``# SECRET//REL TO GBR, USA — exported
2026-08-12T10:00:00Z by alice (GBR)``) and each row in a ``marking`` column.

Reading validates every record and reports each bad one with where and why; the good ones
load (``TaskingRepository.import_requests``), never over a newer local version. A record's
``marking`` (JSON field or CSV column), when given, must agree with its classification and
releasability, else the record is rejected; files without markings (older exports) still read."""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable

from app.common.input_file import DOCUMENT_MAX_BYTES, read_input_text
from app.astro.timeutil import format_utc
from app.common.marking import CLASSIFICATIONS, DEFAULT_CLASSIFICATION, highest_classification, may_see, nations_in
from app.common.spreadsheet import read_cell, safe_row
from app.common.user_settings import Operator
from app.tasking.request import (FLAT_FIELDS, TaskingError, TaskingRequest, request_from_flat, request_from_record,
                                 request_to_flat, request_to_record)

FORMAT = "spaceops-tasking"
FORMAT_VERSION = 1
CSV_COLUMNS = ("marking", *FLAT_FIELDS)
HIGHEST_CLEARANCE = CLASSIFICATIONS[-1]
COMMENT = "#"  # a CSV line starting with this before the header is a comment (the file's marking)


class ExchangeError(ValueError):
    """The whole file cannot be read (not JSON, not our format, no header ...)."""


@dataclass
class ReadResult:
    requests: list[TaskingRequest] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)  # "file: record 3 (line 4), field: reason"
    origin_nation: str | None = None  # the exporting nation the file names (JSON header, CSV marking line)


def _visible(request: TaskingRequest, nation: str, clearance: str) -> bool:
    return may_see(nation, clearance, request.classification, request.requesting_nation, request.releasable_to)


def releasable_subset(requests: Iterable[TaskingRequest], nation: str | None) -> list[TaskingRequest]:
    """Every request when ``nation`` is None, else only those releasable to it."""
    return [r for r in requests if nation is None or _visible(r, nation, HIGHEST_CLEARANCE)]


def exportable(requests: Iterable[TaskingRequest], for_nation: str | None, operator: Operator | None,
               clearance: str = HIGHEST_CLEARANCE) -> list[TaskingRequest]:
    """What an export may hold: the requests within ``clearance`` that ``operator``'s nation
    may see (no nation limit when ``operator`` is None), and, when ``for_nation`` is given,
    that are releasable to it too."""
    return [r for r in requests  # (no operator: seen as by its owner, so only the clearance limits)
            if _visible(r, operator.nation if operator is not None else r.requesting_nation, clearance)
            and (for_nation is None or _visible(r, for_nation, HIGHEST_CLEARANCE))]


def file_marking(requests: list[TaskingRequest]) -> str:
    """The file's overall marking: the highest classification in it, ``REL TO`` the nations
    every record in it is released to (in an export for nation X, X is always among them).
    A file with no records is UNCLASSIFIED."""
    if not requests:
        return DEFAULT_CLASSIFICATION
    highest = highest_classification(r.classification for r in requests)
    common = frozenset.intersection(*(frozenset({r.requesting_nation, *r.releasable_to}) for r in requests))
    return f"{highest}//REL TO {', '.join(sorted(common))}" if common else highest


def _by_line(operator: Operator | None) -> str:
    return f" by {operator.name} ({operator.nation or 'no nation'})" if operator is not None else ""


def export_json(requests: Iterable[TaskingRequest], for_nation: str | None, operator: Operator,
                clearance: str = HIGHEST_CLEARANCE) -> str:
    """The JSON exchange document of what ``operator`` (cleared to ``clearance``) may export
    for ``for_nation`` (see :func:`exportable`); each record with its ``marking``."""
    chosen = exportable(requests, for_nation, operator, clearance)
    document = {"format": FORMAT, "format_version": FORMAT_VERSION, "marking": file_marking(chosen),
                "exported_utc": format_utc(datetime.now(timezone.utc)), "exported_by": operator.name,
                "exporting_nation": operator.nation, "for_nation": for_nation,
                "records": [{"marking": r.marking, **request_to_record(r)} for r in chosen]}
    return json.dumps(document, indent=1)


def export_csv(requests: Iterable[TaskingRequest], for_nation: str | None, operator: Operator | None = None,
               clearance: str = HIGHEST_CLEARANCE) -> str:
    """The CSV exchange file of what ``operator`` (cleared to ``clearance``) may export for
    ``for_nation`` (see :func:`exportable`): the file's marking in a first comment line, then
    the header, then one row per request with its own marking in the ``marking`` column."""
    chosen = exportable(requests, for_nation, operator, clearance)
    now = datetime.now(timezone.utc)
    out = io.StringIO()
    out.write(f"{COMMENT} {file_marking(chosen)} — exported {now:%Y-%m-%dT%H:%M:%SZ}"
              f"{_by_line(operator)}\n")
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for request in chosen:
        writer.writerow(safe_row({"marking": request.marking, **request_to_flat(request)}))
    return out.getvalue()


def read_exchange_file(path: str | Path) -> ReadResult:
    """Requests from a JSON or CSV exchange file (by extension, else by first character);
    ExchangeError when the file as a whole cannot be read."""
    path = Path(path)
    try:
        text = read_input_text(path, DOCUMENT_MAX_BYTES, "utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise ExchangeError(f"{path}: cannot be read ({getattr(error, 'strerror', None) or error})") from None
    is_json = path.suffix.lower() == ".json" or (path.suffix.lower() != ".csv" and text.lstrip()[:1] in "[{")
    return _read_json(path, text) if is_json else _read_csv(path, text)


def _read_json(path: Path, text: str) -> ReadResult:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise ExchangeError(f"{path}: line {error.lineno}: not valid JSON ({error.msg})") from None
    except RecursionError:
        raise ExchangeError(f"{path}: nested too deeply to be an exchange file") from None
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
    if isinstance(document, dict) and isinstance(document.get("exporting_nation"), str):
        result.origin_nation = document["exporting_nation"].strip().upper() or None
    for number, record in enumerate(records, start=1):
        _take(result, record, f"{path}: record {number}")
    return result


def _read_csv(path: Path, text: str) -> ReadResult:
    lines = text.splitlines(keepends=True)
    skipped = 0  # comment lines before the header (the file's marking)
    while skipped < len(lines) and lines[skipped].lstrip().startswith(COMMENT):
        skipped += 1
    csv.field_size_limit(DOCUMENT_MAX_BYTES)  # a huge cell is then a record refused by its field's length
    # newline="": a lone carriage return ends a row, as csv wants, instead of breaking it
    reader = csv.DictReader(io.StringIO("".join(lines[skipped:]), newline=""))
    try:
        header = reader.fieldnames or ()
    except csv.Error as error:
        raise ExchangeError(f"{path}: line {skipped + 1}: the header is not CSV ({error})") from None
    missing = [c for c in ("id", "title", "target_norad_id") if c not in header]
    if missing:
        raise ExchangeError(f"{path}: line {skipped + 1}: the header lacks {', '.join(missing)} "
                            "(is this a tasking CSV?)")
    result = ReadResult()
    by = re.search(r" by .* \(([A-Z]{3})\)\s*$", lines[0]) if skipped else None  # "# … by alice (GBR)"
    result.origin_nation = by.group(1) if by else None
    for number, row in enumerate(_rows(reader), start=1):
        where = f"{path}: record {number} (line {reader.line_num + skipped})"
        if isinstance(row, csv.Error):
            result.rejected.append(f"{where}: not CSV ({row})")
            continue
        if None in row:
            result.rejected.append(f"{where}: more cells than the header has columns")
            continue
        _take(result, {key: read_cell(value) for key, value in row.items()}, where, request_from_flat)
    return result


def _rows(reader: csv.DictReader):
    """The reader's rows, and a csv.Error in place of a row that is not CSV (reading goes on)."""
    while True:
        try:
            yield next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield error


def check_marking(request: TaskingRequest, marking: str) -> None:
    """TaskingError when a record's stated ``marking`` disagrees with its classification or
    (when the marking names nations) its releasability; the requesting nation may go unsaid."""
    level, _, rest = marking.partition("//")
    wrong = level.strip().upper() != request.classification
    if rest.strip():
        wrong |= nations_in(rest) | {request.requesting_nation} != {request.requesting_nation, *request.releasable_to}
    if wrong:
        raise TaskingError(f"{marking!r} disagrees with the record's classification and releasability "
                           f"({request.marking})", "marking")


def _take(result: ReadResult, record, where: str, reader=request_from_record) -> None:
    try:
        marking = ""
        if isinstance(record, dict) and "marking" in record:
            record = dict(record)
            marking = record.pop("marking")
            if marking is not None and not isinstance(marking, str):
                raise TaskingError(f"cannot read {str(marking)[:60]!r}", "marking")
        request = reader(record)
        if marking and marking.strip():
            check_marking(request, marking)
        result.requests.append(request)
    except (TaskingError, ValueError, TypeError, OverflowError, RecursionError) as error:
        label = f" ({str(record.get('id'))[:40]})" if isinstance(record, dict) and record.get('id') else ""
        result.rejected.append(f"{where}{label}: {error}")

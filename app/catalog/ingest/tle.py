"""Two- and three-line element sets (TLE / 3LE), validated column by column.

Accepts 2-line records, and 3-line records whose name line may carry the ``0 `` prefix
that Space-Track's 3LE format adds. Catalog numbers may be Alpha-5 (``A0005`` = 100005).
Each record is checked (length, line numbers, checksum, the blank separator columns,
every numeric field and its range) before sgp4's own ``Satrec.twoline2rv`` initialises
it; a bad record becomes a :class:`Rejection` naming the line and the field, and reading
carries on with the next record. A file is read as a stream of lines and checked a batch
of records at a time, so a file of millions of bad records costs time, never memory.
"""

from __future__ import annotations

import re
from typing import BinaryIO, Callable, Iterable

import numpy as np

from app.catalog.ingest.records import ElementSet, ReadResult, RecordError, Rejection, satrec_from, tle_origin
from app.catalog.ingest.text import MAX_LINE_BYTES, OVERLONG, UNDECODABLE, decode_lines, stream_lines

TLE_LINE_LENGTH = 69
MAX_MEAN_MOTION_REV_DAY = 17.0  # faster than this the orbit lies inside the Earth

_ALPHA5_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # I and O are not used
_EXPONENT_FIELD = re.compile(r"^([ +-]?)(\d{5})([+\- ])(\d)$")
_FLOAT_FIELD = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)$")

# A well-formed pair matches these in one go; anything else is diagnosed field by field.
_FAST_LINE1 = re.compile(
    r"1 [0-9A-HJ-NP-Z ][0-9 ]{4}[UCS ] .{8} \d\d(?P<day>[ \d]{3}\.\d{8}) (?P<ndot>[ +-]\.\d{8}) "
    r"[ +-]\d{5}[+\- ]\d [ +-]\d{5}[+\- ]\d [ \d] [ \d]{4}\d")
_FAST_LINE2 = re.compile(
    r"2 [0-9A-HJ-NP-Z ][0-9 ]{4} (?P<inc>[ \d]{3}\.[\d ]{4}) (?P<raan>[ \d]{3}\.[\d ]{4}) [\d ]{7} "
    r"(?P<argp>[ \d]{3}\.[\d ]{4}) (?P<ma>[ \d]{3}\.[\d ]{4}) (?P<n>[ \d]{2}\.[\d ]{8})[ \d]{5}\d")
_RANGES = {  # field -> (low, high, high included)
    "epoch day": (1.0, 367.0, False),
    "mean motion derivative": (-1.0, 1.0, True),
    "inclination": (0.0, 180.0, True),
    "right ascension of ascending node": (0.0, 360.0, True),
    "argument of perigee": (0.0, 360.0, True),
    "mean anomaly": (0.0, 360.0, True),
    "mean motion": (0.0, MAX_MEAN_MOTION_REV_DAY, True),
}

# 1-based columns that must be blank, per the Space-Track TLE format
_BLANK_COLUMNS = {"1": (2, 9, 18, 33, 44, 53, 62, 64), "2": (2, 8, 17, 26, 34, 43, 52)}


# byte value -> checksum weight of a digit (its value); '-' is counted separately
_DIGIT_VALUES = bytes(code - 48 if 48 <= code <= 57 else 0 for code in range(256))


def tle_checksum(line: str) -> int:
    """Modulo-10 checksum of the first 68 columns: digits count their value, '-' counts 1."""
    body = line[:68].encode("ascii", "replace")
    return (sum(body.translate(_DIGIT_VALUES)) + body.count(b"-")) % 10


def parse_alpha5(field: str) -> int:
    """Catalog number from a 5-column TLE field: ``25544``, ``A0005`` (=100005), ``  123``."""
    text = field.strip()
    if not text:
        raise RecordError("catalog number is blank", "catalog number")
    if text.isdigit():
        return int(text)
    head, tail = text[0], text[1:]
    if len(text) == 5 and head in _ALPHA5_LETTERS and tail.isdigit():
        return (10 + _ALPHA5_LETTERS.index(head)) * 10000 + int(tail)
    raise RecordError(f"{field!r} is not a catalog number (digits or Alpha-5)", "catalog number")


def _column_field(line: str, first: int, last: int) -> str:
    """Text of 1-based inclusive columns first..last."""
    return line[first - 1 : last]


def _check_range(value: float, name: str) -> float:
    low, high, include_high = _RANGES[name]
    above = value > high if include_high else value >= high
    if value < low or above:
        raise RecordError(f"{value} is outside [{low}, {high}{']' if include_high else ')'}", name)
    if name == "mean motion" and value <= 0.0:
        raise RecordError("mean motion must be greater than zero", name)
    return value


def _float_field(line: str, first: int, last: int, name: str) -> float:
    text = _column_field(line, first, last).strip()
    if not _FLOAT_FIELD.match(text):
        raise RecordError(f"columns {first}-{last} hold {text!r}, not a number", name)
    return _check_range(float(text), name)


def _check_exponent_field(line: str, first: int, last: int, name: str) -> None:
    text = _column_field(line, first, last)
    if not _EXPONENT_FIELD.match(text):
        raise RecordError(f"columns {first}-{last} hold {text!r}, not an assumed-decimal number like ' 12345-3'", name)


def _check_line_shape(line: str, number: str) -> None:
    if not line.startswith(number + " "):
        raise RecordError(f"line {number} does not start with '{number} ' in column 1 (columns shifted?)")
    if not line.isascii():
        raise RecordError(f"line {number} holds non-ASCII characters")
    if len(line) != TLE_LINE_LENGTH:
        raise RecordError(f"line {number} has {len(line)} characters, a TLE line has {TLE_LINE_LENGTH}")
    for column in _BLANK_COLUMNS[number]:
        if line[column - 1] != " ":
            raise RecordError(f"line {number} column {column} should be blank but holds {line[column - 1]!r}"
                              " (columns shifted?)")


def _check_checksum(line: str, number: str) -> None:
    stated = line[68]
    if not stated.isdigit():
        raise RecordError(f"line {number} checksum column holds {stated!r}, not a digit", "checksum")
    computed = tle_checksum(line)
    if computed != int(stated):
        raise RecordError(f"line {number} checksum is {stated}, computed {computed}", "checksum")


def _intl_designator(line1: str) -> str:
    """'98067A  ' -> '1998-067A'; blank stays blank."""
    text = _column_field(line1, 10, 17).strip()
    if len(text) < 5 or not text[:5].isdigit():
        return ""
    year = int(text[:2])
    year += 1900 if year >= 57 else 2000
    return f"{year}-{text[2:5]}{text[5:]}"


def validate_tle_pair(line1: str, line2: str, check_checksum: bool = True) -> int:
    """Check both lines; return the catalog number or raise :class:`RecordError` naming the field."""
    _check_line_shape(line1, "1")
    _check_line_shape(line2, "2")
    if check_checksum:
        _check_checksum(line1, "1")
        _check_checksum(line2, "2")
    catalog_number = parse_alpha5(_column_field(line1, 3, 7))
    if parse_alpha5(_column_field(line2, 3, 7)) != catalog_number:
        raise RecordError("line 1 and line 2 carry different catalog numbers", "catalog number")
    if catalog_number <= 0:
        raise RecordError("catalog number 0 is no object's", "catalog number")
    if line1[7] not in "UCS ":
        raise RecordError(f"classification {line1[7]!r} is not U, C or S", "classification")
    epoch_year = _column_field(line1, 19, 20)
    if not epoch_year.isdigit():
        raise RecordError(f"epoch year {epoch_year!r} is not two digits", "epoch")
    day = _float_field(line1, 21, 32, "epoch day")
    year = (1900 if int(epoch_year) >= 57 else 2000) + int(epoch_year)
    days_in_year = 366 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 365
    if not 1.0 <= day < days_in_year + 1:
        raise RecordError(f"day {day:g} is not a day of {year} (1 to {days_in_year})", "epoch day")
    _float_field(line1, 34, 43, "mean motion derivative")
    _check_exponent_field(line1, 45, 52, "mean motion second derivative")
    _check_exponent_field(line1, 54, 61, "bstar")
    _float_field(line2, 9, 16, "inclination")
    _float_field(line2, 18, 25, "right ascension of ascending node")
    eccentricity = _column_field(line2, 27, 33)
    if not eccentricity.replace(" ", "0").isdigit():
        raise RecordError(f"columns 27-33 hold {eccentricity!r}, not 7 digits of eccentricity", "eccentricity")
    _float_field(line2, 35, 42, "argument of perigee")
    _float_field(line2, 44, 51, "mean anomaly")
    _float_field(line2, 53, 63, "mean motion")
    return catalog_number


def _is_data_line(text: str, number: str) -> bool:
    """Looks like TLE line 1 or 2 (leading blanks tolerated here, refused by validation)."""
    if text[:2] != number + " ":
        text = text.strip()
        if text[:2] != number + " ":
            return False
    return len(text.rstrip()) > 24


def _name_from_line(text: str) -> str:
    name = text.strip()
    if name.startswith("0 "):
        name = name[2:].strip()
    return name


_SHORT_DATA = re.compile(r"([12]) [0-9A-Z]\d{4}")  # the start of a TLE line: its number, the catalog number
_Pair = tuple[str, str, str, int]  # line 1, line 2, name, file line number of line 1
_END = object()  # past the last line
BATCH_RECORDS = 5_000  # records checked in bulk at a time: memory stays flat however long the file


def _unreadable(text: object) -> str | None:
    """Why a line from :func:`~app.catalog.ingest.text.stream_lines` cannot be read, else None."""
    if text is UNDECODABLE:
        return "is not valid UTF-8 text"
    if text is OVERLONG:
        return f"is longer than {MAX_LINE_BYTES:,} bytes (no TLE line or name is)"
    return None


def read_tle_lines(lines: Iterable[str | None | object], source: str, check_checksum: bool = True) -> ReadResult:
    """Parse decoded lines (``UNDECODABLE``, ``OVERLONG`` for lines that cannot be read) into
    element sets and rejections, in file order. ``lines`` may be a stream: it is read once,
    and records are checked a batch at a time."""
    result = ReadResult()
    batch: list[_Pair | Rejection] = []  # in file order: pairs to check, and lines already refused
    pending_name: str | None = None
    pending_name_line = 0
    lines = iter(lines)
    line_number, text = 1, next(lines, _END)
    while text is not _END:
        following = next(lines, _END)
        used_following = False
        if (why := _unreadable(text)) is not None:
            batch.append(Rejection(source, f"line {line_number}", f"line {why}"))
            pending_name = None
        elif not text.strip():
            pass
        elif _is_data_line(text, "1"):
            if (why := _unreadable(following)) is not None:
                batch.append(Rejection(source, f"line {line_number}", f"line 2 (file line {line_number + 1}) {why}"))
                used_following = True
            elif following is _END or not _is_data_line(following, "2"):
                batch.append(Rejection(source, f"line {line_number}", "line 1 is not followed by a line 2"))
            else:
                used_following = True
                name = pending_name if pending_name is not None and pending_name_line == line_number - 1 else ""
                batch.append((text.rstrip(), following.rstrip(), name, line_number))
            pending_name = None
        elif _is_data_line(text, "2"):
            batch.append(Rejection(source, f"line {line_number}", "line 2 without a line 1 before it"))
            pending_name = None
        elif (number := _short_data_line(text)) is not None:  # would pass for a name: a record lost in silence
            batch.append(Rejection(source, f"line {line_number}", f"looks like TLE line {number} but has only "
                                                                  f"{len(text.strip())} characters (a line has "
                                                                  f"{TLE_LINE_LENGTH})"))
            pending_name = None
        else:
            pending_name, pending_name_line = _name_from_line(text), line_number
        if len(batch) >= BATCH_RECORDS:
            _check_batch(batch, source, check_checksum, result)
            batch = []
        if used_following:
            line_number, text = line_number + 2, next(lines, _END)
        else:
            line_number, text = line_number + 1, following
    _check_batch(batch, source, check_checksum, result)
    return result


def _short_data_line(text: str) -> str | None:
    """'1' or '2' for a line that starts as TLE line 1 or 2 with its catalog number (``1 25544U``,
    ``2 25544``) but is too short to be one; None otherwise (a name)."""
    match = _SHORT_DATA.match(text.strip())
    return match.group(1) if match else None


def _check_batch(batch: list[_Pair | Rejection], source: str, check_checksum: bool, result: ReadResult) -> None:
    pairs = [item for item in batch if not isinstance(item, Rejection)]
    well_formed = iter(_well_formed_in_bulk(pairs, check_checksum))
    for item in batch:
        if isinstance(item, Rejection):
            result.reject(item)
            continue
        line1, line2, name, line_number = item
        if next(well_formed):  # every check passed in bulk: straight to sgp4
            element_set = _element_set(line1, line2, name, parse_alpha5(line1[2:7]), source, line_number)
        else:  # find and report what is wrong, field by field
            element_set = _element_set_or_rejection(line1, line2, name, source, line_number, check_checksum, result)
        if element_set is not None:
            result.element_sets.append(element_set)


def _checksums(matrix: np.ndarray) -> np.ndarray:
    body = matrix[:, :68].astype(np.int16)
    digits = np.where((body >= 48) & (body <= 57), body - 48, 0)
    return (digits.sum(axis=1) + (body == 45).sum(axis=1)) % 10


def _column_floats(matrix: np.ndarray, first: int, last: int) -> np.ndarray:
    width = last - first + 1
    return np.ascontiguousarray(matrix[:, first - 1:last]).view(f"S{width}").ravel().astype(float)


_BULK_FIELDS = (  # (line, first column, last column, range name)
    (0, 21, 32, "epoch day"), (0, 34, 43, "mean motion derivative"), (1, 9, 16, "inclination"),
    (1, 18, 25, "right ascension of ascending node"), (1, 35, 42, "argument of perigee"),
    (1, 44, 51, "mean anomaly"), (1, 53, 63, "mean motion"),
)


def _well_formed_in_bulk(pairs: list[_Pair], check_checksum: bool) -> np.ndarray:
    """The same checks as ``validate_tle_pair``, done for all records at once with numpy;
    True where a record passes them all. The rest go through the per-field diagnosis."""
    ok = np.zeros(len(pairs), dtype=bool)
    shaped = [i for i, (l1, l2, _, _) in enumerate(pairs)
              if len(l1) == TLE_LINE_LENGTH and len(l2) == TLE_LINE_LENGTH and l1.isascii() and l2.isascii()
              and l1[2:7] == l2[2:7] and l1[2:7].strip("0 ") and _FAST_LINE1.fullmatch(l1)
              and _FAST_LINE2.fullmatch(l2)]
    if not shaped:
        return ok
    rows = np.array(shaped)
    matrices = [np.frombuffer("".join(pairs[i][k] for i in shaped).encode("ascii"), dtype=np.uint8)
                .reshape(-1, TLE_LINE_LENGTH) for k in (0, 1)]
    good = np.ones(len(rows), dtype=bool)
    if check_checksum:
        for matrix in matrices:
            good &= _checksums(matrix) == matrix[:, 68].astype(np.int16) - 48
    for line, first, last, name in _BULK_FIELDS:
        try:
            values = _column_floats(matrices[line], first, last)
        except ValueError:  # an oddly spaced number somewhere: leave the file to the slow path
            return ok
        low, high, include_high = _RANGES[name]
        good &= (values >= low) & ((values <= high) if include_high else (values < high))
        if name == "mean motion":
            good &= values > 0.0
    try:  # the epoch day is a day of its year (366 only in a leap year)
        two_digit = _column_floats(matrices[0], 19, 20)
        day = _column_floats(matrices[0], 21, 32)
    except ValueError:
        return ok
    year = np.where(two_digit >= 57, 1900, 2000) + two_digit
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    good &= (day >= 1.0) & (day < np.where(leap, 367.0, 366.0))
    ok[rows[good]] = True
    return ok


def _element_set_or_rejection(line1: str, line2: str, name: str, source: str, line_number: int,
                              check_checksum: bool, result: ReadResult) -> ElementSet | None:
    try:
        catalog_number = validate_tle_pair(line1, line2, check_checksum)
        origin = tle_origin(line1, line2)
        satrec = satrec_from(origin)
    except RecordError as error:
        result.reject(Rejection(source, f"line {line_number}", error.reason, error.field))
        return None
    except (ValueError, RuntimeError) as error:  # anything sgp4 itself refuses
        result.reject(Rejection(source, f"line {line_number}", f"sgp4 refused the element set: {error}"))
        return None
    return ElementSet(satrec, catalog_number, name, _intl_designator(line1), line1[7].strip() or "U", source,
                      f"line {line_number}").made_from(origin)


def _element_set(line1: str, line2: str, name: str, catalog_number: int, source: str,
                 line_number: int) -> ElementSet:
    origin = tle_origin(line1, line2)
    return ElementSet(satrec_from(origin), catalog_number, name, _intl_designator(line1),
                      line1[7].strip() or "U", source, f"line {line_number}").made_from(origin)


def read_tle_bytes(data: bytes, source: str, check_checksum: bool = True) -> ReadResult:
    return read_tle_lines(decode_lines(data), source, check_checksum)


def read_tle_stream(handle: BinaryIO, source: str, max_bytes: int, on_bytes: Callable[[int], None] | None = None,
                    check_checksum: bool = True) -> ReadResult:
    """Read an open UTF-8 TLE file line by line: memory grows with the good records only.
    ``on_bytes`` hears the bytes read so far as it goes (see :func:`stream_lines`)."""
    return read_tle_lines(stream_lines(handle, source, max_bytes, on_bytes), source, check_checksum)


def read_tle_text(text: str, source: str = "<text>", check_checksum: bool = True) -> ReadResult:
    return read_tle_lines(text.splitlines(), source, check_checksum)

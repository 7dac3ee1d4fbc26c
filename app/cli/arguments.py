"""Argument types the commands share: a time with its zone, a list of catalog numbers, a
nation code. Each raises ``argparse.ArgumentTypeError`` with the reason, so argparse exits 2
naming the option. Light to import: every ``spaceops`` command builds every parser."""

from __future__ import annotations

import argparse
from datetime import datetime

from app.astro.timeutil import FIRST_YEAR, LAST_YEAR, TimeFormatError, in_supported_years, parse_utc


def utc_argument(text: str) -> datetime:
    """An ISO 8601 time with its zone (``Z`` or an offset): a bare time is ambiguous, refused."""
    try:
        parsed = parse_utc(text)
    except TimeFormatError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    if not text.strip().upper().endswith("Z") and "+" not in text[10:] and "-" not in text[10:]:
        raise argparse.ArgumentTypeError(f"{text!r} has no time zone: add Z for UTC (e.g. {text.strip()}Z)")
    if not in_supported_years(parsed):
        raise argparse.ArgumentTypeError(f"{text!r} is outside the years this console computes ({FIRST_YEAR}-"
                                         f"{LAST_YEAR})")
    return parsed


def ids_argument(text: str) -> list[int]:
    """``25544,20580``: catalog numbers, at least one."""
    try:
        ids = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a comma-separated list of catalog numbers: {text!r}") from None
    if not ids:
        raise argparse.ArgumentTypeError("no catalog numbers given")
    return ids


def nation_argument(text: str) -> str:
    """An ISO 3166-1 alpha-3 nation code, upper-cased."""
    from app.common.user_settings import is_nation_code

    if not is_nation_code(text.upper()):
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO alpha-3 nation code (e.g. GBR)")
    return text.upper()


def hours_argument(text: str) -> float:
    try:
        hours = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of hours: {text!r}") from None
    if not 0 < hours <= 24 * 31:
        raise argparse.ArgumentTypeError(f"hours must be in (0, 744], got {hours:g}")
    return hours


def site_argument(text: str) -> tuple[float, float, float]:
    try:
        lat, lon, alt = (float(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not LAT,LON,ALT_M: {text!r}") from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 360 and -500 <= alt <= 9000):
        raise argparse.ArgumentTypeError(f"site {text!r} is outside lat [-90, 90], lon [-180, 360], alt [-500, 9000] m")
    return lat, lon, alt

"""UTC time handling: ISO 8601 parsing and the split Julian dates ``(jd, fr)`` sgp4 wants.

Every time on every surface is a timezone-aware UTC ``datetime``. Julian dates are kept
split, the whole part at midnight (``jd`` ends in .5) and the day fraction in ``fr``, so
that no precision is lost when adding small offsets.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import numpy as np

_JD_UNIX_EPOCH = 2440587.5
SECONDS_PER_DAY = 86400.0


class TimeFormatError(ValueError):
    """A time string that is not ISO 8601."""


FIRST_YEAR, LAST_YEAR = 1957, 2199  # Sputnik to well past any element set's use, with room for a span


def in_supported_years(moment: datetime) -> bool:
    return FIRST_YEAR <= moment.year <= LAST_YEAR


def parse_utc(text: str) -> datetime:
    """Parse ISO 8601 text into an aware UTC datetime. A naive time is taken as UTC."""
    cleaned = text.strip()
    if cleaned.endswith(("Z", "z")):
        cleaned = cleaned[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(cleaned)
    except ValueError:
        raise TimeFormatError(f"not an ISO 8601 date-time: {text!r}") from None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=timezone.utc)
    try:
        return parsed.astimezone(timezone.utc)
    except OverflowError:  # e.g. 0001-01-01T00:00:00+01:00 is in year 0
        raise TimeFormatError(f"{text!r} is outside the calendar") from None


_CCSDS_LAYOUTS = ("%Y-%m-%dT%H:%M:%S.%f", "%Y-%m-%dT%H:%M:%S", "%Y-%jT%H:%M:%S.%f", "%Y-%jT%H:%M:%S")


def parse_ccsds_utc(text: str) -> datetime | None:
    """A CCSDS date-time (calendar or day-of-year form, optional fraction and Z) as aware
    UTC, or None when it is not one."""
    cleaned = text.strip().rstrip("Zz")
    for layout in _CCSDS_LAYOUTS:
        try:
            return datetime.strptime(cleaned, layout).replace(tzinfo=timezone.utc)
        except ValueError:
            continue
    return None


def format_utc(moment: datetime) -> str:
    """ISO 8601 with a ``Z`` suffix and microseconds, e.g. ``2026-08-11T12:00:00.000000Z``."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def datetime_to_jd(moment: datetime) -> tuple[float, float]:
    """Split Julian date ``(jd, fr)`` of an aware datetime; ``jd`` is the preceding midnight."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: times must be timezone-aware UTC")
    utc = moment.astimezone(timezone.utc)
    midnight = utc.replace(hour=0, minute=0, second=0, microsecond=0)
    days_since_unix = (midnight - datetime(1970, 1, 1, tzinfo=timezone.utc)).days
    seconds_of_day = (utc - midnight) / timedelta(seconds=1)
    return _JD_UNIX_EPOCH + days_since_unix, seconds_of_day / SECONDS_PER_DAY


def jd_to_datetime(jd: float, fr: float = 0.0) -> datetime:
    """Aware UTC datetime of a split Julian date (microsecond resolution)."""
    whole_days = np.floor(jd - _JD_UNIX_EPOCH)
    day_fraction = (jd - _JD_UNIX_EPOCH - whole_days) + fr
    return datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(
        days=float(whole_days), microseconds=round(day_fraction * SECONDS_PER_DAY * 1e6)
    )

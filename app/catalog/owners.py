"""Owner state of payloads, from J. McDowell's GCAT payload catalogue (shipped in resources)."""

from __future__ import annotations

from functools import lru_cache

from app.common.resources import resource_path

OWNER_STATES_RESOURCE = "gcat_owner_states.csv"


def _clean_state(raw: str) -> str:
    """GCAT marks unregistered owners as ``[US]`` and uncertain ones with ``*``; '-' is none."""
    state = raw.strip().rstrip("*").strip("[]")
    return "" if state in ("", "-") else state


@lru_cache(maxsize=1)
def _gcat_rows() -> tuple[tuple[int, str], ...]:
    """(catalog number, raw state) per GCAT payload; the file is two plain columns, read once."""
    text = resource_path(OWNER_STATES_RESOURCE).read_text(encoding="utf-8")
    rows = []
    for line in text.splitlines()[1:]:
        number, _, state = line.partition(",")
        if number.isdigit():
            rows.append((int(number), state))
    return tuple(rows)


@lru_cache(maxsize=1)
def owner_states() -> dict[int, str]:
    """NORAD catalog number -> GCAT owner state code (``US``, ``CN``, ``SU``, ``I-ESA`` ...)."""
    return {number: state for number, raw in _gcat_rows() if (state := _clean_state(raw))}


@lru_cache(maxsize=1)
def gcat_payload_ids() -> frozenset[int]:
    """Every catalog number GCAT lists as a payload (whatever its owner)."""
    return frozenset(number for number, _ in _gcat_rows())

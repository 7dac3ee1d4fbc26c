"""Owner state of payloads, from J. McDowell's GCAT payload catalogue (shipped in resources)."""

from __future__ import annotations

import csv
from functools import lru_cache

from app.resources import resource_path

OWNER_STATES_RESOURCE = "gcat_owner_states.csv"


def _clean_state(raw: str) -> str:
    """GCAT marks unregistered owners as ``[US]`` and uncertain ones with ``*``; '-' is none."""
    state = raw.strip().rstrip("*").strip("[]")
    return "" if state in ("", "-") else state


@lru_cache(maxsize=1)
def owner_states() -> dict[int, str]:
    """NORAD catalog number -> GCAT owner state code (``US``, ``CN``, ``SU``, ``I-ESA`` ...)."""
    table: dict[int, str] = {}
    with open(resource_path(OWNER_STATES_RESOURCE), newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            state = _clean_state(row["un_state"])
            if state:
                table[int(row["norad_id"])] = state
    return table


@lru_cache(maxsize=1)
def gcat_payload_ids() -> frozenset[int]:
    """Every catalog number GCAT lists as a payload (whatever its owner)."""
    with open(resource_path(OWNER_STATES_RESOURCE), newline="", encoding="utf-8") as handle:
        return frozenset(int(row["norad_id"]) for row in csv.DictReader(handle))

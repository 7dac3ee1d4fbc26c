"""Owner state of catalog objects: from J. McDowell's GCAT payload catalogue where it lists the
object, else inferred from the name (constellation, program, mission or launch vehicle), else
from the launch.

The tables are shipped in resources and built by ``packaging/build_owner_tables.py``:
``gcat_owner_states.csv`` (taken from GCAT: catalog number and owner state of each payload),
``name_owners.csv`` (name prefixes and the owner they imply: learned from GCAT, or written by
hand for programs GCAT does not cover yet) and ``launch_owners.csv`` (launch and the owner of
its objects: from GCAT's payloads, or, after GCAT's snapshot, from the bundled catalog).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from app.catalog.classify import UNKNOWN, object_type_from_name
from app.common.resources import resource_path

OWNER_STATES_RESOURCE = "gcat_owner_states.csv"
NAME_OWNERS_RESOURCE = "name_owners.csv"
LAUNCH_OWNERS_RESOURCE = "launch_owners.csv"

# where an owner came from (the catalog's ``owner_basis`` column)
FROM_GCAT, FROM_NAME, FROM_LAUNCH, FROM_NOTHING = "GCAT", "name", "launch", ""

PAYLOAD_PREFIX, LAUNCHER_PREFIX = "payload", "launcher"  # a launcher prefix names rocket bodies and debris only
_LAUNCH = re.compile(r"^(\d{4})-\d{3}")
_FIRST_RUSSIAN_YEAR = 1992  # an owner inferred as RU for an object launched earlier is the Soviet Union


def _clean_state(raw: str) -> str:
    """GCAT marks unregistered owners as ``[US]`` and uncertain ones with ``*``; '-' is none."""
    state = raw.strip().rstrip("*").strip("[]")
    return "" if state in ("", "-") else state


def _csv_rows(resource: str) -> list[list[str]]:
    """The rows after the header of a shipped plain CSV file (no quoting)."""
    text = resource_path(resource).read_text(encoding="utf-8")
    return [line.split(",") for line in text.splitlines()[1:] if line]


@lru_cache(maxsize=1)
def _gcat_rows() -> tuple[tuple[int, str], ...]:
    """(catalog number, raw state) per GCAT payload; the file is two plain columns, read once."""
    return tuple((int(row[0]), row[1] if len(row) > 1 else "") for row in _csv_rows(OWNER_STATES_RESOURCE)
                 if row[0].isdigit())


@lru_cache(maxsize=1)
def owner_states() -> dict[int, str]:
    """NORAD catalog number -> GCAT owner state code (``US``, ``CN``, ``SU``, ``I-ESA`` ...)."""
    return {number: state for number, raw in _gcat_rows() if (state := _clean_state(raw))}


@lru_cache(maxsize=1)
def gcat_payload_ids() -> frozenset[int]:
    """Every catalog number GCAT lists as a payload (whatever its owner)."""
    return frozenset(number for number, _ in _gcat_rows())


@lru_cache(maxsize=1)
def launch_owners() -> dict[str, str]:
    """Launch (``1999-025``) -> the owner state of its objects: GCAT's, where all of the
    launch's GCAT payloads have one owner; for launches after GCAT's snapshot, the one owner
    of at least two of its objects in the bundled catalog (see ``launch_owners.csv``)."""
    return {row[0]: row[1] for row in _csv_rows(LAUNCH_OWNERS_RESOURCE) if len(row) > 1 and row[1]}


class _NamePrefixes(NamedTuple):
    payload: re.Pattern[str]
    launcher: re.Pattern[str]
    owners: dict[tuple[str, str], str]  # (kind, prefix) -> owner state


def _prefix_pattern(prefixes: list[str]) -> re.Pattern[str]:
    """Any of the prefixes at the start of a name, not followed by a letter; longest first."""
    alternatives = "|".join(re.escape(p) for p in sorted(prefixes, key=len, reverse=True)) or "(?!)"
    return re.compile(rf"^(?:{alternatives})(?![A-Z])")


@lru_cache(maxsize=1)
def _name_prefixes() -> _NamePrefixes:
    owners: dict[tuple[str, str], str] = {}
    for prefix, owner, kind, *_ in (row for row in _csv_rows(NAME_OWNERS_RESOURCE) if len(row) >= 3):
        if prefix and owner and kind in (PAYLOAD_PREFIX, LAUNCHER_PREFIX):
            owners[(kind, prefix)] = owner
    return _NamePrefixes(_prefix_pattern([p for k, p in owners if k == PAYLOAD_PREFIX]),
                         _prefix_pattern([p for k, p in owners if k == LAUNCHER_PREFIX]), owners)


def _launch_year(intl_designator: str) -> int | None:
    match = _LAUNCH.match(intl_designator)
    return int(match.group(1)) if match else None


def owner_from_name(name: str, intl_designator: str = "") -> str:
    """Owner state implied by the name: the launch vehicle's state for a rocket body or debris
    named after its launcher (``SL-4 R/B``, ``CZ-4 DEB``), else the constellation's or
    program's (``STARLINK-1007``, ``FENGYUN 1C DEB``); "" when the name says nothing.
    An object launched before 1992 inferred as Russian is given to the Soviet Union (SU)."""
    upper = name.strip().upper()
    prefixes = _name_prefixes()
    owner = ""
    if object_type_from_name(upper) != UNKNOWN and (match := prefixes.launcher.match(upper)):
        owner = prefixes.owners[(LAUNCHER_PREFIX, match.group(0))]
    elif match := prefixes.payload.match(upper):
        owner = prefixes.owners[(PAYLOAD_PREFIX, match.group(0))]
    year = _launch_year(intl_designator)
    if owner == "RU" and year is not None and year < _FIRST_RUSSIAN_YEAR:
        return "SU"
    return owner


def infer_owner(norad_id: int, name: str, intl_designator: str) -> tuple[str, str]:
    """(owner state, basis): GCAT's owner when it lists the payload (basis ``GCAT``); else the
    owner implied by the name (``name``); else the owner of the launch's objects, when they
    have one (``launch``: debris and rocket bodies, unidentified pieces); else ("", "")."""
    if state := owner_states().get(norad_id):
        return state, FROM_GCAT
    if state := owner_from_name(name, intl_designator):
        return state, FROM_NAME
    if state := launch_owners().get(intl_designator[:8]):
        return state, FROM_LAUNCH
    return "", FROM_NOTHING

"""The markings every record carries: its data mode (real, exercise or simulated data) and
its classification by default."""

import re

DATA_MODES = ("REAL", "EXERCISE", "SIMULATED")
DEFAULT_CLASSIFICATION = "UNCLASSIFIED"
# lowest first: an operator cleared to a level sees records at that level and below
CLASSIFICATIONS = ("UNCLASSIFIED", "RESTRICTED", "CONFIDENTIAL", "SECRET")


def classification_rank(classification: str) -> int:
    """0 for UNCLASSIFIED ... 3 for SECRET; an unknown marking ranks above everything, so it
    is never shown to anyone by mistake."""
    return CLASSIFICATIONS.index(classification) if classification in CLASSIFICATIONS else len(CLASSIFICATIONS)


def highest_classification(classifications) -> str:
    """The highest of some markings (UNCLASSIFIED for none)."""
    return max(classifications, key=classification_rank, default=DEFAULT_CLASSIFICATION)


def nations_in(releasability: str | tuple | list) -> frozenset[str]:
    """The nations a releasability names: ``"REL TO AUS, GBR"``, ``"AUS;GBR"`` or a sequence."""
    if not isinstance(releasability, str):
        return frozenset(n.strip().upper() for n in releasability if n.strip())
    text = re.sub(r"^\s*(REL\s+TO)\s*", "", releasability.upper())
    return frozenset(n for n in re.split(r"[\s,;/]+", text) if n)


def may_see(nation: str, clearance: str, classification: str, owner_nation: str, releasable_to) -> bool:
    """Whether an operator of ``nation`` cleared to ``clearance`` may see a record: its
    classification is within the clearance, and the operator's nation owns it or is named in
    its releasability. (The floor's PostgreSQL enforces the same rule by row-level security.)"""
    if classification_rank(classification) > classification_rank(clearance):
        return False
    if classification == DEFAULT_CLASSIFICATION and not owner_nation and not nations_in(releasable_to):
        return True  # unclassified and unmarked: everyone's
    return bool(nation) and (nation == owner_nation or nation in nations_in(releasable_to))

# Events that wait for an operator's acknowledgement; every other kind (messages, banner
# changes, injects fired, tasking notes) is informational and never counted as waiting.
ALERT_KINDS = ("rpo-alert", "maneuver", "alert")
ALERT_SEVERITIES = ("caution", "serious", "critical")


def needs_acknowledgement(kind: str, severity: str) -> bool:
    return kind in ALERT_KINDS and severity in ALERT_SEVERITIES

# An alert may be shelved (kept out of the waiting count, still listed) for one of these spans.
SHELVE_MINUTES = (5, 15, 60)


def is_shelved(event: dict, now_utc: str) -> bool:
    """Whether a logged event, not acknowledged, is shelved past ``now_utc`` (wall clock, the
    ISO text the database writes, so that text order is time order)."""
    return event.get("acknowledged_by") is None and (event.get("shelved_until_utc") or "") > now_utc


def is_waiting(event: dict, now_utc: str) -> bool:
    """Whether a logged event waits for the operator at ``now_utc``: an alert, not
    acknowledged, and not shelved past now."""
    return (event.get("acknowledged_by") is None and needs_acknowledgement(event["kind"], event["severity"])
            and not is_shelved(event, now_utc))

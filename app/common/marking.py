"""The markings every record carries: its data mode (real, exercise or simulated data) and
its classification by default."""

DATA_MODES = ("REAL", "EXERCISE", "SIMULATED")
DEFAULT_CLASSIFICATION = "UNCLASSIFIED"

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

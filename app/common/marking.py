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

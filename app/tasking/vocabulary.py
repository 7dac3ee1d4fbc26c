"""The words of a tasking request: collection types, precedences, what a sensor request
names, and the workflow's states and transitions. Plain constants (no imports), so that the
command line's parsers offer them as choices without loading the tasking machinery."""

COLLECTION_TYPES = ("search", "track", "dwell", "stare", "characterize", "imagery")
PRECEDENCES = ("FLASH", "IMMEDIATE", "PRIORITY", "ROUTINE")
OPEN_STATES = ("DRAFT", "SUBMITTED", "APPROVED", "SCHEDULED")
FINAL_STATES = ("COLLECTED", "PARTIAL", "FAILED", "REJECTED", "CANCELLED")
SENSOR_REQUEST_KINDS = ("sensor", "nation", "commercial", "any")
# state -> actions allowed there -> resulting state
TRANSITIONS = {
    "DRAFT": {"submit": "SUBMITTED", "cancel": "CANCELLED"},
    "SUBMITTED": {"approve": "APPROVED", "reject": "REJECTED", "cancel": "CANCELLED"},
    "APPROVED": {"schedule": "SCHEDULED", "reject": "REJECTED", "cancel": "CANCELLED"},
    "SCHEDULED": {"collected": "COLLECTED", "partial": "PARTIAL", "failed": "FAILED", "cancel": "CANCELLED"},
}

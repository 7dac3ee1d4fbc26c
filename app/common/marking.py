"""The markings every record carries: its data mode (real, exercise or simulated data) and
its classification by default."""

DATA_MODES = ("REAL", "EXERCISE", "SIMULATED")
DEFAULT_CLASSIFICATION = "UNCLASSIFIED"

"""Dialogs: CDM, operator, sensor, watch pair, the form they share, and the user guide."""

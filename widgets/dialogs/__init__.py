"""Dialogs: CDM, operator, sensor, watch pair, and the form they share."""

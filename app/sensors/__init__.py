"""Sensors: the site list (bundled and the user's), pass prediction, coverage and footprints."""

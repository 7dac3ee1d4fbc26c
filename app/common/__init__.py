"""Plumbing every feature may use: paths, logging, resource lookup, user settings, atomic
file writes, field errors, and the markings every record carries."""

"""Headless core of the Coalition Space Operations Console.

Catalog ingest, the SGP4 engine, frames, the simulation clock and the CLI.
Nothing in this package imports Qt, vispy, pyqtgraph or ``widgets``
(enforced by the import-linter contract in pyproject.toml).
"""

__version__ = "0.1.0"

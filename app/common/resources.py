"""The one locator for runtime assets shipped in the ``resources`` package.

Goes through :mod:`importlib.resources`, so it works from a checkout, an installed wheel
and a frozen build alike.
"""

from __future__ import annotations

from contextlib import ExitStack
from importlib import resources
from pathlib import Path

_RESOURCE_PACKAGE = "resources"
_keep_extracted = ExitStack()  # keeps files extracted from a zip alive for the process


def resource_path(relative: str) -> Path:
    """Filesystem path of a shipped asset, e.g. ``resource_path("gcat_owner_states.csv")``."""
    traversable = resources.files(_RESOURCE_PACKAGE).joinpath(relative)
    if not traversable.is_file() and not traversable.is_dir():
        raise FileNotFoundError(f"bundled resource not found: {relative}")
    return Path(_keep_extracted.enter_context(resources.as_file(traversable)))


def default_catalog_paths() -> list[Path]:
    """The bundled default catalog: CelesTrak active set plus three debris groups."""
    folder = resource_path("catalogs/default")
    return sorted(p for p in folder.iterdir() if p.suffix == ".tle")

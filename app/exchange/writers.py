"""One export of the released rows in any of the formats, by name: what ``spaceops export``
and the console's File ▸ Export selected objects share."""

from __future__ import annotations

from datetime import datetime

from app.catalog.catalog import Catalog
from app.exchange.czml_out import export_czml
from app.exchange.oem_out import export_oem
from app.exchange.omm_out import export_omm
from app.exchange.release import ExportResult, Release
from app.exchange.tle_out import export_tle

KINDS = ("omm", "tle", "czml", "oem")


def write_export(kind: str, catalog: Catalog, release: Release, fmt: str | None = None, start: datetime | None = None,
                 hours: float = 24.0, step_s: float = 60.0, frame: str | None = None) -> ExportResult:
    """``kind`` one of KINDS; ``fmt`` the OMM or OEM form; ``start``, ``hours``, ``step_s`` and
    ``frame`` (default: the writer's own) for the sampled kinds. ExportError (from
    ``app.exchange.release``) for a span, step, frame or format the writer cannot use."""
    if kind == "omm":
        return export_omm(catalog, release, fmt or "xml")
    if kind == "tle":
        return export_tle(catalog, release)
    if start is None:
        raise ValueError(f"a {kind} export samples a span: give its start")
    framed = {"frame": frame} if frame else {}
    if kind == "czml":
        return export_czml(catalog, release, start, hours, step_s, **framed)
    if kind == "oem":
        return export_oem(catalog, release, start, hours, step_s, fmt=fmt or "kvn", **framed)
    raise ValueError(f"no export kind {kind!r}: one of {', '.join(KINDS)}")

"""What the commands say on stderr about their input: rejected records, and loaded records
that want a look."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:
    from app.catalog import Catalog
    from app.catalog.ingest import Rejection


def report_rejections(rejections: Sequence[Rejection], more: int = 0) -> None:
    """The rejections listed, then how many more the readers only counted."""
    if not rejections:
        return
    print(f"spaceops: {len(rejections) + more:,} input record(s) rejected:", file=sys.stderr)
    for rejection in rejections:
        print(f"  {rejection}", file=sys.stderr)
    if more:
        print(f"  ... and {more:,} more", file=sys.stderr)


def report_warnings(catalog: Catalog) -> None:
    """Records that loaded but want a look (a perigee below the surface); no effect on the exit code."""
    if not catalog.warnings:
        return
    print(f"spaceops: {len(catalog.warnings) + catalog.more_warnings:,} warning(s) about loaded records:",
          file=sys.stderr)
    for warning in catalog.warnings:
        print(f"  {warning}", file=sys.stderr)
    if catalog.more_warnings:
        print(f"  ... and {catalog.more_warnings:,} more", file=sys.stderr)

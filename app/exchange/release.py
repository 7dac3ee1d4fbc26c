"""What an element-set export may hold, and the marking it carries.

The rule is the floor's (:func:`app.common.marking.may_see`, which the floor's PostgreSQL
enforces by row-level security): a record goes out only if its classification is within the
exporting operator's clearance (and within the export's own limit, ``max_classification``),
and, for an export *for nation X*, only if X may see it too.

Element-set files (TLE, OMM) carry a classification (the element set's ``U``, ``C`` or ``S``)
but no releasability: no owning nation and no ``REL TO``. So an element set is taken as the
exporting operator's nation's own record, released to no one else: an UNCLASSIFIED element set
is everyone's (as unmarked UNCLASSIFIED records are on the floor), a CONFIDENTIAL or SECRET one
goes only to the operator's own nation, never to a partner, and one whose classification is
not U, C or S never goes out. Each record's marking is its classification (``SECRET//REL TO
GBR`` when classified and the nation is known); the file's marking is the highest
classification in it, ``REL TO`` the nations every marked record is released to, as the
tasking exports mark theirs (``app.tasking.exchange``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Iterable, Sequence

import numpy as np

from app.catalog.catalog import Catalog
from app.common.marking import (CLASSIFICATIONS, DEFAULT_CLASSIFICATION, classification_rank,
                                highest_classification, may_see)
from app.common.user_settings import Operator

HIGHEST_CLEARANCE = CLASSIFICATIONS[-1]


@dataclass(frozen=True)
class LeftOut:
    """One object an export did not carry, and why."""

    norad_id: int
    name: str
    reason: str

    def __str__(self) -> str:
        return f"{self.norad_id} ({self.name}): {self.reason}"

    def as_dict(self) -> dict:
        return {"norad_id": self.norad_id, "name": self.name, "reason": self.reason}


@dataclass
class Release:
    """The rows an export may carry (catalog order), each with its marking, the rows left out,
    and the marking of the whole export."""

    rows: np.ndarray
    record_markings: list[str]
    left_out: list[LeftOut]
    marking: str
    operator: Operator | None
    for_nation: str | None
    exported_utc: datetime

    def marking_line(self) -> str:
        """``SECRET//REL TO GBR — exported 2026-08-12T10:00:00Z by alice (GBR)``: the tasking
        exports' marking line."""
        by = (f" by {self.operator.name} ({self.operator.nation or 'no nation'})"
              if self.operator is not None else "")
        return f"{self.marking} — exported {self.exported_utc:%Y-%m-%dT%H:%M:%SZ}{by}"

    def without(self, positions: Iterable[int], reasons: Sequence[str]) -> "Release":
        """The same release less the records at ``positions`` (indices into ``rows``), each
        left out for its reason (a format that cannot carry them: TLE, CZML); the marking is
        worked out again for what is left."""
        dropped = dict(zip(positions, reasons))
        keep = [i for i in range(len(self.rows)) if i not in dropped]
        levels = [_level(m) for m in (self.record_markings[i] for i in keep)]
        nation = self.operator.nation if self.operator is not None else ""
        return Release(self.rows[keep] if keep else self.rows[:0], [self.record_markings[i] for i in keep],
                       self.left_out + [LeftOut(*_who(self, i), reason) for i, reason in dropped.items()],
                       overall_marking(levels, nation), self.operator, self.for_nation, self.exported_utc)

    # the catalog the release was made from, for ``without`` (set by ``releasable``)
    catalog: Catalog | None = field(default=None, repr=False)


class ExportError(ValueError):
    """A span, step, frame or format an export cannot make a file of (nothing was computed)."""


@dataclass
class ExportResult:
    """A written export: its text, how many objects it carries, those left out and why, its
    marking, and warnings (objects that went out, but not whole: some CZML samples missing)."""

    text: str
    exported: int
    left_out: list[LeftOut]
    marking: str
    warnings: list[str] = field(default_factory=list)


def _who(release: Release, index: int) -> tuple[int, str]:
    row = int(release.rows[index])
    catalog = release.catalog
    return (int(catalog.norad_id[row]), str(catalog.name[row])) if catalog is not None else (row, "")


def _level(marking: str) -> str:
    return marking.partition("//")[0]


def record_marking(classification: str, nation: str) -> str:
    """One element set's marking: UNCLASSIFIED, or ``SECRET//REL TO GBR`` (the exporting
    nation's own, released to no one else), or the bare level when the nation is unknown."""
    if classification == DEFAULT_CLASSIFICATION or not nation:
        return classification
    return f"{classification}//REL TO {nation}"


def overall_marking(classifications: Iterable[str], nation: str) -> str:
    """The highest classification (UNCLASSIFIED for none), ``REL TO`` the exporting nation
    when a classified element set is among them (unclassified ones are everyone's and narrow
    nothing)."""
    levels = list(classifications)
    highest = highest_classification(levels)
    return record_marking(highest, nation)


def releasable(catalog: Catalog, rows: Iterable[int] | None, operator: Operator | None,
               for_nation: str | None = None, max_classification: str | None = None,
               exported_utc: datetime | None = None) -> Release:
    """Which of ``rows`` (default: every row) an export may carry.

    ``operator``: who exports (their nation and clearance); None is a tool acting with no
    identity, limited by ``max_classification`` alone (then it must be given).
    ``for_nation``: the recipients' nation; their copy holds only what they may see.
    ``max_classification``: the export's own limit, below the clearance if lower."""
    if operator is None and max_classification is None:
        raise ValueError("an export needs an operator (clearance) or a max_classification")
    if max_classification is not None and max_classification not in CLASSIFICATIONS:
        raise ValueError(f"max_classification: {max_classification!r} is not one of {', '.join(CLASSIFICATIONS)}")
    limit = min((c for c in (operator.clearance if operator is not None else None, max_classification)
                 if c is not None), key=classification_rank)
    nation = operator.nation if operator is not None else ""
    chosen, markings, left_out = [], [], []
    for row in (range(len(catalog)) if rows is None else rows):
        row = int(row)
        level = catalog.marking(row)
        reason = _refusal(level, limit, operator, max_classification, nation, for_nation)
        if reason is not None:
            left_out.append(LeftOut(int(catalog.norad_id[row]), str(catalog.name[row]), reason))
            continue
        chosen.append(row)
        markings.append(record_marking(level, nation))
    return Release(np.asarray(chosen, dtype=np.int64), markings, left_out,
                   overall_marking((_level(m) for m in markings), nation), operator, for_nation,
                   (exported_utc or datetime.now(timezone.utc)).astimezone(timezone.utc), catalog)


def _refusal(level: str, limit: str, operator: Operator | None, max_classification: str | None, nation: str,
             for_nation: str | None) -> str | None:
    """Why an element set of ``level`` may not go out (None: it may)."""
    if level not in CLASSIFICATIONS:
        return f"classification {level}: not U, C or S, never exported"
    if classification_rank(level) > classification_rank(limit):
        if operator is not None and classification_rank(level) > classification_rank(operator.clearance):
            return f"{level} is above the operator's clearance ({operator.clearance})"
        return f"{level} is above the export's limit ({max_classification})"
    owner = "" if level == DEFAULT_CLASSIFICATION else nation  # an unclassified element set is everyone's
    if for_nation is not None and not may_see(for_nation, HIGHEST_CLEARANCE, level, owner, ()):
        return (f"{level} element set with no REL TO (element-set files carry none): not releasable to "
                f"{for_nation}")
    return None

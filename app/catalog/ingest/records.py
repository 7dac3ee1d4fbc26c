"""What a reader hands back: accepted element sets and rejected records with their reasons."""

from __future__ import annotations

from dataclasses import dataclass, field

from sgp4.api import Satrec


@dataclass(frozen=True)
class Rejection:
    """One record (or a whole file) that did not load, and why.

    ``location`` is ``"line N"`` for line-oriented formats (TLE, KVN, CSV), ``"record N"``
    for XML segments and JSON objects, and ``""`` when the whole file was refused.
    ``field`` names the offending field or column when there is one.
    """

    source: str
    location: str
    reason: str
    field: str | None = None

    def __str__(self) -> str:
        where = f"{self.source}:{self.location}" if self.location else self.source
        what = f"{self.field}: {self.reason}" if self.field else self.reason
        return f"{where}: {what}"

    def as_dict(self) -> dict[str, str | None]:
        return {"source": self.source, "location": self.location, "field": self.field, "reason": self.reason}


class RecordError(ValueError):
    """Raised inside a reader for one bad record; turned into a :class:`Rejection`."""

    def __init__(self, reason: str, field: str | None = None, location: str | None = None):
        super().__init__(reason)
        self.reason = reason
        self.field = field
        self.location = location


@dataclass(frozen=True)
class ElementSet:
    """One object's mean elements (an initialised ``Satrec``) plus what the file said about it."""

    satrec: Satrec
    norad_id: int
    name: str
    intl_designator: str  # e.g. "1998-067A", "" when the file has none
    classification: str  # "U", "C", "S" as the element set carries it
    source: str
    location: str
    object_type: str | None = None  # from an OMM OBJECT_TYPE field when present

    @property
    def epoch_jd(self) -> float:
        return self.satrec.jdsatepoch + self.satrec.jdsatepochF


@dataclass
class ReadResult:
    """Everything one or more files gave: good element sets in file order, and rejections."""

    element_sets: list[ElementSet] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)

    def extend(self, other: "ReadResult") -> None:
        self.element_sets.extend(other.element_sets)
        self.rejections.extend(other.rejections)

"""What a reader hands back: accepted element sets, rejected records with their reasons, and
warnings about records that load but look wrong."""

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


@dataclass(frozen=True)
class RecordWarning:
    """A record that loaded, but that the operator should look at (e.g. its perigee lies
    below the Earth's surface: an object decaying or about to)."""

    source: str
    location: str
    reason: str

    def __str__(self) -> str:
        return f"{self.source}:{self.location}: {self.reason}" if self.location else f"{self.source}: {self.reason}"

    def as_dict(self) -> dict[str, str]:
        return {"source": self.source, "location": self.location, "reason": self.reason}


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


# A hostile file can hold millions of bad records: the first this many rejections (and
# warnings) are kept in full, the rest only counted ("... and K more").
MAX_KEPT = 1000


@dataclass
class ReadResult:
    """Everything one or more files gave: good element sets in file order, the first
    ``MAX_KEPT`` rejections and warnings, and how many more of each there were. Readers add
    through :meth:`reject` and :meth:`warn`, which keep the bound."""

    element_sets: list[ElementSet] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    more_rejections: int = 0  # rejected, but not kept in ``rejections``
    warnings: list[RecordWarning] = field(default_factory=list)
    more_warnings: int = 0

    def reject(self, rejection: Rejection) -> None:
        if len(self.rejections) < MAX_KEPT:
            self.rejections.append(rejection)
        else:
            self.more_rejections += 1

    def warn(self, warning: RecordWarning) -> None:
        if len(self.warnings) < MAX_KEPT:
            self.warnings.append(warning)
        else:
            self.more_warnings += 1

    @property
    def rejected_count(self) -> int:
        return len(self.rejections) + self.more_rejections

    def extend(self, other: "ReadResult") -> None:
        self.element_sets.extend(other.element_sets)
        for rejection in other.rejections:
            self.reject(rejection)
        self.more_rejections += other.more_rejections
        for warning in other.warnings:
            self.warn(warning)
        self.more_warnings += other.more_warnings

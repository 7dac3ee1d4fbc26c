"""What a reader hands back: accepted element sets, rejected records with their reasons, and
warnings about records that load but look wrong."""

from __future__ import annotations

from dataclasses import dataclass, field

from sgp4 import omm as sgp4_omm
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
    # what the readers made ``satrec`` from (see ``satrec_from``), so that the catalog cache
    # can make it again to the bit; None for element sets made otherwise. Not an argument:
    # ``dataclasses.replace`` (a new satrec after a burn) never carries a stale one over.
    origin: tuple[str, str, str] | tuple[str, str] | None = field(default=None, init=False, compare=False,
                                                                  repr=False)

    @property
    def epoch_jd(self) -> float:
        return self.satrec.jdsatepoch + self.satrec.jdsatepochF

    def made_from(self, origin: tuple[str, str, str] | tuple[str, str] | None) -> "ElementSet":
        """This element set, saying that its satrec is ``satrec_from(origin)`` (readers only)."""
        object.__setattr__(self, "origin", origin)
        return self


# The one recipe for a reader's Satrec, shared by the readers and the catalog cache: ``("tle",
# line1, line2)``, or ``("omm", fields)`` with the values of ``OMM_SGP4_KEYS`` joined by
# ``OMM_SEPARATOR`` (one string: a catalog of OMM records holds one per object).
OMM_SGP4_KEYS = ("CLASSIFICATION_TYPE", "OBJECT_ID", "EPHEMERIS_TYPE", "ELEMENT_SET_NO", "REV_AT_EPOCH", "EPOCH",
                 "ARG_OF_PERICENTER", "BSTAR", "ECCENTRICITY", "INCLINATION", "MEAN_ANOMALY", "MEAN_MOTION_DDOT",
                 "MEAN_MOTION_DOT", "MEAN_MOTION", "RA_OF_ASC_NODE", "NORAD_CAT_ID")
OMM_SEPARATOR = "\x1f"


def tle_origin(line1: str, line2: str) -> tuple[str, str, str]:
    return ("tle", line1, line2)


def omm_origin(fields: dict[str, str]) -> tuple[str, str] | None:
    """The OMM recipe of sgp4's fields; None if a value holds the separator (then a satrec
    made from them cannot be cached, but is still made: see ``satrec_from_omm_fields``)."""
    values = [fields[key] for key in OMM_SGP4_KEYS]
    if any(OMM_SEPARATOR in value for value in values):
        return None
    return ("omm", OMM_SEPARATOR.join(values))


def satrec_from(origin: tuple[str, ...]) -> Satrec:
    """The Satrec of a recipe (``tle_origin``, ``omm_origin``); sgp4's ValueError or
    RuntimeError for elements it refuses."""
    if origin[0] == "tle":
        return Satrec.twoline2rv(origin[1], origin[2])
    if origin[0] == "omm":
        return satrec_from_omm_fields(dict(zip(OMM_SGP4_KEYS, origin[1].split(OMM_SEPARATOR))))
    raise ValueError(f"unknown element set origin {origin[0]!r}")


def satrec_from_omm_fields(fields: dict[str, str]) -> Satrec:
    """sgp4's own OMM initialisation (it reads only ``OMM_SGP4_KEYS``)."""
    satrec = Satrec()
    sgp4_omm.initialize(satrec, {key: fields[key] for key in OMM_SGP4_KEYS})
    return satrec


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

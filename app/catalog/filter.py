"""Filters and groups over the catalog: what the table lists and the globe and map show."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Mapping

import numpy as np

from app.catalog.catalog import Catalog

_search_cache: dict[int, tuple[str, np.ndarray]] = {}
BREAKUP_SOURCE = "scenario breakup"  # the source of every element set a scenario's breakup makes


def _search_index(catalog: Catalog) -> tuple[str, np.ndarray]:
    """One lower-case text of every row ("name|designator|number") and each row's start."""
    cached = _search_cache.get(catalog.version)
    if cached is None:
        rows = [f"{n}|{d}|{k}" for n, d, k in zip(catalog.name.tolist(), catalog.intl_designator.tolist(),
                                                   catalog.norad_id.tolist())]
        starts = np.cumsum([0] + [len(r) + 1 for r in rows[:-1]]) if rows else np.zeros(0, dtype=np.int64)
        cached = ("\n".join(rows).lower(), np.asarray(starts, dtype=np.int64))
        _search_cache.clear()  # keep only the current catalog's index
        _search_cache[catalog.version] = cached
    return cached


def text_mask(catalog: Catalog, text: str) -> np.ndarray:
    """Rows whose name, international designator or catalog number contains ``text``."""
    query = text.strip().lower()
    if not query:
        return np.ones(len(catalog), dtype=bool)
    haystack, starts = _search_index(catalog)
    mask = np.zeros(len(catalog), dtype=bool)
    offsets = np.fromiter((m.start() for m in re.finditer(re.escape(query), haystack)), dtype=np.int64)
    if len(offsets):
        mask[np.searchsorted(starts, offsets, side="right") - 1] = True
    return mask


@dataclass(frozen=True)
class CatalogFilter:
    """Every criterion that is set must hold; an empty set means 'any'."""

    text: str = ""
    object_types: frozenset[str] = field(default_factory=frozenset)
    regimes: frozenset[str] = field(default_factory=frozenset)
    owner_states: frozenset[str] = field(default_factory=frozenset)
    name_prefix: str = ""
    sources: frozenset[str] = field(default_factory=frozenset)  # where the element sets came from

    def mask(self, catalog: Catalog) -> np.ndarray:
        mask = text_mask(catalog, self.text)
        if self.object_types:
            mask &= np.isin(catalog.object_type, list(self.object_types))
        if self.regimes:
            mask &= np.isin(catalog.regime, list(self.regimes))
        if self.owner_states:
            mask &= np.isin(catalog.owner_state, list(self.owner_states))
        if self.name_prefix:
            mask &= np.char.startswith(catalog.name, self.name_prefix.upper())
        if self.sources:
            mask &= np.isin(catalog.source_file.astype(str), list(self.sources))
        return mask

    def with_text(self, text: str) -> "CatalogFilter":
        return replace(self, text=text)

    def to_dict(self) -> dict:
        return {"text": self.text, "object_types": sorted(self.object_types), "regimes": sorted(self.regimes),
                "owner_states": sorted(self.owner_states), "name_prefix": self.name_prefix,
                "sources": sorted(self.sources)}

    @classmethod
    def from_dict(cls, data: Mapping) -> "CatalogFilter":
        return cls(str(data.get("text", "")), frozenset(data.get("object_types", ())),
                   frozenset(data.get("regimes", ())), frozenset(data.get("owner_states", ())),
                   str(data.get("name_prefix", "")), frozenset(data.get("sources", ())))


BUILTIN_GROUPS: dict[str, CatalogFilter] = {
    "All objects": CatalogFilter(),
    "GEO belt": CatalogFilter(regimes=frozenset({"GEO"})),
    "Starlink": CatalogFilter(name_prefix="STARLINK"),
    "OneWeb": CatalogFilter(name_prefix="ONEWEB"),
    "Debris": CatalogFilter(object_types=frozenset({"DEBRIS"})),
    "Breakup debris": CatalogFilter(sources=frozenset({BREAKUP_SOURCE})),
    "Rocket bodies": CatalogFilter(object_types=frozenset({"ROCKET BODY"})),
    "Payloads": CatalogFilter(object_types=frozenset({"PAYLOAD"})),
    "MEO (navigation)": CatalogFilter(regimes=frozenset({"MEO"})),
    "HEO": CatalogFilter(regimes=frozenset({"HEO"})),
    "Owner: US": CatalogFilter(owner_states=frozenset({"US"})),
    "Owner: China": CatalogFilter(owner_states=frozenset({"CN"})),
    "Owner: Russia / USSR": CatalogFilter(owner_states=frozenset({"RU", "SU"})),
}


def builtin_group(name: str) -> CatalogFilter | None:
    """The catalog panel's group of that name, any case (None: no such group)."""
    named = {group.casefold(): group for group in BUILTIN_GROUPS}
    key = named.get(name.casefold())
    return None if key is None else BUILTIN_GROUPS[key]

"""The watch pair: two objects an analyst watches together, with the ranges (and closing
speed) that raise a caution or a warning. A domain record: the watchlist evaluates it,
``app.storage.watch_pairs`` persists it."""

from __future__ import annotations

from dataclasses import dataclass

from app.common.marking import DATA_MODES, DEFAULT_CLASSIFICATION


@dataclass(frozen=True)
class WatchPair:
    primary_id: int
    secondary_id: int
    caution_km: float = 25.0
    warning_km: float = 5.0
    closing_speed_km_s: float | None = None  # alert when closing faster than this inside caution range
    notes: str = ""
    classification: str = DEFAULT_CLASSIFICATION
    releasability: str = ""
    data_mode: str = "REAL"
    nation: str = ""  # the owning nation (the operator's who added it); with releasability, who may see it
    id: int | None = None
    version: int = 0
    updated_utc: str = ""
    updated_by: str = ""

    def validated(self) -> "WatchPair":
        if self.primary_id == self.secondary_id:
            raise ValueError("secondary: a pair needs two different objects")
        if not 0 < self.warning_km <= self.caution_km:
            raise ValueError("warning_km: must be above 0 and not above the caution range")
        if self.closing_speed_km_s is not None and self.closing_speed_km_s <= 0:
            raise ValueError("closing_speed_km_s: must be above 0")
        if self.data_mode not in DATA_MODES:
            raise ValueError(f"data_mode: must be one of {', '.join(DATA_MODES)}")
        if not self.classification.strip():
            raise ValueError("classification: is required")
        return self

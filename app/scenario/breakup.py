"""A breakup: the parent's state at the event, each fragment kicked by a random velocity
(isotropic, normally distributed with the given spread per axis, from a seeded generator so
the same seed gives the same cloud), and each fragment given SGP4 elements of its own by the
same fit as a burn (``element_fit``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
from sgp4.api import Satrec

from app.astro.timeutil import datetime_to_jd
from app.scenario.element_fit import FitError, FitResult, fit_to_state

FRAGMENT_FIT_HOURS = 3.0


@dataclass(frozen=True)
class Fragment:
    norad_id: int
    name: str
    delta_v_m_s: tuple[float, float, float]  # TEME
    fit: FitResult


def break_up(parent: Satrec, parent_name: str, when: datetime, fragments: int, spread_m_s: float, seed: int,
             first_id: int) -> tuple[list[Fragment], list[str]]:
    """The fragments (and a note for each one whose orbit could not be fitted: re-entering)."""
    jd, fr = datetime_to_jd(when)
    error, r0, v0 = parent.sgp4(jd, fr)
    if error:
        raise FitError(f"SGP4 error {error} for the parent at the breakup time")
    r0, v0 = np.array(r0), np.array(v0)
    kicks = np.random.default_rng(seed).normal(0.0, spread_m_s, size=(fragments, 3))
    made, skipped = [], []
    for number, kick in enumerate(kicks):
        norad_id = first_id + number
        try:
            fit = fit_to_state(parent, norad_id, when, r0, v0, v0 + kick / 1000.0, FRAGMENT_FIT_HOURS, 37)
        except FitError as why:
            skipped.append(f"fragment {norad_id}: {why}")
            continue
        made.append(Fragment(norad_id, f"{parent_name[:16]} DEB {number + 1}", tuple(float(x) for x in kick), fit))
    return made, skipped

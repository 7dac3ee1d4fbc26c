"""What the sampled exports (CZML, OEM) share: the sample times of a span, and SGP4 states of
the released objects at those times, a chunk of objects per ``SatrecArray`` call (sgp4 holds
the GIL for a whole call, so a long export never stalls other threads for long)."""

from __future__ import annotations

import math
from typing import Iterator, Sequence

import numpy as np

from app.astro.ephemeris_satrec import sgp4_many
from app.catalog.catalog import Catalog

CHUNK_OBJECTS = 64  # objects per SatrecArray call


class SpanError(ValueError):
    """A span or step no samples can be made of."""


def sample_offsets(hours: float, step_s: float) -> np.ndarray:
    """Seconds from the start: every ``step_s``, and the end of the span as the last sample."""
    span_s = float(hours) * 3600.0
    if not (math.isfinite(span_s) and span_s > 0):
        raise SpanError(f"the span must be a positive number of hours, got {hours!r}")
    if not (math.isfinite(step_s) and 0 < step_s <= span_s):
        raise SpanError(f"the step must be in (0, {span_s:g}] seconds, got {step_s!r}")
    count = int(math.floor(span_s / step_s + 1e-9))
    offsets = np.arange(count + 1, dtype=float) * float(step_s)
    if span_s - offsets[-1] > 1e-6:
        offsets = np.append(offsets, span_s)
    return offsets


def teme_states(catalog: Catalog, rows: Sequence[int], jd: np.ndarray, fr: np.ndarray
                ) -> Iterator[tuple[int, int, np.ndarray, np.ndarray, np.ndarray]]:
    """``(index in rows, row, sgp4 error codes, r_teme_km, v_teme_km_s)`` for each row, in order."""
    for first in range(0, len(rows), CHUNK_OBJECTS):
        chunk = rows[first:first + CHUNK_OBJECTS]
        errors, r_teme, v_teme = sgp4_many([catalog.satrecs[row] for row in chunk], jd, fr)
        for k, row in enumerate(chunk):
            yield first + k, row, errors[k], r_teme[k], v_teme[k]

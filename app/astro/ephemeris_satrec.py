"""An ephemeris object in an SGP4 world: a ``Satrec`` whose states come from an
:class:`~app.astro.ephemeris.Ephemeris` (an owner-operator's OEM), so that everything that
asks a catalog row for states (globe, map, watchlist, screening, passes, exports) gets the
ephemeris's, interpolated as its file says and never extrapolated.

- :class:`EphemerisSatrec` answers ``sgp4`` and ``sgp4_array`` from its ephemeris, in TEME
  (the frame SGP4 answers in). Outside every useable span: NaN and the error code
  :data:`EPHEMERIS_OUTSIDE_SPAN` (sgp4's own codes are 1..6), which every caller already
  treats as "no state".
- Its mean elements (what ``SatrecArray`` would propagate, and what orbit class, band
  filters and bounds read) are SGP4 elements fitted to the ephemeris's own positions
  (:func:`app.astro.mean_elements.fit_mean_elements`): the object's orbit, near enough for
  a filter, never its position.
- ``SatrecArray`` reads the C elements, not Python methods: :func:`sgp4_many` is the one way
  to propagate a list of satrecs that may hold ephemeris objects (it answers those rows from
  their ephemerides).
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np
from sgp4.api import Satrec, SatrecArray

from app.astro.ephemeris import Ephemeris
from app.astro.mean_elements import FitError, fit_mean_elements, make_satrec, osculating_elements
from app.astro.timeutil import datetime_to_jd, jd_to_datetime

EPHEMERIS_OUTSIDE_SPAN = 7
FIT_SAMPLES = 97  # positions the mean elements are fitted to, over the ephemeris's longest segment
_SATNUM_LIMIT = 100_000  # sgp4init's satnum: five digits (Alpha-5 aside); larger numbers keep 0 there


class EphemerisSatrec(Satrec):
    """A Satrec whose states are its ephemeris's (see the module's words)."""

    ephemeris: Ephemeris
    fit_rms_km: float | None  # how far the fitted mean elements' SGP4 is from the ephemeris (None: no fit)

    def sgp4(self, jd: float, fr: float):
        error, r, v = self.sgp4_array(np.array([jd], dtype=float), np.array([fr], dtype=float))
        return int(error[0]), tuple(float(x) for x in r[0]), tuple(float(x) for x in v[0])

    def sgp4_array(self, jd, fr):
        jd, fr = np.broadcast_arrays(np.asarray(jd, dtype=float), np.asarray(fr, dtype=float))
        shape = jd.shape
        r, v, inside = self.ephemeris.position_velocity_at_jd(jd.ravel(), fr.ravel(), frame="TEME")
        error = np.where(inside, 0, EPHEMERIS_OUTSIDE_SPAN).astype(np.uint8)
        return error.reshape(shape), r.reshape(shape + (3,)), v.reshape(shape + (3,))


def ephemeris_satrec(ephemeris: Ephemeris, norad_id: int) -> EphemerisSatrec:
    """The satrec of an ephemeris object: mean elements fitted over its longest segment."""
    segment = max(ephemeris.segments, key=lambda s: s.useable_t_s[1] - s.useable_t_s[0])
    start, stop = segment.useable_start_utc, segment.useable_stop_utc
    jd0, fr0 = datetime_to_jd(start)
    span_days = (stop - start).total_seconds() / 86400.0
    fr = fr0 + np.linspace(0.0, span_days, FIT_SAMPLES)
    jd = np.full(FIT_SAMPLES, jd0)
    r, v, inside = ephemeris.position_velocity_at_jd(jd, fr, frame="TEME")
    if not inside.any():
        raise FitError("the ephemeris gives no state inside its own span")
    jd, fr, r, v = jd[inside], fr[inside], r[inside], v[inside]
    middle = len(r) // 2  # the epoch: the middle sample (to the microsecond a datetime holds)
    epoch = jd_to_datetime(float(jd[middle]), float(fr[middle]))
    satnum = norad_id if 0 < norad_id < _SATNUM_LIMIT else 0
    guess = osculating_elements(r[middle], v[middle])
    try:
        fit = fit_mean_elements(r, jd, fr, satnum, epoch, 0.0, guess, kind=EphemerisSatrec)
        satrec, rms = fit.satrec, fit.rms_km
    except FitError:  # (a span too short or odd to fit: the osculating orbit still classes it)
        satrec, rms = make_satrec(satnum, epoch, guess, 0.0, kind=EphemerisSatrec), None
    satrec.ephemeris = ephemeris
    satrec.fit_rms_km = rms
    return satrec


def ephemeris_members(satrecs: Sequence[Satrec]) -> tuple[tuple[int, EphemerisSatrec], ...]:
    """(index, satrec) of each ephemeris object in ``satrecs``."""
    return tuple((i, s) for i, s in enumerate(satrecs) if isinstance(s, EphemerisSatrec))


def answer_ephemerides(members: Sequence[tuple[int, EphemerisSatrec]], jd: np.ndarray, fr: np.ndarray,
                       error: np.ndarray, r: np.ndarray, v: np.ndarray) -> None:
    """Overwrite a ``SatrecArray.sgp4`` result's rows of ephemeris objects with their
    ephemerides' states (in place)."""
    for index, satrec in members:
        error[index], r[index], v[index] = satrec.sgp4_array(jd, fr)


def sgp4_rows(satrecs: Sequence[Satrec], objects: np.ndarray, jd: np.ndarray, fr: np.ndarray,
              report: Callable[[int, int], None] | None = None):
    """Row k: ``satrecs[objects[k]]`` at ``(jd[k], fr[k])`` (``jd`` may be one number), as
    (error, r, v) in row order. One compiled call per distinct object, written straight into
    the result by the propagator that ``Satrec.sgp4_array`` wraps (a quarter of the time
    would go to that wrapper's allocations); ephemeris objects answer from their ephemerides
    (their compiled elements are only the fitted mean orbit). ``report`` hears
    (objects done, objects) every 500 objects (a cancel point: it may raise)."""
    objects = np.asarray(objects)
    n = len(objects)
    order = np.argsort(objects, kind="stable")
    grouped = objects[order]
    jd_grouped = np.ascontiguousarray(np.broadcast_to(np.asarray(jd, dtype=float), (n,))[order])
    fr_grouped = np.ascontiguousarray(np.broadcast_to(np.asarray(fr, dtype=float), (n,))[order])
    error, r, v = np.empty(n, np.uint8), np.empty((n, 3)), np.empty((n, 3))
    bounds = (np.flatnonzero(np.diff(grouped)) + 1).tolist()
    for count, (lo, hi) in enumerate(zip([0] + bounds, bounds + [n])):
        if report is not None and count % 500 == 0:
            report(count, len(bounds) + 1)
        if lo == hi:
            continue
        satrec = satrecs[int(grouped[lo])]
        into = getattr(satrec, "_sgp4", None) if type(satrec).sgp4_array is Satrec.sgp4_array else None
        if into is not None:
            into(jd_grouped[lo:hi], fr_grouped[lo:hi], error[lo:hi], r[lo:hi], v[lo:hi])
        else:
            error[lo:hi], r[lo:hi], v[lo:hi] = satrec.sgp4_array(jd_grouped[lo:hi], fr_grouped[lo:hi])
    in_rows = np.empty(n, np.intp)
    in_rows[order] = np.arange(n)
    return error[in_rows], r[in_rows], v[in_rows]


def sgp4_many(satrecs: Sequence[Satrec], jd: np.ndarray, fr: np.ndarray, array: SatrecArray | None = None):
    """``SatrecArray(satrecs).sgp4(jd, fr)``, ephemeris objects answered from their
    ephemerides (``array``: the SatrecArray of ``satrecs`` when one is at hand)."""
    error, r, v = (array if array is not None else SatrecArray(list(satrecs))).sgp4(jd, fr)
    answer_ephemerides(ephemeris_members(satrecs), jd, fr, error, r, v)
    return error, r, v

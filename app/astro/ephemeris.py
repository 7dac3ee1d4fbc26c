"""An ephemeris: one object's tabulated states (position and velocity at listed times, as a
CCSDS OEM carries them), interpolated as its producer says and never beyond its useable span.

This is what the OEM reader (:mod:`app.catalog.ingest.oem`) hands back, one :class:`Ephemeris`
per object, and what the catalog, globe, watchlist and screening will ask for states later:
:meth:`Ephemeris.position_velocity_at` gives ``(r_km, v_km_s, in_span)`` in the frame asked
for. It lives in ``astro`` (below ``catalog``) so that every feature package may use it.

Time
    A segment's states are held at TAI seconds from a reference instant (its first state), so a
    table across a leap second, or one kept in TAI, TT, GPS or TDB time, interpolates over the
    time that really elapsed. Times asked for are UTC: timezone-aware ``datetime``\\ s, numpy
    ``datetime64`` (taken as UTC), or the console's split Julian dates ``(jd, fr)``. UTC goes
    to TAI through ERFA's leap-second table (``erfa.dat``; past the table's end it keeps the
    last offset, 37 s, as every ERFA user does). Time systems a segment may be kept in: UTC, TAI,
    TT (TAI + 32.184 s), GPS (TAI - 19 s) and TDB (TT + ERFA's ``dtdb``, the Fairhead &
    Bretagnon series at the geocentre, within nanoseconds); UT1, TCG, TCB and mission times
    (MET, MRT, SCLK ...) are refused by the reader: they need data the console does not hold
    (Earth-orientation tables, a mission epoch) or that no Earth-orbit ephemeris uses.

Interpolation (per segment, never across two: a producer starts a new segment at a maneuver)
    - ``LAGRANGE`` of degree n: the polynomial through the n + 1 states nearest the time, for
      positions and for velocities, each from the file's own values.
    - ``HERMITE`` of degree n: positions and velocities of the m = max(2, ceil((n + 1) / 2))
      nearest states (the polynomial of degree 2m - 1 >= n that matches both, as Orekit and the
      ``oem`` package read the degree); the velocity is its derivative.
    - ``LINEAR``: Lagrange of degree 1, positions and velocities.
    A segment with fewer states than the degree needs uses all it has (the reader warns).
    At a listed time the listed state comes back as listed. Accelerations are kept
    (``a_km_s2``) but not used.

Span
    States are given only inside a segment's useable span (``USEABLE_START_TIME`` ..
    ``USEABLE_STOP_TIME``, else ``START_TIME`` .. ``STOP_TIME``, and never beyond its first and
    last state; a microsecond of slack at each end). Elsewhere: NaN, and the mask is False:
    never extrapolated. (So is a state the arithmetic could not make finite: a hostile table of
    wildly uneven spacing and high degree.) Where two segments of one object share an instant (the maneuver's
    epoch), the later segment in the file answers.

Frames
    A segment is kept in its own frame: ``GCRF`` (ICRF is taken as GCRF: for Earth-centred
    states the ICRF's axes are the GCRS's), ``EME2000``, ``TEME`` or ``ITRF`` (any ITRF
    realisation: ITRF-93 .. ITRF2020 differ by centimetres, below the console's Earth
    rotation, which has no UT1 - UTC or polar motion). It is turned into the frame asked for
    through :mod:`app.astro.frames`, ERFA's IAU 2006/2000A models: EME2000 <-> GCRF by the
    IAU 2000 frame bias (``erfa.bp00``: up to 0.8 m at LEO, 4.5 m at GEO), TEME <-> GCRF as
    the CZML export does, ITRF <-> GCRF by ``erfa.c2t06a`` with UT1 = UTC and no polar motion
    (so an Earth-fixed ephemeris's inertial states carry the console's display-grade Earth
    rotation: tens of metres at LEO, see the README's Accuracy section), velocities with
    Earth's rotation. The segment's own frame comes back untouched.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Sequence

import numpy as np

FRAMES = ("GCRF", "EME2000", "TEME", "ITRF")
INTERPOLATIONS = ("LAGRANGE", "HERMITE", "LINEAR")
TIME_SYSTEMS = ("UTC", "TAI", "TT", "GPS", "TDB")
MAX_DEGREE = 32  # far beyond any producer's (7 to 11 are usual); Runge's oscillations past it
TT_MINUS_TAI_S = 32.184
TAI_MINUS_GPS_S = 19.0
SPAN_SLACK_S = 1e-6  # a time within a microsecond of a span's end is inside it
_MJD_ZERO_JD = 2400000.5
_MJD_UNIX_EPOCH = 40587
_US_PER_DAY = 86_400_000_000
_CHUNK = 65536  # times interpolated per numpy pass (bounds the temporary arrays)
_MJD_RANGE = (35_839, 124_593)  # 1957-01-01 .. 2200-01-01: the years the console computes


# --- time scales ----------------------------------------------------------------------------

def _erfa():
    import erfa  # (pyerfa: imported here, as app.astro.frames does)

    return erfa


def tai_minus_utc_s(mjd: np.ndarray, seconds_utc: np.ndarray | float = 0.0) -> np.ndarray:
    """TAI - UTC in seconds on the UTC days ``mjd`` (integers), at ``seconds_utc`` into the
    day (which matters before 1972 only), from ERFA's table."""
    erfa = _erfa()
    mjd = np.asarray(mjd, dtype=float)
    fraction = np.clip(np.asarray(seconds_utc, dtype=float) / 86400.0, 0.0, 1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", erfa.ErfaWarning)  # "dubious year": past the table's end
        year, month, day, _ = erfa.jd2cal(_MJD_ZERO_JD, mjd)
        return erfa.dat(year, month, day, fraction)


def leap_second_days(mjd: np.ndarray) -> np.ndarray:
    """Whether each UTC day ``mjd`` ends with a leap second (is 86,401 s long)."""
    mjd = np.asarray(mjd, dtype=np.int64)
    return tai_minus_utc_s(mjd + 1) - tai_minus_utc_s(mjd) > 0.5


def to_tai_seconds(mjd: np.ndarray, seconds: np.ndarray, time_system: str) -> np.ndarray:
    """Seconds into the TAI day ``mjd`` of instants given as ``seconds`` into day ``mjd`` of
    ``time_system`` (may fall outside [0, 86400): only differences of these are used)."""
    mjd = np.asarray(mjd, dtype=np.int64)
    seconds = np.asarray(seconds, dtype=float)
    if time_system == "UTC":
        return seconds + tai_minus_utc_s(mjd, seconds)
    if time_system == "TAI":
        return seconds.copy()
    if time_system == "TT":
        return seconds - TT_MINUS_TAI_S
    if time_system == "GPS":
        return seconds + TAI_MINUS_GPS_S
    if time_system == "TDB":
        fraction = seconds / 86400.0
        tdb_minus_tt = _erfa().dtdb(_MJD_ZERO_JD + mjd.astype(float), fraction, np.mod(fraction, 1.0), 0.0, 0.0, 0.0)
        return seconds - tdb_minus_tt - TT_MINUS_TAI_S
    raise ValueError(f"time system {time_system!r}: one of {', '.join(TIME_SYSTEMS)}")


def tai_to_utc_datetime(mjd: int, seconds_tai: float) -> datetime:
    """The UTC ``datetime`` of a TAI instant (a leap second itself reads 23:59:59.999999)."""
    erfa = _erfa()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", erfa.ErfaWarning)
        utc1, utc2 = erfa.taiutc(_MJD_ZERO_JD + float(mjd), float(seconds_tai) / 86400.0)
        year, month, day, hmsf = erfa.d2dtf("UTC", 6, utc1, utc2)
    hour, minute, second, micro = (int(hmsf[k]) for k in ("h", "m", "s", "f"))
    if second >= 60:
        second, micro = 59, 999_999
    return datetime(int(year), int(month), int(day), hour, minute, second, micro, tzinfo=timezone.utc)


def utc_days_and_seconds(times) -> tuple[np.ndarray, np.ndarray, bool]:
    """``(mjd, seconds_utc, scalar)`` of UTC times: an aware ``datetime``, a sequence of them,
    or numpy ``datetime64`` values (taken as UTC). A naive ``datetime`` is refused
    (ValueError), as everywhere in the console."""
    scalar = isinstance(times, (datetime, np.datetime64))
    if isinstance(times, np.ndarray) and np.issubdtype(times.dtype, np.datetime64):
        micro = times.astype("datetime64[us]").astype(np.int64)
    else:
        items = [times] if scalar else list(times)
        values = []
        for moment in items:
            if isinstance(moment, np.datetime64):
                values.append(moment.astype("datetime64[us]"))
                continue
            if not isinstance(moment, datetime):
                raise TypeError(f"a time must be a datetime or numpy datetime64, not {type(moment).__name__}")
            if moment.tzinfo is None:
                raise ValueError("naive datetime: times must be timezone-aware UTC")
            values.append(np.datetime64(moment.astimezone(timezone.utc).replace(tzinfo=None), "us"))
        micro = np.array(values, dtype="datetime64[us]").astype(np.int64)
    micro = np.atleast_1d(micro)
    days = np.floor_divide(micro, _US_PER_DAY)
    return days + _MJD_UNIX_EPOCH, (micro - days * _US_PER_DAY) / 1e6, scalar


def split_jd_to_days_and_seconds(jd_utc, fr_utc) -> tuple[np.ndarray, np.ndarray]:
    """``(mjd, seconds_utc)`` of the console's split UTC Julian dates."""
    days = np.atleast_1d(np.asarray(jd_utc, dtype=float)) - _MJD_ZERO_JD
    days = np.where(np.isfinite(days), days, np.nan)
    whole = np.floor(days)
    rest = (days - whole) + np.atleast_1d(np.asarray(fr_utc, dtype=float))
    extra = np.floor(rest)
    mjd = whole + extra
    usable = np.isfinite(mjd) & (np.abs(np.nan_to_num(mjd)) < 1e9)
    return np.where(usable, mjd, -1).astype(np.int64), np.where(usable, rest - extra, np.nan) * 86400.0


# --- frames ---------------------------------------------------------------------------------

def convert_states(r_km: np.ndarray, v_km_s: np.ndarray, mjd: np.ndarray, seconds_utc: np.ndarray,
                   from_frame: str, to_frame: str) -> tuple[np.ndarray, np.ndarray]:
    """States (N x 3, one UTC instant per row) from one of :data:`FRAMES` to another."""
    from app.astro.frames import (gcrs_to_eme2000_matrix, gcrs_to_itrs_states, itrs_to_gcrs_states,
                                  teme_to_gcrs_rotation, teme_to_itrs_states_many_epochs)

    for name in (from_frame, to_frame):
        if name not in FRAMES:
            raise ValueError(f"frame {name!r}: one of {', '.join(FRAMES)}")
    if from_frame == to_frame or len(r_km) == 0:
        return r_km, v_km_s
    jd = _MJD_ZERO_JD + np.asarray(mjd, dtype=float)
    fr = np.asarray(seconds_utc, dtype=float) / 86400.0
    if from_frame == "TEME" and to_frame == "ITRF":  # the console's own rotation, as the engine's
        return teme_to_itrs_states_many_epochs(r_km, v_km_s, jd, fr)
    if from_frame == "EME2000":
        bias = gcrs_to_eme2000_matrix()
        r_km, v_km_s = r_km @ bias, v_km_s @ bias  # rows: (B.T @ r.T).T
    elif from_frame == "TEME":
        rotation = teme_to_gcrs_rotation(jd, fr)
        r_km, v_km_s = (np.einsum("tij,tj->ti", rotation, x) for x in (r_km, v_km_s))
    elif from_frame == "ITRF":
        r_km, v_km_s = itrs_to_gcrs_states(r_km, v_km_s, jd, fr)
    if to_frame == "EME2000":
        bias = gcrs_to_eme2000_matrix()
        return r_km @ bias.T, v_km_s @ bias.T
    if to_frame == "TEME":
        rotation = teme_to_gcrs_rotation(jd, fr)
        return tuple(np.einsum("tji,tj->ti", rotation, x) for x in (r_km, v_km_s))
    if to_frame == "ITRF":
        return gcrs_to_itrs_states(r_km, v_km_s, jd, fr)
    return r_km, v_km_s


# --- interpolation --------------------------------------------------------------------------

def nearest_windows(t_nodes: np.ndarray, t: np.ndarray, size: int) -> np.ndarray:
    """The first index of the ``size`` consecutive nodes nearest each time."""
    count = len(t_nodes)
    size = min(size, count)
    after = np.searchsorted(t_nodes, t)
    first = after - (size + 1) // 2
    last = first + size  # the node a window one later would take in
    low, high = np.clip(first, 0, count - 1), np.clip(last, 0, count - 1)
    later = (first >= 0) & (last <= count - 1) & (t_nodes[high] - t < t - t_nodes[low])
    return np.clip(first + later, 0, count - size)


def lagrange_weights(t_window: np.ndarray, t: np.ndarray) -> np.ndarray:
    """The Lagrange basis (Q x k) of each row's k nodes at each time: exactly 1 and 0s at a
    node."""
    size = t_window.shape[1]
    offsets = t[:, None] - t_window
    weights = np.ones_like(t_window)
    for j in range(size):
        for m in range(size):
            if m != j:
                weights[:, j] *= offsets[:, m] / (t_window[:, j] - t_window[:, m])
    return weights


def hermite_weights(t_window: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, ...]:
    """``(h, k, dh, dk)`` (each Q x m): position = sum(h p + k v), velocity = sum(dh p + dk v)."""
    size = t_window.shape[1]
    offsets = t[:, None] - t_window  # t - t_j
    basis = lagrange_weights(t_window, t)
    slope = np.zeros_like(basis)  # L_j'(t)
    at_node = np.zeros_like(basis)  # L_j'(t_j) = sum over q != j of 1 / (t_j - t_q)
    for j in range(size):
        for q in range(size):
            if q == j:
                continue
            inverse = 1.0 / (t_window[:, j] - t_window[:, q])
            at_node[:, j] += inverse
            term = inverse.copy()
            for m in range(size):
                if m not in (j, q):
                    term *= offsets[:, m] / (t_window[:, j] - t_window[:, m])
            slope[:, j] += term
    square = basis * basis
    lead = 1.0 - 2.0 * at_node * offsets
    h = lead * square
    k = offsets * square
    dh = -2.0 * at_node * square + lead * 2.0 * basis * slope
    dk = square + 2.0 * offsets * basis * slope
    return h, k, dh, dk


def interpolate(t_nodes: np.ndarray, r_km: np.ndarray, v_km_s: np.ndarray, t: np.ndarray, method: str,
                degree: int) -> tuple[np.ndarray, np.ndarray]:
    """Positions and velocities at times ``t`` (inside the nodes' range) from the nodes."""
    if method == "LINEAR":
        method, degree = "LAGRANGE", 1
    if method == "HERMITE":
        size = max(2, math.ceil((degree + 1) / 2))
    elif method == "LAGRANGE":
        size = degree + 1
    else:
        raise ValueError(f"interpolation {method!r}: one of {', '.join(INTERPOLATIONS)}")
    size = min(size, len(t_nodes))
    r_out = np.empty((len(t), 3))
    v_out = np.empty((len(t), 3))
    for begin in range(0, len(t), _CHUNK):
        when = t[begin:begin + _CHUNK]
        index = nearest_windows(t_nodes, when, size)[:, None] + np.arange(size)
        t_window = t_nodes[index]
        origin_r = r_km[index[:, 0]]  # (the window's first state taken out: less to round)
        p = r_km[index] - origin_r[:, None, :]
        v = v_km_s[index]
        if method == "LAGRANGE":
            weights = lagrange_weights(t_window, when)
            r_out[begin:begin + _CHUNK] = origin_r + np.einsum("qm,qmk->qk", weights, p)
            v_out[begin:begin + _CHUNK] = np.einsum("qm,qmk->qk", weights, v)
        else:
            h, k, dh, dk = hermite_weights(t_window, when)
            r_out[begin:begin + _CHUNK] = origin_r + np.einsum("qm,qmk->qk", h, p) + np.einsum("qm,qmk->qk", k, v)
            v_out[begin:begin + _CHUNK] = np.einsum("qm,qmk->qk", dh, p) + np.einsum("qm,qmk->qk", dk, v)
    return r_out, v_out


# --- the ephemeris --------------------------------------------------------------------------

@dataclass(frozen=True)
class Covariance:
    """One covariance matrix of a segment, as the file gives it: its epoch (UTC), its frame
    (``COV_REF_FRAME``, else the segment's; RTN and the like are kept as named) and the 6 x 6
    matrix of position (km) and velocity (km/s) terms. Kept, not used yet."""

    epoch_utc: datetime
    frame: str
    matrix: np.ndarray


@dataclass(frozen=True, eq=False)
class EphemerisSegment:
    """States of one object over one span, in one frame, with one interpolation.

    ``t_s``: TAI seconds of each state from the reference instant (``reference_mjd``, the TAI
    day, and ``reference_tai_s``, seconds into it); strictly increasing, at least two.
    ``useable_t_s``: the useable span on the same scale (inside the states' range)."""

    frame: str
    interpolation: str
    degree: int
    reference_mjd: int
    reference_tai_s: float
    t_s: np.ndarray
    r_km: np.ndarray
    v_km_s: np.ndarray
    useable_t_s: tuple[float, float]
    a_km_s2: np.ndarray | None = None
    time_system: str = "UTC"
    frame_as_written: str = ""
    interpolation_stated: bool = True
    covariances: tuple[Covariance, ...] = ()
    comments: tuple[str, ...] = ()
    source: str = ""
    line: int = 0

    def __post_init__(self) -> None:
        if self.frame not in FRAMES:
            raise ValueError(f"frame {self.frame!r}: one of {', '.join(FRAMES)}")
        if self.interpolation not in INTERPOLATIONS or not 1 <= self.degree <= MAX_DEGREE:
            raise ValueError(f"interpolation {self.interpolation} of degree {self.degree}")
        t = np.asarray(self.t_s, dtype=float)
        if t.ndim != 1 or len(t) < 2 or not np.all(np.diff(t) > 0) or not np.all(np.isfinite(t)):
            raise ValueError("at least two states at strictly increasing times are needed")
        for name in ("r_km", "v_km_s"):
            if np.shape(getattr(self, name)) != (len(t), 3) or not np.all(np.isfinite(getattr(self, name))):
                raise ValueError(f"{name}: {len(t)} x 3 finite numbers needed")
        start, stop = self.useable_t_s
        if not (t[0] - SPAN_SLACK_S <= start <= stop <= t[-1] + SPAN_SLACK_S):
            raise ValueError("the useable span must lie within the states' times")

    @property
    def count(self) -> int:
        return len(self.t_s)

    def _utc(self, t: float) -> datetime:
        return tai_to_utc_datetime(self.reference_mjd, self.reference_tai_s + t)

    @property
    def useable_start_utc(self) -> datetime:
        return self._utc(self.useable_t_s[0])

    @property
    def useable_stop_utc(self) -> datetime:
        return self._utc(self.useable_t_s[1])

    @property
    def epochs_utc(self) -> list[datetime]:
        return [self._utc(float(t)) for t in self.t_s]

    def elapsed_s(self, mjd_tai: np.ndarray, seconds_tai: np.ndarray) -> np.ndarray:
        """Seconds from this segment's reference to TAI instants (day, seconds into it)."""
        return (np.asarray(mjd_tai, dtype=np.int64) - self.reference_mjd) * 86400.0 + (
            np.asarray(seconds_tai, dtype=float) - self.reference_tai_s)

    def inside(self, t: np.ndarray) -> np.ndarray:
        start, stop = self.useable_t_s
        return (t >= start - SPAN_SLACK_S) & (t <= stop + SPAN_SLACK_S)

    def states_at(self, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Positions and velocities (own frame) at ``t`` (seconds from the reference; each
        inside the useable span)."""
        t = np.clip(t, self.t_s[0], self.t_s[-1])
        r, v = interpolate(self.t_s, self.r_km, self.v_km_s, t, self.interpolation, self.degree)
        node = np.minimum(np.searchsorted(self.t_s, t), self.count - 1)
        listed = self.t_s[node] == t  # a listed time: the listed state, to the bit
        r[listed], v[listed] = self.r_km[node[listed]], self.v_km_s[node[listed]]
        return r, v


@dataclass(frozen=True, eq=False)
class Ephemeris:
    """One object's ephemeris: its segments in the order the file gave them."""

    object_name: str
    object_id: str
    segments: tuple[EphemerisSegment, ...]
    source: str = ""
    comments: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        if not self.segments:
            raise ValueError("an ephemeris needs at least one segment")

    @property
    def useable_spans_utc(self) -> list[tuple[datetime, datetime]]:
        return [(s.useable_start_utc, s.useable_stop_utc) for s in self.segments]

    @property
    def start_utc(self) -> datetime:
        return min(s.useable_start_utc for s in self.segments)

    @property
    def stop_utc(self) -> datetime:
        return max(s.useable_stop_utc for s in self.segments)

    def position_velocity_at(self, times: datetime | Sequence[datetime] | np.ndarray, frame: str = "GCRF"
                             ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(r_km, v_km_s, in_span)`` at UTC ``times`` in ``frame`` (one of :data:`FRAMES`):
        N x 3, N x 3 and N booleans for N times, (3,), (3,) and a boolean for one. Outside
        every useable span: NaN, and False."""
        mjd, seconds, scalar = utc_days_and_seconds(times)
        r, v, inside = self._at(mjd, seconds, frame)
        return (r[0], v[0], bool(inside[0])) if scalar else (r, v, inside)

    def position_velocity_at_jd(self, jd_utc, fr_utc, frame: str = "GCRF"
                                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """As :meth:`position_velocity_at`, at the console's split UTC Julian dates (arrays)."""
        mjd, seconds = split_jd_to_days_and_seconds(jd_utc, fr_utc)
        return self._at(mjd, seconds, frame)

    def _at(self, mjd: np.ndarray, seconds_utc: np.ndarray, frame: str):
        if frame not in FRAMES:
            raise ValueError(f"frame {frame!r}: one of {', '.join(FRAMES)}")
        count = len(mjd)
        r = np.full((count, 3), np.nan)
        v = np.full((count, 3), np.nan)
        done = np.zeros(count, dtype=bool)
        good = np.isfinite(seconds_utc) & (mjd >= _MJD_RANGE[0]) & (mjd < _MJD_RANGE[1])  # (NaT, year 1 ...)
        mjd = np.where(good, mjd, _MJD_RANGE[0])
        seconds_tai = np.where(good, seconds_utc, 0.0)
        seconds_tai = seconds_tai + tai_minus_utc_s(mjd, seconds_tai)
        for segment in reversed(self.segments):  # the later segment answers where two meet
            t = segment.elapsed_s(mjd, seconds_tai)
            rows = np.flatnonzero(good & ~done & segment.inside(t))
            if not len(rows):
                continue
            with np.errstate(all="ignore"):  # (a hostile table may overflow: caught below)
                r_own, v_own = segment.states_at(t[rows])
            r[rows], v[rows] = convert_states(r_own, v_own, mjd[rows], seconds_utc[rows], segment.frame, frame)
            done[rows] = True
        finite = np.isfinite(r).all(axis=1) & np.isfinite(v).all(axis=1)
        r[~finite], v[~finite] = np.nan, np.nan  # never a number that is not one, flagged good
        return r, v, done & finite

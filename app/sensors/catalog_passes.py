"""What sensors see: every pass of a whole catalog over one sensor or many, at once.

``passes.passes_of`` finds one object's passes over one sensor by sampling SGP4 every minute
or two and refining each crossing with more SGP4 calls; object by object that is a minute
for the catalog over one radar. Here the work runs vectorised over objects and most of the
day is never looked at closely:

1. SGP4 for every object on a coarse grid (10 min). For each sensor and coarse interval a
   rigorous bound on the object's height above the sensor's horizon plane, from its height
   and vertical rate at both ends and a bound on its Earth-fixed acceleration, and a bound
   on its least range, discard the intervals when it cannot be above the horizon or within
   range (nine in ten for a LEO object and one radar); a numba kernel per sensor.
2. SGP4 on a fine grid (2 min) inside the intervals some sensor kept. Between these knots
   the orbit is the cubic Hermite interpolant of positions and velocities (TEME): metres
   from SGP4 in LEO, rotated to the Earth-fixed frame at the exact time.
3. The visibility margin of ``passes.py`` (elevation above the mask, range, azimuth
   sector) on the interpolant, by a numba kernel per sensor (``pass_kernel``; sensors run
   two at a time, the kernel releasing the GIL). A fine interval where the object is
   unseen at both knots and a bound on the curvature of its height above the mask's cone
   keeps it below throughout is passed over at once (most are); elsewhere each change
   between knots is refined to a millisecond; where the margin rises then falls between
   two knots without reaching zero at either, its maximum is searched for, so a pass too
   short to reach a knot is still found; and the culmination is searched for likewise.

Objects whose SGP4 fails anywhere in the window (decayed, or elements gone bad) are done
the slow way, by ``passes_of``, which counts failed states as not visible.
"""

from __future__ import annotations

import logging
import math
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Iterator, Sequence

import numpy as np
from sgp4.api import SatrecArray

from app.astro.constants import EARTH_ROTATION_RAD_S, WGS72_EARTH_RADIUS_KM, WGS72_MU_KM3_S2
from app.astro.ephemeris_satrec import sgp4_many
from app.astro.frames import gmst_rad
from app.astro.sun import solar_elevation_deg, sun_direction_eci
from app.astro.timeutil import SECONDS_PER_DAY, datetime_to_jd
from app.astro.topocentric import Site, in_earth_shadow
from app.catalog import Catalog
from app.common.progress import Progress
from app.sensors.passes import SITE_DARK_SUN_ELEVATION_DEG, Pass, passes_of
from app.sensors.sites import Sensor

log = logging.getLogger(__name__)

COARSE_STEP_S = 600.0
FINE_STEP_S = 120.0
CHUNK_OBJECTS = 1000
WORKERS = min(2, os.cpu_count() or 1)  # sensors at once
_STATES_PER_CALL = 50_000
_RADIUS_MARGIN_KM = 50.0  # osculating perigee below the mean one, decay within a day


@dataclass
class PassTable:
    """Passes as columns (every sensor's answer runs to millions of rows); times are
    offsets in seconds from ``start``, rows in time order (then sensor, then object)."""

    start: datetime
    sensors: tuple[Sensor, ...]
    sensor_index: np.ndarray
    norad_id: np.ndarray
    aos_s: np.ndarray
    tca_s: np.ndarray
    los_s: np.ndarray
    max_elevation_deg: np.ndarray
    range_at_tca_km: np.ndarray
    sunlit: np.ndarray
    site_dark: np.ndarray
    starts_before_window: np.ndarray
    ends_after_window: np.ndarray

    def __len__(self) -> int:
        return len(self.norad_id)

    def pass_at(self, i: int) -> Pass:
        return Pass(self.sensors[self.sensor_index[i]].name, int(self.norad_id[i]),
                    self.start + timedelta(seconds=float(self.aos_s[i])),
                    self.start + timedelta(seconds=float(self.tca_s[i])),
                    self.start + timedelta(seconds=float(self.los_s[i])),
                    float(self.max_elevation_deg[i]), float(self.range_at_tca_km[i]), bool(self.sunlit[i]),
                    bool(self.site_dark[i]), bool(self.starts_before_window[i]), bool(self.ends_after_window[i]))

    def passes(self) -> list[Pass]:
        return [self.pass_at(i) for i in range(len(self))]

    def rows(self, block: int = 20000) -> Iterator[dict]:
        """Each pass as ``Pass.as_dict`` gives it, made a block at a time (times formatted by numpy)."""
        names = np.array([s.name for s in self.sensors], dtype=object)
        base = np.datetime64(self.start.astimezone(timezone.utc).replace(tzinfo=None), "us")

        def utc(offsets_s):
            moments = base + np.round(offsets_s * 1e6).astype("timedelta64[us]")
            return (np.char.add(np.datetime_as_string(moments, unit="us"), "Z")).tolist()

        for first in range(0, len(self), block):
            part = slice(first, first + block)
            columns = zip(names[self.sensor_index[part]].tolist(), self.norad_id[part].tolist(),
                          utc(self.aos_s[part]), utc(self.tca_s[part]), utc(self.los_s[part]),
                          self.max_elevation_deg[part].tolist(), self.range_at_tca_km[part].tolist(),
                          self.sunlit[part].tolist(), self.site_dark[part].tolist(),
                          self.starts_before_window[part].tolist(), self.ends_after_window[part].tolist())
            for values in columns:
                yield dict(zip(_ROW_KEYS, values))

    def objects_seen(self) -> np.ndarray:
        return np.unique(self.norad_id)

    def in_view_at(self, moment: datetime) -> np.ndarray:
        """Catalog numbers with a pass in progress at ``moment`` (none outside the window)."""
        t = (moment - self.start).total_seconds()
        return np.unique(self.norad_id[(self.aos_s <= t) & (t <= self.los_s)])


_ROW_KEYS = ("sensor", "norad_id", "aos_utc", "tca_utc", "los_utc", "max_elevation_deg", "range_at_tca_km",
             "sunlit", "site_dark", "starts_before_window", "ends_after_window")  # as Pass.as_dict
_COLUMNS = ("sensor_index", "norad_id", "aos_s", "tca_s", "los_s", "max_elevation_deg", "range_at_tca_km",
            "sunlit", "site_dark", "starts_before_window", "ends_after_window")


def catalog_passes(catalog: Catalog, sensors: Sequence[Sensor], start: datetime, hours: float,
                   rows: Sequence[int] | np.ndarray | None = None, progress: Progress | None = None,
                   chunk_objects: int = CHUNK_OBJECTS, workers: int = WORKERS) -> PassTable:
    """Every pass of every object (or of ``rows``) over every operational sensor between
    ``start`` and ``start + hours``. ``progress`` hears ``(objects done, objects within some
    sensor's reach)`` after each chunk of objects; once cancelled its next report raises
    :class:`~app.common.progress.Cancelled` (no partial table)."""
    sensors = tuple(s for s in sensors if s.operational)
    grid = _Grid(start, hours)
    rows = np.arange(len(catalog)) if rows is None else np.asarray(rows, dtype=np.int64)
    reach = max((s.max_range_km for s in sensors), default=0.0)
    rows = rows[catalog.perigee_alt_km[rows] <= reach] if len(rows) else rows
    views = [_SensorView(s) for s in sensors]
    parts: list[dict] = []
    with ThreadPoolExecutor(max(1, min(workers, len(views)))) as pool:  # the kernels release the GIL
        for begin in range(0, len(rows), chunk_objects):
            if progress is not None:
                progress.report(begin, len(rows))
            chunk = rows[begin:begin + chunk_objects]
            parts += _chunk_passes(catalog, chunk, views, grid, pool)
    if progress is not None:
        progress.report(len(rows), len(rows))
    return _table(grid.start, sensors, parts)


def passes_for_sensor(catalog: Catalog, sensor: Sensor, start: datetime, hours: float,
                      rows: Sequence[int] | None = None, progress: Progress | None = None) -> list[Pass]:
    """What this sensor will see: passes of every object (or of ``rows``), in time order."""
    return catalog_passes(catalog, [sensor], start, hours, rows, progress).passes()


class _Grid:
    """The window's coarse and fine time grids: the fine one splits each coarse step evenly."""

    def __init__(self, start: datetime, hours: float):
        self.start, self.span_s = start, hours * 3600.0
        self.coarse_count = max(1, math.ceil(self.span_s / COARSE_STEP_S - 1e-9))
        self.per_coarse = max(1, math.ceil(self.span_s / self.coarse_count / FINE_STEP_S - 1e-9))
        self.fine_count = self.coarse_count * self.per_coarse  # intervals
        self.fine_s = self.span_s / self.fine_count
        self.coarse_s = self.fine_s * self.per_coarse
        self.jd0, self.fr0 = datetime_to_jd(start)
        self.fine_t = np.arange(self.fine_count + 1) * self.fine_s
        self.coarse_columns = np.arange(0, self.fine_count + 1, self.per_coarse)

    def fr(self, t_s: np.ndarray) -> np.ndarray:
        return self.fr0 + np.asarray(t_s) / SECONDS_PER_DAY

    def gmst(self, t_s: np.ndarray) -> np.ndarray:
        return gmst_rad(self.jd0, self.fr(t_s))


def _to_itrs(r_teme: np.ndarray, theta: np.ndarray, v_teme: np.ndarray | None = None):
    """R3(gmst) for positions (and velocities, less Earth rotation) at their own angles."""
    cos_t, sin_t = np.cos(theta), np.sin(theta)
    r = np.empty_like(r_teme)
    r[..., 0] = cos_t * r_teme[..., 0] + sin_t * r_teme[..., 1]
    r[..., 1] = -sin_t * r_teme[..., 0] + cos_t * r_teme[..., 1]
    r[..., 2] = r_teme[..., 2]
    if v_teme is None:
        return r
    v = np.empty_like(v_teme)
    v[..., 0] = cos_t * v_teme[..., 0] + sin_t * v_teme[..., 1] + EARTH_ROTATION_RAD_S * r[..., 1]
    v[..., 1] = -sin_t * v_teme[..., 0] + cos_t * v_teme[..., 1] - EARTH_ROTATION_RAD_S * r[..., 0]
    v[..., 2] = v_teme[..., 2]
    return r, v


class _SensorView:
    def __init__(self, sensor: Sensor):
        self.sensor = sensor
        site = Site(sensor.lat_deg, sensor.lon_deg, sensor.alt_m)
        from app.sensors.pass_kernel import sensor_parameters

        self.parameters = sensor_parameters(site.r_itrs_km, site.enu_axes, sensor.min_elevation_deg,
                                            sensor.max_range_km, sensor.az_min_deg, sensor.az_max_deg)


@dataclass
class _Limits:
    """Per object, over the window: radius bounds, Earth-fixed speed and acceleration bounds."""

    r_max: np.ndarray
    speed: np.ndarray
    acceleration: np.ndarray

    @classmethod
    def of(cls, satrecs, r_teme: np.ndarray, v_teme: np.ndarray) -> "_Limits":
        radius = np.linalg.norm(r_teme, axis=-1)
        mean_perigee = np.array([s.a * (1.0 - s.ecco) for s in satrecs]) * WGS72_EARTH_RADIUS_KM
        r_min = np.maximum(np.minimum(radius.min(axis=1), mean_perigee) - _RADIUS_MARGIN_KM, 6000.0)
        r_max = radius.max(axis=1) + _RADIUS_MARGIN_KM
        vis_viva = np.sqrt(WGS72_MU_KM3_S2 * (2.0 / r_min - 2.0 / (r_min + r_max)))
        inertial_speed = 1.05 * np.maximum(np.linalg.norm(v_teme, axis=-1).max(axis=1), vis_viva)
        speed = inertial_speed + EARTH_ROTATION_RAD_S * r_max
        w = EARTH_ROTATION_RAD_S
        acceleration = 1.05 * WGS72_MU_KM3_S2 / r_min**2 + 2.0 * w * speed + w * w * r_max
        return cls(r_max, speed, acceleration)


def _chunk_passes(catalog: Catalog, chunk_rows: np.ndarray, views: list[_SensorView], grid: _Grid,
                  pool: ThreadPoolExecutor) -> list[dict]:
    from app.sensors import pass_kernel  # numba: loaded when first needed

    satrecs = [catalog.satrecs[r] for r in chunk_rows]
    norad = catalog.norad_id[chunk_rows].astype(np.int64)
    count = len(satrecs)
    columns = grid.coarse_columns
    jd = np.full(len(grid.fine_t), grid.jd0)
    fr = grid.fr(grid.fine_t)
    error, r_coarse, v_coarse = _sgp4_blocked(satrecs, jd[columns], fr[columns])
    failed = (error != 0).any(axis=1)
    good = ~failed
    limits = _Limits.of([s for s, ok in zip(satrecs, good) if ok], r_coarse[good], v_coarse[good])
    bounds = np.full((3, count), np.inf)  # radius, Earth-fixed speed and acceleration; none for failed objects
    bounds[:, good] = limits.r_max, limits.speed, limits.acceleration
    r_e, v_e = _to_itrs(r_coarse, grid.gmst(grid.fine_t[columns])[None, :], v_coarse)
    kept = np.zeros((len(views), count, grid.coarse_count), dtype=bool)

    def coarse_kept(k: int) -> None:
        pass_kernel.coarse_kept(r_e, v_e, bounds[0], bounds[1], bounds[2], grid.coarse_s, views[k].parameters,
                                kept[k])

    list(pool.map(coarse_kept, range(len(views))))
    kept[:, failed] = False

    r_fine = np.full((count, len(grid.fine_t), 3), np.nan)
    v_fine = np.full_like(r_fine, np.nan)
    r_fine[:, columns], v_fine[:, columns] = r_coarse, v_coarse
    failed |= _fill_fine_knots(satrecs, kept.any(axis=0), grid, jd, fr, r_fine, v_fine)
    kept[:, failed] = False
    theta = np.unwrap(grid.gmst(grid.fine_t))
    turn = np.column_stack([np.cos(theta), np.sin(theta), np.append(np.diff(theta), 0.0)])

    def one_sensor(k: int) -> dict | None:
        return _sensor_passes(views[k], k, kept[k], r_fine, v_fine, turn, bounds, grid, norad, satrecs)

    parts = [part for part in pool.map(one_sensor, range(len(views))) if part]
    for i in np.nonzero(failed)[0]:  # the slow way, failed states not visible
        for k, view in enumerate(views):
            found = passes_of(satrecs[i], int(norad[i]), view.sensor, grid.start, grid.span_s / 3600.0)
            if found:
                parts.append(_columns_of(found, k, grid.start))
    return parts


def _sgp4_blocked(satrecs: list, jd: np.ndarray, fr: np.ndarray):
    """SGP4 (ephemeris objects: their ephemerides) a few columns at a time: it holds the GIL,
    so a console's frames wait for each call (about 40 ms for 50,000 states)."""
    array = SatrecArray(satrecs)
    columns = max(1, _STATES_PER_CALL // max(len(satrecs), 1))
    parts = [sgp4_many(satrecs, jd[i:i + columns], fr[i:i + columns], array) for i in range(0, len(jd), columns)]
    return tuple(np.concatenate([p[k] for p in parts], axis=1) for k in range(3))


def _fill_fine_knots(satrecs, kept: np.ndarray, grid: _Grid, jd, fr, r_fine, v_fine) -> np.ndarray:
    """SGP4 at the fine knots of every kept interval; returns the objects whose SGP4 failed."""
    segments = np.repeat(kept, grid.per_coarse, axis=1)
    needed = np.zeros(r_fine.shape[:2], dtype=bool)
    needed[:, :-1] |= segments
    needed[:, 1:] |= segments
    needed[:, grid.coarse_columns] = False  # already there
    failed = np.zeros(len(satrecs), dtype=bool)
    if needed.mean() > 0.5:  # nearly everything (many sensors): one array call
        columns = np.nonzero(needed.any(axis=0))[0]
        error, r, v = _sgp4_blocked(satrecs, jd[columns], fr[columns])
        r_fine[:, columns], v_fine[:, columns] = r, v
        return (error != 0).any(axis=1)
    for i in np.nonzero(needed.any(axis=1))[0]:
        columns = np.nonzero(needed[i])[0]
        error, r, v = satrecs[i].sgp4_array(jd[columns], fr[columns])
        r_fine[i, columns], v_fine[i, columns] = r, v
        failed[i] = bool(np.any(error))
    return failed


def _sensor_passes(view: _SensorView, sensor_index: int, kept: np.ndarray, r_fine, v_fine, turn, bounds: np.ndarray,
                   grid: _Grid, norad: np.ndarray, satrecs) -> dict | None:
    """One sensor's passes of one chunk's objects, as columns (None when there are none)."""
    from app.sensors import pass_kernel

    kept_count = int(np.count_nonzero(kept))
    if not kept_count:
        return None
    capacity = max(64, kept_count * grid.per_coarse // 4)
    while True:
        out_obj = np.empty(capacity, dtype=np.int64)
        out_times, out_values, out_teme = np.empty((capacity, 3)), np.empty((capacity, 2)), np.empty((capacity, 3))
        found = pass_kernel.sensor_passes(r_fine, v_fine, turn, kept, grid.per_coarse, grid.fine_s, grid.span_s,
                                          view.parameters, bounds[1], bounds[2], out_obj, out_times, out_values,
                                          out_teme)
        if found != -1:
            break
        capacity *= 2
    if found == -2:  # never seen: the bound let a pass run off a kept stretch; the slow way then
        log.warning("passes over %s: a pass ran past the bound; these objects done object by object",
                    view.sensor.name)
        passes = [p for i in np.nonzero(kept.any(axis=1))[0] for p in passes_of(satrecs[i], int(norad[i]), view.sensor,
                                                                    grid.start, grid.span_s / 3600.0)]
        return _columns_of(passes, sensor_index, grid.start) if passes else None
    if not found:
        return None
    obj, (aos, tca, los) = out_obj[:found], out_times[:found].T
    r_teme = out_teme[:found]
    fr = grid.fr(tca)
    sunlit = ~in_earth_shadow(r_teme, sun_direction_eci(grid.jd0, fr))
    sensor = view.sensor
    site_dark = solar_elevation_deg(sensor.lat_deg, sensor.lon_deg, grid.jd0, fr) < SITE_DARK_SUN_ELEVATION_DEG
    return {"sensor_index": np.full(found, sensor_index, dtype=np.int32), "norad_id": norad[obj],
            "aos_s": aos.copy(), "tca_s": tca.copy(), "los_s": los.copy(),
            "max_elevation_deg": out_values[:found, 0].copy(), "range_at_tca_km": out_values[:found, 1].copy(),
            "sunlit": sunlit, "site_dark": site_dark,
            "starts_before_window": aos == 0.0, "ends_after_window": los == grid.span_s}


def _columns_of(passes: list[Pass], sensor_index: int, start: datetime) -> dict:
    def offsets(times):
        return np.array([(t - start).total_seconds() for t in times])
    return {"sensor_index": np.full(len(passes), sensor_index, dtype=np.int32),
            "norad_id": np.array([p.norad_id for p in passes], dtype=np.int64),
            "aos_s": offsets(p.aos for p in passes), "tca_s": offsets(p.tca for p in passes),
            "los_s": offsets(p.los for p in passes),
            "max_elevation_deg": np.array([p.max_elevation_deg for p in passes]),
            "range_at_tca_km": np.array([p.range_at_tca_km for p in passes]),
            "sunlit": np.array([p.sunlit for p in passes]), "site_dark": np.array([p.site_dark for p in passes]),
            "starts_before_window": np.array([p.starts_before_window for p in passes]),
            "ends_after_window": np.array([p.ends_after_window for p in passes])}


def _table(start: datetime, sensors: tuple[Sensor, ...], parts: list[dict]) -> PassTable:
    empty = {"sensor_index": np.int32, "norad_id": np.int64, "sunlit": bool, "site_dark": bool,
             "starts_before_window": bool, "ends_after_window": bool}
    columns = {name: (np.concatenate([p[name] for p in parts]) if parts
                      else np.zeros(0, dtype=empty.get(name, float))) for name in _COLUMNS}
    order = _time_order(columns)
    return PassTable(start, sensors, **{name: values[order] for name, values in columns.items()})


def _time_order(columns: dict) -> np.ndarray:
    """Rows by AOS, then sensor, then object. One sort by AOS (not a stable one: ties are
    put in order below; 4.1 s instead of 5.3 for 17 million rows), and the three keys only
    for the rows that share an AOS (passes in progress when the window opens): a three-key
    ``lexsort`` of 17 million rows took 9 s."""
    aos = columns["aos_s"]
    order = np.argsort(aos)
    ordered = aos[order]
    tied = np.zeros(len(aos), dtype=bool)
    same = ordered[1:] == ordered[:-1]
    tied[1:] |= same
    tied[:-1] |= same
    where = np.flatnonzero(tied)
    if len(where):
        rows = order[where]
        order[where] = rows[np.lexsort((columns["norad_id"][rows], columns["sensor_index"][rows], aos[rows]))]
    return order

"""Passes of objects over sensors: rise, culmination and set found as roots, not samples.

The visibility margin of an object from a sensor is a continuous function of time,
``g(t) = min(elevation - mask, (max range - range) / 100 km, azimuth-sector margin)``,
positive when the sensor can see it. It is sampled on a coarse grid; every sign change
is refined by bisection to a root, and every local maximum of the samples is refined by
golden-section search, so a pass that rises above the mask between two samples is still
found. All refinement runs vectorised over an object's candidate intervals at once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterable

import numpy as np
from sgp4.api import Satrec

from app.astro.frames import teme_to_itrs_many_epochs
from app.astro.root_finding import bracketed_roots, golden_max
from app.astro.sun import solar_elevation_deg, sun_direction_eci
from app.astro.timeutil import SECONDS_PER_DAY, datetime_to_jd, format_utc, parse_utc
from app.astro.topocentric import Site, in_earth_shadow, look_angles
from app.catalog import Catalog
from app.sensors.sites import Sensor

RANGE_MARGIN_SCALE_KM = 100.0  # 1 degree of margin per 100 km: only the sign matters for roots
SITE_DARK_SUN_ELEVATION_DEG = -12.0
ROOT_TOLERANCE_S = 1e-3
PEAK_SEARCH_FLOOR_DEG = -25.0
DEFAULT_STEP_S = 60.0


@dataclass(frozen=True)
class Pass:
    sensor: str
    norad_id: int
    aos: datetime
    tca: datetime  # time of maximum elevation
    los: datetime
    max_elevation_deg: float
    range_at_tca_km: float
    sunlit: bool  # object in sunlight at TCA
    site_dark: bool  # Sun below -12 deg at the site at TCA
    starts_before_window: bool = False
    ends_after_window: bool = False

    @property
    def duration_s(self) -> float:
        return (self.los - self.aos).total_seconds()

    @property
    def optically_visible(self) -> bool:
        return self.sunlit and self.site_dark

    def as_dict(self) -> dict:
        return {"sensor": self.sensor, "norad_id": self.norad_id, "aos_utc": format_utc(self.aos),
                "tca_utc": format_utc(self.tca), "los_utc": format_utc(self.los),
                "max_elevation_deg": self.max_elevation_deg, "range_at_tca_km": self.range_at_tca_km,
                "sunlit": self.sunlit, "site_dark": self.site_dark,
                "starts_before_window": self.starts_before_window, "ends_after_window": self.ends_after_window}

    @classmethod
    def from_dict(cls, record: dict) -> "Pass":
        """The inverse of :meth:`as_dict`; KeyError/ValueError/TypeError on a bad record."""
        return cls(str(record["sensor"]), int(record["norad_id"]), parse_utc(record["aos_utc"]),
                   parse_utc(record["tca_utc"]), parse_utc(record["los_utc"]), float(record["max_elevation_deg"]),
                   float(record["range_at_tca_km"]), bool(record["sunlit"]), bool(record["site_dark"]),
                   bool(record.get("starts_before_window", False)), bool(record.get("ends_after_window", False)))


class VisibilityMargin:
    """g(t) for one object and one sensor, at any array of offsets (s) from a reference epoch."""

    def __init__(self, satrec: Satrec, sensor: Sensor, jd0: float, fr0: float):
        self.satrec, self.sensor, self.jd0, self.fr0 = satrec, sensor, jd0, fr0
        self.site = Site(sensor.lat_deg, sensor.lon_deg, sensor.alt_m)

    def states(self, offsets_s: np.ndarray):
        offsets = np.atleast_1d(np.asarray(offsets_s, dtype=float))
        jd = np.full(offsets.shape, self.jd0)
        fr = self.fr0 + offsets / SECONDS_PER_DAY
        error, r_teme, _v = self.satrec.sgp4_array(jd, fr)
        r_itrs = teme_to_itrs_many_epochs(r_teme, jd, fr)
        azimuth, elevation, range_km = look_angles(self.site, r_itrs)
        return error, r_teme, azimuth, elevation, range_km

    def __call__(self, offsets_s: np.ndarray) -> np.ndarray:
        error, _r, azimuth, elevation, range_km = self.states(offsets_s)
        margin = visibility_margin(self.sensor, azimuth, elevation, range_km)
        return np.where(error == 0, margin, -90.0)  # no valid state: not visible


def visibility_margin(sensor: Sensor, azimuth_deg: np.ndarray, elevation_deg: np.ndarray,
                      range_km: np.ndarray) -> np.ndarray:
    """g from look angles: positive where the sensor can see the object."""
    margin = np.minimum(elevation_deg - sensor.min_elevation_deg,
                        (sensor.max_range_km - range_km) / RANGE_MARGIN_SCALE_KM)
    if sensor.az_min_deg is not None and sensor.az_max_deg is not None:
        margin = np.minimum(margin, _azimuth_margin_deg(azimuth_deg, sensor.az_min_deg, sensor.az_max_deg))
    return margin


def _azimuth_margin_deg(azimuth: np.ndarray, az_min: float, az_max: float) -> np.ndarray:
    """Signed distance (deg) inside the clockwise sector az_min -> az_max (negative outside)."""
    width = (az_max - az_min) % 360.0 or 360.0
    into = (azimuth - az_min) % 360.0
    inside = np.minimum(into, width - into)
    outside = -np.minimum(into - width, 360.0 - into)
    return np.where(into <= width, inside, outside)


def passes_of(satrec: Satrec, norad_id: int, sensor: Sensor, start: datetime, hours: float,
              step_s: float = DEFAULT_STEP_S) -> list[Pass]:
    """Every pass of one object over one sensor between ``start`` and ``start + hours``."""
    if not sensor.operational:
        return []
    jd0, fr0 = datetime_to_jd(start)
    g = VisibilityMargin(satrec, sensor, jd0, fr0)
    span_s = hours * 3600.0
    grid = np.linspace(0.0, span_s, max(2, int(math.ceil(span_s / step_s)) + 1))
    values = g(grid)

    # local maxima of the samples that stay below zero: refine; they may poke above the mask.
    # One deeper than PEAK_SEARCH_FLOOR_DEG cannot: a peak above the mask keeps a sample within
    # half a step of it far higher (an overhead LEO pass is still ~40 deg up 60 s from its peak).
    interior = np.nonzero((values[1:-1] >= values[:-2]) & (values[1:-1] >= values[2:]) & (values[1:-1] <= 0)
                          & (values[1:-1] > PEAK_SEARCH_FLOOR_DEG))[0] + 1
    extra_t = np.zeros(0)
    if len(interior):
        peaks = golden_max(g, grid[interior - 1], grid[interior + 1], tolerance_s=0.5)
        extra_t = peaks[g(peaks) > 0]
    times = np.concatenate([grid, extra_t])
    order = np.argsort(times, kind="stable")
    times = times[order]
    samples = np.concatenate([values, g(extra_t) if len(extra_t) else np.zeros(0)])[order]
    positive = samples > 0

    changes = np.nonzero(positive[1:] != positive[:-1])[0]
    roots = (bracketed_roots(g, times[changes], times[changes + 1], samples[changes], samples[changes + 1],
                             ROOT_TOLERANCE_S)
             if len(changes) else np.zeros(0))
    rising = ~positive[changes]  # before the change: not visible

    boundaries: list[tuple[float, bool]] = []  # (time, is a rise)
    if positive[0]:
        boundaries.append((0.0, True))
    boundaries += list(zip(roots.tolist(), rising.tolist()))
    if positive[-1]:
        boundaries.append((span_s, False))
    windows = [(aos_s, los_s) for (aos_s, is_rise), (los_s, is_set) in zip(boundaries[::2], boundaries[1::2])
               if is_rise and not is_set]
    if not windows:
        return []
    return _describe(g, sensor, norad_id, start, np.array(windows), bool(positive[0]), bool(positive[-1]), span_s)


_PROBES_PER_PASS = 17


def _describe(g: VisibilityMargin, sensor: Sensor, norad_id: int, start: datetime, windows: np.ndarray,
              up_at_start: bool, up_at_end: bool, span_s: float) -> list[Pass]:
    """Culmination (maximum elevation) inside each pass, and the lighting there, for all of
    an object's passes at once."""
    def elevation(offsets):
        return g.states(offsets)[3]

    aos_s, los_s = windows[:, 0], windows[:, 1]
    fraction = np.linspace(0.0, 1.0, _PROBES_PER_PASS)
    probes = aos_s[:, None] + (los_s - aos_s)[:, None] * fraction[None, :]
    best = np.argmax(elevation(probes.ravel()).reshape(probes.shape), axis=1)
    rows = np.arange(len(windows))
    low = probes[rows, np.maximum(best - 1, 0)]
    high = probes[rows, np.minimum(best + 1, _PROBES_PER_PASS - 1)]
    tca_s = golden_max(elevation, low, high, tolerance_s=0.1)
    _error, r_teme, _az, elevation_tca, range_tca = g.states(tca_s)
    fr = g.fr0 + tca_s / SECONDS_PER_DAY
    passes = []
    for k in range(len(windows)):
        sun = sun_direction_eci(g.jd0, float(fr[k]))
        sunlit = not bool(in_earth_shadow(r_teme[k], sun))
        site_dark = float(solar_elevation_deg(sensor.lat_deg, sensor.lon_deg, g.jd0, float(fr[k]))) \
            < SITE_DARK_SUN_ELEVATION_DEG
        passes.append(Pass(sensor.name, int(norad_id), start + timedelta(seconds=float(aos_s[k])),
                           start + timedelta(seconds=float(tca_s[k])), start + timedelta(seconds=float(los_s[k])),
                           float(elevation_tca[k]), float(range_tca[k]), sunlit, site_dark,
                           bool(up_at_start and aos_s[k] == 0.0), bool(up_at_end and los_s[k] == span_s)))
    return passes


def passes_for_object(catalog: Catalog, norad_id: int, sensors: Iterable[Sensor], start: datetime, hours: float,
                      step_s: float = DEFAULT_STEP_S) -> list[Pass]:
    """Who can see this object: every sensor's passes, in time order."""
    satrec = catalog.satrecs[catalog.row_of(norad_id)]
    found = [p for sensor in sensors for p in passes_of(satrec, norad_id, sensor, start, hours, step_s)]
    return sorted(found, key=lambda p: (p.aos, p.sensor))

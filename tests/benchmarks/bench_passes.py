"""Pass prediction benchmark: prints JSON figures, never passes or fails.

    .venv/bin/python tests/benchmarks/bench_passes.py [--sample 150] [--all-sensors-objects N]

Baseline, measured in the same run: one raw ``SatrecArray`` propagation of the whole catalog
over the same 24 h on a 10 min grid (145 epochs): every figure is also printed as a ratio to it.

- catalog_over_one_sensor_24h: every pass of the default catalog (18.7k objects) over one
  sensor (Cape Cod phased array, 3 deg mask, 6000 km) for 24 h (target <= 10 s), against the
  object-by-object finder (``passes_of``) and a Skyfield ``find_events`` loop, each run on a
  sample and scaled to the whole;
- catalog_over_all_sensors_24h: the catalog over every operational sensor (about 230) for
  24 h (target <= 60 s); ``--all-sensors-objects N`` times N objects and scales (default: all);
- one_object_all_sensors_7d: the ISS over every bundled sensor for 7 days.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from app.catalog import Catalog  # noqa: E402
from app.astro.timeutil import datetime_to_jd  # noqa: E402
from app.sensors.catalog_passes import catalog_passes  # noqa: E402
from app.sensors.passes import passes_for_object, passes_of  # noqa: E402
from app.sensors.sites import bundled_sensors, find_sensors  # noqa: E402

START = datetime(2026, 8, 12, tzinfo=timezone.utc)


def skyfield_seconds(pairs, hours: float) -> float | None:
    try:
        from skyfield.api import EarthSatellite, load, wgs84
    except ImportError:
        return None
    ts = load.timescale(builtin=True)
    t0, t1 = ts.from_datetime(START), ts.from_datetime(START + timedelta(hours=hours))
    started = time.perf_counter()
    for satrec, sensor in pairs:
        satellite = EarthSatellite.from_satrec(satrec, ts)
        topos = wgs84.latlon(sensor.lat_deg, sensor.lon_deg, elevation_m=sensor.alt_m)
        satellite.find_events(topos, t0, t1, altitude_degrees=sensor.min_elevation_deg)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=150, help="sample size of the object-by-object and Skyfield runs")
    parser.add_argument("--all-sensors-objects", type=int, default=0, help="objects for the all-sensor run (0: all)")
    args = parser.parse_args()
    catalog = Catalog.load_default()
    sensors = [s for s in bundled_sensors() if s.operational]
    cape_cod = find_sensors(["CapeCod (Cape Cod, MA)"], sensors)[0]

    jd0, fr0 = datetime_to_jd(START)
    array = catalog.satrec_array
    started = time.perf_counter()
    array.sgp4(np.full(145, jd0), fr0 + np.arange(145) / 144.0)
    baseline_s = time.perf_counter() - started

    started = time.perf_counter()
    one_sensor = catalog_passes(catalog, [cape_cod], START, 24.0)
    ours_catalog_s = time.perf_counter() - started
    rows = np.linspace(0, len(catalog) - 1, args.sample).astype(int)
    started = time.perf_counter()
    for r in rows:
        passes_of(catalog.satrecs[r], int(catalog.norad_id[r]), cape_cod, START, 24.0, 120.0)
    one_by_one_s = (time.perf_counter() - started) * len(catalog) / len(rows)
    sky_sample_s = skyfield_seconds([(catalog.satrecs[r], cape_cod) for r in rows], 24.0)

    count = args.all_sensors_objects or len(catalog)
    subset = np.linspace(0, len(catalog) - 1, min(count, len(catalog))).astype(int)
    started = time.perf_counter()
    all_sensors = catalog_passes(catalog, sensors, START, 24.0, rows=subset)
    ours_all_s = (time.perf_counter() - started) * len(catalog) / len(subset)

    started = time.perf_counter()
    iss_passes = passes_for_object(catalog, 25544, sensors, START, 24.0 * 7)
    ours_object_s = time.perf_counter() - started
    sensor_sample = sensors[:: max(1, len(sensors) // 40)]
    iss = catalog.satrecs[catalog.row_of(25544)]
    sky_object_s = skyfield_seconds([(iss, s) for s in sensor_sample], 24.0 * 7)

    report = {"machine_note": "shared machine: compare ratios, not seconds",
              "baseline": {"work": "SatrecArray, whole catalog, 145 epochs", "seconds": round(baseline_s, 2)},
              "results": []}
    for label, ours_s, passes, work, sky_s, sample, extra in (
        ("catalog_over_one_sensor_24h", ours_catalog_s, len(one_sensor), len(catalog), sky_sample_s, len(rows),
         {"object_by_object_scaled_s": round(one_by_one_s, 1),
          "object_by_object_over_ours": round(one_by_one_s / ours_catalog_s, 1)}),
        ("catalog_over_all_sensors_24h", ours_all_s, len(all_sensors) * len(catalog) // len(subset),
         len(catalog) * len(sensors), None, 0,
         {"objects_timed": len(subset), "scaled": len(subset) < len(catalog)}),
        ("one_object_all_sensors_7d", ours_object_s, len(iss_passes), len(sensors), sky_object_s,
         len(sensor_sample), {}),
    ):
        entry = {"work": label, "pairs": work, "passes_found": passes, "ours_s": round(ours_s, 2),
                 "ours_over_baseline": round(ours_s / baseline_s, 1), **extra}
        if sky_s is not None:
            scaled = sky_s * (len(catalog) if sample == len(rows) else work) / sample
            entry.update(skyfield_sample=sample, skyfield_scaled_s=round(scaled, 1),
                         skyfield_over_ours=round(scaled / ours_s, 1))
        report["results"].append(entry)
    json.dump(report, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()

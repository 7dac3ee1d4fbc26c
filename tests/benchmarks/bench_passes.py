"""Pass prediction benchmark: prints JSON figures, never passes or fails.

    python3 tests/benchmarks/bench_passes.py [--sample 150]

- catalog_over_one_sensor: every pass of the default catalog (18.7k objects) over one
  sensor (Cape Cod phased array, 3 deg mask, 6000 km) for 24 h;
- one_object_all_sensors: the ISS over every bundled sensor for 7 days;
- for each, a Skyfield ``find_events`` loop over a sample of the same work, scaled to the
  whole, and the ratio skyfield / ours (Skyfield applies the mask only, so for it the
  range limit is left out, which makes its work smaller, not larger).
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
from app.sensors.catalog_passes import passes_for_sensor  # noqa: E402
from app.sensors.passes import passes_for_object  # noqa: E402
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
    parser.add_argument("--sample", type=int, default=150, help="Skyfield sample size")
    args = parser.parse_args()
    catalog = Catalog.load_default()
    sensors = [s for s in bundled_sensors() if s.operational]
    cape_cod = find_sensors(["CapeCod (Cape Cod, MA)"], sensors)[0]

    started = time.perf_counter()
    catalog_passes = passes_for_sensor(catalog, cape_cod, START, 24.0)
    ours_catalog_s = time.perf_counter() - started
    rows = np.linspace(0, len(catalog) - 1, args.sample).astype(int)
    sky_sample_s = skyfield_seconds([(catalog.satrecs[r], cape_cod) for r in rows], 24.0)

    started = time.perf_counter()
    iss_passes = passes_for_object(catalog, 25544, sensors, START, 24.0 * 7)
    ours_object_s = time.perf_counter() - started
    sensor_sample = sensors[:: max(1, len(sensors) // 40)]
    iss = catalog.satrecs[catalog.row_of(25544)]
    sky_object_s = skyfield_seconds([(iss, s) for s in sensor_sample], 24.0 * 7)

    report = {"machine_note": "shared machine: compare ratios, not seconds", "results": []}
    for label, ours_s, count, work, sky_s, sample in (
        ("catalog_over_one_sensor_24h", ours_catalog_s, len(catalog_passes), len(catalog), sky_sample_s, len(rows)),
        ("one_object_all_sensors_7d", ours_object_s, len(iss_passes), len(sensors), sky_object_s, len(sensor_sample)),
    ):
        entry = {"work": label, "pairs": work, "passes_found": count, "ours_s": round(ours_s, 2)}
        if sky_s is not None:
            scaled = sky_s * work / sample
            entry.update(skyfield_sample=sample, skyfield_scaled_s=round(scaled, 1),
                         skyfield_over_ours=round(scaled / ours_s, 1))
        report["results"].append(entry)
    json.dump(report, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()

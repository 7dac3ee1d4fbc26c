"""Engine benchmark: prints JSON figures, never passes or fails.

    python3 tests/benchmarks/bench_engine.py [--ticks 20] [--stall-seconds 6]

For the bundled default catalog (18.7k objects) and a SYNTHETIC 100k catalog derived
from it (each real element set copied with its mean anomaly and RAAN shifted, and
renumbered: the real distribution of orbits, not real objects), it reports:
- load_s: reading and building the default catalog from its files;
- raw_sgp4_ms: one ``SatrecArray.sgp4`` call over the whole catalog, per tick (baseline);
- pipeline_ms: the engine's full tick (chunked sgp4, TEME->ITRS, geodetic via pyproj on a
  helper thread, overlapping the next chunk's sgp4); both timed in turn, tick after tick;
- pipeline_over_raw: their ratio (target <= 1.3);
- skyfield_ms_scaled / skyfield_over_pipeline: a Skyfield per-object loop (position,
  ITRS and geodetic) on a sample, scaled to the same count;
- main_thread_stall_ms: the longest gap a 1 ms timer on the main thread sees beyond its
  1 ms while the engine thread ticks at 1 Hz (target <= 8 ms at 100k), with the p99;
- peak_rss_mb: the process's peak resident memory so far.
Figures are ratios against baselines measured in the same run because the machines are
shared and noisy. Reads only the bundled resources (../shared/data is not needed).
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import statistics
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
from sgp4.api import WGS72, Satrec

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from app.catalog import Catalog  # noqa: E402
from app.catalog.ingest.records import ElementSet  # noqa: E402
from app.live.engine import PropagationEngine, propagate  # noqa: E402

EPOCH = datetime(2026, 8, 12, 6, 0, tzinfo=timezone.utc)
_SGP4_EPOCH0_JD = 2433281.5  # 1949-12-31 00:00 UT, the origin of sgp4init's epoch


def synthetic_catalog(base: Catalog, count: int) -> Catalog:
    """``count`` objects: the real element sets again and again, each copy rotated in mean
    anomaly and RAAN and given a new number above 1,000,000 (SYNTHETIC)."""
    sets = []
    for k in range(count):
        source = base.element_sets[k % len(base)]
        copy_index = k // len(base)
        if copy_index == 0:
            sets.append(source)
            continue
        s = source.satrec
        shifted = Satrec()
        shifted.sgp4init(WGS72, "i", 0, s.jdsatepoch + s.jdsatepochF - _SGP4_EPOCH0_JD, s.bstar, s.ndot, s.nddot,
                         s.ecco, s.argpo, s.inclo, math.fmod(s.mo + 2.399 * copy_index, 2 * math.pi), s.no_kozai,
                         math.fmod(s.nodeo + 0.7 * copy_index, 2 * math.pi))
        sets.append(ElementSet(shifted, 1_000_000 + k, source.name, "", "U", "synthetic", f"copy {copy_index}"))
    return Catalog(sets)


def _interleaved_medians_ms(functions, ticks: int) -> list[float]:
    """Median time of each function, run in turn tick after tick so that the machine's
    noise falls on all of them alike."""
    times: list[list[float]] = [[] for _ in functions]
    for k in range(ticks):
        for function, samples in zip(functions, times):
            started = time.perf_counter()
            function(k)
            samples.append(time.perf_counter() - started)
    return [statistics.median(samples) * 1000.0 for samples in times]


def _skyfield_ms_per_object(catalog: Catalog, sample: int) -> float | None:
    try:
        from skyfield.api import EarthSatellite, load, wgs84
        from skyfield.framelib import itrs
    except ImportError:
        return None
    timescale = load.timescale(builtin=True)
    t = timescale.from_datetime(EPOCH)
    rows = np.linspace(0, len(catalog) - 1, sample).astype(int)
    satellites = [EarthSatellite.from_satrec(catalog.satrecs[r], timescale) for r in rows]
    started = time.perf_counter()
    for satellite in satellites:
        position = satellite.at(t)
        position.frame_xyz_and_velocity(itrs)
        wgs84.geographic_position_of(position)
    return (time.perf_counter() - started) * 1000.0 / sample


def _main_thread_stall_ms(catalog: Catalog, seconds: float) -> tuple[float, float, int]:
    """Engine ticks at 1 Hz on its thread; the main thread runs a 1 ms timer and records
    how late each wake-up is. Returns (max, p99, ticks delivered)."""
    engine = PropagationEngine().start()
    stop = threading.Event()
    delivered = []

    def metronome():
        k = 0
        while not stop.is_set():
            delivered.append(engine.submit(catalog, EPOCH + timedelta(seconds=k)))
            k += 1
            stop.wait(1.0)

    ticker = threading.Thread(target=metronome, daemon=True)
    late_ms = []
    ticker.start()
    deadline = time.perf_counter() + seconds
    last = time.perf_counter()
    while last < deadline:
        time.sleep(0.001)
        now = time.perf_counter()
        late_ms.append(max(0.0, (now - last) * 1000.0 - 1.0))
        last = now
    stop.set()
    ticker.join()
    engine.stop()
    late_ms.sort()
    return late_ms[-1], late_ms[int(0.99 * (len(late_ms) - 1))], len(delivered)


def measure(catalog: Catalog, label: str, ticks: int, stall_seconds: float, skyfield_sample: int) -> dict:
    array = catalog.satrec_array
    jd_fr = [(np.array([2461264.5]), np.array([0.25 + k / 86400.0])) for k in range(ticks)]
    array.sgp4(*jd_fr[0])  # warm-up
    propagate(catalog, EPOCH)
    raw_ms, pipeline_ms = _interleaved_medians_ms(
        [lambda k: array.sgp4(*jd_fr[k]), lambda k: propagate(catalog, EPOCH + timedelta(seconds=k))], ticks)
    sky_per_object = _skyfield_ms_per_object(catalog, skyfield_sample)
    stall_max, stall_p99, stall_ticks = _main_thread_stall_ms(catalog, stall_seconds)
    figures = {
        "catalog": label,
        "objects": len(catalog),
        "chunk_size": catalog.chunk_size,
        "raw_sgp4_ms": round(raw_ms, 2),
        "pipeline_ms": round(pipeline_ms, 2),
        "pipeline_over_raw": round(pipeline_ms / raw_ms, 3),
        "main_thread_stall_ms": round(stall_max, 2),
        "main_thread_stall_p99_ms": round(stall_p99, 2),
        "stall_run_engine_ticks": stall_ticks,
    }
    if sky_per_object is not None:
        figures["skyfield_sample"] = skyfield_sample
        figures["skyfield_ms_scaled"] = round(sky_per_object * len(catalog), 1)
        figures["skyfield_over_pipeline"] = round(sky_per_object * len(catalog) / pipeline_ms, 1)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ticks", type=int, default=20)
    parser.add_argument("--stall-seconds", type=float, default=6.0)
    parser.add_argument("--skyfield-sample", type=int, default=500)
    parser.add_argument("--synthetic-count", type=int, default=100_000)
    args = parser.parse_args()

    started = time.perf_counter()
    default = Catalog.load_default()
    load_s = time.perf_counter() - started
    started = time.perf_counter()
    synthetic = synthetic_catalog(default, args.synthetic_count)
    synthetic_build_s = time.perf_counter() - started
    report = {
        "machine_note": "shared machine: compare ratios, not milliseconds",
        "default_catalog_load_s": round(load_s, 3),
        "synthetic_catalog_build_s": round(synthetic_build_s, 3),
        "results": [
            measure(default, "default (bundled, 2026-08-11 active + 2026-06-14 debris)", args.ticks,
                    args.stall_seconds, args.skyfield_sample),
            measure(synthetic, f"SYNTHETIC {args.synthetic_count:,} derived from the default catalog", args.ticks,
                    args.stall_seconds, args.skyfield_sample),
        ],
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, 1),
        "targets": {"pipeline_over_raw": "<= 1.3", "main_thread_stall_ms_at_100k": "<= 8"},
    }
    json.dump(report, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()

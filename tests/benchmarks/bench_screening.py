"""Screening benchmark: prints JSON figures, never passes or fails.

    python3 tests/benchmarks/bench_screening.py [--recall-objects 120] [--skip-all]

- one primary (the ISS, HST and a Starlink) against the default catalog for 7 days at 5 km,
  and HST again with the time filter off (every candidate on the 300 s grid);
- the whole default catalog against itself for 24 h at 5 km, and for 7 days;
- a SYNTHETIC 100,000-object catalog (``bench_engine.synthetic_catalog``: the real element
  sets again, each copy turned in mean anomaly and RAAN) against itself for 24 h at 5 km;
  the week and the synthetic run each in a process of their own, which reports its peak
  resident memory;
- recall of the all-against-all method against brute force (every pair sampled each second,
  minima refined) on a 2,500-object LEO subset, 20 km, 6 h.
Times are also given as ratios to a baseline measured in the same run: one raw
``SatrecArray`` propagation of the whole catalog to one instant (``catalog_propagations``:
how many such propagations the screening costs; sampling alone every second for a day
would be 86,400 of them, and would still have to compare the pairs).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench_engine

from sgp4.api import SatrecArray  # noqa: E402

from app.astro.timeutil import datetime_to_jd  # noqa: E402
from app.catalog import Catalog  # noqa: E402
from app.conjunction.screening import screen_all, screen_primaries  # noqa: E402

START = datetime(2026, 8, 12, tzinfo=timezone.utc)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recall-objects", type=int, default=2500)
    parser.add_argument("--recall-threshold-km", type=float, default=20.0)
    parser.add_argument("--recall-hours", type=float, default=6.0)
    parser.add_argument("--skip-all", action="store_true", help="leave out the all-against-all runs")
    parser.add_argument("--all-days", type=float, default=7.0, help="the long all-against-all run (0: none)")
    parser.add_argument("--synthetic-count", type=int, default=100_000, help="0: no synthetic run")
    parser.add_argument("--case", help=argparse.SUPPRESS)  # one all-against-all run in this process: COUNT:HOURS
    args = parser.parse_args()
    if args.case:
        count, hours = args.case.split(":")
        json.dump(_all_against_all_case(int(count), float(hours)), sys.stdout)
        return
    catalog = Catalog.load_default()
    baseline_s = _one_catalog_propagation_s(catalog)
    report = {"machine": f"{os.cpu_count()} cores, shared", "baseline_one_catalog_propagation_ms":
              round(1000 * baseline_s, 2), "one_vs_all_7d": []}
    screen_all(catalog.subset(range(300)), START, 1, 5.0)  # compile the grid (numba caches it on disk)
    screen_primaries(catalog, [25544], START, 1, 5.0)  # the plane-crossing kernels compiled or loaded
    for primary, time_filter in ((25544, True), (20580, True), (68896, True), (20580, False)):
        started = time.perf_counter()
        with _time_filter(time_filter):
            result = screen_primaries(catalog, [primary], START, 24 * 7, 5.0)
        seconds = time.perf_counter() - started
        report["one_vs_all_7d"].append({"primary": primary, "name": catalog.name[catalog.row_of(primary)],
                                        "time_filter": time_filter, "seconds": round(seconds, 2),
                                        "catalog_propagations": round(seconds / baseline_s),
                                        "approaches": len(result.approaches), "co_located": result.co_located})
    if not args.skip_all:
        started = time.perf_counter()
        result = screen_all(catalog, START, 24, 5.0)
        seconds = time.perf_counter() - started
        report["all_vs_all_24h_5km"] = {"objects": len(catalog), "seconds": round(seconds, 1),
                                        "catalog_propagations": round(seconds / baseline_s),
                                        "approaches": len(result.approaches),
                                        "co_located_groups": len(result.co_located)}
        if args.all_days > 0:
            report[f"all_vs_all_{args.all_days:g}d_5km"] = _in_own_process(0, 24 * args.all_days, baseline_s)
        if args.synthetic_count > 0:
            report[f"all_vs_all_synthetic_{args.synthetic_count}_24h_5km"] = _in_own_process(
                args.synthetic_count, 24, baseline_s)
    leo = np.nonzero(catalog.regime == "LEO")[0]
    subset = catalog.subset(leo[np.linspace(0, len(leo) - 1, args.recall_objects).astype(int)])
    threshold, hours = args.recall_threshold_km, args.recall_hours
    screened = screen_all(subset, START, hours, threshold)
    found = [(a.primary, a.secondary, (a.tca - START).total_seconds(), a.miss_km) for a in screened.approaches]
    started = time.perf_counter()
    reference = sampled_reference(subset, START, hours, threshold)
    by_pair: dict = {}
    for f in found:
        by_pair.setdefault(tuple(sorted(f[:2])), []).append(f)
    hits, co_located, tca_error, miss_error = 0, 0, 0.0, 0.0
    for pair, t, m in reference:
        match = [f for f in by_pair.get(pair, []) if abs(f[2] - t) <= 1.0]
        if any(set(pair) <= set(group) for group in screened.co_located):
            co_located += 1  # docked or in formation: reported once as a co-located pair, by design
        elif match:
            hits += 1
            tca_error, miss_error = max(tca_error, abs(match[0][2] - t)), max(miss_error, abs(match[0][3] - m))
    report["recall"] = {"objects": len(subset), "threshold_km": threshold, "hours": hours,
                        "reference": "every pair sampled each second, local minima refined by golden section",
                        "reference_seconds": round(time.perf_counter() - started, 1),
                        "reference_approaches": len(reference), "found": hits,
                        "reported_as_co_located_pairs": co_located,
                        "recall": round((hits + co_located) / len(reference), 5) if reference else None,
                        "max_tca_error_ms": round(1000 * tca_error, 3), "max_miss_error_mm": round(1e6 * miss_error, 3)}
    json.dump(report, sys.stdout, indent=2)
    sys.stdout.write("\n")


def _in_own_process(count: int, hours: float, baseline_s: float) -> dict:
    """One all-against-all run (``count`` objects of the synthetic catalog, 0: the default
    catalog) in a fresh process, so that its peak memory is its own."""
    out = subprocess.run([sys.executable, __file__, "--case", f"{count}:{hours}"], check=True, capture_output=True,
                         text=True).stdout
    figures = json.loads(out)
    figures["catalog_propagations"] = round(figures["seconds"] / baseline_s)
    return figures


def _all_against_all_case(count: int, hours: float) -> dict:
    import resource

    from bench_engine import synthetic_catalog

    catalog = Catalog.load_default()
    screen_all(catalog.subset(range(300)), START, 1, 5.0)  # the grid compiled or loaded
    if count:
        catalog = synthetic_catalog(catalog, count)
    started = time.perf_counter()
    result = screen_all(catalog, START, hours, 5.0)
    seconds = time.perf_counter() - started
    return {"objects": len(catalog), "synthetic": bool(count), "hours": hours, "seconds": round(seconds, 1),
            "approaches": len(result.approaches), "co_located_groups": len(result.co_located),
            "peak_resident_memory_gb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6, 2)}


@contextlib.contextmanager
def _time_filter(on: bool):
    """The plane-crossing time filter on, or off (every candidate left to the grid search)."""
    from app.conjunction import screening

    kept = screening.screen_by_crossings
    if not on:
        screening.screen_by_crossings = lambda catalog, row, candidates, *args: ([], candidates)
    try:
        yield
    finally:
        screening.screen_by_crossings = kept


def sampled_reference(subset: Catalog, start: datetime, hours: float, threshold_km: float):
    """Every approach under the threshold by brute force: all objects at every second, every
    pair within reach at each second (a k-d tree on that second's positions: a pair whose
    closest approach is under the threshold is within it plus 8 km at the nearest second),
    each local minimum of a pair's sampled range refined by golden section to 1 us on SGP4.
    Returns ((id, id), tca_s, miss_km) for minima strictly inside the window."""
    from scipy.spatial import cKDTree

    from app.astro.root_finding import golden_max
    from app.conjunction.closest_approach import PairMotion

    array = SatrecArray(list(subset.satrecs))
    jd0, fr0 = datetime_to_jd(start)
    span = int(hours * 3600)
    chunk = 600
    minima = set()
    for first in range(0, span + 1, chunk):
        seconds = np.arange(max(first - 1, 0), min(first + chunk + 1, span + 1), dtype=float)
        error, r, _ = array.sgp4(np.full(len(seconds), jd0), fr0 + seconds / 86400.0)
        r[error != 0] = np.nan
        for k in range(1, len(seconds) - 1):
            at = r[:, k]
            ok = np.nonzero(np.isfinite(at[:, 0]))[0]
            pairs = cKDTree(at[ok]).query_pairs(threshold_km + 8.0, output_type="ndarray")
            if not len(pairs):
                continue
            i, j = ok[pairs[:, 0]], ok[pairs[:, 1]]
            d = [np.linalg.norm(r[j, k + m] - r[i, k + m], axis=1) for m in (-1, 0, 1)]
            local = (d[1] <= d[0]) & (d[1] <= d[2])
            minima.update((int(a), int(b), float(seconds[k])) for a, b in zip(i[local], j[local]))
    reference = []
    for a, b, t in sorted(minima):
        motion = PairMotion(subset.satrecs[a], subset.satrecs[b], jd0, fr0)

        def minus_range(offsets, motion=motion):
            _, p, _, q, _ = motion.states(offsets)
            return -np.linalg.norm(q - p, axis=1)
        tca = float(golden_max(minus_range, np.array([t - 1.0]), np.array([t + 1.0]), tolerance_s=1e-6)[0])
        miss = float(-minus_range(np.array([tca]))[0])
        if miss <= threshold_km and 1.0 < tca < span - 1.0:
            reference.append((tuple(sorted((int(subset.norad_id[a]), int(subset.norad_id[b])))), tca, miss))
    return reference


def _one_catalog_propagation_s(catalog: Catalog) -> float:
    """Median time of one SatrecArray call on the whole catalog for one instant."""
    array = SatrecArray(list(catalog.satrecs))
    jd, fr = datetime_to_jd(START)
    times = []
    for k in range(21):
        started = time.perf_counter()
        array.sgp4(np.array([jd]), np.array([fr + k / 1440.0]))
        times.append(time.perf_counter() - started)
    return float(np.median(times))


if __name__ == "__main__":
    main()

"""Screening benchmark: prints JSON figures, never passes or fails.

    python3 tests/benchmarks/bench_screening.py [--recall-objects 120]

- one primary (the ISS and HST) against the default catalog for 7 days at 5 km;
- the whole default catalog against itself for 24 h at 5 km;
- recall of the all-against-all method against pairwise brute force (1 s sampling,
  refined) on a LEO subset of the catalog.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "core"))

from app.catalog import Catalog  # noqa: E402
from app.screening import screen_all, screen_primaries  # noqa: E402

START = datetime(2026, 8, 12, tzinfo=timezone.utc)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recall-objects", type=int, default=120)
    parser.add_argument("--skip-all", action="store_true", help="leave out the all-against-all run")
    args = parser.parse_args()
    catalog = Catalog.load_default()
    report = {"machine_note": "2-core shared machine", "one_vs_all_7d": []}
    for primary in (25544, 20580):
        started = time.perf_counter()
        result = screen_primaries(catalog, [primary], START, 24 * 7, 5.0)
        report["one_vs_all_7d"].append({"primary": primary, "seconds": round(time.perf_counter() - started, 2),
                                        "approaches": len(result.approaches), "co_located": result.co_located})
    if not args.skip_all:
        started = time.perf_counter()
        result = screen_all(catalog, START, 24, 5.0)
        report["all_vs_all_24h_5km"] = {"objects": len(catalog), "seconds": round(time.perf_counter() - started, 1),
                                        "approaches": len(result.approaches),
                                        "co_located_groups": len(result.co_located)}
    from test_screening import brute_force_minima  # the test suite's reference

    leo = np.nonzero(catalog.regime == "LEO")[0]
    subset = catalog.subset(leo[np.linspace(0, len(leo) - 1, args.recall_objects).astype(int)])
    threshold, span = 50.0, 6 * 3600.0
    found = {(a.primary, a.secondary, round((a.tca - START).total_seconds()))
             for a in screen_all(subset, START, 6, threshold).approaches}
    expected = set()
    for i in range(len(subset)):
        for j in range(i + 1, len(subset)):
            for t, m in zip(*brute_force_minima(subset.satrecs[i], subset.satrecs[j], START, span)):
                if m <= threshold and 1.0 < t < span - 1.0:
                    expected.add((int(subset.norad_id[i]), int(subset.norad_id[j]), round(t)))
    hit = sum(any(f[:2] == e[:2] and abs(f[2] - e[2]) <= 1 for f in found) for e in expected)
    report["recall"] = {"objects": len(subset), "threshold_km": threshold, "hours": 6, "reference_approaches":
                        len(expected), "found": hit, "recall": round(hit / len(expected), 4) if expected else None}
    json.dump(report, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()

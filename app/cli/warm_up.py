"""Compiling the screening and pass kernels ahead of need: ``spaceops warm-up`` (run by
``packaging/setup.sh`` and by ``packaging/build.sh`` into the frozen build's shipped cache,
see ``kernel_cache``), so no user's first screening waits about a minute for numba."""

from __future__ import annotations

import time
from datetime import datetime, timezone

from sgp4.api import Satrec

from app.catalog.catalog import Catalog
from app.catalog.ingest import ElementSet
from app.conjunction.screening import screen_all, screen_primaries
from app.sensors.catalog_passes import catalog_passes
from app.sensors.sites import Sensor


def warm_up() -> float:
    """Compile (or load) every screening and pass kernel on a tiny catalog; seconds taken."""
    started = time.perf_counter()
    lines = [("ISS (ZARYA)", "1 25544U 98067A   26223.50000000  .00010000  00000-0  18000-3 0  9990",
              "2 25544  51.6400 200.0000 0005000  90.0000 270.0000 15.50000000500000"),
             ("NEIGHBOUR", "1 99990U 98067B   26223.50000000  .00010000  00000-0  18000-3 0  9990",
              "2 99990  51.6400 200.0100 0005000  90.0000 270.0100 15.50000000500000")]
    sets = [ElementSet(Satrec.twoline2rv(l1, l2), int(l1[2:7]), name, "", "U", "warm-up", f"object {n}")
            for n, (name, l1, l2) in enumerate(lines, 1)]
    catalog = Catalog(sets)
    start = datetime(2026, 8, 11, 12, tzinfo=timezone.utc)
    screen_all(catalog, start, 0.5, 5.0, workers=1)
    screen_primaries(catalog, [25544], start, 0.5, 5.0)  # the plane-crossing kernels
    site = Sensor("warm-up", "USA", "national", "radar", 0.0, 0.0, 0.0, 0.0, 5000.0)
    catalog_passes(catalog, [site], start, 2.0, workers=1)  # the pass kernel too
    return time.perf_counter() - started

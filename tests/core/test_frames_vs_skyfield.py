"""Earth-fixed and geodetic positions against Skyfield, for many objects and epochs.

Authority: Skyfield 1.4x (IAU 2000 precession-nutation, its built-in UT1 tables,
``framelib.itrs``, ``wgs84``), given the very same ``Satrec`` objects.

Measured (240 objects of all regimes, three epochs in 2026): with UT1 = UTC, as the
engine runs, the whole difference is one rotation about the pole by Earth's rotation
times UT1-UTC (0.04-0.085 s in 2026): 6.2e-6 rad, 48 m at LEO, 0.26 km at GEO, 1.0 km at a
Molniya apogee. Tolerances:
- engine (UT1 = UTC): angle between our and Skyfield's ITRS vectors <= omega x 0.9 s
  (|UT1-UTC| never exceeds 0.9 s by definition): 6.6e-5 rad, 0.46 km at 7000 km;
- with Skyfield's UT1-UTC fed in: within 1 cm in position (measured 2 mm) and 1 mm/s in velocity;
- geodetic latitude within 1e-5 deg, height within 1 m (rotation does not touch them).
"""

from __future__ import annotations

from datetime import datetime, timezone

import numpy as np
import pytest

skyfield_api = pytest.importorskip("skyfield.api")
from skyfield.framelib import itrs as skyfield_itrs  # noqa: E402

from app.astro.constants import EARTH_ROTATION_RAD_S  # noqa: E402
from app.astro.frames import teme_to_itrs  # noqa: E402
from app.live.engine import propagate  # noqa: E402

EPOCHS = [
    datetime(2026, 8, 12, 0, 0, tzinfo=timezone.utc),
    datetime(2026, 6, 20, 13, 7, 31, tzinfo=timezone.utc),
    datetime(2026, 8, 13, 23, 59, 59, tzinfo=timezone.utc),
]
MAX_ABS_UT1_MINUS_UTC_S = 0.9


@pytest.fixture(scope="module")
def sample(default_catalog):
    rows = np.concatenate([np.nonzero(default_catalog.regime == r)[0][:40] for r in ("LEO", "MEO", "GEO", "HEO")])
    return default_catalog.subset(rows)


@pytest.fixture(scope="module")
def timescale():
    return skyfield_api.load.timescale(builtin=True)


def _skyfield_states(catalog, timescale, epoch):
    t = timescale.from_datetime(epoch)
    r, v, lat, height = [], [], [], []
    for satrec in catalog.satrecs:
        position = skyfield_api.EarthSatellite.from_satrec(satrec, timescale).at(t)
        r_itrs, v_itrs = position.frame_xyz_and_velocity(skyfield_itrs)
        r.append(r_itrs.km)
        v.append(v_itrs.km_per_s)
        geographic = skyfield_api.wgs84.geographic_position_of(position)
        lat.append(geographic.latitude.degrees)
        height.append(geographic.elevation.km)
    return np.array(r), np.array(v), np.array(lat), np.array(height), float(t.dut1)


@pytest.mark.parametrize("epoch", EPOCHS, ids=lambda e: e.isoformat())
def test_itrs_and_geodetic_against_skyfield(sample, timescale, epoch):
    snapshot = propagate(sample, epoch)
    ok = snapshot.valid
    assert ok.sum() > 150
    r_sky, v_sky, lat_sky, height_sky, dut1_s = _skyfield_states(sample, timescale, epoch)

    # the engine, UT1 = UTC: one small rotation, bounded by |UT1-UTC| <= 0.9 s
    ours = snapshot.r_itrs_km[ok]
    cos_angle = np.sum(ours * r_sky[ok], axis=1) / (np.linalg.norm(ours, axis=1) * np.linalg.norm(r_sky[ok], axis=1))
    angle_rad = np.arccos(np.clip(cos_angle, -1.0, 1.0))
    assert angle_rad.max() <= EARTH_ROTATION_RAD_S * MAX_ABS_UT1_MINUS_UTC_S
    leo = (sample.regime == "LEO")[ok]
    assert np.linalg.norm(ours[leo] - r_sky[ok][leo], axis=1).max() < 0.5

    # the same rotation fed Skyfield's UT1-UTC: meters
    r_fed, v_fed = teme_to_itrs(snapshot.r_teme_km[ok], snapshot.v_teme_km_s[ok], snapshot.jd, snapshot.fr,
                                ut1_minus_utc_s=dut1_s)
    assert np.linalg.norm(r_fed - r_sky[ok], axis=1).max() < 1e-5
    assert np.linalg.norm(v_fed - v_sky[ok], axis=1).max() < 1e-6

    np.testing.assert_allclose(snapshot.lat_deg[ok], lat_sky[ok], rtol=0, atol=1e-5)
    np.testing.assert_allclose(snapshot.alt_km[ok], height_sky[ok], rtol=0, atol=1e-3)


def test_geodetic_transformers_are_per_thread():
    """A shared pyproj transformer used from two threads at once crashed the process."""
    import threading

    from app.astro.topocentric import Site

    results, errors = [], []

    def work(offset: float) -> None:
        try:
            for k in range(300):
                results.append(Site(10.0 + offset + k * 1e-3, 20.0, 100.0).r_itrs_km)
        except Exception as error:  # noqa: BLE001
            errors.append(error)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and len(results) == 1200
    assert abs(np.linalg.norm(Site(0.0, 0.0, 0.0).r_itrs_km) - 6378.137) < 1e-6

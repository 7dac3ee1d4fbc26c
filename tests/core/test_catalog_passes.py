"""The whole-catalog pass finder (coarse bound, fine Hermite knots) against the object-by-
object one (SGP4 at every probe, itself checked against 1 s sampling and Skyfield in
test_passes.py) and against Skyfield's ``find_events`` directly: the same passes, none
missed, short ones included; AOS/LOS within 1 s and maximum elevation within 0.1 deg of
Skyfield."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest

from app.astro.frames import teme_to_itrs_many_epochs
from app.astro.timeutil import datetime_to_jd
from app.catalog import Catalog
from app.cli.main import main
from app.sensors.catalog_passes import catalog_passes
from app.sensors.passes import passes_of
from app.sensors.sites import Sensor

START = datetime(2026, 8, 12, 0, 0, tzinfo=timezone.utc)


def sensor(name="radar", lat=42.0, lon=-71.0, mask=3.0, max_range_km=6000.0, **extra):
    return Sensor(name, "USA", "national", "radar", lat, lon, 100.0, mask, max_range_km, **extra)


def sample_rows(catalog, count):
    """A strided sample, with every regime in it (the HEO and GEO rows added)."""
    rows = set(np.linspace(0, len(catalog) - 1, count).astype(int).tolist())
    for regime in ("HEO", "GEO", "MEO"):
        rows |= set(np.flatnonzero(catalog.regime == regime)[:8].tolist())
    return np.array(sorted(rows))


def assert_same_passes(table, catalog, rows, sensors, hours, aos_los_s=0.5, elevation_deg=0.05, minimum=20):
    """Every pass the object-by-object finder gives is in the table, close; and the table has
    no other (an extra pass would have to be a short one the 60 s samples missed: none here)."""
    expected = sorted((p for row in rows for s in sensors
                       for p in passes_of(catalog.satrecs[row], int(catalog.norad_id[row]), s, START, hours, 60.0)),
                      key=lambda p: (p.sensor, p.norad_id, p.aos))
    found = sorted(table.passes(), key=lambda p: (p.sensor, p.norad_id, p.aos))
    assert len(expected) >= minimum
    assert [(p.sensor, p.norad_id) for p in found] == [(p.sensor, p.norad_id) for p in expected]
    for ours, theirs in zip(found, expected):
        assert abs((ours.aos - theirs.aos).total_seconds()) < aos_los_s, (ours, theirs)
        assert abs((ours.los - theirs.los).total_seconds()) < aos_los_s, (ours, theirs)
        assert abs(ours.max_elevation_deg - theirs.max_elevation_deg) < elevation_deg, (ours, theirs)
        assert abs(ours.range_at_tca_km - theirs.range_at_tca_km) < 5.0
        assert (ours.sunlit, ours.site_dark, ours.starts_before_window, ours.ends_after_window) == \
            (theirs.sunlit, theirs.site_dark, theirs.starts_before_window, theirs.ends_after_window)


def test_matches_object_by_object_over_radar_optical_sector_and_negative_mask(default_catalog):
    rows = sample_rows(default_catalog, 160)
    sensors = [sensor(), Sensor("telescope", "FRA", "national", "optical", 43.7, 7.3, 1200.0, 15.0, 50000.0),
               sensor("sector", lat=-20.0, lon=140.0, mask=5.0, max_range_km=3000.0, az_min_deg=300.0, az_max_deg=60.0),
               sensor("low mask", lat=70.0, lon=20.0, mask=-2.0, max_range_km=2500.0)]
    table = catalog_passes(default_catalog, sensors, START, 24.0, rows=rows)
    assert set(table.sensor_index.tolist()) == {0, 1, 2, 3}
    assert_same_passes(table, default_catalog, rows, sensors, 24.0)
    assert np.all(np.diff(table.aos_s) >= 0)  # in time order


def test_against_skyfield_find_events(default_catalog):
    api = pytest.importorskip("skyfield.api")
    ts = api.load.timescale(builtin=True)
    site = Sensor("site", "USA", "national", "optical", 35.0, -106.6, 1600.0, 10.0, 1e6)
    rows = sample_rows(default_catalog, 24)
    table = catalog_passes(default_catalog, [site], START, 24.0, rows=rows)
    compared = 0
    for row in rows:
        norad = int(default_catalog.norad_id[row])
        ours = [table.pass_at(i) for i in np.flatnonzero(table.norad_id == norad)]
        satellite = api.EarthSatellite.from_satrec(default_catalog.satrecs[row], ts)
        topocentric = satellite - api.wgs84.latlon(35.0, -106.6, elevation_m=1600.0)
        times, kinds = satellite.find_events(api.wgs84.latlon(35.0, -106.6, elevation_m=1600.0),
                                             ts.from_datetime(START), ts.from_datetime(START + timedelta(hours=24)),
                                             altitude_degrees=10.0)
        moments = [t.utc_datetime() for t in times]
        for i in range(len(kinds) - 2):
            if tuple(kinds[i:i + 3]) != (0, 1, 2):
                continue
            rise, _peak, set_ = moments[i:i + 3]
            match = [p for p in ours if abs((p.aos - rise).total_seconds()) < 30]
            assert len(match) == 1, (norad, rise)
            for ours_at, theirs_at in ((match[0].aos, rise), (match[0].los, set_)):
                # within 1 s; a near-geosynchronous object crawls (0.004 deg/s): there, Skyfield's
                # elevation at our time within 0.005 deg of the mask (frame models differ by that)
                assert abs((ours_at - theirs_at).total_seconds()) < 1.0 \
                    or abs((topocentric.at(ts.from_datetime(ours_at))).altaz()[0].degrees - 10.0) < 0.005
            assert abs(match[0].max_elevation_deg - topocentric.at(times[i + 1]).altaz()[0].degrees) < 0.1
            compared += 1
    assert compared > 30


def test_a_pass_that_barely_clears_the_mask_is_found(default_catalog):
    """The ISS peaking 0.01 deg above the mask: a pass of a few seconds that no 2 min knot sees."""
    iss_row = default_catalog.row_of(25544)
    base = sensor("graze", mask=0.0, max_range_km=1e5)
    full = catalog_passes(default_catalog, [base], START, 24.0, rows=[iss_row])
    target = max(range(len(full)), key=lambda i: full.max_elevation_deg[i] if full.max_elevation_deg[i] < 30 else 0)
    peak = float(full.max_elevation_deg[target])
    grazing = replace(base, min_elevation_deg=peak - 0.01)
    table = catalog_passes(default_catalog, [grazing], START, 24.0, rows=[iss_row])
    short = [p for p in table.passes() if abs((p.tca - full.pass_at(target).tca).total_seconds()) < 5]
    assert len(short) == 1
    assert 0 < short[0].duration_s < 60
    assert abs(short[0].max_elevation_deg - peak) < 1e-3


def test_passes_at_the_window_edges_and_an_object_always_up(default_catalog):
    geo_row = int(np.flatnonzero(default_catalog.regime == "GEO")[0])
    jd, fr = datetime_to_jd(START)
    _e, r_teme, _v = default_catalog.satrecs[geo_row].sgp4(jd, fr)
    r_itrs = teme_to_itrs_many_epochs(np.array(r_teme), np.array(jd), np.array(fr))
    under = Sensor("equator", "USA", "national", "optical", 0.0, float(np.degrees(np.arctan2(r_itrs[1], r_itrs[0]))),
                   0.0, 10.0, 50000.0)
    table = catalog_passes(default_catalog, [under], START, 6.0, rows=[geo_row])
    (only,) = table.passes()
    assert only.starts_before_window and only.ends_after_window
    assert only.aos == START and only.los == START + timedelta(hours=6)
    assert only.max_elevation_deg > 80


def checksum(line: str) -> str:
    return line + str(sum(int(c) if c.isdigit() else c == "-" for c in line) % 10)


def test_an_object_that_decays_in_the_window_is_done_the_slow_way(tmp_path):
    """SGP4 fails for it after about 11 h (decayed): its passes before that are still found,
    as the object-by-object finder finds them."""
    path = tmp_path / "decaying.tle"
    path.write_text("DECAYING\n"
                    + checksum("1 99001U 26001A   26224.00000000  .50000000  00000-0  10000-1 0  999") + "\n"
                    + checksum("2 99001  51.6400 100.0000 0005000  90.0000 270.0000 16.30000000    0") + "\n"
                    + "ISS (ZARYA)\n"
                    + checksum("1 25544U 98067A   26223.54791667  .00012000  00000-0  21000-3 0  999") + "\n"
                    + checksum("2 25544  51.6400 100.0000 0004000  90.0000 270.0000 15.50000000    0") + "\n")
    catalog = Catalog.load([path])
    assert len(catalog) == 2, catalog.rejections
    error, _r, _v = catalog.satrecs[0].sgp4_array(np.full(2, 2461264.5), np.array([0.0, 1.0]))
    assert error[0] == 0 and error[1] != 0
    sensors = [sensor(lat=lat, lon=lon, mask=0.0, max_range_km=5000.0) for lat, lon in ((0, 0), (45, 90), (-30, -60))]
    table = catalog_passes(catalog, sensors, START, 24.0)
    decaying = [p for p in table.passes() if p.norad_id == 99001]
    assert decaying and all(p.los < START + timedelta(hours=12) for p in decaying)
    assert_same_passes(table, catalog, [0, 1], sensors, 24.0, minimum=5)


def test_table_rows_are_pass_dicts_and_empty_inputs_work(default_catalog):
    rows = sample_rows(default_catalog, 40)
    table = catalog_passes(default_catalog, [sensor()], START, 3.0, rows=rows)
    assert len(table) > 0
    assert list(table.rows(block=7)) == [p.as_dict() for p in table.passes()]
    assert len(catalog_passes(default_catalog, [sensor()], START, 3.0, rows=[])) == 0
    assert len(catalog_passes(default_catalog, [sensor(status="outage")], START, 3.0, rows=rows)) == 0
    far = sensor("short range", max_range_km=100.0)  # nothing's perigee that low
    assert len(catalog_passes(default_catalog, [far], START, 3.0, rows=rows)) == 0


def test_cli_passes_all_for_a_group(capsys):
    code = main(["passes", "--all", "--group", "geo BELT", "--sensor", "Socorro", "--start",
                 "2026-08-12T00:00:00Z", "--hours", "2", "--format", "json"])
    out = capsys.readouterr()
    assert code == 0, out.err
    rows = json.loads(out.out)
    assert rows and {r["sensor"] for r in rows} == {rows[0]["sensor"]}
    assert "passes of" in out.err
    assert set(rows[0]) == {"sensor", "norad_id", "aos_utc", "tca_utc", "los_utc", "max_elevation_deg",
                            "range_at_tca_km", "sunlit", "site_dark"}


@pytest.mark.parametrize("argv, message", [
    (["--norad", "25544", "--group", "Debris"], "--group goes with --all"),
    (["--all", "--group", "no such group"], "no group"),
    (["--all", "--norad", "25544"], "not allowed with"),
])
def test_cli_passes_refuses_bad_combinations(capsys, argv, message):
    with pytest.raises(SystemExit) as stop:
        main(["passes", *argv, "--start", "2026-08-12T00:00:00Z", "--hours", "1"])
    assert stop.value.code == 2
    assert message in capsys.readouterr().err

"""The ``spaceops`` command line, run as a user runs it: exit codes, JSON, CSV, reports."""

from __future__ import annotations

import csv
import io
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from app.cli.main import main


def run_cli(*args, env=None):
    return subprocess.run([sys.executable, "-m", "app", *args], capture_output=True, text=True, timeout=120,
                          env=None if env is None else {**os.environ, **env})


def test_propagate_bundled_catalog_json():
    done = run_cli("propagate", "--at", "2026-08-12T00:00:00Z", "--ids", "25544,20580")
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert [r["norad_id"] for r in rows] == [25544, 20580]
    iss = rows[0]
    assert iss["name"] == "ISS (ZARYA)" and iss["epoch_utc"] == "2026-08-12T00:00:00.000000Z"
    assert iss["element_epoch_utc"] == "2026-08-11T03:35:03.190272Z"
    assert iss["sgp4_error"] == 0 and 400 < iss["alt_km"] < 440
    assert math.isclose(np.linalg.norm(iss["r_teme_km"]), np.linalg.norm(iss["r_itrs_km"]), rel_tol=1e-12)
    assert set(iss) == {"norad_id", "name", "epoch_utc", "element_epoch_utc", "r_teme_km", "v_teme_km_s",
                        "r_itrs_km", "v_itrs_km_s", "lat_deg", "lon_deg", "alt_km", "sgp4_error"}
    assert "Traceback" not in done.stderr


def test_propagate_csv_matches_json(capsys):
    assert main(["propagate", "--at", "2026-08-12T00:00:00Z", "--ids", "25544", "--format", "csv"]) == 0
    (row,) = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert main(["propagate", "--at", "2026-08-12T00:00:00Z", "--ids", "25544"]) == 0
    (expected,) = json.loads(capsys.readouterr().out)
    assert float(row["r_itrs_x_km"]) == expected["r_itrs_km"][0]
    assert float(row["v_teme_z_km_s"]) == expected["v_teme_km_s"][2]
    assert float(row["lat_deg"]) == expected["lat_deg"]


def test_propagate_given_catalog_with_rejections(data_dir):
    done = run_cli("propagate", "--catalog", str(data_dir / "malformed" / "mixed_bad.tle"),
                   str(data_dir / "omm_two_messages.kvn"), "--at", "2026-08-12T00:00:00Z")
    assert done.returncode == 3
    ids = sorted(r["norad_id"] for r in json.loads(done.stdout))
    assert ids == [5, 20580, 25544, 100005, 270000123]  # the good records are still propagated
    assert "11 input record(s) rejected" in done.stderr and "mixed_bad.tle:line 8: checksum" in done.stderr
    assert "Traceback" not in done.stderr


def test_catalog_info(data_dir):
    done = run_cli("catalog", "info", str(data_dir / "malformed" / "mixed_bad_omm.json"))
    assert done.returncode == 3
    info = json.loads(done.stdout)
    assert info["objects"] == 2 and info["by_object_type"]["DEBRIS"] == 1
    assert {r["location"] for r in info["rejected"]} == {"record 2", "record 3", "record 4", "record 5"}
    assert "record 3: RA_OF_ASC_NODE" in done.stderr


def test_catalog_info_clean_file(data_dir, capsys):
    assert main(["catalog", "info", str(data_dir / "celestrak_gp_sample.csv")]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["objects"] == 200 and sum(info["by_regime"].values()) == 200 and info["rejected"] == []


@pytest.mark.parametrize("args", [
    ["propagate"],  # --at missing
    ["propagate", "--at", "yesterday"],
    ["propagate", "--at", "2026-08-12T00:00:00Z", "--ids", "ISS"],
    ["propagate", "--at", "2026-08-12T00:00:00Z", "--format", "xml"],
    ["propagate", "--at", "2026-08-12T00:00:00"],  # no zone
    ["frobnicate"],
])
def test_usage_errors_exit_2(args):
    done = run_cli(*args)
    assert done.returncode == 2 and "usage:" in done.stderr and "Traceback" not in done.stderr


def test_missing_file_and_unknown_id_exit_3(tmp_path):
    done = run_cli("catalog", "info", str(tmp_path / "nothing.tle"))
    assert done.returncode == 3 and "file not found" in done.stderr
    done = run_cli("propagate", "--at", "2026-08-12T00:00:00Z", "--ids", "25544,1")
    assert done.returncode == 3 and "not in the catalog" in done.stderr
    assert [r["norad_id"] for r in json.loads(done.stdout)] == [25544]


@pytest.mark.parametrize("where", ["before", "after"])
def test_verbose_logs_to_stderr_and_file(data_dir, tmp_path, where):
    args = ["catalog", "info", str(data_dir / "python-sgp4_sample_omm.json")]
    args = ["--verbose", *args] if where == "before" else [*args[:2], "--verbose", args[2]]
    done = run_cli(*args, env={"XDG_STATE_HOME": str(tmp_path)})
    assert done.returncode == 0
    assert "DEBUG: reading" in done.stderr
    log_text = (tmp_path / "spaceops" / "log" / "spaceops.log").read_text()
    assert "loaded 1 objects from 1 files" in log_text


def test_quiet_by_default(data_dir, tmp_path):
    done = run_cli("catalog", "info", str(data_dir / "python-sgp4_sample_omm.json"), env={"XDG_STATE_HOME": str(tmp_path)})
    assert done.returncode == 0 and done.stderr == ""


def test_output_into_a_closed_pipe_is_quiet():
    """``spaceops propagate ... | head`` must not print a traceback."""
    done = subprocess.run(f'"{sys.executable}" -m app propagate --at 2026-08-12T00:00:00Z | head -c 100',
                          shell=True, capture_output=True, text=True, timeout=120)
    assert done.stdout.startswith("[") and "Traceback" not in done.stderr


def test_passes_over_a_site_and_named_sensors(tmp_path):
    done = run_cli("passes", "--norad", "25544", "--site", "42,-71,100", "--start", "2026-08-12T00:00:00Z",
                   "--hours", "24", "--min-elevation-deg", "10", env={"XDG_DATA_HOME": str(tmp_path)})
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert len(rows) == 6 and {r["sensor"] for r in rows} == {"site"}
    assert set(rows[0]) == {"sensor", "norad_id", "aos_utc", "tca_utc", "los_utc", "max_elevation_deg",
                            "range_at_tca_km", "sunlit", "site_dark"}
    assert rows[0]["aos_utc"] < rows[0]["tca_utc"] < rows[0]["los_utc"]
    done = run_cli("passes", "--norad", "25544", "--sensor", "Fylingdales", "CapeCod (Cape Cod, MA)", "--start",
                   "2026-08-12T00:00:00Z", "--hours", "24", "--format", "csv", env={"XDG_DATA_HOME": str(tmp_path)})
    assert done.returncode == 0
    table = list(csv.DictReader(io.StringIO(done.stdout)))
    assert {r["sensor"] for r in table} == {"Fylingdales (Fylingdales, UK)", "CapeCod (Cape Cod, MA)"}


@pytest.mark.parametrize("args, code, words", [
    (["--sensor", "Nowhere"], 2, "no sensor"),
    (["--site", "95,0,0"], 2, "outside"),
    (["--hours", "-1"], 2, "hours"),
])
def test_passes_usage_errors(args, code, words, tmp_path):
    base = ["passes", "--norad", "25544", "--start", "2026-08-12T00:00:00Z", "--hours", "6"]
    done = run_cli(*(base + args), env={"XDG_DATA_HOME": str(tmp_path)})
    assert done.returncode == code and words in done.stderr and "Traceback" not in done.stderr


def test_passes_unknown_object_exit_3(tmp_path):
    done = run_cli("passes", "--norad", "1", "--site", "42,-71,0", "--start", "2026-08-12T00:00:00Z", "--hours", "6",
                   env={"XDG_DATA_HOME": str(tmp_path)})
    assert done.returncode == 3 and "not in the catalog" in done.stderr and json.loads(done.stdout) == []


def test_sensors_list(tmp_path):
    done = run_cli("sensors", "list", "--format", "json", env={"XDG_DATA_HOME": str(tmp_path)})
    assert done.returncode == 0
    sensors = json.loads(done.stdout)
    assert len(sensors) == 240 and {"name", "operator_nation", "sensor_type", "min_elevation_deg"} <= set(sensors[0])


def test_cdm_command(data_dir):
    done = run_cli("cdm", str(data_dir / "cdm" / "orekit_AlfanoTestCase02.cdm"))
    assert done.returncode == 0
    out = json.loads(done.stdout)
    assert out["hbr_m"] == 4.0 and abs(out["pc_foster"] - 0.006222267) < 1e-6
    assert set(out) == {"tca_utc", "miss_km", "relative_speed_km_s", "hbr_m", "hbr_source", "pc_foster",
                        "pc_in_message", "hbr_m_in_message", "pc_in_message_radius", "object1", "object2"}
    assert out["hbr_source"] == "message" and out["hbr_m_in_message"] == 4.0
    done = run_cli("cdm", str(data_dir / "cdm" / "orekit_CDMExample1.txt"), "--hbr-m", "20")
    assert done.returncode == 0 and json.loads(done.stdout)["hbr_m"] == 20.0
    assert json.loads(done.stdout)["hbr_source"] == "given"


def test_cdm_without_a_radius_uses_the_same_rule_as_the_dialog(data_dir):
    """A message that states no hard-body radius: the command line no longer stops (the dialog
    computed with 10 m meanwhile); both use the one rule and say the radius is a default, and
    what stands behind the message's own Pc."""
    from app.conjunction.cdm import read_cdm
    from app.conjunction.collision_probability import DEFAULT_HBR_M, cdm_pc, hard_body_radius

    path = data_dir / "cdm" / "orekit_ION_SCV8_vs_STARLINK_1233.txt"
    cdm = read_cdm(path)
    assert cdm.hbr_m is None and cdm.collision_probability is not None
    done = run_cli("cdm", str(path))
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["hbr_m"] == DEFAULT_HBR_M and out["hbr_source"] == "default" and "states no hard-body radius" in done.stderr
    assert out["hbr_m_in_message"] is None and "does not state the radius" in out["pc_in_message_radius"]
    assert out["pc_foster"] == pytest.approx(cdm_pc(cdm)) and hard_body_radius(cdm).describe().startswith("10 m")
    done = run_cli("cdm", str(data_dir / "cdm" / "invalid" / "orekit_CDM-wrong-key-word.txt"))
    assert done.returncode == 3 and "WRONG_KEYWORD" in done.stderr and "Traceback" not in done.stderr


def test_screen_command(tmp_path):
    done = run_cli("screen", "--primary", "25544", "--start", "2026-08-12T00:00:00Z", "--hours", "6",
                   "--threshold-km", "10")
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert all(r["primary"] == 25544 and r["miss_km"] <= 10 for r in rows)
    assert "co-located" in done.stderr and "25544" in done.stderr
    done = run_cli("screen", "--primary", "1", "--start", "2026-08-12T00:00:00Z", "--hours", "1", "--threshold-km", "5")
    assert done.returncode == 3 and "not in the catalog" in done.stderr


def test_screen_all_command(tmp_path):
    """``--all`` on a catalog file of its own: every approach under the threshold, sorted
    by TCA, each one the pairwise search confirms."""
    from datetime import datetime, timezone

    from app.catalog import Catalog
    from app.conjunction.closest_approach import closest_approaches

    bundled = Path(__file__).resolve().parents[2] / "resources" / "catalogs" / "default"
    lines = (bundled / "celestrak_iridium-33-debris_2026-06-14.tle").read_text().splitlines()
    catalog_file = tmp_path / "iridium_debris.tle"
    catalog_file.write_text("\n".join(lines[:3 * 150]) + "\n")
    done = run_cli("screen", "--all", "--catalog", str(catalog_file), "--start", "2026-08-12T00:00:00Z",
                   "--hours", "3", "--threshold-km", "100", "--format", "csv")
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert len(rows) > 5
    assert [r["tca_utc"] for r in rows] == sorted(r["tca_utc"] for r in rows)
    assert all(float(r["miss_km"]) <= 100 for r in rows)
    catalog = Catalog.load([catalog_file])
    start = datetime(2026, 8, 12, tzinfo=timezone.utc)
    for row in rows[:3]:
        a, b = int(row["primary"]), int(row["secondary"])
        pairwise = closest_approaches(catalog.satrecs[catalog.row_of(a)], catalog.satrecs[catalog.row_of(b)],
                                      start, 3 * 3600.0, a, b, max_miss_km=100.0)
        assert any(abs(float(row["miss_km"]) - p.miss_km) < 0.01 for p in pairwise)


def test_catalog_info_defaults_to_the_bundled_catalog():
    done = run_cli("catalog", "info")
    assert done.returncode == 0, done.stderr
    assert "18,700" in done.stdout or "18700" in done.stdout


def test_catalog_flag_repeated_or_with_several_files(tmp_path):
    """argparse kept only the last of ``--catalog A --catalog B``: every file counts now."""
    bundled = Path(__file__).resolve().parents[2] / "resources" / "catalogs" / "default"
    lines = (bundled / "celestrak_active_2026-08-11.tle").read_text().splitlines()
    first, second = tmp_path / "first.tle", tmp_path / "second.tle"
    first.write_text("\n".join(lines[0:3]) + "\n")
    second.write_text("\n".join(lines[3:6]) + "\n")
    ids = {int(line[2:7]) for line in (lines[1], lines[4])}
    for flags in (["--catalog", str(first), "--catalog", str(second)], ["--catalog", str(first), str(second)]):
        done = run_cli("propagate", "--at", "2026-08-12T00:00:00Z", *flags)
        assert done.returncode == 0, done.stderr
        assert {r["norad_id"] for r in json.loads(done.stdout)} == ids


def test_a_time_without_a_zone_is_refused():
    done = run_cli("propagate", "--at", "2026-08-12T00:00:00")
    assert done.returncode == 2 and "no time zone" in done.stderr and "Traceback" not in done.stderr
    assert run_cli("propagate", "--at", "2026-08-12T02:00:00+02:00", "--ids", "25544").returncode == 0


def test_screen_rows_name_both_objects_and_sensors_list_has_a_header():
    done = run_cli("screen", "--primary", "25544", "--start", "2026-08-12T00:00:00Z", "--hours", "6",
                   "--threshold-km", "50")
    rows = json.loads(done.stdout)
    assert rows and all(r["primary_name"] == "ISS (ZARYA)" and r["secondary_name"] for r in rows)
    listing = run_cli("sensors", "list").stdout.splitlines()
    assert listing[0].split()[:3] == ["NAME", "NAT", "TYPE"] and "RANGE_KM" in listing[0]

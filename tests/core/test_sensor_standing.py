"""Each sensor site's standing (issue #14): partner, contracted provider, or another nation's
site (context only). "Any sensor" once scheduled the ISS on Armavir and Krona."""

from __future__ import annotations

import csv
import json
from datetime import datetime, timedelta, timezone

import pytest

from app.cli.main import main
from app.common.resources import resource_path
from app.sensors.passes import passes_for_object
from app.sensors.sites import (COALITION_NATIONS, STANDINGS, Sensor, SensorError, SensorStore, bundled_sensors,
                               find_sensors, standing_of, validate_sensor_fields)
from app.tasking.request import SensorRequest, TaskingError, TaskingRequest, feasibility

START = datetime(2026, 8, 12, tzinfo=timezone.utc)
ARMAVIR_REFUSED = "Armavir is another nation's site (context only); it cannot be tasked"
GOOD = {"name": "Kiwi radar", "operator_nation": "NZL", "provider": "commercial", "sensor_type": "radar",
        "lat_deg": -45.04, "lon_deg": 170.1, "alt_m": 300, "min_elevation_deg": 5, "max_range_km": 1800}


def iss_request(sensor_request: SensorRequest) -> TaskingRequest:
    return TaskingRequest("TR-GBR-STANDING", "Track ISS", 25544, "GBR", "UKSpOC", sensor_request, "track",
                          "PRIORITY", START, START + timedelta(hours=24))


def test_every_bundled_row_carries_a_valid_standing():
    with open(resource_path("sensors.csv"), newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert rows and all(row.get("standing") in STANDINGS for row in rows)
    # the column agrees with the rule a user file without one gets
    assert all(row["standing"] == standing_of(row["operator_nation"], row["provider"], row["network"]) for row in rows)
    sensors = bundled_sensors()
    assert [s.standing for s in sensors] == [row["standing"] for row in rows]
    assert all(s.schedulable == (s.standing in ("partner", "contracted")) for s in sensors)


def test_russian_and_chinese_sites_are_other_and_coalition_sites_partners():
    sensors = bundled_sensors()
    for name in ("Armavir", "Krona", "Krona20ZH6", "Krona30ZH6"):
        site = find_sensors([name], sensors)[0]
        assert site.standing == "other" and not site.schedulable, site.name
    assert all(s.standing == "other" for s in sensors if s.operator_nation in ("RUS", "CHN"))
    assert all(s.standing == "other" for s in sensors if s.operator_nation not in COALITION_NATIONS)
    collepardo = find_sensors(["CollepORI22"], sensors)[0]  # an ISON telescope in Italy: the network's, not Italy's
    assert collepardo.operator_nation == "ITA" and collepardo.standing == "other"
    for name in ("Fylingdales (Fylingdales, UK)", "CobraDane", "Beale"):
        assert find_sensors([name], sensors)[0].standing == "partner"
    assert sum(s.schedulable for s in sensors) > 100


def test_the_rule_for_files_that_give_no_standing():
    assert standing_of("USA", "national") == "partner"
    assert standing_of("NZL", "commercial") == "contracted"
    assert standing_of("RUS", "commercial") == "other"  # a commercial provider of a non-coalition state
    assert standing_of("CHN", "national") == "other"
    assert standing_of("ITA", "national", "ISON (optical)") == "other"
    assert validate_sensor_fields(GOOD).standing == "contracted"
    assert validate_sensor_fields({**GOOD, "standing": "Partner"}).standing == "partner"
    assert Sensor("x", "RUS", "national", "radar", 45.0, 40.0, 0.0, 3.0, 6000.0).standing == "other"  # derived
    assert Sensor("x", "GBR", "national", "radar", 54.0, 0.0, 0.0, 3.0, 6000.0).schedulable
    with pytest.raises(SensorError) as raised:
        validate_sensor_fields({**GOOD, "standing": "ally"})
    assert raised.value.field == "standing" and "partner, contracted, other" in raised.value.reason


def test_any_sensor_gives_the_iss_no_pass_from_another_nations_site(default_catalog):
    sensors = list(bundled_sensors())
    others = [s for s in sensors if s.standing == "other" and s.operational]
    # the geometry alone: over a day the ISS does pass over Russian and Chinese sites
    seen_by_others = {p.sensor for p in passes_for_object(default_catalog, 25544, others, START, 24.0)}
    assert {"Armavir (Armavir, Russia)", "Krona (Pavlovsk, Russia)"} & seen_by_others
    found = feasibility(iss_request(SensorRequest("any")), default_catalog, sensors)
    assert found.feasible
    other_names = {s.name for s in sensors if not s.schedulable}
    assert not {p.sensor for p in found.passes} & other_names
    assert all(SensorRequest("any").eligible(s) == s.schedulable for s in sensors)
    assert not any(SensorRequest("commercial").eligible(s) for s in sensors if not s.schedulable)
    assert not any(SensorRequest("nation", "RUS").eligible(s) for s in sensors)


def test_a_named_request_for_armavir_is_refused(default_catalog):
    sensors = list(bundled_sensors())
    for value in ("Armavir", "Armavir (Armavir, Russia)"):
        request = SensorRequest("sensor", value)
        assert request.refusal(sensors) == ARMAVIR_REFUSED
        with pytest.raises(TaskingError) as raised:
            request.check(sensors)
        assert raised.value.field == "sensor_request" and raised.value.reason == ARMAVIR_REFUSED
        found = feasibility(iss_request(request), default_catalog, sensors)
        assert not found.feasible and found.reasons == (ARMAVIR_REFUSED,)
    with pytest.raises(TaskingError, match="RUS's sites are another nation's"):
        SensorRequest("nation", "rus").check(sensors)
    fylingdales = SensorRequest("sensor", "Fylingdales (Fylingdales, UK)")
    assert fylingdales.check(sensors) is fylingdales  # a partner's site may be named


def test_sensors_list_shows_the_standing(capsys):
    assert main(["sensors", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "STANDING" in lines[0].split()
    armavir = next(line for line in lines if line.startswith("Armavir ("))
    assert " other " in armavir
    assert " partner " in next(line for line in lines if line.startswith("CobraDane ("))
    assert main(["sensors", "list", "--format", "json"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert {r["name"]: r["standing"] for r in records}["Krona (Pavlovsk, Russia)"] == "other"


def test_a_user_sensor_file_with_a_bad_standing_names_file_line_and_field(tmp_path, monkeypatch, capsys):
    path = tmp_path / "user_sensors.json"
    good = {**GOOD, "name": "Kiwi radar"}
    bad = {**GOOD, "name": "Odd radar", "standing": "ally"}
    path.write_text(json.dumps([good, bad], indent=1))
    store = SensorStore(path)
    assert [(s.name, s.standing) for s in store.sensors()] == [("Kiwi radar", "contracted")]  # derived
    [problem] = store.problems
    line = next(n for n, text in enumerate(path.read_text().splitlines(), start=1) if '"ally"' in text)
    assert problem.startswith(f"{path}:{line}: record 2: standing: 'ally' is not one of partner, contracted, other")
    # the command line reports it the same way, and lists the good one
    monkeypatch.setattr("app.sensors.sites.user_data_dir", lambda: tmp_path)
    assert main(["sensors", "list"]) != 0
    out, err = capsys.readouterr()
    assert "Kiwi radar" in out and f"{path}:{line}: record 2: standing:" in err
    # a standing the user gives is kept through a save
    store.put(validate_sensor_fields({**GOOD, "name": "Listed other", "standing": "other"}))
    assert {s.name: s.standing for s in SensorStore(path).sensors()}["Listed other"] == "other"


def test_a_scenario_sensor_can_be_given_its_standing():
    from pydantic import ValidationError

    from app.scenario.format import SensorsSpec
    from app.scenario.run import base_sensors

    site = {"name": "Red radar", "nation": "NZL", "type": "radar", "lat_deg": -45.0, "lon_deg": 170.0, "alt_m": 100,
            "min_elevation_deg": 5, "max_range_km": 3000}
    sensors = base_sensors(SensorsSpec(bundled=False, add=[{**site, "standing": "other"}, {**site, "name": "Blue"}]))
    assert [(s.name, s.standing, s.schedulable) for s in sensors] == [("Red radar", "other", False),
                                                                       ("Blue", "partner", True)]
    with pytest.raises(ValidationError, match="standing"):
        SensorsSpec(add=[{**site, "standing": "ally"}])

"""The sensor list, validation that names the field, and the user's saved sensors."""

from __future__ import annotations


import pytest

from app.sensors.sites import (SensorError, SensorStore, all_sensors, bundled_sensors, find_sensors,
                               validate_sensor_fields)

GOOD = {"name": "Commercial radar NZ", "operator_nation": "nzl", "provider": "commercial", "sensor_type": "radar",
        "lat_deg": "-45.04", "lon_deg": "170.1", "alt_m": "300", "min_elevation_deg": "5", "max_range_km": "1800"}


def test_bundled_list():
    sensors = bundled_sensors()
    assert len(sensors) == 240
    types = {s.sensor_type for s in sensors}
    assert types == {"radar", "optical", "laser", "RF"}
    cape_cod = find_sensors(["CapeCod (Cape Cod, MA)"], sensors)[0]
    assert (cape_cod.operator_nation, cape_cod.sensor_type) == ("USA", "radar")
    assert abs(cape_cod.lat_deg - 41.752408) < 1e-9
    fylingdales = find_sensors(["Fylingdales"], sensors)[0]
    assert fylingdales.operator_nation == "GBR"
    assert sum(not s.operational for s in sensors) == 9  # sites with a close date


@pytest.mark.parametrize("field, value, words", [
    ("name", "  ", "required"), ("operator_nation", "U", "three-letter"), ("provider", "private", "national"),
    ("sensor_type", "sonar", "radar"), ("lat_deg", "91", "outside"), ("lon_deg", "east", "not a number"),
    ("alt_m", "", "required"), ("min_elevation_deg", "95", "outside"), ("max_range_km", "-3", "outside"),
    ("az_min_deg", "10", "both azimuth limits"), ("status", "broken", "operational"),
])
def test_impossible_values_name_the_field(field, value, words):
    with pytest.raises(SensorError) as raised:
        validate_sensor_fields({**GOOD, field: value})
    assert raised.value.field == field or (field == "az_min_deg" and raised.value.field == "az_max_deg")
    assert words in raised.value.reason


def test_user_sensors_survive_a_restart(tmp_path):
    path = tmp_path / "data" / "user_sensors.json"
    store = SensorStore(path)
    sensor = validate_sensor_fields(GOOD)
    store.put(sensor)
    assert sensor.operator_nation == "NZL"
    again = SensorStore(path)
    assert [s.name for s in again.sensors()] == ["Commercial radar NZ"]
    assert "Commercial radar NZ" in {s.name for s in all_sensors(again)}
    renamed = validate_sensor_fields({**GOOD, "name": "Kiwi radar"})
    again.put(renamed, replacing="Commercial radar NZ")
    assert [s.name for s in SensorStore(path).sensors()] == ["Kiwi radar"]
    again.remove("Kiwi radar")
    assert SensorStore(path).sensors() == []


def test_damaged_store_is_reported_and_kept(tmp_path):
    path = tmp_path / "user_sensors.json"
    path.write_text('[{"name": "ok", "operator_nation": "FRA", "provider": "national", "sensor_type": "optical",'
                    ' "lat_deg": 43, "lon_deg": 7, "alt_m": 300, "min_elevation_deg": 15, "max_range_km": 40000},'
                    ' {"name": "bad", "lat_deg": 200}]')
    store = SensorStore(path)
    assert [s.name for s in store.sensors()] == ["ok"]
    assert any("record 2" in p for p in store.problems)
    path.write_text("{not json")
    store = SensorStore(path)
    assert store.sensors() == [] and "left as it is" in store.problems[0]
    assert path.read_text() == "{not json"  # nothing lost


def test_find_sensors_refuses_ambiguity():
    with pytest.raises(SensorError, match="4 sensors"):
        find_sensors(["Fyl"], bundled_sensors())
    with pytest.raises(SensorError, match="no sensor"):
        find_sensors(["Nowhere"], bundled_sensors())


def test_the_bundled_list_is_clean():
    """A site at 0°, 0° marked operational, longitudes of 256° and 204°, CobraDane twice
    (so ``--sensor CobraDane`` was ambiguous): the list is checked as data."""
    from app.sensors.sites import bundled_sensors, find_sensors

    sensors = bundled_sensors()
    names = [s.name for s in sensors]
    assert len(names) == len(set(names))
    assert all(-90 <= s.lat_deg <= 90 and -180 <= s.lon_deg <= 180 for s in sensors)
    assert not any(s.lat_deg == 0 and s.lon_deg == 0 for s in sensors)
    assert all(-500 <= s.alt_m <= 6000 and 0 < s.max_range_km <= 100_000 and -5 <= s.min_elevation_deg <= 90
               for s in sensors)
    cobra = [s for s in sensors if s.name.startswith("CobraDane (")]
    assert len(cobra) == 1  # listed once, though the survey lists it under two networks
    assert find_sensors(["CobraDane"], sensors)[0].name == "CobraDane (Shemya, AK)"

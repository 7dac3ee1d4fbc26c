"""Bad input: a clear reason naming the file, the line or record and the field; the good
records in the same file still load; nothing raises."""

from __future__ import annotations

import pytest

from app.catalog import Catalog
from app.catalog.ingest import read_catalog_file, read_catalog_files


def _reasons(result):
    return {(r.location, r.field): r.reason for r in result.rejections}


def test_tle_file_with_every_kind_of_damage(data_dir):
    path = data_dir / "malformed" / "mixed_bad.tle"
    result = read_catalog_file(path)
    assert [(e.norad_id, e.name) for e in result.element_sets] == [
        (25544, "ISS (ZARYA)"), (100005, "ALPHA5 TEST OBJECT"), (20580, "HST")]
    assert all(r.source == str(path) for r in result.rejections)
    reasons = _reasons(result)
    assert "50 characters" in reasons[("line 5", None)]
    assert "checksum is 4, computed 3" in reasons[("line 8", "checksum")]
    assert "columns shifted" in reasons[("line 11", None)]
    assert "00x2401" in reasons[("line 14", "eccentricity")]
    assert "greater than zero" in reasons[("line 17", "mean motion")]
    assert "outside [0.0, 180.0]" in reasons[("line 20", "inclination")]
    assert "different catalog numbers" in reasons[("line 23", "catalog number")]
    assert "not followed by a line 2" in reasons[("line 26", None)]
    assert "without a line 1" in reasons[("line 28", None)]
    assert "non-ASCII" in reasons[("line 36", None)]
    assert "Alpha-5" in reasons[("line 39", "catalog number")]
    assert len(result.rejections) == 11


def test_wrong_encodings(data_dir):
    utf16 = read_catalog_file(data_dir / "malformed" / "utf16_with_bom.tle")
    assert [e.norad_id for e in utf16.element_sets] == [25544] and not utf16.rejections
    latin1 = read_catalog_file(data_dir / "malformed" / "invalid_utf8.tle")
    assert [e.norad_id for e in latin1.element_sets] == [25544]
    assert {r.location for r in latin1.rejections} == {"line 4", "line 5"}
    assert all("UTF-8" in r.reason for r in latin1.rejections)


def test_csv_rows(data_dir):
    result = read_catalog_file(data_dir / "malformed" / "mixed_bad_omm.csv")
    assert [e.norad_id for e in result.element_sets] == [900, 270000123]
    reasons = _reasons(result)
    assert "missing or empty" in reasons[("line 3", "EPOCH")]
    assert "outside [0, 1)" in reasons[("line 4", "ECCENTRICITY")]
    assert "outside (0, 17.0]" in reasons[("line 5", "MEAN_MOTION")]
    assert "not an ISO 8601" in reasons[("line 6", "EPOCH")]
    assert "not a number" in reasons[("line 7", "INCLINATION")]
    assert "1 to 9 digits" in reasons[("line 8", "NORAD_CAT_ID")]
    assert "more values" in reasons[("line 9", None)]


def test_csv_without_mandatory_columns(tmp_path):
    path = tmp_path / "partial.csv"
    path.write_text("OBJECT_NAME,NORAD_CAT_ID\nISS,25544\n")
    result = read_catalog_file(path)
    assert not result.element_sets
    (rejection,) = result.rejections
    assert rejection.location == "line 1" and "EPOCH" in rejection.reason


def test_json_records(data_dir):
    result = read_catalog_file(data_dir / "malformed" / "mixed_bad_omm.json")
    assert [e.norad_id for e in result.element_sets] == [5, 345678901]
    assert result.element_sets[1].object_type == "DEBRIS"
    reasons = _reasons(result)
    assert "missing" in reasons[("record 2", "BSTAR")]
    assert "400.0" in reasons[("record 3", "RA_OF_ASC_NODE")]
    assert "not a JSON object" in reasons[("record 4", None)]
    assert "TEME" in reasons[("record 5", "REF_FRAME")]


def test_json_syntax_error_names_the_line(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('[\n {"OBJECT_NAME": "X",\n  "EPOCH" "2026"}\n]')
    (rejection,) = read_catalog_file(path).rejections
    assert rejection.location == "line 3" and "not valid JSON" in rejection.reason


def test_xml_segments(data_dir):
    result = read_catalog_file(data_dir / "malformed" / "mixed_bad_omm.xml")
    assert [e.norad_id for e in result.element_sets] == [5]
    reasons = _reasons(result)
    assert ("record 3", "EPOCH") in reasons
    assert any(location == "record 2" and "MEAN_MOTION" in field for location, field in reasons)


def test_truncated_xml_names_the_line(data_dir):
    (rejection,) = read_catalog_file(data_dir / "malformed" / "truncated.xml").rejections
    assert rejection.location == "line 3" and "not well-formed" in rejection.reason


def test_kvn_messages_report_the_line_of_the_bad_value(data_dir):
    result = read_catalog_file(data_dir / "malformed" / "mixed_bad_omm.kvn")
    assert [e.norad_id for e in result.element_sets] == [5, 270000123]
    reasons = _reasons(result)
    assert "twice" in reasons[("line 48", "NORAD_CAT_ID")]
    assert "not a KEYWORD = value line" in reasons[("line 81", None)]
    assert "'abc' is not a number" in reasons[("line 68", "INCLINATION")]
    assert "missing" in reasons[("line 84", "EPOCH")]


@pytest.mark.parametrize("content, reason", [(None, "file not found"), (b"", "file is empty"),
                                             (b"\n\n  \n", "file is empty"),
                                             (b"just some words\nand more\n", "no element sets found")])
def test_unusable_files(tmp_path, content, reason):
    path = tmp_path / "catalog.tle"
    if content is not None:
        path.write_bytes(content)
    (rejection,) = read_catalog_file(path).rejections
    assert rejection.source == str(path) and reason in rejection.reason


def test_directory_instead_of_file(tmp_path):
    (rejection,) = read_catalog_file(tmp_path).rejections
    assert "directory" in rejection.reason


def test_one_bad_file_costs_nothing_else(data_dir, tmp_path):
    missing = tmp_path / "gone.tle"
    result = read_catalog_files([missing, data_dir / "malformed" / "mixed_bad.tle", data_dir / "python-sgp4_sample_omm.xml"])
    catalog = Catalog.from_read_result(result)
    assert sorted(catalog.norad_id.tolist()) == [5, 20580, 25544, 100005]
    assert any(r.source == str(missing) for r in catalog.rejections)

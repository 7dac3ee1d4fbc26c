"""Reading every supported format, and the same object giving the same elements in each."""

from __future__ import annotations

import numpy as np
import pytest

from app.catalog import Catalog
from app.catalog.ingest import detect_format, read_catalog_file
from app.catalog.ingest.tle import parse_alpha5, read_tle_text, tle_checksum
from app.live.engine import propagate

ISS_3LE = """ISS (ZARYA)
1 25544U 98067A   26223.14934248  .00003640  00000+0  73197-4 0  9993
2 25544  51.6325  28.0815 0007436  34.6982 325.4490 15.49408704580271
"""


def test_two_line_three_line_and_zero_prefixed_names_read_alike():
    two_line = "\n".join(ISS_3LE.splitlines()[1:])
    zero_prefixed = "0 " + ISS_3LE
    names = []
    for text in (ISS_3LE, two_line, zero_prefixed):
        result = read_tle_text(text)
        assert not result.rejections
        (element_set,) = result.element_sets
        assert element_set.norad_id == 25544
        assert element_set.intl_designator == "1998-067A"
        names.append(element_set.name)
    assert names == ["ISS (ZARYA)", "", "ISS (ZARYA)"]


@pytest.mark.parametrize("field, number", [("25544", 25544), ("00005", 5), ("A0005", 100005),
                                           ("Z9999", 339999), ("J0001", 180001), ("  123", 123)])
def test_alpha5_catalog_numbers(field, number):
    assert parse_alpha5(field) == number


def test_checksum_matches_published_lines():
    for line in ISS_3LE.splitlines()[1:]:
        assert tle_checksum(line) == int(line[68])


def test_omm_formats_give_the_sgp4_sample(data_dir):
    """python-sgp4's sample OMM (VANGUARD 1) as CSV and XML: the same elements."""
    satrecs = []
    for name in ("python-sgp4_sample_omm.csv", "python-sgp4_sample_omm.xml"):
        result = read_catalog_file(data_dir / name)
        assert not result.rejections
        (element_set,) = result.element_sets
        assert (element_set.norad_id, element_set.name, element_set.intl_designator) == (5, "VANGUARD 1", "1958-002B")
        satrecs.append(element_set.satrec)
    for attribute in ("jdsatepoch", "jdsatepochF", "ecco", "inclo", "nodeo", "argpo", "mo", "no_kozai", "bstar"):
        assert getattr(satrecs[0], attribute) == getattr(satrecs[1], attribute)


def test_kvn_matches_xml_and_carries_nine_digit_numbers(data_dir):
    kvn = read_catalog_file(data_dir / "omm_two_messages.kvn")
    assert not kvn.rejections
    vanguard, big = kvn.element_sets
    xml = read_catalog_file(data_dir / "python-sgp4_sample_omm.xml").element_sets[0]
    for attribute in ("jdsatepoch", "jdsatepochF", "ecco", "inclo", "no_kozai", "bstar"):
        assert getattr(vanguard.satrec, attribute) == getattr(xml.satrec, attribute)
    assert big.norad_id == 270000123 and big.object_type == "PAYLOAD"


def test_nine_digit_object_propagates_like_its_tle_twin(data_dir):
    """The 9-digit KVN object has the ISS's elements: same positions as the ISS TLE (to
    the precision the OMM's epoch and decimal fields keep)."""
    big = read_catalog_file(data_dir / "omm_two_messages.kvn").element_sets[1]
    iss = read_tle_text(ISS_3LE).element_sets[0]
    catalog = Catalog([big, iss])
    assert 270000123 in catalog and catalog.row_of(270000123) == 0
    snapshot = propagate(catalog, (2461264.5, 0.5))
    assert snapshot.valid.all()
    assert np.linalg.norm(snapshot.r_teme_km[0] - snapshot.r_teme_km[1]) < 0.01


def test_json_reads_the_sgp4_sample(data_dir):
    result = read_catalog_file(data_dir / "python-sgp4_sample_omm.json")
    assert not result.rejections and result.element_sets[0].norad_id == 5


@pytest.mark.parametrize("name, expected", [
    ("a.tle", "tle"), ("a.xml", "omm-xml"), ("a.json", "omm-json"), ("a.csv", "omm-csv"), ("a.kvn", "omm-kvn"),
])
def test_format_from_extension(tmp_path, name, expected):
    assert detect_format(tmp_path / name, b"") == expected


def test_format_sniffed_when_extension_says_nothing(tmp_path, data_dir):
    for source, expected in (("python-sgp4_sample_omm.xml", "omm-xml"), ("python-sgp4_sample_omm.json", "omm-json"),
                             ("python-sgp4_sample_omm.csv", "omm-csv"), ("omm_two_messages.kvn", "omm-kvn")):
        data = (data_dir / source).read_bytes()
        assert detect_format(tmp_path / "download.dat", data) == expected
        target = tmp_path / f"{expected}.dat"
        target.write_bytes(data)
        assert read_catalog_file(target).element_sets


def test_celestrak_csv_reads_whole_file(data_dir):
    """A slice of CelesTrak's GP CSV (tests/data/celestrak_gp_sample.csv): every row loads."""
    result = read_catalog_file(data_dir / "celestrak_gp_sample.csv")
    assert not result.rejections
    assert len(result.element_sets) == 200

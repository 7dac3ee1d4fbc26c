"""Element sets out (issue #16): OMM (XML, KVN, JSON, CSV), TLE and CZML, each through the
releasability filter and carrying its marking.

Authorities: python-sgp4's own OMM reader (``sgp4.omm.parse_xml`` / ``parse_csv`` /
``initialize``) must make the very same ``Satrec`` from our OMM; the console's readers must
read every file back; the bundled catalog's TLE lines must come back byte for byte; czml3
must parse the CZML; Skyfield's GCRS must agree with the CZML's inertial positions.

Precision, as the formats allow (see ``app.exchange.omm_out``):
- OMM: every element to the bit for element sets read from an OMM (epoch included); for
  element sets read from a TLE, every element to the bit except the mean motion, which for
  the 7 % of them that sgp4's OMM formula cannot make comes back one unit in the last place
  off, and the epoch, within 1 us (positions within 1 cm).
- TLE: the bundled catalog's lines byte for byte; an OMM's elements to the TLE's columns.
- CZML: positions to the millimetre the file holds; INERTIAL within 1 m of Skyfield's GCRS
  (measured: a few mm)."""

from __future__ import annotations

import argparse
import csv
import dataclasses
import io
import json
import math
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pytest
from sgp4 import omm as sgp4_omm
from sgp4.api import WGS72, Satrec
from sgp4.exporter import export_omm as sgp4_export_omm

from app.astro.frames import teme_to_gcrs_many_epochs, teme_to_itrs_many_epochs
from app.astro.timeutil import datetime_to_jd
from app.catalog.catalog import Catalog, newest_per_catalog_number
from app.catalog.ingest import ElementSet, read_catalog_bytes, read_catalog_file
from app.catalog.ingest.omm import read_omm_kvn
from app.common.spreadsheet import read_cell
from app.common.user_settings import Operator
from app.exchange.czml_out import CzmlError, export_czml
from app.exchange.omm_out import GP_FIELDS, KVN_UNITS, export_omm
from app.exchange.release import releasable
from app.exchange.tle_out import export_tle

ELEMENTS = ("ecco", "inclo", "nodeo", "argpo", "mo", "bstar", "ndot", "nddot")
SGP4_MAX_SATNUM = 339_999
WHEN = datetime(2026, 8, 12, 10, 0, 0, tzinfo=timezone.utc)  # the export time, fixed
OFFICER = Operator("alice", "GBR", clearance="SECRET")
START = datetime(2026, 8, 12, tzinfo=timezone.utc)


# --- catalogs -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def omm_sets(data_dir) -> list[ElementSet]:
    """Element sets sgp4's OMM reader made: CelesTrak's GP CSV sample (200), python-sgp4's
    sample OMMs, a KVN with a 9-digit catalog number."""
    sets = []
    for name in ("celestrak_gp_sample.csv", "python-sgp4_sample_omm.json", "python-sgp4_sample_omm.xml",
                 "omm_two_messages.kvn"):
        read = read_catalog_file(data_dir / name)
        assert read.rejected_count == 0
        sets += read.element_sets
    return newest_per_catalog_number(sets)[0]


@pytest.fixture(scope="module")
def tle_sets(default_catalog, omm_sets) -> list[ElementSet]:
    """A few hundred of the bundled catalog's element sets (read from TLEs): a spread of every
    regime, the most eccentric ones and GEO."""
    taken = {e.norad_id for e in omm_sets}
    cat = default_catalog
    rows = set(range(0, len(cat), 61))
    rows |= set(np.argsort(-cat.eccentricity)[:40].tolist())  # Molniyas, GTOs, HEO science
    rows |= set(np.flatnonzero(cat.regime == "GEO")[:40].tolist())
    rows |= set(np.flatnonzero(cat.regime == "MEO")[:20].tolist())
    rows.add(cat.row_of(25544))
    return [cat.element_sets[r] for r in sorted(rows) if cat.element_sets[r].norad_id not in taken]


@pytest.fixture(scope="module")
def mixed(tle_sets, omm_sets) -> Catalog:
    return Catalog(tle_sets + omm_sets)


def _omm_made(catalog: Catalog, omm_sets) -> np.ndarray:
    ids = {e.norad_id for e in omm_sets}
    return np.array([int(n) in ids for n in catalog.norad_id])


# --- reading back ---------------------------------------------------------------------------

def _sgp4_satrec(fields: dict) -> Satrec:
    fields = dict(fields)
    if int(fields["NORAD_CAT_ID"]) > SGP4_MAX_SATNUM:  # sgp4 holds at most Z9999 (our reader gives it 0 too)
        fields["NORAD_CAT_ID"] = "0"
    satrec = Satrec()
    sgp4_omm.initialize(satrec, fields)
    return satrec


def _kvn_messages(text: str) -> list[dict[str, str]]:
    """A small KVN reader: one dict per CCSDS_OMM_VERS, the units of numbers (in brackets) dropped."""
    messages: list[dict[str, str]] = []
    for line in text.splitlines():
        if not line.strip() or line.startswith("COMMENT"):
            continue
        key, _, value = line.partition("=")
        key, value = key.strip(), value.strip()
        if key in KVN_UNITS:
            value = value.split("[")[0].strip()
        if key == "CCSDS_OMM_VERS":
            messages.append({})
        messages[-1][key] = value
    return messages


def _without_comments(text: str) -> str:
    return "".join(line for line in text.splitlines(keepends=True) if not line.startswith("#"))


def sgp4_fields(fmt: str, text: str) -> list[dict]:
    """The records of an export as python-sgp4 reads them."""
    if fmt == "xml":
        return list(sgp4_omm.parse_xml(io.StringIO(text)))
    if fmt == "csv":  # the file's marking line is a comment, as in every CSV the console writes
        return list(sgp4_omm.parse_csv(io.StringIO(_without_comments(text))))
    if fmt == "json":
        return json.loads(text)
    return _kvn_messages(text)


def _positions(satrec: Satrec) -> np.ndarray:
    days = np.array([0.0, 0.0625, 1.0, 3.0])
    _e, r, _v = satrec.sgp4_array(np.full(4, satrec.jdsatepoch), satrec.jdsatepochF + days)
    return r


def assert_same_satrec(original: Satrec, again: Satrec, omm_made: bool) -> None:
    for name in ELEMENTS:
        assert getattr(again, name) == getattr(original, name), name
    if omm_made:
        assert again.no_kozai == original.no_kozai
        assert (again.jdsatepoch, again.jdsatepochF) == (original.jdsatepoch, original.jdsatepochF)
        assert np.array_equal(_positions(again), _positions(original))
    else:
        assert abs(again.no_kozai - original.no_kozai) <= math.ulp(original.no_kozai)
        assert again.jdsatepoch == original.jdsatepoch
        assert abs(again.jdsatepochF - original.jdsatepochF) * 86400e6 <= 1.0  # microseconds
        assert np.max(np.abs(_positions(again) - _positions(original))) < 1e-5  # km: 1 cm


# --- OMM ------------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["xml", "kvn", "json", "csv"])
def test_omm_reads_back_through_sgp4_into_the_same_satrecs(fmt, mixed, omm_sets):
    release = releasable(mixed, None, OFFICER, exported_utc=WHEN)
    result = export_omm(mixed, release, fmt)
    assert result.exported == len(mixed) > 400 and result.left_out == []
    records = sgp4_fields(fmt, result.text)
    assert len(records) == len(mixed)
    omm_made = _omm_made(mixed, omm_sets)
    assert omm_made.sum() > 200 and (~omm_made).sum() > 250
    assert {"HEO", "GEO", "MEO", "LEO"} <= set(mixed.regime.tolist())
    off_by_an_ulp = 0
    for row, fields in enumerate(records):
        assert int(fields["NORAD_CAT_ID"]) == mixed.norad_id[row]
        assert fields["OBJECT_NAME"] == mixed.name[row]
        again = _sgp4_satrec(fields)
        assert_same_satrec(mixed.satrecs[row], again, bool(omm_made[row]))
        off_by_an_ulp += again.no_kozai != mixed.satrecs[row].no_kozai
    assert off_by_an_ulp <= 0.12 * len(mixed)  # the mean motions sgp4's OMM formula cannot make (7 % measured)


@pytest.mark.parametrize("fmt, suffix", [("xml", "xml"), ("kvn", "kvn"), ("json", "json"), ("csv", "csv")])
def test_omm_reads_back_through_the_consoles_reader(fmt, suffix, mixed, omm_sets):
    text = export_omm(mixed, releasable(mixed, None, OFFICER, exported_utc=WHEN), fmt).text
    read = read_catalog_bytes(text.encode(), f"export.{suffix}")
    assert read.rejected_count == 0, [str(r) for r in read.rejections[:3]]
    again = Catalog(read.element_sets)
    assert again.norad_id.tolist() == mixed.norad_id.tolist()
    assert again.name.tolist() == mixed.name.tolist()  # "COSMOS 2433 [GLONASS-M]" too: not a unit
    assert again.intl_designator.tolist() == mixed.intl_designator.tolist()
    assert again.classification.tolist() == mixed.classification.tolist()
    omm_made = _omm_made(mixed, omm_sets)
    for row in range(len(mixed)):
        assert_same_satrec(mixed.satrecs[row], again.satrecs[row], bool(omm_made[row]))


def test_omm_export_is_a_fixed_point_after_one_trip(mixed, omm_sets):
    """What sgp4's reader made from our file, written again, gives the same file: element sets
    read from OMM at once, those read from TLEs after one trip."""
    def trip(catalog: Catalog) -> tuple[str, Catalog]:
        text = export_omm(catalog, releasable(catalog, None, OFFICER, exported_utc=WHEN), "xml").text
        return text, Catalog(read_catalog_bytes(text.encode(), "trip.xml").element_sets)

    only_omm = Catalog(omm_sets)
    first, again = trip(only_omm)
    assert trip(again)[0] == first
    _, once = trip(mixed)
    second, twice = trip(once)
    assert trip(twice)[0] == second


def test_gp_field_names_are_celestraks_and_sgp4s(data_dir, mixed):
    header = (data_dir / "celestrak_gp_sample.csv").read_text().splitlines()[0].split(",")
    assert list(GP_FIELDS) == header
    iss = mixed.satrecs[mixed.row_of(25544)]
    assert [k for k in sgp4_export_omm(iss, "ISS") if k in GP_FIELDS] == list(GP_FIELDS)
    json_record = json.loads(export_omm(mixed, releasable(mixed, [0], OFFICER), "json").text)[0]
    assert list(json_record)[:len(GP_FIELDS)] == list(GP_FIELDS)
    assert isinstance(json_record["MEAN_MOTION"], float) and isinstance(json_record["NORAD_CAT_ID"], int)


def test_omm_writes_celestraks_own_values_back(data_dir, omm_sets):
    """Element sets read from CelesTrak's GP CSV are written with numbers that read as
    CelesTrak's (the same doubles), and the same microsecond epochs."""
    catalog = Catalog(omm_sets)
    ours = {int(r["NORAD_CAT_ID"]): r for r in csv.DictReader(io.StringIO(_without_comments(
        export_omm(catalog, releasable(catalog, None, OFFICER), "csv").text)))}
    with open(data_dir / "celestrak_gp_sample.csv", newline="") as handle:
        for theirs in csv.DictReader(handle):
            mine = ours[int(theirs["NORAD_CAT_ID"])]
            assert mine["EPOCH"] == theirs["EPOCH"]
            for key in ("MEAN_MOTION", "ECCENTRICITY", "INCLINATION", "RA_OF_ASC_NODE", "ARG_OF_PERICENTER",
                        "MEAN_ANOMALY", "BSTAR", "MEAN_MOTION_DOT", "MEAN_MOTION_DDOT"):
                assert float(mine[key]) == float(theirs[key]), key


def test_omm_xml_is_ndm_xml_omm_2_with_the_marking_on_top(mixed):
    text = export_omm(mixed, releasable(mixed, [0, 1, 2], OFFICER, exported_utc=WHEN), "xml").text
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<ndm ')
    root = ET.fromstring(text.encode())
    assert root.tag == "ndm"
    messages = root.findall("omm")
    assert len(messages) == 3
    for message in messages:
        assert message.get("id") == "CCSDS_OMM_VERS" and message.get("version") == "2.0"
        header = message.find("header")
        assert [child.tag for child in header] == ["COMMENT", "CREATION_DATE", "ORIGINATOR"]
        assert header.find("COMMENT").text == "UNCLASSIFIED — exported 2026-08-12T10:00:00Z by alice (GBR)"
        assert header.find("ORIGINATOR").text == "GBR"
        segment = message.find("body/segment")
        assert [c.tag for c in segment.find("metadata")] == ["OBJECT_NAME", "OBJECT_ID", "CENTER_NAME", "REF_FRAME",
                                                             "TIME_SYSTEM", "MEAN_ELEMENT_THEORY"]
        assert [c.tag for c in segment.find("data")] == ["meanElements", "tleParameters"]
        assert segment.find("metadata/REF_FRAME").text == "TEME"


def test_omm_kvn_is_502_0_b_3_with_the_marking_on_top(mixed, omm_sets):
    text = export_omm(mixed, releasable(mixed, None, OFFICER, exported_utc=WHEN), "kvn").text
    assert text.isascii()
    lines = text.splitlines()
    assert lines[:3] == ["CCSDS_OMM_VERS = 3.0", "COMMENT UNCLASSIFIED - exported 2026-08-12T10:00:00Z by alice (GBR)",
                         "CLASSIFICATION = UNCLASSIFIED"]
    assert "MEAN_MOTION_DOT = " in text and "[rev/day**2]" in text and "[1/ER]" in text
    messages = _kvn_messages(text)
    assert len(messages) == len(mixed)
    assert all(list(m)[:5] == ["CCSDS_OMM_VERS", "CLASSIFICATION", "CREATION_DATE", "ORIGINATOR", "OBJECT_NAME"]
               for m in messages)
    read = read_omm_kvn(text.encode(), "export.kvn")  # the console's own KVN reader
    assert read.rejected_count == 0 and len(read.element_sets) == len(mixed)
    assert 270000123 in {e.norad_id for e in read.element_sets}  # a 9-digit catalog number survives


# --- TLE ------------------------------------------------------------------------------------

def test_tle_gives_back_the_bundled_catalogs_own_lines(default_catalog):
    """Every one of the 18,700 bundled element sets, through sgp4's exporter, gives the very
    lines CelesTrak wrote (and the console reads them back into the same Satrecs)."""
    from app.common.resources import default_catalog_paths

    result = export_tle(default_catalog, releasable(default_catalog, None, OFFICER, exported_utc=WHEN))
    assert result.exported == len(default_catalog) and result.left_out == []
    lines = result.text.splitlines()
    assert lines[0] == "# UNCLASSIFIED — exported 2026-08-12T10:00:00Z by alice (GBR)"
    source = {line.rstrip() for path in default_catalog_paths() for line in open(path, encoding="utf-8")
              if line[:2] in ("1 ", "2 ")}
    data = [line for line in lines[1:] if line[:2] in ("1 ", "2 ")]
    assert len(data) == 2 * len(default_catalog) and set(data) <= source
    again = read_catalog_bytes(result.text.encode(), "export.tle")
    assert again.rejected_count == 0
    for original, read in zip(default_catalog.element_sets[:2000], again.element_sets[:2000]):
        assert (read.norad_id, read.name, read.intl_designator) == (original.norad_id, original.name,
                                                                     original.intl_designator)
        for name in (*ELEMENTS, "no_kozai", "jdsatepoch", "jdsatepochF"):
            assert getattr(read.satrec, name) == getattr(original.satrec, name)


def test_tle_leaves_out_what_a_tle_cannot_number_and_keeps_alpha_5(omm_sets, mixed):
    iss = mixed.element_sets[mixed.row_of(25544)]
    satrec = Satrec()  # the ISS's elements under catalog number 100005 (Alpha-5 A0005)
    satrec.sgp4init(WGS72, "i", 100005, iss.satrec.jdsatepoch - 2433281.5 + iss.satrec.jdsatepochF,
                    *(getattr(iss.satrec, n) for n in ("bstar", "ndot", "nddot", "ecco", "argpo", "inclo", "mo",
                                                       "no_kozai", "nodeo")))
    alpha5 = dataclasses.replace(iss, norad_id=100005, satrec=satrec)
    catalog = Catalog(omm_sets + [alpha5])
    result = export_tle(catalog, releasable(catalog, None, OFFICER))
    assert [x.norad_id for x in result.left_out] == [270000123]
    assert "does not fit a TLE" in result.left_out[0].reason
    assert result.exported == len(catalog) - 1
    assert "\n1 A0005U " in result.text
    read = read_catalog_bytes(result.text.encode(), "export.tle")
    assert read.rejected_count == 0
    by_id = {e.norad_id: e for e in read.element_sets}
    assert 100005 in by_id
    for element_set in omm_sets:  # OMM precision cut to the TLE's columns
        if element_set.norad_id > SGP4_MAX_SATNUM:
            continue
        a, b = element_set.satrec, by_id[element_set.norad_id].satrec
        assert abs(a.no_kozai - b.no_kozai) * 1440 / (2 * math.pi) <= 0.5e-8 + 1e-15
        assert abs(a.ecco - b.ecco) <= 0.5e-7 + 1e-15
        for name in ("inclo", "nodeo", "argpo", "mo"):
            assert abs(math.degrees(getattr(a, name) - getattr(b, name))) <= 0.5e-4 + 1e-12
        assert abs((a.jdsatepoch - b.jdsatepoch) + (a.jdsatepochF - b.jdsatepochF)) <= 0.5e-8 + 1e-12


# --- CZML -----------------------------------------------------------------------------------

def _decaying() -> ElementSet:
    """A low, heavy-drag object: SGP4 gives up on it within half a day of its epoch."""
    satrec = Satrec()
    epoch = (datetime(2026, 8, 12) - datetime(1949, 12, 31)).total_seconds() / 86400
    satrec.sgp4init(WGS72, "i", 99001, epoch, 0.05, 0.0, 0.0, 0.001, 0.1, 0.9, 0.2, 16.2 / (1440 / (2 * math.pi)),
                    0.3)
    return ElementSet(satrec, 99001, "DECAYING", "2026-999A", "U", "test", "record 1")


@pytest.fixture(scope="module")
def czml_catalog(default_catalog) -> Catalog:
    cat = default_catalog
    molniya = int(np.flatnonzero((cat.eccentricity > 0.6) & (cat.period_min > 600))[0])
    geo = int(np.flatnonzero(cat.regime == "GEO")[0])
    return Catalog([cat.element_sets[r] for r in (cat.row_of(25544), geo, molniya)] + [_decaying()])


def _lagrange(times: np.ndarray, values: np.ndarray, at: float, degree: int = 5) -> np.ndarray:
    """Degree-5 Lagrange through the samples nearest ``at``, as Cesium interpolates."""
    nearest = np.sort(np.argsort(np.abs(times - at))[:degree + 1])
    t, v = times[nearest], values[nearest]
    result = np.zeros(values.shape[1])
    for i in range(len(t)):
        weight = np.prod([(at - t[j]) / (t[i] - t[j]) for j in range(len(t)) if j != i])
        result += weight * v[i]
    return result


@pytest.mark.parametrize("frame", ["INERTIAL", "FIXED"])
def test_czml_document_samples_and_positions(frame, czml_catalog):
    rows = [0, 1, 2]
    result = export_czml(czml_catalog, releasable(czml_catalog, rows, OFFICER, exported_utc=WHEN), START, 2.0,
                         60.0, frame)
    document = json.loads(result.text)
    assert result.exported == 3 and result.left_out == [] and result.warnings == []
    head = document[0]
    assert head["id"] == "document" and head["version"] == "1.0"
    assert head["clock"]["interval"] == "2026-08-12T00:00:00Z/2026-08-12T02:00:00Z"
    assert head["clock"]["currentTime"] == "2026-08-12T00:00:00Z" and head["clock"]["multiplier"] > 0
    assert head["name"].startswith("UNCLASSIFIED") and head["description"].startswith("UNCLASSIFIED — exported")
    assert [p["id"] for p in document[1:]] == [str(czml_catalog.norad_id[r]) for r in rows]
    offsets = np.arange(121) * 60.0
    jd0, fr0 = datetime_to_jd(START)
    jd, fr = np.full(121, jd0), fr0 + offsets / 86400.0
    for packet, row in zip(document[1:], rows):
        position = packet["position"]
        assert position["epoch"] == "2026-08-12T00:00:00Z" and position["referenceFrame"] == frame
        assert position["interpolationAlgorithm"] == "LAGRANGE" and position["interpolationDegree"] == 5
        samples = np.array(position["cartesian"]).reshape(-1, 4)
        assert np.array_equal(samples[:, 0], offsets)  # 2 h every 60 s: 121 samples, both ends
        _e, r_teme, _v = czml_catalog.satrecs[row].sgp4_array(jd, fr)
        expected = (teme_to_gcrs_many_epochs(r_teme, jd, fr) if frame == "INERTIAL"
                    else teme_to_itrs_many_epochs(r_teme, jd, fr))
        assert np.max(np.abs(samples[:, 1:] / 1000.0 - expected)) <= 0.6e-6  # km: rounded to the mm
        assert packet["availability"] == head["clock"]["interval"]
        assert packet["label"]["text"] == packet["name"] == czml_catalog.name[row]
        assert packet["description"].startswith("<p><b>UNCLASSIFIED</b></p>")
        # what Cesium draws between samples: within 5 m of SGP4 (60 s steps, degree 5)
        middle = 30.0 + 60.0 * np.arange(0, 120, 17)
        _e, r_mid, _v = czml_catalog.satrecs[row].sgp4_array(np.full(len(middle), jd0), fr0 + middle / 86400.0)
        exact = (teme_to_gcrs_many_epochs(r_mid, np.full(len(middle), jd0), fr0 + middle / 86400.0)
                 if frame == "INERTIAL" else
                 teme_to_itrs_many_epochs(r_mid, np.full(len(middle), jd0), fr0 + middle / 86400.0))
        for k, at in enumerate(middle):
            drawn = _lagrange(samples[:, 0], samples[:, 1:] / 1000.0, at)
            assert np.linalg.norm(drawn - exact[k]) < 5e-3


def test_czml_inertial_positions_agree_with_skyfields_gcrs(czml_catalog):
    skyfield_api = pytest.importorskip("skyfield.api")
    ts = skyfield_api.load.timescale(builtin=True)
    result = export_czml(czml_catalog, releasable(czml_catalog, [0, 1, 2], OFFICER), START, 24.0, 600.0)
    for packet, row in zip(json.loads(result.text)[1:], (0, 1, 2)):
        samples = np.array(packet["position"]["cartesian"]).reshape(-1, 4)
        satellite = skyfield_api.EarthSatellite.from_satrec(czml_catalog.satrecs[row], ts)
        t = ts.utc(2026, 8, 12, 0, 0, samples[:, 0])
        gcrs_m = satellite.at(t).position.km.T * 1000.0
        assert np.max(np.linalg.norm(samples[:, 1:] - gcrs_m, axis=1)) < 1.0  # metres (measured: < 5 mm)


def test_czml_parses_with_czml3(czml_catalog):
    czml3 = pytest.importorskip("czml3")
    result = export_czml(czml_catalog, releasable(czml_catalog, [0, 1, 2], OFFICER), START, 1.0, 120.0)
    document = czml3.Document.model_validate(json.loads(result.text))
    assert document.packets[0].id == "document" and document.packets[0].version == "1.0"
    assert [p.id for p in document.packets[1:]] == [str(n) for n in czml_catalog.norad_id[:3]]
    samples = document.packets[1].position.cartesian
    assert len(json.loads(document.model_dump_json(exclude_none=True))[1]["position"]["cartesian"]) == 31 * 4
    assert samples is not None
    with pytest.raises(Exception):  # czml3 does check: a document without its preamble is refused
        czml3.Document.model_validate([{"id": "x", "version": "1.0"}, *json.loads(result.text)[1:]])


def test_czml_leaves_out_samples_and_objects_sgp4_cannot_give(czml_catalog):
    release = releasable(czml_catalog, None, OFFICER)
    partly = export_czml(czml_catalog, release, START, 24.0, 600.0)
    assert partly.exported == 4 and partly.left_out == []
    assert len(partly.warnings) == 1 and partly.warnings[0].startswith("99001 (DECAYING)")
    decaying = json.loads(partly.text)[-1]
    kept = np.array(decaying["position"]["cartesian"]).reshape(-1, 4)
    assert 0 < len(kept) < 145 and decaying["availability"].endswith(
        (START + timedelta(seconds=kept[-1, 0])).strftime("%Y-%m-%dT%H:%M:%SZ"))
    later = export_czml(czml_catalog, release, START + timedelta(days=3), 2.0, 60.0)
    assert later.exported == 3 and [x.norad_id for x in later.left_out] == [99001]
    assert "no position over the span" in later.left_out[0].reason


def test_czml_refuses_a_frame_step_or_size_it_cannot_make(czml_catalog):
    release = releasable(czml_catalog, [0], OFFICER)
    for kwargs in ({"frame": "TEME"}, {"step_s": 0.0}, {"step_s": 7201.0}, {"hours": -1.0}):
        arguments = {"hours": 2.0, "step_s": 60.0, "frame": "INERTIAL", **kwargs}
        with pytest.raises(CzmlError):
            export_czml(czml_catalog, release, START, **arguments)
    with pytest.raises(CzmlError, match="more than"):
        export_czml(czml_catalog, release, START, 744.0, 1.0)


def test_czml_sample_times_end_on_the_span(czml_catalog):
    release = releasable(czml_catalog, [0], OFFICER)
    for step_s, count in ((25.0, 145), (7.0, 516)):  # 0, 25 ... 3600; 0, 7 ... 3598 and the end, 3600
        result = export_czml(czml_catalog, release, START, 1.0, step_s)
        times = np.array(json.loads(result.text)[1]["position"]["cartesian"]).reshape(-1, 4)[:, 0]
        assert times[0] == 0.0 and times[-1] == 3600.0 and len(times) == count


# --- marking and releasability --------------------------------------------------------------

@pytest.fixture(scope="module")
def classified(default_catalog) -> Catalog:
    """Three element sets: UNCLASSIFIED, CONFIDENTIAL, SECRET."""
    cat = default_catalog
    rows = [cat.row_of(25544), int(np.flatnonzero(cat.regime == "GEO")[0]), cat.row_of(20580)]
    return Catalog([dataclasses.replace(cat.element_sets[r], classification=c) for r, c in zip(rows, "UCS")])


def test_a_record_above_the_clearance_or_the_limit_is_left_out_and_counted(classified):
    low = Operator("bob", "USA", clearance="CONFIDENTIAL")
    release = releasable(classified, None, low, exported_utc=WHEN)
    assert release.rows.tolist() == [0, 1]
    assert release.marking == "CONFIDENTIAL//REL TO USA"
    assert release.record_markings == ["UNCLASSIFIED", "CONFIDENTIAL//REL TO USA"]
    assert [(x.norad_id, x.reason) for x in release.left_out] == [
        (20580, "SECRET is above the operator's clearance (CONFIDENTIAL)")]
    limited = releasable(classified, None, OFFICER, max_classification="UNCLASSIFIED")
    assert limited.rows.tolist() == [0] and limited.marking == "UNCLASSIFIED"
    assert all("above the export's limit (UNCLASSIFIED)" in x.reason for x in limited.left_out)
    everything = releasable(classified, None, OFFICER, exported_utc=WHEN)
    assert everything.marking == "SECRET//REL TO GBR" and everything.left_out == []
    assert everything.marking_line() == "SECRET//REL TO GBR — exported 2026-08-12T10:00:00Z by alice (GBR)"


def test_for_a_partner_only_what_it_may_see_goes_out(classified):
    release = releasable(classified, None, OFFICER, for_nation="FRA")
    assert release.rows.tolist() == [0] and release.marking == "UNCLASSIFIED"
    assert len(release.left_out) == 2 and all("not releasable to FRA" in x.reason for x in release.left_out)
    own = releasable(classified, None, OFFICER, for_nation="GBR")
    assert own.rows.tolist() == [0, 1, 2]


def test_no_identity_and_no_limit_is_refused_and_an_unknown_marking_never_goes_out(classified):
    with pytest.raises(ValueError):
        releasable(classified, None, None)
    odd = Catalog([dataclasses.replace(classified.element_sets[0], classification="X")])
    release = releasable(odd, None, OFFICER)
    assert release.rows.tolist() == [] and "never exported" in release.left_out[0].reason


def test_every_format_carries_the_marking(classified):
    release = releasable(classified, None, Operator("bob", "USA", clearance="CONFIDENTIAL"), exported_utc=WHEN)
    line = "CONFIDENTIAL//REL TO USA — exported 2026-08-12T10:00:00Z by bob (USA)"
    xml = export_omm(classified, release, "xml")
    assert xml.marking == "CONFIDENTIAL//REL TO USA" and len(xml.left_out) == 1
    assert all(c.text == line for c in ET.fromstring(xml.text.encode()).iter("COMMENT"))
    kvn = export_omm(classified, release, "kvn").text
    assert kvn.count(f"COMMENT {line.replace('—', '-')}\n") == 2
    assert "CLASSIFICATION = UNCLASSIFIED\n" in kvn and "CLASSIFICATION = CONFIDENTIAL//REL TO USA\n" in kvn
    records = json.loads(export_omm(classified, release, "json").text)
    assert [r["MARKING"] for r in records] == ["UNCLASSIFIED", "CONFIDENTIAL//REL TO USA"]
    assert [r["CLASSIFICATION_TYPE"] for r in records] == ["U", "C"] and {r["COMMENT"] for r in records} == {line}
    table = export_omm(classified, release, "csv").text.splitlines()
    assert table[0] == f"# {line}"
    assert [row["MARKING"] for row in csv.DictReader(table[1:])] == ["UNCLASSIFIED", "CONFIDENTIAL//REL TO USA"]
    tle = export_tle(classified, release).text.splitlines()
    assert tle[0] == f"# {line}" and tle[2][7] == "U" and tle[5][7] == "C"
    czml = json.loads(export_czml(classified, release, START, 1.0, 300.0).text)
    assert czml[0]["name"].startswith("CONFIDENTIAL//REL TO USA — ") and czml[0]["description"] == line
    assert "CONFIDENTIAL//REL TO USA" in czml[2]["description"]


# --- hostile names --------------------------------------------------------------------------

HOSTILE = 'EVIL "SAT", <b>&amp; \'1\'</b>\nLINE2\rCR ]]> ; # [deg]'


@pytest.fixture(scope="module")
def hostile(default_catalog) -> Catalog:
    cat = default_catalog
    return Catalog([dataclasses.replace(cat.element_sets[cat.row_of(25544)], name=HOSTILE),
                    dataclasses.replace(cat.element_sets[cat.row_of(20580)], name="=cmd|' /C calc'!A0")])


def test_hostile_names_survive_xml_csv_json_and_czml(hostile):
    release = releasable(hostile, None, OFFICER)
    xml = export_omm(hostile, release, "xml").text
    assert "<b>" not in xml and "&lt;b&gt;&amp;amp;" in xml
    assert [e.text for e in ET.fromstring(xml.encode()).iter("OBJECT_NAME")] == [HOSTILE, "=cmd|' /C calc'!A0"]
    assert [f["OBJECT_NAME"] for f in sgp4_omm.parse_xml(io.StringIO(xml))] == [HOSTILE, "=cmd|' /C calc'!A0"]
    table = export_omm(hostile, release, "csv").text
    rows = list(csv.DictReader(io.StringIO(_without_comments(table), newline="")))
    assert [read_cell(r["OBJECT_NAME"]) for r in rows] == [HOSTILE, "=cmd|' /C calc'!A0"]
    assert rows[1]["OBJECT_NAME"].startswith("'=")  # a spreadsheet shows it as text, never runs it
    assert [r["OBJECT_NAME"] for r in json.loads(export_omm(hostile, release, "json").text)] == [
        HOSTILE, "=cmd|' /C calc'!A0"]
    czml = json.loads(export_czml(hostile, release, START, 1.0, 600.0).text)
    assert czml[1]["name"] == HOSTILE and czml[1]["label"]["text"] == HOSTILE
    assert "<b>&amp;amp;" not in czml[1]["description"] and "&lt;b&gt;" in czml[1]["description"]
    for fmt in ("xml", "json"):  # and the console reads the name back as it was
        read = read_catalog_bytes(export_omm(hostile, release, fmt).text.encode(), f"x.{fmt}")
        assert [e.name for e in read.element_sets][0] == HOSTILE


def test_hostile_names_cannot_break_kvn_or_tle_lines(hostile):
    release = releasable(hostile, None, OFFICER)
    kvn = export_omm(hostile, release, "kvn").text
    read = read_omm_kvn(kvn.encode(), "x.kvn")
    assert read.rejected_count == 0 and len(read.element_sets) == 2
    assert read.element_sets[0].name.startswith('EVIL "SAT", <b>&amp; \'1\'</b> LINE2 CR ]]> ;')
    tle = export_tle(hostile, release).text
    assert len(tle.splitlines()) == 7
    read = read_catalog_bytes(tle.encode(), "x.tle")
    assert read.rejected_count == 0 and [e.name for e in read.element_sets][0] == HOSTILE.replace(
        "\n", " ").replace("\r", " ")


# --- the command line -----------------------------------------------------------------------

def _parser() -> argparse.ArgumentParser:
    from app.cli.export import add_export_parser

    common = argparse.ArgumentParser(add_help=False)
    parser = argparse.ArgumentParser(prog="spaceops")
    commands = parser.add_subparsers(dest="command")
    add_export_parser(commands, common)
    return parser


def _spaceops(argv: list[str], capsys) -> tuple[int, dict | None, str]:
    from app.cli.export import export_command

    code = export_command(_parser().parse_args(argv))
    out, err = capsys.readouterr()
    return code, (json.loads(out) if out.strip() else None), err


@pytest.fixture()
def catalog_file(tmp_path, classified, omm_sets) -> Path:
    """An OMM JSON catalog: the UNCLASSIFIED, CONFIDENTIAL and SECRET element sets, and the
    9-digit one."""
    nine = [e for e in omm_sets if e.norad_id == 270000123]
    catalog = Catalog(list(classified.element_sets) + nine)
    path = tmp_path / "catalog.json"
    path.write_text(export_omm(catalog, releasable(catalog, None, OFFICER), "json").text)
    return path


@pytest.fixture()
def no_database(tmp_path, monkeypatch):
    """No settings and no database where the single seat keeps them."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))


def test_cli_omm_without_a_database_exports_unclassified_only(tmp_path, catalog_file, no_database, capsys):
    out = tmp_path / "out.xml"
    code, summary, err = _spaceops(["export", "omm", "--catalog", str(catalog_file), "--out", str(out)], capsys)
    assert code == 3  # records left out
    assert "not on the roster" in err and "2 object(s) left out" in err
    assert summary["format"] == "xml" and summary["exported"] == 2 and summary["marking"] == "UNCLASSIFIED"
    assert {x["norad_id"] for x in summary["left_out"]} == {20580, int(classified_geo_id(catalog_file))}
    assert len(list(sgp4_omm.parse_xml(str(out)))) == 2


def classified_geo_id(path: Path) -> int:
    return next(r["NORAD_CAT_ID"] for r in json.loads(path.read_text()) if r["CLASSIFICATION_TYPE"] == "C")


def test_cli_reads_the_operator_from_the_database(tmp_path, catalog_file, no_database, capsys):
    from app.common.user_settings import current_user
    from app.storage.floor import add_operator

    url = f"sqlite:///{tmp_path / 'seat.db'}"
    add_operator(url, current_user(), "GBR", ("watch_officer",), "SECRET")
    out = tmp_path / "out.kvn"
    code, summary, _err = _spaceops(["export", "omm", "--catalog", str(catalog_file), "--database", url,
                                     "--out", str(out)], capsys)
    assert code == 0 and summary["format"] == "kvn" and summary["exported"] == 4
    assert summary["marking"] == "SECRET//REL TO GBR" and summary["exported_by"]["clearance"] == "SECRET"
    assert out.read_text().startswith("CCSDS_OMM_VERS = 3.0\nCOMMENT SECRET//REL TO GBR - exported ")
    code, summary, _err = _spaceops(["export", "omm", "--catalog", str(catalog_file), "--database", url,
                                     "--for-nation", "fra", "--format", "json", "--out", str(out)], capsys)
    assert code == 3 and summary["exported"] == 2 and summary["marking"] == "UNCLASSIFIED"
    code, _summary, err = _spaceops(["export", "tle", "--catalog", str(catalog_file), "--database",
                                     f"sqlite:///{tmp_path / 'absent.db'}", "--out", str(out)], capsys)
    assert code == 4 and "no database" in err


def test_cli_tle_names_what_a_tle_cannot_carry(tmp_path, catalog_file, no_database, monkeypatch, capsys):
    import app.cli.export as export_cli

    monkeypatch.setattr(export_cli, "resolve_operator", lambda args: OFFICER)
    out = tmp_path / "out.tle"
    code, summary, err = _spaceops(["export", "tle", "--catalog", str(catalog_file), "--out", str(out)], capsys)
    assert code == 3 and summary["exported"] == 3
    assert [x["norad_id"] for x in summary["left_out"]] == [270000123] and "270000123" in err
    assert read_catalog_file(out).rejected_count == 0


def test_cli_czml_ids_group_and_usage_errors(tmp_path, default_catalog, no_database, capsys):
    cat = default_catalog
    small = tmp_path / "small.tle"
    rows = [cat.row_of(25544), cat.row_of(20580), int(np.flatnonzero(cat.regime == "GEO")[0])]
    small.write_text(export_tle(cat, releasable(cat, rows, OFFICER)).text)
    out = tmp_path / "out.czml"
    out.write_text("old")
    argv = ["export", "czml", "--catalog", str(small), "--ids", "25544,20580", "--start", "2026-08-12T00:00:00Z",
            "--hours", "1", "--out", str(out)]
    code, summary, _err = _spaceops(argv, capsys)
    assert code == 0 and summary["exported"] == 2
    document = json.loads(out.read_text())
    assert document[0]["id"] == "document" and document[1]["position"]["referenceFrame"] == "INERTIAL"
    assert len(document[1]["position"]["cartesian"]) == 61 * 4
    before = out.read_text()
    code, _summary, err = _spaceops(argv + ["--step-s", "7200"], capsys)  # a step longer than the span
    assert code == 2 and "step" in err and out.read_text() == before  # the old file is left as it was
    code, summary, err = _spaceops(argv[:4] + ["--ids", "25544,1", *argv[6:], "--frame", "FIXED"], capsys)
    assert code == 3 and summary["exported"] == 1 and "1: catalog number not in the catalog" in err
    code, summary, _err = _spaceops(["export", "omm", "--catalog", str(small), "--group", "geo belt", "--out",
                                     str(tmp_path / "geo.csv")], capsys)
    assert code == 0 and summary["exported"] == 1 and summary["format"] == "csv"
    code, summary, _err = _spaceops(["export", "omm", "--catalog", str(small), "--group", "GEO belt", "--ids", "25544",
                                     "--out", str(tmp_path / "geo.csv")], capsys)
    assert code == 0 and summary["exported"] == 0
    code, _summary, err = _spaceops(["export", "omm", "--catalog", str(small), "--group", "nonsense", "--out",
                                     str(tmp_path / "x.xml")], capsys)
    assert code == 2 and "GEO belt" in err
    code, _summary, err = _spaceops(["export", "tle", "--out", str(tmp_path / "missing" / "x.tle")], capsys)
    assert code == 2 and "does not exist" in err
    with pytest.raises(SystemExit):
        _parser().parse_args(["export", "czml", "--start", "2026-08-12T00:00:00", "--hours", "1", "--out", "x"])


def test_a_marked_csv_reports_a_bad_row_at_its_own_line(mixed):
    """The marking line before the header is passed over, and line numbers still count it."""
    text = export_omm(mixed.subset([0, 1]), releasable(mixed.subset([0, 1]), None, OFFICER, exported_utc=WHEN),
                      "csv").text
    lines = text.splitlines()
    assert lines[0].startswith("#") and lines[1].startswith("OBJECT_NAME")
    header = lines[1].split(",")
    broken = lines[2].split(",")
    broken[header.index("ECCENTRICITY")] = "1.7"
    read = read_catalog_bytes("\n".join([lines[0], lines[1], ",".join(broken), lines[3]]).encode(), "marked.csv")
    assert len(read.element_sets) == 1
    assert [r.location for r in read.rejections] == ["line 3"]

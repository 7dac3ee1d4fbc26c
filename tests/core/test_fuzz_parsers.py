"""Generated garbage (hypothesis) for every reader: no exception escapes, and the good
records placed around the garbage in the same file still load."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.catalog.ingest import read_catalog_bytes

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

GOOD_3LE = ("ISS (ZARYA)\n"
            "1 25544U 98067A   26223.14934248  .00003640  00000+0  73197-4 0  9993\n"
            "2 25544  51.6325  28.0815 0007436  34.6982 325.4490 15.49408704580271\n")
GOOD_3LE_2 = ("HST\n"
              "1 20580U 90037B   26222.96225337  .00003432  00000+0  10286-3 0  9996\n"
              "2 20580  28.4729  66.0407 0002401  39.3084 320.7686 15.31314574796970\n")
OMM_FIELDS = {
    "OBJECT_NAME": "VANGUARD 1", "OBJECT_ID": "1958-002B", "EPOCH": "2020-10-13T04:52:48.472320",
    "MEAN_MOTION": "10.84869164", "ECCENTRICITY": ".1845686", "INCLINATION": "34.2443",
    "RA_OF_ASC_NODE": "225.5254", "ARG_OF_PERICENTER": "162.2516", "MEAN_ANOMALY": "205.2356",
    "EPHEMERIS_TYPE": "0", "CLASSIFICATION_TYPE": "U", "NORAD_CAT_ID": "5", "ELEMENT_SET_NO": "999",
    "REV_AT_EPOCH": "21814", "BSTAR": "-.22483E-4", "MEAN_MOTION_DOT": "-1.6E-7", "MEAN_MOTION_DDOT": "0",
}


def _ids(result):
    return sorted(e.norad_id for e in result.element_sets)


def _mutated_tle(draw_text: str, position: int, good: str) -> str:
    lines = good.splitlines()
    target = 1 + position % 2
    line = lines[target]
    index = position % len(line)
    lines[target] = line[:index] + draw_text + line[index + 1:]
    return "\n".join(lines) + "\n"


@FUZZ
@given(garbage=st.binary(max_size=3000))
def test_any_bytes_in_any_format(garbage):
    for fmt in ("tle", "omm-xml", "omm-kvn", "omm-json", "omm-csv"):
        result = read_catalog_bytes(garbage, "fuzz", fmt)
        assert all(r.source == "fuzz" and r.reason for r in result.rejections)


@FUZZ
@given(garbage=st.text(max_size=400), position=st.integers(0, 200), replacement=st.text(min_size=1, max_size=3))
def test_tle_garbage_between_good_records(garbage, position, replacement):
    text = GOOD_3LE + "\n" + garbage + "\n\n" + _mutated_tle(replacement, position, GOOD_3LE_2) + "\n" + GOOD_3LE_2
    result = read_catalog_bytes(text.encode("utf-8", "surrogatepass"), "fuzz.tle", "tle")
    ids = _ids(result)
    assert ids.count(25544) >= 1 and ids.count(20580) >= 1


@FUZZ
@given(values=st.dictionaries(st.sampled_from(sorted(OMM_FIELDS)), st.text(max_size=30), max_size=8))
def test_omm_json_with_garbled_fields(values):
    garbled = {**OMM_FIELDS, **values, "NORAD_CAT_ID": "6"}
    document = json.dumps([OMM_FIELDS, garbled, {**OMM_FIELDS, "NORAD_CAT_ID": "7"}])
    ids = _ids(read_catalog_bytes(document.encode(), "fuzz.json", "omm-json"))
    assert 5 in ids and 7 in ids


json_values = st.recursive(st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=20),
                           lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                           max_leaves=20)


@FUZZ
@given(junk=json_values)
def test_omm_json_with_any_value_between_records(junk):
    document = json.dumps([OMM_FIELDS, junk, {**OMM_FIELDS, "NORAD_CAT_ID": "7"}])
    ids = _ids(read_catalog_bytes(document.encode(), "fuzz.json", "omm-json"))
    assert 5 in ids and 7 in ids


@FUZZ
@given(row=st.text(alphabet=st.characters(blacklist_characters='"\r\n\x00', blacklist_categories=("Cs",)), max_size=200))
def test_omm_csv_garbage_row(row):
    header = ",".join(OMM_FIELDS)
    good = ",".join(OMM_FIELDS.values())
    other = good.replace(",5,999,", ",7,999,")
    document = "\n".join([header, good, row, other]) + "\n"
    ids = _ids(read_catalog_bytes(document.encode(), "fuzz.csv", "omm-csv"))
    assert 5 in ids and 7 in ids


@FUZZ
@given(values=st.dictionaries(st.sampled_from(sorted(OMM_FIELDS)), st.text(max_size=30), max_size=8))
def test_omm_kvn_garbled_message(values):
    def message(fields):
        return "CCSDS_OMM_VERS = 2.0\n" + "".join(f"{k} = {v}\n" for k, v in fields.items())
    garbled = {k: v.replace("\n", " ").replace("\r", " ") for k, v in {**OMM_FIELDS, **values, "NORAD_CAT_ID": "6"}.items()}
    document = message(OMM_FIELDS) + message(garbled) + message({**OMM_FIELDS, "NORAD_CAT_ID": "7"})
    ids = _ids(read_catalog_bytes(document.encode("utf-8", "surrogatepass"), "fuzz.kvn", "omm-kvn"))
    assert 5 in ids and 7 in ids


@FUZZ
@given(values=st.dictionaries(st.sampled_from(sorted(OMM_FIELDS)), st.text(max_size=30), max_size=8))
def test_omm_xml_garbled_segment(values):
    from xml.sax.saxutils import escape

    def segment(fields):
        body = "".join(f"<{k}>{escape(v)}</{k}>" for k, v in fields.items())
        return f"<omm><body><segment><metadata/><data>{body}</data></segment></body></omm>"
    printable = {k: "".join(c for c in v if c.isprintable()) for k, v in values.items()}
    garbled = {**OMM_FIELDS, **printable, "NORAD_CAT_ID": "6"}
    document = "<ndm>" + segment(OMM_FIELDS) + segment(garbled) + segment({**OMM_FIELDS, "NORAD_CAT_ID": "7"}) + "</ndm>"
    ids = _ids(read_catalog_bytes(document.encode(), "fuzz.xml", "omm-xml"))
    assert 5 in ids and 7 in ids

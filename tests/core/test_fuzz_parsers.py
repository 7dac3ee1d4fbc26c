"""Generated garbage (hypothesis) for every reader: no exception escapes, and the good
records placed around the garbage in the same file still load."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, example, given, settings
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
@example(garbage=b'<?xml version="1.0" encoding="U0TF-8"?><ndm/>')  # found in the CDM reader; OMM XML had it too
@example(garbage=b'<?xml version="1.0" encoding="UTF-32"?><ndm/>')
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


# --- every other reader and the commands: anything in gives a result or the reader's own ---------------
# --- error (with a message), never another exception ----------------------------------------------------

import contextlib  # noqa: E402
import copy  # noqa: E402
import io  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

import yaml  # noqa: E402

from app.catalog.ingest.records import ReadResult  # noqa: E402
from app.classroom.lesson import LessonError, parse_lesson  # noqa: E402
from app.cli.main import main  # noqa: E402
from app.common.user_settings import UserSettings, load_settings  # noqa: E402
from app.conjunction.cdm import CdmError, parse_cdm_kvn, parse_cdm_xml, read_cdm  # noqa: E402
from app.scenario.format import ScenarioError, parse_scenario  # noqa: E402
from app.sensors.sites import SensorStore  # noqa: E402
from app.state.console_state import ConsoleState, StateFileError  # noqa: E402
from app.tasking.exchange import ExchangeError, read_exchange_file  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
FEW = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SAMPLES = {
    "cdm-kvn": (DATA / "cdm" / "orekit_CDMExample1.txt").read_text(encoding="utf-8"),
    "cdm-xml": (DATA / "cdm" / "orekit_CDMExample1.xml").read_text(encoding="utf-8"),
    "scenario": (DATA / "scenarios" / "small_breakup.yaml").read_text(encoding="utf-8"),
    "lesson": (ROOT / "resources" / "lessons" / "orbits_and_regimes.yaml").read_text(encoding="utf-8"),
    "tasking-json": (DATA / "tasking" / "exchange_good.json").read_text(encoding="utf-8"),
    "tasking-csv": (DATA / "tasking" / "exchange_good.csv").read_text(encoding="utf-8"),
    "sensors": json.dumps([{"name": "Site A", "operator_nation": "GBR", "provider": "national", "sensor_type": "radar",
                            "lat_deg": 54.4, "lon_deg": -0.7, "alt_m": 340, "min_elevation_deg": 5,
                            "max_range_km": 5000, "status": "operational"}]),
    "settings": json.dumps({"database_url": "sqlite:///x.db", "password_file": ""}),
    "view": ConsoleState().to_json(),
    "catalog": GOOD_3LE + GOOD_3LE_2,
}
# what hostile files hold: numbers out of range, broken syntax of each format, odd characters
TOKENS = ["", "0", "-1", "1e309", "-1e309", "nan", "NaN", "inf", "-0", "1" * 40, "0x1F", "null", "true", "[", "]",
          "{", "}", ":", ",", "- ", "'", '"', "\\", "\x00", "\t", "\n", "\r", "é", "\U0001f4a5", "\ufeff", "\ud800",
          "2026-02-30T25:61:61Z", "9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z", "&a", "*a", "!!binary",
          "!!python/object/apply:os.system", "<", ">", "</", "]]>", "&a;", "=", "COMMENT", "[km]", "#"]
edits = st.lists(st.tuples(st.sampled_from(("replace", "insert", "delete", "repeat")), st.integers(0, 10**6),
                           st.integers(0, 40), st.sampled_from(TOKENS) | st.text(max_size=12)),
                 min_size=1, max_size=5)


def mutated(text: str, changes) -> str:
    """``text`` with each change applied at a position taken modulo its length."""
    for kind, position, length, token in changes:
        at = position % (len(text) + 1)
        if kind == "replace":
            text = text[:at] + token + text[at + length:]
        elif kind == "insert":
            text = text[:at] + token + text[at:]
        elif kind == "delete":
            text = text[:at] + text[at + length:]
        else:  # repeat a span (a duplicated key, record or line)
            text = text[:at + length] + text[at:at + length] + text[at + length:]
    return text


def replaced(document, index: int, value):
    """A copy of a parsed document with one node (chosen by ``index``) replaced by ``value``."""
    document = copy.deepcopy(document)
    paths = []

    def walk(node, path):
        paths.append(path)
        for key, child in (node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list)
                           else ()):
            walk(child, path + (key,))

    walk(document, ())
    path = paths[index % len(paths)]
    if not path:
        return value
    parent = document
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = value
    return document


def expect(errors, read, *args):
    """``read(*args)``, or None when it raised one of ``errors`` with a message; anything else fails."""
    try:
        return read(*args)
    except errors as error:
        assert str(error).strip(), f"{type(error).__name__} without a message"
        return None


def in_file(content: str | bytes, name: str, folder: str) -> Path:
    path = Path(folder) / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8", "surrogatepass"))
    return path


@FEW
@given(changes=edits)
@example(changes=[("replace", 31, 0, "0")])  # found: encoding="U0TF-8" in the XML declaration (LookupError)
def test_cdm_kvn_and_xml_mutated(changes):
    expect(CdmError, parse_cdm_kvn, mutated(SAMPLES["cdm-kvn"], changes), "fuzz.cdm")
    xml = mutated(SAMPLES["cdm-xml"], changes).encode("utf-8", "surrogatepass")
    expect(CdmError, parse_cdm_xml, xml, "fuzz.xml")


@FEW
@given(garbage=st.binary(max_size=2000))
def test_cdm_any_bytes(garbage):
    with tempfile.TemporaryDirectory() as folder:
        expect(CdmError, read_cdm, in_file(garbage, "fuzz.cdm", folder))


@FEW
@given(changes=edits)
@example(changes=[("replace", 0, 0, "\x1f")])  # found: PyYAML refused the character before the parse began
@example(changes=[("replace", 227, 1, "")])  # found: start 2026-0-12..., a ValueError from datetime
def test_scenario_and_lesson_yaml_mutated(changes):
    expect(ScenarioError, parse_scenario, mutated(SAMPLES["scenario"], changes), "fuzz.yaml")
    expect(LessonError, parse_lesson, mutated(SAMPLES["lesson"], changes), "fuzz.yaml")


@FEW
@given(index=st.integers(0, 10**4), value=json_values)
def test_scenario_and_lesson_with_any_value_anywhere(index, value):
    for kind, parse, error in (("scenario", parse_scenario, ScenarioError), ("lesson", parse_lesson, LessonError)):
        document = replaced(yaml.safe_load(SAMPLES[kind]), index, value)
        expect(error, parse, yaml.safe_dump(document, allow_unicode=True), "fuzz.yaml")


@FEW
@given(changes=edits)
@example(changes=[("replace", 300, 0, "\r")])  # found: a lone carriage return in a CSV row (csv.Error)
@example(changes=[("replace", 0, 0, "\r")])  # ... and before the header
def test_tasking_exchange_files_mutated(changes):
    with tempfile.TemporaryDirectory() as folder:
        for name, kind in (("fuzz.json", "tasking-json"), ("fuzz.csv", "tasking-csv")):
            result = expect(ExchangeError, read_exchange_file, in_file(mutated(SAMPLES[kind], changes), name, folder))
            assert result is None or all(isinstance(r, str) and r for r in result.rejected)


@FEW
@given(index=st.integers(0, 10**4), value=json_values)
def test_json_documents_with_any_value_anywhere(index, value):
    """Tasking exchange, sensor list, settings and saved view: any JSON value at any place."""
    def text(kind):
        return json.dumps(replaced(json.loads(SAMPLES[kind]), index, value))
    with tempfile.TemporaryDirectory() as folder:
        result = expect(ExchangeError, read_exchange_file, in_file(text("tasking-json"), "fuzz.json", folder))
        assert result is None or all(isinstance(r, str) and r for r in result.rejected)
        store = SensorStore(in_file(text("sensors"), "sensors.json", folder))
        assert all(isinstance(p, str) and p for p in store.problems)
        assert isinstance(load_settings(in_file(text("settings"), "settings.json", folder)), UserSettings)
        expect(StateFileError, ConsoleState.read, in_file(text("view"), "fuzz.view.json", folder))


@FEW
@given(changes=edits, garbage=st.binary(max_size=600))
def test_sensors_settings_and_views_mutated_or_garbage(changes, garbage):
    with tempfile.TemporaryDirectory() as folder:
        for content in (mutated(SAMPLES["sensors"], changes), garbage):
            store = SensorStore(in_file(content, "sensors.json", folder))
            assert all(isinstance(p, str) and p for p in store.problems)
        for content in (mutated(SAMPLES["settings"], changes), garbage):
            assert isinstance(load_settings(in_file(content, "settings.json", folder)), UserSettings)
        for content in (mutated(SAMPLES["view"], changes), garbage):
            expect(StateFileError, ConsoleState.read, in_file(content, "fuzz.view.json", folder))
            expect(StateFileError, ConsoleState.from_json, content)


# each command that reads a file, with its documented exit codes (0 done, 2 usage, 3 input rejected,
# 4 the database); the file under test is {file}, the database (tasking) lives beside it
AT = "2026-08-12T00:00:00Z"
COMMANDS = {
    "catalog": (["catalog", "info", "{file}"], "fuzz.tle", (0, 3)),
    "propagate": (["propagate", "--catalog", "{file}", "--at", AT], "fuzz.tle", (0, 3)),
    "screen": (["screen", "--catalog", "{file}", "--primary", "25544", "--start", AT, "--hours", "1",
                "--threshold-km", "10"], "fuzz.tle", (0, 3)),
    "cdm": (["cdm", "{file}"], "fuzz.cdm", (0, 3)),
    "scenario": (["scenario", "validate", "{file}"], "fuzz.yaml", (0, 3)),
    "tasking-json": (["tasking", "import", "{file}", "--database", "sqlite:///{folder}/t.db"], "fuzz.json", (0, 3, 4)),
    "tasking-csv": (["tasking", "import", "{file}", "--database", "sqlite:///{folder}/t.db"], "fuzz.csv", (0, 3, 4)),
}
SAMPLE_OF = {"catalog": "catalog", "propagate": "catalog", "screen": "catalog", "cdm": "cdm-kvn",
             "scenario": "scenario", "tasking-json": "tasking-json", "tasking-csv": "tasking-csv"}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(command=st.sampled_from(sorted(COMMANDS)), changes=edits)
def test_commands_on_fuzzed_files_exit_with_a_documented_code_and_no_traceback(command, changes):
    argv, name, codes = COMMANDS[command]
    with tempfile.TemporaryDirectory() as folder:
        path = in_file(mutated(SAMPLES[SAMPLE_OF[command]], changes), name, folder)
        args = [a.format(file=path, folder=folder) for a in argv]
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(args)
            except SystemExit as done:  # (argparse)
                code = done.code
    assert code in codes, err.getvalue()
    assert "Traceback" not in err.getvalue(), err.getvalue()


def test_read_result_is_the_catalog_readers_answer():  # (the import above is what the fuzz tests check against)
    assert isinstance(read_catalog_bytes(b"", "fuzz", "tle"), ReadResult)

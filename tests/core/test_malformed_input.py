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


@pytest.mark.parametrize("content", [b"this is not a database at all" * 100, b"SQLite format 3\x00", b""])
def test_a_garbage_database_file_is_refused_with_a_message_not_a_traceback(tmp_path, content):
    from app.storage import Store, StoreError

    path = tmp_path / "ops.db"
    path.write_bytes(content)
    if content:
        with pytest.raises(StoreError, match="not a SQLite database, or is damaged"):
            Store(f"sqlite:///{path}")
        assert path.read_bytes() == content  # nothing was changed
    else:
        Store(f"sqlite:///{path}").close()  # an empty file is a new database


@pytest.mark.parametrize("version", ["0", "-1", "abc"])
def test_a_schema_version_no_console_wrote_is_refused(tmp_path, version):
    import sqlite3

    from app.storage import Store, StoreError

    path = tmp_path / "ops.db"
    Store(f"sqlite:///{path}").close()
    with sqlite3.connect(path) as raw:
        raw.execute("UPDATE schema_info SET version = ?", (version,))
    with pytest.raises(StoreError, match="no spaceops console wrote"):
        Store(f"sqlite:///{path}")


def test_a_damaged_tasking_row_costs_only_itself(tmp_path, capsys):
    import sqlite3
    from datetime import datetime, timezone

    from app.cli.main import main
    from app.storage import Store
    from app.tasking.request import SensorRequest, TaskingRequest
    from tests.operators import officer

    path = tmp_path / "ops.db"
    store = Store(f"sqlite:///{path}", operator=officer("alice", "GBR"))
    for number in (1, 2):
        store.tasking.create(TaskingRequest(f"TR-GBR-0000000{number}", "Track ISS", 25544, "GBR", "UKSpOC",
                                            SensorRequest(), "track", "ROUTINE",
                                            datetime(2026, 8, 12, tzinfo=timezone.utc),
                                            datetime(2026, 8, 13, tzinfo=timezone.utc)))
    store.close()
    with sqlite3.connect(path) as raw:
        raw.execute("UPDATE tasking_requests SET classification = 'TOP SECRET' WHERE id = 'TR-GBR-00000002'")
    book = Store(f"sqlite:///{path}", operator=officer("alice", "GBR")).tasking
    assert [r.id for r in book.requests()] == ["TR-GBR-00000001"]
    assert "TR-GBR-00000002" in book.unreadable[0] and "classification" in book.unreadable[0]
    import getpass

    from app.storage import add_operator

    add_operator(f"sqlite:///{path}", getpass.getuser(), "GBR", ("watch_officer",), "SECRET")  # the CLI's account
    capsys.readouterr()
    assert main(["tasking", "list", "--database", f"sqlite:///{path}"]) == 0
    out, err = capsys.readouterr()
    assert "TR-GBR-00000001" in out and "TR-GBR-00000002" not in out and "TR-GBR-00000002" in err


def test_an_output_that_is_an_input_or_unwritable_is_refused_and_nothing_is_lost(tmp_path, capsys):
    """`scenario run s.yaml --events-out s.yaml` once truncated the scenario to 0 bytes and
    exited 0; `screenshot --out notes.txt` truncated the notes before failing."""
    import shutil

    from app.cli.main import main
    from app.common.resources import resource_path

    scenario = tmp_path / "s.yaml"
    shutil.copy(resource_path("scenarios/leo_breakup_tasking_surge.yaml"), scenario)
    before = scenario.read_bytes()
    assert main(["scenario", "run", str(scenario), "--events-out", str(scenario)]) == 2
    assert scenario.read_bytes() == before and "one of this command's inputs" in capsys.readouterr().err
    assert main(["scenario", "run", str(scenario), "--events-out", str(tmp_path)]) == 2
    assert "is a folder" in capsys.readouterr().err
    assert main(["scenario", "run", str(scenario), "--events-out", str(tmp_path / "no" / "e.jsonl")]) == 2
    assert "does not exist" in capsys.readouterr().err
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes")
    import subprocess
    import sys

    shot = subprocess.run([sys.executable, "-m", "app", "screenshot", "--out", str(notes)], capture_output=True,
                          text=True, timeout=120)  # (in-process, a Qt command ends the interpreter)
    assert shot.returncode == 2 and notes.read_text() == "my notes" and "image file name" in shot.stderr


def test_an_output_is_replaced_whole_or_not_at_all(tmp_path):
    from app.common.output_file import replaced_when_done

    target = tmp_path / "events.jsonl"
    target.write_text("the old, complete file\n")
    with pytest.raises(RuntimeError):
        with replaced_when_done(target) as temporary:
            temporary.write_text("half of the new")
            raise RuntimeError("interrupted")
    assert target.read_text() == "the old, complete file\n" and list(tmp_path.iterdir()) == [target]
    target.chmod(0o640)
    with replaced_when_done(target) as temporary:
        temporary.write_text("the new, complete file\n")
    assert target.read_text() == "the new, complete file\n" and list(tmp_path.iterdir()) == [target]
    assert target.stat().st_mode & 0o777 == 0o640  # the file keeps its mode


@pytest.mark.parametrize("change, words", [
    (("start: 2026-08-12T00:00:00Z", "start: 9999-12-31T00:00:00Z"), "outside the years"),
    (("start: 2026-08-12T00:00:00Z", "start: 0001-01-01T00:00:00+01:00"), "outside the years"),
    (("first_id: 80000", "first_id: 100000000000000000000"), "first_id"),
])
def test_impossible_scenario_values_are_refused_naming_the_field(tmp_path, change, words):
    """A start of 9999-12-31 once validated and then crashed the run; year 1 at +01:00 and a
    fragment number of 1e20 ended in tracebacks."""
    from app.common.resources import resource_path
    from app.scenario.format import ScenarioError, check_scenario_file

    text = resource_path("scenarios/leo_breakup_tasking_surge.yaml").read_text()
    assert change[0] in text
    path = tmp_path / "s.yaml"
    path.write_text(text.replace(change[0], change[1]))
    try:
        checked = check_scenario_file(path)
        problems = [line for _, line in checked.problems] if checked.problems and isinstance(
            checked.problems[0], tuple) else list(checked.problems)
    except ScenarioError as error:
        problems = error.errors
    assert any(words in str(problem) for problem in problems), problems


def test_a_scenario_nested_thousands_deep_is_refused_not_a_recursion_error(tmp_path):
    from app.scenario.format import ScenarioError, check_scenario_file

    path = tmp_path / "deep.yaml"
    path.write_text("format: spaceops-scenario\nx: " + "[" * 5000 + "]" * 5000 + "\n")
    with pytest.raises(ScenarioError, match="nested too deeply"):
        check_scenario_file(path)


@pytest.mark.parametrize("argv", [["propagate", "--at", "0001-01-01T00:00:00+01:00", "--ids", "25544"],
                                  ["passes", "--norad", "25544", "--start", "9999-12-30T00:00:00Z", "--hours", "48"]])
def test_times_outside_the_calendar_or_the_supported_years_are_usage_errors(argv, capsys):
    from app.cli.main import main

    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    assert "outside" in capsys.readouterr().err


def _fifo(tmp_path):
    import os

    path = tmp_path / "pipe"
    os.mkfifo(path)
    return path


@pytest.mark.parametrize("special", ["/dev/zero", "fifo", "folder"])
def test_a_device_a_pipe_or_a_folder_as_input_costs_a_message(tmp_path, special):
    """/dev/zero was read without bound (MemoryError at 2.4 GB) and a FIFO blocked for ever."""
    from app.catalog.ingest import read_catalog_file
    from app.conjunction.cdm import CdmError, read_cdm
    from app.scenario.format import ScenarioError, check_scenario_file
    from app.tasking.exchange import ExchangeError, read_exchange_file

    path = {"/dev/zero": "/dev/zero", "fifo": _fifo(tmp_path), "folder": tmp_path}[special]
    result = read_catalog_file(path)
    assert not result.element_sets and result.rejections
    with pytest.raises(CdmError):
        read_cdm(path)
    with pytest.raises(ExchangeError):
        read_exchange_file(path)
    with pytest.raises((ScenarioError, OSError, ValueError)):
        check_scenario_file(path)


def test_an_input_larger_than_its_kind_allows_is_refused_without_reading_it(tmp_path, monkeypatch):
    from app.common import input_file

    big = tmp_path / "big.cdm"
    big.write_bytes(b"x" * 2048)
    with pytest.raises(OSError, match="2,048 bytes is larger than the 1,024 bytes"):
        input_file.read_input_bytes(big, 1024)
    assert input_file.read_input_bytes(big, 4096) == b"x" * 2048


@pytest.mark.parametrize("name", ["../../etc/passwd", "/proc/self/environ", "sub/../../outside.tle"])
def test_a_scenario_reads_catalog_files_only_from_its_own_folder(tmp_path, name):
    from app.scenario.format import check_scenario_file

    folder = tmp_path / "exercise"
    (folder / "sub").mkdir(parents=True)
    (tmp_path / "outside.tle").write_text("")
    path = folder / "s.yaml"
    path.write_text(f"format: spaceops-scenario\nversion: 1\nname: x\nstart: 2026-08-12T00:00:00Z\n"
                    f"catalog:\n  files: [{name!r}]\n")
    checked = check_scenario_file(path)
    assert any("outside the scenario's folder" in str(problem) for problem in checked.problems), checked.problems


@pytest.mark.parametrize("unit_of, unit", [("MEAN_MOTION", "rad/s"), ("INCLINATION", "rad")])
def test_omm_elements_in_another_unit_are_refused_not_misread(data_dir, tmp_path, unit_of, unit):
    """XML units="rad/s" and KVN [rad] were read as rev/day and degrees: a wrong orbit."""
    import re

    kvn = (data_dir / "omm_two_messages.kvn").read_text()
    assert read_catalog_file(data_dir / "omm_two_messages.kvn").element_sets  # the stated standard units read
    changed = re.sub(rf"^({unit_of}\s*=\s*\S+)(\s*\[[^\]]*\])?", rf"\1 [{unit}]", kvn, count=1, flags=re.M)
    path = tmp_path / "units.kvn"
    path.write_text(changed)
    result = read_catalog_file(path)
    assert len(result.element_sets) == 1  # the other message still loads
    assert unit_of in str(result.rejections[0]) and unit in str(result.rejections[0])
    xml = (data_dir / "python-sgp4_sample_omm.xml").read_text()
    path = tmp_path / "units.xml"
    path.write_text(re.sub(rf"<{unit_of}>", f'<{unit_of} units="{unit}">', xml, count=1))
    result = read_catalog_file(path)
    assert not result.element_sets and unit in str(result.rejections[0]) and unit_of in str(result.rejections[0])


def _with_checksum(line: str) -> str:
    total = sum(int(c) if c.isdigit() else (1 if c == "-" else 0) for c in line[:68])
    return line[:68] + str(total % 10)


@pytest.mark.parametrize("change, field", [((2, 7, "00000"), "catalog number"),
                                           ((18, 32, "25366.50000000"), "epoch day"),
                                           ((18, 32, "24367.50000000"), "epoch day")])
def test_impossible_tle_values_are_refused_naming_the_field(tmp_path, change, field):
    """Catalog number 0 and day 366 of a non-leap year were accepted (day 366 of 2024, a leap
    year, is a day; day 367 is not)."""
    from app.catalog.ingest.tle import read_tle_text

    name = "ISS (ZARYA)"
    line1 = "1 25544U 98067A   24366.50000000  .00016717  00000-0  30119-3 0  9993"
    line2 = "2 25544  51.6416 247.4627 0006703 130.5360 325.0288 15.49815246479440"
    start, end, text = change
    if field == "catalog number":
        line1, line2 = line1[:start] + text + line1[end:], line2[:start] + text + line2[end:]
    else:
        line1 = line1[:start] + text + line1[end:]
    good = read_tle_text(f"{name}\n{_with_checksum(line1)}\n"
                         f"{_with_checksum(line2)}\n", "t.tle")
    assert not good.element_sets and field in str(good.rejections[0]), good.rejections
    leap = read_tle_text(f"{name}\n{_with_checksum(line1[:18] + '24366.50000000' + line1[32:])}\n"
                         f"{_with_checksum(line2)}\n", "t.tle") if field == "epoch day" else None
    assert leap is None or leap.element_sets


@pytest.mark.parametrize("old, new", [("classification: UNCLASSIFIED//EXERCISE", "classification: TOP SECRET//EXERCISE"),
                                      ("classification: UNCLASSIFIED//EXERCISE", "classification: COSMIC//EXERCISE")])
def test_a_scenario_marking_this_console_cannot_show_is_refused(tmp_path, old, new):
    from app.common.resources import resource_path
    from app.scenario.format import check_scenario_file

    path = tmp_path / "s.yaml"
    path.write_text(resource_path("scenarios/leo_breakup_tasking_surge.yaml").read_text().replace(old, new, 1))
    checked = check_scenario_file(path)
    assert any("is not one of UNCLASSIFIED" in str(problem) for problem in checked.problems), checked.problems


def test_omm_json_nested_thousands_deep_is_one_rejection_without_a_logged_traceback(tmp_path, caplog):
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    result = read_catalog_file(path)
    assert not result.element_sets and "nested too deeply" in str(result.rejections[0])
    assert not [r for r in caplog.records if r.exc_info]


@pytest.mark.parametrize("code, valid", [("GBR", True), ("NZL", True), ("XKX", True), ("ALL", False),
                                         ("XXX", False), ("gbr", False), ("GB", False), ("ZZZ", False)])
def test_nation_codes_are_iso_3166_alpha_3(code, valid):
    """`ALL` and `XXX` were accepted as nations in releasability and rosters."""
    from app.common.user_settings import is_nation_code

    assert is_nation_code(code) is valid

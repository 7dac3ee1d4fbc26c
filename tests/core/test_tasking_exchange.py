"""Tasking exchange files: round trips, export for a nation (property-based: nothing ever
leaves for a nation outside a record's list), malformed files, the CLI, and crash safety
of the database under a killed process."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.storage import Store
from app.tasking.exchange import ExchangeError, export_csv, export_json, read_exchange_file
from app.tasking.request import SensorRequest, TaskingRequest
from tests.operators import officer

NATIONS = ["USA", "GBR", "AUS", "CAN", "NZL", "FRA", "DEU", "JPN", "ITA", "NOR"]
START = datetime(2026, 8, 12, tzinfo=timezone.utc)
OPERATOR = officer("exporter", "GBR")


def test_round_trips_keep_every_field(data_dir, tmp_path):
    original = read_exchange_file(data_dir / "tasking" / "exchange_good.json")
    assert not original.rejected and len(original.requests) == 3
    (tmp_path / "again.json").write_text(export_json(original.requests, None, OPERATOR))
    (tmp_path / "again.csv").write_text(export_csv(original.requests, None, OPERATOR))
    seen_by_gbr = [r for r in original.requests if r.releasable("GBR")]  # the exporter's nation limits it
    assert len(seen_by_gbr) == 2
    assert read_exchange_file(tmp_path / "again.json").requests == seen_by_gbr
    assert read_exchange_file(tmp_path / "again.csv").requests == seen_by_gbr
    (tmp_path / "all.csv").write_text(export_csv(original.requests, None))  # no operator: no nation limit
    assert read_exchange_file(tmp_path / "all.csv").requests == original.requests
    assert read_exchange_file(data_dir / "tasking" / "exchange_good.csv").requests == original.requests


requests_strategy = st.lists(
    st.tuples(st.sampled_from(NATIONS), st.lists(st.sampled_from(NATIONS), unique=True, max_size=5),
              st.sampled_from(["UNCLASSIFIED", "RESTRICTED", "CONFIDENTIAL", "SECRET"])),
    max_size=8)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(specs=requests_strategy, nation=st.sampled_from(NATIONS + ["CHN", "RUS"]))
def test_export_for_a_nation_never_leaks(tmp_path, specs, nation):
    requests = [TaskingRequest(f"TR-{owner}-{i:08X}", "t", 25544, owner, "unit", SensorRequest(), "track",
                               "ROUTINE", START, START + timedelta(hours=1), classification=level,
                               releasable_to=tuple(rel)) for i, (owner, rel, level) in enumerate(specs)]
    expected = {r.id for r in requests if all(n == r.requesting_nation or n in r.releasable_to
                                              for n in (nation, OPERATOR.nation))}
    document = json.loads(export_json(requests, nation, OPERATOR))
    assert {r["id"] for r in document["records"]} == expected
    for record in document["records"]:  # each record keeps its own markings
        assert nation == record["requesting_nation"] or nation in record["releasable_to"]
        assert record["classification"] in ("UNCLASSIFIED", "RESTRICTED", "CONFIDENTIAL", "SECRET")
    assert "//REL TO " in document["marking"] and nation in document["marking"] or not expected
    path = tmp_path / "out.csv"
    path.write_text(export_csv(requests, nation, OPERATOR))
    assert {r.id for r in read_exchange_file(path).requests} == expected


def test_malformed_records_are_reported_and_the_rest_load(data_dir, tmp_path):
    tasking = data_dir / "tasking"
    result = read_exchange_file(tasking / "bad_records.json")
    assert [r.id for r in result.requests] == ["TR-USA-00000001"]
    reasons = "\n".join(result.rejected)
    for expected in ("record 2 (TR-USA-00000002): window_end: the window must end after it starts",
                     "record 3 (TR-USA-00000003): precedence: must be one of",
                     "record 4 (TR-USA-00000004): releasable_to: 'uk' is not an ISO alpha-3 code",
                     "record 5 (TR-USA-00000005): target_norad_id: cannot read 'ISS'",
                     "record 6 (TR-USA-00000006): title: is missing", "record 7 (TR-USA-00000007): colour: unknown field",
                     "record 8 (TR-USA-00000008): window_start: cannot read 'next tuesday'",
                     "record 9: a record must be an object"):
        assert f"bad_records.json: {expected}" in reasons
    csv_result = read_exchange_file(tasking / "bad_records.csv")
    assert [r.id for r in csv_result.requests] == ["TR-GBR-0A1B2C3D"]
    assert [line.split(": ", 1)[1] for line in csv_result.rejected] == [
        "record 2 (line 3) (TR-USA-11223344): window_end: the window must end after it starts",
        "record 3 (line 4): more cells than the header has columns",
        "record 4 (line 5) (TR-AUS-99999999): comments: not a JSON list"]


@pytest.mark.parametrize("name, message", [
    ("truncated.json", "line 25: not valid JSON"), ("wrong_format.json", "format: expected 'spaceops-tasking'"),
    ("not_tasking.csv", "line 1: the header lacks id, title, target_norad_id"), ("absent.json", "cannot be read")])
def test_unreadable_files_are_named(data_dir, name, message):
    with pytest.raises(ExchangeError, match=message) as raised:
        read_exchange_file(data_dir / "tasking" / name)
    assert name in str(raised.value)


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "app", *args], capture_output=True, text=True, timeout=120)


def test_cli_import_list_show_export(data_dir, tmp_path):
    """As a British SECRET officer on this machine's roster (the command line's identity is
    the operating-system account)."""
    import getpass

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    assert _cli("floor", "add-operator", getpass.getuser(), "--nation", "GBR", "--role", "watch_officer",
                "--clearance", "SECRET", "--database", url).returncode == 0
    loaded = _cli("tasking", "import", str(data_dir / "tasking" / "bad_records.json"), "--database", url)
    assert loaded.returncode == 3
    assert json.loads(loaded.stdout)["added"] == ["TR-USA-00000001"]
    assert "record 2 (TR-USA-00000002): window_end" in loaded.stderr
    good = _cli("tasking", "import", str(data_dir / "tasking" / "exchange_good.json"), "--database", url)
    report = json.loads(good.stdout)  # Australia's own unreleased record is not a British officer's to hold
    assert good.returncode == 3 and len(report["added"]) == 2
    assert [line.split(":")[0] for line in report["rejected"]] == ["TR-AUS-55667788"]
    assert "not within" in report["rejected"][0]
    again = _cli("tasking", "import", str(data_dir / "tasking" / "exchange_good.csv"), "--database", url)
    assert again.returncode == 3 and len(json.loads(again.stdout)["kept_local"]) == 2
    listing = json.loads(_cli("tasking", "list", "--database", url, "--status", "SCHEDULED").stdout)
    assert [r["id"] for r in listing] == ["TR-GBR-0A1B2C3D"]
    shown = json.loads(_cli("tasking", "show", "TR-GBR-0A1B2C3D", "--database", url).stdout)
    assert shown["marking"] == "UNCLASSIFIED//REL TO AUS, GBR, USA"
    assert [h["action"] for h in shown["history"]] == ["import"]
    for_aus = json.loads(_cli("tasking", "export", "--for-nation", "aus", "--database", url).stdout)
    assert [r["id"] for r in for_aus["records"]] == ["TR-GBR-0A1B2C3D"]  # the only one released to AUS
    as_csv = _cli("tasking", "export", "--for-nation", "NZL", "--format", "csv", "--database", url)
    assert as_csv.returncode == 0 and as_csv.stdout.count("\n") == 2  # nothing releasable to NZL:
    assert as_csv.stdout.startswith("# UNCLASSIFIED — exported ")  # the marking line and the header
    missing = _cli("tasking", "show", "TR-NONE", "--database", url)
    assert missing.returncode == 3 and "no tasking request 'TR-NONE'" in missing.stderr
    (tmp_path / "a_file_not_a_dir").write_text("x")
    broken = _cli("tasking", "list", "--database", f"sqlite:///{tmp_path / 'a_file_not_a_dir' / 'x.db'}")
    assert broken.returncode == 4 and "cannot be used" in broken.stderr


WRITER = """
import sys
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from app.storage import Store
from app.tasking.request import SensorRequest, TaskingRequest
from tests.operators import officer
from tests.operators import officer
book = Store(sys.argv[1], operator=officer("writer", "GBR")).tasking
start = datetime(2026, 8, 12, tzinfo=timezone.utc)
for i in range(100000):
    r = book.create(TaskingRequest(f"TR-GBR-{i:08X}", f"request {i}", 25544, "GBR", "unit", SensorRequest(),
                                   "track", "ROUTINE", start, start + timedelta(hours=1), justification="x" * 2000))
    r = book.save(replace(r, title=f"request {i} edited"))
    print(i, flush=True)  # both transactions of request i are committed
"""


def _wait_for_other_sessions_to_end(url: str, timeout_s: float = 30.0) -> None:
    """A killed client's server process finishes what it had received (a COMMIT sent just
    before the kill still lands); inspecting before it ends would read the database in two
    different states."""
    import sqlalchemy

    engine = sqlalchemy.create_engine(url)
    deadline = time.monotonic() + timeout_s
    try:
        while time.monotonic() < deadline:
            with engine.connect() as connection:
                others = connection.exec_driver_sql(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND pid <> pg_backend_pid()").scalar()
            if not others:
                return
            time.sleep(0.05)
    finally:
        engine.dispose()


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_a_killed_writer_leaves_every_committed_change_and_no_half_written_one(kind, request, tmp_path):
    url = f"sqlite:///{tmp_path / 'crash.db'}" if kind == "sqlite" else request.getfixturevalue("database_url_pg")
    Store(url).close()  # schema in place before the writer starts
    writer = subprocess.Popen([sys.executable, "-c", WRITER, url], stdout=subprocess.PIPE, text=True,
                              cwd=Path(__file__).parents[2])
    committed = -1
    deadline = time.monotonic() + 60
    while committed < 40 and time.monotonic() < deadline:
        committed = int(writer.stdout.readline().split()[0])
    time.sleep(0.05)  # let it get into the middle of further saves
    writer.send_signal(signal.SIGKILL)
    writer.wait()
    if kind == "postgresql":
        _wait_for_other_sessions_to_end(url)
    assert committed >= 40
    book = Store(url, operator=officer("inspector")).tasking
    requests = {r.id: r for r in book.requests()}
    for i in range(committed + 1):
        stored = requests[f"TR-GBR-{i:08X}"]
        assert (stored.title, stored.version) == (f"request {i} edited", 2)
    for stored in requests.values():  # any later request is whole: each version has its audit row
        assert [h["action"] for h in book.history(stored.id)] == ["create", "edit"][:stored.version]
    book.create(TaskingRequest("TR-GBR-AFTER", "after the crash", 25544, "GBR", "u", SensorRequest(), "track",
                               "ROUTINE", START, START + timedelta(hours=1)))
    assert book.get("TR-GBR-AFTER").version == 1


def test_a_file_names_the_nation_that_exported_it(tmp_path):
    """The import rules let a request change only through its owner's own export: both
    formats say who exported them (JSON header, CSV marking line)."""
    request = TaskingRequest("TR-GBR-ORIGIN01", "Track ISS", 25544, "GBR", "UKSpOC", SensorRequest(), "track",
                             "ROUTINE", datetime(2026, 8, 12, tzinfo=timezone.utc),
                             datetime(2026, 8, 13, tzinfo=timezone.utc))
    for suffix, text in ((".json", export_json([request], None, officer("alice", "GBR"))),
                         (".csv", export_csv([request], None, officer("alice", "GBR")))):
        path = tmp_path / f"gbr{suffix}"
        path.write_text(text)
        assert read_exchange_file(path).origin_nation == "GBR"
    bare = tmp_path / "bare.csv"
    bare.write_text("\n".join(export_csv([request], None, officer("alice", "GBR")).splitlines()[1:]) + "\n")
    assert read_exchange_file(bare).origin_nation is None and len(read_exchange_file(bare).requests) == 1


def test_hostile_values_cost_only_their_record(tmp_path):
    """Issue #19: each of these once lost the whole file (0 of 2 imported)."""
    good = json.loads(export_json([TaskingRequest("TR-GBR-GOOD0001", "Track ISS", 25544, "GBR", "UKSpOC",
                                                  SensorRequest(), "track", "ROUTINE",
                                                  datetime(2026, 8, 12, tzinfo=timezone.utc),
                                                  datetime(2026, 8, 13, tzinfo=timezone.utc))],
                                  None, officer("alice", "GBR")))
    record = good["records"][0]
    hostile = [("target_norad_id", "INFINITY"), ("target_norad_id", 2**70), ("version", 2**63),
               ("window_start", "0001-01-01T00:00:00+01:00"), ("window_end", "9999-12-31T23:59:59-01:00"),
               ("title", "x" * 200_000), ("releasable_to", {"USA": 1}), ("id", "TR-GBR-\nEVIL")]
    records = [{**record, "id": f"TR-GBR-BAD{n:05d}", name: value} for n, (name, value) in enumerate(hostile)]
    records[-1]["id"] = "TR-GBR-\nEVIL"
    text = json.dumps({**good, "records": records + [record]}).replace('"INFINITY"', "1e999")
    path = tmp_path / "hostile.json"
    path.write_text(text)
    read = read_exchange_file(path)
    assert [r.id for r in read.requests] == ["TR-GBR-GOOD0001"] and len(read.rejected) == len(hostile)
    for (name, _value), line in zip(hostile, read.rejected):
        assert f"{name}:" in line, line
    deep = tmp_path / "deep.json"
    deep.write_text('{"format": "spaceops-tasking", "format_version": 1, "records": ' + "[" * 100_000
                    + "]" * 100_000 + "}")
    with pytest.raises(ExchangeError, match="nested too deeply"):
        read_exchange_file(deep)
    csv_path = tmp_path / "big_cell.csv"
    csv_text = export_csv([read.requests[0]], None, officer("alice", "GBR"))
    header, row = csv_text.splitlines()[1:3]
    csv_path.write_text(header + "\n" + row.replace("Track ISS", "y" * 200_000, 1) + "\n" + row + "\n")
    read = read_exchange_file(csv_path)
    assert len(read.requests) == 1 and "title" in read.rejected[0]

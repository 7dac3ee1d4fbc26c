"""Markings on export (issue #14): an export holds only what the exporting operator may see
(nation and clearance) and, for nation X, what is releasable to X; every record carries its
marking and the file's marking is never lower than its highest record. Property-based over
random requests, operators and target nations, for JSON and CSV; plus the CSV's comment
line and marking column, reading them back, and old files without them."""

from __future__ import annotations

import csv
import io
import json
import re
from argparse import Namespace
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.common.marking import CLASSIFICATIONS, classification_rank, nations_in
from app.common.user_settings import Operator
from app.tasking.exchange import export_csv, export_json, exportable, file_marking, read_exchange_file
from app.tasking.request import SensorRequest, TaskingRequest

NATIONS = ["USA", "GBR", "AUS", "CAN", "NZL", "FRA", "DEU", "JPN"]
START = datetime(2026, 8, 12, tzinfo=timezone.utc)


def request(number: int, owner: str, level: str = "UNCLASSIFIED", rel: tuple[str, ...] = ()) -> TaskingRequest:
    return TaskingRequest(f"TR-{owner}-{number:08X}", f"request {number}", 25544, owner, "unit", SensorRequest(),
                          "track", "ROUTINE", START, START + timedelta(hours=1), classification=level,
                          releasable_to=rel)


def nations_of(record: dict) -> set[str]:
    return {record["requesting_nation"], *record["releasable_to"]}


requests_strategy = st.lists(
    st.tuples(st.sampled_from(NATIONS), st.lists(st.sampled_from(NATIONS), unique=True, max_size=4),
              st.sampled_from(CLASSIFICATIONS)), max_size=10)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(specs=requests_strategy, nation=st.sampled_from(NATIONS + [""]), clearance=st.sampled_from(CLASSIFICATIONS),
       for_nation=st.one_of(st.none(), st.sampled_from(NATIONS + ["CHN"])))
def test_nothing_exported_above_clearance_or_outside_rel_to(tmp_path, specs, nation, clearance, for_nation):
    requests = [request(i, owner, level, tuple(rel)) for i, (owner, rel, level) in enumerate(specs)]
    operator = Operator("exporter", nation)
    expected = {r.id for r in requests
                if classification_rank(r.classification) <= classification_rank(clearance)
                and nation in {r.requesting_nation, *r.releasable_to}
                and (for_nation is None or for_nation in {r.requesting_nation, *r.releasable_to})}

    document = json.loads(export_json(requests, for_nation, operator, clearance=clearance))
    records = document["records"]
    assert {r["id"] for r in records} == expected
    for record in records:
        assert classification_rank(record["classification"]) <= classification_rank(clearance)
        assert nation in nations_of(record) and (for_nation is None or for_nation in nations_of(record))
        level, _, rel = record["marking"].partition("//")
        assert level == record["classification"] and nations_in(rel) == nations_of(record)
    overall, _, released = document["marking"].partition("//")
    assert all(classification_rank(overall) >= classification_rank(r["classification"]) for r in records)
    assert all(nations_in(released) <= nations_of(r) for r in records)  # released only where all records are
    if records and for_nation:
        assert for_nation in nations_in(released)

    text = export_csv(requests, for_nation, operator, clearance=clearance)
    first, _, body = text.partition("\n")
    assert first.startswith(f"# {document['marking']} — exported ")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert {row["id"] for row in rows} == expected
    for row in rows:
        level, _, rel = row["marking"].partition("//")
        assert classification_rank(level) <= classification_rank(clearance) and level == row["classification"]
        assert nation in nations_in(rel) and (for_nation is None or for_nation in nations_in(rel))
        assert classification_rank(first[2:].split("//")[0].split(" ")[0]) >= classification_rank(level)
    path = tmp_path / "out.csv"
    path.write_text(text, encoding="utf-8")
    read = read_exchange_file(path)
    assert not read.rejected and {r.id for r in read.requests} == expected


def test_the_clearance_defaults_to_the_highest_and_an_operator_without_a_nation_exports_nothing():
    requests = [request(1, "GBR", "SECRET"), request(2, "USA", "CONFIDENTIAL", ("GBR",)), request(3, "AUS")]
    assert [r.id for r in exportable(requests, None, Operator("alice", "GBR"))] == [requests[0].id, requests[1].id]
    assert [r.id for r in exportable(requests, None, Operator("alice", "GBR"), "RESTRICTED")] == []
    assert exportable(requests, None, Operator("nobody", "")) == []
    assert len(exportable(requests, None, None)) == 3  # no operator (a tool): only the clearance limits
    assert file_marking(requests[:2]) == "SECRET//REL TO GBR" and file_marking([]) == "UNCLASSIFIED"


def test_csv_says_the_file_marking_first_and_each_record_marking_in_a_column(tmp_path):
    requests = [request(1, "GBR", "SECRET", ("USA",)), request(2, "USA", "CONFIDENTIAL", ("GBR", "AUS"))]
    text = export_csv(requests, None, Operator("alice", "GBR"))
    lines = text.splitlines()
    assert re.fullmatch(r"# SECRET//REL TO GBR, USA — exported \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ by alice \(GBR\)",
                        lines[0])
    assert lines[1].split(",")[0] == "marking"
    rows = list(csv.DictReader(io.StringIO("\n".join(lines[1:]))))
    assert [row["marking"] for row in rows] == ["SECRET//REL TO GBR, USA", "CONFIDENTIAL//REL TO AUS, GBR, USA"]
    assert [row["marking"] for row in rows] == [r.marking for r in requests]
    path = tmp_path / "marked.csv"
    path.write_text(text, encoding="utf-8")
    assert read_exchange_file(path).requests == requests  # the comment line and the column are read
    document = json.loads(export_json(requests, "USA", Operator("alice", "GBR")))
    assert document["marking"] == "SECRET//REL TO GBR, USA"
    assert [r["marking"] for r in document["records"]] == [r.marking for r in requests]
    (tmp_path / "marked.json").write_text(json.dumps(document))
    assert read_exchange_file(tmp_path / "marked.json").requests == requests


def test_old_files_without_markings_still_read(data_dir):
    old_csv = read_exchange_file(data_dir / "tasking" / "exchange_good.csv")
    old_json = read_exchange_file(data_dir / "tasking" / "exchange_good.json")
    assert not old_csv.rejected and old_csv.requests == old_json.requests and len(old_csv.requests) == 3


def test_a_marking_that_disagrees_with_the_record_is_rejected_and_line_numbers_count_the_comment(tmp_path):
    requests = [request(1, "GBR", "SECRET", ("USA",)), request(2, "USA", "CONFIDENTIAL", ("GBR",)),
                request(3, "GBR", "RESTRICTED", ("AUS",))]
    text = export_csv(requests, None, Operator("alice", "GBR"))
    text = text.replace("CONFIDENTIAL//REL TO GBR, USA", "UNCLASSIFIED//REL TO GBR, USA")  # edited by hand
    text = text.replace("RESTRICTED//REL TO AUS, GBR", "RESTRICTED//REL TO AUS")  # the owner may go unsaid
    path = tmp_path / "edited.csv"
    path.write_text(text, encoding="utf-8")
    read = read_exchange_file(path)
    assert [r.id for r in read.requests] == [requests[0].id, requests[2].id]
    assert read.rejected == [f"{path}: record 2 (line 4) ({requests[1].id}): marking: 'UNCLASSIFIED//REL TO GBR, "
                             "USA' disagrees with the record's classification and releasability "
                             "(CONFIDENTIAL//REL TO GBR, USA)"]
    document = json.loads(export_json(requests, None, Operator("alice", "GBR")))
    document["records"][0]["marking"] = "SECRET//REL TO GBR"  # leaves USA out
    document["records"][1]["marking"] = "CONFIDENTIAL"  # a bare level: no releasability said, none checked
    (tmp_path / "edited.json").write_text(json.dumps(document))
    read = read_exchange_file(tmp_path / "edited.json")
    assert [r.id for r in read.requests] == [requests[1].id, requests[2].id]
    assert len(read.rejected) == 1 and "record 1 (TR-GBR-00000001): marking: " in read.rejected[0]


def test_a_csv_with_only_a_comment_is_named_not_read(tmp_path):
    from app.tasking.exchange import ExchangeError

    path = tmp_path / "empty.csv"
    path.write_text("# UNCLASSIFIED — exported 2026-08-12T00:00:00Z\nfoo,bar\n", encoding="utf-8")
    with pytest.raises(ExchangeError, match="empty.csv: line 2: the header lacks id"):
        read_exchange_file(path)


class _Book:
    def __init__(self, requests):
        self._requests = requests
        self.unreadable = []  # as TaskingRepository: rows the last read could not use

    def requests(self, data_mode=None):
        return list(self._requests)


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_cli_export_holds_only_what_the_operator_may_see(capsys, fmt):
    from app.cli.tasking import _export

    requests = [request(1, "GBR", "SECRET", ("AUS",)), request(2, "USA", "CONFIDENTIAL", ("AUS", "GBR")),
                request(3, "GBR", "UNCLASSIFIED"), request(4, "AUS", "RESTRICTED", ("GBR",))]
    operator = Operator("alice", "GBR", clearance="CONFIDENTIAL")
    assert _export(_Book(requests), operator, Namespace(data_mode=None, for_nation="AUS", format=fmt)) == 0
    out = capsys.readouterr().out
    if fmt == "json":
        document = json.loads(out)
        assert [r["id"] for r in document["records"]] == [requests[1].id, requests[3].id]
        assert document["marking"] == "CONFIDENTIAL//REL TO AUS, GBR"
    else:
        assert out.startswith("# CONFIDENTIAL//REL TO AUS, GBR — exported ") and out.splitlines()[0].endswith(
            "by alice (GBR)")
        assert [row["id"] for row in csv.DictReader(io.StringIO(out.split("\n", 1)[1]))] == [requests[1].id,
                                                                                             requests[3].id]

"""CSV exports never hand a spreadsheet a formula (issue #19): text that begins with = + - @
is marked as text; numbers stay numbers; our own reader gives the text back unchanged."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timezone

from hypothesis import given
from hypothesis import strategies as st

from app.common.spreadsheet import read_cell, safe_cell, safe_row
from app.tasking.exchange import export_csv, read_exchange_file
from app.tasking.request import SensorRequest, TaskingRequest
from tests.operators import officer

ATTACK = "=cmd|' /C calc'!A0"


def test_formula_text_is_marked_and_numbers_are_not():
    assert safe_cell(ATTACK) == "'" + ATTACK
    assert [safe_cell(v) for v in ("+1+1", "-x", "@SUM(A1)", "\tx")] == ["'+1+1", "'-x", "'@SUM(A1)", "'\tx"]
    assert [safe_cell(v) for v in ("-12.5", "+3", "1e-3", -7.0, 12, "ISS (ZARYA)")] == \
        ["-12.5", "+3", "1e-3", -7.0, 12, "ISS (ZARYA)"]
    assert safe_row({"a": ATTACK, "b": 1}) == {"a": "'" + ATTACK, "b": 1} and safe_row([ATTACK]) == ["'" + ATTACK]


@given(st.text())
def test_reading_gives_back_what_was_written(text):
    assert read_cell(safe_cell(text)) == text


def test_a_tasking_export_carries_no_formula_and_reads_back_the_same(tmp_path):
    request = TaskingRequest("TR-GBR-FORMULA1", ATTACK, 25544, "GBR", "UKSpOC", SensorRequest(), "track", "ROUTINE",
                             datetime(2026, 8, 12, tzinfo=timezone.utc), datetime(2026, 8, 13, tzinfo=timezone.utc),
                             justification="@SUM(1+1)*cmd")
    text = export_csv([request], None, officer("alice", "GBR"))
    rows = list(csv.reader(io.StringIO(text.split("\n", 1)[1])))
    assert not any(cell.startswith(("=", "+", "@")) for row in rows for cell in row)
    path = tmp_path / "export.csv"
    path.write_text(text)
    back = read_exchange_file(path).requests[0]
    assert (back.title, back.justification) == (ATTACK, "@SUM(1+1)*cmd")

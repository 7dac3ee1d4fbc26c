"""Hostile catalog files (issue #19): a TLE file of many bad records is read as a stream in
bounded memory, its good records still load, the first rejections are kept in full and
the rest only counted ("... and K more"), and progress is heard in bytes as it goes. A
record whose perigee lies below the Earth's surface loads with a warning."""

from __future__ import annotations

import json
import tracemalloc

import pytest

from app.catalog import Catalog
from app.catalog.ingest import MAX_KEPT, read_catalog_bytes, read_catalog_file
from app.catalog.ingest.tle import tle_checksum
from app.cli.main import main
from app.common.progress import Progress

ISS = ("ISS (ZARYA)\n"
       "1 25544U 98067A   26223.14934248  .00003640  00000+0  73197-4 0  9993\n"
       "2 25544  51.6325  28.0815 0007436  34.6982 325.4490 15.49408704580271\n")
HST = ("HST\n"
       "1 20580U 90037B   26222.96225337  .00003432  00000+0  10286-3 0  9996\n"
       "2 20580  28.4729  66.0407 0002401  39.3084 320.7686 15.31314574796970\n")
LINE1, LINE2 = ISS.splitlines()[1:]


def bad_records(count: int, first: int = 1) -> str:
    """``count`` damaged 3-line records, four kinds in turn, each one rejection."""
    records = []
    for n in range(first, first + count):
        number = f"{n % 99_999 + 1:05d}"
        line1, line2 = LINE1[:2] + number + LINE1[7:], LINE2[:2] + number + LINE2[7:]
        kind = n % 4
        if kind == 0:  # wrong checksum
            line1 = line1[:68] + str((int(line1[68]) + 1) % 10)
        elif kind == 1:  # columns shifted
            line1 = line1[:30] + " " + line1[30:68]
        elif kind == 2:  # not a number
            line1 = line1[:20] + "XX.XXXXXXXX" + line1[31:]
        else:  # line 1 without a line 2
            line2 = f"NOT A LINE 2 {n}"
        records.append(f"DEB {n}\n{line1}\n{line2}\n")
    return "".join(records)


@pytest.fixture(scope="module")
def bad_file(tmp_path_factory):
    count = 32_000
    path = tmp_path_factory.mktemp("hostile") / "bad.tle"
    path.write_text(ISS + bad_records(count // 2) + HST + bad_records(count // 2, count // 2 + 1))
    return path, count


def test_a_file_of_bad_records_keeps_its_good_ones_and_a_bounded_report(bad_file):
    path, count = bad_file
    reports = []
    catalog = Catalog.load([path], progress=Progress(lambda done, total, note: reports.append((done, total))))
    assert sorted(catalog.norad_id.tolist()) == [20580, 25544]
    assert catalog.rejected_count == count
    assert len(catalog.rejections) == MAX_KEPT and catalog.more_rejections == count - MAX_KEPT
    assert [r.location for r in catalog.rejections[:3]] == ["line 5", "line 8", "line 11"]  # the first, in file order
    size = path.stat().st_size
    done = [d for d, _ in reports]
    assert all(total == size for _, total in reports)
    assert done == sorted(done) and done[0] == 0 and done[-1] == size
    assert len(set(done)) >= 2 + size // 2**20  # heard while the file streamed in, not only before and after


def test_catalog_info_lists_the_first_rejections_and_counts_the_rest(bad_file, capsys):
    path, count = bad_file
    assert main(["catalog", "info", str(path)]) == 3
    out, err = capsys.readouterr()
    info = json.loads(out)
    assert info["objects"] == 2 and info["rejected_count"] == count and len(info["rejected"]) == MAX_KEPT
    assert f"{count:,} input record(s) rejected" in err and f"  ... and {count - MAX_KEPT:,} more" in err
    assert len(err.splitlines()) == MAX_KEPT + 2
    assert "Traceback" not in err


def test_reading_a_large_bad_file_holds_far_less_memory_than_the_file(tmp_path):
    """The file is not read whole: peak traced memory stays a small part of its size."""
    path = tmp_path / "large.tle"
    junk = "x" * 3000 + "\n\n"  # (long lines: few allocations, so tracemalloc stays fast)
    block = junk + bad_records(1, 4) + junk + bad_records(1, 3)  # a wrong checksum, a line 1 alone
    blocks = 20 * 2**20 // len(block)
    path.write_text(block * blocks + HST)
    size = path.stat().st_size
    tracemalloc.start()
    try:
        result = read_catalog_file(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [e.norad_id for e in result.element_sets] == [20580]
    assert result.rejected_count == 2 * blocks
    assert peak < size / 4, f"peak {peak / 2**20:.1f} MiB reading {size / 2**20:.1f} MiB"


def test_an_overlong_line_is_one_rejection_and_the_next_record_loads(tmp_path):
    path = tmp_path / "long.tle"
    path.write_text("1 " + "9" * 100_000 + "\n" + HST)
    result = read_catalog_file(path)
    assert [e.norad_id for e in result.element_sets] == [20580]
    assert [(r.location, "longer than" in r.reason) for r in result.rejections] == [("line 1", True)]


# --- a perigee below the Earth's surface: loaded, with a warning naming the record ----------------------

def _with_mean_motion(record: str, mean_motion: str, eccentricity: str) -> str:
    """The record with line 2's eccentricity (7 digits) and mean motion (11 columns) replaced."""
    name, line1, line2 = record.splitlines()
    line2 = line2[:26] + eccentricity + line2[33:52] + mean_motion + line2[63:68]
    return f"{name}\n{line1}\n{line2}{tle_checksum(line2)}\n"


# 2 rev/day, e = 0.76: a perigee near the surface (altitude a (1 - e) - 6378.135 km, WGS72 as sgp4)
BELOW = _with_mean_motion(HST, " 2.00000000", "7605000")  # perigee -4.0 km
ABOVE = _with_mean_motion(HST, " 2.00000000", "7603000")  # perigee +1.3 km


def _omm_json(eccentricity: str, name: str = "HST") -> bytes:
    return json.dumps([{"OBJECT_NAME": name, "OBJECT_ID": "1990-037B", "EPOCH": "2026-08-10T23:05:38.691168",
                        "MEAN_MOTION": "2.0", "ECCENTRICITY": eccentricity, "INCLINATION": "28.4729",
                        "RA_OF_ASC_NODE": "66.0407", "ARG_OF_PERICENTER": "39.3084", "MEAN_ANOMALY": "320.7686",
                        "NORAD_CAT_ID": "20580", "BSTAR": ".10286E-3", "MEAN_MOTION_DOT": ".00003432",
                        "MEAN_MOTION_DDOT": "0"}]).encode()


def _omm_csv(eccentricity: str) -> bytes:
    record = json.loads(_omm_json(eccentricity))[0]
    return (",".join(record) + "\n" + ",".join(record.values()) + "\n").encode()


def _omm_kvn(eccentricity: str) -> bytes:
    record = json.loads(_omm_json(eccentricity))[0]
    return ("CCSDS_OMM_VERS = 2.0\n" + "".join(f"{k} = {v}\n" for k, v in record.items())).encode()


def _omm_xml(eccentricity: str) -> bytes:
    record = json.loads(_omm_json(eccentricity))[0]
    body = "".join(f"<{k}>{v}</{k}>" for k, v in record.items())
    return f"<omm><body><segment><metadata/><data>{body}</data></segment></body></omm>".encode()


@pytest.mark.parametrize("fmt, below, above", [
    ("tle", BELOW.encode(), ABOVE.encode()),
    ("omm-json", _omm_json(".7605"), _omm_json(".7603")),
    ("omm-csv", _omm_csv(".7605"), _omm_csv(".7603")),
    ("omm-kvn", _omm_kvn(".7605"), _omm_kvn(".7603")),
    ("omm-xml", _omm_xml(".7605"), _omm_xml(".7603")),
])
def test_a_perigee_below_the_surface_loads_with_a_warning_naming_the_record(fmt, below, above):
    result = read_catalog_bytes(below, "decaying", fmt)
    assert [e.norad_id for e in result.element_sets] == [20580] and not result.rejections
    [warning] = result.warnings
    assert warning.source == "decaying" and warning.location in ("line 1", "line 2", "record 1")
    assert "20580 HST: perigee -4.0 km, below the Earth's surface" in str(warning)
    just_above = read_catalog_bytes(above, "fine", fmt)
    assert [e.norad_id for e in just_above.element_sets] == [20580] and just_above.warnings == []


def test_the_warning_reaches_the_catalog_and_catalog_info(tmp_path, capsys):
    path = tmp_path / "decaying.tle"
    path.write_text(BELOW + ISS)
    catalog = Catalog.load([path])
    assert len(catalog) == 2 and [str(w) for w in catalog.warnings] == [
        f"{path}:line 2: 20580 HST: perigee -4.0 km, below the Earth's surface (decaying, or its elements are "
        "wrong); loaded"]
    assert main(["catalog", "info", str(path)]) == 0  # a warning is no rejection
    out, err = capsys.readouterr()
    assert json.loads(out)["warning_count"] == 1
    assert "1 warning(s) about loaded records" in err and "20580 HST: perigee -4.0 km" in err


def test_short_broken_tle_lines_are_rejected_not_taken_for_names(tmp_path):
    """Seen trying 60,000 records whose lines 1 and 2 were cut short: they passed for names,
    and the file loaded nothing without a word. A line that starts as a TLE line (its number
    and a catalog number) but is too short is now a rejection naming its line."""
    path = tmp_path / "short.tle"
    path.write_text(ISS + "BROKEN 1\n1 99999U 26223.0 garbage\n2 nonsense line here\n")
    catalog = Catalog.load([path])
    assert catalog.norad_id.tolist() == [25544]
    assert [(r.location, r.reason) for r in catalog.rejections] == [
        ("line 5", "looks like TLE line 1 but has only 24 characters (a line has 69)")]

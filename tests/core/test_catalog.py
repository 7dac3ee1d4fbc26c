"""The catalog: columns, de-duplication, metadata (type, owner, regime, age) on real data."""

from __future__ import annotations

from datetime import datetime, timezone

import numpy as np
import pytest

from app.catalog import classify
from app.catalog.catalog import Catalog, newest_per_catalog_number
from app.catalog.ingest.tle import read_tle_text, tle_checksum

ISS_OLD = ("ISS (ZARYA)\n1 25544U 98067A   26220.14934248  .00003640  00000+0  73197-4 0  999X\n"
           "2 25544  51.6325  28.0815 0007436  34.6982 325.4490 15.49408704580271\n")
ISS_NEW = ("ISS (ZARYA)\n1 25544U 98067A   26223.14934248  .00003640  00000+0  73197-4 0  9993\n"
           "2 25544  51.6325  28.0815 0007436  34.6982 325.4490 15.49408704580271\n")


def _with_checksum(text):
    return "\n".join(line[:68] + str(tle_checksum(line)) if line.startswith("1 ") else line
                     for line in text.splitlines())


def test_default_catalog_loads_whole(default_catalog):
    """2026-08-11 active set (16,089) plus three debris groups (1,914 + 586 + 111)."""
    assert len(default_catalog) == 18700
    assert not default_catalog.rejections
    assert len(np.unique(default_catalog.norad_id)) == len(default_catalog)
    assert len(default_catalog.chunks) == int(np.ceil(len(default_catalog) / default_catalog.chunk_size))


def test_columns_describe_known_objects(default_catalog):
    iss = default_catalog.row_of(25544)
    assert default_catalog.name[iss] == "ISS (ZARYA)"
    assert default_catalog.intl_designator[iss] == "1998-067A"
    assert default_catalog.object_type[iss] == classify.PAYLOAD
    assert default_catalog.owner_state[iss] == "US"
    assert default_catalog.regime[iss] == classify.LEO
    assert 92.5 < default_catalog.period_min[iss] < 93.5
    assert 400 < default_catalog.perigee_alt_km[iss] < default_catalog.apogee_alt_km[iss] < 440
    assert default_catalog.inclination_deg[iss] == pytest.approx(51.6325, abs=1e-9)
    assert default_catalog.epoch_utc(iss) == datetime(2026, 8, 11, 3, 35, 3, 190272, tzinfo=timezone.utc)


def test_object_types_from_names_and_gcat(default_catalog):
    fengyun = default_catalog.source_file == next(s for s in set(default_catalog.source_file) if "fengyun" in s)
    names = default_catalog.name[fengyun]
    debris = default_catalog.object_type[fengyun] == classify.DEBRIS
    assert all("DEB" in n for n in names[debris])
    assert debris.sum() >= 1900  # all but the parent satellite itself
    assert default_catalog.object_type[default_catalog.row_of(25730)] == classify.PAYLOAD  # FENGYUN 1C, in GCAT
    assert classify.object_type_from_name("SL-16 R/B") == classify.ROCKET_BODY
    assert classify.object_type_from_name("COSMOS 2251 DEB") == classify.DEBRIS
    assert classify.object_type_from_name("DEBUT (ORIZURU)") == classify.UNKNOWN


def test_regimes_of_known_objects(default_catalog):
    def regime(norad_id):
        return default_catalog.regime[default_catalog.row_of(norad_id)]
    assert regime(25544) == "LEO"  # ISS
    assert regime(24876) == "MEO"  # GPS BIIR-2 (PRN 13)
    assert regime(41866) == "GEO"  # GOES 16
    assert regime(47719) == "HEO"  # ARKTIKA-M 1, Molniya orbit (e = 0.73)
    assert regime(25867) == "HEO"  # CXO, beyond GEO on an eccentric orbit


def test_owner_states_from_gcat(default_catalog):
    owners = dict(zip(default_catalog.norad_id.tolist(), default_catalog.owner_state.tolist()))
    assert owners[25730] == "CN"  # FENGYUN 1C
    assert owners[20580] == "US"  # HST
    covered = np.count_nonzero(default_catalog.owner_state != "")
    assert covered > 9000  # GCAT (2025-04-07) covers about 10.2k of the active set


def test_element_age(default_catalog):
    iss = default_catalog.row_of(25544)
    at = datetime(2026, 8, 13, 3, 35, 3, 190272, tzinfo=timezone.utc)
    assert default_catalog.element_age_days(at)[iss] == pytest.approx(2.0, abs=1e-9)
    assert not default_catalog.stale_mask(at)[iss]
    assert default_catalog.stale_mask(datetime(2026, 9, 1, tzinfo=timezone.utc))[iss]


def test_duplicates_keep_the_newest_epoch():
    old = read_tle_text(_with_checksum(ISS_OLD), "old.tle").element_sets
    new = read_tle_text(ISS_NEW, "new.tle").element_sets
    for order in (old + new, new + old):
        kept, superseded = newest_per_catalog_number(order)
        assert [e.source for e in kept] == ["new.tle"]
        assert [(s.source, s.kept_source) for s in superseded] == [("old.tle", "new.tle")]


def test_subset_and_empty(default_catalog):
    rows = default_catalog.rows_of([25544, 20580])
    subset = default_catalog.subset(rows)
    assert subset.norad_id.tolist() == [25544, 20580]
    assert subset.version != default_catalog.version
    empty = Catalog.empty()
    assert len(empty) == 0 and empty.summary()["objects"] == 0
    with pytest.raises(KeyError):
        default_catalog.row_of(99999999)


def test_summary_counts_add_up(default_catalog):
    summary = default_catalog.summary()
    assert sum(summary["by_object_type"].values()) == len(default_catalog)
    assert sum(summary["by_regime"].values()) == len(default_catalog)
    assert summary["epoch_min_utc"].startswith("2026-05") and summary["epoch_max_utc"].startswith("2026-08-13")


def test_gcat_state_markers_are_cleaned():
    from app.catalog.owners import _clean_state

    assert [_clean_state(s) for s in ("US", "[US]", "[US]*", "US*", "-", "[I-ESA]*")] == ["US", "US", "US", "US", "", "I-ESA"]

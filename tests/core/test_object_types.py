"""Object type and owner state of the bundled catalog: from GCAT where it lists the object,
inferred from constellation / program / launcher names and from the launch where it does not."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from app.catalog import classify, owners
from app.catalog.filter import BUILTIN_GROUPS

ROOT = Path(__file__).resolve().parents[2]
EXCERPT = "gcat_psatcat_excerpt_2025-04-07.tsv"


def _row(catalog, norad_id):
    row = catalog.row_of(norad_id)
    return tuple(str(column[row]) for column in (catalog.name, catalog.object_type, catalog.owner_state,
                                                 catalog.owner_basis))


def test_nearly_every_object_has_a_type_and_an_owner(default_catalog):
    """Before names and launches were used, 5,932 of 18,700 objects were UNKNOWN and 8,543
    had no owner. What is left: about 200 pieces not identified yet (TRANSPORTER-17 OBJECT J,
    2025-313A: no name to go on) and about 150 single satellites launched after GCAT's
    2025-04-07 snapshot whose names belong to no program the tables know."""
    typed = default_catalog.object_type != classify.UNKNOWN
    owned = default_catalog.owner_state != ""
    both = typed & owned
    assert typed.mean() >= 0.985 and owned.mean() >= 0.98 and both.mean() >= 0.975
    identified = np.array([not classify.is_unidentified_piece(n) for n in default_catalog.name])
    assert identified.sum() > 18300
    assert typed[identified].all()  # a named object is a payload unless its name says otherwise
    assert both[identified].mean() >= 0.985
    active = np.array(["active" in source for source in default_catalog.source_file])
    assert both[active].mean() >= 0.97
    debris_groups = ~active
    assert both[debris_groups].all()  # every debris piece has its parent's owner


@pytest.mark.parametrize("norad_id, expected", [
    (25544, ("ISS (ZARYA)", "PAYLOAD", "US", "GCAT")),
    (20580, ("HST", "PAYLOAD", "US", "GCAT")),
    (25730, ("FENGYUN 1C", "PAYLOAD", "CN", "GCAT")),
    (63515, ("STARLINK-33796", "PAYLOAD", "US", "name")),  # launched 2025-04-28, after GCAT's snapshot
    (63724, ("KUIPER-00008", "PAYLOAD", "US", "name")),
    (66033, ("QIANFAN-91", "PAYLOAD", "CN", "name")),
    (29733, ("FENGYUN 1C DEB", "DEBRIS", "CN", "name")),
    (33757, ("COSMOS 2251 DEB", "DEBRIS", "RU", "name")),
    (33773, ("IRIDIUM 33 DEB", "DEBRIS", "US", "name")),
    (68753, ("SL-4 R/B", "ROCKET BODY", "RU", "name")),  # the launcher's state
    (69095, ("ZHUQUE-2E R/B", "ROCKET BODY", "CN", "name")),
    (25160, ("CELESTIS-02 & TAURUS R/B", "ROCKET BODY", "US", "launch")),  # 1998-007: GCAT's payloads all US
    (69572, ("GUOWANG OBJECT A", "UNKNOWN", "CN", "name")),  # a piece of a Guowang launch, not identified
    (69877, ("TRANSPORTER-17 OBJECT J", "UNKNOWN", "", "")),  # a rideshare: owners of all kinds
])
def test_known_objects(default_catalog, norad_id, expected):
    assert _row(default_catalog, norad_id) == expected


def test_owner_from_name():
    assert owners.owner_from_name("STARLINK-35000") == "US"
    assert owners.owner_from_name("ONEWEB-0700") == "UK"  # learned from GCAT
    assert owners.owner_from_name("COSMOS 2600", "2026-001A") == "RU"
    assert owners.owner_from_name("SL-3 R/B", "1975-010B") == "SU"  # a Soviet launch
    assert owners.owner_from_name("THOR 7") == "N"  # Telenor's satellite: THOR the launcher only names R/B and DEB
    assert owners.owner_from_name("THOR AGENA D R/B") == "US"
    assert owners.owner_from_name("FALCON EYE 2") == ""  # not a Falcon rocket body
    assert owners.owner_from_name("COSMO-SKYMED 1") == "I" and owners.owner_from_name("COSMOS-SKYMED") == "RU"
    assert owners.owner_from_name("GALILEO 33") == "" and owners.owner_from_name("") == ""


def test_unidentified_pieces():
    for name in ("OBJECT C", "TRANSPORTER-14 OBJECT AC", "CAS500-2 RIDESHARE OBJE*", "2025-108A",
                 "TBA - TO BE ASSIGNED", ""):
        assert classify.is_unidentified_piece(name), name
    for name in ("ISS (ZARYA)", "STARLINK-1007", "OBJECTIVE-1", "2025 TEST SAT"):
        assert not classify.is_unidentified_piece(name), name


def test_name_prefixes_agree_with_gcat(default_catalog):
    """Where GCAT lists a payload, the owner its name would give agrees with GCAT's almost
    always (the exceptions: programs GCAT registers in several states, such as Spire's LEMURs
    and ICEYE, where the prefix gives the operator's state)."""
    gcat = owners.owner_states()
    agree = differ = 0
    for number, name, designator in zip(default_catalog.norad_id.tolist(), default_catalog.name.tolist(),
                                        default_catalog.intl_designator.tolist()):
        if number in gcat and (by_name := owners.owner_from_name(name, designator)):
            if by_name == gcat[number] or {by_name, gcat[number]} == {"SU", "RU"}:
                agree += 1
            else:
                differ += 1
    assert agree > 9000 and differ / (agree + differ) < 0.005


def test_groups_take_in_the_inferred_objects(default_catalog):
    def members(group):
        mask = BUILTIN_GROUPS[group].mask(default_catalog)
        return set(default_catalog.norad_id[mask].tolist())

    payloads, us, china, russia = (members(group) for group in
                                   ("Payloads", "Owner: US", "Owner: China", "Owner: Russia / USSR"))
    assert len(payloads) > 15800 and {63515, 63724, 66033} <= payloads  # Starlink, Kuiper, Qianfan after GCAT
    assert len(members("Starlink") - payloads) == 0 and len(members("Starlink") - us) == 0
    assert {63515, 63724, 33773} <= us and {66033, 29733, 69095} <= china and {33757, 68753} <= russia
    assert len(members("Debris") & (us | china | russia)) == len(members("Debris"))


def test_summary_counts_owners(default_catalog):
    summary = default_catalog.summary()
    assert sum(summary["by_owner_state"].values()) == len(default_catalog)
    assert sum(summary["owner_from"].values()) == len(default_catalog)
    assert summary["by_owner_state"]["US"] > 12000 and summary["by_owner_state"]["none"] < 400
    assert summary["owner_from"]["GCAT"] > 10000 and summary["by_object_type"]["UNKNOWN"] < 250


def _build_script():
    spec = importlib.util.spec_from_file_location("build_owner_tables", ROOT / "packaging" / "build_owner_tables.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_shipped_gcat_table_is_gcats_data(data_dir):
    """The shipped table holds what GCAT's psatcat.tsv says (an excerpt of it in tests/data),
    as packaging/build_owner_tables.py extracts it."""
    build = _build_script()
    rows = build.read_gcat(data_dir / EXCERPT)
    assert len(rows) == 19 and rows[0] == (2, "SU", "")  # Sputnik's Greek-letter designation: no launch
    shipped = dict(owners._gcat_rows())
    assert all(shipped[number] == raw for number, raw, _ in rows)
    assert (25544, "US", "1998-067") in rows and (24946, "[US]", "1997-051") in rows
    assert owners.owner_states()[24946] == "US" and 26 not in owners.owner_states()  # "-": no owner
    launches = build.gcat_launch_owners(rows)
    assert launches["1997-051"] == ("US", "gcat:7") and launches["1999-025"] == ("CN", "gcat:2")
    for launch in ("1993-036", "1997-051", "1999-025"):  # every payload of these launches is in the excerpt
        assert owners.launch_owners()[launch] == launches[launch][0]
    assert "1998-067" not in owners.launch_owners()  # the ISS launch: cubesats of many states deployed from it

"""A scenario's breakup fragments have a catalog group of their own ("Breakup debris"),
and stay in "Debris" with the catalog's own debris; the group survives a saved view."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from app.catalog.filter import BREAKUP_SOURCE, BUILTIN_GROUPS, CatalogFilter
from app.scenario.opening import open_scenario
from app.state.console_state import ConsoleState, GroupFilter


@pytest.fixture(scope="module")
def catalog(data_dir):
    run = open_scenario(data_dir / "scenarios" / "small_breakup.yaml")
    return run.state_at(datetime(2026, 8, 12, 1, tzinfo=timezone.utc)).catalog


def test_breakup_debris_group_holds_the_fragments(catalog):
    fragments = list(range(90000, 90005))
    assert catalog.norad_id[BUILTIN_GROUPS["Breakup debris"].mask(catalog)].tolist() == fragments
    assert catalog.norad_id[BUILTIN_GROUPS["Debris"].mask(catalog)].tolist() == [49863, *fragments]
    narrowed = BUILTIN_GROUPS["Breakup debris"].with_text("90003")  # a search inside the group
    assert catalog.norad_id[narrowed.mask(catalog)].tolist() == [90003]


def test_the_group_survives_a_saved_view_and_a_saved_group():
    group = BUILTIN_GROUPS["Breakup debris"]
    assert group.sources == frozenset({BREAKUP_SOURCE})
    assert CatalogFilter.from_dict(group.to_dict()) == group
    state = ConsoleState()
    state.shown.group_filter = GroupFilter.of(group)
    again = ConsoleState.from_json(state.to_json())
    assert again.shown.group_filter.catalog_filter() == group
    assert CatalogFilter.from_dict({"object_types": ["DEBRIS"]}).sources == frozenset()  # groups saved before

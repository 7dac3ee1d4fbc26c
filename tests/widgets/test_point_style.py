"""Point colours: by object type, a scenario's breakup fragments have a colour of their own
(not the grey of the catalog's debris), named in the legend; by orbit regime they are
coloured like any other object."""

from __future__ import annotations

from datetime import datetime, timezone

import numpy as np
import pytest

from app.scenario.opening import open_scenario
from widgets.theme import BREAKUP_DEBRIS_COLOR, OBJECT_TYPE_COLORS, REGIME_COLORS, rgba
from widgets.views.point_style import object_colors, object_legend_html


@pytest.fixture(scope="module")
def catalog(data_dir):
    run = open_scenario(data_dir / "scenarios" / "small_breakup.yaml")
    return run.state_at(datetime(2026, 8, 12, 1, tzinfo=timezone.utc)).catalog


def test_breakup_fragments_have_their_own_colour(catalog):
    colors = object_colors(catalog, "Object type")
    fragments = catalog.rows_of(range(90000, 90005))
    np.testing.assert_allclose(colors[fragments], [rgba(BREAKUP_DEBRIS_COLOR, 0.9)] * 5)
    np.testing.assert_allclose(colors[catalog.row_of(49863)], rgba(OBJECT_TYPE_COLORS["DEBRIS"], 0.9))
    np.testing.assert_allclose(colors[catalog.row_of(25544)], rgba(OBJECT_TYPE_COLORS["PAYLOAD"], 0.9))
    assert BREAKUP_DEBRIS_COLOR not in (*OBJECT_TYPE_COLORS.values(), *REGIME_COLORS.values())
    by_regime = object_colors(catalog, "Orbit regime")
    np.testing.assert_allclose(by_regime[fragments], [rgba(REGIME_COLORS["LEO"], 0.9)] * 5)


def test_the_legend_names_the_breakup_colour_when_there_are_fragments(catalog, default_catalog):
    entry = f"<span style='color:{BREAKUP_DEBRIS_COLOR}'>●</span>&nbsp;Breakup&nbsp;debris"
    assert entry in object_legend_html("Object type", catalog)
    assert "Breakup" not in object_legend_html("Object type", default_catalog)  # no breakup, no entry
    assert "Breakup" not in object_legend_html("Orbit regime", catalog)

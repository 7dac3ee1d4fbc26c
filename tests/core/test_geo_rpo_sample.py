"""The GEO sample does what its description says: the watch pair goes normal -> caution
(first burn: a slow drift predicted to come within the caution range, never the warning
range) -> critical (second burn: a pass inside the warning range within a day), from SGP4 on
the elements fitted after each burn; and the drift follows Clohessy-Wiltshire."""

from __future__ import annotations

import math
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pytest

from app.astro.relative_motion import relative_ric
from app.astro.timeutil import datetime_to_jd
from app.scenario.format import load_scenario
from app.scenario.run import ScenarioRun

SAMPLE = Path(__file__).parents[2] / "resources" / "scenarios" / "geo_rpo_inspection.yaml"
ASSET, INSPECTOR = 30794, 99001
N_GEO_RAD_S = 2 * math.pi * 1.00270335 / 86400.0  # the inspector's mean motion


@pytest.fixture(scope="module")
def run(default_catalog):
    scenario, folder = load_scenario(SAMPLE)
    return ScenarioRun(scenario, folder, bundled_catalog=default_catalog)


@pytest.fixture(scope="module")
def events(run):
    return list(run.events())


def test_the_pair_goes_normal_caution_critical(events):
    alerts = [(e.sim_utc[:19], e.data["previous"], e.severity) for e in events if e.kind == "alert"]
    assert alerts == [("2026-08-12T01:00:00", "normal", "caution"),  # the first burn
                      ("2026-08-13T00:56:00", "caution", "critical")]  # the second burn
    caution, critical = (e for e in events if e.kind == "alert")
    assert 10.0 < caution.data["miss_km"] < 50.0 and caution.data["range_km"] > 50.0  # predicted, not yet there
    assert critical.data["miss_km"] < 10.0
    hours_to_tca = (datetime.fromisoformat(critical.data["tca_utc"]) - datetime(2026, 8, 13, 0, 56, tzinfo=timezone.utc)
                    ).total_seconds() / 3600.0
    assert 18.0 < hours_to_tca < 23.0  # inside the 24 h that makes it critical, with room to spare
    # between the burns no prediction came inside the warning range (that would have been 'serious')
    between = [e.data["miss_km"] for e in events if e.kind == "approach" and e.sim_utc < "2026-08-13T00:56"]
    assert between and min(between) > 15.0


def _ric(catalog, moment: datetime) -> np.ndarray:
    jd, fr = datetime_to_jd(moment)
    _, r1, v1 = catalog.satrecs[catalog.row_of(ASSET)].sgp4(jd, fr)
    _, r2, _ = catalog.satrecs[catalog.row_of(INSPECTOR)].sgp4(jd, fr)
    return relative_ric(np.array(r1), np.array(v1), np.array(r2))


def test_the_pass_happens_where_predicted(run, events):
    """SGP4 on the elements fitted after the second burn puts the inspector inside the warning
    range at the predicted time of closest approach."""
    critical = next(e for e in events if e.kind == "alert" and e.severity == "critical")
    tca = datetime.fromisoformat(critical.data["tca_utc"])
    state = run.state_at(tca)
    assert float(np.linalg.norm(_ric(state.catalog, tca))) == pytest.approx(critical.data["miss_km"], abs=0.01)
    start = run.state_at(datetime(2026, 8, 12, tzinfo=timezone.utc))
    assert float(np.linalg.norm(_ric(start.catalog, start.at))) > 100.0  # parked 110 km away at the start


def test_drift_per_orbit_is_three_pi_delta_a(run):
    """After the first in-track burn dv the inspector drifts 3 pi da per orbit, da = 2 dv / n
    (CW: Vallado, 4th ed., sec. 6.8): 23.3 km for 0.09 m/s."""
    burn, one_orbit_later = (datetime(2026, 8, 12, 1, 0, tzinfo=timezone.utc),
                             datetime(2026, 8, 13, 0, 55, 33, tzinfo=timezone.utc))
    assert run.scenario.injects[1].at == burn
    state = run.state_at(burn)  # the first burn applied, not the second
    dv_km_s = abs(run.scenario.injects[1].delta_v_ric_m_s[1]) / 1000.0
    expected = 3 * math.pi * 2 * dv_km_s / N_GEO_RAD_S
    moved = _ric(state.catalog, one_orbit_later)[1] - _ric(state.catalog, burn)[1]  # in-track
    assert moved == pytest.approx(expected, rel=0.05)

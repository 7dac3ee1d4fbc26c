"""What a scenario names must exist: `scenario validate` reports every problem, fields and
references alike, in one pass with file:line: field, and a scenario whose references do not
resolve is refused by `scenario run` and the console instead of running with injects 'not
applied'."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.scenario.format import ScenarioError, ScenarioParts, load_scenario, parse_scenario
from app.scenario.opening import open_scenario
from app.scenario.references import reference_problems
from app.scenario.run import ScenarioRun

SCENARIOS = Path(__file__).parents[2] / "resources" / "scenarios"

BAD_REFERENCES = [  # tests/data/scenarios/bad_references.yaml, in file order
    "16: watch_pairs.0.secondary: object 99999 is not in the scenario's catalog and no inject makes it",
    "22: tasking_requests.0.sensor.value: no sensor named 'Fylingdale (Fylingdales, UK)' in the scenario's sensor "
    "list (did you mean 'Fylingdales (Fylingdales, UK)'?)",
    "28: injects.0.object: object 99001 does not exist yet at 2026-08-12T01:00:00Z: injects.1 makes it at "
    "2026-08-12T02:00:00Z",
    "40: injects.2.element_set.line1: catalog number 25544 is already in the catalog (a launch adds a new object; "
    "element_update gives one new elements)",
    "47: injects.3.first_id: fragments 25540-25549 would replace 25544 in the catalog (fragments need unused numbers)",
    "50: injects.4.sensor: no sensor named 'Fylingdales' in the scenario's sensor list (did you mean "
    "'Fylingdales (Fylingdales, UK)'?)",
    "55: injects.5.delta_v_ric_m_s.2: Field required",  # a field error: reported with the rest
    "57: injects.6.at: 2026-08-12T09:00:00Z is outside the scenario (2026-08-12T00:00:00Z + 6 h)",
]


def _after_name(errors: list[str], name: str) -> list[str]:
    return [e.split(f"{name}:", 1)[1] for e in errors]


def test_every_error_fields_and_references_in_one_pass(data_dir):
    with pytest.raises(ScenarioError) as raised:
        open_scenario(data_dir / "scenarios" / "bad_references.yaml")
    assert _after_name(raised.value.errors, "bad_references.yaml") == BAD_REFERENCES


def test_cli_validate_prints_each_error_with_its_line(data_dir):
    done = subprocess.run([sys.executable, "-m", "app", "scenario", "validate",
                           str(data_dir / "scenarios" / "bad_references.yaml")], capture_output=True, text=True)
    assert done.returncode == 3
    lines = done.stderr.splitlines()
    assert _after_name(lines[:-1], "bad_references.yaml") == BAD_REFERENCES
    assert lines[-1].endswith("8 error(s); nothing was run")


def test_a_maneuver_on_an_unknown_object_is_refused_not_skipped(data_dir):
    """The fields are all valid: the file loads, but opening it for a run, `scenario
    validate`, `scenario run` and the console all refuse it, naming the line."""
    path = data_dir / "scenarios" / "unknown_object.yaml"
    scenario, folder = load_scenario(path)  # the fields alone are fine
    expected = f"{path}:14: injects.0.object: object 99999 is not in the scenario's catalog and no inject makes it"
    with pytest.raises(ScenarioError) as raised:
        ScenarioRun(scenario, folder)
    assert raised.value.errors == [expected]
    for command in (["scenario", "validate", str(path)], ["scenario", "run", str(path)], ["--scenario", str(path)]):
        env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
        done = subprocess.run([sys.executable, "-m", "app", *command], capture_output=True, text=True, env=env,
                              timeout=120)
        assert done.returncode == 3 and done.stdout == "", command
        assert done.stderr.splitlines()[0] == expected, command


@pytest.mark.parametrize("name", ["geo_rpo_inspection.yaml", "leo_breakup_tasking_surge.yaml"])
def test_samples_name_only_what_exists(name, default_catalog):
    run = open_scenario(SCENARIOS / name, bundled_catalog=default_catalog)
    assert run.scenario.injects


HEAD = """format: spaceops-scenario
version: 1
name: references
start: 2026-08-12T00:00:00Z
duration_hours: 6
"""
LAUNCH = """  - kind: launch
    at: {at}
    enabled: {enabled}
    element_set:
      name: NEWSAT
      line1: "1 99001U 26001A   26223.14934248  .00000000  00000+0  00000+0 0  9996"
      line2: "2 99001  51.6325  28.0815 0007436  34.6982 325.4490 15.49408704580270"
"""
BURN = """  - kind: maneuver
    at: {at}
    object: {object}
    delta_v_ric_m_s: [0, 0.1, 0]
"""
BREAKUP = """  - kind: breakup
    at: 2026-08-12T01:00:00Z
    parent: 25544
    fragments: 10
    delta_v_spread_m_s: 5
    first_id: {first_id}
"""


def _problems(text: str, catalog: set[int] = frozenset({25544}), sensors: set[str] = frozenset({"Fylingdales"})):
    return reference_problems(ScenarioParts.of(parse_scenario(HEAD + text)), set(catalog), set(sensors))


@pytest.mark.parametrize("text, expected", [
    # an object a launch makes can be burned after the launch, and watched from the start
    ("watch_pairs: [{primary: 25544, secondary: 99001}]\ninjects:\n" + LAUNCH.format(at="2026-08-12T01:00:00Z",
     enabled="true") + BURN.format(at="2026-08-12T02:00:00Z", object=99001), []),
    # ... but not burned before it exists
    ("injects:\n" + BURN.format(at="2026-08-12T00:30:00Z", object=99001)
     + LAUNCH.format(at="2026-08-12T01:00:00Z", enabled="true"),
     [(("injects", 0, "object"), "object 99001 does not exist yet at 2026-08-12T00:30:00Z: injects.1 makes it at "
                                 "2026-08-12T01:00:00Z")]),
    # a disabled launch makes nothing, and the message says so
    ("watch_pairs: [{primary: 25544, secondary: 99001}]\ninjects:\n" + LAUNCH.format(at="2026-08-12T01:00:00Z",
     enabled="false"),
     [(("watch_pairs", 0, "secondary"), "object 99001 is not in the scenario's catalog and no inject makes it "
                                        "(injects.0 would, but it is disabled)")]),
    # fragments may be watched and tasked; two breakups may not share numbers
    ("watch_pairs: [{primary: 25544, secondary: 80003}]\ninjects:\n" + BREAKUP.format(first_id=80000)
     + BREAKUP.format(first_id=80005),
     [(("injects", 1, "first_id"), "fragments 80005-80014 would replace objects that injects.0 makes (a new object "
                                   "needs an unused number)")]),
    # a sensor outage names a sensor exactly
    ("injects:\n  - {kind: sensor_outage, at: 2026-08-12T01:00:00Z, sensor: fylingdales, "
     "until: 2026-08-12T02:00:00Z}\n",
     [(("injects", 0, "sensor"), "no sensor named 'fylingdales' in the scenario's sensor list (did you mean "
                                 "'Fylingdales'?)")]),
])
def test_reference_rules(text, expected):
    assert _problems(text) == expected


def test_unreadable_catalog_leaves_object_references_unchecked():
    """When the catalog part itself has errors, its own errors are the report: no cascade of
    'not in the catalog' for every object the scenario names."""
    parts = ScenarioParts.of(parse_scenario(HEAD + "watch_pairs: [{primary: 1, secondary: 2}]\n"))
    assert reference_problems(parts, None, set()) == []

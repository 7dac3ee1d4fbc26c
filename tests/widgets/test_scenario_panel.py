"""Exercise control panel: inject editing as YAML (validated with line numbers and the
scenario span), previous/next jumps, fire now and disable."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from app.scenario.format import load_scenario
from app.scenario.run import ScenarioRun
from tests.core.test_scenario import SCENARIOS


@pytest.fixture(scope="module")
def run(default_catalog):
    scenario, folder = load_scenario(SCENARIOS / "geo_rpo_inspection.yaml")
    return ScenarioRun(scenario, folder, bundled_catalog=default_catalog)


@pytest.fixture
def panel(qtbot, run):
    from widgets.panels.scenario_panel import ScenarioPanel

    widget = ScenarioPanel(interactive=False)
    qtbot.addWidget(widget)
    widget.set_run(run)
    return widget


def test_parse_inject_names_line_and_field():
    from widgets.panels.scenario_panel import parse_inject

    inject = parse_inject("kind: maneuver\nat: 2026-08-12T03:00:00Z\nobject: 99001\ndelta_v_ric_m_s: [0, 0.1, 0]\n")
    assert inject.kind == "maneuver" and inject.delta_v_ric_m_s == (0.0, 0.1, 0.0)
    with pytest.raises(ValueError) as raised:
        parse_inject("kind: maneuver\nat: 2026-08-12T03:00:00Z\nobject: -4\ndelta_v_ric_m_s: [0, 0.1, 0]\n")
    assert str(raised.value) == "line 3: object: Input should be greater than 0"
    with pytest.raises(ValueError, match="line 3: not valid YAML"):  # where the parser ran out
        parse_inject("kind: message\ntext: 'unclosed\n")


def test_dialog_refuses_an_inject_outside_the_scenario(qtbot, run):
    from widgets.panels.scenario_panel import InjectDialog

    dialog = InjectDialog("kind: message\nat: 2026-09-01T00:00:00Z\ntext: late\n", "Add", (run.scenario.start,
                                                                                          run.scenario.end))
    qtbot.addWidget(dialog)
    dialog.accept()
    assert dialog.inject is None and "outside the scenario" in dialog.error_label.text()
    dialog.editor.setPlainText("kind: message\nat: 2026-08-12T06:00:00Z\ntext: in time\n")
    dialog.accept()
    assert dialog.inject.text == "in time"


def test_previous_next_fire_now_and_disable(panel, run):
    jumps, changed = [], []
    panel.jump_requested.connect(jumps.append)
    panel.injects_changed.connect(changed.append)
    panel.refresh(datetime(2026, 8, 12, 0, 45, tzinfo=timezone.utc))
    assert panel.statuses() == ["fired", "pending", "pending", "pending"]
    assert panel.jump(+1) == datetime(2026, 8, 12, 1, 0, tzinfo=timezone.utc) == jumps[-1]
    assert panel.jump(-1) == datetime(2026, 8, 12, 0, 30, tzinfo=timezone.utc)
    panel.fire_now(3)  # the banner change, at 00:45
    assert run.injects[3].at == datetime(2026, 8, 12, 0, 45, tzinfo=timezone.utc) and changed == [3]
    assert run.state_at(datetime(2026, 8, 12, 0, 50, tzinfo=timezone.utc)).banner.startswith("SECRET")
    panel.toggle(1)
    panel.refresh(datetime(2026, 8, 12, 2, 0, tzinfo=timezone.utc))
    assert panel.statuses() == ["fired", "disabled", "pending", "fired"]

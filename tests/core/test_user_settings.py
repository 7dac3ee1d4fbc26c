"""The operator's settings file: unreadable or hostile content gives the defaults, never a traceback."""

from __future__ import annotations

import json

import pytest

from app.common.user_settings import Operator, OperatorError, UserSettings, load_settings, save_settings


def test_settings_round_trip(tmp_path):
    path = tmp_path / "settings.json"
    save_settings(UserSettings("sqlite:///x.db", "/home/j/.spaceops-password"), path)
    assert load_settings(path) == UserSettings("sqlite:///x.db", "/home/j/.spaceops-password")


def test_identity_is_not_a_setting(tmp_path):
    """An older settings file named the operator (free text: anyone could be anyone); it is
    ignored, and nothing of it is written back."""
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"operator": {"name": "J. Smith (2)", "nation": "USA", "role": "watch officer"},
                                "database_url": "sqlite:///x.db"}))
    settings = load_settings(path)
    assert settings == UserSettings("sqlite:///x.db")
    save_settings(settings, path)
    assert "operator" not in json.loads(path.read_text()) and "Smith" not in path.read_text()


def test_operator_rules():
    officer = Operator("jsmith", "GBR", ("watch_officer",), "SECRET")
    assert officer.may_see("SECRET", "USA", "REL TO AUS, GBR, USA") and not officer.may_see("SECRET", "USA", "USA")
    trainee = Operator("fra1", "FRA", ("trainee",), "SECRET")
    assert not trainee.may_see("SECRET", "GBR", ("AUS", "GBR", "USA"))
    assert not trainee.may_write("REAL") and trainee.may_write("EXERCISE") and officer.may_write("REAL")
    assert not Operator("low", "GBR", clearance="CONFIDENTIAL").may_see("SECRET", "GBR", "")
    with pytest.raises(OperatorError, match="clearance"):
        Operator("x", "GBR", clearance="COSMIC").validated()
    with pytest.raises(OperatorError, match="role"):
        Operator("x", "GBR", ("admiral",)).validated()


@pytest.mark.parametrize("content", [
    "[" * 100_000 + "]" * 100_000,  # nested past the recursion limit
    "{not json",
    json.dumps({"password_file": ["x"]}),
    json.dumps({"database_url": 5}),
    json.dumps([1, 2]),
])
def test_bad_settings_give_defaults(tmp_path, content, caplog):
    path = tmp_path / "settings.json"
    path.write_text(content)
    assert load_settings(path) == UserSettings()
    assert str(path) in caplog.text

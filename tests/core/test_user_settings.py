"""The operator's settings file: unreadable or hostile content gives the defaults, never a traceback."""

from __future__ import annotations

import json

import pytest

from app.common.user_settings import Operator, UserSettings, load_settings, save_settings


def test_settings_round_trip(tmp_path):
    path = tmp_path / "settings.json"
    save_settings(UserSettings(Operator("J. Smith", "GBR", "watch officer"), "sqlite:///x.db"), path)
    assert load_settings(path) == UserSettings(Operator("J. Smith", "GBR", "watch officer"), "sqlite:///x.db")


@pytest.mark.parametrize("content", [
    "[" * 100_000 + "]" * 100_000,  # nested past the recursion limit
    "{not json",
    json.dumps({"operator": {"name": "x", "role": "admiral"}}),
    json.dumps({"operator": "x"}),
    json.dumps({"database_url": 5}),
    json.dumps([1, 2]),
])
def test_bad_settings_give_defaults(tmp_path, content, caplog):
    path = tmp_path / "settings.json"
    path.write_text(content)
    assert load_settings(path) == UserSettings()
    assert str(path) in caplog.text

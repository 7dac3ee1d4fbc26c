"""Air-gapped ops floors: with no feed configured, the headless commands make no network
connection. Each runs in a subprocess whose socket module logs and refuses every attempt
(tests/no_network.py); the command must succeed and the log stay empty. The console window
and ``spaceops screenshot`` are checked the same way in tests/render/test_no_network_console.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.no_network import run_guarded, run_python_guarded

SCENARIO = Path(__file__).parents[2] / "resources" / "scenarios" / "geo_rpo_inspection.yaml"


@pytest.fixture
def home(tmp_path):
    """Private config, data and state folders, as on a new workstation."""
    return {"XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_DATA_HOME": str(tmp_path / "data"),
            "XDG_STATE_HOME": str(tmp_path / "state"), "XDG_CACHE_HOME": str(tmp_path / "cache")}


def test_the_guard_sees_and_refuses_a_connection(tmp_path):
    """Without this the tests below could pass with a guard that was never loaded."""
    code = ("import socket\n"
            "try:\n"
            "    socket.create_connection(('127.0.0.1', 9), timeout=1)\n"
            "except OSError as error:\n"
            "    print('refused:', error)\n"
            "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
            "try:\n"
            "    s.connect(('127.0.0.1', 9))\n"
            "except OSError:\n"
            "    print('refused connect')\n"
            "try:\n"
            "    socket.getaddrinfo('example.org', 443)\n"
            "except OSError:\n"
            "    print('refused getaddrinfo')\n"
            "a, b = socket.socketpair(socket.AF_UNIX)\n"  # local IPC stays allowed
            "a.sendall(b'x'); print('unix', b.recv(1))\n")
    done, tried = run_python_guarded(tmp_path, code)
    assert done.returncode == 0, done.stderr
    assert "refused: network disabled by the test guard" in done.stdout
    assert "refused connect" in done.stdout and "refused getaddrinfo" in done.stdout
    assert "unix b'x'" in done.stdout
    assert "socket.create_connection(('127.0.0.1', 9)" in tried
    assert "socket.socket.connect(('127.0.0.1', 9)" in tried
    assert "socket.getaddrinfo('example.org', 443)" in tried
    assert "<string>" in tried  # with where it came from


@pytest.mark.parametrize("args", [
    ["screen", "--primary", "25544", "--start", "2026-08-12T09:00:00Z", "--hours", "1", "--threshold-km", "10"],
    ["passes", "--norad", "25544", "--sensor", "Fylingdales", "--start", "2026-08-12T05:00:00Z", "--hours", "6"],
    ["scenario", "run", str(SCENARIO)],
    ["catalog", "info"],
    ["sensors", "list", "--format", "json"],
], ids=lambda args: " ".join(args[:2]) if args[0] in ("scenario", "catalog", "sensors") else args[0])
def test_a_command_makes_no_network_connection(tmp_path, home, args):
    done, tried = run_guarded(tmp_path, args, home)
    assert done.returncode == 0, done.stderr[-3000:]
    assert tried == "", f"spaceops {' '.join(args)} tried the network:\n{tried}"
    assert "network disabled by the test guard" not in done.stderr
    output = done.stdout.strip()
    if args[0] == "passes":
        assert json.loads(output), "no pass found: the command did not do its work"
    elif args[0] == "scenario":
        assert len(output.splitlines()) > 5  # its events, one JSON line each

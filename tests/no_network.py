"""Running a console command with the network made to fail, and seeing whether it tried.

``run_guarded(tmp_path, args)`` runs ``python -m app ARGS`` in a subprocess whose first
``PYTHONPATH`` entry holds a ``sitecustomize.py`` (written here, into a temporary folder).
Python imports it before anything else; it wraps the socket module so that every
network attempt (``getaddrinfo`` and the other name look-ups, ``create_connection``,
``socket.connect`` / ``connect_ex`` / ``sendto`` on an ``AF_INET`` or ``AF_INET6`` socket)
appends a line to the log file named by ``SPACEOPS_NETWORK_LOG`` (what, its arguments, a
short stack) and then raises ``OSError``. Local IPC (``AF_UNIX``: the X server, D-Bus,
multiprocessing) is allowed. The guard also leaves a ``.loaded`` marker beside the log, so
a run in which it was never imported fails instead of passing on an empty log. The caller
asserts the command succeeded and the log is empty.

Only attempts made through Python's ``socket`` module are seen: a C library that opens its
own sockets (libpq for a PostgreSQL floor, libxcb) goes around it. With no floor or feed
configured the console loads none of those for the network.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

LOG_VARIABLE = "SPACEOPS_NETWORK_LOG"

SITECUSTOMIZE = '''\
"""Test guard (tests/no_network.py): every network attempt is logged, then fails."""
import os
import socket
import traceback

_LOG = os.environ.get("SPACEOPS_NETWORK_LOG")
_NETWORK_FAMILIES = (socket.AF_INET, socket.AF_INET6)


def _refuse(what, args):
    stack = "".join(traceback.format_stack(limit=12)[:-2])
    try:
        with open(_LOG, "a", encoding="utf-8") as log:
            log.write(f"{what}{args!r} in process {os.getpid()}\\n{stack}\\n")
    except OSError:
        pass
    raise OSError(f"network disabled by the test guard: {what}{args!r}")


def _refuse_always(name):
    def refused(*args, **kwargs):
        _refuse(f"socket.{name}", args)
    refused.__name__ = name
    return refused


def _refuse_on_network_sockets(name, original):
    def guarded(self, *args, **kwargs):
        if self.family in _NETWORK_FAMILIES:
            _refuse(f"socket.socket.{name}", args)
        return original(self, *args, **kwargs)
    guarded.__name__ = name
    return guarded


if _LOG:
    for _name in ("getaddrinfo", "gethostbyname", "gethostbyname_ex", "gethostbyaddr", "getnameinfo",
                  "create_connection"):
        setattr(socket, _name, _refuse_always(_name))
    for _name in ("connect", "connect_ex", "sendto"):
        setattr(socket.socket, _name, _refuse_on_network_sockets(_name, getattr(socket.socket, _name)))
    with open(_LOG + ".loaded", "a", encoding="utf-8") as _marker:  # the guard is all in place
        _marker.write(f"{os.getpid()}\\n")
'''


def guarded_environment(folder: Path, extra: dict | None = None) -> tuple[dict, Path]:
    """The environment for a guarded subprocess, and its (not yet existing) log file."""
    guard = folder / "network_guard"
    guard.mkdir(parents=True, exist_ok=True)
    (guard / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    log = folder / "network_attempts.log"
    log.unlink(missing_ok=True)
    log.with_name(log.name + ".loaded").unlink(missing_ok=True)
    path = os.pathsep.join(p for p in (str(guard), os.environ.get("PYTHONPATH", "")) if p)
    return {**os.environ, **(extra or {}), "PYTHONPATH": path, LOG_VARIABLE: str(log)}, log


def attempts(log: Path) -> str:
    """What the guard logged: empty when nothing tried the network. Fails if the guard was
    never loaded (then an empty log would prove nothing)."""
    marker = log.with_name(log.name + ".loaded")
    assert marker.exists(), "the network guard was not loaded in the subprocess (sitecustomize not imported)"
    return log.read_text(encoding="utf-8") if log.exists() else ""


def run_guarded(folder: Path, args: list[str], extra_env: dict | None = None,
                timeout: float = 240) -> tuple[subprocess.CompletedProcess, str]:
    """``python -m app ARGS`` with the guard in place: the finished process and what it tried."""
    env, log = guarded_environment(folder, extra_env)
    done = subprocess.run([sys.executable, "-m", "app", *args], capture_output=True, text=True, timeout=timeout,
                          env=env, cwd=folder)
    return done, attempts(log)


def run_python_guarded(folder: Path, code: str, timeout: float = 60) -> tuple[subprocess.CompletedProcess, str]:
    """``python -c CODE`` with the guard in place (for checking the guard itself)."""
    env, log = guarded_environment(folder)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout, env=env,
                          cwd=folder)
    return done, attempts(log)

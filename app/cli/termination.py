"""A terminated command (SIGTERM: a service manager, ``kill``, a test) cleans up as a Ctrl-C
does: the signal is raised as KeyboardInterrupt, so the command's ``finally`` blocks run (a
leader closes its class, a loadtest removes its logins)."""

from __future__ import annotations

import signal


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def end_on_sigterm_as_on_ctrl_c() -> None:
    signal.signal(signal.SIGTERM, _interrupt)

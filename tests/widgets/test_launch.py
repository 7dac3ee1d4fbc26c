"""Starting the console where there is no screen gives a clear message, not a Qt abort."""

from __future__ import annotations

import os
import subprocess
import sys


def test_console_without_display_says_so():
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    done = subprocess.run([sys.executable, "-m", "app"], capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode == 1
    assert "no display" in done.stderr and "xvfb-run" in done.stderr and "Traceback" not in done.stderr

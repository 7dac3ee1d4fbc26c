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


def test_the_console_has_its_icon(qtbot):
    """Every window of the console shows resources/icons/spaceops (the .desktop entry's icon)."""
    from PySide6.QtCore import QSize

    from widgets.launch import ICON_SIZES, application_icon

    icon = application_icon()
    assert not icon.isNull()
    assert {QSize(s, s) for s in ICON_SIZES} <= set(icon.availableSizes())
    assert not icon.pixmap(48, 48).isNull()

"""``spaceops screenshot`` renders the whole window, globe and map included, to a PNG."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
from PySide6.QtGui import QImage

from widgets.views.textures import qimage_to_rgb


def _run(*args, env=None):
    return subprocess.run([sys.executable, "-m", "app", "screenshot", *args], capture_output=True, text=True,
                          timeout=180, env={**os.environ, **(env or {})})


def test_screenshot_of_a_selection(tmp_path):
    out = tmp_path / "brief.png"
    done = _run("--out", str(out), "--at", "2026-08-12T06:00:00Z", "--select", "25544", "--size", "1280x800")
    assert done.returncode == 0, done.stderr
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1280, 800)
    rgb = qimage_to_rgb(image)
    assert rgb.std() > 20
    # the banner's green is there, and the globe is not a black hole: Earth colours in the middle
    assert (np.abs(rgb.astype(int) - [0, 122, 51]).sum(axis=-1) < 10).sum() > 5000
    middle = rgb[250:550, 450:830]
    assert (middle.max(axis=-1) > 60).mean() > 0.05


def test_screenshot_reports_unknown_selection_and_bad_size(tmp_path):
    done = _run("--out", str(tmp_path / "x.png"), "--at", "2026-08-12T06:00:00Z", "--select", "1")
    assert done.returncode == 3 and "not in the catalog" in done.stderr
    assert (tmp_path / "x.png").exists()
    done = _run("--out", str(tmp_path / "y.png"), "--size", "huge")
    assert done.returncode == 2 and "size" in done.stderr


def test_a_size_below_the_windows_smallest_is_said_not_silently_changed(tmp_path):
    """--size 1024x640 once wrote a 1277x640 picture without a word (the window's minimum width)."""
    out = tmp_path / "small.png"
    done = _run("--out", str(out), "--at", "2026-08-12T06:00:00Z", "--size", "1024x640")
    image = QImage(str(out))
    assert image.width() > 1024  # the window's smallest, as drawn
    assert done.returncode == 3
    assert f"--size 1024x640: the window cannot be that small; the picture is {image.width()}x{image.height()}" \
        in done.stderr


def _private_displays() -> set[int]:
    """Process ids of the Xvfb servers ``spaceops screenshot`` starts for itself (":90" to ":139")."""
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                args = open(f"/proc/{entry}/cmdline", "rb").read().split(b"\0")
            except OSError:
                continue
            if args and args[0].endswith(b"Xvfb") and len(args) > 1 and args[1].startswith(b":"):
                found.add(int(entry))
    return found


def test_a_headless_screenshot_stops_the_display_it_started(tmp_path):
    """Each run once left its private Xvfb behind (about 73 MB each)."""
    before = _private_displays()
    environment = {key: value for key, value in os.environ.items() if key not in ("DISPLAY", "WAYLAND_DISPLAY",
                                                                                  "QT_QPA_PLATFORM")}
    done = subprocess.run([sys.executable, "-m", "app", "screenshot", "--out", str(tmp_path / "s.png"), "--size",
                           "1366x768"], capture_output=True, text=True, timeout=180, env=environment)
    assert done.returncode == 0, done.stderr
    assert _private_displays() <= before

"""Packaging promises a machine can check without building: the console lives in its own
environment, and the release check's pixel test tells a picture from a blank. The frozen
build itself is checked by ``packaging/check_release.sh`` (minutes; not part of the suite)."""

from __future__ import annotations

import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHECK_PNG = ROOT / "packaging" / "frozen" / "check_png.py"


def _png(path: Path, width: int, height: int, pixel) -> Path:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    rows = b"".join(b"\x00" + b"".join(bytes(pixel(x, y)) for x in range(width)) for y in range(height))
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))
    return path


def _check(png: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(CHECK_PNG), str(png)], capture_output=True, text=True)


def test_the_release_pixel_check_refuses_a_black_window(tmp_path):
    done = _check(_png(tmp_path / "black.png", 64, 48, lambda x, y: (0, 0, 0)))
    assert done.returncode == 1 and "looks blank" in done.stderr


def test_the_release_pixel_check_refuses_a_flat_colour(tmp_path):
    done = _check(_png(tmp_path / "grey.png", 64, 48, lambda x, y: (90, 90, 90)))
    assert done.returncode == 1, done.stdout


def test_the_release_pixel_check_passes_the_console(tmp_path):
    done = _check(ROOT / "packaging" / "screenshots" / "console.png")
    assert done.returncode == 0, done.stderr
    assert "1600x1000" in done.stdout


def test_the_console_is_not_installed_into_the_base_interpreter():
    """The README's set-up runs the suite from the console's own environment (.venv); the
    interpreter it was made from must not see the console's packages."""
    if sys.prefix == sys.base_prefix:
        pytest.skip("the suite is not running in a virtual environment (the README's commands make one)")
    base_python = Path(sys.base_prefix) / "bin" / f"python{sys.version_info.major}.{sys.version_info.minor}"
    done = subprocess.run([str(base_python), "-I", "-c", "import importlib.util as u; "
                           "print([n for n in ('app', 'widgets', 'resources') if u.find_spec(n)])"],
                          capture_output=True, text=True, cwd="/")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]", f"{base_python} imports the console's packages: {done.stdout}"

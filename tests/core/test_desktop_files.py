"""Desktop integration: the .desktop entry, the AppStream metainfo and the icon they name
(resources/icons: the SVG and its PNG renders, made by packaging/build_icons.py). The
freedesktop validators run too where they are installed (desktop-file-utils, appstream)."""

from __future__ import annotations

import configparser
import shutil
import struct
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DESKTOP = ROOT / "packaging" / "spaceops.desktop"
METAINFO = ROOT / "packaging" / "org.coalition.spaceops.metainfo.xml"
ICONS = ROOT / "resources" / "icons"
SIZES = (16, 32, 48, 64, 128, 256)


def _desktop_entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # keys are case-sensitive
    parser.read(DESKTOP, encoding="utf-8")
    return parser["Desktop Entry"]


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()[:24]
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR", f"{path} is not a PNG"
    return struct.unpack(">II", data[16:24])


def test_the_desktop_entry_starts_the_console_with_its_icon():
    entry = _desktop_entry()
    assert entry["Type"] == "Application" and entry["Exec"] == "spaceops" and entry["Terminal"] == "false"
    assert entry["Name"] and entry["Comment"]
    assert entry["Icon"] == "spaceops"
    assert (ICONS / f"{entry['Icon']}.svg").is_file()
    assert entry["Categories"].endswith(";") and "Science" in entry["Categories"].split(";")


def test_every_icon_size_is_shipped_at_its_size():
    svg = ET.parse(ICONS / "spaceops.svg").getroot()
    assert svg.tag == "{http://www.w3.org/2000/svg}svg" and svg.get("viewBox") == "0 0 256 256"
    for size in SIZES:
        png = ICONS / "hicolor" / f"{size}x{size}" / "apps" / "spaceops.png"
        assert png.is_file(), f"{png} missing: run python3 packaging/build_icons.py"
        assert _png_size(png) == (size, size), png


def test_the_icon_files_are_package_data():
    """So a wheel (and the frozen build, which ships the resources package) carries them."""
    import tomllib

    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["resources"]
    resources = ROOT / "resources"
    shipped = {p for pattern in patterns for p in resources.glob(pattern)}
    for path in [ICONS / "spaceops.svg", *ICONS.glob("hicolor/*/apps/*.png"), *resources.glob("guide/*")]:
        assert path in shipped, f"{path.relative_to(ROOT)} is not in [tool.setuptools.package-data]"


def test_the_metainfo_describes_the_console():
    root = ET.parse(METAINFO).getroot()
    assert root.tag == "component" and root.get("type") == "desktop-application"
    assert root.findtext("id") == "org.coalition.spaceops"
    assert root.findtext("metadata_license") == "CC0-1.0" and root.findtext("project_license") == "MIT"
    assert root.findtext("name") == _desktop_entry()["Name"]
    assert root.findtext("summary") and len(root.findall("description/p")) >= 2
    launchable = root.find("launchable")
    assert launchable.get("type") == "desktop-id" and launchable.text == DESKTOP.name
    assert root.findtext("icon") == _desktop_entry()["Icon"]
    assert root.findtext("provides/binary") == "spaceops"
    assert root.find("content_rating").get("type") == "oars-1.1"
    release = root.find("releases/release")
    assert (release.get("version"), release.get("date")) == ("0.1.0", "2026-12-02")
    # screenshots, where listed, are web URLs (AppStream wants them) of files shipped in packaging/
    for image in root.findall("screenshots/screenshot/image"):
        assert image.text.startswith("https://")
        assert (ROOT / "packaging" / "screenshots" / image.text.rsplit("/", 1)[1]).is_file(), image.text


def test_the_metainfo_version_is_the_package_version():
    import tomllib

    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert ET.parse(METAINFO).getroot().find("releases/release").get("version") == version


@pytest.mark.skipif(shutil.which("desktop-file-validate") is None, reason="desktop-file-utils is not installed")
def test_desktop_file_validate_accepts_the_entry():
    done = subprocess.run(["desktop-file-validate", str(DESKTOP)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and not done.stdout.strip() and not done.stderr.strip(), done.stdout + done.stderr


@pytest.mark.skipif(shutil.which("appstreamcli") is None, reason="appstream is not installed")
def test_appstreamcli_validates_the_metainfo():
    done = subprocess.run(["appstreamcli", "validate", "--no-net", str(METAINFO)], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "E:" not in done.stdout and "W:" not in done.stdout, done.stdout

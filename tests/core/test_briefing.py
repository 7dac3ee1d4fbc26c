"""The pair briefing: its numbers are the console's own (range and rate from the pair's SGP4
states, approaches from ``closest_approaches``), its marking the highest of the pair's and
the element sets', a CDM's numbers beside ours; ``spaceops report pair`` writes the page
as PDF or PNG (marking banners at the top and the bottom) and refuses what it cannot do."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timezone

import numpy as np
import pytest
from PySide6.QtGui import QColor, QImage

from app.catalog import Catalog
from app.cli.main import main
from app.conjunction.cdm import read_cdm
from app.conjunction.closest_approach import closest_approaches
from app.rpo.briefing import AHEAD_H, pair_briefing
from app.rpo.watch_pair import WatchPair
from tests.core.test_element_history import checksum, iss_file
from widgets.theme import banner_colors

AT = datetime(2026, 8, 12, 12, tzinfo=timezone.utc)
ISS, HST = 25544, 20580


def test_the_numbers_are_the_consoles_own(default_catalog):
    briefing = pair_briefing(default_catalog, ISS, HST, AT)
    iss, hst = (default_catalog.satrecs[default_catalog.row_of(n)] for n in (ISS, HST))
    approaches = closest_approaches(iss, hst, AT, AHEAD_H * 3600.0, ISS, HST)
    assert len(briefing.approaches) == min(12, len(approaches))
    kept = sorted(approaches, key=lambda a: a.miss_km)[:12]
    assert sorted(a.tca for a in briefing.approaches) == sorted(a.tca for a in kept)
    assert [a.tca for a in briefing.approaches] == sorted(a.tca for a in briefing.approaches)
    middle = len(briefing.offsets_s) // 4  # the series starts 6 h before: a quarter of 24 h is the moment
    assert briefing.offsets_s[middle] == pytest.approx(6 * 3600.0)
    assert briefing.range_series_km[middle] == pytest.approx(briefing.range_km, rel=1e-9)
    assert np.linalg.norm(briefing.ric_series_km[middle]) == pytest.approx(briefing.range_km, rel=1e-6)
    assert briefing.marking == "UNCLASSIFIED" and briefing.warnings == []
    assert len(briefing.tracks_deg) == 2 and all(-90 <= lat <= 90 for lat, _lon in briefing.positions_deg)


def test_the_marking_is_the_highest(default_catalog, tmp_path):
    pair = WatchPair(ISS, HST, classification="SECRET", releasability="USA, GBR")
    assert pair_briefing(default_catalog, ISS, HST, AT, pair=pair).marking == "SECRET//REL TO USA, GBR"
    path = iss_file(tmp_path, 223.5, 15.5)
    name, line1, line2 = path.read_text().splitlines()
    line1 = checksum(line1[:7] + "C" + line1[8:68])  # the element set itself marked CONFIDENTIAL
    hst = default_catalog.row_of(HST)
    path.write_text("\n".join([name, line1, line2]) + "\n")
    catalog = Catalog.load([path])
    both = Catalog(list(catalog.element_sets) + [default_catalog.element_sets[hst]])
    assert pair_briefing(both, ISS, HST, AT).marking == "CONFIDENTIAL"


def test_a_cdm_is_set_beside_ours_and_a_wrong_one_is_said(default_catalog, data_dir):
    cdm = read_cdm(data_dir / "cdm" / "orekit_AlfanoTestCase01.cdm")
    briefing = pair_briefing(default_catalog, ISS, HST, AT, cdm=cdm)
    assert briefing.cdm is not None and briefing.cdm.pc_ours > 0 and briefing.cdm.hbr_m > 0
    assert any("not this pair" in w for w in briefing.warnings)


def test_an_object_not_in_the_catalog(default_catalog):
    with pytest.raises(KeyError):
        pair_briefing(default_catalog, ISS, 999999, AT)


def _banner_rgb(image: QImage, y: int) -> str:
    return QColor(image.pixel(image.width() // 2 - 300, y)).name()


def cli(*args):
    """The command in its own process: drawing a page makes an offscreen QGuiApplication, which
    must not be the test process's application (a QWidget made later would abort)."""
    return subprocess.run([sys.executable, "-m", "app", *args], capture_output=True, text=True, timeout=180)


def test_report_pair_writes_pdf_and_png(tmp_path):
    pdf, png = tmp_path / "pair.pdf", tmp_path / "pair.png"
    done = cli("report", "pair", str(ISS), str(HST), "--at", "2026-08-12T12:00:00Z", "--out", str(pdf))
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["marking"] == "UNCLASSIFIED" and summary["approaches"] >= 1
    assert pdf.read_bytes().startswith(b"%PDF")
    assert cli("report", "pair", str(ISS), str(HST), "--at", "2026-08-12T12:00:00Z", "--out", str(png)).returncode == 0
    image = QImage(str(png))
    assert (image.width(), image.height()) == (1654, 2339)
    green = banner_colors("UNCLASSIFIED")[0].lower()
    assert _banner_rgb(image, 10) == green and _banner_rgb(image, image.height() - 10) == green
    # the map: not white where it is drawn (a third of the way down the picture)
    assert QColor(image.pixel(image.width() // 2, 500)).name() != "#ffffff"


@pytest.mark.parametrize("argv, code, message", [
    (["--out", "x.txt"], 2, "a briefing is .pdf or .png"),
    (["--out", "x.pdf", "--cdm", "no_such.cdm"], 3, "CDM rejected"),
])
def test_report_pair_refuses(tmp_path, capsys, argv, code, message):
    argv = [a if not a.startswith("x.") else str(tmp_path / a) for a in argv]
    assert main(["report", "pair", str(ISS), str(HST), "--at", "2026-08-12T12:00:00Z", *argv]) == code
    assert message in capsys.readouterr().err
    assert not any(tmp_path.iterdir())


def test_report_pair_unknown_object(tmp_path, capsys):
    out = tmp_path / "x.pdf"
    assert main(["report", "pair", str(ISS), "999999", "--at", "2026-08-12T12:00:00Z", "--out", str(out)]) == 3
    assert "not in the catalog: 999999" in capsys.readouterr().err and not out.exists()  # refused before drawing
    assert main(["report", "pair", str(ISS), str(ISS), "--at", "2026-08-12T12:00:00Z", "--out", str(out)]) == 2


def test_the_at_time_needs_its_zone(capsys):
    with pytest.raises(SystemExit):
        main(["report", "pair", str(ISS), str(HST), "--at", "2026-08-12T12:00:00", "--out", "x.pdf"])
    assert "no time zone" in capsys.readouterr().err


def test_report_request_as_the_roster_officer_sees_it(data_dir, tmp_path):
    """A tasking request's page from the command line: the request's marking in the banners,
    its feasible passes now; a request not there (or not releasable) is exit 3."""
    import getpass

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    assert cli("floor", "add-operator", getpass.getuser(), "--nation", "GBR", "--role", "watch_officer",
               "--clearance", "SECRET", "--database", url).returncode == 0
    assert cli("tasking", "import", str(data_dir / "tasking" / "exchange_good.json"), "--database", url).returncode == 3
    out = tmp_path / "request.png"
    done = cli("report", "request", "TR-GBR-0A1B2C3D", "--database", url, "--out", str(out))
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["marking"] == "UNCLASSIFIED//REL TO AUS, GBR, USA"
    assert summary["passes"] > 0 or summary["reasons"]
    image = QImage(str(out))
    green = banner_colors("UNCLASSIFIED")[0].lower()
    assert _banner_rgb(image, 10) == green and _banner_rgb(image, image.height() - 10) == green
    missing = cli("report", "request", "TR-NONE", "--database", url, "--out", str(tmp_path / "none.pdf"))
    assert missing.returncode == 3 and "no tasking request 'TR-NONE'" in missing.stderr
    assert not (tmp_path / "none.pdf").exists()
    nowhere = cli("report", "request", "TR-GBR-0A1B2C3D", "--database", f"sqlite:///{tmp_path / 'none.db'}",
                  "--out", str(tmp_path / "x.pdf"))
    assert nowhere.returncode == 4


def test_no_application_was_made_here():
    """The in-process refusals above stop before drawing: this process has no Qt application
    of the command's making (the render tests' QApplication must be the first)."""
    from PySide6.QtWidgets import QApplication

    running = QApplication.instance()
    assert running is None or isinstance(running, QApplication)

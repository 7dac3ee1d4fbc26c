"""An operator's ephemeris in the console (issue #16): File ▸ Add ephemerides (OEM)… adds an
OEM to the catalog in use; the object it names is then drawn from the ephemeris, the Details
dock says so, and once the clock leaves the ephemeris's span the object has no state (not an
extrapolated one) and the dock says why."""

from __future__ import annotations

from datetime import timedelta

import numpy as np

from app.catalog import Catalog
from app.common.resources import default_catalog_paths
from app.common.user_settings import Operator
from app.exchange.oem_out import export_oem
from app.exchange.release import releasable
from tests.render.conftest import EPOCH
from widgets.main_menus import add_ephemerides

ISS = 25544


def _show(window, when) -> None:
    window.session.clock.jump_to(when)
    window.session.bridge.propagate_now(when)
    window.session.advance_frame()


def test_an_ephemeris_added_to_the_catalog_in_use(qtbot, window, tmp_path, default_catalog):
    oem = tmp_path / "iss.oem"
    release = releasable(default_catalog, [default_catalog.row_of(ISS)], Operator("alice", "GBR", "SECRET"))
    oem.write_text(export_oem(default_catalog, release, EPOCH - timedelta(hours=3), 6.0, 60.0, "GCRF").text)
    paths = [str(p) for p in default_catalog_paths()]
    window.loader.use(Catalog.load(paths), paths)
    with qtbot.waitSignal(window.session.catalog_changed, timeout=60000):
        add_ephemerides(window, [oem])
    catalog = window.session.catalog
    row = catalog.row_of(ISS)
    assert catalog.is_ephemeris(row) and len(catalog) == len(default_catalog)
    assert window.session.state.catalog.source_files == tuple(paths + [str(oem)])

    window.session.select_norad(ISS)
    _show(window, EPOCH)
    details = window.details
    assert details.text_of("epoch") == "ephemeris (OEM): 2026-08-12 09:00:00 → 2026-08-12 15:00:00 UTC"
    assert details.text_of("age") == "inside its ephemeris"
    qtbot.waitUntil(lambda: window.session.latest is not None and window.session.latest.catalog_version
                    == catalog.version and window.session.latest.epoch == EPOCH, timeout=30000)
    snapshot = window.session.latest
    reference = default_catalog.satrecs[default_catalog.row_of(ISS)].sgp4(*_jd(EPOCH))[1]
    assert np.linalg.norm(snapshot.r_teme_km[row] - reference) < 2e-5  # the ephemeris: SGP4's within 2 cm
    assert "°" in details.text_of("position")

    window.session.clock.jump_to(EPOCH + timedelta(hours=4))  # an hour past the ephemeris's end, paused
    qtbot.waitUntil(lambda: window.session.latest.epoch == EPOCH + timedelta(hours=4), timeout=30000)
    assert not window.session.latest.valid[row]
    assert "outside its ephemeris" in details.text_of("position") and details.text_of("altitude") == "—"
    # the globe drops the selection ring with the state, though no frame follows (paused): it
    # showed it at the old state carried 4 h along its velocity until the next frame
    assert not window.globe.marker.visible and not window.globe.label.visible
    assert window.globe._dt_s == 0.0
    assert details.text_of("age").startswith("OUTSIDE ITS EPHEMERIS")


def _jd(when):
    from app.astro.timeutil import datetime_to_jd

    return datetime_to_jd(when)

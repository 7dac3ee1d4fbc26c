"""The globe frames what matters: the GEO ring when the console opens, a selected object's
whole orbit (LEO, GEO, Molniya), a watched pair with both objects labelled; Z fits again.
Once, a selected GEO object, its ring and its label were all off-screen."""

from __future__ import annotations

import numpy as np
import pytest

from app.astro.orbit_path import sample_orbit
from widgets.views.globe_visuals import EARTH_RADIUS_KM


def _on_screen(window, positions_er: np.ndarray) -> bool:
    canvas = window.globe.canvas
    width, height = canvas.size
    pixels = window.globe.project(positions_er)
    return bool(((pixels[:, 0] >= 0) & (pixels[:, 0] <= width) & (pixels[:, 1] >= 0) & (pixels[:, 1] <= height)).all())


def _orbit_er(window, norad: int) -> np.ndarray:
    catalog = window.session.catalog
    orbit = sample_orbit(catalog.satrecs[catalog.row_of(norad)], window.session.now())
    return orbit.r_teme_km[np.isfinite(orbit.r_teme_km).all(axis=1)] / EARTH_RADIUS_KM


def test_the_console_opens_with_the_geo_ring_in_view(window):
    catalog, snapshot = window.session.catalog, window.session.latest
    geo = (catalog.regime == "GEO") & snapshot.valid
    positions = window.globe.current_positions()[geo]
    assert len(positions) > 400 and _on_screen(window, positions)


@pytest.mark.parametrize("kind", ["LEO", "GEO", "HEO"])
def test_selecting_an_object_frames_its_whole_orbit(window, kind):
    catalog = window.session.catalog
    rows = np.nonzero((catalog.regime == kind) & window.session.latest.valid)[0]
    if kind == "HEO":  # a Molniya: two revolutions a day, the apogee far out over the north
        rows = rows[(catalog.eccentricity[rows] > 0.6) & (np.abs(catalog.mean_motion_rev_day[rows] - 2.0) < 0.05)]
    norad = int(catalog.norad_id[rows[0]])
    window.session.select_norad(norad)
    window.session.advance_frame()
    orbit = _orbit_er(window, norad)
    assert _on_screen(window, orbit), kind
    radius = np.linalg.norm(orbit, axis=1).max()
    # framed, not merely somewhere in a far view: the orbit spans a good part of the window
    pixels = window.globe.project(orbit)
    span = max(np.ptp(pixels[:, 0]), np.ptp(pixels[:, 1]))
    assert span > 0.4 * min(window.globe.canvas.size), (kind, radius, span)
    assert window.globe.label.visible and window.globe.label.text.strip()


def test_a_watched_pair_is_framed_and_labelled_and_z_frames_it_again(qtbot, window):
    window.session.state.selection.watch_pair = (25544, 20580)
    window.session.advance_frame()
    positions = window.globe.pair_positions()
    assert positions is not None and _on_screen(window, positions)
    assert window.globe.pair_line.visible
    assert [label.text.strip() for label in window.globe.pair_labels] == ["ISS (ZARYA)", "HST"]
    window.globe.reset_camera()
    window.globe.zoom(0.1)  # the officer wanders off
    window.globe_binding.zoom_to_fit()
    assert _on_screen(window, window.globe.pair_positions())

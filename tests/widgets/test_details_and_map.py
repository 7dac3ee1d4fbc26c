"""Details panel and the map's pieces: what the selection shows, night side, track breaks."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import numpy as np

from app.astro.orbit_path import break_at_antimeridian, period_s, sample_orbit
from app.live.engine import propagate
from widgets.panels.details_panel import DetailsPanel
from widgets.views.map_view import MapView, night_overlay, rasterize_points
from widgets.views.textures import earth_texture

AT = datetime(2026, 8, 12, 12, 0, tzinfo=timezone.utc)


def test_details_show_the_selection(qtbot, default_catalog):
    panel = DetailsPanel()
    qtbot.addWidget(panel)
    row = default_catalog.row_of(25544)
    panel.show_object(default_catalog, row, AT)
    snapshot = propagate(default_catalog, AT)
    panel.update_state(snapshot)
    assert panel.text_of("name") == "ISS (ZARYA)" and panel.text_of("norad_id") == "25544"
    assert panel.text_of("inclination") == "51.6325°" and panel.text_of("marking") == "UNCLASSIFIED"
    assert panel.text_of("age") == "1.35 days"
    assert panel.text_of("altitude") == f"{snapshot.alt_km[row]:,.1f} km"
    assert "S" in panel.text_of("position") and "W" in panel.text_of("position")  # 16.6 S 133.1 W
    assert panel.text_of("source").startswith("celestrak_active_2026-08-11.tle (line ")
    panel.update_age(AT + timedelta(days=10))
    assert "STALE" in panel.text_of("age")


def test_night_overlay_is_dark_opposite_the_sun():
    image = night_overlay(AT)  # the Sun stands over about 15 N, 1 W
    alpha = image[..., 3]
    row_15n, row_15s = 90 + 15, 90 - 15
    assert alpha[row_15n, 180] == 0  # sub-solar point: day
    assert alpha[row_15s, 0] == alpha.max()  # 15 S, 180: the middle of the night
    assert alpha[0, 180] == alpha.max() and alpha[179, 180] == 0  # southern winter, northern summer


def test_rasterize_points_puts_objects_where_they_are():
    image = rasterize_points(np.array([0.0, 45.0]), np.array([0.0, -90.0]), np.array([[255, 0, 0, 255]] * 2, np.uint8))
    assert image[360, 720, 0] == 255 and image[540, 360, 0] == 255 and image[..., 3].sum() == 8 * 255


def test_ground_track_breaks_at_antimeridian(qtbot, default_catalog):
    satrec = default_catalog.satrecs[default_catalog.row_of(25544)]
    period = period_s(satrec)
    track = sample_orbit(satrec, AT, span_s=2 * period, start_offset_s=-period, points=721)
    lon, lat = break_at_antimeridian(track.lon_deg, track.lat_deg)
    pieces = np.split(lon, np.nonzero(np.isnan(lon))[0])
    assert len(pieces) >= 2
    for piece in pieces:
        finite = piece[np.isfinite(piece)]
        assert np.all(np.abs(np.diff(finite)) < 180)


def test_map_follows_the_selection(qtbot, default_catalog):
    view = MapView(earth_texture())
    qtbot.addWidget(view)
    row = default_catalog.row_of(25544)
    snapshot = propagate(default_catalog, AT)
    colors = np.ones((len(default_catalog), 4), np.float32)
    view.set_epoch(AT)
    view.set_snapshot(snapshot, colors, np.ones(len(default_catalog), bool), force=True)
    satrec = default_catalog.satrecs[row]
    view.set_selection(row, sample_orbit(satrec, AT, span_s=2 * period_s(satrec), start_offset_s=-period_s(satrec)),
                       snapshot)
    x, y = view.subpoint.getData()
    assert (x[0], y[0]) == (snapshot.lon_deg[row], snapshot.lat_deg[row])
    fx, fy = view.footprint.getData()
    assert np.nanmax(fy) - np.nanmin(fy) > 30  # ISS footprint: about 22 deg radius
    assert view.dots.image[..., 3].astype(bool).sum() > 10000

"""The globe under real OpenGL (Mesa llvmpipe on Xvfb): pixels, orientation, lighting, picking."""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QPoint, Qt

from app.astro.frames import gmst_rad
from app.astro.sun import sun_direction_eci, subsolar_point_deg
from app.astro.timeutil import datetime_to_jd
from widgets.views.globe_view import _hidden_by_earth
from tests.render.conftest import EPOCH


def _teme_of_ground_point(lat_deg, lon_deg, epoch, radius=1.0):
    """A point on the Earth's surface (Earth radii) in the globe's inertial frame."""
    theta = float(gmst_rad(*datetime_to_jd(epoch)))
    lat, lon = math.radians(lat_deg), math.radians(lon_deg) + theta
    return np.array([math.cos(lat) * math.cos(lon), math.cos(lat) * math.sin(lon), math.sin(lat)]) * radius


def _hide_points(window):
    """Lighting and texture checks look at the Earth alone, not at a satellite or a site on it."""
    window.globe.set_shown(np.zeros(len(window.session.catalog), dtype=bool))
    window.globe.set_sensors_visible(False)


def _pixel(window, teme_position):
    image = window.globe.render_rgba()
    x, y, _depth = window.globe.project(teme_position[None, :])[0]
    return image[int(round(y)), int(round(x)), :3].astype(int)


def test_globe_is_not_blank(window):
    image = window.globe.render_rgba()
    assert image.shape[0] > 300 and image.shape[1] > 400
    assert image[..., :3].std() > 10
    # the catalog's points are there: many small bright dots around the Earth
    bright = (image[..., :3].max(axis=-1) > 150).sum()
    assert bright > 2000


def test_sunlit_side_faces_the_sun(window):
    """At 12:00 UTC on 12 August the Sun stands over about 15 N, 1 W (Gulf of Guinea side):
    looking down on the sub-solar point the Earth is bright, on the antisolar point dark."""
    lat, lon = subsolar_point_deg(*datetime_to_jd(EPOCH))
    assert abs(lon) < 3 and 14 < lat < 16
    subsolar = _teme_of_ground_point(lat, lon, EPOCH)
    _hide_points(window)
    window.globe.look_at(subsolar * 3)
    window.session.advance_frame()
    day = _pixel(window, subsolar * 1.0)
    antisolar = -subsolar
    window.globe.look_at(antisolar * 3)
    window.session.advance_frame()
    night = _pixel(window, antisolar * 1.0)
    assert day.sum() > 3 * max(night.sum(), 10)
    sun = sun_direction_eci(*datetime_to_jd(EPOCH))
    assert float(subsolar @ sun) > 0.999  # the same Sun the shader is given


def test_continents_are_where_they_belong(window):
    """Orientation check with the texture: the Sahara (23 N, 12 E) is sandy and bright, the
    South Atlantic (30 S, 15 W) is dark blue, both on the day side at this epoch."""
    sahara = _teme_of_ground_point(23.0, 12.0, EPOCH)
    atlantic = _teme_of_ground_point(-30.0, -15.0, EPOCH)
    _hide_points(window)
    window.globe.look_at((sahara + atlantic) * 2)
    window.session.advance_frame()
    red, green, blue = _pixel(window, sahara)
    assert red > blue + 30 and red > 120, (red, green, blue)
    red, green, blue = _pixel(window, atlantic)
    assert blue > red + 15 and red < 90, (red, green, blue)


def test_clicking_an_object_selects_it(qtbot, window):
    globe = window.globe
    globe.view.camera.distance = 20.0  # zoomed out: the GEO belt is in view
    window.session.advance_frame()
    positions = globe.current_positions()
    eye = globe.eye_position()
    screen = globe.project(positions)
    width, height = globe.canvas.size
    # a GEO object in front of the Earth, well inside the canvas and away from its neighbours
    candidates = [row for row in np.nonzero(window.session.catalog.regime == "GEO")[0]
                  if globe._shown[row] and 50 < screen[row, 0] < width - 50 and 50 < screen[row, 1] < height - 50
                  and not _hidden_by_earth(eye, positions[row][None, :])[0]]
    assert candidates
    for row in candidates:
        distances = np.hypot(*(screen[globe._shown, :2] - screen[row, :2]).T)
        if np.sort(distances)[1] > 8:  # nearest neighbour farther than the click tolerance
            break
    x, y = screen[row, :2]
    with qtbot.waitSignal(globe.object_clicked, timeout=2000) as blocker:
        qtbot.mouseClick(globe.canvas.native, Qt.MouseButton.LeftButton, pos=QPoint(round(x), round(y)))
    assert blocker.args[0] == row
    assert window.session.selected_row == row
    assert window.details.text_of("norad_id") == str(window.session.catalog.norad_id[row])


def test_click_on_empty_space_selects_nothing(qtbot, window):
    assert window.globe.pick(3, 3) is None


def test_filter_hides_points_on_screen(qtbot, window):
    """Filtered-out objects leave no pixels (a point of size 0 would still draw one pixel).
    The Earth is hidden so that every lit pixel is a point."""
    window.globe.earth.visible = False
    window.globe.set_sensors_visible(False)
    window.session.advance_frame()
    def lit(image):
        return int((image[..., :3].max(axis=-1) > 60).sum())
    before = lit(window.globe.render_rgba())
    qtbot.keyClicks(window.catalog_panel.search, "ISS (ZARYA)")
    qtbot.waitUntil(lambda: window.catalog_panel.mask.sum() == 1, timeout=3000)
    window.session.advance_frame()
    after = lit(window.globe.render_rgba())
    assert before > 5000
    assert 0 < after <= 30  # one point of 3x3 pixels


def test_labels_have_a_dark_halo_over_bright_points(qtbot):
    """A label drawn over a white field: the halo puts near-black pixels around the glyphs
    (vispy's plain text over the same field has none), so a name stays readable over the
    point cloud."""
    from vispy import scene

    from widgets.views.halo_text import HaloText

    def dark_pixels(text_node_type) -> int:
        canvas = scene.SceneCanvas(size=(200, 80), bgcolor="white", show=False)
        view = canvas.central_widget.add_view()
        view.camera = scene.PanZoomCamera(rect=(0, 0, 200, 80))
        text_node_type("ISS (ZARYA)", color="white", font_size=12, pos=(100, 40), parent=view.scene)
        image = canvas.render()[..., :3].astype(int)
        canvas.close()
        return int((image.sum(axis=2) < 120).sum())

    assert dark_pixels(scene.visuals.Text) == 0
    assert dark_pixels(HaloText) > 100


def test_a_selected_sensor_is_turned_to_face_the_camera_with_its_coverage_drawn_over_the_points(window, settle):
    """Choosing a sensor turns its site to the middle of the globe and draws its coverage ring
    in view, over the point cloud (once it was a thin line under the LEO points, seen on the
    map only)."""
    from widgets.theme import COVERAGE_COLOR, rgba

    name = next(s.name for s in window.session.sensors if s.name.startswith("Fylingdales"))
    window.session.state.selection.sensor = name
    window.session.advance_frame()
    settle(window)
    globe = window.globe
    assert globe.coverage.visible
    ring = globe.coverage.pos
    transform = globe.coverage.get_transform("visual", "canvas")
    mapped = transform.map(ring)
    xy = mapped[:, :2] / mapped[:, 3:4]
    image = globe.render_rgba()
    height, width = image.shape[:2]
    assert ((xy[:, 0] > 0) & (xy[:, 0] < width) & (xy[:, 1] > 0) & (xy[:, 1] < height)).all()  # all in view
    centre = xy.mean(axis=0)
    assert abs(centre[0] - width / 2) < 0.1 * width and abs(centre[1] - height / 2) < 0.15 * height
    want = np.array(rgba(COVERAGE_COLOR)[:3]) * 255
    near = [np.abs(image[int(y) - 1:int(y) + 2, int(x) - 1:int(x) + 2, :3].reshape(-1, 3) - want).sum(axis=1).min()
            for x, y in xy[::10]]
    assert np.mean(np.array(near) < 60) > 0.8  # the ring's colour is seen along it, points or not

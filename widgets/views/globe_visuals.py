"""vispy adapters for the globe: a lit, textured Earth and the catalog as one GPU point set.

Both work in the inertial TEME frame, in Earth radii. The Earth's vertices are Earth-fixed
and turned by GMST in the vertex shader; the points carry TEME position and velocity from
the last engine snapshot and are moved to the frame's epoch in the vertex shader, along
their orbit (a rotation about the instantaneous angular momentum), so the CPU does the
same small amount of work per frame whatever the number of objects.
"""

from __future__ import annotations

import numpy as np
from vispy import gloo
from vispy.scene.visuals import create_visual_node
from vispy.visuals import Visual

from app.astro.constants import WGS84_EQUATORIAL_RADIUS_KM

EARTH_RADIUS_KM = WGS84_EQUATORIAL_RADIUS_KM  # the drawing unit: one Earth radius

_EARTH_VERTEX = """
attribute vec3 a_position;   // unit sphere, Earth-fixed
attribute vec2 a_texcoord;
uniform float u_gmst;        // rad: Earth-fixed -> TEME is a rotation by +GMST about z
varying vec2 v_texcoord;
varying vec3 v_normal;
void main() {
    float c = cos(u_gmst);
    float s = sin(u_gmst);
    vec3 p = vec3(c * a_position.x - s * a_position.y, s * a_position.x + c * a_position.y, a_position.z);
    v_normal = p;
    v_texcoord = a_texcoord;
    gl_Position = $transform(vec4(p, 1.0));
}
"""

_EARTH_FRAGMENT = """
uniform sampler2D u_texture;
uniform vec3 u_sun;          // unit vector to the Sun, TEME
uniform float u_night;       // brightness of the night side
varying vec2 v_texcoord;
varying vec3 v_normal;
void main() {
    vec3 day = texture2D(u_texture, v_texcoord).rgb;
    float light = smoothstep(-0.08, 0.08, dot(normalize(v_normal), u_sun));  // soft terminator
    vec3 night = day * u_night + vec3(0.0, 0.012, 0.03);
    gl_FragColor = vec4(mix(night, day, light), 1.0);
}
"""


def sphere_mesh(rows: int = 48, columns: int = 96) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Unit sphere (Earth-fixed: +x at 0 deg longitude, +z north) with equirectangular texture
    coordinates; the seam column is doubled so the texture wraps cleanly."""
    lat = np.linspace(np.pi / 2, -np.pi / 2, rows + 1)
    lon = np.linspace(-np.pi, np.pi, columns + 1)
    lon_grid, lat_grid = np.meshgrid(lon, lat)
    positions = np.stack([np.cos(lat_grid) * np.cos(lon_grid), np.cos(lat_grid) * np.sin(lon_grid),
                          np.sin(lat_grid)], axis=-1).reshape(-1, 3).astype(np.float32)
    texcoords = np.stack([(lon_grid + np.pi) / (2 * np.pi), (np.pi / 2 - lat_grid) / np.pi],
                         axis=-1).reshape(-1, 2).astype(np.float32)
    index = np.arange((rows + 1) * (columns + 1)).reshape(rows + 1, columns + 1)
    a, b, c, d = index[:-1, :-1], index[:-1, 1:], index[1:, :-1], index[1:, 1:]
    faces = np.concatenate([np.stack([a, c, b], -1).reshape(-1, 3), np.stack([b, c, d], -1).reshape(-1, 3)])
    return positions, texcoords, faces.astype(np.uint32)


class EarthVisual(Visual):
    def __init__(self, texture_rgb: np.ndarray):
        super().__init__(vcode=_EARTH_VERTEX, fcode=_EARTH_FRAGMENT)
        positions, texcoords, faces = sphere_mesh()
        self.shared_program["a_position"] = gloo.VertexBuffer(positions)
        self.shared_program["a_texcoord"] = gloo.VertexBuffer(texcoords)
        self.shared_program["u_texture"] = gloo.Texture2D(texture_rgb, interpolation="linear", wrapping="repeat")
        self.shared_program["u_gmst"] = 0.0
        self.shared_program["u_sun"] = (1.0, 0.0, 0.0)
        self.shared_program["u_night"] = 0.22
        self._index_buffer = gloo.IndexBuffer(faces)
        self._draw_mode = "triangles"
        self.set_gl_state("opaque", depth_test=True, cull_face=False)

    def set_orientation(self, gmst_rad: float, sun_teme: np.ndarray) -> None:
        self.shared_program["u_gmst"] = float(gmst_rad)
        self.shared_program["u_sun"] = tuple(float(v) for v in sun_teme)
        self.update()

    def _prepare_transforms(self, view):
        view.view_program.vert["transform"] = view.get_transform()


_POINTS_VERTEX = """
attribute vec3 a_position;   // TEME at the snapshot epoch, Earth radii
attribute vec3 a_velocity;   // TEME, Earth radii per second
attribute vec4 a_color;
attribute float a_shown;     // 0 hides (filtered out, or no valid state)
uniform float u_dt;          // seconds from the snapshot epoch to this frame
uniform float u_size;
uniform vec3 u_sun;          // unit vector to the Sun, TEME
uniform float u_shadow_dim;  // colour factor for objects in the Earth's shadow (1 = no dimming)
varying vec4 v_color;
void main() {
    vec3 h = cross(a_position, a_velocity);
    float r2 = max(dot(a_position, a_position), 1e-6);
    float h_len = length(h);
    vec3 p = a_position;
    if (h_len > 0.0) {
        float angle = h_len / r2 * u_dt;  // instantaneous angular rate times dt
        p = a_position * cos(angle) + cross(h / h_len, a_position) * sin(angle);
    }
    gl_Position = $transform(vec4(p, 1.0));
    if (a_shown < 0.5) {
        gl_Position = vec4(2.0, 2.0, 2.0, 1.0);  // outside the clip volume: a size of 0 would still draw 1 px
    }
    gl_PointSize = u_size;
    // cylindrical shadow: behind the Earth and within one Earth radius of the Sun line
    float along = dot(p, u_sun);
    bool shadowed = along < 0.0 && length(p - along * u_sun) < 1.0;
    v_color = shadowed ? vec4(a_color.rgb * u_shadow_dim, a_color.a) : a_color;
}
"""

_POINTS_FRAGMENT = """
varying vec4 v_color;
void main() {
    vec2 offset = gl_PointCoord - vec2(0.5);
    if (dot(offset, offset) > 0.25) discard;
    gl_FragColor = v_color;
}
"""


def extrapolate_positions(r: np.ndarray, v: np.ndarray, dt_s: float) -> np.ndarray:
    """The vertex shader's motion on the CPU (for picking and for the selected object)."""
    h = np.cross(r, v)
    h_len = np.linalg.norm(h, axis=-1, keepdims=True)
    r2 = np.maximum(np.sum(r * r, axis=-1, keepdims=True), 1e-6)
    angle = np.where(h_len > 0, h_len / r2 * dt_s, 0.0)
    axis = np.divide(h, h_len, out=np.zeros_like(h), where=h_len > 0)
    return r * np.cos(angle) + np.cross(axis, r) * np.sin(angle)


class CatalogPointsVisual(Visual):
    """All objects: buffers written when a snapshot lands (or colours/filter change);
    per frame only ``u_dt`` changes."""

    def __init__(self, point_size: float = 3.0):
        super().__init__(vcode=_POINTS_VERTEX, fcode=_POINTS_FRAGMENT)
        self._draw_mode = "points"
        self.count = 0
        # depth writes stay on: a depth mask left off would stop the next frame's depth clear
        self.set_gl_state("translucent", depth_test=True)
        self.shared_program["u_size"] = float(point_size)
        self.shared_program["u_dt"] = 0.0
        self.shared_program["u_sun"] = (1.0, 0.0, 0.0)
        self.shared_program["u_shadow_dim"] = 1.0
        self.set_data(np.zeros((0, 3)), np.zeros((0, 3)), np.zeros((0, 4)), np.zeros(0))

    def set_data(self, r_er: np.ndarray, v_er_s: np.ndarray, colors: np.ndarray, shown: np.ndarray) -> None:
        self.count = len(r_er)
        program = self.shared_program
        program["a_position"] = gloo.VertexBuffer(np.nan_to_num(r_er).astype(np.float32))
        program["a_velocity"] = gloo.VertexBuffer(np.nan_to_num(v_er_s).astype(np.float32))
        program["a_color"] = gloo.VertexBuffer(np.asarray(colors, dtype=np.float32))
        program["a_shown"] = gloo.VertexBuffer(np.asarray(shown, dtype=np.float32))
        self.update()

    def set_colors(self, colors: np.ndarray) -> None:
        self.shared_program["a_color"] = gloo.VertexBuffer(np.asarray(colors, dtype=np.float32))
        self.update()

    def set_shown(self, shown: np.ndarray) -> None:
        self.shared_program["a_shown"] = gloo.VertexBuffer(np.asarray(shown, dtype=np.float32))
        self.update()

    def set_dt(self, dt_s: float, sun_teme: np.ndarray | None = None) -> None:
        self.shared_program["u_dt"] = float(dt_s)
        if sun_teme is not None:
            self.shared_program["u_sun"] = tuple(float(v) for v in sun_teme)
        self.update()

    def set_shadow_dimming(self, factor: float) -> None:
        """Colour factor for objects in the Earth's shadow (1.0 turns the effect off)."""
        self.shared_program["u_shadow_dim"] = float(factor)
        self.update()

    def set_point_size(self, size: float) -> None:
        self.shared_program["u_size"] = float(size)
        self.update()

    def _prepare_transforms(self, view):
        view.view_program.vert["transform"] = view.get_transform()

    def draw(self):
        if self.count:
            super().draw()


Earth = create_visual_node(EarthVisual)
CatalogPoints = create_visual_node(CatalogPointsVisual)

"""Labels that stay readable over the point cloud: vispy's signed-distance-field text with a
dark halo. The glyph atlas already holds each glyph's distance to its edge, so the halo is the
same glyph drawn to a lower distance threshold, in near-black, under the fill."""

from __future__ import annotations

from vispy.scene.visuals import create_visual_node
from vispy.visuals import TextVisual

HALO_EDGE = 0.08  # distance-field level of the halo's outer edge (the glyph's own edge is 0.5)
HALO_OPACITY = 0.9

_HALO_FRAGMENT_SHADER = f"""
    #extension GL_OES_standard_derivatives : enable
    uniform sampler2D u_font_atlas;
    varying vec4 v_color;
    varying vec2 v_texcoord;

    void main(void) {{
        float distance = texture2D(u_font_atlas, v_texcoord.xy).r;
        float width = 0.5 * fwidth(distance);
        float fill = smoothstep(0.5 - width, 0.5 + width, distance);
        float halo = smoothstep({HALO_EDGE} - width, {HALO_EDGE} + width, distance) * {HALO_OPACITY};
        float alpha = max(fill, halo);
        if (alpha <= 0.0) discard;
        gl_FragColor = vec4(v_color.rgb * fill, v_color.a * alpha);
    }}
    """


class HaloTextVisual(TextVisual):
    _shaders = {"vertex": TextVisual._shaders["vertex"], "fragment": _HALO_FRAGMENT_SHADER}


HaloText = create_visual_node(HaloTextVisual)

"""Render the console's icon, resources/icons/spaceops.svg, to the PNG sizes a Linux desktop
looks for: resources/icons/hicolor/<N>x<N>/apps/spaceops.png (the freedesktop icon theme
layout, so the folder copies as is into /usr/share/icons/hicolor).

Run after changing the SVG (tests/core/test_desktop_files.py checks every size is there):

    python3 packaging/build_icons.py

Renders with Qt's SVG renderer (PySide6.QtSvg, part of PySide6-Essentials) on the offscreen
platform, so it needs no display.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ICONS = ROOT / "resources" / "icons"
SOURCE = ICONS / "spaceops.svg"
SIZES = (16, 32, 48, 64, 128, 256)


def png_path(size: int) -> Path:
    return ICONS / "hicolor" / f"{size}x{size}" / "apps" / "spaceops.png"


_application = None


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    global _application  # kept for the whole run: Qt's image and paint code needs one
    _application = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(SOURCE))
    if not renderer.isValid():
        print(f"build_icons: {SOURCE} is not a valid SVG", file=sys.stderr)
        return 1
    for size in SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        renderer.render(painter)
        painter.end()
        out = png_path(size)
        out.parent.mkdir(parents=True, exist_ok=True)
        if not image.convertToFormat(QImage.Format.Format_ARGB32).save(str(out), "PNG"):
            print(f"build_icons: could not write {out}", file=sys.stderr)
            return 1
        print(f"{out.relative_to(ROOT)}  {size}x{size}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

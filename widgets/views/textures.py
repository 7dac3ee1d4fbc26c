"""Images shipped in resources, as numpy arrays (through Qt's own image readers)."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from PySide6.QtGui import QImage

from app.common.resources import resource_path

EARTH_TEXTURE = "earth/bluemarble_2048x1024.jpg"


def qimage_to_rgb(image: QImage) -> np.ndarray:
    rgb = image.convertToFormat(QImage.Format.Format_RGB888)
    width, height = rgb.width(), rgb.height()
    rows = np.frombuffer(rgb.constBits(), dtype=np.uint8).reshape(height, rgb.bytesPerLine())
    return rows[:, : width * 3].reshape(height, width, 3).copy()


@lru_cache(maxsize=1)
def earth_texture() -> np.ndarray:
    """Blue Marble, equirectangular: row 0 is 90 N, column 0 is 180 W."""
    image = QImage(str(resource_path(EARTH_TEXTURE)))
    if image.isNull():
        raise RuntimeError(f"cannot read the Earth texture {EARTH_TEXTURE} (Qt JPEG plugin missing?)")
    return qimage_to_rgb(image)

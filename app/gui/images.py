"""Conversions between numpy page images and Qt images."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QImage, QPixmap


def grey_qimage(image: np.ndarray) -> QImage:
    """A deep-copied QImage (Grayscale8) of a 2-D uint8 array."""
    array = np.ascontiguousarray(image, dtype=np.uint8)
    height, width = array.shape
    return QImage(array.data, width, height, array.strides[0], QImage.Format.Format_Grayscale8).copy()


def grey_pixmap(image: np.ndarray) -> QPixmap:
    """A QPixmap of a 2-D uint8 array."""
    return QPixmap.fromImage(grey_qimage(image))


def qimage_to_grey(image: QImage) -> np.ndarray:
    """A 2-D uint8 copy of a QImage converted to grey."""
    grey = image.convertToFormat(QImage.Format.Format_Grayscale8)
    width, height, stride = grey.width(), grey.height(), grey.bytesPerLine()
    buffer = np.frombuffer(grey.constBits(), dtype=np.uint8, count=stride * height)
    return buffer.reshape(height, stride)[:, :width].copy()

"""Glyphic's desktop GUI (PySide6). The only package of Glyphic that imports Qt.

Entry point: ``glyphic-gui [FILES...]`` -> :func:`app.gui.main.main`.
"""

from app.gui import qt_compat

qt_compat.apply()

"""The page list: one thumbnail per page, marked once recognised."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QWidget

from app.gui.images import grey_pixmap
from app.gui.session import Session
from app.gui.workers import THUMBNAIL_SIZE


class PageList(QListWidget):
    """Thumbnails of the session's pages; choosing one shows it."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setViewMode(QListWidget.ViewMode.IconMode)
        self.setFlow(QListWidget.Flow.TopToBottom)
        self.setWrapping(False)
        self.setMovement(QListWidget.Movement.Static)
        self.setIconSize(QSize(110, 110))
        self.setSpacing(4)
        self.setMinimumWidth(130)
        session.document_reset.connect(self.rebuild)
        session.page_added.connect(self._add)
        session.page_changed.connect(self._update_label)
        session.current_page_changed.connect(self._current_changed)
        session.page_image_changed.connect(self._image_changed)
        self.currentRowChanged.connect(self._row_chosen)

    def rebuild(self) -> None:
        self.blockSignals(True)
        self.clear()
        self.blockSignals(False)
        for index in range(len(self.session.document.pages)):
            self._add(index)
        self._current_changed(self.session.current_page)

    def _add(self, index: int) -> None:
        data = self.session.images[index]
        thumb = data.thumbnail
        if thumb is None and data.pixels() is not None:
            import cv2

            image = data.pixels()
            assert image is not None
            scale = THUMBNAIL_SIZE / max(image.shape)
            thumb = data.thumbnail = cv2.resize(image, (max(1, round(image.shape[1] * scale)),
                                                        max(1, round(image.shape[0] * scale))),
                                                interpolation=cv2.INTER_AREA)
        item = QListWidgetItem(QIcon(grey_pixmap(thumb)) if thumb is not None else QIcon(), "")
        item.setTextAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.addItem(item)
        self._update_label(index)

    def _image_changed(self, index: int) -> None:
        item = self.item(index)
        thumb = self.session.images[index].thumbnail if index < len(self.session.images) else None
        if item is not None and thumb is not None:
            item.setIcon(QIcon(grey_pixmap(thumb)))

    def _update_label(self, index: int) -> None:
        item = self.item(index)
        if item is not None:
            done = self.session.images[index].recognized
            item.setText(f"{index + 1}" + ("" if done else " …"))

    def _current_changed(self, index: int) -> None:
        if self.currentRow() != index:
            self.blockSignals(True)
            self.setCurrentRow(index)
            self.blockSignals(False)

    def _row_chosen(self, row: int) -> None:
        if row >= 0:
            self.session.set_current_page(row)

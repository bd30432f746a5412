"""Menus, toolbar and keyboard shortcuts of the main window."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QIcon, QKeySequence
from PySide6.QtWidgets import QDockWidget, QMenu, QMenuBar, QStyle, QToolBar, QWidget

from app.gui.alternatives import AlternativesControl
from app.gui.editing import Editor
from app.gui.files import FileHandler
from app.gui.page_tools import PageTools
from app.gui.page_view import PageView
from app.gui.session import Session
from app.gui.settings import Settings
from app.gui.tools import Tools


class ActionTarget(Protocol):
    """What the actions act on: the main window's components and a few window-level commands."""

    session: Session
    settings: Settings
    view: PageView
    editor: Editor
    files: FileHandler
    tools: Tools
    page_tools: PageTools
    alternatives: AlternativesControl
    pad_dock: QDockWidget

    def escape(self) -> None: ...
    def recognize_again(self) -> None: ...
    def show_find(self) -> None: ...
    def show_line_view(self) -> None: ...
    def start_crop(self) -> None: ...
    def start_region(self) -> None: ...
    def recognise_selected_line(self) -> None: ...
    def show_settings(self) -> None: ...
    def show_about(self) -> None: ...
    def set_box_visibility(self, key: str, on: bool) -> None: ...
    def close(self) -> bool: ...
    def style(self) -> QStyle: ...
    def addAction(self, action: QAction, /) -> None: ...
    def menuBar(self) -> QMenuBar: ...
    def addToolBar(self, title: str, /) -> QToolBar: ...

Shortcut = str | QKeySequence.StandardKey | None


def _describe(action: QAction, name: str, text: str) -> None:
    tip = f"{name} {text}" if text else name
    action.setToolTip(tip)
    action.setStatusTip(tip)


def _unique(keys: list[QKeySequence]) -> list[QKeySequence]:
    seen: list[QKeySequence] = []
    for key in keys:
        if not key.isEmpty() and key not in seen:
            seen.append(key)
    return seen


class Actions:
    """All QActions of the window, created once and shared by menus and toolbar."""

    def __init__(self, window: ActionTarget, owner: QObject) -> None:
        self.window = window
        self.owner = owner  # parent of the actions (the window itself)
        w = window
        icon = w.style().standardIcon
        sp = QStyle.StandardPixmap
        self.open = self._make("&Open…", w.files.choose_and_open, QKeySequence.StandardKey.Open,
                               icon(sp.SP_DialogOpenButton))
        self.open_folder = self._make("Open a &folder of pages…", w.files.choose_and_open_folder, "Ctrl+Shift+O")
        self.open_sample = self._make("Open the &sample page", w.files.open_sample)
        self.save = self._make("&Save project", w.files.save_project, QKeySequence.StandardKey.Save,
                               icon(sp.SP_DialogSaveButton))
        self.save_as = self._make("Save project &as…", w.files.save_project_as, QKeySequence.StandardKey.SaveAs)
        self.export = self._make("&Export…", w.tools.show_export_dialog, "Ctrl+E", icon(sp.SP_ArrowDown))
        self.quit = self._make("&Quit", w.close, QKeySequence.StandardKey.Quit)
        stack = w.session.undo_stack
        self.undo = self._make("&Undo", stack.undo, QKeySequence.StandardKey.Undo, icon(sp.SP_ArrowBack))
        self.redo = self._make("&Redo", stack.redo, "Ctrl+Shift+Z", icon(sp.SP_ArrowForward))
        self.redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        # fixed short texts (a long edit label must not push the toolbar's buttons into its overflow menu);
        # what would be undone is in the tooltip and the status tip
        for action, can, label, name in ((self.undo, stack.canUndoChanged, stack.undoTextChanged, "Undo"),
                                         (self.redo, stack.canRedoChanged, stack.redoTextChanged, "Redo")):
            action.setEnabled(False)
            can.connect(action.setEnabled)
            label.connect(lambda text, a=action, n=name: _describe(a, n, text))
        self.next_doubtful = self._make("&Next doubtful glyph", lambda: w.editor.next_doubtful(False), "F3",
                                        icon(sp.SP_MediaSeekForward))
        self.previous_doubtful = self._make("&Previous doubtful glyph", lambda: w.editor.next_doubtful(True),
                                            "Shift+F3", icon(sp.SP_MediaSeekBackward))
        self.alternatives = self._make("Show &alternatives", w.alternatives.toggle, "Return", scope=w.view)
        self.delete_box = self._make("&Delete box", w.editor.delete_selected, "Del", scope=w.view)
        self.merge_box = self._make("&Merge with next box", w.editor.merge_selected, "Ctrl+M")
        self.split_box = self._make("S&plit box", lambda: w.editor.split_selected(), "Ctrl+K")
        self.draw_box = self._make("Dra&w a new box", w.view.set_draw_mode, "Ctrl+B")
        self.draw_box.setCheckable(True)
        self.find = self._make("&Find and replace…", w.show_find, QKeySequence.StandardKey.Find)
        self.find.setShortcuts([QKeySequence("Ctrl+F"), QKeySequence("Ctrl+H")])
        self.rotate_right = self._make("Rotate page &right (90°)", lambda: w.page_tools.rotate(90), "Ctrl+]")
        self.rotate_left = self._make("Rotate page &left (90°)", lambda: w.page_tools.rotate(270), "Ctrl+[")
        self.rotate_half = self._make("Rotate page 180°", lambda: w.page_tools.rotate(180))
        self.crop = self._make("&Crop page…", w.start_crop)
        self.deskew = self._make("&Deskew page", w.page_tools.deskew)
        self.recognise_line = self._make("Recognise this &line again", w.recognise_selected_line, "Ctrl+Alt+R")
        self.recognise_region = self._make("Recognise a re&gion again…", w.start_region)
        self.recognise_box = self._make("Recognise selected box &again", w.editor.recognise_selected, "Ctrl+Shift+R")
        self.zoom_in = self._make("Zoom &in", lambda: w.view.zoom_by(1.25), QKeySequence.StandardKey.ZoomIn)
        self.zoom_in.setShortcuts(_unique([QKeySequence("Ctrl+="), QKeySequence("Ctrl++"),
                                           *QKeySequence.keyBindings(QKeySequence.StandardKey.ZoomIn)]))
        self.zoom_out = self._make("Zoom &out", lambda: w.view.zoom_by(0.8), QKeySequence.StandardKey.ZoomOut)
        self.fit_width = self._make("Fit &width", lambda: w.view.fit("width"), "Ctrl+1")
        self.fit_page = self._make("Fit &page", lambda: w.view.fit("page"), "Ctrl+2")
        self.actual_size = self._make("&100 %", lambda: w.view.fit("actual"), "Ctrl+0")
        self.next_page = self._make("Next page", lambda: w.session.set_current_page(w.session.current_page + 1),
                                    "Ctrl+PgDown")
        self.previous_page = self._make("Previous page",
                                        lambda: w.session.set_current_page(w.session.current_page - 1), "Ctrl+PgUp")
        self.show_glyphs = self._toggle("Glyph boxes", "view/glyph_boxes")
        self.show_words = self._toggle("Word boxes", "view/word_boxes")
        self.show_lines = self._toggle("Line boxes", "view/line_boxes")
        self.recognize = self._make("&Recognise all pages again", w.recognize_again, "Ctrl+R",
                                    icon(sp.SP_MediaPlay))
        self.cancel = self._make("&Cancel", w.escape,
                                 "Esc", icon(sp.SP_MediaStop))
        self.cancel.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.cancel.setEnabled(False)
        self.settings = self._make("&Settings…", w.show_settings, QKeySequence.StandardKey.Preferences)
        self.improve = self._make("&Improve the model from my corrections", w.tools.improve_model)
        self.shipped_model = self._make("Use the &shipped model", w.tools.use_shipped_model)
        self.drawing_pad = w.pad_dock.toggleViewAction()
        self.drawing_pad.setShortcut("Ctrl+D")
        self.line_view = self._make("&Line-by-line view", w.show_line_view, "Ctrl+L")
        self.about = self._make("&About Glyphic", w.show_about)

    def _make(self, text: str, slot: Callable[..., object], shortcut: Shortcut = None, icon: QIcon | None = None,
              scope: QWidget | None = None) -> QAction:
        """An action; with ``scope`` its shortcut only works while that widget has focus."""
        action = QAction(text, self.owner)
        if icon is not None:
            action.setIcon(icon)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut) if isinstance(shortcut, str) else shortcut)
        action.triggered.connect(slot)
        if scope is not None:
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            scope.addAction(action)
        else:
            self.window.addAction(action)
        return action

    def _toggle(self, text: str, key: str) -> QAction:
        action = QAction(text, self.owner)
        action.setCheckable(True)
        action.setChecked(self.window.settings.flag(key))
        action.toggled.connect(lambda on: self.window.set_box_visibility(key, on))
        return action

    def build_menus(self) -> QMenu:
        """Fill the menu bar; returns the recent-files submenu (filled by the window)."""
        bar = self.window.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addActions([self.open, self.open_folder, self.open_sample])
        recent = file_menu.addMenu("Open &recent")
        file_menu.addSeparator()
        file_menu.addActions([self.save, self.save_as, self.export])
        file_menu.addSeparator()
        file_menu.addAction(self.quit)
        edit = bar.addMenu("&Edit")
        edit.addActions([self.undo, self.redo])
        edit.addSeparator()
        edit.addActions([self.find, self.next_doubtful, self.previous_doubtful, self.alternatives])
        edit.addSeparator()
        edit.addActions([self.merge_box, self.split_box, self.delete_box, self.draw_box, self.recognise_box])
        view = bar.addMenu("&View")
        view.addActions([self.zoom_in, self.zoom_out, self.fit_width, self.fit_page, self.actual_size])
        view.addSeparator()
        view.addActions([self.next_page, self.previous_page])
        page_menu = bar.addMenu("&Page")
        page_menu.addActions([self.rotate_right, self.rotate_left, self.rotate_half, self.deskew, self.crop])
        page_menu.addSeparator()
        page_menu.addActions([self.recognise_line, self.recognise_region])
        view.addSeparator()
        view.addActions([self.show_glyphs, self.show_words, self.show_lines])
        recognize = bar.addMenu("&Recognize")
        recognize.addActions([self.recognize, self.cancel])
        tools = bar.addMenu("&Tools")
        tools.addActions([self.line_view, self.drawing_pad, self.improve, self.shipped_model])
        tools.addSeparator()
        tools.addAction(self.settings)
        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self.about)
        return recent

    def build_toolbar(self) -> QToolBar:
        bar = self.window.addToolBar("Main")
        bar.setObjectName("main-toolbar")
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        bar.addActions([self.open, self.recognize, self.cancel])
        bar.addSeparator()
        bar.addActions([self.zoom_out, self.zoom_in, self.fit_width, self.fit_page])
        bar.addSeparator()
        bar.addActions([self.previous_doubtful, self.next_doubtful])
        bar.addSeparator()
        bar.addActions([self.undo, self.redo])
        bar.addSeparator()
        bar.addActions([self.draw_box, self.export])
        return bar

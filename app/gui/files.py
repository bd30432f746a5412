"""File handling: opening files, folders and projects, saving, autosave recovery, the unsaved-changes warning.

A component of the main window: it reaches the rest only through the session, the recognition control and
its own signals.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import astuple
from importlib.resources import files
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox, QWidget

from app.gui.autosave import Autosaver, build_and_write
from app.gui.dialogs import show_error
from app.gui.project import PROJECT_SUFFIX, ProjectData, ProjectError, load_project, save_project, snapshot
from app.gui.recognition import RecognitionControl
from app.gui.refs import GlyphRef
from app.gui.session import PageImageData, Session, SessionState
from app.gui.settings import Settings
from app.gui.workers import FunctionTask, RecognitionWorker

IMAGE_FILTER = "Pages (*.png *.jpg *.jpeg *.tif *.tiff *.bmp *.webp *.gif *.pbm *.pgm *.ppm *.pnm *.pdf)"
PROJECT_FILTER = f"Glyphic projects (*{PROJECT_SUFFIX})"
PAGE_SUFFIXES = {"." + pattern.split(".")[1] for pattern in IMAGE_FILTER[7:-1].split()}


def sample_page() -> Path:
    """The bundled sample page."""
    return Path(str(files("resources") / "samples" / "sample.png"))


def expand_folders(paths: list[Path]) -> list[Path]:
    """Folders replaced by the page files in them (sorted by name); files kept as they are."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out.extend(sorted((p for p in path.iterdir() if p.is_file() and p.suffix.lower() in PAGE_SUFFIXES),
                              key=lambda p: p.name.lower()))
        else:
            out.append(path)
    return out


class FileHandler(QObject):
    """Opens and saves for the window.

    Args:
        parent: the window (parent of dialogs).
        session, settings, recognition: what is opened into, remembered, and recognised with.
        data_folder: where the recovery file lives.
        start_task: runs a worker.
        view_state: what the window adds to ``state.json`` (zoom, thresholds...).
        autosave_ms: autosave interval.

    Signals:
        project_saved(str): a project file was written.
        message(str, int): a status-bar message and its timeout.
        state_restored(dict): a project's ``state.json`` was loaded (the window restores its view).
        path_changed(): the project file changed (the title shows it).
    """

    project_saved = Signal(str)
    message = Signal(str, int)
    state_restored = Signal(dict)
    path_changed = Signal()

    def __init__(self, parent: QWidget, session: Session, settings: Settings, recognition: RecognitionControl,
                 data_folder: Path, start_task: Callable[[FunctionTask | RecognitionWorker], None],
                 view_state: Callable[[], dict[str, Any]], autosave_ms: int) -> None:
        super().__init__(parent)
        self.window = parent
        self.session = session
        self.settings = settings
        self.recognition = recognition
        self.data_folder = data_folder
        self.start_task = start_task
        self.extra_state = view_state
        self.autosaver = Autosaver(session, data_folder, self.project_data, start_task, autosave_ms)
        self.autosaver.saved.connect(lambda _p: self.message.emit("Autosaved.", 2000))

    # -- open ----------------------------------------------------------------------------------------
    def choose_and_open(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self.window, "Open pages or a project", "",
                                                f"{IMAGE_FILTER};;{PROJECT_FILTER};;All files (*)")
        if paths:
            self.open_paths(paths)

    def choose_and_open_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self.window, "Open a folder of pages")
        if folder:
            self.open_paths([folder])

    def open_sample(self) -> None:
        path = sample_page()
        if not path.is_file():
            show_error(self.window, "No sample page", f"The sample page {path} is not installed.")
            return
        self.open_paths([str(path)])

    def open_paths(self, paths: list[str] | list[Path]) -> None:
        """Open a project (``.glyphic``) or recognise page files (several files make one document)."""
        candidates = expand_folders([Path(p) for p in paths])
        missing = [p for p in candidates if not p.is_file()]
        if missing:
            show_error(self.window, "File not found", "Cannot open:\n" + "\n".join(str(p) for p in missing))
            candidates = [p for p in candidates if p.is_file()]
        projects = [p for p in candidates if p.suffix.lower() == PROJECT_SUFFIX]
        if projects:
            if self.confirm_discard("opening another file"):
                self.open_project(projects[0])
            return
        candidates = self._openable(candidates)
        if not candidates or not self.confirm_discard("opening another file"):
            return
        for path in candidates:
            self.settings.add_recent(path)
        self.recognition.open_files(candidates)

    def _openable(self, paths: list[Path]) -> list[Path]:
        """The files whose header can be read; the others are reported by name (before anything is replaced)."""
        from app.io import PageLoadError, count_pages

        good, bad = [], []
        for path in paths:
            try:
                count_pages(path)
            except PageLoadError as exc:
                bad.append(f"{path.name}: {exc.message}")
            else:
                good.append(path)
        if bad:
            kept = "\n\nThe pages on screen and your corrections are unchanged." if not self.session.is_empty() else ""
            title = "these files" if len(bad) > 1 else paths[0].name if len(paths) == 1 else "a file"
            show_error(self.window, f"Cannot open {title}", "\n".join(bad) + kept)
        return good

    def open_project(self, path: Path, recovered: bool = False) -> bool:
        """Reopen a saved (or autosaved) session exactly as it was."""
        try:
            data = load_project(path)
        except ProjectError as exc:
            show_error(self.window, "Cannot open project", str(exc))
            return False
        self.recognition.cancel()
        state = data.state
        flags = state.get("recognized", [True] * len(data.images))
        images = [PageImageData(png=png, recognized=bool(flags[i]) if i < len(flags) else True)
                  for i, png in enumerate(data.images)]
        selection = state.get("selection")
        project = Path(state["project_path"]) if recovered and state.get("project_path") else None
        source = Path(state["source_path"]) if state.get("source_path") else None
        self.session.reset(data.document, images, source=source, project=None if recovered else Path(path),
                           state=SessionState(current_page=int(state.get("current_page", 0)),
                                              selection=GlyphRef(*selection) if selection else None))
        if recovered:
            self.session.project_path = project
            self.session.undo_stack.resetClean()
        else:
            self.settings.add_recent(path)
        self.state_restored.emit(dict(state))
        self.path_changed.emit()
        return True

    def fill_recent_menu(self, menu: QMenu) -> None:
        """List the recent files in ``menu``."""
        menu.clear()
        for path in self.settings.recent_files:
            action: QAction = menu.addAction(path)
            action.triggered.connect(lambda _c=False, p=path: self.open_paths([p]))
        if menu.isEmpty():
            menu.addAction("(none)").setEnabled(False)

    # -- save ----------------------------------------------------------------------------------------
    def view_state(self) -> dict[str, Any]:
        """What ``state.json`` records about the view."""
        s = self.session
        return {
            "current_page": s.current_page,
            "selection": list(astuple(s.selection)) if s.selection else None,
            **self.extra_state(),
            "recognized": [image.recognized for image in s.images],
            "source_path": str(s.source_path) if s.source_path else None,
            "project_path": str(s.project_path) if s.project_path else None,
        }

    def project_data(self) -> ProjectData:
        """A snapshot of the session to write (cheap; runs on the GUI thread)."""
        pngs = [image.png_bytes() for image in self.session.images]
        return ProjectData(document=snapshot(self.session.document), images=pngs, state=self.view_state())

    def save_project(self) -> bool:
        """Ctrl+S: save to the project file (asks for a name the first time)."""
        if self.session.project_path is None:
            return self.save_project_as()
        return self.save_to(self.session.project_path)

    def save_project_as(self) -> bool:
        if self.session.is_empty():
            self.message.emit("Nothing to save yet.", 4000)
            return False
        start = self.session.source_path.with_suffix(PROJECT_SUFFIX) if self.session.source_path else Path.home()
        path, _ = QFileDialog.getSaveFileName(self.window, "Save project", str(start), PROJECT_FILTER)
        if not path:
            return False
        target = Path(path)
        if target.suffix.lower() != PROJECT_SUFFIX:
            target = target.with_name(target.name + PROJECT_SUFFIX)
        return self.save_to(target)

    def save_to(self, path: Path, wait: bool = False) -> bool:
        """Save the session as a project; on a worker unless ``wait`` (used when closing)."""
        if self.session.is_empty():
            return False
        self.session.project_path = path
        data = self.project_data()
        self.session.undo_stack.setClean()
        self.path_changed.emit()
        if wait:
            try:
                save_project(path, data)
            except ProjectError as exc:
                self.session.undo_stack.resetClean()
                show_error(self.window, "Cannot save project", str(exc))
                return False
            self.project_saved.emit(str(path))
            return True
        task = FunctionTask(build_and_write, path, data)
        task.signals.result.connect(self._saved)
        task.signals.error.connect(self._save_failed)
        self.message.emit(f"Saving {path.name}…", 0)
        self.start_task(task)
        return True

    def _saved(self, path: Path) -> None:
        self.settings.add_recent(path)
        self.message.emit(f"Saved {path}.", 4000)
        self.project_saved.emit(str(path))

    def _save_failed(self, message: str) -> None:
        self.session.undo_stack.resetClean()
        show_error(self.window, "Cannot save project", message)

    def confirm_discard(self, action: str) -> bool:
        """Ask before losing unsaved changes; True when it is fine to go on."""
        if self.session.undo_stack.isClean() or self.session.is_empty():
            return True
        buttons = QMessageBox.StandardButton
        answer = QMessageBox.question(
            self.window, "Unsaved changes", f"The document has unsaved changes. Save them before {action}?",
            buttons.Save | buttons.Discard | buttons.Cancel, buttons.Save)
        if answer == buttons.Save:
            if self.session.project_path is None:
                path, _ = QFileDialog.getSaveFileName(self.window, "Save project", str(Path.home()), PROJECT_FILTER)
                if not path:
                    return False
                self.session.project_path = Path(path)
            return self.save_to(self.session.project_path, wait=True)
        return answer == buttons.Discard

    # -- recovery ------------------------------------------------------------------------------------
    def check_recovery(self) -> bool:
        """Offer the autosaved session after a crash; True when it was recovered."""
        if not self.autosaver.has_recovery():
            return False
        buttons = QMessageBox.StandardButton
        answer = QMessageBox.question(
            self.window, "Recover unsaved work?",
            "Glyphic did not shut down properly last time. Recover the autosaved session?",
            buttons.Yes | buttons.No, buttons.Yes)
        if answer == buttons.Yes and self.open_project(self.autosaver.path, recovered=True):
            return True
        self.autosaver.discard()
        return False

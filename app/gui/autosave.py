"""Autosave to a recovery file a few seconds after each change (and every minute while typing goes on),
and recovery after a crash."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from app.gui.project import ProjectData, project_bytes, write_project
from app.gui.session import Session
from app.gui.workers import FunctionTask

AUTOSAVE_MS = 60_000
#: An edit is autosaved once the document has been left alone this long.
SOON_MS = 3_000
RECOVERY_NAME = "recovery.glyphic"


def build_and_write(path: Path, data: ProjectData) -> Path:
    """Serialise and write a project (runs on a worker)."""
    write_project(path, project_bytes(data))
    return path


class Autosaver(QObject):
    """Writes the session to ``folder/recovery.glyphic`` when it changed since the last autosave.

    Args:
        session: what to save.
        folder: the per-user data folder (AppDataLocation).
        project_data: builds a snapshot :class:`ProjectData` of the session (on the GUI thread, cheap).
        start_task: runs a task on the thread pool.
        interval_ms: time between autosaves while changes keep coming.
        soon_ms: quiet time after a change before it is autosaved.

    Signals:
        saved(str): path of the recovery file just written.
    """

    saved = Signal(str)

    def __init__(self, session: Session, folder: Path, project_data: Callable[[], ProjectData],
                 start_task: Callable[[FunctionTask], None], interval_ms: int = AUTOSAVE_MS,
                 soon_ms: int = SOON_MS) -> None:
        super().__init__(session)
        self.session = session
        self.path = Path(folder) / RECOVERY_NAME
        self.project_data = project_data
        self.start_task = start_task
        self.dirty = False
        self._busy = False
        for signal in (session.page_added, session.page_changed, session.line_changed, session.document_reset):
            signal.connect(self._mark_dirty)
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.autosave)
        self.timer.start()
        self.soon = QTimer(self)
        self.soon.setSingleShot(True)
        self.soon.setInterval(min(soon_ms, interval_ms))
        self.soon.timeout.connect(self.autosave)

    def _mark_dirty(self, *_args: object) -> None:
        self.dirty = True
        self.soon.start()  # restarted by every change: written once the edits pause

    def autosave(self) -> bool:
        """Start writing the recovery file if anything changed; returns whether a write started."""
        if not self.dirty or self._busy or self.session.is_empty():
            return False
        if any(image.png is None for image in self.session.images):
            self.soon.start()  # a page's PNG copy is still being made: try again shortly
            return False
        self.dirty = False
        self._busy = True
        task = FunctionTask(build_and_write, self.path, self.project_data())
        task.signals.result.connect(lambda path: self.saved.emit(str(path)))
        task.signals.error.connect(self._failed)
        task.signals.finished.connect(self._done)
        self.start_task(task)
        return True

    def _failed(self, _message: str) -> None:
        self.dirty = True  # try again next time; an autosave failure must not interrupt the user

    def _done(self, _cancelled: bool) -> None:
        self._busy = False
        if self.dirty:  # changed while it was being written
            self.soon.start()

    def stop(self) -> None:
        """No more autosaves (the window is closing)."""
        self.timer.stop()
        self.soon.stop()

    def has_recovery(self) -> bool:
        return self.path.is_file()

    def discard(self) -> None:
        """Remove the recovery file (after a clean exit or a declined recovery)."""
        self.path.unlink(missing_ok=True)
        self.dirty = False

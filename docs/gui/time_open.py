"""Seconds from opening a page in a fresh Glyphic window to its text on screen (cold: models load on the way).

Run under an X server: ``xvfb-run -a python docs/gui/time_open.py PAGE.jpg``. Compare with loading and
recognising the page in a plain script (``app.io.load_pages`` + ``Pipeline.recognize_image``).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from PySide6.QtCore import QEventLoop, QSettings, QTimer
from PySide6.QtWidgets import QApplication


def main(page: str) -> None:
    app = QApplication(sys.argv[:1])
    from app.gui.main_window import MainWindow
    from app.gui.settings import Settings

    folder = Path(tempfile.mkdtemp())
    window = MainWindow(settings=Settings(QSettings(str(folder / "s.ini"), QSettings.Format.IniFormat)),
                        data_folder=folder)
    window.show()
    marks: list[tuple[str, float]] = []
    start = time.perf_counter()
    window.session.page_added.connect(lambda _i: marks.append(("page shown", time.perf_counter() - start)))
    window.session.page_changed.connect(lambda _i: marks.append(("text shown", time.perf_counter() - start)))
    window.recognition_finished.connect(lambda _c: marks.append(("finished", time.perf_counter() - start)))
    window.open_paths([page])
    while not any(name == "finished" for name, _t in marks):
        loop = QEventLoop()
        QTimer.singleShot(20, loop.quit)
        loop.exec()
    print(f"{window.windowTitle()!r}: " + ", ".join(f"{name} {t:.2f} s" for name, t in marks))
    window.session.undo_stack.setClean()
    window.close()
    app.quit()


if __name__ == "__main__":
    main(sys.argv[1])

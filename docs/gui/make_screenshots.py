"""Screenshots of a real Glyphic window for docs/gui.md, and the open-a-page timing.

Run under an X server (``xvfb-run -a -s "-screen 0 1600x1000x24" python docs/gui/make_screenshots.py PAGE
[MORE PAGES...]``; with more pages, ``pages.jpg`` shows them recognised one after the other).
Settings and data go to a temporary folder, so the user's own are never touched.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from PySide6.QtCore import QEventLoop, QSettings, Qt, QTimer
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

OUT = Path(__file__).resolve().parent


def wait(ms: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def shoot(name: str, window: object = None) -> None:
    """The whole screen (dialogs and popups included) or one window."""
    wait(400)
    if window is None:
        screen = QApplication.primaryScreen()
        pixmap = screen.grabWindow(0)
    else:
        pixmap = window.grab()  # type: ignore[attr-defined]
    pixmap.scaledToWidth(1280, Qt.TransformationMode.SmoothTransformation).save(str(OUT / name), quality=85)
    print(f"saved {name}", flush=True)


def dark_palette() -> QPalette:
    palette = QPalette()
    roles = QPalette.ColorRole
    for role, colour in ((roles.Window, (45, 45, 48)), (roles.WindowText, (230, 230, 230)), (roles.Base, (30, 30, 32)),
                         (roles.AlternateBase, (45, 45, 48)), (roles.Text, (230, 230, 230)),
                         (roles.Button, (55, 55, 60)), (roles.ButtonText, (230, 230, 230)),
                         (roles.Highlight, (42, 130, 218)), (roles.HighlightedText, (255, 255, 255))):
        palette.setColor(role, QColor(*colour))
    return palette


def main(page: Path, more: list[Path]) -> None:
    app = QApplication(sys.argv[:1])
    app.setStyle("Fusion")
    from app.gui.main_window import MainWindow
    from app.gui.settings import Settings

    folder = Path(tempfile.mkdtemp())
    settings = Settings(QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat))
    settings.add_recent(page)
    window = MainWindow(settings=settings, data_folder=folder / "data")
    window.move(0, 0)
    window.resize(1560, 960)
    window.show()
    shoot("welcome.jpg")

    finished: list[float] = []
    window.recognition_finished.connect(lambda _c: finished.append(time.perf_counter()))
    start = time.perf_counter()
    window.open_paths([page])
    while not finished:
        wait(50)
    opened = finished[0] - start
    print(f"title: {window.windowTitle()!r}; text lines shown: {window.transcript.document().blockCount()}")
    image = window.session.page_image(0)
    t0 = time.perf_counter()
    window.service.pipeline().recognize_image(image, 0)
    recognise = time.perf_counter() - t0
    print(f"open to text shown (cold, model load included): {opened:.2f} s; "
          f"recognition alone (warm): {recognise:.2f} s")

    window.view.setFocus()
    window.editor.next_doubtful()
    shoot("main.jpg")
    window.hide_alternatives()
    window.show_line_view()
    window.editor.next_doubtful()
    shoot("lines.jpg")
    window.show_find()
    dialog = window.find_dialog
    assert dialog is not None
    dialog.move(520, 300)
    dialog.find_edit.setText("MISS")
    dialog.find_next()
    shoot("find.jpg")
    dialog.hide()
    window.text_dock.raise_()
    window.actions_.rotate_right.trigger()
    wait(1500)
    shoot("rotated.jpg", window)
    window.session.undo_stack.undo()
    app.setPalette(dark_palette())
    window.transcript.render_page()
    window.view.setFocus()
    window.editor.next_doubtful()
    shoot("dark.jpg", window)
    window.session.undo_stack.setClean()
    if more:
        app.setPalette(QPalette())
        many(window, [page, *more])
    window.session.undo_stack.setClean()
    window.close()


def many(window: object, pages: list[Path]) -> None:
    """Several files as one document: the page list fills while pages are recognised one by one."""
    from app.gui.main_window import MainWindow

    assert isinstance(window, MainWindow)
    finished: list[bool] = []
    window.recognition_finished.connect(lambda _c: finished.append(True))
    window.open_paths(pages)
    while len(window.session.images) < 2 or not window.session.images[0].recognized:
        wait(50)
    shoot("pages.jpg", window)
    while not finished:
        wait(100)


if __name__ == "__main__":
    main(Path(sys.argv[1]), [Path(p) for p in sys.argv[2:]])

"""``glyphic-gui [FILES...]``: start the desktop application.

Options for automation: ``--screenshot PNG`` saves the window once recognition
has finished and quits; ``--startup-probe`` prints the seconds from process
start to a shown, idle window and quits (used by ``benchmarks/gui_startup.py``); ``--version`` prints the
version without starting Qt.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

PROCESS_START = time.perf_counter()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="glyphic-gui", description="Glyphic OCR editor")
    parser.add_argument("files", nargs="*", type=Path,
                        help="pages (images, multi-page TIFF, PDF) or a .glyphic project")
    parser.add_argument("--screenshot", type=Path, metavar="PNG",
                        help="save a screenshot of the window after recognition finishes, then quit")
    parser.add_argument("--select-doubtful", action="store_true",
                        help="with --screenshot: select the first doubtful glyph before the shot")
    parser.add_argument("--startup-probe", action="store_true",
                        help="print the seconds until the window is shown and idle, then quit")
    parser.add_argument("--no-recovery", action="store_true", help="do not offer to recover an autosaved session")
    parser.add_argument("--version", action="version", version=f"glyphic-gui {_version()}")
    return parser


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("glyphic")
    except PackageNotFoundError:
        return "0+unknown"


def _set_window_icon(app: object) -> None:
    """The application's icon (the one ``glyphic install-desktop`` installs), and its desktop entry's name."""
    from importlib import resources

    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    assert isinstance(app, QApplication)
    app.setDesktopFileName("glyphic")
    icons = resources.files("resources") / "icons"
    icon = QIcon()
    for size in (16, 32, 48, 64, 128, 256):
        path = icons / f"glyphic-{size}.png"
        if path.is_file():
            icon.addFile(str(path))
    if not icon.isNull():
        app.setWindowIcon(icon)


def _take_screenshot(window: object, path: Path, select: bool) -> None:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from app.gui.main_window import MainWindow

    assert isinstance(window, MainWindow)
    if select:
        window.view.setFocus()
        window.editor.next_doubtful()

    def grab() -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        window.grab().save(str(path))
        print(f"screenshot saved to {path}", flush=True)
        window.session.undo_stack.setClean()
        QApplication.quit()

    QTimer.singleShot(600, grab)


#: Libraries Qt's xcb platform plugin needs that a desktop may lack: (soname, Debian/Ubuntu package).
XCB_LIBRARIES = [("libxcb-cursor.so.0", "libxcb-cursor0"), ("libxcb-icccm.so.4", "libxcb-icccm4"),
                 ("libxcb-keysyms.so.1", "libxcb-keysyms1")]


def _loadable(soname: str) -> bool:
    import ctypes

    try:
        ctypes.CDLL(soname)
    except OSError:
        return False
    return True


def missing_qt_packages(loadable: Callable[[str], bool] | None = None) -> list[str]:
    """System packages Qt's X11 (xcb) plugin needs and cannot find (Linux with the xcb platform only)."""
    loadable = loadable or _loadable
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    if not sys.platform.startswith("linux") or platform not in ("", "xcb"):
        return []
    return [package for soname, package in XCB_LIBRARIES if not loadable(soname)]


def qt_libraries_message(packages: list[str]) -> str:
    return ("glyphic-gui: Qt cannot open a window because system libraries are missing.\n"
            f"Install them with:  sudo apt-get install {' '.join(packages)}\n"
            "(other distributions: the xcb-util-cursor, xcb-util-wm and xcb-util-keysyms packages)")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the GUI; returns the exit code."""
    args = build_parser().parse_args(argv)
    missing = missing_qt_packages()
    if missing:
        print(qt_libraries_message(missing), file=sys.stderr)
        return 1
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setOrganizationName("Glyphic")
    app.setApplicationName("Glyphic")
    app.setApplicationDisplayName("Glyphic")
    _set_window_icon(app)
    from app.gui.main_window import MainWindow

    window = MainWindow()
    window.show()
    if args.startup_probe:
        def probe() -> None:
            print(f"startup {time.perf_counter() - PROCESS_START:.3f} s", flush=True)
            app.quit()

        QTimer.singleShot(0, probe)
        return app.exec()
    if args.screenshot:
        window.recognition_finished.connect(lambda _c: _take_screenshot(window, args.screenshot, args.select_doubtful))
    if args.files:
        QTimer.singleShot(0, lambda: window.open_paths(list(args.files)))
    elif not (not args.no_recovery and window.check_recovery()):
        from app.gui.files import sample_page

        if sample_page().is_file():
            window.statusBar().showMessage("Open pages with Ctrl+O, drop files here, or try File → Open the sample.")
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())

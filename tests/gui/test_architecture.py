"""Qt appears only in app/gui; the GUI starts without importing torch."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
QT_IMPORT = re.compile(r"^\s*(from|import)\s+(PySide6|PyQt5|PyQt6|shiboken6)\b", re.MULTILINE)


def test_qt_only_in_app_gui() -> None:
    offenders = []
    for folder in ("app", "recognizer", "segmentation"):
        for path in (ROOT / folder).rglob("*.py"):
            if "gui" in path.relative_to(ROOT).parts:
                continue
            if QT_IMPORT.search(path.read_text(encoding="utf-8")):
                offenders.append(str(path.relative_to(ROOT)))
    assert not offenders


def test_main_window_import_does_not_load_torch() -> None:
    code = "import sys; import app.gui.main_window; print('torch' in sys.modules, 'cv2' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.split()[0] == "False"

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


def _gui_imports() -> dict[str, set[str]]:
    """app.gui module -> the app.gui modules it imports (anywhere in the file, TYPE_CHECKING included)."""
    import ast

    graph: dict[str, set[str]] = {}
    for path in (ROOT / "app" / "gui").glob("*.py"):
        name = path.stem
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("app.gui"):
                parts = node.module.split(".")
                if len(parts) > 2:
                    found.add(parts[2])
                else:
                    found.update(alias.name for alias in node.names)
        graph[name] = found - {name}
    return graph


def test_gui_modules_import_no_circle() -> None:
    graph = _gui_imports()

    def reaches(start: str, target: str, seen: set[str]) -> bool:
        for nxt in graph.get(start, set()):
            if nxt == target or (nxt not in seen and reaches(nxt, target, seen | {nxt})):
                return True
        return False

    circles = sorted(name for name in graph if reaches(name, name, {name}))
    assert not circles, f"import circles through: {circles}"


def test_components_do_not_know_the_main_window() -> None:
    graph = _gui_imports()
    assert sorted(name for name, deps in graph.items() if "main_window" in deps) == ["main"]
    assert not (ROOT / "app" / "gui" / "window_base.py").exists()

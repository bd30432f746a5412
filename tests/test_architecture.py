"""Layering rules of DESIGN.md, checked on the source."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QT_MODULES = {"PySide6", "PyQt5", "PyQt6", "qtpy", "superqt", "shiboken6"}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def python_files(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def test_qt_only_inside_app_gui():
    offenders = []
    for folder in ("app", "recognizer", "segmentation"):
        for path in python_files(folder):
            if "gui" in path.relative_to(ROOT).parts[:2]:
                continue
            if imported_modules(path) & QT_MODULES:
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_segmentation_needs_no_torch_or_app():
    for path in python_files("segmentation"):
        assert not imported_modules(path) & {"torch", "torchvision", "app", "recognizer"}, path


def test_recognizer_does_not_import_app():
    for path in python_files("recognizer"):
        assert "app" not in imported_modules(path), path


#: The modules inference runs: torch (the "train" extra) is never among their imports.
INFERENCE_MODULES = ("recognizer/predictor.py", "recognizer/modelfile.py", "recognizer/precision.py",
                     "recognizer/preprocess.py", "recognizer/__init__.py")


def test_inference_needs_no_torch():
    paths = [ROOT / name for name in INFERENCE_MODULES]
    paths += [p for p in python_files("app") if p.name != "learning.py"]  # learning imports torch only if present
    offenders = [str(p.relative_to(ROOT)) for p in paths if imported_modules(p) & {"torch", "torchvision", "onnx"}]
    assert offenders == []

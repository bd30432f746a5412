"""The export dialog and every export format."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

export = pytest.importorskip("app.export")

from app.gui.export_dialog import ExportDialog, ExportRequest  # noqa: E402


def test_export_every_format(recognised: Any, qtbot: Any, tmp_path: Path) -> None:
    window = recognised
    formats = list(export.FORMATS)
    request = ExportRequest(formats=formats, all_pages=True, folder=tmp_path / "out", stem="result")
    with qtbot.waitSignal(window.export_finished, timeout=60_000) as done:
        window.tools.export(request)
    paths = done.args[0]
    assert len(paths) == len(formats)
    for path in paths:
        assert Path(path).is_file() and Path(path).stat().st_size > 0
    text = (tmp_path / "out" / "result.txt").read_text(encoding="utf-8")
    assert text.strip().splitlines()[0] == window.session.document.pages[0].lines[0].text
    assert (tmp_path / "out" / "result.pdf").read_bytes().startswith(b"%PDF")


def test_export_dialog_offers_all_formats(recognised: Any, tmp_path: Path) -> None:
    dialog = ExportDialog(tmp_path, "stem", recognised, chosen=["txt", "alto"])
    assert set(dialog.checks) == set(export.FORMATS)
    dialog.current_page.setChecked(True)
    request = dialog.request()
    assert request.formats == ["txt", "alto"] and not request.all_pages and request.stem == "stem"


def test_export_current_page_via_dialog(recognised: Any, qtbot: Any, monkeypatch: pytest.MonkeyPatch,
                                        tmp_path: Path) -> None:
    window = recognised
    monkeypatch.setattr(ExportDialog, "exec", lambda self: 1)
    monkeypatch.setattr(ExportDialog, "request",
                        lambda self: ExportRequest(["hocr"], False, tmp_path / "one", "page"))
    with qtbot.waitSignal(window.export_finished, timeout=30_000):
        window.actions_.export.trigger()
    assert (tmp_path / "one" / "page.hocr").is_file()
    assert window.settings.export_formats == ["hocr"]


def test_docx_highlights_doubtful_words_when_asked(recognised: Any, qtbot: Any, tmp_path: Path) -> None:
    import zipfile

    window = recognised
    dialog = ExportDialog(tmp_path, "stem", window, chosen=["docx"], doubtful=1.0)
    dialog.highlight.setChecked(True)
    request = dialog.request()
    assert request.highlight_below == 1.0
    request.folder = tmp_path / "hl"
    with qtbot.waitSignal(window.export_finished, timeout=30_000):
        window.tools.export(request)
    xml = zipfile.ZipFile(tmp_path / "hl" / "stem.docx").read("word/document.xml")
    assert b'w:highlight w:val="yellow"' in xml  # with 1.0 every uncorrected word is doubtful

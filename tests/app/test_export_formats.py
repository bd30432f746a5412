"""The format registry, export_document, and the text and JSON exporters."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from app.document import Document
from app.export import FORMATS, ExportError, export_document, json_export, text
from tests.app.factories import PAGE_HEIGHT, PAGE_WIDTH, make_document


def test_registry() -> None:
    assert {name: f.suffix for name, f in FORMATS.items()} == {
        "txt": ".txt", "hocr": ".hocr", "alto": ".alto.xml", "page": ".page.xml", "json": ".json", "pdf": ".pdf",
        "docx": ".docx", "odt": ".odt"}
    assert all(callable(f) and f.name == name and f.description for name, f in FORMATS.items())
    assert FORMATS["txt"].export is text.export


def test_text_export(tmp_path: Path) -> None:
    path = tmp_path / "out.txt"
    text.export(make_document(pages=2), path)
    page = 'Hello <world>\nA&B "quoted"\n\nTotal: 42 café'
    assert path.read_bytes().decode("utf-8") == f"{page}\n\f{page}\n"


def test_text_export_other_encoding(tmp_path: Path) -> None:
    path = tmp_path / "out.txt"
    text.export(make_document(), path, encoding="ascii")
    assert path.read_bytes().endswith(b"Total: 42 caf?\n")


def test_empty_document_gives_an_empty_text_file(tmp_path: Path) -> None:
    path = tmp_path / "out.txt"
    text.export(Document(source="x.png"), path)
    assert path.read_bytes() == b""


def test_json_round_trip(tmp_path: Path) -> None:
    document = make_document(pages=2)
    path = tmp_path / "out.json"
    json_export.export(document, path)
    assert Document.from_json(path.read_text(encoding="utf-8")) == document


def test_export_document_writes_every_format(tmp_path: Path) -> None:
    out = tmp_path / "results" / "nested"
    image = np.full((PAGE_HEIGHT, PAGE_WIDTH), 255, np.uint8)
    paths = export_document(make_document(), out, "scan", ["txt", "alto", "pdf", "hocr", "json", "txt"],
                            pdf={"images": [image]}, hocr={"glyphs": False})
    assert [p.name for p in paths] == ["scan.txt", "scan.alto.xml", "scan.pdf", "scan.hocr", "scan.json"]
    assert all(p.parent == out and p.stat().st_size > 0 for p in paths)
    assert b'class="ocrx_cinfo"' not in (out / "scan.hocr").read_bytes()
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in paths)


def test_export_document_rejects_unknown_names(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="'rtf'"):
        export_document(make_document(), tmp_path, "scan", ["txt", "rtf"])
    with pytest.raises(ValueError, match="'pfd'"):
        export_document(make_document(), tmp_path, "scan", ["txt"], pfd={})
    assert not list(tmp_path.iterdir())


def test_export_document_output_folder_is_a_file(tmp_path: Path) -> None:
    blocker = tmp_path / "out"
    blocker.write_text("not a folder")
    with pytest.raises(ExportError, match="out"):
        export_document(make_document(), blocker, "scan", ["txt"])


def test_streamed_json_is_the_whole_document_dump() -> None:
    import json
    from dataclasses import asdict

    from app.document import Document
    from tests.app.factories import make_document

    for document in (make_document(pages=2), Document(source="empty.png", model="m")):
        expected = json.dumps(asdict(document), ensure_ascii=False, indent=1)
        assert document.to_json() == expected
        assert len(list(document.json_chunks())) == len(document.pages) + 3  # one piece per page
        assert Document.from_json(document.to_json()) == document

"""Exporters: one module per format, each with ``export(document, path, **options)``.

:data:`FORMATS` maps a format name to an :class:`ExportFormat` (callable like the export
function, plus its file suffix); :func:`export_document` writes several formats at once.
Every write is atomic (:mod:`app.atomic`) and failures raise :class:`ExportError`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.atomic import ExportError
from app.document import Document
from app.export import alto, hocr, json_export, office, pagexml, text

__all__ = ["FORMATS", "ExportError", "ExportFormat", "export_document"]


@dataclass(frozen=True)
class ExportFormat:
    """One output format: its export function, file suffix and a label for dialogs."""

    name: str
    export: Callable[..., None]
    suffix: str
    description: str

    def __call__(self, document: Document, path: Path, **options: Any) -> None:
        """Same as ``self.export(document, path, **options)``."""
        self.export(document, path, **options)


def _pdf_export(document: Document, path: Path, **options: Any) -> None:
    """The searchable PDF exporter, imported when first used (fpdf2 takes half a second to import)."""
    from app.export import pdf

    pdf.export(document, path, **options)


FORMATS: dict[str, ExportFormat] = {
    f.name: f
    for f in (
        ExportFormat("txt", text.export, ".txt", "Plain text"),
        ExportFormat("hocr", hocr.export, ".hocr", "hOCR (XHTML)"),
        ExportFormat("alto", alto.export, ".alto.xml", "ALTO v4 XML"),
        ExportFormat("page", pagexml.export, ".page.xml", "PAGE XML (one file per page)"),
        ExportFormat("json", json_export.export, ".json", "Glyphic JSON (full result)"),
        ExportFormat("pdf", _pdf_export, ".pdf", "Searchable PDF"),
        ExportFormat("docx", office.export_docx, ".docx", "Word document (DOCX)"),
        ExportFormat("odt", office.export_odt, ".odt", "OpenDocument text (ODT)"),
    )
}


def export_document(document: Document, out_dir: str | os.PathLike[str], stem: str, formats: Iterable[str],
                    **opts: Mapping[str, Any]) -> list[Path]:
    """Write ``document`` to ``out_dir/stem<suffix>`` in each of ``formats``.

    Args:
        document: the result to write.
        out_dir: output folder (created when missing).
        stem: file name without suffix, e.g. the input file's stem.
        formats: names from :data:`FORMATS`, e.g. ``["txt", "pdf"]``.
        **opts: per-format options keyed by format name, e.g. ``pdf={"images": pages}``.

    Returns:
        The written paths, in the order of ``formats``.

    Raises:
        ValueError: an unknown format name or option key.
        ExportError: the folder or a file cannot be written.
    """
    names = list(dict.fromkeys(formats))
    unknown = [name for name in [*names, *opts] if name not in FORMATS]
    if unknown:
        raise ValueError(f"unknown export format(s) {', '.join(map(repr, unknown))}; choose from {', '.join(FORMATS)}")
    folder = Path(out_dir)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportError(folder, exc.strerror or str(exc)) from exc
    written = []
    for name in names:
        target = folder / f"{stem}{FORMATS[name].suffix}"
        if target.parent != folder:  # a name in a sub-folder mirroring the inputs' folders
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise ExportError(target.parent, exc.strerror or str(exc)) from exc
        FORMATS[name](document, target, **dict(opts.get(name, {})))
        written.append(target)
    return written

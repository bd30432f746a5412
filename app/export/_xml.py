"""Helpers shared by the XML exporters (hOCR, ALTO)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from app.document import BBox

#: Characters XML 1.0 forbids (C0 controls other than tab/newline/CR, surrogates, U+FFFE/U+FFFF).
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'


def xml_text(text: str) -> str:
    """``text`` with characters that XML cannot hold replaced by U+FFFD (ElementTree escapes the rest)."""
    return _XML_ILLEGAL.sub("\ufffd", text)


def bbox_text(box: BBox) -> str:
    """An hOCR ``bbox`` value: ``x0 y0 x1 y1``."""
    return " ".join(str(int(v)) for v in box)


def confidence_text(value: float, digits: int = 3) -> str:
    """A confidence clamped to 0..1, without trailing zeros."""
    clamped = min(max(float(value), 0.0), 1.0)
    return f"{clamped:.{digits}f}".rstrip("0").rstrip(".") or "0"


def serialize(root: ET.Element, prologue: str = "") -> bytes:
    """UTF-8 bytes of a document: the XML declaration, ``prologue`` (e.g. a DOCTYPE) and ``root``."""
    return (XML_DECLARATION + prologue + ET.tostring(root, encoding="unicode") + "\n").encode("utf-8")

"""Readers that take a PDF apart the way a person checking a notice would. (The demo ledger
fixtures, ``demo_path`` and ``demo``, are in tests/conftest.py.)"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from pypdf import PdfReader


def _reader(pdf: bytes | Path) -> PdfReader:
    return PdfReader(io.BytesIO(pdf) if isinstance(pdf, bytes) else str(pdf))


def pdf_text(pdf: bytes | Path) -> str:
    """All the text of a PDF, pages joined, each line as extracted."""
    return "\n".join(page.extract_text() or "" for page in _reader(pdf).pages)


def pdf_page_count(pdf: bytes | Path) -> int:
    return len(_reader(pdf).pages)


def pdf_fonts(pdf: bytes | Path) -> dict[str, bool]:
    """Each font the PDF uses, by base name, and whether its glyphs are embedded (as
    ``pdffonts`` says in its "emb" column)."""
    fonts: dict[str, bool] = {}

    def visit(font: Any) -> None:
        font = font.get_object()
        name = str(font.get("/BaseFont", ""))
        descriptor = font.get("/FontDescriptor")
        for descendant in font.get("/DescendantFonts", []) or []:
            visit(descendant)
        if descriptor is not None:
            d = descriptor.get_object()
            fonts[name] = any(k in d for k in ("/FontFile", "/FontFile2", "/FontFile3"))
        elif name:
            fonts.setdefault(name, False)

    for page in _reader(pdf).pages:
        resources = page.get("/Resources")
        if resources is None:
            continue
        for font in (resources.get_object().get("/Font") or {}).values():
            visit(font)
    return fonts

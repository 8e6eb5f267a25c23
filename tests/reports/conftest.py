"""Fixtures for the notices: the demo ledger (built once per test session, only read), and
readers that take a PDF apart the way a person checking a notice would."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from ledger.db import Ledger, open_ledger
from ledger.services.demo import build_demo


@pytest.fixture(scope="session")
def demo_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    with open_ledger(path, create=True) as ledger, ledger.write() as s:
        build_demo(s)
    return path


@pytest.fixture
def demo(demo_path: Path) -> Iterator[Ledger]:
    """The demo ledger, opened for one test (tests only read it)."""
    with open_ledger(demo_path) as ledger:
        yield ledger


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

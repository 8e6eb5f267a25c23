"""The layering of DESIGN.md: ledger ← reports ← desktop, and no Qt below the desktop."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = {
    "ledger": {"reports", "desktop", "PySide6", "openpyxl", "reportlab"},
    "reports": {"desktop", "PySide6"},
}


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_arrows_point_left(package: str) -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported_roots(path) & FORBIDDEN[package])
        for path in (ROOT / package).rglob("*.py")
        if imported_roots(path) & FORBIDDEN[package]
    }
    assert offenders == {}


def test_the_cli_imports_no_qt() -> None:
    assert "PySide6" not in imported_roots(ROOT / "desktop" / "cli.py")


def test_no_float_on_money_paths() -> None:
    """Money is integer fen: no float() calls or float annotations in ledger/ or reports/."""
    hits = []
    for package in ("ledger", "reports"):
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "float":
                    hits.append(f"{path.name}:{node.lineno}")
                if (
                    isinstance(node, ast.Name)
                    and node.id == "float"
                    and isinstance(getattr(node, "ctx", None), ast.Load)
                ):
                    hits.append(f"{path.name}:{node.lineno}")
    # ledger/db.py and quickread.py take the busy timeout in seconds as a float; reports/pdf.py
    # measures the page in points (reportlab's floats) — amounts reach it only as text.
    assert [h for h in hits if not h.startswith(("db.py", "quickread.py", "pdf.py"))] == []


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def test_the_app_imports_nothing_from_the_command_line() -> None:
    """The app and the command line share the operations in ``ledger``; neither borrows from
    the other (a helper of the command line the app needs belongs in ``ledger``)."""
    offenders = {
        str(path.relative_to(ROOT)): sorted(
            m for m in imported_modules(path) if m == "desktop.cli" or m.startswith("desktop.cli")
        )
        for path in (ROOT / "desktop" / "app").rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}

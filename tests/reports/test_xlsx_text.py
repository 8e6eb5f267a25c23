"""Stored text that looks like a formula (a donor named ``=HYPERLINK(…)``, a memo ``-1+2``) is
written to a workbook as text, never as a formula; the totals we write on purpose stay formulas."""

from __future__ import annotations

import datetime as dt
import io
import shutil
from pathlib import Path

from openpyxl import load_workbook
from sqlmodel import col, select

from ledger.db import open_ledger
from ledger.domain import BookKind
from ledger.models import AppUser, Book
from ledger.services.counterparties import add_counterparty
from ledger.services.entries import PostingLine, post_entry
from ledger.services.microfund import record_donation
from reports.notices.books import build_journal
from reports.notices.common import ReportOptions, parse_report_period
from reports.notices.microfund import build_income_expenditure
from reports.xlsx import render_xlsx

DONOR = '=HYPERLINK("http://example.invalid/x","click")'
MEMOS = ("-1+2", "+1+1", "@SUM(A1:A2)", "=1+1")


def _cells(xlsx: bytes) -> list[tuple[str, object, str]]:
    wb = load_workbook(io.BytesIO(xlsx))
    return [
        (ws.title, cell.value, cell.data_type)
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for cell in row
        if cell.value is not None
    ]


def test_text_that_looks_like_a_formula_is_written_as_text(demo_path: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.sqlite"
    shutil.copy(demo_path, copy)
    december = parse_report_period("2024-12")
    with open_ledger(copy) as ledger:
        with ledger.write() as s:
            book = s.exec(select(Book).where(col(Book.kind) == BookKind.MICRO_FUND.value)).first()
            assert book is not None
            book_id = book.id or 0
            admin = s.exec(select(AppUser).where(col(AppUser.username) == "admin")).one()
            treasurer = s.exec(select(AppUser).where(col(AppUser.username) == "li.kuaiji")).one()
            donor = add_counterparty(s, kind="organisation", name=DONOR, actor=admin)
            record_donation(
                s,
                book_id=book_id,
                date=dt.date(2024, 12, 3),
                donor_id=donor.id or 0,
                source="merchant",
                amount_fen=12_300,
                actor=treasurer,
            )
            for memo in MEMOS:
                post_entry(
                    s,
                    book_id=book_id,
                    date=dt.date(2024, 12, 4),
                    memo=memo,
                    lines=[PostingLine("1001", 100), PostingLine("1002", -100)],
                    actor=treasurer,
                )
        with ledger.read() as s:
            book = s.get(Book, book_id)
            assert book is not None
            notices = [
                build_income_expenditure(s, book, december, ReportOptions()),
                build_journal(s, book, december, ReportOptions()),
            ]
    cells = []
    for notice in notices:
        out = io.BytesIO()
        render_xlsx(notice, out)
        cells += _cells(out.getvalue())
    texts = {value: data_type for _sheet, value, data_type in cells if isinstance(value, str)}
    assert texts[DONOR] == "s"
    for memo in MEMOS:
        assert texts[memo] == "s", memo
    # Nothing but the totals we write is a formula.
    formulas = [v for _sheet, v, t in cells if t == "f"]
    assert formulas
    assert all(isinstance(v, str) and v.startswith("=SUM(") for v in formulas), formulas

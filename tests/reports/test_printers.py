"""The PDF and Excel printers, on the journal and the trial balance of the demo ledger: what
a resident reads on the board (header, page x of y, Chinese text in an embedded font, the
digest) and what an auditor opens in Excel (live totals that equal the notice, formats, frozen
headers, filters, print setup)."""

from __future__ import annotations

import io
import re
from decimal import Decimal
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import func
from sqlmodel import col, select

from ledger import i18n
from ledger.db import Ledger
from ledger.models import Book, Entry, Posting
from ledger.services.audit import record_anchor
from reports.format import amount_text
from reports.notices.books import build_journal, build_trial_balance
from reports.notices.common import ReportOptions, parse_report_period
from reports.pdf import render_pdf
from reports.xlsx import MONEY_FORMAT, render_xlsx
from tests.reports.conftest import pdf_fonts, pdf_page_count, pdf_text

NOVEMBER = parse_report_period("2024-11")


def _exact(value: object) -> Decimal:
    return Decimal(0) if value is None else Decimal(str(value))


def _journal_pdf(demo: Ledger, book_id: int = 2) -> bytes:
    out = io.BytesIO()
    with demo.read() as s:
        book = s.get(Book, book_id)
        assert book is not None
        render_pdf(build_journal(s, book, NOVEMBER, ReportOptions()), out)
    return out.getvalue()


def _sums(demo: Ledger, book_id: int = 2) -> tuple[int, int, int]:
    """Debits, credits and number of postings of the book in November, straight from SQL."""
    with demo.read() as s:
        in_month = (
            col(Posting.book_id) == book_id,
            col(Posting.date) >= NOVEMBER.start,
            col(Posting.date) <= NOVEMBER.end,
        )
        debit = s.exec(
            select(func.sum(Posting.amount_fen)).where(*in_month, col(Posting.amount_fen) > 0)
        ).one()
        credit = s.exec(
            select(func.sum(Posting.amount_fen)).where(*in_month, col(Posting.amount_fen) < 0)
        ).one()
        count = s.exec(select(func.count()).select_from(Posting).where(*in_month)).one()
    return int(debit or 0), -int(credit or 0), int(count)


def test_the_journal_pdf_has_every_page_numbered_and_its_totals(demo: Ledger) -> None:
    i18n.set_language("zh")
    pdf = _journal_pdf(demo)
    pages = pdf_page_count(pdf)
    assert pages > 2
    text = pdf_text(pdf)
    # (The total is a form drawn once at the end; text extraction puts it on its own line.)
    spaced = re.sub(r"\s+", " ", text)
    for page in range(1, pages + 1):
        assert f"第 {page} 页 共 {pages} 页" in spaced
    assert "金河绿洲小区信托制物业" in text and "双流区九江街道" in text
    debit, credit, _count = _sums(demo)
    assert debit == credit
    # The total row prints both totals in the table's own format.
    assert text.count(amount_text(debit)) >= 2


def test_the_cjk_font_is_embedded_and_no_other_font_draws_text(demo: Ledger) -> None:
    i18n.set_language("zh")
    fonts = pdf_fonts(_journal_pdf(demo))
    assert fonts and all("WenQuanYi" in name for name in fonts)
    assert all(fonts.values())  # every font embedded: no Helvetica the reader must supply


def test_the_notice_ends_with_the_records_digest_naming_the_last_entry_it_covers(
    demo: Ledger,
) -> None:
    """The digest is the ledger's record at printing (the newest audit event's hash), which
    commits to every entry and operation before it; the last entry the notice covers is named
    beside it."""
    i18n.set_language("en")
    text = pdf_text(_journal_pdf(demo))
    with demo.read() as s:
        last = s.exec(
            select(Entry)
            .where(col(Entry.book_id) == 2, col(Entry.date) <= NOVEMBER.end)
            .order_by(col(Entry.chain_index).desc())
        ).first()
        assert last is not None
        number, last_hash = f"记-{last.year}-{last.seq:04d}", last.hash
        anchor = record_anchor(s)
        assert anchor is not None
        later = s.exec(
            select(func.count())
            .select_from(Entry)
            .where(col(Entry.book_id) == 2, col(Entry.date) > NOVEMBER.end)
        ).one()
    assert later > 0  # December exists, so the last entry covered is not the book's head
    flat = re.sub(r"\s+", "", text)
    assert anchor[1] in flat and last_hash not in flat
    assert f"through operation {anchor[0]}" in re.sub(r"\s+", " ", text)
    assert number in text
    assert "Page 1 of" in text and "Generated on" in text


def test_the_journal_workbook_totals_are_live_formulas_equal_to_the_ledger(
    demo: Ledger,
) -> None:
    i18n.set_language("zh")
    out = io.BytesIO()
    with demo.read() as s:
        book = s.get(Book, 2)
        assert book is not None
        render_xlsx(build_journal(s, book, NOVEMBER, ReportOptions()), out)
    wb = load_workbook(io.BytesIO(out.getvalue()))
    assert len(wb.sheetnames) == 2
    summary, sheet = wb[wb.sheetnames[0]], wb[wb.sheetnames[1]]
    assert summary["A1"].value.startswith("Journal") or "明细账" in summary["A1"].value
    header = [c.value for c in sheet[4]]
    assert len(header) == 6
    debit, credit, count = _sums(demo)
    data = list(sheet.iter_rows(min_row=5, max_row=4 + count))
    total_row = sheet[5 + count]
    assert total_row[4].value == f"=SUM(E5:E{4 + count})"
    assert total_row[5].value == f"=SUM(F5:F{4 + count})"
    # What the formulas add up is exactly the ledger's debits and credits, in exact decimals.
    # (openpyxl reads the cells back as floats; their shortest text is the exact decimal.)
    assert sum(_exact(r[4].value) for r in data) == Decimal(debit).scaleb(-2)
    assert sum(_exact(r[5].value) for r in data) == Decimal(credit).scaleb(-2)
    assert all(r[4].number_format == MONEY_FORMAT for r in data if r[4].value is not None)
    assert data[0][0].is_date
    assert sheet.freeze_panes == "A5"
    assert sheet.auto_filter.ref == f"A4:F{4 + count}"
    assert sheet.print_title_rows == "$4:$4"
    assert int(sheet.page_setup.paperSize) == 9  # A4


def test_the_trial_balance_balances_in_both_printers(demo: Ledger, tmp_path: Path) -> None:
    i18n.set_language("en")
    with demo.read() as s:
        book = s.get(Book, 1)
        assert book is not None
        render_pdf(build_trial_balance(s, book, NOVEMBER, ReportOptions()), tmp_path / "tb.pdf")
        render_xlsx(build_trial_balance(s, book, NOVEMBER, ReportOptions()), tmp_path / "tb.xlsx")
    text = pdf_text(tmp_path / "tb.pdf")
    assert "Trial balance at 2024-11-30" in text
    wb = load_workbook(tmp_path / "tb.xlsx")
    summary = wb[wb.sheetnames[0]]
    figures = {r[0].value: r[1].value for r in summary.iter_rows() if r[1].value is not None}
    assert figures["Difference"] == 0
    assert figures["Debit balances"] == figures["Credit balances"] > 0
    assert amount_text(int(figures["Debit balances"] * 100)) in text


def test_english_and_chinese_notices_differ_only_in_language(demo: Ledger) -> None:
    i18n.set_language("en")
    english = pdf_text(_journal_pdf(demo, 1))
    i18n.set_language("zh")
    chinese = pdf_text(_journal_pdf(demo, 1))
    assert "Page 1 of" in english and "第 1 页" in chinese
    assert "Debit" in english and "借方" in chinese
    numbers = re.compile(r"\d[\d,]*\.\d\d")
    assert numbers.findall(english) == numbers.findall(chinese)

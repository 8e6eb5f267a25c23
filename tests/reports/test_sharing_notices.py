"""The revenue-sharing notice of the demo village (book 3), checked against the ledger: the
profit, the investor's share for the contract year, the 3:3:3:1 parts of the Distribution row,
the per-household statement, the workbook's live totals, and that heads' names never appear."""

from __future__ import annotations

import io
import shutil
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from sqlmodel import Session, col, select

from ledger import i18n
from ledger.db import Ledger, open_ledger
from ledger.models import Book, Distribution, DistributionShare, Household
from ledger.services.households import book_households
from ledger.services.sharing import period_profit
from reports.notice import Cell, Chart, KeyFigures, Notice, Paragraph, Table
from reports.notices.common import ReportOptions, parse_report_period
from reports.notices.sharing import build_revenue_sharing
from reports.pdf import render_pdf
from reports.xlsx import render_xlsx, sheet_names
from tests.reports.conftest import pdf_fonts, pdf_text

VILLAGE = 3


def _build(session: Session, period: str) -> Notice:
    book = session.get(Book, VILLAGE)
    assert book is not None
    return build_revenue_sharing(session, book, parse_report_period(period), ReportOptions())


def _pdf(notice: Notice) -> bytes:
    out = io.BytesIO()
    render_pdf(notice, out)
    return out.getvalue()


def _xlsx(notice: Notice) -> bytes:
    out = io.BytesIO()
    render_xlsx(notice, out)
    return out.getvalue()


def _figures(notice: Notice) -> dict[str, Cell]:
    return {
        label: value
        for section in notice.sections
        if isinstance(section, KeyFigures)
        for label, value, _kind in section.items
    }


def _table(notice: Notice, title_start: str) -> tuple[Table, list[Sequence[Cell]]]:
    for table in notice.tables():
        if table.title.startswith(title_start):
            return table, list(table.rows)
    raise AssertionError(f"no table {title_start!r}")


def _paragraphs(notice: Notice) -> str:
    return "\n".join(s.text for s in notice.sections if isinstance(s, Paragraph))


def _n(value: Cell) -> int:
    """A table cell that holds fen or a count (empty cells count 0)."""
    assert value is None or (isinstance(value, int) and not isinstance(value, bool)), value
    return value or 0


def _fen(value: object) -> int:
    return int(Decimal(str(value)) * 100)


def _check_sums(ws: Worksheet, rows: int, expected: dict[str, int]) -> None:
    """=SUM over exactly the ``rows`` data rows (5 … 4 + rows), adding up to ``expected``."""
    first, last = 5, 4 + rows
    assert ws.cell(row=first - 1, column=1).value  # header
    assert ws.cell(row=last, column=1).value not in (None, "")
    for letter, want in expected.items():
        formula = ws[f"{letter}{last + 1}"].value
        assert formula == f"=SUM({letter}{first}:{letter}{last})", (letter, formula)
        values = [ws[f"{letter}{r}"].value for r in range(first, last + 1)]
        money = ws[f"{letter}{first}"].number_format.startswith("¥")
        got = sum(_fen(v) for v in values) if money else sum(int(v) for v in values)
        assert got == want, (letter, got, want)


def _distribution(session: Session) -> Distribution:
    return session.exec(
        select(Distribution).where(
            col(Distribution.book_id) == VILLAGE, col(Distribution.period) == "2024"
        )
    ).one()


def test_distribution_notice_matches_the_ledger(demo: Ledger) -> None:
    with demo.read() as s:
        row = _distribution(s)
        notice = _build(s, "2024")
        figures = _figures(notice)
        profit = period_profit(s, book_id=VILLAGE, period="2024")
        assert figures["Profit (income − expenses)"] == profit == row.profit_fen
        assert figures["Profit distributed"] == row.profit_fen
        assert figures["Investor's share"] == Fraction(row.investor_bp, 10_000) == Fraction(63, 100)
        assert figures["Investor's amount"] == row.investor_fen
        remainder = row.profit_fen - row.investor_fen
        assert figures["The collective's remainder"] == remainder
        assert figures["Investor's contract year"] == "year 3 of 20 (contract since 2022-01-01)"
        assert "63% × " in _paragraphs(notice)

        # 3:3:3:1: the parts of the Distribution row, adding up to the remainder.
        split, split_rows = _table(notice, "Split of the collective's")
        parts = [row.shareholders_fen, row.welfare_fen, row.reserve_fen, row.per_capita_fen]
        assert [r[1] for r in split_rows] == [3, 3, 3, 1]
        assert [r[3] for r in split_rows] == parts
        assert sum(parts) == remainder
        assert split.total_label == "Total (the collective's remainder)"
        pie = next(c for c in notice.sections if isinstance(c, Chart))
        assert sum(pie.series[0][1]) == row.profit_fen

        # Per household: every household of the distribution, dividends + per-capita parts.
        shares = s.exec(
            select(DistributionShare).where(col(DistributionShare.distribution_id) == row.id)
        ).all()
        _households, household_rows = _table(notice, "What each household receives")
        assert len(household_rows) == len(shares) == 40
        assert sum(_n(r[3]) for r in household_rows) == row.shareholders_fen
        assert sum(_n(r[4]) for r in household_rows) == row.per_capita_fen
        assert sum(_n(r[5]) for r in household_rows) == (row.shareholders_fen + row.per_capita_fen)
        for r in household_rows:
            assert r[5] == _n(r[3]) + _n(r[4])
        labels = {h.label for h in book_households(s, book_id=VILLAGE)}
        assert {r[0] for r in household_rows} <= labels

        pdf = _pdf(_build(s, "2024"))
        text = pdf_text(pdf)
        assert "全兴村一组01户" in text
        assert "记-2024-0074" in text
        assert any("WenQuanYi" in n and embedded for n, embedded in pdf_fonts(pdf).items())

        book = _build(s, "2024")
        wb = load_workbook(io.BytesIO(_xlsx(book)))
        assert sheet_names(book)[1:] == ["Split 2024", "Households 2024"]
        _check_sums(wb["Split 2024"], 4, {"B": 10, "D": remainder})
        _check_sums(
            wb["Households 2024"],
            40,
            {
                "B": sum(sh.shares for sh in shares),
                "C": sum(sh.members for sh in shares),
                "D": row.shareholders_fen,
                "E": row.per_capita_fen,
                "F": row.shareholders_fen + row.per_capita_fen,
            },
        )
        assert wb["Households 2024"].auto_filter.ref == "A4:F44"


def test_heads_names_never_appear(demo_path: Path, tmp_path: Path) -> None:
    """Household heads' names are private: give every village household one, print, and look."""
    copy = tmp_path / "names.sqlite"
    shutil.copy(demo_path, copy)
    with open_ledger(copy) as ledger:
        with ledger.write() as s:
            names = []
            for n, household in enumerate(book_households(s, book_id=VILLAGE)):
                household.head_name = "欧阳" + "德明秀英建国桂兰志强淑芬"[n % 12] + f"{n:02d}号"
                names.append(household.head_name)
                s.add(household)
        with ledger.read() as s:
            assert s.exec(select(Household).where(col(Household.head_name) != "")).first()
            pdf = _pdf(_build(s, "2024"))
            workbook = load_workbook(io.BytesIO(_xlsx(_build(s, "2024"))))
    text = pdf_text(pdf)
    cells = [
        str(c) for ws in workbook.worksheets for r in ws.iter_rows(values_only=True) for c in r
    ]
    assert len(names) == 40
    assert not [n for n in names if n in text]
    assert not [n for n in names if any(n in c for c in cells)]
    assert "欧阳" not in text


def test_no_distribution_yet(demo: Ledger) -> None:
    """November has no distribution: the notice says so, shows the profit so far, no tables."""
    with demo.read() as s:
        notice = _build(s, "2024-11")
        profit = period_profit(s, book_id=VILLAGE, period="2024-11")
        pdf = _pdf(_build(s, "2024-11"))
    assert _figures(notice)["Profit (income − expenses)"] == profit
    assert profit > 0
    assert "No profit has been distributed in 2024-11 yet" in _paragraphs(notice)
    assert not list(notice.tables())
    assert "No profit has been distributed" in pdf_text(pdf)


def test_chinese_notice(demo: Ledger) -> None:
    i18n.set_language("zh")
    with demo.read() as s:
        notice = _build(s, "2024")
        pdf = _pdf(_build(s, "2024"))
    text = pdf_text(pdf)
    assert "全兴村集体经济收益分配" in notice.title
    assert notice.title in text
    assert "股东（按股分红）" in text  # the 3:3:3:1 parts, in Chinese
    assert "合计" in text
    assert "¥" in text and "CN¥" not in text
    assert any("WenQuanYi" in n and embedded for n, embedded in pdf_fonts(pdf).items())

"""The trust-property notice of the demo estate (book 2), checked against the ledger: fees and
collection rate from the property service, the remuneration row and its formula, the gift,
budget execution, common-part income, arrears by building without names, and the workbook's
live totals."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from sqlmodel import Session, col, func, select

from ledger import i18n
from ledger.db import Ledger
from ledger.models import (
    Account,
    AppUser,
    Book,
    FeeBill,
    Posting,
    PropertyUnit,
    Remuneration,
    Transfer,
    Vote,
)
from ledger.money import format_fen
from ledger.rules.property import remuneration
from ledger.rules.sharing import format_bp
from ledger.services.property import arrears, budget_execution, collection_rate
from reports.notice import Cell, Chart, KeyFigures, Notice, Paragraph, Table
from reports.notices.common import ReportOptions, parse_report_period
from reports.notices.property import build_property_monthly
from reports.pdf import render_pdf
from reports.xlsx import render_xlsx, sheet_names
from tests.reports.conftest import pdf_fonts, pdf_text

TRUST = 2


def _build(session: Session, period: str, options: ReportOptions | None = None) -> Notice:
    book = session.get(Book, TRUST)
    assert book is not None
    return build_property_monthly(
        session, book, parse_report_period(period), options or ReportOptions()
    )


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
    """A workbook amount (yuan) back in fen, exactly."""
    return int(Decimal(str(value)) * 100)


def _check_sums(ws: Worksheet, rows: int, expected: dict[str, int]) -> None:
    """The total row right under the ``rows`` data rows holds =SUM over exactly those rows, and
    the cells it sums add up to the expected fen (money) or count."""
    first, last = 5, 4 + rows
    total_row = last + 1
    assert ws.cell(row=4, column=1).value  # the header row
    assert ws.cell(row=first, column=1).value not in (None, "")
    assert ws.cell(row=last, column=1).value not in (None, "")
    for letter, want in expected.items():
        formula = ws[f"{letter}{total_row}"].value
        assert formula == f"=SUM({letter}{first}:{letter}{last})", (letter, formula)
        values = [ws[f"{letter}{r}"].value for r in range(first, last + 1)]
        money = ws[f"{letter}{first}"].number_format.startswith("¥")
        got = sum(_fen(v) for v in values) if money else sum(int(v) for v in values)
        assert got == want, (letter, got, want)


def _owner_names(session: Session) -> set[str]:
    return {
        n
        for n in session.exec(
            select(PropertyUnit.owner_name).where(col(PropertyUnit.book_id) == TRUST)
        )
        if n
    }


def _bank_and_cash(session: Session, at: dt.date) -> int:
    total = session.exec(
        select(func.sum(col(Posting.amount_fen)))
        .join(Account, col(Account.id) == col(Posting.account_id))
        .where(
            col(Posting.book_id) == TRUST,
            col(Posting.date) <= at,
            (col(Account.code) == "1001")
            | (col(Account.code).startswith("1002") & (col(Account.code) != "100202")),
        )
    ).one()
    return int(total or 0)


def test_monthly_notice_matches_the_ledger(demo: Ledger) -> None:
    end = dt.date(2024, 11, 30)
    with demo.read() as s:
        notice = _build(s, "2024-11")
        figures = _figures(notice)
        rate = collection_rate(s, book_id=TRUST, period="2024-11", at=end)
        assert figures["Property fees billed for the period"] == rate.billed_fen == 2_703_166
        assert figures["Collected against these bills by 2024-11-30"] == rate.collected_fen
        assert figures["Collection rate"] == rate.fraction
        assert isinstance(figures["Collection rate"], Fraction)

        rem = s.exec(
            select(Remuneration).where(
                col(Remuneration.book_id) == TRUST, col(Remuneration.period) == "2024-11"
            )
        ).one()
        assert rem.amount_fen == remuneration(rem.rate_bp, rem.basis_fen)
        assert figures["The company's remuneration"] == rem.amount_fen
        formula = (
            f"{format_bp(rem.rate_bp)} × {format_fen(rem.basis_fen)} = {format_fen(rem.amount_fen)}"
        )
        assert figures["Remuneration: rate × basis"] == formula
        assert formula in _paragraphs(notice)
        assert "15% of the property fees collected in 2024-11" in _paragraphs(notice)

        gift = s.exec(
            select(Transfer).where(
                col(Transfer.from_book_id) == TRUST, col(Transfer.period) == "2024-11"
            )
        ).one()
        assert figures["Gift from the remuneration to “碧鸡桥社区微基金”"] == gift.amount_fen
        assert "30.00%" in _paragraphs(notice)

        assert figures["Owners' common funds in bank and cash at 2024-11-30"] == (
            _bank_and_cash(s, end)
        )
        owing = arrears(s, book_id=TRUST, at=end)
        assert figures["Fees in arrears at 2024-11-30"] == sum(a.owed_fen for a in owing)

        parking = s.exec(
            select(func.sum(col(Posting.amount_fen)))
            .join(Account, col(Account.id) == col(Posting.account_id))
            .where(
                col(Posting.book_id) == TRUST,
                col(Account.code).startswith("4201"),
                col(Posting.date) >= dt.date(2024, 11, 1),
                col(Posting.date) <= end,
            )
        ).one()
        assert figures["Common-part income (parking, advertising …)"] == -int(parking or 0)

        # Budget execution: the budget service's figures for the year, up to the period's end.
        execution = budget_execution(s, book_id=TRUST, year=2024, at=end)
        _budget, budget_rows = _table(notice, "Open budget 2024")
        assert len(budget_rows) == len(execution.lines) == 12
        assert sum(_n(r[1]) for r in budget_rows) == execution.budget_fen == 33_480_000
        assert sum(_n(r[2]) for r in budget_rows) == execution.actual_fen
        assert sum(_n(r[4]) for r in budget_rows) == execution.remaining_fen
        for row, line in zip(budget_rows, execution.lines, strict=True):
            assert row[3] == Fraction(line.actual_fen, line.budget_fen)
        chart = next(c for c in notice.sections if isinstance(c, Chart))
        assert chart.kind == "bar"
        assert [name for name, _values in chart.series] == ["Budget", "Actual"]
        assert chart.series[0][1] == tuple(line.budget_fen for line in execution.lines)
        assert chart.series[1][1] == tuple(line.actual_fen for line in execution.lines)
        approver = s.exec(select(AppUser).where(col(AppUser.username) == "zhao.weiyuan")).one()
        approval = _paragraphs(notice)
        assert "The 2024 open budget was approved by 赵*员 (Committee member)" in approval
        assert approver.display_name not in approval

        # Arrears by building: add up to the service's total arrears, per unit.
        _arrears, building_rows = _table(notice, "Arrears by building")
        assert [r[0] for r in building_rows] == [f"Building {b}" for b in "12345"]
        assert sum(_n(r[3]) for r in building_rows) == sum(a.owed_fen for a in owing)
        assert sum(_n(r[2]) for r in building_rows) == len(owing)

        pdf = _pdf(_build(s, "2024-11"))
        text = pdf_text(pdf)
        assert formula in text
        assert "记-2024-1285" in text  # the remuneration's voucher
        names = _owner_names(s)
        assert len(names) > 100
        assert not [n for n in names if n in text]
        assert not re.search(r"\b\d-\d-\d0\d\b", text)  # no unit labels either
        fonts = pdf_fonts(pdf)
        assert any("WenQuanYi" in name and embedded for name, embedded in fonts.items())

        book = _build(s, "2024-11")
        wb = load_workbook(io.BytesIO(_xlsx(book)))
        sheets = sheet_names(book)
        assert sheets[1:] == ["Budget execution", "Common-part income", "Arrears by building"]
        _check_sums(
            wb["Budget execution"],
            12,
            {
                "B": execution.budget_fen,
                "C": execution.actual_fen,
                "E": execution.remaining_fen,
            },
        )
        _check_sums(
            wb["Arrears by building"],
            5,
            {"B": 120, "C": len(owing), "D": sum(a.owed_fen for a in owing)},
        )
        _check_sums(wb["Common-part income"], 2, {"B": -int(parking or 0)})
        cells = [str(c) for ws in wb.worksheets for r in ws.iter_rows(values_only=True) for c in r]
        assert not [n for n in names if any(n in c for c in cells)]


def test_year_notice_covers_every_month(demo: Ledger) -> None:
    end = dt.date(2024, 12, 31)
    with demo.read() as s:
        notice = _build(s, "2024")
        figures = _figures(notice)
        billed = s.exec(
            select(func.sum(col(FeeBill.amount_fen))).where(
                col(FeeBill.book_id) == TRUST, col(FeeBill.period).startswith("2024-")
            )
        ).one()
        rates = [
            collection_rate(s, book_id=TRUST, period=f"2024-{m:02d}", at=end) for m in range(1, 13)
        ]
        collected = sum(r.collected_fen for r in rates)
        assert (
            figures["Property fees billed for the period"]
            == billed
            == sum(r.billed_fen for r in rates)
        )
        assert figures["Collection rate"] == Fraction(collected, int(billed or 0))
        rems = s.exec(select(Remuneration).where(col(Remuneration.book_id) == TRUST)).all()
        assert len(rems) == 12
        assert figures["The company's remuneration"] == sum(r.amount_fen for r in rems)
        gifts = s.exec(select(Transfer).where(col(Transfer.from_book_id) == TRUST)).all()
        assert figures["Gift from the remuneration to “碧鸡桥社区微基金”"] == sum(
            t.amount_fen for t in gifts
        )
        _months, month_rows = _table(notice, "Fees and remuneration month by month")
        assert [r[0] for r in month_rows] == [f"2024-{m:02d}" for m in range(1, 13)]
        by_period = {r.period: r for r in rems}
        for row in month_rows:
            rem = by_period[str(row[0])]
            assert row[4] == (
                f"{format_bp(rem.rate_bp)} × {format_fen(rem.basis_fen)} = "
                f"{format_fen(rem.amount_fen)}"
            )
            assert row[5] == rem.amount_fen
        execution = budget_execution(s, book_id=TRUST, year=2024, at=end)

        book = _build(s, "2024")
        wb = load_workbook(io.BytesIO(_xlsx(book)))
        _check_sums(
            wb["Months"],
            12,
            {
                "B": int(billed or 0),
                "C": collected,
                "F": sum(r.amount_fen for r in rems),
                "G": sum(t.amount_fen for t in gifts),
            },
        )
        _check_sums(
            wb["Budget execution"],
            12,
            {"B": execution.budget_fen, "C": execution.actual_fen, "E": execution.remaining_fen},
        )
        owing = arrears(s, book_id=TRUST, at=end)
        _check_sums(
            wb["Arrears by building"],
            5,
            {"B": 120, "C": len(owing), "D": sum(a.owed_fen for a in owing)},
        )


def test_budget_approved_by_the_owners_vote(demo: Ledger) -> None:
    """The 2025 budget was approved by the owners' meeting (vote 1): the notice says which."""
    with demo.read() as s:
        vote = s.get(Vote, 1)
        assert vote is not None
        notice = _build(s, "2025-01")
        text = _paragraphs(notice)
        assert f"vote {vote.id} “{vote.title}”" in text
        assert "No remuneration has been posted for 2025-01 yet" in text
        assert _figures(notice)["Collection rate"] == "—"
        execution = budget_execution(s, book_id=TRUST, year=2025, at=dt.date(2025, 1, 31))
        _budget, rows = _table(notice, "Open budget 2025")
        assert sum(_n(r[1]) for r in rows) == execution.budget_fen


def test_chinese_notice(demo: Ledger) -> None:
    i18n.set_language("zh")
    with demo.read() as s:
        notice = _build(s, "2024-11")
        pdf = _pdf(_build(s, "2024-11"))
        rem = s.exec(
            select(Remuneration).where(
                col(Remuneration.book_id) == TRUST, col(Remuneration.period) == "2024-11"
            )
        ).one()
        formula = (
            f"{format_bp(rem.rate_bp)} × {format_fen(rem.basis_fen)} = {format_fen(rem.amount_fen)}"
        )
    text = pdf_text(pdf)
    assert "金河绿洲小区信托制物业" in notice.title
    assert notice.title in text
    assert "2024年11月" in text or "2024-11" in text
    assert "楼栋" in text and "合计" in text  # column headers in Chinese
    assert formula == "15% × ¥23,522.95 = ¥3,528.44"
    assert formula in text
    fonts = pdf_fonts(pdf)
    assert any("WenQuanYi" in name and embedded for name, embedded in fonts.items())

"""The micro-fund's income and expenditure notice and its donation receipt, built from the demo
ledger (book 碧鸡桥社区微基金) and checked against the ledger as a committee member would: the
balances add up, every table reconciles with the others, the workbook's totals sum exactly the
data rows, individual donors are masked and families helped are never named."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlmodel import Session, col, select

from ledger.charts import DONATION_INCOME_BY_SOURCE, MICRO_FUND_EXPENSE_BY_CATEGORY
from ledger.db import Ledger, open_ledger
from ledger.domain import BookKind
from ledger.errors import InvalidInputError, NotFoundError
from ledger.i18n import _, set_language
from ledger.models import AppUser, Book, Counterparty, DonationReceipt, Expense
from ledger.money import to_capital
from ledger.rules.microfund import receipt_number
from ledger.rules.privacy import mask_name
from ledger.services.balances import trial_balance
from ledger.services.entries import PostingLine, find_entry, post_entry, reverse_entry
from ledger.services.microfund import list_activities, restricted_balances
from reports.format import yuan
from reports.notice import Chart, KeyFigures, Notice, Table
from reports.notices.common import Period, ReportOptions, parse_report_period
from reports.notices.microfund import build_income_expenditure, build_receipt
from reports.pdf import render_pdf
from reports.xlsx import HEADER_ROW, render_xlsx, sheet_names
from tests.reports.conftest import pdf_fonts, pdf_text

YEAR = parse_report_period("2024")
OCTOBER = parse_report_period("2024-10")
MONEY_CODES = ("1001", "1002", "1009")


def _fund(s: Session) -> Book:
    book = s.exec(select(Book).where(col(Book.kind) == BookKind.MICRO_FUND.value)).first()
    assert book is not None
    return book


def _table(notice: Notice, sheet: str) -> tuple[Table, list[list[object]]]:
    for table in notice.tables():
        if table.sheet == _(sheet):
            return table, [list(r) for r in table.rows]
    raise AssertionError(f"no table {sheet}")


def _figures(notice: Notice) -> dict[str, object]:
    figures = next(s for s in notice.sections if isinstance(s, KeyFigures))
    return {label: value for label, value, _kind in figures.items}


def _money_at(s: Session, book: Book, at: dt.date) -> int:
    balance = trial_balance(s, book_id=book.id or 0, at=at)
    return sum(a.balance_fen for a in balance.accounts if a.code in MONEY_CODES)


def _movement(s: Session, book: Book, period: Period, codes: set[str]) -> dict[str, int]:
    """Each account's movement on its normal side in the period, from the trial balances."""
    end = {a.code: a for a in trial_balance(s, book_id=book.id or 0, at=period.end).accounts}
    start = {
        a.code: a
        for a in trial_balance(
            s, book_id=book.id or 0, at=period.start - dt.timedelta(days=1)
        ).accounts
    }
    return {c: end[c].normal_balance_fen - start[c].normal_balance_fen for c in codes}


def _total(rows: Sequence[Sequence[object]], index: int) -> int:
    return sum(v for r in rows if isinstance(v := r[index], int))


def _pdf(notice: Notice) -> bytes:
    out = io.BytesIO()
    render_pdf(notice, out)
    return out.getvalue()


def _xlsx_totals(notice: Notice) -> dict[str, dict[int, tuple[str, Decimal]]]:
    """Per sheet: each total formula by column, and the sum of the cells it covers."""
    out = io.BytesIO()
    render_xlsx(notice, out)
    wb = load_workbook(io.BytesIO(out.getvalue()))
    found: dict[str, dict[int, tuple[str, Decimal]]] = {}
    for name in sheet_names(notice)[1:]:
        ws = wb[name]
        last = ws.max_row
        while not any(isinstance(c.value, str) and c.value.startswith("=SUM") for c in ws[last]):
            last -= 1
            assert last > HEADER_ROW, f"no total row on {name}"
        sums = {}
        for cell in ws[last]:
            if not (isinstance(cell.value, str) and cell.value.startswith("=SUM")):
                continue
            match = re.fullmatch(r"=SUM\(([A-Z]+)(\d+):([A-Z]+)(\d+)\)", cell.value)
            assert match is not None, cell.value
            first, final = int(match[2]), int(match[4])
            assert (first, final) == (HEADER_ROW + 1, last - 1), (name, cell.value)
            assert cell.number_format in ("¥#,##0.00", "#,##0")
            values = [ws.cell(row, cell.column).value for row in range(first, final + 1)]
            sums[cell.column - 1] = (
                cell.value,
                sum((Decimal(str(v)) for v in values if v is not None), Decimal(0)),
            )
        found[name] = sums
    return found


def test_income_expenditure_year_reconciles_with_the_ledger(demo: Ledger) -> None:
    with demo.read() as s:
        book = _fund(s)
        notice = build_income_expenditure(s, book, YEAR, ReportOptions())
        figures = _figures(notice)
        opening, income, spending, closing = (
            figures[_("Opening balance ({date})").format(date="2023-12-31")],
            figures[_("Income in the period")],
            figures[_("Spending in the period")],
            figures[_("Closing balance ({date})").format(date="2024-12-31")],
        )
        assert isinstance(opening, int)
        assert isinstance(income, int)
        assert isinstance(spending, int)
        assert isinstance(closing, int)
        # Balances are the money accounts' balances in the ledger, and the identity holds.
        assert opening == _money_at(s, book, dt.date(2023, 12, 31)) == 0
        assert closing == _money_at(s, book, dt.date(2024, 12, 31))
        assert opening + income - spending == closing

        # Income by source: the donation accounts' credits of the year, row by row.
        _t, income_rows = _table(notice, "Income by source")
        sources = _movement(s, book, YEAR, set(DONATION_INCOME_BY_SOURCE.values()))
        assert [r[2] for r in income_rows] == [
            sources[code] for code in DONATION_INCOME_BY_SOURCE.values()
        ]
        assert _total(income_rows, 2) == income == sum(sources.values())
        receipts = s.exec(
            select(DonationReceipt).where(
                col(DonationReceipt.book_id) == book.id,
                col(DonationReceipt.date) >= YEAR.start,
                col(DonationReceipt.date) <= YEAR.end,
            )
        ).all()
        assert _total(income_rows, 1) == len(receipts) == 21

        # The donor list: every receipt of the year, adding up to the income.
        _t, donors = _table(notice, "Donor list")
        assert sorted(str(r[1]) for r in donors) == sorted(
            receipt_number(r.year, r.seq) for r in receipts
        )
        assert _total(donors, 6) == sum(r.amount_fen for r in receipts) == income
        merchant = next(r for r in income_rows if r[0] == "Donations from local businesses")
        assert merchant[2] == 750_000  # 1,000 + 3,000 + 2,000 + 1,500 yuan

        # Spending by category: the programme-cost accounts' debits of the year.
        _t, category_rows = _table(notice, "Spending by category")
        costs = _movement(s, book, YEAR, set(MICRO_FUND_EXPENSE_BY_CATEGORY.values()))
        assert [r[2] for r in category_rows] == [
            costs[code] for code in MICRO_FUND_EXPENSE_BY_CATEGORY.values()
        ]
        assert _total(category_rows, 2) == spending == sum(costs.values())
        hardship = [r for r in category_rows if "names withheld" in str(r[0])]
        assert len(hardship) == 1
        assert hardship[0][2] == 50_000

        # Spending by activity + spending tied to none = spending by category.
        _t, activity_rows = _table(notice, "Spending by activity")
        untied = [r for r in activity_rows if r[0] == "Spending not tied to an activity"]
        tied = [r for r in activity_rows if r not in untied]
        assert _total(activity_rows, 3) == spending
        posted = s.exec(
            select(Expense).where(col(Expense.book_id) == book.id, col(Expense.status) == "posted")
        ).all()
        assert untied[0][3] == sum(e.amount_fen for e in posted if e.activity_id is None)
        service = {a.name: a for a in list_activities(s, book_id=book.id or 0)}
        for name, _date, budget, spent, to_date, remaining in tied:
            assert isinstance(name, str)
            assert budget == service[name].budget_fen
            assert spent == to_date == service[name].actual_fen
            assert remaining == service[name].remaining_fen
        assert next(r for r in tied if r[0] == "重阳宴")[3] == 1_030_000

        # Restricted money left at the year's end is what the service says is left.
        _t, restricted = _table(notice, "Restricted money")
        left = {r.label: r.balance_fen for r in restricted_balances(s, book_id=book.id or 0)}
        assert {str(r[0]): r[4] for r in restricted} == left
        for _label, start, received, spent_r, end in restricted:
            assert isinstance(start, int)
            assert isinstance(received, int)
            assert isinstance(spent_r, int)
            assert start + received - spent_r == end
        assert figures[_("of which restricted to named purposes")] == sum(left.values())

        # The charts show the same figures as the tables.
        pie, bar = (c for c in notice.sections if isinstance(c, Chart))
        assert pie.kind == "pie"
        assert sum(pie.series[0][1]) == income
        assert bar.kind == "bar"
        assert sum(bar.series[0][1]) == spending
        assert notice.digest is not None
        assert notice.digest.entry_date <= YEAR.end


def test_income_expenditure_month_reconciles(demo: Ledger) -> None:
    with demo.read() as s:
        book = _fund(s)
        notice = build_income_expenditure(s, book, OCTOBER, ReportOptions())
        figures = _figures(notice)
        opening = figures[_("Opening balance ({date})").format(date="2024-09-30")]
        closing = figures[_("Closing balance ({date})").format(date="2024-10-31")]
        income = figures[_("Income in the period")]
        spending = figures[_("Spending in the period")]
        assert opening == _money_at(s, book, dt.date(2024, 9, 30))
        assert closing == _money_at(s, book, dt.date(2024, 10, 31))
        assert isinstance(opening, int)
        assert isinstance(income, int)
        assert isinstance(spending, int)
        assert opening + income - spending == closing
        # October: community self-raising for the banquet and the property company's gift in,
        # the banquet's food, stage and cooks out.
        assert income == 250_000 + 105_853
        assert spending == 860_000 + 80_000 + 90_000

        _t, income_rows = _table(notice, "Income by source")
        _t, donors = _table(notice, "Donor list")
        assert _total(income_rows, 2) == _total(donors, 6) == income
        assert [r[1] for r in donors] == ["捐-2024-0009", "捐-2024-0019"]

        _t, category_rows = _table(notice, "Spending by category")
        _t, activity_rows = _table(notice, "Spending by activity")
        assert _total(category_rows, 2) == _total(activity_rows, 3) == spending
        assert [r[0] for r in activity_rows] == ["重阳宴"]  # everything went to the banquet

        _t, restricted = _table(notice, "Restricted money")
        banquet = next(r for r in restricted if r[0] == "重阳宴")
        assert banquet[1:] == [1_086_000 - 250_000, 250_000, 1_030_000, 56_000]

        # The digest is the last entry dated in October.
        assert notice.digest is not None
        assert notice.digest.entry_date == dt.date(2024, 10, 31)


def test_income_expenditure_pdf_masks_donors_and_never_names_families(demo: Ledger) -> None:
    with demo.read() as s:
        book = _fund(s)
        person = s.exec(select(Counterparty).where(col(Counterparty.is_individual))).first()
        assert person is not None  # 王淑芬, a resident who gave for hardship help
        name, contact = person.name, person.contact
        masked = mask_name(name, is_individual=True)
        private_notes = [
            e.private_note
            for e in s.exec(select(Expense).where(col(Expense.category) == "hardship")).all()
        ]
        pdf = _pdf(build_income_expenditure(s, book, YEAR, ReportOptions()))
        internal = _pdf(build_income_expenditure(s, book, YEAR, ReportOptions(show_names=True)))
    text = pdf_text(pdf)
    assert masked in text
    assert name not in text
    assert contact not in text
    assert "Spending not tied to an activity" in text
    for note in private_notes:
        assert note
        # The family's name and the note itself appear nowhere, not even for internal use.
        for shown in (text, pdf_text(internal)):
            assert note not in shown
            assert "李秀英" not in shown
    assert name in pdf_text(internal)
    assert any("WenQuanYi" in name and embedded for name, embedded in pdf_fonts(pdf).items())


def test_income_expenditure_xlsx_totals_cover_the_data_rows(demo: Ledger) -> None:
    with demo.read() as s:
        book = _fund(s)
        notice = build_income_expenditure(s, book, YEAR, ReportOptions())
        tables = {t.sheet: [list(r) for r in t.rows] for t in notice.tables()}
        notice = build_income_expenditure(s, book, YEAR, ReportOptions())
        figures = _figures(notice)
    totals = _xlsx_totals(notice)
    income = figures[_("Income in the period")]
    spending = figures[_("Spending in the period")]
    assert isinstance(income, int)
    assert isinstance(spending, int)
    names = dict(zip([t.sheet for t in notice.tables()], sheet_names(notice)[1:], strict=True))
    # Every total formula sums exactly the data rows, and that sum is the notice's total.
    for sheet, rows in tables.items():
        table = next(t for t in notice.tables() if t.sheet == sheet)
        sums = totals[names[sheet]]
        expected = {i for i, c in enumerate(table.columns) if c.total}
        assert set(sums) == expected, sheet
        for i, (_formula, value) in sums.items():
            column = table.columns[i]
            total = _total(rows, i)
            assert value == (yuan(total) if column.kind == "money" else total), (sheet, i)
    assert totals[names[_("Income by source")]][2][1] == yuan(income)
    assert totals[names[_("Donor list")]][6][1] == yuan(income)
    assert totals[names[_("Spending by category")]][2][1] == yuan(spending)
    assert totals[names[_("Spending by activity")]][3][1] == yuan(spending)


def test_income_expenditure_in_chinese(demo: Ledger) -> None:
    set_language("zh")
    with demo.read() as s:
        book = _fund(s)
        book_name = book.name
        notice = build_income_expenditure(s, book, OCTOBER, ReportOptions())
        pdf = _pdf(notice)
    text = pdf_text(pdf)
    assert notice.language == "zh_CN"
    assert notice.title in text
    assert book_name in notice.title
    for chinese in (
        "爱心商家捐赠",
        "社区自筹",
        "物业酬金捐赠",
        "社区活动",
        "重阳宴",
        "捐-2024-0009",
    ):
        assert chinese in text
    assert any("WenQuanYi" in name and embedded for name, embedded in pdf_fonts(pdf).items())


def test_receipt_shows_the_amount_in_capitals(demo: Ledger) -> None:
    with demo.read() as s:
        book = _fund(s)
        receipt = s.exec(
            select(DonationReceipt).where(
                col(DonationReceipt.book_id) == book.id,
                col(DonationReceipt.year) == 2024,
                col(DonationReceipt.seq) == 5,
            )
        ).one()
        amount, date = receipt.amount_fen, receipt.date
        notice = build_receipt(s, book, OCTOBER, ReportOptions(receipt="捐-2024-0005"))
        pdf = _pdf(notice)
    text = pdf_text(pdf)
    assert amount == 300_000
    assert to_capital(amount) == "人民币叁仟元整"
    assert "人民币叁仟元整" in text
    assert "3,000.00" in text
    assert "捐-2024-0005" in text
    assert "天马镇好又多超市" in text  # an organisation is named in full
    assert "重阳宴" in text  # restricted to the banquet
    assert "都江堰市天马镇碧鸡桥社区" in text
    assert notice.period_label == _("Year {year}").format(year=2024)
    assert notice.signatures
    assert notice.digest is not None
    assert notice.digest.entry_date == date


def test_receipt_masks_an_individual_donor_unless_asked(demo: Ledger) -> None:
    set_language("zh")
    with demo.read() as s:
        book = _fund(s)
        masked = build_receipt(s, book, YEAR, ReportOptions(receipt="捐-2024-0001"))
        shown = build_receipt(s, book, YEAR, ReportOptions(receipt="捐2024-1", show_names=True))
        text = pdf_text(_pdf(masked))
    assert masked.title == "捐赠收据"
    assert "捐赠收据" in text
    assert "王*芬" in text
    assert "王淑芬" not in text
    assert "人民币伍佰元整" in text
    assert "困难帮扶" in text  # the donor's purpose, never a family's name
    assert "李秀英" not in text
    donor = next(
        v
        for s in shown.sections
        if isinstance(s, KeyFigures)
        for k, v, _kind in s.items
        if k == "捐赠人"
    )
    assert donor == "王淑芬"


def test_receipt_refuses_unknown_numbers(demo: Ledger) -> None:
    with demo.read() as s:
        book = _fund(s)
        with pytest.raises(NotFoundError, match="捐-2024-0099"):
            build_receipt(s, book, YEAR, ReportOptions(receipt="捐-2024-0099"))
        with pytest.raises(InvalidInputError, match="not a donation receipt number"):
            build_receipt(s, book, YEAR, ReportOptions(receipt="receipt one"))
        with pytest.raises(InvalidInputError):
            build_receipt(s, book, YEAR, ReportOptions())


def test_reversals_and_other_payments_keep_the_tables_reconciled(
    demo_path: Path, tmp_path: Path
) -> None:
    """On a copy of the demo, December gets a reversed donation, a reversed banquet expense
    (restricted money), goods bought for stock and an accrual that moves no money."""
    copy = tmp_path / "copy.sqlite"
    shutil.copy(demo_path, copy)
    december = parse_report_period("2024-12")
    with open_ledger(copy) as ledger:
        with ledger.write() as s:
            book = _fund(s)
            treasurer = s.exec(select(AppUser).where(col(AppUser.username) == "li.kuaiji")).one()
            pharmacy = find_entry(s, book_id=book.id or 0, number="记-2024-0002")
            cooks = find_entry(s, book_id=book.id or 0, number="记-2024-0018")
            for entry, day in ((pharmacy, 5), (cooks, 6)):
                reverse_entry(
                    s, entry_id=entry.id or 0, actor=treasurer, date=dt.date(2024, 12, day)
                )
            for memo, lines in (
                ("购入积分兑换备货", [PostingLine("1201", 10_000), PostingLine("1002", -10_000)]),
                ("预提印刷费", [PostingLine("510109", 5_000), PostingLine("2202", -5_000)]),
            ):
                post_entry(
                    s,
                    book_id=book.id or 0,
                    date=dt.date(2024, 12, 7),
                    memo=memo,
                    lines=lines,
                    actor=treasurer,
                )
        with ledger.read() as s:
            book = _fund(s)
            notice = build_income_expenditure(s, book, december, ReportOptions())
            figures = _figures(notice)
            opening = figures[_("Opening balance ({date})").format(date="2024-11-30")]
            closing = figures[_("Closing balance ({date})").format(date="2024-12-31")]
            assert opening == _money_at(s, book, dt.date(2024, 11, 30))
            assert closing == _money_at(s, book, dt.date(2024, 12, 31))
            _t, income_rows = _table(notice, "Income by source")
            _t, donors = _table(notice, "Donor list")
            _t, categories = _table(notice, "Spending by category")
            _t, activities = _table(notice, "Spending by activity")
            _t, restricted = _table(notice, "Restricted money")
            service = {r.label: r.balance_fen for r in restricted_balances(s, book_id=book.id or 0)}
            banquet_actual = next(
                a.actual_fen for a in list_activities(s, book_id=book.id or 0) if a.name == "重阳宴"
            )
    income = figures[_("Income in the period")]
    spending = figures[_("Spending in the period")]
    assert isinstance(opening, int)
    assert isinstance(income, int)
    assert isinstance(spending, int)
    # December's gift from the property company, less the reversed pharmacy donation.
    assert income == 126_446 - 100_000
    # The cooks' pay taken back, and goods bought for stock; the accrual moved no money.
    assert spending == -90_000 + 10_000
    assert opening + income - spending == closing
    assert _total(income_rows, 2) == _total(donors, 6) == income
    reversed_line = next(r for r in donors if r[6] == -100_000)
    assert reversed_line[1] == "捐-2024-0002 (reversed)"
    assert reversed_line[3] == "天马镇惠民大药房"
    assert _total(income_rows, 1) == 1 - 1  # one gift, one donation taken back
    assert _total(categories, 2) == _total(activities, 3) == spending
    assert categories[-1][:3] == ["Other payments (not expenses)", 1, 10_000]
    banquet = next(r for r in activities if r[0] == "重阳宴")
    assert banquet[3] == -90_000
    assert banquet[4] == banquet_actual == 1_030_000 - 90_000
    untied = next(r for r in activities if r[0] == "Spending not tied to an activity")
    assert untied[3] == 10_000
    banquet_money = next(r for r in restricted if r[0] == "重阳宴")
    assert banquet_money[1:] == [56_000, 0, -90_000, 146_000]
    # What is left agrees with the service; purposes with nothing left or moving are omitted.
    assert all(service[str(r[0])] == r[4] for r in restricted)
    assert {label for label, left in service.items() if left} <= {str(r[0]) for r in restricted}

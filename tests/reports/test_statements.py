"""The balance sheet (资产负债表) and the statement of activities (业务活动表) of the demo's three
books, for November 2024 and the year 2024: assets equal liabilities plus net assets exactly,
every total agrees with the postings (summed here straight from SQL), the surplus of the period
is the change in net assets the trial balance implies, and the workbook's totals are live sums
of exactly the data rows."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import func
from sqlmodel import Session, col, select

from ledger.db import Ledger
from ledger.domain import AccountType
from ledger.i18n import _, set_language
from ledger.models import Account, Book, Posting
from ledger.services.balances import TrialBalance, trial_balance
from reports.format import amount_text
from reports.notice import KeyFigures, Notice
from reports.notices.common import Period, ReportOptions, parse_report_period
from reports.notices.statements import build_activities_statement, build_balance_sheet
from reports.pdf import render_pdf
from reports.xlsx import HEADER_ROW, render_xlsx
from tests.reports.conftest import pdf_fonts, pdf_text

BOOKS = (1, 2, 3)
PERIODS = ("2024-11", "2024")
SUM = re.compile(r"^=SUM\(([A-Z]+)(\d+):([A-Z]+)(\d+)\)$")
Builder = Callable[[Session, Book, Period, ReportOptions], Notice]


def _posted(
    s: Session, book_id: int, kind: AccountType, *, after: dt.date | None, through: dt.date
) -> int:
    """Postings (debit +) to the book's accounts of one type, dated in (after, through]."""
    where = [
        col(Posting.book_id) == book_id,
        col(Account.type) == kind.value,
        col(Posting.date) <= through,
    ]
    if after is not None:
        where.append(col(Posting.date) > after)
    total = s.exec(
        select(func.sum(Posting.amount_fen))
        .join(Account, col(Account.id) == col(Posting.account_id))
        .where(*where)
    ).one()
    return int(total or 0)


def _print(s: Session, build: Builder, book: Book, period: Period) -> tuple[Notice, str, bytes]:
    pdf, xlsx = io.BytesIO(), io.BytesIO()
    notice = build(s, book, period, ReportOptions())
    render_pdf(notice, pdf)
    render_xlsx(build(s, book, period, ReportOptions()), xlsx)
    return notice, pdf_text(pdf.getvalue()), xlsx.getvalue()


def _fen(value: object) -> int:
    amount = Decimal(0) if value is None else Decimal(str(value)) * 100
    assert amount == amount.to_integral_value()
    return int(amount)


def _sheet_totals(xlsx: bytes, notice: Notice) -> dict[str, list[int]]:
    """For each table's sheet: the values its total row's formulas add up, in fen, after
    checking that each formula is a SUM over exactly the data rows of its own column."""
    wb = load_workbook(io.BytesIO(xlsx))
    totals: dict[str, list[int]] = {}
    for table in notice.tables():
        if table.total_label is None:
            continue
        ws = wb[table.sheet]
        rows = list(ws.iter_rows(min_row=HEADER_ROW + 1))
        total_index = next(i for i, r in enumerate(rows) if r[0].value == table.total_label)
        data = rows[:total_index]
        last = HEADER_ROW + len(data)
        sums = []
        for c, column in enumerate(table.columns):
            formula = rows[total_index][c].value
            if not column.total:
                assert c == 0 or formula is None
                continue
            if not data:  # an empty table totals 0
                assert formula == 0
                sums.append(0)
                continue
            letter = rows[total_index][c].column_letter
            match = SUM.match(str(formula))
            assert match, formula
            assert match.groups() == (letter, str(HEADER_ROW + 1), letter, str(last)), formula
            assert rows[total_index][c].number_format == "¥#,##0.00"
            sums.append(sum(_fen(r[c].value) for r in data))
        totals[table.sheet] = sums
    return totals


@pytest.mark.parametrize("text", PERIODS)
def test_the_balance_sheet_balances_and_agrees_with_the_postings(demo: Ledger, text: str) -> None:
    period = parse_report_period(text)
    start = dt.date(period.end.year - 1, 12, 31)
    with demo.read() as s:
        for book_id in BOOKS:
            book = s.get(Book, book_id)
            assert book is not None
            notice, pdf, xlsx = _print(s, build_balance_sheet, book, period)

            def posted(kind: AccountType, at: dt.date, book_id: int = book_id) -> int:
                return _posted(s, book_id, kind, after=None, through=at)

            balance = trial_balance(s, book_id=book_id, at=period.end)
            assert balance.balanced
            figures = next(x for x in notice.sections if isinstance(x, KeyFigures))
            items = {label: value for label, value, _kind in figures.items}
            assets = posted(AccountType.ASSET, period.end)
            liabilities = -posted(AccountType.LIABILITY, period.end)
            net = -sum(
                posted(k, period.end)
                for k in (AccountType.NET_ASSETS, AccountType.INCOME, AccountType.EXPENSE)
            )
            assert assets > 0
            assert items["Total assets"] == assets
            assert items["Total liabilities"] == liabilities
            assert items["Total net assets"] == net
            assert items["Total liabilities and net assets"] == liabilities + net == assets
            assert items["Difference"] == 0
            # The trial balance's leaves, by type, give the same sections.
            by_type = {
                k: sum(a.normal_balance_fen for a in balance.leaves if a.type is k)
                for k in AccountType
            }
            assert by_type[AccountType.ASSET] == assets
            assert (
                by_type[AccountType.NET_ASSETS]
                + by_type[AccountType.INCOME]
                - by_type[AccountType.EXPENSE]
                == net
            )
            # The tables: every total row adds its rows, end of period and start of the year.
            tables = {t.sheet: t for t in notice.tables()}
            expected = {
                "Assets": [assets, posted(AccountType.ASSET, start)],
                "Liabilities": [liabilities, -posted(AccountType.LIABILITY, start)],
                "Net assets": [
                    net,
                    -sum(
                        posted(k, start)
                        for k in (AccountType.NET_ASSETS, AccountType.INCOME, AccountType.EXPENSE)
                    ),
                ],
            }
            for sheet, (end_total, start_total) in expected.items():
                rows = [tuple(r) for r in tables[sheet].rows]
                assert sum(r[2] or 0 for r in rows) == end_total
                assert sum(r[3] or 0 for r in rows) == start_total
            assert _sheet_totals(xlsx, notice) == expected
            # Every leaf account with postings is a row with its balance; parents are headings.
            shown = {r[0]: r for t in tables.values() for r in (tuple(x) for x in t.rows)}
            for a in balance.accounts:
                if a.type in (AccountType.INCOME, AccountType.EXPENSE):
                    assert a.code not in shown
                elif a.debit_fen or a.credit_fen:
                    value = shown[a.code][2]
                    assert value == (a.normal_balance_fen if a.is_leaf else None)
            # The printed notice states the totals.
            assert pdf.count(amount_text(assets)) >= 2
            assert amount_text(liabilities) in pdf and amount_text(net) in pdf
            assert "Balance sheet" in pdf and book.name in pdf


def test_the_surplus_of_this_year_is_part_of_net_assets(demo: Ledger) -> None:
    period = parse_report_period("2024")
    with demo.read() as s:
        book = s.get(Book, 3)
        assert book is not None
        notice = build_balance_sheet(s, book, period, ReportOptions())
        income = -_posted(s, 3, AccountType.INCOME, after=None, through=period.end)
        expenses = _posted(s, 3, AccountType.EXPENSE, after=None, through=period.end)
    net = next(t for t in notice.tables() if t.sheet == "Net assets")
    surplus = [row for row in (tuple(r) for r in net.rows) if row[0] == ""]
    assert surplus == [
        ("", "Surplus of this year (income − expenses, not yet closed)", income - expenses, None)
    ]
    assert income - expenses > 0


@pytest.mark.parametrize("text", PERIODS)
def test_the_statement_of_activities(demo: Ledger, text: str) -> None:
    period = parse_report_period(text)
    before = period.start - dt.timedelta(days=1)
    year_before = dt.date(period.end.year - 1, 12, 31)
    with demo.read() as s:
        for book_id in BOOKS:
            book = s.get(Book, book_id)
            assert book is not None
            notice, pdf, xlsx = _print(s, build_activities_statement, book, period)

            def moved(kind: AccountType, after: dt.date, book_id: int = book_id) -> int:
                return _posted(s, book_id, kind, after=after, through=period.end)

            income = -moved(AccountType.INCOME, before)
            expenses = moved(AccountType.EXPENSE, before)
            income_year = -moved(AccountType.INCOME, year_before)
            expenses_year = moved(AccountType.EXPENSE, year_before)
            assert income > 0
            expected = {
                "Income": [income, income_year],
                "Expenses": [expenses, expenses_year],
            }
            tables = {t.sheet: [tuple(r) for r in t.rows] for t in notice.tables()}
            for sheet, (period_total, year_total) in expected.items():
                assert sum(r[2] or 0 for r in tables[sheet]) == period_total
                assert sum(r[3] or 0 for r in tables[sheet]) == year_total
            assert _sheet_totals(xlsx, notice) == expected
            result = tables["Surplus or deficit"]
            assert result == [
                ("Total income", income, income_year),
                ("Total expenses", expenses, expenses_year),
                ("Surplus (deficit if negative)", income - expenses, income_year - expenses_year),
            ]
            # The surplus is the change in net assets the trial balance implies, beyond what
            # was booked straight to the net-asset accounts (capital, distributions, reserve).
            end = trial_balance(s, book_id=book_id, at=period.end)
            start = trial_balance(s, book_id=book_id, at=before)

            def section(balance: TrialBalance, kind: AccountType) -> int:
                return sum(a.normal_balance_fen for a in balance.leaves if a.type is kind)

            def equity(balance: TrialBalance) -> int:
                return section(balance, AccountType.ASSET) - section(balance, AccountType.LIABILITY)

            change = equity(end) - equity(start)
            booked = section(end, AccountType.NET_ASSETS) - section(start, AccountType.NET_ASSETS)
            assert income - expenses == change - booked
            # The printed notice states the totals and the surplus.
            assert amount_text(income) in pdf and amount_text(expenses) in pdf
            assert amount_text(income - expenses) in pdf
            assert "Statement of activities" in pdf


def test_november_shows_movements_not_balances(demo: Ledger) -> None:
    with demo.read() as s:
        book = s.get(Book, 2)
        assert book is not None
        november = build_activities_statement(
            s, book, parse_report_period("2024-11"), ReportOptions()
        )
        balance = trial_balance(s, book_id=2, at=dt.date(2024, 11, 30))
    rows = {r[0]: r for r in (tuple(x) for t in november.tables() for x in t.rows)}
    fee = next(a for a in balance.accounts if a.code == "4101")
    # The year to date is the balance (the book started in 2024); November is a month of it.
    assert rows["4101"][3] == fee.normal_balance_fen
    assert 0 < rows["4101"][2] < fee.normal_balance_fen


def test_the_chinese_statements(demo: Ledger) -> None:
    set_language("zh")
    with demo.read() as s:
        book = s.get(Book, 2)
        assert book is not None
        sheet, sheet_text, _x = _print(s, build_balance_sheet, book, parse_report_period("2024-11"))
        acts, acts_text, _y = _print(
            s, build_activities_statement, book, parse_report_period("2024-11")
        )
        pdf = io.BytesIO()
        render_pdf(
            build_balance_sheet(s, book, parse_report_period("2024-11"), ReportOptions()), pdf
        )
    fonts = pdf_fonts(pdf.getvalue())
    assert any("WenQuanYi" in name and embedded for name, embedded in fonts.items())
    assert sheet.language == "zh_CN"
    for text in (sheet_text, acts_text):
        assert "金河绿洲小区信托制物业" in text
    # Account names and section titles in Chinese (the catalog already has these).
    assert "资产" in sheet_text and "负债" in sheet_text and "净资产" in sheet_text
    assert "共有资金账户" in sheet_text and "应收物业费" in sheet_text
    assert "物业服务费收入" in acts_text and "人员工资及社保" in acts_text
    assert "合计" in acts_text
    if _("Balance sheet") == "Balance sheet" or _("Statement of activities") == (
        "Statement of activities"
    ):
        pytest.xfail("the titles await their Chinese translation in the catalog")
    assert "资产负债表" in sheet_text and sheet.title in sheet_text
    assert "业务活动表" in acts_text and acts.title in acts_text


def test_a_new_year_carries_the_surplus_of_earlier_years(demo: Ledger) -> None:
    """In January 2025 (no postings yet) the 2024 surplus, never closed into the fund accounts,
    is the surplus of earlier years, the same at both dates; the sheet still balances."""
    period = parse_report_period("2025-01")
    with demo.read() as s:
        for book_id in BOOKS:
            book = s.get(Book, book_id)
            assert book is not None
            notice, _pdf, xlsx = _print(s, build_balance_sheet, book, period)
            earlier = -_posted(
                s, book_id, AccountType.INCOME, after=None, through=dt.date(2024, 12, 31)
            ) - _posted(s, book_id, AccountType.EXPENSE, after=None, through=dt.date(2024, 12, 31))
            net = next(t for t in notice.tables() if t.sheet == "Net assets")
            surplus = [row for row in (tuple(r) for r in net.rows) if row[0] == ""]
            assert earlier != 0
            assert surplus == [
                ("", "Surplus of earlier years not yet closed", earlier, earlier),
                ("", "Surplus of this year (income − expenses, not yet closed)", 0, None),
            ]
            items = {
                label: value
                for x in notice.sections
                if isinstance(x, KeyFigures)
                for label, value, _kind in x.items
            }
            assert items["Difference"] == 0
            totals = _sheet_totals(xlsx, notice)
            # Nothing moved in January: each section is the same at both dates.
            assert all(end == start for end, start in totals.values())
            assert totals["Assets"][0] == totals["Liabilities"][0] + totals["Net assets"][0]

"""The financial statements any book prints: the balance sheet (资产负债表) at the end of the
period and the statement of activities (业务活动表) for the period.

Both come from the trial balance (:func:`ledger.services.balances.trial_balance`), account by
account, in integer fen. Amounts are on each account's normal side, so a contra account (such
as accumulated depreciation) reduces its section. Only accounts without sub-accounts carry
amounts; a parent account is printed as a heading over its sub-accounts, so that every total
adds up the rows above it once — on paper and as the workbook's ``=SUM``.

The books do not close income and expenses into net assets at year end, so the balance sheet
shows the surplus (income − expenses) not yet closed as part of net assets, and assets equal
liabilities plus net assets exactly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlmodel import Session

from ledger.domain import AccountType
from ledger.i18n import _
from ledger.models import Book
from ledger.periods import Period
from ledger.services.balances import AccountBalance, TrialBalance, trial_balance
from reports.notice import Cell, Column, KeyFigures, Notice, Table
from reports.notices.common import ReportOptions, account_name, make_notice

Row = tuple[Cell, ...]


def year_start_balance_date(at: dt.date) -> dt.date:
    """The day whose closing balances open the year of ``at``: December 31 of the year before."""
    return dt.date(at.year - 1, 12, 31)


def _by_id(balance: TrialBalance) -> dict[int, AccountBalance]:
    return {a.account_id: a for a in balance.accounts}


def _moved(a: AccountBalance, before: AccountBalance | None) -> bool:
    """Whether ``a`` has postings after the date of ``before`` (or at all, without it)."""
    if before is None:
        return bool(a.debit_fen or a.credit_fen)
    return a.debit_fen != before.debit_fen or a.credit_fen != before.credit_fen


def _normal(a: AccountBalance | None) -> int:
    return 0 if a is None else a.normal_balance_fen


def _name(a: AccountBalance) -> str:
    return "　" * a.depth + account_name(a.name_zh, a.name_en)


def _shown(accounts: Iterable[AccountBalance], used: set[int]) -> list[AccountBalance]:
    """The accounts ``used`` (ids of leaves with postings) and the parents above them, in code
    order (a parent's code starts its children's, so it sorts first)."""
    pool = list(accounts)
    chosen = [a for a in pool if a.account_id in used]
    codes = {a.code for a in chosen}
    parents = [
        a
        for a in pool
        if not a.is_leaf and any(c != a.code and c.startswith(a.code) for c in codes)
    ]
    return sorted([*chosen, *parents], key=lambda a: a.code)


def unclosed_surplus(balance: TrialBalance) -> int:
    """Income − expenses (fen) of every posting up to the trial balance's date."""
    leaves = balance.leaves
    income = sum(a.normal_balance_fen for a in leaves if a.type is AccountType.INCOME)
    expenses = sum(a.normal_balance_fen for a in leaves if a.type is AccountType.EXPENSE)
    return income - expenses


def section_total(balance: TrialBalance, kind: AccountType) -> int:
    """The sum of a section's leaf accounts on their normal side (fen)."""
    return sum(a.normal_balance_fen for a in balance.leaves if a.type is kind)


# --- the balance sheet -------------------------------------------------------------------------


def _balance_rows(kind: AccountType, end: TrialBalance, start: TrialBalance) -> list[Row]:
    at_start = _by_id(start)
    used = {a.account_id for a in end.leaves if a.type is kind and _moved(a, None)}
    rows: list[Row] = []
    for a in _shown((a for a in end.accounts if a.type is kind), used):
        if a.is_leaf:
            rows.append(
                (a.code, _name(a), a.normal_balance_fen, _normal(at_start.get(a.account_id)))
            )
        else:
            rows.append((a.code, _name(a), None, None))
    return rows


def build_balance_sheet(
    session: Session, book: Book, period: Period, _options: ReportOptions
) -> Notice:
    """资产负债表 at the end of the period, beside the balances that opened its year: assets,
    liabilities and net assets (with the surplus not yet closed), and the check that assets
    equal liabilities plus net assets."""
    book_id = book.id or 0
    start_date = year_start_balance_date(period.end)
    end = trial_balance(session, book_id=book_id, at=period.end)
    start = trial_balance(session, book_id=book_id, at=start_date)
    # Income − expenses not closed into net assets: of the years before, and of this year.
    earlier = unclosed_surplus(start)
    this_year = unclosed_surplus(end) - earlier

    def columns() -> tuple[Column, ...]:
        return (
            Column(_("Code"), width=8),
            Column(_("Account"), width=30),
            Column(
                _("At {date} (end of period)").format(date=period.end.isoformat()),
                "money",
                total=True,
                width=15,
            ),
            Column(
                _("At {date} (start of year)").format(date=start_date.isoformat()),
                "money",
                total=True,
                width=15,
            ),
        )

    net_rows = _balance_rows(AccountType.NET_ASSETS, end, start)
    if earlier:
        net_rows.append(("", _("Surplus of earlier years not yet closed"), earlier, earlier))
    net_rows.append(
        (
            "",
            _("Surplus of this year (income − expenses, not yet closed)"),
            this_year,
            None,
        )
    )
    assets = section_total(end, AccountType.ASSET)
    liabilities = section_total(end, AccountType.LIABILITY)
    net_assets = section_total(end, AccountType.NET_ASSETS) + earlier + this_year
    tables = (
        Table(
            sheet=_("Assets"),
            title=_("Assets"),
            columns=columns(),
            rows=_balance_rows(AccountType.ASSET, end, start),
            total_label=_("Total"),
        ),
        Table(
            sheet=_("Liabilities"),
            title=_("Liabilities"),
            columns=columns(),
            rows=_balance_rows(AccountType.LIABILITY, end, start),
            total_label=_("Total"),
        ),
        Table(
            sheet=_("Net assets"),
            title=_("Net assets"),
            columns=columns(),
            rows=net_rows,
            total_label=_("Total"),
            note=_(
                "Income and expenses are not closed into the fund accounts during the year; "
                "their difference, the surplus, belongs to the net assets and is shown here."
            ),
        ),
    )
    figures = KeyFigures(
        title=_("Assets = liabilities + net assets, at {date}").format(date=period.end.isoformat()),
        items=(
            (_("Total assets"), assets, "money"),
            (_("Total liabilities"), liabilities, "money"),
            (_("Total net assets"), net_assets, "money"),
            (_("Total liabilities and net assets"), liabilities + net_assets, "money"),
            (_("Difference"), assets - liabilities - net_assets, "money"),
        ),
    )
    return make_notice(
        session,
        book=book,
        kind="balance_sheet",
        title=_("Balance sheet"),
        period=period,
        sections=(figures, *tables),
        subtitle=_("At {date}; amounts in yuan").format(date=period.end.isoformat()),
    )


# --- the statement of activities ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Movements:
    """Income or expenses of one account (fen, on its normal side): in the period and from
    January 1 to the end of the period."""

    account: AccountBalance
    period_fen: int
    year_fen: int


def _movements(
    kind: AccountType, end: TrialBalance, before: TrialBalance, year: TrialBalance
) -> list[Movements]:
    """The leaf accounts of ``kind`` with postings in the year up to the end of the period:
    balances at the end less those the day before the period and before the year."""
    at_before, at_year = _by_id(before), _by_id(year)
    return [
        Movements(
            account=a,
            period_fen=a.normal_balance_fen - _normal(at_before.get(a.account_id)),
            year_fen=a.normal_balance_fen - _normal(at_year.get(a.account_id)),
        )
        for a in end.leaves
        if a.type is kind and _moved(a, at_year.get(a.account_id))
    ]


def _activity_rows(
    kind: AccountType, end: TrialBalance, before: TrialBalance, year: TrialBalance
) -> tuple[list[Row], int, int]:
    moved = {m.account.account_id: m for m in _movements(kind, end, before, year)}
    rows: list[Row] = []
    for a in _shown((a for a in end.accounts if a.type is kind), set(moved)):
        m = moved.get(a.account_id)
        rows.append(
            (a.code, _name(a), m.period_fen, m.year_fen)
            if m is not None
            else (a.code, _name(a), None, None)
        )
    return (
        rows,
        sum(m.period_fen for m in moved.values()),
        sum(m.year_fen for m in moved.values()),
    )


def build_activities_statement(
    session: Session, book: Book, period: Period, _options: ReportOptions
) -> Notice:
    """业务活动表 for the period: income and expenses by account — the movements of the period
    and of the year to date — and the surplus or deficit, income − expenses."""
    book_id = book.id or 0
    year_from = dt.date(period.end.year, 1, 1)

    def columns() -> tuple[Column, ...]:
        return (
            Column(_("Code"), width=8),
            Column(_("Account"), width=30),
            Column(_("This period"), "money", total=True, width=15),
            Column(
                _("Year to date ({start} to {end})").format(
                    start=year_from.isoformat(), end=period.end.isoformat()
                ),
                "money",
                total=True,
                width=17,
            ),
        )

    end = trial_balance(session, book_id=book_id, at=period.end)
    before = trial_balance(session, book_id=book_id, at=period.start - dt.timedelta(days=1))
    year = trial_balance(session, book_id=book_id, at=year_start_balance_date(period.end))
    income_rows, income, income_year = _activity_rows(AccountType.INCOME, end, before, year)
    expense_rows, expenses, expenses_year = _activity_rows(AccountType.EXPENSE, end, before, year)
    result = Table(
        sheet=_("Surplus or deficit"),
        title=_("Surplus or deficit (income − expenses)"),
        columns=(
            Column("", width=38),
            Column(_("This period"), "money", width=15),
            Column(_("Year to date"), "money", width=17),
        ),
        rows=[
            (_("Total income"), income, income_year),
            (_("Total expenses"), expenses, expenses_year),
            (
                _("Surplus (deficit if negative)"),
                income - expenses,
                income_year - expenses_year,
            ),
        ],
    )
    tables = (
        Table(
            sheet=_("Income"),
            title=_("Income"),
            columns=columns(),
            rows=income_rows,
            total_label=_("Total"),
        ),
        Table(
            sheet=_("Expenses"),
            title=_("Expenses"),
            columns=columns(),
            rows=expense_rows,
            total_label=_("Total"),
            note=_(
                "Amounts are the postings of the period to each account, not balances; a "
                "parent account is the heading of the sub-accounts below it."
            ),
        ),
    )
    return make_notice(
        session,
        book=book,
        kind="activities",
        title=_("Statement of activities"),
        period=period,
        sections=(*tables, result),
        subtitle=_("From {start} to {end}; amounts in yuan").format(
            start=period.start.isoformat(), end=period.end.isoformat()
        ),
    )

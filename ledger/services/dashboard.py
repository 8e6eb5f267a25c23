"""The figures a book's dashboard shows: money on hand, the latest month's income and spending,
what waits for approval, and the year's income and spending month by month."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, func, select

from ledger.clock import today
from ledger.domain import AccountType, BookKind
from ledger.models import Account, Book, Expense, Posting
from ledger.services.books import find_book

#: Money accounts (cash, bank, other monetary funds) start with these codes in every chart.
MONEY_PREFIX = "100"


@dataclass(frozen=True, slots=True)
class Dashboard:
    book_id: int
    book_name: str
    kind: str
    organisation: str
    money_fen: int
    assets_fen: int
    liabilities_fen: int
    month: str  # the latest month with postings, YYYY-MM
    month_income_fen: int
    month_spending_fen: int
    pending_approvals: int
    entries: int
    closed_through: dt.date | None
    #: (month 1–12, income fen, spending fen) of the latest month's year.
    months: tuple[tuple[int, int, int], ...]


def book_dashboard(session: Session, *, book_id: int) -> Dashboard:
    book: Book = find_book(session, book_id)
    latest = session.exec(
        select(func.max(Posting.date)).where(col(Posting.book_id) == book_id)
    ).one()
    latest = latest or today()  # an empty book: this month
    # Two grouped queries on the covering index (book, account, date, amount); the accounts'
    # types are looked up in Python — a join would make SQLite read every posting row.
    accounts = {
        aid: (code, kind)
        for aid, code, kind in session.exec(
            select(Account.id, Account.code, Account.type).where(col(Account.book_id) == book_id)
        )
    }
    by_type: dict[str, int] = {}
    money = 0
    for aid, fen in session.connection().execute(
        sa_select(col(Posting.account_id), func.sum(Posting.amount_fen))
        .where(col(Posting.book_id) == book_id)
        .group_by(col(Posting.account_id))
    ):
        code, kind = accounts[aid]
        by_type[kind] = by_type.get(kind, 0) + int(fen or 0)
        if code.startswith(MONEY_PREFIX):
            money += int(fen or 0)
    per_month = {m: [0, 0] for m in range(1, 13)}
    for aid, date, fen in session.connection().execute(
        sa_select(col(Posting.account_id), col(Posting.date), func.sum(Posting.amount_fen))
        .where(
            col(Posting.book_id) == book_id,
            col(Posting.date) >= dt.date(latest.year, 1, 1),
            col(Posting.date) <= dt.date(latest.year, 12, 31),
        )
        .group_by(col(Posting.account_id), col(Posting.date))
    ):
        kind = accounts[aid][1]
        if kind == AccountType.INCOME.value:
            per_month[date.month][0] -= int(fen or 0)
        elif kind == AccountType.EXPENSE.value:
            per_month[date.month][1] += int(fen or 0)
    pending = 0
    if book.kind == BookKind.MICRO_FUND:
        pending = int(
            session.exec(
                select(func.count())
                .select_from(Expense)
                .where(col(Expense.book_id) == book_id, col(Expense.status) == "pending")
            ).one()
        )
    return Dashboard(
        book_id=book_id,
        book_name=book.name,
        kind=book.kind,
        organisation=book.organisation,
        money_fen=money,
        assets_fen=int(by_type.get(AccountType.ASSET.value) or 0),
        liabilities_fen=-int(by_type.get(AccountType.LIABILITY.value) or 0),
        month=f"{latest.year}-{latest.month:02d}",
        month_income_fen=per_month[latest.month][0],
        month_spending_fen=per_month[latest.month][1],
        pending_approvals=pending,
        entries=book.head_index,
        closed_through=book.closed_through,
        months=tuple((m, v[0], v[1]) for m, v in per_month.items()),
    )

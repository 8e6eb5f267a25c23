"""The figures a book's dashboard shows: money on hand, the latest month's income and spending,
what waits for approval, and the year's income and spending month by month."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import case
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, func, select

from ledger.clock import today
from ledger.domain import AccountType, BookKind
from ledger.models import Account, Book, Expense, Posting, columns
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
    by_type = dict(
        session.connection()
        .execute(
            sa_select(col(Account.type), func.sum(Posting.amount_fen))
            .join(Account, col(Account.id) == col(Posting.account_id))
            .where(col(Posting.book_id) == book_id)
            .group_by(col(Account.type))
        )
        .all()
    )
    money = (
        session.connection()
        .execute(
            sa_select(func.sum(Posting.amount_fen))
            .join(Account, col(Account.id) == col(Posting.account_id))
            .where(col(Posting.book_id) == book_id, col(Account.code).startswith(MONEY_PREFIX))
        )
        .scalar_one()
    )
    income = case(
        (col(Account.type) == AccountType.INCOME.value, -col(Posting.amount_fen)), else_=0
    )
    spending = case(
        (col(Account.type) == AccountType.EXPENSE.value, col(Posting.amount_fen)), else_=0
    )
    rows = (
        session.connection()
        .execute(
            sa_select(*columns(Posting.date), func.sum(income), func.sum(spending))
            .join(Account, col(Account.id) == col(Posting.account_id))
            .where(
                col(Posting.book_id) == book_id,
                col(Posting.date) >= dt.date(latest.year, 1, 1),
                col(Posting.date) <= dt.date(latest.year, 12, 31),
            )
            .group_by(col(Posting.date))
        )
        .all()
    )
    per_month = {m: [0, 0] for m in range(1, 13)}
    for row in rows:
        date, fen_in, fen_out = row[0], row[1], row[2]
        per_month[date.month][0] += int(fen_in or 0)
        per_month[date.month][1] += int(fen_out or 0)
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
        money_fen=int(money or 0),
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

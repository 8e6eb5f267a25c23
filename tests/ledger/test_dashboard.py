"""The dashboard's figures equal the trial balance's and the posting sums of the month."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func
from sqlmodel import col, select

from ledger.db import Ledger
from ledger.domain import AccountType
from ledger.models import Account, Posting
from ledger.services.balances import trial_balance
from ledger.services.dashboard import book_dashboard


def test_the_dashboard_agrees_with_the_trial_balance(demo: Ledger) -> None:
    with demo.read() as s:
        for book_id in (1, 2, 3):
            board = book_dashboard(s, book_id=book_id)
            leaves = trial_balance(s, book_id=book_id).leaves
            assert board.money_fen == sum(a.balance_fen for a in leaves if a.code.startswith("100"))
            assert board.assets_fen == sum(
                a.balance_fen for a in leaves if a.type is AccountType.ASSET
            )
            assert board.liabilities_fen == sum(
                -a.balance_fen for a in leaves if a.type is AccountType.LIABILITY
            )
            year = int(board.month[:4])
            income = s.exec(
                select(func.sum(Posting.amount_fen))
                .join(Account, col(Account.id) == col(Posting.account_id))
                .where(
                    col(Posting.book_id) == book_id,
                    col(Account.type) == AccountType.INCOME.value,
                    col(Posting.date) >= dt.date(year, 1, 1),
                    col(Posting.date) <= dt.date(year, 12, 31),
                )
            ).one()
            assert sum(i for _m, i, _s in board.months) == -(income or 0)
            month = int(board.month[5:])
            assert board.month_income_fen == board.months[month - 1][1]
    assert board.entries == 74 and board.closed_through == dt.date(2024, 11, 30)

"""Account balances and the trial balance (科目余额表 / 试算平衡表) at a date, read through a
session; the figures are computed by :mod:`ledger.balances`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Date, bindparam, text
from sqlmodel import Session

from ledger.balances import AccountBalance, TrialBalance, posting_sums_from, trial_balance_from

__all__ = ["AccountBalance", "TrialBalance", "posting_sums", "trial_balance"]


def _query_of(session: Session) -> Any:
    def query(sql: str, params: Mapping[str, object]) -> Iterable[Sequence[Any]]:
        statement = text(sql)
        if "at" in params:
            statement = statement.bindparams(bindparam("at", type_=Date))
        return session.execute(statement, dict(params)).all()

    return query


def posting_sums(
    session: Session, *, book_id: int, at: dt.date | None = None
) -> dict[int, tuple[int, int]]:
    """Debit and credit totals (fen) per account id, over postings dated on or before ``at``."""
    return posting_sums_from(_query_of(session), book_id=book_id, at=at)


def trial_balance(session: Session, *, book_id: int, at: dt.date | None = None) -> TrialBalance:
    """Every account of the book with its movements and balance up to ``at`` (all dates if None).

    Leaf accounts carry the postings; each parent adds up its children.
    """
    return trial_balance_from(_query_of(session), book_id=book_id, at=at)

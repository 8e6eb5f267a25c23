"""Account balances and the trial balance (科目余额表 / 试算平衡表) at a date."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import case
from sqlmodel import Session, col, func, select

from ledger.domain import AccountType
from ledger.models import Account, Posting


@dataclass(frozen=True, slots=True)
class AccountBalance:
    """One account's movements and balance up to a date; parents include their children.

    ``balance_fen`` is signed like postings (debit +); ``debit_balance_fen``/``credit_balance_fen``
    put it on its side as a trial balance prints it.
    """

    account_id: int
    code: str
    name_zh: str
    name_en: str
    type: AccountType
    depth: int
    is_leaf: bool
    debit_fen: int
    credit_fen: int

    @property
    def balance_fen(self) -> int:
        return self.debit_fen - self.credit_fen

    @property
    def debit_balance_fen(self) -> int:
        return max(self.balance_fen, 0)

    @property
    def credit_balance_fen(self) -> int:
        return max(-self.balance_fen, 0)

    @property
    def normal_balance_fen(self) -> int:
        """The balance on the account's normal side (assets/expenses debit, others credit)."""
        return self.balance_fen if self.type.debit_normal else -self.balance_fen


@dataclass(frozen=True, slots=True)
class TrialBalance:
    at: dt.date | None
    accounts: list[AccountBalance]

    @property
    def leaves(self) -> list[AccountBalance]:
        return [a for a in self.accounts if a.is_leaf]

    @property
    def total_debit_balance_fen(self) -> int:
        return sum(a.debit_balance_fen for a in self.leaves)

    @property
    def total_credit_balance_fen(self) -> int:
        return sum(a.credit_balance_fen for a in self.leaves)

    @property
    def total_debit_fen(self) -> int:
        return sum(a.debit_fen for a in self.leaves)

    @property
    def total_credit_fen(self) -> int:
        return sum(a.credit_fen for a in self.leaves)

    @property
    def balanced(self) -> bool:
        return (
            self.total_debit_balance_fen == self.total_credit_balance_fen
            and self.total_debit_fen == self.total_credit_fen
        )


def posting_sums(
    session: Session, *, book_id: int, at: dt.date | None = None
) -> dict[int, tuple[int, int]]:
    """Debit and credit totals (fen) per account id, over postings dated on or before ``at``."""
    amount = col(Posting.amount_fen)
    stmt = (
        select(
            col(Posting.account_id),
            func.sum(case((amount > 0, amount), else_=0)),
            func.sum(case((amount < 0, -amount), else_=0)),
        )
        .where(col(Posting.book_id) == book_id)
        .group_by(col(Posting.account_id))
    )
    if at is not None:
        stmt = stmt.where(col(Posting.date) <= at)
    return {aid: (int(d or 0), int(c or 0)) for aid, d, c in session.exec(stmt)}


def trial_balance(session: Session, *, book_id: int, at: dt.date | None = None) -> TrialBalance:
    """Every account of the book with its movements and balance up to ``at`` (all dates if None).

    Leaf accounts carry the postings; each parent adds up its children.
    """
    sums = posting_sums(session, book_id=book_id, at=at)
    accounts = session.exec(
        select(Account).where(col(Account.book_id) == book_id).order_by(col(Account.code))
    ).all()
    by_id = {a.id: a for a in accounts}
    totals: dict[int, list[int]] = {a.id: [0, 0] for a in accounts if a.id is not None}
    children = {a.parent_id for a in accounts if a.parent_id is not None}
    for account_id, (debit, credit) in sums.items():
        node = by_id.get(account_id)
        while node is not None and node.id is not None:
            totals[node.id][0] += debit
            totals[node.id][1] += credit
            node = by_id.get(node.parent_id) if node.parent_id is not None else None
    rows = []
    for a in accounts:
        assert a.id is not None
        depth, node = 0, a
        while node.parent_id is not None:
            depth += 1
            node = by_id[node.parent_id]
        rows.append(
            AccountBalance(
                account_id=a.id,
                code=a.code,
                name_zh=a.name_zh,
                name_en=a.name_en,
                type=AccountType(a.type),
                depth=depth,
                is_leaf=a.id not in children,
                debit_fen=totals[a.id][0],
                credit_fen=totals[a.id][1],
            )
        )
    return TrialBalance(at=at, accounts=rows)

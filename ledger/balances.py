"""Account balances and the trial balance (科目余额表 / 试算平衡表) at a date, computed from
plain rows.

The queries are plain SQL and the rows come from whatever runs them — a session
(:mod:`ledger.services.balances`) or, for a read-only command that answers without loading
SQLAlchemy, the standard library's ``sqlite3`` (:mod:`ledger.quickread`) — so both give the same
figures from the same code.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ledger.domain import AccountType

#: Runs one query with named parameters (``:name``) and gives its rows.
Query = Callable[[str, Mapping[str, object]], Iterable[Sequence[Any]]]

_SUMS = (
    "SELECT account_id,"
    " SUM(CASE WHEN amount_fen > 0 THEN amount_fen ELSE 0 END),"
    " SUM(CASE WHEN amount_fen < 0 THEN -amount_fen ELSE 0 END)"
    " FROM posting WHERE book_id = :book_id{dated} GROUP BY account_id"
)
_ACCOUNTS = (
    "SELECT id, code, name_zh, name_en, type, parent_id FROM account"
    " WHERE book_id = :book_id ORDER BY code"
)


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


def posting_sums_from(
    query: Query, *, book_id: int, at: dt.date | None = None
) -> dict[int, tuple[int, int]]:
    """Debit and credit totals (fen) per account id, over postings dated on or before ``at``."""
    params: dict[str, object] = {"book_id": book_id}
    if at is not None:
        params["at"] = at
    sql = _SUMS.format(dated=" AND date <= :at" if at is not None else "")
    return {int(aid): (int(d or 0), int(c or 0)) for aid, d, c in query(sql, params)}


def trial_balance_from(query: Query, *, book_id: int, at: dt.date | None = None) -> TrialBalance:
    """Every account of the book with its movements and balance up to ``at`` (all dates if None).

    Leaf accounts carry the postings; each parent adds up its children.
    """
    sums = posting_sums_from(query, book_id=book_id, at=at)
    accounts = [tuple(row) for row in query(_ACCOUNTS, {"book_id": book_id})]
    parent_of: dict[int, int | None] = {row[0]: row[5] for row in accounts}
    totals: dict[int, list[int]] = {row[0]: [0, 0] for row in accounts}
    children = {parent for parent in parent_of.values() if parent is not None}
    for account_id, (debit, credit) in sums.items():
        node: int | None = account_id if account_id in totals else None
        while node is not None:
            totals[node][0] += debit
            totals[node][1] += credit
            node = parent_of.get(node)
    rows = []
    for account_id, code, name_zh, name_en, kind, parent_id in accounts:
        depth, up = 0, parent_id
        while up is not None:
            depth += 1
            up = parent_of[up]
        rows.append(
            AccountBalance(
                account_id=account_id,
                code=code,
                name_zh=name_zh,
                name_en=name_en,
                type=AccountType(kind),
                depth=depth,
                is_leaf=account_id not in children,
                debit_fen=totals[account_id][0],
                credit_fen=totals[account_id][1],
            )
        )
    return TrialBalance(at=at, accounts=rows)

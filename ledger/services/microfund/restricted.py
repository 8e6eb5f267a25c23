"""Restricted money (限定用途): what is left of each purpose."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlmodel import Session, col, select

from ledger.i18n import is_chinese
from ledger.models import DonationReceipt, Expense
from ledger.rules.microfund import is_category_purpose, purpose_label, restricted_balance
from ledger.services.microfund._common import (
    PENDING,
    POSTED,
    _reversed_entries,
    micro_fund_book,
    resolve_purpose,
)


@dataclass(frozen=True, slots=True)
class RestrictedBalance:
    """Money restricted to one purpose: donated, spent (posted), waiting (pending) and left."""

    purpose: str
    label: str
    is_category: bool
    donated_fen: int
    spent_fen: int
    pending_fen: int

    @property
    def balance_fen(self) -> int:
        return restricted_balance([self.donated_fen], [self.spent_fen])

    @property
    def available_fen(self) -> int:
        """What a new expense may still use: the balance less what waits for approval."""
        return self.balance_fen - self.pending_fen


def restricted_balances(session: Session, *, book_id: int) -> list[RestrictedBalance]:
    """Every purpose that has restricted money, with what is left of it."""
    micro_fund_book(session, book_id)
    reversed_ids = _reversed_entries(session, book_id)
    donated: dict[str, int] = defaultdict(int)
    spent: dict[str, int] = defaultdict(int)
    pending: dict[str, int] = defaultdict(int)
    for purpose, amount, entry_id in session.exec(
        select(DonationReceipt.purpose, DonationReceipt.amount_fen, DonationReceipt.entry_id).where(
            col(DonationReceipt.book_id) == book_id, col(DonationReceipt.purpose).is_not(None)
        )
    ).all():
        if purpose is not None and entry_id not in reversed_ids:
            donated[purpose] += amount
    for purpose, amount, status, spent_entry in session.exec(
        select(Expense.purpose, Expense.amount_fen, Expense.status, Expense.entry_id).where(
            col(Expense.book_id) == book_id, col(Expense.purpose).is_not(None)
        )
    ).all():
        if purpose is None:
            continue
        if status == PENDING:
            pending[purpose] += amount
        elif status == POSTED and spent_entry not in reversed_ids:
            spent[purpose] += amount
    chinese = is_chinese()
    return [
        RestrictedBalance(
            purpose=p,
            label=purpose_label(p, chinese=chinese),
            is_category=is_category_purpose(p),
            donated_fen=donated[p],
            spent_fen=spent[p],
            pending_fen=pending[p],
        )
        for p in sorted(set(donated) | set(spent) | set(pending))
    ]


def restricted_balance_of(session: Session, *, book_id: int, purpose: str) -> RestrictedBalance:
    """The restricted money of one purpose (zero everywhere if none was ever given)."""
    stored = resolve_purpose(session, book_id=book_id, text=purpose)
    for balance in restricted_balances(session, book_id=book_id):
        if balance.purpose == stored:
            return balance
    return RestrictedBalance(
        stored, purpose_label(stored, chinese=is_chinese()), is_category_purpose(stored), 0, 0, 0
    )

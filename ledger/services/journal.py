"""The journal (序时账/明细账): postings in date and voucher order, a page at a time.

Pages are found by keyset (the key of the row before or after), never by OFFSET, so the first,
the next and the last page cost the same at a million postings.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select as sa_select
from sqlalchemy import tuple_
from sqlmodel import Session, col, func, select

from ledger.chain import voucher_number
from ledger.models import Account, Entry, Posting, columns

JournalKey = tuple[dt.date, int, int]
"""(date, entry id, line) — the journal's sort order; entry ids grow with voucher numbers."""


@dataclass(frozen=True, slots=True)
class JournalFilter:
    """What to show: an account and its sub-accounts (by code prefix), a date range, memo text."""

    account_code: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    text: str | None = None


@dataclass(frozen=True, slots=True)
class JournalRow:
    posting_id: int
    entry_id: int
    date: dt.date
    number: str
    memo: str
    line_no: int
    account_code: str
    account_name_zh: str
    account_name_en: str
    amount_fen: int
    counterparty_id: int | None
    reverses_id: int | None

    @property
    def key(self) -> JournalKey:
        return (self.date, self.entry_id, self.line_no)

    @property
    def debit_fen(self) -> int:
        return max(self.amount_fen, 0)

    @property
    def credit_fen(self) -> int:
        return max(-self.amount_fen, 0)


@dataclass(frozen=True, slots=True)
class JournalPage:
    rows: list[JournalRow]
    has_before: bool
    has_after: bool


def _filtered(stmt, *, book_id: int, filters: JournalFilter):  # type: ignore[no-untyped-def]
    stmt = stmt.where(col(Posting.book_id) == book_id)
    if filters.account_code:
        ids = select(col(Account.id)).where(
            col(Account.book_id) == book_id,
            col(Account.code).startswith(filters.account_code, autoescape=True),
        )
        stmt = stmt.where(col(Posting.account_id).in_(ids.scalar_subquery()))
    if filters.date_from is not None:
        stmt = stmt.where(col(Posting.date) >= filters.date_from)
    if filters.date_to is not None:
        stmt = stmt.where(col(Posting.date) <= filters.date_to)
    if filters.text:
        memo_ids = select(col(Entry.id)).where(
            col(Entry.book_id) == book_id, col(Entry.memo).contains(filters.text, autoescape=True)
        )
        stmt = stmt.where(col(Posting.entry_id).in_(memo_ids.scalar_subquery()))
    return stmt


def journal_count(session: Session, *, book_id: int, filters: JournalFilter | None = None) -> int:
    stmt = _filtered(
        select(func.count()).select_from(Posting),
        book_id=book_id,
        filters=filters or JournalFilter(),
    )
    return int(session.exec(stmt).one())


def journal_page(
    session: Session,
    *,
    book_id: int,
    filters: JournalFilter | None = None,
    limit: int = 50,
    after: JournalKey | None = None,
    before: JournalKey | None = None,
    last: bool = False,
) -> JournalPage:
    """One page of the journal, oldest first.

    With ``after`` the page starts after that row; with ``before`` (or ``last=True`` for the final
    page) it ends before that row / at the end.
    """
    filters = filters or JournalFilter()
    key = tuple_(col(Posting.date), col(Posting.entry_id), col(Posting.line_no))
    keys = select(col(Posting.id))
    keys = _filtered(keys, book_id=book_id, filters=filters)
    backwards = before is not None or last
    if after is not None:
        keys = keys.where(key > tuple_(*after))
    if before is not None:
        keys = keys.where(key < tuple_(*before))
    order = (
        [col(Posting.date).desc(), col(Posting.entry_id).desc(), col(Posting.line_no).desc()]
        if backwards
        else [col(Posting.date), col(Posting.entry_id), col(Posting.line_no)]
    )
    ids = list(session.exec(keys.order_by(*order).limit(limit + 1)).all())
    more = len(ids) > limit
    ids = ids[:limit]
    rows = _rows(session, ids)
    rows.sort(key=lambda r: r.key)
    if backwards:
        return JournalPage(rows, has_before=more, has_after=before is not None)
    return JournalPage(rows, has_before=after is not None, has_after=more)


def _rows(session: Session, posting_ids: list[int]) -> list[JournalRow]:
    if not posting_ids:
        return []
    stmt = (
        sa_select(
            *columns(
                Posting.id,
                Posting.entry_id,
                Posting.date,
                Entry.year,
                Entry.seq,
                Entry.memo,
                Posting.line_no,
                Account.code,
                Account.name_zh,
                Account.name_en,
                Posting.amount_fen,
                Posting.counterparty_id,
                Entry.reverses_id,
            )
        )
        .join(Entry, col(Entry.id) == col(Posting.entry_id))
        .join(Account, col(Account.id) == col(Posting.account_id))
        .where(col(Posting.id).in_(posting_ids))
    )
    result = session.connection().execute(stmt)
    return [
        JournalRow(
            posting_id=pid,
            entry_id=eid,
            date=date,
            number=voucher_number(year, seq),
            memo=memo,
            line_no=line,
            account_code=code,
            account_name_zh=zh,
            account_name_en=en,
            amount_fen=fen,
            counterparty_id=cp,
            reverses_id=rev,
        )
        for pid, eid, date, year, seq, memo, line, code, zh, en, fen, cp, rev in result
    ]


def journal_window(
    session: Session,
    *,
    book_id: int,
    offset: int,
    limit: int,
    filters: JournalFilter | None = None,
    total: int | None = None,
) -> list[JournalRow]:
    """Rows ``offset`` … ``offset + limit - 1`` of the journal in journal order, for a view
    that jumps anywhere (a scroll bar). Rows in the second half are counted from the end, so the
    database never skips more than half the journal: the last page is as quick as the first."""
    filters = filters or JournalFilter()
    count = journal_count(session, book_id=book_id, filters=filters) if total is None else total
    offset = max(0, min(offset, count))
    limit = max(0, min(limit, count - offset))
    if limit == 0:
        return []
    from_end = offset > count // 2
    order = (
        [col(Posting.date).desc(), col(Posting.entry_id).desc(), col(Posting.line_no).desc()]
        if from_end
        else [col(Posting.date), col(Posting.entry_id), col(Posting.line_no)]
    )
    skip = count - offset - limit if from_end else offset
    keys = _filtered(select(col(Posting.id)), book_id=book_id, filters=filters)
    ids = list(session.exec(keys.order_by(*order).offset(skip).limit(limit)).all())
    rows = _rows(session, ids)
    rows.sort(key=lambda r: r.key)
    return rows

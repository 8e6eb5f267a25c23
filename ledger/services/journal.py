"""The journal (序时账/明细账): postings in date and voucher order, a page at a time.

Pages are found by keyset (the key of the row before or after), never by OFFSET, so the first,
the next and the last page cost the same at a million postings.

Any other order (by voucher number, memo, account, debit or credit) has no index to page by: it
is computed once as the list of posting ids in that order (:func:`journal_order`, 8 bytes a
posting), and a view then reads the rows of any stretch of it by their ids (:func:`journal_rows`).
"""

from __future__ import annotations

import datetime as dt
from array import array
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from itertools import chain
from typing import Any

from sqlalchemy import case, tuple_
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Connection
from sqlmodel import Session, col, func, select

from ledger.chain import voucher_number
from ledger.models import Account, Entry, Posting, columns

JournalKey = tuple[dt.date, int, int]
"""(date, entry id, line) — the journal's sort order; entry ids grow with voucher numbers."""


class JournalSort(StrEnum):
    """What the journal is ordered by: the raw value of one of its columns, ascending, ties by
    posting id (descending is the same order read backwards)."""

    #: Date, then voucher, then line: the journal's own order, the one an index keeps.
    JOURNAL = "journal"
    #: Voucher number: year, then number in the year.
    VOUCHER = "voucher"
    #: The entry's memo (摘要), by character code.
    MEMO = "memo"
    #: Account code (a parent account just before its sub-accounts).
    ACCOUNT = "account"
    #: The debit amount in fen; credit lines have none and come first.
    DEBIT = "debit"
    #: The credit amount in fen; debit lines have none and come first.
    CREDIT = "credit"


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


def _order_by(sort: JournalSort, dialect: str) -> tuple[list[Any], Any]:
    """The ORDER BY terms of a sort (without the posting id that breaks ties) and the table the
    key comes from (to join), if any."""
    postgres = dialect == "postgresql"

    def text(column: Any) -> Any:
        # Character-code order, as Python compares strings (SQLite's default already is).
        return column.collate("C") if postgres else column

    if sort is JournalSort.JOURNAL:
        return [col(Posting.date), col(Posting.entry_id), col(Posting.line_no)], None
    if sort is JournalSort.VOUCHER:
        return [col(Entry.year), col(Entry.seq)], Entry
    if sort is JournalSort.MEMO:
        return [text(col(Entry.memo))], Entry
    if sort is JournalSort.ACCOUNT:
        return [text(col(Account.code))], Account
    # A line without a debit (credit) counts as 0, before every debit (credit): the same order
    # as "no amount first", and cheaper to sort than NULLs.
    amount = col(Posting.amount_fen)
    if sort is JournalSort.DEBIT:
        return [case((amount > 0, amount), else_=0)], None
    return [case((amount < 0, -amount), else_=0)], None


def journal_order(
    session: Session,
    *,
    book_id: int,
    sort: JournalSort,
    filters: JournalFilter | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> array[int] | None:
    """The ids of the (filtered) postings in ``sort`` order, ascending, ties by posting id: the
    whole list, 8 bytes a posting, so that a view can show any stretch of an order no index
    keeps. Read backwards it is the descending order.

    One sort in the database, about half a second at a million postings. ``cancelled`` is asked
    while it runs (on SQLite also inside the sort's scan): once it answers yes the work stops
    and the answer is ``None``.
    """
    filters = filters or JournalFilter()
    connection = session.connection()
    terms, table = _order_by(sort, connection.dialect.name)
    stmt = sa_select(col(Posting.id))
    if table is Entry:
        stmt = stmt.join(Entry, col(Entry.id) == col(Posting.entry_id))
    elif table is Account:
        stmt = stmt.join(Account, col(Account.id) == col(Posting.account_id))
    stmt = _filtered(stmt, book_id=book_id, filters=filters).order_by(*terms, col(Posting.id))
    stop = cancelled or (lambda: False)
    # SQLite asks the handler every so many steps of the query and stops it on a yes.
    progress = getattr(connection.connection.dbapi_connection, "set_progress_handler", None)
    if progress is not None and cancelled is not None:
        progress(lambda: int(stop()), 50_000)
    ids: array[int] = array("q")
    try:
        if connection.dialect.name == "sqlite":
            # The whole list as one text, in one step of the query: row by row, the driver
            # would hand the interpreter lock to the interface thread a million times.
            # (SQLite keeps a subquery's ORDER BY for an aggregate such as group_concat.)
            ordered = stmt.subquery()
            with _small_page_cache(connection):
                listed = connection.execute(sa_select(func.group_concat(ordered.c.id))).scalar()
            _read_ints(listed or "", ids)
        else:
            result = connection.execute(stmt)
            try:
                # Straight from the driver's cursor: SQLAlchemy's rows cost twice the sort.
                while chunk := result.cursor.fetchmany(50_000):
                    ids.extend(chain.from_iterable(chunk))
                    if stop():
                        return None
            finally:
                result.close()
    except Exception:
        if stop():  # interrupted on purpose
            return None
        raise
    finally:
        if progress is not None and cancelled is not None:
            progress(None, 0)
    return None if stop() else ids


@contextmanager
def _small_page_cache(connection: Connection) -> Iterator[None]:
    """A sort reads every posting once: through a page cache of 4 MB (SQLite's sorter, whose
    memory follows the cache, then spills to a temporary file), not the connection's usual
    64 MB. At a million postings that is 100 MB less memory at its peak, and no slower."""
    before = int(connection.exec_driver_sql("PRAGMA cache_size").scalar_one())
    connection.exec_driver_sql("PRAGMA cache_size=-4096")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size={before}")


def _read_ints(text: str, into: array[int], step: int = 1 << 20) -> None:
    """Append the comma-separated integers of ``text`` to ``into``, a megabyte at a time (a
    list of a million strings would be 60 MB)."""
    start, end = 0, len(text)
    while start < end:
        cut = text.find(",", min(start + step, end))
        cut = end if cut < 0 else cut
        into.extend(map(int, text[start:cut].split(",")))
        start = cut + 1


def journal_rows(session: Session, posting_ids: Sequence[int]) -> list[JournalRow]:
    """The journal rows of these postings, in the order given (at most a few hundred at a
    time: they go into one ``IN (…)``)."""
    rows = {row.posting_id: row for row in _rows(session, list(posting_ids))}
    return [rows[i] for i in posting_ids if i in rows]

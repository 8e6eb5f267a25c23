"""The journal: keyset pages in date and voucher order, with filters; and any other order\n(voucher, memo, account, debit, credit) as the list of posting ids, on raw values."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from ledger.services.entries import EntryDraft, PostingLine, post_entries
from ledger.services.journal import (
    JournalFilter,
    JournalRow,
    JournalSort,
    journal_count,
    journal_order,
    journal_page,
    journal_rows,
)
from tests.conftest import World

D = dt.date


@pytest.fixture
def journal_world(world: World) -> World:
    # Posted out of date order on purpose: the journal sorts by date, then voucher number.
    days = [5, 1, 3, 1, 2, 4, 5, 2, 3, 1]
    drafts = []
    for i, day in enumerate(days):
        income = "410101" if i % 2 else "410102"
        memo = "重阳宴 捐赠" if i % 3 == 0 else "环境整治 100%_对账"
        drafts.append(
            EntryDraft(
                D(2024, 4, day),
                memo,
                [PostingLine("1002", 100 + i), PostingLine(income, -(100 + i))],
            )
        )
    with world.ledger.write() as s:
        post_entries(s, book_id=world.fund_id, drafts=drafts, actor=world.user(s, "treasurer"))
    return world


def keys(rows: list) -> list[tuple[dt.date, str, int]]:  # type: ignore[type-arg]
    return [(r.date, r.number, r.line_no) for r in rows]


def test_pages_walk_the_whole_journal_in_order_both_ways(journal_world: World) -> None:
    with journal_world.ledger.read() as s:
        book = journal_world.fund_id
        assert journal_count(s, book_id=book) == 20
        forward, page = [], journal_page(s, book_id=book, limit=6)
        assert not page.has_before
        while True:
            forward += page.rows
            if not page.has_after:
                break
            page = journal_page(s, book_id=book, limit=6, after=page.rows[-1].key)
        assert len(forward) == 20
        assert keys(forward) == sorted(keys(forward), key=lambda k: (k[0], k[1], k[2]))
        assert forward[0].number == "记-2024-0002" and forward[0].date == D(2024, 4, 1)
        last = journal_page(s, book_id=book, limit=6, last=True)
        assert keys(last.rows) == keys(forward[-6:])
        assert last.has_before and not last.has_after
        before = journal_page(s, book_id=book, limit=6, before=last.rows[0].key)
        assert keys(before.rows) == keys(forward[-12:-6])
        assert sum(r.debit_fen for r in forward) == sum(r.credit_fen for r in forward)


def test_filters_by_account_prefix_dates_and_text(journal_world: World) -> None:
    with journal_world.ledger.read() as s:
        book = journal_world.fund_id
        income = journal_page(
            s, book_id=book, filters=JournalFilter(account_code="4101"), limit=100
        ).rows
        assert len(income) == 10 and all(r.account_code.startswith("4101") for r in income)
        one = journal_page(
            s, book_id=book, filters=JournalFilter(account_code="410101"), limit=100
        ).rows
        assert len(one) == 5
        dated = JournalFilter(date_from=D(2024, 4, 2), date_to=D(2024, 4, 3))
        assert journal_count(s, book_id=book, filters=dated) == 8
        banquet = JournalFilter(text="重阳宴")
        assert journal_count(s, book_id=book, filters=banquet) == 8
        # % and _ are matched literally, not as wildcards
        assert journal_count(s, book_id=book, filters=JournalFilter(text="100%_")) == 12
        assert journal_count(s, book_id=book, filters=JournalFilter(text="0%x")) == 0
        assert journal_count(s, book_id=journal_world.trust_id) == 0


# --- any order: the ids of the whole (filtered) journal, sorted on raw values ---------------


@pytest.fixture
def sorting_world(journal_world: World) -> World:
    """The journal above plus ties: equal amounts, equal memos, one account used twice an
    entry, and a voucher of 2023 posted last (voucher order is not date order)."""
    drafts = [
        EntryDraft(
            D(2024, 4, 2), "同额", [PostingLine("1002", 5_000), PostingLine("410101", -5_000)]
        )
        for _ in range(3)
    ]
    drafts.append(
        EntryDraft(
            D(2024, 4, 4),
            "重阳宴 捐赠",
            [
                PostingLine("510101", 5_000),
                PostingLine("510101", 2_500),
                PostingLine("1002", -7_500),
            ],
        )
    )
    with journal_world.ledger.write() as s:
        actor = journal_world.user(s, "treasurer")
        post_entries(s, book_id=journal_world.fund_id, drafts=drafts, actor=actor)
        post_entries(
            s,
            book_id=journal_world.fund_id,
            drafts=[
                EntryDraft(
                    D(2023, 12, 30),
                    "上年 结余",
                    [PostingLine("1001", 999_999_999_999), PostingLine("410102", -999_999_999_999)],
                )
            ],
            actor=actor,
        )
    return journal_world


def _voucher(row: JournalRow) -> tuple[int, int]:
    _prefix, year, seq = row.number.split("-")
    return int(year), int(seq)


def _blank_first(fen: int) -> tuple[int, int]:
    return (0, 0) if fen <= 0 else (1, fen)


#: What each order means, in plain Python on the rows (ties by posting id).
EXPECTED: dict[JournalSort, Callable[[JournalRow], Any]] = {
    JournalSort.JOURNAL: lambda r: r.key,
    JournalSort.VOUCHER: lambda r: (*_voucher(r), r.posting_id),
    JournalSort.MEMO: lambda r: (r.memo, r.posting_id),
    JournalSort.ACCOUNT: lambda r: (r.account_code, r.posting_id),
    JournalSort.DEBIT: lambda r: (_blank_first(r.amount_fen), r.posting_id),
    JournalSort.CREDIT: lambda r: (_blank_first(-r.amount_fen), r.posting_id),
}

FILTERS = [
    JournalFilter(),
    JournalFilter(account_code="4101"),
    JournalFilter(date_from=D(2024, 4, 2), date_to=D(2024, 4, 4)),
    JournalFilter(text="重阳宴"),
    JournalFilter(account_code="1002", text="同额", date_from=D(2024, 4, 2)),
]


@pytest.mark.parametrize("sort", list(JournalSort))
def test_every_order_is_the_raw_values_with_ties_by_id_and_keeps_the_filters(
    sorting_world: World, sort: JournalSort
) -> None:
    book = sorting_world.fund_id
    with sorting_world.ledger.read() as s:
        for filters in FILTERS:
            rows = journal_page(s, book_id=book, filters=filters, limit=1000).rows
            assert rows, filters
            ids = journal_order(s, book_id=book, sort=sort, filters=filters)
            assert ids is not None
            expected = [r.posting_id for r in sorted(rows, key=EXPECTED[sort])]
            assert list(ids) == expected, (sort, filters)
            # The rows come back in the order asked for.
            assert [r.posting_id for r in journal_rows(s, ids[::-1])] == expected[::-1]


def test_orders_read_like_a_treasurer_expects(sorting_world: World) -> None:
    book = sorting_world.fund_id
    with sorting_world.ledger.read() as s:
        everything = journal_page(s, book_id=book, limit=1000).rows

        def by(sort: JournalSort, filters: JournalFilter | None = None) -> list[JournalRow]:
            ids = journal_order(s, book_id=book, sort=sort, filters=filters)
            assert ids is not None
            return journal_rows(s, ids)

        # Debits, largest first (the order read backwards): beyond 32 bits, then the three
        # equal 50.00 yuan debits and the 50.00 expense line, newest posting first; credit
        # lines have no debit and come last.
        largest = by(JournalSort.DEBIT)[::-1]
        assert largest[0].amount_fen == 999_999_999_999 == max(r.amount_fen for r in everything)
        fifties = [r for r in largest if r.amount_fen == 5_000]
        assert len(fifties) == 4
        assert largest[1:5] == fifties
        assert [r.posting_id for r in fifties] == sorted(
            (r.posting_id for r in fifties), reverse=True
        )
        n_credits = sum(1 for r in everything if r.amount_fen < 0)
        assert all(r.amount_fen < 0 for r in largest[-n_credits:])
        assert [r.posting_id for r in largest[-n_credits:]] == sorted(
            (r.posting_id for r in largest[-n_credits:]), reverse=True
        )
        # Credits, largest first.
        credits = [r.credit_fen for r in by(JournalSort.CREDIT)[::-1] if r.credit_fen]
        assert credits[:2] == [999_999_999_999, 7_500] and credits == sorted(credits, reverse=True)
        # Vouchers: 2023's before 2024's, although it was posted last and ids grow.
        vouchers = by(JournalSort.VOUCHER)
        assert [r.number for r in vouchers[:4]] == ["记-2023-0001"] * 2 + ["记-2024-0001"] * 2
        # Accounts by code: a parent's code before its sub-accounts', 1001 before 1002.
        codes = [r.account_code for r in by(JournalSort.ACCOUNT)]
        assert codes[0] == "1001" and codes == sorted(codes)
        assert codes.index("410101") < codes.index("410102") < codes.index("510101")
        # Memos: the same memo's lines stay together, by posting id; filters still apply.
        banquet = by(JournalSort.MEMO, JournalFilter(text="重阳宴", account_code="5101"))
        assert [(r.memo, r.amount_fen) for r in banquet] == [
            ("重阳宴 捐赠", 5_000),
            ("重阳宴 捐赠", 2_500),
        ]
        # The journal's own order, as journal_page gives it.
        assert [r.posting_id for r in by(JournalSort.JOURNAL)] == [r.posting_id for r in everything]


def test_an_order_no_longer_wanted_stops_and_leaves_the_session_as_it_was(
    sorting_world: World,
) -> None:
    asked: list[bool] = []

    def cancelled() -> bool:
        asked.append(True)
        return True

    with sorting_world.ledger.read() as s:
        book = sorting_world.fund_id
        sqlite = s.connection().dialect.name == "sqlite"
        cache = s.connection().exec_driver_sql("PRAGMA cache_size").scalar() if sqlite else None
        assert journal_order(s, book_id=book, sort=JournalSort.MEMO, cancelled=cancelled) is None
        assert asked
        assert journal_count(s, book_id=book) == 31
        ids = journal_order(s, book_id=book, sort=JournalSort.MEMO, cancelled=lambda: False)
        assert ids is not None and len(ids) == 31
        if sqlite:  # the sort's small page cache is the connection's usual one again
            assert s.connection().exec_driver_sql("PRAGMA cache_size").scalar() == cache


def test_a_long_order_is_read_a_piece_at_a_time_without_losing_an_id() -> None:
    from array import array

    from ledger.services.journal import _read_ints

    ids = [7, 12, 123_456_789_012, 3, 45, 6, 999, 1]
    text = ",".join(map(str, ids))
    for step in (1, 2, 3, 5, 8, len(text), 1 << 20):  # pieces cut inside and at the commas
        read: array[int] = array("q")
        _read_ints(text, read, step)
        assert list(read) == ids, step
    empty: array[int] = array("q")
    _read_ints("", empty)
    assert list(empty) == []

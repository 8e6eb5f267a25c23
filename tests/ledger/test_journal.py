"""The journal: keyset pages in date and voucher order, with filters."""

from __future__ import annotations

import datetime as dt

import pytest

from ledger.services.entries import EntryDraft, PostingLine, post_entries
from ledger.services.journal import JournalFilter, journal_count, journal_page
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

"""Tamper evidence: any change made behind the app's back is found and named."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text

from ledger.services.attachments import attach_file
from ledger.services.entries import EntryDraft, PostingLine, find_entry, post_entries
from ledger.verify import verify_ledger
from tests.conftest import TEST_DB, World

D = dt.date


@pytest.fixture
def booked(world: World) -> World:
    """Five entries in the micro-fund (记-2024-0001 … 0005) and one in the trust book."""
    drafts = [
        EntryDraft(
            D(2024, 3, day),
            f"捐赠 {day}",
            [PostingLine("1002", 1000 * day), PostingLine("410101", -1000 * day)],
        )
        for day in range(1, 6)
    ]
    with world.ledger.write() as s:
        actor = world.user(s, "treasurer")
        post_entries(s, book_id=world.fund_id, drafts=drafts, actor=actor)
        post_entries(
            s,
            book_id=world.trust_id,
            actor=actor,
            drafts=[
                EntryDraft(
                    D(2024, 3, 1), "物业费", [PostingLine("100201", 500), PostingLine("4101", -500)]
                )
            ],
        )
        entry = find_entry(s, book_id=world.fund_id, number="记-2024-0002")
        attach_file(
            s, entry_id=entry.id or 0, filename="receipt.jpg", data=b"\xff\xd8 jpeg", actor=actor
        )
    return world


def findings(world: World) -> list[str]:
    with world.ledger.read() as s:
        return [str(f) for f in verify_ledger(s)]


def tamper(world: World, sql: str, **params: object) -> None:
    with world.ledger.engine.begin() as conn:
        assert conn.execute(text(sql), params).rowcount >= 1


ENTRY3 = "(SELECT id FROM entry WHERE year = 2024 AND seq = 3 AND book_id = 1)"


def test_an_untouched_ledger_verifies(booked: World) -> None:
    assert findings(booked) == []


@pytest.mark.parametrize(
    "sql",
    [
        f"UPDATE posting SET amount_fen = amount_fen + 1 WHERE entry_id = {ENTRY3} AND line_no = 1",
        f"UPDATE posting SET amount_fen = amount_fen * 10 WHERE entry_id = {ENTRY3}",
        f"UPDATE entry SET date = '2024-03-04' WHERE id = {ENTRY3}",
        f"UPDATE posting SET date = '2024-02-01' WHERE entry_id = {ENTRY3}",
        f"UPDATE entry SET memo = '捐赠 300' WHERE id = {ENTRY3}",
        "UPDATE posting SET account_id = (SELECT id FROM account WHERE code = '410102' "
        f"AND book_id = 1) WHERE entry_id = {ENTRY3} AND line_no = 2",
        f"UPDATE entry SET hash = '{'a' * 64}' WHERE id = {ENTRY3}",
        f"UPDATE entry SET recorded_by_id = (SELECT id FROM app_user WHERE username = 'admin') "
        f"WHERE id = {ENTRY3}",
        f"DELETE FROM posting WHERE entry_id = {ENTRY3} AND line_no = 2",
    ],
    ids=[
        "amount",
        "both-amounts",
        "entry-date",
        "posting-date",
        "memo",
        "account",
        "hash",
        "recorded-by",
        "deleted-posting",
    ],
)
def test_changing_a_posted_entry_is_found_and_named(booked: World, sql: str) -> None:
    tamper(booked, sql)
    found = findings(booked)
    assert found, "tampering went unnoticed"
    assert any("记-2024-0003" in f and "碧鸡桥社区微基金" in f for f in found), found
    assert not any("金河绿洲物业" in f for f in found), "the other book was not touched"


def test_a_changed_hash_also_breaks_the_next_link(booked: World) -> None:
    tamper(booked, f"UPDATE entry SET hash = '{'b' * 64}' WHERE id = {ENTRY3}")
    found = findings(booked)
    assert any("记-2024-0004" in f and "does not link" in f for f in found)


def test_a_deleted_entry_is_found(booked: World) -> None:
    tamper(booked, f"DELETE FROM posting WHERE entry_id = {ENTRY3}")
    tamper(booked, f"DELETE FROM entry WHERE id = {ENTRY3}")
    found = findings(booked)
    assert any("记-2024-0004" in f and "记-2024-0003 was expected next" in f for f in found)


def test_deleting_the_newest_entry_is_found(booked: World) -> None:
    last = "(SELECT id FROM entry WHERE seq = 5 AND book_id = 1)"
    tamper(booked, f"DELETE FROM posting WHERE entry_id = {last}")
    tamper(booked, f"DELETE FROM entry WHERE id = {last}")
    found = findings(booked)
    assert any("last entry (place 5)" in f and "(place 4)" in f for f in found), found


def test_an_entry_inserted_behind_the_apps_back_is_found(booked: World) -> None:
    tamper(
        booked,
        "INSERT INTO entry (book_id, year, seq, chain_index, date, memo, status, "
        "recorded_by_id, recorded_at, prev_hash, hash) SELECT book_id, year, 6, 6, "
        "date, 'forged', status, recorded_by_id, recorded_at, hash, hash FROM entry "
        "WHERE book_id = 1 AND seq = 5",
    )
    found = findings(booked)
    assert any("记-2024-0006" in f for f in found), found


def test_a_changed_attachment_is_found(booked: World) -> None:
    tamper(booked, "UPDATE attachment SET data = :data", data=b"\x00")
    found = findings(booked)
    assert any("记-2024-0002" in f and "receipt.jpg" in f for f in found), found


def test_a_changed_audit_event_is_found(booked: World) -> None:
    tamper(booked, "UPDATE audit_event SET detail = '{}' WHERE seq = 2")
    found = findings(booked)
    assert any("audit event 2" in f and "altered" in f for f in found), found


def test_postings_without_a_proper_entry_are_found(booked: World) -> None:
    # A posting that claims the micro-fund (so its balances count it) but hangs on an entry
    # of the trust book.
    tamper(
        booked,
        "INSERT INTO posting (entry_id, book_id, line_no, account_id, amount_fen, "
        "date) SELECT e.id, 1, 9, a.id, 500000, '2024-05-01' FROM entry e, account a "
        "WHERE e.book_id = 2 AND a.book_id = 1 AND a.code = '510101'",
    )
    found = findings(booked)
    assert any(
        "碧鸡桥社区微基金" in f and "belongs to no entry of this book" in f for f in found
    ), found


def test_removing_the_newest_entry_and_fixing_the_book_head_is_found(booked: World) -> None:
    last = "(SELECT id FROM entry WHERE seq = 5 AND book_id = 1)"
    tamper(booked, f"DELETE FROM posting WHERE entry_id = {last}")
    tamper(booked, f"DELETE FROM entry WHERE id = {last}")
    tamper(
        booked,
        "UPDATE book SET head_index = 4, head_hash = (SELECT hash FROM entry "
        "WHERE book_id = 1 AND seq = 4) WHERE id = 1",
    )
    found = findings(booked)
    assert any("audit trail says the newest entry" in f for f in found), found


@pytest.mark.parametrize(
    ("sql", "words"),
    [
        ("UPDATE book SET closed_through = NULL WHERE id = 1", None),
        ("UPDATE book SET closed_through = '2024-12-31' WHERE id = 1", "closing date"),
        ("UPDATE account SET name_zh = '餐费' WHERE code = '1002' AND book_id = 1", "chart"),
        ("UPDATE account SET type = 'income' WHERE code = '1002' AND book_id = 1", "chart"),
        (f"UPDATE entry SET status = 'draft' WHERE id = {ENTRY3}", "status “draft”"),
        ("DELETE FROM attachment", "attachments differ"),
    ],
)
def test_changes_outside_the_chain_are_found(booked: World, sql: str, words: str | None) -> None:
    if words is None:  # reopening a closed period: close one first, then remove the closing
        from ledger.services.books import close_period

        with booked.ledger.write() as s:
            close_period(
                s, book_id=booked.fund_id, through=D(2024, 3, 31), actor=booked.user(s, "reviewer")
            )
        words = "closing date"
    tamper(booked, sql)
    found = findings(booked)
    assert any(words in f and "碧鸡桥社区微基金" in f for f in found), found


@pytest.mark.skipif(
    bool(TEST_DB) and not TEST_DB.startswith("sqlite"),
    reason="only SQLite lets a column hold a value of another type",
)
@pytest.mark.parametrize(
    "sql",
    [
        f"UPDATE entry SET date = 20240301 WHERE id = {ENTRY3}",
        f"UPDATE posting SET amount_fen = 'abc' WHERE entry_id = {ENTRY3} AND line_no = 1",
        f"UPDATE entry SET year = 'x' WHERE id = {ENTRY3}",
    ],
)
def test_values_of_the_wrong_type_are_findings_not_crashes(booked: World, sql: str) -> None:
    tamper(booked, sql)
    found = findings(booked)
    assert any("wrong kind" in f or "altered" in f for f in found), found

"""Posting, numbering, the hash chain, reversal and closing: what a treasurer relies on."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import col, func, select

from ledger.chain import entry_canonical
from ledger.errors import (
    AccountError,
    AlreadyReversedError,
    ClosedPeriodError,
    InvalidAmountError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    UnbalancedEntryError,
)
from ledger.models import GENESIS_HASH, AuditEvent, Book, Entry, Posting
from ledger.record import RECORD_ACTIONS
from ledger.services.balances import trial_balance
from ledger.services.books import close_period
from ledger.services.entries import (
    EntryDraft,
    PostingLine,
    find_entry,
    post_entries,
    post_entry,
    reverse_entry,
)
from tests.conftest import World

D = dt.date


def donation(fen: int = 300_000, code: str = "410101") -> list[PostingLine]:
    return [PostingLine("1002", fen), PostingLine(code, -fen)]


def post(
    world: World,
    book_id: int | None = None,
    *,
    date: dt.date = D(2024, 3, 1),
    memo: str = "爱心商家捐赠",
    lines: list[PostingLine] | None = None,
    who: str = "treasurer",
    approver: str | None = None,
) -> str:
    with world.ledger.write() as s:
        return post_entry(
            s,
            book_id=book_id or world.fund_id,
            date=date,
            memo=memo,
            lines=donation() if lines is None else lines,
            actor=world.user(s, who),
            approver=world.user(s, approver) if approver else None,
        ).number


def counts(world: World) -> tuple[int, int, int]:
    with world.ledger.read() as s:
        return (
            s.exec(select(func.count()).select_from(Entry)).one(),
            s.exec(select(func.count()).select_from(Posting)).one(),
            s.exec(
                select(func.count())
                .select_from(AuditEvent)
                .where(col(AuditEvent.action).not_in(RECORD_ACTIONS))  # acts, not their record
            ).one(),
        )


def test_numbers_are_gapless_per_book_and_year(world: World) -> None:
    numbers = [
        post(world, date=D(2023, 12, 30)),
        post(world, date=D(2024, 1, 2)),
        post(world, world.trust_id, lines=[PostingLine("100201", 500), PostingLine("4101", -500)]),
        post(world, date=D(2024, 1, 3)),
        post(world, date=D(2023, 12, 31)),
    ]
    assert numbers == [
        "记-2023-0001",
        "记-2024-0001",
        "记-2024-0001",
        "记-2024-0002",
        "记-2023-0002",
    ]


def test_each_entry_links_to_the_previous_hash_of_its_book(world: World) -> None:
    for day in (1, 2, 3):
        post(world, date=D(2024, 3, day))
    with world.ledger.read() as s:
        entries = s.exec(select(Entry).order_by(col(Entry.chain_index))).all()
        book = s.get(Book, world.fund_id)
        assert book is not None
        assert [e.chain_index for e in entries] == [1, 2, 3]
        assert entries[0].prev_hash == GENESIS_HASH
        assert entries[1].prev_hash == entries[0].hash
        assert entries[2].prev_hash == entries[1].hash
        assert len({e.hash for e in entries}) == 3
        assert (book.head_index, book.head_hash) == (3, entries[2].hash)


def test_canonical_form_is_exactly_compact_json() -> None:
    import json

    args = dict(
        book_uid="ab12",
        year=2024,
        seq=7,
        chain_index=9,
        date_iso="2024-03-01",
        memo='重阳宴 "餐费"\\\n\t⚠',
        recorded_by="李会计",
        approved_by=None,
        recorded_at="2024-03-01T08:00:00Z",
        reverses="记-2024-0001",
        postings=[(1, "1002", 12345, None), (2, "410101", -12345, 7)],
        prev_hash="0" * 64,
    )
    expected = json.dumps(
        [
            "gz-entry-1",
            "ab12",
            2024,
            7,
            9,
            "2024-03-01",
            args["memo"],
            "李会计",
            None,
            "2024-03-01T08:00:00Z",
            "记-2024-0001",
            [[1, "1002", 12345, None], [2, "410101", -12345, 7]],
            "0" * 64,
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    assert entry_canonical(*args.values()) == expected


@pytest.mark.parametrize("approved_by", [None, "王出纳"])
def test_batch_hasher_gives_exactly_the_entry_hash(approved_by: str | None) -> None:
    from ledger.chain import EntryHasher, entry_hash

    shared = ("ab12", "李会计", approved_by, "2024-03-01T08:00:00Z")
    hasher = EntryHasher(*shared)
    prev = "0" * 64
    entries = [
        (
            2024,
            7,
            9,
            "2024-03-01",
            '重阳宴 "餐费"\\\n\t⚠',
            "记-2024-0001",
            [(1, "1002", 12345, None), (2, "410101", -12345, 7)],
        ),
        (2024, 8, 10, "2024-03-01", "捐款", None, [(1, "1002", 1, None), (2, "1002", -1, None)]),
        (
            2025,
            1,
            11,
            "2025-01-02",
            "x",
            None,
            [(1, '"引号"\\', 5, 3), (2, "410101", -2, None), (3, "1002", -3, 12)],
        ),
    ]
    for year, seq, index, date_iso, memo, reverses, postings in entries:
        expected = entry_hash(
            shared[0],
            year,
            seq,
            index,
            date_iso,
            memo,
            shared[1],
            shared[2],
            shared[3],
            reverses,
            postings,
            prev,
        )
        assert hasher(year, seq, index, date_iso, memo, reverses, postings, prev) == expected
        prev = expected


def test_trial_balance_adds_up_and_rolls_up_to_parents(world: World) -> None:
    post(world, date=D(2024, 3, 1), lines=donation(300_000, "410101"))
    post(world, date=D(2024, 3, 2), lines=donation(186_000, "410102"))
    post(
        world,
        date=D(2024, 3, 5),
        memo="重阳宴餐费",
        lines=[PostingLine("510101", 540_000), PostingLine("1002", -540_000)],
    )
    with world.ledger.read() as s:
        tb = trial_balance(s, book_id=world.fund_id)
        by_code = {a.code: a for a in tb.accounts}
        assert by_code["1002"].balance_fen == 300_000 + 186_000 - 540_000
        assert by_code["1002"].debit_fen == 486_000
        assert by_code["1002"].credit_fen == 540_000
        assert by_code["4101"].normal_balance_fen == 486_000  # parent of 410101 and 410102
        assert by_code["4101"].is_leaf is False
        assert by_code["510101"].debit_balance_fen == 540_000
        assert tb.balanced
        assert tb.total_debit_balance_fen == tb.total_credit_balance_fen == 540_000 + 0
        at_march_2 = trial_balance(s, book_id=world.fund_id, at=D(2024, 3, 2))
        assert {a.code: a.balance_fen for a in at_march_2.leaves}["1002"] == 486_000


def test_a_batch_is_all_or_nothing_and_names_the_bad_entry(world: World) -> None:
    before = counts(world)
    drafts = [
        EntryDraft(D(2024, 3, 1), "第一笔", donation()),
        EntryDraft(D(2024, 3, 2), "第二笔", donation()),
        EntryDraft(D(2024, 3, 3), "第三笔", [PostingLine("1002", 100), PostingLine("410101", -99)]),
    ]
    with pytest.raises(UnbalancedEntryError, match=r"Entry 3 \(“第三笔”\).*difference"):
        with world.ledger.write() as s:
            post_entries(s, book_id=world.fund_id, drafts=drafts, actor=world.user(s, "treasurer"))
    assert counts(world) == before
    assert post(world) == "记-2024-0001"  # numbering was not consumed


@pytest.mark.parametrize(
    ("lines", "error", "words"),
    [
        (
            [PostingLine("1002", 100), PostingLine("410101", -50)],
            UnbalancedEntryError,
            "do not balance: debits ¥1.00|do not balance: debits CN¥1.00",
        ),
        ([PostingLine("1002", 100)], UnbalancedEntryError, "at least two postings"),
        ([], UnbalancedEntryError, "at least two postings"),
        ([PostingLine("1002", 0), PostingLine("410101", 0)], UnbalancedEntryError, "is zero"),
        (
            [PostingLine("9999", 100), PostingLine("410101", -100)],
            AccountError,
            "Account 9999 does not exist in “碧鸡桥社区微基金”",
        ),
        (
            [PostingLine("100201", 100), PostingLine("410101", -100)],
            AccountError,
            "belongs to the book “金河绿洲物业”",
        ),
        (
            [PostingLine("1002", 100), PostingLine("4101", -100)],
            AccountError,
            "has sub-accounts; post to one of them: 410101",
        ),
        (
            [PostingLine("1002", 10**15 + 1), PostingLine("410101", -(10**15 + 1))],
            InvalidAmountError,
            "beyond the largest amount",
        ),
        (
            [PostingLine("1002", 1.5), PostingLine("410101", -1.5)],  # type: ignore[arg-type]
            InvalidAmountError,
            "whole number of fen",
        ),
        (
            [PostingLine("1002", 100, counterparty_id=999), PostingLine("410101", -100)],
            NotFoundError,
            "no donor or payee number 999",
        ),
    ],
)
def test_bad_entries_are_refused_and_change_nothing(
    world: World, lines: list[PostingLine], error: type[Exception], words: str
) -> None:
    before = counts(world)
    with pytest.raises(error, match=words):
        post(world, lines=lines)
    assert counts(world) == before


@pytest.mark.parametrize(
    ("memo", "date", "error", "words"),
    [
        ("   ", D(2024, 1, 1), InvalidInputError, "needs a memo"),
        ("x" * 201, D(2024, 1, 1), InvalidInputError, "201 characters"),
        ("ok", dt.datetime(2024, 1, 1, 8, 0), InvalidInputError, "needs a date"),
    ],
)
def test_bad_memo_or_date_is_refused(
    world: World, memo: str, date: dt.date, error: type[Exception], words: str
) -> None:
    before = counts(world)
    with pytest.raises(error, match=words):
        post(world, memo=memo, date=date)
    assert counts(world) == before


def test_closed_period_refuses_postings_dated_in_it(world: World) -> None:
    post(world, date=D(2024, 1, 15))
    with world.ledger.write() as s:
        close_period(
            s, book_id=world.fund_id, through=D(2024, 1, 31), actor=world.user(s, "reviewer")
        )
    before = counts(world)
    with pytest.raises(ClosedPeriodError, match="closed through 2024-01-31"):
        post(world, date=D(2024, 1, 31))
    assert counts(world) == before
    assert post(world, date=D(2024, 2, 1)) == "记-2024-0002"
    # closing never reopens, and a period that has not ended cannot be closed
    with pytest.raises(InvalidInputError, match="already closed through 2024-01-31"):
        with world.ledger.write() as s:
            close_period(
                s, book_id=world.fund_id, through=D(2023, 12, 31), actor=world.user(s, "reviewer")
            )
    with pytest.raises(InvalidInputError, match="has not ended yet"):
        with world.ledger.write() as s:
            close_period(
                s, book_id=world.fund_id, through=dt.date.today(), actor=world.user(s, "reviewer")
            )


def test_reversal_mirrors_links_and_cannot_be_repeated(world: World) -> None:
    number = post(world, date=D(2024, 3, 1), lines=donation(123_456))
    with world.ledger.write() as s:
        original_id = find_entry(s, book_id=world.fund_id, number=number).id or 0
        reversal = reverse_entry(
            s, entry_id=original_id, actor=world.user(s, "treasurer"), date=D(2024, 3, 9)
        )
    assert reversal.number == "记-2024-0002"
    assert reversal.memo == "Reversal of 记-2024-0001: 爱心商家捐赠"
    with world.ledger.read() as s:
        tb = trial_balance(s, book_id=world.fund_id)
        assert all(a.balance_fen == 0 for a in tb.accounts)
        assert tb.total_debit_fen == 2 * 123_456
        entry = s.exec(select(Entry).where(col(Entry.id) == reversal.id)).one()
        assert entry.reverses_id == original_id
    with pytest.raises(AlreadyReversedError, match="already been reversed by 记-2024-0002"):
        with world.ledger.write() as s:
            reverse_entry(s, entry_id=original_id, actor=world.user(s, "treasurer"))
    with pytest.raises(AlreadyReversedError, match="is itself a reversal"):
        with world.ledger.write() as s:
            reverse_entry(s, entry_id=reversal.id, actor=world.user(s, "treasurer"))


def test_roles_are_enforced_by_the_services(world: World) -> None:
    before = counts(world)
    for who in ("auditor", "reviewer", "committee"):
        with pytest.raises(PermissionDeniedError, match=f"{who} .* may not record entries"):
            post(world, who=who)
    with pytest.raises(PermissionDeniedError, match="may not close periods"):
        with world.ledger.write() as s:
            close_period(
                s, book_id=world.fund_id, through=D(2024, 1, 31), actor=world.user(s, "treasurer")
            )
    assert counts(world) == before


def test_approval_needs_another_person_with_the_right_role(world: World) -> None:
    with pytest.raises(PermissionDeniedError, match="cannot also approve"):
        post(world, who="admin", approver="admin")
    with pytest.raises(PermissionDeniedError, match="may not approve"):
        post(world, who="treasurer", approver="treasurer2")
    post(world, who="treasurer", approver="reviewer")
    with world.ledger.read() as s:
        entry = s.exec(select(Entry)).one()
        assert entry.approved_by_id == world.user(s, "reviewer").id


def test_every_change_leaves_an_audit_event(world: World) -> None:
    _entries, _postings, events = counts(world)
    post(world)
    with world.ledger.read() as s:
        last = s.exec(
            select(AuditEvent)
            .where(col(AuditEvent.action).not_in(RECORD_ACTIONS))
            .order_by(col(AuditEvent.seq).desc())
        ).first()
        assert last is not None
        assert last.action == "entry.posted"
        assert "记-2024-0001" in last.detail
        assert last.actor_id == world.user(s, "treasurer").id
    assert counts(world)[2] == events + 1


def test_find_entry_reads_voucher_numbers(world: World) -> None:
    post(world)
    with world.ledger.read() as s:
        assert find_entry(s, book_id=world.fund_id, number="记-2024-0001").seq == 1
        assert find_entry(s, book_id=world.fund_id, number="2024-1").seq == 1
        with pytest.raises(NotFoundError, match="记-2024-0002"):
            find_entry(s, book_id=world.fund_id, number="2024-2")
        with pytest.raises(InvalidInputError, match="not a voucher number"):
            find_entry(s, book_id=world.fund_id, number="abc")

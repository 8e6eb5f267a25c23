"""A batch larger than one chunk: written while the next chunk is checked, still all or nothing."""

from __future__ import annotations

import datetime as dt
import gc

import pytest
from sqlalchemy import Table
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, func, select

from ledger.bulk import InsertsBehind
from ledger.errors import AccountError, NotFoundError
from ledger.models import Account, Book, Entry, Posting
from ledger.services.entries import (
    _CHUNK_ENTRIES,
    _END_CHUNK_ENTRIES,
    EntryDraft,
    PostingLine,
    _chunk_ends,
    post_entries,
)
from ledger.verify import verify_ledger
from tests.conftest import World

D = dt.date
ACCOUNT_TABLE: Table = Account.__table__  # type: ignore[attr-defined]
MANY = _CHUNK_ENTRIES * 2 + 300  # three chunks, the last one short


def drafts(count: int, *, start: int = 0) -> list[EntryDraft]:
    made = []
    for i in range(start, start + count):
        fen = 100 + i
        lines = [PostingLine("1002", fen), PostingLine("410101", -fen)]
        if i % 3 == 0:  # some entries of three lines
            lines = [
                PostingLine("1002", fen),
                PostingLine("410101", -1),
                PostingLine("410102", 1 - fen),
            ]
        # Dated over two years, so that two numbering sequences run side by side.
        made.append(EntryDraft(D(2023, 12, 31) + dt.timedelta(days=i % 3), f"第{i + 1}笔", lines))
    return made


def state(world: World) -> tuple[int, int, int, str]:
    with world.ledger.read() as s:
        book = s.get(Book, world.fund_id)
        assert book is not None
        return (
            s.exec(select(func.count()).select_from(Entry)).one(),
            s.exec(select(func.count()).select_from(Posting)).one(),
            book.head_index,
            book.head_hash,
        )


def post(world: World, batch: list[EntryDraft]) -> list[str]:
    with world.ledger.write() as s:
        posted = post_entries(
            s, book_id=world.fund_id, drafts=batch, actor=world.user(s, "treasurer")
        )
    return [p.number for p in posted]


def test_a_batch_of_several_chunks_is_numbered_chained_and_verifies(world: World) -> None:
    first = post(world, drafts(3))
    numbers = post(world, drafts(MANY, start=3))
    # Entries dated 2023-12-31 take 记-2023-…, the others 记-2024-…, each gapless.
    assert first == ["记-2023-0001", "记-2024-0001", "记-2024-0002"]
    in_2023 = [n for n in numbers if n.startswith("记-2023-")]
    in_2024 = [n for n in numbers if n.startswith("记-2024-")]
    assert in_2023 == [f"记-2023-{k:04d}" for k in range(2, len(in_2023) + 2)]
    assert in_2024 == [f"记-2024-{k:04d}" for k in range(3, len(in_2024) + 3)]
    with world.ledger.read() as s:
        assert verify_ledger(s) == []
        # Every posting belongs to the entry it was written for: its memo's amount.
        rows = s.exec(
            select(Entry.memo, Posting.line_no, Posting.amount_fen)
            .join(Posting, col(Posting.entry_id) == col(Entry.id))
            .where(col(Posting.line_no) == 1, col(Entry.book_id) == world.fund_id)
        ).all()
        assert len(rows) == MANY + 3
        assert all(fen == 100 + int(memo[1:-1]) - 1 for memo, _line, fen in rows)
        lines = s.exec(select(func.count()).select_from(Posting)).one()
        assert lines == sum(len(d.lines) for d in drafts(MANY + 3))


@pytest.mark.parametrize(
    ("bad_line", "error", "words"),
    [
        (PostingLine("9999", -100), AccountError, "Account 9999 does not exist"),
        (PostingLine("410101", -100, counterparty_id=99_999), NotFoundError, "number 99999"),
    ],
)
def test_a_bad_entry_after_chunks_went_in_leaves_nothing(
    world: World, bad_line: PostingLine, error: type[Exception], words: str
) -> None:
    post(world, drafts(2))
    before = state(world)
    batch = drafts(MANY, start=2)
    late = MANY - 10  # two chunks were handed to the database before this one is checked
    batch[late] = EntryDraft(D(2024, 5, 1), "坏的一笔", [PostingLine("1002", 100), bad_line])
    with pytest.raises(error, match=rf"Entry {late + 1} \(“坏的一笔”\): .*{words}"):
        post(world, batch)
    assert state(world) == before
    # Nothing of the refused batch used a number or a place in the chain.
    assert post(world, drafts(1, start=5)) == ["记-2024-0002"]
    with world.ledger.read() as s:
        assert verify_ledger(s) == []


def test_a_reversal_late_in_a_large_batch(world: World) -> None:
    post(world, drafts(2, start=1))  # 记-2024-0001, 记-2024-0002
    with world.ledger.read() as s:
        target = s.exec(select(Entry.id).where(col(Entry.memo) == "第2笔")).one()
    batch = drafts(MANY, start=3)
    batch.append(
        EntryDraft(
            D(2024, 6, 1),
            "冲销第2笔",
            [PostingLine("1002", -101), PostingLine("410101", 101)],
            reverses_id=target,
        )
    )
    numbers = post(world, batch)
    with world.ledger.read() as s:
        reversal = s.exec(select(Entry).where(col(Entry.memo) == "冲销第2笔")).one()
        assert reversal.reverses_id == target
        assert f"记-{reversal.year}-{reversal.seq:04d}" == numbers[-1]
        assert verify_ledger(s) == []


def test_a_database_error_behind_is_raised_as_sqlalchemys(world: World) -> None:
    before = state(world)
    # The same code twice in one book: the second row breaks uq_account_book_code.
    rows = [(world.fund_id, "1999", "重复的科目", "Duplicate", "asset", True)] * 2
    names = ("book_id", "code", "name_zh", "name_en", "type", "active")

    def write_twice() -> None:
        with world.ledger.write() as s, InsertsBehind(s.connection()) as writer:
            writer.insert(ACCOUNT_TABLE, names, rows)

    with pytest.raises(IntegrityError):
        write_twice()
    assert state(world) == before
    with world.ledger.read() as s:
        assert s.exec(select(Account).where(col(Account.code) == "1999")).first() is None


@pytest.mark.parametrize("enabled", [True, False])
def test_the_collector_is_left_as_it_was(world: World, enabled: bool) -> None:
    was = gc.isenabled()
    (gc.enable if enabled else gc.disable)()
    try:
        post(world, drafts(3))
        assert gc.isenabled() is enabled
        with pytest.raises(AccountError):
            post(
                world,
                [
                    EntryDraft(
                        D(2024, 1, 1), "坏", [PostingLine("9999", 1), PostingLine("1002", -1)]
                    )
                ],
            )
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()


@pytest.mark.parametrize("count", [1, 399, 400, 401, 801, 2_401, 4_300, 10_000])
def test_a_batch_goes_in_chunks_short_at_both_ends(count: int) -> None:
    ends = _chunk_ends(count)
    sizes = [b - a for a, b in zip([0, *ends], ends, strict=False)]
    assert ends[-1] == count and all(size > 0 for size in sizes)
    assert sizes[0] <= _END_CHUNK_ENTRIES and max(sizes) <= _CHUNK_ENTRIES
    if count > 3 * _END_CHUNK_ENTRIES:
        assert sizes[-1] <= _END_CHUNK_ENTRIES

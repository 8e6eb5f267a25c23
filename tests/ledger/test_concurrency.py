"""Two processes posting 1,000 entries each to the same ledger at once (a SQLite file, or the
PostgreSQL server when ``GONGZHANG_TEST_DB`` names one): all 2,000 are there, voucher numbers
are gapless, the chain verifies, and no writer ever saw "database is locked"."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import multiprocessing.synchronize
import time

from sqlmodel import col, func, select

from ledger.db import open_ledger
from ledger.errors import LedgerBusyError
from ledger.models import Entry, Posting
from ledger.services.entries import PostingLine, post_entry
from ledger.services.users import get_user
from ledger.verify import verify_ledger
from tests.conftest import World

PER_WRITER = 1_000
WRITERS = ("treasurer", "treasurer2")


def writer(
    target: str,
    book_id: int,
    name: str,
    start: multiprocessing.synchronize.Event,
    busy: multiprocessing.sharedctypes.Synchronized,  # type: ignore[name-defined]
) -> None:
    ledger = open_ledger(target, busy_timeout=30)
    start.wait()
    for i in range(PER_WRITER):
        try:
            with ledger.write() as s:
                post_entry(
                    s,
                    book_id=book_id,
                    date=dt.date(2024, 6, 1 + i % 28),
                    memo=f"{name} {i}",
                    lines=[PostingLine("1002", 100 + i), PostingLine("410101", -(100 + i))],
                    actor=get_user(s, name),
                )
        except LedgerBusyError:
            # What a user would have seen: counted, so the test can say it never happened.
            with busy.get_lock():
                busy.value += 1
            raise
    ledger.close()


def test_two_processes_posting_1000_entries_each(world: World) -> None:
    target = world.ledger.url
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Event()
    busy = ctx.Value("i", 0)
    procs = [
        ctx.Process(target=writer, args=(target, world.fund_id, name, start, busy))
        for name in WRITERS
    ]
    for p in procs:
        p.start()
    began = time.perf_counter()
    start.set()
    for p in procs:
        p.join(900)
    elapsed = time.perf_counter() - began
    assert [p.exitcode for p in procs] == [0, 0]
    assert busy.value == 0  # no "ledger busy" reached either writer

    total = PER_WRITER * len(WRITERS)
    with world.ledger.read() as s:
        seqs = s.exec(
            select(Entry.seq).where(col(Entry.book_id) == world.fund_id).order_by(col(Entry.seq))
        ).all()
        assert list(seqs) == list(range(1, total + 1))  # gapless, no number twice
        memos = set(s.exec(select(Entry.memo).where(col(Entry.book_id) == world.fund_id)).all())
        assert memos == {f"{name} {i}" for name in WRITERS for i in range(PER_WRITER)}
        postings = s.exec(
            select(func.count(), func.sum(Posting.amount_fen)).where(
                col(Posting.book_id) == world.fund_id
            )
        ).one()
        assert tuple(postings) == (2 * total, 0)
        assert verify_ledger(s) == []  # one linear chain per book, audit chain intact
    print(
        f"\nconcurrency [{world.ledger.engine.dialect.name}]: {total} entries by "
        f"{len(WRITERS)} processes in {elapsed:.1f} s ({total / elapsed:.0f} entries/s), "
        f"busy errors {busy.value}"
    )

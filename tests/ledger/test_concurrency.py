"""Several writers at once: numbers stay gapless, the chain linear, nobody sees "locked"."""

from __future__ import annotations

import datetime as dt
import multiprocessing
from pathlib import Path

import pytest
from sqlmodel import col, select

from ledger.db import open_ledger
from ledger.models import Entry
from ledger.services.entries import PostingLine, post_entry
from ledger.services.users import get_user
from ledger.verify import verify_ledger
from tests.conftest import TEST_DB, World

PER_WRITER = 40


def writer(target: str, book_id: int, name: str, start: multiprocessing.synchronize.Event) -> None:
    ledger = open_ledger(target, busy_timeout=30)
    start.wait()
    for i in range(PER_WRITER):
        with ledger.write() as s:
            post_entry(
                s,
                book_id=book_id,
                date=dt.date(2024, 6, 1 + i % 28),
                memo=f"{name} {i}",
                lines=[PostingLine("1002", 100 + i), PostingLine("410101", -(100 + i))],
                actor=get_user(s, name),
            )
    ledger.close()


@pytest.mark.skipif(
    bool(TEST_DB) and "sqlite" not in (TEST_DB or ""), reason="the server case is issue 7's"
)
def test_two_processes_posting_at_once(world: World, tmp_path: Path) -> None:
    target = str(world.ledger.path)
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Event()
    procs = [
        ctx.Process(target=writer, args=(target, world.fund_id, name, start))
        for name in ("treasurer", "treasurer2")
    ]
    for p in procs:
        p.start()
    start.set()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    with world.ledger.read() as s:
        seqs = s.exec(
            select(Entry.seq).where(col(Entry.book_id) == world.fund_id).order_by(col(Entry.seq))
        ).all()
        assert list(seqs) == list(range(1, 2 * PER_WRITER + 1))
        assert verify_ledger(s) == []

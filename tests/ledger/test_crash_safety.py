"""A bulk import killed with SIGKILL at random moments (a laptop losing power half-way): after
every kill the ledger opens, the database's own integrity checks pass, no partial entry exists,
``verify`` passes, and running the same import again finishes it without a duplicate.

20 kill points by default; ``GONGZHANG_LONG=1`` tries 200. The seed is printed with any failure
and can be fixed with ``GONGZHANG_CRASH_SEED``.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from sqlmodel import Session, col, func, select

from ledger.db import open_ledger
from ledger.models import Entry, EntryImport, Posting
from ledger.verify import verify_ledger
from tests.conftest import World

LONG = os.environ.get("GONGZHANG_LONG") == "1"
KILLS = 200 if LONG else 20
KILLS_PER_ROUND = 10
ENTRIES = 1_200
BATCH = 10
REPO = Path(__file__).resolve().parents[2]


def _write_file(path: Path, round_no: int) -> None:
    rows = ["ref,date,memo,account,amount"]
    for i in range(ENTRIES):
        fen = 100 + (i * 37) % 90_000
        amount = f"{fen // 100}.{fen % 100:02d}"
        day = 1 + i % 28
        rows.append(f"R{round_no}-{i},2024-06-{day:02d},第{round_no}批 捐款 {i},1002,{amount}")
        rows.append(f"R{round_no}-{i},2024-06-{day:02d},,410101,-{amount}")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")


def _command(target: str, book_id: int, csv_path: Path) -> list[str]:
    return [
        sys.executable,
        "-c",
        "import sys; from desktop.cli import main; sys.exit(main())",
        "import",
        target,
        "--book",
        str(book_id),
        str(csv_path),
        "--user",
        "treasurer",
        "--batch",
        str(BATCH),
    ]


def _run(command: list[str], kill_after: float | None) -> int:
    proc = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if kill_after is None:
        _out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err.decode()
        return 0
    try:
        proc.wait(timeout=kill_after)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        return -signal.SIGKILL
    return proc.returncode


def _sqlite_checks(path: Path) -> None:
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        conn.close()


def _imported(s: Session, round_no: int) -> tuple[int, int]:
    """(entries of this round in the book, entries_done of its import record)."""
    count = s.exec(select(func.count()).where(col(Entry.memo).startswith(f"第{round_no}批 "))).one()
    record = s.exec(
        select(EntryImport).where(col(EntryImport.source_name) == f"round{round_no}.csv")
    ).first()
    return count, record.entries_done if record else 0


def _check_after_kill(world: World, round_no: int) -> int:
    if world.ledger.path is not None:
        _sqlite_checks(world.ledger.path)
    with open_ledger(world.ledger.url) as ledger, ledger.read() as s:
        count, done = _imported(s, round_no)
        # Batches are all or nothing: what is in the books is exactly what the import recorded.
        assert count == done
        # No partial entry: every entry has its two postings, balancing.
        bad = s.exec(
            select(Posting.entry_id)
            .group_by(col(Posting.entry_id))
            .having((func.count() != 2) | (func.sum(Posting.amount_fen) != 0))
        ).all()
        assert bad == []
        lonely = s.exec(
            select(func.count())
            .select_from(Entry)
            .where(~col(Entry.id).in_(select(Posting.entry_id)))
        ).one()
        assert lonely == 0
        assert verify_ledger(s) == []
        return count


def test_import_killed_at_random_moments_resumes_without_duplicates(
    world: World, tmp_path: Path
) -> None:
    seed = int(os.environ.get("GONGZHANG_CRASH_SEED", time.time_ns() % 1_000_000))
    rng = random.Random(seed)
    target = world.ledger.url
    world.ledger.close()

    # How long one whole import takes here, to spread the kills over it.
    _write_file(tmp_path / "round0.csv", 0)
    began = time.perf_counter()
    _run(_command(target, world.fund_id, tmp_path / "round0.csv"), None)
    whole = time.perf_counter() - began
    assert _check_after_kill(world, 0) == ENTRIES
    began = time.perf_counter()
    _run(_command(target, world.fund_id, tmp_path / "round0.csv"), None)  # posts nothing
    start_up = time.perf_counter() - began
    assert _check_after_kill(world, 0) == ENTRIES

    kills = mid_import = 0
    round_no = 0
    while kills < KILLS:
        round_no += 1
        csv_path = tmp_path / f"round{round_no}.csv"
        _write_file(csv_path, round_no)
        command = _command(target, world.fund_id, csv_path)
        count = 0
        for _ in range(min(KILLS_PER_ROUND, KILLS - kills)):
            # Kill somewhere between late start-up and the expected end of what is left.
            left = max(0.0, whole - start_up) * (ENTRIES - count) / ENTRIES
            outcome = _run(command, rng.uniform(0.7 * start_up, start_up + left))
            if outcome == 0:
                break  # it finished before the kill
            kills += 1
            count = _check_after_kill(world, round_no)
            mid_import += 0 < count < ENTRIES
        _run(command, None)  # the same import, run again, finishes the job
        assert _check_after_kill(world, round_no) == ENTRIES, f"seed {seed}"
        _run(command, None)  # and once more posts nothing
        assert _check_after_kill(world, round_no) == ENTRIES, f"seed {seed}"

    with open_ledger(target) as ledger, ledger.read() as s:
        seqs = s.exec(
            select(Entry.seq).where(col(Entry.book_id) == world.fund_id).order_by(col(Entry.seq))
        ).all()
        assert list(seqs) == list(range(1, (round_no + 1) * ENTRIES + 1)), f"seed {seed}"
        memos = s.exec(select(func.count(func.distinct(Entry.memo)))).one()
        assert memos == (round_no + 1) * ENTRIES
    print(
        f"\ncrash safety: seed {seed}, {kills} kill points, {mid_import} of them mid-import, "
        f"{round_no} imports of {ENTRIES} entries finished by re-running, failures 0 "
        f"(one whole import {whole:.2f} s, of which start-up {start_up:.2f} s)"
    )

"""Ledger benchmark: a million postings through the service layer, against raw SQLite.

Run from the repository root (see BENCHMARKS.md):

    .venv/bin/python -m tests.benchmarks.bench_ledger --postings 1000000

Each side runs in its own fresh process so that its peak RSS is its own:
Only the writing is timed on either side, not the making of the test data.

  * service: entries posted with ``post_entries`` (validated, numbered, hash-chained) in batches of
    10,000 entries per transaction into a fresh ledger file; then the trial balance, the journal's
    first and last page, and ``verify``.
  * raw: the same rows inserted with plain ``executemany`` into tables with the same columns and no
    secondary indexes, then a plain ``SELECT account_id, SUM(amount_fen) … GROUP BY account_id``.
Figures are printed as JSON and as a Markdown table of ratios.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

BATCH_ENTRIES = 10_000
SEED = 20261123
#: Leaf accounts of the micro-fund chart used by the generated entries (debit side, credit side).
DEBITS = ["1001", "1002", "510101", "510102", "510103", "510104", "5201"]
CREDITS = ["410101", "410102", "410103", "410104", "1001", "1002", "2202"]
SHAPES = (2, 2, 3, 2, 4, 2, 3, 2)  # postings per entry, cycling: 2.5 on average


def generate(postings: int) -> Iterator[tuple[dt.date, str, list[tuple[str, int]]]]:
    """Deterministic entries (date, memo, [(account, fen)]) with ``postings`` postings in all."""
    # A cheap deterministic stream (a linear congruential generator), so that making the data
    # costs little next to what is measured.
    state = SEED
    start = dt.date(2024, 1, 1)
    made = 0
    i = 0
    while made < postings:
        n = min(SHAPES[i % len(SHAPES)], postings - made)
        if n < 2:  # the last entry takes the odd posting
            n = 2
        date = start + dt.timedelta(days=(i * 365) // max(postings // 2, 1))
        debits = n - 1 if i % 2 else 1
        credits = n - debits
        amounts = []
        for _ in range(debits):
            state = (state * 6364136223846793005 + 1442695040888963407) % 2**64
            amounts.append(state % 5_000_000 + 1)
        total = sum(amounts)
        credit_parts = [total // credits] * credits
        credit_parts[0] += total - sum(credit_parts)
        lines = [(DEBITS[(a >> 7) % len(DEBITS)], a) for a in amounts]
        lines += [
            (CREDITS[(state >> 20 + k) % len(CREDITS)], -c) for k, c in enumerate(credit_parts)
        ]
        yield date, f"第{i + 1}笔 测试凭证 {state % 99991}", lines
        made += n
        i += 1


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(fn, repeat: int = 1) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def run_service(path: Path, postings: int) -> dict[str, float]:
    from ledger.db import open_ledger
    from ledger.domain import BookKind, Role
    from ledger.services.balances import trial_balance
    from ledger.services.books import create_book
    from ledger.services.entries import EntryDraft, PostingLine, post_entries
    from ledger.services.journal import JournalFilter, journal_page
    from ledger.services.users import create_user
    from ledger.verify import verify_ledger

    ledger = open_ledger(path, create=True)
    with ledger.write() as s:
        admin = create_user(
            s, username="admin", role=Role.ADMIN, password="gongzhang-demo", actor=None
        )
        book = create_book(s, kind=BookKind.MICRO_FUND, name="基准测试", actor=admin)
        book_id = book.id or 0
        admin_id = admin.id
    from ledger.models import AppUser

    import_s = 0.0
    batch: list[EntryDraft] = []
    count = 0

    def post(batch: list[EntryDraft]) -> float:
        # Only the service's work is timed: one unit of work per batch, as an import does it.
        t0 = time.perf_counter()
        with ledger.write() as s:
            actor = s.get(AppUser, admin_id)
            assert actor is not None
            post_entries(s, book_id=book_id, drafts=batch, actor=actor)
        return time.perf_counter() - t0

    for date, memo, lines in generate(postings):
        batch.append(EntryDraft(date, memo, [PostingLine(c, f) for c, f in lines]))
        count += len(lines)
        if len(batch) == BATCH_ENTRIES:
            import_s += post(batch)
            batch = []
    if batch:
        import_s += post(batch)

    def tb() -> None:
        with ledger.read() as s:
            assert trial_balance(s, book_id=book_id).balanced

    def last_page() -> None:
        with ledger.read() as s:
            assert len(journal_page(s, book_id=book_id, limit=50, last=True).rows) == 50

    def first_page() -> None:
        with ledger.read() as s:
            assert len(journal_page(s, book_id=book_id, limit=50).rows) == 50

    def account_page() -> None:
        with ledger.read() as s:
            f = JournalFilter(account_code="5101")
            assert journal_page(s, book_id=book_id, filters=f, limit=50, last=True).rows

    def text_page() -> None:
        with ledger.read() as s:
            f = JournalFilter(text="测试凭证 99")
            journal_page(s, book_id=book_id, filters=f, limit=50, last=True)

    def verify() -> None:
        with ledger.read() as s:
            assert verify_ledger(s) == []

    result = {
        "postings": count,
        "import_s": import_s,
        "import_per_s": count / import_s,
        "trial_balance_s": timed(tb, 5),
        "journal_first_page_s": timed(first_page, 20),
        "journal_last_page_s": timed(last_page, 20),
        "journal_account_last_page_s": timed(account_page, 5),
        "journal_text_last_page_s": timed(text_page, 5),
        "verify_s": timed(verify, 1),
        "file_mb": path.stat().st_size / 1e6,
    }
    ledger.close()
    result["peak_rss_mb"] = peak_rss_mb()
    return result


def run_raw(path: Path, postings: int) -> dict[str, float]:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute(
        "CREATE TABLE entry (id INTEGER PRIMARY KEY, book_id INT, year INT, seq INT, "
        "chain_index INT, date TEXT, memo TEXT, status TEXT, recorded_by_id INT, "
        "recorded_at TEXT, prev_hash TEXT, hash TEXT)"
    )
    conn.execute(
        "CREATE TABLE posting (id INTEGER PRIMARY KEY, entry_id INT, book_id INT, line_no INT, "
        "account_id INT, amount_fen INT, date TEXT)"
    )
    accounts = {code: i for i, code in enumerate(sorted(set(DEBITS + CREDITS)), start=1)}
    fake_hash = "0" * 64
    import_s = 0.0
    entries: list[tuple[object, ...]] = []
    rows: list[tuple[object, ...]] = []
    entry_id = 0
    count = 0

    def flush() -> float:
        t0 = time.perf_counter()
        with conn:
            conn.executemany("INSERT INTO entry VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", entries)
            conn.executemany("INSERT INTO posting VALUES (NULL,?,?,?,?,?,?)", rows)
        entries.clear()
        rows.clear()
        return time.perf_counter() - t0

    for date, memo, lines in generate(postings):
        entry_id += 1  # noqa: SIM113 - ids continue across batches
        iso = date.isoformat()
        entries.append(
            (
                entry_id,
                1,
                date.year,
                entry_id,
                entry_id,
                iso,
                memo,
                "posted",
                1,
                "2026-11-23T00:00:00Z",
                fake_hash,
                fake_hash,
            )
        )
        for line_no, (code, fen) in enumerate(lines, start=1):
            rows.append((entry_id, 1, line_no, accounts[code], fen, iso))
        count += len(lines)
        if len(entries) == BATCH_ENTRIES:
            import_s += flush()
    import_s += flush()

    def raw_sum() -> None:
        conn.execute(
            "SELECT account_id, SUM(amount_fen) FROM posting GROUP BY account_id"
        ).fetchall()

    result = {
        "postings": count,
        "import_s": import_s,
        "import_per_s": count / import_s,
        "sum_group_by_s": timed(raw_sum, 5),
    }
    conn.close()
    result["peak_rss_mb"] = peak_rss_mb()
    return result


def _child(kind: str, postings: int, folder: Path) -> dict[str, float]:
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.benchmarks.bench_ledger",
            "--child",
            kind,
            "--postings",
            str(postings),
            "--dir",
            str(folder),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--postings", type=int, default=1_000_000)
    parser.add_argument("--child", choices=["service", "raw"])
    parser.add_argument("--dir")
    args = parser.parse_args()
    if args.child:
        folder = Path(args.dir)
        fn = run_service if args.child == "service" else run_raw
        print(json.dumps(fn(folder / f"{args.child}.sqlite", args.postings)))
        return
    with tempfile.TemporaryDirectory(prefix="gz-bench-") as tmp:
        raw = _child("raw", args.postings, Path(tmp))
        service = _child("service", args.postings, Path(tmp))
    ratios = {
        "import_vs_raw": service["import_s"] / raw["import_s"],
        "trial_balance_vs_raw_sum": service["trial_balance_s"] / raw["sum_group_by_s"],
    }
    report = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": sys.version.split()[0],
            "sqlite": sqlite3.sqlite_version,
        },
        "raw": raw,
        "service": service,
        "ratios": ratios,
    }
    print(json.dumps(report, indent=2))
    print()
    print("| measure | ours | raw baseline | ratio | target |")
    print("|---|---|---|---|---|")
    print(
        f"| import ({service['postings']:,} postings) | {service['import_per_s']:,.0f} /s "
        f"({service['import_s']:.1f} s) | {raw['import_per_s']:,.0f} /s ({raw['import_s']:.1f} s) "
        f"| {ratios['import_vs_raw']:.1f}× slower | ≥ 100,000 /s |"
    )
    print(
        f"| trial balance | {service['trial_balance_s'] * 1000:.0f} ms | "
        f"{raw['sum_group_by_s'] * 1000:.0f} ms | {ratios['trial_balance_vs_raw_sum']:.2f}× | ≤ 1.5× |"
    )
    print(
        f"| journal last page (50 rows) | {service['journal_last_page_s'] * 1000:.1f} ms | | | ≤ 50 ms |"
    )
    print(f"| journal first page | {service['journal_first_page_s'] * 1000:.1f} ms | | | |")
    print(
        f"| journal last page, account 5101 | {service['journal_account_last_page_s'] * 1000:.1f} ms | | | |"
    )
    print(
        f"| journal last page, memo text filter | {service['journal_text_last_page_s'] * 1000:.1f} ms | | | |"
    )
    print(f"| verify | {service['verify_s']:.2f} s | | | ≤ 5 s |")
    print(
        f"| peak RSS | {service['peak_rss_mb']:.0f} MB | {raw['peak_rss_mb']:.0f} MB | | ≤ 400 MB |"
    )


if __name__ == "__main__":
    main()

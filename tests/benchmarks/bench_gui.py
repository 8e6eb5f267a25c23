"""Desktop app benchmark (offscreen): start-up on the demo, and a book of a million postings.

Run from the repository root (see BENCHMARKS.md):

    .venv/bin/python -m tests.benchmarks.bench_gui --postings 1000000

* start-up: a fresh process (`python -c …`, offscreen) from its first line to the main window
  shown on the demo ledger with the dashboard's figures painted; the same process's bare
  ``import PySide6.QtWidgets`` + ``QApplication`` is the baseline.
* a million postings: a fresh process opens the ledger, shows the main window, switches to the
  journal and waits until its first page is loaded and painted (``grab``); then jumps to the last
  row and waits until that page is painted; peak RSS (VmHWM) so far.
* the same process, sorted by a column no index keeps: a mouse click on the Debit header (a
  first click sorts an amount largest first) until the first page of the new order is painted,
  then the jump to the last row until it is painted; the same for the Memo header; peak RSS
  (VmHWM) at the end. The sorted figures are also given as ratios to the unsorted ones of the
  same process.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

_PROBE = r"""
import os, sys, time, json
t0 = time.perf_counter()
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from PySide6.QtWidgets import QApplication
from PySide6.QtCore import QCoreApplication, QPoint, Qt
from PySide6.QtTest import QTest
app = QApplication([])
t_qt = time.perf_counter() - t0
from ledger import i18n
i18n.set_language("zh")
from desktop.fonts import use_bundled_font_if_needed
use_bundled_font_if_needed(app)
from desktop.app.start import open_main_window

def peak_rss_mb():
    hwm = [l for l in open("/proc/self/status") if l.startswith("VmHWM")][0]
    return int(hwm.split()[1]) / 1024

def until(cond, limit=60.0):
    start = time.perf_counter()
    while not cond():
        QCoreApplication.processEvents()
        if time.perf_counter() - start > limit:
            raise SystemExit("timed out")

window = open_main_window(sys.argv[1], "admin")
until(lambda: window.pages and getattr(window.pages[0], "data", None) is not None)
window.grab()
t_shown = time.perf_counter() - t0
out = {"qt_s": t_qt, "shown_s": t_shown}
if sys.argv[2] == "journal":
    t1 = time.perf_counter()
    window.tabs.setCurrentIndex(1)
    page = window.pages[1]
    until(lambda: page.model.total > 0 and page.model.journal_row(0) is not None)
    window.grab()
    out["journal_first_page_s"] = time.perf_counter() - t1
    out["postings"] = page.model.total
    t2 = time.perf_counter()
    page.go_to_last_row()
    last = page.model.total - 1
    until(lambda: page.model.journal_row(last) is not None)
    window.grab()
    out["journal_last_row_s"] = time.perf_counter() - t2
    out["peak_rss_unsorted_mb"] = peak_rss_mb()
    header = page.view.horizontalHeader()
    for name, column, descending in (("debit", 4, True), ("memo", 2, False)):
        t3 = time.perf_counter()
        x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
        QTest.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))
        until(
            lambda: (page.model.sort_column, page.model.descending) == (column, descending)
            and page.model.journal_row(0) is not None
        )
        window.grab()
        out[f"sorted_{name}_first_page_s"] = time.perf_counter() - t3
        top = [page.model.journal_row(r) for r in range(3)]
        keys = [(r.amount_fen if name == "debit" else r.memo) for r in top if r is not None]
        assert keys == sorted(keys, reverse=descending), keys
        t4 = time.perf_counter()
        page.go_to_last_row()
        until(lambda: page.model.journal_row(last) is not None)
        window.grab()
        out[f"sorted_{name}_last_row_s"] = time.perf_counter() - t4
out["peak_rss_mb"] = peak_rss_mb()
window.close()
print(json.dumps(out))
"""


def probe(path: Path, mode: str) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, str(path), mode],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def make_big(path: Path, postings: int) -> None:
    from ledger.db import open_ledger
    from ledger.domain import BookKind, Role
    from ledger.services.books import create_book
    from ledger.services.entries import EntryDraft, PostingLine, post_entries
    from ledger.services.users import create_user
    from tests.benchmarks.bench_ledger import BATCH_ENTRIES, generate

    ledger = open_ledger(path, create=True)
    with ledger.write() as s:
        admin = create_user(
            s, username="admin", role=Role.ADMIN, password="gongzhang-demo", actor=None
        )
        create_book(s, kind=BookKind.MICRO_FUND, name="一百万笔分录", actor=admin)
    batch: list[EntryDraft] = []

    def post() -> None:
        with ledger.write() as s:
            from ledger.services.users import get_user

            post_entries(s, book_id=1, drafts=batch, actor=get_user(s, "admin"))

    for date, memo, lines in generate(postings):
        batch.append(EntryDraft(date, memo, [PostingLine(c, f) for c, f in lines]))
        if len(batch) == BATCH_ENTRIES:
            post()
            batch = []
    if batch:
        post()
    ledger.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postings", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    from ledger.db import open_ledger
    from ledger.demo import build_demo

    results: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp:
        demo = Path(tmp) / "demo.sqlite"
        with open_ledger(demo, create=True) as ledger, ledger.write() as s:
            build_demo(s)
        runs = [probe(demo, "start") for _ in range(args.repeat)]
        results["demo"] = sorted(runs, key=lambda r: r["shown_s"])[len(runs) // 2]
        big = Path(tmp) / "big.sqlite"
        t0 = time.perf_counter()
        make_big(big, args.postings)
        results["make_big_s"] = time.perf_counter() - t0
        runs = [probe(big, "journal") for _ in range(args.repeat)]
        results["big"] = sorted(runs, key=lambda r: r["journal_first_page_s"])[len(runs) // 2]
        medians = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
        results["big_medians"] = medians
        results["sorted_ratios"] = {
            f"{name}_{what}": medians[f"sorted_{name}_{what}_s"] / medians[f"journal_{what}_s"]
            for name in ("debit", "memo")
            for what in ("first_page", "last_row")
        }
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()

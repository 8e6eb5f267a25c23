"""Notice benchmark: a journal of 10,000 entries to PDF and to Excel, each against the library
doing the least it can with the same rows, measured in the same run; a monthly notice; memory.

Run from the repository root (see BENCHMARKS.md):

    .venv/bin/python -m tests.benchmarks.bench_reports --entries 10000

* PDF: ``render_pdf`` of the journal notice (rows streamed from the ledger, formatted in the
  notice's language, tables of 40 rows with header and total, page header and footer with
  第 x 页 共 y 页, signatures, digest and QR code) against reportlab building the same
  formatted rows as plain platypus tables of 40 rows each in the same font — nothing else.
* Excel: ``render_xlsx`` of the same notice (summary sheet, formats, SUM formulas, freeze,
  autofilter, print setup) against openpyxl write-only appending the same rows — the same
  cell values (dates, texts, exact decimal yuan) — with no format, formula or sheet setup.
* The monthly notice: the trust-property notice of one month of the demo's estate (about 120
  entries) and of a generated month of about 200 entries.
* Memory: peak RSS of a fresh process printing the journal of N and of 4N entries.
Both sides read the same rows from the same ledger with the same query inside the timing (the
baselines through ``journal_rows``), so the ratio is what the notice adds: styles, formats,
formulas, the summary, headers and footers.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
CHUNK = 40


def timed(fn: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def make_ledger(path: Path, entries: int) -> None:
    """A micro-fund book with ``entries`` two- to four-line entries in November 2024."""
    from ledger.db import open_ledger
    from ledger.domain import BookKind, Role
    from ledger.services.books import create_book
    from ledger.services.entries import EntryDraft, PostingLine, post_entries
    from ledger.services.users import create_user
    from tests.benchmarks.bench_ledger import generate

    with open_ledger(path, create=True) as ledger:
        with ledger.write() as s:
            admin = create_user(
                s, username="admin", role=Role.ADMIN, password="gongzhang-demo", actor=None
            )
            book = create_book(
                s, kind=BookKind.MICRO_FUND, name="基准测试社区微基金", actor=admin,
                organisation="基准测试社区",
            )  # fmt: skip
            drafts = []
            for n, (_date, memo, lines) in enumerate(generate(entries * 5 // 2)):
                if n == entries:
                    break
                day = dt.date(2024, 11, 1 + n * 30 // entries)
                drafts.append(EntryDraft(day, memo, [PostingLine(c, f) for c, f in lines]))
            post_entries(s, book_id=book.id or 0, drafts=drafts, actor=admin)


def journal_rows(path: Path, *, as_text: bool) -> tuple[list[list[Any]], list[str]]:
    """The journal's rows read from the ledger with the notice's own query: as the notice
    prints them (text, for the PDF baseline) or as the workbook stores them (dates, texts,
    exact decimal yuan, for the Excel baseline); and the column headers."""
    from ledger import i18n
    from ledger.db import open_ledger
    from ledger.models import Book
    from reports.format import cell_text
    from reports.notices.books import journal_table
    from reports.notices.common import parse_report_period
    from reports.xlsx import _value

    i18n.set_language("zh")
    convert = cell_text if as_text else _value
    with open_ledger(path) as ledger, ledger.read() as s:
        book = s.get(Book, 1)
        assert book is not None
        table = journal_table(s, book=book, period=parse_report_period("2024-11"))
        kinds = [c.kind for c in table.columns]
        rows = [[convert(v, k) for v, k in zip(r, kinds, strict=True)] for r in table.rows]
        return rows, [c.label for c in table.columns]


def baseline_pdf(rows: list[list[str]], header: list[str]) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import SimpleDocTemplate, Table, TableStyle

    from reports.fonts import register_font

    font = register_font()
    style = TableStyle([("FONTNAME", (0, 0), (-1, -1), font), ("FONTSIZE", (0, 0), (-1, -1), 8)])
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4)
    flowables = []
    for i in range(0, len(rows), CHUNK):
        table = Table([header, *rows[i : i + CHUNK]], repeatRows=1)
        table.setStyle(style)
        flowables.append(table)
    doc.build(flowables)
    return out.getvalue()


def baseline_xlsx(rows: list[list[Any]], header: list[str]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("journal")
    ws.append(header)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def ours(path: Path, kind: str, fmt: str, period: str = "2024-11", book_id: int = 1) -> bytes:
    from ledger import i18n
    from ledger.db import open_ledger
    from ledger.models import Book
    from reports.notices.common import ReportOptions, parse_report_period
    from reports.notices.registry import build_notice
    from reports.pdf import render_pdf
    from reports.xlsx import render_xlsx

    i18n.set_language("zh")
    out = io.BytesIO()
    with open_ledger(path) as ledger, ledger.read() as s:
        book = s.get(Book, book_id)
        assert book is not None
        notice = build_notice(
            s, book=book, kind=kind, period=parse_report_period(period), options=ReportOptions()
        )
        (render_pdf if fmt == "pdf" else render_xlsx)(notice, out)
    return out.getvalue()


def _child_rss(path: Path, fmt: str) -> float:
    """Peak RSS (MB) of a fresh process printing the journal: VmHWM, which, unlike ru_maxrss,
    starts afresh at exec instead of keeping the forking parent's high-water mark."""
    code = (
        "from pathlib import Path; "
        "from tests.benchmarks.bench_reports import ours; "
        f"ours(Path({str(path)!r}), 'journal', {fmt!r}); "
        "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0]; "
        "print(int(hwm.split()[1]) / 1024)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True, cwd=ROOT
    )
    return float(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    results: dict[str, Any] = {"python": platform.python_version(), "cpus": os.cpu_count()}
    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp) / "journal.sqlite"
        small = Path(tmp) / "quarter.sqlite"
        make_ledger(big, args.entries)
        make_ledger(small, args.entries // 4)
        results["entries"] = args.entries
        results["rows"] = len(journal_rows(big, as_text=True)[0])
        results["baseline_pdf_s"] = timed(
            lambda: baseline_pdf(*journal_rows(big, as_text=True)), args.repeat
        )
        results["ours_pdf_s"] = timed(lambda: ours(big, "journal", "pdf"), args.repeat)
        results["baseline_xlsx_s"] = timed(
            lambda: baseline_xlsx(*journal_rows(big, as_text=False)), args.repeat
        )
        results["ours_xlsx_s"] = timed(lambda: ours(big, "journal", "xlsx"), args.repeat)
        results["pdf_ratio"] = results["ours_pdf_s"] / results["baseline_pdf_s"]
        results["xlsx_ratio"] = results["ours_xlsx_s"] / results["baseline_xlsx_s"]
        monthly = Path(tmp) / "monthly.sqlite"
        make_ledger(monthly, 200)
        results["monthly_200_entries_pdf_s"] = timed(
            lambda: ours(monthly, "income_expenditure", "pdf"), args.repeat
        )
        demo = Path(tmp) / "demo.sqlite"
        from ledger.db import open_ledger
        from ledger.demo import build_demo

        with open_ledger(demo, create=True) as ledger, ledger.write() as s:
            build_demo(s)
        results["demo_property_month_pdf_s"] = timed(
            lambda: ours(demo, "property_monthly", "pdf", "2024-11", 2), args.repeat
        )
        results["demo_property_month_xlsx_s"] = timed(
            lambda: ours(demo, "property_monthly", "xlsx", "2024-11", 2), args.repeat
        )
        for fmt in ("pdf", "xlsx"):
            results[f"rss_{fmt}_quarter_mb"] = _child_rss(small, fmt)
            results[f"rss_{fmt}_full_mb"] = _child_rss(big, fmt)
    print(json.dumps(results, indent=2))
    print()
    print("| what | ours | baseline | ratio |")
    print("|---|---:|---:|---:|")
    print(
        f"| journal of {args.entries:,} entries ({results['rows']:,} rows) to PDF "
        f"| {results['ours_pdf_s']:.2f} s | {results['baseline_pdf_s']:.2f} s "
        f"| {results['pdf_ratio']:.2f}× |"
    )
    print(
        f"| the same to Excel | {results['ours_xlsx_s']:.2f} s "
        f"| {results['baseline_xlsx_s']:.2f} s | {results['xlsx_ratio']:.2f}× |"
    )


if __name__ == "__main__":
    main()

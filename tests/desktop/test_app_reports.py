"""The reports page on a copy of the demo ledger, offscreen: the micro-fund notice of 2024-11
exported as PDF (with the book's name in it) and as Excel, on the database worker; a bad period
disables the export with its one sentence; a cancelled export leaves no file, neither the
notice nor a temporary one; the preview shows the notice in its own language, whatever the
app's; notices about a vote or a receipt ask for it."""

from __future__ import annotations

import os
import threading
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from openpyxl import load_workbook
from pytestqt.qtbot import QtBot

from desktop.app.database import Database
from desktop.app.pages.reports import ReportsPage
from ledger import i18n
from tests.desktop import test_app
from tests.reports.conftest import pdf_text

# The fixtures of the app's tests: a copy of the demo ledger and its Database.
ledger_path = test_app.ledger_path
database = test_app.database
user = test_app.user

WAIT = 30000
BOOK = "碧鸡桥社区微基金"


def open_page(qtbot: QtBot, database: Database, book_id: int, kind: str) -> ReportsPage:
    page = ReportsPage(database, book_id, kind, user(database, "li.kuaiji"))
    qtbot.addWidget(page)
    page.resize(1000, 700)
    page.show()
    with qtbot.waitSignal(page.loaded, timeout=WAIT):
        page.refresh()
    return page


def choose(page: ReportsPage, notice: str, period: str, language: str, fmt: str) -> None:
    page.notice.setCurrentIndex(page.notice.findData(notice))
    page.period.set_text(period)
    page.language.setCurrentIndex(page.language.findData(language))
    page.format.setCurrentIndex(page.format.findData(fmt))


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_the_micro_fund_notice_of_november_exports_as_pdf(
    qtbot: QtBot, database: Database, tmp_path: Path
) -> None:
    tmp_path = tmp_path / "out"
    page = open_page(qtbot, database, 1, "micro_fund")
    assert [page.notice.itemData(i) for i in range(page.notice.count())] == [
        "income_expenditure",
        "journal",
        "trial_balance",
        "balance_sheet",
        "activities",
        "vote",
        "receipt",
    ]
    assert page.period.text() == "2024-12"  # the book's latest month, to start with
    choose(page, "income_expenditure", "2024-11", "zh", "pdf")
    assert page.export_button.isEnabled()
    out = tmp_path / "notice.pdf"
    with qtbot.waitSignal(page.exported, timeout=WAIT) as done:
        page.export_to(out)
        assert page.bar.isVisible() and page.cancel_button.isVisible()
        assert not page.export_button.isEnabled()  # one export at a time
    assert done.args[0] == str(out)
    data = out.read_bytes()
    assert data.startswith(b"%PDF")
    text = pdf_text(out)
    assert BOOK in text
    assert "2024年11月" in text or "2024-11" in text
    assert leftovers(out.parent) == ["notice.pdf"]  # no temporary file left behind
    assert not page.bar.isVisible() and page.export_button.isEnabled()
    assert page.status.text() == f"Wrote {out}."
    assert page.suggested_name() == "1-income_expenditure-2024-11.pdf"


def test_the_same_notice_exports_as_excel(qtbot: QtBot, database: Database, tmp_path: Path) -> None:
    tmp_path = tmp_path / "out"
    page = open_page(qtbot, database, 1, "micro_fund")
    choose(page, "income_expenditure", "2024-11", "en", "xlsx")
    out = tmp_path / "notice.xlsx"
    with qtbot.waitSignal(page.exported, timeout=WAIT):
        page.export_to(out)
    assert out.read_bytes().startswith(b"PK")
    book = load_workbook(out, read_only=True)
    cells = [
        str(value)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    ]
    assert any(BOOK in value for value in cells)
    assert book.sheetnames[0] == "Summary"  # the notice's language, English
    assert leftovers(tmp_path)[-1] == "notice.xlsx"
    assert not [n for n in leftovers(tmp_path) if n.startswith(".gongzhang-")]


def test_a_bad_period_disables_the_export_with_its_sentence(
    qtbot: QtBot, database: Database, tmp_path: Path
) -> None:
    tmp_path = tmp_path / "out"
    page = open_page(qtbot, database, 1, "micro_fund")
    choose(page, "income_expenditure", "2024-13", "zh", "pdf")
    sentence = (
        "“2024-13” is not a period; write a month (2024-11), a quarter (2024-Q4) or a year (2024)."
    )
    assert page.period.error.text() == sentence
    assert not page.export_button.isEnabled() and not page.preview_button.isEnabled()
    assert page.export_button.toolTip() == sentence
    with qtbot.waitSignal(page.export_failed, timeout=WAIT) as failed:
        page.export_to(tmp_path / "never.pdf")
    assert failed.args[0] == sentence
    assert leftovers(tmp_path) == []
    for good in ("2024-Q4", "2024", "2024年11月"):
        page.period.set_text(good)
        assert page.export_button.isEnabled(), good
    page.period.set_text("")
    assert not page.export_button.isEnabled()
    assert page.problem_label.text() == "Required."


def test_cancel_before_the_worker_starts_leaves_no_file(
    qtbot: QtBot, database: Database, tmp_path: Path
) -> None:
    tmp_path = tmp_path / "out"
    page = open_page(qtbot, database, 1, "micro_fund")
    choose(page, "income_expenditure", "2024-11", "zh", "pdf")
    gate = threading.Event()
    database.read(lambda s: gate.wait(10), lambda _result: None)  # the worker is busy
    out = tmp_path / "cancelled.pdf"
    with qtbot.waitSignal(page.export_cancelled, timeout=WAIT):
        page.export_to(out)
        page.cancel_export()
        gate.set()
    assert leftovers(tmp_path) == []
    assert page.status.text() == "Export cancelled; no file was written."
    assert page.export_button.isEnabled() and not page.cancel_button.isVisible()


def test_cancel_during_a_long_pdf_stops_it_and_leaves_no_file(
    qtbot: QtBot, database: Database, tmp_path: Path
) -> None:
    tmp_path = tmp_path / "out"
    page = open_page(qtbot, database, 2, "trust_property")
    choose(page, "journal", "2024", "zh", "pdf")
    pages: list[int] = []

    def first_page(n: int) -> None:
        pages.append(n)
        page.cancel_export()

    page.progress.connect(first_page)
    out = tmp_path / "journal.pdf"
    with qtbot.waitSignal(page.export_cancelled, timeout=WAIT):
        page.export_to(out)
    assert pages  # it had started printing pages
    assert leftovers(tmp_path) == []


def test_the_preview_is_in_the_notice_language_not_the_apps(
    qtbot: QtBot, database: Database
) -> None:
    i18n.set_language("zh")
    page = open_page(qtbot, database, 1, "micro_fund")
    assert page.preview_button.text() == "预览" or page.preview_button.text() == "Preview"
    choose(page, "income_expenditure", "2024-11", "en", "pdf")
    with qtbot.waitSignal(page.preview_ready, timeout=WAIT):
        page.show_preview()
    text = page.preview.toPlainText()
    assert f"{BOOK} income and expenditure notice" in text
    assert "Income by source" in text
    assert i18n.current_language() == "zh_CN"  # the app's language is back
    choose(page, "income_expenditure", "2024-11", "zh", "pdf")
    with qtbot.waitSignal(page.preview_ready, timeout=WAIT):
        page.show_preview()
    assert "收支公示" in page.preview.toPlainText()
    assert page.print_button.isEnabled()
    page.period.set_text("2024-10")  # another notice: the preview no longer shows it
    assert page.preview.toPlainText() == "" and not page.print_button.isEnabled()


def test_a_vote_notice_asks_for_the_vote_and_a_receipt_for_the_receipt(
    qtbot: QtBot, database: Database, tmp_path: Path
) -> None:
    tmp_path = tmp_path / "out"
    page = open_page(qtbot, database, 2, "trust_property")
    page.notice.setCurrentIndex(page.notice.findData("vote"))
    assert page.vote.currentData() == 1
    assert page.period.isHidden() or not page.form.isRowVisible(page.period)
    out = tmp_path / "vote.pdf"
    with qtbot.waitSignal(page.exported, timeout=WAIT):
        page.export_to(out)
    assert "审议2025年度开放式预算" in pdf_text(out)

    fund = open_page(qtbot, database, 1, "micro_fund")
    fund.notice.setCurrentIndex(fund.notice.findData("receipt"))
    assert fund.form.isRowVisible(fund.receipt)
    assert fund.receipt.text().startswith("捐-2024-")
    fund.receipt.set_text("捐-2024-9999")
    with qtbot.waitSignal(fund.export_failed, timeout=WAIT) as failed:
        fund.export_to(tmp_path / "receipt.pdf")
    # The refusal in the app's language (English here), though the notice would be Chinese.
    assert fund.language.currentData() == "zh"
    assert failed.args[0] == "There is no donation receipt 捐-2024-9999 in this book."
    assert not (tmp_path / "receipt.pdf").exists()
    fund.receipt.set_text("not a number")
    assert not fund.export_button.isEnabled()

"""The journal page sorted by a click on any column's header (on the demo's trust-property book,
2,846 postings in 15 pages): the rows come in the order of the raw values (fen, codes, memos),
ties by posting id, with the filters still applied; while an order is read the old rows stay
and the page says it is sorting; a second click meanwhile wins; a failed sort goes back."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot
from sqlalchemy import text
from sqlmodel import Session

from desktop.app.database import Database
from desktop.app.errors import presenter
from desktop.app.models import SORT_ROLE
from desktop.app.pages.journal import JournalPage
from ledger.errors import LedgerBusyError
from ledger.services.journal import JournalFilter, JournalRow, JournalSort, journal_count
from ledger.services.journal import journal_order as real_journal_order
from tests.desktop import test_app

database = test_app.database
ledger_path = test_app.ledger_path
user = test_app.user

BOOK = 2  # 金河绿洲: 2,846 postings
DATE, VOUCHER, MEMO, ACCOUNT, DEBIT, CREDIT = range(6)


def open_page(qtbot: QtBot, database: Database) -> JournalPage:
    page = JournalPage(database, BOOK, "trust_property", user(database, "admin"))
    qtbot.addWidget(page)
    page.resize(1100, 600)
    page.show()
    with qtbot.waitSignal(page.model.counted, timeout=5000):
        page.refresh()
    return page


def click_header(qtbot: QtBot, page: JournalPage, column: int) -> None:
    header = page.view.horizontalHeader()
    x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
    QTest.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))


def rows(qtbot: QtBot, page: JournalPage, numbers: range | list[int]) -> list[JournalRow]:
    """The journal lines at these row numbers, once their pages have arrived."""
    model = page.model
    qtbot.waitUntil(lambda: all(model.journal_row(n) is not None for n in numbers), timeout=5000)
    found = [model.journal_row(n) for n in numbers]
    return [r for r in found if r is not None]


def indicator(page: JournalPage) -> tuple[int, Qt.SortOrder]:
    header = page.view.horizontalHeader()
    return header.sortIndicatorSection(), header.sortIndicatorOrder()


def query(database: Database, sql: str) -> list[tuple[Any, ...]]:
    with database.ledger.read() as s:
        return [tuple(r) for r in s.connection().execute(text(sql), {"book": BOOK})]


def test_a_click_on_debit_shows_the_largest_first_and_date_restores_the_journal(
    qtmodeltester: Any, qtbot: QtBot, database: Database
) -> None:
    page = open_page(qtbot, database)
    model = page.model
    total = model.total
    journal = rows(qtbot, page, range(5))
    # A first click on an amount sorts it largest first.
    with qtbot.waitSignal(model.order_shown, timeout=10000) as shown:
        click_header(qtbot, page, DEBIT)
    assert shown.args == [DEBIT, True]
    assert indicator(page) == (DEBIT, Qt.SortOrder.DescendingOrder)
    assert model.total == total
    largest = query(
        database,
        "SELECT id, amount_fen FROM posting WHERE book_id = :book AND amount_fen > 0 "
        "ORDER BY amount_fen DESC, id DESC LIMIT 20",
    )
    assert largest[0][1] == 2_703_166 == largest[11][1]  # twelve equal, newest posting first
    top = rows(qtbot, page, range(20))
    assert [(r.posting_id, r.amount_fen) for r in top] == largest
    assert model.data(model.index(0, DEBIT), SORT_ROLE) == 2_703_166
    assert model.data(model.index(0, CREDIT), SORT_ROLE) is None
    # The far end: lines with no debit, the oldest last.
    page.go_to_last_row()
    no_debit = query(
        database, "SELECT id FROM posting WHERE book_id = :book AND amount_fen <= 0 ORDER BY id"
    )
    bottom = rows(qtbot, page, range(total - 3, total))
    assert [r.posting_id for r in bottom] == [i for (i,) in no_debit[2::-1]]
    qtmodeltester.check(model)
    # A second click reverses the order read, at once: no new sort on the worker.
    seen: list[tuple[int, bool]] = []
    model.order_shown.connect(lambda c, d: seen.append((c, d)))
    click_header(qtbot, page, DEBIT)
    assert seen == [(DEBIT, False)] and not page.sorting.isVisible()
    assert [r.posting_id for r in rows(qtbot, page, range(3))] == [i for (i,) in no_debit[:3]]
    # Back to the date: the journal's own order.
    click_header(qtbot, page, DATE)
    assert seen[-1] == (DATE, False)
    assert rows(qtbot, page, range(5)) == journal


def test_each_column_sorts_on_its_raw_value_with_the_filters_applied(
    qtbot: QtBot, database: Database
) -> None:
    page = open_page(qtbot, database)
    model = page.model
    page.account.setText("1122")  # receivable fees: 1,283 postings
    with qtbot.waitSignal(model.counted, timeout=5000):
        page.apply_filters()
    filtered = JournalFilter(account_code="1122")
    with database.ledger.read() as s:
        assert model.total == journal_count(s, book_id=BOOK, filters=filtered) == 1283
    # Memo: by the text itself, ties by posting id; the account filter still applies.
    with qtbot.waitSignal(model.order_shown, timeout=10000):
        click_header(qtbot, page, MEMO)
    assert model.total == 1283
    memos = query(
        database,
        "SELECT p.id, e.memo FROM posting p JOIN entry e ON e.id = p.entry_id "
        "JOIN account a ON a.id = p.account_id WHERE p.book_id = :book AND a.code LIKE '1122%' "
        "ORDER BY e.memo, p.id",
    )
    sample = [0, 1, 2, 199, 200, 640, 1282]
    got = rows(qtbot, page, sample)
    assert [(r.posting_id, r.memo) for r in got] == [memos[i] for i in sample]
    assert all(r.account_code == "1122" for r in got)
    # Credit, largest first, then the lines with no credit.
    with qtbot.waitSignal(model.order_shown, timeout=10000):
        click_header(qtbot, page, CREDIT)
    credits = query(
        database,
        "SELECT p.id, -p.amount_fen FROM posting p JOIN account a ON a.id = p.account_id "
        "WHERE p.book_id = :book AND a.code = '1122' AND p.amount_fen < 0 "
        "ORDER BY p.amount_fen, p.id DESC",
    )
    assert [(r.posting_id, r.credit_fen) for r in rows(qtbot, page, range(10))] == credits[:10]
    # A new filter keeps the column sorted on: the whole book in April, by account code.
    with qtbot.waitSignal(model.order_shown, timeout=10000):
        click_header(qtbot, page, ACCOUNT)
    page.account.setText("")
    page.date_from.setText("2024-04-01")
    page.date_to.setText("2024-04-30")
    with qtbot.waitSignal(model.counted, timeout=10000):
        page.apply_filters()
    assert indicator(page) == (ACCOUNT, Qt.SortOrder.AscendingOrder)
    april = query(
        database,
        "SELECT p.id, a.code FROM posting p JOIN account a ON a.id = p.account_id "
        "WHERE p.book_id = :book AND p.date BETWEEN '2024-04-01' AND '2024-04-30' "
        "ORDER BY a.code, p.id",
    )
    assert model.total == len(april) > 200
    got = rows(qtbot, page, range(len(april)))
    assert [(r.posting_id, r.account_code) for r in got] == april
    # Voucher: by year and number.
    with qtbot.waitSignal(model.order_shown, timeout=10000):
        click_header(qtbot, page, VOUCHER)
    numbers = [r.number for r in rows(qtbot, page, range(model.total))]
    assert numbers == sorted(numbers, key=lambda n: tuple(int(p) for p in n.split("-")[1:]))
    assert all(r.date.month == 4 for r in rows(qtbot, page, range(model.total)))


def test_while_an_order_is_read_the_old_rows_stay_and_the_last_click_wins(
    qtbot: QtBot, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    read: list[JournalSort] = []

    def journal_order(session: Session, **kwargs: Any) -> Any:
        read.append(kwargs["sort"])
        return real_journal_order(session, **kwargs)

    monkeypatch.setattr("desktop.app.models.journal_order", journal_order)
    page = open_page(qtbot, database)
    model = page.model
    first = rows(qtbot, page, [0])[0]
    gate = threading.Event()
    database.read(lambda session: gate.wait(10), lambda _: None)  # the worker is busy
    busy: list[bool] = []
    shown: list[tuple[int, bool]] = []
    model.sorting.connect(busy.append)
    model.order_shown.connect(lambda c, d: shown.append((c, d)))
    click_header(qtbot, page, DEBIT)
    assert busy == [True] and page.sorting.isVisible()
    assert indicator(page) == (DEBIT, Qt.SortOrder.DescendingOrder)
    assert model.journal_row(0) == first  # the old rows stay meanwhile
    click_header(qtbot, page, MEMO)
    assert page.sorting.isVisible() and indicator(page) == (MEMO, Qt.SortOrder.AscendingOrder)
    gate.set()
    qtbot.waitUntil(lambda: bool(shown), timeout=10000)
    qtbot.waitUntil(lambda: database.pending == 0, timeout=10000)
    assert shown == [(MEMO, False)] and busy == [True, False]
    assert read == [JournalSort.MEMO]  # the debit order was dropped before it began
    assert not page.sorting.isVisible()
    memos = [r.memo for r in rows(qtbot, page, range(200))]
    assert memos == sorted(memos)


def test_a_sort_that_fails_is_reported_and_the_header_goes_back(
    qtbot: QtBot, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    def journal_order(session: Session, **kwargs: Any) -> Any:
        raise LedgerBusyError("The ledger is being changed by another program.")

    monkeypatch.setattr("desktop.app.models.journal_order", journal_order)
    page = open_page(qtbot, database)
    first = rows(qtbot, page, [0])[0]
    with qtbot.waitSignal(presenter().shown, timeout=5000) as shown:
        click_header(qtbot, page, MEMO)
    assert "another program" in shown.args[0]
    assert indicator(page) == (DATE, Qt.SortOrder.AscendingOrder)
    assert not page.sorting.isVisible()
    assert page.model.sort_column == DATE and page.model.journal_row(0) == first

"""The desktop app on a copy of the demo ledger, offscreen (pytest-qt): the window opens with
the books and their figures, the journal scrolls to its last row, a reversal goes through the
services, what a role may not do is disabled, and the language switches at run time."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot
from sqlmodel import col, func, select

from desktop.app.database import Database
from desktop.app.main_window import MainWindow
from desktop.app.models import ColumnSpec, JournalModel, RowsModel, SortProxy
from desktop.app.pages.dashboard import DashboardPage
from desktop.app.pages.journal import JournalPage
from desktop.app.session import SignedIn, signed_in
from ledger import i18n
from ledger.access import Action
from ledger.db import open_ledger
from ledger.models import Entry
from ledger.money import format_fen
from ledger.services.dashboard import book_dashboard
from ledger.services.entries import PostingLine, post_entry
from ledger.services.users import get_user


@pytest.fixture
def ledger_path(demo_path: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "demo.sqlite"
    shutil.copy(demo_path, copy)
    return copy


@pytest.fixture
def database(ledger_path: Path) -> Iterator[Database]:
    QSettings("Gongzhang", "GongzhangTests")
    db = Database(open_ledger(ledger_path))
    yield db
    db.close()


def user(database: Database, name: str) -> SignedIn:
    with database.ledger.read() as s:
        return signed_in(get_user(s, name))


def test_the_main_window_shows_the_books_and_the_dashboard(
    qtbot: QtBot, database: Database
) -> None:
    i18n.set_language("zh")
    window = MainWindow(database, user(database, "admin"))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.book_list.count() == 3, timeout=5000)
    assert "碧鸡桥社区微基金" in window.book_list.item(0).text()
    page = window.pages[0]
    assert isinstance(page, DashboardPage)
    qtbot.waitUntil(lambda: page.data is not None, timeout=5000)
    with database.ledger.read() as s:
        expected = book_dashboard(s, book_id=1)
    assert page.values["money"].text() == format_fen(expected.money_fen)
    assert page.values["pending"].text() == str(expected.pending_approvals)
    assert [window.tabs.tabText(i) for i in range(window.tabs.count())][:2] == ["概览", "明细账"]
    window.set_language("en")
    assert [window.tabs.tabText(i) for i in range(2)] == ["Overview", "Journal"]
    assert window.menuBar().actions()[0].text() == "&File"


def test_the_journal_jumps_to_its_last_row(qtbot: QtBot, database: Database) -> None:
    page = JournalPage(database, 2, "trust_property", user(database, "admin"))
    qtbot.addWidget(page)
    page.show()
    with qtbot.waitSignal(page.model.counted, timeout=5000):
        page.refresh()
    total = page.model.total
    assert total > 2000
    page.go_to_last_row()
    last = page.model.index(total - 1, 1)
    qtbot.waitUntil(lambda: bool(page.model.data(last)), timeout=5000)
    assert page.model.data(last).startswith("记-2024-")


def test_a_reversal_from_the_journal_posts_a_linked_entry(qtbot: QtBot, database: Database) -> None:
    page = JournalPage(database, 1, "micro_fund", user(database, "admin"))
    qtbot.addWidget(page)
    with database.ledger.write() as s:
        posted = post_entry(
            s,
            book_id=1,
            date=dt.date(2024, 12, 20),
            memo="零星捐赠",
            lines=[PostingLine("1001", 5_000), PostingLine("410109", -5_000)],
            actor=get_user(s, "li.kuaiji"),
        )
        target = posted.id
        before = s.exec(select(func.count()).select_from(Entry)).one()
    assert target is not None
    with qtbot.waitSignal(database.changed, timeout=5000):
        page.reverse(target)
    with database.ledger.read() as s:
        assert s.exec(select(func.count()).select_from(Entry)).one() == before + 1
        assert s.exec(select(Entry).where(col(Entry.reverses_id) == target)).one()


def test_an_auditor_may_not_reverse_and_the_service_refuses_anyway(
    qtbot: QtBot, database: Database
) -> None:
    from desktop.app.errors import presenter

    auditor = user(database, "chen.shenji")
    assert not auditor.may(Action.REVERSE_ENTRY)
    page = JournalPage(database, 1, "micro_fund", auditor)
    qtbot.addWidget(page)
    with qtbot.waitSignal(presenter().shown, timeout=5000) as shown:
        page.reverse(1)
    assert "may not reverse entries" in shown.args[0] or "不能" in shown.args[0]


def test_the_models_pass_the_model_tester(qtmodeltester, qtbot: QtBot, database: Database) -> None:  # type: ignore[no-untyped-def]
    rows = RowsModel(
        [ColumnSpec("Name"), ColumnSpec("Amount", "money")],
        [("甲", 123_456_789_012), ("乙", -5), ("丙", None)],
    )
    qtmodeltester.check(rows)
    proxy = SortProxy()
    proxy.setSourceModel(rows)
    proxy.sort(1)
    # Sorted on the fen themselves (beyond 32 bits), None first.
    assert [proxy.index(r, 0).data() for r in range(3)] == ["丙", "乙", "甲"]
    journal = JournalModel(database, 1)
    with qtbot.waitSignal(journal.counted, timeout=5000):
        journal.reload()
    with qtbot.waitSignal(journal.page_loaded, timeout=5000):
        journal.data(journal.index(0, 0))
    qtmodeltester.check(journal)


def test_imports_run_on_the_worker_and_a_bad_row_imports_nothing(
    qtbot: QtBot, database: Database, tmp_path: Path
) -> None:
    from openpyxl import Workbook

    from desktop.app.errors import presenter
    from ledger.models import BookHousehold, Vote

    window = MainWindow(database, user(database, "admin"))
    qtbot.addWidget(window)
    pabulib = Path(__file__).resolve().parents[3] / "shared" / "pabulib"
    piaski = pabulib / "Poland_Warszawa_2017_Piaski.pb"
    with qtbot.waitSignal(database.changed, timeout=10000):
        window.import_pb_from(1, str(piaski))
    assert (
        "Imported Poland_Warszawa_2017_Piaski.pb as vote 4" in window.statusBar().currentMessage()
    )
    with database.ledger.read() as s:
        assert s.get(Vote, 4) is not None

    sheet = tmp_path / "households.xlsx"
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["户名", "人数"])
    ws.append(["碧鸡桥五组1号", 3])
    ws.append(["碧鸡桥五组2号", "三"])  # not a number: row 3 is refused, row 2 is not kept
    wb.save(sheet)
    with database.ledger.read() as s:
        before = len(s.exec(select(BookHousehold)).all())
    with qtbot.waitSignal(presenter().shown, timeout=10000) as shown:
        window.import_register_from(1, str(sheet))
    assert "Row 3" in shown.args[0]
    with database.ledger.read() as s:
        assert len(s.exec(select(BookHousehold)).all()) == before


def test_cancelled_long_work_leaves_nothing_behind(
    qtbot: QtBot, database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from openpyxl import Workbook

    from desktop.app.errors import presenter
    from ledger.models import BookHousehold

    window = MainWindow(database, user(database, "admin"))
    qtbot.addWidget(window)
    pressed = threading.Event()
    pressed.set()  # as if Cancel were pressed as soon as the work started
    monkeypatch.setattr(window, "_cancellable", lambda: pressed)

    sheet = tmp_path / "households.xlsx"
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["户名", "人数"])
    ws.append(["碧鸡桥六组1号", 3])
    wb.save(sheet)
    with database.ledger.read() as s:
        before = len(s.exec(select(BookHousehold)).all())
    with qtbot.waitSignal(presenter().shown, timeout=10000) as shown:
        window.import_register_from(1, str(sheet))
    assert "Cancelled" in shown.args[0]
    with database.ledger.read() as s:
        assert len(s.exec(select(BookHousehold)).all()) == before

    target = tmp_path / "backup.sqlite"
    with qtbot.waitSignal(presenter().shown, timeout=10000) as shown:
        window.back_up_to(str(target))
    assert "Cancelled" in shown.args[0]
    assert list(tmp_path.glob("backup.sqlite*")) == []

    pressed.clear()  # not cancelled: the backup is made, its progress shown page by page
    seen: list[tuple[int, int]] = []
    window.progress_relay.progress.connect(lambda done, total: seen.append((done, total)))
    with qtbot.waitSignal(database.busy, timeout=10000, check_params_cb=lambda busy: not busy):
        window.back_up_to(str(target))
    assert target.exists() and "Backed up" in window.statusBar().currentMessage()
    qtbot.waitUntil(lambda: bool(seen), timeout=5000)
    assert seen[-1][0] == seen[-1][1] > 0  # all pages copied


def test_the_journal_sorts_newest_first_by_date(qtbot: QtBot, database: Database) -> None:
    from PySide6.QtCore import Qt

    page = JournalPage(database, 1, "micro_fund", user(database, "admin"))
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.model.counted, timeout=5000):
        page.refresh()
    first = page.model.index(0, 1)
    qtbot.waitUntil(lambda: bool(page.model.data(first)), timeout=5000)
    oldest = page.model.data(first)
    page.view.sortByColumn(0, Qt.SortOrder.DescendingOrder)
    qtbot.waitUntil(lambda: bool(page.model.data(page.model.index(0, 1))), timeout=5000)
    newest = page.model.data(page.model.index(0, 1))
    with database.ledger.read() as s:
        latest = s.exec(
            select(Entry)
            .where(col(Entry.book_id) == 1)
            .order_by(col(Entry.date).desc(), col(Entry.id).desc())
        ).first()
        assert latest is not None
        expected = f"记-{latest.year}-{latest.seq:04d}"
    assert oldest == "记-2024-0001" and newest == expected
    last = page.model.index(page.model.total - 1, 1)
    qtbot.waitUntil(lambda: bool(page.model.data(last)), timeout=5000)
    assert page.model.data(last) == "记-2024-0001"
    page.view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    qtbot.waitUntil(lambda: page.model.data(page.model.index(0, 1)) == oldest, timeout=5000)

"""The village pages of the desktop app on a copy of the demo ledger (book 3, 全兴村), offscreen:
households with shares and members (never heads' names), the exit schedule and the
distributions show the services' figures; a household added or changed through the forms, a
period's profit distributed through the form; what a role may not do is disabled and refused
by the service anyway; every table model passes the model tester."""

# ruff: noqa: F811 - the fixtures imported from test_app are the parameters of the tests
from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from fractions import Fraction

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlmodel import select

from desktop.app.database import Database
from desktop.app.errors import presenter
from desktop.app.pages.base import BookPage
from desktop.app.pages.village import DistributionsPage, ExitSchedulePage, HouseholdsPage
from ledger.models import Household
from ledger.money import format_fen, to_capital
from ledger.rules.sharing import SPLIT_PARTS
from ledger.services.households import add_household
from ledger.services.sharing import (
    distribution_report,
    get_exit_schedule,
    list_distributions,
    village_households,
)
from ledger.services.users import get_user
from tests.desktop.test_app import database, ledger_path, user  # noqa: F401

BOOK = 3
KIND = "collective_revenue"


def opened(qtbot: QtBot, page: BookPage) -> None:
    qtbot.addWidget(page)
    page.resize(1000, 700)
    page.show()
    with qtbot.waitSignal(page.loaded, timeout=5000):  # type: ignore[attr-defined]
        page.refresh()


@contextmanager
def worker_held(qtbot: QtBot, database: Database) -> Iterator[None]:
    """Keep the database worker busy until the block ends, as on a loaded machine: what the page
    asks meanwhile waits in the queue, and the answers come back, in order, after the user has
    typed on. Waits for the last answer."""
    holding, release = threading.Event(), threading.Event()

    def hold(_session: object) -> None:
        holding.set()
        release.wait(10)

    database.read(hold, lambda _none: None)
    assert holding.wait(5)
    try:
        yield
    finally:
        release.set()
    qtbot.waitUntil(lambda: database.pending == 0, timeout=5000)


def click(qtbot: QtBot, button: object) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)  # type: ignore[arg-type]


def check_models(qtmodeltester, *views: object) -> None:  # type: ignore[no-untyped-def]
    for view in views:
        model = view.model()  # type: ignore[attr-defined]
        qtmodeltester.check(model)
        source = getattr(model, "sourceModel", None)
        if source is not None:
            qtmodeltester.check(source())


# --- households ----------------------------------------------------------------------------------


def test_the_households_page_shows_shares_and_members_never_heads(
    qtbot: QtBot, qtmodeltester, database: Database
) -> None:  # type: ignore[no-untyped-def]
    with database.ledger.write() as s:
        # A head's name is private: give one household a name to make sure it never shows.
        household = s.exec(select(Household).where(Household.id == 5)).one()
        household.head_name = "张德明"
        s.add(household)
    page = HouseholdsPage(database, BOOK, KIND, user(database, "admin"))
    opened(qtbot, page)
    with database.ledger.read() as s:
        expected = [
            (h.id, h.label, h.shares, h.members) for h in village_households(s, book_id=BOOK)
        ]
    assert page.model.rows == expected
    assert len(expected) == 40
    shown = {
        page.model.data(page.model.index(r, c))
        for r in range(page.model.rowCount())
        for c in range(page.model.columnCount())
    }
    assert "张德明" not in shown
    assert page.totals.text() == (
        f"40 households, {sum(h[2] for h in expected)} shares, "
        f"{sum(h[3] for h in expected)} members."
    )
    check_models(qtmodeltester, page.view)


def test_adding_a_household_and_changing_its_shares_through_the_forms(
    qtbot: QtBot, database: Database
) -> None:
    page = HouseholdsPage(database, BOOK, KIND, user(database, "li.kuaiji"))
    opened(qtbot, page)
    assert not page.add_button.isEnabled()
    page.label.set_text("全兴村一组01户")
    assert "There is already a household" in page.label.error.text()
    assert not page.add_button.isEnabled()
    page.label.set_text("全兴村六组01户")
    page.new_shares.setValue(12)
    page.new_members.setValue(3)
    assert page.add_button.isEnabled()
    with qtbot.waitSignal(page.loaded, timeout=5000):
        click(qtbot, page.add_button)
    with database.ledger.read() as s:
        added = [
            (h.id, h.label, h.shares, h.members)
            for h in village_households(s, book_id=BOOK)
            if h.label == "全兴村六组01户"
        ]
    assert len(added) == 1 and added[0][2:] == (12, 3)
    assert page.model.rows[-1] == added[0]
    # Change a household's shares: choosing its row fills the form.
    page.view.selectRow(0)
    assert page.chosen.currentData() == 5
    assert (page.shares.value(), page.members.value()) == (10, 4)
    assert not page.save_button.isEnabled()
    assert page.save_button.toolTip() == "Nothing has changed yet."
    page.shares.setValue(11)
    assert page.save_button.isEnabled()
    messages: list[str] = []
    page.message.connect(messages.append)
    with qtbot.waitSignal(page.loaded, timeout=5000):
        click(qtbot, page.save_button)
    with database.ledger.read() as s:
        changed = s.get(Household, 5)
        assert changed is not None and (changed.shares, changed.members) == (11, 4)
    assert page.model.rows[0][2] == 11
    assert messages == ["Household 5 “全兴村一组01户” now has 11 shares and 4 members."]


def test_an_auditor_may_not_change_households_and_the_service_refuses_anyway(
    qtbot: QtBot, database: Database
) -> None:
    page = HouseholdsPage(database, BOOK, KIND, user(database, "chen.shenji"))
    opened(qtbot, page)
    page.label.set_text("全兴村六组02户")
    page.shares.setValue(99)
    for button in (page.add_button, page.save_button):
        assert not button.isEnabled()
        assert button.toolTip() == "Your role may not manage donors and payees."
    with qtbot.waitSignal(presenter().shown, timeout=5000) as shown:
        page.change(5, 99, None)
    assert "may not manage donors and payees" in shown.args[0]


def test_a_household_outside_the_village_is_not_listed(qtbot: QtBot, database: Database) -> None:
    with database.ledger.write() as s:
        add_household(s, label="别村某户", shares=5, actor=get_user(s, "admin"))
    page = HouseholdsPage(database, BOOK, KIND, user(database, "admin"))
    opened(qtbot, page)
    assert "别村某户" not in [r[1] for r in page.model.rows]


# --- the exit schedule ---------------------------------------------------------------------------


def test_the_exit_schedule_page_shows_the_investors_share_by_year(
    qtbot: QtBot, qtmodeltester, database: Database
) -> None:  # type: ignore[no-untyped-def]
    page = ExitSchedulePage(database, BOOK, KIND, user(database, "chen.shenji"))
    opened(qtbot, page)
    with database.ledger.read() as s:
        view = get_exit_schedule(s, book_id=BOOK)
    assert [(r[0], r[1], r[2], r[3], r[5]) for r in page.model.rows] == [
        (y.contract_year, y.starts, y.ends, Fraction(y.investor_bp, 10_000), ", ".join(y.used_by))
        for y in view.rows
    ]
    assert len(page.model.rows) == 20
    assert page.model.data(page.model.index(2, 3)) == "63.00%"
    assert page.model.data(page.model.index(2, 4)) == "37.00%"
    assert page.model.data(page.model.index(2, 5)) == "2024"
    assert page.summary.text() == "The investor's contract from 2022-01-01, 20 years."
    assert page.note.text() == view.note
    check_models(qtmodeltester, page.view)


# --- distributions -------------------------------------------------------------------------------


def test_the_distributions_page_shows_the_demos_distribution(
    qtbot: QtBot, qtmodeltester, database: Database
) -> None:  # type: ignore[no-untyped-def]
    page = DistributionsPage(database, BOOK, KIND, user(database, "admin"))
    opened(qtbot, page)
    with database.ledger.read() as s:
        report = distribution_report(s, book_id=BOOK, period="2024")
    assert page.periods.rows == [("2024", report.date, report.entry_number, report.profit_fen)]
    assert [r[3] for r in page.parts.rows] == [
        *(report.parts[p] for p in SPLIT_PARTS),
        report.investor_fen,
        report.profit_fen,
    ]
    assert [r[1] for r in page.parts.rows[:4]] == [3, 3, 3, 1]
    assert page.households.rows == [
        (h.label, h.shares, h.members, h.dividend_fen, h.per_capita_fen, h.total_fen)
        for h in report.households
    ]
    figures = page.figures.text()
    assert f"Profit: {format_fen(report.profit_fen)}" in figures
    assert f"the investor's share is 63%, {format_fen(report.investor_fen)}" in figures
    assert report.entry_number in page.summary.text()
    check_models(qtmodeltester, page.periods_view, page.parts_view, page.households_view)


def test_distributing_a_periods_profit_through_the_form(qtbot: QtBot, database: Database) -> None:
    page = DistributionsPage(database, BOOK, KIND, user(database, "li.kuaiji"))
    opened(qtbot, page)
    assert not page.distribute_button.isEnabled()
    page.period.set_text("2024-06")
    assert "already been distributed" in page.distribute_button.toolTip()
    page.period.set_text("2025-13")
    assert "is not a period" in page.period.error.text()
    # The look-up of 2024-06 may still be on its way: the page announces 2025's profit only.
    with qtbot.waitSignal(page.profit_known, timeout=5000):
        page.period.set_text("2025")
    assert f"The book's profit for it: {format_fen(0)}." in page.period.note.text()
    assert not page.distribute_button.isEnabled()
    assert "a loss or zero profit" in page.distribute_button.toolTip()
    page.profit.set_text("100,000")
    assert page.profit.capitals.text() == to_capital(10_000_000)
    page.weights.set_text("3:3:3")
    assert "is not a split" in page.weights.error.text()
    page.weights.set_text("3:3:3:1")
    page.date.set_text("2025-06-30")
    assert "date it on or after 2025-12-31" in page.distribute_button.toolTip()
    page.date.set_text("")
    assert page.distribute_button.isEnabled()
    with qtbot.waitSignal(page.loaded, timeout=5000):
        click(qtbot, page.distribute_button)
    with database.ledger.read() as s:
        assert [d.period for d in list_distributions(s, book_id=BOOK)] == ["2024", "2025"]
        report = distribution_report(s, book_id=BOOK, period="2025")
    assert report.profit_fen == 10_000_000 and report.contract_year == 4
    assert page.data is not None and page.data.report == report
    assert [p[0] for p in page.periods.rows] == ["2024", "2025"]
    assert page.households.rows[0][5] == report.households[0].total_fen
    # Choosing the other period shows it.
    with qtbot.waitSignal(page.loaded, timeout=5000):
        page.periods_view.selectRow(0)
    assert page.data.report is not None and page.data.report.period == "2024"


def test_an_answer_to_a_period_typed_before_never_replaces_the_one_typed_now(
    qtbot: QtBot, database: Database
) -> None:
    page = DistributionsPage(database, BOOK, KIND, user(database, "li.kuaiji"))
    opened(qtbot, page)
    shown = f"From 2025-01-01 to 2025-12-31. The book's profit for it: {format_fen(0)}."
    announced: list[str] = []
    page.profit_known.connect(lambda: announced.append(page.period.note.text()))
    # 2024-06's profit comes back after 2025 is typed: dropped, 2025's is shown, then announced.
    with worker_held(qtbot, database):
        page.period.set_text("2024-06")
        page.period.set_text("2025")
    assert announced == [shown]
    assert page.period.note.text() == shown
    # Back to 2025, whose profit is known, while 2024-06's is on its way again: 2025's stays.
    with worker_held(qtbot, database):
        page.period.set_text("2024-06")
        page.period.set_text("2025")
        assert page.period.note.text() == shown
    assert page.period.note.text() == shown
    assert announced == [shown]
    assert "a loss or zero profit" in page.distribute_button.toolTip()


def test_a_reload_after_a_distribution_shows_the_distribution_made(
    qtbot: QtBot, database: Database
) -> None:
    page = DistributionsPage(database, BOOK, KIND, user(database, "li.kuaiji"))
    opened(qtbot, page)
    database.changed.connect(page.refresh)  # as the main window reloads a page after a write
    periods: list[str | None] = []
    page.loaded.connect(
        lambda: periods.append(page.data.report.period if page.data and page.data.report else None)
    )
    # The page's own load of 2025 is still on its way when the write's reload is asked for.
    with worker_held(qtbot, database):
        page.distribute("2025", profit_fen=10_000_000)
    assert periods == ["2025"]
    assert [p[0] for p in page.periods.rows] == ["2024", "2025"]
    # Two periods chosen one after the other, then a reload: the one chosen last is shown.
    with worker_held(qtbot, database):
        page.show_period("2025")
        page.show_period("2024")
        page.refresh()
    assert periods == ["2025", "2024"]
    assert page.data is not None and page.data.report is not None
    assert page.data.report.period == "2024"


def test_an_auditor_may_not_distribute_and_the_service_refuses_anyway(
    qtbot: QtBot, database: Database
) -> None:
    page = DistributionsPage(database, BOOK, KIND, user(database, "chen.shenji"))
    opened(qtbot, page)
    page.period.set_text("2025")
    page.profit.set_text("1,000")
    assert not page.distribute_button.isEnabled()
    assert page.distribute_button.toolTip() == "Your role may not record entries."
    with qtbot.waitSignal(presenter().shown, timeout=5000) as shown:
        page.distribute("2025", profit_fen=100_000)
    assert "may not record entries" in shown.args[0]


@pytest.mark.parametrize("cls", [HouseholdsPage, ExitSchedulePage, DistributionsPage])
def test_the_pages_open_in_chinese(qtbot: QtBot, database: Database, cls: type[BookPage]) -> None:
    from ledger import i18n

    i18n.set_language("zh")
    page = cls(database, BOOK, KIND, user(database, "admin"))
    opened(qtbot, page)
    assert page.isVisible() and page.data is not None  # type: ignore[attr-defined]
    assert i18n._(cls.title) != cls.title  # the tab's title is translated

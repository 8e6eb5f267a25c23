"""The trust-property pages of the desktop app on a copy of the demo ledger (book 2, 金河绿洲),
offscreen: units, fees and collections, remuneration and the open budget show the services'
figures; a collection typed into the form lowers that unit's arrears by its amount; the
drafter of a budget cannot approve it (disabled in the page, refused by the service); what a
role may not do is disabled; every table model passes the model tester."""

# ruff: noqa: F811 - the fixtures imported from test_app are the parameters of the tests
from __future__ import annotations

import datetime as dt
import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop.app.database import Database
from desktop.app.errors import presenter
from desktop.app.pages.base import BookPage
from desktop.app.pages.property import BudgetPage, FeesPage, RemunerationPage, UnitsPage
from ledger.errors import GongzhangError
from ledger.money import format_fen, parse_money, to_capital
from ledger.rules.property import format_bp
from ledger.services.property import (
    arrears,
    arrears_by_building,
    bill_period,
    budget_execution,
    collect,
    collection_rate,
    find_unit,
    get_budget,
    list_remunerations,
    list_units,
    remuneration_owed,
    unit_label,
)
from ledger.services.users import get_user
from tests.desktop.test_app import database, ledger_path, user  # noqa: F401

BOOK = 2
KIND = "trust_property"


def opened(qtbot: QtBot, page: BookPage) -> None:
    qtbot.addWidget(page)
    page.resize(1000, 700)
    page.show()
    with qtbot.waitSignal(page.loaded, timeout=5000):  # type: ignore[attr-defined]
        page.refresh()


def click(qtbot: QtBot, button: object) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)  # type: ignore[arg-type]


def check_models(qtmodeltester, page: BookPage, *views: object) -> None:  # type: ignore[no-untyped-def]
    for view in views:
        model = view.model()  # type: ignore[attr-defined]
        qtmodeltester.check(model)
        source = getattr(model, "sourceModel", None)
        if source is not None:
            qtmodeltester.check(source())


# --- units ---------------------------------------------------------------------------------------


def test_the_units_page_shows_areas_and_owner_keys_never_names(
    qtbot: QtBot, qtmodeltester, database: Database
) -> None:  # type: ignore[no-untyped-def]
    page = UnitsPage(database, BOOK, KIND, user(database, "admin"))
    opened(qtbot, page)
    with database.ledger.read() as s:
        units = [
            (unit_label(u), u.area_dm2, u.owner_key, u.owner_name)
            for u in list_units(s, book_id=BOOK)
        ]
    assert [(r[0], r[2], r[3]) for r in page.model.rows] == [(u[0], u[1], u[2]) for u in units]
    assert len(page.model.rows) == 120
    shown = {
        page.model.data(page.model.index(r, c))
        for r in range(page.model.rowCount())
        for c in range(page.model.columnCount())
    }
    names = {u[3] for u in units if u[3]}
    assert names and not names & shown
    assert page.model.data(page.model.index(0, 2)) == "95.12"
    assert "120 units" in page.summary.text()
    page.filter.setText("5-2-6")
    assert page.view.model().rowCount() == 2
    check_models(qtmodeltester, page, page.view)


# --- fees and collections ------------------------------------------------------------------------


def test_the_fees_page_shows_the_rate_the_arrears_and_the_collection_rate(
    qtbot: QtBot, qtmodeltester, database: Database
) -> None:  # type: ignore[no-untyped-def]
    page = FeesPage(database, BOOK, KIND, user(database, "li.kuaiji"))
    opened(qtbot, page)
    with database.ledger.read() as s:
        buildings = arrears_by_building(s, book_id=BOOK)
        owing = arrears(s, book_id=BOOK)
        rate = collection_rate(s, book_id=BOOK, period="2024-12")
    assert "2.50" in page.rate_label.text()
    assert page.buildings.rows == [
        (b.building, b.units, b.units_owing, b.billed_fen, b.owed_fen, b.prepaid_fen)
        for b in buildings
    ]
    assert [(r[0], r[1]) for r in page.owing.rows] == [(a.unit, a.owed_fen) for a in owing]
    assert (
        page.owed_total.text() == f"Owed in all: {format_fen(sum(b.owed_fen for b in buildings))}."
    )
    assert rate.percent in page.rate_text.text()
    assert format_fen(rate.collected_fen) in page.rate_text.text()
    # Another month's rate.
    page.rate_period.set_text("2024-06")
    with qtbot.waitSignal(page.loaded, timeout=5000):
        page.refresh()
    with database.ledger.read() as s:
        june = collection_rate(s, book_id=BOOK, period="2024-06")
    assert f"Collection rate of 2024-06: {format_fen(june.collected_fen)}" in page.rate_text.text()
    assert june.percent in page.rate_text.text()
    check_models(qtmodeltester, page, page.buildings_view, page.owing_view)


def test_a_collection_through_the_form_reduces_the_units_arrears(
    qtbot: QtBot, database: Database
) -> None:
    page = FeesPage(database, BOOK, KIND, user(database, "li.kuaiji"))
    opened(qtbot, page)
    unit, owed = page.owing.rows[0][0], page.owing.rows[0][1]
    assert page.owed_of(unit) == owed > 10_000
    assert not page.collect_button.isEnabled()
    page.unit.set_text(unit)
    assert format_fen(owed) in page.unit.note.text()
    page.collect_date.set_text("2024-12-20")
    page.amount.set_text("abc")
    with pytest.raises(GongzhangError) as refused:
        parse_money("abc")
    assert page.amount.error.text() == str(refused.value)
    assert page.amount.error.isVisibleTo(page)
    assert not page.collect_button.isEnabled()
    assert page.collect_button.toolTip() == str(refused.value)
    page.amount.set_text("100")
    assert page.amount.capitals.text() == to_capital(10_000)
    assert not page.amount.error.isVisibleTo(page)
    assert page.collect_button.isEnabled()
    messages: list[str] = []
    page.message.connect(messages.append)
    with qtbot.waitSignal(page.loaded, timeout=5000):
        click(qtbot, page.collect_button)
    assert page.owed_of(unit) == owed - 10_000
    with database.ledger.read() as s:
        after = {a.unit: a.owed_fen for a in arrears(s, book_id=BOOK)}
    assert after[unit] == owed - 10_000
    assert messages and messages[0].startswith(f"Received {format_fen(10_000)} from {unit}")
    assert page.amount.text() == ""


def test_a_unit_that_does_not_exist_and_a_closed_month_are_refused(
    qtbot: QtBot, database: Database
) -> None:
    page = FeesPage(database, BOOK, KIND, user(database, "li.kuaiji"))
    opened(qtbot, page)
    page.unit.set_text("9-9-999")
    assert "There is no unit “9-9-999”" in page.unit.error.text()
    assert not page.collect_button.isEnabled()
    page.unit.set_text("1-1-101")
    page.amount.set_text("10.00")
    page.collect_date.set_text("2024-11-15")  # November is closed
    assert page.collect_button.isEnabled()
    with qtbot.waitSignal(presenter().shown, timeout=5000) as shown:
        click(qtbot, page.collect_button)
    assert "2024-11" in shown.args[0] or "closed" in shown.args[0]


def test_billing_a_month_through_the_form(qtbot: QtBot, database: Database) -> None:
    page = FeesPage(database, BOOK, KIND, user(database, "li.kuaiji"))
    opened(qtbot, page)
    page.bill_period.set_text("2024-13")
    assert "is not a month" in page.bill_period.error.text()
    assert not page.bill_button.isEnabled()
    page.bill_period.set_text("2024-12")
    assert "already been billed" in page.bill_period.error.text()
    assert not page.bill_button.isEnabled()
    page.bill_period.set_text("2025年1月")
    assert page.bill_period.value == "2025-01"
    assert "120 units" in page.bill_period.note.text()
    messages: list[str] = []
    page.message.connect(messages.append)
    with qtbot.waitSignal(page.loaded, timeout=5000):
        click(qtbot, page.bill_button)
    with database.ledger.read() as s:
        rate = collection_rate(s, book_id=BOOK, period="2025-01")
    assert messages[0].startswith("Billed 2025-01 in 记-2025-0001: 120 units")
    assert format_fen(rate.billed_fen) in messages[0]
    assert page.data is not None and "2025-01" in page.data.billed_periods
    assert "already been billed" in page.bill_period.error.text()


def test_an_auditor_may_not_collect_and_the_service_refuses_anyway(
    qtbot: QtBot, database: Database
) -> None:
    page = FeesPage(database, BOOK, KIND, user(database, "chen.shenji"))
    opened(qtbot, page)
    page.unit.set_text("1-1-101")
    page.amount.set_text("10.00")
    page.collect_date.set_text("2024-12-20")
    page.bill_period.set_text("2025-01")
    for button in (page.collect_button, page.bill_button):
        assert not button.isEnabled()
        assert button.toolTip() == "Your role may not record entries."
    assert page.data is not None
    with qtbot.waitSignal(presenter().shown, timeout=5000) as shown:
        page.record_collection(page.data.units["1-1-101"][0], dt.date(2024, 12, 20), 1_000)
    assert "may not record entries" in shown.args[0]


# --- remuneration --------------------------------------------------------------------------------


def test_the_remuneration_page_shows_basis_times_rate_and_the_gifts(
    qtbot: QtBot, qtmodeltester, database: Database
) -> None:  # type: ignore[no-untyped-def]
    page = RemunerationPage(database, BOOK, KIND, user(database, "admin"))
    opened(qtbot, page)
    with database.ledger.read() as s:
        rows = list_remunerations(s, book_id=BOOK)
        owed = remuneration_owed(s, book_id=BOOK)
    assert len(page.model.rows) == len(rows) == 12
    for shown, r in zip(page.model.rows, rows, strict=True):
        assert (shown[0], shown[1], shown[3], shown[4], shown[5]) == (
            r.period,
            r.basis_fen,
            r.amount_fen,
            r.number,
            r.gift_fen,
        )
    assert page.model.data(page.model.index(0, 2)) == format_bp(rows[0].rate_bp)
    assert "15.00%" in page.rule.text()
    assert f"remuneration {format_fen(sum(r.amount_fen for r in rows))}" in page.totals.text()
    assert f"Still owed to the company: {format_fen(owed)}." in page.totals.text()
    assert page.period.text() == "2025-01"
    check_models(qtmodeltester, page, page.view)


def test_posting_a_months_remuneration_from_the_page(qtbot: QtBot, database: Database) -> None:
    with database.ledger.write() as s:
        treasurer = get_user(s, "li.kuaiji")
        bill_period(s, book_id=BOOK, period="2025-01", actor=treasurer)
        unit = find_unit(s, book_id=BOOK, ref="1-1-101")
        collect(
            s,
            book_id=BOOK,
            unit_id=unit.id or 0,
            date=dt.date(2025, 1, 10),
            amount_fen=100_000,
            actor=treasurer,
        )
    page = RemunerationPage(database, BOOK, KIND, user(database, "li.kuaiji"))
    opened(qtbot, page)
    assert page.post_button.isEnabled()
    with qtbot.waitSignal(page.loaded, timeout=5000):
        click(qtbot, page.post_button)
    last = page.model.rows[-1]
    with database.ledger.read() as s:
        posted = list_remunerations(s, book_id=BOOK)[-1]
    assert last[0] == posted.period == "2025-01"
    assert last[3] == posted.amount_fen == posted.basis_fen * 15 // 100
    # Posted once: a second time is refused by the service.
    with qtbot.waitSignal(presenter().shown, timeout=5000) as shown:
        page.post("2025-01")
    assert "already been posted" in shown.args[0]


def test_an_auditor_may_not_post_remuneration(qtbot: QtBot, database: Database) -> None:
    page = RemunerationPage(database, BOOK, KIND, user(database, "chen.shenji"))
    opened(qtbot, page)
    assert not page.post_button.isEnabled()
    assert page.post_button.toolTip() == "Your role may not record entries."
    with qtbot.waitSignal(presenter().shown, timeout=5000) as shown:
        page.post("2025-01")
    assert "may not record entries" in shown.args[0]


# --- the open budget -----------------------------------------------------------------------------


def test_the_budget_page_shows_the_execution_and_the_owners_vote(
    qtbot: QtBot, qtmodeltester, database: Database
) -> None:  # type: ignore[no-untyped-def]
    page = BudgetPage(database, BOOK, KIND, user(database, "admin"))
    opened(qtbot, page)
    assert page.data is not None and page.data.years == [2024, 2025]
    for year in (2024, 2025):
        with qtbot.waitSignal(page.loaded, timeout=5000):
            page.show_year(year)
        with database.ledger.read() as s:
            ex = budget_execution(s, book_id=BOOK, year=year)
        assert [(r[0], r[2], r[3], r[5]) for r in page.model.rows] == [
            (line.account_code, line.budget_fen, line.actual_fen, line.remaining_fen)
            for line in ex.lines
        ]
        assert [
            page.model.data(page.model.index(row, 4)) for row in range(page.model.rowCount())
        ] == [line.percent_used for line in ex.lines]
        assert f"budget {format_fen(ex.budget_fen)}" in page.totals.text()
        assert page.year_choice.currentText() == str(year)
        assert not page.approve_button.isEnabled()
        assert page.approve_button.toolTip() == f"The {year} budget is already approved."
    assert page.status.text().startswith("Approved by the owners' meeting vote 1.")
    with qtbot.waitSignal(page.loaded, timeout=5000):
        page.show_year(2024)
    assert page.status.text().startswith("Approved by zhao.weiyuan.")
    assert any(r[3] > 0 for r in page.model.rows)
    check_models(qtmodeltester, page, page.view)


def test_the_drafter_may_not_approve_the_budget_someone_else_does(
    qtbot: QtBot, database: Database
) -> None:
    page = BudgetPage(database, BOOK, KIND, user(database, "admin"))
    opened(qtbot, page)
    assert not page.draft_button.isEnabled()
    assert page.draft_button.toolTip() == "Fill in “Budget year”."
    page.new_year.set_text("2025")
    assert "already has a budget for 2025" in page.new_year.error.text()
    page.new_year.set_text("20x6")
    assert "is not a year" in page.new_year.error.text()
    page.new_year.set_text("2026")
    assert page.draft_button.toolTip() == "A budget needs at least one line."
    page.lines["wages"].set_text("-3")
    assert "0 or more" in page.lines["wages"].error.text()
    assert not page.draft_button.isEnabled()
    page.lines["wages"].set_text("120,000")
    page.lines["cleaning"].set_text("36000.50")
    assert page.lines["cleaning"].capitals.text() == to_capital(3_600_050)
    assert format_fen(15_600_050) in page.new_total.text()
    assert page.draft_button.isEnabled()
    with qtbot.waitSignal(page.loaded, timeout=5000):
        click(qtbot, page.draft_button)
    assert page.data is not None and page.data.year == 2026 and page.data.status == "draft"
    assert [(r[0], r[2]) for r in page.model.rows] == [
        ("5101", 12_000_000),  # wages
        ("5102", 3_600_050),  # cleaning
    ]
    assert page.status.text().startswith("Draft by admin")
    # The drafter: the button is disabled and says why; the service refuses anyway.
    assert not page.approve_button.isEnabled()
    assert (
        page.approve_button.toolTip()
        == "You drafted the 2026 budget; someone else must approve it."
    )
    with qtbot.waitSignal(presenter().shown, timeout=5000) as shown:
        page.approve(2026)
    assert shown.args[0] == "admin drafted the 2026 budget and cannot also approve it."
    with database.ledger.read() as s:
        assert get_budget(s, book_id=BOOK, year=2026).status == "draft"
    # A reviewer approves it.
    other = BudgetPage(database, BOOK, KIND, user(database, "wang.shenhe"))
    opened(qtbot, other)
    with qtbot.waitSignal(other.loaded, timeout=5000):
        other.show_year(2026)
    assert other.approve_button.isEnabled()
    other.approve_note.set_text("业主大会表决通过")
    with qtbot.waitSignal(other.loaded, timeout=5000):
        click(qtbot, other.approve_button)
    with database.ledger.read() as s:
        assert get_budget(s, book_id=BOOK, year=2026).status == "approved"
    assert other.status.text().startswith("Approved by wang.shenhe.")
    assert not other.approve_button.isEnabled()


def test_an_auditor_may_neither_draft_nor_approve(qtbot: QtBot, database: Database) -> None:
    page = BudgetPage(database, BOOK, KIND, user(database, "chen.shenji"))
    opened(qtbot, page)
    page.new_year.set_text("2026")
    page.lines["wages"].set_text("1.00")
    assert not page.draft_button.isEnabled()
    assert page.draft_button.toolTip() == "Your role may not record entries."
    assert not page.approve_button.isEnabled()
    assert page.approve_button.toolTip() == "Your role may not approve entries."
    with qtbot.waitSignal(presenter().shown, timeout=5000) as shown:
        page.draft(2026, {"wages": 100})
    assert "may not record entries" in shown.args[0]


@pytest.mark.parametrize("cls", [UnitsPage, FeesPage, RemunerationPage, BudgetPage])
def test_the_pages_open_in_chinese(qtbot: QtBot, database: Database, cls: type[BookPage]) -> None:
    from ledger import i18n

    i18n.set_language("zh")
    page = cls(database, BOOK, KIND, user(database, "admin"))
    opened(qtbot, page)
    assert page.isVisible() and page.data is not None  # type: ignore[attr-defined]
    assert i18n._(cls.title) != cls.title  # the tab's title is translated

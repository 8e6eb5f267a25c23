"""The micro-fund pages on a copy of the demo ledger, offscreen (pytest-qt): each opens with the
demo's receipts, expenses and activities; a donation typed into the form raises the money the
dashboard shows by exactly its amount; amounts are checked as they are typed, with capitals
beside them; an expense's recorder cannot approve it, in the UI nor through the service; the
tables pass the model tester."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlmodel import col, func, select

from desktop.app.database import Database
from desktop.app.errors import presenter
from desktop.app.pages.dashboard import DashboardPage
from desktop.app.pages.microfund import ActivitiesPage, DonationsPage, ExpensesPage
from ledger import i18n
from ledger.errors import GongzhangError
from ledger.models import AppUser, Attachment, AuditEvent, Counterparty, Expense
from ledger.money import parse_money, to_capital
from tests.desktop import test_app

# The shared fixtures (a copy of the demo ledger and its Database), and the user helper.
ledger_path = test_app.ledger_path
database = test_app.database
user = test_app.user

BOOK = 1
TIMEOUT = 10_000


def opened(qtbot: QtBot, page_class: type, database: Database, name: str):  # type: ignore[no-untyped-def]
    page = page_class(database, BOOK, "micro_fund", user(database, name))
    qtbot.addWidget(page)
    page.show()
    page.refresh()
    qtbot.waitUntil(lambda: page.data is not None, timeout=TIMEOUT)
    return page


def money_on_hand(qtbot: QtBot, database: Database) -> int:
    dashboard = DashboardPage(database, BOOK, "micro_fund", user(database, "admin"))
    qtbot.addWidget(dashboard)
    dashboard.refresh()
    qtbot.waitUntil(lambda: dashboard.data is not None, timeout=TIMEOUT)
    assert dashboard.data is not None
    return dashboard.data.money_fen


def parser_message(text: str) -> str:
    with pytest.raises(GongzhangError) as refused:
        parse_money(text)
    return str(refused.value)


# --- opening and models --------------------------------------------------------------------------


def test_each_page_opens_on_the_demo_and_its_models_pass(
    qtmodeltester,  # type: ignore[no-untyped-def]
    qtbot: QtBot,
    database: Database,
) -> None:
    donations = opened(qtbot, DonationsPage, database, "admin")
    assert donations.receipts.rowCount() == 21
    assert donations.receipts.row(0)[0] == "捐-2024-0001"
    assert donations.donor.count() > 5
    expenses = opened(qtbot, ExpensesPage, database, "admin")
    assert [row[0] for row in expenses.queue.rows] == [11]
    assert expenses.queue.row(0)[2] == 135_000
    assert expenses.expenses.rowCount() == 11
    activities = opened(qtbot, ActivitiesPage, database, "admin")
    banquet = next(r for r in activities.activities.rows if r[1] == "重阳宴")
    budget, spent, remaining = banquet[2], banquet[3], banquet[4]
    assert (budget, spent, remaining) == (1_100_000, 1_030_000, 70_000)
    assert activities.restricted.rowCount() == 3
    for model in (
        donations.receipts,
        donations.proxy,
        expenses.queue,
        expenses.queue_proxy,
        expenses.expenses,
        activities.activities,
        activities.proxy,
        activities.restricted,
    ):
        qtmodeltester.check(model)


# --- donations ------------------------------------------------------------------------------------


def test_a_donation_through_the_form_raises_the_money_on_hand_by_its_amount(
    qtbot: QtBot, database: Database
) -> None:
    before = money_on_hand(qtbot, database)
    page = opened(qtbot, DonationsPage, database, "admin")
    page.date.edit.setText("2024-12-20")
    page.donor.setEditText("碧鸡桥农家乐")
    assert page.donor_id() is not None
    # A merchant's gift is suggested as a local business's donation.
    assert page.source.currentData() == "merchant"
    qtbot.keyClicks(page.amount.edit, "1,234.56")
    assert page.amount.capitals.text() == to_capital(123_456)
    assert page.submit_button.isEnabled()
    with qtbot.waitSignal(database.changed, timeout=TIMEOUT):
        qtbot.mouseClick(page.submit_button, Qt.MouseButton.LeftButton)
    assert money_on_hand(qtbot, database) == before + 123_456
    assert page.last_receipt == "捐-2024-0022"
    qtbot.waitUntil(lambda: page.receipts.rowCount() == 22, timeout=TIMEOUT)
    row = next(r for r in page.receipts.rows if r[0] == "捐-2024-0022")
    assert row[2] == "碧鸡桥农家乐"
    assert row[4] == 123_456
    # The form is ready for the next gift.
    assert page.amount.edit.text() == ""
    assert not page.submit_button.isEnabled()


def test_a_new_donor_is_added_and_their_name_is_masked_for_non_staff(
    qtbot: QtBot, database: Database
) -> None:
    page = opened(qtbot, DonationsPage, database, "li.kuaiji")
    page.date.edit.setText("2024-12-21")
    page.donor.setEditText("张晓明")
    assert page.donor_id() is None
    assert page.kind.isEnabled()
    assert "张晓明" in page.new_donor_hint.text()
    page.kind.setCurrentIndex(page.kind.findData("resident"))
    page.amount.edit.setText("200")
    page.purpose.setEditText("重阳宴")
    with qtbot.waitSignal(database.changed, timeout=TIMEOUT):
        page.submit()
    with database.ledger.read() as s:
        donor = s.exec(select(Counterparty).where(col(Counterparty.name) == "张晓明")).one()
        assert donor.is_individual
    qtbot.waitUntil(lambda: page.receipts.rowCount() == 22, timeout=TIMEOUT)
    staff_row = next(r for r in page.receipts.rows if r[0] == "捐-2024-0022")
    assert staff_row[2] == "张晓明"
    assert staff_row[5] == "重阳宴"
    reviewer = opened(qtbot, DonationsPage, database, "wang.shenhe")
    row = next(r for r in reviewer.receipts.rows if r[0] == "捐-2024-0022")
    assert row[2] == "张*明"
    assert "王淑芬" not in {r[2] for r in reviewer.receipts.rows}
    assert "王淑芬" not in {reviewer.donor.itemText(i) for i in range(reviewer.donor.count())}


@pytest.mark.parametrize("typed", ["12.345", "abc"])
def test_a_bad_amount_disables_submit_and_shows_the_parser_message(
    qtbot: QtBot, database: Database, typed: str
) -> None:
    page = opened(qtbot, DonationsPage, database, "admin")
    page.date.edit.setText("2024-12-20")
    page.donor.setEditText("碧鸡桥农家乐")
    page.amount.edit.setText("10")
    assert page.submit_button.isEnabled()
    page.amount.edit.clear()
    qtbot.keyClicks(page.amount.edit, typed)
    assert not page.submit_button.isEnabled()
    assert page.amount.error.isVisibleTo(page)
    assert page.amount.error.text() == parser_message(typed)
    assert page.amount.capitals.text() == ""
    page.submit()  # refused quietly: nothing is written
    assert database.pending == 0


def test_zero_a_blank_amount_and_a_bad_date_are_explained(qtbot: QtBot, database: Database) -> None:
    page = opened(qtbot, DonationsPage, database, "admin")
    page.donor.setEditText("碧鸡桥农家乐")
    qtbot.keyClicks(page.amount.edit, "0")
    assert "more than zero" in page.amount.error.text()
    page.amount.edit.backspace()  # typed away: the field says an amount is needed
    assert page.amount.error.text() == "Fill in “Amount”."
    assert page.submit_button.toolTip() == "Fill in “Amount”."
    page.date.edit.setText("2024-13-01")
    assert "is not a date" in page.date.error.text()
    assert not page.submit_button.isEnabled()


def test_the_capitals_follow_the_typed_amount_in_chinese(qtbot: QtBot, database: Database) -> None:
    i18n.set_language("zh")
    page = opened(qtbot, DonationsPage, database, "admin")
    for typed, fen in (("1234.5", 123_450), ("￥10,000", 1_000_000), ("0.07", 7)):
        page.amount.edit.setText(typed)
        assert page.amount.capitals.text() == to_capital(fen)
    assert page.amount.capitals.text() == "人民币柒分"


def test_a_refused_donation_is_explained_and_the_form_stays(
    qtbot: QtBot, database: Database
) -> None:
    page = opened(qtbot, DonationsPage, database, "admin")
    page.date.edit.setText("2024-11-15")  # November is closed
    page.donor.setEditText("碧鸡桥农家乐")
    page.amount.edit.setText("50")
    with qtbot.waitSignal(presenter().shown, timeout=TIMEOUT) as shown:
        page.submit()
    assert "closed" in shown.args[0]
    assert page.amount.edit.text() == "50"
    assert page.submit_button.isEnabled()


def test_an_auditor_may_not_record_donations(qtbot: QtBot, database: Database) -> None:
    page = opened(qtbot, DonationsPage, database, "chen.shenji")
    page.amount.edit.setText("10")
    page.donor.setEditText("碧鸡桥农家乐")
    assert not page.submit_button.isEnabled()
    assert page.submit_button.toolTip() == "Your role may not record entries."
    assert not page.amount.isEnabled()
    assert page.amount.toolTip() == "Your role may not record entries."
    assert "王*芬" in {r[2] for r in page.receipts.rows}


# --- expenses and approvals -----------------------------------------------------------------------


def test_the_recorder_cannot_approve_in_the_ui_nor_through_the_service(
    qtbot: QtBot, database: Database
) -> None:
    # The demo's pending expense 11 was recorded by the treasurer li.kuaiji.
    treasurer = opened(qtbot, ExpensesPage, database, "li.kuaiji")
    assert treasurer.select_expense(11)
    assert not treasurer.approve_button.isEnabled()
    assert treasurer.approve_button.toolTip() == "Your role may not approve entries."
    with qtbot.waitSignal(presenter().shown, timeout=TIMEOUT) as shown:
        treasurer.approve(11)
    assert "may not approve" in shown.args[0]

    # An administrator may approve, but not an expense they recorded themselves.
    admin = opened(qtbot, ExpensesPage, database, "admin")
    admin.date.edit.setText("2024-12-20")
    admin.category.setCurrentIndex(admin.category.findData("other"))
    qtbot.keyClicks(admin.amount.edit, "1,500.00")
    assert admin.amount.capitals.text() == to_capital(150_000)
    admin.memo.edit.setText("社区议事会场地布置")  # (keyClicks types ASCII only)
    with qtbot.waitSignal(database.changed, timeout=TIMEOUT):
        qtbot.mouseClick(admin.submit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: admin.queue.rowCount() == 2, timeout=TIMEOUT)
    with database.ledger.read() as s:
        mine = s.exec(select(func.max(Expense.id))).one()
    assert mine is not None
    assert admin.select_expense(mine)
    assert not admin.approve_button.isEnabled()
    assert "You recorded this expense" in admin.approve_button.toolTip()
    assert admin.select_expense(11)
    assert admin.approve_button.isEnabled()
    with qtbot.waitSignal(presenter().shown, timeout=TIMEOUT) as shown:
        admin.approve(mine)
    assert "cannot also approve" in shown.args[0]
    with database.ledger.read() as s:
        assert s.get(Expense, mine).status == "pending"  # type: ignore[union-attr]

    # Another approver may; having approved, they wait for a second one.
    reviewer = opened(qtbot, ExpensesPage, database, "wang.shenhe")
    assert reviewer.select_expense(mine)
    assert reviewer.approve_button.isEnabled()
    with qtbot.waitSignal(database.changed, timeout=TIMEOUT):
        qtbot.mouseClick(reviewer.approve_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: any(r[0] == mine and r[4] == "1/2" for r in reviewer.queue.rows), timeout=TIMEOUT
    )
    assert reviewer.select_expense(mine)
    assert not reviewer.approve_button.isEnabled()
    assert "already approved" in reviewer.approve_button.toolTip()


def test_a_rejection_needs_a_reason(qtbot: QtBot, database: Database) -> None:
    page = opened(qtbot, ExpensesPage, database, "zhao.weiyuan")
    assert page.select_expense(11)
    assert page.approve_button.isEnabled()
    assert not page.reject_button.isEnabled()
    page.reason.setText("请补充供货清单")
    assert page.reject_button.isEnabled()
    with qtbot.waitSignal(database.changed, timeout=TIMEOUT):
        qtbot.mouseClick(page.reject_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.queue.rowCount() == 0, timeout=TIMEOUT)
    with database.ledger.read() as s:
        assert s.get(Expense, 11).status == "rejected"  # type: ignore[union-attr]


def test_a_small_expense_is_posted_with_its_receipt(
    qtbot: QtBot, database: Database, tmp_path: Path
) -> None:
    scan = tmp_path / "fapiao.pdf"
    scan.write_bytes(b"%PDF-1.4 receipt")
    page = opened(qtbot, ExpensesPage, database, "li.kuaiji")
    before = money_on_hand(qtbot, database)
    page.date.edit.setText("2024-12-20")
    page.category.setCurrentIndex(page.category.findData("environment"))
    page.amount.edit.setText("86.50")
    page.memo.edit.setText("垃圾袋")
    page.pay_from.setCurrentIndex(page.pay_from.findData("cash"))
    page.receipt.edit.setText(str(tmp_path / "missing.pdf"))
    assert "There is no file" in page.receipt.error.text()
    assert not page.submit_button.isEnabled()
    page.receipt.edit.setText(str(scan))
    assert page.submit_button.isEnabled()
    with qtbot.waitSignal(database.changed, timeout=TIMEOUT):
        page.submit()
    assert money_on_hand(qtbot, database) == before - 8_650
    with database.ledger.read() as s:
        expense = s.exec(select(Expense).order_by(col(Expense.id).desc())).first()
        assert expense is not None
        assert expense.status == "posted"
        assert s.exec(
            select(Attachment.filename).where(col(Attachment.entry_id) == expense.entry_id)
        ).all() == ["fapiao.pdf"]


def test_a_receipt_cannot_go_with_an_expense_that_waits_for_approval(
    qtbot: QtBot, database: Database, tmp_path: Path
) -> None:
    scan = tmp_path / "fapiao.pdf"
    scan.write_bytes(b"%PDF-1.4 receipt")
    page = opened(qtbot, ExpensesPage, database, "li.kuaiji")
    page.amount.edit.setText("1,000.00")
    page.memo.edit.setText("大米")
    page.receipt.edit.setText(str(scan))
    assert "wait for approval" in page.receipt_note.text()
    assert not page.submit_button.isEnabled()
    page.amount.edit.setText("999.99")
    assert page.receipt_note.text() == ""
    assert page.submit_button.isEnabled()


def test_a_hardship_payment_takes_a_private_note_not_a_memo(
    qtbot: QtBot, database: Database
) -> None:
    page = opened(qtbot, ExpensesPage, database, "li.kuaiji")
    page.memo.edit.setText("名字不能出现")
    page.category.setCurrentIndex(page.category.findData("hardship"))
    assert page.memo.edit.text() == ""
    assert not page.memo.edit.isEnabled()
    page.amount.edit.setText("300")
    assert not page.submit_button.isEnabled()  # the private note is required
    page.private_note.edit.setText("3组12号，住院")
    assert page.submit_button.isEnabled()


# --- activities -----------------------------------------------------------------------------------


def test_an_activity_is_planned_with_its_budget(qtbot: QtBot, database: Database) -> None:
    page = opened(qtbot, ActivitiesPage, database, "li.kuaiji")
    page.name.edit.setText("春节写春联")
    page.date.edit.setText("2024-12-28")
    page.budget.edit.setText("-5")
    assert "zero or more" in page.budget.error.text()
    assert not page.submit_button.isEnabled()
    page.budget.edit.setText("800")
    assert page.budget.capitals.text() == to_capital(80_000)
    with qtbot.waitSignal(database.changed, timeout=TIMEOUT):
        qtbot.mouseClick(page.submit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.activities.rowCount() == 7, timeout=TIMEOUT)
    row = next(r for r in page.activities.rows if r[1] == "春节写春联")
    assert row[2:5] == (80_000, 0, 80_000)
    auditor = opened(qtbot, ActivitiesPage, database, "chen.shenji")
    assert not auditor.submit_button.isEnabled()
    assert auditor.submit_button.toolTip() == "Your role may not record entries."


def test_a_receipt_is_attached_to_a_posted_expense_from_the_list(
    qtbot: QtBot, database: Database, tmp_path: Path
) -> None:
    scan = tmp_path / "invoice.png"
    scan.write_bytes(b"\x89PNG scan")
    reviewer = opened(qtbot, ExpensesPage, database, "wang.shenhe")
    assert not reviewer.attach_button.isEnabled()
    assert reviewer.attach_button.toolTip() == "Your role may not attach receipts."
    page = opened(qtbot, ExpensesPage, database, "li.kuaiji")
    assert not page.attach_button.isEnabled()
    row = next(r for r in range(page.expenses.rowCount()) if page.expenses.row(r)[0] == 7)
    page.expense_view.selectRow(page.expense_proxy.mapFromSource(page.expenses.index(row, 0)).row())
    assert page.selected_posted() == 7
    assert page.attach_button.isEnabled()
    with qtbot.waitSignal(database.changed, timeout=TIMEOUT):
        page.attach_receipt(7, scan)
    with database.ledger.read() as s:
        entry_id = s.get(Expense, 7).entry_id  # type: ignore[union-attr]
        names = s.exec(
            select(Attachment.filename).where(col(Attachment.entry_id) == entry_id)
        ).all()
    assert "invoice.png" in names


# --- one door -------------------------------------------------------------------------------------


def test_the_pages_perform_operations_and_keep_private_notes_out_of_the_trail(
    qtbot: QtBot, database: Database
) -> None:
    """A hardship payment from the form goes through the same operation as the command line:
    the status bar says the outcome's sentence, the audit trail has the operation's facts under
    the signed-in user, and the private note is in neither."""
    note = "测试私密备注：住院"
    page = opened(qtbot, ExpensesPage, database, "li.kuaiji")
    page.date.edit.setText("2024-12-20")
    page.category.setCurrentIndex(page.category.findData("hardship"))
    page.amount.edit.setText("300")
    page.private_note.edit.setText(note)
    assert page.submit_button.isEnabled()
    with qtbot.waitSignal(page.message, timeout=TIMEOUT) as said:
        page.submit()
    assert said.args[0].startswith("Recorded expense ")
    assert "(CN¥300.00) and posted it as 记-" in said.args[0]
    with database.ledger.read() as s:
        event = s.exec(
            select(AuditEvent)
            .where(col(AuditEvent.action) == "operation")
            .order_by(col(AuditEvent.seq).desc())
        ).first()
        assert event is not None and event.object_type == "expense.record"
        assert (
            event.actor_id
            == s.exec(select(AppUser.id).where(col(AppUser.username) == "li.kuaiji")).one()
        )
        facts = json.loads(event.detail)
        assert (facts["category"], facts["amount_fen"]) == ("hardship", 30_000)
        assert "private_note" not in facts
        assert all(note not in d for d in s.exec(select(AuditEvent.detail)).all())

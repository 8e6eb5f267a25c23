"""The settings page: an administrator changes a book's setting, typed the way it is shown, and
the ledger holds it; a refused value changes nothing; a treasurer sees the values but no editor."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox
from pytestqt.qtbot import QtBot

from desktop.app.database import Database
from desktop.app.errors import presenter
from desktop.app.main_window import MainWindow
from desktop.app.pages.settings import SettingsPage
from ledger.services.settings import get_int, get_text
from ledger.verify import verify_ledger
from tests.desktop import test_app

database = test_app.database
ledger_path = test_app.ledger_path
user = test_app.user


def test_an_administrator_changes_a_setting_and_the_ledger_holds_it(
    qtbot: QtBot, database: Database
) -> None:
    page = SettingsPage(database, 1, "micro_fund", user(database, "admin"))
    qtbot.addWidget(page)
    page.refresh()
    threshold = page.rows["approval_threshold_fen"]
    qtbot.waitUntil(lambda: threshold.editor.text() != "", timeout=5000)
    assert threshold.editor.isEnabled() and threshold.save.isEnabled()
    assert "1,000.00" in threshold.default.text()
    threshold.editor.setText("2,500.00")
    with qtbot.waitSignal(page.message, timeout=5000) as said:
        threshold.save.click()
    assert "CN¥2,500.00" in said.args[0]
    qtbot.waitUntil(lambda: "changed" in threshold.default.text(), timeout=5000)
    assert threshold.editor.text() == "CN¥2,500.00"
    # The micro-fund has no remuneration; the trust-property book (the demo's book 2) has.
    assert "remuneration_basis" not in page.rows and "approvals_required" in page.rows
    trust = SettingsPage(database, 2, "trust_property", user(database, "admin"))
    qtbot.addWidget(trust)
    trust.refresh()
    assert "approvals_required" not in trust.rows
    basis = trust.rows["remuneration_basis"]
    qtbot.waitUntil(lambda: basis.default.text() != "", timeout=5000)
    assert isinstance(basis.editor, QComboBox)
    names = [basis.editor.itemText(i) for i in range(basis.editor.count())]
    assert names == ["fees collected", "fees billed"]
    assert "fees collected" in basis.default.text()
    basis.editor.setCurrentIndex(basis.editor.findData("billed"))
    with qtbot.waitSignal(trust.message, timeout=5000):
        trust.save("remuneration_basis")
    with database.ledger.read() as s:
        assert get_int(s, 1, "approval_threshold_fen") == 250_000
        assert get_text(s, 2, "remuneration_basis") == "billed"
        assert verify_ledger(s) == []


def test_a_refused_value_is_shown_and_changes_nothing(qtbot: QtBot, database: Database) -> None:
    page = SettingsPage(database, 1, "micro_fund", user(database, "admin"))
    qtbot.addWidget(page)
    page.refresh()
    approvers = page.rows["approvals_required"]
    qtbot.waitUntil(lambda: approvers.editor.text() != "", timeout=5000)
    approvers.editor.setText("12")
    with qtbot.waitSignal(presenter().shown, timeout=5000) as shown:
        approvers.save.click()
    assert "between 1 and 9" in shown.args[0]
    assert approvers.editor.text() == "12"  # kept, to be corrected
    with database.ledger.read() as s:
        assert get_int(s, 1, "approvals_required") == 2


def test_a_treasurer_sees_the_settings_but_cannot_change_them(
    qtbot: QtBot, database: Database
) -> None:
    page = SettingsPage(database, 1, "micro_fund", user(database, "li.kuaiji"))
    qtbot.addWidget(page)
    page.refresh()
    threshold = page.rows["approval_threshold_fen"]
    qtbot.waitUntil(lambda: threshold.editor.text() != "", timeout=5000)
    for row in page.rows.values():
        assert not row.editor.isEnabled() and not row.save.isEnabled()
        assert "administrator" in row.save.toolTip()
    with qtbot.waitSignal(presenter().shown, timeout=5000) as shown:
        page.save("approval_threshold_fen")  # even if asked, the operation refuses
    assert "may not" in shown.args[0]


def test_every_book_has_a_settings_tab(qtbot: QtBot, database: Database) -> None:
    window = MainWindow(database, user(database, "admin"))
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window.book_list.count() == 3, timeout=5000)
    for row in range(3):
        window.book_list.setCurrentRow(row)
        tabs = [window.tabs.tabText(i) for i in range(window.tabs.count())]
        assert "Settings" in tabs
        assert isinstance(window.pages[tabs.index("Settings")], SettingsPage)

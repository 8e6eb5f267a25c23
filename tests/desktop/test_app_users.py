"""The users page: an administrator adds a user with a role and a password (hashed); nobody
else may, in the page or in the service."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from desktop.app.database import Database
from desktop.app.errors import presenter
from desktop.app.pages.users import UsersPage
from ledger.services.users import authenticate, get_user
from tests.desktop import test_app

database = test_app.database
ledger_path = test_app.ledger_path
user = test_app.user


def test_an_administrator_adds_a_user_who_can_sign_in(qtbot: QtBot, database: Database) -> None:
    page = UsersPage(database, 1, "micro_fund", user(database, "admin"))
    qtbot.addWidget(page)
    page.refresh()
    qtbot.waitUntil(lambda: page.model.rowCount() == 5, timeout=5000)
    page.username.setText("sun.chuna")
    page.display_name.setText("孙出纳")
    page.role.setCurrentIndex(page.role.findData("treasurer"))
    page.password.setText("correct horse")
    with qtbot.waitSignal(page.message, timeout=5000):
        page.submit()
    qtbot.waitUntil(lambda: page.model.rowCount() == 6, timeout=5000)
    with database.ledger.read() as s:
        made = get_user(s, "sun.chuna")
        assert made.role == "treasurer" and made.password_hash
        assert "correct horse" not in made.password_hash
        assert authenticate(s, "sun.chuna", "correct horse").id == made.id


def test_only_an_administrator_may_add_users(qtbot: QtBot, database: Database) -> None:
    page = UsersPage(database, 1, "micro_fund", user(database, "li.kuaiji"))
    qtbot.addWidget(page)
    assert not page.add_button.isEnabled() and "administrator" in page.add_button.toolTip()
    page.username.setText("x.y")
    with qtbot.waitSignal(presenter().shown, timeout=5000) as shown:
        page.submit()
    assert "may not manage users" in shown.args[0]

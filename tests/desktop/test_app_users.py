"""The users page: an administrator adds a user with a role and a password (hashed); nobody
else may, in the page or in the service."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from desktop.app import start
from desktop.app.database import Database
from desktop.app.errors import presenter
from desktop.app.pages import users as users_page
from desktop.app.pages.users import UsersPage
from ledger.demo import DEMO_PASSWORD
from ledger.errors import NotFoundError, PermissionDeniedError
from ledger.services.users import authenticate, get_user
from ledger.verify import verify_ledger
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


def _choose(page: UsersPage, username: str) -> None:
    model = page.table.model()
    for row in range(model.rowCount()):
        if model.index(row, 0).data() == username:
            page.table.setCurrentIndex(model.index(row, 0))
            return
    raise AssertionError(username)


def _answers(monkeypatch: pytest.MonkeyPatch, page: UsersPage, *typed: str | None) -> None:
    """The password dialogs answer ``typed`` in turn (None: the user cancels)."""
    answers = iter(typed)
    monkeypatch.setattr(page, "ask_password", lambda _title, _label: next(answers))


def test_an_administrator_resets_a_password_and_the_user_signs_in_with_it(
    qtbot: QtBot, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = UsersPage(database, 1, "micro_fund", user(database, "admin"))
    qtbot.addWidget(page)
    page.refresh()
    qtbot.waitUntil(lambda: page.model.rowCount() == 5, timeout=5000)
    with database.ledger.read() as s:
        key_before = get_user(s, "li.kuaiji").public_key
    _choose(page, "li.kuaiji")
    _answers(monkeypatch, page, "new-password-1", "new-password-2")  # mistyped: nothing
    with qtbot.waitSignal(page.message, timeout=5000) as said:
        page.reset_chosen()
    assert "differ" in said.args[0]
    _answers(monkeypatch, page, "new-password-1", "new-password-1")
    with qtbot.waitSignal(page.message, timeout=5000) as said:
        page.reset_chosen()
    assert "li.kuaiji" in said.args[0]
    with database.ledger.read() as s:
        assert authenticate(s, "li.kuaiji", "new-password-1").public_key != key_before
        with pytest.raises(PermissionDeniedError):
            authenticate(s, "li.kuaiji", DEMO_PASSWORD)
        assert verify_ledger(s) == []


def test_an_administrator_disables_a_user_after_saying_yes(
    qtbot: QtBot, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = UsersPage(database, 1, "micro_fund", user(database, "admin"))
    qtbot.addWidget(page)
    page.refresh()
    qtbot.waitUntil(lambda: page.model.rowCount() == 5, timeout=5000)
    _choose(page, "zhao.weiyuan")
    monkeypatch.setattr(users_page, "plain_question", lambda *_args: False)
    page.disable_chosen()  # "no": nothing happens
    monkeypatch.setattr(users_page, "plain_question", lambda *_args: True)
    page.disable_chosen()
    qtbot.waitUntil(lambda: page.model.rowCount() == 4, timeout=5000)
    with database.ledger.read() as s, pytest.raises(NotFoundError, match="zhao.weiyuan"):
        authenticate(s, "zhao.weiyuan", DEMO_PASSWORD)


def test_a_treasurer_changes_their_own_password_and_resets_nobody(
    qtbot: QtBot, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = UsersPage(database, 1, "micro_fund", user(database, "li.kuaiji"))
    qtbot.addWidget(page)
    assert not page.reset_button.isEnabled() and not page.disable_button.isEnabled()
    assert page.passwd_button.isEnabled()
    _answers(monkeypatch, page, "wrong-password", "brand-new-pw", "brand-new-pw")
    with qtbot.waitSignal(presenter().shown, timeout=5000) as shown:
        page.change_mine()
    assert "Wrong password" in shown.args[0] or "密码错误" in shown.args[0]
    _answers(monkeypatch, page, DEMO_PASSWORD, "brand-new-pw", "brand-new-pw")
    with qtbot.waitSignal(page.message, timeout=5000):
        page.change_mine()
    with database.ledger.read() as s:
        assert authenticate(s, "li.kuaiji", "brand-new-pw").username == "li.kuaiji"


def test_the_sign_in_dialog_asks_again_after_a_wrong_password(
    qtbot: QtBot, ledger_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GONGZHANG_PASSWORD", raising=False)
    typed = iter([("wang.shenhe", "not-it"), ("wang.shenhe", DEMO_PASSWORD)])
    warnings: list[str] = []

    def answer(dialog: start.SignInDialog) -> int:
        name, password = next(typed)
        dialog.user.setCurrentIndex(dialog.user.findData(name))
        dialog.password.setText(password)
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(start.SignInDialog, "exec", answer)
    monkeypatch.setattr(start, "plain_message", lambda _p, _i, _t, text: warnings.append(text))
    window = start.open_main_window(str(ledger_path))
    assert window is not None
    qtbot.addWidget(window)
    assert len(warnings) == 1 and "wang.shenhe" in warnings[0]
    assert window.user.username == "wang.shenhe"
    window.close()


def test_cancelling_the_sign_in_opens_nothing(
    ledger_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GONGZHANG_PASSWORD", raising=False)
    monkeypatch.setattr(start.SignInDialog, "exec", lambda _d: QDialog.DialogCode.Rejected)
    assert start.open_main_window(str(ledger_path)) is None


def test_a_user_from_before_signing_keys_gets_one_at_sign_in(
    qtbot: QtBot, ledger_path: Path
) -> None:
    from ledger.db import open_ledger
    from ledger.record import also_acting

    with open_ledger(ledger_path) as ledger:
        with ledger.write() as s:
            also_acting(s, authenticate(s, "admin", DEMO_PASSWORD))
            old = get_user(s, "wang.shenhe")
            old.public_key = old.signing_key = None
            s.add(old)
    window = start.open_main_window(str(ledger_path), "wang.shenhe", DEMO_PASSWORD)
    assert window is not None
    qtbot.addWidget(window)
    window.close()
    with open_ledger(ledger_path) as ledger, ledger.read() as s:
        user = get_user(s, "wang.shenhe")
        assert user.public_key is not None and user.signing_key is not None
        assert verify_ledger(s) == []

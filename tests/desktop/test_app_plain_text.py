"""Stored names and titles are shown as typed, never as rich text: a user, book or organisation
called ``<b>x</b><img src=…>`` shows those characters in labels and message boxes."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFormLayout, QLabel, QMessageBox
from pytestqt.qtbot import QtBot

from desktop.app.database import Database
from desktop.app.errors import presenter
from desktop.app.main_window import MainWindow
from desktop.app.pages.dashboard import DashboardPage
from desktop.app.plain import PlainLabel, plain_tip
from desktop.app.session import signed_in
from ledger.db import open_ledger
from ledger.errors import InvalidInputError
from ledger.services.books import create_book
from ledger.services.users import create_user, get_user

NASTY = '<b>x</b><img src="file:///etc/passwd">'


@pytest.fixture
def database(demo_path: Path, tmp_path: Path) -> Iterator[Database]:
    copy = tmp_path / "demo.sqlite"
    shutil.copy(demo_path, copy)
    ledger = open_ledger(copy)
    with ledger.write() as s:
        admin = get_user(s, "admin")
        create_user(
            s,
            username="nasty",
            role="admin",
            display_name=NASTY,
            password="gongzhang-demo",
            actor=admin,
        )
        create_book(s, kind="micro_fund", name=NASTY, organisation=NASTY, actor=admin)
    db = Database(ledger)
    yield db
    db.close()


def test_every_label_of_the_window_shows_stored_names_as_plain_text(
    qtbot: QtBot, database: Database
) -> None:
    with database.ledger.read() as s:
        user = signed_in(get_user(s, "nasty"))
    window = MainWindow(database, user)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.book_list.count() == 4, timeout=5000)
    assert NASTY in window.who.text()
    window.book_list.setCurrentRow(3)
    page = window.pages[0]
    assert isinstance(page, DashboardPage)
    qtbot.waitUntil(lambda: page.data is not None and page.data.book_name == NASTY, timeout=5000)
    assert page.heading.text().startswith(NASTY)
    labels = window.findChildren(QLabel)
    assert labels
    # Only the field names a form layout makes for its rows (the app's own words) are left to
    # Qt; every other label is plain text.
    row_names = {
        id(item.widget())
        for form in window.findChildren(QFormLayout)
        for row in range(form.rowCount())
        if (item := form.itemAt(row, QFormLayout.ItemRole.LabelRole)) is not None
    }
    rich = [
        label.text()
        for label in labels
        if label.textFormat() != Qt.TextFormat.PlainText
        and (id(label) not in row_names or "<" in label.text())
    ]
    assert rich == []


def test_an_error_quoting_a_stored_name_is_shown_in_plain_text(qtbot: QtBot) -> None:
    said: list[str] = []
    presenter().shown.connect(said.append)
    presenter().show(InvalidInputError(f"No donor called “{NASTY}”."))
    qtbot.waitUntil(lambda: bool(said), timeout=5000)
    boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox)]
    box = next(b for b in boxes if NASTY in b.text())
    assert box.textFormat() == Qt.TextFormat.PlainText
    box.close()


def test_plain_label_and_tooltip_keep_the_characters(qtbot: QtBot) -> None:
    label = PlainLabel(NASTY)
    qtbot.addWidget(label)
    assert label.textFormat() == Qt.TextFormat.PlainText
    assert label.text() == NASTY
    assert "&lt;b&gt;" in plain_tip(NASTY) and "<b>" not in plain_tip(NASTY)
    assert plain_tip("") == ""

"""Automatic backups in the app, on a copy of the demo ledger (offscreen): closing backs up what
changed (and a failed backup asks before closing), the schedule backs up only when there were
changes, File ▸ Restore lists the backups and reopens the window on the restored data, the
settings are kept per ledger; imports fill the progress bar to its end."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot
from sqlmodel import Session, col, func, select

from desktop.app.backup_dialogs import (
    BackupSettings,
    BackupSettingsDialog,
    RestoreDialog,
    load_backup_settings,
    save_backup_settings,
)
from desktop.app.database import Database
from desktop.app.errors import presenter
from desktop.app.main_window import MainWindow
from desktop.app.session import SignedIn, signed_in
from ledger import i18n
from ledger.backup import automatic_backup, list_backups
from ledger.db import Ledger, open_ledger
from ledger.models import Entry, Vote
from ledger.services.entries import PostingLine, post_entry
from ledger.services.users import get_user

PABULIB = Path(__file__).resolve().parents[3] / "shared" / "pabulib"
SHOTS = Path(os.environ.get("GONGZHANG_SHOTS", "")) if os.environ.get("GONGZHANG_SHOTS") else None


@pytest.fixture
def ledger_path(demo_path: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "demo.sqlite"
    shutil.copy(demo_path, copy)
    return copy


@pytest.fixture
def database(ledger_path: Path) -> Iterator[Database]:
    db = Database(open_ledger(ledger_path))
    yield db
    db.close()


def admin(database: Database) -> SignedIn:
    with database.ledger.read() as s:
        return signed_in(get_user(s, "admin"))


def entries(path: Path) -> int:
    with open_ledger(path) as ledger, ledger.read() as s:
        return s.exec(select(func.count()).select_from(Entry)).one()


def post_through(qtbot: QtBot, database: Database, fen: int = 5_000) -> None:
    """A change made in the app (on the worker), as any page makes one."""

    def job(s: Session) -> None:
        post_entry(
            s,
            book_id=1,
            date=dt.date(2024, 12, 20),
            memo="零星捐赠",
            lines=[PostingLine("1001", fen), PostingLine("410109", -fen)],
            actor=get_user(s, "li.kuaiji"),
        )

    with qtbot.waitSignal(database.changed, timeout=10000):
        database.write(job, lambda _result: None)


def click(box: QMessageBox, role: QMessageBox.ButtonRole) -> None:
    [button] = [b for b in box.buttons() if box.buttonRole(b) == role]
    button.click()


def backups_of(ledger_path: Path) -> list[Path]:
    return [b.path for b in list_backups(ledger_path, verify=False)]


def test_closing_backs_up_what_changed_and_then_closes(
    qtbot: QtBot, database: Database, ledger_path: Path
) -> None:
    window = MainWindow(database, admin(database))
    qtbot.addWidget(window)
    window.show()
    before = entries(ledger_path)
    post_through(qtbot, database)
    assert not window.close()  # not yet: the backup runs first, on the worker
    assert window.isVisible() and window.closing == "backing up"
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=20000)
    [backup] = backups_of(ledger_path)
    assert backup.parent == ledger_path.parent / "demo.backups"
    assert entries(backup) == before + 1  # the change is in the backup


def test_closing_without_changes_makes_no_backup(
    qtbot: QtBot, database: Database, ledger_path: Path
) -> None:
    window = MainWindow(database, admin(database))
    qtbot.addWidget(window)
    window.show()
    assert window.close()
    assert not (ledger_path.parent / "demo.backups").exists()


def test_a_failed_backup_on_closing_is_shown_and_closing_waits_for_the_user(
    qtbot: QtBot, database: Database, ledger_path: Path, tmp_path: Path
) -> None:
    not_a_folder = tmp_path / "backups.txt"
    not_a_folder.write_text("a file where the folder should be")
    save_backup_settings(ledger_path, BackupSettings(folder=str(not_a_folder)))
    window = MainWindow(database, admin(database))
    qtbot.addWidget(window)
    window.show()
    post_through(qtbot, database)
    with qtbot.waitSignal(presenter().shown, timeout=20000) as shown:
        window.close()
    assert "is a file, not a folder" in shown.args[0]
    qtbot.waitUntil(lambda: window.close_question is not None, timeout=5000)
    assert window.close_question is not None
    click(window.close_question, QMessageBox.ButtonRole.RejectRole)
    assert window.isVisible() and window.closing == "open"  # the user stays
    window.close()
    qtbot.waitUntil(lambda: window.close_question is not None, timeout=20000)
    assert window.close_question is not None
    click(window.close_question, QMessageBox.ButtonRole.DestructiveRole)
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=5000)
    assert not_a_folder.read_text() == "a file where the folder should be"


def test_a_database_server_is_not_backed_up_by_the_app(
    qtbot: QtBot, ledger_path: Path, tmp_path: Path
) -> None:
    opened = open_ledger(ledger_path)
    server = Database(Ledger(opened.url, opened.engine, None, False, 1.0))  # as PostgreSQL is
    window = MainWindow(server, admin(server))
    qtbot.addWidget(window)
    assert "back up a database server with its own tools" in window.statusBar().currentMessage()
    assert not window.backup_timer.isActive()
    post_through(qtbot, server)
    window.restore()
    assert window.close()  # at once: no backup of a server
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo.sqlite"]


def test_the_schedule_backs_up_only_after_changes(
    qtbot: QtBot, database: Database, ledger_path: Path
) -> None:
    window = MainWindow(database, admin(database))
    qtbot.addWidget(window)
    timer = window.backup_timer
    assert timer.isActive() and timer.interval() == 30 * 60_000  # every 30 minutes by default
    qtbot.waitUntil(lambda: database.pending == 0, timeout=20000)  # the window has loaded
    timer.timeout.emit()  # nothing changed: no backup, not even a job for one
    assert database.pending == 0
    qtbot.wait(200)
    assert not (ledger_path.parent / "demo.backups").exists()

    post_through(qtbot, database)
    with qtbot.waitSignal(database.busy, timeout=20000, check_params_cb=lambda busy: not busy):
        timer.timeout.emit()
    [backup] = backups_of(ledger_path)
    assert "Backed up automatically" in window.statusBar().currentMessage()
    timer.timeout.emit()  # no change since: still one backup
    qtbot.waitUntil(lambda: database.pending == 0, timeout=20000)
    assert backups_of(ledger_path) == [backup]


def test_restore_from_the_list_reopens_the_window_on_the_restored_data(
    qtbot: QtBot, database: Database, ledger_path: Path
) -> None:
    at_backup = entries(ledger_path)
    made = automatic_backup(database.ledger, reason="manual").path
    opened: list[MainWindow] = []

    def open_other(path: str | None) -> MainWindow:
        assert path == str(ledger_path)
        other_db = Database(open_ledger(path))
        other = MainWindow(other_db, admin(other_db))
        qtbot.addWidget(other)
        opened.append(other)
        return other

    window = MainWindow(database, admin(database), open_other=open_other)
    qtbot.addWidget(window)
    window.show()
    post_through(qtbot, database)
    post_through(qtbot, database, 7_000)
    changed = entries(ledger_path)
    assert changed == at_backup + 2

    window.restore()
    dialog = window.restore_dialog
    assert isinstance(dialog, RestoreDialog)
    qtbot.waitUntil(lambda: bool(dialog.backups), timeout=20000)
    assert [b.path for b in dialog.backups] == [made]
    assert dialog.model.data(dialog.model.index(0, 3)) == "intact"
    assert dialog.restore_button.isEnabled()  # the newest that verifies is selected
    dialog.restore_button.click()
    # First the question, saying what the restore undoes: the two entries made since.
    qtbot.waitUntil(lambda: window.restore_question is not None, timeout=20000)
    question = window.restore_question
    assert question is not None
    assert "2 entries" in question.informativeText()
    assert "记-2024-" in question.informativeText()
    click(question, QMessageBox.ButtonRole.DestructiveRole)
    qtbot.waitUntil(lambda: bool(opened), timeout=20000)
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=5000)
    assert entries(ledger_path) == at_backup  # the window now shows the restored ledger
    other = opened[0]
    assert "verified intact" in other.statusBar().currentMessage()
    qtbot.waitUntil(lambda: other.book_list.count() == 3, timeout=5000)
    kept = [b for b in list_backups(ledger_path) if not b.automatic]
    assert len(kept) == 1 and entries(kept[0].path) == changed  # the ledger as it was
    other.close()
    other.database.close()


def test_restore_refuses_a_backup_that_does_not_verify_and_changes_nothing(
    qtbot: QtBot, database: Database, ledger_path: Path, tmp_path: Path
) -> None:
    window = MainWindow(database, admin(database))
    qtbot.addWidget(window)
    bad = tmp_path / "notes.sqlite"
    bad.write_text("not a ledger")
    before = entries(ledger_path)
    with qtbot.waitSignal(presenter().shown, timeout=20000) as shown:
        window.restore_from(str(bad))
    assert "not a database file" in shown.args[0]
    assert window.closing == "open" and entries(ledger_path) == before
    post_through(qtbot, database)  # the window still works on its ledger
    assert entries(ledger_path) == before + 1


def test_only_an_administrator_may_restore_in_the_app(
    qtbot: QtBot, database: Database, ledger_path: Path
) -> None:
    made = automatic_backup(database.ledger, reason="manual").path
    with database.ledger.read() as s:
        treasurer = signed_in(get_user(s, "li.kuaiji"))
    window = MainWindow(database, treasurer)
    qtbot.addWidget(window)
    before = entries(ledger_path)
    with qtbot.waitSignal(presenter().shown, timeout=5000) as shown:
        window.restore()
    assert "only an administrator" in shown.args[0]
    assert window.restore_dialog is None
    with qtbot.waitSignal(presenter().shown, timeout=5000) as shown:
        window.restore_from(str(made))
    assert "only an administrator" in shown.args[0]
    assert window.closing == "open" and entries(ledger_path) == before


def test_backup_settings_are_kept_per_ledger(
    qtbot: QtBot, database: Database, ledger_path: Path, tmp_path: Path
) -> None:
    window = MainWindow(database, admin(database))
    qtbot.addWidget(window)
    window.edit_backup_settings()
    dialog = window.settings_dialog
    assert isinstance(dialog, BackupSettingsDialog)
    assert dialog.keep.value() == 10 and dialog.interval.value() == 30
    dialog.keep.setValue(4)
    dialog.interval.setValue(15)
    dialog.folder.setText(str(tmp_path / "usb"))
    dialog.accept()
    assert load_backup_settings(ledger_path) == BackupSettings(
        enabled=True, keep=4, interval_minutes=15, folder=str(tmp_path / "usb")
    )
    assert load_backup_settings(tmp_path / "other.sqlite") == BackupSettings()
    assert window.backup_timer.interval() == 15 * 60_000
    window.edit_backup_settings()
    assert window.settings_dialog is not None and window.settings_dialog is not dialog
    window.settings_dialog.enabled.setChecked(False)
    window.settings_dialog.accept()
    assert not window.backup_timer.isActive()
    post_through(qtbot, database)
    assert window.close()  # backups are off: it closes at once
    assert not (tmp_path / "usb").exists()


def test_imports_fill_the_progress_bar_to_its_end(qtbot: QtBot, database: Database) -> None:
    window = MainWindow(database, admin(database))
    qtbot.addWidget(window)
    seen: list[tuple[int, int]] = []
    window.busy.valueChanged.connect(lambda value: seen.append((value, window.busy.maximum())))
    with qtbot.waitSignal(database.changed, timeout=30000):
        window.import_pb_from(1, str(PABULIB / "Poland_Warszawa_2018_Praga-Poludnie.pb"))
    ballots = [(v, m) for v, m in seen if m > 1]
    assert ballots[-1] == (8_699, 8_699)  # the bar reached its maximum
    assert [v for v, _m in ballots] == sorted(v for v, _m in ballots) and len(ballots) > 10
    with database.ledger.read() as s:
        assert s.exec(select(Vote).order_by(col(Vote.id).desc())).first() is not None

    from openpyxl import Workbook

    sheet = Path(database.ledger.path or "").with_name("households.xlsx")
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["户名", "人数"])
    for i in range(300):
        ws.append([f"碧鸡桥七组{i + 1}号", 1 + i % 4])
    wb.save(sheet)
    seen.clear()
    with qtbot.waitSignal(database.changed, timeout=30000):
        window.import_register_from(1, str(sheet))
    rows = [(v, m) for v, m in seen if m > 1]
    assert rows[-1] == (300, 300)
    assert "Imported 300 rows" in window.statusBar().currentMessage()


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_backup_dialogs_render(
    qtbot: QtBot, database: Database, ledger_path: Path, language: str
) -> None:
    i18n.set_language(language)
    automatic_backup(database.ledger)
    dialog = RestoreDialog(None, ledger_path, ledger_path.parent / "demo.backups")
    qtbot.addWidget(dialog)
    dialog.set_backups(list_backups(ledger_path))
    dialog.show()
    settings = BackupSettingsDialog(None, ledger_path, BackupSettings())
    qtbot.addWidget(settings)
    settings.show()
    assert dialog.restore_button.isEnabled()
    if SHOTS is not None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        dialog.grab().save(str(SHOTS / f"restore_{language}.png"))
        settings.grab().save(str(SHOTS / f"settings_{language}.png"))

"""Backups and restores after a kill, and restores of the wrong ledger: every ledger has its own
id (kept by its copies), a restore refuses a backup of another ledger, says beforehand what it
would undo, needs an administrator, and a killed backup or restore leaves no file under a
backup's or the ledger's name."""

from __future__ import annotations

import datetime as dt
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from ledger.backup import (
    automatic_backup,
    backup_ledger,
    list_backups,
    require_restorer,
    restore_backup,
    restore_preview,
)
from ledger.db import LEDGER_ID_KEY, open_ledger
from ledger.domain import BookKind, Role
from ledger.errors import InvalidInputError, PermissionDeniedError
from ledger.services.books import create_book
from ledger.services.entries import PostingLine, post_entry
from ledger.services.users import create_user, get_user
from tests.conftest import TEST_DB

pytestmark = pytest.mark.skipif(
    bool(TEST_DB) and not TEST_DB.startswith("sqlite"), reason="file backups are of SQLite"
)
ROOT = Path(__file__).resolve().parents[2]

PASSWORD = "gongzhang-demo"


def make_ledger(path: Path) -> Path:
    with open_ledger(path, create=True) as ledger, ledger.write() as s:
        admin = create_user(s, username="admin", role=Role.ADMIN, password=PASSWORD, actor=None)
        create_user(s, username="li", role=Role.TREASURER, password=PASSWORD, actor=admin)
        create_book(s, kind=BookKind.MICRO_FUND, name="微基金", actor=admin)
    return path


def post(path: Path, n: int) -> None:
    with open_ledger(path) as ledger, ledger.write() as s:
        for i in range(n):
            post_entry(
                s,
                book_id=1,
                date=dt.date(2024, 3, 1 + i),
                memo=f"捐赠 {i}",
                lines=[PostingLine("1002", 100 + i), PostingLine("410101", -100 - i)],
                actor=get_user(s, "li"),
            )


def ledger_id(path: Path) -> str | None:
    conn = sqlite3.connect(path)
    try:
        row = conn.execute(
            "SELECT value FROM ledger_meta WHERE key = ?", (LEDGER_ID_KEY,)
        ).fetchone()
    finally:
        conn.close()
    return None if row is None else str(row[0])


def test_every_ledger_has_its_own_id_and_its_backups_share_it(tmp_path: Path) -> None:
    one = make_ledger(tmp_path / "one.sqlite")
    two = make_ledger(tmp_path / "two.sqlite")
    assert ledger_id(one) and ledger_id(two) and ledger_id(one) != ledger_id(two)
    with open_ledger(one) as ledger:
        copy = backup_ledger(ledger, tmp_path / "copy.sqlite")
    assert ledger_id(copy) == ledger_id(one)


def test_an_existing_ledger_gets_an_id_when_first_opened_for_writing(tmp_path: Path) -> None:
    path = make_ledger(tmp_path / "old.sqlite")
    conn = sqlite3.connect(path)
    conn.execute("DELETE FROM ledger_meta WHERE key = ?", (LEDGER_ID_KEY,))
    # As a ledger of schema 0004 was: no signing keys yet (0006 adds them).
    conn.execute("UPDATE alembic_version SET version_num = '0004'")
    conn.execute("ALTER TABLE app_user DROP COLUMN public_key")
    conn.execute("ALTER TABLE app_user DROP COLUMN signing_key")
    conn.commit()
    conn.close()
    assert ledger_id(path) is None
    open_ledger(path).close()
    assert ledger_id(path)


def test_a_backup_of_another_ledger_is_refused_and_nothing_changes(tmp_path: Path) -> None:
    one = make_ledger(tmp_path / "one.sqlite")
    two = make_ledger(tmp_path / "two.sqlite")
    post(two, 2)
    with open_ledger(one) as ledger:
        made = automatic_backup(ledger).path
    before = two.read_bytes()
    with pytest.raises(InvalidInputError, match="backup of another ledger"):
        restore_preview(made, two)
    with pytest.raises(InvalidInputError, match="backup of another ledger"):
        restore_backup(made, two)
    assert two.read_bytes() == before
    assert not (tmp_path / "two.backups").exists()
    assert sorted(p.name for p in tmp_path.iterdir() if "partial" in p.name) == []


def test_an_old_backup_without_an_id_is_told_apart_by_its_first_event(tmp_path: Path) -> None:
    one = make_ledger(tmp_path / "one.sqlite")
    with open_ledger(one) as ledger:
        made = backup_ledger(ledger, tmp_path / "old-copy.sqlite")
    conn = sqlite3.connect(made)
    conn.execute("DELETE FROM ledger_meta WHERE key = ?", (LEDGER_ID_KEY,))
    conn.commit()
    conn.close()
    assert restore_preview(made, one).lost_entries == 0  # its own: allowed
    other = tmp_path / "other.sqlite"
    open_ledger(other, create=True).close()
    with open_ledger(other) as ledger, ledger.write() as s:
        create_user(s, username="someone", role=Role.ADMIN, password=PASSWORD, actor=None)
    with pytest.raises(InvalidInputError, match="backup of another ledger"):
        restore_preview(made, other)


def test_the_preview_names_what_a_restore_would_undo(tmp_path: Path) -> None:
    path = make_ledger(tmp_path / "community.sqlite")
    post(path, 2)
    with open_ledger(path) as ledger:
        made = automatic_backup(ledger).path
    assert not restore_preview(made, path).loses_anything
    post(path, 3)
    with open_ledger(path) as ledger, ledger.write() as s:
        admin = get_user(s, "admin")
        create_book(s, kind=BookKind.MICRO_FUND, name="新账套", actor=admin)
    preview = restore_preview(made, path)
    assert (preview.backup_entries, preview.ledger_entries) == (2, 5)
    assert preview.lost_entries == 3
    [book] = preview.lost_books
    assert (book.book, book.entries) == ("微基金", 3)
    assert book.newest == ("记-2024-0005", "记-2024-0004", "记-2024-0003")
    assert preview.lost_events == 4  # three entries and the new book
    text = "\n".join(preview.lines())
    assert "3 entries and 4 audit events" in text and "记-2024-0005" in text
    restored = restore_backup(made, path)
    assert restored.entries == 2
    lost = tmp_path / "missing.sqlite"
    assert restore_preview(made, lost).ledger_entries is None


def test_only_an_administrator_may_restore() -> None:
    require_restorer("admin", "admin")
    for role in ("treasurer", "reviewer", "committee", "auditor"):
        with pytest.raises(PermissionDeniedError, match="only an administrator"):
            require_restorer("li", role)


KILLED_BACKUP = """
import os, sys
from ledger.backup import automatic_backup
from ledger.db import open_ledger

def stop(done, total):
    os._exit(9)  # killed half-way through the copy

with open_ledger(sys.argv[1]) as ledger:
    automatic_backup(ledger, progress=stop)
"""

KILLED_RESTORE = """
import os, sys
from ledger import backup

def killed(*args, **kwargs):
    os._exit(9)  # killed after the backup was copied and checked, before it replaced anything

backup._set_aside = killed
backup.restore_backup(sys.argv[2], sys.argv[1])
"""


def killed(script: str, *args: Path) -> None:
    done = subprocess.run([sys.executable, "-c", script, *map(str, args)], check=False, cwd=ROOT)
    assert done.returncode == 9


def test_a_killed_backup_leaves_no_backup_and_its_leftover_is_removed(tmp_path: Path) -> None:
    path = make_ledger(tmp_path / "community.sqlite")
    post(path, 3)
    killed(KILLED_BACKUP, path)
    folder = tmp_path / "community.backups"
    leftovers = [p.name for p in folder.iterdir()]
    assert leftovers and all(name.endswith(".partial") for name in leftovers)
    assert list_backups(path) == []
    with open_ledger(path) as ledger:
        made = automatic_backup(ledger).path
    assert [p.name for p in folder.iterdir()] == [made.name]
    assert [b.path for b in list_backups(path)] == [made]


def test_a_killed_restore_leaves_the_ledger_as_it_was(tmp_path: Path) -> None:
    path = make_ledger(tmp_path / "community.sqlite")
    with open_ledger(path) as ledger:
        made = automatic_backup(ledger).path
    post(path, 2)
    before = path.read_bytes()
    killed(KILLED_RESTORE, path, made)
    assert path.read_bytes() == before
    assert any(p.name.endswith(".partial") for p in tmp_path.iterdir())
    restored = restore_backup(made, path)
    assert restored.entries == 0
    assert not any(p.name.endswith(".partial") for p in tmp_path.iterdir())
    assert [b.path for b in list_backups(path) if b.automatic] == [made]

"""Backups: a consistent online copy that opens as a ledger, never a half-written file;
automatic backups kept to the newest N; a restore that gives back every row of every table and
refuses a backup that does not verify."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import MetaData, select
from sqlmodel import SQLModel

from ledger import clock
from ledger.backup import (
    automatic_backup,
    backup_ledger,
    backups_folder,
    list_backups,
    restore_backup,
)
from ledger.db import Ledger, open_ledger
from ledger.domain import Role
from ledger.errors import GongzhangError, InvalidInputError, LedgerBusyError, LedgerFileError
from ledger.services.entries import PostingLine, post_entry
from ledger.services.users import create_user, get_user
from ledger.verify import verify_ledger
from tests.conftest import TEST_DB, World

pytestmark = pytest.mark.skipif(
    bool(TEST_DB) and not TEST_DB.startswith("sqlite"), reason="file backups are of SQLite"
)


def dump(ledger_path: Path | str) -> dict[str, list[tuple[object, ...]]]:
    ledger = open_ledger(ledger_path)
    meta = MetaData()
    meta.reflect(ledger.engine)
    with ledger.engine.connect() as conn:
        tables = {
            t.name: sorted(map(tuple, conn.execute(select(t)).all()), key=repr)
            for t in meta.sorted_tables
        }
    ledger.close()
    return tables


def test_backup_copies_every_row_while_the_ledger_is_open(world: World, tmp_path: Path) -> None:
    with world.ledger.write() as s:
        post_entry(
            s,
            book_id=world.fund_id,
            date=dt.date(2024, 5, 1),
            memo="捐赠",
            lines=[PostingLine("1002", 5000), PostingLine("410101", -5000)],
            actor=world.user(s, "treasurer"),
        )
    dest = backup_ledger(world.ledger, tmp_path / "backup.sqlite")
    assert dest.exists()
    assert not (tmp_path / "backup.sqlite.partial").exists()
    assert world.ledger.path is not None
    assert dump(dest) == dump(world.ledger.path)
    copy = open_ledger(dest)
    with copy.read() as s:
        assert verify_ledger(s) == []
    copy.close()


def test_backup_refuses_to_overwrite_or_to_copy_onto_itself(world: World, tmp_path: Path) -> None:
    existing = tmp_path / "old.sqlite"
    existing.write_text("an older backup")
    with pytest.raises(InvalidInputError, match="already exists"):
        backup_ledger(world.ledger, existing)
    assert existing.read_text() == "an older backup"
    assert world.ledger.path is not None
    with pytest.raises(InvalidInputError, match="another file than the ledger"):
        backup_ledger(world.ledger, world.ledger.path)


# --- automatic backups and restore ---------------------------------------------------------------


class Clock:
    """The one clock, pinned: each backup is taken at the time set here."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = dt.datetime(2024, 6, 1, 8, 0, 0, tzinfo=dt.UTC)
        monkeypatch.setattr(clock, "utc_now_iso", lambda: self.now.strftime("%Y-%m-%dT%H:%M:%SZ"))

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)

    def stamp(self, when: dt.datetime | None = None) -> str:
        """How a moment appears in a backup's name (local time)."""
        return (when or self.now).astimezone().strftime("%Y%m%d-%H%M%S")


@pytest.fixture
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


@pytest.fixture
def demo_copy(demo_path: Path, tmp_path: Path) -> Iterator[Ledger]:
    path = tmp_path / "community.sqlite"
    shutil.copy(demo_path, path)
    with open_ledger(path) as ledger:
        yield ledger


def every_table(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table of the ledger at ``path``, checked to cover every table the
    models declare."""
    tables = dump(path)
    assert set(SQLModel.metadata.tables) <= set(tables)
    assert len(tables["entry"]) > 1000 and tables["posting"] and tables["audit_event"]
    return tables


def post_more(ledger: Ledger, memo: str, fen: int, count: int = 3) -> None:
    with ledger.write() as s:
        for i in range(count):
            post_entry(
                s,
                book_id=1,
                date=dt.date(2024, 12, 28),
                memo=f"{memo} {i + 1}",
                lines=[PostingLine("1002", fen + i), PostingLine("410109", -(fen + i))],
                actor=get_user(s, "li.kuaiji"),
            )


def test_a_restored_backup_gives_back_every_row_of_every_table(
    demo_copy: Ledger, fixed_clock: Clock
) -> None:
    ledger = demo_copy
    path = ledger.path
    assert path is not None
    post_more(ledger, "零星捐赠", 12_345)
    made = automatic_backup(ledger, keep=3, reason="close")
    assert (
        made.path == path.parent / "community.backups" / f"community-{fixed_clock.stamp()}.sqlite"
    )
    at_backup = every_table(path)
    assert every_table(made.path) == at_backup

    # The ledger moves on: more entries and a new user.
    post_more(ledger, "重阳宴捐赠", 50_000, count=5)
    with ledger.write() as s:
        create_user(
            s,
            username="new.clerk",
            role=Role.TREASURER,
            password="gongzhang-demo",
            actor=get_user(s, "admin"),
        )
    ledger.close()
    before_restore = every_table(path)
    assert before_restore != at_backup
    assert len(before_restore["entry"]) == len(at_backup["entry"]) + 5

    fixed_clock.advance(minutes=5)
    restored = restore_backup(made.path, path)
    assert restored.entries == len(at_backup["entry"])
    assert every_table(path) == at_backup  # every row of every table, as at backup time
    assert restored.set_aside == (
        path.parent / "community.backups" / f"community-before-restore-{fixed_clock.stamp()}.sqlite"
    )
    assert every_table(restored.set_aside) == before_restore  # nothing is lost by restoring
    assert not list(path.parent.glob("community.sqlite.*"))  # no temporary copy left
    with open_ledger(path) as again, again.read() as s:
        assert verify_ledger(s) == []
        with pytest.raises(GongzhangError):
            get_user(s, "new.clerk")


def test_pruning_keeps_exactly_the_newest_and_never_a_file_of_the_user(
    demo_copy: Ledger, fixed_clock: Clock
) -> None:
    assert demo_copy.path is not None
    folder = backups_folder(demo_copy.path)
    folder.mkdir()
    others = [
        folder / "notes.txt",
        folder / "community-old.sqlite",
        folder / "community-20240101-120000.sqlite.bak",
        folder / "other-20240101-120000.sqlite",
        folder / "community-20241399-120000.sqlite",  # not a date
        folder / "community-before-restore-20240101-120000.sqlite",
    ]
    for other in others:
        other.write_text("the user's own file")
    made = []
    for minute in range(6):
        made.append(automatic_backup(demo_copy, keep=3, reason="schedule").path)
        if minute == 2:  # two in the same second get names of their own
            made.append(automatic_backup(demo_copy, keep=3, reason="schedule").path)
        fixed_clock.advance(minutes=1)
    assert made[3].name == made[2].name.replace(".sqlite", "-2.sqlite")
    assert len(set(made)) == 7
    ours = sorted(p for p in folder.iterdir() if p not in others)
    assert ours == sorted(made[-3:])  # exactly the newest three
    for other in others:
        assert other.read_text() == "the user's own file"
    listed = list_backups(demo_copy.path, verify=False)
    assert [b.path for b in listed if b.automatic] == made[-1:-4:-1]  # newest first
    assert [b.path.name for b in listed if not b.automatic] == [others[-1].name]
    assert all(b.verified is None for b in listed)


def test_list_backups_says_which_verify(demo_copy: Ledger, fixed_clock: Clock) -> None:
    assert demo_copy.path is not None
    good = automatic_backup(demo_copy).path
    fixed_clock.advance(seconds=1)
    bad = automatic_backup(demo_copy).path
    tamper(bad)
    listed = list_backups(demo_copy.path)
    assert [(b.path, b.verified) for b in listed] == [(bad, False), (good, True)]
    assert listed[1].size == good.stat().st_size
    assert listed[1].taken == fixed_clock.now.astimezone().replace(tzinfo=None) - dt.timedelta(
        seconds=1
    )
    assert listed[0].problem is not None and "does not verify" in listed[0].problem


def tamper(backup: Path) -> None:
    """Change one posting amount in a copy, behind the ledger's back (and the balancing one,
    so the entry still sums to zero: only the hash chain can tell)."""
    conn = sqlite3.connect(backup)
    with conn:
        entry = conn.execute("SELECT entry_id FROM posting ORDER BY id LIMIT 1").fetchone()[0]
        lines = conn.execute(
            "SELECT id FROM posting WHERE entry_id = ? ORDER BY line_no", (entry,)
        ).fetchall()
        conn.execute("UPDATE posting SET amount_fen = amount_fen + 100 WHERE id = ?", lines[0])
        conn.execute("UPDATE posting SET amount_fen = amount_fen - 100 WHERE id = ?", lines[1])
    conn.close()


def test_restore_refuses_a_tampered_backup_and_changes_nothing(
    demo_copy: Ledger, fixed_clock: Clock
) -> None:
    path = demo_copy.path
    assert path is not None
    backup = automatic_backup(demo_copy).path
    tamper(backup)
    post_more(demo_copy, "零星捐赠", 700)
    demo_copy.close()
    before = path.read_bytes()
    folder_before = sorted(backup.parent.iterdir())
    with pytest.raises(InvalidInputError, match="does not verify") as refused:
        restore_backup(backup, path)
    assert "记-2024-0001" in str(refused.value)  # names the entry that was changed
    assert path.read_bytes() == before
    assert sorted(backup.parent.iterdir()) == folder_before  # no copy set aside
    assert sorted(p.name for p in path.parent.iterdir()) == [
        "community.backups",
        "community.sqlite",
    ]


def test_bad_inputs_are_refused_with_one_message_and_nothing_changes(
    demo_copy: Ledger, fixed_clock: Clock, tmp_path: Path
) -> None:
    path = demo_copy.path
    assert path is not None
    with pytest.raises(InvalidInputError, match="Keep at least 1"):
        automatic_backup(demo_copy, keep=0)
    a_file = tmp_path / "a file"
    a_file.write_text("not a folder")
    with pytest.raises(InvalidInputError, match="is a file, not a folder"):
        automatic_backup(demo_copy, folder=a_file)
    with pytest.raises(LedgerFileError, match="does not exist"):
        automatic_backup(demo_copy, folder=tmp_path / "unplugged" / "backups")
    server = Ledger(demo_copy.url, demo_copy.engine, None, False, 1.0)
    with pytest.raises(InvalidInputError, match="database server with its own tools"):
        automatic_backup(server)
    assert not backups_folder(path).exists()

    backup = automatic_backup(demo_copy, folder=tmp_path / "elsewhere").path
    assert backup.parent == tmp_path / "elsewhere"
    demo_copy.close()
    before = path.read_bytes()
    not_a_ledger = tmp_path / "notes.sqlite"
    not_a_ledger.write_text("just some text")
    empty_database = tmp_path / "empty.sqlite"
    sqlite3.connect(empty_database).execute("CREATE TABLE t (x)").connection.close()
    for source, message in [
        (not_a_ledger, "not a database file"),
        (empty_database, "not a Gongzhang ledger"),
        (tmp_path / "missing.sqlite", "There is no backup"),
        (path, "is the ledger itself"),
    ]:
        with pytest.raises(GongzhangError, match=message):
            restore_backup(source, path)
    with pytest.raises(LedgerFileError, match="does not exist"):
        restore_backup(backup, tmp_path / "no such folder" / "community.sqlite")
    with pytest.raises(InvalidInputError, match="is a file, not a folder"):
        restore_backup(backup, path, folder=a_file)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "a file",
        "community.sqlite",
        "elsewhere",
        "empty.sqlite",
        "notes.sqlite",
    ]


def test_restore_refuses_while_the_ledger_is_open_elsewhere(
    demo_copy: Ledger, fixed_clock: Clock
) -> None:
    path = demo_copy.path
    assert path is not None
    backup = automatic_backup(demo_copy).path
    post_more(demo_copy, "零星捐赠", 800)
    with demo_copy.read() as s:  # another window holds a connection to the ledger
        verify_ledger(s)
    before = every_table(path)
    with pytest.raises(LedgerBusyError, match="open in another window or program"):
        restore_backup(backup, path)
    assert every_table(path) == before
    assert [p.name for p in backup.parent.iterdir()] == [backup.name]


def test_a_lost_ledger_is_restored_where_it_was(demo_copy: Ledger, fixed_clock: Clock) -> None:
    path = demo_copy.path
    assert path is not None
    backup = automatic_backup(demo_copy).path
    demo_copy.close()
    at_backup = every_table(path)
    path.unlink()
    restored = restore_backup(backup, path)
    assert restored.set_aside is None
    assert every_table(path) == at_backup

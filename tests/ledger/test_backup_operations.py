"""Backing up and restoring as the front ends call them: the outcome's sentence and JSON, and a
restore only by a proven administrator, saying what it undid."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlmodel import select

from ledger.errors import InvalidInputError, PermissionDeniedError
from ledger.models import Entry
from ledger.operations import Credentials
from ledger.operations.backups import BackUp, RestoreBackup, back_up, restore
from ledger.services.entries import PostingLine, post_entry
from tests.conftest import TEST_DB, TEST_PASSWORD, World

pytestmark = pytest.mark.skipif(
    bool(TEST_DB) and not TEST_DB.startswith("sqlite"), reason="file backups are of SQLite"
)


def donate(world: World, memo: str) -> None:
    with world.ledger.write() as s:
        post_entry(
            s,
            book_id=world.fund_id,
            date=dt.date(2024, 5, 1),
            memo=memo,
            lines=[PostingLine("1002", 5000), PostingLine("410101", -5000)],
            actor=world.user(s, "treasurer"),
        )


def test_a_backup_says_where_it_went(world: World, tmp_path: Path) -> None:
    made = back_up(world.ledger, BackUp(dest=str(tmp_path / "copy.sqlite")))
    assert made.path == tmp_path / "copy.sqlite" and made.path.is_file()
    assert made.sentence() == f"Backed up to {tmp_path / 'copy.sqlite'}."
    assert made.as_json() == {"backup": str(tmp_path / "copy.sqlite"), "removed": []}
    folder = tmp_path / "backups"
    kept = [back_up(world.ledger, BackUp(folder=str(folder), keep=1, reason="schedule"))]
    kept.append(back_up(world.ledger, BackUp(folder=str(folder), keep=1, reason="schedule")))
    assert kept[1].sentence().startswith(f"Backed up automatically to {kept[1].path}. ")
    assert kept[1].removed == (kept[0].path,) and not kept[0].path.exists()
    assert "Removed 1 older backups" in kept[1].sentence()


def test_a_backup_to_a_file_takes_no_folder_settings(world: World, tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="--keep and --folder"):
        back_up(world.ledger, BackUp(dest=str(tmp_path / "c.sqlite"), keep=3))
    assert not (tmp_path / "c.sqlite").exists()


@pytest.mark.parametrize(
    ("who", "password", "error", "words"),
    [
        ("treasurer", TEST_PASSWORD, PermissionDeniedError, "only an administrator"),
        ("auditor", TEST_PASSWORD, PermissionDeniedError, "only an administrator"),
        ("admin", "not the password", PermissionDeniedError, "password"),
    ],
)
def test_only_a_proven_administrator_restores(
    world: World,
    tmp_path: Path,
    who: str,
    password: str,
    error: type[Exception],
    words: str,
) -> None:
    backup = back_up(world.ledger, BackUp(dest=str(tmp_path / "b.sqlite"))).path
    donate(world, "备份之后的捐赠")
    assert world.ledger.path is not None
    world.ledger.engine.dispose()
    request = RestoreBackup(str(backup), str(world.ledger.path), str(tmp_path / "kept"))
    with pytest.raises(error, match=words):
        restore(Credentials(who, password), request)
    # The ledger still holds what was recorded after the backup; nothing was set aside.
    with world.ledger.read() as s:
        assert s.exec(select(Entry.memo)).all() == ["备份之后的捐赠"]
    assert not (tmp_path / "kept").exists()


def test_a_restore_says_what_it_undid(world: World, tmp_path: Path) -> None:
    donate(world, "备份之前")
    backup = back_up(world.ledger, BackUp(dest=str(tmp_path / "b.sqlite"))).path
    donate(world, "备份之后一")
    donate(world, "备份之后二")
    assert world.ledger.path is not None
    world.ledger.engine.dispose()
    request = RestoreBackup(str(backup), str(world.ledger.path), str(tmp_path / "kept"))
    done = restore(Credentials("admin", TEST_PASSWORD), request)
    facts = done.as_json()
    assert facts["entries"] == 1
    assert facts["undone"]["entries"] == 2
    assert [b["entries"] for b in facts["undone"]["books"]] == [2]
    assert facts["set_aside"] is not None and Path(facts["set_aside"]).is_file()
    assert done.sentence().startswith(
        f"Restored b.sqlite into {world.ledger.path}: 1 entries, verified intact."
    )

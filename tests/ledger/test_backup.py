"""Online backups: a consistent copy that opens as a ledger, never a half-written file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import MetaData, select

from ledger.backup import backup_ledger
from ledger.db import open_ledger
from ledger.errors import InvalidInputError
from ledger.services.entries import PostingLine, post_entry
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

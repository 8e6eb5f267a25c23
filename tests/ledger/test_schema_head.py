"""``ledger.db.SCHEMA_HEAD`` is what opening an up-to-date ledger compares with instead of
loading alembic (issue 13): it must be the head of the migration scripts."""

from __future__ import annotations

from pathlib import Path

from ledger.db import open_ledger, schema_head
from ledger.schema_version import SCHEMA_HEAD


def test_schema_head_is_the_newest_migration() -> None:
    assert schema_head() == SCHEMA_HEAD


def test_a_new_ledger_is_at_schema_head(tmp_path: Path) -> None:
    with open_ledger(tmp_path / "new.sqlite", create=True) as ledger, ledger.read() as s:
        stored = s.connection().exec_driver_sql("SELECT version_num FROM alembic_version")
        assert stored.scalars().all() == [SCHEMA_HEAD]

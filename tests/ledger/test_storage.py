"""Opening ledger files: creation, migrations, refusals, read-only files and busy writers."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sqlite3
import stat
import threading
import time
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlmodel import SQLModel, col, func, select

from ledger.db import open_ledger, schema_head
from ledger.domain import Role
from ledger.errors import (
    LedgerBusyError,
    LedgerFileError,
    ReadOnlyLedgerError,
    SchemaTooNewError,
)
from ledger.models import AuditEvent, Entry
from ledger.services.entries import PostingLine, post_entry
from ledger.services.users import authenticate, change_password, create_user, get_user
from tests.conftest import TEST_DB, World

sqlite_only = pytest.mark.skipif(
    bool(TEST_DB) and not TEST_DB.startswith("sqlite"), reason="about SQLite files"
)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_migrations_build_exactly_the_models(world: World) -> None:
    with world.ledger.engine.connect() as conn:
        context = MigrationContext.configure(conn)
        assert context.get_current_heads() == (schema_head(),)
        assert compare_metadata(context, SQLModel.metadata) == []


@sqlite_only
def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    ledger = open_ledger(tmp_path / "a.sqlite", create=True)
    with ledger.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10_000
    ledger.close()


@sqlite_only
def test_a_missing_file_is_not_created_by_opening(tmp_path: Path) -> None:
    path = tmp_path / "nope.sqlite"
    with pytest.raises(LedgerFileError, match="There is no ledger at .*gongzhang init"):
        open_ledger(path)
    assert not path.exists()


@sqlite_only
@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"receipts 2024\n", r"not a Gongzhang ledger \(it is not a database file\)"),
        (b"", "not a Gongzhang ledger"),
    ],
)
def test_a_file_that_is_not_a_ledger_is_refused_untouched(
    tmp_path: Path, content: bytes, words: str
) -> None:
    path = tmp_path / "notes.sqlite"
    path.write_bytes(content)
    with pytest.raises(LedgerFileError, match=words):
        open_ledger(path)
    assert path.read_bytes() == content


@sqlite_only
def test_another_database_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE contacts (name TEXT)")
    before = digest(path)
    with pytest.raises(LedgerFileError, match="is a database, but not a Gongzhang ledger"):
        open_ledger(path)
    assert digest(path) == before


@sqlite_only
def test_a_folder_or_an_existing_file_cannot_become_a_new_ledger(tmp_path: Path) -> None:
    with pytest.raises(LedgerFileError, match="is a folder"):
        open_ledger(tmp_path)
    existing = tmp_path / "x.sqlite"
    existing.write_text("keep me")
    with pytest.raises(LedgerFileError, match="already exists"):
        open_ledger(existing, create=True)
    assert existing.read_text() == "keep me"
    with pytest.raises(LedgerFileError, match="does not exist; create it first"):
        open_ledger(tmp_path / "no" / "such" / "dir.sqlite", create=True)


def test_a_newer_schema_is_refused_and_left_alone(world: World) -> None:
    with world.ledger.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
    target = world.ledger.url
    world.ledger.close()
    path = world.ledger.path
    before = digest(path) if path else None
    with pytest.raises(SchemaTooNewError, match="newer version of Gongzhang.*9999_from_the_future"):
        open_ledger(path if path else target)
    if path:
        assert digest(path) == before


@sqlite_only
def test_a_read_only_file_opens_for_reading_and_refuses_writes(tmp_path: Path) -> None:
    path = tmp_path / "ro.sqlite"
    with open_ledger(path, create=True) as ledger, ledger.write() as s:
        create_user(s, username="admin", role=Role.ADMIN, password="gongzhang-demo", actor=None)
    os.chmod(path, stat.S_IRUSR | stat.S_IRGRP)
    try:
        before = digest(path)
        with open_ledger(path) as ledger:
            assert ledger.read_only
            with ledger.read() as s:
                assert get_user(s, "admin").role == "admin"
            with pytest.raises(
                ReadOnlyLedgerError, match="is read-only, so nothing can be recorded"
            ):
                with ledger.write() as s:
                    create_user(
                        s,
                        username="x",
                        role=Role.TREASURER,
                        password="gongzhang-demo",
                        actor=get_user(s, "admin"),
                    )
        assert digest(path) == before
    finally:
        os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)


@sqlite_only
def test_a_ledger_locked_by_another_writer_waits_then_says_so(world: World) -> None:
    path = world.ledger.path
    assert path is not None
    world.ledger.close()
    ledger = open_ledger(path, busy_timeout=0.4)
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        started = time.monotonic()
        with pytest.raises(LedgerBusyError, match=r"being changed by another program.*0\.4 s"):
            with ledger.write() as s:
                post_entry(
                    s,
                    book_id=world.fund_id,
                    date=dt.date(2024, 1, 2),
                    memo="捐赠",
                    lines=[PostingLine("1002", 100), PostingLine("410101", -100)],
                    actor=get_user(s, "treasurer"),
                )
        assert time.monotonic() - started >= 0.35
    finally:
        other.execute("ROLLBACK")
        other.close()
    with ledger.read() as s:
        assert s.exec(select(func.count()).select_from(Entry)).one() == 0
    ledger.close()


@sqlite_only
def test_a_writer_that_finishes_in_time_is_waited_for(world: World) -> None:
    path = world.ledger.path
    assert path is not None
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    release = threading.Timer(0.3, lambda: other.execute("COMMIT"))
    release.start()
    try:
        with world.ledger.write() as s:
            number = post_entry(
                s,
                book_id=world.fund_id,
                date=dt.date(2024, 1, 2),
                memo="捐赠",
                lines=[PostingLine("1002", 100), PostingLine("410101", -100)],
                actor=get_user(s, "treasurer"),
            ).number
        assert number == "记-2024-0001"
    finally:
        release.join()
        other.close()


@sqlite_only
def test_an_older_ledger_is_upgraded_when_opened_and_keeps_its_books(tmp_path: Path) -> None:
    from alembic import command
    from sqlmodel import Session, create_engine

    from ledger.db import _alembic_config
    from ledger.domain import BookKind
    from ledger.services.books import create_book
    from ledger.verify import verify_ledger

    path = tmp_path / "old.sqlite"
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        command.upgrade(_alembic_config(conn), "head")
    with Session(engine) as s, s.begin():
        admin = create_user(
            s, username="admin", role=Role.ADMIN, password="gongzhang-demo", actor=None
        )
        book = create_book(s, kind=BookKind.MICRO_FUND, name="旧账", actor=admin)
        post_entry(
            s,
            book_id=book.id or 0,
            date=dt.date(2023, 5, 1),
            memo="捐赠",
            lines=[PostingLine("1002", 700), PostingLine("410101", -700)],
            actor=admin,
        )
    with engine.begin() as conn:  # back to the first released schema, as an old file is
        conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        command.downgrade(_alembic_config(conn), "0001")
    engine.dispose()
    with open_ledger(path) as ledger:
        with ledger.engine.connect() as conn:
            assert MigrationContext.configure(conn).get_current_heads() == (schema_head(),)
        with ledger.read() as s:
            assert verify_ledger(s) == []
            assert s.exec(select(func.count()).select_from(Entry)).one() == 1
        # Its users have no signing key yet: what they do is not signed, and not held against
        # them, until they get one by changing their password — signed from then on.
        with ledger.write() as s:
            admin = authenticate(s, "admin", "gongzhang-demo")
            assert admin.public_key is None
            create_book(s, kind=BookKind.TRUST_PROPERTY, name="旧物业", actor=admin)
            # a new user is made by an administrator's signature — one this admin cannot give
            create_user(s, username="wang", role=Role.REVIEWER, password="wang-pass", actor=admin)
        with ledger.read() as s:
            assert verify_ledger(s) == []
        with ledger.write() as s:
            change_password(s, get_user(s, "admin"), "gongzhang-demo", "a-new-password")
        with ledger.write() as s:
            admin = authenticate(s, "admin", "a-new-password")
            assert admin.public_key
            create_user(s, username="li", role=Role.TREASURER, password="li-password", actor=admin)
        with ledger.read() as s:
            assert verify_ledger(s) == []
            signed = [
                json.loads(d).get("signatures", {})
                for d in s.exec(select(AuditEvent.detail).where(col(AuditEvent.seq) > 0)).all()
            ]
            assert {"1"} <= set().union(*signed)


@sqlite_only
def test_village_households_enrolled_by_settings_move_to_the_register_on_upgrade(
    tmp_path: Path,
) -> None:
    import sqlalchemy as sa
    from alembic import command
    from sqlmodel import create_engine

    from ledger.db import _alembic_config
    from ledger.models import BookHousehold, BookSetting
    from ledger.services.sharing import village_households

    path = tmp_path / "v2.sqlite"
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        command.upgrade(_alembic_config(conn), "0002")  # households enrolled by book settings
        conn.execute(
            sa.text(
                "INSERT INTO book (id, uid, kind, name, organisation, created_at, head_index, "
                "head_hash) VALUES (1, 'u1', 'collective_revenue', '全兴村', '', 'x', 0, :h)"
            ),
            {"h": "0" * 64},
        )
        for n, label in ((1, "一组 张家"), (2, "二组 李家")):
            conn.execute(
                sa.text(
                    "INSERT INTO household (id, label, head_name, members, shares, active, "
                    "created_at) VALUES (:id, :label, '', 3, 2, 1, 'x')"
                ),
                {"id": n, "label": label},
            )
            conn.execute(
                sa.text(
                    "INSERT INTO book_setting (book_id, key, value) VALUES (1, :key, 'member')"
                ),
                {"key": f"village.household.{n}"},
            )
    engine.dispose()
    with open_ledger(path) as ledger, ledger.read() as s:
        assert [h.label for h in village_households(s, book_id=1)] == ["一组 张家", "二组 李家"]
        assert len(s.exec(select(BookHousehold)).all()) == 2
        assert s.exec(select(BookSetting)).all() == []

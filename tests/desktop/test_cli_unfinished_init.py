"""``init`` and ``demo`` whose run was cut off (killed, power lost) can simply be run again:
the unfinished file is recognised and made anew; a real ledger or any other file is still
refused and left as it was."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import select

from desktop.cli import main
from ledger.db import open_ledger, unfinished_ledger
from ledger.models import AppUser

KILLED_INIT = """
import os, sys
from ledger.db import open_ledger
from ledger.services.users import create_user
ledger = open_ledger(sys.argv[1], create=True)
with ledger.write() as s:
    create_user(s, username="admin", role="admin", password="gongzhang-demo", actor=None)
    s.flush()
    os._exit(9)  # killed before the transaction commits
"""


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main([*args, "--lang", "en"])
    out, err = capsys.readouterr()
    return code, out, err


def users(path: Path) -> list[str]:
    with open_ledger(path) as ledger, ledger.read() as s:
        return list(s.exec(select(AppUser.username)).all())


def killed_init(path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", KILLED_INIT, str(path)], check=False, cwd=Path(__file__).parents[2]
    )
    assert done.returncode == 9
    assert path.exists()


def test_init_again_after_it_was_killed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "community.sqlite"
    killed_init(path)
    assert unfinished_ledger(path)
    code, _out, err = run(capsys, "init", str(path), "--admin", "wang")
    assert code == 0, err
    assert users(path) == ["wang"]
    assert not unfinished_ledger(path)
    code, _out, err = run(capsys, "init", str(path))  # now a real ledger: refused, kept
    assert code == 1 and "already exists" in err
    assert users(path) == ["wang"]


def test_demo_again_after_it_was_killed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "demo.sqlite"
    killed_init(path)
    code, out, err = run(capsys, "demo", str(path))
    assert code == 0, err
    assert "admin" in users(path)
    first, *books, fees, village, votes = out.splitlines()
    assert first.startswith(f"Created the demo ledger {path}: ")
    assert first.endswith(" entries in 3 books.")
    assert [line.split()[0] for line in books] == ["1", "2", "3"]
    assert fees.startswith("Property fees billed ") and "collection rate" in fees
    assert "3:3:3:1" in village and votes.startswith("Votes: ")


def test_an_empty_file_or_an_empty_database_is_unfinished(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty.sqlite"
    empty.write_bytes(b"")
    schema_only = tmp_path / "schema.sqlite"
    open_ledger(schema_only, create=True).close()  # stopped before the first user was made
    no_tables = tmp_path / "blank.sqlite"
    sqlite3.connect(no_tables).execute("PRAGMA user_version = 0").connection.close()
    for path in (empty, schema_only, no_tables):
        assert unfinished_ledger(path), path
        code, _out, err = run(capsys, "init", str(path))
        assert code == 0, (path, err)
        assert users(path) == ["admin"]


def test_real_ledgers_and_other_files_are_never_replaced(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = tmp_path / "notes.sqlite"
    text.write_text("keep me")
    other = tmp_path / "other.sqlite"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE notes (t TEXT)")
    conn.commit()
    conn.close()
    other_bytes = other.read_bytes()
    for path in (text, other):
        assert not unfinished_ledger(path)
        code, _out, err = run(capsys, "init", str(path))
        assert code == 1 and "already exists" in err
    assert text.read_text() == "keep me"
    assert other.read_bytes() == other_bytes
    assert not unfinished_ledger(tmp_path / "missing.sqlite")
    assert not unfinished_ledger(tmp_path)

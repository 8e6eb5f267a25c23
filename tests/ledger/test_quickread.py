"""``ledger.quickread``: the trial balance read with the standard library's sqlite3 is the one
read through a session, and anything but the ordinary case is left to the usual way."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlmodel import select

from ledger import quickread
from ledger.db import Ledger, open_ledger
from ledger.models import Book
from ledger.services.balances import trial_balance


def test_every_demo_book_at_every_date_reads_the_same_as_through_a_session(
    demo: Ledger, demo_path: Path
) -> None:
    with demo.read() as s:
        books = [(b.id or 0, b.name) for b in s.exec(select(Book))]
        dates = [None, dt.date(2024, 3, 31), dt.date(2024, 12, 31), dt.date(2000, 1, 1)]
        expected = {
            (book_id, at): trial_balance(s, book_id=book_id, at=at)
            for book_id, _name in books
            for at in dates
        }
    assert len(books) == 3
    for (book_id, at), through_session in expected.items():
        name = dict(books)[book_id]
        for ref in (book_id, str(book_id), name):
            quick = quickread.trial_balance(str(demo_path), ref, at=at, busy_timeout=1.0)
            assert quick is not None
            assert quick[0] == quickread.QuickBook(book_id, name)
            assert quick[1] == through_session
    # Not trivially equal: the demo's books have postings, and the date cuts some off.
    whole = expected[(1, None)]
    assert whole.total_debit_fen > expected[(1, dt.date(2024, 3, 31))].total_debit_fen > 0
    assert whole.balanced


def _copy(demo_path: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "copy.sqlite"
    shutil.copyfile(demo_path, copy)
    return copy


@pytest.mark.parametrize(
    "change",
    [
        "UPDATE alembic_version SET version_num = '0001'",  # a ledger still to migrate
        "UPDATE alembic_version SET version_num = '9999'",  # written by a newer Gongzhang
        "UPDATE ledger_meta SET value = 'other' WHERE key = 'app'",  # not ours
        "DROP TABLE ledger_meta",
    ],
)
def test_anything_but_an_ordinary_ledger_is_left_to_the_usual_way(
    demo_path: Path, tmp_path: Path, change: str
) -> None:
    copy = _copy(demo_path, tmp_path)
    assert quickread.trial_balance(str(copy), 1, at=None, busy_timeout=1.0) is not None
    with sqlite3.connect(copy) as conn:
        conn.execute(change)
    conn.close()
    assert quickread.trial_balance(str(copy), 1, at=None, busy_timeout=1.0) is None


def test_a_missing_book_a_missing_file_another_file_or_a_url_is_left_to_the_usual_way(
    demo_path: Path, tmp_path: Path
) -> None:
    def quick(target: object, ref: str | int = 1) -> object:
        return quickread.trial_balance(str(target), ref, at=None, busy_timeout=1.0)

    assert quick(demo_path, 99) is None
    assert quick(demo_path, "no such book") is None
    assert quick(tmp_path / "missing.sqlite") is None
    assert quick(tmp_path) is None  # a folder
    text = tmp_path / "notes.txt"
    text.write_text("not a database", encoding="utf-8")
    assert quick(text) is None
    assert quick(f"sqlite:///{demo_path}") is None
    for wait in (float("nan"), -1.0, float("inf")):  # the usual way says what --wait takes
        assert quickread.trial_balance(str(demo_path), 1, at=None, busy_timeout=wait) is None
    # And reading changed nothing: the file is still the ledger it was.
    with open_ledger(demo_path) as ledger, ledger.read() as s:
        assert len(s.exec(select(Book)).all()) == 3

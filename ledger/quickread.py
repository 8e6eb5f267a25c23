"""Answers for read-only commands on a SQLite ledger file from the standard library's
``sqlite3`` alone, so that ``gongzhang balance`` does not wait for SQLAlchemy, sqlmodel and the
table classes to load (about half its start-up).

Only the ordinary case is answered here: a plain file path to an existing Gongzhang ledger at
the current schema, and a book that exists. Anything else — a database server, a ledger to
migrate, a file that is not a ledger, a book not found, a waiting time that is not a number of
seconds, any SQLite error — returns None, and the
command takes its usual way through :func:`ledger.db.open_ledger`, which gives the one message
for each of those. The figures come from the same code either way (:mod:`ledger.balances`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import os
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ledger.balances import TrialBalance, trial_balance_from
from ledger.schema_version import APP_MARKER, SCHEMA_HEAD, VERSION_TABLE


@dataclass(frozen=True, slots=True)
class QuickBook:
    """The book a quick read is about."""

    id: int
    name: str


@contextlib.contextmanager
def _reader(target: str, busy_timeout: float) -> Iterator[sqlite3.Connection | None]:
    """A read-only connection to the ledger file at ``target``, or None when it is not the
    ordinary case (see the module's docstring)."""
    text = os.fspath(target)
    if "://" in text or not (busy_timeout >= 0 and math.isfinite(busy_timeout)):
        yield None
        return
    path = Path(text).expanduser()
    if not path.is_file():
        yield None
        return
    try:
        conn = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True, timeout=busy_timeout)
    except sqlite3.Error:
        yield None
        return
    conn.isolation_level = None  # BEGIN below: every query of the answer sees one snapshot
    try:
        conn.execute("BEGIN")
        marker = conn.execute("SELECT value FROM ledger_meta WHERE key = 'app'").fetchone()
        revisions = conn.execute(f"SELECT version_num FROM {VERSION_TABLE}").fetchall()
        ordinary = marker == (APP_MARKER,) and revisions == [(SCHEMA_HEAD,)]
    except sqlite3.Error:
        ordinary = False
    try:
        yield conn if ordinary else None
    finally:
        conn.close()


def _query_of(conn: sqlite3.Connection) -> Any:
    def query(sql: str, params: Mapping[str, object]) -> Iterable[Sequence[Any]]:
        # Dates as SQLAlchemy stores them in SQLite: ISO text.
        bound = {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in params.items()}
        return conn.execute(sql, bound).fetchall()

    return query


def _book(conn: sqlite3.Connection, ref: str | int) -> QuickBook | None:
    """A book by its number or exact name, as :func:`ledger.services.books.find_book` finds it."""
    text = str(ref).strip()
    row = None
    if text.isascii() and text.isdigit() and len(text) <= 9:
        row = conn.execute("SELECT id, name FROM book WHERE id = ?", (int(text),)).fetchone()
    if row is None:
        row = conn.execute(
            "SELECT id, name FROM book WHERE name = ? ORDER BY id LIMIT 1", (text,)
        ).fetchone()
    return QuickBook(int(row[0]), str(row[1])) if row is not None else None


def trial_balance(
    target: str, book_ref: str | int, *, at: dt.date | None, busy_timeout: float
) -> tuple[QuickBook, TrialBalance] | None:
    """The book and its trial balance at ``at``, or None for anything but the ordinary case."""
    with _reader(target, busy_timeout) as conn:
        if conn is None:
            return None
        try:
            book = _book(conn, book_ref)
            if book is None:
                return None
            return book, trial_balance_from(_query_of(conn), book_id=book.id, at=at)
        except sqlite3.Error:
            return None

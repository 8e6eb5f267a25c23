"""The tables of a ledger file (SQLModel). See DESIGN.md, "Data model".

Conventions: money is ``amount_fen`` (BIGINT, integer fen, debit +, credit −); dates are ``DATE``;
moments are ISO-8601 UTC text (``2026-11-23T08:15:00Z``) so that every backend stores and hashes
exactly the same characters. Posted entries and their postings are never updated or deleted.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, Column, Index, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel, col

#: ``prev_hash`` of the first entry of a book and of the first audit event.
GENESIS_HASH = "0" * 64


class LedgerMeta(SQLModel, table=True):
    """Key/value facts about the ledger file itself (which app wrote it, when)."""

    __tablename__ = "ledger_meta"

    key: str = Field(primary_key=True, max_length=64)
    value: str = Field(max_length=400)


class AppUser(SQLModel, table=True):
    """A person who uses the ledger (用户), with a role and an optional password hash."""

    __tablename__ = "app_user"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, unique=True)
    display_name: str = Field(max_length=100)
    role: str = Field(max_length=20)
    password_hash: str | None = Field(default=None, max_length=400)
    active: bool = Field(default=True)
    created_at: str = Field(max_length=32)


class Book(SQLModel, table=True):
    """One set of books (账套): a micro-fund, a trust-property account or a village's revenue.

    ``head_index``/``head_hash`` repeat the last link of the entry chain so that deleting the
    newest entries is found by verification too.
    """

    __tablename__ = "book"

    id: int | None = Field(default=None, primary_key=True)
    uid: str = Field(max_length=32, unique=True)
    kind: str = Field(max_length=32)
    name: str = Field(max_length=200, unique=True)
    organisation: str = Field(default="", max_length=200)
    created_at: str = Field(max_length=32)
    closed_through: dt.date | None = Field(default=None)
    head_index: int = Field(default=0)
    head_hash: str = Field(default=GENESIS_HASH, max_length=64)


class Account(SQLModel, table=True):
    """A ledger account (会计科目) of one book."""

    __tablename__ = "account"
    __table_args__ = (UniqueConstraint("book_id", "code", name="uq_account_book_code"),)

    id: int | None = Field(default=None, primary_key=True)
    book_id: int = Field(foreign_key="book.id", index=True)
    code: str = Field(max_length=20)
    name_zh: str = Field(max_length=100)
    name_en: str = Field(max_length=100)
    type: str = Field(max_length=20)
    parent_id: int | None = Field(default=None, foreign_key="account.id")
    active: bool = Field(default=True)


class Counterparty(SQLModel, table=True):
    """A donor or payee (往来单位/个人). ``contact`` is private and never disclosed."""

    __tablename__ = "counterparty"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=32)
    name: str = Field(max_length=200)
    is_individual: bool = Field(default=False)
    contact: str = Field(default="", max_length=400)
    note: str = Field(default="", max_length=400)
    created_at: str = Field(max_length=32)


class Entry(SQLModel, table=True):
    """A voucher (记账凭证): gapless number per book and year, chained by hash within its book."""

    __tablename__ = "entry"
    __table_args__ = (
        UniqueConstraint("book_id", "year", "seq", name="uq_entry_number"),
        UniqueConstraint("book_id", "chain_index", name="uq_entry_chain"),
    )

    id: int | None = Field(default=None, primary_key=True)
    book_id: int = Field(foreign_key="book.id")
    year: int
    seq: int
    chain_index: int
    date: dt.date
    memo: str = Field(max_length=200)
    status: str = Field(default="posted", max_length=16)
    recorded_by_id: int = Field(foreign_key="app_user.id")
    approved_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    recorded_at: str = Field(max_length=32)
    reverses_id: int | None = Field(default=None, foreign_key="entry.id", index=True)
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class Posting(SQLModel, table=True):
    """One line of an entry (分录). ``book_id`` and ``date`` repeat the entry's so balances and
    the journal read one table; verification checks that they agree."""

    __tablename__ = "posting"
    __table_args__ = (
        UniqueConstraint("entry_id", "line_no", name="uq_posting_line"),
        Index("ix_posting_balance", "book_id", "account_id", "date", "amount_fen"),
        Index("ix_posting_journal", "book_id", "date", "entry_id", "line_no"),
    )

    id: int | None = Field(default=None, primary_key=True)
    entry_id: int = Field(foreign_key="entry.id")
    book_id: int = Field(foreign_key="book.id")
    line_no: int
    account_id: int = Field(foreign_key="account.id")
    amount_fen: int = Field(sa_column=Column(BigInteger, nullable=False))
    date: dt.date
    counterparty_id: int | None = Field(default=None, foreign_key="counterparty.id")


class Attachment(SQLModel, table=True):
    """A receipt or voucher image (附件) kept with its entry; ``sha256`` proves it unchanged."""

    __tablename__ = "attachment"

    id: int | None = Field(default=None, primary_key=True)
    entry_id: int = Field(foreign_key="entry.id", index=True)
    filename: str = Field(max_length=255)
    media_type: str = Field(max_length=100)
    size: int
    sha256: str = Field(max_length=64)
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    added_by_id: int = Field(foreign_key="app_user.id")
    added_at: str = Field(max_length=32)


class AuditEvent(SQLModel, table=True):
    """Who changed what, when (审计日志); chained by hash like the entries."""

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    seq: int = Field(unique=True)
    at: str = Field(max_length=32)
    actor_id: int | None = Field(default=None, foreign_key="app_user.id")
    action: str = Field(max_length=64)
    object_type: str = Field(max_length=32)
    object_id: str = Field(max_length=64)
    detail: str = Field(default="{}")
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


def columns(*attributes: Any) -> list[Any]:
    """Model attributes as SQL columns, for ``select(*columns(A.x, B.y, …))`` of many columns
    (SQLModel's typed ``select`` stops at four)."""
    return [col(a) for a in attributes]

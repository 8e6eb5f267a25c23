"""Operations on entries (凭证): post one by hand, reverse one, attach a receipt to one."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ledger.access import Action
from ledger.i18n import _
from ledger.operations import SECRET, Operation, prove_approver

if TYPE_CHECKING:
    from sqlmodel import Session

    from ledger.models import AppUser
    from ledger.services.entries import PostedEntry, PostingLine


@dataclass(frozen=True, slots=True)
class PostEntry:
    book: str
    date: dt.date
    memo: str
    lines: tuple[PostingLine, ...]
    #: Who approves a spending over the book's threshold: they prove their own password and
    #: sign the entry's record with their own key.
    approver: str | None = None
    approver_password: str | None = field(default=None, metadata=SECRET)

    def __repr__(self) -> str:
        return f"PostEntry(book={self.book!r}, date={self.date}, memo={self.memo!r})"


@dataclass(frozen=True, slots=True)
class EntryPosted:
    id: int
    number: str
    date: dt.date
    memo: str
    hash: str

    @classmethod
    def of(cls, posted: PostedEntry) -> EntryPosted:
        return cls(posted.id, posted.number, posted.date, posted.memo, posted.hash)

    def sentence(self) -> str:
        return _("Posted {number} on {date}: {memo}").format(
            number=self.number, date=self.date.isoformat(), memo=self.memo
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "number": self.number,
            "date": self.date.isoformat(),
            "hash": self.hash,
        }


def _post_entry(session: Session, actor: AppUser, request: PostEntry) -> EntryPosted:
    from ledger.services.books import find_book  # noqa: PLC0415
    from ledger.services.entries import post_entry  # noqa: PLC0415

    book = find_book(session, request.book)
    posted = post_entry(
        session,
        book_id=book.id or 0,
        date=request.date,
        memo=request.memo,
        lines=list(request.lines),
        actor=actor,
        approver=prove_approver(session, request.approver, request.approver_password),
        manual=True,
    )
    return EntryPosted.of(posted)


POST_ENTRY: Operation[PostEntry, EntryPosted] = Operation(
    "entry.post", Action.POST_ENTRY, _post_entry
)


@dataclass(frozen=True, slots=True)
class ReverseEntry:
    #: The book (number or name) and the voucher number, or the entry's id (the app's journal).
    book: str | None = None
    number: str | None = None
    entry_id: int | None = None
    date: dt.date | None = None
    memo: str | None = None


@dataclass(frozen=True, slots=True)
class EntryReversed(EntryPosted):
    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "number": self.number, "hash": self.hash}


def _reverse_entry(session: Session, actor: AppUser, request: ReverseEntry) -> EntryReversed:
    from ledger.services.books import find_book  # noqa: PLC0415
    from ledger.services.entries import find_entry, reverse_entry  # noqa: PLC0415

    entry_id = request.entry_id
    if entry_id is None:
        book = find_book(session, request.book or "")
        entry_id = find_entry(session, book_id=book.id or 0, number=request.number or "").id
    posted = reverse_entry(
        session, entry_id=entry_id or 0, actor=actor, date=request.date, memo=request.memo
    )
    return EntryReversed(posted.id, posted.number, posted.date, posted.memo, posted.hash)


REVERSE_ENTRY: Operation[ReverseEntry, EntryReversed] = Operation(
    "entry.reverse", Action.REVERSE_ENTRY, _reverse_entry
)


@dataclass(frozen=True, slots=True)
class AttachFile:
    book: str
    number: str
    filename: str
    data: bytes

    def __repr__(self) -> str:
        return f"AttachFile(number={self.number!r}, filename={self.filename!r})"


@dataclass(frozen=True, slots=True)
class FileAttached:
    file: str
    sha256: str
    number: str

    def sentence(self) -> str:
        return _("Attached {file} to {number} (SHA-256 {sha}).").format(
            file=self.file, number=self.number, sha=self.sha256[:16]
        )

    def as_json(self) -> dict[str, Any]:
        return {"file": self.file, "sha256": self.sha256, "number": self.number}


def _attach_file(session: Session, actor: AppUser, request: AttachFile) -> FileAttached:
    from ledger.chain import voucher_number  # noqa: PLC0415
    from ledger.services.attachments import attach_file  # noqa: PLC0415
    from ledger.services.books import find_book  # noqa: PLC0415
    from ledger.services.entries import find_entry  # noqa: PLC0415

    book = find_book(session, request.book)
    entry = find_entry(session, book_id=book.id or 0, number=request.number)
    attachment = attach_file(
        session, entry_id=entry.id or 0, filename=request.filename, data=request.data, actor=actor
    )
    return FileAttached(
        attachment.filename, attachment.sha256, voucher_number(entry.year, entry.seq)
    )


ATTACH_FILE: Operation[AttachFile, FileAttached] = Operation(
    "entry.attach", Action.ATTACH_FILE, _attach_file
)

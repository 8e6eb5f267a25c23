"""Operations on entries (凭证): post one by hand, reverse one, attach a receipt to one, import a
file of them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ledger.access import Action, require
from ledger.errors import InvalidInputError
from ledger.i18n import _
from ledger.operations import SECRET, Credentials, Operation, prove_approver, run, sign_in

if TYPE_CHECKING:
    from sqlmodel import Session

    from ledger.db import Ledger
    from ledger.imports import EntryFile
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


@dataclass(frozen=True, slots=True)
class ImportEntries:
    """Post a checked file of entries (:func:`ledger.imports.read_entry_file`) into a book,
    ``batch_size`` entries per transaction; the audit trail keeps the file's name, SHA-256 and
    size, not its entries (they are in the journal)."""

    book: str
    file: str
    sha256: str
    entries: int
    batch_size: int
    approver: str | None = None
    approver_password: str | None = field(default=None, metadata=SECRET)
    entry_file: EntryFile | None = field(default=None, metadata=SECRET, compare=False)

    @classmethod
    def of(
        cls,
        book: str | int,
        entry_file: EntryFile,
        *,
        batch_size: int,
        approver: str | None = None,
        approver_password: str | None = None,
    ) -> ImportEntries:
        return cls(
            str(book),
            entry_file.name,
            entry_file.sha256,
            len(entry_file.drafts),
            batch_size,
            approver,
            approver_password,
            entry_file,
        )

    def __repr__(self) -> str:
        return f"ImportEntries(book={self.book!r}, file={self.file!r}, entries={self.entries})"


@dataclass(frozen=True, slots=True)
class EntriesImported:
    """Where an import stands: all of it in the books, or as far as this run got."""

    import_id: str
    entries_total: int
    #: Entries posted by this run (0 when the import had already finished).
    entries_posted: int
    #: Entries already in the books from earlier runs of the same import.
    entries_before: int

    @property
    def resumed(self) -> bool:
        return self.entries_before > 0

    @property
    def finished(self) -> bool:
        return self.entries_before + self.entries_posted >= self.entries_total

    def sentence(self) -> str:
        if self.entries_posted == 0 and self.finished:
            said = _("Nothing to do: all {total} entries of this file were imported before.")
            return said.format(total=self.entries_total)
        done = self.entries_before + self.entries_posted
        if not self.finished:
            return _(
                "Posted {done} of {total} entries so far; run the same import again to go on."
            ).format(done=done, total=self.entries_total)
        if self.resumed:
            return _(
                "Continued an interrupted import: {posted} more entries posted, "
                "{total} of {total} now in the books."
            ).format(posted=self.entries_posted, total=self.entries_total)
        return _("Imported {total} entries.").format(total=self.entries_total)

    def as_json(self) -> dict[str, Any]:
        return {
            "import_id": self.import_id,
            "entries_total": self.entries_total,
            "entries_posted": self.entries_posted,
            "entries_before": self.entries_before,
        }


def _entry_file(request: ImportEntries) -> EntryFile:
    if request.entry_file is None:
        raise InvalidInputError(_("There is no file to import."))
    return request.entry_file


def _import_batch(session: Session, actor: AppUser, request: ImportEntries) -> EntriesImported:
    from ledger.imports import post_next_batch  # noqa: PLC0415
    from ledger.services.books import find_book  # noqa: PLC0415

    book = find_book(session, request.book)
    batch = post_next_batch(
        session,
        book_id=book.id or 0,
        entry_file=_entry_file(request),
        batch_size=request.batch_size,
        actor=actor,
        approver=prove_approver(session, request.approver, request.approver_password),
    )
    return EntriesImported(
        batch.import_id,
        batch.entries_total,
        batch.entries_done - batch.entries_before,
        batch.entries_before,
    )


#: One batch of an import: one transaction, one record. :func:`import_entries` runs it until
#: the whole file is in the books.
IMPORT_BATCH: Operation[ImportEntries, EntriesImported] = Operation(
    "entry.import", Action.POST_ENTRY, _import_batch
)


class _TrialRollbackError(Exception):
    """Rolls back the trial posting of the whole file."""


def import_entries(
    ledger: Ledger,
    credentials: Credentials,
    request: ImportEntries,
    progress: Callable[[int, int], None] | None = None,
) -> EntriesImported:
    """Post a file of entries into a book through :data:`IMPORT_BATCH`, batch after batch.

    A first run checks the whole file against the book by posting it all in a transaction that
    is rolled back, so a bad line anywhere refuses the import before anything is written. Each
    batch is one run of the door (the user signs in, the batch is posted and recorded); the
    import is known by its entries, so running it again continues after the last committed
    batch, or does nothing. ``progress(done, total)`` is told after each batch; if it raises,
    the import stops there (committed batches stay).
    """
    from ledger.imports import begun_import, check_batch_size, check_whole_file  # noqa: PLC0415
    from ledger.services.books import find_book  # noqa: PLC0415

    entry_file = _entry_file(request)
    check_batch_size(request.batch_size)
    total = len(entry_file.drafts)
    with ledger.read() as s:
        begun = begun_import(s, find_book(s, request.book), entry_file)
        before = begun.entries_done if begun is not None else 0
        import_id = begun.import_id if begun is not None else ""
    if begun is None:
        try:
            with ledger.write() as s:
                actor = sign_in(s, credentials)
                require(actor.username, actor.role, Action.POST_ENTRY)
                check_whole_file(
                    s,
                    book_id=find_book(s, request.book).id or 0,
                    entry_file=entry_file,
                    actor=actor,
                    approver=prove_approver(s, request.approver, request.approver_password),
                )
                raise _TrialRollbackError
        except _TrialRollbackError:
            pass
    done = before
    while done < total:
        batch = run(ledger, credentials, IMPORT_BATCH, request)
        import_id = batch.import_id
        done = batch.entries_before + batch.entries_posted
        if progress is not None:
            progress(done, total)
    return EntriesImported(import_id, total, done - before, before)

"""Bulk import of entries from a CSV file (批量导入凭证): checked whole first, then posted in
batches, resumable after a crash and never posted twice.

The file is UTF-8 CSV (a BOM, as Excel writes it, is fine) with a header row naming, in Chinese
or English, the columns ``ref``/``凭证号`` (rows sharing a reference form one entry, in file
order), ``date``/``日期``, ``memo``/``摘要``, ``account``/``科目`` (the account code) and
``amount``/``金额`` (debit +, credit −, typed as money: ``1,234.50``).

Why batches: an import of years of old books must not hold the ledger for minutes, and a laptop
that loses power half-way must not leave half an entry or a doubled one. Each batch is one
transaction that posts its entries *and* moves the import's ``entries_done`` forward; the import
is known by its import id (the SHA-256 of the book and of the entries the file holds, as read:
dates, memos, accounts and amounts in fen), so running the same file again continues after the
last committed batch, and running it after it finished posts nothing — also when the file was
saved again in the meantime (a byte-order mark added, line ends turned into CRLF, a blank line
at the end): the same entries are the same import.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session, col, select

from ledger.clock import utc_now_iso
from ledger.dates import parse_date
from ledger.db import Ledger
from ledger.errors import GongzhangError, InvalidInputError, LedgerFileError
from ledger.i18n import _
from ledger.models import AppUser, Book, EntryImport
from ledger.money import parse_money
from ledger.services.audit import record_event
from ledger.services.books import find_book
from ledger.services.entries import EntryDraft, PostingLine, post_entries
from ledger.services.users import get_user

DEFAULT_BATCH = 500
MAX_BATCH = 10_000

_COLUMNS: dict[str, tuple[str, ...]] = {
    "ref": ("ref", "凭证号", "编号"),
    "date": ("date", "日期"),
    "memo": ("memo", "摘要"),
    "account": ("account", "科目", "科目代码"),
    "amount": ("amount", "金额"),
}


@dataclass(frozen=True)
class EntryFile:
    """A checked import file: its entries in file order, the bytes' SHA-256 and the SHA-256 of
    the entries themselves (:func:`entries_sha256`), which names the import."""

    name: str
    sha256: str
    drafts: list[EntryDraft]
    content_sha256: str = ""


@dataclass(frozen=True)
class ImportResult:
    import_id: str
    entries_total: int
    #: Entries posted by this run (0 when the import had already finished).
    entries_posted: int
    #: Entries already in the books from earlier runs of the same import.
    entries_before: int
    resumed: bool


class _TrialRollbackError(Exception):
    """Rolls back the trial posting of the whole file."""


def _header_key(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().lower()


def read_entry_file(path: str | Path) -> EntryFile:
    """Read and check an import file without touching any ledger. Raises
    :class:`InvalidInputError` naming the first bad row (rows are counted as a spreadsheet
    shows them: the header is row 1)."""
    source = Path(path)
    try:
        raw = source.read_bytes()
    except OSError as exc:
        raise LedgerFileError(
            _("Cannot read the import file {path}: {reason}.").format(
                path=source, reason=exc.strerror or exc
            )
        ) from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInputError(
            _(
                "{path} is not UTF-8 text. Save the sheet as “CSV UTF-8” and import that file."
            ).format(path=source.name)
        ) from exc
    if "\x00" in text:
        raise InvalidInputError(
            _("{path} is not a CSV text file (it holds binary data).").format(path=source.name)
        )
    rows = csv.reader(io.StringIO(text, newline=""))
    header = next(rows, None)
    if not header:
        raise InvalidInputError(_("{path} is empty.").format(path=source.name))
    position = _column_positions(header, source.name)
    groups: dict[str, list[tuple[int, list[str]]]] = {}
    for row_no, cells in enumerate(rows, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        row = cells + [""] * (len(header) - len(cells))
        ref = row[position["ref"]].strip()
        if not ref:
            raise InvalidInputError(
                _("Row {row}: the reference (ref/凭证号) is empty.").format(row=row_no)
            )
        groups.setdefault(ref, []).append((row_no, row))
    if not groups:
        raise InvalidInputError(
            _("{path} has no entries below its header.").format(path=source.name)
        )
    drafts = [_draft(ref, lines, position) for ref, lines in groups.items()]
    return EntryFile(source.name, hashlib.sha256(raw).hexdigest(), drafts, entries_sha256(drafts))


def entries_sha256(drafts: Sequence[EntryDraft]) -> str:
    """The SHA-256 of the entries as read (date, memo, each line's account and fen), whatever
    the file's encoding marks, line ends or blank lines were."""
    canonical = [
        [d.date.isoformat(), d.memo, [[line.account_code, line.amount_fen] for line in d.lines]]
        for d in drafts
    ]
    text = json.dumps(["entries-v1", canonical], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _column_positions(header: Sequence[str], name: str) -> dict[str, int]:
    keys = [_header_key(h) for h in header]
    position: dict[str, int] = {}
    for field, names in _COLUMNS.items():
        found = [i for i, key in enumerate(keys) if key in names]
        if not found:
            raise InvalidInputError(
                _(
                    "{path} has no “{column}” column. The header row must name: "
                    "ref, date, memo, account, amount (or 凭证号, 日期, 摘要, 科目, 金额)."
                ).format(path=name, column=names[0])
            )
        if len(found) > 1:
            raise InvalidInputError(
                _("{path} names the “{column}” column twice.").format(path=name, column=names[0])
            )
        position[field] = found[0]
    return position


def _draft(ref: str, rows: list[tuple[int, list[str]]], position: dict[str, int]) -> EntryDraft:
    first_row, first = rows[0]
    date_text = first[position["date"]]
    memo = first[position["memo"]].strip()
    try:
        date = parse_date(date_text)
    except InvalidInputError as exc:
        raise InvalidInputError(_("Row {row}: {reason}").format(row=first_row, reason=exc)) from exc
    lines = []
    for row_no, row in rows:
        if row[position["date"]].strip() and row[position["date"]] != date_text:
            raise InvalidInputError(
                _("Row {row}: entry {ref} has two dates ({first} and {other}).").format(
                    row=row_no, ref=ref, first=date_text.strip(), other=row[position["date"]]
                )
            )
        code = row[position["account"]].strip()
        if not code:
            raise InvalidInputError(_("Row {row}: the account is empty.").format(row=row_no))
        try:
            amount = parse_money(row[position["amount"]])
        except GongzhangError as exc:
            raise InvalidInputError(
                _("Row {row}: {reason}").format(row=row_no, reason=exc)
            ) from exc
        lines.append(PostingLine(code, amount.fen))
    if sum(line.amount_fen for line in lines) != 0:
        raise InvalidInputError(
            _(
                "Rows {first}–{last}: the lines of entry {ref} do not add up to zero "
                "(debits +, credits −)."
            ).format(first=first_row, last=rows[-1][0], ref=ref)
        )
    return EntryDraft(date=date, memo=memo or ref, lines=lines)


def import_id_of(book: Book, entry_file: EntryFile) -> str:
    """The import's id: the same entries into the same book are the same import."""
    content = entry_file.content_sha256 or entries_sha256(entry_file.drafts)
    return hashlib.sha256(f"{book.uid}\nentries:{content}".encode()).hexdigest()


def _earlier_import_id(book: Book, entry_file: EntryFile) -> str:
    """The id an import of this file was given before ids were taken from the entries (of the
    file's bytes): an import begun then is continued, not posted again."""
    return hashlib.sha256(f"{book.uid}\n{entry_file.sha256}".encode()).hexdigest()


def import_entries(
    ledger: Ledger,
    *,
    book_id: int,
    entry_file: EntryFile,
    username: str,
    approver_name: str | None = None,
    batch_size: int = DEFAULT_BATCH,
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Post the entries of ``entry_file`` into a book, ``batch_size`` per transaction.

    A first run checks the whole file against the book by posting it all in a transaction that
    is then rolled back, so a bad line anywhere refuses the import before anything is written.
    ``progress(done, total)`` is told after each committed batch; if it raises, the import stops
    there (committed batches stay, and running the import again continues after them).
    """
    if not 1 <= batch_size <= MAX_BATCH:
        raise InvalidInputError(
            _("The batch size must be between 1 and {most} entries.").format(most=MAX_BATCH)
        )
    drafts = entry_file.drafts
    total = len(drafts)
    with ledger.read() as s:
        book = find_book(s, book_id)
        import_id = import_id_of(book, entry_file)
        known = s.get(EntryImport, import_id) is not None
        if not known and s.get(EntryImport, _earlier_import_id(book, entry_file)) is not None:
            import_id, known = _earlier_import_id(book, entry_file), True
    if not known:
        _check_whole_file(ledger, book_id, drafts, username, approver_name)
    with ledger.write() as s:
        record = s.get(EntryImport, import_id)  # another run may have begun it meanwhile
        if record is None:
            actor = get_user(s, username)
            record = EntryImport(
                import_id=import_id,
                book_id=book_id,
                source_name=entry_file.name[:400],
                entries_total=total,
                started_by_id=actor.id or 0,
                started_at=utc_now_iso(),
            )
            s.add(record)
            record_event(
                s,
                actor=actor,
                action="import.started",
                object_type="entry_import",
                object_id=import_id,
                detail={"book": book_id, "file": entry_file.name, "entries": total},
            )
        before = record.entries_done
    done = before
    while done < total:
        with ledger.write() as s:
            # The import's row lock: two runs of the same import cannot post the same batch.
            record = s.exec(
                select(EntryImport).where(col(EntryImport.import_id) == import_id).with_for_update()
            ).one()
            done = record.entries_done
            if done >= total:
                break
            chunk = drafts[done : done + batch_size]
            actor, approver = _people(s, username, approver_name)
            post_entries(
                s, book_id=book_id, drafts=chunk, actor=actor, approver=approver, manual=True
            )
            done += len(chunk)
            record.entries_done = done
            if done == total:
                record.finished_at = utc_now_iso()
            s.add(record)
        if progress is not None:
            progress(done, total)
    return ImportResult(import_id, total, done - before, before, resumed=before > 0)


def _people(
    session: Session, username: str, approver_name: str | None
) -> tuple[AppUser, AppUser | None]:
    actor = get_user(session, username)
    approver = get_user(session, approver_name) if approver_name else None
    return actor, approver


def _check_whole_file(
    ledger: Ledger,
    book_id: int,
    drafts: list[EntryDraft],
    username: str,
    approver_name: str | None,
) -> None:
    """Post everything in a transaction that is rolled back: the same checks as the real run
    (accounts, closed periods, approvals, roles), before the first batch is committed."""
    try:
        with ledger.write() as s:
            actor, approver = _people(s, username, approver_name)
            post_entries(
                s, book_id=book_id, drafts=drafts, actor=actor, approver=approver, manual=True
            )
            raise _TrialRollbackError
    except _TrialRollbackError:
        return

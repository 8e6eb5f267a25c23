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
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session, col, select

from ledger.clock import utc_now_iso
from ledger.dates import parse_date
from ledger.errors import GongzhangError, InvalidInputError, LedgerFileError
from ledger.i18n import _
from ledger.models import AppUser, Book, EntryImport
from ledger.money import parse_money
from ledger.services.audit import record_event
from ledger.services.books import find_book
from ledger.services.entries import EntryDraft, PostingLine, post_entries

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


def begun_import(session: Session, book: Book, entry_file: EntryFile) -> EntryImport | None:
    """The import of these entries into this book, if it was begun before (under its id, or
    under the id an earlier version gave it)."""
    record = session.get(EntryImport, import_id_of(book, entry_file))
    if record is None:
        record = session.get(EntryImport, _earlier_import_id(book, entry_file))
    return record


def check_batch_size(batch_size: int) -> None:
    if not 1 <= batch_size <= MAX_BATCH:
        raise InvalidInputError(
            _("The batch size must be between 1 and {most} entries.").format(most=MAX_BATCH)
        )


def check_whole_file(
    session: Session,
    *,
    book_id: int,
    entry_file: EntryFile,
    actor: AppUser,
    approver: AppUser | None,
) -> None:
    """Post every entry of the file, with the same checks as the real run (accounts, closed
    periods, approvals, roles). The caller rolls the transaction back: this only finds, before
    the first batch is committed, a bad line anywhere in the file."""
    post_entries(
        session,
        book_id=book_id,
        drafts=entry_file.drafts,
        actor=actor,
        approver=approver,
        manual=True,
    )


@dataclass(frozen=True)
class BatchPosted:
    """Where an import stands after one batch."""

    import_id: str
    entries_total: int
    #: Entries in the books now, and before this batch.
    entries_done: int
    entries_before: int


def post_next_batch(
    session: Session,
    *,
    book_id: int,
    entry_file: EntryFile,
    batch_size: int,
    actor: AppUser,
    approver: AppUser | None,
) -> BatchPosted:
    """Post the next ``batch_size`` entries of an import, in the caller's transaction, and move
    its ``entries_done`` forward in the same transaction; the import's record is begun by its
    first batch. Its row is locked first: two runs of the same import cannot post one batch."""
    check_batch_size(batch_size)
    book = find_book(session, book_id)
    drafts = entry_file.drafts
    total = len(drafts)
    begun = begun_import(session, book, entry_file)
    if begun is None:
        begun = EntryImport(
            import_id=import_id_of(book, entry_file),
            book_id=book_id,
            source_name=entry_file.name[:400],
            entries_total=total,
            started_by_id=actor.id or 0,
            started_at=utc_now_iso(),
        )
        session.add(begun)
        record_event(
            session,
            actor=actor,
            action="import.started",
            object_type="entry_import",
            object_id=begun.import_id,
            detail={"book": book_id, "file": entry_file.name, "entries": total},
        )
        session.flush()
    record = session.exec(
        select(EntryImport)
        .where(col(EntryImport.import_id) == begun.import_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    before = record.entries_done
    chunk = drafts[before : before + batch_size]
    if chunk:
        post_entries(
            session, book_id=book_id, drafts=chunk, actor=actor, approver=approver, manual=True
        )
        record.entries_done = before + len(chunk)
        if record.entries_done == total:
            record.finished_at = utc_now_iso()
        session.add(record)
        session.flush()
    return BatchPosted(record.import_id, total, record.entries_done, before)

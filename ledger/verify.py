"""Verification of a ledger (账簿校验): recomputes what posting guaranteed and reports findings.

Findings are values, not exceptions: a list of what is wrong, each naming the book and the voucher
number, so a treasurer (or an auditor) sees every problem at once. An empty list means the chain,
the balancing, the numbering, the attachments and the audit trail are all intact.

:func:`verify_digest` checks a public notice's digest (the hash of the last entry it covers)
later: the entry is still in the ledger and the chain up to it is intact.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from operator import itemgetter
from typing import Any

from sqlalchemy import literal_column
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Connection
from sqlmodel import Session, col, func, select

from ledger import collector, signing
from ledger.bulk import stream_batches, stream_rows
from ledger.chain import (
    EntryHasher,
    PostingFacts,
    audit_hash,
    chart_digest,
    entry_hash,
    quote,
    voucher_number,
)
from ledger.errors import InvalidInputError
from ledger.i18n import _
from ledger.models import (
    AUDIT_HEAD_KEY,
    GENESIS_HASH,
    Account,
    AppUser,
    Attachment,
    AuditEvent,
    Book,
    Entry,
    LedgerMeta,
    Posting,
    columns,
)
from ledger.record import (
    BASELINE_ACTION,
    PRIVATE,
    RECORD_ACTIONS,
    RECORD_KEY,
    Replay,
    covered_tables,
    read_rows,
    record_key,
)


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem found: where (book, voucher) and what, in words a person can act on."""

    book: str | None
    number: str | None
    message: str

    def __str__(self) -> str:
        where = " ".join(p for p in (self.book and f"[{self.book}]", self.number) if p)
        return f"{where}: {self.message}" if where else self.message


def _usernames(session: Session) -> dict[int | None, str]:
    conn = session.connection()
    return dict(conn.execute(sa_select(*columns(AppUser.id, AppUser.username))).all())


def verify_ledger(session: Session, *, book_id: int | None = None) -> list[Finding]:
    """Check every book (or one) and the audit trail; return the findings, empty if intact."""
    users = _usernames(session)
    books = session.exec(select(Book).order_by(col(Book.id))).all()
    findings: list[Finding] = []
    for book in books:
        if book_id is None or book.id == book_id:
            findings.extend(_BookCheck(session, book, users).run())
    if book_id is None:
        replay = _RecordCheck(session)
        findings.extend(_verify_audit(session, users, replay))
        findings.extend(replay.findings)
        findings.extend(replay.compare(session.connection()))
    return findings


_HEX_DIGEST = re.compile(r"[0-9a-f]{64}")
_SHOWN_INPUT = 80  # characters of a refused digest echoed back


def normalize_digest(text: str) -> str:
    """A notice's digest as stored: 64 lower-case hex digits. Accepts upper case, surrounding
    spaces and a ``sha256:`` prefix; refuses anything else with a message a person can act on."""
    digest = text.strip().lower().removeprefix("sha256:").strip()
    if not _HEX_DIGEST.fullmatch(digest):
        shown = text.strip()
        if len(shown) > _SHOWN_INPUT:
            shown = shown[:_SHOWN_INPUT] + "…"
        raise InvalidInputError(
            _(
                "“{digest}” is not a notice's digest: a digest is 64 characters, each 0-9 or "
                "a-f (the SHA-256 printed on the notice)."
            ).format(digest=shown)
        )
    return digest


@dataclass(frozen=True, slots=True)
class DigestCheck:
    """What :func:`verify_digest` found: the entry a notice's digest names, and whether the
    chain from the book's first entry up to it is intact."""

    digest: str
    found: bool
    book_id: int | None = None
    book_name: str | None = None
    number: str | None = None
    date: dt.date | None = None
    chain_index: int | None = None
    entries_checked: int = 0
    findings: list[Finding] = field(default_factory=list)
    #: For a notice's digest of the record (not of one entry): the operation it names, when it
    #: was made, and how many books' chains were checked up to where they stood then.
    record_seq: int | None = None
    record_at: str | None = None
    books_checked: int = 0

    @property
    def intact(self) -> bool:
        """The entry is there and nothing up to it was changed."""
        return self.found and not self.findings

    def summary(self) -> str:
        """One sentence for the person holding the notice."""
        if not self.found:
            return _(
                "The ledger does NOT contain the record this notice was made from (digest "
                "{digest}): the books or their record were changed after the notice, or the "
                "digest is mistyped."
            ).format(digest=self.digest)
        if self.record_seq is not None:
            values_r = {
                "seq": self.record_seq,
                "at": self.record_at or "?",
                "n": self.entries_checked,
                "b": self.books_checked,
            }
            if self.findings:
                return _(
                    "The notice's digest matches the ledger's record through operation {seq} "
                    "({at}), but the books up to it are NOT intact: {n} findings."
                ).format(**{**values_r, "n": len(self.findings)})
            return _(
                "The notice's digest matches the ledger's record through operation {seq} "
                "({at}); the record up to it and the {n} entries of {b} books it covers are "
                "intact."
            ).format(**values_r)
        values = {
            "number": self.number,
            "date": self.date.isoformat() if self.date else "?",
            "book": self.book_name or "?",
            "n": self.entries_checked,
        }
        if self.findings:
            return _(
                "The notice's digest matches entry {number} ({date}) of “{book}”, but the chain "
                "up to it is NOT intact: {n} findings."
            ).format(**{**values, "n": len(self.findings)})
        return _(
            "The notice's digest matches entry {number} ({date}) of “{book}”; the chain up to "
            "it ({n} entries) is intact."
        ).format(**values)


def verify_digest(session: Session, digest: str) -> DigestCheck:
    """Check a notice's digest (the hash of the last entry it covers) against the ledger.

    Finds the entry whose stored hash is ``digest``, then recomputes the chain of its book from
    the first entry up to and including that one, with the same checks as
    :func:`verify_ledger`. Entries after it may have been added since the notice; they are not
    looked at. When no entry carries the digest, ``found`` is false: the entry the notice was
    made from has been rewritten (with its hash) or removed, or the digest was mistyped.
    Raises :class:`~ledger.errors.InvalidInputError` when ``digest`` is not 64 hex digits.
    """
    wanted = normalize_digest(digest)
    anchored = _verify_anchor(session, wanted)
    if anchored is not None:
        return anchored
    stmt = (
        sa_select(
            *columns(Entry.id, Entry.book_id, Entry.year, Entry.seq, Entry.chain_index, Entry.date)
        )
        .where(col(Entry.hash) == wanted)
        .order_by(col(Entry.id))
        .limit(1)
    )
    rows = list(stream_rows(session.connection(), stmt))
    if not rows:
        return DigestCheck(wanted, found=False)
    entry_id, book_id, year, seq, index, date = rows[0]
    try:
        number = voucher_number(year, seq)
    except (TypeError, ValueError):
        number = _("entry id {id}").format(id=entry_id)
    found = DigestCheck(wanted, True, number=number, date=_date_or_none(date), chain_index=index)
    book = session.get(Book, book_id)
    if book is None:
        finding = Finding(
            None,
            number,
            _("carries the digest but belongs to no book; it was changed outside Gongzhang."),
        )
        return replace(found, findings=[finding])
    check = _BookCheck(session, book, _usernames(session))
    check.walk(through=index if isinstance(index, int) else None)
    return replace(
        found,
        book_id=book.id,
        book_name=book.name,
        entries_checked=check.checked,
        findings=check.findings,
    )


def _date_or_none(value: object) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def _exact_date_iso(value: object) -> str | None:
    """A date (exactly a date, as PostgreSQL gives it) as ISO text; None for anything else."""
    return value.isoformat() if type(value) is dt.date else None


def _scan_in_id_order(conn: Connection, book_id: int) -> bool:
    """Whether to read a book's entries by scanning the entry table in id order (SQLite, and
    the book holds at least a quarter of the table) rather than sorting those the index finds."""
    if conn.dialect.name != "sqlite":
        return False
    total = conn.execute(sa_select(func.count()).select_from(Entry)).scalar() or 0
    mine = (
        conn.execute(
            sa_select(func.count()).select_from(Entry).where(col(Entry.book_id) == book_id)
        ).scalar()
        or 0
    )
    return mine * 4 >= total


def _iso(value: dt.date | str) -> str:
    """A date as ISO text, whether the driver gave a date or (SQLite) the stored text."""
    return value if isinstance(value, str) else value.isoformat()


class _BookCheck:
    """Walks one book's entries in order, recomputing every link of the chain.

    Entries and postings are read as two streams in entry order and merged, so memory stays flat
    however large the book.
    """

    def __init__(self, session: Session, book: Book, users: dict[int | None, str]) -> None:
        assert book.id is not None
        self.session = session
        self.book = book
        self.book_id: int = book.id
        self.book_uid = book.uid
        self.users = users
        self.findings: list[Finding] = []
        self.expected_index = 0
        self.checked = 0  # entries walked
        self.prev = GENESIS_HASH
        self.last_seq: dict[int, int] = {}
        self.numbers: dict[int, str] = {}
        self.reversed_ids: set[int | None] = set()
        self.codes: dict[int, str] = {}  # account codes of this book (JSON-quoted), by id
        self.odd_dates: set[int] = set()  # entries with a posting dated otherwise
        self._hasher: tuple[tuple[object, object, str], EntryHasher] | None = None
        conn = session.connection()
        self.accounts: dict[int, tuple[str, int]] = {
            aid: (code, bid)
            for aid, code, bid in conn.execute(
                sa_select(*columns(Account.id, Account.code, Account.book_id))
            )
        }

    def add(self, number: str | None, message: str) -> None:
        self.findings.append(Finding(self.book.name, number, message))

    def run(self) -> list[Finding]:
        claimed_here = self.walk()
        self.check_stray_postings(claimed_here)
        book = self.book
        if book.head_index != self.expected_index or book.head_hash != self.prev:
            self.add(
                None,
                _(
                    "the book's record of its last entry (place {index}) does not match "
                    "the entries found (place {found}); entries at the end were removed "
                    "or added outside Gongzhang."
                ).format(index=book.head_index, found=self.expected_index),
            )
        self.findings.extend(_verify_attachments(self.session, book))
        self.findings.extend(_AuditCrossCheck(self.session, book, self.prev).run())
        return self.findings

    def walk(self, *, through: int | None = None) -> int:
        """Check the chain from the book's first entry on, up to and including place ``through``
        (default: all of it); return how many of the postings read say they are of this book.

        Each entry is first checked on a fast path that only accepts an entry for which every
        check holds (with the values of the exact types posting writes); anything else — a
        finding, an odd value, an error — is checked again by :meth:`check_entry_safely`, which
        reports it. Both recompute the same canonical text (:mod:`ledger.chain`)."""
        conn = self.session.connection()
        book_id = self.book_id
        self.reversed_ids = set(
            self.session.exec(
                select(Entry.reverses_id).where(
                    col(Entry.book_id) == book_id, col(Entry.reverses_id).is_not(None)
                )
            ).all()
        )
        entries = sa_select(
            *columns(
                Entry.id,
                Entry.year,
                Entry.seq,
                Entry.chain_index,
                Entry.date,
                Entry.memo,
                Entry.recorded_by_id,
                Entry.approved_by_id,
                Entry.recorded_at,
                Entry.reverses_id,
                Entry.prev_hash,
                Entry.hash,
                Entry.status,
            )
        ).order_by(col(Entry.id))
        if _scan_in_id_order(conn, book_id):
            # Most of the table is this book's: reading it in id order costs less than
            # sorting what the index on the book gives back.
            entries = entries.where(literal_column("+entry.book_id") == book_id)
        else:
            entries = entries.where(col(Entry.book_id) == book_id)
        in_book = sa_select(col(Entry.id)).where(col(Entry.book_id) == book_id)
        if through is not None:
            entries = entries.where(col(Entry.chain_index) <= through)
            in_book = in_book.where(col(Entry.chain_index) <= through)
        postings = (
            sa_select(
                *columns(
                    Posting.entry_id,
                    Posting.line_no,
                    Posting.account_id,
                    Posting.amount_fen,
                    Posting.counterparty_id,
                    Posting.book_id,
                )
            )
            .where(col(Posting.entry_id).in_(in_book.scalar_subquery()))
            .order_by(col(Posting.entry_id), col(Posting.line_no))
        )
        # Postings grouped by entry, in entry order (both streams are in id order).
        groups = itertools.groupby(
            itertools.chain.from_iterable(stream_batches(conn, postings)), itemgetter(0)
        )
        self.codes = {
            aid: quote(code) for aid, (code, a_book) in self.accounts.items() if a_book == book_id
        }
        # Postings dated otherwise than their entry, found by the database: the postings are
        # read without their dates, and their entries go to the full check.
        self.odd_dates = set(
            conn.execute(
                sa_select(col(Posting.entry_id))
                .join(Entry, col(Entry.id) == col(Posting.entry_id))
                .where(
                    col(Posting.book_id) == book_id,
                    col(Posting.date).is_distinct_from(col(Entry.date)),
                )
            ).scalars()
        )
        with collector.paused():  # millions of short-lived tuples, none of them in a cycle
            return self.follow(stream_batches(conn, entries), groups)

    def follow(  # noqa: PLR0912, PLR0915 - the hot loop of verifying, kept in one piece
        self,
        entry_batches: Iterator[Sequence[Any]],
        groups: Iterator[tuple[Any, Iterator[tuple[Any, ...]]]],
    ) -> int:
        """Walk the entries (in batches) with their postings (grouped by entry, in the same
        order); return how many of those postings say they are of this book.

        Each entry is first checked on a fast path that only takes an entry for which every
        check of :meth:`check_entry` holds, with values of the exact types posting writes, and
        changes nothing otherwise: then the full check names whatever is wrong. Both hash the
        same canonical text (:mod:`ledger.chain`)."""
        book_id = self.book_id
        codes = self.codes
        numbers = self.numbers
        last_seq = self.last_seq
        reversed_ids = self.reversed_ids
        odd_dates = self.odd_dates
        expected = self.expected_index
        prev = self.prev
        claimed = 0
        checked = 0
        hashed_by: tuple[Any, Any, Any] | None = None
        hash_written = None
        none: tuple[Any, Iterator[tuple[Any, ...]]] = (None, iter(()))
        group_id, group = next(groups, none)
        try:
            for batch in entry_batches:
                for entry in batch:
                    eid = entry[0]
                    if group_id == eid:
                        lines = list(group)
                        group_id, group = next(groups, none)
                    else:
                        lines = []
                    checked += 1
                    try:
                        (_, year, seq, index, date, memo, by_id, ok_id, at, rev_id, prev_hash,
                         stored, status) = entry  # fmt: skip
                        date_iso = date if type(date) is str else _exact_date_iso(date)
                        if (
                            status == "posted"
                            and type(index) is int
                            and index == expected + 1
                            and prev_hash == prev
                            and type(year) is int
                            and type(seq) is int
                            and seq == last_seq.get(year, 0) + 1
                            and len(lines) > 1
                            and (rev_id is None or rev_id in numbers)
                            and date_iso is not None
                            and date_iso[:4] == str(year)
                            and eid not in odd_dates
                        ):
                            written = []
                            total = 0
                            for _e, line, aid, fen, cp, p_book in lines:
                                code = codes.get(aid)
                                if (
                                    p_book != book_id
                                    or code is None
                                    or type(fen) is not int
                                    or fen == 0
                                ):
                                    break
                                total += fen
                                # as chain.posting_json writes it
                                written.append(
                                    f"[{line},{code},{fen},{'null' if cp is None else cp}]"
                                )
                            else:
                                if hashed_by != (by_id, ok_id, at) or hash_written is None:
                                    hash_written = self.hasher(by_id, ok_id, at).hash_written
                                    hashed_by = (by_id, ok_id, at)
                                if total == 0 and stored == hash_written(
                                    year,
                                    seq,
                                    index,
                                    date_iso,
                                    memo,
                                    None if rev_id is None else numbers[rev_id],
                                    ",".join(written),
                                    prev_hash,
                                ):
                                    if eid in reversed_ids:
                                        numbers[eid] = voucher_number(year, seq)
                                    expected = index
                                    last_seq[year] = seq
                                    prev = stored
                                    claimed += len(lines)
                                    continue
                    except Exception:  # noqa: S110 - whatever it is, the full check reports it
                        pass
                    self.expected_index, self.prev = expected, prev
                    lines = self.lines_of(eid)  # with their dates
                    claimed += sum(posting[5] == book_id for posting in lines)
                    self.check_entry_safely(entry, lines)
                    expected, prev = self.expected_index, self.prev
        finally:
            self.expected_index, self.prev = expected, prev
            self.checked += checked
        return claimed

    def lines_of(self, entry_id: int) -> list[tuple[Any, ...]]:
        """The postings of one entry as the full check reads them, in line order."""
        stmt = (
            sa_select(
                *columns(
                    Posting.entry_id,
                    Posting.line_no,
                    Posting.account_id,
                    Posting.amount_fen,
                    Posting.counterparty_id,
                    Posting.book_id,
                    Posting.date,
                )
            )
            .where(col(Posting.entry_id) == entry_id)
            .order_by(col(Posting.line_no))
        )
        return list(stream_rows(self.session.connection(), stmt))

    def hasher(self, by_id: Any, ok_id: Any, at: str) -> EntryHasher:
        """The hasher of entries recorded by ``by_id``, approved by ``ok_id``, at ``at``: the
        last one made, while consecutive entries share these (as a posting batch's do)."""
        key = (by_id, ok_id, at)
        if self._hasher is None or self._hasher[0] != key:
            users = self.users
            approved = users.get(ok_id, "?") if ok_id is not None else None
            self._hasher = (key, EntryHasher(self.book_uid, users.get(by_id, "?"), approved, at))
        return self._hasher[1]

    def check_stray_postings(self, claimed_here: int) -> None:
        """Balances add up every posting that says it is of this book; any such posting that
        is not under one of the book's entries was put there behind the app's back. Counting
        them is cheap; only when the counts differ are the strays looked up to be named."""
        claimed = self.session.exec(
            select(func.count()).select_from(Posting).where(col(Posting.book_id) == self.book_id)
        ).one()
        if claimed == claimed_here:
            return
        in_book = select(col(Entry.id)).where(col(Entry.book_id) == self.book_id)
        strays = self.session.exec(
            select(Posting.entry_id, Posting.line_no).where(
                col(Posting.book_id) == self.book_id,
                col(Posting.entry_id).not_in(in_book.scalar_subquery()),
            )
        ).all()
        for stray in strays:
            self.orphan(tuple(stray))

    def orphan(self, posting: tuple[Any, ...]) -> None:
        self.add(
            None,
            _(
                "posting {line} of entry id {entry} counts in this book's balances but belongs "
                "to no entry of this book; it was added outside Gongzhang."
            ).format(line=posting[1], entry=posting[0]),
        )

    def check_entry_safely(self, entry: tuple[Any, ...], lines: list[tuple[Any, ...]]) -> None:
        try:
            self.check_entry(entry, lines)
        except (TypeError, ValueError, AttributeError, KeyError, IndexError) as exc:
            self.add(
                _("entry id {id}").format(id=entry[0]),
                _(
                    "holds a value of the wrong kind ({error}); it was changed outside Gongzhang."
                ).format(error=exc),
            )
            self.prev = entry[11] if isinstance(entry[11], str) else self.prev

    def check_entry(self, entry: tuple[Any, ...], lines: list[tuple[Any, ...]]) -> None:
        (eid, year, seq, index, date, memo, by_id, ok_id, at, rev_id, prev_hash, stored) = entry[
            :12
        ]
        number = voucher_number(year, seq)
        if entry[12] != "posted":
            self.add(
                number,
                _("has the status “{status}”; a posted entry stays posted.").format(
                    status=entry[12]
                ),
            )
        date_iso = _iso(date)
        self.check_place(
            number, index=index, prev_hash=prev_hash, year=year, seq=seq, date_iso=date_iso
        )
        facts = self.check_postings(number, date_iso, lines)
        reverses = None
        if rev_id is not None:
            reverses = self.numbers.get(rev_id)
            if reverses is None:
                self.add(number, _("reverses an entry that is not earlier in this book."))
        recomputed = entry_hash(
            self.book_uid,
            year,
            seq,
            index,
            date_iso,
            memo,
            self.users.get(by_id, "?"),
            self.users.get(ok_id, "?") if ok_id is not None else None,
            at,
            reverses,
            facts,
            prev_hash,
        )
        if recomputed != stored:
            self.add(
                number,
                _("has been altered since it was posted: its content no longer matches its hash."),
            )
        if eid in self.reversed_ids:
            self.numbers[eid] = number
        self.prev = stored

    def check_place(
        self, number: str, *, index: int, prev_hash: str, year: int, seq: int, date_iso: str
    ) -> None:
        self.expected_index += 1
        if index != self.expected_index:
            self.add(
                number,
                _(
                    "is at place {got} of the chain where place {want} was expected; "
                    "entries are missing or were inserted."
                ).format(got=index, want=self.expected_index),
            )
            self.expected_index = index
        if prev_hash != self.prev:
            self.add(
                number,
                _(
                    "does not link to the entry before it (its previous-hash "
                    "differs); the entry before it was changed or removed."
                ),
            )
        if date_iso[:4] != str(year):
            self.add(
                number,
                _("is numbered in {year} but dated {date}.").format(year=year, date=date_iso),
            )
        last = self.last_seq.get(year, 0)
        if seq != last + 1:
            self.add(
                number,
                _("breaks the numbering: {want} was expected next.").format(
                    want=voucher_number(year, last + 1)
                ),
            )
        self.last_seq[year] = max(seq, last)

    def check_postings(
        self, number: str, date_iso: str, lines: list[tuple[Any, ...]]
    ) -> list[PostingFacts]:
        if len(lines) < 2:
            self.add(
                number, _("has {n} postings; every entry needs at least two.").format(n=len(lines))
            )
        facts: list[PostingFacts] = []
        total = 0
        book_id = self.book_id
        for _eid, line, account_id, fen, cp, p_book, p_date in lines:
            total += fen
            code, a_book = self.accounts.get(account_id, ("?", None))
            facts.append((line, code, fen, cp))
            if fen == 0:
                self.add(number, _("posting {line} is zero.").format(line=line))
            if p_book != book_id or a_book != book_id:
                self.add(number, _("posting {line} points to another book.").format(line=line))
            if _iso(p_date) != date_iso:
                self.add(
                    number,
                    _("posting {line} is dated {pdate} but the entry {date}.").format(
                        line=line, pdate=_iso(p_date), date=date_iso
                    ),
                )
            if a_book is None:
                self.add(
                    number,
                    _("posting {line} points to an account that does not exist.").format(line=line),
                )
        if total != 0:
            self.add(
                number,
                _("does not balance: its postings add up to {fen} fen instead of 0.").format(
                    fen=total
                ),
            )
        return facts


class _AuditCrossCheck:
    """Compares a book with what the audit trail says happened to it, for the facts that live
    outside the entries' hash chain: the newest entry, the closing date, the chart of accounts
    and the attachments. (Rewriting the whole trail too is caught only against a digest kept
    outside the ledger, such as the one printed on a notice.)"""

    def __init__(self, session: Session, book: Book, last_hash: str) -> None:
        self.session = session
        self.book = book
        self.last_hash = last_hash
        self.findings: list[Finding] = []

    def events(self, *actions: str) -> list[tuple[str, dict[str, Any]]]:
        rows = self.session.exec(
            select(AuditEvent.action, AuditEvent.detail)
            .where(
                col(AuditEvent.object_type).in_(["book", "entry"]),
                col(AuditEvent.action).in_(actions),
            )
            .order_by(col(AuditEvent.seq))
        ).all()
        out = []
        for action, detail in rows:
            try:
                data = json.loads(detail)
            except ValueError:
                continue  # the audit chain check reports the damage
            if isinstance(data, dict) and data.get("book") == self.book.id:
                out.append((action, data))
        return out

    def run(self) -> list[Finding]:
        book = self.book
        posted = self.events("entry.posted", "entries.posted")
        expected_head = posted[-1][1].get("head") if posted else GENESIS_HASH
        if expected_head != self.last_hash:
            self.add(
                _(
                    "the audit trail says the newest entry has the hash {want}, but the "
                    "newest entry found has {got}; entries were removed or replaced."
                ).format(want=str(expected_head)[:16], got=self.last_hash[:16])
            )
        closed = self.events("period.closed")
        want_closed = closed[-1][1].get("through") if closed else None
        got_closed = book.closed_through.isoformat() if book.closed_through else None
        if want_closed != got_closed:
            self.add(
                _(
                    "the book is closed through {got}, but the audit trail says {want}; "
                    "the closing date was changed outside Gongzhang."
                ).format(got=got_closed or "-", want=want_closed or "-")
            )
        charts = self.events("book.created", "chart.changed")
        want_chart = charts[-1][1].get("chart") if charts else None
        if want_chart != chart_digest_of_book(self.session, book.id or 0):
            self.add(
                _(
                    "the chart of accounts differs from the one recorded in the audit trail; "
                    "an account's code, name or type was changed outside Gongzhang."
                )
            )
        attached = sorted(
            (d.get("number"), d.get("sha256")) for _a, d in self.events("attachment.added")
        )
        found = sorted(
            (voucher_number(year, seq), sha)
            for year, seq, sha in self.session.exec(
                select(Entry.year, Entry.seq, Attachment.sha256)
                .join(Entry, col(Entry.id) == col(Attachment.entry_id))
                .where(col(Entry.book_id) == book.id)
            )
        )
        if attached != found:
            self.add(
                _(
                    "the attachments differ from those recorded in the audit trail "
                    "({want} recorded, {got} found)."
                ).format(want=len(attached), got=len(found))
            )
        return self.findings

    def add(self, message: str) -> None:
        self.findings.append(Finding(self.book.name, None, message))


def chart_digest_of_book(session: Session, book_id: int) -> str:
    """The digest of a book's chart of accounts as it is in the database now."""
    accounts = session.exec(select(Account).where(col(Account.book_id) == book_id)).all()
    codes = {a.id: a.code for a in accounts}
    return chart_digest(
        (a.code, a.name_zh, a.name_en, a.type, codes.get(a.parent_id), a.active) for a in accounts
    )


def _verify_attachments(session: Session, book: Book) -> list[Finding]:
    out: list[Finding] = []
    stmt = (
        sa_select(
            *columns(
                Attachment.filename,
                Attachment.sha256,
                Attachment.size,
                Attachment.data,
                Entry.year,
                Entry.seq,
            )
        )
        .join(Entry, col(Entry.id) == col(Attachment.entry_id))
        .where(col(Entry.book_id) == book.id)
    )
    for filename, sha, size, data, year, seq in session.connection().execute(stmt):
        if hashlib.sha256(data).hexdigest() != sha or len(data) != size:
            out.append(
                Finding(
                    book.name,
                    voucher_number(year, seq),
                    _("the attached file “{file}” has changed since it was attached.").format(
                        file=filename
                    ),
                )
            )
    return out


def _verify_audit(
    session: Session,
    users: dict[int | None, str],
    replay: _RecordCheck | None = None,
    *,
    through: int | None = None,
) -> list[Finding]:
    out: list[Finding] = []
    prev = GENESIS_HASH
    expected = 0
    stmt = sa_select(
        *columns(
            AuditEvent.seq,
            AuditEvent.at,
            AuditEvent.actor_id,
            AuditEvent.action,
            AuditEvent.object_type,
            AuditEvent.object_id,
            AuditEvent.detail,
            AuditEvent.prev_hash,
            AuditEvent.hash,
        )
    ).order_by(col(AuditEvent.seq))
    if through is not None:
        stmt = stmt.where(col(AuditEvent.seq) <= through)
    rows = stream_rows(session.connection(), stmt)
    for seq, at, actor_id, action, otype, oid, detail, prev_hash, stored in rows:
        if replay is not None and action in RECORD_ACTIONS:
            replay.take(seq, detail, prev_hash, baseline=action == BASELINE_ACTION)
        expected += 1
        label = _("audit event {seq}").format(seq=seq)
        if seq != expected:
            out.append(Finding(None, label, _("audit events are missing before this one.")))
            expected = seq
        recomputed = audit_hash(
            seq=seq,
            at=at,
            actor=users.get(actor_id) if actor_id is not None else None,
            action=action,
            object_type=otype,
            object_id=oid,
            detail=detail,
            prev_hash=prev_hash,
        )
        if prev_hash != prev or recomputed != stored:
            out.append(Finding(None, label, _("the audit trail has been altered here.")))
        prev = stored
    head = session.get(LedgerMeta, AUDIT_HEAD_KEY)
    found = f"{expected} {prev}" if expected else None
    if through is None and head is not None and head.value != found:
        out.append(
            Finding(
                None,
                _("audit trail"),
                _(
                    "the newest audit event recorded is number {want}, but the trail ends at "
                    "{got}; events at its end were removed or replaced outside Gongzhang."
                ).format(want=head.value.split(" ")[0], got=expected),
            )
        )
    return out


_SHOWN_VALUE = 60  # characters of a value shown in a finding


def _shown(value: object) -> str:
    text = "NULL" if value is None else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= _SHOWN_VALUE else text[: _SHOWN_VALUE - 1] + "…"


def _row_label(table: str, key_columns: tuple[str, ...], key: tuple[Any, ...]) -> str:
    where = ", ".join(f"{c}={_shown(v)}" for c, v in zip(key_columns, key, strict=False))
    return f"{table} ({where})"


class _RecordCheck:
    """Replays the record of changes (:mod:`ledger.record`) and compares every covered table
    with it: a row changed, added or removed outside Gongzhang is named with what it should be."""

    def __init__(self, session: Session | None = None) -> None:
        self.replay = Replay()
        self.findings: list[Finding] = []
        self._session = session

    def _entry_approvers(
        self, prior: dict[tuple[str, tuple[Any, ...]], dict[str, Any] | None], parsed: Any
    ) -> list[tuple[set[int], str]]:
        """The approvers of the entries a record adds to a book's chain (its head moves past
        them): each must have signed that record, as for an expense's decision."""
        if self._session is None:
            return []
        out: list[tuple[set[int], str]] = []
        for table, key, row in parsed.get("changes", ()):
            if table != "book" or not row:
                continue
            old = prior.get(("book", tuple(key))) or {}
            start, end = old.get("head_index") or 0, row.get("head_index") or 0
            if not isinstance(start, int) or not isinstance(end, int) or end <= start:
                continue
            found = self._session.connection().execute(
                sa_select(*columns(Entry.approved_by_id, Entry.year, Entry.seq))
                .where(
                    col(Entry.book_id) == key[0],
                    col(Entry.chain_index) > start,
                    col(Entry.chain_index) <= end,
                    col(Entry.approved_by_id).is_not(None),
                )
                .order_by(col(Entry.chain_index))
            )
            for approver, year, seq in found:
                what = _("the approval of entry {number}").format(number=voucher_number(year, seq))
                out.append(({approver}, what))
        return out

    def take(self, seq: int, detail: str, prev_hash: str, *, baseline: bool = False) -> None:
        label = _("audit event {seq}").format(seq=seq)
        try:
            parsed = json.loads(detail)
            before = {k: dict(v) for k, v in self.replay.tables.get("app_user", {}).items()}
            prior = {
                (str(t), tuple(k)): self.replay.tables.get(str(t), {}).get(tuple(k))
                for t, k, _row in parsed.get("changes", ())
            }
            self.replay.apply(parsed)
        except (ValueError, TypeError, AttributeError):
            self.findings.append(
                Finding(
                    None,
                    label,
                    _("this record of changes cannot be read; it was altered outside Gongzhang."),
                )
            )
            return
        if not baseline:
            self._check_signatures(label, seq, prev_hash, parsed, users_before=before, prior=prior)

    def _check_signatures(
        self,
        label: str,
        seq: int,
        prev_hash: str,
        parsed: dict[str, Any],
        *,
        users_before: dict[tuple[Any, ...], dict[str, Any]],
        prior: dict[tuple[str, tuple[Any, ...]], dict[str, Any] | None],
    ) -> None:
        """Every signature on the record must hold against the signer's registered key (for a
        user made in this very record, the key it registers); every approval in it must carry
        its approver's signature."""
        users_after = self.replay.tables.get("app_user", {})
        signatures = parsed.get("signatures") or {}
        body = {k: v for k, v in parsed.items() if k != "signatures"}
        signed = signing.payload(seq, prev_hash, body)
        valid: set[int] = set()
        for uid_text, signature in signatures.items():
            uid = int(uid_text) if str(uid_text).isdigit() else -1
            holder = users_before.get((uid,)) or users_after.get((uid,)) or {}
            # the key registered before this record, or — a user made here, or one from before
            # signing keys getting theirs here — the one it registers
            key = holder.get("public_key") or (users_after.get((uid,)) or {}).get("public_key")
            if signing.signature_holds(key, signed, signature):
                valid.add(uid)
            else:
                self.findings.append(
                    Finding(
                        None,
                        label,
                        _(
                            "the signature of user {user} does not hold: this record was "
                            "altered, or made outside Gongzhang."
                        ).format(user=holder.get("username") or uid_text),
                    )
                )
        admins = {
            key[0]
            for key, row in {**users_before, **users_after}.items()
            if row.get("role") == "admin"
        }
        needs = _signatures_needed(parsed, users_before, prior)
        needs += self._entry_approvers(prior, parsed)
        for needed, what in needs:
            # A user from before signing keys (a ledger made by an older version) cannot sign
            # until they get a key (``user passwd``, or an administrator's reset).
            keyed = {
                u
                for u in needed
                if (users_before.get((u,)) or users_after.get((u,)) or {}).get("public_key")
            }
            if not keyed or needed & valid:
                continue
            names = sorted(
                str((users_after.get((u,)) or {}).get("username") or u) for u in (needed or admins)
            )
            self.findings.append(
                Finding(
                    None,
                    label,
                    _(
                        "{what} carries no valid signature of {users}: it was not made by them "
                        "in Gongzhang."
                    ).format(what=what, users=", ".join(names) or "?"),
                )
            )

    def compare(self, conn: Any) -> list[Finding]:
        out: list[Finding] = []
        # Private values (kept as keyed hashes) compared, and those that differ: if every one
        # differs, the ledger's key was changed or removed — one finding says so.
        private_seen = 0
        private_wrong: list[Finding] = []
        secret = record_key(conn, create=False)
        for name, covered in covered_tables().items():
            want = self.replay.tables.get(name, {})
            private = PRIVATE.get(name, frozenset())
            seen: set[tuple[Any, ...]] = set()
            for key, row in read_rows(conn, covered, secret=secret):
                seen.add(key)
                label = _row_label(name, covered.key_columns, key)
                expected = want.get(key)
                if expected is None:
                    out.append(
                        Finding(
                            None,
                            label,
                            _(
                                "this row is not in the record of changes: it was added "
                                "outside Gongzhang."
                            ),
                        )
                    )
                    continue
                for column in covered.columns:
                    hidden = column in private and bool(expected.get(column))
                    private_seen += hidden
                    if row.get(column) != expected.get(column):
                        (private_wrong if hidden else out).append(
                            Finding(
                                None,
                                label,
                                _(
                                    "{column} is {actual}, but the record of changes says "
                                    "{expected}: it was changed outside Gongzhang."
                                ).format(
                                    column=column,
                                    actual=_shown(row.get(column)),
                                    expected=_shown(expected.get(column)),
                                ),
                            )
                        )
            for key, expected in want.items():
                if key not in seen:
                    shown = ", ".join(
                        f"{c}={_shown(expected.get(c))}"
                        for c in covered.columns
                        if c not in covered.key_columns
                    )
                    out.append(
                        Finding(
                            None,
                            _row_label(name, covered.key_columns, key),
                            _(
                                "this row was deleted outside Gongzhang; the record of changes "
                                "says it holds {row}."
                            ).format(row=shown),
                        )
                    )
        if private_wrong and (not secret or len(private_wrong) == private_seen > 1):
            out.append(
                Finding(
                    None,
                    f"ledger_meta {RECORD_KEY}",
                    _(
                        "none of the {n} private values (names, contacts, notes, password "
                        "hashes) matches the record of changes: the ledger's record key was "
                        "removed or replaced outside Gongzhang, so they cannot be checked."
                    ).format(n=private_seen),
                )
            )
        else:
            out.extend(private_wrong)
        return out


def _verify_anchor(session: Session, wanted: str) -> DigestCheck | None:
    """A digest that names an operation of the record (what notices print): the audit trail
    up to it must be intact, and replaying the record up to it gives each book's head then —
    each book's chain up to that head must be intact and end in that very hash."""
    conn = session.connection()
    found = conn.execute(
        sa_select(*columns(AuditEvent.seq, AuditEvent.at))
        .where(col(AuditEvent.hash) == wanted)
        .limit(1)
    ).first()
    if found is None:
        return None
    seq, at = found
    users = _usernames(session)
    replay = _RecordCheck(session)
    findings = _verify_audit(session, users, replay, through=seq)
    findings.extend(replay.findings)
    books = replay.replay.tables.get("book", {})
    entries = 0
    for (book_id,), row in sorted(books.items(), key=lambda item: str(item[0])):
        book = session.get(Book, book_id)
        name = str(row.get("name") or book_id)
        index, head = row.get("head_index"), row.get("head_hash")
        if book is None:
            findings.append(Finding(name, None, _("the book was deleted outside Gongzhang.")))
            continue
        check = _BookCheck(session, book, users)
        check.walk(through=index if isinstance(index, int) else None)
        findings.extend(check.findings)
        entries += check.checked
        if (index or 0) != check.expected_index or (index and check.prev != head):
            findings.append(
                Finding(
                    name,
                    None,
                    _(
                        "the entries up to place {index}, as they stood when the notice was "
                        "printed, were removed or rewritten outside Gongzhang."
                    ).format(index=index),
                )
            )
    # And what stands now must still be what the record says: a row changed behind the app's
    # back after the notice fails the notice's check too.
    now = _RecordCheck(session)
    findings.extend(f for f in _verify_audit(session, users, now) if f not in findings)
    findings.extend(now.findings)
    findings.extend(now.compare(conn))
    return DigestCheck(
        wanted,
        True,
        entries_checked=entries,
        findings=findings,
        record_seq=seq,
        record_at=at,
        books_checked=len(books),
    )


def _signatures_needed(
    parsed: dict[str, Any],
    users_before: dict[tuple[Any, ...], dict[str, Any]],
    prior: dict[tuple[str, tuple[Any, ...]], dict[str, Any] | None],
) -> list[tuple[set[int], str]]:
    """Who must have signed a record: (any one of these users, what they approved). An
    approval or rejection of an expense, a budget's approval, a vote's closing and any change
    to who may sign in or with which key."""
    admins = {k[0] for k, row in users_before.items() if row.get("role") == "admin"}
    if not admins:  # the ledger's first record: its first administrator makes the others
        admins = {
            k[0]
            for t, k, row in parsed.get("changes", ())
            if t == "app_user" and row and row.get("role") == "admin"
        }
    out: list[tuple[set[int], str]] = []
    for table, key, row in parsed.get("changes", ()):
        old = prior.get((str(table), tuple(key))) or {}
        if row is None:
            continue
        where = _row_label(str(table), ("id",), tuple(key))
        if table == "expense_decision" and not old:
            out.append(({row.get("user_id")}, _("the decision {row}").format(row=where)))
        elif (
            table == "budget"
            and row.get("status") == "approved" != old.get("status")
            and row.get("approved_by_id")
        ):
            out.append(({row.get("approved_by_id")}, _("the approval {row}").format(row=where)))
        elif (
            table == "vote"
            and row.get("status") == "closed" != old.get("status")
            and row.get("closed_by_id")
        ):
            out.append(({row.get("closed_by_id")}, _("the closing {row}").format(row=where)))
        elif table == "app_user":
            if not old:
                # A new user is made by an administrator — or, the ledger's first, by itself.
                out.append((admins, _("the new user {row}").format(row=where)))
            elif any(
                old.get(c) != row.get(c)
                for c in ("role", "password_hash", "public_key", "active", "username")
            ):
                out.append((admins | {key[0]}, _("the change to user {row}").format(row=where)))
    return out

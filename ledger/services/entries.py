"""Posting and reversing entries (记账与冲销): validation, gapless numbers, the hash chain.

Every money movement of the app goes through :func:`post_entries`, for one entry or for a whole
import: the same checks, the same numbering, the same chain. It locks the book row first
(``SELECT … FOR UPDATE``; on SQLite the writing transaction already holds the file's write lock),
so voucher numbers stay gapless and the chain linear when several people post at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import Table
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Connection
from sqlmodel import Session, col, func, select

from ledger import collector
from ledger.access import Action, require
from ledger.bulk import InsertsBehind, bind_converter
from ledger.chain import EntryHasher, PostingFacts, voucher_number
from ledger.clock import today, utc_now_iso
from ledger.domain import AccountType, BookKind
from ledger.errors import (
    AccountError,
    AlreadyReversedError,
    ClosedPeriodError,
    InvalidAmountError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    UnbalancedEntryError,
)
from ledger.i18n import N_, _, is_chinese
from ledger.models import (
    Account,
    AppUser,
    Book,
    Counterparty,
    Distribution,
    Entry,
    FeeBill,
    FeeCollection,
    Posting,
    Remuneration,
    Transfer,
    columns,
)
from ledger.money import MAX_FEN, Money
from ledger.money import format_fen as _money
from ledger.record import also_acting
from ledger.rules.text import check_keepable, find_unkeepable, shorten
from ledger.services.audit import record_event
from ledger.services.settings import get_int

MAX_MEMO_LENGTH = 200
#: The earliest date an entry may carry. Earlier ones are typing slips (``0400-05-01``); a
#: year before 1000 would also not print as the four digits voucher numbers are checked by.
MIN_ENTRY_DATE = dt.date(1900, 1, 1)

_ENTRY_TABLE: Table = Entry.__table__  # type: ignore[attr-defined]
_POSTING_TABLE: Table = Posting.__table__  # type: ignore[attr-defined]
_ENTRY_COLUMNS = (
    "id",
    "book_id",
    "year",
    "seq",
    "chain_index",
    "date",
    "memo",
    "status",
    "recorded_by_id",
    "recorded_at",
    "prev_hash",
    "hash",
)
#: Written only when some entry of the batch has them (approved, or a reversal); otherwise left
#: NULL by leaving them out: the sqlite3 driver looks for an adapter for every ``None`` it binds,
#: which costs more than binding a number.
_ENTRY_LINKS = ("approved_by_id", "reverses_id")
_POSTING_COLUMNS = ("entry_id", "book_id", "line_no", "account_id", "amount_fen", "date")
#: Likewise written only when some posting of the batch names a donor or payee.
_POSTING_COUNTERPARTY = ("counterparty_id",)
#: Entries handed to the database at a time while the next ones are checked and hashed.
_CHUNK_ENTRIES = 2_000
#: The first and the last chunk are short: the first goes to the database sooner, and the last is
#: written while nothing is left to check (so the caller waits for less).
_END_CHUNK_ENTRIES = 400


@dataclass(frozen=True, slots=True)
class PostingLine:
    """One line of an entry to be posted: debit positive, credit negative, in fen."""

    account_code: str
    amount_fen: int
    counterparty_id: int | None = None

    @classmethod
    def of(
        cls, account_code: str, amount: Money | int, counterparty_id: int | None = None
    ) -> PostingLine:
        fen = amount.fen if isinstance(amount, Money) else amount
        return cls(account_code, fen, counterparty_id)


@dataclass(frozen=True, slots=True)
class EntryDraft:
    """An entry as a person (or an import) describes it, before it has a number."""

    date: dt.date
    memo: str
    lines: Sequence[PostingLine]
    reverses_id: int | None = None


class PostedEntry(NamedTuple):
    """A posted entry as :func:`post_entries` returns it (a named tuple: an import makes
    hundreds of thousands, and a frozen dataclass costs several times as much to create)."""

    id: int
    book_id: int
    year: int
    seq: int
    date: dt.date
    memo: str
    chain_index: int
    hash: str

    @property
    def number(self) -> str:
        """The voucher number (记-2024-0001), made when asked: most of an import's never are."""
        return voucher_number(self.year, self.seq)


@dataclass(slots=True)
class _AccountInfo:
    id: int
    code: str
    name: str
    active: bool
    is_parent: bool
    is_expense: bool = False


def _load_accounts(session: Session, book_id: int) -> dict[str, _AccountInfo]:
    rows = (
        session.connection()
        .execute(
            sa_select(
                *columns(
                    Account.id,
                    Account.code,
                    Account.name_zh,
                    Account.name_en,
                    Account.active,
                    Account.parent_id,
                    Account.type,
                )
            ).where(col(Account.book_id) == book_id)
        )
        .all()
    )
    parents = {r[5] for r in rows if r[5] is not None}
    zh = is_chinese()
    return {
        code: _AccountInfo(
            aid,
            code,
            name_zh if zh else name_en,
            bool(active),
            aid in parents,
            kind == AccountType.EXPENSE.value,
        )
        for aid, code, name_zh, name_en, active, _parent, kind in rows
        if aid is not None
    }


def _children_of(accounts: dict[str, _AccountInfo], parent: _AccountInfo) -> list[str]:
    return sorted(
        f"{a.code} {a.name}"
        for a in accounts.values()
        if a.code.startswith(parent.code) and a.code != parent.code and not a.is_parent
    )


class _Validator:
    """Checks drafts against one book; messages name the entry when a batch has several.

    A fast path runs the checks on plain values; only a draft that fails one is walked again by
    the slow path, which finds the first problem and words it.
    """

    def __init__(
        self, session: Session, book: Book, accounts: dict[str, _AccountInfo], *, many: bool
    ) -> None:
        self.session = session
        self.book_id = book.id
        self.book_name = book.name
        self.closed = book.closed_through
        self.accounts = accounts
        self.many = many
        self.counterparties: set[int] = set()
        #: The codes a posting may name: active accounts without sub-accounts.
        self.postable = frozenset(
            code for code, a in accounts.items() if a.active and not a.is_parent
        )
        #: Called before the validator asks the database anything (see post_entries).
        self.before_query: Callable[[], None] = _nothing

    def fail(
        self, error: type[Exception], message: str, position: int, draft: EntryDraft
    ) -> Exception:
        if not self.many:
            return error(message)
        where = _("Entry {n} (“{memo}”): ").format(n=position, memo=str(draft.memo)[:30])
        return error(where + message)

    def check(self, draft: EntryDraft, position: int) -> tuple[str, tuple[PostingFacts, ...]]:
        """The stripped memo and the posting facts of a valid draft; raises for an invalid one.

        The facts are a tuple of tuples of plain values, which the garbage collector stops
        tracking at its first look: a batch's facts then never make it walk them again (as a
        list each would be walked by every full collection until the batch is written)."""
        memo = draft.memo.strip() if isinstance(draft.memo, str) else ""
        date = draft.date
        if (
            not memo
            or len(memo) > MAX_MEMO_LENGTH
            or find_unkeepable(memo) is not None
            or type(date) is not dt.date
            or date < MIN_ENTRY_DATE
            or (self.closed is not None and date <= self.closed)
            or len(draft.lines) < 2
        ):
            self._check_header(draft, memo, position)
        postable = self.postable
        known = self.counterparties
        facts: list[PostingFacts] = []
        total = 0
        add = facts.append
        for line_no, line in enumerate(draft.lines, start=1):
            fen = line.amount_fen
            code = line.account_code
            cp = line.counterparty_id
            if (
                code not in postable
                or type(fen) is not int
                or fen == 0
                or not -MAX_FEN <= fen <= MAX_FEN
                or (cp is not None and cp not in known)
            ):
                code = self._check_line(line_no, line, position, draft).code
            add((line_no, code, fen, cp))
            total += fen
        if total != 0:
            debits = sum(f[2] for f in facts if f[2] > 0)
            credits = -sum(f[2] for f in facts if f[2] < 0)
            raise self.fail(
                UnbalancedEntryError,
                _(
                    "Debits and credits do not balance: debits {debits}, credits {credits}, "
                    "difference {diff}."
                ).format(
                    debits=_money(debits), credits=_money(credits), diff=_money(debits - credits)
                ),
                position,
                draft,
            )
        return memo, tuple(facts)

    def _check_header(self, draft: EntryDraft, memo: str, position: int) -> None:
        if not memo:
            raise self.fail(
                InvalidInputError,
                _("Every entry needs a memo saying what it is for."),
                position,
                draft,
            )
        if len(memo) > MAX_MEMO_LENGTH:
            raise self.fail(
                InvalidInputError,
                _("The memo is {n} characters long; keep it within {max}.").format(
                    n=len(memo), max=MAX_MEMO_LENGTH
                ),
                position,
                draft,
            )
        try:
            check_keepable(memo, _("The memo"))
        except InvalidInputError as exc:
            raise self.fail(InvalidInputError, str(exc), position, draft) from None
        date = draft.date
        if type(date) is not dt.date:
            raise self.fail(
                InvalidInputError, _("The entry needs a date (YYYY-MM-DD)."), position, draft
            )
        if date < MIN_ENTRY_DATE:
            raise self.fail(
                InvalidInputError,
                _(
                    "{date} is too early for an entry; the ledger takes dates from {first} on."
                ).format(date=date.isoformat(), first=MIN_ENTRY_DATE.isoformat()),
                position,
                draft,
            )
        if self.closed is not None and date <= self.closed:
            raise self.fail(
                ClosedPeriodError,
                _(
                    "{date} is in a closed period: “{book}” is closed through {closed}. Date "
                    "the entry after {closed}, or record a correction in the current period."
                ).format(
                    date=date.isoformat(), book=self.book_name, closed=self.closed.isoformat()
                ),
                position,
                draft,
            )
        raise self.fail(
            UnbalancedEntryError,
            _(
                "An entry needs at least two postings (a debit and a credit); this one has {n}."
            ).format(n=len(draft.lines)),
            position,
            draft,
        )

    def _check_line(
        self, line_no: int, line: PostingLine, position: int, draft: EntryDraft
    ) -> _AccountInfo:
        """Raise the first problem of a posting; return its account if there is none."""
        self.before_query()
        fen = line.amount_fen
        if type(fen) is not int:
            raise self.fail(
                InvalidAmountError,
                _(
                    "Posting {line}: the amount must be a whole number of fen, not {value!r}."
                ).format(line=line_no, value=fen),
                position,
                draft,
            )
        if fen == 0:
            raise self.fail(
                UnbalancedEntryError,
                _("Posting {line} (account {code}) is zero; remove it or enter an amount.").format(
                    line=line_no, code=shorten(line.account_code)
                ),
                position,
                draft,
            )
        if not -MAX_FEN <= fen <= MAX_FEN:
            raise self.fail(
                InvalidAmountError,
                _("Posting {line}: {amount} is beyond the largest amount the ledger keeps.").format(
                    line=line_no, amount=_money(fen)
                ),
                position,
                draft,
            )
        account = self.accounts.get(line.account_code)
        if account is None:
            raise self.fail(AccountError, self._unknown_account(line.account_code), position, draft)
        if account.is_parent:
            raise self.fail(
                AccountError,
                _(
                    "Account {code} {name} has sub-accounts; post to one of them: {children}."
                ).format(
                    code=account.code,
                    name=account.name,
                    children="; ".join(_children_of(self.accounts, account)),
                ),
                position,
                draft,
            )
        if not account.active:
            raise self.fail(
                AccountError,
                _("Account {code} {name} is closed for new postings.").format(
                    code=account.code, name=account.name
                ),
                position,
                draft,
            )
        cp = line.counterparty_id
        if cp is not None and cp not in self.counterparties:
            if self.session.get(Counterparty, cp) is None:
                raise self.fail(
                    NotFoundError,
                    _("Posting {line}: there is no donor or payee number {id}.").format(
                        line=line_no, id=cp
                    ),
                    position,
                    draft,
                )
            self.counterparties.add(cp)
        return account

    def _unknown_account(self, code: str) -> str:
        # A code no account can have (a lone surrogate from undecodable input) is refused by
        # its character: the database could not even take it as a parameter.
        check_keepable(code, _("The account code"))
        other = self.session.exec(
            select(Book.name)
            .join(Account, col(Account.book_id) == col(Book.id))
            .where(col(Account.code) == code, col(Book.id) != self.book_id)
        ).first()
        if other is not None:
            return _("Account {code} belongs to the book “{other}”, not to “{book}”.").format(
                code=code, other=other, book=self.book_name
            )
        return _("Account {code} does not exist in “{book}”.").format(
            code=shorten(code), book=self.book_name
        )


def _nothing() -> None:
    pass


_CHECKED_KINDS = (BookKind.MICRO_FUND.value, BookKind.TRUST_PROPERTY.value)


def _require_approval_of_spending(
    session: Session, book: Book, accounts: dict[str, _AccountInfo], drafts: list[EntryDraft]
) -> None:
    threshold = get_int(session, book.id or 0, "approval_threshold_fen")
    for draft in drafts:
        spent = sum(
            line.amount_fen
            for line in draft.lines
            if type(line.amount_fen) is int
            and line.amount_fen > 0
            and (info := accounts.get(line.account_code)) is not None
            and info.is_expense
        )
        if spent >= threshold:
            raise PermissionDeniedError(
                _(
                    "This entry spends {amount}, at or above the approval threshold of "
                    "{threshold}; it needs an approver other than you (--approver NAME)."
                ).format(amount=_money(spent), threshold=_money(threshold))
            )


def _lock_book(session: Session, book_id: int) -> Book:
    book = session.exec(
        select(Book)
        .where(col(Book.id) == book_id)
        .with_for_update()
        # The row as it is now, not as this session first loaded it.
        .execution_options(populate_existing=True)
    ).first()
    if book is None:
        raise NotFoundError(_("There is no book number {id}.").format(id=book_id))
    return book


def _reversal_target(session: Session, book: Book, entry_id: int, claimed: set[int]) -> str:
    target = session.get(Entry, entry_id)
    if target is None or target.book_id != book.id:
        raise NotFoundError(
            _("There is no entry number {id} in “{book}” to reverse.").format(
                id=entry_id, book=book.name
            )
        )
    number = voucher_number(target.year, target.seq)
    if target.reverses_id is not None:
        raise AlreadyReversedError(
            _("{number} is itself a reversal; post a new entry instead of reversing it.").format(
                number=number
            )
        )
    existing = session.exec(
        select(Entry.year, Entry.seq).where(col(Entry.reverses_id) == entry_id)
    ).first()
    if existing is not None or entry_id in claimed:
        by = voucher_number(*existing) if existing else _("another entry in this batch")
        raise AlreadyReversedError(
            _("{number} has already been reversed by {by}.").format(number=number, by=by)
        )
    claimed.add(entry_id)
    return number


def post_entries(  # noqa: PLR0915 - one hot loop, kept in one piece
    session: Session,
    *,
    book_id: int,
    drafts: Iterable[EntryDraft],
    actor: AppUser,
    approver: AppUser | None = None,
    manual: bool = False,
) -> list[PostedEntry]:
    """Validate and post entries to a book, all or none.

    ``manual`` marks an entry typed in directly (the ``post`` command, 手工凭证) rather than made by
    a service that applies its own checks: on a micro-fund or trust-property book, a manual entry
    whose spending (debits to expense accounts) reaches the book's approval threshold needs an
    approver, so the general journal is no way around maker-checker.

    Each entry gets the next gapless voucher number of its year (记-2024-0001) and its place in the
    book's hash chain. Raises a :class:`~ledger.errors.GongzhangError` naming the first bad entry;
    then nothing of the batch is written (the caller's transaction rolls back).
    """
    require(actor.username, actor.role, Action.POST_ENTRY)
    if approver is not None:
        require(approver.username, approver.role, Action.APPROVE)
        if approver.id == actor.id:
            raise PermissionDeniedError(
                _("{user} recorded this entry and cannot also approve it.").format(
                    user=actor.username
                )
            )
        # The approver signs the record that adds the entry to the chain — if they signed in
        # (their key is unlocked); verify requires that signature.
        also_acting(session, approver)
    book = _lock_book(session, book_id)
    assert book.id is not None
    drafts = list(drafts)
    if not drafts:
        return []
    many = len(drafts) > 1
    validator = _Validator(session, book, _load_accounts(session, book.id), many=many)
    if manual and approver is None and book.kind in _CHECKED_KINDS:
        _require_approval_of_spending(session, book, validator.accounts, drafts)
    # Plain locals: ORM attribute access costs more than the checks in a large batch.
    book_pk, book_uid, actor_id = book.id, book.uid, actor.id
    chain_index, prev = book.head_index, book.head_hash
    recorded_at = utc_now_iso()
    recorded_by = actor.username
    approved_by = approver.username if approver is not None else None
    approver_id = approver.id if approver is not None else None
    conn = session.connection()
    to_db_date = bind_converter(conn, _ENTRY_TABLE, "date")
    hasher = EntryHasher(book_uid, recorded_by, approved_by, recorded_at)
    check = validator.check
    account_ids = {code: a.id for code, a in validator.accounts.items()}
    # Asked before the rows start going in: the numbers already used in each year of the
    # batch, and the ids the new entries take (so postings name them without reading back).
    next_seq = _next_numbers(session, book_pk, drafts)
    entry_ids = _new_entry_ids(conn, len(drafts))
    linked = approver_id is not None or any(d.reverses_id is not None for d in drafts)
    entry_names = _ENTRY_COLUMNS + _ENTRY_LINKS if linked else _ENTRY_COLUMNS
    with_counterparty = any(
        line.counterparty_id is not None for draft in drafts for line in draft.lines
    )
    posting_names = (
        _POSTING_COLUMNS + _POSTING_COUNTERPARTY if with_counterparty else _POSTING_COLUMNS
    )
    # A date's ISO text (hashed) and its value for the database, once per date.
    days: dict[dt.date, tuple[str, Any]] = {}
    claimed: set[int] = set()
    posted: list[PostedEntry] = []
    add_posted = posted.append
    entry_rows: list[tuple[Any, ...]] = []
    posting_rows: list[tuple[Any, ...]] = []
    chunk_ends = iter(_chunk_ends(len(drafts)))
    chunk_end = next(chunk_ends)
    with InsertsBehind(conn) as writer, collector.paused():
        # The validator asks the database only about a line that fails its quick checks; the
        # rows already handed over go in first.
        validator.before_query = writer.wait
        for position, draft in enumerate(drafts, start=1):
            memo, facts = check(draft, position)
            reverses = None
            reverses_id = draft.reverses_id
            if reverses_id is not None:
                writer.wait()
                reverses = _reversal_target(session, book, reverses_id, claimed)
            date = draft.date
            year = date.year
            seq = next_seq[year]
            next_seq[year] = seq + 1
            chain_index += 1
            day = days.get(date)
            if day is None:
                days[date] = day = (date.isoformat(), to_db_date(date))
            digest = hasher(year, seq, chain_index, day[0], memo, reverses, facts, prev)
            entry_id = entry_ids[position - 1]
            db_date = day[1]
            row = (
                entry_id,
                book_pk,
                year,
                seq,
                chain_index,
                db_date,
                memo,
                "posted",
                actor_id,
                recorded_at,
                prev,
                digest,
            )
            entry_rows.append((*row, approver_id, reverses_id) if linked else row)
            if with_counterparty:
                posting_rows += [
                    (entry_id, book_pk, line_no, account_ids[code], fen, db_date, cp)
                    for line_no, code, fen, cp in facts
                ]
            else:
                posting_rows += [
                    (entry_id, book_pk, line_no, account_ids[code], fen, db_date)
                    for line_no, code, fen, _cp in facts
                ]
            add_posted(PostedEntry(entry_id, book_pk, year, seq, date, memo, chain_index, digest))
            prev = digest
            if position == chunk_end:
                chunk_end = next(chunk_ends, 0)
                writer.insert(_ENTRY_TABLE, entry_names, entry_rows)
                writer.insert(_POSTING_TABLE, posting_names, posting_rows)
                entry_rows, posting_rows = [], []
        writer.insert(_ENTRY_TABLE, entry_names, entry_rows)
        writer.insert(_POSTING_TABLE, posting_names, posting_rows)
    book.head_index = chain_index
    book.head_hash = prev
    session.add(book)
    session.flush()
    first, last = posted[0], posted[-1]
    record_event(
        session,
        actor=actor,
        action="entries.posted" if many else "entry.posted",
        object_type="book",
        object_id=book.id,
        detail={
            "book": book_pk,
            "count": len(posted),
            "first": first.number,
            "last": last.number,
            "head": last.hash,
            **({"approved_by": approved_by} if approved_by else {}),
        },
    )
    return posted


def _chunk_ends(count: int) -> list[int]:
    """Where the chunks of a batch of ``count`` entries end: a short first and last chunk,
    full ones between."""
    ends: list[int] = []
    done, size = 0, _END_CHUNK_ENTRIES
    while done < count:
        left = count - done
        step = min(size, left)
        if ends and left > 2 * _END_CHUNK_ENTRIES and left - step < _END_CHUNK_ENTRIES:
            step = left - _END_CHUNK_ENTRIES  # leave a short last chunk
        done += step
        ends.append(done)
        size = _CHUNK_ENTRIES
    return ends


def _next_numbers(session: Session, book_id: int, drafts: list[EntryDraft]) -> dict[int, int]:
    """The next voucher number of each year the drafts are dated in (one indexed query a year)."""
    numbers: dict[int, int] = {}
    for draft in drafts:
        date = draft.date
        if type(date) is dt.date and date.year not in numbers:
            highest = session.exec(
                select(func.max(Entry.seq)).where(
                    col(Entry.book_id) == book_id, col(Entry.year) == date.year
                )
            ).one()
            numbers[date.year] = (highest or 0) + 1
    return numbers


def _new_entry_ids(conn: Connection, count: int) -> Sequence[int]:
    """Ids for ``count`` new entries. The writer holds the ledger's write lock (SQLite's file lock,
    the server's ledger row lock), so on SQLite nobody else adds an entry before ours go in: they
    take the ids after the highest, as SQLite itself would give them. A server's sequence hands
    out its own, never twice."""
    if conn.dialect.name == "sqlite":
        highest = conn.execute(sa_select(func.max(col(Entry.id)))).scalar()
        start = (highest or 0) + 1
        return range(start, start + count)
    sequence = func.pg_get_serial_sequence(_ENTRY_TABLE.name, "id")
    return sorted(
        row[0]
        for row in conn.execute(
            sa_select(func.nextval(sequence)).select_from(func.generate_series(1, count))
        )
    )


def post_entry(
    session: Session,
    *,
    book_id: int,
    date: dt.date,
    memo: str,
    lines: Sequence[PostingLine],
    actor: AppUser,
    approver: AppUser | None = None,
    manual: bool = False,
) -> PostedEntry:
    """Post one entry (see :func:`post_entries`)."""
    return post_entries(
        session,
        book_id=book_id,
        drafts=[EntryDraft(date, memo, lines)],
        actor=actor,
        approver=approver,
        manual=manual,
    )[0]


def find_entry(session: Session, *, book_id: int, number: str) -> Entry:
    """An entry by its voucher number (``记-2024-0001``, or ``2024-1``)."""
    text = number.strip().removeprefix("记-").removeprefix("记")
    parts = text.split("-")
    if len(parts) != 2 or not all(p.isascii() and p.isdigit() and len(p) <= 9 for p in parts):
        raise InvalidInputError(
            _("“{number}” is not a voucher number; write it like 记-2024-0001.").format(
                number=shorten(number)
            )
        )
    year, seq = int(parts[0]), int(parts[1])
    entry = session.exec(
        select(Entry).where(
            col(Entry.book_id) == book_id, col(Entry.year) == year, col(Entry.seq) == seq
        )
    ).first()
    if entry is None:
        raise NotFoundError(
            _("There is no entry {number} in this book.").format(number=voucher_number(year, seq))
        )
    return entry


#: Records whose figures are read from their own rows as well as from the entry; reversing the
#: entry alone would leave them counted, so such entries are corrected through their own service.
_OWNERS: tuple[tuple[Any, str, str], ...] = (
    (FeeBill, "entry_id", N_("a month's property fee billing")),
    (FeeCollection, "entry_id", N_("a property fee collection")),
    (Remuneration, "entry_id", N_("the property company's remuneration")),
    (Distribution, "entry_id", N_("a profit distribution")),
    (Transfer, "from_entry_id", N_("a transfer between two books")),
    (Transfer, "to_entry_id", N_("a transfer between two books")),
)


def _refuse_if_owned(session: Session, entry_id: int, number: str) -> None:
    for model, column, what in _OWNERS:
        found = session.exec(
            select(func.count()).select_from(model).where(getattr(model, column) == entry_id)
        ).one()
        if found:
            raise AlreadyReversedError(
                _(
                    "{number} records {what}, whose own records count it too; reversing the "
                    "entry alone would leave them wrong, so it cannot be reversed here."
                ).format(number=number, what=_(what))
            )


def reverse_entry(
    session: Session,
    *,
    entry_id: int,
    actor: AppUser,
    date: dt.date | None = None,
    memo: str | None = None,
) -> PostedEntry:
    """Post the mirror image of an entry (红字冲销), linked to it; the original is never edited."""
    require(actor.username, actor.role, Action.REVERSE_ENTRY)
    original = session.get(Entry, entry_id)
    if original is None:
        raise NotFoundError(_("There is no entry number {id} to reverse.").format(id=entry_id))
    rows = session.exec(
        select(Account.code, Posting.amount_fen, Posting.counterparty_id)
        .join(Account, col(Account.id) == col(Posting.account_id))
        .where(col(Posting.entry_id) == entry_id)
        .order_by(col(Posting.line_no))
    ).all()
    number = voucher_number(original.year, original.seq)
    _refuse_if_owned(session, entry_id, number)
    text = (
        memo.strip()
        if memo and memo.strip()
        else _("Reversal of {number}: {memo}").format(number=number, memo=original.memo)
    )
    draft = EntryDraft(
        date=date or today(),
        memo=text[:MAX_MEMO_LENGTH],
        lines=[PostingLine(code, -fen, cp) for code, fen, cp in rows],
        reverses_id=entry_id,
    )
    return post_entries(session, book_id=original.book_id, drafts=[draft], actor=actor)[0]

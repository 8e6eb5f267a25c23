"""Posting and reversing entries (记账与冲销): validation, gapless numbers, the hash chain.

Every money movement of the app goes through :func:`post_entries`, for one entry or for a whole
import: the same checks, the same numbering, the same chain. It locks the book row first
(``SELECT … FOR UPDATE``; on SQLite the writing transaction already holds the file's write lock),
so voucher numbers stay gapless and the chain linear when several people post at once.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import insert
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, func, select

from ledger.access import Action, require
from ledger.chain import PostingFacts, entry_hash, voucher_number
from ledger.clock import today, utc_now_iso
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
from ledger.i18n import _, babel_locale
from ledger.models import Account, AppUser, Book, Counterparty, Entry, Posting, columns
from ledger.money import MAX_FEN, Money, format_money
from ledger.services.audit import record_event

MAX_MEMO_LENGTH = 200


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


@dataclass(frozen=True, slots=True)
class PostedEntry:
    id: int
    book_id: int
    number: str
    date: dt.date
    memo: str
    chain_index: int
    hash: str


@dataclass(slots=True)
class _AccountInfo:
    id: int
    code: str
    name: str
    active: bool
    is_parent: bool


def _money(fen: int) -> str:
    return format_money(Money(fen), babel_locale())


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
                )
            ).where(col(Account.book_id) == book_id)
        )
        .all()
    )
    parents = {r[5] for r in rows if r[5] is not None}
    zh = babel_locale() == "zh_CN"
    return {
        code: _AccountInfo(aid, code, name_zh if zh else name_en, bool(active), aid in parents)
        for aid, code, name_zh, name_en, active, _parent in rows
        if aid is not None
    }


def _children_of(accounts: dict[str, _AccountInfo], parent: _AccountInfo) -> list[str]:
    return sorted(
        f"{a.code} {a.name}"
        for a in accounts.values()
        if a.code.startswith(parent.code) and a.code != parent.code and not a.is_parent
    )


class _Validator:
    """Checks drafts against one book; messages name the entry when a batch has several."""

    def __init__(self, session: Session, book: Book, accounts: dict[str, _AccountInfo]) -> None:
        self.session = session
        self.book = book
        self.accounts = accounts
        self.counterparties: set[int] = set()

    def fail(self, error: type[Exception], message: str, where: str) -> Exception:
        return error(where + message)

    def check(self, draft: EntryDraft, where: str) -> tuple[str, list[PostingFacts]]:
        memo = draft.memo.strip() if isinstance(draft.memo, str) else ""
        if not memo:
            raise self.fail(
                InvalidInputError, _("Every entry needs a memo saying what it is for."), where
            )
        if len(memo) > MAX_MEMO_LENGTH:
            raise self.fail(
                InvalidInputError,
                _("The memo is {n} characters long; keep it within {max}.").format(
                    n=len(memo), max=MAX_MEMO_LENGTH
                ),
                where,
            )
        if not isinstance(draft.date, dt.date) or isinstance(draft.date, dt.datetime):
            raise self.fail(InvalidInputError, _("The entry needs a date (YYYY-MM-DD)."), where)
        closed = self.book.closed_through
        if closed is not None and draft.date <= closed:
            raise self.fail(
                ClosedPeriodError,
                _(
                    "{date} is in a closed period: “{book}” is closed through {closed}. Date "
                    "the entry after {closed}, or record a correction in the current period."
                ).format(
                    date=draft.date.isoformat(), book=self.book.name, closed=closed.isoformat()
                ),
                where,
            )
        lines = draft.lines
        if len(lines) < 2:
            raise self.fail(
                UnbalancedEntryError,
                _(
                    "An entry needs at least two postings (a debit and a credit); this one has {n}."
                ).format(n=len(lines)),
                where,
            )
        facts = [self._check_line(n, line, where) for n, line in enumerate(lines, start=1)]
        debits = sum(f[2] for f in facts if f[2] > 0)
        credits = -sum(f[2] for f in facts if f[2] < 0)
        if debits != credits:
            raise self.fail(
                UnbalancedEntryError,
                _(
                    "Debits and credits do not balance: debits {debits}, credits {credits}, "
                    "difference {diff}."
                ).format(
                    debits=_money(debits), credits=_money(credits), diff=_money(debits - credits)
                ),
                where,
            )
        return memo, facts

    def _check_line(self, line_no: int, line: PostingLine, where: str) -> PostingFacts:
        fen = line.amount_fen
        if type(fen) is not int:
            raise self.fail(
                InvalidAmountError,
                _(
                    "Posting {line}: the amount must be a whole number of fen, not {value!r}."
                ).format(line=line_no, value=fen),
                where,
            )
        if fen == 0:
            raise self.fail(
                UnbalancedEntryError,
                _("Posting {line} (account {code}) is zero; remove it or enter an amount.").format(
                    line=line_no, code=line.account_code
                ),
                where,
            )
        if not -MAX_FEN <= fen <= MAX_FEN:
            raise self.fail(
                InvalidAmountError,
                _("Posting {line}: {amount} is beyond the largest amount the ledger keeps.").format(
                    line=line_no, amount=_money(fen)
                ),
                where,
            )
        account = self.accounts.get(line.account_code)
        if account is None:
            raise self.fail(AccountError, self._unknown_account(line.account_code), where)
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
                where,
            )
        if not account.active:
            raise self.fail(
                AccountError,
                _("Account {code} {name} is closed for new postings.").format(
                    code=account.code, name=account.name
                ),
                where,
            )
        cp = line.counterparty_id
        if cp is not None and cp not in self.counterparties:
            if self.session.get(Counterparty, cp) is None:
                raise self.fail(
                    NotFoundError,
                    _("Posting {line}: there is no donor or payee number {id}.").format(
                        line=line_no, id=cp
                    ),
                    where,
                )
            self.counterparties.add(cp)
        return (line_no, account.code, fen, cp)

    def _unknown_account(self, code: str) -> str:
        other = self.session.exec(
            select(Book.name)
            .join(Account, col(Account.book_id) == col(Book.id))
            .where(col(Account.code) == code, col(Book.id) != self.book.id)
        ).first()
        if other is not None:
            return _("Account {code} belongs to the book “{other}”, not to “{book}”.").format(
                code=code, other=other, book=self.book.name
            )
        return _("Account {code} does not exist in “{book}”.").format(
            code=code, book=self.book.name
        )


def _lock_book(session: Session, book_id: int) -> Book:
    book = session.exec(select(Book).where(col(Book.id) == book_id).with_for_update()).first()
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


def post_entries(
    session: Session,
    *,
    book_id: int,
    drafts: Iterable[EntryDraft],
    actor: AppUser,
    approver: AppUser | None = None,
) -> list[PostedEntry]:
    """Validate and post entries to a book, all or none.

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
    book = _lock_book(session, book_id)
    assert book.id is not None
    validator = _Validator(session, book, _load_accounts(session, book.id))
    drafts = list(drafts)
    many = len(drafts) > 1
    next_seq: dict[int, int] = {}
    chain_index, prev = book.head_index, book.head_hash
    recorded_at = utc_now_iso()
    recorded_by = actor.username
    approved_by = approver.username if approver is not None else None
    claimed: set[int] = set()
    pending: list[tuple[dict[str, object], PostedEntry, list[PostingFacts]]] = []
    for position, draft in enumerate(drafts, start=1):
        where = (
            _("Entry {n} (“{memo}”): ").format(n=position, memo=str(draft.memo)[:30])
            if many
            else ""
        )
        memo, facts = validator.check(draft, where)
        reverses = None
        if draft.reverses_id is not None:
            reverses = _reversal_target(session, book, draft.reverses_id, claimed)
        year = draft.date.year
        if year not in next_seq:
            highest = session.exec(
                select(func.max(Entry.seq)).where(
                    col(Entry.book_id) == book.id, col(Entry.year) == year
                )
            ).one()
            next_seq[year] = (highest or 0) + 1
        seq = next_seq[year]
        next_seq[year] = seq + 1
        chain_index += 1
        digest = entry_hash(
            book_uid=book.uid,
            year=year,
            seq=seq,
            chain_index=chain_index,
            date_iso=draft.date.isoformat(),
            memo=memo,
            recorded_by=recorded_by,
            approved_by=approved_by,
            recorded_at=recorded_at,
            reverses=reverses,
            postings=facts,
            prev_hash=prev,
        )
        row: dict[str, object] = {
            "book_id": book.id,
            "year": year,
            "seq": seq,
            "chain_index": chain_index,
            "date": draft.date,
            "memo": memo,
            "status": "posted",
            "recorded_by_id": actor.id,
            "approved_by_id": approver.id if approver is not None else None,
            "recorded_at": recorded_at,
            "reverses_id": draft.reverses_id,
            "prev_hash": prev,
            "hash": digest,
        }
        summary = PostedEntry(
            0, book.id, voucher_number(year, seq), draft.date, memo, chain_index, digest
        )
        pending.append((row, summary, facts))
        prev = digest
    if not pending:
        return []
    ids = (
        session.exec(
            insert(Entry).returning(col(Entry.id), sort_by_parameter_order=True),
            params=[row for row, _summary, _facts in pending],
        )
        .scalars()
        .all()
    )
    accounts = validator.accounts
    posting_rows: list[dict[str, object]] = []
    posted: list[PostedEntry] = []
    for entry_id, (_row, summary, facts) in zip(ids, pending, strict=True):
        posting_rows.extend(
            {
                "entry_id": entry_id,
                "book_id": book.id,
                "line_no": line_no,
                "account_id": accounts[code].id,
                "amount_fen": fen,
                "date": summary.date,
                "counterparty_id": cp,
            }
            for line_no, code, fen, cp in facts
        )
        posted.append(dataclasses.replace(summary, id=entry_id))
    session.exec(insert(Posting), params=posting_rows)
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
            "count": len(posted),
            "first": first.number,
            "last": last.number,
            "head": last.hash,
            **({"approved_by": approved_by} if approved_by else {}),
        },
    )
    return posted


def post_entry(
    session: Session,
    *,
    book_id: int,
    date: dt.date,
    memo: str,
    lines: Sequence[PostingLine],
    actor: AppUser,
    approver: AppUser | None = None,
) -> PostedEntry:
    """Post one entry (see :func:`post_entries`)."""
    return post_entries(
        session,
        book_id=book_id,
        drafts=[EntryDraft(date, memo, lines)],
        actor=actor,
        approver=approver,
    )[0]


def find_entry(session: Session, *, book_id: int, number: str) -> Entry:
    """An entry by its voucher number (``记-2024-0001``, or ``2024-1``)."""
    text = number.strip().removeprefix("记-").removeprefix("记")
    parts = text.split("-")
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        raise InvalidInputError(
            _("“{number}” is not a voucher number; write it like 记-2024-0001.").format(
                number=number
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

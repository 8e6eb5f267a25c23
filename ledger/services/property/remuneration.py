"""The company's remuneration (酬金): its basis, posting and payment."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session, col, func, select

from ledger.access import Action, require
from ledger.charts import (
    TRUST_COMMON_FUND_BANK,
    TRUST_FEES_IN_ADVANCE,
    TRUST_REMUNERATION_EXPENSE,
    TRUST_REMUNERATION_PAYABLE,
)
from ledger.errors import InvalidAmountError, InvalidInputError
from ledger.i18n import _
from ledger.models import Account, AppUser, FeeBill, FeeCollection, Posting, Remuneration, Transfer
from ledger.money import format_fen as _money
from ledger.rules.property import format_bp, parse_period, period_bounds, remuneration
from ledger.services.entries import PostedEntry, PostingLine, post_entry
from ledger.services.property._common import (
    GIFT_KIND,
    REMUNERATION_BASIS_KEY,
    REMUNERATION_RATE_KEY,
    _check_amount,
    _check_date,
    _company,
    _date_in_period,
    _entry_number,
    _locked_trust_book,
    _period_ended,
    _trust_book,
)
from ledger.services.settings import get_int, get_text


def remuneration_basis_fen(session: Session, *, book_id: int, period: str, basis: str) -> int:
    """The fees a month's remuneration is computed on.

    ``collected``: money received in the month against bills (the settling part of each
    collection dated in the month) plus prepayments applied to bills in the month (the Dr 2203
    lines of the month's billing entry). A prepayment counts when it settles a bill, not when it
    is received. ``billed``: the month's bills.
    """
    period = parse_period(period)
    first, last = period_bounds(period)
    if basis == "billed":
        total = session.exec(
            select(func.sum(col(FeeBill.amount_fen))).where(
                col(FeeBill.book_id) == book_id, col(FeeBill.period) == period
            )
        ).one()
        return int(total or 0)
    if basis != "collected":
        raise InvalidInputError(
            _("Unknown remuneration basis “{basis}”; choose collected or billed.").format(
                basis=basis
            )
        )
    applied = session.exec(
        select(func.sum(col(FeeCollection.applied_fen))).where(
            col(FeeCollection.book_id) == book_id,
            col(FeeCollection.date) >= first,
            col(FeeCollection.date) <= last,
        )
    ).one()
    billing_entries = select(FeeBill.entry_id).where(col(FeeBill.book_id) == book_id).distinct()
    from_prepayments = session.exec(
        select(func.sum(col(Posting.amount_fen)))
        .join(Account, col(Account.id) == col(Posting.account_id))
        .where(
            col(Posting.book_id) == book_id,
            col(Account.code) == TRUST_FEES_IN_ADVANCE,
            col(Posting.amount_fen) > 0,
            col(Posting.date) >= first,
            col(Posting.date) <= last,
            col(Posting.entry_id).in_(billing_entries),
        )
    ).one()
    return int(applied or 0) + int(from_prepayments or 0)


def post_remuneration(
    session: Session,
    *,
    book_id: int,
    period: str,
    actor: AppUser,
    date: dt.date | None = None,
) -> Remuneration:
    """Post the company's remuneration (酬金) for a month, once, as its own entry:
    Dr 5109 物业服务酬金 / Cr 2251 应付物业服务酬金.

    Amount: the book's ``remuneration_rate_bp`` (default 1500 = 15%) of its
    ``remuneration_basis`` (default ``collected``, see :func:`remuneration_basis_fen`), by
    :func:`ledger.rules.property.remuneration`. Only after the month has ended; default date
    its last day.
    """
    require(actor.username, actor.role, Action.POST_ENTRY)
    book = _locked_trust_book(session, book_id)
    period = parse_period(period)
    when = _date_in_period(period, date, default_last=True)
    done = session.exec(
        select(Remuneration.entry_id).where(
            col(Remuneration.book_id) == book_id, col(Remuneration.period) == period
        )
    ).first()
    if done is not None:
        raise InvalidInputError(
            _(
                "The remuneration for {period} has already been posted ({number}); it is "
                "posted once a month."
            ).format(period=period, number=_entry_number(session, done))
        )
    _period_ended(period, _("post its remuneration"))
    basis = get_text(session, book_id, REMUNERATION_BASIS_KEY)
    rate_bp = get_int(session, book_id, REMUNERATION_RATE_KEY)
    basis_fen = remuneration_basis_fen(session, book_id=book_id, period=period, basis=basis)
    amount = remuneration(rate_bp, basis_fen)
    if amount <= 0:
        what = _("fees collected") if basis == "collected" else _("fees billed")
        raise InvalidInputError(
            _(
                "There is no remuneration for {period} in “{book}”: {what} {basis} × {rate} "
                "= {amount}."
            ).format(
                period=period,
                book=book.name,
                what=what,
                basis=_money(basis_fen),
                rate=format_bp(rate_bp),
                amount=_money(amount),
            )
        )
    memo = (
        _("Remuneration for {period}: {rate} of fees collected {basis}")
        if basis == "collected"
        else _("Remuneration for {period}: {rate} of fees billed {basis}")
    ).format(period=period, rate=format_bp(rate_bp), basis=_money(basis_fen))
    posted = post_entry(
        session,
        book_id=book_id,
        date=when,
        memo=memo,
        lines=[
            PostingLine(TRUST_REMUNERATION_EXPENSE, amount),
            PostingLine(TRUST_REMUNERATION_PAYABLE, -amount),
        ],
        actor=actor,
    )
    row = Remuneration(
        book_id=book_id,
        period=period,
        basis=basis,
        basis_fen=basis_fen,
        rate_bp=rate_bp,
        amount_fen=amount,
        entry_id=posted.id,
    )
    session.add(row)
    session.flush()
    return row


@dataclass(frozen=True, slots=True)
class RemunerationRow:
    period: str
    basis: str
    basis_fen: int
    rate_bp: int
    amount_fen: int
    number: str
    gift_fen: int
    gift_number: str | None


def list_remunerations(
    session: Session, *, book_id: int, year: int | None = None
) -> list[RemunerationRow]:
    """The posted remunerations of a book, with the gift to the micro-fund made from each."""
    _trust_book(session, book_id)
    stmt = select(Remuneration).where(col(Remuneration.book_id) == book_id)
    if year is not None:
        stmt = stmt.where(col(Remuneration.period).startswith(f"{year:04d}-"))
    gifts = {
        t.period: t
        for t in session.exec(
            select(Transfer).where(
                col(Transfer.from_book_id) == book_id, col(Transfer.kind) == GIFT_KIND
            )
        )
    }
    rows = []
    for r in sorted(session.exec(stmt), key=lambda r: r.period):
        gift = gifts.get(r.period)
        rows.append(
            RemunerationRow(
                r.period,
                r.basis,
                r.basis_fen,
                r.rate_bp,
                r.amount_fen,
                _entry_number(session, r.entry_id),
                gift.amount_fen if gift else 0,
                _entry_number(session, gift.from_entry_id) if gift else None,
            )
        )
    return rows


def _account_balance(session: Session, book_id: int, code: str, at: dt.date | None) -> int:
    """The signed balance (debit +) of one account of a book, dated by ``at``."""
    stmt = (
        select(func.sum(col(Posting.amount_fen)))
        .join(Account, col(Account.id) == col(Posting.account_id))
        .where(col(Posting.book_id) == book_id, col(Account.code) == code)
    )
    if at is not None:
        stmt = stmt.where(col(Posting.date) <= at)
    return int(session.exec(stmt).one() or 0)


def remuneration_owed(session: Session, *, book_id: int, at: dt.date | None = None) -> int:
    """Remuneration posted but not yet paid to the company (balance of 2251), in fen."""
    _trust_book(session, book_id)
    return -_account_balance(session, book_id, TRUST_REMUNERATION_PAYABLE, at)


def pay_remuneration(
    session: Session,
    *,
    book_id: int,
    date: dt.date,
    actor: AppUser,
    amount_fen: int | None = None,
    company_id: int | None = None,
) -> PostedEntry:
    """Pay the company remuneration owed to it (Dr 2251 / Cr 100201): all that is owed on
    ``date``, or ``amount_fen`` of it."""
    require(actor.username, actor.role, Action.POST_ENTRY)
    book = _locked_trust_book(session, book_id)
    _check_date(date)
    owed = remuneration_owed(session, book_id=book_id, at=date)
    amount = owed if amount_fen is None else amount_fen
    if owed <= 0:
        raise InvalidInputError(
            _("No remuneration is owed to the company in “{book}” on {date}.").format(
                book=book.name, date=date.isoformat()
            )
        )
    _check_amount(amount, _("A remuneration payment"))
    if amount > owed:
        raise InvalidAmountError(
            _("Only {owed} of remuneration is owed to the company on {date}, not {amount}.").format(
                owed=_money(owed), date=date.isoformat(), amount=_money(amount)
            )
        )
    company = _company(session, company_id)
    return post_entry(
        session,
        book_id=book_id,
        date=date,
        memo=_("Remuneration paid to the property company"),
        lines=[
            PostingLine(TRUST_REMUNERATION_PAYABLE, amount, company),
            PostingLine(TRUST_COMMON_FUND_BANK, -amount),
        ],
        actor=actor,
    )

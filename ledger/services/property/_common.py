"""What the parts of the trust-property service share: setting keys, checks and the book."""

from __future__ import annotations

import datetime as dt
import re

from sqlmodel import Session, col, select

from ledger.chain import voucher_number
from ledger.charts import (
    TRUST_COMMON_INCOME_BY_SOURCE,
    TRUST_EXPENSE_BY_BUDGET_LINE,
    TRUST_REMUNERATION_EXPENSE,
)
from ledger.clock import today
from ledger.domain import BookKind
from ledger.errors import InvalidAmountError, InvalidInputError, NotFoundError
from ledger.i18n import _
from ledger.models import Book, Counterparty, Entry, PropertyUnit
from ledger.money import MAX_FEN
from ledger.money import format_fen as _money
from ledger.rules.property import period_bounds
from ledger.services.counterparties import CounterpartyKind

FEE_RATE_KEY = "fee_rate_fen_per_m2"
REMUNERATION_RATE_KEY = "remuneration_rate_bp"
REMUNERATION_BASIS_KEY = "remuneration_basis"
GIFT_SHARE_KEY = "gift_share_bp"
#: ``Transfer.kind`` of the company's remuneration gift to a micro-fund.
GIFT_KIND = "remuneration_gift"
#: The micro-fund's donation source of the gift (物业酬金捐赠, 410104).
_GIFT_SOURCE = "remuneration_gift"
#: Sources of common-part income (公共收益) and their accounts.
COMMON_INCOME_SOURCES: tuple[str, ...] = tuple(TRUST_COMMON_INCOME_BY_SOURCE)
#: The budget lines :func:`spend` may not be used for (posted by their own service).
_NOT_SPENT_DIRECTLY = frozenset({TRUST_REMUNERATION_EXPENSE})
_BUDGET_LINE_BY_CODE = {code: key for key, code in TRUST_EXPENSE_BY_BUDGET_LINE.items()}
_NATURAL = re.compile(r"(\d+)")


def _check_amount(amount_fen: int, what: str) -> None:
    if type(amount_fen) is not int:
        raise InvalidAmountError(
            _("{what} must be a whole number of fen, not {value}.").format(
                what=what, value=repr(amount_fen)
            )
        )
    if amount_fen <= 0:
        raise InvalidAmountError(
            _("{what} must be more than zero; got {amount}.").format(
                what=what, amount=_money(amount_fen)
            )
        )
    if amount_fen > MAX_FEN:
        raise InvalidAmountError(
            _("{what} of {amount} is beyond the largest amount the ledger keeps.").format(
                what=what, amount=_money(amount_fen)
            )
        )


def _natural_key(text: str) -> tuple[tuple[int, int | str], ...]:
    """Sort ``2`` before ``10`` and ``2栋`` before ``10栋``."""
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in _NATURAL.split(text) if p)


def _book(session: Session, book_id: int) -> Book:
    book = session.get(Book, book_id)
    if book is None:
        raise NotFoundError(_("There is no book number {id}.").format(id=book_id))
    return book


def _trust_book(session: Session, book_id: int) -> Book:
    book = _book(session, book_id)
    if book.kind != BookKind.TRUST_PROPERTY.value:
        raise InvalidInputError(
            _(
                "“{book}” is a {kind} book; units, property fees, remuneration and the open "
                "budget are kept in a trust-style property book."
            ).format(book=book.name, kind=BookKind(book.kind).label)
        )
    return book


def _locked_trust_book(session: Session, book_id: int) -> Book:
    """The trust book, its row locked for this unit of work (``SELECT … FOR UPDATE``; on SQLite
    the writing transaction holds the file already), so that two people billing, collecting or
    spending at once each see what the other wrote."""
    _trust_book(session, book_id)
    return session.exec(
        select(Book)
        .where(col(Book.id) == book_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def _entry_number(session: Session, entry_id: int) -> str:
    entry = session.get(Entry, entry_id)
    return voucher_number(entry.year, entry.seq) if entry is not None else "?"


def _period_ended(period: str, action: str) -> None:
    _first, last = period_bounds(period)
    if today() < last:
        raise InvalidInputError(
            _("{period} has not ended yet; {action} after {last}.").format(
                period=period, action=action, last=last.isoformat()
            )
        )


def _check_date(date: object) -> dt.date:
    if type(date) is not dt.date:
        raise InvalidInputError(_("A date is needed (YYYY-MM-DD)."))
    return date


def _date_in_period(period: str, date: dt.date | None, *, default_last: bool) -> dt.date:
    first, last = period_bounds(period)
    if date is None:
        return last if default_last else first
    _check_date(date)
    if not first <= date <= last:
        raise InvalidInputError(
            _("{date} is not in {period}; date it within the month.").format(
                date=date.isoformat(), period=period
            )
        )
    return date


def _unit_of(session: Session, book: Book, unit_id: int) -> PropertyUnit:
    unit = session.get(PropertyUnit, unit_id)
    if unit is None or unit.book_id != book.id:
        raise NotFoundError(
            _("There is no unit number {id} in “{book}”.").format(id=unit_id, book=book.name)
        )
    return unit


def _company(session: Session, company_id: int | None) -> int | None:
    """The property company's counterparty: the one given, else the only one registered."""
    if company_id is not None:
        if session.get(Counterparty, company_id) is None:
            raise NotFoundError(_("There is no donor or payee number {id}.").format(id=company_id))
        return company_id
    ids = session.exec(
        select(Counterparty.id).where(
            col(Counterparty.kind) == CounterpartyKind.PROPERTY_COMPANY.value
        )
    ).all()
    return ids[0] if len(ids) == 1 else None

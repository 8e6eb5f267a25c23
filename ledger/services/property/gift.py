"""The company's gift of remuneration to a micro-fund, and the transfers that link books."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session, col, select

from ledger.access import Action, require
from ledger.charts import TRUST_COMMON_FUND_BANK, TRUST_REMUNERATION_PAYABLE
from ledger.clock import utc_now_iso
from ledger.domain import BookKind
from ledger.errors import InvalidAmountError, InvalidInputError
from ledger.i18n import _
from ledger.models import AppUser, Entry, Remuneration, Transfer
from ledger.money import format_fen as _money
from ledger.rules.property import format_bp, parse_period, period_bounds, share_of
from ledger.services.audit import record_event
from ledger.services.entries import PostingLine, post_entry
from ledger.services.microfund import record_donation
from ledger.services.property._common import (
    _GIFT_SOURCE,
    GIFT_KIND,
    GIFT_SHARE_KEY,
    _book,
    _company,
    _entry_number,
    _locked_trust_book,
)
from ledger.services.property.remuneration import remuneration_owed
from ledger.services.settings import get_int


@dataclass(frozen=True, slots=True)
class TransferView:
    """A linked pair of entries in two books, as either side sees it."""

    id: int
    kind: str
    period: str
    amount_fen: int
    from_book_id: int
    from_book: str
    from_entry_id: int
    from_number: str
    to_book_id: int
    to_book: str
    to_entry_id: int
    to_number: str


def _view(session: Session, t: Transfer) -> TransferView:
    return TransferView(
        t.id or 0,
        t.kind,
        t.period,
        t.amount_fen,
        t.from_book_id,
        _book(session, t.from_book_id).name,
        t.from_entry_id,
        _entry_number(session, t.from_entry_id),
        t.to_book_id,
        _book(session, t.to_book_id).name,
        t.to_entry_id,
        _entry_number(session, t.to_entry_id),
    )


def transfers_of_entry(session: Session, entry_id: int) -> list[TransferView]:
    """The transfers an entry is one side of (from either book)."""
    rows = session.exec(
        select(Transfer).where(
            (col(Transfer.from_entry_id) == entry_id) | (col(Transfer.to_entry_id) == entry_id)
        )
    ).all()
    return [_view(session, t) for t in rows]


def transfers_of_book(session: Session, *, book_id: int) -> list[TransferView]:
    """Every transfer into or out of a book, oldest first."""
    rows = session.exec(
        select(Transfer)
        .where((col(Transfer.from_book_id) == book_id) | (col(Transfer.to_book_id) == book_id))
        .order_by(col(Transfer.id))
    ).all()
    return [_view(session, t) for t in rows]


def gift_remuneration(
    session: Session,
    *,
    trust_book_id: int,
    fund_book_id: int,
    period: str,
    actor: AppUser,
    date: dt.date | None = None,
    company_id: int | None = None,
) -> TransferView:
    """The company's gift of ``gift_share_bp`` (default 3000 = 30%) of a month's remuneration
    to a community micro-fund, as one linked transfer that shows in both books:

    * trust book: Dr 2251 应付物业服务酬金 / Cr 100201 — the estate's bank pays it out of the
      remuneration owed to the company, on the company's behalf;
    * micro-fund book: Dr 1002 / Cr 410104 物业酬金捐赠, recorded by
      :func:`ledger.services.microfund.record_donation` with its numbered receipt, the company
      (``company_id``, default: the only counterparty of kind property_company) as donor.

    Refused for a month with no remuneration, a target that is not a micro-fund, a gift larger
    than what is still owed to the company, and a second gift for the same month.
    """
    require(actor.username, actor.role, Action.POST_ENTRY)
    trust = _locked_trust_book(session, trust_book_id)
    fund = _book(session, fund_book_id)
    if fund.kind != BookKind.MICRO_FUND.value:
        raise InvalidInputError(
            _("“{book}” is a {kind} book; the gift goes to a community micro-fund book.").format(
                book=fund.name, kind=BookKind(fund.kind).label
            )
        )
    period = parse_period(period)
    rem = session.exec(
        select(Remuneration).where(
            col(Remuneration.book_id) == trust_book_id, col(Remuneration.period) == period
        )
    ).first()
    if rem is None:
        raise InvalidInputError(
            _(
                "No remuneration has been posted for {period} in “{book}”, so there is nothing "
                "to give; post the month's remuneration first."
            ).format(period=period, book=trust.name)
        )
    done = session.exec(
        select(Transfer).where(
            col(Transfer.from_book_id) == trust_book_id,
            col(Transfer.kind) == GIFT_KIND,
            col(Transfer.period) == period,
        )
    ).first()
    if done is not None:
        raise InvalidInputError(
            _("The gift from the {period} remuneration has already been made ({number}).").format(
                period=period, number=_entry_number(session, done.from_entry_id)
            )
        )
    share_bp = get_int(session, trust_book_id, GIFT_SHARE_KEY)
    amount = share_of(share_bp, rem.amount_fen)
    if amount <= 0:
        raise InvalidInputError(
            _("The gift share is {share} of {amount}: nothing to give.").format(
                share=format_bp(share_bp), amount=_money(rem.amount_fen)
            )
        )
    rem_entry = session.get(Entry, rem.entry_id)
    when = date or (rem_entry.date if rem_entry is not None else period_bounds(period)[1])
    owed = remuneration_owed(session, book_id=trust_book_id, at=when)
    if amount > owed:
        raise InvalidAmountError(
            _(
                "Only {owed} of remuneration is still owed to the company on {date}; the gift "
                "of {amount} is paid out of it."
            ).format(owed=_money(owed), date=when.isoformat(), amount=_money(amount))
        )
    company = _company(session, company_id)
    if company is None:
        raise InvalidInputError(
            _(
                "Name the property company that makes the gift (--company), or register it as "
                "a donor of kind property_company: the micro-fund's receipt names the donor."
            )
        )
    memo = _("Gift of {share} of the {period} remuneration ({rem}) to “{fund}”").format(
        share=format_bp(share_bp), period=period, rem=_money(rem.amount_fen), fund=fund.name
    )
    trust_side = post_entry(
        session,
        book_id=trust_book_id,
        date=when,
        memo=memo,
        lines=[
            PostingLine(TRUST_REMUNERATION_PAYABLE, amount, company),
            PostingLine(TRUST_COMMON_FUND_BANK, -amount),
        ],
        actor=actor,
    )
    receipt = record_donation(
        session,
        book_id=fund_book_id,
        date=when,
        donor_id=company,
        source=_GIFT_SOURCE,
        amount_fen=amount,
        actor=actor,
    )
    fund_entry_id = receipt.entry_id
    transfer = Transfer(
        kind=GIFT_KIND,
        period=period,
        amount_fen=amount,
        from_book_id=trust_book_id,
        from_entry_id=trust_side.id,
        to_book_id=fund_book_id,
        to_entry_id=fund_entry_id,
        created_at=utc_now_iso(),
    )
    session.add(transfer)
    session.flush()
    record_event(
        session,
        actor=actor,
        action="transfer.linked",
        object_type="transfer",
        object_id=transfer.id or 0,
        detail={
            "kind": GIFT_KIND,
            "period": period,
            "amount_fen": amount,
            "from": [trust_book_id, trust_side.number],
            "to": [fund_book_id, _entry_number(session, fund_entry_id)],
        },
    )
    return _view(session, transfer)

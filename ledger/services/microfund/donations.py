"""Donations with numbered receipts (捐赠收据)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session, col, func, select

from ledger.access import Action, require
from ledger.chain import voucher_number
from ledger.errors import NotFoundError
from ledger.i18n import _, is_chinese
from ledger.models import AppUser, Book, Counterparty, DonationReceipt, Entry
from ledger.money import format_fen as _money
from ledger.money import to_capital
from ledger.rules.microfund import (
    account_label,
    check_amount,
    donation_account,
    donation_memo,
    money_account,
    parse_receipt_number,
    purpose_label,
    receipt_number,
)
from ledger.services.audit import record_event
from ledger.services.counterparties import CounterpartyKind, display_name
from ledger.services.entries import PostingLine, post_entry
from ledger.services.microfund._common import (
    _check_date,
    _reversed_entries,
    _user_name,
    micro_fund_book,
    resolve_purpose,
)


@dataclass(frozen=True, slots=True)
class ReceiptView:
    """Everything a printed donation receipt (捐赠收据) shows. The donor's name is masked as a
    notice shows it; contact data is never included."""

    id: int
    number: str
    book_id: int
    book_name: str
    organisation: str
    date: dt.date
    donor_id: int
    donor_name: str
    donor_kind: str
    amount_fen: int
    amount_text: str
    amount_capital: str
    source: str
    source_label: str
    restricted: bool
    purpose: str | None
    purpose_label: str
    voucher_number: str
    entry_id: int
    recorded_by: str
    reversed_by: str | None


def record_donation(
    session: Session,
    *,
    book_id: int,
    date: dt.date,
    donor_id: int,
    source: str,
    amount_fen: int,
    actor: AppUser,
    purpose: str | None = None,
    pay_into: str = "bank",
) -> DonationReceipt:
    """Record a donation: Dr bank (or cash) / Cr the donation income of its source, the donor
    on the income posting, and a receipt numbered ``捐-YYYY-NNNN`` without gaps.

    ``purpose`` makes the money restricted (限定性) to an activity or a spending category."""
    require(actor.username, actor.role, Action.POST_ENTRY)
    book = micro_fund_book(session, book_id)
    date = _check_date(date)
    income = donation_account(source)
    asset = money_account(pay_into)
    amount = check_amount(amount_fen, what=_("the donation"))
    donor = session.get(Counterparty, donor_id) if type(donor_id) is int else None
    if donor is None:
        raise NotFoundError(
            _("There is no donor number {id}; add the donor first.").format(id=donor_id)
        )
    stored_purpose = (
        resolve_purpose(session, book_id=book_id, text=purpose) if purpose is not None else None
    )
    posted = post_entry(
        session,
        book_id=book_id,
        date=date,
        memo=donation_memo(source, display_name(donor), stored_purpose),
        lines=[
            PostingLine(asset, amount),
            PostingLine(income, -amount, donor.id),
        ],
        actor=actor,
    )
    # The book is locked by the posting above until this unit of work ends.
    highest = session.exec(
        select(func.max(DonationReceipt.seq)).where(
            col(DonationReceipt.book_id) == book_id, col(DonationReceipt.year) == date.year
        )
    ).one()
    receipt = DonationReceipt(
        book_id=book_id,
        year=date.year,
        seq=(highest or 0) + 1,
        entry_id=posted.id,
        counterparty_id=donor.id or 0,
        source=source,
        amount_fen=amount,
        date=date,
        purpose=stored_purpose,
    )
    session.add(receipt)
    session.flush()
    record_event(
        session,
        actor=actor,
        action="donation.receipted",
        object_type="donation_receipt",
        object_id=receipt.id or 0,
        detail={
            "book": book.id,
            "receipt": receipt_number(receipt.year, receipt.seq),
            "entry": posted.number,
            "donor": donor.id,
            "source": source,
            "amount_fen": amount,
            "purpose": stored_purpose,
        },
    )
    return receipt


def _receipt_view(
    session: Session, receipt: DonationReceipt, reversed_ids: set[int]
) -> ReceiptView:
    book = session.get(Book, receipt.book_id)
    donor = session.get(Counterparty, receipt.counterparty_id)
    entry = session.get(Entry, receipt.entry_id)
    assert book is not None
    assert donor is not None
    assert entry is not None
    reversed_by = None
    if receipt.entry_id in reversed_ids:
        reversal = session.exec(
            select(Entry.year, Entry.seq).where(col(Entry.reverses_id) == receipt.entry_id)
        ).first()
        reversed_by = voucher_number(*reversal) if reversal else None
    chinese = is_chinese()
    try:
        kind = CounterpartyKind(donor.kind).label
    except ValueError:
        kind = donor.kind
    return ReceiptView(
        id=receipt.id or 0,
        number=receipt_number(receipt.year, receipt.seq),
        book_id=book.id or 0,
        book_name=book.name,
        organisation=book.organisation,
        date=receipt.date,
        donor_id=donor.id or 0,
        donor_name=display_name(donor),
        donor_kind=kind,
        amount_fen=receipt.amount_fen,
        amount_text=_money(receipt.amount_fen),
        amount_capital=to_capital(receipt.amount_fen),
        source=receipt.source,
        source_label=account_label(donation_account(receipt.source), chinese=chinese),
        restricted=receipt.purpose is not None,
        purpose=receipt.purpose,
        purpose_label=(
            purpose_label(receipt.purpose, chinese=chinese)
            if receipt.purpose is not None
            else _("unrestricted")
        ),
        voucher_number=voucher_number(entry.year, entry.seq),
        entry_id=entry.id or 0,
        recorded_by=_user_name(session, entry.recorded_by_id),
        reversed_by=reversed_by,
    )


def receipt_view(session: Session, *, receipt_id: int) -> ReceiptView:
    """One donation receipt with everything its printed form needs."""
    receipt = session.get(DonationReceipt, receipt_id)
    if receipt is None:
        raise NotFoundError(_("There is no donation receipt number {id}.").format(id=receipt_id))
    return _receipt_view(session, receipt, _reversed_entries(session, receipt.book_id))


def find_receipt(session: Session, *, book_id: int, number: str) -> ReceiptView:
    """A donation receipt of a book by its number (``捐-2024-0001``)."""
    year, seq = parse_receipt_number(number)
    receipt = session.exec(
        select(DonationReceipt).where(
            col(DonationReceipt.book_id) == book_id,
            col(DonationReceipt.year) == year,
            col(DonationReceipt.seq) == seq,
        )
    ).first()
    if receipt is None:
        raise NotFoundError(
            _("There is no donation receipt {number} in this book.").format(
                number=receipt_number(year, seq)
            )
        )
    return _receipt_view(session, receipt, _reversed_entries(session, book_id))


def list_receipts(session: Session, *, book_id: int, year: int | None = None) -> list[ReceiptView]:
    """The donation receipts of a book (of one year), in number order."""
    query = select(DonationReceipt).where(col(DonationReceipt.book_id) == book_id)
    if year is not None:
        query = query.where(col(DonationReceipt.year) == year)
    reversed_ids = _reversed_entries(session, book_id)
    return [
        _receipt_view(session, r, reversed_ids)
        for r in session.exec(
            query.order_by(col(DonationReceipt.year), col(DonationReceipt.seq))
        ).all()
    ]

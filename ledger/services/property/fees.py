"""Property fees: the fee rate, bills, collections, arrears and common-part income."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from fractions import Fraction

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, func, select

from ledger.access import Action, require
from ledger.charts import (
    TRUST_COMMON_FUND_BANK,
    TRUST_COMMON_INCOME_BY_SOURCE,
    TRUST_FEE_INCOME,
    TRUST_FEES_IN_ADVANCE,
    TRUST_FEES_RECEIVABLE,
)
from ledger.errors import InvalidAmountError, InvalidInputError, NotFoundError
from ledger.i18n import _
from ledger.models import AppUser, Entry, FeeBill, FeeCollection, PropertyUnit, columns
from ledger.money import format_fen as _money
from ledger.rules.property import (
    check_fee_rate,
    monthly_fee,
    parse_period,
    percent_text,
    rate_fraction,
    settle_oldest_first,
)
from ledger.rules.text import shorten
from ledger.services.entries import PostedEntry, PostingLine, post_entry
from ledger.services.property._common import (
    COMMON_INCOME_SOURCES,
    FEE_RATE_KEY,
    _check_amount,
    _date_in_period,
    _entry_number,
    _locked_trust_book,
    _natural_key,
    _trust_book,
    _unit_of,
)
from ledger.services.property.units import list_units, unit_label
from ledger.services.settings import get_int, set_setting

# --- fee rate -----------------------------------------------------------------------------------


def fee_rate(session: Session, *, book_id: int) -> int:
    """The book's property fee, in fen per m² per month (0 while none is set)."""
    _trust_book(session, book_id)
    return get_int(session, book_id, FEE_RATE_KEY)


def set_fee_rate(session: Session, *, book_id: int, rate_fen_per_m2: int, actor: AppUser) -> None:
    """Set the fee per m² per month (250 = ¥2.50), as the owners agreed. Zero or less is
    refused. Changing a setting is an administrator's task (book settings)."""
    _trust_book(session, book_id)
    check_fee_rate(rate_fen_per_m2)
    set_setting(session, book_id=book_id, key=FEE_RATE_KEY, value=rate_fen_per_m2, actor=actor)


# --- bills and payments -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BillingResult:
    period: str
    entry_id: int
    number: str
    units: int
    rate_fen_per_m2: int
    billed_fen: int
    prepaid_applied_fen: int


def _bills_by_unit(
    session: Session, book_id: int, at: dt.date | None = None
) -> dict[int, list[tuple[str, int]]]:
    """Each unit's bills (period, fen), oldest first; with ``at``, those dated by then."""
    stmt = (
        sa_select(*columns(FeeBill.unit_id, FeeBill.period, FeeBill.amount_fen))
        .join(Entry, col(Entry.id) == col(FeeBill.entry_id))
        .where(col(FeeBill.book_id) == book_id)
        .order_by(col(FeeBill.unit_id), col(FeeBill.period), col(FeeBill.id))
    )
    if at is not None:
        stmt = stmt.where(col(Entry.date) <= at)
    out: dict[int, list[tuple[str, int]]] = {}
    for unit_id, period, fen in session.connection().execute(stmt):
        out.setdefault(int(unit_id), []).append((str(period), int(fen)))
    return out


def _received_by_unit(session: Session, book_id: int, at: dt.date | None = None) -> dict[int, int]:
    """Everything each unit has paid (fen), with ``at``: dated by then."""
    stmt = (
        select(col(FeeCollection.unit_id), func.sum(col(FeeCollection.amount_fen)))
        .where(col(FeeCollection.book_id) == book_id)
        .group_by(col(FeeCollection.unit_id))
    )
    if at is not None:
        stmt = stmt.where(col(FeeCollection.date) <= at)
    return {int(uid): int(total or 0) for uid, total in session.exec(stmt)}


def bill_period(
    session: Session,
    *,
    book_id: int,
    period: str,
    actor: AppUser,
    date: dt.date | None = None,
) -> BillingResult:
    """Bill every unit its fee for a month, in one entry (default date: the 1st of the month).

    Fee per unit: ``area_dm2 × rate / 100`` fen, rounded half up (89.56 m² × ¥2.50 = ¥223.90).
    The entry debits 1122 and credits 4101 with the estate's total; a unit's prepayment settles
    its new bill in the same entry (Dr 2203 / Cr 1122). A month is billed once.
    """
    require(actor.username, actor.role, Action.POST_ENTRY)
    book = _locked_trust_book(session, book_id)
    period = parse_period(period)
    when = _date_in_period(period, date, default_last=False)
    done = session.exec(
        select(FeeBill.entry_id).where(
            col(FeeBill.book_id) == book_id, col(FeeBill.period) == period
        )
    ).first()
    if done is not None:
        raise InvalidInputError(
            _(
                "{period} has already been billed in “{book}” ({number}); a month is billed once."
            ).format(period=period, book=book.name, number=_entry_number(session, done))
        )
    rate = get_int(session, book_id, FEE_RATE_KEY)
    if rate <= 0:
        raise InvalidAmountError(
            _(
                "The property fee rate of “{book}” is {rate} fen per m²; set a rate above zero "
                "(gongzhang fees rate) before billing."
            ).format(book=book.name, rate=rate)
        )
    units = list_units(session, book_id=book_id)
    if not units:
        raise InvalidInputError(
            _("“{book}” has no units to bill; register the units first.").format(book=book.name)
        )
    bills = _bills_by_unit(session, book_id)
    received = _received_by_unit(session, book_id)
    fees: list[tuple[PropertyUnit, int]] = []
    applied_total = 0
    for unit in units:
        uid = unit.id or 0
        fee = monthly_fee(unit.area_dm2, rate)
        prepaid = received.get(uid, 0) - sum(f for _p, f in bills.get(uid, []))
        applied_total += min(max(prepaid, 0), fee)
        fees.append((unit, fee))
    total = sum(fee for _u, fee in fees)
    lines = [
        PostingLine(TRUST_FEES_RECEIVABLE, total),
        PostingLine(TRUST_FEE_INCOME, -total),
    ]
    if applied_total:
        lines += [
            PostingLine(TRUST_FEES_IN_ADVANCE, applied_total),
            PostingLine(TRUST_FEES_RECEIVABLE, -applied_total),
        ]
    memo = _("Property fees for {period}: {units} units at {rate} per m²").format(
        period=period, units=len(units), rate=_money(rate)
    )
    if applied_total:
        memo += _(", {amount} settled from prepayments").format(amount=_money(applied_total))
    posted = post_entry(session, book_id=book_id, date=when, memo=memo, lines=lines, actor=actor)
    for unit, fee in fees:
        session.add(
            FeeBill(
                book_id=book_id,
                unit_id=unit.id or 0,
                period=period,
                rate_fen_per_m2=rate,
                amount_fen=fee,
                entry_id=posted.id,
            )
        )
    session.flush()
    return BillingResult(period, posted.id, posted.number, len(units), rate, total, applied_total)


@dataclass(frozen=True, slots=True)
class CollectionResult:
    collection_id: int
    entry_id: int
    number: str
    unit: str
    amount_fen: int
    applied_fen: int
    prepaid_fen: int
    #: The bills this payment settled (period, fen), oldest first.
    settled: tuple[tuple[str, int], ...]
    #: What the unit still owes after this payment.
    owed_fen: int


def collect(
    session: Session,
    *,
    book_id: int,
    unit_id: int,
    date: dt.date,
    amount_fen: int,
    actor: AppUser,
    memo: str | None = None,
) -> CollectionResult:
    """Record property fees received from a unit into the common-fund bank (Dr 100201).

    The money settles the unit's oldest unpaid bills first (Cr 1122); part payments are fine.
    Whatever exceeds what the unit owes is kept as a prepayment (预收物业费, Cr 2203) and settles
    its next bills when they are issued — a larger payment is never refused.
    """
    require(actor.username, actor.role, Action.POST_ENTRY)
    book = _locked_trust_book(session, book_id)
    unit = _unit_of(session, book, unit_id)
    _check_amount(amount_fen, _("A payment"))
    label = unit_label(unit)
    bills = _bills_by_unit(session, book_id).get(unit_id, [])
    received = _received_by_unit(session, book_id).get(unit_id, 0)
    amounts = [fen for _p, fen in bills]
    before, _left = settle_oldest_first(received, amounts)
    owed = sum(amounts) - sum(before)
    applied = min(amount_fen, owed)
    prepaid = amount_fen - applied
    lines = [PostingLine(TRUST_COMMON_FUND_BANK, amount_fen)]
    if applied:
        lines.append(PostingLine(TRUST_FEES_RECEIVABLE, -applied))
    if prepaid:
        lines.append(PostingLine(TRUST_FEES_IN_ADVANCE, -prepaid))
    text = memo.strip() if memo and memo.strip() else ""
    if not text:
        text = _("Property fees received from {unit}").format(unit=label)
        if prepaid:
            text += _(" ({amount} paid in advance)").format(amount=_money(prepaid))
    posted = post_entry(session, book_id=book_id, date=date, memo=text, lines=lines, actor=actor)
    row = FeeCollection(
        book_id=book_id,
        unit_id=unit_id,
        date=date,
        amount_fen=amount_fen,
        applied_fen=applied,
        prepaid_fen=prepaid,
        entry_id=posted.id,
    )
    session.add(row)
    session.flush()
    after, _left = settle_oldest_first(received + amount_fen, amounts)
    settled = tuple(
        (period, a - b) for (period, _fen), a, b in zip(bills, after, before, strict=True) if a != b
    )
    return CollectionResult(
        row.id or 0,
        posted.id,
        posted.number,
        label,
        amount_fen,
        applied,
        prepaid,
        settled,
        owed - applied,
    )


@dataclass(frozen=True, slots=True)
class UnitAccount:
    """Where one unit stands: billed, paid against bills, owed and paid in advance."""

    unit_id: int
    unit: str
    building: str
    area_dm2: int
    billed_fen: int
    paid_fen: int
    owed_fen: int
    prepaid_fen: int
    #: The months with something unpaid, oldest first.
    unpaid_periods: tuple[str, ...]


def unit_accounts(
    session: Session, *, book_id: int, at: dt.date | None = None
) -> list[UnitAccount]:
    """Every unit's fee account (no owner names), from bills and payments dated by ``at``."""
    units = list_units(session, book_id=book_id)
    bills = _bills_by_unit(session, book_id, at)
    received = _received_by_unit(session, book_id, at)
    out: list[UnitAccount] = []
    for unit in units:
        uid = unit.id or 0
        own = bills.get(uid, [])
        amounts = [fen for _p, fen in own]
        paid, left = settle_oldest_first(received.get(uid, 0), amounts)
        unpaid = tuple(p for (p, fen), got in zip(own, paid, strict=True) if got < fen)
        out.append(
            UnitAccount(
                uid,
                unit_label(unit),
                unit.building,
                unit.area_dm2,
                sum(amounts),
                sum(paid),
                sum(amounts) - sum(paid),
                left,
                unpaid,
            )
        )
    return out


def arrears(session: Session, *, book_id: int, at: dt.date | None = None) -> list[UnitAccount]:
    """The units that owe fees (欠费), most owed first; no owner names."""
    owing = [a for a in unit_accounts(session, book_id=book_id, at=at) if a.owed_fen > 0]
    return sorted(owing, key=lambda a: (-a.owed_fen, _natural_key(a.unit)))


@dataclass(frozen=True, slots=True)
class BuildingArrears:
    building: str
    units: int
    units_owing: int
    billed_fen: int
    owed_fen: int
    prepaid_fen: int


def arrears_by_building(
    session: Session, *, book_id: int, at: dt.date | None = None
) -> list[BuildingArrears]:
    """Arrears per building (as the monthly notice shows them: no units, no names)."""
    totals: dict[str, list[int]] = {}
    for a in unit_accounts(session, book_id=book_id, at=at):
        t = totals.setdefault(a.building, [0, 0, 0, 0, 0])
        t[0] += 1
        t[1] += 1 if a.owed_fen > 0 else 0
        t[2] += a.billed_fen
        t[3] += a.owed_fen
        t[4] += a.prepaid_fen
    return [
        BuildingArrears(b, *t) for b, t in sorted(totals.items(), key=lambda i: _natural_key(i[0]))
    ]


@dataclass(frozen=True, slots=True)
class CollectionRate:
    """How much of a month's bills has been paid (收缴率): exact, and as people read it."""

    period: str
    billed_fen: int
    collected_fen: int
    outstanding_fen: int
    fraction: Fraction
    percent: str


def collection_rate(
    session: Session, *, book_id: int, period: str, at: dt.date | None = None
) -> CollectionRate:
    """The collection rate of a month: what has been paid against that month's bills (each
    unit's payments settle its bills oldest first) over what was billed, with payments dated
    by ``at`` (default: all)."""
    book = _trust_book(session, book_id)
    period = parse_period(period)
    billed = collected = 0
    found = False
    received = _received_by_unit(session, book_id, at)
    for uid, own in _bills_by_unit(session, book_id).items():
        paid, _left = settle_oldest_first(received.get(uid, 0), [fen for _p, fen in own])
        for (p, fen), got in zip(own, paid, strict=True):
            if p == period:
                found = True
                billed += fen
                collected += got
    if not found:
        raise NotFoundError(
            _("{period} has not been billed in “{book}”.").format(period=period, book=book.name)
        )
    fraction = rate_fraction(collected, billed) or Fraction(0)
    return CollectionRate(
        period,
        billed,
        collected,
        billed - collected,
        fraction,
        percent_text(collected, billed) or "—",
    )


# --- common-part income -------------------------------------------------------------------------


def record_common_income(
    session: Session,
    *,
    book_id: int,
    source: str,
    date: dt.date,
    amount_fen: int,
    actor: AppUser,
    memo: str | None = None,
    payer_id: int | None = None,
) -> PostedEntry:
    """Common-part income (公共收益: parking, advertising, other) into the owners' common fund:
    Dr 100201 / Cr 4201xx. It belongs to the owners, not to the company."""
    require(actor.username, actor.role, Action.POST_ENTRY)
    _trust_book(session, book_id)
    account = TRUST_COMMON_INCOME_BY_SOURCE.get(source)
    if account is None:
        raise InvalidInputError(
            _("Unknown source of common-part income “{source}”; choose one of: {choices}.").format(
                source=shorten(source), choices=", ".join(COMMON_INCOME_SOURCES)
            )
        )
    _check_amount(amount_fen, _("Common-part income"))
    labels = {
        "parking": _("Parking income"),
        "advertising": _("Advertising income"),
        "other": _("Other common-part income"),
    }
    text = memo.strip() if memo and memo.strip() else labels[source]
    return post_entry(
        session,
        book_id=book_id,
        date=date,
        memo=text,
        lines=[
            PostingLine(TRUST_COMMON_FUND_BANK, amount_fen),
            PostingLine(account, -amount_fen, payer_id),
        ],
        actor=actor,
    )

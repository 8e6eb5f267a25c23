"""Trust-style property service (信托制物业, 酬金制): units, fees, collections, common income, the
company's remuneration, the open budget (开放式预算) and the remuneration gift to a micro-fund.

Property fees and common-part income are the owners' common funds (共有资金, bank 100201); the
company is paid only its remuneration (酬金), a configured share of the fees; everything else is
spent under the owners' open budget. Every money movement is posted with
:func:`ledger.services.entries.post_entry`; the rows of this module (bills, collections,
remunerations, budgets, transfers) only say which unit, period or line an entry belongs to.

Decisions where the issue left a choice:

* **Rounding.** A unit's monthly fee is ``area_dm2 × rate / 100`` fen rounded half up
  (:func:`ledger.rules.property.monthly_fee`).
* **Billing.** A period is billed once, for the units registered at that moment, in ONE entry
  (Dr 1122 / Cr 4101 for the whole estate). Prepayments a unit holds are applied to its new
  bill in the same entry, on lines of their own (Dr 2203 / Cr 1122), so the voucher shows both
  the gross fees and what prepayments settled.
* **Collections** settle the unit's oldest unpaid bills first; part payments are fine. Money
  beyond what the unit owes is **kept as a prepayment** (预收物业费, Cr 2203), never refused,
  and settles the unit's next bills as they are issued. Which bill a fen paid is not stored: it
  is derived, oldest bill first, from everything the unit has paid, so it cannot drift.
* **Remuneration basis "collected"** (the default) is the fees settled in the month: money
  received in that month against bills, plus prepayments applied to that month's bills. A
  prepayment therefore counts when it is applied to a bill, not when it is received: the
  company earns on months it has served, and no fen counts twice. Basis "billed" is the
  period's bills. A period's remuneration is posted once, after the month has ended.
* **Open budget.** Budget lines are the typical lines of ``TRUST_EXPENSE_BY_BUDGET_LINE``; the
  creator of a budget is the actor of its ``budget.created`` audit event (the table has no
  column for it) and may not approve it. Money is spent only under an approved budget. The
  reserve line is an appropriation (Dr 5111 / Cr 3201 储备金), not a payment; the remuneration
  line is posted by :func:`post_remuneration`, not by :func:`spend`.
* **Gift.** The company's gift is paid by the estate's bank out of the remuneration still owed to
  the company (trust book: Dr 2251 / Cr 100201); the micro-fund receives it as a donation
  from the company, 物业酬金捐赠 (Dr 1002 / Cr 410104), with a numbered donation receipt
  (:func:`ledger.services.microfund.record_donation`). A :class:`~ledger.models.Transfer` row
  links the two entries.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, func, select

from ledger.access import Action, require
from ledger.chain import voucher_number
from ledger.charts import (
    TRUST_COMMON_FUND_BANK,
    TRUST_COMMON_INCOME_BY_SOURCE,
    TRUST_EXPENSE_BY_BUDGET_LINE,
    TRUST_FEE_INCOME,
    TRUST_FEES_IN_ADVANCE,
    TRUST_FEES_RECEIVABLE,
    TRUST_REMUNERATION_EXPENSE,
    TRUST_REMUNERATION_PAYABLE,
    TRUST_RESERVE,
    TRUST_RESERVE_APPROPRIATION,
)
from ledger.clock import today, utc_now_iso
from ledger.domain import BookKind
from ledger.errors import (
    InvalidAmountError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
)
from ledger.i18n import _, in_language
from ledger.models import (
    Account,
    AppUser,
    AuditEvent,
    Book,
    Budget,
    BudgetLine,
    Counterparty,
    Entry,
    FeeBill,
    FeeCollection,
    Household,
    Posting,
    PropertyUnit,
    Remuneration,
    Transfer,
    columns,
)
from ledger.money import MAX_FEN
from ledger.money import format_fen as _money
from ledger.rules.property import (
    check_fee_rate,
    format_area,
    format_bp,
    monthly_fee,
    parse_area,
    parse_period,
    percent_text,
    period_bounds,
    rate_fraction,
    remuneration,
    settle_oldest_first,
    share_of,
)
from ledger.rules.text import check_keepable, shorten
from ledger.services.audit import record_event
from ledger.services.counterparties import CounterpartyKind, add_counterparty
from ledger.services.entries import PostedEntry, PostingLine, post_entry
from ledger.services.microfund import record_donation
from ledger.services.settings import get_int, get_text, set_setting

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


# --- units --------------------------------------------------------------------------------------


#: The owner key of the developer's unsold units when none is given (建设单位).
DEVELOPER_OWNER_KEY = "建设单位"


def unit_label(unit: PropertyUnit) -> str:
    """How neighbours and notices name a unit: ``1-2-301`` (building-unit-room), ``5-102``."""
    parts = [unit.building, unit.unit, unit.room] if unit.unit else [unit.building, unit.room]
    return "-".join(parts)


def _clean_part(value: str, message: str, *, required: bool) -> str:
    clean = str(value).strip()
    if (required and not clean) or len(clean) > 20 or "-" in clean:
        raise InvalidInputError(message.format(value=shorten(value)))
    return clean


def add_unit(
    session: Session,
    *,
    book_id: int,
    building: str,
    room: str,
    area: str,
    actor: AppUser,
    unit: str = "",
    owner_key: str = "",
    owner_name: str = "",
    household_id: int | None = None,
    unsold: bool = False,
) -> PropertyUnit:
    """Register a unit (楼栋-单元-房号) with its exclusive area typed in m² (``"89.56"``).

    ``owner_key`` groups the units of one owner (default: the unit itself); ``owner_name`` is
    private: no notice, list or audit event shows it. ``unsold`` marks a unit the developer has
    not sold yet (建设单位尚未出卖): at an owners' meeting all of them count as one owner.
    """
    require(actor.username, actor.role, Action.MANAGE_COUNTERPARTIES)
    book = _trust_book(session, book_id)
    building_text = _clean_part(
        building,
        _("A building needs a name of 1 to 20 characters without “-”; got “{value}”."),
        required=True,
    )
    unit_text = _clean_part(
        unit,
        _("A unit (单元) takes at most 20 characters without “-”; got “{value}”."),
        required=False,
    )
    room_text = _clean_part(
        room,
        _("A room needs a number of 1 to 20 characters without “-”; got “{value}”."),
        required=True,
    )
    area_dm2 = parse_area(area)
    if household_id is not None:
        household = session.get(Household, household_id) if type(household_id) is int else None
        if household is None or not household.active:
            raise NotFoundError(_("There is no household “{ref}”.").format(ref=household_id))
    candidate = PropertyUnit(
        book_id=book_id,
        building=building_text,
        unit=unit_text,
        room=room_text,
        area_dm2=area_dm2,
        owner_key="",
        owner_name=owner_name.strip()[:100],
        household_id=household_id,
        unsold=bool(unsold),
    )
    label = check_keepable(unit_label(candidate), _("The unit's building, unit or room"))
    check_keepable(candidate.owner_name, _("The owner's name"))
    key = owner_key.strip() or (DEVELOPER_OWNER_KEY if candidate.unsold else label)
    if len(key) > 64:
        raise InvalidInputError(_("An owner key takes at most 64 characters."))
    check_keepable(key, _("The owner key"))
    if candidate.unsold:
        developer = session.exec(
            select(PropertyUnit.owner_key).where(
                col(PropertyUnit.book_id) == book_id, col(PropertyUnit.unsold)
            )
        ).first()
        if developer is not None and developer != key:
            raise InvalidInputError(
                _(
                    "The developer's unsold units of “{book}” carry the owner key “{key}”; "
                    "they count as one owner, so give unit {unit} the same key."
                ).format(book=book.name, key=developer, unit=label)
            )
    candidate.owner_key = key
    clash = session.exec(
        select(PropertyUnit.id).where(
            col(PropertyUnit.book_id) == book_id,
            col(PropertyUnit.building) == building_text,
            col(PropertyUnit.unit) == unit_text,
            col(PropertyUnit.room) == room_text,
        )
    ).first()
    if clash is not None:
        raise InvalidInputError(
            _("Unit {unit} is already registered in “{book}”.").format(unit=label, book=book.name)
        )
    session.add(candidate)
    session.flush()
    record_event(
        session,
        actor=actor,
        action="property_unit.added",
        object_type="property_unit",
        object_id=candidate.id or 0,
        detail={
            "book": book_id,
            "unit": label,
            "area_m2": format_area(area_dm2),
            "unsold": candidate.unsold,
        },
    )
    return candidate


def list_units(session: Session, *, book_id: int) -> list[PropertyUnit]:
    """The units of a trust book, by building, unit and room (natural order)."""
    _trust_book(session, book_id)
    units = session.exec(select(PropertyUnit).where(col(PropertyUnit.book_id) == book_id)).all()
    return sorted(
        units, key=lambda u: (_natural_key(u.building), _natural_key(u.unit), _natural_key(u.room))
    )


def find_unit(session: Session, *, book_id: int, ref: str | int) -> PropertyUnit:
    """A unit of the book by its label (``1-2-301``) or its number."""
    text = str(ref).strip()
    for unit in list_units(session, book_id=book_id):
        if unit_label(unit) == text:
            return unit
    if text.isascii() and text.isdigit() and len(text) <= 9:
        found = session.get(PropertyUnit, int(text))
        if found is not None and found.book_id == book_id:
            return found
    raise NotFoundError(
        _(
            "There is no unit “{ref}” in this book; name it as building-unit-room, like 1-2-301."
        ).format(ref=shorten(text))
    )


def _unit_of(session: Session, book: Book, unit_id: int) -> PropertyUnit:
    unit = session.get(PropertyUnit, unit_id)
    if unit is None or unit.book_id != book.id:
        raise NotFoundError(
            _("There is no unit number {id} in “{book}”.").format(id=unit_id, book=book.name)
        )
    return unit


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


# --- remuneration -------------------------------------------------------------------------------


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


# --- open budget --------------------------------------------------------------------------------


def budget_line_account(line: str) -> str:
    """The expense account of a budget line given by key (``cleaning``) or code (``5102``)."""
    text = str(line).strip()
    if text in TRUST_EXPENSE_BY_BUDGET_LINE:
        return TRUST_EXPENSE_BY_BUDGET_LINE[text]
    if text in _BUDGET_LINE_BY_CODE:
        return text
    raise InvalidInputError(
        _("Unknown budget line “{line}”; choose one of: {choices}.").format(
            line=shorten(text), choices=", ".join(TRUST_EXPENSE_BY_BUDGET_LINE)
        )
    )


def budget_line_key(account_code: str) -> str:
    """The key (``cleaning``) of a budget line's account, or the code if it has none."""
    return _BUDGET_LINE_BY_CODE.get(account_code, account_code)


def _account_names(session: Session, book_id: int) -> dict[str, tuple[str, str]]:
    rows = session.exec(
        select(Account.code, Account.name_zh, Account.name_en).where(
            col(Account.book_id) == book_id
        )
    ).all()
    return {code: (zh, en) for code, zh, en in rows}


def _check_year(year: int) -> None:
    if type(year) is not int or not 1900 <= year <= 9999:
        raise InvalidInputError(
            _("“{year}” is not a year; write it with four digits, like 2024.").format(
                year=shorten(year)
            )
        )


def create_budget(
    session: Session,
    *,
    book_id: int,
    year: int,
    lines: Mapping[str, int],
    actor: AppUser,
) -> Budget:
    """Draft the open budget (开放式预算) of a year: ``lines`` maps a line (``wages``,
    ``cleaning`` … or its account code) to its amount in fen. It stays a draft until someone
    other than its creator approves it."""
    require(actor.username, actor.role, Action.POST_ENTRY)
    book = _trust_book(session, book_id)
    _check_year(year)
    if session.exec(
        select(Budget.id).where(col(Budget.book_id) == book_id, col(Budget.year) == year)
    ).first():
        raise InvalidInputError(
            _("“{book}” already has a budget for {year}.").format(book=book.name, year=year)
        )
    if not lines:
        raise InvalidInputError(_("A budget needs at least one line."))
    names = _account_names(session, book_id)
    amounts: dict[str, int] = {}
    for line, amount in lines.items():
        code = budget_line_account(line)
        if code in amounts:
            raise InvalidInputError(
                _("The budget line “{line}” is given twice.").format(line=budget_line_key(code))
            )
        if type(amount) is not int or amount < 0 or amount > MAX_FEN:
            raise InvalidAmountError(
                _(
                    "The amount of the budget line “{line}” must be 0 or more fen; got {value}."
                ).format(line=budget_line_key(code), value=repr(amount))
            )
        amounts[code] = amount
    budget = Budget(book_id=book_id, year=year, status="draft")
    session.add(budget)
    session.flush()
    for code in sorted(amounts):
        session.add(
            BudgetLine(
                budget_id=budget.id or 0,
                name=names[code][0],
                account_code=code,
                amount_fen=amounts[code],
            )
        )
    session.flush()
    record_event(
        session,
        actor=actor,
        action="budget.created",
        object_type="budget",
        object_id=budget.id or 0,
        detail={
            "book": book_id,
            "year": year,
            "lines": {code: amounts[code] for code in sorted(amounts)},
            "total_fen": sum(amounts.values()),
        },
    )
    return budget


def get_budget(session: Session, *, book_id: int, year: int) -> Budget:
    book = _trust_book(session, book_id)
    budget = session.exec(
        select(Budget).where(col(Budget.book_id) == book_id, col(Budget.year) == year)
    ).first()
    if budget is None:
        raise NotFoundError(
            _("“{book}” has no budget for {year}; create it first.").format(
                book=book.name, year=year
            )
        )
    return budget


def _budget_creator_id(session: Session, budget_id: int) -> int | None:
    return session.exec(
        select(AuditEvent.actor_id).where(
            col(AuditEvent.action) == "budget.created",
            col(AuditEvent.object_type) == "budget",
            col(AuditEvent.object_id) == str(budget_id),
        )
    ).first()


def approve_budget(
    session: Session, *, book_id: int, year: int, actor: AppUser, note: str = ""
) -> Budget:
    """Approve a draft budget (draft → approved). The approver needs the right to approve and
    may not be the budget's creator; the note can name the owners' vote that decided it."""
    require(actor.username, actor.role, Action.APPROVE)
    budget = get_budget(session, book_id=book_id, year=year)
    if budget.status == "approved":
        raise InvalidInputError(_("The {year} budget is already approved.").format(year=year))
    return mark_budget_approved(session, budget=budget, actor=actor, note=note)


def mark_budget_approved(
    session: Session, *, budget: Budget, actor: AppUser, note: str, vote_id: int | None = None
) -> Budget:
    """Record a draft budget as approved, by ``actor`` or — ``vote_id`` — by an owners'
    meeting vote that ``actor`` closed.

    In person, ``actor`` needs the right to approve and may not be the budget's drafter
    (maker-checker); with a vote the owners decided, and ``actor`` needs the right to close
    votes."""
    require(
        actor.username,
        actor.role,
        Action.APPROVE if vote_id is None else Action.MANAGE_VOTES,
    )
    if vote_id is None and _budget_creator_id(session, budget.id or 0) == actor.id:
        raise PermissionDeniedError(
            _("{user} drafted the {year} budget and cannot also approve it.").format(
                user=actor.username, year=budget.year
            )
        )
    budget.status = "approved"
    budget.approved_by_id = actor.id
    budget.approved_by_vote_id = vote_id
    budget.approved_at = utc_now_iso()
    budget.approval_note = note.strip()[:400]
    session.add(budget)
    session.flush()
    record_event(
        session,
        actor=actor,
        action="budget.approved",
        object_type="budget",
        object_id=budget.id or 0,
        detail={
            "book": budget.book_id,
            "year": budget.year,
            "note": budget.approval_note,
            "vote": vote_id,
        },
    )
    return budget


@dataclass(frozen=True, slots=True)
class LineExecution:
    """One budget line: budget, actual (posted to its account in the year), remaining, % used."""

    line_id: int
    key: str
    account_code: str
    name_zh: str
    name_en: str
    budget_fen: int
    actual_fen: int
    remaining_fen: int
    #: ``actual / budget`` with two decimals (``"87.50%"``); None for a zero budget.
    percent_used: str | None


@dataclass(frozen=True, slots=True)
class BudgetExecution:
    year: int
    status: str
    approved_by: str | None
    lines: list[LineExecution]

    @property
    def budget_fen(self) -> int:
        return sum(line.budget_fen for line in self.lines)

    @property
    def actual_fen(self) -> int:
        return sum(line.actual_fen for line in self.lines)

    @property
    def remaining_fen(self) -> int:
        return self.budget_fen - self.actual_fen

    @property
    def percent_used(self) -> str | None:
        return percent_text(self.actual_fen, self.budget_fen)


def _spent_by_account(
    session: Session, book_id: int, year: int, codes: Iterable[str], at: dt.date | None = None
) -> dict[str, int]:
    last = dt.date(year, 12, 31) if at is None else min(at, dt.date(year, 12, 31))
    stmt = (
        select(col(Account.code), func.sum(col(Posting.amount_fen)))
        .join(Account, col(Account.id) == col(Posting.account_id))
        .where(
            col(Posting.book_id) == book_id,
            col(Account.code).in_(list(codes)),
            col(Posting.date) >= dt.date(year, 1, 1),
            col(Posting.date) <= last,
        )
        .group_by(col(Account.code))
    )
    return {str(code): int(total or 0) for code, total in session.exec(stmt)}


def budget_execution(
    session: Session, *, book_id: int, year: int, at: dt.date | None = None
) -> BudgetExecution:
    """Budget execution (预算执行) per line: what was posted to each line's account in the
    year (up to ``at``) against the line's budget."""
    budget = get_budget(session, book_id=book_id, year=year)
    lines = session.exec(
        select(BudgetLine)
        .where(col(BudgetLine.budget_id) == budget.id)
        .order_by(col(BudgetLine.account_code))
    ).all()
    names = _account_names(session, book_id)
    spent = _spent_by_account(session, book_id, year, [line.account_code for line in lines], at)
    approver = session.get(AppUser, budget.approved_by_id) if budget.approved_by_id else None
    return BudgetExecution(
        year,
        budget.status,
        approver.username if approver else None,
        [
            LineExecution(
                line.id or 0,
                budget_line_key(line.account_code),
                line.account_code,
                names.get(line.account_code, (line.name, line.name))[0],
                names.get(line.account_code, (line.name, line.name))[1],
                line.amount_fen,
                spent.get(line.account_code, 0),
                line.amount_fen - spent.get(line.account_code, 0),
                percent_text(spent.get(line.account_code, 0), line.amount_fen),
            )
            for line in lines
        ],
    )


def spend(
    session: Session,
    *,
    book_id: int,
    line: str,
    date: dt.date,
    memo: str,
    amount_fen: int,
    actor: AppUser,
    approver: AppUser | None = None,
    payee_id: int | None = None,
) -> PostedEntry:
    """Spend common funds under a line of the year's approved open budget: Dr the line's
    expense account / Cr 100201 (the reserve line: Cr 3201 储备金, an appropriation).

    Spending more than the line has left needs an approver: a user allowed to approve who is
    not the spender; the approver is recorded on the entry.
    """
    require(actor.username, actor.role, Action.POST_ENTRY)
    book = _locked_trust_book(session, book_id)
    code = budget_line_account(line)
    key = budget_line_key(code)
    if code in _NOT_SPENT_DIRECTLY:
        raise InvalidInputError(
            _("The remuneration line is posted by “remuneration” for a month, not spent directly.")
        )
    _check_amount(amount_fen, _("The amount spent"))
    if type(date) is not dt.date:
        raise InvalidInputError(_("The spending needs a date (YYYY-MM-DD)."))
    year = date.year
    budget = session.exec(
        select(Budget).where(col(Budget.book_id) == book_id, col(Budget.year) == year)
    ).first()
    if budget is None:
        raise InvalidInputError(
            _(
                "“{book}” has no budget for {year}; the owners' open budget must be approved "
                "before common funds are spent."
            ).format(book=book.name, year=year)
        )
    if budget.status != "approved":
        raise InvalidInputError(
            _(
                "The {year} budget is still a draft; it must be approved before common funds "
                "are spent under it."
            ).format(year=year)
        )
    budget_line = session.exec(
        select(BudgetLine).where(
            col(BudgetLine.budget_id) == budget.id, col(BudgetLine.account_code) == code
        )
    ).first()
    if budget_line is None:
        raise InvalidInputError(
            _("The {year} budget has no line “{line}”; spend under one of its lines.").format(
                year=year, line=key
            )
        )
    if approver is not None and approver.id == actor.id:
        raise PermissionDeniedError(
            _(
                "{user} is recording this spending and cannot also approve it; ask a reviewer "
                "or committee member."
            ).format(user=actor.username)
        )
    spent = _spent_by_account(session, book_id, year, [code]).get(code, 0)
    remaining = budget_line.amount_fen - spent
    zh, en = _account_names(session, book_id).get(code, (budget_line.name, budget_line.name))
    if amount_fen > remaining and approver is None:
        raise PermissionDeniedError(
            _(
                "{amount} is more than the {remaining} left on the budget line “{line}” for "
                "{year}; spending beyond the budget needs an approver (--approver)."
            ).format(
                amount=_money(amount_fen),
                remaining=_money(max(remaining, 0)),
                line=in_language(zh, en),
                year=year,
            )
        )
    credit = TRUST_RESERVE if code == TRUST_RESERVE_APPROPRIATION else TRUST_COMMON_FUND_BANK
    return post_entry(
        session,
        book_id=book_id,
        date=date,
        memo=memo,
        lines=[PostingLine(code, amount_fen, payee_id), PostingLine(credit, -amount_fen)],
        actor=actor,
        approver=approver,
    )


# --- the gift to a micro-fund -------------------------------------------------------------------


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


# --- demo ---------------------------------------------------------------------------------------

#: The 金河绿洲 demo's fee: ¥2.50 per m² per month.
DEMO_FEE_RATE_FEN_PER_M2 = 250
#: Typical exclusive areas of the estate's resettlement flats (安置房), m².
_DEMO_AREAS = ("89.56", "72.35", "108.40", "59.87", "95.12", "118.66")
_DEMO_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
_DEMO_GIVEN = (
    "德明",
    "秀英",
    "建国",
    "桂兰",
    "志强",
    "淑芬",
    "国华",
    "玉珍",
    "永福",
    "春梅",
    "文斌",
)
#: The open budget of the demo year (yuan), by line.
DEMO_BUDGET = {
    "wages": "126,000.00",
    "cleaning": "38,400.00",
    "greening": "18,000.00",
    "security": "33,600.00",
    "facilities": "20,000.00",
    "utilities": "22,000.00",
    "office": "4,800.00",
    "insurance": "3,600.00",
    "remuneration": "48,000.00",
    "taxes": "6,000.00",
    "reserve": "12,000.00",
    "other": "2,400.00",
}


@dataclass(frozen=True, slots=True)
class PropertyDemoSummary:
    units: int
    rate_fen_per_m2: int
    billed_fen: int
    received_fen: int
    owed_fen: int
    prepaid_fen: int
    remuneration_fen: int
    gift_fen: int
    collection_rate: str
    entries: int


def _demo_units() -> list[tuple[str, str, str, str, str, str]]:
    """(building, unit, room, area, owner key, owner name) of the 120 demo units:
    5 buildings × 2 entrances (单元) × 6 floors × 2 flats."""
    out: list[tuple[str, str, str, str, str, str]] = []
    n = 0
    for building in range(1, 6):
        for entrance in (1, 2):
            for floor in range(1, 7):
                for flat in (1, 2):
                    area = _DEMO_AREAS[(building + 2 * entrance + flat + floor // 3) % 6]
                    n += 1
                    if building == 5 and entrance == 2 and floor >= 5:
                        key, name = "developer", "开发商（未售房源）"
                    elif n in (12, 48):  # two owners with a second flat next door
                        key = f"O{n - 1:03d}"
                        name = out[-1][5]
                    else:
                        key = f"O{n:03d}"
                        name = (
                            _DEMO_SURNAMES[n % len(_DEMO_SURNAMES)]
                            + _DEMO_GIVEN[(n * 7) % len(_DEMO_GIVEN)]
                        )
                    out.append((str(building), str(entrance), f"{floor}0{flat}", area, key, name))
    return out


def _demo_payments(  # noqa: PLR0911 - one habit per branch reads best
    index: int, fee: int, month: int
) -> list[tuple[int, int]]:
    """What unit ``index`` pays in ``month`` of the demo year: [(day, fen)]. Deterministic
    habits: most pay each bill that month, some a quarter at a time, some a month late, a few
    in part, five not at all, two prepay the whole year in January and one half a year."""
    if index in (7, 63):  # the whole year in advance
        return [(10, 12 * fee)] if month == 1 else []
    if index == 88:  # half a year at a time; in July also next January in advance
        return [(12, 6 * fee if month == 1 else 7 * fee)] if month in (1, 7) else []
    if index in (13, 30, 77, 94, 102):  # paid nothing this year
        return []
    if index in (41, 66, 115):  # stopped paying after April (a dispute over a leak)
        return [(8, fee)] if month <= 4 else []
    if index % 23 == 5:  # pays a round ¥100 a month, short of the fee
        return [(20, 10_000)]
    if index % 15 == 4:  # a quarter at a time, at the quarter's end
        return [(26, 3 * fee)] if month % 3 == 0 else []
    if index % 10 == 9:  # a month late
        return [(15, fee)] if month >= 2 else []
    return [(5 + index % 20, fee)]


def _demo_first_admin(session: Session) -> AppUser:
    admin = session.exec(
        select(AppUser)
        .where(col(AppUser.role) == "admin", col(AppUser.active))
        .order_by(col(AppUser.id))
    ).first()
    if admin is None:
        raise NotFoundError(_("The ledger has no administrator to set the fee rate."))
    return admin


def build_property_demo(
    session: Session,
    *,
    book_id: int,
    treasurer: AppUser,
    reviewer: AppUser,
    committee: AppUser,
    year: int,
    fund_book_id: int | None = None,
    admin: AppUser | None = None,
    company_id: int | None = None,
) -> PropertyDemoSummary:
    """A deterministic year of the 金河绿洲 estate under trust-style property service.

    120 units in 5 buildings (59.87 to 118.66 m²), a fee of ¥2.50 per m² per month billed on
    the 1st of each month; payments by habit (most monthly, some quarterly or late, a few in
    part, five not at all, two prepaying the year), for a collection rate of about 92%;
    parking income every month and lift advertising every quarter; the company's 15%
    remuneration each month, 30% of it given to the micro-fund ``fund_book_id`` (if given) and
    the rest paid to the company; an open budget drafted by the treasurer and approved by the
    committee member, spent month by month, with one overrun (a gate repair in October)
    approved by the reviewer. The fee rate is set by ``admin`` (default: the ledger's first
    administrator); the company is ``company_id`` (default: 成都智乐宏图物业管理有限公司,
    registered here).
    """
    from ledger.money import parse_money  # noqa: PLC0415 - only the demo reads yuan text

    def fen(text: str) -> int:
        return parse_money(text).fen

    start = _trust_book(session, book_id).head_index
    set_fee_rate(
        session,
        book_id=book_id,
        rate_fen_per_m2=DEMO_FEE_RATE_FEN_PER_M2,
        actor=admin or _demo_first_admin(session),
    )
    if company_id is None:
        company_id = add_counterparty(
            session,
            kind=CounterpartyKind.PROPERTY_COMPANY,
            name="成都智乐宏图物业管理有限公司",
            actor=treasurer,
            note="信托制物业服务企业（酬金制，酬金为物业费的15%）",
        ).id
    parking = add_counterparty(
        session, kind=CounterpartyKind.ORGANISATION, name="金河绿洲停车场管理处", actor=treasurer
    )
    adverts = add_counterparty(
        session, kind=CounterpartyKind.MERCHANT, name="九江街道电梯广告代理商", actor=treasurer
    )
    repairs = add_counterparty(
        session, kind=CounterpartyKind.PAYEE, name="双流区安居门禁维修部", actor=treasurer
    )
    units = [
        add_unit(
            session,
            book_id=book_id,
            building=b,
            unit=u,
            room=r,
            area=area,
            owner_key=key,
            owner_name=name,
            actor=treasurer,
        )
        for b, u, r, area, key, name in _demo_units()
    ]
    create_budget(
        session,
        book_id=book_id,
        year=year,
        lines={line: fen(amount) for line, amount in DEMO_BUDGET.items()},
        actor=treasurer,
    )
    approve_budget(
        session,
        book_id=book_id,
        year=year,
        actor=committee,
        note="业主大会表决通过（开放式预算）",
    )
    d = dt.date
    fees = [monthly_fee(u.area_dm2, DEMO_FEE_RATE_FEN_PER_M2) for u in units]
    monthly_spending = [
        ("wages", 25, "人员工资及社保", "10,500.00"),
        ("cleaning", 25, "保洁服务费", "3,200.00"),
        ("security", 25, "秩序维护（门岗）服务费", "2,800.00"),
        ("office", 26, "办公用品及公示打印", "350.00"),
        ("reserve", 28, "按预算提取储备金", "1,000.00"),
    ]
    facilities = {
        3: ("单元门禁系统检修", "3,200.00"),
        6: ("雨季前屋面防水修补", "5,800.00"),
        8: ("消防器材更换", "4,600.00"),
    }
    remuneration_total = gift_total = 0
    for month in range(1, 13):
        period = f"{year:04d}-{month:02d}"
        last = period_bounds(period)[1]
        bill_period(session, book_id=book_id, period=period, actor=treasurer)
        for index, (unit, fee) in enumerate(zip(units, fees, strict=True)):
            for day, paid_fen in _demo_payments(index, fee, month):
                collect(
                    session,
                    book_id=book_id,
                    unit_id=unit.id or 0,
                    date=d(year, month, day),
                    amount_fen=paid_fen,
                    actor=treasurer,
                )
        record_common_income(
            session,
            book_id=book_id,
            source="parking",
            date=d(year, month, 27),
            amount_fen=fen("3,600.00"),
            memo=f"{month}月临时停车及车位管理收入",
            payer_id=parking.id,
            actor=treasurer,
        )
        if month % 3 == 0:
            record_common_income(
                session,
                book_id=book_id,
                source="advertising",
                date=d(year, month, 27),
                amount_fen=fen("1,500.00"),
                memo=f"第{month // 3}季度电梯广告位收入",
                payer_id=adverts.id,
                actor=treasurer,
            )
        for line, day, what, yuan in monthly_spending:
            spend(
                session,
                book_id=book_id,
                line=line,
                date=d(year, month, day),
                memo=f"{month}月{what}",
                amount_fen=fen(yuan),
                actor=treasurer,
            )
        spend(
            session,
            book_id=book_id,
            line="utilities",
            date=d(year, month, 26),
            memo=f"{month}月公共区域水电费",
            amount_fen=fen("1,650.00") + fen("180.00") * (month % 3),
            actor=treasurer,
        )
        if month == 1:
            spend(
                session,
                book_id=book_id,
                line="insurance",
                date=d(year, 1, 26),
                memo="公众责任险（全年）",
                amount_fen=fen("3,600.00"),
                actor=treasurer,
            )
        if month % 3 == 0:
            spend(
                session,
                book_id=book_id,
                line="greening",
                date=d(year, month, 26),
                memo=f"第{month // 3}季度绿化养护",
                amount_fen=fen("4,500.00"),
                actor=treasurer,
            )
            spend(
                session,
                book_id=book_id,
                line="taxes",
                date=d(year, month, 26),
                memo=f"第{month // 3}季度税费",
                amount_fen=fen("1,200.00"),
                actor=treasurer,
            )
        if month in facilities:
            what, yuan = facilities[month]
            spend(
                session,
                book_id=book_id,
                line="facilities",
                date=d(year, month, 26),
                memo=what,
                amount_fen=fen(yuan),
                actor=treasurer,
                payee_id=repairs.id,
            )
        if month == 9:
            spend(
                session,
                book_id=book_id,
                line="other",
                date=d(year, 9, 26),
                memo="中秋邻里活动场地布置",
                amount_fen=fen("800.00"),
                actor=treasurer,
            )
        if month == 10:  # beyond the facilities line: approved by the reviewer
            spend(
                session,
                book_id=book_id,
                line="facilities",
                date=d(year, 10, 26),
                memo="小区大门电动道闸更换（超预算，经审核批准）",
                amount_fen=fen("6,950.00"),
                actor=treasurer,
                approver=reviewer,
                payee_id=repairs.id,
            )
        rem = post_remuneration(session, book_id=book_id, period=period, actor=treasurer)
        remuneration_total += rem.amount_fen
        if fund_book_id is not None:
            gift = gift_remuneration(
                session,
                trust_book_id=book_id,
                fund_book_id=fund_book_id,
                period=period,
                actor=treasurer,
                company_id=company_id,
            )
            gift_total += gift.amount_fen
        pay_remuneration(
            session, book_id=book_id, date=last, actor=treasurer, company_id=company_id
        )
    accounts = unit_accounts(session, book_id=book_id)
    billed = sum(a.billed_fen for a in accounts)
    paid = sum(a.paid_fen for a in accounts)
    return PropertyDemoSummary(
        units=len(units),
        rate_fen_per_m2=DEMO_FEE_RATE_FEN_PER_M2,
        billed_fen=billed,
        received_fen=sum(_received_by_unit(session, book_id).values()),
        owed_fen=sum(a.owed_fen for a in accounts),
        prepaid_fen=sum(a.prepaid_fen for a in accounts),
        remuneration_fen=remuneration_total,
        gift_fen=gift_total,
        collection_rate=percent_text(paid, billed) or "—",
        entries=_book(session, book_id).head_index - start,
    )

"""Operations of a trust-style property book (信托制物业): register a unit, set the fee rate,
bill a month, record a collection, common-part income, post and pay the company's remuneration
(酬金), draft and approve the open budget, spend under a budget line (with an approver beyond
it) and the gift of a share of the remuneration to a micro-fund.

Books, units and counterparties are named by number or as a person types them (a book's
name, a unit's label ``1-2-301``, a donor's or payee's name); amounts are in fen. The owner's
name of a unit and an approver's password never reach the audit trail.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ledger.access import Action
from ledger.errors import InvalidInputError
from ledger.i18n import _
from ledger.money import format_fen
from ledger.operations import SECRET, Operation, prove_approver

if TYPE_CHECKING:
    from sqlmodel import Session

    from ledger.models import AppUser


def _book_id(session: Session, ref: str | int) -> int:
    from ledger.services.books import find_book  # noqa: PLC0415

    return find_book(session, ref).id or 0


def _counterparty_id(session: Session, ref: str | None) -> int | None:
    from ledger.services.counterparties import find_counterparty  # noqa: PLC0415

    return find_counterparty(session, ref).id if ref else None


@dataclass(frozen=True, slots=True)
class Posted:
    """An entry posted (common income, paying the company, spending)."""

    number: str
    date: dt.date
    memo: str

    def sentence(self) -> str:
        return _("Posted {number} on {date}: {memo}").format(
            number=self.number, date=self.date.isoformat(), memo=self.memo
        )


# --- units ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AddUnit:
    book: str | int
    building: str
    room: str
    #: The exclusive area in m² as typed (``"89.56"``).
    area: str
    unit: str = ""
    owner_key: str = ""
    #: Private: kept in the ledger, never in the audit trail.
    owner_name: str = field(default="", metadata=SECRET)
    household_id: int | None = None
    unsold: bool = False

    def __repr__(self) -> str:  # the owner's name never reaches a log or a traceback
        return (
            f"AddUnit(book={self.book!r}, building={self.building!r}, unit={self.unit!r}, "
            f"room={self.room!r})"
        )


@dataclass(frozen=True, slots=True)
class UnitAdded:
    id: int
    unit: str
    area_dm2: int

    def sentence(self) -> str:
        from ledger.rules.property import format_area  # noqa: PLC0415

        return _("Registered unit {unit} ({area} m²).").format(
            unit=self.unit, area=format_area(self.area_dm2)
        )

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "unit": self.unit, "area_dm2": self.area_dm2}


def _add_unit(session: Session, actor: AppUser, request: AddUnit) -> UnitAdded:
    from ledger.services.property import add_unit, unit_label  # noqa: PLC0415

    unit = add_unit(
        session,
        book_id=_book_id(session, request.book),
        building=request.building,
        unit=request.unit,
        room=request.room,
        area=request.area,
        owner_key=request.owner_key,
        owner_name=request.owner_name,
        household_id=request.household_id,
        unsold=request.unsold,
        actor=actor,
    )
    return UnitAdded(unit.id or 0, unit_label(unit), unit.area_dm2)


ADD_UNIT: Operation[AddUnit, UnitAdded] = Operation(
    "property.unit.add", Action.MANAGE_COUNTERPARTIES, _add_unit
)


# --- fees ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SetFeeRate:
    book: str | int
    rate_fen_per_m2: int


@dataclass(frozen=True, slots=True)
class FeeRate:
    """The book's fee per m² per month (0: none set yet); also what ``fees rate`` shows."""

    rate_fen_per_m2: int

    def sentence(self) -> str:
        if self.rate_fen_per_m2 > 0:
            return _("Property fee: {rate} per m² per month.").format(
                rate=format_fen(self.rate_fen_per_m2)
            )
        return _("No property fee rate is set yet.")

    def as_json(self) -> dict[str, Any]:
        return {"fee_rate_fen_per_m2": self.rate_fen_per_m2}


def _set_fee_rate(session: Session, actor: AppUser, request: SetFeeRate) -> FeeRate:
    from ledger.services.property import fee_rate, set_fee_rate  # noqa: PLC0415

    book_id = _book_id(session, request.book)
    set_fee_rate(session, book_id=book_id, rate_fen_per_m2=request.rate_fen_per_m2, actor=actor)
    return FeeRate(fee_rate(session, book_id=book_id))


SET_FEE_RATE: Operation[SetFeeRate, FeeRate] = Operation(
    "property.fee_rate.set", Action.MANAGE_BOOKS, _set_fee_rate
)


@dataclass(frozen=True, slots=True)
class BillPeriod:
    book: str | int
    #: The month, ``YYYY-MM``.
    period: str
    #: The billing entry's date (None: the 1st of the month).
    date: dt.date | None = None


@dataclass(frozen=True, slots=True)
class PeriodBilled:
    period: str
    entry_id: int
    number: str
    units: int
    rate_fen_per_m2: int
    billed_fen: int
    prepaid_applied_fen: int

    def sentence(self) -> str:
        text = _(
            "Billed {period} in {number}: {units} units at {rate} per m², {total} in all."
        ).format(
            period=self.period,
            number=self.number,
            units=self.units,
            rate=format_fen(self.rate_fen_per_m2),
            total=format_fen(self.billed_fen),
        )
        if self.prepaid_applied_fen:
            text += "\n" + _("{amount} of it was settled from prepayments.").format(
                amount=format_fen(self.prepaid_applied_fen)
            )
        return text

    def as_json(self) -> dict[str, Any]:
        return {
            "period": self.period,
            "number": self.number,
            "units": self.units,
            "rate_fen_per_m2": self.rate_fen_per_m2,
            "billed_fen": self.billed_fen,
            "prepaid_applied_fen": self.prepaid_applied_fen,
        }


def _bill_period(session: Session, actor: AppUser, request: BillPeriod) -> PeriodBilled:
    from ledger.services.property import bill_period  # noqa: PLC0415

    r = bill_period(
        session,
        book_id=_book_id(session, request.book),
        period=request.period,
        date=request.date,
        actor=actor,
    )
    return PeriodBilled(
        r.period,
        r.entry_id,
        r.number,
        r.units,
        r.rate_fen_per_m2,
        r.billed_fen,
        r.prepaid_applied_fen,
    )


BILL_PERIOD: Operation[BillPeriod, PeriodBilled] = Operation(
    "property.fees.bill", Action.POST_ENTRY, _bill_period
)


@dataclass(frozen=True, slots=True)
class CollectFees:
    book: str | int
    #: The unit's label (``1-2-301``) or its number.
    unit: str | int
    date: dt.date
    amount_fen: int
    memo: str | None = None


@dataclass(frozen=True, slots=True)
class FeesCollected:
    entry_id: int
    number: str
    unit: str
    amount_fen: int
    applied_fen: int
    prepaid_fen: int
    #: The bills the payment settled (period, fen), oldest first.
    settled: tuple[tuple[str, int], ...]
    owed_fen: int

    def sentence(self) -> str:
        lines = [
            _("Received {amount} from {unit} in {number}.").format(
                amount=format_fen(self.amount_fen), unit=self.unit, number=self.number
            )
        ]
        lines += [
            "  " + _("{period}: {amount}").format(period=period, amount=format_fen(fen))
            for period, fen in self.settled
        ]
        if self.prepaid_fen:
            lines.append(
                _("{amount} is more than the unit owed and is kept as a prepayment.").format(
                    amount=format_fen(self.prepaid_fen)
                )
            )
        if self.owed_fen:
            lines.append(
                _("The unit still owes {amount}.").format(amount=format_fen(self.owed_fen))
            )
        return "\n".join(lines)

    def as_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "unit": self.unit,
            "amount_fen": self.amount_fen,
            "applied_fen": self.applied_fen,
            "prepaid_fen": self.prepaid_fen,
            "settled": [{"period": p, "fen": f} for p, f in self.settled],
            "owed_fen": self.owed_fen,
        }


def _collect_fees(session: Session, actor: AppUser, request: CollectFees) -> FeesCollected:
    from ledger.services.property import collect, find_unit  # noqa: PLC0415

    book_id = _book_id(session, request.book)
    unit = find_unit(session, book_id=book_id, ref=request.unit)
    r = collect(
        session,
        book_id=book_id,
        unit_id=unit.id or 0,
        date=request.date,
        amount_fen=request.amount_fen,
        memo=request.memo,
        actor=actor,
    )
    return FeesCollected(
        r.entry_id,
        r.number,
        r.unit,
        r.amount_fen,
        r.applied_fen,
        r.prepaid_fen,
        tuple(r.settled),
        r.owed_fen,
    )


COLLECT_FEES: Operation[CollectFees, FeesCollected] = Operation(
    "property.fees.collect", Action.POST_ENTRY, _collect_fees
)


# --- common-part income --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RecordIncome:
    book: str | int
    #: ``parking``, ``advertising`` or ``other`` (``COMMON_INCOME_SOURCES``).
    source: str
    date: dt.date
    amount_fen: int
    memo: str | None = None
    #: Who paid: a donor or payee by number or name.
    payer: str | None = None


@dataclass(frozen=True, slots=True)
class IncomeRecorded(Posted):
    amount_fen: int
    source: str

    def as_json(self) -> dict[str, Any]:
        return {"number": self.number, "amount_fen": self.amount_fen, "source": self.source}


def _record_income(session: Session, actor: AppUser, request: RecordIncome) -> IncomeRecorded:
    from ledger.services.property import record_common_income  # noqa: PLC0415

    book_id = _book_id(session, request.book)
    posted = record_common_income(
        session,
        book_id=book_id,
        source=request.source,
        date=request.date,
        amount_fen=request.amount_fen,
        memo=request.memo,
        payer_id=_counterparty_id(session, request.payer),
        actor=actor,
    )
    return IncomeRecorded(
        posted.number, posted.date, posted.memo, request.amount_fen, request.source
    )


RECORD_INCOME: Operation[RecordIncome, IncomeRecorded] = Operation(
    "property.income", Action.POST_ENTRY, _record_income
)


# --- remuneration --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PostRemuneration:
    book: str | int
    period: str
    #: The entry's date (None: the last day of the month).
    date: dt.date | None = None


@dataclass(frozen=True, slots=True)
class RemunerationPosted:
    period: str
    basis: str
    basis_fen: int
    rate_bp: int
    amount_fen: int
    entry_id: int
    number: str

    def sentence(self) -> str:
        from ledger.rules.property import format_bp  # noqa: PLC0415

        return _("Remuneration for {period} in {number}: {basis} × {rate} = {amount}.").format(
            period=self.period,
            number=self.number,
            basis=format_fen(self.basis_fen),
            rate=format_bp(self.rate_bp),
            amount=format_fen(self.amount_fen),
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "period": self.period,
            "basis": self.basis,
            "basis_fen": self.basis_fen,
            "rate_bp": self.rate_bp,
            "amount_fen": self.amount_fen,
            "entry_id": self.entry_id,
            "number": self.number,
        }


def _post_remuneration(
    session: Session, actor: AppUser, request: PostRemuneration
) -> RemunerationPosted:
    from ledger.services.property import list_remunerations, post_remuneration  # noqa: PLC0415

    book_id = _book_id(session, request.book)
    rem = post_remuneration(
        session, book_id=book_id, period=request.period, date=request.date, actor=actor
    )
    number = next(
        r.number for r in list_remunerations(session, book_id=book_id) if r.period == rem.period
    )
    return RemunerationPosted(
        rem.period, rem.basis, rem.basis_fen, rem.rate_bp, rem.amount_fen, rem.entry_id, number
    )


POST_REMUNERATION: Operation[PostRemuneration, RemunerationPosted] = Operation(
    "property.remuneration.post", Action.POST_ENTRY, _post_remuneration
)


@dataclass(frozen=True, slots=True)
class PayRemuneration:
    book: str | int
    date: dt.date
    #: None: all the company is owed.
    amount_fen: int | None = None
    #: The property company: a donor or payee by number or name.
    company: str | None = None


@dataclass(frozen=True, slots=True)
class RemunerationPaid(Posted):
    def as_json(self) -> dict[str, Any]:
        return {"number": self.number, "date": self.date.isoformat()}


def _pay_remuneration(
    session: Session, actor: AppUser, request: PayRemuneration
) -> RemunerationPaid:
    from ledger.services.property import pay_remuneration  # noqa: PLC0415

    book_id = _book_id(session, request.book)
    posted = pay_remuneration(
        session,
        book_id=book_id,
        date=request.date,
        amount_fen=request.amount_fen,
        company_id=_counterparty_id(session, request.company),
        actor=actor,
    )
    return RemunerationPaid(posted.number, posted.date, posted.memo)


PAY_REMUNERATION: Operation[PayRemuneration, RemunerationPaid] = Operation(
    "property.remuneration.pay", Action.POST_ENTRY, _pay_remuneration
)


# --- the open budget -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CreateBudget:
    book: str | int
    year: int
    #: (line, fen) in the order given: a line (``cleaning``) or its account code.
    lines: tuple[tuple[str, int], ...]


@dataclass(frozen=True, slots=True)
class BudgetDrafted:
    year: int
    lines: int
    total_fen: int

    def sentence(self) -> str:
        return _("Drafted the {year} budget: {n} lines, {total} in all. It needs approval.").format(
            year=self.year, n=self.lines, total=format_fen(self.total_fen)
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "status": "draft",
            "lines": self.lines,
            "total_fen": self.total_fen,
        }


def budget_lines(pairs: tuple[tuple[str, int], ...]) -> dict[str, int]:
    """The lines of a budget as a mapping; a line given twice is refused."""
    lines: dict[str, int] = {}
    for line, fen in pairs:
        if line in lines:
            raise InvalidInputError(_("The budget line “{line}” is given twice.").format(line=line))
        lines[line] = fen
    return lines


def _create_budget(session: Session, actor: AppUser, request: CreateBudget) -> BudgetDrafted:
    from ledger.services.property import create_budget  # noqa: PLC0415

    lines = budget_lines(request.lines)
    create_budget(
        session,
        book_id=_book_id(session, request.book),
        year=request.year,
        lines=lines,
        actor=actor,
    )
    return BudgetDrafted(request.year, len(lines), sum(lines.values()))


CREATE_BUDGET: Operation[CreateBudget, BudgetDrafted] = Operation(
    "property.budget.create", Action.POST_ENTRY, _create_budget
)


@dataclass(frozen=True, slots=True)
class ApproveBudget:
    book: str | int
    year: int
    #: E.g. the owners' vote that decided it.
    note: str = ""


@dataclass(frozen=True, slots=True)
class BudgetApproved:
    year: int

    def sentence(self) -> str:
        return _("The {year} budget is approved.").format(year=self.year)

    def as_json(self) -> dict[str, Any]:
        return {"year": self.year, "status": "approved"}


def _approve_budget(session: Session, actor: AppUser, request: ApproveBudget) -> BudgetApproved:
    from ledger.services.property import approve_budget  # noqa: PLC0415

    budget = approve_budget(
        session,
        book_id=_book_id(session, request.book),
        year=request.year,
        note=request.note,
        actor=actor,
    )
    return BudgetApproved(budget.year)


APPROVE_BUDGET: Operation[ApproveBudget, BudgetApproved] = Operation(
    "property.budget.approve", Action.APPROVE, _approve_budget
)


@dataclass(frozen=True, slots=True)
class Spend:
    book: str | int
    #: A budget line (``cleaning``) or its account code.
    line: str
    date: dt.date
    memo: str
    amount_fen: int
    #: Who is paid: a donor or payee by number or name.
    payee: str | None = None
    #: Who approves spending beyond the line's budget: they prove their own password and sign
    #: with their own key.
    approver: str | None = None
    approver_password: str | None = field(default=None, metadata=SECRET)

    def __repr__(self) -> str:
        return (
            f"Spend(book={self.book!r}, line={self.line!r}, date={self.date}, "
            f"amount_fen={self.amount_fen}, approver={self.approver!r})"
        )


@dataclass(frozen=True, slots=True)
class Spent(Posted):
    amount_fen: int
    line: str

    def as_json(self) -> dict[str, Any]:
        return {"number": self.number, "amount_fen": self.amount_fen, "line": self.line}


def _spend(session: Session, actor: AppUser, request: Spend) -> Spent:
    from ledger.services.property import spend  # noqa: PLC0415

    book_id = _book_id(session, request.book)
    approver = prove_approver(session, request.approver, request.approver_password)
    posted = spend(
        session,
        book_id=book_id,
        line=request.line,
        date=request.date,
        memo=request.memo,
        amount_fen=request.amount_fen,
        approver=approver,
        payee_id=_counterparty_id(session, request.payee),
        actor=actor,
    )
    return Spent(posted.number, posted.date, posted.memo, request.amount_fen, request.line)


SPEND: Operation[Spend, Spent] = Operation("property.spend", Action.POST_ENTRY, _spend)


# --- the gift ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GiftRemuneration:
    #: The trust-property book whose company gives: its number or its name.
    book: str | int
    #: The micro-fund book that receives the gift: its number or its name.
    to: str | int
    period: str
    date: dt.date | None = None
    #: The property company: a donor or payee by number or name.
    company: str | None = None


@dataclass(frozen=True, slots=True)
class Transferred:
    """A linked pair of entries in two books (the gift): the trust book's and the fund's."""

    kind: str
    period: str
    amount_fen: int
    from_book: str
    from_number: str
    to_book: str
    to_number: str

    def sentence(self) -> str:
        return _(
            "Gift of {amount} from the {period} remuneration: {from_number} in "
            "“{from_book}”, {to_number} in “{to_book}”."
        ).format(
            amount=format_fen(self.amount_fen),
            period=self.period,
            from_number=self.from_number,
            from_book=self.from_book,
            to_number=self.to_number,
            to_book=self.to_book,
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "period": self.period,
            "amount_fen": self.amount_fen,
            "from_book": self.from_book,
            "from_number": self.from_number,
            "to_book": self.to_book,
            "to_number": self.to_number,
        }


def _gift(session: Session, actor: AppUser, request: GiftRemuneration) -> Transferred:
    from ledger.services.property import gift_remuneration  # noqa: PLC0415

    trust_id = _book_id(session, request.book)
    fund_id = _book_id(session, request.to)
    t = gift_remuneration(
        session,
        trust_book_id=trust_id,
        fund_book_id=fund_id,
        period=request.period,
        date=request.date,
        company_id=_counterparty_id(session, request.company),
        actor=actor,
    )
    return Transferred(
        t.kind, t.period, t.amount_fen, t.from_book, t.from_number, t.to_book, t.to_number
    )


GIFT_REMUNERATION: Operation[GiftRemuneration, Transferred] = Operation(
    "property.gift", Action.POST_ENTRY, _gift
)

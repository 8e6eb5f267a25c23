"""Operations of a community micro-fund (社区微基金) book: add a donor or payee, record a
donation (捐赠) and issue its receipt, plan an activity and record who took part, record an
expense, approve or reject one waiting for approval, attach a posted expense's receipt, and
credit or redeem a household's points.

Private text never reaches the audit trail: a donor's contact and note, a person's name typed
to add or find a donor, and an expense's private note are secret fields of their requests.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ledger.access import Action
from ledger.i18n import _
from ledger.money import format_fen
from ledger.operations import SECRET, Operation

if TYPE_CHECKING:
    from sqlmodel import Session

    from ledger.models import AppUser
    from ledger.services.microfund import ExpenseView, ReceiptView


def _fund_book(session: Session, ref: str) -> int:
    """The micro-fund book named by number or name (refused if it is another kind of book)."""
    from ledger.services.books import find_book  # noqa: PLC0415
    from ledger.services.microfund import micro_fund_book  # noqa: PLC0415

    return micro_fund_book(session, find_book(session, ref).id or 0).id or 0


def receipt_json(r: ReceiptView) -> dict[str, Any]:
    """A donation receipt for a script (the command line's ``receipt`` and ``donate``)."""
    return {
        "id": r.id,
        "number": r.number,
        "book": r.book_name,
        "organisation": r.organisation,
        "date": r.date.isoformat(),
        "donor": r.donor_name,
        "donor_kind": r.donor_kind,
        "amount_fen": r.amount_fen,
        "amount_capital": r.amount_capital,
        "source": r.source,
        "source_label": r.source_label,
        "restricted": r.restricted,
        "purpose": r.purpose,
        "purpose_label": r.purpose_label,
        "voucher_number": r.voucher_number,
        "recorded_by": r.recorded_by,
        "reversed_by": r.reversed_by,
    }


def expense_json(e: ExpenseView) -> dict[str, Any]:
    """An expense for a script (never its private note)."""
    return {
        "id": e.id,
        "date": e.date.isoformat(),
        "memo": e.memo,
        "category": e.category,
        "amount_fen": e.amount_fen,
        "pay_from": e.pay_from,
        "payee": e.payee,
        "activity": e.activity,
        "purpose": e.purpose,
        "status": e.status,
        "approvals_required": e.approvals_required,
        "approved_by": list(e.approved_by),
        "rejected_by": e.rejected_by,
        "reason": e.reason,
        "recorded_by": e.recorded_by,
        "voucher_number": e.voucher_number,
    }


# --- donors and payees ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AddCounterparty:
    kind: str
    #: A person's name is private (notices and the audit trail show it masked: 张*明).
    name: str = field(metadata=SECRET)
    #: None: as the kind usually is (residents and volunteers are persons).
    is_individual: bool | None = None
    contact: str = field(default="", metadata=SECRET)
    note: str = field(default="", metadata=SECRET)

    def __repr__(self) -> str:
        return f"AddCounterparty(kind={self.kind!r})"


@dataclass(frozen=True, slots=True)
class CounterpartyAdded:
    id: int
    kind: str
    #: As a notice shows it (persons masked).
    name: str

    def sentence(self) -> str:
        from ledger.services.counterparties import CounterpartyKind  # noqa: PLC0415

        return _("Added donor or payee {id} “{name}” ({kind}).").format(
            id=self.id, name=self.name, kind=CounterpartyKind(self.kind).label
        )

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "name": self.name}


def _add_counterparty(
    session: Session, actor: AppUser, request: AddCounterparty
) -> CounterpartyAdded:
    from ledger.services.counterparties import add_counterparty, display_name  # noqa: PLC0415

    cp = add_counterparty(
        session,
        kind=request.kind,
        name=request.name,
        actor=actor,
        is_individual=request.is_individual,
        contact=request.contact,
        note=request.note,
    )
    return CounterpartyAdded(cp.id or 0, cp.kind, display_name(cp))


ADD_COUNTERPARTY: Operation[AddCounterparty, CounterpartyAdded] = Operation(
    "counterparty.add", Action.MANAGE_COUNTERPARTIES, _add_counterparty
)


# --- donations -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RecordDonation:
    """A donation to a micro-fund book. The donor is ``donor_id``, else ``donor`` (number or
    exact name), else a new donor ``new_donor`` of the kind ``new_donor_kind`` added with it."""

    book: str
    date: dt.date
    source: str
    amount_fen: int
    donor_id: int | None = None
    donor: str | None = field(default=None, metadata=SECRET)
    new_donor: str = field(default="", metadata=SECRET)
    new_donor_kind: str | None = None
    purpose: str | None = None
    pay_into: str = "bank"

    def __repr__(self) -> str:
        return f"RecordDonation(book={self.book!r}, date={self.date}, amount_fen={self.amount_fen})"


@dataclass(frozen=True, slots=True)
class DonationRecorded:
    receipt: ReceiptView
    #: The donor added with the donation, if any.
    donor_added: int | None = None

    def sentence(self) -> str:
        r = self.receipt
        return _(
            "Recorded donation receipt {number}: {amount} from {donor}, posted as {voucher}."
        ).format(
            number=r.number,
            amount=format_fen(r.amount_fen),
            donor=r.donor_name,
            voucher=r.voucher_number,
        )

    def as_json(self) -> dict[str, Any]:
        return receipt_json(self.receipt)


def _record_donation(session: Session, actor: AppUser, request: RecordDonation) -> DonationRecorded:
    from ledger.errors import InvalidInputError  # noqa: PLC0415
    from ledger.services.counterparties import (  # noqa: PLC0415
        add_counterparty,
        find_counterparty,
    )
    from ledger.services.microfund import receipt_view, record_donation  # noqa: PLC0415

    book_id = _fund_book(session, request.book)
    added = None
    donor_id = request.donor_id
    if donor_id is None and request.donor is not None:
        donor_id = find_counterparty(session, request.donor).id
    if donor_id is None:
        if not request.new_donor.strip() or not request.new_donor_kind:
            raise InvalidInputError(_("Choose a donor or type the name of a new one."))
        donor = add_counterparty(
            session, kind=request.new_donor_kind, name=request.new_donor, actor=actor
        )
        donor_id = added = donor.id
    receipt = record_donation(
        session,
        book_id=book_id,
        date=request.date,
        donor_id=donor_id or 0,
        source=request.source,
        amount_fen=request.amount_fen,
        actor=actor,
        purpose=request.purpose,
        pay_into=request.pay_into,
    )
    return DonationRecorded(receipt_view(session, receipt_id=receipt.id or 0), added)


RECORD_DONATION: Operation[RecordDonation, DonationRecorded] = Operation(
    "donation.record", Action.POST_ENTRY, _record_donation
)


# --- activities ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AddActivity:
    book: str
    name: str
    date: dt.date
    budget_fen: int
    participants: int = 0
    note: str = ""


@dataclass(frozen=True, slots=True)
class ActivityAdded:
    id: int
    name: str
    budget_fen: int

    def sentence(self) -> str:
        return _("Added activity {id} “{name}” with a budget of {budget}.").format(
            id=self.id, name=self.name, budget=format_fen(self.budget_fen)
        )

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "budget_fen": self.budget_fen}


def _add_activity(session: Session, actor: AppUser, request: AddActivity) -> ActivityAdded:
    from ledger.services.microfund import add_activity  # noqa: PLC0415

    activity = add_activity(
        session,
        book_id=_fund_book(session, request.book),
        name=request.name,
        date=request.date,
        budget_fen=request.budget_fen,
        actor=actor,
        participants=request.participants,
        note=request.note,
    )
    return ActivityAdded(activity.id or 0, activity.name, activity.budget_fen)


ADD_ACTIVITY: Operation[AddActivity, ActivityAdded] = Operation(
    "activity.add", Action.POST_ENTRY, _add_activity
)


@dataclass(frozen=True, slots=True)
class SetParticipants:
    book: str
    #: The activity's number or exact name.
    activity: str
    count: int


@dataclass(frozen=True, slots=True)
class ParticipantsSet:
    id: int
    name: str
    participants: int

    def sentence(self) -> str:
        return _("“{name}” had {n} participants.").format(name=self.name, n=self.participants)

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "participants": self.participants}


def _set_participants(
    session: Session, actor: AppUser, request: SetParticipants
) -> ParticipantsSet:
    from ledger.services.microfund import find_activity, set_participants  # noqa: PLC0415

    book_id = _fund_book(session, request.book)
    activity = find_activity(session, book_id=book_id, ref=request.activity)
    set_participants(session, activity_id=activity.id or 0, participants=request.count, actor=actor)
    return ParticipantsSet(activity.id or 0, activity.name, request.count)


SET_PARTICIPANTS: Operation[SetParticipants, ParticipantsSet] = Operation(
    "activity.participants", Action.POST_ENTRY, _set_participants
)


# --- expenses and approvals ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RecordExpense:
    """Spending of the fund; with ``receipt_data``, its receipt is attached once it is posted
    (an expense that waits for approval is then refused: nothing is recorded)."""

    book: str
    date: dt.date
    category: str
    amount_fen: int
    memo: str | None = None
    pay_from: str = "bank"
    #: The payee's number or exact name.
    payee: str | None = None
    #: The activity's number (the app) or exact name.
    activity: str | int | None = None
    purpose: str | None = None
    #: Who was helped: kept in the ledger only, never in a notice nor in the audit trail.
    private_note: str = field(default="", metadata=SECRET)
    receipt_name: str | None = None
    receipt_data: bytes | None = None

    def __repr__(self) -> str:
        return (
            f"RecordExpense(book={self.book!r}, date={self.date}, category={self.category!r}, "
            f"amount_fen={self.amount_fen})"
        )


@dataclass(frozen=True, slots=True)
class ExpenseRecorded:
    expense: ExpenseView

    @property
    def posted(self) -> bool:
        from ledger.services.microfund import POSTED  # noqa: PLC0415

        return self.expense.status == POSTED

    def sentence(self) -> str:
        e = self.expense
        if self.posted:
            return _("Recorded expense {id} ({amount}) and posted it as {voucher}.").format(
                id=e.id, amount=format_fen(e.amount_fen), voucher=e.voucher_number
            )
        return _(
            "Recorded expense {id} ({amount}); it waits for {n} approvers other than you "
            "(gongzhang approve --expense {id})."
        ).format(id=e.id, amount=format_fen(e.amount_fen), n=e.approvals_required)

    def as_json(self) -> dict[str, Any]:
        return expense_json(self.expense)


def _record_expense(session: Session, actor: AppUser, request: RecordExpense) -> ExpenseRecorded:
    from ledger.errors import InvalidInputError  # noqa: PLC0415
    from ledger.services.counterparties import find_counterparty  # noqa: PLC0415
    from ledger.services.microfund import (  # noqa: PLC0415
        POSTED,
        attach_expense_receipt,
        expense_view,
        find_activity,
        record_expense,
    )

    book_id = _fund_book(session, request.book)
    payee = find_counterparty(session, request.payee).id if request.payee else None
    activity = (
        find_activity(session, book_id=book_id, ref=request.activity).id
        if request.activity is not None and request.activity != ""
        else None
    )
    expense = record_expense(
        session,
        book_id=book_id,
        date=request.date,
        category=request.category,
        amount_fen=request.amount_fen,
        actor=actor,
        memo=request.memo,
        pay_from=request.pay_from,
        payee_id=payee,
        activity_id=activity,
        purpose=request.purpose,
        private_note=request.private_note,
    )
    if request.receipt_data is not None:
        if expense.status != POSTED:
            raise InvalidInputError(
                _(
                    "This expense needs {n} approvals before it is posted, so its receipt "
                    "cannot be attached yet; record it without --receipt and attach the "
                    "receipt with “gongzhang attach” once it is posted."
                ).format(n=expense.approvals_required)
            )
        attach_expense_receipt(
            session,
            expense_id=expense.id or 0,
            filename=request.receipt_name or "",
            data=request.receipt_data,
            actor=actor,
        )
    return ExpenseRecorded(expense_view(session, expense_id=expense.id or 0))


RECORD_EXPENSE: Operation[RecordExpense, ExpenseRecorded] = Operation(
    "expense.record", Action.POST_ENTRY, _record_expense
)


@dataclass(frozen=True, slots=True)
class ApproveExpense:
    """The actor approves: they proved their own password when they signed in, and the entry
    posted with the last approval names them (and is signed with their key)."""

    book: str
    expense_id: int


@dataclass(frozen=True, slots=True)
class ExpenseApproved(ExpenseRecorded):
    def sentence(self) -> str:
        e = self.expense
        if self.posted:
            return _("Approved expense {id}; it is posted as {voucher}.").format(
                id=e.id, voucher=e.voucher_number
            )
        return _("Approved expense {id}: {have} of {need} approvals.").format(
            id=e.id, have=len(e.approved_by), need=e.approvals_required
        )


def _approve_expense(session: Session, actor: AppUser, request: ApproveExpense) -> ExpenseApproved:
    from ledger.services.books import find_book  # noqa: PLC0415
    from ledger.services.microfund import (  # noqa: PLC0415
        approve_expense,
        expense_view,
        find_expense,
    )

    book_id = find_book(session, request.book).id or 0
    find_expense(session, book_id=book_id, expense_id=request.expense_id)
    approve_expense(session, expense_id=request.expense_id, actor=actor)
    return ExpenseApproved(expense_view(session, expense_id=request.expense_id))


APPROVE_EXPENSE: Operation[ApproveExpense, ExpenseApproved] = Operation(
    "expense.approve", Action.APPROVE, _approve_expense
)


@dataclass(frozen=True, slots=True)
class RejectExpense:
    book: str
    expense_id: int
    reason: str


@dataclass(frozen=True, slots=True)
class ExpenseRejected(ExpenseRecorded):
    def sentence(self) -> str:
        return _("Rejected expense {id}: {reason}").format(
            id=self.expense.id, reason=self.expense.reason
        )


def _reject_expense(session: Session, actor: AppUser, request: RejectExpense) -> ExpenseRejected:
    from ledger.services.books import find_book  # noqa: PLC0415
    from ledger.services.microfund import (  # noqa: PLC0415
        expense_view,
        find_expense,
        reject_expense,
    )

    book_id = find_book(session, request.book).id or 0
    find_expense(session, book_id=book_id, expense_id=request.expense_id)
    reject_expense(session, expense_id=request.expense_id, actor=actor, reason=request.reason)
    return ExpenseRejected(expense_view(session, expense_id=request.expense_id))


REJECT_EXPENSE: Operation[RejectExpense, ExpenseRejected] = Operation(
    "expense.reject", Action.APPROVE, _reject_expense
)


@dataclass(frozen=True, slots=True)
class AttachExpenseReceipt:
    book: str
    expense_id: int
    filename: str
    data: bytes

    def __repr__(self) -> str:
        return f"AttachExpenseReceipt(expense_id={self.expense_id}, filename={self.filename!r})"


@dataclass(frozen=True, slots=True)
class ExpenseReceiptAttached:
    file: str
    sha256: str
    expense_id: int

    def sentence(self) -> str:
        return _("Attached {file} to expense {id}.").format(file=self.file, id=self.expense_id)

    def as_json(self) -> dict[str, Any]:
        return {"file": self.file, "sha256": self.sha256, "expense": self.expense_id}


def _attach_expense_receipt(
    session: Session, actor: AppUser, request: AttachExpenseReceipt
) -> ExpenseReceiptAttached:
    from ledger.services.microfund import attach_expense_receipt, find_expense  # noqa: PLC0415

    find_expense(session, book_id=_fund_book(session, request.book), expense_id=request.expense_id)
    attached = attach_expense_receipt(
        session,
        expense_id=request.expense_id,
        filename=request.filename,
        data=request.data,
        actor=actor,
    )
    return ExpenseReceiptAttached(attached.filename, attached.sha256, request.expense_id)


ATTACH_EXPENSE_RECEIPT: Operation[AttachExpenseReceipt, ExpenseReceiptAttached] = Operation(
    "expense.attach", Action.ATTACH_FILE, _attach_expense_receipt
)


# --- points --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EarnPoints:
    """Points a household earns for volunteering."""

    book: str
    #: The household's number or label.
    household: str
    date: dt.date
    points: int
    reason: str


@dataclass(frozen=True, slots=True)
class RedeemPoints(EarnPoints):
    """Points a household redeems for goods; ``expense_id``: the points-redemption expense
    that bought them."""

    expense_id: int | None = None


@dataclass(frozen=True, slots=True)
class PointsChanged:
    household: str
    #: Positive when earned, negative when redeemed.
    points: int
    balance: int

    def sentence(self) -> str:
        if self.points < 0:
            return _("{household} redeemed {points} points; balance {balance}.").format(
                household=self.household, points=-self.points, balance=self.balance
            )
        return _("{household} earned {points} points; balance {balance}.").format(
            household=self.household, points=self.points, balance=self.balance
        )

    def as_json(self) -> dict[str, Any]:
        return {"household": self.household, "points": self.points, "balance": self.balance}


def _change_points(session: Session, actor: AppUser, request: EarnPoints) -> PointsChanged:
    from ledger.services.households import find_household  # noqa: PLC0415
    from ledger.services.microfund import (  # noqa: PLC0415
        earn_points,
        points_balance,
        redeem_points,
    )

    book_id = _fund_book(session, request.book)
    household = find_household(session, request.household)
    kwargs: dict[str, Any] = {
        "book_id": book_id,
        "household_id": household.id or 0,
        "date": request.date,
        "points": request.points,
        "reason": request.reason,
        "actor": actor,
    }
    redeem = isinstance(request, RedeemPoints)
    if isinstance(request, RedeemPoints):
        redeem_points(session, expense_id=request.expense_id, **kwargs)
    else:
        earn_points(session, **kwargs)
    balance = points_balance(session, book_id=book_id, household_id=household.id or 0)
    return PointsChanged(household.label, -request.points if redeem else request.points, balance)


EARN_POINTS: Operation[EarnPoints, PointsChanged] = Operation(
    "points.earn", Action.POST_ENTRY, _change_points
)
REDEEM_POINTS: Operation[RedeemPoints, PointsChanged] = Operation(
    "points.redeem", Action.POST_ENTRY, _change_points
)

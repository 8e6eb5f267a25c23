"""Expenses under maker-checker: recording, approving, rejecting and listing them."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from sqlmodel import Session, col, func, select

from ledger.access import Action, require
from ledger.chain import voucher_number
from ledger.charts import MICRO_FUND_EXPENSE_BY_CATEGORY
from ledger.clock import utc_now_iso
from ledger.domain import BookKind
from ledger.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from ledger.i18n import _, is_chinese
from ledger.models import (
    Account,
    Activity,
    AppUser,
    Attachment,
    Book,
    Counterparty,
    Entry,
    Expense,
    ExpenseDecision,
    Posting,
)
from ledger.money import format_fen as _money
from ledger.rules.microfund import (
    HARDSHIP,
    MONEY_ACCOUNTS,
    RestrictedUse,
    account_label,
    approvals_complete,
    category_label,
    check_amount,
    check_restricted_use,
    expense_account,
    hardship_memo,
    is_category_purpose,
    money_account,
    needs_approval,
    purpose_label,
)
from ledger.services.attachments import attach_file
from ledger.services.audit import record_event
from ledger.services.counterparties import display_name
from ledger.services.entries import PostingLine, post_entry
from ledger.services.microfund._common import (
    _PAID_FROM,
    MAX_MEMO_LENGTH,
    MAX_NOTE_LENGTH,
    MAX_REASON_LENGTH,
    PENDING,
    POSTED,
    REJECTED,
    _activity_names,
    _check_date,
    _check_open,
    _clean_text,
    micro_fund_book,
    resolve_purpose,
)
from ledger.services.microfund.activities import find_activity
from ledger.services.microfund.restricted import restricted_balance_of, restricted_balances
from ledger.services.settings import get_int


@dataclass(frozen=True, slots=True)
class ExpenseView:
    """An expense as the pending queue and the expense list show it (never the private note)."""

    id: int
    book_id: int
    date: dt.date
    memo: str
    category: str
    category_label: str
    amount_fen: int
    pay_from: str
    payee: str
    activity: str
    purpose: str | None
    purpose_label: str
    status: str
    approvals_required: int
    approved_by: tuple[str, ...]
    rejected_by: str
    reason: str
    recorded_by: str
    voucher_number: str | None


def _lock_expense(session: Session, expense_id: int) -> Expense:
    expense = session.exec(
        select(Expense)
        .where(col(Expense.id) == expense_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if expense is None:
        raise NotFoundError(_("There is no expense number {id}.").format(id=expense_id))
    return expense


def record_expense(
    session: Session,
    *,
    book_id: int,
    date: dt.date,
    category: str,
    amount_fen: int,
    actor: AppUser,
    memo: str | None = None,
    pay_from: str = "bank",
    payee_id: int | None = None,
    activity_id: int | None = None,
    purpose: str | None = None,
    private_note: str = "",
) -> Expense:
    """Record spending of the fund. Below the approval threshold it is posted at once (Dr the
    category's cost / Cr bank or cash); at or above it, it waits for approvers.

    A hardship payment gets a memo written by the ledger and keeps who was helped in
    ``private_note`` only."""
    require(actor.username, actor.role, Action.POST_ENTRY)
    book = micro_fund_book(session, book_id)
    date = _check_date(date)
    account = expense_account(category)
    credit = money_account(pay_from)
    amount = check_amount(amount_fen, what=_("the expense"))
    if category == HARDSHIP:
        if memo is not None and memo.strip():
            raise InvalidInputError(
                _(
                    "A hardship payment's memo is written by the ledger so that no notice can "
                    "name the family; leave the memo out and describe who was helped in the "
                    "private note."
                )
            )
        if payee_id is not None:
            raise InvalidInputError(
                _(
                    "A hardship payment cannot name a payee, because the payee would appear in "
                    "the journal and the notices; describe who was helped in the private note."
                )
            )
        text = hardship_memo(date)
    else:
        text = _clean_text(memo, limit=MAX_MEMO_LENGTH, what=_("The memo"), required=True)
    note = _clean_text(
        private_note,
        limit=MAX_NOTE_LENGTH,
        what=_("The private note"),
        required=category == HARDSHIP,
    )
    _check_open(book, date)
    payee = None
    if payee_id is not None:
        payee = session.get(Counterparty, payee_id) if type(payee_id) is int else None
        if payee is None:
            raise NotFoundError(_("There is no payee number {id}.").format(id=payee_id))
    activity = None
    if activity_id is not None:
        activity = session.get(Activity, activity_id) if type(activity_id) is int else None
        if activity is None or activity.book_id != book_id:
            raise NotFoundError(
                _("There is no activity number {id} in this book.").format(id=activity_id)
            )
    stored_purpose = None
    if purpose is not None:
        stored_purpose = resolve_purpose(session, book_id=book_id, text=purpose)
        if activity is None and not is_category_purpose(stored_purpose):
            activity = find_activity(session, book_id=book_id, ref=stored_purpose)
        available = restricted_balance_of(session, book_id=book_id, purpose=stored_purpose)
        check_restricted_use(
            RestrictedUse(
                purpose=stored_purpose,
                category=category,
                activity=activity.name if activity is not None else None,
                amount_fen=amount,
                available_fen=available.available_fen,
            )
        )
    threshold = get_int(session, book_id, "approval_threshold_fen")
    waits = needs_approval(amount, threshold)
    expense = Expense(
        book_id=book_id,
        date=date,
        memo=text,
        category=category,
        account_code=account,
        pay_from_code=credit,
        amount_fen=amount,
        counterparty_id=payee.id if payee is not None else None,
        activity_id=activity.id if activity is not None else None,
        purpose=stored_purpose,
        private_note=note,
        approvals_required=get_int(session, book_id, "approvals_required") if waits else 0,
        status=PENDING,
        recorded_by_id=actor.id or 0,
        recorded_at=utc_now_iso(),
    )
    session.add(expense)
    session.flush()
    record_event(
        session,
        actor=actor,
        action="expense.recorded",
        object_type="expense",
        object_id=expense.id or 0,
        detail={
            "book": book_id,
            "date": date.isoformat(),
            "category": category,
            "amount_fen": amount,
            "purpose": stored_purpose,
            "activity": activity.id if activity is not None else None,
            "approvals_required": expense.approvals_required,
            "threshold_fen": threshold,
        },
    )
    if not waits:
        _post_expense(session, expense, approver=None)
    return expense


def _account_balance(session: Session, book_id: int, code: str) -> int:
    """The posted balance (debit +) of one of the book's accounts."""
    total = session.exec(
        select(func.sum(Posting.amount_fen))
        .join(Account, col(Account.id) == col(Posting.account_id))
        .where(col(Posting.book_id) == book_id, col(Account.code) == code)
    ).one()
    return int(total or 0)


def _check_money_on_hand(session: Session, expense: Expense) -> None:
    """Refuse spending money the fund does not have: more than the bank or cash account holds,
    or, for unrestricted spending, money that donors restricted to other purposes.

    Only a micro-fund's own expenses are checked: other kinds of book (a trust-property book's
    budget-line bills) share the approval queue but keep their money in other accounts."""
    book_id = expense.book_id
    book = session.get(Book, book_id)
    if book is None or book.kind != BookKind.MICRO_FUND.value:
        return
    on_account = _account_balance(session, book_id, expense.pay_from_code)
    if expense.amount_fen > on_account:
        raise InvalidInputError(
            _(
                "The {account} account holds {balance}; it cannot pay {amount}. Record the "
                "money coming in first, or pay from the other account."
            ).format(
                account=account_label(expense.pay_from_code, chinese=is_chinese()),
                balance=_money(on_account),
                amount=_money(expense.amount_fen),
            )
        )
    if expense.purpose is None:
        cash = sum(_account_balance(session, book_id, code) for code in MONEY_ACCOUNTS.values())
        restricted = sum(
            max(r.balance_fen, 0) for r in restricted_balances(session, book_id=book_id)
        )
        free = cash - restricted
        if expense.amount_fen > free:
            raise InvalidInputError(
                _(
                    "Only {free} of the fund's money is unrestricted; the rest ({restricted}) "
                    "was given for named purposes. Pay this from one of those purposes, or wait "
                    "for unrestricted donations."
                ).format(free=_money(max(free, 0)), restricted=_money(restricted))
            )


def _post_expense(session: Session, expense: Expense, *, approver: AppUser | None) -> str:
    """Post an expense's entry (recorded by its recorder, approved by ``approver``)."""
    if expense.purpose is not None:
        left = restricted_balance_of(session, book_id=expense.book_id, purpose=expense.purpose)
        activity = session.get(Activity, expense.activity_id) if expense.activity_id else None
        check_restricted_use(
            RestrictedUse(
                purpose=expense.purpose,
                category=expense.category,
                activity=activity.name if activity is not None else None,
                amount_fen=expense.amount_fen,
                available_fen=left.balance_fen,
            )
        )
    _check_money_on_hand(session, expense)
    recorder = session.get(AppUser, expense.recorded_by_id)
    assert recorder is not None
    posted = post_entry(
        session,
        book_id=expense.book_id,
        date=expense.date,
        memo=expense.memo,
        lines=[
            PostingLine(expense.account_code, expense.amount_fen, expense.counterparty_id),
            PostingLine(expense.pay_from_code, -expense.amount_fen),
        ],
        actor=recorder,
        approver=approver,
    )
    expense.entry_id = posted.id
    expense.status = POSTED
    session.add(expense)
    session.flush()
    return posted.number


def _decisions(session: Session, expense_id: int) -> list[ExpenseDecision]:
    return list(
        session.exec(
            select(ExpenseDecision)
            .where(col(ExpenseDecision.expense_id) == expense_id)
            .order_by(col(ExpenseDecision.id))
        ).all()
    )


def _check_decidable(session: Session, expense: Expense, actor: AppUser) -> list[ExpenseDecision]:
    if expense.status != PENDING:
        if expense.status == POSTED:
            raise InvalidInputError(
                _(
                    "Expense {id} is already approved and posted; it cannot be decided again."
                ).format(id=expense.id)
            )
        raise InvalidInputError(
            _(
                "Expense {id} was rejected; it cannot be decided again. Record it anew if it "
                "is still needed."
            ).format(id=expense.id)
        )
    if expense.recorded_by_id == actor.id:
        raise PermissionDeniedError(
            _(
                "{user} recorded expense {id} and cannot also approve or reject it; another "
                "approver must decide."
            ).format(user=actor.username, id=expense.id)
        )
    decisions = _decisions(session, expense.id or 0)
    if any(d.user_id == actor.id for d in decisions):
        have = sum(1 for d in decisions if d.approve)
        raise PermissionDeniedError(
            _(
                "{user} has already approved expense {id}; it needs {n} more approval(s) from "
                "other approvers."
            ).format(user=actor.username, id=expense.id, n=expense.approvals_required - have)
        )
    return decisions


def approve_expense(session: Session, *, expense_id: int, actor: AppUser) -> Expense:
    """Approve a pending expense. With the last approval it needs, it is posted (the entry
    names this approver)."""
    require(actor.username, actor.role, Action.APPROVE)
    expense = _lock_expense(session, expense_id)
    decisions = _check_decidable(session, expense, actor)
    decision = ExpenseDecision(
        expense_id=expense_id, user_id=actor.id or 0, approve=True, at=utc_now_iso()
    )
    session.add(decision)
    session.flush()
    approvals = sum(1 for d in decisions if d.approve) + 1
    number = None
    if approvals_complete(approvals, expense.approvals_required):
        number = _post_expense(session, expense, approver=actor)
    record_event(
        session,
        actor=actor,
        action="expense.approved",
        object_type="expense",
        object_id=expense_id,
        detail={
            "book": expense.book_id,
            "approvals": approvals,
            "required": expense.approvals_required,
            "entry": number,
        },
    )
    return expense


def reject_expense(session: Session, *, expense_id: int, actor: AppUser, reason: str) -> Expense:
    """Reject a pending expense, with a reason; it is never posted."""
    require(actor.username, actor.role, Action.APPROVE)
    if not isinstance(reason, str) or not reason.strip():
        raise InvalidInputError(
            _("A rejection needs a reason the recorder can act on; none was given.")
        )
    expense = _lock_expense(session, expense_id)
    _check_decidable(session, expense, actor)
    text = _clean_text(reason, limit=MAX_REASON_LENGTH, what=_("The reason"), required=True)
    session.add(
        ExpenseDecision(
            expense_id=expense_id,
            user_id=actor.id or 0,
            approve=False,
            reason=text,
            at=utc_now_iso(),
        )
    )
    expense.status = REJECTED
    session.add(expense)
    session.flush()
    record_event(
        session,
        actor=actor,
        action="expense.rejected",
        object_type="expense",
        object_id=expense_id,
        detail={"book": expense.book_id, "reason": text},
    )
    return expense


def _expense_views(session: Session, expenses: list[Expense]) -> list[ExpenseView]:
    if not expenses:
        return []
    chinese = is_chinese()
    activities = _activity_names(session, expenses[0].book_id)
    ids = [e.id or 0 for e in expenses]
    decided: dict[int, list[tuple[bool, str, str]]] = defaultdict(list)
    for expense_id, approve, reason, username in session.exec(
        select(
            ExpenseDecision.expense_id,
            ExpenseDecision.approve,
            ExpenseDecision.reason,
            AppUser.username,
        )
        .join(AppUser, col(AppUser.id) == col(ExpenseDecision.user_id))
        .where(col(ExpenseDecision.expense_id).in_(ids))
        .order_by(col(ExpenseDecision.id))
    ).all():
        decided[expense_id].append((approve, reason, username))
    users = {u.id: u.username for u in session.exec(select(AppUser)).all()}
    out = []
    for e in expenses:
        eid = e.id or 0
        payee = session.get(Counterparty, e.counterparty_id) if e.counterparty_id else None
        entry = session.get(Entry, e.entry_id) if e.entry_id else None
        rejections = [(r, u) for ok, r, u in decided[eid] if not ok]
        out.append(
            ExpenseView(
                id=eid,
                book_id=e.book_id,
                date=e.date,
                memo=e.memo,
                category=e.category,
                category_label=(
                    category_label(e.category, chinese=chinese)
                    if e.category in MICRO_FUND_EXPENSE_BY_CATEGORY
                    else e.category
                ),
                amount_fen=e.amount_fen,
                pay_from=_PAID_FROM.get(e.pay_from_code, e.pay_from_code),
                payee=display_name(payee) if payee is not None else "",
                activity=activities.get(e.activity_id or 0, ""),
                purpose=e.purpose,
                purpose_label=(
                    purpose_label(e.purpose, chinese=chinese)
                    if e.purpose is not None
                    else _("unrestricted")
                ),
                status=e.status,
                approvals_required=e.approvals_required,
                approved_by=tuple(u for ok, _r, u in decided[eid] if ok),
                rejected_by=rejections[0][1] if rejections else "",
                reason=rejections[0][0] if rejections else "",
                recorded_by=users.get(e.recorded_by_id, ""),
                voucher_number=voucher_number(entry.year, entry.seq) if entry else None,
            )
        )
    return out


def list_expenses(
    session: Session, *, book_id: int, status: str | None = None
) -> list[ExpenseView]:
    """A book's expenses (of one status: pending, posted or rejected), by date.

    Like approving and rejecting, this works for the expenses of any kind of book, so another
    book's spending that needs approval can use the same queue."""
    if session.get(Book, book_id) is None:
        raise NotFoundError(_("There is no book number {id}.").format(id=book_id))
    query = select(Expense).where(col(Expense.book_id) == book_id)
    if status is not None:
        if status not in (PENDING, POSTED, REJECTED):
            raise InvalidInputError(
                _("An expense is pending, posted or rejected, not “{status}”.").format(
                    status=status
                )
            )
        query = query.where(col(Expense.status) == status)
    return _expense_views(
        session, list(session.exec(query.order_by(col(Expense.date), col(Expense.id))).all())
    )


def pending_expenses(session: Session, *, book_id: int) -> list[ExpenseView]:
    """The approval queue: expenses waiting for approvers, oldest first."""
    return list_expenses(session, book_id=book_id, status=PENDING)


def find_expense(session: Session, *, book_id: int, expense_id: int) -> Expense:
    """An expense of a book by its number."""
    expense = session.get(Expense, expense_id) if type(expense_id) is int else None
    if expense is None or expense.book_id != book_id:
        raise NotFoundError(
            _("There is no expense number {id} in this book.").format(id=expense_id)
        )
    return expense


def expense_view(session: Session, *, expense_id: int) -> ExpenseView:
    expense = session.get(Expense, expense_id)
    if expense is None:
        raise NotFoundError(_("There is no expense number {id}.").format(id=expense_id))
    return _expense_views(session, [expense])[0]


def attach_expense_receipt(
    session: Session, *, expense_id: int, filename: str, data: bytes, actor: AppUser
) -> Attachment:
    """Keep a receipt (发票, 收据) with a posted expense's entry."""
    expense = session.get(Expense, expense_id)
    if expense is None:
        raise NotFoundError(_("There is no expense number {id}.").format(id=expense_id))
    if expense.status != POSTED or expense.entry_id is None:
        raise InvalidInputError(
            _(
                "Expense {id} is {status}, not posted; receipts are attached to its entry once "
                "it is approved and posted."
            ).format(id=expense_id, status=_status_label(expense.status))
        )
    return attach_file(
        session, entry_id=expense.entry_id, filename=filename, data=data, actor=actor
    )


def _status_label(status: str) -> str:
    return {PENDING: _("pending"), POSTED: _("posted"), REJECTED: _("rejected")}.get(status, status)


def status_label(status: str) -> str:
    """How an expense's status is shown: 待审批 / 已入账 / 已驳回."""
    return _status_label(status)

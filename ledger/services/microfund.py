"""The community micro-fund (社区微基金): donations with numbered receipts, activities, expenses
under maker-checker, restricted money, and the households' points ledger.

Decisions (the issue left them open):

* **Receipt numbers** are ``捐-YYYY-NNNN``: gapless per book and year of the donation date. The
  number is taken after the donation's entry is posted, which holds the book's lock, and in the
  same unit of work: a refused donation rolls everything back, so no number is skipped.
* **Purposes.** Restricted money names an activity of the book (its exact name) or a spending
  category (``environment``, ``环境整治``, ``Environmental clean-up`` all mean the same; the key is
  stored). An activity cannot be named like a category, so a purpose is never ambiguous. An
  expense paid from money restricted to an activity is linked to that activity when no activity
  is given.
* **Restricted balances** count donations restricted to the purpose minus posted expenses paid
  from it. When an expense is recorded it may use only what is left after the expenses of the
  same purpose already waiting for approval; when it is finally posted, what is left after the
  posted ones. Donations and expenses whose entry was reversed (红字冲销) no longer count, here
  and in activities' actual spending.
* **Hardship help (困难帮扶).** Who was helped goes only into ``private_note`` (required). The
  public memo is written by the ledger (``困难帮扶（2024年1月）``); a memo typed for a hardship
  payment is refused, and so is a payee, since either would put the family's name on the entry,
  in the journal and in every notice built from it.
* **Maker-checker.** An expense at or above ``approval_threshold_fen`` (default ¥1,000.00) waits
  for ``approvals_required`` (default 2) approvers other than its recorder; the number is copied
  onto the expense when it is recorded. Below the threshold it is posted at once. One rejection
  (with a reason) ends a pending expense. The entry is recorded by the recorder and approved by
  the last approver. Approving, rejecting and the pending queue work on the ``Expense`` rows of
  any kind of book, so other books' spending that needs approval can share them.
* **Points** are whole numbers per household and book; a redemption that would take a balance
  below zero is refused, and a redemption may point to the ``points_redemption`` expense that
  bought the goods.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, func, select

from ledger.access import Action, require
from ledger.chain import voucher_number
from ledger.charts import MICRO_FUND_EXPENSE_BY_CATEGORY
from ledger.clock import utc_now_iso
from ledger.domain import BookKind
from ledger.errors import (
    ClosedPeriodError,
    InvalidAmountError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
)
from ledger.i18n import _, is_chinese
from ledger.models import (
    Account,
    Activity,
    AppUser,
    Attachment,
    Book,
    Counterparty,
    DonationReceipt,
    Entry,
    Expense,
    ExpenseDecision,
    Household,
    PointsEntry,
    Posting,
    columns,
)
from ledger.money import MAX_FEN, parse_money, to_capital
from ledger.money import format_fen as _money
from ledger.rules.microfund import (
    HARDSHIP,
    MONEY_ACCOUNTS,
    POINTS_REDEMPTION,
    RestrictedUse,
    account_label,
    approvals_complete,
    balance_after_redemption,
    budget_used_bp,
    category_label,
    category_of_label,
    check_amount,
    check_points,
    check_restricted_use,
    donation_account,
    donation_memo,
    expense_account,
    hardship_memo,
    is_category_purpose,
    money_account,
    needs_approval,
    parse_receipt_number,
    purpose_label,
    receipt_number,
    restricted_balance,
)
from ledger.rules.text import check_keepable, shorten, unkeepable_character
from ledger.services.attachments import attach_file
from ledger.services.audit import record_event
from ledger.services.counterparties import CounterpartyKind, add_counterparty, display_name
from ledger.services.entries import PostingLine, post_entry
from ledger.services.households import add_household
from ledger.services.settings import get_int

MAX_NAME_LENGTH = 100
MAX_NOTE_LENGTH = 400
MAX_REASON_LENGTH = 400
MAX_MEMO_LENGTH = 200
#: The most people one activity can have had (the column is a 32-bit integer on servers).
MAX_PARTICIPANTS = 1_000_000

PENDING, POSTED, REJECTED = "pending", "posted", "rejected"
_PAID_FROM = {code: where for where, code in MONEY_ACCOUNTS.items()}


def micro_fund_book(session: Session, book_id: int) -> Book:
    """The book, if it is a community micro-fund; else a refusal that says what it is."""
    book = session.get(Book, book_id)
    if book is None:
        raise NotFoundError(_("There is no book number {id}.").format(id=book_id))
    if book.kind != BookKind.MICRO_FUND.value:
        raise InvalidInputError(
            _(
                "“{book}” is a book of the kind “{kind}”; donations, activities, expenses under "
                "approval and points belong to a community micro-fund book."
            ).format(book=book.name, kind=BookKind(book.kind).label)
        )
    return book


def _check_date(date: object) -> dt.date:
    if type(date) is not dt.date:
        raise InvalidInputError(_("A date is needed (YYYY-MM-DD)."))
    return date


def _check_open(book: Book, date: dt.date) -> None:
    if book.closed_through is not None and date <= book.closed_through:
        raise ClosedPeriodError(
            _(
                "{date} is in a closed period: “{book}” is closed through {closed}. Use a "
                "later date."
            ).format(date=date.isoformat(), book=book.name, closed=book.closed_through.isoformat())
        )


def _clean_text(text: str | None, *, limit: int, what: str, required: bool) -> str:
    """Stripped text within ``limit`` characters; ``what`` is already translated."""
    clean = (text or "").strip()
    if required and not clean:
        raise InvalidInputError(_("{what} cannot be blank.").format(what=what))
    if len(clean) > limit:
        raise InvalidInputError(
            _("{what} is {n} characters long; keep it within {max}.").format(
                what=what, n=len(clean), max=limit
            )
        )
    return check_keepable(clean, what)


def _reversed_entries(session: Session, book_id: int) -> set[int]:
    """Ids of the book's entries that have been reversed (their effect is undone)."""
    rows = session.exec(
        select(Entry.reverses_id).where(
            col(Entry.book_id) == book_id, col(Entry.reverses_id).is_not(None)
        )
    ).all()
    return {r for r in rows if r is not None}


def _user_name(session: Session, user_id: int | None) -> str:
    if user_id is None:
        return ""
    user = session.get(AppUser, user_id)
    return user.display_name or user.username if user is not None else ""


def _activity_names(session: Session, book_id: int) -> dict[int, str]:
    rows = session.exec(
        select(Activity.id, Activity.name).where(col(Activity.book_id) == book_id)
    ).all()
    return {aid: name for aid, name in rows if aid is not None}


def resolve_purpose(session: Session, *, book_id: int, text: str) -> str:
    """What restricted money is for, as stored: a category key, or an activity's exact name."""
    clean = (text or "").strip()
    if not clean:
        raise InvalidInputError(_("A purpose for restricted money cannot be blank."))
    check_keepable(clean, _("The purpose"))
    category = category_of_label(clean)
    if category is not None:
        return category
    found = session.exec(
        select(Activity.id).where(col(Activity.book_id) == book_id, col(Activity.name) == clean)
    ).first()
    if found is None:
        raise InvalidInputError(
            _(
                "“{purpose}” is neither an activity of this book nor a spending category; add "
                "the activity first, or use one of the categories: {choices}."
            ).format(
                purpose=clean[:60],
                choices=", ".join(
                    f"{key} ({category_label(key, chinese=is_chinese())})"
                    for key in MICRO_FUND_EXPENSE_BY_CATEGORY
                ),
            )
        )
    return clean


# --- donations -----------------------------------------------------------------------------------


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


# --- activities ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ActivitySummary:
    """An activity's budget against its posted spending (actual), and its restricted money.

    ``remaining_fen`` is negative when the activity overspent; ``used_bp`` is rounded down and
    None for a zero budget."""

    id: int
    name: str
    date: dt.date
    budget_fen: int
    actual_fen: int
    remaining_fen: int
    used_bp: int | None
    pending_fen: int
    participants: int
    restricted_donations_fen: int
    restricted_left_fen: int
    note: str


def add_activity(
    session: Session,
    *,
    book_id: int,
    name: str,
    date: dt.date,
    budget_fen: int,
    actor: AppUser,
    participants: int = 0,
    note: str = "",
    vote_id: int | None = None,
) -> Activity:
    """Plan an activity (活动) with its budget; participants can be set when it has happened.

    ``vote_id`` is the participatory-budget vote that selected it: the activity is then added
    by whoever closes that vote (the residents decided it, not the treasurer)."""
    require(
        actor.username,
        actor.role,
        Action.POST_ENTRY if vote_id is None else Action.MANAGE_VOTES,
    )
    micro_fund_book(session, book_id)
    date = _check_date(date)
    clean = _clean_text(name, limit=MAX_NAME_LENGTH, what=_("An activity's name"), required=True)
    if category_of_label(clean) is not None:
        raise InvalidInputError(
            _(
                "“{name}” is the name of a spending category; give the activity a name of its "
                "own, such as “{name} {year}”."
            ).format(name=clean, year=date.year)
        )
    if type(budget_fen) is not int or budget_fen < 0:
        raise InvalidInputError(
            _("An activity's budget is an amount of zero or more; got {value}.").format(
                value=budget_fen
            )
        )
    if budget_fen > MAX_FEN:
        raise InvalidAmountError(
            _(
                "An activity's budget of {amount} is beyond the largest amount the ledger keeps."
            ).format(amount=_money(budget_fen))
        )
    check_participants(participants)
    text = _clean_text(note, limit=MAX_NOTE_LENGTH, what=_("The note"), required=False)
    existing = session.exec(
        select(Activity.id).where(col(Activity.book_id) == book_id, col(Activity.name) == clean)
    ).first()
    if existing is not None:
        raise InvalidInputError(
            _("There is already an activity “{name}” in this book.").format(name=clean)
        )
    activity = Activity(
        book_id=book_id,
        name=clean,
        date=date,
        budget_fen=budget_fen,
        participants=participants,
        note=text,
        vote_id=vote_id,
    )
    session.add(activity)
    session.flush()
    record_event(
        session,
        actor=actor,
        action="activity.added",
        object_type="activity",
        object_id=activity.id or 0,
        detail={
            "book": book_id,
            "name": clean,
            "date": date.isoformat(),
            "budget_fen": budget_fen,
            "participants": participants,
            "vote": vote_id,
        },
    )
    return activity


def check_participants(participants: object) -> int:
    if type(participants) is not int or not 0 <= participants <= MAX_PARTICIPANTS:
        raise InvalidInputError(
            _("The number of participants is a whole number from 0 to {max}; got {value}.").format(
                max=f"{MAX_PARTICIPANTS:,}", value=participants
            )
        )
    return participants


def find_activity(session: Session, *, book_id: int, ref: str | int) -> Activity:
    """An activity of a book by its number or exact name."""
    text = str(ref).strip()
    activity = None
    if text.isascii() and text.isdigit() and len(text) <= 9:
        activity = session.get(Activity, int(text))
        if activity is not None and activity.book_id != book_id:
            activity = None
    if activity is None and unkeepable_character(text) is None:
        activity = session.exec(
            select(Activity).where(col(Activity.book_id) == book_id, col(Activity.name) == text)
        ).first()
    if activity is None:
        raise NotFoundError(
            _("There is no activity “{ref}” in this book.").format(ref=shorten(text))
        )
    return activity


def set_participants(
    session: Session, *, activity_id: int, participants: int, actor: AppUser
) -> Activity:
    """Record how many people took part in an activity."""
    require(actor.username, actor.role, Action.POST_ENTRY)
    activity = session.get(Activity, activity_id)
    if activity is None:
        raise NotFoundError(_("There is no activity number {id}.").format(id=activity_id))
    check_participants(participants)
    before = activity.participants
    activity.participants = participants
    session.add(activity)
    session.flush()
    record_event(
        session,
        actor=actor,
        action="activity.participants",
        object_type="activity",
        object_id=activity_id,
        detail={"book": activity.book_id, "from": before, "to": participants},
    )
    return activity


def _summaries(session: Session, book_id: int, only: int | None = None) -> list[ActivitySummary]:
    query = select(Activity).where(col(Activity.book_id) == book_id)
    if only is not None:
        query = query.where(col(Activity.id) == only)
    activities = session.exec(query.order_by(col(Activity.date), col(Activity.id))).all()
    if not activities:
        return []
    reversed_ids = _reversed_entries(session, book_id)
    actual: dict[int, int] = defaultdict(int)
    pending: dict[int, int] = defaultdict(int)
    spent_by_purpose: dict[str, int] = defaultdict(int)
    for activity_id, purpose, amount, status, entry_id in session.connection().execute(
        sa_select(
            *columns(
                Expense.activity_id,
                Expense.purpose,
                Expense.amount_fen,
                Expense.status,
                Expense.entry_id,
            )
        ).where(col(Expense.book_id) == book_id)
    ):
        if status == PENDING and activity_id is not None:
            pending[activity_id] += amount
        if status != POSTED or entry_id in reversed_ids:
            continue
        if activity_id is not None:
            actual[activity_id] += amount
        if purpose is not None:
            spent_by_purpose[purpose] += amount
    donated: dict[str, int] = defaultdict(int)
    for purpose, amount, entry_id in session.exec(
        select(DonationReceipt.purpose, DonationReceipt.amount_fen, DonationReceipt.entry_id).where(
            col(DonationReceipt.book_id) == book_id, col(DonationReceipt.purpose).is_not(None)
        )
    ).all():
        if purpose is not None and entry_id not in reversed_ids:
            donated[purpose] += amount
    out = []
    for a in activities:
        aid = a.id or 0
        spent = actual[aid]
        out.append(
            ActivitySummary(
                id=aid,
                name=a.name,
                date=a.date,
                budget_fen=a.budget_fen,
                actual_fen=spent,
                remaining_fen=a.budget_fen - spent,
                used_bp=budget_used_bp(a.budget_fen, spent),
                pending_fen=pending[aid],
                participants=a.participants,
                restricted_donations_fen=donated[a.name],
                restricted_left_fen=restricted_balance(
                    [donated[a.name]], [spent_by_purpose[a.name]]
                ),
                note=a.note,
            )
        )
    return out


def activity_summary(session: Session, *, activity_id: int) -> ActivitySummary:
    """Budget, actual spending, remaining, participants and restricted money of an activity."""
    activity = session.get(Activity, activity_id)
    if activity is None:
        raise NotFoundError(_("There is no activity number {id}.").format(id=activity_id))
    return _summaries(session, activity.book_id, only=activity_id)[0]


def list_activities(session: Session, *, book_id: int) -> list[ActivitySummary]:
    """The activities of a book with their budgets and actual spending, by date."""
    micro_fund_book(session, book_id)
    return _summaries(session, book_id)


# --- restricted money ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RestrictedBalance:
    """Money restricted to one purpose: donated, spent (posted), waiting (pending) and left."""

    purpose: str
    label: str
    is_category: bool
    donated_fen: int
    spent_fen: int
    pending_fen: int

    @property
    def balance_fen(self) -> int:
        return restricted_balance([self.donated_fen], [self.spent_fen])

    @property
    def available_fen(self) -> int:
        """What a new expense may still use: the balance less what waits for approval."""
        return self.balance_fen - self.pending_fen


def restricted_balances(session: Session, *, book_id: int) -> list[RestrictedBalance]:
    """Every purpose that has restricted money, with what is left of it."""
    micro_fund_book(session, book_id)
    reversed_ids = _reversed_entries(session, book_id)
    donated: dict[str, int] = defaultdict(int)
    spent: dict[str, int] = defaultdict(int)
    pending: dict[str, int] = defaultdict(int)
    for purpose, amount, entry_id in session.exec(
        select(DonationReceipt.purpose, DonationReceipt.amount_fen, DonationReceipt.entry_id).where(
            col(DonationReceipt.book_id) == book_id, col(DonationReceipt.purpose).is_not(None)
        )
    ).all():
        if purpose is not None and entry_id not in reversed_ids:
            donated[purpose] += amount
    for purpose, amount, status, spent_entry in session.exec(
        select(Expense.purpose, Expense.amount_fen, Expense.status, Expense.entry_id).where(
            col(Expense.book_id) == book_id, col(Expense.purpose).is_not(None)
        )
    ).all():
        if purpose is None:
            continue
        if status == PENDING:
            pending[purpose] += amount
        elif status == POSTED and spent_entry not in reversed_ids:
            spent[purpose] += amount
    chinese = is_chinese()
    return [
        RestrictedBalance(
            purpose=p,
            label=purpose_label(p, chinese=chinese),
            is_category=is_category_purpose(p),
            donated_fen=donated[p],
            spent_fen=spent[p],
            pending_fen=pending[p],
        )
        for p in sorted(set(donated) | set(spent) | set(pending))
    ]


def restricted_balance_of(session: Session, *, book_id: int, purpose: str) -> RestrictedBalance:
    """The restricted money of one purpose (zero everywhere if none was ever given)."""
    stored = resolve_purpose(session, book_id=book_id, text=purpose)
    for balance in restricted_balances(session, book_id=book_id):
        if balance.purpose == stored:
            return balance
    return RestrictedBalance(
        stored, purpose_label(stored, chinese=is_chinese()), is_category_purpose(stored), 0, 0, 0
    )


# --- expenses ------------------------------------------------------------------------------------


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


# --- points --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PointsLine:
    id: int
    date: dt.date
    points: int
    reason: str
    expense_id: int | None
    balance: int


def _household(session: Session, household_id: int) -> Household:
    household = session.get(Household, household_id) if type(household_id) is int else None
    if household is None or not household.active:
        raise NotFoundError(_("There is no household number {id}.").format(id=household_id))
    return household


def points_balance(session: Session, *, book_id: int, household_id: int) -> int:
    """A household's points in a book: earned minus redeemed."""
    total = session.exec(
        select(func.sum(PointsEntry.points)).where(
            col(PointsEntry.book_id) == book_id, col(PointsEntry.household_id) == household_id
        )
    ).one()
    return int(total or 0)


def _add_points(
    session: Session,
    *,
    book_id: int,
    household_id: int,
    date: dt.date,
    points: int,
    reason: str,
    actor: AppUser,
    expense_id: int | None,
) -> PointsEntry:
    entry = PointsEntry(
        book_id=book_id,
        household_id=household_id,
        date=date,
        points=points,
        reason=reason,
        expense_id=expense_id,
        recorded_by_id=actor.id or 0,
        recorded_at=utc_now_iso(),
    )
    session.add(entry)
    session.flush()
    record_event(
        session,
        actor=actor,
        action="points.earned" if points > 0 else "points.redeemed",
        object_type="household",
        object_id=household_id,
        detail={
            "book": book_id,
            "points": points,
            "date": date.isoformat(),
            "reason": reason,
            "expense": expense_id,
            "balance": points_balance(session, book_id=book_id, household_id=household_id),
        },
    )
    return entry


def _points_args(
    session: Session, *, book_id: int, household_id: int, date: dt.date, points: int, reason: str
) -> tuple[Household, int, str]:
    micro_fund_book(session, book_id)
    _check_date(date)
    household = _household(session, household_id)
    count = check_points(points)
    text = _clean_text(reason, limit=MAX_MEMO_LENGTH, what=_("The reason"), required=True)
    return household, count, text


def earn_points(
    session: Session,
    *,
    book_id: int,
    household_id: int,
    date: dt.date,
    points: int,
    reason: str,
    actor: AppUser,
) -> PointsEntry:
    """Credit a household with points (积分) for volunteering."""
    require(actor.username, actor.role, Action.POST_ENTRY)
    household, count, text = _points_args(
        session,
        book_id=book_id,
        household_id=household_id,
        date=date,
        points=points,
        reason=reason,
    )
    return _add_points(
        session,
        book_id=book_id,
        household_id=household.id or 0,
        date=date,
        points=count,
        reason=text,
        actor=actor,
        expense_id=None,
    )


def redeem_points(
    session: Session,
    *,
    book_id: int,
    household_id: int,
    date: dt.date,
    points: int,
    reason: str,
    actor: AppUser,
    expense_id: int | None = None,
) -> PointsEntry:
    """Take points from a household for goods (积分兑换); never below zero. ``expense_id``
    links the redemption to the ``points_redemption`` expense that bought the goods."""
    require(actor.username, actor.role, Action.POST_ENTRY)
    household, count, text = _points_args(
        session,
        book_id=book_id,
        household_id=household_id,
        date=date,
        points=points,
        reason=reason,
    )
    # Two redemptions at once must not both pass the balance check: take the book's lock.
    session.exec(select(Book.id).where(col(Book.id) == book_id).with_for_update()).first()
    if expense_id is not None:
        expense = session.get(Expense, expense_id) if type(expense_id) is int else None
        if expense is None or expense.book_id != book_id:
            raise NotFoundError(
                _("There is no expense number {id} in this book.").format(id=expense_id)
            )
        if expense.category != POINTS_REDEMPTION or expense.status == REJECTED:
            raise InvalidInputError(
                _(
                    "Expense {id} is not a points-redemption purchase that stands; link the "
                    "redemption to the expense that bought the goods."
                ).format(id=expense_id)
            )
    balance = points_balance(session, book_id=book_id, household_id=household.id or 0)
    try:
        balance_after_redemption(balance, count)
    except InvalidInputError:
        raise InvalidInputError(
            _(
                "{household} has only {balance} points and cannot redeem {points}; a "
                "redemption never takes a balance below zero."
            ).format(household=household.label, balance=balance, points=count)
        ) from None
    return _add_points(
        session,
        book_id=book_id,
        household_id=household.id or 0,
        date=date,
        points=-count,
        reason=text,
        actor=actor,
        expense_id=expense_id,
    )


def points_history(session: Session, *, book_id: int, household_id: int) -> list[PointsLine]:
    """A household's points ledger in a book, with the running balance."""
    micro_fund_book(session, book_id)
    _household(session, household_id)
    rows = session.exec(
        select(PointsEntry)
        .where(col(PointsEntry.book_id) == book_id, col(PointsEntry.household_id) == household_id)
        .order_by(col(PointsEntry.date), col(PointsEntry.id))
    ).all()
    running = 0
    out = []
    for r in rows:
        running += r.points
        out.append(PointsLine(r.id or 0, r.date, r.points, r.reason, r.expense_id, running))
    return out


def points_balances(session: Session, *, book_id: int) -> list[tuple[int, str, int]]:
    """(household id, label, balance) of every household with points in a book, by label."""
    micro_fund_book(session, book_id)
    rows = session.exec(
        select(Household.id, Household.label, func.sum(PointsEntry.points))
        .join(Household, col(Household.id) == col(PointsEntry.household_id))
        .where(col(PointsEntry.book_id) == book_id)
        .group_by(col(Household.id), col(Household.label))
        .order_by(col(Household.label))
    ).all()
    return [(hid or 0, label, int(total or 0)) for hid, label, total in rows]


# --- demo ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MicrofundDemo:
    entries: int
    receipts: int
    activities: dict[str, int]
    households: dict[str, int]
    pending: int


def _yuan(text: str) -> int:
    return parse_money(text).fen


def _demo_household(session: Session, label: str, members: int, actor: AppUser) -> int:
    existing = session.exec(select(Household.id).where(col(Household.label) == label)).first()
    if existing is not None:
        return existing
    return add_household(session, label=label, actor=actor, members=members).id or 0


def build_microfund_demo(  # noqa: PLR0915 - one year of a community's life, read top to bottom
    session: Session,
    *,
    book_id: int,
    treasurer: AppUser,
    reviewer: AppUser,
    committee: AppUser,
    year: int,
) -> MicrofundDemo:
    """A year of 碧鸡桥社区's micro-fund (都江堰市天马镇): the 重阳宴 for 600 people paid from
    merchant donations, volunteer fundraising and community self-raising (restricted to it),
    a kite festival, a clean-up, the points ledger and one hardship payment. Deterministic.

    The property company's remuneration gift is not recorded here: the trust-property book
    posts it as a linked transfer."""
    book = micro_fund_book(session, book_id)
    first_index = book.head_index
    d = dt.date

    def donor(kind: CounterpartyKind, name: str, *, person: bool, contact: str = "") -> int:
        return (
            add_counterparty(
                session,
                kind=kind,
                name=name,
                actor=treasurer,
                is_individual=person,
                contact=contact,
            ).id
            or 0
        )

    supermarket = donor(CounterpartyKind.MERCHANT, "天马镇好又多超市", person=False)
    farmhouse = donor(CounterpartyKind.MERCHANT, "碧鸡桥农家乐", person=False)
    pharmacy = donor(CounterpartyKind.MERCHANT, "天马镇惠民大药房", person=False)
    volunteers = donor(CounterpartyKind.VOLUNTEER, "碧鸡桥社区志愿者服务队", person=False)
    committee_cp = donor(CounterpartyKind.ORGANISATION, "碧鸡桥社区居民委员会", person=False)
    resident = donor(CounterpartyKind.RESIDENT, "王淑芬", person=True, contact="138****6621")
    greengrocer = donor(CounterpartyKind.PAYEE, "天马镇鲜丰农副产品店", person=False)
    stage = donor(CounterpartyKind.PAYEE, "都江堰市乐声舞台音响租赁部", person=False)
    stationery = donor(CounterpartyKind.PAYEE, "天马镇文体用品店", person=False)

    kites = add_activity(
        session,
        book_id=book_id,
        name="亲子风筝节",
        date=d(year, 3, 16),
        budget_fen=_yuan("1,200.00"),
        actor=treasurer,
        note="社区广场，亲子家庭参加",
    )
    cleanup = add_activity(
        session,
        book_id=book_id,
        name="春季环境卫生整治",
        date=d(year, 4, 20),
        budget_fen=_yuan("1,500.00"),
        actor=treasurer,
        note="河沟清淤、楼道杂物清理",
    )
    banquet = add_activity(
        session,
        book_id=book_id,
        name="重阳宴",
        date=d(year, 10, 20),
        budget_fen=_yuan("11,000.00"),
        actor=treasurer,
        note="中断三年后恢复的社区重阳宴，600余人参加",
    )

    def give(
        day: dt.date,
        who: int,
        source: str,
        amount: str,
        *,
        purpose: str | None = None,
        pay_into: str = "bank",
    ) -> None:
        record_donation(
            session,
            book_id=book_id,
            date=day,
            donor_id=who,
            source=source,
            amount_fen=_yuan(amount),
            actor=treasurer,
            purpose=purpose,
            pay_into=pay_into,
        )

    def spend(
        day: dt.date,
        category: str,
        amount: str,
        *,
        memo: str | None = None,
        pay_from: str = "bank",
        payee_id: int | None = None,
        activity_id: int | None = None,
        purpose: str | None = None,
        private_note: str = "",
    ) -> Expense:
        return record_expense(
            session,
            book_id=book_id,
            date=day,
            category=category,
            amount_fen=_yuan(amount),
            actor=treasurer,
            memo=memo,
            pay_from=pay_from,
            payee_id=payee_id,
            activity_id=activity_id,
            purpose=purpose,
            private_note=private_note,
        )

    def approve(expense: Expense) -> None:
        for approver in (reviewer, committee):
            if expense.status == PENDING:
                approve_expense(session, expense_id=expense.id or 0, actor=approver)

    # Unrestricted and category-restricted money early in the year.
    give(d(year, 1, 8), resident, "other", "500.00", purpose="hardship", pay_into="cash")
    give(d(year, 2, 26), pharmacy, "merchant", "1,000.00")
    give(d(year, 3, 2), committee_cp, "self_raised", "800.00")
    give(d(year, 4, 6), volunteers, "volunteer", "1,200.00", purpose="environment", pay_into="cash")

    spend(
        d(year, 1, 20),
        HARDSHIP,
        "500.00",
        pay_from="cash",
        purpose="hardship",
        private_note="3组 李秀英家，因病致贫，春节慰问金",
    )
    spend(
        d(year, 3, 12),
        "activity",
        "560.00",
        memo="亲子风筝节：风筝及制作材料",
        payee_id=stationery,
        activity_id=kites.id,
    )
    spend(
        d(year, 3, 16),
        "activity",
        "318.50",
        memo="亲子风筝节：获奖家庭奖品",
        activity_id=kites.id,
    )
    set_participants(session, activity_id=kites.id or 0, participants=126, actor=treasurer)
    spend(
        d(year, 4, 20),
        "environment",
        "680.00",
        memo="春季环境卫生整治：垃圾清运车辆",
        pay_from="cash",
        activity_id=cleanup.id,
        purpose="environment",
    )
    spend(
        d(year, 4, 20),
        "environment",
        "265.00",
        memo="春季环境卫生整治：手套、垃圾袋、工具",
        pay_from="cash",
        activity_id=cleanup.id,
        purpose="environment",
    )
    set_participants(session, activity_id=cleanup.id or 0, participants=58, actor=treasurer)

    # Points for volunteering, redeemed for goods the fund bought.
    households = {
        label: _demo_household(session, label, members, treasurer)
        for label, members in (("3组12号", 3), ("2组5号", 4), ("1组8号", 2), ("4组21号", 5))
    }

    def earn(day: dt.date, label: str, points: int, reason: str) -> None:
        earn_points(
            session,
            book_id=book_id,
            household_id=households[label],
            date=day,
            points=points,
            reason=reason,
            actor=treasurer,
        )

    earn(d(year, 3, 16), "2组5号", 10, "亲子风筝节志愿服务")
    earn(d(year, 4, 20), "1组8号", 15, "春季环境卫生整治志愿服务")
    earn(d(year, 4, 20), "3组12号", 15, "春季环境卫生整治志愿服务")
    earn(d(year, 4, 20), "4组21号", 10, "春季环境卫生整治志愿服务")
    goods = spend(
        d(year, 6, 10),
        POINTS_REDEMPTION,
        "420.00",
        memo="积分兑换物品：大米、洗衣液",
        payee_id=supermarket,
    )
    for label, points in (("1组8号", 10), ("3组12号", 10)):
        redeem_points(
            session,
            book_id=book_id,
            household_id=households[label],
            date=d(year, 6, 15),
            points=points,
            reason="积分兑换：大米一袋",
            actor=treasurer,
            expense_id=goods.id,
        )

    # The Double Ninth banquet: three sources, all restricted to it.
    give(d(year, 9, 10), supermarket, "merchant", "3,000.00", purpose="重阳宴")
    give(d(year, 9, 15), farmhouse, "merchant", "2,000.00", purpose="重阳宴")
    give(d(year, 9, 18), pharmacy, "merchant", "1,500.00", purpose="重阳宴")
    give(d(year, 9, 28), volunteers, "volunteer", "1,860.00", purpose="重阳宴", pay_into="cash")
    give(d(year, 10, 8), committee_cp, "self_raised", "2,500.00", purpose="重阳宴")
    food = spend(
        d(year, 10, 18),
        "activity",
        "8,600.00",
        memo="重阳宴：食材采购（600余人）",
        payee_id=greengrocer,
        purpose="重阳宴",
    )
    approve(food)
    spend(
        d(year, 10, 20),
        "activity",
        "800.00",
        memo="重阳宴：舞台音响租赁",
        payee_id=stage,
        purpose="重阳宴",
    )
    spend(
        d(year, 10, 20),
        "activity",
        "900.00",
        memo="重阳宴：厨师及帮厨劳务",
        pay_from="cash",
        purpose="重阳宴",
    )
    banner = spend(
        d(year, 10, 22),
        "activity",
        "1,200.00",
        memo="重阳宴：横幅及展板印刷",
        payee_id=stationery,
        activity_id=banquet.id,
    )
    if banner.status == PENDING:
        reject_expense(
            session,
            expense_id=banner.id or 0,
            actor=reviewer,
            reason="与10月20日舞台音响租赁中已含的展板重复，请核实后重新报账",
        )
    set_participants(session, activity_id=banquet.id or 0, participants=612, actor=treasurer)
    for label in ("3组12号", "2组5号", "4组21号"):
        earn(d(year, 10, 20), label, 20, "重阳宴帮厨及引导志愿服务")

    # Winter: one more purchase for redemptions, waiting for approval at the year's end.
    winter = spend(
        d(year, 12, 18),
        POINTS_REDEMPTION,
        "1,350.00",
        memo="积分兑换物品：冬季棉被、食用油",
        payee_id=supermarket,
    )
    session.refresh(book)
    return MicrofundDemo(
        entries=book.head_index - first_index,
        receipts=len(list_receipts(session, book_id=book_id)),
        activities={a.name: a.id or 0 for a in (kites, cleanup, banquet)},
        households=households,
        pending=1 if winter.status == PENDING else 0,
    )

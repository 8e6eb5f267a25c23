"""The micro-fund's activities: budgets, participants and what they spent."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from ledger.access import Action, require
from ledger.errors import InvalidAmountError, InvalidInputError, NotFoundError
from ledger.i18n import _
from ledger.models import Activity, AppUser, DonationReceipt, Expense, columns
from ledger.money import MAX_FEN
from ledger.money import format_fen as _money
from ledger.rules.microfund import budget_used_bp, category_of_label, restricted_balance
from ledger.rules.text import shorten, unkeepable_character
from ledger.services.audit import record_event
from ledger.services.microfund._common import (
    MAX_NAME_LENGTH,
    MAX_NOTE_LENGTH,
    MAX_PARTICIPANTS,
    PENDING,
    POSTED,
    _check_date,
    _clean_text,
    _reversed_entries,
    micro_fund_book,
)


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

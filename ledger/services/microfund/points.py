"""The households' points ledger (积分): earning, redeeming and balances."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session, col, func, select

from ledger.access import Action, require
from ledger.clock import utc_now_iso
from ledger.errors import InvalidInputError, NotFoundError
from ledger.i18n import _
from ledger.models import AppUser, Book, Expense, Household, PointsEntry
from ledger.rules.microfund import POINTS_REDEMPTION, balance_after_redemption, check_points
from ledger.services.audit import record_event
from ledger.services.microfund._common import (
    MAX_MEMO_LENGTH,
    REJECTED,
    _check_date,
    _clean_text,
    micro_fund_book,
)


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

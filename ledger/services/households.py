"""Households (户): who votes, earns points and holds village shares."""

from __future__ import annotations

from sqlmodel import Session, col, select

from ledger.access import Action, require
from ledger.clock import utc_now_iso
from ledger.errors import InvalidInputError, NotFoundError
from ledger.i18n import _
from ledger.models import AppUser, Book, BookHousehold, Household
from ledger.rules.sharing import check_holding
from ledger.rules.text import check_keepable
from ledger.services.audit import record_event


def add_household(
    session: Session,
    *,
    label: str,
    actor: AppUser,
    head_name: str = "",
    members: int = 1,
    shares: int = 0,
) -> Household:
    """Register a household. ``label`` is public (3栋2单元501); ``head_name`` is private."""
    require(actor.username, actor.role, Action.MANAGE_COUNTERPARTIES)
    clean = label.strip()
    if not clean or len(clean) > 100:
        raise InvalidInputError(_("A household needs a label of 1 to 100 characters."))
    check_keepable(clean, _("The household's label"))
    check_keepable(head_name, _("The head of the household's name"))
    if type(members) is not int or members < 0:
        raise InvalidInputError(
            _("The number of members must be a whole number, 0 or more; got {n}.").format(n=members)
        )
    if type(shares) is not int or shares < 0:
        raise InvalidInputError(
            _("The number of shares must be a whole number, 0 or more; got {n}.").format(n=shares)
        )
    check_holding(members)
    check_holding(shares)
    if session.exec(select(Household).where(col(Household.label) == clean)).first():
        raise InvalidInputError(_("There is already a household “{label}”.").format(label=clean))
    household = Household(
        label=clean,
        head_name=head_name.strip(),
        members=members,
        shares=shares,
        created_at=utc_now_iso(),
    )
    session.add(household)
    session.flush()
    record_event(
        session,
        actor=actor,
        action="household.added",
        object_type="household",
        object_id=household.id or 0,
        detail={"label": clean, "members": members, "shares": shares},
    )
    return household


def find_household(session: Session, ref: str | int) -> Household:
    """A household by its number or its exact label."""
    text = str(ref).strip()
    household = None
    if text.isascii() and text.isdigit() and len(text) <= 9:
        household = session.get(Household, int(text))
    if household is None:
        household = session.exec(select(Household).where(col(Household.label) == text)).first()
    if household is None or not household.active:
        raise NotFoundError(_("There is no household “{ref}”.").format(ref=text))
    return household


def list_households(session: Session) -> list[Household]:
    return list(
        session.exec(select(Household).where(col(Household.active)).order_by(col(Household.id)))
    )


# --- electorates: which households belong to a book ----------------------------------------------


def is_enrolled(session: Session, *, book_id: int, household_id: int) -> bool:
    return session.get(BookHousehold, (book_id, household_id)) is not None


def enrol_household(session: Session, *, book_id: int, household_id: int, actor: AppUser) -> None:
    """Count a registered household in a book's electorate: the residents of an estate or
    community, the households of a village (its shares and per-capita parts too)."""
    require(actor.username, actor.role, Action.MANAGE_COUNTERPARTIES)
    book = session.get(Book, book_id)
    if book is None:
        raise NotFoundError(_("There is no book number {id}.").format(id=book_id))
    household = session.get(Household, household_id)
    if household is None or not household.active:
        raise NotFoundError(_("There is no household “{ref}”.").format(ref=household_id))
    if is_enrolled(session, book_id=book_id, household_id=household_id):
        raise InvalidInputError(
            _("Household “{label}” is already a household of “{book}”.").format(
                label=household.label, book=book.name
            )
        )
    session.add(BookHousehold(book_id=book_id, household_id=household_id))
    session.flush()
    record_event(
        session,
        actor=actor,
        action="household.enrolled",
        object_type="household",
        object_id=household_id,
        detail={"book": book_id, "household": household_id, "label": household.label},
    )


def book_households(session: Session, *, book_id: int) -> list[Household]:
    """The active households of a book's electorate, by id."""
    return list(
        session.exec(
            select(Household)
            .join(BookHousehold, col(BookHousehold.household_id) == col(Household.id))
            .where(col(BookHousehold.book_id) == book_id, col(Household.active))
            .order_by(col(Household.id))
        )
    )

"""Books (账套): creating one with its chart of accounts, finding one, closing periods (结账)."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlmodel import Session, col, select

from ledger.access import Action, require
from ledger.charts import chart_for
from ledger.clock import today, utc_now_iso
from ledger.domain import BookKind
from ledger.errors import InvalidInputError, NotFoundError
from ledger.i18n import _
from ledger.models import Account, AppUser, Book
from ledger.services.audit import record_event
from ledger.verify import chart_digest_of_book


def create_book(
    session: Session,
    *,
    kind: BookKind | str,
    name: str,
    actor: AppUser,
    organisation: str = "",
) -> Book:
    """Create a book of the given kind with the chart of accounts of that kind."""
    require(actor.username, actor.role, Action.MANAGE_BOOKS)
    try:
        kind = BookKind(kind)
    except ValueError:
        raise InvalidInputError(
            _("Unknown kind of book “{kind}”; choose one of: {choices}.").format(
                kind=kind, choices=", ".join(k.value for k in BookKind)
            )
        ) from None
    clean = name.strip()
    if not clean or len(clean) > 200:
        raise InvalidInputError(_("A book needs a name of 1 to 200 characters."))
    if clean.isascii() and clean.isdigit():
        # Books are found by number or by name, so a name must not look like a number.
        raise InvalidInputError(
            _("A book name cannot be only digits; got “{name}”.").format(name=clean)
        )
    if session.exec(select(Book).where(col(Book.name) == clean)).first():
        raise InvalidInputError(_("There is already a book called “{name}”.").format(name=clean))
    book = Book(
        uid=uuid.uuid4().hex,
        kind=kind.value,
        name=clean,
        organisation=organisation.strip(),
        created_at=utc_now_iso(),
    )
    session.add(book)
    session.flush()
    assert book.id is not None
    ids: dict[str, int] = {}
    for template in chart_for(kind):
        account = Account(
            book_id=book.id,
            code=template.code,
            name_zh=template.name_zh,
            name_en=template.name_en,
            type=template.type.value,
            parent_id=ids[template.parent] if template.parent else None,
        )
        session.add(account)
        session.flush()
        assert account.id is not None
        ids[template.code] = account.id
    record_event(
        session,
        actor=actor,
        action="book.created",
        object_type="book",
        object_id=book.id,
        detail={
            "book": book.id,
            "name": clean,
            "kind": kind.value,
            "accounts": len(ids),
            "chart": chart_digest_of_book(session, book.id),
        },
    )
    return book


def list_books(session: Session) -> list[Book]:
    return list(session.exec(select(Book).order_by(col(Book.id))))


def find_book(session: Session, ref: str | int) -> Book:
    """A book by its number (``1``) or its exact name (``碧鸡桥社区微基金``)."""
    text = str(ref).strip()
    is_number = text.isascii() and text.isdigit() and len(text) <= 9
    book = session.get(Book, int(text)) if is_number else None
    if book is None:
        book = session.exec(select(Book).where(col(Book.name) == text)).first()
    if book is None:
        names = ", ".join(f"{b.id} {b.name}" for b in list_books(session)) or _("none yet")
        raise NotFoundError(
            _("There is no book “{ref}”. Books in this ledger: {names}.").format(
                ref=text, names=names
            )
        )
    return book


def close_period(session: Session, *, book_id: int, through: dt.date, actor: AppUser) -> Book:
    """Close the book up to and including ``through`` (结账): later postings dated on or before it
    are refused. A period that has not ended yet cannot be closed, and closing never reopens."""
    require(actor.username, actor.role, Action.CLOSE_PERIOD)
    book = session.exec(
        select(Book)
        .where(col(Book.id) == book_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if book is None:
        raise NotFoundError(_("There is no book number {id}.").format(id=book_id))
    if through >= today():
        raise InvalidInputError(
            _("{date} has not ended yet; only past periods can be closed.").format(
                date=through.isoformat()
            )
        )
    if book.closed_through is not None and through <= book.closed_through:
        raise InvalidInputError(
            _("“{book}” is already closed through {closed}.").format(
                book=book.name, closed=book.closed_through.isoformat()
            )
        )
    previous = book.closed_through
    book.closed_through = through
    session.add(book)
    session.flush()
    record_event(
        session,
        actor=actor,
        action="period.closed",
        object_type="book",
        object_id=book.id or 0,
        detail={
            "book": book.id,
            "through": through.isoformat(),
            "previous": previous.isoformat() if previous else None,
        },
    )
    return book

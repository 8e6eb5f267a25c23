"""Operations on books (账套): add one with its chart of accounts, close a period (结账)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ledger.access import Action
from ledger.domain import BookKind
from ledger.i18n import _
from ledger.operations import Operation

if TYPE_CHECKING:
    from sqlmodel import Session

    from ledger.models import AppUser, Book


@dataclass(frozen=True, slots=True)
class AddBook:
    kind: str
    name: str
    organisation: str = ""


@dataclass(frozen=True, slots=True)
class BookAdded:
    id: int
    name: str
    kind: str
    organisation: str
    head_hash: str

    def sentence(self) -> str:
        return _("Created book {id} “{name}” ({kind}).").format(
            id=self.id, name=self.name, kind=BookKind(self.kind).label
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "kind": self.kind,
            "organisation": self.organisation,
            "closed_through": None,
            "entries": 0,
            "head_hash": self.head_hash,
        }


def _add_book(session: Session, actor: AppUser, request: AddBook) -> BookAdded:
    from ledger.services.books import create_book  # noqa: PLC0415

    book: Book = create_book(
        session,
        kind=request.kind,
        name=request.name,
        organisation=request.organisation,
        actor=actor,
    )
    return BookAdded(book.id or 0, book.name, book.kind, book.organisation, book.head_hash)


ADD_BOOK: Operation[AddBook, BookAdded] = Operation("book.add", Action.MANAGE_BOOKS, _add_book)


@dataclass(frozen=True, slots=True)
class ClosePeriod:
    book: str
    through: dt.date


@dataclass(frozen=True, slots=True)
class PeriodClosed:
    book: str
    through: dt.date

    def sentence(self) -> str:
        return _("“{book}” is closed through {date}.").format(
            book=self.book, date=self.through.isoformat()
        )

    def as_json(self) -> dict[str, Any]:
        return {"book": self.book, "closed_through": self.through.isoformat()}


def _close_period(session: Session, actor: AppUser, request: ClosePeriod) -> PeriodClosed:
    from ledger.services.books import close_period, find_book  # noqa: PLC0415

    book = close_period(
        session,
        book_id=find_book(session, request.book).id or 0,
        through=request.through,
        actor=actor,
    )
    return PeriodClosed(book.name, request.through)


CLOSE_PERIOD: Operation[ClosePeriod, PeriodClosed] = Operation(
    "book.close_period", Action.CLOSE_PERIOD, _close_period
)

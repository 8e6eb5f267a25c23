"""What the parts of the micro-fund service share: limits, checks, the book and purposes."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, col, select

from ledger.charts import MICRO_FUND_EXPENSE_BY_CATEGORY
from ledger.domain import BookKind
from ledger.errors import ClosedPeriodError, InvalidInputError, NotFoundError
from ledger.i18n import _, is_chinese
from ledger.models import Activity, AppUser, Book, Entry
from ledger.rules.microfund import MONEY_ACCOUNTS, category_label, category_of_label
from ledger.rules.text import check_keepable

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

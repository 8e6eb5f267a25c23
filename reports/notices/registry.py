"""Which notices exist, which books each suits, and the one way to build any of them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlmodel import Session

from ledger.domain import BookKind
from ledger.errors import InvalidInputError
from ledger.i18n import N_, _
from ledger.models import Book
from ledger.periods import Period
from reports.notice import Notice
from reports.notices import books, microfund, property, sharing, statements, votes
from reports.notices.common import ReportOptions

Builder = Callable[[Session, Book, Period, ReportOptions], Notice]
ANY_BOOK = frozenset(BookKind)


@dataclass(frozen=True, slots=True)
class NoticeKind:
    key: str
    label: str  # an English message id; translate with _()
    books: frozenset[BookKind]
    build: Builder
    #: ``receipt`` or ``vote`` when the notice is about one receipt or one vote.
    needs: str = ""
    #: Printed for the whole period by ``gongzhang report --all``.
    periodic: bool = True


KINDS: dict[str, NoticeKind] = {
    k.key: k
    for k in (
        NoticeKind(
            "income_expenditure",
            N_("Income and expenditure notice"),
            frozenset({BookKind.MICRO_FUND}),
            microfund.build_income_expenditure,
        ),
        NoticeKind(
            "property_monthly",
            N_("Trust-property monthly notice"),
            frozenset({BookKind.TRUST_PROPERTY}),
            property.build_property_monthly,
        ),
        NoticeKind(
            "revenue_sharing",
            N_("Revenue-sharing notice"),
            frozenset({BookKind.COLLECTIVE_REVENUE}),
            sharing.build_revenue_sharing,
        ),
        NoticeKind("journal", N_("Journal"), ANY_BOOK, books.build_journal),
        NoticeKind("trial_balance", N_("Trial balance"), ANY_BOOK, books.build_trial_balance),
        NoticeKind("balance_sheet", N_("Balance sheet"), ANY_BOOK, statements.build_balance_sheet),
        NoticeKind(
            "activities",
            N_("Statement of activities"),
            ANY_BOOK,
            statements.build_activities_statement,
        ),
        NoticeKind(
            "vote",
            N_("Vote result notice"),
            ANY_BOOK,
            votes.build_vote_result,
            needs="vote",
            periodic=False,
        ),
        NoticeKind(
            "receipt",
            N_("Donation receipt"),
            frozenset({BookKind.MICRO_FUND}),
            microfund.build_receipt,
            needs="receipt",
            periodic=False,
        ),
    )
}


def kinds_for(book_kind: BookKind | str) -> list[NoticeKind]:
    """The notices a book of this kind prints, in the order a treasurer needs them."""
    kind = BookKind(book_kind)
    return [k for k in KINDS.values() if kind in k.books]


def build_notice(
    session: Session, *, book: Book, kind: str, period: Period, options: ReportOptions
) -> Notice:
    """Build the notice ``kind`` of ``book`` for ``period``, or say why it cannot be made."""
    notice_kind = KINDS.get(kind)
    if notice_kind is None:
        raise InvalidInputError(
            _("Unknown notice “{kind}”; the notices are: {kinds}.").format(
                kind=kind, kinds=", ".join(KINDS)
            )
        )
    if BookKind(book.kind) not in notice_kind.books:
        raise InvalidInputError(
            _("“{book}” is a {book_kind} book; the {notice} is for {kinds} books.").format(
                book=book.name,
                book_kind=BookKind(book.kind).label,
                notice=_(notice_kind.label),
                kinds=", ".join(k.label for k in notice_kind.books),
            )
        )
    if notice_kind.needs == "receipt" and not options.receipt:
        raise InvalidInputError(_("Say which receipt to print: --receipt 捐-2024-0001."))
    if notice_kind.needs == "vote" and options.vote is None:
        raise InvalidInputError(_("Say which vote's result to print: --vote N."))
    return notice_kind.build(session, book, period, options)

"""What every notice builder shares: the period a notice covers, the options, the digest of
the last entry it covers, the signature lines by kind of book, and the notice's frame."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session, col, select

from ledger import i18n
from ledger.chain import voucher_number
from ledger.clock import today
from ledger.domain import BookKind
from ledger.i18n import N_, _
from ledger.models import Book, Entry
from ledger.periods import Period
from ledger.services.audit import record_anchor
from reports.notice import Digest, Notice, Section


def parse_report_period(text: str) -> Period:
    """``YYYY-MM``, ``YYYY-Qn`` or ``YYYY`` (also 2024年11月, 2024Q4, 2024年).
    Kept for one release: :meth:`ledger.periods.Period.parse`."""
    return Period.parse(text)


@dataclass(frozen=True, slots=True)
class ReportOptions:
    """Choices a notice may take. ``show_names`` prints individuals' names unmasked — for
    internal use only, never the default; hardship beneficiaries, phone numbers and addresses
    are never printed."""

    show_names: bool = False
    receipt: str | None = None
    vote: int | None = None


def last_entry_digest(session: Session, *, book_id: int, through: dt.date) -> Digest | None:
    """The notice's digest: the ledger's record at the moment of printing (the newest audit
    event's hash, which commits to every entry and operation before it), with the last entry
    (in chain order) dated on or before ``through`` named beside it."""
    row = session.exec(
        select(col(Entry.hash), col(Entry.year), col(Entry.seq), col(Entry.date))
        .where(col(Entry.book_id) == book_id, col(Entry.date) <= through)
        .order_by(col(Entry.chain_index).desc())
        .limit(1)
    ).first()
    anchor = record_anchor(session)
    if row is None or anchor is None:
        return None
    _entry_hash, year, seq, date = row
    return Digest(
        hash=anchor[1],
        record_seq=anchor[0],
        entry_number=voucher_number(year, seq),
        entry_date=date,
    )


_SIGNATURES = {
    BookKind.MICRO_FUND: (N_("Prepared by (treasurer)"), N_("Reviewed by"), N_("Fund committee")),
    BookKind.TRUST_PROPERTY: (
        N_("Property service company"),
        N_("Owners' committee"),
        N_("Supervisor"),
    ),
    BookKind.COLLECTIVE_REVENUE: (
        N_("Village accountant"),
        N_("Village affairs supervisory committee"),
        N_("Villagers' committee"),
    ),
}


def signatures(book: Book) -> tuple[str, ...]:
    return tuple(_(role) for role in _SIGNATURES.get(BookKind(book.kind), ()))


def make_notice(
    session: Session,
    *,
    book: Book,
    kind: str,
    title: str,
    period: Period,
    sections: tuple[Section, ...],
    subtitle: str = "",
    digest_through: dt.date | None = None,
) -> Notice:
    """The frame every notice shares: organisation, book, period, date, signatures, digest."""
    return Notice(
        kind=kind,
        title=title,
        organisation=book.organisation or book.name,
        book_name=book.name,
        period_label=period.label,
        generated_on=today(),
        language=i18n.current_language() or "zh_CN",
        sections=sections,
        digest=last_entry_digest(
            session, book_id=book.id or 0, through=digest_through or period.end
        ),
        signatures=signatures(book),
        subtitle=subtitle,
    )


def account_name(name_zh: str, name_en: str) -> str:
    """An account's name in the notice's language."""
    return i18n.in_language(name_zh, name_en)

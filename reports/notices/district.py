"""The district roll-up notice (街道/区 汇总公示): one notice over the books of many organisations,
kept in several ledger files or in one database that holds many organisations' books.

It comes in two parts. :func:`collect_ledger` reads the figures of every book of one open ledger
into small :class:`BookFigures` rows; :func:`read_ledgers` opens the ledgers one after the other
and closes each before the next, so memory stays flat however many there are. Then
:func:`build_district` assembles the rows into one :class:`~reports.notice.Notice`, printed by
the same PDF and Excel printers as every single-book notice.

Every figure is read through the query the book's own notice uses, so a community's row says
what its notice board says:

- **micro-fund** — income, spending and the money on hand at the period's end of the income and
  expenditure notice (:mod:`reports.notices.microfund`: money received and paid out), and its
  money restricted to named purposes;
- **trust property** — income and expenses of the statement of activities (业务活动表: fees
  billed, common-part income; every expense including the remuneration), the owners' common funds
  in bank and cash at the period's end (the special maintenance fund is not theirs to spend and
  is left out), and from the trust-property notice the fees billed for the period's months, what
  was collected against those bills by its end, and the company's remuneration for those months;
- **village collective revenue** — the income and expenses of the revenue-sharing notice (the
  same as its statement of activities) and the cash and bank deposits at the period's end.

A community is the book's organisation (the book's name when it has none). The same community
kept in two ledgers is *not* merged: it has one row per ledger, and the ledger column says which
— two ledgers may use one name for different organisations, and a district officer must be able
to trace every row to the one ledger (and its digest) it comes from. For the same reason two
ledgers' books with the same name stay separate rows. A ledger is named by its file name (the
whole path when two files share a name) or by its database address without the password.

All figures are integer fen; every total row adds up the rows above it to the fen.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from sqlalchemy import make_url
from sqlalchemy.exc import ArgumentError
from sqlmodel import Session, col, select

from ledger import i18n
from ledger.clock import today
from ledger.db import Ledger, open_ledger
from ledger.domain import BookKind
from ledger.errors import InvalidInputError, LedgerFileError
from ledger.i18n import N_, _
from ledger.models import Book
from ledger.periods import Period
from ledger.rules.meetings import fraction_percent
from ledger.services.balances import trial_balance
from reports.format import amount_text
from reports.notice import Cell, CellKind, Column, Digest, KeyFigures, Notice, Paragraph, Table
from reports.notices.common import last_entry_digest
from reports.notices.microfund import (
    fund_flows,
    income_lines,
    is_money_account,
    restricted_lines,
    spending_lines,
)
from reports.notices.property import fund_balances, month_fees
from reports.notices.sharing import income_and_expenses

KIND = "district"

_SIGNATURES = (
    N_("Prepared by"),
    N_("Reviewed by"),
    N_("Sub-district office"),
)


@dataclass(frozen=True, slots=True)
class BookFigures:
    """What the roll-up needs of one book, in fen (zero where the book's kind has no such
    figure). ``source`` names the ledger the book was read from."""

    source: str
    community: str
    book: str
    kind: BookKind
    income_fen: int
    spending_fen: int
    #: Micro-fund: money on hand; trust: the owners' common funds; village: cash and bank.
    balance_fen: int
    #: Micro-fund: the part of the money on hand restricted to named purposes.
    restricted_fen: int = 0
    #: Trust property: fees billed for the period's months, collected against them by its end,
    #: and the company's remuneration for those months.
    billed_fen: int = 0
    collected_fen: int = 0
    remuneration_fen: int = 0
    digest: Digest | None = None

    @property
    def unrestricted_fen(self) -> int:
        return self.balance_fen - self.restricted_fen

    @property
    def collection_rate(self) -> Fraction | None:
        return Fraction(self.collected_fen, self.billed_fen) if self.billed_fen else None


# --- reading one ledger -------------------------------------------------------------------------


def _cash_and_bank(session: Session, *, book_id: int, at: dt.date) -> int:
    """Money on hand at ``at``: the book's cash, bank and other monetary funds accounts."""
    return sum(
        a.balance_fen
        for a in trial_balance(session, book_id=book_id, at=at).leaves
        if is_money_account(a.code, a.type.value)
    )


def collect_book(session: Session, book: Book, *, source: str, period: Period) -> BookFigures:
    """The figures of one book for ``period``, through the queries its own notice uses."""
    book_id = book.id or 0
    kind = BookKind(book.kind)
    restricted = billed = collected = remuneration = 0
    if kind is BookKind.MICRO_FUND:
        fund = fund_flows(session, book_id=book_id, period=period)
        income = sum(ln.amount_fen for ln in income_lines(fund))
        spending = sum(ln.amount_fen for ln in spending_lines(fund))
        balance = fund.closing_fen
        restricted = sum(
            r.closing_fen for r in restricted_lines(session, book_id=book_id, period=period)
        )
    elif kind is BookKind.TRUST_PROPERTY:
        income, spending = income_and_expenses(session, book_id=book_id, period=period)
        balance, _maintenance = fund_balances(session, book_id=book_id, at=period.end)
        months = month_fees(session, book_id=book_id, period=period)
        billed = sum(m.billed_fen for m in months)
        collected = sum(m.collected_fen for m in months)
        remuneration = sum(m.remuneration.amount_fen for m in months if m.remuneration)
    else:
        income, spending = income_and_expenses(session, book_id=book_id, period=period)
        balance = _cash_and_bank(session, book_id=book_id, at=period.end)
    return BookFigures(
        source=source,
        community=book.organisation or book.name,
        book=book.name,
        kind=kind,
        income_fen=income,
        spending_fen=spending,
        balance_fen=balance,
        restricted_fen=restricted,
        billed_fen=billed,
        collected_fen=collected,
        remuneration_fen=remuneration,
        digest=last_entry_digest(session, book_id=book_id, through=period.end),
    )


def collect_ledger(session: Session, *, source: str, period: Period) -> list[BookFigures]:
    """The figures of every book of one ledger (one database may hold many organisations)."""
    books = session.exec(select(Book).order_by(col(Book.id))).all()
    return [collect_book(session, book, source=source, period=period) for book in books]


# --- reading many ledgers -----------------------------------------------------------------------


def _is_url(target: str) -> bool:
    return "://" in target


def _url_label(target: str) -> str:
    try:
        return make_url(target).render_as_string(hide_password=True)
    except ArgumentError:
        return target


def source_labels(targets: Sequence[str | os.PathLike[str]]) -> list[str]:
    """How the notice names each ledger: its file name, or the whole path when two files share
    a name; a database by its address without the password. Refuses no ledger at all, a ledger
    named twice (it would be counted twice) and a file that does not exist."""
    texts = [os.fspath(t) for t in targets]
    if not texts:
        raise InvalidInputError(_("Name at least one ledger file or database address to add up."))
    seen: dict[str, str] = {}
    for text in texts:
        key = _url_label(text) if _is_url(text) else str(Path(text).expanduser().resolve())
        if key in seen:
            raise InvalidInputError(
                _("{source} is named twice; each ledger is counted once.").format(source=text)
            )
        seen[key] = text
        if not _is_url(text) and not Path(text).expanduser().exists():
            raise LedgerFileError(
                _("There is no ledger at {path}; check the name. Nothing was written.").format(
                    path=text
                )
            )
    names = [Path(t).name for t in texts if not _is_url(t)]
    return [
        _url_label(t) if _is_url(t) else (Path(t).name if names.count(Path(t).name) == 1 else t)
        for t in texts
    ]


def read_ledgers(
    targets: Sequence[str | os.PathLike[str]],
    *,
    period: Period,
    opener: Callable[[str | os.PathLike[str]], AbstractContextManager[Ledger]] | None = None,
    progress: Callable[[int], None] | None = None,
) -> Iterator[BookFigures]:
    """The figures of every book of every ledger, opening one ledger at a time (with
    ``opener``, default :func:`~ledger.db.open_ledger`) and closing it before the next;
    ``progress`` is told how many ledgers have been read."""
    labels = source_labels(targets)
    open_one = opener or open_ledger
    for done, (target, label) in enumerate(zip(targets, labels, strict=True), start=1):
        try:
            with open_one(target) as ledger, ledger.read() as s:
                rows = collect_ledger(s, source=label, period=period)
        except OSError as exc:
            raise LedgerFileError(
                _("{path} cannot be read ({reason}). Nothing was written.").format(
                    path=os.fspath(target), reason=exc.strerror or exc
                )
            ) from exc
        yield from rows
        if progress is not None:
            progress(done)


# --- the notice ---------------------------------------------------------------------------------


@dataclass
class _Sum:
    books: int = 0
    income_fen: int = 0
    spending_fen: int = 0
    balance_fen: int = 0

    def add(self, row: BookFigures) -> None:
        self.books += 1
        self.income_fen += row.income_fen
        self.spending_fen += row.spending_fen
        self.balance_fen += row.balance_fen


def _percent(part: int, whole: int) -> Fraction | None:
    return Fraction(part, whole) if whole else None


def _money(label: str, width: int = 13) -> Column:
    return Column(label, "money", total=True, width=width)


def _community_table(rows: Sequence[BookFigures], period: Period) -> Table:
    sums: dict[tuple[str, str], _Sum] = {}
    for row in rows:
        sums.setdefault((row.source, row.community), _Sum()).add(row)
    return Table(
        sheet=_("By community"),
        title=_("By community"),
        columns=(
            Column(_("Community"), width=30),
            Column(_("Ledger"), width=16),
            Column(_("Books"), "int", total=True, width=6),
            _money(_("Income")),
            _money(_("Spending")),
            _money(_("Closing balance"), 15),
        ),
        rows=[
            (community, source, s.books, s.income_fen, s.spending_fen, s.balance_fen)
            for (source, community), s in sums.items()
        ],
        total_label=_("Total"),
        note=_(
            "A community kept in more than one ledger has one row per ledger. Income and "
            "spending: for micro-funds the money received and paid out, as in their income and "
            "expenditure notice; for trust-property and village books the income and expenses "
            "of their statement of activities. Closing balance at {date}: micro-funds' money on "
            "hand, the owners' common funds of trust-property books (without the special "
            "maintenance fund), village books' cash and bank deposits."
        ).format(date=period.end.isoformat()),
    )


def _kind_table(rows: Sequence[BookFigures], period: Period) -> Table:
    sums = {kind: _Sum() for kind in BookKind}
    for row in rows:
        sums[row.kind].add(row)
    return Table(
        sheet=_("By kind of fund"),
        title=_("By kind of fund"),
        columns=(
            Column(_("Kind of fund"), width=30),
            Column(_("Books"), "int", total=True, width=6),
            _money(_("Income")),
            _money(_("Spending")),
            _money(_("Closing balance"), 15),
        ),
        rows=[
            (kind.label, s.books, s.income_fen, s.spending_fen, s.balance_fen)
            for kind, s in sums.items()
        ],
        total_label=_("Total"),
        note=_("Closing balances at {date}, counted as in the table by community.").format(
            date=period.end.isoformat()
        ),
    )


def _micro_fund_table(rows: Sequence[BookFigures], period: Period) -> Table:
    return Table(
        sheet=_("Micro-funds"),
        title=_("Community micro-funds"),
        columns=(
            Column(_("Community"), width=13),
            Column(_("Book"), width=13),
            Column(_("Ledger"), width=12),
            _money(_("Income"), 11),
            _money(_("Spending"), 11),
            _money(_("Closing balance"), 11),
            _money(_("Restricted"), 11),
            _money(_("Unrestricted"), 12),
        ),
        rows=[
            (
                r.community,
                r.book,
                r.source,
                r.income_fen,
                r.spending_fen,
                r.balance_fen,
                r.restricted_fen,
                r.unrestricted_fen,
            )
            for r in rows
        ],
        total_label=_("Total"),
        note=_(
            "Closing balance: the money on hand at {date}. Restricted: money donors gave for a "
            "named purpose and not yet spent on it, as the micro-fund's own notice shows it; the "
            "rest of the money on hand is unrestricted."
        ).format(date=period.end.isoformat()),
    )


def _trust_table(rows: Sequence[BookFigures], period: Period) -> Table:
    return Table(
        sheet=_("Trust property"),
        title=_("Trust-style property service"),
        columns=(
            Column(_("Community"), width=13),
            Column(_("Book"), width=13),
            Column(_("Ledger"), width=12),
            _money(_("Fees billed"), 11),
            _money(_("Collected"), 11),
            Column(_("Collection rate"), "percent", width=10),
            _money(_("Remuneration"), 13),
            _money(_("Common funds"), 12),
        ),
        rows=[
            (
                r.community,
                r.book,
                r.source,
                r.billed_fen,
                r.collected_fen,
                r.collection_rate,
                r.remuneration_fen,
                r.balance_fen,
            )
            for r in rows
        ],
        total_label=_("Total"),
        note=_(
            "Fees billed for the months of {period} and collected against those bills by "
            "{date}; the collection rate is collected ÷ billed. Remuneration: the company's "
            "remuneration posted for those months. Common funds: the owners' common funds in bank "
            "and cash at {date}."
        ).format(period=period.label, date=period.end.isoformat()),
    )


def _village_table(rows: Sequence[BookFigures], period: Period) -> Table:
    return Table(
        sheet=_("Village revenue"),
        title=_("Village collective revenue"),
        columns=(
            Column(_("Community"), width=16),
            Column(_("Book"), width=16),
            Column(_("Ledger"), width=13),
            _money(_("Income"), 12),
            _money(_("Expenses"), 12),
            _money(_("Profit"), 12),
            _money(_("Cash and bank"), 13),
        ),
        rows=[
            (
                r.community,
                r.book,
                r.source,
                r.income_fen,
                r.spending_fen,
                r.income_fen - r.spending_fen,
                r.balance_fen,
            )
            for r in rows
        ],
        total_label=_("Total"),
        note=_(
            "Income and expenses of the period, as the revenue-sharing notice shows them; cash "
            "and bank deposits at {date}."
        ).format(date=period.end.isoformat()),
    )


def _digest_table(rows: Sequence[BookFigures]) -> Table:
    return Table(
        sheet=_("Ledger digests"),
        title=_("Ledger digests"),
        columns=(
            Column(_("Ledger"), width=13),
            Column(_("Book"), width=14),
            Column(_("Last entry"), width=14),
            Column(_("Digest (SHA-256)"), width=59),
        ),
        rows=[
            (
                r.source,
                r.book,
                r.digest.entry_number if r.digest else _("(no entries)"),
                r.digest.hash if r.digest else "",
            )
            for r in rows
        ],
        note=_(
            "The hash of the last entry of each book this notice covers: anyone can check that "
            "the books behind it were not changed with gongzhang verify LEDGER --digest CODE."
        ),
        is_list=True,
    )


def _fees_paragraph(trust: Sequence[BookFigures], period: Period) -> Paragraph:
    billed = sum(r.billed_fen for r in trust)
    collected = sum(r.collected_fen for r in trust)
    if not billed:
        return Paragraph(
            _("No property fees were billed for {period} in these books.").format(
                period=period.label
            )
        )
    return Paragraph(
        _(
            "Property fees: {collected} yuan collected of {billed} yuan billed for {period} in "
            "{count} trust-property books, a combined collection rate of {rate}."
        ).format(
            collected=amount_text(collected),
            billed=amount_text(billed),
            period=period.label,
            count=len(trust),
            rate=fraction_percent(Fraction(collected, billed)),
        )
    )


def _title(name: str) -> str:
    if name:
        return _("{district}: roll-up notice of public funds").format(district=name)
    return _("Roll-up notice of public funds of the communities")


def build_district(
    rows: Iterable[BookFigures], *, period: Period, ledgers: int, name: str = ""
) -> Notice:
    """街道/区 汇总公示 over ``rows`` (from :func:`read_ledgers`): key figures, totals by
    community and by kind of fund, a table per kind of book, and each book's digest."""
    rows = list(rows)
    end = period.end.isoformat()
    funds = [r for r in rows if r.kind is BookKind.MICRO_FUND]
    trust = [r for r in rows if r.kind is BookKind.TRUST_PROPERTY]
    village = [r for r in rows if r.kind is BookKind.COLLECTIVE_REVENUE]
    billed = sum(r.billed_fen for r in trust)
    collected = sum(r.collected_fen for r in trust)
    rate = _percent(collected, billed)
    communities = {(r.source, r.community) for r in rows}
    items: list[tuple[str, Cell, CellKind]] = [
        (_("Ledgers"), ledgers, "int"),
        (_("Communities"), len(communities), "int"),
        (_("Books"), len(rows), "int"),
        (_("Income in the period"), sum(r.income_fen for r in rows), "money"),
        (_("Spending in the period"), sum(r.spending_fen for r in rows), "money"),
        (
            _("Fund balances at {date}").format(date=end),
            sum(r.balance_fen for r in rows),
            "money",
        ),
    ]
    if funds:
        restricted = sum(r.restricted_fen for r in funds)
        items += [
            (
                _("Micro-funds' money at {date}").format(date=end),
                sum(r.balance_fen for r in funds),
                "money",
            ),
            (_("of which restricted to named purposes"), restricted, "money"),
            (
                _("of which unrestricted"),
                sum(r.unrestricted_fen for r in funds),
                "money",
            ),
        ]
    if trust:
        items += [
            (_("Property fees billed for the period"), billed, "money"),
            (_("Collected against these bills by {date}").format(date=end), collected, "money"),
            (
                (_("Combined collection rate"), rate, "percent")
                if rate is not None
                else (_("Combined collection rate"), "—", "text")
            ),
            (
                _("Remuneration of the property service companies"),
                sum(r.remuneration_fen for r in trust),
                "money",
            ),
        ]
    sections: list[KeyFigures | Table | Paragraph] = [
        KeyFigures(title=_("Key figures"), items=tuple(items)),
    ]
    if trust:
        sections.append(_fees_paragraph(trust, period))
    sections += [_community_table(rows, period), _kind_table(rows, period)]
    if funds:
        sections.append(_micro_fund_table(funds, period))
    if trust:
        sections.append(_trust_table(trust, period))
    if village:
        sections.append(_village_table(village, period))
    sections.append(_digest_table(rows))
    return Notice(
        kind=KIND,
        title=_title(name),
        organisation=name,
        book_name=_("{books} books in {ledgers} ledgers").format(books=len(rows), ledgers=ledgers),
        period_label=period.label,
        generated_on=today(),
        language=i18n.current_language() or "zh_CN",
        sections=tuple(sections),
        digest=None,
        signatures=tuple(_(role) for role in _SIGNATURES),
        subtitle=_("Amounts in yuan; one row per community and ledger"),
        meta={"ledgers": str(ledgers), "books": str(len(rows))},
    )

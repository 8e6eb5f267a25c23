"""The village revenue-sharing notice (集体经济收益分配公示): the profit of the period, the outside
investor's share for the contract year, the 3:3:3:1 split of the collective's remainder and the
per-household statement.

The split already happened in the ledger (:func:`ledger.services.sharing.distribute`, every part
by ``allocate``); the notice shows the :class:`~ledger.models.Distribution` row and its
per-household shares through :func:`ledger.services.sharing.distribution_report`. Households are
named by their public label (一组01户); the heads' names never appear.
"""

from __future__ import annotations

from fractions import Fraction

from sqlmodel import Session, col, func, select

from ledger.domain import AccountType
from ledger.i18n import _
from ledger.models import Account, Book, Distribution, ExitSchedule, Posting
from ledger.money import format_fen
from ledger.periods import MONTH_OR_YEAR, Period
from ledger.rules.sharing import PART_LABELS, SPLIT_PARTS, format_bp
from ledger.services.sharing import DistributionReport, distribution_report
from reports.notice import (
    Cell,
    CellKind,
    Chart,
    Column,
    KeyFigures,
    Notice,
    Paragraph,
    Section,
    Table,
)
from reports.notices.common import ReportOptions, make_notice


def income_and_expenses(session: Session, *, book_id: int, period: Period) -> tuple[int, int]:
    """(income, expenses) of the postings dated in the period, each on its normal side; the
    profit is income − expenses (as :func:`ledger.services.sharing.period_profit` counts it)."""
    rows = session.exec(
        select(col(Account.type), func.sum(col(Posting.amount_fen)))
        .join(Account, col(Account.id) == col(Posting.account_id))
        .where(
            col(Posting.book_id) == book_id,
            col(Posting.date) >= period.start,
            col(Posting.date) <= period.end,
            col(Account.type).in_([AccountType.INCOME.value, AccountType.EXPENSE.value]),
        )
        .group_by(col(Account.type))
    )
    sums = {str(kind): int(total or 0) for kind, total in rows}
    return -sums.get(AccountType.INCOME.value, 0), sums.get(AccountType.EXPENSE.value, 0)


def distributions_in(session: Session, *, book_id: int, period: Period) -> list[Distribution]:
    """The distributions a notice of ``period`` shows: those of a span inside the period, and
    those made (dated) in it, oldest first."""
    rows = session.exec(
        select(Distribution)
        .where(col(Distribution.book_id) == book_id)
        .order_by(col(Distribution.date), col(Distribution.period))
    ).all()
    out = []
    for row in rows:
        span = Period.parse(row.period, allow=MONTH_OR_YEAR)
        inside = period.start <= span.start and span.end <= period.end
        if inside or period.start <= row.date <= period.end:
            out.append(row)
    return out


def _about(numerator: int, denominator: int) -> str:
    """``numerator / denominator`` fen rounded half up to a fen, as money (for "about … each")."""
    return format_fen((2 * numerator + denominator) // (2 * denominator))


def split_table(report: DistributionReport) -> Table:
    weight_total = sum(report.weights)
    rows: list[tuple[Cell, ...]] = [
        (
            _(PART_LABELS[part]),
            weight,
            Fraction(weight, weight_total) if weight_total else None,
            report.parts[part],
        )
        for part, weight in zip(SPLIT_PARTS, report.weights, strict=True)
    ]
    return Table(
        sheet=_("Split {period}").format(period=report.period),
        title=_("Split of the collective's {amount} by {weights}").format(
            amount=format_fen(report.collective_fen),
            weights=":".join(str(w) for w in report.weights),
        ),
        columns=(
            Column(_("Part"), width=26),
            Column(_("Weight"), "int", total=True, width=8),
            Column(_("Share"), "percent", width=9),
            Column(_("Amount (yuan)"), "money", total=True, width=14),
        ),
        rows=rows,
        total_label=_("Total (the collective's remainder)"),
        note=_(
            "Each part is worked out exactly by the largest-remainder method, so the parts add "
            "up to the remainder to the fen."
        ),
    )


def households_table(report: DistributionReport) -> Table:
    return Table(
        sheet=_("Households {period}").format(period=report.period),
        title=_("What each household receives ({period})").format(period=report.period),
        columns=(
            Column(_("Household"), width=18),
            Column(_("Shares"), "int", total=True, width=8),
            Column(_("Members"), "int", total=True, width=8),
            Column(_("Dividend (yuan)"), "money", total=True, width=13),
            Column(_("Per-capita part (yuan)"), "money", total=True, width=13),
            Column(_("Total (yuan)"), "money", total=True, width=13),
        ),
        rows=[
            (h.label, h.shares, h.members, h.dividend_fen, h.per_capita_fen, h.total_fen)
            for h in report.households
        ],
        total_label=_("Total"),
        note=_(
            "Households are named by their public label; the names of household heads are not "
            "shown."
        ),
        is_list=True,
    )


def distribution_sections(
    session: Session, *, book_id: int, report: DistributionReport
) -> list[Section]:
    schedule = session.get(ExitSchedule, book_id)
    share = Fraction(report.investor_bp, 10_000)
    year_text = (
        _("year {year} of {years} (contract since {start})").format(
            year=report.contract_year,
            years=schedule.years,
            start=schedule.contract_start.isoformat(),
        )
        if schedule is not None
        else str(report.contract_year)
    )
    items: tuple[tuple[str, Cell, CellKind], ...] = (
        (_("Profit distributed"), report.profit_fen, "money"),
        (
            _("Distribution entry"),
            _("{number} of {date}").format(
                number=report.entry_number, date=report.date.isoformat()
            ),
            "text",
        ),
        (_("Investor's contract year"), year_text, "text"),
        (_("Investor's share"), share, "percent"),
        (_("Investor's amount"), report.investor_fen, "money"),
        (_("The collective's remainder"), report.collective_fen, "money"),
    )
    weights = ":".join(str(w) for w in report.weights)
    sections: list[Section] = [
        KeyFigures(
            title=_("Distribution of the profit of {period}").format(period=report.period),
            items=items,
        ),
        Paragraph(
            _(
                "The outside investor receives {share} of the profit in contract year {year}: "
                "{share} × {profit} = {investor}. The remaining {rest} belongs to the collective "
                "and is split {weights} among the shareholders (by shares), the village "
                "public-welfare fund, the project reserve fund and all villagers (per capita)."
            ).format(
                share=format_bp(report.investor_bp),
                year=report.contract_year,
                profit=format_fen(report.profit_fen),
                investor=format_fen(report.investor_fen),
                rest=format_fen(report.collective_fen),
                weights=weights,
            )
        ),
        split_table(report),
        Chart(
            kind="pie",
            title=_("Where the profit of {period} goes").format(period=report.period),
            labels=(_("Outside investor"), *(_(PART_LABELS[p]) for p in SPLIT_PARTS)),
            series=(
                (
                    _("Amount"),
                    (report.investor_fen, *(report.parts[p] for p in SPLIT_PARTS)),
                ),
            ),
        ),
    ]
    shareholders, per_capita = report.parts["shareholders"], report.parts["per_capita"]
    if report.total_shares and report.total_members:
        sections.append(
            Paragraph(
                _(
                    "The shareholders' part, {dividends}, is shared over {shares} shares (about "
                    "{per_share} a share); the villagers' part, {per_capita}, over {members} "
                    "people (about {per_person} each)."
                ).format(
                    dividends=format_fen(shareholders),
                    shares=report.total_shares,
                    per_share=_about(shareholders, report.total_shares),
                    per_capita=format_fen(per_capita),
                    members=report.total_members,
                    per_person=_about(per_capita, report.total_members),
                )
            )
        )
    sections.append(households_table(report))
    return sections


def build_revenue_sharing(
    session: Session, book: Book, period: Period, _options: ReportOptions
) -> Notice:
    """集体经济收益分配公示: the period's profit, and for each distribution in it the investor's
    share for the contract year, the 3:3:3:1 split and the per-household statement. A period
    without a distribution says so and still shows the profit so far."""
    book_id = book.id or 0
    income, expenses = income_and_expenses(session, book_id=book_id, period=period)
    sections: list[Section] = [
        KeyFigures(
            title=_("Profit of the period"),
            items=(
                (_("Income"), income, "money"),
                (_("Expenses"), expenses, "money"),
                (_("Profit (income − expenses)"), income - expenses, "money"),
            ),
        )
    ]
    found = distributions_in(session, book_id=book_id, period=period)
    if not found:
        sections.append(
            Paragraph(
                _(
                    "No profit has been distributed in {period} yet. The profit so far is "
                    "{profit}; it is shared out once the period's accounts are settled."
                ).format(period=period.label, profit=format_fen(income - expenses))
            )
        )
    through = period.end
    for row in found:
        report = distribution_report(session, book_id=book_id, period=row.period)
        sections += distribution_sections(session, book_id=book_id, report=report)
        through = max(through, row.date)
    return make_notice(
        session,
        book=book,
        kind="revenue_sharing",
        title=_("Revenue-sharing notice of {book}").format(book=book.name),
        period=period,
        sections=tuple(sections),
        subtitle=_("Amounts in yuan; households by their public label"),
        digest_through=through if through != period.end else None,
    )

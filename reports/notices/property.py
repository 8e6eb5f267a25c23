"""The trust-property notice (信托制物业月度公示): what the owners' common funds took in and spent
in a month (or a quarter or year, month by month), the company's remuneration worked out in the
open, the open budget's execution per line, common-part income, and arrears by building.

Every figure comes from the ledger through :mod:`ledger.services.property` or the same queries;
the split of the remuneration and of the gift already happened in the ledger (``allocate``), the
notice only shows the rows. Arrears are shown by building only: no unit, no owner's name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from sqlmodel import Session, col, func, select

from ledger.chain import voucher_number
from ledger.charts import (
    TRUST_BANK,
    TRUST_CASH,
    TRUST_COMMON_INCOME,
    TRUST_MAINTENANCE_FUND_BANK,
)
from ledger.domain import Role
from ledger.errors import NotFoundError
from ledger.i18n import _
from ledger.models import (
    Account,
    AppUser,
    Book,
    Budget,
    Entry,
    FeeCollection,
    Posting,
    Remuneration,
    Transfer,
    Vote,
)
from ledger.money import format_fen
from ledger.periods import Period
from ledger.rules.meetings import fraction_percent
from ledger.rules.privacy import mask_name
from ledger.rules.sharing import format_bp
from ledger.services.balances import trial_balance
from ledger.services.property import (
    GIFT_KIND,
    BudgetExecution,
    arrears_by_building,
    budget_execution,
    collection_rate,
)
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
from reports.notices.common import ReportOptions, account_name, make_notice


@dataclass(frozen=True, slots=True)
class MonthFees:
    """One month of the period: its bills, what was paid against them by the period's end, the
    remuneration posted for it and the gift made from that remuneration."""

    month: str
    billed_fen: int
    collected_fen: int
    remuneration: Remuneration | None
    remuneration_number: str
    gift_fen: int
    gift_number: str
    gift_fund_number: str
    gift_fund: str


def months_of(period: Period) -> list[str]:
    """The months ``YYYY-MM`` a notice period covers, in order."""
    out: list[str] = []
    year, month = period.start.year, period.start.month
    while (year, month) <= (period.end.year, period.end.month):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def _number(session: Session, entry_id: int) -> str:
    entry = session.get(Entry, entry_id)
    return voucher_number(entry.year, entry.seq) if entry is not None else ""


def month_fees(session: Session, *, book_id: int, period: Period) -> list[MonthFees]:
    """Fees, collection, remuneration and gift of each month of the period that has any."""
    months = months_of(period)
    remunerations = {
        r.period: r
        for r in session.exec(
            select(Remuneration).where(
                col(Remuneration.book_id) == book_id, col(Remuneration.period).in_(months)
            )
        )
    }
    gifts = {
        t.period: t
        for t in session.exec(
            select(Transfer).where(
                col(Transfer.from_book_id) == book_id,
                col(Transfer.kind) == GIFT_KIND,
                col(Transfer.period).in_(months),
            )
        )
    }
    out: list[MonthFees] = []
    for month in months:
        try:
            rate = collection_rate(session, book_id=book_id, period=month, at=period.end)
            billed, collected = rate.billed_fen, rate.collected_fen
        except NotFoundError:  # the month has not been billed
            billed = collected = 0
            if month not in remunerations:
                continue
        rem = remunerations.get(month)
        gift = gifts.get(month)
        fund = session.get(Book, gift.to_book_id) if gift is not None else None
        out.append(
            MonthFees(
                month=month,
                billed_fen=billed,
                collected_fen=collected,
                remuneration=rem,
                remuneration_number=_number(session, rem.entry_id) if rem else "",
                gift_fen=gift.amount_fen if gift else 0,
                gift_number=_number(session, gift.from_entry_id) if gift else "",
                gift_fund_number=_number(session, gift.to_entry_id) if gift else "",
                gift_fund=fund.name if fund is not None else "",
            )
        )
    return out


def received_in_period(session: Session, *, book_id: int, period: Period) -> int:
    """Every property-fee payment dated in the period (arrears and prepayments included)."""
    total = session.exec(
        select(func.sum(col(FeeCollection.amount_fen))).where(
            col(FeeCollection.book_id) == book_id,
            col(FeeCollection.date) >= period.start,
            col(FeeCollection.date) <= period.end,
        )
    ).one()
    return int(total or 0)


def common_income(
    session: Session, *, book_id: int, period: Period
) -> list[tuple[str, str, int, int]]:
    """Common-part income (公共收益, 4201 and its sub-accounts) by kind: (code, name, in the
    period, in the year up to the period's end), credits positive."""
    accounts = session.exec(
        select(Account)
        .where(
            col(Account.book_id) == book_id,
            col(Account.code).startswith(TRUST_COMMON_INCOME),
        )
        .order_by(col(Account.code))
    ).all()
    year_start = dt.date(period.end.year, 1, 1)

    def sums(start: dt.date) -> dict[int, int]:
        rows = session.exec(
            select(col(Posting.account_id), func.sum(col(Posting.amount_fen)))
            .where(
                col(Posting.book_id) == book_id,
                col(Posting.account_id).in_([a.id for a in accounts]),
                col(Posting.date) >= start,
                col(Posting.date) <= period.end,
            )
            .group_by(col(Posting.account_id))
        )
        return {int(aid): -int(total or 0) for aid, total in rows}

    in_period = sums(period.start)
    in_year = sums(min(year_start, period.start))
    return [
        (
            a.code,
            account_name(a.name_zh, a.name_en),
            in_period.get(a.id or 0, 0),
            in_year.get(a.id or 0, 0),
        )
        for a in accounts
        if in_period.get(a.id or 0) or in_year.get(a.id or 0)
    ]


def fund_balances(session: Session, *, book_id: int, at: dt.date) -> tuple[int, int]:
    """(the owners' common funds in bank and cash, the special maintenance fund account) on
    ``at``: 1001 + 1002 without 100202, and 100202."""
    balances = {
        a.code: a.balance_fen for a in trial_balance(session, book_id=book_id, at=at).accounts
    }
    maintenance = balances.get(TRUST_MAINTENANCE_FUND_BANK, 0)
    common = balances.get(TRUST_CASH, 0) + balances.get(TRUST_BANK, 0) - maintenance
    return common, maintenance


def _percent(part: int, whole: int) -> Fraction | None:
    return Fraction(part, whole) if whole else None


def remuneration_formula(rem: Remuneration) -> str:
    """``15% × ¥23,522.95 = ¥3,528.44``: the rate, the basis and the amount of the row."""
    return f"{format_bp(rem.rate_bp)} × {format_fen(rem.basis_fen)} = {format_fen(rem.amount_fen)}"


def _basis_words(rem: Remuneration) -> str:
    if rem.basis == "billed":
        return _("the property fees billed for {month}").format(month=rem.period)
    return _(
        "the property fees collected in {month} (money received against bills, and "
        "prepayments applied to the month's bills)"
    ).format(month=rem.period)


def _remuneration_paragraph(months: Sequence[MonthFees], period: Period) -> Paragraph:
    rows = [m.remuneration for m in months if m.remuneration is not None]
    if not rows:
        return Paragraph(
            _(
                "No remuneration has been posted for {period} yet; it is posted once a month, "
                "after the month has ended."
            ).format(period=period.label)
        )
    if len(rows) == 1:
        rem = rows[0]
        number = next(m.remuneration_number for m in months if m.remuneration is rem)
        return Paragraph(
            _(
                "The company's remuneration is {rate} of {basis}: {formula} (voucher "
                "{number}). Everything else the owners pay belongs to them and is spent under "
                "their open budget."
            ).format(
                rate=format_bp(rem.rate_bp),
                basis=_basis_words(rem),
                formula=remuneration_formula(rem),
                number=number,
            )
        )
    rates = sorted({r.rate_bp for r in rows})
    return Paragraph(
        _(
            "The company's remuneration is worked out month by month, as {rates} of each "
            "month's basis (see the table of months); over {count} months it comes to {amount}. "
            "Everything else the owners pay belongs to them and is spent under their open "
            "budget."
        ).format(
            rates=" / ".join(format_bp(r) for r in rates),
            count=len(rows),
            amount=format_fen(sum(r.amount_fen for r in rows)),
        )
    )


def _gift_paragraph(months: Sequence[MonthFees], remuneration_fen: int) -> Paragraph | None:
    gifts = [m for m in months if m.gift_fen]
    if not gifts:
        return None
    total = sum(m.gift_fen for m in gifts)
    given_from = sum(m.remuneration.amount_fen for m in gifts if m.remuneration is not None)
    share = _percent(total, given_from or remuneration_fen)
    share_text = fraction_percent(share) if share is not None else ""
    if len(gifts) == 1:
        gift = gifts[0]
        return Paragraph(
            _(
                "The company gave {share} of its remuneration, {amount}, to “{fund}”: voucher "
                "{number} in this book, {fund_number} in the fund's book."
            ).format(
                share=share_text,
                amount=format_fen(total),
                fund=gift.gift_fund,
                number=gift.gift_number,
                fund_number=gift.gift_fund_number,
            )
        )
    funds = sorted({m.gift_fund for m in gifts})
    return Paragraph(
        _(
            "The company gave {share} of its remuneration, {amount} in {count} transfers, to "
            "“{fund}”."
        ).format(
            share=share_text, amount=format_fen(total), count=len(gifts), fund="”, “".join(funds)
        )
    )


def _approval_text(session: Session, budget: Budget, options: ReportOptions) -> str:
    if budget.approved_by_vote_id is not None:
        vote = session.get(Vote, budget.approved_by_vote_id)
        if vote is not None:
            return _(
                "The {year} open budget was approved by the owners' meeting: vote {id} "
                "“{title}”, closed on {date}."
            ).format(
                year=budget.year, id=vote.id, title=vote.title, date=vote.closes_on.isoformat()
            )
    if budget.status != "approved":
        return _("The {year} open budget is still a draft: it has not been approved.").format(
            year=budget.year
        )
    user = session.get(AppUser, budget.approved_by_id) if budget.approved_by_id else None
    if user is None:
        text = _("The {year} open budget was approved on {date}.").format(
            year=budget.year, date=(budget.approved_at or "")[:10]
        )
    else:
        name = user.display_name or user.username
        text = _("The {year} open budget was approved by {name} ({role}) on {date}.").format(
            year=budget.year,
            name=name if options.show_names else mask_name(name, is_individual=True),
            role=Role(user.role).label,
            date=(budget.approved_at or "")[:10],
        )
    if budget.approval_note:
        text += " " + _("Note: {note}").format(note=budget.approval_note)
    return text


def _budget_sections(
    session: Session, *, book_id: int, period: Period, options: ReportOptions
) -> list[Section]:
    year = period.end.year
    try:
        execution = budget_execution(session, book_id=book_id, year=year, at=period.end)
    except NotFoundError:
        return [Paragraph(_("There is no open budget for {year} in this book.").format(year=year))]
    budget = session.exec(
        select(Budget).where(col(Budget.book_id) == book_id, col(Budget.year) == year)
    ).one()
    names = [account_name(line.name_zh, line.name_en) for line in execution.lines]
    return [
        budget_table(execution, names=names, period=period),
        Paragraph(_approval_text(session, budget, options)),
        Chart(
            kind="bar",
            title=_("Budget and actual by line, {start} to {end}").format(
                start=dt.date(year, 1, 1).isoformat(), end=period.end.isoformat()
            ),
            labels=tuple(names),
            series=(
                (_("Budget"), tuple(line.budget_fen for line in execution.lines)),
                (_("Actual"), tuple(line.actual_fen for line in execution.lines)),
            ),
        ),
    ]


def budget_table(execution: BudgetExecution, *, names: Sequence[str], period: Period) -> Table:
    rows: list[Sequence[Cell]] = [
        (
            name,
            line.budget_fen,
            line.actual_fen,
            _percent(line.actual_fen, line.budget_fen),
            line.remaining_fen,
        )
        for name, line in zip(names, execution.lines, strict=True)
    ]
    used = _percent(execution.actual_fen, execution.budget_fen)
    note = _(
        "Actual: spending posted to each line's account from 1 January to {date}. A line above "
        "{full} went beyond its budget, which needs an approval recorded on the voucher."
    ).format(date=period.end.isoformat(), full=fraction_percent(Fraction(1)))
    if used is not None:
        note = (
            _("Altogether {used} of the {year} budget is used.").format(
                used=fraction_percent(used), year=execution.year
            )
            + " "
            + note
        )
    return Table(
        sheet=_("Budget execution"),
        title=_("Open budget {year}: execution per line").format(year=execution.year),
        columns=(
            Column(_("Budget line"), width=24),
            Column(_("Budget (yuan)"), "money", total=True, width=13),
            Column(_("Actual (yuan)"), "money", total=True, width=13),
            Column(_("Used"), "percent", width=9),
            Column(_("Remaining (yuan)"), "money", total=True, width=13),
        ),
        rows=rows,
        total_label=_("Total"),
        note=note,
    )


def common_income_table(rows: Sequence[tuple[str, str, int, int]], period: Period) -> Table:
    return Table(
        sheet=_("Common-part income"),
        title=_("Common-part income by kind"),
        columns=(
            Column(_("Kind"), width=24),
            Column(_("In the period (yuan)"), "money", total=True, width=14),
            Column(
                _("Year to {date} (yuan)").format(date=period.end.isoformat()),
                "money",
                total=True,
                width=14,
            ),
        ),
        rows=[(name, fen, year) for _code, name, fen, year in rows],
        total_label=_("Total"),
        note=_(
            "Parking, advertising and other income from the common parts belongs to the owners."
        ),
    )


def arrears_table(session: Session, *, book_id: int, period: Period) -> Table:
    buildings = arrears_by_building(session, book_id=book_id, at=period.end)
    return Table(
        sheet=_("Arrears by building"),
        title=_("Arrears by building at {date}").format(date=period.end.isoformat()),
        columns=(
            Column(_("Building"), width=14),
            Column(_("Units"), "int", total=True, width=9),
            Column(_("Units in arrears"), "int", total=True, width=12),
            Column(_("Arrears (yuan)"), "money", total=True, width=14),
        ),
        rows=[
            (_("Building {name}").format(name=b.building), b.units, b.units_owing, b.owed_fen)
            for b in buildings
        ],
        total_label=_("Total"),
        note=_(
            "Fees billed by {date} and not paid by then, by building; no units or names are shown."
        ).format(date=period.end.isoformat()),
    )


def months_table(months: Sequence[MonthFees]) -> Table:
    return Table(
        sheet=_("Months"),
        title=_("Fees and remuneration month by month"),
        columns=(
            Column(_("Month"), width=9),
            Column(_("Fees billed (yuan)"), "money", total=True, width=12),
            Column(_("Collected (yuan)"), "money", total=True, width=12),
            Column(_("Collection rate"), "percent", width=10),
            Column(_("Remuneration: rate × basis"), width=24),
            Column(_("Remuneration (yuan)"), "money", total=True, width=12),
            Column(_("Gift (yuan)"), "money", total=True, width=11),
        ),
        rows=[
            (
                m.month,
                m.billed_fen,
                m.collected_fen,
                _percent(m.collected_fen, m.billed_fen),
                remuneration_formula(m.remuneration) if m.remuneration else "",
                m.remuneration.amount_fen if m.remuneration else 0,
                m.gift_fen,
            )
            for m in months
        ],
        total_label=_("Total"),
    )


def build_property_monthly(
    session: Session, book: Book, period: Period, options: ReportOptions
) -> Notice:
    """信托制物业月度公示: fees billed and collected, collection rate, common-part income, the
    company's remuneration (rate × basis = amount) and its gift to the micro-fund, the common
    funds' balance, budget execution per line with a chart, and arrears by building."""
    book_id = book.id or 0
    months = month_fees(session, book_id=book_id, period=period)
    billed = sum(m.billed_fen for m in months)
    collected = sum(m.collected_fen for m in months)
    rate = _percent(collected, billed)
    income = common_income(session, book_id=book_id, period=period)
    remunerations = [m.remuneration for m in months if m.remuneration is not None]
    remuneration_fen = sum(r.amount_fen for r in remunerations)
    gift_fen = sum(m.gift_fen for m in months)
    arrears = arrears_table(session, book_id=book_id, period=period)
    owed = sum(b.owed_fen for b in arrears_by_building(session, book_id=book_id, at=period.end))
    common, maintenance = fund_balances(session, book_id=book_id, at=period.end)
    end = period.end.isoformat()

    items: list[tuple[str, Cell, CellKind]] = [
        (_("Property fees billed for the period"), billed, "money"),
        (_("Collected against these bills by {date}").format(date=end), collected, "money"),
        (
            (_("Collection rate"), rate, "percent")
            if rate is not None
            else (_("Collection rate"), "—", "text")
        ),
        (
            _("Fees received in the period (arrears and prepayments included)"),
            received_in_period(session, book_id=book_id, period=period),
            "money",
        ),
        (_("Common-part income (parking, advertising …)"), sum(r[2] for r in income), "money"),
    ]
    if len(remunerations) == 1:
        items.append(
            (_("Remuneration: rate × basis"), remuneration_formula(remunerations[0]), "text")
        )
    items.append((_("The company's remuneration"), remuneration_fen, "money"))
    if gift_fen:
        funds = sorted({m.gift_fund for m in months if m.gift_fen})
        items.append(
            (
                _("Gift from the remuneration to “{fund}”").format(fund="”, “".join(funds)),
                gift_fen,
                "money",
            )
        )
    items += [
        (_("Fees in arrears at {date}").format(date=end), owed, "money"),
        (_("Owners' common funds in bank and cash at {date}").format(date=end), common, "money"),
    ]
    if maintenance:
        items.append(
            (_("Special maintenance fund account at {date}").format(date=end), maintenance, "money")
        )
    figures = KeyFigures(
        title=_("Key figures"),
        items=tuple(items),
    )

    sections: list[Section] = [figures, _remuneration_paragraph(months, period)]
    gift = _gift_paragraph(months, remuneration_fen)
    if gift is not None:
        sections.append(gift)
    if len(months_of(period)) > 1 and months:
        sections.append(months_table(months))
    sections += _budget_sections(session, book_id=book_id, period=period, options=options)
    sections += [common_income_table(income, period), arrears]

    if period.is_month:
        title = _("Trust-property monthly notice of {book}")
    elif "Q" in period.text:
        title = _("Trust-property quarterly notice of {book}")
    else:
        title = _("Trust-property annual notice of {book}")
    return make_notice(
        session,
        book=book,
        kind="property_monthly",
        title=title.format(book=book.name),
        period=period,
        sections=tuple(sections),
        subtitle=_("Amounts in yuan; arrears by building, without names"),
    )

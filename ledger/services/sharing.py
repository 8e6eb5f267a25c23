"""Village revenue sharing (3331): households with shares and members, the investor's
capital-exit schedule, and the distribution of a period's profit (收益分配), posted as one
balanced entry with a per-household statement.

Which households belong to a village book: households are shared by all the books of a ledger
(the same table serves votes and points), but only some of them are villagers of a given
village. A household is *enrolled* in a village book (a :class:`~ledger.models.BookHousehold`
row, the book's electorate, which village votes count too); a distribution shares out among
the enrolled, active households only, using their ``shares`` and ``members`` at that moment
(kept on the :class:`~ledger.models.DistributionShare` rows).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, func, select

from ledger.access import Action, require
from ledger.chain import voucher_number
from ledger.charts import (
    COLLECTIVE_DIST_INVESTOR,
    COLLECTIVE_DIVIDENDS_PAYABLE,
    COLLECTIVE_INVESTOR_PROFIT_PAYABLE,
    COLLECTIVE_PER_CAPITA_PAYABLE,
    COLLECTIVE_PROJECT_RESERVE_FUND,
    COLLECTIVE_PUBLIC_WELFARE_FUND,
    COLLECTIVE_SPLIT_ACCOUNTS,
)
from ledger.domain import AccountType, BookKind
from ledger.errors import InvalidInputError, NotFoundError
from ledger.i18n import _
from ledger.models import (
    Account,
    AppUser,
    Book,
    Distribution,
    DistributionShare,
    Entry,
    ExitSchedule,
    ExitScheduleYear,
    Household,
    Posting,
    columns,
)
from ledger.money import format_fen as _money
from ledger.periods import MONTH_OR_YEAR, Period
from ledger.rules.sharing import (
    DEFAULT_WEIGHTS,
    MAX_CONTRACT_YEARS,
    SPLIT_PARTS,
    check_holding,
    check_schedule_rows,
    check_share_bp,
    contract_year,
    exit_schedule,
    format_bp,
    share_for_year,
    split_profit,
)
from ledger.rules.text import check_keepable
from ledger.services.audit import record_event
from ledger.services.entries import PostingLine, post_entry
from ledger.services.households import add_household, book_households, is_enrolled
from ledger.services.households import enrol_household as enrol_in_book

#: Where each part of the collective's share is credited: payables to people, or the village's
#: own funds (the debit side is :data:`ledger.charts.COLLECTIVE_SPLIT_ACCOUNTS`).
SPLIT_CREDIT_ACCOUNTS = {
    "shareholders": COLLECTIVE_DIVIDENDS_PAYABLE,
    "public_welfare": COLLECTIVE_PUBLIC_WELFARE_FUND,
    "project_reserve": COLLECTIVE_PROJECT_RESERVE_FUND,
    "per_capita": COLLECTIVE_PER_CAPITA_PAYABLE,
}


def village_book(session: Session, *, book_id: int) -> Book:
    """The book, if it is a village collective revenue book; refuse any other."""
    book = session.get(Book, book_id)
    if book is None:
        raise NotFoundError(_("There is no book number {id}.").format(id=book_id))
    if book.kind != BookKind.COLLECTIVE_REVENUE.value:
        raise InvalidInputError(
            _(
                "“{book}” is a book of the kind “{kind}”; revenue sharing (3331) is kept in a "
                "village collective revenue book."
            ).format(book=book.name, kind=BookKind(book.kind).label)
        )
    return book


# --------------------------------------------------------------------------------------------
# Households of a village
# --------------------------------------------------------------------------------------------


def enrol_household(session: Session, *, book_id: int, household_id: int, actor: AppUser) -> None:
    """Count a registered household as villagers of this village book (shares and per capita)."""
    village_book(session, book_id=book_id)
    enrol_in_book(session, book_id=book_id, household_id=household_id, actor=actor)


def add_village_household(
    session: Session,
    *,
    book_id: int,
    label: str,
    actor: AppUser,
    shares: int = 0,
    members: int = 1,
    head_name: str = "",
) -> Household:
    """Register a household (``ledger.services.households.add_household``) and enrol it in the
    village book, in one step."""
    village_book(session, book_id=book_id)
    household = add_household(
        session, label=label, actor=actor, head_name=head_name, members=members, shares=shares
    )
    enrol_household(session, book_id=book_id, household_id=household.id or 0, actor=actor)
    return household


def village_households(session: Session, *, book_id: int) -> list[Household]:
    """The active households enrolled in the village book, by id."""
    village_book(session, book_id=book_id)
    return book_households(session, book_id=book_id)


def set_household_holding(
    session: Session,
    *,
    book_id: int,
    household_id: int,
    actor: AppUser,
    shares: int | None = None,
    members: int | None = None,
) -> Household:
    """Change a village household's shares and/or members (an audit event keeps the old values).

    Past distributions keep the numbers they were made with."""
    require(actor.username, actor.role, Action.MANAGE_COUNTERPARTIES)
    book = village_book(session, book_id=book_id)
    household = session.get(Household, household_id)
    if household is None or not household.active:
        raise NotFoundError(_("There is no household “{ref}”.").format(ref=household_id))
    if not is_enrolled(session, book_id=book_id, household_id=household_id):
        raise InvalidInputError(
            _("Household “{label}” is not a household of “{book}”.").format(
                label=household.label, book=book.name
            )
        )
    for value in (shares, members):
        if value is not None:
            check_holding(value)
    before = {"shares": household.shares, "members": household.members}
    if shares is not None:
        household.shares = shares
    if members is not None:
        household.members = members
    session.add(household)
    session.flush()
    record_event(
        session,
        actor=actor,
        action="village.household_changed",
        object_type="household",
        object_id=household_id,
        detail={
            "book": book_id,
            "label": household.label,
            "from": before,
            "to": {"shares": household.shares, "members": household.members},
        },
    )
    return household


# --------------------------------------------------------------------------------------------
# The capital-exit schedule
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ScheduleYear:
    """One contract year: its dates, the investor's share, and the distribution that used it."""

    contract_year: int
    starts: dt.date
    ends: dt.date
    investor_bp: int
    used_by: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ScheduleView:
    book_id: int
    contract_start: dt.date
    years: int
    note: str
    rows: list[ScheduleYear]


#: The earliest start of an investor's contract: an earlier one is a typing slip.
MIN_CONTRACT_START = dt.date(1900, 1, 1)


def _anniversary(start: dt.date, years: int) -> dt.date:
    """``start`` moved on by whole years; 29 February becomes 1 March in other years."""
    try:
        return start.replace(year=start.year + years)
    except ValueError:
        return dt.date(start.year + years, 3, 1)


def _used_years(session: Session, book_id: int) -> dict[int, tuple[int, list[str]]]:
    """Contract years used by distributions: year → (investor_bp used, periods)."""
    used: dict[int, tuple[int, list[str]]] = {}
    rows = session.exec(
        select(Distribution.contract_year, Distribution.investor_bp, Distribution.period)
        .where(col(Distribution.book_id) == book_id)
        .order_by(col(Distribution.period))
    )
    for year, bp, period in rows:
        used.setdefault(year, (bp, []))[1].append(period)
    return used


def _schedule_rows(session: Session, book_id: int) -> dict[int, int]:
    return dict(
        session.exec(
            select(ExitScheduleYear.contract_year, ExitScheduleYear.investor_bp)
            .where(col(ExitScheduleYear.book_id) == book_id)
            .order_by(col(ExitScheduleYear.contract_year))
        ).all()
    )


def set_exit_schedule(
    session: Session,
    *,
    book_id: int,
    contract_start: dt.date,
    actor: AppUser,
    rows: Sequence[tuple[int, int]] | None = None,
    start_bp: int = 7000,
    years: int = 20,
    end_bp: int = 0,
    curve: str = "linear",
    step_years: int | None = None,
    note: str = "",
) -> ScheduleView:
    """Set (or replace) the investor's capital-exit schedule of a village book.

    The table of ``(contract_year, investor_bp)`` is what is stored and what counts: give it as
    ``rows``, or let :func:`ledger.rules.sharing.exit_schedule` generate it from ``start_bp``,
    ``years``, ``end_bp``, ``curve`` and ``step_years``. Once a distribution has used a
    contract year, a replacement may not change that year's share nor the contract start.
    """
    require(actor.username, actor.role, Action.POST_ENTRY)
    book = village_book(session, book_id=book_id)
    if type(contract_start) is not dt.date:
        raise InvalidInputError(_("The contract needs a start date (YYYY-MM-DD)."))
    if rows is None:
        table = exit_schedule(start_bp, years, end_bp, curve, step_years)
        generated = _("{curve}: {start} in year 1 towards {end} after year {years}").format(
            curve=curve, start=format_bp(start_bp), end=format_bp(end_bp), years=years
        )
    else:
        table = check_schedule_rows(rows)
        generated = _("entered year by year")
    last_year = max(year for year, _bp in table)
    if contract_start < MIN_CONTRACT_START or contract_start.year + last_year > dt.MAXYEAR:
        raise InvalidInputError(
            _(
                "A contract starting on {start} for {years} years does not fit the calendar; "
                "check the start date (from {first} on)."
            ).format(
                start=contract_start.isoformat(),
                years=last_year,
                first=MIN_CONTRACT_START.isoformat(),
            )
        )
    text = check_keepable((note.strip() or generated)[:400], _("The note"))
    existing = session.get(ExitSchedule, book_id)
    used = _used_years(session, book_id)
    new = dict(table)
    if existing is not None and used and existing.contract_start != contract_start:
        raise InvalidInputError(
            _(
                "The contract start of “{book}” cannot move from {old} to {new}: distributions "
                "were already made under it."
            ).format(book=book.name, old=existing.contract_start.isoformat(), new=contract_start)
        )
    for year, (bp, periods) in sorted(used.items()):
        if share_for_year(new, year) != bp:
            raise InvalidInputError(
                _(
                    "Contract year {year} was used by the distribution of {periods} at {old}; the "
                    "new schedule would make it {new}. Keep the years already used unchanged."
                ).format(
                    year=year,
                    periods=", ".join(periods),
                    old=format_bp(bp),
                    new=format_bp(share_for_year(new, year)),
                )
            )
    before = None
    if existing is None:
        existing = ExitSchedule(
            book_id=book_id, contract_start=contract_start, years=len(table), note=text
        )
    else:
        before = {
            "contract_start": existing.contract_start.isoformat(),
            "rows": [[y, b] for y, b in _schedule_rows(session, book_id).items()],
        }
        existing.contract_start = contract_start
        existing.years = len(table)
        existing.note = text
    session.add(existing)
    session.flush()
    stored = {
        r.contract_year: r
        for r in session.exec(
            select(ExitScheduleYear).where(col(ExitScheduleYear.book_id) == book_id)
        )
    }
    for year, bp in table:
        row = stored.pop(year, None)
        if row is None:
            row = ExitScheduleYear(book_id=book_id, contract_year=year, investor_bp=bp)
        row.investor_bp = bp
        session.add(row)
    for row in stored.values():
        session.delete(row)
    session.flush()
    record_event(
        session,
        actor=actor,
        action="village.exit_schedule_set",
        object_type="book",
        object_id=book_id,
        detail={
            "book": book_id,
            "contract_start": contract_start.isoformat(),
            "note": text,
            "rows": [[y, b] for y, b in table],
            "before": before,
        },
    )
    return get_exit_schedule(session, book_id=book_id)


def set_schedule_year(
    session: Session, *, book_id: int, contract_year: int, investor_bp: int, actor: AppUser
) -> ScheduleView:
    """Change the investor's share of one contract year, if no distribution has used it yet."""
    require(actor.username, actor.role, Action.POST_ENTRY)
    book = village_book(session, book_id=book_id)
    schedule = session.get(ExitSchedule, book_id)
    if schedule is None:
        raise NotFoundError(_no_schedule(book))
    check_share_bp(investor_bp)
    row = (
        session.get(ExitScheduleYear, (book_id, contract_year))
        if type(contract_year) is int and 1 <= contract_year <= MAX_CONTRACT_YEARS
        else None
    )
    if row is None:
        raise InvalidInputError(
            _("The contract of “{book}” has years 1 to {years}; there is no year {year}.").format(
                book=book.name, years=schedule.years, year=contract_year
            )
        )
    used = _used_years(session, book_id).get(contract_year)
    if used is not None:
        raise InvalidInputError(
            _(
                "Contract year {year} was already used by the distribution of {periods}; its "
                "share can no longer be changed."
            ).format(year=contract_year, periods=", ".join(used[1]))
        )
    before = row.investor_bp
    row.investor_bp = investor_bp
    session.add(row)
    session.flush()
    record_event(
        session,
        actor=actor,
        action="village.exit_schedule_year_changed",
        object_type="book",
        object_id=book_id,
        detail={"book": book_id, "year": contract_year, "from": before, "to": investor_bp},
    )
    return get_exit_schedule(session, book_id=book_id)


def _no_schedule(book: Book) -> str:
    return _(
        "“{book}” has no capital-exit schedule yet; set the investor's contract start and "
        "shares first."
    ).format(book=book.name)


def get_exit_schedule(session: Session, *, book_id: int) -> ScheduleView:
    """The stored schedule with each year's dates and the distributions that used it."""
    book = village_book(session, book_id=book_id)
    schedule = session.get(ExitSchedule, book_id)
    if schedule is None:
        raise NotFoundError(_no_schedule(book))
    used = _used_years(session, book_id)
    start = schedule.contract_start
    rows = [
        ScheduleYear(
            contract_year=year,
            starts=_anniversary(start, year - 1),
            ends=_anniversary(start, year) - dt.timedelta(days=1),
            investor_bp=bp,
            used_by=tuple(used.get(year, (0, []))[1]),
        )
        for year, bp in _schedule_rows(session, book_id).items()
    ]
    return ScheduleView(book_id, start, schedule.years, schedule.note, rows)


def investor_share_bp(session: Session, *, book_id: int, date: dt.date) -> int:
    """The investor's share of the profit on ``date``, from the stored schedule (0 once the
    contract has ended)."""
    book = village_book(session, book_id=book_id)
    schedule = session.get(ExitSchedule, book_id)
    if schedule is None:
        raise NotFoundError(_no_schedule(book))
    return share_for_year(
        _schedule_rows(session, book_id), contract_year(schedule.contract_start, date)
    )


# --------------------------------------------------------------------------------------------
# Distribution
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HouseholdLine:
    """One household's line of the statement (by its public label; never the head's name)."""

    household_id: int
    label: str
    shares: int
    members: int
    dividend_fen: int
    per_capita_fen: int

    @property
    def total_fen(self) -> int:
        return self.dividend_fen + self.per_capita_fen


@dataclass(frozen=True, slots=True)
class DistributionReport:
    """A distribution as its notice shows it: the contract year, the investor's share, the
    weighted table of the collective's part, and the per-household statement."""

    book_id: int
    period: str
    date: dt.date
    entry_number: str
    profit_fen: int
    contract_year: int
    investor_bp: int
    investor_fen: int
    collective_fen: int
    weights: tuple[int, ...]
    parts: dict[str, int]
    households: list[HouseholdLine]

    @property
    def total_shares(self) -> int:
        return sum(h.shares for h in self.households)

    @property
    def total_members(self) -> int:
        return sum(h.members for h in self.households)


def period_profit(session: Session, *, book_id: int, period: str) -> int:
    """The book's profit for a period: income minus expenses of the postings dated in it."""
    village_book(session, book_id=book_id)
    span = Period.parse(period, allow=MONTH_OR_YEAR)
    total = session.exec(
        select(func.sum(Posting.amount_fen))
        .join(Account, col(Account.id) == col(Posting.account_id))
        .where(
            col(Posting.book_id) == book_id,
            col(Posting.date) >= span.start,
            col(Posting.date) <= span.end,
            col(Account.type).in_([AccountType.INCOME.value, AccountType.EXPENSE.value]),
        )
    ).one()
    return -int(total or 0)


def _overlapping(session: Session, book_id: int, span: Period) -> str | None:
    for (name,) in session.connection().execute(
        sa_select(col(Distribution.period)).where(col(Distribution.book_id) == book_id)
    ):
        if Period.parse(name, allow=MONTH_OR_YEAR).overlaps(span):
            return str(name)
    return None


def distribute(
    session: Session,
    *,
    book_id: int,
    period: str,
    date: dt.date,
    profit_fen: int,
    actor: AppUser,
    weights: Sequence[int] = DEFAULT_WEIGHTS,
    approver: AppUser | None = None,
) -> DistributionReport:
    """Distribute a period's profit: the investor's share for the contract year, then the
    collective's part by ``weights`` (default 3:3:3:1), posted as ONE balanced entry:

    ====================  ======================  ==============================
    part                  debit                   credit
    ====================  ======================  ==============================
    investor              330101 投资方分成       211101 应付投资方利润
    shareholders          330102 股东分红         211102 应付股东分红
    public-welfare fund   330103 提取公益金       310101 村级公益金
    project reserve fund  330104 提取项目储备金   310102 项目储备金
    per capita            330105 村民人均分配     211103 应付村民人均分配
    ====================  ======================  ==============================

    (a part of 0 has no lines), with a :class:`~ledger.models.Distribution` row and one
    :class:`~ledger.models.DistributionShare` per household that holds shares or members.

    The contract year is the one the period's last day falls in; the distribution is dated on
    or after that day. Refused, with nothing written: a non-village book, a loss or zero profit,
    bad weights, no schedule, a period already distributed (or overlapping one that was), and a
    shareholders' or per-capita part with no shareholders or villagers to go to.
    """
    require(actor.username, actor.role, Action.POST_ENTRY)
    book = village_book(session, book_id=book_id)
    span = Period.parse(period, allow=MONTH_OR_YEAR)
    if type(date) is not dt.date:
        raise InvalidInputError(_("The distribution needs a date (YYYY-MM-DD)."))
    if type(profit_fen) is int and profit_fen <= 0:
        raise InvalidInputError(
            _(
                "The profit of {period} is {amount} — a loss or zero profit: nothing is "
                "distributed."
            ).format(period=span.name, amount=_money(profit_fen))
        )
    if date < span.end:
        raise InvalidInputError(
            _(
                "The profit of {period} is distributed once the period is over: date it on or "
                "after {end}, not {date}."
            ).format(period=span.name, end=span.end.isoformat(), date=date.isoformat())
        )
    done = _overlapping(session, book_id, span)
    if done is not None:
        message = (
            _("The profit of {period} has already been distributed.")
            if done == span.name
            else _("{period} overlaps {done}, whose profit has already been distributed.")
        )
        raise InvalidInputError(message.format(period=span.name, done=done))
    schedule = session.get(ExitSchedule, book_id)
    if schedule is None:
        raise NotFoundError(_no_schedule(book))
    if span.end < schedule.contract_start:
        raise InvalidInputError(
            _(
                "{period} ended before the investor's contract started on {start}; there is no "
                "contract year to take the investor's share from."
            ).format(period=span.name, start=schedule.contract_start.isoformat())
        )
    year = contract_year(schedule.contract_start, span.end)
    investor_bp = share_for_year(_schedule_rows(session, book_id), year)
    households = [h for h in village_households(session, book_id=book_id) if h.shares or h.members]
    split = split_profit(
        profit_fen,
        investor_bp,
        weights,
        shares={h.id or 0: h.shares for h in households},
        members={h.id or 0: h.members for h in households},
    )
    lines: list[PostingLine] = []
    if split.investor_fen:
        lines += [
            PostingLine(COLLECTIVE_DIST_INVESTOR, split.investor_fen),
            PostingLine(COLLECTIVE_INVESTOR_PROFIT_PAYABLE, -split.investor_fen),
        ]
    for part in SPLIT_PARTS:
        fen = split.parts[part]
        if fen:
            lines += [
                PostingLine(COLLECTIVE_SPLIT_ACCOUNTS[part], fen),
                PostingLine(SPLIT_CREDIT_ACCOUNTS[part], -fen),
            ]
    weights_text = ":".join(str(w) for w in split.weights)
    memo = _(
        "Profit distribution {period}: investor {share} (contract year {year}), the rest {weights}"
    ).format(period=span.name, share=format_bp(investor_bp), year=year, weights=weights_text)
    posted = post_entry(
        session,
        book_id=book_id,
        date=date,
        memo=memo,
        lines=lines,
        actor=actor,
        approver=approver,
    )
    row = Distribution(
        book_id=book_id,
        period=span.name,
        date=date,
        profit_fen=profit_fen,
        contract_year=year,
        investor_bp=investor_bp,
        investor_fen=split.investor_fen,
        weights=weights_text,
        shareholders_fen=split.shareholders_fen,
        welfare_fen=split.welfare_fen,
        reserve_fen=split.reserve_fen,
        per_capita_fen=split.per_capita_fen,
        entry_id=posted.id,
    )
    session.add(row)
    session.flush()
    assert row.id is not None
    for h in households:
        key = h.id or 0
        session.add(
            DistributionShare(
                distribution_id=row.id,
                household_id=key,
                shares=h.shares,
                members=h.members,
                dividend_fen=split.dividends.get(key, 0),
                per_capita_fen=split.per_capita.get(key, 0),
            )
        )
    session.flush()
    record_event(
        session,
        actor=actor,
        action="village.distributed",
        object_type="distribution",
        object_id=row.id,
        detail={
            "book": book_id,
            "period": span.name,
            "entry": posted.number,
            "profit_fen": profit_fen,
            "contract_year": year,
            "investor_bp": investor_bp,
            "weights": weights_text,
            "households": len(households),
        },
    )
    return distribution_report(session, book_id=book_id, period=span.name)


def list_distributions(session: Session, *, book_id: int) -> list[Distribution]:
    village_book(session, book_id=book_id)
    return list(
        session.exec(
            select(Distribution)
            .where(col(Distribution.book_id) == book_id)
            .order_by(col(Distribution.period))
        )
    )


def distribution_report(session: Session, *, book_id: int, period: str) -> DistributionReport:
    """The distribution of a period with its per-household statement (households by id)."""
    book = village_book(session, book_id=book_id)
    name = Period.parse(period, allow=MONTH_OR_YEAR).name
    row = session.exec(
        select(Distribution).where(
            col(Distribution.book_id) == book_id, col(Distribution.period) == name
        )
    ).first()
    if row is None or row.id is None:
        raise NotFoundError(
            _("The profit of {period} has not been distributed in “{book}”.").format(
                period=name, book=book.name
            )
        )
    entry = session.get(Entry, row.entry_id)
    number = voucher_number(entry.year, entry.seq) if entry is not None else ""
    shares = session.connection().execute(
        sa_select(
            *columns(
                DistributionShare.household_id,
                Household.label,
                DistributionShare.shares,
                DistributionShare.members,
                DistributionShare.dividend_fen,
                DistributionShare.per_capita_fen,
            )
        )
        .join(Household, col(Household.id) == col(DistributionShare.household_id))
        .where(col(DistributionShare.distribution_id) == row.id)
        .order_by(col(DistributionShare.household_id))
    )
    households = [HouseholdLine(hid, label, s, m, d, p) for hid, label, s, m, d, p in shares]
    parts = {
        "shareholders": row.shareholders_fen,
        "public_welfare": row.welfare_fen,
        "project_reserve": row.reserve_fen,
        "per_capita": row.per_capita_fen,
    }
    return DistributionReport(
        book_id=book_id,
        period=row.period,
        date=row.date,
        entry_number=number,
        profit_fen=row.profit_fen,
        contract_year=row.contract_year,
        investor_bp=row.investor_bp,
        investor_fen=row.investor_fen,
        collective_fen=row.profit_fen - row.investor_fen,
        weights=tuple(int(w) for w in row.weights.split(":")),
        parts=parts,
        households=households,
    )

"""Operations of village revenue sharing (3331): the investor's capital-exit schedule (set from a
curve, or one year changed), households added to the village or their shares and members
changed, and a period's profit distributed (分配).

A household's head is private: the request carries the name to the household's row (the record
of changes keeps it only as a keyed hash), but the audit trail of the operation never names it.
The approver of a distribution proves their own password, which is written nowhere."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ledger.access import Action
from ledger.i18n import _
from ledger.operations import SECRET, Operation, prove_approver
from ledger.rules.sharing import DEFAULT_WEIGHTS

if TYPE_CHECKING:
    from sqlmodel import Session

    from ledger.models import AppUser, Household
    from ledger.services.sharing import DistributionReport, ScheduleView


# --- the capital-exit schedule ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SetExitSchedule:
    """Set (or replace) the schedule from a curve. ``start`` None: keep the contract start of
    the schedule the book has."""

    book: str | int
    start: dt.date | None = None
    start_bp: int = 7000
    end_bp: int = 0
    years: int = 20
    curve: str = "linear"
    step_years: int | None = None
    note: str = ""


@dataclass(frozen=True, slots=True)
class SetScheduleYear:
    """Change the investor's share of one contract year."""

    book: str | int
    year: int
    investor_bp: int


@dataclass(frozen=True, slots=True)
class ExitScheduleSet:
    """The schedule as it now stands (the command line prints its table after the sentence)."""

    book: str
    view: ScheduleView

    def sentence(self) -> str:
        return _(
            "Capital-exit schedule of “{book}”: contract from {start}, {years} years ({note})"
        ).format(
            book=self.book,
            start=self.view.contract_start.isoformat(),
            years=self.view.years,
            note=self.view.note,
        )

    def as_json(self) -> dict[str, Any]:
        view = self.view
        return {
            "contract_start": view.contract_start.isoformat(),
            "years": view.years,
            "note": view.note,
            "rows": [
                {
                    "contract_year": r.contract_year,
                    "from": r.starts.isoformat(),
                    "to": r.ends.isoformat(),
                    "investor_bp": r.investor_bp,
                    "used_by": list(r.used_by),
                }
                for r in view.rows
            ],
        }


def _set_exit_schedule(
    session: Session, actor: AppUser, request: SetExitSchedule
) -> ExitScheduleSet:
    from ledger.errors import InvalidInputError, NotFoundError  # noqa: PLC0415
    from ledger.services.books import find_book  # noqa: PLC0415
    from ledger.services.sharing import get_exit_schedule, set_exit_schedule  # noqa: PLC0415

    book = find_book(session, request.book)
    start = request.start
    if start is None:
        try:
            start = get_exit_schedule(session, book_id=book.id or 0).contract_start
        except NotFoundError:
            raise InvalidInputError(
                _("Say when the investor's contract started with --start YYYY-MM-DD.")
            ) from None
    view = set_exit_schedule(
        session,
        book_id=book.id or 0,
        contract_start=start,
        actor=actor,
        start_bp=request.start_bp,
        end_bp=request.end_bp,
        years=request.years,
        curve=request.curve,
        step_years=request.step_years,
        note=request.note,
    )
    return ExitScheduleSet(book.name, view)


SET_EXIT_SCHEDULE: Operation[SetExitSchedule, ExitScheduleSet] = Operation(
    "village.schedule.set", Action.POST_ENTRY, _set_exit_schedule
)


def _set_schedule_year(
    session: Session, actor: AppUser, request: SetScheduleYear
) -> ExitScheduleSet:
    from ledger.services.books import find_book  # noqa: PLC0415
    from ledger.services.sharing import set_schedule_year  # noqa: PLC0415

    book = find_book(session, request.book)
    view = set_schedule_year(
        session,
        book_id=book.id or 0,
        contract_year=request.year,
        investor_bp=request.investor_bp,
        actor=actor,
    )
    return ExitScheduleSet(book.name, view)


SET_SCHEDULE_YEAR: Operation[SetScheduleYear, ExitScheduleSet] = Operation(
    "village.schedule.set_year", Action.POST_ENTRY, _set_schedule_year
)


# --- households ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AddVillageHousehold:
    """Register a household and enrol it in the village book, in one step."""

    book: str | int
    label: str
    shares: int = 0
    members: int = 1
    #: The head of the household: private, never in the audit trail of the operation.
    head_name: str = field(default="", metadata=SECRET)

    def __repr__(self) -> str:  # the head's name never reaches a log or a traceback
        return (
            f"AddVillageHousehold(book={self.book!r}, label={self.label!r}, "
            f"shares={self.shares}, members={self.members})"
        )


@dataclass(frozen=True, slots=True)
class Holding:
    """A household of the village by its number and public label, with its shares and
    members."""

    id: int
    label: str
    shares: int
    members: int

    @classmethod
    def of(cls, household: Household) -> Holding:
        return cls(household.id or 0, household.label, household.shares, household.members)

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "label": self.label, "shares": self.shares, "members": self.members}


@dataclass(frozen=True, slots=True)
class VillageHouseholdAdded:
    book: str
    household: Holding

    def sentence(self) -> str:
        return _(
            "Added household {id} “{label}” to “{book}”: {shares} shares, {members} members."
        ).format(book=self.book, **self.household.as_json())

    def as_json(self) -> dict[str, Any]:
        return self.household.as_json()


def _add_village_household(
    session: Session, actor: AppUser, request: AddVillageHousehold
) -> VillageHouseholdAdded:
    from ledger.services.books import find_book  # noqa: PLC0415
    from ledger.services.sharing import add_village_household  # noqa: PLC0415

    book = find_book(session, request.book)
    household = add_village_household(
        session,
        book_id=book.id or 0,
        label=request.label,
        shares=request.shares,
        members=request.members,
        head_name=request.head_name,
        actor=actor,
    )
    return VillageHouseholdAdded(book.name, Holding.of(household))


ADD_VILLAGE_HOUSEHOLD: Operation[AddVillageHousehold, VillageHouseholdAdded] = Operation(
    "village.household.add", Action.MANAGE_COUNTERPARTIES, _add_village_household
)


@dataclass(frozen=True, slots=True)
class SetHouseholdHolding:
    """Change a village household's shares and/or members (None: unchanged)."""

    book: str | int
    #: The household's number or its exact label.
    household: str | int
    shares: int | None = None
    members: int | None = None


@dataclass(frozen=True, slots=True)
class HouseholdHoldingSet:
    household: Holding

    def sentence(self) -> str:
        return _("Household {id} “{label}” now has {shares} shares and {members} members.").format(
            **self.household.as_json()
        )

    def as_json(self) -> dict[str, Any]:
        return self.household.as_json()


def _set_household_holding(
    session: Session, actor: AppUser, request: SetHouseholdHolding
) -> HouseholdHoldingSet:
    from ledger.errors import InvalidInputError  # noqa: PLC0415
    from ledger.services.books import find_book  # noqa: PLC0415
    from ledger.services.households import find_household  # noqa: PLC0415
    from ledger.services.sharing import set_household_holding  # noqa: PLC0415

    if request.shares is None and request.members is None:
        raise InvalidInputError(_("Say what changes: --shares N, --members N, or both."))
    book = find_book(session, request.book)
    household = set_household_holding(
        session,
        book_id=book.id or 0,
        household_id=find_household(session, request.household).id or 0,
        shares=request.shares,
        members=request.members,
        actor=actor,
    )
    return HouseholdHoldingSet(Holding.of(household))


SET_HOUSEHOLD_HOLDING: Operation[SetHouseholdHolding, HouseholdHoldingSet] = Operation(
    "village.household.set", Action.MANAGE_COUNTERPARTIES, _set_household_holding
)


# --- distribution -------------------------------------------------------------------------------


def report_json(report: DistributionReport, *, households: bool = True) -> dict[str, Any]:
    """A distribution for a script: amounts in fen, the parts with their weights and accounts,
    and (``households``) what each household receives, by its public label."""
    from ledger.charts import COLLECTIVE_SPLIT_ACCOUNTS  # noqa: PLC0415
    from ledger.rules.sharing import SPLIT_PARTS  # noqa: PLC0415

    data: dict[str, Any] = {
        "period": report.period,
        "date": report.date.isoformat(),
        "entry": report.entry_number,
        "profit_fen": report.profit_fen,
        "contract_year": report.contract_year,
        "investor_bp": report.investor_bp,
        "investor_fen": report.investor_fen,
        "collective_fen": report.collective_fen,
        "weights": list(report.weights),
        "parts": [
            {
                "part": part,
                "weight": weight,
                "account": COLLECTIVE_SPLIT_ACCOUNTS[part],
                "amount_fen": report.parts[part],
            }
            for part, weight in zip(SPLIT_PARTS, report.weights, strict=True)
        ],
    }
    if households:
        data["households"] = [
            {
                "id": h.household_id,
                "label": h.label,
                "shares": h.shares,
                "members": h.members,
                "dividend_fen": h.dividend_fen,
                "per_capita_fen": h.per_capita_fen,
                "total_fen": h.total_fen,
            }
            for h in report.households
        ]
    return data


@dataclass(frozen=True, slots=True)
class Distribute:
    """Distribute a period's profit: the investor's share for the contract year, then the
    collective's part by ``weights``. ``date`` None: the period's last day; ``profit_fen``
    None: the book's income − expenses of the period."""

    book: str | int
    period: str
    date: dt.date | None = None
    profit_fen: int | None = None
    weights: tuple[int, ...] = DEFAULT_WEIGHTS
    #: Who approves the entry, when one is needed: they prove their own password and sign the
    #: entry's record with their own key.
    approver: str | None = None
    approver_password: str | None = field(default=None, metadata=SECRET)

    def __repr__(self) -> str:
        return f"Distribute(book={self.book!r}, period={self.period!r})"


@dataclass(frozen=True, slots=True)
class ProfitDistributed:
    """The distribution made (the command line prints its table before the sentence)."""

    book: str
    report: DistributionReport

    def sentence(self) -> str:
        from ledger.money import format_fen  # noqa: PLC0415

        return _(
            "{n} households share {dividends} in dividends and {per_capita} per capita."
        ).format(
            n=len(self.report.households),
            dividends=format_fen(self.report.parts["shareholders"]),
            per_capita=format_fen(self.report.parts["per_capita"]),
        )

    def as_json(self) -> dict[str, Any]:
        return report_json(self.report, households=True)


def _distribute(session: Session, actor: AppUser, request: Distribute) -> ProfitDistributed:
    from ledger.periods import MONTH_OR_YEAR, Period  # noqa: PLC0415
    from ledger.services.books import find_book  # noqa: PLC0415
    from ledger.services.sharing import distribute, period_profit  # noqa: PLC0415

    span = Period.parse(request.period, allow=MONTH_OR_YEAR)
    book = find_book(session, request.book)
    approver = prove_approver(session, request.approver, request.approver_password)
    profit = request.profit_fen
    if profit is None:
        profit = period_profit(session, book_id=book.id or 0, period=span.name)
    report = distribute(
        session,
        book_id=book.id or 0,
        period=span.name,
        date=request.date or span.end,
        profit_fen=profit,
        weights=request.weights,
        actor=actor,
        approver=approver,
    )
    return ProfitDistributed(book.name, report)


DISTRIBUTE: Operation[Distribute, ProfitDistributed] = Operation(
    "village.distribute", Action.POST_ENTRY, _distribute
)

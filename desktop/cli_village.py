"""Commands for Village revenue sharing (3331) books: the investor's capital-exit schedule,
households with shares and members, the distribution of a period's profit and its
per-household statement."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from desktop.cli_choices import CURVES
from desktop.cli_common import (
    EXIT_OK,
    Commands,
    approver_password,
    book_arg,
    emit_json,
    ledger_arg,
    money,
    open_from,
    outcome_of,
    perform,
)
from desktop.texttable import render_table
from ledger.errors import InvalidInputError
from ledger.i18n import _

if TYPE_CHECKING:
    from ledger.operations.village import ExitScheduleSet
    from ledger.services.sharing import DistributionReport

# --- the capital-exit schedule ----------------------------------------------------------------


def _print_schedule(schedule: ExitScheduleSet) -> None:
    from ledger.rules.sharing import BP_WHOLE, format_bp

    print(schedule.sentence())
    rows = [
        [
            str(r.contract_year),
            r.starts.isoformat(),
            r.ends.isoformat(),
            format_bp(r.investor_bp),
            format_bp(BP_WHOLE - r.investor_bp),
            ", ".join(r.used_by),
        ]
        for r in schedule.view.rows
    ]
    print(
        render_table(
            [
                _("Year"),
                _("From"),
                _("To"),
                _("Investor"),
                _("Collective"),
                _("Used by distribution"),
            ],
            rows,
            right=(0, 3, 4),
        )
    )
    print(_("After the last contract year the investor's share is 0%."))


def _show_schedule(args: argparse.Namespace, schedule: ExitScheduleSet) -> int:
    if args.json:
        emit_json(schedule.as_json())
    else:
        _print_schedule(schedule)
    return EXIT_OK


def cmd_schedule_set(args: argparse.Namespace) -> int:
    from ledger.dates import parse_date
    from ledger.operations.village import (
        SET_EXIT_SCHEDULE,
        SET_SCHEDULE_YEAR,
        SetExitSchedule,
        SetScheduleYear,
    )
    from ledger.rules.sharing import parse_share

    one_year = args.year is not None
    if one_year and args.share is None:
        raise InvalidInputError(
            _("Say the investor's share of year {year} with --share.").format(year=args.year)
        )
    if not one_year and args.share is not None:
        raise InvalidInputError(_("--share sets one year: say which with --year."))
    if one_year:
        year = SetScheduleYear(args.book, args.year, parse_share(args.share))
        return _show_schedule(args, outcome_of(args, SET_SCHEDULE_YEAR, year))
    request = SetExitSchedule(
        args.book,
        start=parse_date(args.start) if args.start else None,
        start_bp=parse_share(args.start_share),
        end_bp=parse_share(args.end_share),
        years=args.years,
        curve=args.curve,
        step_years=args.step_years,
        note=args.note,
    )
    return _show_schedule(args, outcome_of(args, SET_EXIT_SCHEDULE, request))


def cmd_schedule_show(args: argparse.Namespace) -> int:
    from ledger.operations.village import ExitScheduleSet
    from ledger.services.books import find_book
    from ledger.services.sharing import get_exit_schedule

    with open_from(args) as ledger, ledger.read() as s:
        book = find_book(s, args.book)
        schedule = ExitScheduleSet(book.name, get_exit_schedule(s, book_id=book.id or 0))
    return _show_schedule(args, schedule)


# --- households ------------------------------------------------------------------------------


def cmd_household_add(args: argparse.Namespace) -> int:
    from ledger.operations.village import ADD_VILLAGE_HOUSEHOLD, AddVillageHousehold

    request = AddVillageHousehold(
        args.book, args.label, shares=args.shares, members=args.members, head_name=args.head_name
    )
    return perform(args, ADD_VILLAGE_HOUSEHOLD, request)


def cmd_household_set(args: argparse.Namespace) -> int:
    from ledger.operations.village import SET_HOUSEHOLD_HOLDING, SetHouseholdHolding

    if args.shares is None and args.members is None:
        raise InvalidInputError(_("Say what changes: --shares N, --members N, or both."))
    request = SetHouseholdHolding(
        args.book, args.household, shares=args.shares, members=args.members
    )
    return perform(args, SET_HOUSEHOLD_HOLDING, request)


def cmd_household_list(args: argparse.Namespace) -> int:
    from ledger.operations.village import Holding
    from ledger.services.books import find_book
    from ledger.services.sharing import village_households

    with open_from(args) as ledger, ledger.read() as s:
        book = find_book(s, args.book)
        households = [Holding.of(h).as_json() for h in village_households(s, book_id=book.id or 0)]
    if args.json:
        emit_json(households)
        return EXIT_OK
    rows = [[str(h["id"]), h["label"], str(h["shares"]), str(h["members"])] for h in households]
    rows.append(
        [
            "",
            _("Total"),
            str(sum(h["shares"] for h in households)),
            str(sum(h["members"] for h in households)),
        ]
    )
    print(
        render_table([_("No."), _("Household"), _("Shares"), _("Members")], rows, right=(0, 2, 3))
    )
    return EXIT_OK


# --- distribution ----------------------------------------------------------------------------


def _print_summary(book: str, report: DistributionReport) -> None:
    from ledger.charts import COLLECTIVE_SPLIT_ACCOUNTS
    from ledger.rules.sharing import BP_WHOLE, PART_LABELS, SPLIT_PARTS, format_bp

    print(
        _("Profit distribution {period} of “{book}” ({number}, {date})").format(
            period=report.period,
            book=book,
            number=report.entry_number,
            date=report.date.isoformat(),
        )
    )
    print(_("Profit: {amount}").format(amount=money(report.profit_fen)))
    print(
        _("Contract year {year}: the investor's share is {share}, {amount}.").format(
            year=report.contract_year,
            share=format_bp(report.investor_bp),
            amount=money(report.investor_fen),
        )
    )
    print(
        _("The collective's part, {share}: {amount}, shared {weights}:").format(
            share=format_bp(BP_WHOLE - report.investor_bp),
            amount=money(report.collective_fen),
            weights=":".join(str(w) for w in report.weights),
        )
    )
    rows = [
        [
            _(PART_LABELS[part]),
            str(weight),
            COLLECTIVE_SPLIT_ACCOUNTS[part],
            money(report.parts[part]),
        ]
        for part, weight in zip(SPLIT_PARTS, report.weights, strict=True)
    ]
    rows.append(["", str(sum(report.weights)), "", money(report.collective_fen)])
    rows.append([_("Investor"), "", "", money(report.investor_fen)])
    rows.append([_("Total"), "", "", money(report.profit_fen)])
    print(render_table([_("Part"), _("Weight"), _("Code"), _("Amount")], rows, right=(1, 3)))


def cmd_distribute(args: argparse.Namespace) -> int:
    from ledger.dates import parse_date
    from ledger.money import parse_money
    from ledger.operations.village import DISTRIBUTE, Distribute
    from ledger.periods import MONTH_OR_YEAR, Period
    from ledger.rules.sharing import DEFAULT_WEIGHTS, parse_weights

    span = Period.parse(args.period, allow=MONTH_OR_YEAR)
    request = Distribute(
        args.book,
        span.name,
        date=parse_date(args.date) if args.date else span.end,
        profit_fen=parse_money(args.profit).fen if args.profit else None,
        weights=parse_weights(args.weights) if args.weights else DEFAULT_WEIGHTS,
        approver=args.approver,
        approver_password=approver_password(args),
    )
    done = outcome_of(args, DISTRIBUTE, request)
    if args.json:
        emit_json(done.as_json())
    else:
        _print_summary(done.book, done.report)
        print(done.sentence())
    return EXIT_OK


def cmd_statement(args: argparse.Namespace) -> int:
    from ledger.operations.village import report_json
    from ledger.services.books import find_book
    from ledger.services.sharing import distribution_report

    with open_from(args) as ledger, ledger.read() as s:
        book = find_book(s, args.book)
        report = distribution_report(s, book_id=book.id or 0, period=args.period)
        name = book.name
    if args.json:
        emit_json(report_json(report, households=True))
        return EXIT_OK
    _print_summary(name, report)
    print()
    rows = [
        [
            h.label,
            str(h.shares),
            str(h.members),
            money(h.dividend_fen),
            money(h.per_capita_fen),
            money(h.total_fen),
        ]
        for h in report.households
    ]
    rows.append(
        [
            _("Total"),
            str(report.total_shares),
            str(report.total_members),
            money(sum(h.dividend_fen for h in report.households)),
            money(sum(h.per_capita_fen for h in report.households)),
            money(sum(h.total_fen for h in report.households)),
        ]
    )
    print(
        render_table(
            [
                _("Household"),
                _("Shares"),
                _("Members"),
                _("Dividend"),
                _("Per capita"),
                _("Total"),
            ],
            rows,
            right=(1, 2, 3, 4, 5),
        )
    )
    return EXIT_OK


# --- parser ----------------------------------------------------------------------------------


def register(commands: Commands) -> None:
    """Add this kind of book's commands to the parser."""
    schedule = commands.group("schedule", _("the investor's capital-exit schedule (3331 books)"))
    p = schedule.add(
        "set",
        cmd_schedule_set,
        _("generate the schedule from a curve, or change one year's share with --year/--share"),
    )
    ledger_arg(p)
    book_arg(p)
    p.add_argument(
        "--start", help=_("the day the investor's contract started, YYYY-MM-DD (year 1 begins)")
    )
    p.add_argument(
        "--start-share", default="70%", help=_("the investor's share in year 1 (default: 70%%)")
    )
    p.add_argument(
        "--end-share",
        default="0%",
        help=_("the share the curve reaches after the last year (default: 0%%)"),
    )
    p.add_argument("--years", type=int, default=20, help=_("length of the contract in years"))
    p.add_argument("--curve", choices=CURVES, default="linear")
    p.add_argument(
        "--step-years",
        type=int,
        help=_("step curve: years each level is held (default: the whole contract)"),
    )
    p.add_argument("--note", default="", help=_("what the contract says, in a few words"))
    p.add_argument("--year", type=int, help=_("change only this contract year"))
    p.add_argument("--share", help=_("the investor's share of that year, e.g. 63%%"))
    p = schedule.add("show", cmd_schedule_show, _("print the capital-exit schedule"))
    ledger_arg(p)
    book_arg(p)

    households = commands.group("household", _("households of a village with shares and members"))
    p = households.add("add", cmd_household_add, _("add a household to a village book"))
    ledger_arg(p)
    book_arg(p)
    p.add_argument("--label", required=True, help=_("how neighbours know it, e.g. 一组 03户"))
    p.add_argument("--shares", type=int, default=0, help=_("village shares held"))
    p.add_argument("--members", type=int, default=1, help=_("people in the household"))
    p.add_argument("--head-name", default="", help=_("name of the head (private, never shown)"))
    p = households.add("set", cmd_household_set, _("change a household's shares or members"))
    ledger_arg(p)
    book_arg(p)
    p.add_argument("--household", required=True, help=_("household number or label"))
    p.add_argument("--shares", type=int)
    p.add_argument("--members", type=int)
    p = households.add("list", cmd_household_list, _("list the households of a village book"))
    ledger_arg(p)
    book_arg(p)

    p = commands.add(
        "distribute",
        cmd_distribute,
        _("distribute a period's profit: the investor's share, then 3:3:3:1"),
    )
    ledger_arg(p)
    book_arg(p)
    p.add_argument("--period", required=True, help=_("YYYY or YYYY-MM"))
    p.add_argument("--date", help=_("date of the entry (default: the period's last day)"))
    p.add_argument(
        "--profit", help=_("the profit to distribute (default: the book's income − expenses)")
    )
    p.add_argument("--weights", help=_("shareholders:welfare:reserve:per capita (default 3:3:3:1)"))
    p.add_argument("--approver", help=_("user name of the approver (not yourself)"))

    p = commands.add(
        "statement", cmd_statement, _("print a distribution with what each household receives")
    )
    ledger_arg(p)
    book_arg(p)
    p.add_argument("--period", required=True, help=_("YYYY or YYYY-MM"))

"""Commands for Trust-style property service (信托制物业) books: units, fees, common income, the
company's remuneration, the open budget, spending under it and the gift to a micro-fund."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from desktop.cli_choices import COMMON_INCOME_SOURCES
from desktop.cli_common import (
    EXIT_OK,
    Commands,
    account_name,
    approver_password,
    blank_or_money,
    book_arg,
    emit_json,
    ledger_arg,
    money,
    open_from,
    perform,
    show,
)
from desktop.texttable import render_table
from ledger.errors import InvalidInputError
from ledger.i18n import _

if TYPE_CHECKING:
    from ledger.services.property import TransferView

# --- units -------------------------------------------------------------------------------------


def cmd_unit_add(args: argparse.Namespace) -> int:
    from ledger.operations.property import ADD_UNIT, AddUnit

    request = AddUnit(
        args.book,
        building=args.building,
        unit=args.unit,
        room=args.room,
        area=args.area,
        owner_key=args.owner_key,
        owner_name=args.owner_name,
    )
    return perform(args, ADD_UNIT, request)


def cmd_unit_list(args: argparse.Namespace) -> int:
    from ledger.rules.property import format_area
    from ledger.services.books import find_book
    from ledger.services.property import list_units, unit_label

    with open_from(args) as ledger, ledger.read() as s:
        book = find_book(s, args.book)
        units = [
            (u.id or 0, unit_label(u), u.area_dm2, u.owner_key, u.owner_name)
            for u in list_units(s, book_id=book.id or 0)
        ]
    if args.json:
        emit_json(
            [
                {
                    "id": uid,
                    "unit": label,
                    "area_dm2": area,
                    "owner_key": key,
                    **({"owner_name": name} if args.owners else {}),
                }
                for uid, label, area, key, name in units
            ]
        )
        return EXIT_OK
    headers = [_("No."), _("Unit"), _("Area (m²)"), _("Owner key")]
    if args.owners:
        headers.append(_("Owner (private)"))
    rows = [
        [str(uid), label, format_area(area), key, *([name] if args.owners else [])]
        for uid, label, area, key, name in units
    ]
    print(render_table(headers, rows, right=(0, 2)))
    total = sum(u[2] for u in units)
    print(_("{n} units, {area} m² in all.").format(n=len(units), area=format_area(total)))
    return EXIT_OK


# --- fees --------------------------------------------------------------------------------------


def cmd_fees_rate(args: argparse.Namespace) -> int:
    from ledger.money import parse_money
    from ledger.operations.property import SET_FEE_RATE, FeeRate, SetFeeRate
    from ledger.services.books import find_book
    from ledger.services.property import fee_rate

    if args.rate is not None:
        return perform(args, SET_FEE_RATE, SetFeeRate(args.book, parse_money(args.rate).fen))
    with open_from(args) as ledger, ledger.read() as s:
        rate = fee_rate(s, book_id=find_book(s, args.book).id or 0)
    show(args, FeeRate(rate))
    return EXIT_OK


def cmd_fees_bill(args: argparse.Namespace) -> int:
    from ledger.dates import parse_date
    from ledger.operations.property import BILL_PERIOD, BillPeriod

    date = parse_date(args.date) if args.date else None
    return perform(args, BILL_PERIOD, BillPeriod(args.book, args.period, date))


def cmd_fees_collect(args: argparse.Namespace) -> int:
    from ledger.dates import parse_date
    from ledger.money import parse_money
    from ledger.operations.property import COLLECT_FEES, CollectFees

    date = parse_date(args.date)
    amount = parse_money(args.amount).fen
    return perform(args, COLLECT_FEES, CollectFees(args.book, args.unit, date, amount, args.memo))


def cmd_fees_arrears(args: argparse.Namespace) -> int:
    from ledger.dates import parse_date
    from ledger.services.books import find_book
    from ledger.services.property import arrears, arrears_by_building, collection_rate

    at = parse_date(args.at) if args.at else None
    with open_from(args) as ledger, ledger.read() as s:
        book_id = find_book(s, args.book).id or 0
        owing = arrears(s, book_id=book_id, at=at)
        buildings = arrears_by_building(s, book_id=book_id, at=at)
        rate = (
            collection_rate(s, book_id=book_id, period=args.period, at=at) if args.period else None
        )
    if args.json:
        emit_json(
            {
                "units": [
                    {
                        "unit": a.unit,
                        "building": a.building,
                        "billed_fen": a.billed_fen,
                        "owed_fen": a.owed_fen,
                        "unpaid_periods": list(a.unpaid_periods),
                    }
                    for a in owing
                ],
                "buildings": [
                    {
                        "building": b.building,
                        "units": b.units,
                        "units_owing": b.units_owing,
                        "owed_fen": b.owed_fen,
                        "prepaid_fen": b.prepaid_fen,
                    }
                    for b in buildings
                ],
                "collection_rate": None
                if rate is None
                else {
                    "period": rate.period,
                    "billed_fen": rate.billed_fen,
                    "collected_fen": rate.collected_fen,
                    "numerator": rate.fraction.numerator,
                    "denominator": rate.fraction.denominator,
                    "percent": rate.percent,
                },
            }
        )
        return EXIT_OK
    print(_("Arrears by building"))
    print(
        render_table(
            [_("Building"), _("Units"), _("Owing"), _("Owed"), _("Prepaid")],
            [
                [
                    b.building,
                    str(b.units),
                    str(b.units_owing),
                    blank_or_money(b.owed_fen),
                    blank_or_money(b.prepaid_fen),
                ]
                for b in buildings
            ],
            right=(1, 2, 3, 4),
        )
    )
    print(_("Owed in all: {amount}.").format(amount=money(sum(b.owed_fen for b in buildings))))
    if args.units and owing:
        print()
        print(
            render_table(
                [_("Unit"), _("Owed"), _("Unpaid months")],
                [[a.unit, money(a.owed_fen), " ".join(a.unpaid_periods)] for a in owing],
                right=(1,),
            )
        )
    if rate is not None:
        print(
            _("Collection rate of {period}: {collected} of {billed} = {percent}.").format(
                period=rate.period,
                collected=money(rate.collected_fen),
                billed=money(rate.billed_fen),
                percent=rate.percent,
            )
        )
    return EXIT_OK


# --- common-part income ------------------------------------------------------------------------


def cmd_income(args: argparse.Namespace) -> int:
    from ledger.dates import parse_date
    from ledger.money import parse_money
    from ledger.operations.property import RECORD_INCOME, RecordIncome

    date = parse_date(args.date)
    amount = parse_money(args.amount).fen
    request = RecordIncome(args.book, args.source, date, amount, args.memo, args.payer)
    return perform(args, RECORD_INCOME, request)


# --- remuneration ------------------------------------------------------------------------------


def cmd_remuneration(args: argparse.Namespace) -> int:
    from ledger.rules.property import format_bp
    from ledger.services.books import find_book
    from ledger.services.property import list_remunerations, remuneration_owed

    if args.period and args.pay:
        raise InvalidInputError(
            _("Give either --period (post) or --pay (pay the company), not both.")
        )
    if args.period:
        return _post_remuneration(args)
    if args.pay:
        return _pay_remuneration(args)
    year = _year(args.year) if args.year else None
    with open_from(args) as ledger, ledger.read() as s:
        book_id = find_book(s, args.book).id or 0
        rows = list_remunerations(s, book_id=book_id, year=year)
        owed = remuneration_owed(s, book_id=book_id)
    if args.json:
        emit_json(
            {
                "remunerations": [
                    {
                        "period": r.period,
                        "basis": r.basis,
                        "basis_fen": r.basis_fen,
                        "rate_bp": r.rate_bp,
                        "amount_fen": r.amount_fen,
                        "number": r.number,
                        "gift_fen": r.gift_fen,
                        "gift_number": r.gift_number,
                    }
                    for r in rows
                ],
                "total_basis_fen": sum(r.basis_fen for r in rows),
                "total_fen": sum(r.amount_fen for r in rows),
                "total_gift_fen": sum(r.gift_fen for r in rows),
                "owed_fen": owed,
            }
        )
        return EXIT_OK
    table = [
        [
            r.period,
            money(r.basis_fen),
            format_bp(r.rate_bp),
            money(r.amount_fen),
            r.number,
            blank_or_money(r.gift_fen),
            r.gift_number or "",
        ]
        for r in rows
    ]
    table.append(
        [
            _("Total"),
            money(sum(r.basis_fen for r in rows)),
            "",
            money(sum(r.amount_fen for r in rows)),
            "",
            money(sum(r.gift_fen for r in rows)),
            "",
        ]
    )
    print(
        render_table(
            [
                _("Month"),
                _("Basis"),
                _("Rate"),
                _("Remuneration"),
                _("Voucher"),
                _("Gift"),
                _("Voucher"),
            ],
            table,
            right=(1, 2, 3, 5),
        )
    )
    print(_("Still owed to the company: {amount}.").format(amount=money(owed)))
    return EXIT_OK


def _post_remuneration(args: argparse.Namespace) -> int:
    from ledger.dates import parse_date
    from ledger.operations.property import POST_REMUNERATION, PostRemuneration

    date = parse_date(args.date) if args.date else None
    return perform(args, POST_REMUNERATION, PostRemuneration(args.book, args.period, date))


def _pay_remuneration(args: argparse.Namespace) -> int:
    from ledger.dates import parse_date
    from ledger.money import parse_money
    from ledger.operations.property import PAY_REMUNERATION, PayRemuneration

    if not args.date:
        raise InvalidInputError(_("Say when the company is paid with --date YYYY-MM-DD."))
    date = parse_date(args.date)
    amount = parse_money(args.amount).fen if args.amount else None
    request = PayRemuneration(args.book, date, amount, args.company)
    return perform(args, PAY_REMUNERATION, request)


# --- budget ------------------------------------------------------------------------------------


def _year(text: str) -> int:
    if not (text.isascii() and text.isdigit() and len(text) == 4):
        raise InvalidInputError(
            _("“{year}” is not a year; write it with four digits, like 2024.").format(year=text)
        )
    return int(text)


def _parse_budget_line(text: str) -> tuple[str, int]:
    from ledger.money import parse_money

    line, sep, amount = text.partition("=")
    if not sep or not line.strip() or not amount.strip():
        raise InvalidInputError(
            _(
                "“{text}” is not a budget line; write LINE=AMOUNT, for example cleaning=38,400.00."
            ).format(text=text)
        )
    return line.strip(), parse_money(amount).fen


def cmd_budget_create(args: argparse.Namespace) -> int:
    from ledger.operations.property import CREATE_BUDGET, CreateBudget, budget_lines

    year = _year(args.year)
    lines = tuple(_parse_budget_line(text) for text in args.lines)
    budget_lines(lines)  # a line given twice is refused before the password is asked
    return perform(args, CREATE_BUDGET, CreateBudget(args.book, year, lines))


def cmd_budget_approve(args: argparse.Namespace) -> int:
    from ledger.operations.property import APPROVE_BUDGET, ApproveBudget

    year = _year(args.year)
    return perform(args, APPROVE_BUDGET, ApproveBudget(args.book, year, args.note))


def cmd_budget_show(args: argparse.Namespace) -> int:
    from ledger.dates import parse_date
    from ledger.services.books import find_book
    from ledger.services.property import budget_execution

    year = _year(args.year)
    at = parse_date(args.at) if args.at else None
    with open_from(args) as ledger, ledger.read() as s:
        book = find_book(s, args.book)
        ex = budget_execution(s, book_id=book.id or 0, year=year, at=at)
    if args.json:
        emit_json(
            {
                "year": ex.year,
                "status": ex.status,
                "approved_by": ex.approved_by,
                "lines": [
                    {
                        "line": line.key,
                        "account_code": line.account_code,
                        "name_zh": line.name_zh,
                        "name_en": line.name_en,
                        "budget_fen": line.budget_fen,
                        "actual_fen": line.actual_fen,
                        "remaining_fen": line.remaining_fen,
                        "percent_used": line.percent_used,
                    }
                    for line in ex.lines
                ],
                "budget_fen": ex.budget_fen,
                "actual_fen": ex.actual_fen,
                "remaining_fen": ex.remaining_fen,
                "percent_used": ex.percent_used,
            }
        )
        return EXIT_OK
    status = _("approved") if ex.status == "approved" else _("draft")
    print(_("Budget execution {year} ({status})").format(year=ex.year, status=status))
    rows = [
        [
            line.key,
            account_name(line.name_zh, line.name_en),
            money(line.budget_fen),
            money(line.actual_fen),
            money(line.remaining_fen),
            line.percent_used or "—",
        ]
        for line in ex.lines
    ]
    rows.append(
        [
            "",
            _("Total"),
            money(ex.budget_fen),
            money(ex.actual_fen),
            money(ex.remaining_fen),
            ex.percent_used or "—",
        ]
    )
    print(
        render_table(
            [_("Line"), _("Account"), _("Budget"), _("Actual"), _("Remaining"), _("Used")],
            rows,
            right=(2, 3, 4, 5),
        )
    )
    return EXIT_OK


def cmd_spend(args: argparse.Namespace) -> int:
    from ledger.dates import parse_date
    from ledger.money import parse_money
    from ledger.operations.property import SPEND, Spend

    request = Spend(
        args.book,
        line=args.line,
        date=parse_date(args.date),
        memo=args.memo,
        amount_fen=parse_money(args.amount).fen,
        payee=args.payee,
        approver=args.approver,
        approver_password=approver_password(args),
    )
    return perform(args, SPEND, request)


# --- the gift ----------------------------------------------------------------------------------


def _transfer_json(t: TransferView) -> dict[str, Any]:
    return {
        "kind": t.kind,
        "period": t.period,
        "amount_fen": t.amount_fen,
        "from_book": t.from_book,
        "from_number": t.from_number,
        "to_book": t.to_book,
        "to_number": t.to_number,
    }


def cmd_gift(args: argparse.Namespace) -> int:
    from ledger.dates import parse_date
    from ledger.operations.property import GIFT_REMUNERATION, GiftRemuneration
    from ledger.rules.property import parse_period
    from ledger.services.books import find_book
    from ledger.services.property import transfers_of_book

    if args.period:
        if not args.to:
            raise InvalidInputError(_("Name the micro-fund book that receives the gift with --to."))
        parse_period(args.period)
        date = parse_date(args.date) if args.date else None
        request = GiftRemuneration(args.book, args.to, args.period, date, args.company)
        return perform(args, GIFT_REMUNERATION, request)
    with open_from(args) as ledger, ledger.read() as s:
        transfers = transfers_of_book(s, book_id=find_book(s, args.book).id or 0)
    if args.json:
        emit_json([_transfer_json(t) for t in transfers])
        return EXIT_OK
    rows = [
        [
            t.period,
            money(t.amount_fen),
            f"{t.from_book} {t.from_number}",
            f"{t.to_book} {t.to_number}",
        ]
        for t in transfers
    ]
    rows.append(["", money(sum(t.amount_fen for t in transfers)), "", ""])
    print(render_table([_("Month"), _("Amount"), _("From"), _("To")], rows, right=(1,)))
    return EXIT_OK


# --- parser ------------------------------------------------------------------------------------


def register(commands: Commands) -> None:
    """Add this kind of book's commands to the parser."""
    _register_units(commands)
    _register_fees(commands)
    _register_remuneration(commands)
    _register_budget(commands)


def _register_units(commands: Commands) -> None:
    units = commands.group("unit", _("register or list the units of a trust-property estate"))
    p = units.add("add", cmd_unit_add, _("register a unit with its exclusive area"))
    ledger_arg(p)
    book_arg(p)
    p.add_argument("--building", required=True, help=_("building (楼栋), e.g. 1"))
    p.add_argument("--unit", default="", help=_("entrance (单元), e.g. 2"))
    p.add_argument("--room", required=True, help=_("room (房号), e.g. 301"))
    p.add_argument("--area", required=True, help=_("exclusive area in m², e.g. 89.56"))
    p.add_argument("--owner-key", default="", help=_("groups the units of one owner"))
    p.add_argument("--owner-name", default="", help=_("the owner's name (private)"))
    p = units.add("list", cmd_unit_list, _("list the units"))
    ledger_arg(p)
    book_arg(p)
    p.add_argument("--owners", action="store_true", help=_("also show owners' names (private)"))


def _register_fees(commands: Commands) -> None:
    fees = commands.group("fees", _("property fees: rate, billing, collections, arrears"))
    p = fees.add("rate", cmd_fees_rate, _("show or set the fee per m² per month"))
    ledger_arg(p)
    book_arg(p)
    p.add_argument("--rate", help=_("new fee per m² per month, e.g. 2.50"))
    p = fees.add("bill", cmd_fees_bill, _("bill every unit its fee for a month"))
    ledger_arg(p)
    book_arg(p)
    p.add_argument("--period", required=True, help="YYYY-MM")
    p.add_argument("--date", help=_("date of the billing entry (default: the 1st)"))
    p = fees.add("collect", cmd_fees_collect, _("record fees received from a unit"))
    ledger_arg(p)
    book_arg(p)
    p.add_argument("--unit", required=True, help=_("the unit, e.g. 1-2-301"))
    p.add_argument("--date", required=True, help="YYYY-MM-DD")
    p.add_argument("--amount", required=True)
    p.add_argument("--memo")
    p = fees.add(
        "arrears", cmd_fees_arrears, _("arrears by building and a month's collection rate")
    )
    ledger_arg(p)
    book_arg(p)
    p.add_argument("--period", help=_("also show this month's collection rate (YYYY-MM)"))
    p.add_argument("--at", help=_("as on this date (default: everything recorded)"))
    p.add_argument("--units", action="store_true", help=_("also list the units that owe"))

    p = commands.add("income", cmd_income, _("record common-part income (parking, advertising)"))
    ledger_arg(p)
    book_arg(p)
    p.add_argument("--source", required=True, choices=list(COMMON_INCOME_SOURCES))
    p.add_argument("--date", required=True, help="YYYY-MM-DD")
    p.add_argument("--amount", required=True)
    p.add_argument("--memo")
    p.add_argument("--payer", help=_("who paid (donor or payee number or name)"))


def _register_remuneration(commands: Commands) -> None:
    p = commands.add(
        "remuneration",
        cmd_remuneration,
        _("post a month's remuneration (--period), pay the company (--pay), or list them"),
    )
    ledger_arg(p)
    book_arg(p)
    p.add_argument("--period", help=_("post the remuneration of this month (YYYY-MM)"))
    p.add_argument("--pay", action="store_true", help=_("pay the company what it is owed"))
    p.add_argument("--date", help="YYYY-MM-DD")
    p.add_argument("--amount", help=_("with --pay: pay only this much"))
    p.add_argument("--company", help=_("the property company (donor or payee number or name)"))
    p.add_argument("--year", help=_("list only this year"))


def _register_budget(commands: Commands) -> None:
    budget = commands.group("budget", _("the open budget of a trust-property book"))
    p = budget.add("create", cmd_budget_create, _("draft a year's budget: LINE=AMOUNT …"))
    ledger_arg(p)
    book_arg(p)
    p.add_argument("--year", required=True)
    p.add_argument("lines", nargs="+", metavar="LINE=AMOUNT")
    p = budget.add("approve", cmd_budget_approve, _("approve a draft budget (not your own)"))
    ledger_arg(p)
    book_arg(p)
    p.add_argument("--year", required=True)
    p.add_argument("--note", default="", help=_("e.g. the owners' vote that decided it"))
    p = budget.add("show", cmd_budget_show, _("budget execution per line"))
    ledger_arg(p)
    book_arg(p)
    p.add_argument("--year", required=True)
    p.add_argument("--at", help=_("spending up to this date (default: the whole year)"))

    p = commands.add("spend", cmd_spend, _("spend common funds under a budget line"))
    ledger_arg(p)
    book_arg(p)
    p.add_argument("--line", required=True, help=_("budget line, e.g. cleaning, or its account"))
    p.add_argument("--date", required=True, help="YYYY-MM-DD")
    p.add_argument("--memo", required=True, help=_("what the money is for"))
    p.add_argument("--amount", required=True)
    p.add_argument("--approver", help=_("user name of the approver, needed beyond the budget"))
    p.add_argument("--payee", help=_("who is paid (donor or payee number or name)"))

    p = commands.add(
        "gift",
        cmd_gift,
        _("give a share of a month's remuneration to a micro-fund (--period), or list the gifts"),
    )
    ledger_arg(p)
    book_arg(p)
    p.add_argument("--period", help="YYYY-MM")
    p.add_argument("--to", help=_("the micro-fund book that receives the gift"))
    p.add_argument("--date", help="YYYY-MM-DD")
    p.add_argument("--company", help=_("the property company (donor or payee number or name)"))

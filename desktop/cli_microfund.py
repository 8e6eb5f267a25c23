"""Commands for Community micro-fund (社区微基金) books: donors and donations with receipts,
activities, expenses under maker-checker approval, and the households' points."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from desktop.cli_common import (
    EXIT_OK,
    Commands,
    book_arg,
    emit_json,
    ledger_arg,
    money,
    open_from,
    perform,
)
from desktop.texttable import render_table
from ledger.errors import InvalidInputError
from ledger.i18n import _

if TYPE_CHECKING:
    from sqlmodel import Session

    from ledger.services.microfund import ActivitySummary

# --- helpers -------------------------------------------------------------------------------------


def _book_id(s: Session, args: argparse.Namespace) -> int:
    """The micro-fund book named by --book (refused if it is another kind of book)."""
    from ledger.services.books import find_book
    from ledger.services.microfund import micro_fund_book

    book = find_book(s, args.book)
    return micro_fund_book(s, book.id or 0).id or 0


def _number(text: str, what: str) -> int:
    """A whole number typed by a person, e.g. an expense number; ``what`` is translated."""
    clean = str(text).strip()
    if not (clean.isascii() and clean.isdigit() and len(clean) <= 9):
        raise InvalidInputError(
            _("{what} must be a whole number; got “{value}”.").format(what=what, value=text)
        )
    return int(clean)


def _read_file(name: str) -> tuple[str, bytes]:
    from ledger.services.attachments import read_attachment_file

    return read_attachment_file(name)


def _activity_json(a: ActivitySummary) -> dict[str, Any]:
    return {
        "id": a.id,
        "name": a.name,
        "date": a.date.isoformat(),
        "budget_fen": a.budget_fen,
        "actual_fen": a.actual_fen,
        "remaining_fen": a.remaining_fen,
        "used_bp": a.used_bp,
        "pending_fen": a.pending_fen,
        "participants": a.participants,
        "restricted_donations_fen": a.restricted_donations_fen,
        "restricted_left_fen": a.restricted_left_fen,
        "note": a.note,
    }


def _percent(bp: int | None) -> str:
    return "" if bp is None else f"{bp // 100}.{bp % 100:02d}%"


# --- donors and donations ------------------------------------------------------------------------


def cmd_donor_add(args: argparse.Namespace) -> int:
    from ledger.operations.microfund import ADD_COUNTERPARTY, AddCounterparty

    person = True if args.person else (False if args.organisation else None)
    request = AddCounterparty(
        kind=args.kind, name=args.name, is_individual=person, contact=args.contact, note=args.note
    )
    return perform(args, ADD_COUNTERPARTY, request)


def cmd_donate(args: argparse.Namespace) -> int:
    from ledger.dates import parse_date
    from ledger.money import parse_money
    from ledger.operations.microfund import RECORD_DONATION, RecordDonation

    request = RecordDonation(
        book=args.book,
        date=parse_date(args.date),
        source=args.source,
        amount_fen=parse_money(args.amount).fen,
        donor=args.donor,
        purpose=args.purpose,
        pay_into=args.into,
    )
    return perform(args, RECORD_DONATION, request)


def cmd_receipt(args: argparse.Namespace) -> int:
    from ledger.operations.microfund import receipt_json
    from ledger.services.microfund import find_receipt

    with open_from(args) as ledger, ledger.read() as s:
        view = find_receipt(s, book_id=_book_id(s, args), number=args.number)
    if args.json:
        emit_json(receipt_json(view))
        return EXIT_OK
    rows = [
        [_("Receipt No."), view.number],
        [_("Book"), view.book_name],
        [_("Date"), view.date.isoformat()],
        [_("Donor"), view.donor_name],
        [_("Amount"), money(view.amount_fen)],
        [_("In capitals"), view.amount_capital],
        [_("Source"), view.source_label],
        [_("Purpose"), view.purpose_label],
        [_("Voucher"), view.voucher_number],
    ]
    if view.organisation:
        rows.insert(2, [_("Organisation"), view.organisation])
    if view.reversed_by:
        rows.append([_("Reversed by"), view.reversed_by])
    print(_("Donation receipt"))
    print(render_table([_("Field"), _("Value")], rows))
    return EXIT_OK


# --- activities ----------------------------------------------------------------------------------


def cmd_activity_add(args: argparse.Namespace) -> int:
    from ledger.dates import parse_date
    from ledger.money import parse_money
    from ledger.operations.microfund import ADD_ACTIVITY, AddActivity

    request = AddActivity(
        book=args.book,
        name=args.name,
        date=parse_date(args.date),
        budget_fen=parse_money(args.budget).fen,
        participants=args.participants,
        note=args.note,
    )
    return perform(args, ADD_ACTIVITY, request)


def cmd_activity_participants(args: argparse.Namespace) -> int:
    from ledger.operations.microfund import SET_PARTICIPANTS, SetParticipants

    request = SetParticipants(book=args.book, activity=args.activity, count=args.count)
    return perform(args, SET_PARTICIPANTS, request)


def cmd_activity_list(args: argparse.Namespace) -> int:
    from ledger.services.microfund import list_activities

    with open_from(args) as ledger, ledger.read() as s:
        summaries = list_activities(s, book_id=_book_id(s, args))
    if args.json:
        emit_json([_activity_json(a) for a in summaries])
        return EXIT_OK
    rows = [
        [
            str(a.id),
            a.date.isoformat(),
            a.name,
            money(a.budget_fen),
            money(a.actual_fen),
            money(a.remaining_fen),
            _percent(a.used_bp),
            str(a.participants),
            money(a.restricted_donations_fen) if a.restricted_donations_fen else "",
        ]
        for a in summaries
    ]
    print(
        render_table(
            [
                _("No."),
                _("Date"),
                _("Activity"),
                _("Budget"),
                _("Actual"),
                _("Remaining"),
                _("Used"),
                _("Participants"),
                _("Restricted donations"),
            ],
            rows,
            right=(0, 3, 4, 5, 6, 7, 8),
        )
    )
    return EXIT_OK


def cmd_restricted(args: argparse.Namespace) -> int:
    from ledger.services.microfund import restricted_balances

    with open_from(args) as ledger, ledger.read() as s:
        balances = restricted_balances(s, book_id=_book_id(s, args))
    if args.json:
        emit_json(
            [
                {
                    "purpose": b.purpose,
                    "label": b.label,
                    "is_category": b.is_category,
                    "donated_fen": b.donated_fen,
                    "spent_fen": b.spent_fen,
                    "pending_fen": b.pending_fen,
                    "balance_fen": b.balance_fen,
                }
                for b in balances
            ]
        )
        return EXIT_OK
    rows = [
        [
            b.label,
            money(b.donated_fen),
            money(b.spent_fen),
            money(b.pending_fen),
            money(b.balance_fen),
        ]
        for b in balances
    ]
    print(
        render_table(
            [_("Purpose"), _("Donated"), _("Spent"), _("Waiting for approval"), _("Balance")],
            rows,
            right=(1, 2, 3, 4),
        )
    )
    return EXIT_OK


# --- expenses and approvals ----------------------------------------------------------------------


def cmd_expense(args: argparse.Namespace) -> int:
    from ledger.dates import parse_date
    from ledger.money import parse_money
    from ledger.operations.microfund import RECORD_EXPENSE, RecordExpense

    date = parse_date(args.date)
    amount = parse_money(args.amount).fen
    name, data = _read_file(args.receipt) if args.receipt else (None, None)
    request = RecordExpense(
        book=args.book,
        date=date,
        category=args.category,
        amount_fen=amount,
        memo=args.memo,
        pay_from=args.pay_from,
        payee=args.payee,
        activity=args.activity,
        purpose=args.purpose,
        private_note=args.private_note,
        receipt_name=name,
        receipt_data=data,
    )
    return perform(args, RECORD_EXPENSE, request)


def cmd_approve(args: argparse.Namespace) -> int:
    from ledger.operations.microfund import APPROVE_EXPENSE, ApproveExpense

    expense_id = _number(args.expense, _("The expense number"))
    return perform(args, APPROVE_EXPENSE, ApproveExpense(book=args.book, expense_id=expense_id))


def cmd_reject(args: argparse.Namespace) -> int:
    from ledger.operations.microfund import REJECT_EXPENSE, RejectExpense

    expense_id = _number(args.expense, _("The expense number"))
    request = RejectExpense(book=args.book, expense_id=expense_id, reason=args.reason)
    return perform(args, REJECT_EXPENSE, request)


def cmd_pending(args: argparse.Namespace) -> int:
    from ledger.operations.microfund import expense_json
    from ledger.services.books import find_book
    from ledger.services.microfund import pending_expenses, status_label

    with open_from(args) as ledger, ledger.read() as s:
        queue = pending_expenses(s, book_id=find_book(s, args.book).id or 0)
    if args.json:
        emit_json([expense_json(e) for e in queue])
        return EXIT_OK
    if not queue:
        print(_("No expenses are waiting for approval."))
        return EXIT_OK
    rows = [
        [
            str(e.id),
            e.date.isoformat(),
            e.memo,
            e.category_label,
            money(e.amount_fen),
            e.recorded_by,
            f"{len(e.approved_by)}/{e.approvals_required}",
            ", ".join(e.approved_by),
            status_label(e.status),
        ]
        for e in queue
    ]
    print(
        render_table(
            [
                _("No."),
                _("Date"),
                _("Memo"),
                _("Category"),
                _("Amount"),
                _("Recorded by"),
                _("Approvals"),
                _("Approved by"),
                _("Status"),
            ],
            rows,
            right=(0, 4, 6),
        )
    )
    return EXIT_OK


# --- points --------------------------------------------------------------------------------------


def cmd_points_earn(args: argparse.Namespace) -> int:
    from ledger.dates import parse_date
    from ledger.operations.microfund import EARN_POINTS, EarnPoints

    request = EarnPoints(
        book=args.book,
        household=args.household,
        date=parse_date(args.date),
        points=_number(args.points, _("Points")),
        reason=args.reason,
    )
    return perform(args, EARN_POINTS, request)


def cmd_points_redeem(args: argparse.Namespace) -> int:
    from ledger.dates import parse_date
    from ledger.operations.microfund import REDEEM_POINTS, RedeemPoints

    date = parse_date(args.date)
    points = _number(args.points, _("Points"))
    expense_id = _number(args.expense, _("The expense number")) if args.expense else None
    request = RedeemPoints(
        book=args.book,
        household=args.household,
        date=date,
        points=points,
        reason=args.reason,
        expense_id=expense_id,
    )
    return perform(args, REDEEM_POINTS, request)


def cmd_points_balance(args: argparse.Namespace) -> int:
    from ledger.services.households import find_household
    from ledger.services.microfund import points_balances, points_history

    with open_from(args) as ledger, ledger.read() as s:
        book_id = _book_id(s, args)
        if args.household:
            household = find_household(s, args.household)
            history = points_history(s, book_id=book_id, household_id=household.id or 0)
            label = household.label
        else:
            balances = points_balances(s, book_id=book_id)
    if args.household:
        if args.json:
            emit_json(
                {
                    "household": label,
                    "balance": history[-1].balance if history else 0,
                    "history": [
                        {
                            "date": h.date.isoformat(),
                            "points": h.points,
                            "reason": h.reason,
                            "expense": h.expense_id,
                            "balance": h.balance,
                        }
                        for h in history
                    ],
                }
            )
            return EXIT_OK
        print(
            _("Points of {household}: {balance}").format(
                household=label, balance=history[-1].balance if history else 0
            )
        )
        print(
            render_table(
                [_("Date"), _("Points"), _("Reason"), _("Balance")],
                [[h.date.isoformat(), f"{h.points:+d}", h.reason, str(h.balance)] for h in history],
                right=(1, 3),
            )
        )
        return EXIT_OK
    if args.json:
        emit_json([{"household": lb, "balance": b} for _id, lb, b in balances])
        return EXIT_OK
    print(
        render_table(
            [_("Household"), _("Points")],
            [[lb, str(b)] for _id, lb, b in balances],
            right=(1,),
        )
    )
    return EXIT_OK


# --- parser --------------------------------------------------------------------------------------


def register(commands: Commands) -> None:  # noqa: PLR0915 - one flat list of commands reads best
    """Add this kind of book's commands to the parser."""
    donors = commands.group("donor", _("add donors and payees"))
    p = donors.add("add", cmd_donor_add, _("add a donor or payee (contact data stays private)"))
    ledger_arg(p)
    p.add_argument(
        "--kind",
        required=True,
        help=_("merchant, volunteer, resident, organisation, property_company or payee"),
    )
    p.add_argument("--name", required=True)
    who = p.add_mutually_exclusive_group()
    who.add_argument("--person", action="store_true", help=_("a person: masked in notices"))
    who.add_argument(
        "--organisation", action="store_true", help=_("an organisation: shown in full")
    )
    p.add_argument("--contact", default="", help=_("phone or address; never disclosed"))
    p.add_argument("--note", default="")

    p = commands.add("donate", cmd_donate, _("record a donation and issue its numbered receipt"))
    ledger_arg(p)
    book_arg(p)
    p.add_argument("--date", required=True, help="YYYY-MM-DD")
    p.add_argument("--donor", required=True, help=_("donor number or exact name"))
    p.add_argument(
        "--source",
        required=True,
        help=_("merchant, volunteer, self_raised, remuneration_gift or other"),
    )
    p.add_argument("--amount", required=True, help=_("amount in yuan, e.g. 1,234.50"))
    p.add_argument(
        "--purpose",
        help=_("restrict the money to an activity (its name) or a spending category"),
    )
    p.add_argument("--into", default="bank", help=_("bank (default) or cash"))

    p = commands.add("receipt", cmd_receipt, _("show a donation receipt"))
    ledger_arg(p)
    book_arg(p)
    p.add_argument("--number", required=True, help=_("receipt number, e.g. 捐-2024-0001"))

    activities = commands.group("activity", _("add or list activities"))
    p = activities.add("add", cmd_activity_add, _("add an activity with its budget"))
    ledger_arg(p)
    book_arg(p)
    p.add_argument("--name", required=True)
    p.add_argument("--date", required=True, help="YYYY-MM-DD")
    p.add_argument("--budget", required=True, help=_("amount in yuan, e.g. 1,234.50"))
    p.add_argument("--participants", type=int, default=0)
    p.add_argument("--note", default="")
    p = activities.add("list", cmd_activity_list, _("list activities: budget, actual, remaining"))
    ledger_arg(p)
    book_arg(p)
    p = activities.add(
        "participants", cmd_activity_participants, _("record how many took part in an activity")
    )
    ledger_arg(p)
    book_arg(p)
    p.add_argument("--activity", required=True, help=_("activity number or name"))
    p.add_argument("--count", required=True, type=int)

    p = commands.add("restricted", cmd_restricted, _("show what is left of restricted money"))
    ledger_arg(p)
    book_arg(p)

    p = commands.add("expense", cmd_expense, _("record an expense (large ones wait for approval)"))
    ledger_arg(p)
    book_arg(p)
    p.add_argument("--date", required=True, help="YYYY-MM-DD")
    p.add_argument(
        "--category",
        required=True,
        help=_("activity, points_redemption, environment, hardship or other"),
    )
    p.add_argument("--amount", required=True, help=_("amount in yuan, e.g. 1,234.50"))
    p.add_argument("--memo", help=_("what it is for (hardship payments get a fixed memo)"))
    p.add_argument("--from", dest="pay_from", default="bank", help=_("bank (default) or cash"))
    p.add_argument("--payee", help=_("payee number or exact name"))
    p.add_argument("--activity", help=_("activity number or name"))
    p.add_argument("--purpose", help=_("pay from money restricted to this activity or category"))
    p.add_argument(
        "--private-note", default="", help=_("never shown in a notice (e.g. who was helped)")
    )
    p.add_argument("--receipt", metavar="FILE", help=_("attach this receipt file once posted"))

    for name, func, text in (
        ("approve", cmd_approve, _("approve an expense waiting for approval")),
        ("reject", cmd_reject, _("reject an expense waiting for approval, with a reason")),
    ):
        p = commands.add(name, func, text)
        ledger_arg(p)
        book_arg(p)
        p.add_argument("--expense", required=True, help=_("expense number"))
        if name == "reject":
            p.add_argument("--reason", required=True)

    p = commands.add("pending", cmd_pending, _("list expenses waiting for approval"))
    ledger_arg(p)
    book_arg(p)

    points = commands.group("points", _("households' points: earn, redeem, balance"))
    for name, func, text in (
        ("earn", cmd_points_earn, _("credit a household with points for volunteering")),
        ("redeem", cmd_points_redeem, _("redeem a household's points for goods")),
    ):
        p = points.add(name, func, text)
        ledger_arg(p)
        book_arg(p)
        p.add_argument("--household", required=True, help=_("household number or label"))
        p.add_argument("--points", required=True)
        p.add_argument("--reason", required=True)
        p.add_argument("--date", required=True, help="YYYY-MM-DD")
        if name == "redeem":
            p.add_argument("--expense", help=_("the points-redemption expense for the goods"))
    p = points.add("balance", cmd_points_balance, _("households' points balances"))
    ledger_arg(p)
    book_arg(p)
    p.add_argument("--household", help=_("one household's history"))

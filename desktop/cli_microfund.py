"""Commands for Community micro-fund (社区微基金) books: donors and donations with receipts,
activities, expenses under maker-checker approval, and the households' points."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from desktop.cli_common import (
    EXIT_OK,
    Commands,
    actor,
    book_arg,
    emit_json,
    ledger_arg,
    money,
    open_from,
)
from desktop.texttable import render_table
from ledger.errors import InvalidInputError
from ledger.i18n import _

if TYPE_CHECKING:
    from sqlmodel import Session

    from ledger.services.microfund import ActivitySummary, ExpenseView, ReceiptView

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


def _receipt_json(r: ReceiptView) -> dict[str, Any]:
    return {
        "id": r.id,
        "number": r.number,
        "book": r.book_name,
        "organisation": r.organisation,
        "date": r.date.isoformat(),
        "donor": r.donor_name,
        "donor_kind": r.donor_kind,
        "amount_fen": r.amount_fen,
        "amount_capital": r.amount_capital,
        "source": r.source,
        "source_label": r.source_label,
        "restricted": r.restricted,
        "purpose": r.purpose,
        "purpose_label": r.purpose_label,
        "voucher_number": r.voucher_number,
        "recorded_by": r.recorded_by,
        "reversed_by": r.reversed_by,
    }


def _expense_json(e: ExpenseView) -> dict[str, Any]:
    return {
        "id": e.id,
        "date": e.date.isoformat(),
        "memo": e.memo,
        "category": e.category,
        "amount_fen": e.amount_fen,
        "pay_from": e.pay_from,
        "payee": e.payee,
        "activity": e.activity,
        "purpose": e.purpose,
        "status": e.status,
        "approvals_required": e.approvals_required,
        "approved_by": list(e.approved_by),
        "rejected_by": e.rejected_by,
        "reason": e.reason,
        "recorded_by": e.recorded_by,
        "voucher_number": e.voucher_number,
    }


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
    from ledger.services.counterparties import CounterpartyKind, add_counterparty, display_name

    person = True if args.person else (False if args.organisation else None)
    with open_from(args) as ledger, ledger.write() as s:
        cp = add_counterparty(
            s,
            kind=args.kind,
            name=args.name,
            actor=actor(s, args),
            is_individual=person,
            contact=args.contact,
            note=args.note,
        )
        data = {"id": cp.id, "kind": cp.kind, "name": display_name(cp)}
        kind = CounterpartyKind(cp.kind).label
    if args.json:
        emit_json(data)
    else:
        print(
            _("Added donor or payee {id} “{name}” ({kind}).").format(
                id=data["id"], name=data["name"], kind=kind
            )
        )
    return EXIT_OK


def cmd_donate(args: argparse.Namespace) -> int:
    from ledger.dates import parse_date
    from ledger.money import parse_money
    from ledger.services.counterparties import find_counterparty
    from ledger.services.microfund import receipt_view, record_donation

    date = parse_date(args.date)
    amount = parse_money(args.amount).fen
    with open_from(args) as ledger, ledger.write() as s:
        book_id = _book_id(s, args)
        donor = find_counterparty(s, args.donor)
        receipt = record_donation(
            s,
            book_id=book_id,
            date=date,
            donor_id=donor.id or 0,
            source=args.source,
            amount_fen=amount,
            actor=actor(s, args),
            purpose=args.purpose,
            pay_into=args.into,
        )
        view = receipt_view(s, receipt_id=receipt.id or 0)
    if args.json:
        emit_json(_receipt_json(view))
    else:
        print(
            _(
                "Recorded donation receipt {number}: {amount} from {donor}, posted as {voucher}."
            ).format(
                number=view.number,
                amount=money(view.amount_fen),
                donor=view.donor_name,
                voucher=view.voucher_number,
            )
        )
    return EXIT_OK


def cmd_receipt(args: argparse.Namespace) -> int:
    from ledger.services.microfund import find_receipt

    with open_from(args) as ledger, ledger.read() as s:
        view = find_receipt(s, book_id=_book_id(s, args), number=args.number)
    if args.json:
        emit_json(_receipt_json(view))
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
    from ledger.services.microfund import add_activity

    date = parse_date(args.date)
    budget = parse_money(args.budget).fen
    with open_from(args) as ledger, ledger.write() as s:
        activity = add_activity(
            s,
            book_id=_book_id(s, args),
            name=args.name,
            date=date,
            budget_fen=budget,
            actor=actor(s, args),
            participants=args.participants,
            note=args.note,
        )
        data = {"id": activity.id, "name": activity.name, "budget_fen": activity.budget_fen}
    if args.json:
        emit_json(data)
    else:
        print(
            _("Added activity {id} “{name}” with a budget of {budget}.").format(
                id=data["id"], name=data["name"], budget=money(budget)
            )
        )
    return EXIT_OK


def cmd_activity_participants(args: argparse.Namespace) -> int:
    from ledger.services.microfund import find_activity, set_participants

    with open_from(args) as ledger, ledger.write() as s:
        book_id = _book_id(s, args)
        activity = find_activity(s, book_id=book_id, ref=args.activity)
        set_participants(
            s, activity_id=activity.id or 0, participants=args.count, actor=actor(s, args)
        )
        data = {"id": activity.id, "name": activity.name, "participants": args.count}
    if args.json:
        emit_json(data)
    else:
        print(_("“{name}” had {n} participants.").format(name=data["name"], n=data["participants"]))
    return EXIT_OK


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
    from ledger.services.counterparties import find_counterparty
    from ledger.services.microfund import (
        attach_expense_receipt,
        expense_view,
        find_activity,
        record_expense,
    )

    date = parse_date(args.date)
    amount = parse_money(args.amount).fen
    receipt = _read_file(args.receipt) if args.receipt else None
    with open_from(args) as ledger, ledger.write() as s:
        book_id = _book_id(s, args)
        who = actor(s, args)
        payee = find_counterparty(s, args.payee).id if args.payee else None
        activity = (
            find_activity(s, book_id=book_id, ref=args.activity).id if args.activity else None
        )
        expense = record_expense(
            s,
            book_id=book_id,
            date=date,
            category=args.category,
            amount_fen=amount,
            actor=who,
            memo=args.memo,
            pay_from=args.pay_from,
            payee_id=payee,
            activity_id=activity,
            purpose=args.purpose,
            private_note=args.private_note,
        )
        if receipt is not None:
            if expense.status != "posted":
                raise InvalidInputError(
                    _(
                        "This expense needs {n} approvals before it is posted, so its receipt "
                        "cannot be attached yet; record it without --receipt and attach the "
                        "receipt with “gongzhang attach” once it is posted."
                    ).format(n=expense.approvals_required)
                )
            attach_expense_receipt(
                s, expense_id=expense.id or 0, filename=receipt[0], data=receipt[1], actor=who
            )
        view = expense_view(s, expense_id=expense.id or 0)
    if args.json:
        emit_json(_expense_json(view))
    elif view.status == "posted":
        print(
            _("Recorded expense {id} ({amount}) and posted it as {voucher}.").format(
                id=view.id, amount=money(view.amount_fen), voucher=view.voucher_number
            )
        )
    else:
        print(
            _(
                "Recorded expense {id} ({amount}); it waits for {n} approvers other than you "
                "(gongzhang approve --expense {id})."
            ).format(id=view.id, amount=money(view.amount_fen), n=view.approvals_required)
        )
    return EXIT_OK


def cmd_approve(args: argparse.Namespace) -> int:
    from ledger.services.books import find_book
    from ledger.services.microfund import approve_expense, expense_view, find_expense

    expense_id = _number(args.expense, _("The expense number"))
    with open_from(args) as ledger, ledger.write() as s:
        book_id = find_book(s, args.book).id or 0
        find_expense(s, book_id=book_id, expense_id=expense_id)
        approve_expense(s, expense_id=expense_id, actor=actor(s, args))
        view = expense_view(s, expense_id=expense_id)
    if args.json:
        emit_json(_expense_json(view))
    elif view.status == "posted":
        print(
            _("Approved expense {id}; it is posted as {voucher}.").format(
                id=view.id, voucher=view.voucher_number
            )
        )
    else:
        print(
            _("Approved expense {id}: {have} of {need} approvals.").format(
                id=view.id, have=len(view.approved_by), need=view.approvals_required
            )
        )
    return EXIT_OK


def cmd_reject(args: argparse.Namespace) -> int:
    from ledger.services.books import find_book
    from ledger.services.microfund import expense_view, find_expense, reject_expense

    expense_id = _number(args.expense, _("The expense number"))
    with open_from(args) as ledger, ledger.write() as s:
        book_id = find_book(s, args.book).id or 0
        find_expense(s, book_id=book_id, expense_id=expense_id)
        reject_expense(s, expense_id=expense_id, actor=actor(s, args), reason=args.reason)
        view = expense_view(s, expense_id=expense_id)
    if args.json:
        emit_json(_expense_json(view))
    else:
        print(_("Rejected expense {id}: {reason}").format(id=view.id, reason=view.reason))
    return EXIT_OK


def cmd_pending(args: argparse.Namespace) -> int:
    from ledger.services.books import find_book
    from ledger.services.microfund import pending_expenses, status_label

    with open_from(args) as ledger, ledger.read() as s:
        queue = pending_expenses(s, book_id=find_book(s, args.book).id or 0)
    if args.json:
        emit_json([_expense_json(e) for e in queue])
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


def _points(args: argparse.Namespace, *, redeem: bool) -> int:
    from ledger.dates import parse_date
    from ledger.services.households import find_household
    from ledger.services.microfund import earn_points, points_balance, redeem_points

    date = parse_date(args.date)
    points = _number(args.points, _("Points"))
    expense_id = _number(args.expense, _("The expense number")) if redeem and args.expense else None
    with open_from(args) as ledger, ledger.write() as s:
        book_id = _book_id(s, args)
        household = find_household(s, args.household)
        kwargs: dict[str, Any] = {
            "book_id": book_id,
            "household_id": household.id or 0,
            "date": date,
            "points": points,
            "reason": args.reason,
            "actor": actor(s, args),
        }
        if redeem:
            redeem_points(s, expense_id=expense_id, **kwargs)
        else:
            earn_points(s, **kwargs)
        balance = points_balance(s, book_id=book_id, household_id=household.id or 0)
        label = household.label
    if args.json:
        emit_json({"household": label, "points": -points if redeem else points, "balance": balance})
    elif redeem:
        print(
            _("{household} redeemed {points} points; balance {balance}.").format(
                household=label, points=points, balance=balance
            )
        )
    else:
        print(
            _("{household} earned {points} points; balance {balance}.").format(
                household=label, points=points, balance=balance
            )
        )
    return EXIT_OK


def cmd_points_earn(args: argparse.Namespace) -> int:
    return _points(args, redeem=False)


def cmd_points_redeem(args: argparse.Namespace) -> int:
    return _points(args, redeem=True)


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

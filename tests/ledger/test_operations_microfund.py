"""The micro-fund's operations through the one door (``ledger.operations.run``): each does what
the treasurer and the approvers rely on (receipts, money on hand, budgets, the approval queue,
points), a role without the right is refused and nothing is written, and the audit trail gets
an "operation" event with the request's facts — never a contact, a private note or the name of
a person typed to add them."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from sqlalchemy import select as sa_select
from sqlmodel import SQLModel, col, select

from ledger.errors import GongzhangError, InvalidInputError, PermissionDeniedError
from ledger.models import Attachment, AuditEvent, Counterparty, Expense, ExpenseDecision
from ledger.operations import Credentials, Operation, run
from ledger.operations.microfund import (
    ADD_ACTIVITY,
    ADD_COUNTERPARTY,
    APPROVE_EXPENSE,
    ATTACH_EXPENSE_RECEIPT,
    EARN_POINTS,
    RECORD_DONATION,
    RECORD_EXPENSE,
    REDEEM_POINTS,
    REJECT_EXPENSE,
    SET_PARTICIPANTS,
    AddActivity,
    AddCounterparty,
    ApproveExpense,
    AttachExpenseReceipt,
    EarnPoints,
    RecordDonation,
    RecordExpense,
    RedeemPoints,
    RejectExpense,
    SetParticipants,
)
from ledger.services.dashboard import book_dashboard
from ledger.services.households import add_household
from ledger.services.microfund import list_activities, points_balance
from tests.conftest import TEST_PASSWORD, World

D = dt.date
CONTACT = "13800001111"
PRIVATE_NOTE = "3组12号李秀英家，住院"


def door(world: World, user: str, operation: Operation[Any, Any], request: object) -> Any:
    return run(world.ledger, Credentials(user, TEST_PASSWORD), operation, request)


def dump(world: World) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table: equal dumps, nothing written."""
    with world.ledger.read() as s:
        conn = s.connection()
        return {
            table.name: sorted((tuple(row) for row in conn.execute(sa_select(table))), key=repr)
            for table in SQLModel.metadata.sorted_tables
        }


def refused(world: World, user: str, operation: Operation[Any, Any], request: object) -> str:
    """The refusal's message; every row of every table is as it was."""
    before = dump(world)
    with pytest.raises(GongzhangError) as caught:
        door(world, user, operation, request)
    assert dump(world) == before
    return str(caught.value)


def operation_events(world: World, name: str) -> list[dict[str, Any]]:
    """The request facts of every "operation" event of the operation ``name``, oldest first."""
    with world.ledger.read() as s:
        details = s.exec(
            select(AuditEvent.detail)
            .where(col(AuditEvent.action) == "operation", col(AuditEvent.object_type) == name)
            .order_by(col(AuditEvent.seq))
        ).all()
    return [json.loads(d) for d in details]


def trail_text(world: World) -> str:
    with world.ledger.read() as s:
        return "\n".join(s.exec(select(AuditEvent.detail)).all())


def money_on_hand(world: World) -> int:
    with world.ledger.read() as s:
        return book_dashboard(s, book_id=world.fund_id).money_fen


def fund(world: World) -> str:
    return str(world.fund_id)


def donate(world: World, amount_fen: int, *, purpose: str | None = None) -> Any:
    """A gift from the merchant 天马镇好又多超市 (added on first use)."""
    with world.ledger.read() as s:
        known = s.exec(
            select(Counterparty).where(col(Counterparty.name) == "天马镇好又多超市")
        ).first()
    request = RecordDonation(
        book=fund(world),
        date=D(2024, 9, 10),
        source="merchant",
        amount_fen=amount_fen,
        donor=None if known is None else "天马镇好又多超市",
        new_donor="" if known else "天马镇好又多超市",
        new_donor_kind=None if known else "merchant",
        purpose=purpose,
    )
    return door(world, "treasurer", RECORD_DONATION, request)


def expense(world: World, amount_fen: int, *, by: str = "treasurer", **more: Any) -> Any:
    request = RecordExpense(
        book=fund(world),
        date=D(2024, 10, 18),
        category=more.pop("category", "activity"),
        amount_fen=amount_fen,
        memo=more.pop("memo", "重阳宴：食材"),
        **more,
    )
    return door(world, by, RECORD_EXPENSE, request)


# --- donors and donations ------------------------------------------------------------------------


def test_a_donor_is_added_and_their_contact_and_name_stay_out_of_the_operation_event(
    world: World,
) -> None:
    request = AddCounterparty(kind="resident", name="王淑芬", contact=CONTACT, note="独居老人")
    assert "may not" in refused(world, "auditor", ADD_COUNTERPARTY, request)
    assert "may not" in refused(world, "reviewer", ADD_COUNTERPARTY, request)
    added = door(world, "treasurer", ADD_COUNTERPARTY, request)
    assert (added.kind, added.name) == ("resident", "王*芬")
    assert added.sentence() == "Added donor or payee 1 “王*芬” (Resident)."
    assert added.as_json() == {"id": 1, "kind": "resident", "name": "王*芬"}
    with world.ledger.read() as s:
        donor = s.get(Counterparty, added.id)
        assert donor is not None
        assert (donor.name, donor.contact, donor.is_individual) == ("王淑芬", CONTACT, True)
    assert operation_events(world, "counterparty.add") == [
        {"kind": "resident", "is_individual": None}
    ]
    # The record of changes keeps the contact as a keyed hash only.
    assert CONTACT not in trail_text(world)


def test_a_donation_issues_its_receipt_and_raises_the_money_on_hand(world: World) -> None:
    request = RecordDonation(
        book="碧鸡桥社区微基金",
        date=D(2024, 9, 10),
        source="self_raised",
        amount_fen=50_050,
        new_donor="张晓明",
        new_donor_kind="resident",
        pay_into="cash",
    )
    assert "may not" in refused(world, "reviewer", RECORD_DONATION, request)
    assert "may not" in refused(world, "auditor", RECORD_DONATION, request)
    done = door(world, "treasurer", RECORD_DONATION, request)
    receipt = done.receipt
    assert (receipt.number, receipt.amount_fen, receipt.donor_name) == (
        "捐-2024-0001",
        50_050,
        "张*明",
    )
    assert receipt.amount_capital == "人民币伍佰元零伍角"
    assert done.donor_added is not None
    assert done.sentence() == (
        "Recorded donation receipt 捐-2024-0001: CN¥500.50 from 张*明, posted as 记-2024-0001."
    )
    assert done.as_json()["number"] == "捐-2024-0001"
    assert done.as_json()["donor"] == "张*明"
    assert money_on_hand(world) == 50_050
    # The same donor again, by number: the money adds up, the receipts count on.
    again = door(
        world,
        "admin",
        RECORD_DONATION,
        RecordDonation(
            book=fund(world),
            date=D(2024, 9, 11),
            source="self_raised",
            amount_fen=10_000,
            donor_id=done.donor_added,
        ),
    )
    assert again.receipt.number == "捐-2024-0002"
    assert money_on_hand(world) == 60_050
    facts = operation_events(world, "donation.record")
    assert facts[0] == {
        "book": "碧鸡桥社区微基金",
        "date": "2024-09-10",
        "source": "self_raised",
        "amount_fen": 50_050,
        "donor_id": None,
        "new_donor_kind": "resident",
        "purpose": None,
        "pay_into": "cash",
    }
    assert facts[1]["donor_id"] == done.donor_added
    assert "张晓明" not in json.dumps(facts, ensure_ascii=False)


def test_a_donation_to_another_kind_of_book_or_from_no_donor_is_refused(world: World) -> None:
    base = {"date": D(2024, 9, 10), "source": "merchant", "amount_fen": 100}
    words = refused(
        world, "treasurer", RECORD_DONATION, RecordDonation(book=str(world.trust_id), **base)
    )
    assert "belong to a community micro-fund book" in words
    words = refused(
        world,
        "treasurer",
        RECORD_DONATION,
        RecordDonation(book=fund(world), donor="无名氏", **base),
    )
    assert "There is no donor or payee “无名氏”" in words
    words = refused(world, "treasurer", RECORD_DONATION, RecordDonation(book=fund(world), **base))
    assert words == "Choose a donor or type the name of a new one."


# --- activities ----------------------------------------------------------------------------------


def test_an_activity_is_planned_and_its_participants_recorded(world: World) -> None:
    plan = AddActivity(book=fund(world), name="重阳宴", date=D(2024, 10, 20), budget_fen=1_100_000)
    assert "may not" in refused(world, "committee", ADD_ACTIVITY, plan)
    added = door(world, "treasurer", ADD_ACTIVITY, plan)
    assert added.sentence() == f"Added activity {added.id} “重阳宴” with a budget of CN¥11,000.00."
    assert added.as_json() == {"id": added.id, "name": "重阳宴", "budget_fen": 1_100_000}
    count = SetParticipants(book=fund(world), activity="重阳宴", count=612)
    assert "may not" in refused(world, "auditor", SET_PARTICIPANTS, count)
    done = door(world, "treasurer", SET_PARTICIPANTS, count)
    assert done.sentence() == "“重阳宴” had 612 participants."
    with world.ledger.read() as s:
        (summary,) = list_activities(s, book_id=world.fund_id)
    assert (summary.budget_fen, summary.actual_fen, summary.participants) == (1_100_000, 0, 612)
    assert operation_events(world, "activity.add") == [
        {
            "book": fund(world),
            "name": "重阳宴",
            "date": "2024-10-20",
            "budget_fen": 1_100_000,
            "participants": 0,
            "note": "",
        }
    ]
    assert operation_events(world, "activity.participants") == [
        {"book": fund(world), "activity": "重阳宴", "count": 612}
    ]


# --- expenses and approvals ----------------------------------------------------------------------


def test_a_small_expense_is_posted_with_its_receipt_and_lowers_the_money(world: World) -> None:
    donate(world, 300_000)
    assert "may not" in refused(world, "reviewer", RECORD_EXPENSE, RecordExpense(
        book=fund(world), date=D(2024, 10, 18), category="environment", amount_fen=8_650,
        memo="垃圾袋",
    ))  # fmt: skip
    done = expense(
        world,
        8_650,
        category="environment",
        memo="垃圾袋",
        receipt_name="fapiao.pdf",
        receipt_data=b"%PDF-1.4 receipt",
    )
    view = done.expense
    assert (view.status, view.voucher_number, view.amount_fen) == ("posted", "记-2024-0002", 8_650)
    assert done.sentence() == "Recorded expense 1 (CN¥86.50) and posted it as 记-2024-0002."
    assert done.as_json()["status"] == "posted"
    assert money_on_hand(world) == 300_000 - 8_650
    with world.ledger.read() as s:
        names = s.exec(select(Attachment.filename)).all()
    assert names == ["fapiao.pdf"]
    (facts,) = operation_events(world, "expense.record")
    assert facts["receipt_data"] == {"bytes": 16}
    assert facts["amount_fen"] == 8_650 and facts["category"] == "environment"


def test_a_hardship_payment_keeps_its_private_note_out_of_the_trail(world: World) -> None:
    donate(world, 300_000)
    done = expense(world, 30_000, category="hardship", memo=None, private_note=PRIVATE_NOTE)
    assert done.expense.status == "posted"
    assert PRIVATE_NOTE not in json.dumps(done.as_json(), ensure_ascii=False)
    with world.ledger.read() as s:
        stored = s.get(Expense, done.expense.id)
        assert stored is not None and stored.private_note == PRIVATE_NOTE
    (facts,) = operation_events(world, "expense.record")
    assert "private_note" not in facts
    assert facts["category"] == "hardship"
    assert PRIVATE_NOTE not in trail_text(world)


def test_a_receipt_with_an_expense_that_waits_is_refused_and_nothing_is_recorded(
    world: World,
) -> None:
    donate(world, 300_000)
    words = refused(
        world,
        "treasurer",
        RECORD_EXPENSE,
        RecordExpense(
            book=fund(world),
            date=D(2024, 10, 18),
            category="activity",
            amount_fen=120_000,
            memo="横幅",
            receipt_name="r.pdf",
            receipt_data=b"receipt",
        ),
    )
    assert "cannot be attached yet" in words


def test_a_large_expense_waits_for_two_approvers_other_than_its_recorder(world: World) -> None:
    donate(world, 300_000)
    recorded = expense(world, 250_000, by="admin")
    view = recorded.expense
    assert (view.status, view.approvals_required) == ("pending", 2)
    assert recorded.sentence() == (
        "Recorded expense 1 (CN¥2,500.00); it waits for 2 approvers other than you "
        "(gongzhang approve --expense 1)."
    )
    approve = ApproveExpense(book=fund(world), expense_id=view.id)
    assert "may not approve" in refused(world, "treasurer", APPROVE_EXPENSE, approve)
    assert "cannot also approve" in refused(world, "admin", APPROVE_EXPENSE, approve)
    assert "no expense number 9" in refused(
        world, "reviewer", APPROVE_EXPENSE, ApproveExpense(book=fund(world), expense_id=9)
    )
    first = door(world, "reviewer", APPROVE_EXPENSE, approve)
    assert first.sentence() == "Approved expense 1: 1 of 2 approvals."
    assert money_on_hand(world) == 300_000
    assert "already approved" in refused(world, "reviewer", APPROVE_EXPENSE, approve)
    second = door(world, "committee", APPROVE_EXPENSE, approve)
    assert second.sentence() == "Approved expense 1; it is posted as 记-2024-0002."
    assert second.as_json()["approved_by"] == ["reviewer", "committee"]
    assert money_on_hand(world) == 50_000
    with world.ledger.read() as s:
        deciders = s.exec(select(ExpenseDecision.user_id).order_by(col(ExpenseDecision.id))).all()
        assert deciders == [world.user(s, "reviewer").id, world.user(s, "committee").id]
    assert operation_events(world, "expense.approve") == [
        {"book": fund(world), "expense_id": 1},
        {"book": fund(world), "expense_id": 1},
    ]


def test_a_rejection_needs_an_approver_and_a_reason(world: World) -> None:
    donate(world, 300_000)
    view = expense(world, 120_000, memo="重阳宴：横幅").expense
    reject = RejectExpense(book=fund(world), expense_id=view.id, reason="与舞台费重复")
    assert "may not approve" in refused(world, "auditor", REJECT_EXPENSE, reject)
    assert "needs a reason" in refused(
        world,
        "committee",
        REJECT_EXPENSE,
        RejectExpense(book=fund(world), expense_id=view.id, reason="  "),
    )
    done = door(world, "committee", REJECT_EXPENSE, reject)
    assert done.sentence() == "Rejected expense 1: 与舞台费重复"
    assert (done.expense.status, done.as_json()["rejected_by"]) == ("rejected", "committee")
    assert money_on_hand(world) == 300_000
    assert operation_events(world, "expense.reject") == [
        {"book": fund(world), "expense_id": 1, "reason": "与舞台费重复"}
    ]


def test_a_receipt_is_attached_to_a_posted_expense(world: World) -> None:
    donate(world, 300_000)
    posted = expense(world, 8_000, memo="舞台音响租赁").expense
    attach = AttachExpenseReceipt(
        book=fund(world), expense_id=posted.id, filename="invoice.png", data=b"\x89PNG scan"
    )
    assert "may not" in refused(world, "reviewer", ATTACH_EXPENSE_RECEIPT, attach)
    done = door(world, "treasurer", ATTACH_EXPENSE_RECEIPT, attach)
    assert done.sentence() == "Attached invoice.png to expense 1."
    assert done.as_json()["file"] == "invoice.png" and len(done.sha256) == 64
    with world.ledger.read() as s:
        assert s.exec(select(Attachment.filename)).all() == ["invoice.png"]
    assert operation_events(world, "expense.attach") == [
        {"book": fund(world), "expense_id": 1, "filename": "invoice.png", "data": {"bytes": 9}}
    ]


# --- points --------------------------------------------------------------------------------------


def test_points_are_earned_and_redeemed_never_below_zero(world: World) -> None:
    with world.ledger.write() as s:
        household = add_household(
            s, label="3组12号", head_name="李秀英", actor=world.user(s, "admin")
        )
        household_id = household.id or 0
    earn = EarnPoints(
        book=fund(world), household="3组12号", date=D(2024, 10, 20), points=20, reason="重阳宴帮厨"
    )
    assert "may not" in refused(world, "auditor", EARN_POINTS, earn)
    earned = door(world, "treasurer", EARN_POINTS, earn)
    assert earned.sentence() == "3组12号 earned 20 points; balance 20."
    assert earned.as_json() == {"household": "3组12号", "points": 20, "balance": 20}
    redeem = RedeemPoints(
        book=fund(world), household="3组12号", date=D(2024, 11, 1), points=15, reason="大米一袋"
    )
    assert "may not" in refused(world, "committee", REDEEM_POINTS, redeem)
    redeemed = door(world, "treasurer", REDEEM_POINTS, redeem)
    assert redeemed.sentence() == "3组12号 redeemed 15 points; balance 5."
    assert redeemed.as_json() == {"household": "3组12号", "points": -15, "balance": 5}
    words = refused(world, "treasurer", REDEEM_POINTS, redeem)
    assert "has only 5 points and cannot redeem 15" in words
    with world.ledger.read() as s:
        assert points_balance(s, book_id=world.fund_id, household_id=household_id) == 5
    assert operation_events(world, "points.earn") == [
        {
            "book": fund(world),
            "household": "3组12号",
            "date": "2024-10-20",
            "points": 20,
            "reason": "重阳宴帮厨",
        }
    ]
    (facts,) = operation_events(world, "points.redeem")
    assert facts["expense_id"] is None and facts["points"] == 15


# --- the door ------------------------------------------------------------------------------------


def test_a_wrong_password_is_refused_and_nothing_is_written(world: World) -> None:
    plan = AddActivity(book=fund(world), name="亲子风筝节", date=D(2024, 3, 16), budget_fen=120_000)
    before = dump(world)
    with pytest.raises(PermissionDeniedError):
        run(world.ledger, Credentials("treasurer", "not the password"), ADD_ACTIVITY, plan)
    assert dump(world) == before


def test_requests_show_no_private_text_when_printed() -> None:
    texts = [
        repr(AddCounterparty(kind="resident", name="王淑芬", contact=CONTACT, note="独居老人")),
        repr(
            RecordDonation(
                book="1", date=D(2024, 1, 1), source="x", amount_fen=1, new_donor="张晓明"
            )
        ),
        repr(
            RecordExpense(
                book="1",
                date=D(2024, 1, 1),
                category="hardship",
                amount_fen=1,
                private_note=PRIVATE_NOTE,
            )
        ),
    ]
    for private in ("王淑芬", CONTACT, "独居老人", "张晓明", PRIVATE_NOTE):
        assert not any(private in text for text in texts)


def test_invalid_input_is_refused_by_the_services_not_the_front_ends(world: World) -> None:
    with pytest.raises(InvalidInputError):
        door(
            world,
            "treasurer",
            ADD_ACTIVITY,
            AddActivity(book=fund(world), name=" ", date=D(2024, 3, 16), budget_fen=0),
        )

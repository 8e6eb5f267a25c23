"""The operations of a trust-property book (信托制物业), through the whole door as the command line
uses it (:func:`ledger.operations.run`: sign in with a password, check the role, run, record):
the amounts a person relies on (fees, 15% remuneration, the gift, balances), the sentence and
JSON they are told, a role without the right refused with nothing written, and the audit trail's
"operation" event holding the request's facts but never an owner's name or a password."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from sqlmodel import col, func, select

from ledger.errors import GongzhangError, InvalidInputError, NotFoundError, PermissionDeniedError
from ledger.models import (
    AuditEvent,
    BookSetting,
    Budget,
    BudgetLine,
    Entry,
    FeeBill,
    FeeCollection,
    PropertyUnit,
    Remuneration,
    Transfer,
)
from ledger.operations import Credentials, Operation, run
from ledger.operations.property import (
    ADD_UNIT,
    APPROVE_BUDGET,
    BILL_PERIOD,
    COLLECT_FEES,
    CREATE_BUDGET,
    GIFT_REMUNERATION,
    PAY_REMUNERATION,
    POST_REMUNERATION,
    RECORD_INCOME,
    SET_FEE_RATE,
    SPEND,
    AddUnit,
    ApproveBudget,
    BillPeriod,
    CollectFees,
    CreateBudget,
    GiftRemuneration,
    PayRemuneration,
    PostRemuneration,
    RecordIncome,
    SetFeeRate,
    Spend,
)
from ledger.services.balances import trial_balance
from ledger.services.counterparties import add_counterparty
from ledger.services.property import budget_execution, get_budget, remuneration_owed
from tests.conftest import TEST_PASSWORD, World

D = dt.date
OWNERS = {"1-1-101": "张晓明", "1-1-102": "李娜", "2-1-101": "王建国"}
COMPANY = "成都智乐宏图物业管理有限公司"
_TABLES = (
    Entry,
    AuditEvent,
    PropertyUnit,
    FeeBill,
    FeeCollection,
    Remuneration,
    Budget,
    BudgetLine,
    Transfer,
    BookSetting,
)


# --- helpers -------------------------------------------------------------------------------------


def act(world: World, who: str, operation: Operation[Any, Any], request: object) -> Any:
    """``who`` performs the operation through the whole door, with their password."""
    return run(world.ledger, Credentials(who, TEST_PASSWORD), operation, request)


def snapshot(world: World) -> dict[str, object]:
    with world.ledger.read() as s:
        out: dict[str, object] = {
            t.__name__: s.exec(select(func.count()).select_from(t)).one() for t in _TABLES
        }
        out["budgets"] = [(b.year, b.status, b.approved_by_id) for b in s.exec(select(Budget))]
        out["settings"] = sorted((r.key, r.value) for r in s.exec(select(BookSetting)))
    return out


def refused(
    world: World,
    who: str,
    operation: Operation[Any, Any],
    request: object,
    error: type[GongzhangError],
    words: str,
) -> None:
    """The operation is refused with ``error`` saying ``words``, and nothing is written."""
    before = snapshot(world)
    with pytest.raises(error) as caught:
        act(world, who, operation, request)
    assert words in str(caught.value), str(caught.value)
    assert snapshot(world) == before


def operations(world: World, name: str) -> list[tuple[str | None, dict[str, Any]]]:
    """The audit trail's "operation" events of ``name``: (who acted, the request's facts)."""
    from ledger.models import AppUser

    with world.ledger.read() as s:
        rows = s.exec(
            select(AuditEvent.actor_id, AuditEvent.detail)
            .where(col(AuditEvent.action) == "operation", col(AuditEvent.object_type) == name)
            .order_by(col(AuditEvent.seq))
        ).all()
        names = {u.id: u.username for u in s.exec(select(AppUser))}
        return [(names.get(a) if a is not None else None, json.loads(d)) for a, d in rows]


def whole_trail(world: World) -> str:
    with world.ledger.read() as s:
        return "\n".join(
            f"{e.action} {e.object_type} {e.object_id} {e.detail}"
            for e in s.exec(select(AuditEvent))
        )


def balances(world: World, book_id: int) -> dict[str, int]:
    with world.ledger.read() as s:
        tb = trial_balance(s, book_id=book_id)
        assert tb.balanced
        return {a.code: a.balance_fen for a in tb.accounts if a.debit_fen or a.credit_fen}


@pytest.fixture
def estate(world: World) -> World:
    """¥2.50 per m² per month and three units (by the operations):

    1-1-101  89.56 m² → ¥223.90;  1-1-102  72.35 m² → ¥180.875 → ¥180.88;
    2-1-101 108.40 m² → ¥271.00.  A month bills ¥675.78.
    """
    act(world, "admin", SET_FEE_RATE, SetFeeRate(world.trust_id, 250))
    for label, area in [("1-1-101", "89.56"), ("1-1-102", "72.35"), ("2-1-101", "108.40")]:
        building, unit, room = label.split("-")
        act(
            world,
            "treasurer",
            ADD_UNIT,
            AddUnit(
                "金河绿洲物业",
                building=building,
                unit=unit,
                room=room,
                area=area,
                owner_name=OWNERS[label],
            ),
        )
    return world


def january_and_february(estate: World) -> None:
    """January: 223.90 + 100.00 + 271.00 (of 813.00, 542.00 prepaid) = 594.90 settled.
    February: 223.90 + 200.00 received against bills + 271.00 prepayment applied = 694.90."""
    book = estate.trust_id
    act(estate, "treasurer", BILL_PERIOD, BillPeriod(book, "2024-01"))
    for label, date, fen in [
        ("1-1-101", D(2024, 1, 10), 22_390),
        ("1-1-102", D(2024, 1, 12), 10_000),
        ("2-1-101", D(2024, 1, 15), 81_300),
    ]:
        act(estate, "treasurer", COLLECT_FEES, CollectFees(book, label, date, fen))
    act(estate, "treasurer", BILL_PERIOD, BillPeriod(book, "2024-02"))
    act(estate, "treasurer", COLLECT_FEES, CollectFees(book, "1-1-101", D(2024, 2, 10), 22_390))
    act(estate, "treasurer", COLLECT_FEES, CollectFees(book, "1-1-102", D(2024, 2, 20), 20_000))


# --- units and the fee rate ----------------------------------------------------------------------


def test_a_unit_is_registered_and_its_owners_name_stays_out_of_the_audit_trail(
    estate: World,
) -> None:
    added = act(
        estate,
        "treasurer",
        ADD_UNIT,
        AddUnit(str(estate.trust_id), building="3", room="501", area="95.12", owner_name="赵丽华"),
    )
    assert (added.unit, added.area_dm2) == ("3-501", 9_512)
    assert added.sentence() == "Registered unit 3-501 (95.12 m²)."
    assert added.as_json() == {"id": added.id, "unit": "3-501", "area_dm2": 9_512}
    with estate.ledger.read() as s:
        unit = s.get(PropertyUnit, added.id)
        assert unit is not None and unit.owner_name == "赵丽华"  # kept in the ledger
    who, facts = operations(estate, "property.unit.add")[-1]
    assert who == "treasurer"
    assert facts == {
        "book": str(estate.trust_id),
        "building": "3",
        "room": "501",
        "area": "95.12",
        "unit": "",
        "owner_key": "",
        "household_id": None,
        "unsold": False,
    }
    trail = whole_trail(estate)
    for name in [*OWNERS.values(), "赵丽华"]:
        assert name not in trail
    assert "赵丽华" not in repr(AddUnit("1", "3", "501", "95.12", owner_name="赵丽华"))


def test_the_fee_rate_is_set_by_an_administrator_only(estate: World) -> None:
    rate = act(estate, "admin", SET_FEE_RATE, SetFeeRate(estate.trust_id, 280))
    assert rate.rate_fen_per_m2 == 280
    assert rate.sentence() == "Property fee: CN¥2.80 per m² per month."
    assert rate.as_json() == {"fee_rate_fen_per_m2": 280}
    assert operations(estate, "property.fee_rate.set")[-1] == (
        "admin",
        {"book": estate.trust_id, "rate_fen_per_m2": 280},
    )
    refused(
        estate,
        "treasurer",
        SET_FEE_RATE,
        SetFeeRate(estate.trust_id, 300),
        PermissionDeniedError,
        "may not create or change books",
    )


@pytest.mark.parametrize(
    ("who", "words"),
    [("auditor", "may not manage donors and payees"), ("reviewer", "may not manage donors")],
)
def test_a_role_that_may_not_register_units_is_refused(estate: World, who: str, words: str) -> None:
    refused(
        estate,
        who,
        ADD_UNIT,
        AddUnit(estate.trust_id, building="9", room="1", area="50", owner_name="某人"),
        PermissionDeniedError,
        words,
    )
    assert "某人" not in whole_trail(estate)


# --- billing and collections ---------------------------------------------------------------------


def test_billing_and_collections_settle_the_oldest_bills_and_keep_a_prepayment(
    estate: World,
) -> None:
    book = estate.trust_id
    billed = act(estate, "treasurer", BILL_PERIOD, BillPeriod(book, "2024-01"))
    assert (billed.units, billed.rate_fen_per_m2, billed.billed_fen) == (3, 250, 67_578)
    assert billed.sentence() == (
        f"Billed 2024-01 in {billed.number}: 3 units at CN¥2.50 per m², CN¥675.78 in all."
    )
    assert billed.as_json() == {
        "period": "2024-01",
        "number": billed.number,
        "units": 3,
        "rate_fen_per_m2": 250,
        "billed_fen": 67_578,
        "prepaid_applied_fen": 0,
    }
    # A part payment: 100.00 of 180.88.
    part = act(
        estate, "treasurer", COLLECT_FEES, CollectFees(book, "1-1-102", D(2024, 1, 12), 10_000)
    )
    assert (part.applied_fen, part.prepaid_fen, part.owed_fen) == (10_000, 0, 8_088)
    assert part.settled == (("2024-01", 10_000),)
    assert part.sentence() == (
        f"Received CN¥100.00 from 1-1-102 in {part.number}.\n"
        "  2024-01: CN¥100.00\n"
        "The unit still owes CN¥80.88."
    )
    # 813.00 for a bill of 271.00: 542.00 kept as a prepayment; the unit named by its number.
    with estate.ledger.read() as s:
        number = s.exec(select(PropertyUnit.id).where(col(PropertyUnit.building) == "2")).one()
    over = act(
        estate,
        "treasurer",
        COLLECT_FEES,
        CollectFees(book, number, D(2024, 1, 15), 81_300, "三个月"),
    )
    assert (over.unit, over.applied_fen, over.prepaid_fen, over.owed_fen) == (
        "2-1-101",
        27_100,
        54_200,
        0,
    )
    assert "CN¥542.00 is more than the unit owed and is kept as a prepayment." in over.sentence()
    assert over.as_json() == {
        "number": over.number,
        "unit": "2-1-101",
        "amount_fen": 81_300,
        "applied_fen": 27_100,
        "prepaid_fen": 54_200,
        "settled": [{"period": "2024-01", "fen": 27_100}],
        "owed_fen": 0,
    }
    # February's bill takes 271.00 of the prepayment.
    feb = act(estate, "treasurer", BILL_PERIOD, BillPeriod(book, "2024-02", D(2024, 2, 2)))
    assert feb.prepaid_applied_fen == 27_100
    assert feb.sentence().endswith("\nCN¥271.00 of it was settled from prepayments.")
    b = balances(estate, book)
    assert b["100201"] == 10_000 + 81_300
    assert b["2203"] == -(54_200 - 27_100)  # still prepaid
    assert b["1122"] == 2 * 67_578 - 10_000 - 2 * 27_100  # still owed
    # The audit trail: the requests as asked.
    assert operations(estate, "property.fees.bill") == [
        ("treasurer", {"book": book, "period": "2024-01", "date": None}),
        ("treasurer", {"book": book, "period": "2024-02", "date": "2024-02-02"}),
    ]
    assert operations(estate, "property.fees.collect")[-1] == (
        "treasurer",
        {
            "book": book,
            "unit": number,
            "date": "2024-01-15",
            "amount_fen": 81_300,
            "memo": "三个月",
        },
    )
    assert all(name not in whole_trail(estate) for name in OWNERS.values())


def test_an_auditor_may_neither_bill_nor_collect_and_nothing_is_written(estate: World) -> None:
    book = estate.trust_id
    refused(
        estate,
        "auditor",
        BILL_PERIOD,
        BillPeriod(book, "2024-01"),
        PermissionDeniedError,
        "may not record entries",
    )
    act(estate, "treasurer", BILL_PERIOD, BillPeriod(book, "2024-01"))
    refused(
        estate,
        "auditor",
        COLLECT_FEES,
        CollectFees(book, "1-1-101", D(2024, 1, 10), 22_390),
        PermissionDeniedError,
        "auditor (Auditor (read-only)) may not record entries.",
    )
    refused(
        estate,
        "treasurer",
        COLLECT_FEES,
        CollectFees(book, "9-9-909", D(2024, 1, 10), 100),
        NotFoundError,
        "There is no unit “9-9-909”",
    )


def test_a_wrong_password_is_refused_before_anything_is_written(estate: World) -> None:
    before = snapshot(estate)
    with pytest.raises(PermissionDeniedError, match="Wrong password"):
        run(
            estate.ledger,
            Credentials("treasurer", "not-the-password"),
            BILL_PERIOD,
            BillPeriod(estate.trust_id, "2024-01"),
        )
    assert snapshot(estate) == before


# --- common-part income --------------------------------------------------------------------------


def test_common_part_income_goes_to_the_owners_fund(estate: World) -> None:
    with estate.ledger.write() as s:
        add_counterparty(s, kind="payee", name="停车场承包人", actor=estate.user(s, "treasurer"))
    posted = act(
        estate,
        "treasurer",
        RECORD_INCOME,
        RecordIncome(
            estate.trust_id, "parking", D(2024, 1, 27), 360_000, "1月停车费", "停车场承包人"
        ),
    )
    assert posted.sentence() == f"Posted {posted.number} on 2024-01-27: 1月停车费"
    assert posted.as_json() == {"number": posted.number, "amount_fen": 360_000, "source": "parking"}
    act(
        estate,
        "treasurer",
        RECORD_INCOME,
        RecordIncome(estate.trust_id, "advertising", D(2024, 1, 28), 150_000),
    )
    assert balances(estate, estate.trust_id) == {
        "1002": 510_000,
        "100201": 510_000,
        "4201": -510_000,
        "420101": -360_000,
        "420102": -150_000,
    }
    assert operations(estate, "property.income")[0][1]["payer"] == "停车场承包人"
    refused(
        estate,
        "treasurer",
        RECORD_INCOME,
        RecordIncome(estate.trust_id, "rent", D(2024, 1, 27), 1),
        InvalidInputError,
        "Unknown source of common-part income “rent”",
    )
    refused(
        estate,
        "committee",
        RECORD_INCOME,
        RecordIncome(estate.trust_id, "parking", D(2024, 1, 27), 1),
        PermissionDeniedError,
        "may not record entries",
    )


# --- remuneration and the gift -------------------------------------------------------------------


def test_remuneration_is_fifteen_percent_the_gift_thirty_percent_of_it_and_the_rest_is_paid(
    estate: World,
) -> None:
    """January's basis "collected" 594.90 × 15% = 89.235 → 89.24; the gift 30% of 89.24 =
    26.772 → 26.77 to the micro-fund; the company is then paid the 62.47 still owed."""
    january_and_february(estate)
    with estate.ledger.write() as s:
        add_counterparty(
            s, kind="property_company", name=COMPANY, actor=estate.user(s, "treasurer")
        )
    book = estate.trust_id
    refused(
        estate,
        "auditor",
        POST_REMUNERATION,
        PostRemuneration(book, "2024-01"),
        PermissionDeniedError,
        "may not record entries",
    )
    rem = act(estate, "treasurer", POST_REMUNERATION, PostRemuneration(book, "2024-01"))
    assert (rem.basis, rem.basis_fen, rem.rate_bp, rem.amount_fen) == (
        "collected",
        59_490,
        1500,
        8_924,
    )
    assert rem.sentence() == (
        f"Remuneration for 2024-01 in {rem.number}: CN¥594.90 × 15.00% = CN¥89.24."
    )
    assert rem.as_json() == {
        "period": "2024-01",
        "basis": "collected",
        "basis_fen": 59_490,
        "rate_bp": 1500,
        "amount_fen": 8_924,
        "entry_id": rem.entry_id,
        "number": rem.number,
    }
    with estate.ledger.read() as s:
        entry = s.get(Entry, rem.entry_id)
        assert entry is not None and entry.date == D(2024, 1, 31)
    refused(
        estate,
        "treasurer",
        POST_REMUNERATION,
        PostRemuneration(book, "2024-01"),
        InvalidInputError,
        "The remuneration for 2024-01 has already been posted",
    )

    gift = act(
        estate,
        "treasurer",
        GIFT_REMUNERATION,
        GiftRemuneration(book, "碧鸡桥社区微基金", "2024-01", company=COMPANY),
    )
    assert (gift.amount_fen, gift.from_book, gift.to_book) == (
        2_677,
        "金河绿洲物业",
        "碧鸡桥社区微基金",
    )
    assert gift.sentence() == (
        f"Gift of CN¥26.77 from the 2024-01 remuneration: {gift.from_number} in “金河绿洲物业”, "
        f"{gift.to_number} in “碧鸡桥社区微基金”."
    )
    assert set(gift.as_json()) == {
        "kind",
        "period",
        "amount_fen",
        "from_book",
        "from_number",
        "to_book",
        "to_number",
    }
    assert balances(estate, estate.fund_id) == {"1002": 2_677, "4101": -2_677, "410104": -2_677}
    with estate.ledger.read() as s:
        assert remuneration_owed(s, book_id=book) == 8_924 - 2_677

    paid = act(
        estate, "treasurer", PAY_REMUNERATION, PayRemuneration(book, D(2024, 2, 5), company=COMPANY)
    )
    assert paid.as_json() == {"number": paid.number, "date": "2024-02-05"}
    assert paid.sentence().startswith(f"Posted {paid.number} on 2024-02-05: ")
    with estate.ledger.read() as s:
        assert remuneration_owed(s, book_id=book) == 0
    assert balances(estate, book)["2251"] == 0
    assert operations(estate, "property.remuneration.post") == [
        ("treasurer", {"book": book, "period": "2024-01", "date": None})
    ]
    assert operations(estate, "property.gift") == [
        (
            "treasurer",
            {
                "book": book,
                "to": "碧鸡桥社区微基金",
                "period": "2024-01",
                "date": None,
                "company": COMPANY,
            },
        )
    ]
    assert operations(estate, "property.remuneration.pay") == [
        ("treasurer", {"book": book, "date": "2024-02-05", "amount_fen": None, "company": COMPANY})
    ]


# --- the open budget and spending ----------------------------------------------------------------

LINES = (("cleaning", 100_000), ("facilities", 50_000), ("reserve", 20_000), ("5109", 30_000))


def test_a_budget_is_drafted_and_approved_by_someone_else(world: World) -> None:
    book = world.trust_id
    refused(
        world,
        "auditor",
        CREATE_BUDGET,
        CreateBudget(book, 2024, LINES),
        PermissionDeniedError,
        "may not record entries",
    )
    refused(
        world,
        "treasurer",
        CREATE_BUDGET,
        CreateBudget(book, 2024, (("cleaning", 1), ("cleaning", 2))),
        InvalidInputError,
        "The budget line “cleaning” is given twice.",
    )
    drafted = act(world, "treasurer", CREATE_BUDGET, CreateBudget(book, 2024, LINES))
    assert drafted.sentence() == (
        "Drafted the 2024 budget: 4 lines, CN¥2,000.00 in all. It needs approval."
    )
    assert drafted.as_json() == {"year": 2024, "status": "draft", "lines": 4, "total_fen": 200_000}
    with world.ledger.read() as s:
        assert get_budget(s, book_id=book, year=2024).status == "draft"
    assert operations(world, "property.budget.create") == [
        (
            "treasurer",
            {
                "book": book,
                "year": 2024,
                "lines": [
                    ["cleaning", 100_000],
                    ["facilities", 50_000],
                    ["reserve", 20_000],
                    ["5109", 30_000],
                ],
            },
        )
    ]
    refused(
        world,
        "treasurer2",
        APPROVE_BUDGET,
        ApproveBudget(book, 2024),
        PermissionDeniedError,
        "treasurer2 (Treasurer) may not approve entries",
    )
    approved = act(
        world, "committee", APPROVE_BUDGET, ApproveBudget(book, 2024, "业主大会表决通过")
    )
    assert approved.sentence() == "The 2024 budget is approved."
    assert approved.as_json() == {"year": 2024, "status": "approved"}
    with world.ledger.read() as s:
        budget = get_budget(s, book_id=book, year=2024)
        assert (budget.status, budget.approval_note) == ("approved", "业主大会表决通过")
    assert operations(world, "property.budget.approve") == [
        ("committee", {"book": book, "year": 2024, "note": "业主大会表决通过"})
    ]


def test_spending_beyond_a_line_needs_an_approver_who_proves_their_own_password(
    world: World,
) -> None:
    """Facilities 500.00: a repair of 300.00 fits; another 300.00 would leave −100.00 and
    needs an approver; approved by the reviewer, the line has used 600.00 = 120.00%."""
    book = world.trust_id
    act(world, "treasurer", CREATE_BUDGET, CreateBudget(book, 2024, LINES))
    act(world, "committee", APPROVE_BUDGET, ApproveBudget(book, 2024))
    fits = act(world, "treasurer", SPEND, Spend(book, "5105", D(2024, 2, 25), "门禁检修", 30_000))
    assert fits.sentence() == f"Posted {fits.number} on 2024-02-25: 门禁检修"
    assert fits.as_json() == {"number": fits.number, "amount_fen": 30_000, "line": "5105"}

    def overrun(approver: str | None, password: str | None) -> Spend:
        return Spend(
            book,
            "facilities",
            D(2024, 3, 25),
            "道闸更换",
            30_000,
            approver=approver,
            approver_password=password,
        )

    refused(
        world,
        "treasurer",
        SPEND,
        overrun(None, None),
        PermissionDeniedError,
        "spending beyond the budget needs an approver",
    )
    refused(
        world,
        "treasurer",
        SPEND,
        overrun("reviewer", None),
        PermissionDeniedError,
        "An approval needs the approver reviewer's own password.",
    )
    refused(
        world,
        "treasurer",
        SPEND,
        overrun("reviewer", "guessed"),
        PermissionDeniedError,
        "Wrong password for user “reviewer”.",
    )
    refused(
        world,
        "auditor",
        SPEND,
        overrun("reviewer", TEST_PASSWORD),
        PermissionDeniedError,
        "may not record entries",
    )
    refused(
        world,
        "treasurer",
        SPEND,
        overrun("auditor", TEST_PASSWORD),
        PermissionDeniedError,
        "may not approve entries",
    )
    approved = act(world, "treasurer", SPEND, overrun("reviewer", TEST_PASSWORD))
    assert approved.as_json() == {
        "number": approved.number,
        "amount_fen": 30_000,
        "line": "facilities",
    }
    with world.ledger.read() as s:
        ex = budget_execution(s, book_id=book, year=2024)
        facilities = next(line for line in ex.lines if line.key == "facilities")
        assert (facilities.actual_fen, facilities.remaining_fen, facilities.percent_used) == (
            60_000,
            -10_000,
            "120.00%",
        )
    assert balances(world, book)["5105"] == 60_000
    who, facts = operations(world, "property.spend")[-1]
    assert who == "treasurer"
    assert facts == {
        "book": book,
        "line": "facilities",
        "date": "2024-03-25",
        "memo": "道闸更换",
        "amount_fen": 30_000,
        "payee": None,
        "approver": "reviewer",
    }
    assert TEST_PASSWORD not in whole_trail(world)
    assert TEST_PASSWORD not in repr(overrun("reviewer", TEST_PASSWORD))

"""The operations of village revenue sharing (3331) through the one door: the exit schedule set
from a curve or one year changed, households added and their holdings changed, a period's
profit distributed — the figures a treasurer relies on (the investor's share, 3:3:3:1 parts
adding up to the fen, dividends by shares, per capita by members), the sentence and the JSON
the front ends show, roles without the right refused with nothing written, and an "operation"
event in the audit trail with the request's facts but never a head's name or a password."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Any

import pytest
from sqlalchemy import MetaData
from sqlalchemy import select as sa_select
from sqlmodel import col, func, select

from ledger.errors import InvalidInputError, PermissionDeniedError
from ledger.models import (
    AuditEvent,
    Distribution,
    DistributionShare,
    Entry,
    ExitSchedule,
    ExitScheduleYear,
    Household,
    Posting,
)
from ledger.money import format_fen
from ledger.operations import Credentials, Operation, run
from ledger.operations.village import (
    ADD_VILLAGE_HOUSEHOLD,
    DISTRIBUTE,
    SET_EXIT_SCHEDULE,
    SET_HOUSEHOLD_HOLDING,
    SET_SCHEDULE_YEAR,
    AddVillageHousehold,
    Distribute,
    SetExitSchedule,
    SetHouseholdHolding,
    SetScheduleYear,
)
from ledger.services.sharing import village_households
from tests.conftest import TEST_PASSWORD, World

D = dt.date
HEAD = "张德明"
HOUSEHOLDS = [("一组01户", 10, 3), ("一组02户", 20, 4), ("一组03户", 30, 5)]


def as_user(name: str, password: str = TEST_PASSWORD) -> Credentials:
    return Credentials(name, password)


@pytest.fixture
def village(world: World) -> World:
    """全兴村 with the default 70%→0% schedule from 2022-01-01 and three households holding
    10/20/30 shares and 3/4/5 members (the first with a head's name), all made through the
    operations by the treasurer."""
    treasurer = as_user("treasurer")
    run(
        world.ledger,
        treasurer,
        SET_EXIT_SCHEDULE,
        SetExitSchedule(world.village_id, start=D(2022, 1, 1)),
    )
    for i, (label, shares, members) in enumerate(HOUSEHOLDS):
        request = AddVillageHousehold(
            world.village_id, label, shares, members, head_name=HEAD if i == 0 else ""
        )
        run(world.ledger, treasurer, ADD_VILLAGE_HOUSEHOLD, request)
    return world


def operation_events(world: World, name: str) -> list[tuple[str, dict[str, Any]]]:
    """The "operation" events of the audit trail for ``name``: who, and the request's facts."""
    with world.ledger.read() as s:
        events = s.exec(
            select(AuditEvent)
            .where(col(AuditEvent.action) == "operation", col(AuditEvent.object_type) == name)
            .order_by(col(AuditEvent.seq))
        ).all()
        users = {u.id: u.username for u in (world.user(s, n) for n in ("treasurer", "admin"))}
        return [(users.get(e.actor_id, str(e.actor_id)), json.loads(e.detail)) for e in events]


def stored_text(world: World, *, leaving_out: tuple[str, str] | None = None) -> str:
    """Every row of every table as text (one column may be left out: where a value belongs)."""
    parts: list[str] = []
    with world.ledger.read() as s:
        conn = s.connection()
        meta = MetaData()
        meta.reflect(conn)
        for table in meta.sorted_tables:
            columns = [
                c
                for c in table.columns
                if leaving_out is None or (table.name, c.name) != leaving_out
            ]
            parts.extend(str(tuple(row)) for row in conn.execute(sa_select(*columns)))
    return "\n".join(parts)


def counts(world: World) -> dict[str, int]:
    with world.ledger.read() as s:
        return {
            model.__name__: s.exec(select(func.count()).select_from(model)).one()
            for model in (
                Entry,
                Posting,
                Distribution,
                DistributionShare,
                ExitSchedule,
                ExitScheduleYear,
                Household,
                AuditEvent,
            )
        }


# --- the exit schedule --------------------------------------------------------------------------


def test_the_schedule_is_set_from_a_curve_and_one_year_changed(world: World) -> None:
    """70% in year 1 falling by 3.5 points a year: year 3 is 63%; year 5 changed to 50%; set
    again without a start, it keeps the contract's start."""
    treasurer = as_user("treasurer")
    done = run(
        world.ledger,
        treasurer,
        SET_EXIT_SCHEDULE,
        SetExitSchedule(world.village_id, start=D(2022, 1, 1), note="合同第5条"),
    )
    assert done.sentence() == (
        "Capital-exit schedule of “全兴村”: contract from 2022-01-01, 20 years (合同第5条)"
    )
    data = done.as_json()
    assert (data["contract_start"], data["years"], data["note"]) == ("2022-01-01", 20, "合同第5条")
    assert [r["investor_bp"] for r in data["rows"][:3]] == [7000, 6650, 6300]
    assert data["rows"][2] == {
        "contract_year": 3,
        "from": "2024-01-01",
        "to": "2024-12-31",
        "investor_bp": 6300,
        "used_by": [],
    }

    changed = run(
        world.ledger, treasurer, SET_SCHEDULE_YEAR, SetScheduleYear(world.village_id, 5, 5000)
    )
    assert [r.investor_bp for r in changed.view.rows[3:6]] == [5950, 5000, 5250]

    again = run(
        world.ledger,
        treasurer,
        SET_EXIT_SCHEDULE,
        SetExitSchedule(str(world.village_id), start_bp=5000, years=10),
    )
    assert again.view.contract_start == D(2022, 1, 1)
    assert [r.investor_bp for r in again.view.rows] == [5000 * (11 - y) // 10 for y in range(1, 11)]

    assert operation_events(world, "village.schedule.set") == [
        (
            "treasurer",
            {
                "book": world.village_id,
                "start": "2022-01-01",
                "start_bp": 7000,
                "end_bp": 0,
                "years": 20,
                "curve": "linear",
                "step_years": None,
                "note": "合同第5条",
            },
        ),
        (
            "treasurer",
            {
                "book": str(world.village_id),
                "start": None,
                "start_bp": 5000,
                "end_bp": 0,
                "years": 10,
                "curve": "linear",
                "step_years": None,
                "note": "",
            },
        ),
    ]
    assert operation_events(world, "village.schedule.set_year") == [
        ("treasurer", {"book": world.village_id, "year": 5, "investor_bp": 5000})
    ]


def test_a_schedule_without_a_start_needs_one(world: World) -> None:
    before = counts(world)
    with pytest.raises(InvalidInputError, match="Say when the investor's contract started"):
        run(
            world.ledger,
            as_user("treasurer"),
            SET_EXIT_SCHEDULE,
            SetExitSchedule(world.village_id),
        )
    assert counts(world) == before


# --- households ---------------------------------------------------------------------------------


def test_households_are_added_and_changed_and_the_heads_name_stays_private(
    village: World,
) -> None:
    world = village
    with world.ledger.read() as s:
        households = village_households(s, book_id=world.village_id)
        assert [(h.label, h.shares, h.members) for h in households] == HOUSEHOLDS
        assert households[0].head_name == HEAD
        first = households[0].id or 0

    added = run(
        world.ledger,
        as_user("admin"),
        ADD_VILLAGE_HOUSEHOLD,
        AddVillageHousehold(world.village_id, "二组01户", 5, 2, head_name="王秀英"),
    )
    assert added.sentence() == (
        f"Added household {added.household.id} “二组01户” to “全兴村”: 5 shares, 2 members."
    )
    assert added.as_json() == {
        "id": added.household.id,
        "label": "二组01户",
        "shares": 5,
        "members": 2,
    }
    assert "王秀英" not in repr(AddVillageHousehold(1, "x", head_name="王秀英"))

    changed = run(
        world.ledger,
        as_user("treasurer"),
        SET_HOUSEHOLD_HOLDING,
        SetHouseholdHolding(world.village_id, "一组01户", shares=11),
    )
    assert changed.sentence() == f"Household {first} “一组01户” now has 11 shares and 3 members."
    assert changed.as_json() == {"id": first, "label": "一组01户", "shares": 11, "members": 3}
    by_number = run(
        world.ledger,
        as_user("treasurer"),
        SET_HOUSEHOLD_HOLDING,
        SetHouseholdHolding(world.village_id, first, members=4),
    )
    assert (by_number.household.shares, by_number.household.members) == (11, 4)

    adds = operation_events(world, "village.household.add")
    assert [who for who, _facts in adds] == ["treasurer"] * 3 + ["admin"]
    assert adds[0][1] == {"book": world.village_id, "label": "一组01户", "shares": 10, "members": 3}
    assert all("head_name" not in facts for _who, facts in adds)
    assert operation_events(world, "village.household.set") == [
        (
            "treasurer",
            {"book": world.village_id, "household": "一组01户", "shares": 11, "members": None},
        ),
        ("treasurer", {"book": world.village_id, "household": first, "shares": None, "members": 4}),
    ]
    # The heads' names are in the households' rows and nowhere else in the ledger.
    text = stored_text(world, leaving_out=("household", "head_name"))
    assert HEAD not in text and "王秀英" not in text


def test_a_change_must_say_what_changes(village: World) -> None:
    before = counts(village)
    with pytest.raises(InvalidInputError, match="Say what changes"):
        run(
            village.ledger,
            as_user("treasurer"),
            SET_HOUSEHOLD_HOLDING,
            SetHouseholdHolding(village.village_id, "一组01户"),
        )
    assert counts(village) == before


# --- distribution -------------------------------------------------------------------------------


def test_a_distribution_takes_the_investors_share_then_3331_by_shares_and_members(
    village: World,
) -> None:
    """¥600,000.00 of 2024, contract year 3: investor 63% = ¥378,000.00; the collective's 37%
    = ¥222,000.00 split 3:3:3:1; dividends 1:2:3 by shares, per capita 3:4:5 by members. The
    committee approves with their own password, which is written nowhere."""
    world = village
    done = run(
        world.ledger,
        as_user("treasurer"),
        DISTRIBUTE,
        Distribute(
            world.village_id,
            "2024",
            profit_fen=60_000_000,
            approver="committee",
            approver_password=TEST_PASSWORD,
        ),
    )
    report = done.report
    assert (report.date, report.contract_year, report.investor_bp) == (D(2024, 12, 31), 3, 6300)
    assert (report.investor_fen, report.collective_fen) == (37_800_000, 22_200_000)
    assert report.parts == {
        "shareholders": 6_660_000,
        "public_welfare": 6_660_000,
        "project_reserve": 6_660_000,
        "per_capita": 2_220_000,
    }
    assert [(h.label, h.dividend_fen, h.per_capita_fen) for h in report.households] == [
        ("一组01户", 1_110_000, 555_000),
        ("一组02户", 2_220_000, 740_000),
        ("一组03户", 3_330_000, 925_000),
    ]
    assert done.sentence() == (
        f"3 households share {format_fen(6_660_000)} in dividends and "
        f"{format_fen(2_220_000)} per capita."
    )
    data = done.as_json()
    assert (data["period"], data["entry"], data["profit_fen"]) == (
        "2024",
        "记-2024-0001",
        60_000_000,
    )
    assert [(p["part"], p["weight"], p["account"], p["amount_fen"]) for p in data["parts"]] == [
        ("shareholders", 3, "330102", 6_660_000),
        ("public_welfare", 3, "330103", 6_660_000),
        ("project_reserve", 3, "330104", 6_660_000),
        ("per_capita", 1, "330105", 2_220_000),
    ]
    assert [h["total_fen"] for h in data["households"]] == [1_665_000, 2_960_000, 4_255_000]
    with world.ledger.read() as s:
        entry = s.exec(select(Entry).where(col(Entry.book_id) == world.village_id)).one()
        assert entry.approved_by_id == world.user(s, "committee").id

    assert operation_events(world, "village.distribute") == [
        (
            "treasurer",
            {
                "book": world.village_id,
                "period": "2024",
                "date": None,
                "profit_fen": 60_000_000,
                "weights": [3, 3, 3, 1],
                "approver": "committee",
            },
        )
    ]
    assert TEST_PASSWORD not in stored_text(world)
    assert TEST_PASSWORD not in repr(
        Distribute(1, "2024", approver="committee", approver_password=TEST_PASSWORD)
    )


def test_every_fen_of_an_awkward_profit_is_assigned(village: World) -> None:
    """¥1,000.01 of 2030 (contract year 9, investor 42%) split 2:1:1:3: the parts add up to
    the collective's part, the investor's and the collective's to the profit, the dividends to
    the shareholders' part and the per-capita lines to the per-capita part, to the fen."""
    world = village
    report = run(
        world.ledger,
        as_user("treasurer"),
        DISTRIBUTE,
        Distribute(world.village_id, "2030", D(2031, 1, 15), 100_001, (2, 1, 1, 3)),
    ).report
    assert (report.contract_year, report.investor_bp, report.date) == (9, 4200, D(2031, 1, 15))
    assert report.investor_fen + report.collective_fen == 100_001
    assert sum(report.parts.values()) == report.collective_fen
    assert sum(h.dividend_fen for h in report.households) == report.parts["shareholders"]
    assert sum(h.per_capita_fen for h in report.households) == report.parts["per_capita"]
    # Dividends follow the shares 10:20:30 (within the fen left over by rounding).
    first, second, third = (h.dividend_fen for h in report.households)
    assert abs(second - 2 * first) <= 2 and abs(third - 3 * first) <= 3


def test_without_a_profit_the_books_own_is_distributed_and_a_zero_is_refused(
    village: World,
) -> None:
    before = counts(village)
    with pytest.raises(InvalidInputError, match="a loss or zero profit"):
        run(
            village.ledger, as_user("treasurer"), DISTRIBUTE, Distribute(village.village_id, "2024")
        )
    assert counts(village) == before


def test_an_approver_with_a_wrong_password_is_refused_and_nothing_is_written(
    village: World,
) -> None:
    before = counts(village)
    with pytest.raises(PermissionDeniedError):
        run(
            village.ledger,
            as_user("treasurer"),
            DISTRIBUTE,
            Distribute(
                village.village_id,
                "2024",
                profit_fen=60_000_000,
                approver="committee",
                approver_password="not-the-password",
            ),
        )
    assert counts(village) == before


def test_performed_in_the_callers_transaction(village: World) -> None:
    world = village
    with world.ledger.write() as s:
        done = DISTRIBUTE.perform(
            s,
            world.user(s, "treasurer"),
            Distribute(world.village_id, "2024", profit_fen=60_000_000, weights=(1, 1, 1, 1)),
        )
        assert s.exec(select(func.count()).select_from(Distribution)).one() == 1
    assert done.report.parts["per_capita"] == 5_550_000


# --- who may ------------------------------------------------------------------------------------

REFUSED: list[tuple[str, Operation[Any, Any], Any]] = [
    ("auditor", SET_EXIT_SCHEDULE, SetExitSchedule(0, start=D(2022, 1, 1))),
    ("reviewer", SET_SCHEDULE_YEAR, SetScheduleYear(0, 5, 5000)),
    ("committee", ADD_VILLAGE_HOUSEHOLD, AddVillageHousehold(0, "二组01户", 5, 2, HEAD)),
    ("auditor", ADD_VILLAGE_HOUSEHOLD, AddVillageHousehold(0, "二组01户", 5, 2, HEAD)),
    ("reviewer", SET_HOUSEHOLD_HOLDING, SetHouseholdHolding(0, "一组01户", shares=99)),
    ("auditor", DISTRIBUTE, Distribute(0, "2024", profit_fen=60_000_000)),
    ("committee", DISTRIBUTE, Distribute(0, "2024", profit_fen=60_000_000)),
]


@pytest.mark.parametrize(
    ("role", "operation", "request_"),
    REFUSED,
    ids=[f"{role}-{op.name}" for role, op, _r in REFUSED],
)
def test_a_role_without_the_right_is_refused_and_nothing_is_written(
    village: World, role: str, operation: Operation[Any, Any], request_: Any
) -> None:
    request = dataclasses.replace(request_, book=village.village_id)
    before = counts(village)
    with pytest.raises(PermissionDeniedError, match="may not"):
        run(village.ledger, as_user(role), operation, request)
    assert counts(village) == before

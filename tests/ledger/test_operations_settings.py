"""A book's settings through the one door (``ledger.operations.run``): an administrator
changes one — typed the way it is shown (money, percentages) — and the services use it at
once; anyone else is refused; a bad key or value gives one clear message; nothing is written
when anything refuses, and the audit trail says who changed what from what to what."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from sqlalchemy import select as sa_select
from sqlmodel import SQLModel, col, select

from ledger import i18n
from ledger.domain import BookKind
from ledger.errors import GongzhangError
from ledger.models import AuditEvent
from ledger.operations import Credentials, run
from ledger.operations.microfund import (
    RECORD_DONATION,
    RECORD_EXPENSE,
    RecordDonation,
    RecordExpense,
)
from ledger.operations.settings import CHANGE_SETTING, ChangeSetting, SettingChanged
from ledger.services.settings import SETTINGS, book_settings, get_int, get_text
from ledger.verify import verify_ledger
from tests.conftest import TEST_PASSWORD, World

D = dt.date


def change(world: World, user: str, key: str, value: str, book: str | int | None = None) -> Any:
    request = ChangeSetting(book if book is not None else world.fund_id, key, value)
    return run(world.ledger, Credentials(user, TEST_PASSWORD), CHANGE_SETTING, request)


def dump(world: World) -> dict[str, list[tuple[Any, ...]]]:
    with world.ledger.read() as s:
        conn = s.connection()
        return {
            table.name: sorted((tuple(row) for row in conn.execute(sa_select(table))), key=repr)
            for table in SQLModel.metadata.sorted_tables
        }


def refused(world: World, user: str, key: str, value: str, book: int | str | None = None) -> str:
    """The refusal's message; every row of every table is as it was."""
    before = dump(world)
    with pytest.raises(GongzhangError) as caught:
        change(world, user, key, value, book=book)
    assert dump(world) == before
    return str(caught.value)


def events(world: World, action: str) -> list[dict[str, Any]]:
    with world.ledger.read() as s:
        details = s.exec(
            select(AuditEvent.detail)
            .where(col(AuditEvent.action) == action)
            .order_by(col(AuditEvent.seq))
        ).all()
    return [json.loads(d) for d in details]


def test_an_administrator_raises_the_threshold_and_a_smaller_expense_posts_at_once(
    world: World,
) -> None:
    run(
        world.ledger,
        Credentials("treasurer", TEST_PASSWORD),
        RECORD_DONATION,
        RecordDonation(
            book=str(world.fund_id),
            date=D(2024, 9, 10),
            source="merchant",
            amount_fen=500_000,
            new_donor="天马镇好又多超市",
            new_donor_kind="merchant",
        ),
    )
    changed = change(world, "admin", "approval_threshold_fen", "2,000.00")
    assert isinstance(changed, SettingChanged)
    assert (changed.before, changed.after) == (100_000, 200_000)
    assert changed.sentence() == (
        "“碧鸡桥社区微基金”: expenses needing approval, from changed from CN¥1,000.00 to "
        "CN¥2,000.00."
    )
    assert changed.as_json() == {
        "book": "碧鸡桥社区微基金",
        "key": "approval_threshold_fen",
        "label": "expenses needing approval, from",
        "before": 100_000,
        "after": 200_000,
    }
    with world.ledger.read() as s:
        assert get_int(s, world.fund_id, "approval_threshold_fen") == 200_000
    # ¥1,500 was at or above the old threshold; now it posts with no approver.
    spent = run(
        world.ledger,
        Credentials("treasurer", TEST_PASSWORD),
        RECORD_EXPENSE,
        RecordExpense(
            book=str(world.fund_id),
            date=D(2024, 10, 18),
            category="activity",
            amount_fen=150_000,
            memo="重阳宴：食材",
        ),
    )
    assert spent.as_json()["status"] == "posted"
    assert events(world, "setting.changed")[-1] == {
        "book": world.fund_id,
        "key": "approval_threshold_fen",
        "from": None,
        "to": "200000",
    }
    operation = [e for e in events(world, "operation") if e.get("key") == "approval_threshold_fen"]
    assert operation == [
        {"book": world.fund_id, "key": "approval_threshold_fen", "value": "2,000.00"}
    ]
    with world.ledger.read() as s:
        assert verify_ledger(s) == []


def test_rates_are_typed_as_percentages_or_basis_points_and_choices_by_value(
    world: World,
) -> None:
    assert change(world, "admin", "gift_share_bp", "25.5%", book="金河绿洲物业").after == 2550
    assert change(world, "admin", "remuneration_rate_bp", "1200", book=world.trust_id).after == 1200
    changed = change(world, "admin", "remuneration_basis", "billed", book=world.trust_id)
    assert (changed.before, changed.after) == ("collected", "billed")
    assert change(world, "admin", "approvals_required", "3").sentence().endswith("from 2 to 3.")
    with world.ledger.read() as s:
        assert get_int(s, world.trust_id, "gift_share_bp") == 2550
        assert get_text(s, world.trust_id, "remuneration_basis") == "billed"
        rows = {r.key: r for r in book_settings(s, world.trust_id)}
        assert list(rows) == [k for k in SETTINGS if k != "approvals_required"]
        assert (rows["gift_share_bp"].value, rows["gift_share_bp"].default) == ("25.50%", "30.00%")
        assert not rows["gift_share_bp"].is_default
        assert rows["approval_threshold_fen"].value == "CN¥1,000.00"
        assert rows["approval_threshold_fen"].is_default
        assert rows["remuneration_basis"].value == "fees billed"
        # A choice is typed by its value or by its name as shown.
        assert verify_ledger(s) == []
    changed = change(world, "admin", "remuneration_basis", "fees collected", book=world.trust_id)
    assert (changed.before, changed.after) == ("billed", "collected")


def test_each_book_has_the_settings_of_its_kind_and_no_other(world: World) -> None:
    """The remuneration is a trust-property book's; the number of approvers of an expense is
    the micro-fund's; the approval threshold of a manual entry is every book's."""
    with world.ledger.read() as s:
        assert [r.key for r in book_settings(s, world.fund_id)] == [
            "approval_threshold_fen",
            "approvals_required",
        ]
        assert [r.key for r in book_settings(s, world.village_id)] == ["approval_threshold_fen"]
        assert [r.key for r in book_settings(s, world.trust_id)] == [
            "approval_threshold_fen",
            "remuneration_rate_bp",
            "remuneration_basis",
            "gift_share_bp",
            "fee_rate_fen_per_m2",
        ]
    says = refused(world, "admin", "remuneration_rate_bp", "30%", book=world.fund_id)
    assert says == (
        "“remuneration rate” is not a setting of a Community micro-fund book; its settings "
        "are: approval_threshold_fen, approvals_required."
    )
    says = refused(world, "admin", "approvals_required", "3", book=world.village_id)
    assert "is not a setting of a" in says and "approval_threshold_fen." in says


def test_only_an_administrator_changes_a_setting(world: World) -> None:
    for user in ("treasurer", "reviewer", "committee", "auditor"):
        assert "may not" in refused(world, user, "approval_threshold_fen", "5.00")
    with world.ledger.read() as s:
        assert get_int(s, world.fund_id, "approval_threshold_fen") == 100_000


@pytest.mark.parametrize(
    ("key", "value", "says"),
    [
        ("no_such_setting", "1", "Unknown setting “no_such_setting”"),
        ("approvals_required", "0", "must be between 1 and 9; got 0"),
        ("approvals_required", "10", "must be between 1 and 9; got 10"),
        ("approvals_required", "two", "must be a whole number; got “two”"),
        ("approval_threshold_fen", "lots", "is not an amount of money"),
        ("approval_threshold_fen", "-1", "must be at least CN¥0.00; got -CN¥1.00"),
        ("gift_share_bp", "120%", "must be between 0.00% and 100.00%; got 120.00%"),
        ("gift_share_bp", "1.234%", "must be a percentage such as 15.5%"),
        (
            "remuneration_basis",
            "whatever",
            "must be one of: collected (fees collected), billed (fees billed)",
        ),
    ],
)
def test_a_bad_key_or_value_gives_one_message_and_changes_nothing(
    world: World, key: str, value: str, says: str
) -> None:
    trust_only = {k for k, d in SETTINGS.items() if d.kinds == (BookKind.TRUST_PROPERTY,)}
    book = world.trust_id if key in trust_only else world.fund_id
    assert says in refused(world, "admin", key, value, book=book)
    with world.ledger.read() as s:
        assert verify_ledger(s) == []


def test_the_outcome_speaks_chinese(world: World) -> None:
    changed = change(world, "admin", "gift_share_bp", "20%", book=world.trust_id)
    i18n.set_language("zh")
    assert (
        changed.sentence() == "“金河绿洲物业”：酬金捐赠给社区微基金的比例已由 30.00% 改为 20.00%。"
    )

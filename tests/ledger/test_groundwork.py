"""Book settings, households, donors and payees, and name masking."""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from ledger.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from ledger.models import AuditEvent
from ledger.rules.privacy import mask_name
from ledger.services.counterparties import add_counterparty, display_name, find_counterparty
from ledger.services.households import add_household, find_household, list_households
from ledger.services.settings import get_int, get_text, set_setting
from tests.conftest import World


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张晓明", "张*明"),
        ("李娜", "李*"),
        ("欧阳娜娜", "欧**娜"),
        ("王", "*"),
        ("Li Wei", "L* W**"),
        ("  陈建国 ", "陈*国"),
    ],
)
def test_people_are_masked_as_on_a_notice_board(name: str, masked: str) -> None:
    assert mask_name(name, is_individual=True) == masked


def test_organisations_are_shown_in_full() -> None:
    assert mask_name("天马镇好又多超市", is_individual=False) == "天马镇好又多超市"


def test_settings_have_defaults_and_refuse_bad_values(world: World) -> None:
    with world.ledger.write() as s:
        assert get_int(s, world.trust_id, "remuneration_rate_bp") == 1500
        assert get_text(s, world.trust_id, "remuneration_basis") == "collected"
        set_setting(
            s,
            book_id=world.trust_id,
            key="remuneration_rate_bp",
            value="1200",
            actor=world.user(s, "admin"),
        )
        assert get_int(s, world.trust_id, "remuneration_rate_bp") == 1200
        assert get_int(s, world.fund_id, "remuneration_rate_bp") == 1500  # per book
    for key, value, words in [
        ("remuneration_rate_bp", "12.5", "whole number"),
        ("remuneration_rate_bp", 10_001, "between 0.00% and 100.00%; got 100.01%"),
        ("approvals_required", 0, "not a setting of a Trust-style property service book"),
        ("remuneration_basis", "promised", "one of: collected .fees collected., billed"),
        ("colour", 1, "Unknown setting"),
    ]:
        with pytest.raises(InvalidInputError, match=words):
            with world.ledger.write() as s:
                set_setting(
                    s, book_id=world.trust_id, key=key, value=value, actor=world.user(s, "admin")
                )
    with pytest.raises(PermissionDeniedError):
        with world.ledger.write() as s:
            set_setting(
                s,
                book_id=world.trust_id,
                key="gift_share_bp",
                value=5000,
                actor=world.user(s, "treasurer"),
            )
    with world.ledger.read() as s:
        changes = s.exec(
            select(AuditEvent).where(col(AuditEvent.action) == "setting.changed")
        ).all()
        assert (
            len(changes) == 1
            and '"from": null' in changes[0].detail
            and '"1200"' in changes[0].detail
        )


def test_households_and_counterparties(world: World) -> None:
    with world.ledger.write() as s:
        treasurer = world.user(s, "treasurer")
        add_household(s, label="3组12号", head_name="张晓明", members=4, shares=10, actor=treasurer)
        donor = add_counterparty(
            s, kind="volunteer", name="张晓明", contact="139 0000 0000", actor=treasurer
        )
        shop = add_counterparty(s, kind="merchant", name="好又多超市", actor=treasurer)
        assert display_name(donor) == "张*明" and display_name(shop) == "好又多超市"
        assert find_counterparty(s, "好又多超市").id == shop.id
        assert find_household(s, "3组12号").members == 4
        assert [h.label for h in list_households(s)] == ["3组12号"]
    bad = [
        (lambda s, a: add_household(s, label="3组12号", actor=a), "already a household"),
        (lambda s, a: add_household(s, label=" ", actor=a), "label of 1 to 100"),
        (lambda s, a: add_household(s, label="x", members=-1, actor=a), "members"),
        (lambda s, a: add_counterparty(s, kind="alien", name="x", actor=a), "Unknown kind"),
        (lambda s, a: find_household(s, "9组"), "no household"),
    ]
    for call, words in bad:
        with pytest.raises((InvalidInputError, NotFoundError), match=words):
            with world.ledger.write() as s:
                call(s, world.user(s, "treasurer"))
    with pytest.raises(PermissionDeniedError):
        with world.ledger.write() as s:
            add_counterparty(s, kind="merchant", name="x", actor=world.user(s, "auditor"))
    with world.ledger.read() as s:
        # the audit trail keeps the masked name, never the contact
        event = s.exec(
            select(AuditEvent).where(col(AuditEvent.action) == "counterparty.added")
        ).first()
        assert event is not None and "张*明" in event.detail and "139" not in event.detail


def test_the_documented_examples_hold() -> None:
    import doctest

    import ledger.rules.privacy

    assert doctest.testmod(ledger.rules.privacy).failed == 0

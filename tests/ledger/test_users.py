"""Users, roles and passwords."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest
from sqlmodel import select

from ledger import signing
from ledger.access import PERMISSIONS, Action, may
from ledger.domain import Role
from ledger.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from ledger.models import AppUser, AuditEvent, Expense
from ledger.services import users
from ledger.services.counterparties import add_counterparty
from ledger.services.households import add_household
from ledger.services.users import (
    authenticate,
    check_password,
    create_user,
    get_user,
    hash_password,
)
from ledger.verify import verify_ledger
from tests.conftest import TEST_PASSWORD, World


def test_password_hash_is_salted_scrypt_and_checks() -> None:
    first, second = hash_password("correct horse"), hash_password("correct horse")
    assert first.startswith(f"scrypt${users.SCRYPT_N}$8$1$")  # the cost is stored with the hash
    assert first != second  # salted
    assert check_password("correct horse", first)
    assert not check_password("wrong horse", first)
    assert not check_password("anything", "garbage")
    # Tests lower the cost (tests/conftest.py); the program's own is scrypt's recommended 2**15.
    shown = subprocess.run(
        [sys.executable, "-c", "from ledger.services import users; print(users.SCRYPT_N)"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert shown.stdout.strip() == "32768"


def test_first_user_must_be_an_admin_and_later_ones_need_one(ledger_target: str) -> None:
    from ledger.db import open_ledger

    with open_ledger(ledger_target, create=True) as ledger:
        with pytest.raises(InvalidInputError, match="first user .* must be an administrator"):
            with ledger.write() as s:
                create_user(
                    s, username="li", role=Role.TREASURER, password="gongzhang-demo", actor=None
                )
        with ledger.write() as s:
            admin = create_user(
                s, username="admin", role=Role.ADMIN, password="gongzhang-demo", actor=None
            )
            create_user(s, username="li", role=Role.TREASURER, password="s3cret-pass", actor=admin)
        with pytest.raises(PermissionDeniedError, match="Only an administrator"):
            with ledger.write() as s:
                create_user(
                    s, username="zhang", role=Role.ADMIN, password="gongzhang-demo", actor=None
                )
        with ledger.read() as s:
            assert authenticate(s, "li", "s3cret-pass").role == "treasurer"
            with pytest.raises(PermissionDeniedError, match="Wrong password"):
                authenticate(s, "li", "nope")
            with pytest.raises(PermissionDeniedError, match="Wrong password"):
                authenticate(s, "li", None)


@pytest.mark.parametrize(
    ("username", "role", "password", "words"),
    [
        ("", "treasurer", None, "1 to 64 characters"),
        ("two words", "treasurer", None, "no spaces"),
        ("ok", "boss", None, "Unknown role “boss”"),
        ("ok", "treasurer", "short", "at least 8 characters"),
        ("treasurer", "treasurer", None, "already a user called “treasurer”"),
    ],
)
def test_bad_user_details_are_refused(
    world: World, username: str, role: str, password: str | None, words: str
) -> None:
    with pytest.raises(InvalidInputError, match=words):
        with world.ledger.write() as s:
            create_user(
                s, username=username, role=role, password=password, actor=world.user(s, "admin")
            )


def test_only_admins_manage_users(world: World) -> None:
    with pytest.raises(PermissionDeniedError, match="may not manage users"):
        with world.ledger.write() as s:
            create_user(
                s,
                username="new",
                role=Role.AUDITOR,
                password="gongzhang-demo",
                actor=world.user(s, "treasurer"),
            )


def test_the_auditor_may_do_nothing_that_changes_the_books() -> None:
    assert not any(may(Role.AUDITOR, action) for action in Action)
    assert all(Role.ADMIN in roles for roles in PERMISSIONS.values())
    assert set(PERMISSIONS) == set(Action)


def test_a_new_user_needs_a_password_and_nothing_is_made_without_one(world: World) -> None:
    with pytest.raises(InvalidInputError, match="needs a password"):
        with world.ledger.write() as s:
            create_user(s, username="new", role=Role.AUDITOR, actor=world.user(s, "admin"))
    with world.ledger.read() as s, pytest.raises(NotFoundError):
        get_user(s, "new")


def _password_of(world: World, name: str) -> tuple[str | None, str | None]:
    with world.ledger.read() as s:
        user = get_user(s, name)
        return user.password_hash, user.public_key


def test_a_user_changes_their_password_and_keeps_their_signing_key(world: World) -> None:
    before = _password_of(world, "treasurer")
    with pytest.raises(PermissionDeniedError, match="Wrong password for user “treasurer”"):
        with world.ledger.write() as s:
            users.change_password(s, get_user(s, "treasurer"), "not-my-password", "brand-new-pw")
    assert _password_of(world, "treasurer") == before  # nothing changed
    with pytest.raises(InvalidInputError, match="at least 8 characters"):
        with world.ledger.write() as s:
            users.change_password(s, get_user(s, "treasurer"), TEST_PASSWORD, "short")
    assert _password_of(world, "treasurer") == before
    with world.ledger.write() as s:
        users.change_password(s, get_user(s, "treasurer"), TEST_PASSWORD, "brand-new-pw")
    after = _password_of(world, "treasurer")
    assert after[0] != before[0] and after[1] == before[1]  # same key, sealed anew
    with world.ledger.read() as s:
        assert authenticate(s, "treasurer", "brand-new-pw").username == "treasurer"
        with pytest.raises(PermissionDeniedError, match="Wrong password"):
            authenticate(s, "treasurer", TEST_PASSWORD)
        assert verify_ledger(s) == []  # the change is signed by the user themselves


def test_an_administrator_resets_a_forgotten_password_with_a_new_key(world: World) -> None:
    before = _password_of(world, "treasurer")
    with pytest.raises(PermissionDeniedError, match="may not manage users"):
        with world.ledger.write() as s:
            users.reset_password(s, get_user(s, "reviewer"), "treasurer", "reset-by-reviewer")
    assert _password_of(world, "treasurer") == before
    with world.ledger.write() as s:
        users.reset_password(s, get_user(s, "admin"), "treasurer", "reset-by-admin")
    after = _password_of(world, "treasurer")
    assert after[0] != before[0] and after[1] != before[1]  # the old key cannot be opened
    with world.ledger.read() as s:
        authenticate(s, "treasurer", "reset-by-admin")
        with pytest.raises(PermissionDeniedError):
            authenticate(s, "treasurer", TEST_PASSWORD)
        assert verify_ledger(s) == []


def test_a_disabled_user_cannot_sign_in_and_an_admin_stays(world: World) -> None:
    with pytest.raises(InvalidInputError, match="cannot disable yourself"):
        with world.ledger.write() as s:
            users.disable_user(s, get_user(s, "admin"), "admin")
    with world.ledger.write() as s:
        users.create_user(
            s,
            username="admin2",
            role=Role.ADMIN,
            password=TEST_PASSWORD,
            actor=get_user(s, "admin"),
        )
    with world.ledger.write() as s:
        users.disable_user(s, get_user(s, "admin2"), "admin")
    with pytest.raises(InvalidInputError, match="cannot disable yourself"):
        with world.ledger.write() as s:  # the only administrator left cannot go either
            users.disable_user(s, get_user(s, "admin2"), "admin2")
    with world.ledger.write() as s:
        users.disable_user(s, get_user(s, "admin2"), "treasurer")
    with world.ledger.read() as s:
        for name in ("admin", "treasurer"):
            with pytest.raises(NotFoundError, match=f"no user called “{name}”"):
                authenticate(s, name, TEST_PASSWORD)
        assert [u.username for u in users.list_users(s)] == [
            "reviewer", "committee", "auditor", "treasurer2", "admin2"
        ]  # fmt: skip


def test_the_audit_trail_holds_no_password_hash_key_or_private_value(world: World) -> None:
    """The auditor reads (and may export) the whole trail: no password, password hash,
    sealed key or private value (a hardship family, an owner's or head's name, a contact) is
    in it — the record of changes keeps keyed hashes of them instead."""
    secret_texts = ["brand-new-pw", "reset-by-admin", "李秀英", "王建国", "13800001111", "张三"]
    with world.ledger.write() as s:
        users.change_password(s, get_user(s, "treasurer"), TEST_PASSWORD, "brand-new-pw")
        users.reset_password(s, get_user(s, "admin"), "reviewer", "reset-by-admin")
        treasurer = get_user(s, "treasurer")
        add_counterparty(
            s, name="李女士", kind="resident", contact="13800001111", actor=treasurer,
        )  # fmt: skip
        add_household(s, label="3组12号", head_name="王建国", actor=treasurer)
        s.add(
            Expense(
                book_id=world.fund_id,
                date=dt.date(2024, 1, 20),
                memo="困难帮扶",
                category="hardship",
                account_code="5101",
                pay_from_code="1001",
                amount_fen=100,
                private_note="3组 李秀英家",
                approvals_required=0,
                status="pending",
                recorded_by_id=treasurer.id or 0,
                recorded_at="2024-01-20T08:00:00Z",
            )
        )  # fmt: skip
    with world.ledger.read() as s:
        stored = [u.password_hash or "" for u in s.exec(select(AppUser)).all()]
        stored += [u.signing_key or "" for u in s.exec(select(AppUser)).all()]
        trail = " ".join(s.exec(select(AuditEvent.detail)).all())
        assert verify_ledger(s) == []
    for text in [*secret_texts, TEST_PASSWORD, *stored]:
        assert text not in trail, text
    assert "hmac:" in trail  # the private values are committed to, not left out


def test_a_user_from_before_signing_keys_gets_one_when_they_next_write(world: World) -> None:
    """A ledger upgraded from before keys has users with a password and no key: what they do
    could not be required to carry their signature. Their next sign-in through the door gives
    them a key pair, sealed under their password, and what they do from then on is signed."""
    import json

    from ledger.operations import Credentials, run
    from ledger.operations.entries import POST_ENTRY, PostEntry
    from ledger.record import CHANGES_ACTION, also_acting
    from ledger.services.entries import PostingLine

    with world.ledger.write() as s:
        also_acting(s, world.user(s, "admin"))
        old = world.user(s, "treasurer")
        old.public_key = old.signing_key = None
        s.add(old)
    with world.ledger.read() as s:
        assert verify_ledger(s) == []
    lines = (PostingLine("1001", 10_000), PostingLine("410101", -10_000))
    request = PostEntry(str(world.fund_id), dt.date(2024, 5, 3), "现金捐款", lines)
    run(world.ledger, Credentials("treasurer", TEST_PASSWORD), POST_ENTRY, request)
    with world.ledger.read() as s:
        treasurer = world.user(s, "treasurer")
        assert treasurer.public_key and treasurer.signing_key
        made = s.exec(select(AuditEvent).where(AuditEvent.action == "user.key_made")).all()
        assert [json.loads(e.detail) for e in made] == [{"username": "treasurer"}]
        record = s.exec(
            select(AuditEvent)
            .where(AuditEvent.action == CHANGES_ACTION)
            .order_by(AuditEvent.seq.desc())  # type: ignore[attr-defined]
        ).first()
        assert record is not None
        assert str(treasurer.id) in json.loads(record.detail)["signatures"]
        assert verify_ledger(s) == []
        # The key opens with their password, and only with it.
        assert signing.open_sealed(treasurer.signing_key, TEST_PASSWORD) is not None
        assert signing.open_sealed(treasurer.signing_key, "not-the-password") is None
    # Once is enough: a second write makes no second key.
    run(world.ledger, Credentials("treasurer", TEST_PASSWORD), POST_ENTRY, request)
    with world.ledger.read() as s:
        made = s.exec(select(AuditEvent).where(AuditEvent.action == "user.key_made")).all()
        assert len(made) == 1

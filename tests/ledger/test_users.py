"""Users, roles and passwords."""

from __future__ import annotations

import pytest

from ledger.access import PERMISSIONS, Action, may
from ledger.domain import Role
from ledger.errors import InvalidInputError, PermissionDeniedError
from ledger.services.users import authenticate, check_password, create_user, hash_password
from tests.conftest import World


def test_password_hash_is_salted_scrypt_and_checks() -> None:
    first, second = hash_password("correct horse"), hash_password("correct horse")
    assert first.startswith("scrypt$32768$8$1$")
    assert first != second  # salted
    assert check_password("correct horse", first)
    assert not check_password("wrong horse", first)
    assert not check_password("anything", "garbage")


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

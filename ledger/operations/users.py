"""Operations on the ledger's users (用户): add one, change one's own password, reset a
forgotten one, disable one."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ledger.access import Action
from ledger.domain import Role
from ledger.i18n import _
from ledger.operations import SECRET, Operation

if TYPE_CHECKING:
    from sqlmodel import Session

    from ledger.models import AppUser


@dataclass(frozen=True, slots=True)
class AddUser:
    username: str
    role: str
    display_name: str | None
    password: str = field(metadata=SECRET)

    def __repr__(self) -> str:  # a password never reaches a log or a traceback
        return f"AddUser(username={self.username!r}, role={self.role!r})"


@dataclass(frozen=True, slots=True)
class UserAdded:
    username: str
    role: str

    def sentence(self) -> str:
        return _("Added user “{name}” ({role}).").format(
            name=self.username, role=Role(self.role).label
        )

    def as_json(self) -> dict[str, Any]:
        return {"username": self.username, "role": self.role}


def _add_user(session: Session, actor: AppUser, request: AddUser) -> UserAdded:
    from ledger.services.users import create_user  # noqa: PLC0415

    user = create_user(
        session,
        username=request.username,
        role=request.role,
        display_name=request.display_name,
        password=request.password,
        actor=actor,
    )
    return UserAdded(user.username, user.role)


ADD_USER: Operation[AddUser, UserAdded] = Operation("user.add", Action.MANAGE_USERS, _add_user)


@dataclass(frozen=True, slots=True)
class ChangePassword:
    old: str = field(metadata=SECRET)
    new: str = field(metadata=SECRET)

    def __repr__(self) -> str:
        return "ChangePassword(…)"


@dataclass(frozen=True, slots=True)
class PasswordChanged:
    username: str

    def sentence(self) -> str:
        return _("The password of “{name}” is changed.").format(name=self.username)

    def as_json(self) -> dict[str, Any]:
        return {"username": self.username, "password": "changed"}


def _change_password(session: Session, actor: AppUser, request: ChangePassword) -> PasswordChanged:
    from ledger.services.users import change_password  # noqa: PLC0415

    return PasswordChanged(change_password(session, actor, request.old, request.new).username)


CHANGE_PASSWORD: Operation[ChangePassword, PasswordChanged] = Operation(
    "user.change_password", None, _change_password
)


@dataclass(frozen=True, slots=True)
class ResetPassword:
    username: str
    new: str = field(metadata=SECRET)

    def __repr__(self) -> str:
        return f"ResetPassword(username={self.username!r})"


@dataclass(frozen=True, slots=True)
class PasswordReset:
    username: str

    def sentence(self) -> str:
        return _(
            "The password of “{name}” is reset, with a new signing key; tell them the new "
            "password in person."
        ).format(name=self.username)

    def as_json(self) -> dict[str, Any]:
        return {"username": self.username, "password": "reset"}


def _reset_password(session: Session, actor: AppUser, request: ResetPassword) -> PasswordReset:
    from ledger.services.users import reset_password  # noqa: PLC0415

    return PasswordReset(reset_password(session, actor, request.username, request.new).username)


RESET_PASSWORD: Operation[ResetPassword, PasswordReset] = Operation(
    "user.reset_password", Action.MANAGE_USERS, _reset_password
)


@dataclass(frozen=True, slots=True)
class DisableUser:
    username: str


@dataclass(frozen=True, slots=True)
class UserDisabled:
    username: str

    def sentence(self) -> str:
        return _("User “{name}” is disabled; they can no longer sign in.").format(
            name=self.username
        )

    def as_json(self) -> dict[str, Any]:
        return {"username": self.username, "active": False}


def _disable_user(session: Session, actor: AppUser, request: DisableUser) -> UserDisabled:
    from ledger.services.users import disable_user  # noqa: PLC0415

    return UserDisabled(disable_user(session, actor, request.username).username)


DISABLE_USER: Operation[DisableUser, UserDisabled] = Operation(
    "user.disable", Action.MANAGE_USERS, _disable_user
)

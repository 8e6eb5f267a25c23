"""Operations (操作): one per user action, shared by the command line and the app.

An operation takes a typed request and returns a typed outcome that knows its own sentence (for
people, in the interface language) and its JSON (for scripts). :meth:`Operation.perform` checks
the actor's role, runs the operation inside the caller's transaction and records it in the audit
trail (the request, as asked); :func:`run` is the whole door for a front end that has not signed
anyone in yet (the command line): it opens a writing transaction, signs the actor in with their
password — which unlocks their signing key — performs the operation and commits. The app signs
in once at start and calls :meth:`Operation.perform` in a job of its database worker.

Neither front end composes services or words an outcome itself: a CLI command builds the request
from its arguments and prints the outcome; an app action builds it from its form and shows the
outcome's sentence.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from ledger.access import Action, require

if TYPE_CHECKING:
    from sqlmodel import Session

    from ledger.db import Ledger
    from ledger.models import AppUser


class Outcome(Protocol):
    """What an operation did."""

    def sentence(self) -> str:
        """One sentence for the person who asked, in the interface language."""
        ...

    def as_json(self) -> dict[str, Any]:
        """The same for a script: amounts in fen, dates ISO."""
        ...


Request = TypeVar("Request")
Done = TypeVar("Done", bound=Outcome)


@dataclass(frozen=True, slots=True)
class Credentials:
    """Who asks, and the password that proves it (``username`` None: the ledger's only user)."""

    username: str | None
    password: str


#: Mark a request's field that must never be written down (a password): ``field(metadata=SECRET)``.
SECRET = {"secret": True}


def request_facts(request: object) -> dict[str, Any]:
    """A request as the audit trail keeps it (dates as ISO text; bytes by size only; secret
    fields left out)."""

    def plain(value: object) -> object:
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, bytes):
            return {"bytes": len(value)}
        if isinstance(value, list | tuple):
            return [plain(v) for v in value]
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return {
                f.name: plain(getattr(value, f.name))
                for f in dataclasses.fields(value)
                if not f.metadata.get("secret")
            }
        return value

    facts = plain(request)
    return facts if isinstance(facts, dict) else {"request": facts}


@dataclass(frozen=True, slots=True)
class Operation(Generic[Request, Done]):
    """One user action: its name in the audit trail, the permission it needs (None: any signed
    in user, e.g. changing one's own password) and the function that does it."""

    name: str
    needs: Action | None
    run: Callable[[Session, AppUser, Request], Done]

    def perform(self, session: Session, actor: AppUser, request: Request) -> Done:
        """Check the role, do it and record it — in the caller's transaction."""
        from ledger.services.audit import record_event  # noqa: PLC0415 - services load late

        if self.needs is not None:
            require(actor.username, actor.role, self.needs)
        outcome = self.run(session, actor, request)
        record_event(
            session,
            actor=actor,
            action="operation",
            object_type=self.name,
            object_id=actor.id or 0,
            detail=request_facts(request),
        )
        return outcome


def prove_approver(session: Session, name: str | None, password: str | None) -> AppUser | None:
    """The approver named beside the one who acts (an approval at or above a book's
    threshold), proven with their own password: they sign the transaction's record with their
    own key, which verification requires. None when no approver is named."""
    from ledger.errors import PermissionDeniedError  # noqa: PLC0415
    from ledger.i18n import _  # noqa: PLC0415
    from ledger.record import also_acting  # noqa: PLC0415
    from ledger.services.users import authenticate  # noqa: PLC0415

    if not name:
        return None
    if password is None:
        raise PermissionDeniedError(
            _("An approval needs the approver {user}'s own password.").format(user=name)
        )
    approver = authenticate(session, name, password)
    also_acting(session, approver)
    return approver


def prove(session: Session, credentials: Credentials) -> AppUser:
    """The user the credentials prove (the ledger's only user when no name is given); reading
    is enough (a restore asks the ledger, or the backup, who is restoring)."""
    from ledger.errors import InvalidInputError  # noqa: PLC0415
    from ledger.i18n import _  # noqa: PLC0415
    from ledger.services.users import authenticate, list_users  # noqa: PLC0415

    name = credentials.username
    if not name:
        users = list_users(session)
        if len(users) != 1:
            raise InvalidInputError(
                _("This ledger has several users; say who you are ({names}).").format(
                    names=", ".join(u.username for u in users)
                )
            )
        name = users[0].username
    return authenticate(session, name, credentials.password)


def sign_in(session: Session, credentials: Credentials) -> AppUser:
    """The user the credentials prove (see :func:`prove`), in a writing transaction: a user
    from before signing keys gets one here."""
    from ledger.services.users import give_signing_key  # noqa: PLC0415

    user = prove(session, credentials)
    give_signing_key(session, user, credentials.password)  # a user from before keys
    return user


def run(
    ledger: Ledger,
    credentials: Credentials | Callable[[Session], AppUser],
    operation: Operation[Request, Done],
    request: Request,
) -> Done:
    """The whole door: one writing transaction in which the actor signs in and the operation is
    performed and recorded; nothing is written when anything refuses."""
    with ledger.write() as session:
        actor = (
            sign_in(session, credentials)
            if isinstance(credentials, Credentials)
            else credentials(session)
        )
        return operation.perform(session, actor, request)

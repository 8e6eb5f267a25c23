"""Who is using the app: the signed-in user, as plain values (the services get the user afresh
inside each job's session)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from ledger.access import Action, may
from ledger.errors import NotFoundError
from ledger.i18n import _
from ledger.models import AppUser


@dataclass(frozen=True, slots=True)
class SignedIn:
    user_id: int
    username: str
    display_name: str
    role: str
    #: A user from before signing keys: the app gives them one at sign-in.
    needs_key: bool = False

    def may(self, action: Action) -> bool:
        """Whether the role may do ``action`` (the UI disables what this refuses; the services
        refuse it anyway)."""
        return may(self.role, action)

    def actor(self, session: Session) -> AppUser:
        """The user as a service's ``actor``, inside a job's session."""
        user = session.get(AppUser, self.user_id)
        if user is None or not user.active:
            raise NotFoundError(_("User “{name}” no longer exists.").format(name=self.username))
        return user


def signed_in(user: AppUser) -> SignedIn:
    return SignedIn(
        user.id or 0,
        user.username,
        user.display_name,
        user.role,
        needs_key=user.public_key is None or user.signing_key is None,
    )

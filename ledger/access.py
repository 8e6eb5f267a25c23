"""Who may do what (权限): the role matrix, enforced by the services themselves."""

from __future__ import annotations

from enum import StrEnum

from ledger.domain import Role
from ledger.errors import PermissionDeniedError
from ledger.i18n import N_, _


class Action(StrEnum):
    POST_ENTRY = "post_entry"
    REVERSE_ENTRY = "reverse_entry"
    ATTACH_FILE = "attach_file"
    APPROVE = "approve"
    CLOSE_PERIOD = "close_period"
    MANAGE_BOOKS = "manage_books"
    MANAGE_USERS = "manage_users"
    MANAGE_COUNTERPARTIES = "manage_counterparties"
    MANAGE_VOTES = "manage_votes"
    RECORD_BALLOTS = "record_ballots"


_ACTION_LABELS = {
    Action.POST_ENTRY: N_("record entries"),
    Action.REVERSE_ENTRY: N_("reverse entries"),
    Action.ATTACH_FILE: N_("attach receipts"),
    Action.APPROVE: N_("approve entries"),
    Action.CLOSE_PERIOD: N_("close periods"),
    Action.MANAGE_BOOKS: N_("create or change books"),
    Action.MANAGE_USERS: N_("manage users"),
    Action.MANAGE_COUNTERPARTIES: N_("manage donors and payees"),
    Action.MANAGE_VOTES: N_("open, change or close votes"),
    Action.RECORD_BALLOTS: N_("record ballots"),
}

#: The role matrix. The auditor is read-only and appears in no row.
PERMISSIONS: dict[Action, frozenset[Role]] = {
    Action.POST_ENTRY: frozenset({Role.ADMIN, Role.TREASURER}),
    Action.REVERSE_ENTRY: frozenset({Role.ADMIN, Role.TREASURER}),
    Action.ATTACH_FILE: frozenset({Role.ADMIN, Role.TREASURER}),
    Action.APPROVE: frozenset({Role.ADMIN, Role.REVIEWER, Role.COMMITTEE}),
    Action.CLOSE_PERIOD: frozenset({Role.ADMIN, Role.REVIEWER}),
    Action.MANAGE_BOOKS: frozenset({Role.ADMIN}),
    Action.MANAGE_USERS: frozenset({Role.ADMIN}),
    Action.MANAGE_COUNTERPARTIES: frozenset({Role.ADMIN, Role.TREASURER}),
    # Votes are called and closed by the committee; staff at the desk record paper ballots.
    Action.MANAGE_VOTES: frozenset({Role.ADMIN, Role.COMMITTEE}),
    Action.RECORD_BALLOTS: frozenset({Role.ADMIN, Role.TREASURER, Role.COMMITTEE}),
}


def action_label(action: Action) -> str:
    """What the action is, in the interface language ("record entries")."""
    return _(_ACTION_LABELS[action])


def may(role: Role | str, action: Action) -> bool:
    """Whether a role may perform an action (the UI greys out what this refuses)."""
    return Role(role) in PERMISSIONS[action]


def require(username: str, role: Role | str, action: Action) -> None:
    """Raise :class:`PermissionDeniedError` unless ``role`` may perform ``action``."""
    if not may(role, action):
        raise PermissionDeniedError(
            _("{user} ({role}) may not {action}.").format(
                user=username, role=Role(role).label, action=_(_ACTION_LABELS[action])
            )
        )

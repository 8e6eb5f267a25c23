"""What the parts of the votes service share: kinds, channels, rules and their labels."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from ledger.errors import NotFoundError
from ledger.i18n import N_, _
from ledger.models import Book

OWNERS_MEETING = "owners_meeting"
RESIDENTS_MEETING = "residents_meeting"
VILLAGE_MEETING = "village_meeting"
PARTICIPATORY_BUDGET = "participatory_budget"
VOTE_KINDS = (OWNERS_MEETING, RESIDENTS_MEETING, VILLAGE_MEETING, PARTICIPATORY_BUDGET)
MEETING_KINDS = (OWNERS_MEETING, RESIDENTS_MEETING, VILLAGE_MEETING)
YES_NO = "yes-no"
#: How a ballot reached the desk; ``import`` is a ballot read from a Pabulib file.
CHANNELS = ("paper", "in_person", "proxy", "import")
#: Tallying rules of a participatory budget (see ``ledger.rules.pb``).
BUDGET_RULES = ("greedy", "mes", "plurality")

_KIND_LABELS = {
    OWNERS_MEETING: N_("owners' meeting"),
    RESIDENTS_MEETING: N_("residents' meeting"),
    VILLAGE_MEETING: N_("village meeting"),
    PARTICIPATORY_BUDGET: N_("participatory budget"),
}
_CHANNEL_LABELS = {
    "paper": N_("paper ballot"),
    "in_person": N_("in person"),
    "proxy": N_("by proxy"),
    "import": N_("imported"),
}
_RULE_LABELS = {
    "greedy": N_("greedy by votes"),
    "mes": N_("Method of Equal Shares, completed by greedy"),
    "plurality": N_("plurality"),
}
MAX_TITLE_LENGTH = 200
MAX_OPTIONS = 500


def kind_label(kind: str) -> str:
    return _(_KIND_LABELS[kind]) if kind in _KIND_LABELS else kind


def channel_label(channel: str) -> str:
    return _(_CHANNEL_LABELS[channel]) if channel in _CHANNEL_LABELS else channel


def rule_label(rule: str) -> str:
    return _(_RULE_LABELS[rule]) if rule in _RULE_LABELS else rule


@dataclass(frozen=True, slots=True)
class ProjectSpec:
    """An option of a vote, or a project of a participatory budget with its cost in fen."""

    code: str
    name: str
    cost_fen: int | None = None


def _book(session: Session, book_id: int) -> Book:
    book = session.get(Book, book_id)
    if book is None:
        raise NotFoundError(_("There is no book number {id}.").format(id=book_id))
    return book

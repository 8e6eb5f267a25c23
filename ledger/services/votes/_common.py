"""What the parts of the votes service share: kinds, channels, rules and their labels."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlmodel import Session

from ledger.errors import NotFoundError
from ledger.i18n import N_, _
from ledger.models import Book


class VoteKind(StrEnum):
    """What a vote decides in: a meeting of owners, residents or villagers, or a budget."""

    OWNERS_MEETING = "owners_meeting"  # 业主大会
    RESIDENTS_MEETING = "residents_meeting"  # 居民会议
    VILLAGE_MEETING = "village_meeting"  # 村民会议
    PARTICIPATORY_BUDGET = "participatory_budget"  # 参与式预算

    @property
    def label(self) -> str:
        return _(_KIND_LABELS[self])


class VoteStatus(StrEnum):
    """Whether a vote still takes ballots."""

    OPEN = "open"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return _(_STATUS_LABELS[self])


class BallotChannel(StrEnum):
    """How a ballot reached the desk; ``import`` is a ballot read from a Pabulib file."""

    PAPER = "paper"
    IN_PERSON = "in_person"
    PROXY = "proxy"
    IMPORT = "import"

    @property
    def label(self) -> str:
        return _(_CHANNEL_LABELS[self])


class BudgetRule(StrEnum):
    """Tallying rules of a participatory budget (see ``ledger.rules.pb``)."""

    GREEDY = "greedy"
    MES = "mes"
    PLURALITY = "plurality"

    @property
    def label(self) -> str:
        return _(_RULE_LABELS[self])


OWNERS_MEETING = VoteKind.OWNERS_MEETING
RESIDENTS_MEETING = VoteKind.RESIDENTS_MEETING
VILLAGE_MEETING = VoteKind.VILLAGE_MEETING
PARTICIPATORY_BUDGET = VoteKind.PARTICIPATORY_BUDGET
VOTE_KINDS = tuple(VoteKind)
MEETING_KINDS = (OWNERS_MEETING, RESIDENTS_MEETING, VILLAGE_MEETING)
YES_NO = "yes-no"
#: How a ballot reached the desk; ``import`` is a ballot read from a Pabulib file.
CHANNELS = tuple(BallotChannel)
#: Tallying rules of a participatory budget (see ``ledger.rules.pb``).
BUDGET_RULES = tuple(BudgetRule)

_KIND_LABELS = {
    VoteKind.OWNERS_MEETING: N_("owners' meeting"),
    VoteKind.RESIDENTS_MEETING: N_("residents' meeting"),
    VoteKind.VILLAGE_MEETING: N_("village meeting"),
    VoteKind.PARTICIPATORY_BUDGET: N_("participatory budget"),
}
_STATUS_LABELS = {
    VoteStatus.OPEN: N_("open"),
    VoteStatus.CLOSED: N_("closed"),
}
_CHANNEL_LABELS = {
    BallotChannel.PAPER: N_("paper ballot"),
    BallotChannel.IN_PERSON: N_("in person"),
    BallotChannel.PROXY: N_("by proxy"),
    BallotChannel.IMPORT: N_("imported"),
}
_RULE_LABELS = {
    BudgetRule.GREEDY: N_("greedy by votes"),
    BudgetRule.MES: N_("Method of Equal Shares, completed by greedy"),
    BudgetRule.PLURALITY: N_("plurality"),
}
MAX_TITLE_LENGTH = 200
MAX_OPTIONS = 500


def kind_label(kind: str) -> str:
    return VoteKind(kind).label if kind in VOTE_KINDS else kind


def status_label(status: str) -> str:
    return VoteStatus(status).label if status in tuple(VoteStatus) else status


def channel_label(channel: str) -> str:
    return BallotChannel(channel).label if channel in CHANNELS else channel


def rule_label(rule: str) -> str:
    return BudgetRule(rule).label if rule in BUDGET_RULES else rule


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

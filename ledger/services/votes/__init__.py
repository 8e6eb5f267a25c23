"""Resident decisions (表决): owners' meetings (业主大会, Civil Code art. 278), residents'
meetings (居民会议, 一户一票), village meetings (村民会议) and participatory budgets (参与式预算).

A vote belongs to a book and counts that book's electorate: the units and owners of a
trust-property book for an owners' meeting, the households of the book (``BookHousehold``) for
every other kind. Staff record ballots from paper, in person or by proxy; the database allows
one ballot per voter and vote (``uq_ballot_voter``). The rules — kind, matter, ballot type,
options or projects with their costs, budget, limits, thresholds and dates — can be amended
only until the first ballot is in. A ballot can be corrected while the vote is open, with a
reason, as an audit event that keeps the old and the new ballot. Closing works the result out
once, stores it with the vote and carries it into the books: a passed owners' meeting on the
open budget approves that budget; a participatory budget creates the selected projects as
activities of its micro-fund book. A vote that failed changes nothing.

A result is a :class:`VoteResult`; its ``as_json()`` is the dict stored in ``Vote.result`` (and
what ``compute_result``/``vote_result`` return), so the CLI, the notices and the desktop app
print the same figures; :func:`describe_result` gives translated lines.
"""

from ledger.services.votes._common import (
    BUDGET_RULES,
    CHANNELS,
    MAX_OPTIONS,
    MAX_TITLE_LENGTH,
    MEETING_KINDS,
    OWNERS_MEETING,
    PARTICIPATORY_BUDGET,
    RESIDENTS_MEETING,
    VILLAGE_MEETING,
    VOTE_KINDS,
    YES_NO,
    BallotChannel,
    BudgetRule,
    ProjectSpec,
    VoteKind,
    VoteStatus,
    channel_label,
    kind_label,
    rule_label,
    status_label,
)
from ledger.services.votes.ballots import (
    Voter,
    correct_ballot,
    household_voter_key,
    record_ballot,
    resolve_voter,
)
from ledger.services.votes.finding import (
    ballot_count,
    find_vote,
    list_votes,
    thresholds,
    vote_ballots,
    vote_options,
)
from ledger.services.votes.pb_files import export_pb, import_pb
from ledger.services.votes.result_types import (
    ActivityMade,
    BudgetPart,
    HouseholdsPart,
    OwnersCount,
    OwnersPart,
    ProjectVotes,
    RuleTally,
    VoteEffects,
    VoteResult,
    figure_from_json,
)
from ledger.services.votes.results import (
    close_vote,
    compute_result,
    compute_vote_result,
    describe_result,
    outcome_label,
    passed,
    vote_money,
    vote_result,
    vote_result_value,
)
from ledger.services.votes.setup import amend_vote, create_vote

__all__ = [
    "BUDGET_RULES",
    "CHANNELS",
    "MAX_OPTIONS",
    "MAX_TITLE_LENGTH",
    "MEETING_KINDS",
    "OWNERS_MEETING",
    "PARTICIPATORY_BUDGET",
    "RESIDENTS_MEETING",
    "VILLAGE_MEETING",
    "VOTE_KINDS",
    "YES_NO",
    "ActivityMade",
    "BallotChannel",
    "BudgetPart",
    "BudgetRule",
    "HouseholdsPart",
    "OwnersCount",
    "OwnersPart",
    "ProjectSpec",
    "ProjectVotes",
    "RuleTally",
    "VoteEffects",
    "VoteKind",
    "VoteResult",
    "VoteStatus",
    "Voter",
    "amend_vote",
    "ballot_count",
    "channel_label",
    "close_vote",
    "compute_result",
    "compute_vote_result",
    "correct_ballot",
    "create_vote",
    "describe_result",
    "export_pb",
    "figure_from_json",
    "find_vote",
    "household_voter_key",
    "import_pb",
    "kind_label",
    "list_votes",
    "outcome_label",
    "passed",
    "record_ballot",
    "resolve_voter",
    "rule_label",
    "status_label",
    "thresholds",
    "vote_ballots",
    "vote_money",
    "vote_options",
    "vote_result",
    "vote_result_value",
]

"""The choices and defaults the command line's options show, without importing the ledger's
services, its database layer or the report libraries: ``gongzhang --help`` builds the whole
argument tree from these (issue 13, start-up). Each is a copy of the ledger's own value, and
``tests/desktop/test_cli_startup.py`` keeps the two equal."""

from __future__ import annotations

#: ``ledger.db.DEFAULT_BUSY_TIMEOUT_S``: seconds to wait for another writer.
DEFAULT_BUSY_TIMEOUT_S = 10.0
#: ``ledger.backup.DEFAULT_KEEP``: dated backups kept in a ledger's backups folder.
DEFAULT_KEEP = 10
#: ``ledger.imports.DEFAULT_BATCH``: entries per transaction of an import.
DEFAULT_BATCH = 500
#: The keys of ``ledger.services.electorate.KIND_ALIASES``: other names of a kind of book.
KIND_ALIASES = ("village_collective",)
#: ``ledger.services.property.COMMON_INCOME_SOURCES``.
COMMON_INCOME_SOURCES = ("parking", "advertising", "other")
#: ``ledger.rules.sharing.CURVES``: how the investor's share falls over the contract.
CURVES = ("linear", "step")
#: ``ledger.rules.ballots.BUDGET_BALLOT_TYPES``.
BUDGET_BALLOT_TYPES = ("choose-1", "approval", "cumulative", "ordinal")
#: The values of ``ledger.services.votes.VoteKind``, ``BallotChannel`` and ``BudgetRule``.
VOTE_KINDS = ("owners_meeting", "residents_meeting", "village_meeting", "participatory_budget")
CHANNELS = ("paper", "in_person", "proxy", "import")
BUDGET_RULES = ("greedy", "mes", "plurality")
#: The values of ``ledger.rules.meetings.Matter`` (Civil Code art. 278).
MATTERS = (
    "ordinary",
    "use_maintenance_fund",
    "raise_maintenance_fund",
    "rebuild",
    "change_use_of_common_parts",
    "business_use_of_common_parts",
)
#: The keys of ``ledger.services.settings.SETTINGS``: what ``setting set`` changes.
SETTING_KEYS = (
    "approval_threshold_fen",
    "approvals_required",
    "remuneration_rate_bp",
    "remuneration_basis",
    "gift_share_bp",
    "fee_rate_fen_per_m2",
)

"""The small closed vocabularies of the ledger: kinds of book, types of account, roles."""

from __future__ import annotations

from enum import StrEnum

from ledger.i18n import N_, _


class BookKind(StrEnum):
    """账套类型."""

    MICRO_FUND = "micro_fund"  # 社区微基金
    TRUST_PROPERTY = "trust_property"  # 信托制物业
    COLLECTIVE_REVENUE = "collective_revenue"  # 村集体收益分配 (3331)

    @property
    def label(self) -> str:
        return _(_BOOK_KIND_LABELS[self])


_BOOK_KIND_LABELS = {
    BookKind.MICRO_FUND: N_("Community micro-fund"),
    BookKind.TRUST_PROPERTY: N_("Trust-style property service"),
    BookKind.COLLECTIVE_REVENUE: N_("Village collective revenue"),
}


class AccountType(StrEnum):
    """科目类别. Assets and expenses carry debit balances; the others credit balances."""

    ASSET = "asset"  # 资产
    LIABILITY = "liability"  # 负债
    NET_ASSETS = "net_assets"  # 净资产 / 所有者权益
    INCOME = "income"  # 收入
    EXPENSE = "expense"  # 费用 / 支出

    @property
    def debit_normal(self) -> bool:
        return self in (AccountType.ASSET, AccountType.EXPENSE)

    @property
    def label(self) -> str:
        return _(_ACCOUNT_TYPE_LABELS[self])


_ACCOUNT_TYPE_LABELS = {
    AccountType.ASSET: N_("Assets"),
    AccountType.LIABILITY: N_("Liabilities"),
    AccountType.NET_ASSETS: N_("Net assets"),
    AccountType.INCOME: N_("Income"),
    AccountType.EXPENSE: N_("Expenses"),
}


class Role(StrEnum):
    """What a user of the ledger is allowed to do (see ``ledger.access``)."""

    ADMIN = "admin"  # 管理员
    TREASURER = "treasurer"  # 记账
    REVIEWER = "reviewer"  # 审核
    COMMITTEE = "committee"  # 委员
    AUDITOR = "auditor"  # 审计 (read-only)

    @property
    def label(self) -> str:
        return _(_ROLE_LABELS[self])


_ROLE_LABELS = {
    Role.ADMIN: N_("Administrator"),
    Role.TREASURER: N_("Treasurer"),
    Role.REVIEWER: N_("Reviewer"),
    Role.COMMITTEE: N_("Committee member"),
    Role.AUDITOR: N_("Auditor (read-only)"),
}

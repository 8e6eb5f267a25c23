"""Charts of accounts (科目表) that each kind of book gets when it is created.

Codes are strings of digits: top-level accounts have 4 digits, a child account extends its
parent's code by 2 digits (``4101`` → ``410101``) and has the same type. In each chart a parent
comes before its children. The first digit follows the class of the account: 1 assets, 2
liabilities, 3 net assets, 4 income, 5 expenses.

- ``micro_fund`` follows 民间非营利组织会计制度, with donation income broken down by source and
  programme costs by spending category.
- ``trust_property`` keeps the owners' common fund (共有资金) apart from the property
  company's own money: the company appears only as a creditor for its remuneration (酬金),
  an expense of the owners' fund like any other open-budget line. The reserve (储备金) is an
  open-budget line too: ``5111 提取储备金`` is debited and ``3201 储备金`` credited, so the
  appropriation shows in budget execution and the reserve stays part of the owners' net assets.
- ``collective_revenue`` follows 村集体经济组织会计制度 (4/6-digit codes here, where the
  official chart uses 3 digits), with ``3301 收益分配`` broken down for the investor's share
  and the 3:3:3:1 split.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from ledger.domain import AccountType, BookKind

#: Number of digits of a top-level account code.
TOP_LEVEL_CODE_LENGTH = 4
#: Number of digits a child account's code adds to its parent's code.
CHILD_CODE_EXTRA_DIGITS = 2


@dataclass(frozen=True, slots=True)
class AccountTemplate:
    """One account of a chart template; ``parent`` is the parent's code, None at the top level."""

    code: str
    name_zh: str
    name_en: str
    type: AccountType
    parent: str | None


_ASSET = AccountType.ASSET
_LIABILITY = AccountType.LIABILITY
_NET_ASSETS = AccountType.NET_ASSETS
_INCOME = AccountType.INCOME
_EXPENSE = AccountType.EXPENSE
_A = AccountTemplate

# --- 社区微基金 (民间非营利组织会计制度) ---

_MICRO_FUND_CHART: tuple[AccountTemplate, ...] = (
    # 资产
    _A("1001", "现金", "Cash", _ASSET, None),
    _A("1002", "银行存款", "Bank deposits", _ASSET, None),
    _A("1009", "其他货币资金", "Other monetary funds", _ASSET, None),
    _A("1101", "短期投资", "Short-term investments", _ASSET, None),
    _A("1121", "应收票据", "Notes receivable", _ASSET, None),
    _A("1122", "应收账款", "Accounts receivable", _ASSET, None),
    _A("1141", "预付账款", "Prepayments", _ASSET, None),
    _A("1201", "存货", "Inventories", _ASSET, None),
    _A("1221", "其他应收款", "Other receivables", _ASSET, None),
    _A("1301", "待摊费用", "Prepaid expenses", _ASSET, None),
    _A("1501", "固定资产", "Fixed assets", _ASSET, None),
    _A("1502", "累计折旧", "Accumulated depreciation", _ASSET, None),
    # 负债
    _A("2101", "短期借款", "Short-term borrowings", _LIABILITY, None),
    _A("2202", "应付账款", "Accounts payable", _LIABILITY, None),
    _A("2203", "预收账款", "Receipts in advance", _LIABILITY, None),
    _A("2204", "应付工资", "Wages payable", _LIABILITY, None),
    _A("2206", "应交税金", "Taxes payable", _LIABILITY, None),
    _A("2209", "其他应付款", "Other payables", _LIABILITY, None),
    _A("2301", "预提费用", "Accrued expenses", _LIABILITY, None),
    # 净资产
    _A("3101", "非限定性净资产", "Unrestricted net assets", _NET_ASSETS, None),
    _A("3102", "限定性净资产", "Restricted net assets", _NET_ASSETS, None),
    # 收入
    _A("4101", "捐赠收入", "Donation income", _INCOME, None),
    _A("410101", "爱心商家捐赠", "Donations from local businesses", _INCOME, "4101"),
    _A("410102", "志愿者募集", "Raised by volunteers", _INCOME, "4101"),
    _A("410103", "社区自筹", "Community self-raised funds", _INCOME, "4101"),
    _A("410104", "物业酬金捐赠", "Gifts from property remuneration", _INCOME, "4101"),
    _A("410109", "其他捐赠", "Other donations", _INCOME, "4101"),
    _A("4201", "会费收入", "Membership dues", _INCOME, None),
    _A("4301", "提供服务收入", "Service income", _INCOME, None),
    _A("4401", "政府补助收入", "Government grants", _INCOME, None),
    _A("4601", "投资收益", "Investment income", _INCOME, None),
    _A("4901", "其他收入", "Other income", _INCOME, None),
    # 费用
    _A("5101", "业务活动成本", "Programme activity costs", _EXPENSE, None),
    _A("510101", "社区活动", "Community activities", _EXPENSE, "5101"),
    _A("510102", "积分兑换", "Points redemption", _EXPENSE, "5101"),
    _A("510103", "环境整治", "Environmental clean-up", _EXPENSE, "5101"),
    _A("510104", "困难帮扶", "Help for families in difficulty", _EXPENSE, "5101"),
    _A("510109", "其他业务活动", "Other programme activities", _EXPENSE, "5101"),
    _A("5201", "管理费用", "Administrative expenses", _EXPENSE, None),
    _A("5301", "筹资费用", "Fundraising expenses", _EXPENSE, None),
    _A("5401", "其他费用", "Other expenses", _EXPENSE, None),
)

MICRO_FUND_CASH = "1001"
MICRO_FUND_BANK = "1002"
MICRO_FUND_INVENTORY = "1201"  # goods for points redemption
MICRO_FUND_UNRESTRICTED_NET_ASSETS = "3101"
MICRO_FUND_RESTRICTED_NET_ASSETS = "3102"
MICRO_FUND_DONATION_INCOME = "4101"
MICRO_FUND_PROGRAMME_COSTS = "5101"
MICRO_FUND_ADMIN_EXPENSES = "5201"

#: Donation income account by source of the donation.
DONATION_INCOME_BY_SOURCE: Mapping[str, str] = MappingProxyType(
    {
        "merchant": "410101",  # 爱心商家捐赠
        "volunteer": "410102",  # 志愿者募集
        "self_raised": "410103",  # 社区自筹
        "remuneration_gift": "410104",  # 物业酬金捐赠
        "other": "410109",  # 其他捐赠
    }
)

#: Programme cost account by spending category.
MICRO_FUND_EXPENSE_BY_CATEGORY: Mapping[str, str] = MappingProxyType(
    {
        "activity": "510101",  # 社区活动
        "points_redemption": "510102",  # 积分兑换
        "environment": "510103",  # 环境整治
        "hardship": "510104",  # 困难帮扶
        "other": "510109",  # 其他业务活动
    }
)

# --- 信托制物业 (酬金制) ---

_TRUST_PROPERTY_CHART: tuple[AccountTemplate, ...] = (
    # 资产
    _A("1001", "库存现金", "Cash on hand", _ASSET, None),
    _A("1002", "银行存款", "Bank deposits", _ASSET, None),
    _A("100201", "共有资金账户", "Owners' common fund account", _ASSET, "1002"),
    _A("100202", "专项维修资金账户", "Special maintenance fund account", _ASSET, "1002"),
    _A("1122", "应收物业费", "Property fees receivable", _ASSET, None),
    _A("1221", "其他应收款", "Other receivables", _ASSET, None),
    _A("1601", "共用设施设备", "Common facilities and equipment", _ASSET, None),
    # 负债
    _A("2202", "应付账款", "Accounts payable", _LIABILITY, None),
    _A("2203", "预收物业费", "Property fees received in advance", _LIABILITY, None),
    _A("2211", "应付职工薪酬", "Staff pay payable", _LIABILITY, None),
    _A("2221", "应交税费", "Taxes payable", _LIABILITY, None),
    _A("2241", "其他应付款", "Other payables", _LIABILITY, None),
    _A("2251", "应付物业服务酬金", "Remuneration payable to the company", _LIABILITY, None),
    _A("2261", "应付社区微基金", "Payable to the community micro-fund", _LIABILITY, None),
    _A("2401", "专项维修资金", "Special maintenance fund", _LIABILITY, None),
    # 净资产: owned in common by the owners
    _A("3101", "共有资金", "Owners' common fund", _NET_ASSETS, None),
    _A("3201", "储备金", "Reserve", _NET_ASSETS, None),
    # 收入
    _A("4101", "物业服务费收入", "Property fee income", _INCOME, None),
    _A("4201", "公共收益", "Common-part income", _INCOME, None),
    _A("420101", "停车收入", "Parking income", _INCOME, "4201"),
    _A("420102", "广告收入", "Advertising income", _INCOME, "4201"),
    _A("420109", "其他公共收益", "Other common-part income", _INCOME, "4201"),
    _A("4301", "利息收入", "Interest income", _INCOME, None),
    _A("4901", "其他收入", "Other income", _INCOME, None),
    # 支出: one account per open-budget line
    _A("5101", "人员工资及社保", "Staff wages and social insurance", _EXPENSE, None),
    _A("5102", "清洁费", "Cleaning", _EXPENSE, None),
    _A("5103", "绿化费", "Greening", _EXPENSE, None),
    _A("5104", "秩序维护费", "Order and security", _EXPENSE, None),
    _A("5105", "共用设施设备维护费", "Upkeep of common facilities", _EXPENSE, None),
    _A("5106", "公共水电费", "Public water and electricity", _EXPENSE, None),
    _A("5107", "办公费", "Office expenses", _EXPENSE, None),
    _A("5108", "保险费", "Insurance", _EXPENSE, None),
    _A("5109", "物业服务酬金", "Property service remuneration", _EXPENSE, None),
    _A("5110", "税费", "Taxes and surcharges", _EXPENSE, None),
    _A("5111", "提取储备金", "Appropriation to reserve", _EXPENSE, None),
    _A("5199", "其他支出", "Other expenses", _EXPENSE, None),
)

TRUST_CASH = "1001"
TRUST_BANK = "1002"
TRUST_COMMON_FUND_BANK = "100201"
TRUST_MAINTENANCE_FUND_BANK = "100202"
TRUST_FEES_RECEIVABLE = "1122"
TRUST_FEES_IN_ADVANCE = "2203"
TRUST_REMUNERATION_PAYABLE = "2251"
TRUST_MICRO_FUND_GIFT_PAYABLE = "2261"
TRUST_MAINTENANCE_FUND = "2401"
TRUST_COMMON_FUND = "3101"
TRUST_RESERVE = "3201"
TRUST_FEE_INCOME = "4101"
TRUST_COMMON_INCOME = "4201"
TRUST_INTEREST_INCOME = "4301"
TRUST_REMUNERATION_EXPENSE = "5109"
TRUST_RESERVE_APPROPRIATION = "5111"

#: Common-part income account by source.
TRUST_COMMON_INCOME_BY_SOURCE: Mapping[str, str] = MappingProxyType(
    {
        "parking": "420101",  # 停车收入
        "advertising": "420102",  # 广告收入
        "other": "420109",  # 其他公共收益
    }
)

#: Expense account of each typical open-budget line.
TRUST_EXPENSE_BY_BUDGET_LINE: Mapping[str, str] = MappingProxyType(
    {
        "wages": "5101",  # 人员工资及社保
        "cleaning": "5102",  # 清洁费
        "greening": "5103",  # 绿化费
        "security": "5104",  # 秩序维护费
        "facilities": "5105",  # 共用设施设备维护费
        "utilities": "5106",  # 公共水电费
        "office": "5107",  # 办公费
        "insurance": "5108",  # 保险费
        "remuneration": "5109",  # 物业服务酬金
        "taxes": "5110",  # 税费
        "reserve": "5111",  # 提取储备金
        "other": "5199",  # 其他支出
    }
)

# --- 村集体收益分配 (村集体经济组织会计制度, 3331) ---

_COLLECTIVE_REVENUE_CHART: tuple[AccountTemplate, ...] = (
    # 资产
    _A("1001", "库存现金", "Cash on hand", _ASSET, None),
    _A("1002", "银行存款", "Bank deposits", _ASSET, None),
    _A("1121", "应收款", "Receivables", _ASSET, None),
    _A("1131", "内部往来", "Internal current accounts", _ASSET, None),
    _A("1201", "库存物资", "Inventories", _ASSET, None),
    _A("1501", "固定资产", "Fixed assets", _ASSET, None),
    _A("1502", "累计折旧", "Accumulated depreciation", _ASSET, None),
    _A("1601", "在建工程", "Construction in progress", _ASSET, None),
    # 负债
    _A("2101", "短期借款", "Short-term borrowings", _LIABILITY, None),
    _A("2111", "应付款", "Payables", _LIABILITY, None),
    _A("211101", "应付投资方利润", "Investor's profit share payable", _LIABILITY, "2111"),
    _A("211102", "应付股东分红", "Shareholders' dividends payable", _LIABILITY, "2111"),
    _A("211103", "应付村民人均分配", "Per-capita distribution payable", _LIABILITY, "2111"),
    _A("2121", "应付工资", "Wages payable", _LIABILITY, None),
    _A("2131", "应付福利费", "Welfare payable", _LIABILITY, None),
    # 所有者权益
    _A("3001", "资本", "Capital", _NET_ASSETS, None),
    _A("3101", "公积公益金", "Accumulation and welfare funds", _NET_ASSETS, None),
    _A("310101", "村级公益金", "Village public-welfare fund", _NET_ASSETS, "3101"),
    _A("310102", "项目储备金", "Project reserve fund", _NET_ASSETS, "3101"),
    _A("3201", "本年收益", "Profit for the year", _NET_ASSETS, None),
    _A("3301", "收益分配", "Profit distribution", _NET_ASSETS, None),
    _A("330101", "投资方分成", "Investor's share", _NET_ASSETS, "3301"),
    _A("330102", "股东分红", "Shareholders' dividends", _NET_ASSETS, "3301"),
    _A("330103", "提取公益金", "To public-welfare fund", _NET_ASSETS, "3301"),
    _A("330104", "提取项目储备金", "To project reserve fund", _NET_ASSETS, "3301"),
    _A("330105", "村民人均分配", "Per-capita distribution", _NET_ASSETS, "3301"),
    _A("330109", "未分配收益", "Undistributed profit", _NET_ASSETS, "3301"),
    # 收入
    _A("4101", "经营收入", "Operating income", _INCOME, None),
    _A("4201", "投资收益", "Investment income", _INCOME, None),
    _A("4301", "补助收入", "Subsidy income", _INCOME, None),
    _A("4901", "其他收入", "Other income", _INCOME, None),
    # 支出
    _A("5101", "经营支出", "Operating expenses", _EXPENSE, None),
    _A("5201", "管理费用", "Administrative expenses", _EXPENSE, None),
    _A("5901", "其他支出", "Other expenses", _EXPENSE, None),
)

COLLECTIVE_CASH = "1001"
COLLECTIVE_BANK = "1002"
COLLECTIVE_OPERATING_INCOME = "4101"
COLLECTIVE_OPERATING_EXPENSE = "5101"
COLLECTIVE_INVESTOR_PROFIT_PAYABLE = "211101"
COLLECTIVE_DIVIDENDS_PAYABLE = "211102"
COLLECTIVE_PER_CAPITA_PAYABLE = "211103"
COLLECTIVE_PUBLIC_WELFARE_FUND = "310101"
COLLECTIVE_PROJECT_RESERVE_FUND = "310102"
COLLECTIVE_PROFIT_FOR_YEAR = "3201"
COLLECTIVE_DISTRIBUTION = "3301"
COLLECTIVE_DIST_INVESTOR = "330101"
COLLECTIVE_DIST_DIVIDENDS = "330102"
COLLECTIVE_DIST_PUBLIC_WELFARE = "330103"
COLLECTIVE_DIST_PROJECT_RESERVE = "330104"
COLLECTIVE_DIST_PER_CAPITA = "330105"
COLLECTIVE_UNDISTRIBUTED = "330109"

#: Distribution account of each part of the 3:3:3:1 split of the collective's part.
COLLECTIVE_SPLIT_ACCOUNTS: Mapping[str, str] = MappingProxyType(
    {
        "shareholders": COLLECTIVE_DIST_DIVIDENDS,  # 3 股东分红
        "public_welfare": COLLECTIVE_DIST_PUBLIC_WELFARE,  # 3 村级公益金
        "project_reserve": COLLECTIVE_DIST_PROJECT_RESERVE,  # 3 项目储备金
        "per_capita": COLLECTIVE_DIST_PER_CAPITA,  # 1 村民人均
    }
)

# --- all charts ---

CHARTS: Mapping[BookKind, tuple[AccountTemplate, ...]] = MappingProxyType(
    {
        BookKind.MICRO_FUND: _MICRO_FUND_CHART,
        BookKind.TRUST_PROPERTY: _TRUST_PROPERTY_CHART,
        BookKind.COLLECTIVE_REVENUE: _COLLECTIVE_REVENUE_CHART,
    }
)


def chart_for(kind: BookKind) -> tuple[AccountTemplate, ...]:
    """The chart of accounts a new book of ``kind`` starts with."""
    return CHARTS[kind]


def validate_chart(templates: Iterable[AccountTemplate]) -> None:
    """Raise ValueError naming the first bad code if ``templates`` break the rules of a chart.

    Codes are digit strings, unique, 4 digits at the top level; a parent is in the chart and comes
    before its child; a child's code is its parent's code plus 2 digits; a child has its parent's
    type.
    """
    chart = tuple(templates)
    all_codes = {t.code for t in chart}
    seen: dict[str, AccountTemplate] = {}
    for t in chart:
        code = t.code
        if not (code.isascii() and code.isdigit()):
            raise ValueError(f"account code {code!r} is not a string of digits")
        if code in seen:
            raise ValueError(f"account code {code!r} appears more than once")
        if t.parent is None:
            if len(code) != TOP_LEVEL_CODE_LENGTH:
                raise ValueError(
                    f"top-level account code {code!r} does not have {TOP_LEVEL_CODE_LENGTH} digits"
                )
        else:
            parent = seen.get(t.parent)
            if parent is None:
                where = "comes after it" if t.parent in all_codes else "is missing"
                raise ValueError(f"account {code!r}: parent {t.parent!r} {where}")
            if not (
                code.startswith(parent.code)
                and len(code) == len(parent.code) + CHILD_CODE_EXTRA_DIGITS
            ):
                raise ValueError(
                    f"account code {code!r} does not extend its parent's code "
                    f"{parent.code!r} by {CHILD_CODE_EXTRA_DIGITS} digits"
                )
            if t.type is not parent.type:
                raise ValueError(
                    f"account {code!r} is of type {t.type.value!r} but its parent "
                    f"{parent.code!r} is of type {parent.type.value!r}"
                )
        seen[code] = t

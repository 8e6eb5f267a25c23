"""A small demo ledger from the seed cases (DESIGN.md; ``shared/seeds``).

碧鸡桥社区 (都江堰市天马镇) funds its 600-person Double Ninth banquet (重阳宴) from merchant
donations, volunteer fundraising and community self-raising; 金河绿洲 (双流区九江街道) runs
trust-style property service with the company's 15% remuneration, 30% of which it gives to a
micro-fund; 全兴村 shares its revenue 3:3:3:1 after the outside investor's 70%. Every ratio goes
through :func:`ledger.money.allocate`. Later issues grow this into the full demo.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session

from ledger.charts import (
    COLLECTIVE_BANK,
    COLLECTIVE_DIST_INVESTOR,
    COLLECTIVE_DIVIDENDS_PAYABLE,
    COLLECTIVE_INVESTOR_PROFIT_PAYABLE,
    COLLECTIVE_OPERATING_EXPENSE,
    COLLECTIVE_OPERATING_INCOME,
    COLLECTIVE_PER_CAPITA_PAYABLE,
    COLLECTIVE_PROJECT_RESERVE_FUND,
    COLLECTIVE_PUBLIC_WELFARE_FUND,
    COLLECTIVE_SPLIT_ACCOUNTS,
    DONATION_INCOME_BY_SOURCE,
    MICRO_FUND_BANK,
    MICRO_FUND_CASH,
    MICRO_FUND_EXPENSE_BY_CATEGORY,
    TRUST_COMMON_FUND_BANK,
    TRUST_EXPENSE_BY_BUDGET_LINE,
    TRUST_FEE_INCOME,
    TRUST_MICRO_FUND_GIFT_PAYABLE,
    TRUST_REMUNERATION_EXPENSE,
    TRUST_REMUNERATION_PAYABLE,
)
from ledger.domain import BookKind, Role
from ledger.money import allocate, parse_money
from ledger.services.books import close_period, create_book
from ledger.services.entries import EntryDraft, PostingLine, post_entries
from ledger.services.users import create_user

#: Collective split accounts in 3:3:3:1 order, with their weights.
_SPLIT = ("shareholders", "public_welfare", "project_reserve", "per_capita")
_SPLIT_WEIGHTS = (3, 3, 3, 1)
#: Where each part goes: payables to people, or the village's own funds.
_SPLIT_CREDIT = {
    "shareholders": COLLECTIVE_DIVIDENDS_PAYABLE,
    "public_welfare": COLLECTIVE_PUBLIC_WELFARE_FUND,
    "project_reserve": COLLECTIVE_PROJECT_RESERVE_FUND,
    "per_capita": COLLECTIVE_PER_CAPITA_PAYABLE,
}


@dataclass(frozen=True, slots=True)
class DemoSummary:
    admin: str
    book_ids: dict[str, int]
    entries: int


def _fen(text: str) -> int:
    return parse_money(text).fen


def _pair(date: dt.date, memo: str, debit: str, credit: str, fen: int) -> EntryDraft:
    return EntryDraft(date, memo, [PostingLine(debit, fen), PostingLine(credit, -fen)])


def build_demo(session: Session) -> DemoSummary:
    """Fill an empty ledger with users and three books from the seed cases."""
    admin = create_user(
        session, username="admin", display_name="管理员", role=Role.ADMIN, actor=None
    )
    treasurer = create_user(
        session, username="li.kuaiji", display_name="李会计", role=Role.TREASURER, actor=admin
    )
    reviewer = create_user(
        session, username="wang.shenhe", display_name="王审核", role=Role.REVIEWER, actor=admin
    )
    count = 0
    fund = create_book(
        session,
        kind=BookKind.MICRO_FUND,
        name="碧鸡桥社区微基金",
        organisation="都江堰市天马镇碧鸡桥社区",
        actor=admin,
    )
    d = dt.date
    posted = post_entries(
        session,
        book_id=fund.id or 0,
        actor=treasurer,
        drafts=[
            _pair(
                d(2023, 9, 20),
                "爱心商家捐赠：重阳宴食材",
                MICRO_FUND_BANK,
                DONATION_INCOME_BY_SOURCE["merchant"],
                _fen("3,000.00"),
            ),
            _pair(
                d(2023, 9, 25),
                "志愿者募集：重阳宴",
                MICRO_FUND_CASH,
                DONATION_INCOME_BY_SOURCE["volunteer"],
                _fen("1,860.00"),
            ),
            _pair(
                d(2023, 10, 8),
                "社区自筹：重阳宴",
                MICRO_FUND_BANK,
                DONATION_INCOME_BY_SOURCE["self_raised"],
                _fen("2,500.00"),
            ),
        ],
    )
    count += len(posted)
    posted = post_entries(
        session,
        book_id=fund.id or 0,
        actor=treasurer,
        approver=reviewer,
        drafts=[
            _pair(
                d(2023, 10, 20),
                "重阳宴：600余人餐费",
                MICRO_FUND_EXPENSE_BY_CATEGORY["activity"],
                MICRO_FUND_BANK,
                _fen("5,400.00"),
            ),
            _pair(
                d(2023, 10, 20),
                "重阳宴：舞台音响租赁",
                MICRO_FUND_EXPENSE_BY_CATEGORY["activity"],
                MICRO_FUND_CASH,
                _fen("600.00"),
            ),
        ],
    )
    count += len(posted)

    trust = create_book(
        session,
        kind=BookKind.TRUST_PROPERTY,
        name="金河绿洲小区信托制物业",
        organisation="双流区九江街道万家社区金河绿洲小区业主大会",
        actor=admin,
    )
    collected = _fen("126,480.00")
    remuneration, _owners = allocate(collected, [1500, 8500])  # 15% 酬金
    gift, _kept = allocate(remuneration, [3000, 7000])  # 30% of it to the micro-fund
    posted = post_entries(
        session,
        book_id=trust.id or 0,
        actor=treasurer,
        drafts=[
            _pair(
                d(2024, 1, 31),
                "2024年1月物业费收缴",
                TRUST_COMMON_FUND_BANK,
                TRUST_FEE_INCOME,
                collected,
            ),
            _pair(
                d(2024, 1, 31),
                "2024年1月物业服务酬金（实收物业费的15%）",
                TRUST_REMUNERATION_EXPENSE,
                TRUST_REMUNERATION_PAYABLE,
                remuneration,
            ),
            _pair(
                d(2024, 1, 31),
                "物业公司捐出酬金的30%给社区微基金",
                TRUST_REMUNERATION_PAYABLE,
                TRUST_MICRO_FUND_GIFT_PAYABLE,
                gift,
            ),
            _pair(
                d(2024, 1, 31),
                "1月保洁服务费",
                TRUST_EXPENSE_BY_BUDGET_LINE["cleaning"],
                TRUST_COMMON_FUND_BANK,
                _fen("18,600.00"),
            ),
            _pair(
                d(2024, 1, 31),
                "1月公共水电费",
                TRUST_EXPENSE_BY_BUDGET_LINE["utilities"],
                TRUST_COMMON_FUND_BANK,
                _fen("7,235.40"),
            ),
        ],
    )
    count += len(posted)

    village = create_book(
        session,
        kind=BookKind.COLLECTIVE_REVENUE,
        name="全兴村集体经济收益分配",
        organisation="全兴村股份经济合作联社",
        actor=admin,
    )
    profit = _fen("600,000.00")
    investor, collective = allocate(profit, [7000, 3000])  # contract year 1: investor 70%
    parts = allocate(collective, list(_SPLIT_WEIGHTS))  # 3:3:3:1
    lines = [
        PostingLine(COLLECTIVE_DIST_INVESTOR, investor),
        PostingLine(COLLECTIVE_INVESTOR_PROFIT_PAYABLE, -investor),
    ]
    for key, fen in zip(_SPLIT, parts, strict=True):
        lines += [
            PostingLine(COLLECTIVE_SPLIT_ACCOUNTS[key], fen),
            PostingLine(_SPLIT_CREDIT[key], -fen),
        ]
    posted = post_entries(
        session,
        book_id=village.id or 0,
        actor=treasurer,
        approver=reviewer,
        drafts=[
            _pair(
                d(2024, 12, 20),
                "2024年度民宿与农旅经营收入",
                COLLECTIVE_BANK,
                COLLECTIVE_OPERATING_INCOME,
                profit + _fen("400,000.00"),
            ),
            _pair(
                d(2024, 12, 25),
                "2024年度经营支出",
                COLLECTIVE_OPERATING_EXPENSE,
                COLLECTIVE_BANK,
                _fen("400,000.00"),
            ),
            EntryDraft(d(2024, 12, 31), "2024年度收益分配：投资方70%，集体部分按3:3:3:1", lines),
        ],
    )
    count += len(posted)
    close_period(session, book_id=fund.id or 0, through=d(2023, 9, 30), actor=reviewer)
    return DemoSummary(
        admin=admin.username,
        book_ids={b.name: b.id or 0 for b in (fund, trust, village)},
        entries=count,
    )

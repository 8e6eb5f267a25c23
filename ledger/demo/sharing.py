"""The 全兴村 demo: a year of 民宿 and 农旅 income and its 3331 distribution."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session

from ledger.charts import COLLECTIVE_BANK, COLLECTIVE_OPERATING_EXPENSE, COLLECTIVE_OPERATING_INCOME
from ledger.models import AppUser
from ledger.money import allocate
from ledger.services.entries import EntryDraft, PostingLine, post_entries
from ledger.services.sharing import (
    DistributionReport,
    add_village_household,
    distribute,
    period_profit,
    set_exit_schedule,
    village_book,
)

#: 3001 资本 and 5201 管理费用 of the collective chart (ledger.charts names no constant for them).
_COLLECTIVE_CAPITAL = "3001"
_COLLECTIVE_ADMIN_EXPENSE = "5201"
#: Seasonal weights of the village's monthly takings (spring blossoms, summer holidays,
#: National Day week), January … December.
_SEASON = (5, 4, 8, 9, 10, 7, 11, 12, 8, 12, 7, 7)
#: "实现村集体经济营收400余万元": the year's revenue, in fen.
_DEMO_REVENUE_FEN = 412_680_000
#: Homestays (民宿) : agri-tourism, catering and tickets (农旅).
_DEMO_REVENUE_MIX = (56, 44)
#: "增加工作岗位47个": monthly wages of the 47 jobs, in fen.
_DEMO_MONTHLY_WAGES_FEN = 16_920_000
_DEMO_MONTHLY_UPKEEP_FEN = 1_200_000
_DEMO_MONTHLY_ADMIN_FEN = 750_000
#: Food, linen and materials bought for the guests, as basis points of the month's takings.
_DEMO_SUPPLIES_BP = 1200
_DEMO_OPENING_FEN = 65_000_000
_DEMO_GROUPS = ("一", "二", "三", "四", "五")
_DEMO_HOUSEHOLDS_PER_GROUP = 8
#: Shares bought by the households (0: a household that did not invest), cycled.
_DEMO_SHARES = (10, 20, 0, 5, 30, 15, 10, 50, 20, 0, 25, 10, 40)
_DEMO_MEMBERS = (4, 3, 5, 2, 6, 3, 4, 1, 5, 3, 4)


@dataclass(frozen=True, slots=True)
class SharingDemo:
    households: int
    entries: int
    profit_fen: int
    distribution: DistributionReport


def _pair(date: dt.date, memo: str, debit: str, credit: str, fen: int) -> EntryDraft:
    return EntryDraft(date, memo, [PostingLine(debit, fen), PostingLine(credit, -fen)])


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)


def build_sharing_demo(
    session: Session,
    *,
    book_id: int,
    treasurer: AppUser,
    reviewer: AppUser,
    committee: AppUser,
    year: int,
) -> SharingDemo:
    """全兴村's year: 40 households with shares and members, the investor's 20-year contract
    (started on 1 January of ``year − 2``, so ``year`` is contract year 3: 63%), twelve months
    of homestay and agri-tourism takings (about 4.1 million yuan) and costs, and the annual
    3331 distribution of the year's profit, recorded by ``treasurer``, the costs approved by
    ``reviewer`` and the distribution by ``committee``. Deterministic."""
    village_book(session, book_id=book_id)
    for i in range(len(_DEMO_GROUPS) * _DEMO_HOUSEHOLDS_PER_GROUP):
        group, number = divmod(i, _DEMO_HOUSEHOLDS_PER_GROUP)
        add_village_household(
            session,
            book_id=book_id,
            label=f"全兴村{_DEMO_GROUPS[group]}组{number + 1:02d}户",
            shares=_DEMO_SHARES[i % len(_DEMO_SHARES)],
            members=_DEMO_MEMBERS[i % len(_DEMO_MEMBERS)],
            actor=treasurer,
        )
    set_exit_schedule(
        session,
        book_id=book_id,
        contract_start=dt.date(year - 2, 1, 1),
        actor=treasurer,
        note="外部投资方20年合伙协议：首年分取整体利润的70%，逐年递减，期满退出",
    )
    monthly = allocate(_DEMO_REVENUE_FEN, list(_SEASON))
    income: list[EntryDraft] = [
        _pair(
            dt.date(year, 1, 1),
            f"{year}年初银行存款（上年结转）",
            COLLECTIVE_BANK,
            _COLLECTIVE_CAPITAL,
            _DEMO_OPENING_FEN,
        )
    ]
    costs: list[EntryDraft] = []
    for month, takings in enumerate(monthly, start=1):
        end = _month_end(year, month)
        homestay, tourism = allocate(takings, list(_DEMO_REVENUE_MIX))
        supplies, _rest = allocate(takings, [_DEMO_SUPPLIES_BP, 10_000 - _DEMO_SUPPLIES_BP])
        income += [
            _pair(
                end,
                f"{month}月民宿经营收入",
                COLLECTIVE_BANK,
                COLLECTIVE_OPERATING_INCOME,
                homestay,
            ),
            _pair(
                end,
                f"{month}月农旅餐饮及门票收入",
                COLLECTIVE_BANK,
                COLLECTIVE_OPERATING_INCOME,
                tourism,
            ),
        ]
        costs += [
            _pair(
                end,
                f"{month}月47个岗位工资",
                COLLECTIVE_OPERATING_EXPENSE,
                COLLECTIVE_BANK,
                _DEMO_MONTHLY_WAGES_FEN,
            ),
            _pair(
                end,
                f"{month}月食材布草及物料采购",
                COLLECTIVE_OPERATING_EXPENSE,
                COLLECTIVE_BANK,
                supplies,
            ),
            _pair(
                end,
                f"{month}月设施维护及水电",
                COLLECTIVE_OPERATING_EXPENSE,
                COLLECTIVE_BANK,
                _DEMO_MONTHLY_UPKEEP_FEN,
            ),
            _pair(
                end,
                f"{month}月运营公司管理费用",
                _COLLECTIVE_ADMIN_EXPENSE,
                COLLECTIVE_BANK,
                _DEMO_MONTHLY_ADMIN_FEN,
            ),
        ]
    # Takings of each month are banked before its costs are paid, entry by entry in date order.
    drafts = sorted(income + costs, key=lambda d: d.date)
    posted = post_entries(
        session, book_id=book_id, drafts=drafts, actor=treasurer, approver=reviewer
    )
    profit = period_profit(session, book_id=book_id, period=str(year))
    report = distribute(
        session,
        book_id=book_id,
        period=str(year),
        date=dt.date(year, 12, 31),
        profit_fen=profit,
        actor=treasurer,
        approver=committee,
    )
    return SharingDemo(
        households=len(_DEMO_GROUPS) * _DEMO_HOUSEHOLDS_PER_GROUP,
        entries=len(posted) + 1,
        profit_fen=profit,
        distribution=report,
    )

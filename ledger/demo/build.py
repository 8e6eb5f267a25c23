"""The demo ledger: the three seed cases as books, a year of plausible activity each.

碧鸡桥社区 (都江堰市天马镇) funds its 600-person Double Ninth banquet (重阳宴) from merchant
donations, volunteer fundraising and community self-raising; 金河绿洲 (双流区九江街道) runs
trust-style property service with the company's 15% remuneration, 30% of which the company gives
to the community micro-fund; 全兴村 shares its profit 3:3:3:1 after the outside investor's share,
in year 3 of a 20-year exit contract. Everything is posted through the services, so the demo
verifies like any ledger. Deterministic: the same call builds the same books.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session

from ledger import signing
from ledger.demo.microfund import MicrofundDemo, build_microfund_demo
from ledger.demo.property import PropertyDemoSummary, build_property_demo
from ledger.demo.sharing import SharingDemo, build_sharing_demo
from ledger.demo.votes import build_votes_demo
from ledger.domain import BookKind, Role
from ledger.services.books import close_period, create_book
from ledger.services.users import create_user

#: The year the demo's books record (a past year, so every month can be closed and reported).
DEMO_YEAR = 2024


@dataclass(frozen=True, slots=True)
class DemoSummary:
    admin: str
    book_ids: dict[str, int]
    micro_fund: MicrofundDemo
    estate: PropertyDemoSummary
    village: SharingDemo
    #: The demo's votes by what they decided: ``budget`` (owners' meeting on the next year's
    #: open budget), ``projects`` (participatory budget), ``distribution`` (village meeting).
    votes: dict[str, int]

    entries: int


#: Every demo user's password (the README lists it): the demo acts as each of them in turn and
#: signs what each does with their own key.
DEMO_PASSWORD = "gongzhang-demo"  # noqa: S105 - published in the README on purpose


def build_demo(session: Session, *, year: int = DEMO_YEAR) -> DemoSummary:
    """Fill an empty ledger with the demo's users and the three seed cases."""
    admin = create_user(
        session,
        username="admin",
        display_name="管理员",
        role=Role.ADMIN,
        password=DEMO_PASSWORD,
        actor=None,
    )
    treasurer = create_user(
        session,
        username="li.kuaiji",
        display_name="李会计",
        role=Role.TREASURER,
        password=DEMO_PASSWORD,
        actor=admin,
    )
    reviewer = create_user(
        session,
        username="wang.shenhe",
        display_name="王审核",
        role=Role.REVIEWER,
        password=DEMO_PASSWORD,
        actor=admin,
    )
    committee = create_user(
        session,
        username="zhao.weiyuan",
        display_name="赵委员",
        role=Role.COMMITTEE,
        password=DEMO_PASSWORD,
        actor=admin,
    )
    auditor = create_user(
        session,
        username="chen.shenji",
        display_name="陈审计",
        role=Role.AUDITOR,
        password=DEMO_PASSWORD,
        actor=admin,
    )
    for user in (admin, treasurer, reviewer, committee, auditor):
        signing.unlock(user.signing_key, DEMO_PASSWORD)
    fund = create_book(
        session,
        kind=BookKind.MICRO_FUND,
        name="碧鸡桥社区微基金",
        organisation="都江堰市天马镇碧鸡桥社区",
        actor=admin,
    )
    trust = create_book(
        session,
        kind=BookKind.TRUST_PROPERTY,
        name="金河绿洲小区信托制物业",
        organisation="双流区九江街道万家社区金河绿洲小区业主大会",
        actor=admin,
    )
    village = create_book(
        session,
        kind=BookKind.COLLECTIVE_REVENUE,
        name="全兴村集体经济收益分配",
        organisation="全兴村股份经济合作联社",
        actor=admin,
    )
    micro_fund = build_microfund_demo(
        session,
        book_id=fund.id or 0,
        treasurer=treasurer,
        reviewer=reviewer,
        committee=committee,
        year=year,
    )
    estate = build_property_demo(
        session,
        book_id=trust.id or 0,
        treasurer=treasurer,
        reviewer=reviewer,
        committee=committee,
        year=year,
        fund_book_id=fund.id,
        admin=admin,
    )
    shares = build_sharing_demo(
        session,
        book_id=village.id or 0,
        treasurer=treasurer,
        reviewer=reviewer,
        committee=committee,
        year=year,
    )
    votes = build_votes_demo(
        session,
        fund=fund,
        trust=trust,
        village=village,
        treasurer=treasurer,
        committee=committee,
        year=year,
    )
    # November is closed (结账) in every book; December stays open for the treasurer to try things.
    for book in (fund, trust, village):
        close_period(session, book_id=book.id or 0, through=dt.date(year, 11, 30), actor=reviewer)
    for book in (fund, trust, village):
        session.refresh(book)
    return DemoSummary(
        entries=sum(b.head_index for b in (fund, trust, village)),
        admin=admin.username,
        book_ids={b.name: b.id or 0 for b in (fund, trust, village)},
        micro_fund=micro_fund,
        estate=estate,
        village=shares,
        votes=votes,
    )

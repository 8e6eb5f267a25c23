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

from sqlmodel import Session, col, select

from ledger import signing
from ledger.domain import BookKind, Role
from ledger.models import AppUser, Book, Household, PropertyUnit
from ledger.money import parse_money
from ledger.services.books import close_period, create_book
from ledger.services.households import add_household, book_households, enrol_household
from ledger.services.microfund import MicrofundDemo, build_microfund_demo
from ledger.services.property import (
    DEMO_BUDGET,
    PropertyDemoSummary,
    build_property_demo,
    create_budget,
)
from ledger.services.sharing import SharingDemo, build_sharing_demo
from ledger.services.users import create_user
from ledger.services.votes import (
    OWNERS_MEETING,
    PARTICIPATORY_BUDGET,
    VILLAGE_MEETING,
    ProjectSpec,
    close_vote,
    create_vote,
    record_ballot,
)

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


#: The micro-fund's projects put to the residents for the next year (participatory budget).
_DEMO_PROJECTS = (
    ProjectSpec("p1", "楼道感应灯更换", 680_000),
    ProjectSpec("p2", "老年活动室空调", 920_000),
    ProjectSpec("p3", "儿童游乐设施维修", 540_000),
    ProjectSpec("p4", "垃圾分类亭", 760_000),
    ProjectSpec("p5", "社区共享菜园", 310_000),
)
#: Approval ballots of the demo's households, in turn (a deterministic mix).
_DEMO_APPROVALS = (
    ("p1", "p3"),
    ("p2",),
    ("p1", "p2", "p5"),
    ("p3", "p5"),
    ("p1",),
    ("p4", "p5"),
    ("p2", "p3"),
    ("p1", "p4"),
)


def build_votes_demo(
    session: Session,
    *,
    fund: Book,
    trust: Book,
    village: Book,
    treasurer: AppUser,
    committee: AppUser,
    year: int,
) -> dict[str, int]:
    """December's decisions: the 金河绿洲 owners approve next year's open budget (art. 278,
    ordinary matter); 碧鸡桥's households choose the micro-fund's projects for next year by
    approval ballots (Method of Equal Shares), which become activities; 全兴村's households
    adopt the distribution plan at a village meeting. Ballots are recorded by the treasurer,
    votes opened and closed by the committee member."""
    opens, closes = dt.date(year, 12, 1), dt.date(year, 12, 15)
    create_budget(
        session,
        book_id=trust.id or 0,
        year=year + 1,
        lines={line: parse_money(amount).fen for line, amount in DEMO_BUDGET.items()},
        actor=treasurer,
    )
    budget_vote = create_vote(
        session,
        book_id=trust.id or 0,
        kind=OWNERS_MEETING,
        title=f"审议{year + 1}年度开放式预算",
        opens_on=opens,
        closes_on=closes,
        actor=committee,
        matter="ordinary",
        budget_year=year + 1,
    )
    owners = sorted(
        set(
            session.exec(
                select(PropertyUnit.owner_key).where(col(PropertyUnit.book_id) == trust.id)
            )
        )
    )
    for n, owner in enumerate(owners):
        if n % 5 == 4:  # one owner in five does not take part
            continue
        choice = "no" if n % 11 == 3 else "abstain" if n % 13 == 6 else "yes"
        record_ballot(
            session,
            vote_id=budget_vote.id or 0,
            voter=owner,
            choice=choice,
            channel="proxy" if n % 17 == 8 else "paper",
            proxy_name="业主委托人" if n % 17 == 8 else "",
            cast_on=opens + dt.timedelta(days=n % 14),
            actor=treasurer,
        )
    close_vote(session, vote_id=budget_vote.id or 0, actor=committee, on=closes)

    labels = [f"碧鸡桥{group}组{number}号" for group in range(1, 5) for number in range(1, 11)]
    households = []
    for n, label in enumerate(labels):
        existing = session.exec(select(Household.id).where(col(Household.label) == label)).first()
        household_id = (
            existing
            or add_household(session, label=label, members=2 + n % 4, actor=treasurer).id
            or 0
        )
        enrol_household(session, book_id=fund.id or 0, household_id=household_id, actor=treasurer)
        households.append(label)
    projects_vote = create_vote(
        session,
        book_id=fund.id or 0,
        kind=PARTICIPATORY_BUDGET,
        title=f"{year + 1}年社区微基金项目（参与式预算）",
        opens_on=opens,
        closes_on=closes,
        actor=committee,
        ballot_type="approval",
        rule="mes",
        projects=_DEMO_PROJECTS,
        budget_fen=2_000_000,
        max_length=3,
    )
    for n, label in enumerate(households):
        if n % 6 == 5:
            continue
        record_ballot(
            session,
            vote_id=projects_vote.id or 0,
            voter=label,
            selection=_DEMO_APPROVALS[n % len(_DEMO_APPROVALS)],
            channel="in_person",
            cast_on=opens + dt.timedelta(days=n % 10),
            actor=treasurer,
        )
    close_vote(session, vote_id=projects_vote.id or 0, actor=committee, on=closes)

    plan_vote = create_vote(
        session,
        book_id=village.id or 0,
        kind=VILLAGE_MEETING,
        title=f"{year}年度集体经济收益分配方案",
        opens_on=opens,
        closes_on=opens,
        actor=committee,
    )
    for n, household in enumerate(book_households(session, book_id=village.id or 0)):
        if n % 4 == 3:
            continue
        record_ballot(
            session,
            vote_id=plan_vote.id or 0,
            voter=household.label,
            choice="no" if n % 9 == 2 else "yes",
            channel="in_person",
            cast_on=opens,
            actor=treasurer,
        )
    close_vote(session, vote_id=plan_vote.id or 0, actor=committee, on=opens)
    return {
        "budget": budget_vote.id or 0,
        "projects": projects_vote.id or 0,
        "distribution": plan_vote.id or 0,
    }

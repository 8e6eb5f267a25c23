"""The demo's December decisions: an owners' meeting on the open budget, a participatory budget
and a village meeting on the distribution."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, col, select

from ledger.demo.property import DEMO_BUDGET
from ledger.models import AppUser, Book, Household, PropertyUnit
from ledger.money import parse_money
from ledger.services.households import add_household, book_households, enrol_household
from ledger.services.property import create_budget
from ledger.services.votes import (
    OWNERS_MEETING,
    PARTICIPATORY_BUDGET,
    VILLAGE_MEETING,
    ProjectSpec,
    close_vote,
    create_vote,
    record_ballot,
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

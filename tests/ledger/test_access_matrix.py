"""The role matrix (权限) is enforced by the services themselves, not only by the interface.

For every role and every service function that changes data, the call either succeeds — and the
audit events it adds name that user and what was done — or is refused with
:class:`~ledger.errors.PermissionDeniedError` naming the user, the role and the action, with every
row of every table as it was. Which of the two is decided by ``ledger.access.PERMISSIONS`` alone.
A new service function that takes an ``actor`` and is not listed here fails
:func:`test_every_service_that_changes_data_is_in_the_matrix`.

Also here: nobody approves their own work on any approval path (not even an administrator);
the auditor reads every list and every notice of the demo ledger while nothing changes; and
the audit trail, which says who did what, gives itself away when it is tampered with (changed
detail is in ``test_verify.py``; changed actor, renamed user and deleted events are here).

Runtime: about 80 s, nearly all of it the fresh ledger (``world``) each of the ~250 cases gets.
"""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import pkgutil
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select as sa_select
from sqlalchemy import text
from sqlmodel import Session, SQLModel, col, select

import ledger.models  # every table on SQLModel.metadata
import ledger.services
from ledger import demo
from ledger.access import PERMISSIONS, Action, may, require
from ledger.chain import voucher_number
from ledger.db import Ledger, open_ledger
from ledger.domain import BookKind, Role
from ledger.errors import PermissionDeniedError
from ledger.models import AppUser, Attachment, AuditEvent, Book, DonationReceipt, Entry
from ledger.pabulib import read_pb
from ledger.rules.microfund import receipt_number
from ledger.services import (
    attachments,
    audit,
    balances,
    books,
    counterparties,
    dashboard,
    electorate,
    entries,
    households,
    journal,
    microfund,
    settings,
    sharing,
    users,
    votes,
)
from ledger.services import property as trust
from ledger.services.entries import EntryDraft, PostingLine
from ledger.verify import verify_ledger
from reports.notices.common import ReportOptions, parse_report_period
from reports.notices.registry import build_notice, kinds_for
from tests.conftest import World

D = dt.date
Ctx = dict[str, Any]

#: The roles of the matrix, each a user of that name in the ``world`` fixture.
ROLES = tuple(role.value for role in Role)

#: The English texts a refusal is made of (``ledger.access.require``): pinned here, because
#: people read them.
ROLE_TEXT = {
    "admin": "Administrator",
    "treasurer": "Treasurer",
    "reviewer": "Reviewer",
    "committee": "Committee member",
    "auditor": "Auditor (read-only)",
}
ACTION_TEXT = {
    Action.POST_ENTRY: "record entries",
    Action.REVERSE_ENTRY: "reverse entries",
    Action.ATTACH_FILE: "attach receipts",
    Action.APPROVE: "approve entries",
    Action.CLOSE_PERIOD: "close periods",
    Action.MANAGE_BOOKS: "create or change books",
    Action.MANAGE_USERS: "manage users",
    Action.MANAGE_COUNTERPARTIES: "manage donors and payees",
    Action.MANAGE_VOTES: "open, change or close votes",
    Action.RECORD_BALLOTS: "record ballots",
}


def refusal(username: str, role: str, action: Action) -> str:
    """``auditor (Auditor (read-only)) may not record entries.``"""
    return f"{username} ({ROLE_TEXT[role]}) may not {ACTION_TEXT[action]}."


def test_the_refusal_text_is_the_one_require_writes() -> None:
    """The pinned texts above are what ``require`` says, for every role and action."""
    for action in Action:
        for role in ROLES:
            if may(role, action):
                require(role, role, action)
                continue
            with pytest.raises(PermissionDeniedError) as caught:
                require(role, role, action)
            assert str(caught.value) == refusal(role, role, action)
    assert refusal("auditor", "auditor", Action.POST_ENTRY) == (
        "auditor (Auditor (read-only)) may not record entries."
    )


# --- the database, dumped -----------------------------------------------------------------------


def dump(ledger: Ledger) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of ``SQLModel.metadata``, sorted: equal dumps, equal data."""
    with ledger.read() as s:
        conn = s.connection()
        return {
            table.name: sorted((tuple(row) for row in conn.execute(sa_select(table))), key=repr)
            for table in SQLModel.metadata.sorted_tables
        }


def changed_tables(before: dict[str, list[Any]], after: dict[str, list[Any]]) -> list[str]:
    return sorted(name for name in before.keys() | after.keys() if before[name] != after[name])


def newest_event(s: Session) -> AuditEvent:
    event = s.exec(select(AuditEvent).order_by(col(AuditEvent.seq).desc()).limit(1)).first()
    assert event is not None
    return event


# --- what the operations need (made by treasurer2, committee or admin, never the tester) -------

OPENS, CLOSES, VOTING_DAY, AFTER = D(2024, 11, 1), D(2024, 11, 30), D(2024, 11, 10), D(2024, 12, 1)
VOTERS = ("3栋101", "3栋201", "3栋301")

#: A small participatory-budget file (Pabulib format): three projects, four ballots.
PB_FILE = """META
key;value
description;Hand-made test
budget;100
vote_type;approval
max_length;2
num_projects;3
num_votes;4
PROJECTS
project_id;cost;name;category
a;60;Playground;leisure
b;50;Benches;public space
c;40;Trees;nature
VOTES
voter_id;vote;age
1;a;34
2;a,b;51
3;b,c;27
4;c;
"""


def maker(s: Session, w: World) -> AppUser:
    """Who prepares: a treasurer who is none of the roles under test."""
    return w.user(s, "treasurer2")


def donation_lines(fen: int = 10_000) -> list[PostingLine]:
    return [PostingLine("1002", fen), PostingLine("410101", -fen)]


def posted_entry(s: Session, w: World) -> Ctx:
    posted = entries.post_entry(
        s,
        book_id=w.fund_id,
        date=D(2024, 3, 1),
        memo="居民捐赠",
        lines=donation_lines(),
        actor=maker(s, w),
    )
    entry = entries.find_entry(s, book_id=w.fund_id, number=posted.number)
    return {"entry": entry.id}


def donor(s: Session, w: World) -> Ctx:
    cp = counterparties.add_counterparty(
        s, kind="merchant", name="天马镇好又多超市", actor=maker(s, w)
    )
    return {"donor": cp.id}


def money_in_the_fund(s: Session, w: World) -> Ctx:
    """¥10,000.00 of unrestricted money in the micro-fund's bank account."""
    ctx = donor(s, w)
    microfund.record_donation(
        s,
        book_id=w.fund_id,
        date=D(2024, 9, 1),
        donor_id=ctx["donor"],
        source="self_raised",
        amount_fen=1_000_000,
        actor=maker(s, w),
    )
    return ctx


def expense(s: Session, w: World, fen: int) -> int:
    """An activity expense of ``fen`` recorded by treasurer2 (¥1,000.00 or more waits for two
    approvers; less is posted at once)."""
    money_in_the_fund(s, w)
    made = microfund.record_expense(
        s,
        book_id=w.fund_id,
        date=D(2024, 10, 18),
        category="activity",
        amount_fen=fen,
        memo="重阳宴：食材",
        actor=maker(s, w),
    )
    return made.id or 0


def pending_expense(s: Session, w: World) -> Ctx:
    return {"expense": expense(s, w, 200_000)}


def posted_expense(s: Session, w: World) -> Ctx:
    return {"expense": expense(s, w, 20_000)}


def new_household(s: Session, w: World, label: str = "5栋501") -> int:
    return households.add_household(s, label=label, actor=maker(s, w)).id or 0


def household_with_points(s: Session, w: World) -> Ctx:
    home = new_household(s, w)
    microfund.earn_points(
        s,
        book_id=w.fund_id,
        household_id=home,
        date=D(2024, 10, 20),
        points=30,
        reason="重阳宴帮厨",
        actor=maker(s, w),
    )
    return {"household": home}


def planned_activity(s: Session, w: World) -> Ctx:
    activity = microfund.add_activity(
        s,
        book_id=w.fund_id,
        name="重阳宴",
        date=D(2024, 10, 20),
        budget_fen=1_100_000,
        actor=maker(s, w),
    )
    return {"activity": activity.id}


def pb_vote(s: Session, w: World) -> Ctx:
    vote = votes.import_pb(
        s, book_id=w.fund_id, election=read_pb(PB_FILE), actor=w.user(s, "committee")
    )
    return {"vote": vote.id}


def estate(s: Session, w: World) -> Ctx:
    """One unit of 89.56 m² at ¥2.50 per m² per month: ¥223.90 a month."""
    settings.set_setting(
        s, book_id=w.trust_id, key="fee_rate_fen_per_m2", value=250, actor=w.user(s, "admin")
    )
    unit = trust.add_unit(
        s,
        book_id=w.trust_id,
        building="1",
        unit="1",
        room="101",
        area="89.56",
        owner_name="张晓明",
        actor=maker(s, w),
    )
    return {"unit": unit.id}


def billed(s: Session, w: World) -> Ctx:
    ctx = estate(s, w)
    trust.bill_period(s, book_id=w.trust_id, period="2024-01", actor=maker(s, w))
    return ctx


def collected(s: Session, w: World) -> Ctx:
    ctx = billed(s, w)
    trust.collect(
        s,
        book_id=w.trust_id,
        unit_id=ctx["unit"],
        date=D(2024, 1, 10),
        amount_fen=22_390,
        actor=maker(s, w),
    )
    return ctx


def remunerated(s: Session, w: World) -> Ctx:
    ctx = collected(s, w)
    trust.post_remuneration(s, book_id=w.trust_id, period="2024-01", actor=maker(s, w))
    return ctx


def remunerated_company(s: Session, w: World) -> Ctx:
    """January's remuneration posted, and the property company registered (the gift's donor)."""
    counterparties.add_counterparty(
        s, kind="property_company", name="成都智乐宏图物业管理有限公司", actor=maker(s, w)
    )
    return remunerated(s, w)


def draft_budget(s: Session, w: World) -> Ctx:
    budget = trust.create_budget(
        s,
        book_id=w.trust_id,
        year=2024,
        lines={"cleaning": 100_000, "facilities": 50_000},
        actor=maker(s, w),
    )
    return {"budget": budget.id}


def approved_budget(s: Session, w: World) -> Ctx:
    ctx = draft_budget(s, w)
    trust.approve_budget(s, book_id=w.trust_id, year=2024, actor=w.user(s, "committee"))
    return ctx


def exit_schedule(s: Session, w: World) -> Ctx:
    sharing.set_exit_schedule(
        s, book_id=w.village_id, contract_start=D(2022, 1, 1), actor=maker(s, w)
    )
    return {}


def villagers(s: Session, w: World) -> Ctx:
    """全兴村 from 2022 on the default 70% → 0% schedule, three households (10/20/30 shares)."""
    exit_schedule(s, w)
    ids = [
        sharing.add_village_household(
            s,
            book_id=w.village_id,
            label=label,
            shares=shares,
            members=members,
            actor=maker(s, w),
        ).id
        for label, shares, members in (
            ("一组01户", 10, 3),
            ("一组02户", 20, 4),
            ("一组03户", 30, 5),
        )
    ]
    return {"household": ids[0]}


def residents(s: Session, w: World) -> Ctx:
    for label in VOTERS:
        households.enrol_household(
            s, book_id=w.fund_id, household_id=new_household(s, w, label), actor=maker(s, w)
        )
    return {}


def residents_meeting(s: Session, w: World) -> Ctx:
    residents(s, w)
    vote = votes.create_vote(
        s,
        book_id=w.fund_id,
        kind=votes.RESIDENTS_MEETING,
        title="增设电动车充电桩",
        opens_on=OPENS,
        closes_on=CLOSES,
        actor=w.user(s, "committee"),
    )
    return {"vote": vote.id}


def a_ballot_in(s: Session, w: World) -> Ctx:
    ctx = residents_meeting(s, w)
    votes.record_ballot(
        s,
        vote_id=ctx["vote"],
        voter=VOTERS[0],
        choice="yes",
        cast_on=VOTING_DAY,
        actor=maker(s, w),
    )
    return ctx


def nothing(_s: Session, _w: World) -> Ctx:
    return {}


# --- the matrix ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Operation:
    """A service call that changes data: what it needs in place, the call, the actions the
    matrix requires for it (all of them), and the audit action an allowed call records (among
    others it may record, such as the ``entry.posted`` of an expense posted at once)."""

    func: Callable[..., Any]
    actions: tuple[Action, ...]
    audit: str
    call: Callable[[Session, World, Ctx, AppUser], object]
    prepare: Callable[[Session, World], Ctx] = nothing
    #: Set when one function is listed twice (a second way to call it).
    variant: str = ""

    @property
    def name(self) -> str:
        qualified = self.key
        base = qualified if qualified in _AMBIGUOUS else self.func.__name__
        return f"{base}({self.variant})" if self.variant else base

    @property
    def key(self) -> str:
        return f"{_service_name(self.func.__module__)}.{self.func.__name__}"


def _service_name(module: str) -> str:
    """The service a module belongs to: ``ledger.services.property.units`` → ``property``."""
    return module.removeprefix("ledger.services.").split(".", 1)[0]


#: Functions of the same name in two modules are named with their module in test ids.
_AMBIGUOUS = {"households.enrol_household", "sharing.enrol_household"}

A = Action
OPERATIONS: tuple[Operation, ...] = (
    # entries and books
    Operation(
        entries.post_entry,
        (A.POST_ENTRY,),
        "entry.posted",
        lambda s, w, c, u: entries.post_entry(
            s, book_id=w.fund_id, date=D(2024, 3, 2), memo="捐赠", lines=donation_lines(), actor=u
        ),
    ),
    Operation(
        entries.post_entries,
        (A.POST_ENTRY,),
        "entries.posted",
        lambda s, w, c, u: entries.post_entries(
            s,
            book_id=w.fund_id,
            drafts=[EntryDraft(D(2024, 3, d), "捐赠", donation_lines(100 * d)) for d in (2, 3)],
            actor=u,
        ),
    ),
    Operation(
        entries.reverse_entry,
        (A.REVERSE_ENTRY,),
        "entry.posted",
        lambda s, w, c, u: entries.reverse_entry(
            s, entry_id=c["entry"], date=D(2024, 3, 5), actor=u
        ),
        posted_entry,
    ),
    Operation(
        attachments.attach_file,
        (A.ATTACH_FILE,),
        "attachment.added",
        lambda s, w, c, u: attachments.attach_file(
            s, entry_id=c["entry"], filename="收据.jpg", data=b"\xff\xd8 receipt", actor=u
        ),
        posted_entry,
    ),
    Operation(
        books.close_period,
        (A.CLOSE_PERIOD,),
        "period.closed",
        lambda s, w, c, u: books.close_period(
            s, book_id=w.fund_id, through=D(2024, 1, 31), actor=u
        ),
    ),
    Operation(
        books.create_book,
        (A.MANAGE_BOOKS,),
        "book.created",
        lambda s, w, c, u: books.create_book(
            s, kind=BookKind.MICRO_FUND, name="天马镇微基金", actor=u
        ),
    ),
    Operation(
        settings.set_setting,
        (A.MANAGE_BOOKS,),
        "setting.changed",
        lambda s, w, c, u: settings.set_setting(
            s, book_id=w.fund_id, key="approval_threshold_fen", value=50_000, actor=u
        ),
    ),
    Operation(
        users.create_user,
        (A.MANAGE_USERS,),
        "user.created",
        lambda s, w, c, u: users.create_user(
            s, username="zhou.kuaiji", role=Role.TREASURER, password="gongzhang-demo", actor=u
        ),
    ),
    Operation(
        users.reset_password,
        (A.MANAGE_USERS,),
        "user.password_reset",
        lambda s, w, c, u: users.reset_password(s, u, "treasurer2", "new-password-2026"),
    ),
    Operation(
        users.disable_user,
        (A.MANAGE_USERS,),
        "user.disabled",
        lambda s, w, c, u: users.disable_user(s, u, "treasurer2"),
    ),
    Operation(
        counterparties.add_counterparty,
        (A.MANAGE_COUNTERPARTIES,),
        "counterparty.added",
        lambda s, w, c, u: counterparties.add_counterparty(
            s, kind="merchant", name="碧鸡桥便利店", actor=u
        ),
    ),
    Operation(
        households.add_household,
        (A.MANAGE_COUNTERPARTIES,),
        "household.added",
        lambda s, w, c, u: households.add_household(s, label="6栋601", members=3, actor=u),
    ),
    Operation(
        households.enrol_household,
        (A.MANAGE_COUNTERPARTIES,),
        "household.enrolled",
        lambda s, w, c, u: households.enrol_household(
            s, book_id=w.fund_id, household_id=c["household"], actor=u
        ),
        lambda s, w: {"household": new_household(s, w)},
    ),
    Operation(
        electorate.import_electorate,
        (A.MANAGE_COUNTERPARTIES,),
        "electorate.imported",
        lambda s, w, c, u: electorate.import_electorate(
            s,
            book_id=w.village_id,
            rows=[(1, ["户名", "人数", "股数"]), (2, ["二组07户", 4, 12])],
            actor=u,
        ),
    ),
    # the micro-fund
    Operation(
        microfund.record_donation,
        (A.POST_ENTRY,),
        "donation.receipted",
        lambda s, w, c, u: microfund.record_donation(
            s,
            book_id=w.fund_id,
            date=D(2024, 9, 10),
            donor_id=c["donor"],
            source="merchant",
            amount_fen=50_000,
            actor=u,
        ),
        donor,
    ),
    Operation(
        microfund.record_expense,
        (A.POST_ENTRY,),
        "expense.recorded",
        lambda s, w, c, u: microfund.record_expense(
            s,
            book_id=w.fund_id,
            date=D(2024, 10, 18),
            category="activity",
            amount_fen=20_000,
            memo="重阳宴：食材",
            actor=u,
        ),
        money_in_the_fund,
    ),
    Operation(
        microfund.approve_expense,
        (A.APPROVE,),
        "expense.approved",
        lambda s, w, c, u: microfund.approve_expense(s, expense_id=c["expense"], actor=u),
        pending_expense,
    ),
    Operation(
        microfund.reject_expense,
        (A.APPROVE,),
        "expense.rejected",
        lambda s, w, c, u: microfund.reject_expense(
            s, expense_id=c["expense"], reason="发票不全", actor=u
        ),
        pending_expense,
    ),
    Operation(
        microfund.attach_expense_receipt,
        (A.ATTACH_FILE,),
        "attachment.added",
        lambda s, w, c, u: microfund.attach_expense_receipt(
            s, expense_id=c["expense"], filename="发票.jpg", data=b"\xff\xd8 invoice", actor=u
        ),
        posted_expense,
    ),
    Operation(
        microfund.add_activity,
        (A.POST_ENTRY,),
        "activity.added",
        lambda s, w, c, u: microfund.add_activity(
            s, book_id=w.fund_id, name="重阳宴", date=D(2024, 10, 20), budget_fen=1_100_000, actor=u
        ),
    ),
    Operation(
        microfund.add_activity,
        (A.MANAGE_VOTES,),
        "activity.added",
        lambda s, w, c, u: microfund.add_activity(
            s,
            book_id=w.fund_id,
            name="儿童游乐场",
            date=D(2024, 12, 1),
            budget_fen=6_000,
            vote_id=c["vote"],
            actor=u,
        ),
        pb_vote,
        variant="chosen_by_a_vote",
    ),
    Operation(
        microfund.set_participants,
        (A.POST_ENTRY,),
        "activity.participants",
        lambda s, w, c, u: microfund.set_participants(
            s, activity_id=c["activity"], participants=600, actor=u
        ),
        planned_activity,
    ),
    Operation(
        microfund.earn_points,
        (A.POST_ENTRY,),
        "points.earned",
        lambda s, w, c, u: microfund.earn_points(
            s,
            book_id=w.fund_id,
            household_id=c["household"],
            date=D(2024, 10, 20),
            points=10,
            reason="清扫楼道",
            actor=u,
        ),
        lambda s, w: {"household": new_household(s, w)},
    ),
    Operation(
        microfund.redeem_points,
        (A.POST_ENTRY,),
        "points.redeemed",
        lambda s, w, c, u: microfund.redeem_points(
            s,
            book_id=w.fund_id,
            household_id=c["household"],
            date=D(2024, 10, 25),
            points=10,
            reason="兑换洗衣液",
            actor=u,
        ),
        household_with_points,
    ),
    # trust-style property
    Operation(
        trust.add_unit,
        (A.MANAGE_COUNTERPARTIES,),
        "property_unit.added",
        lambda s, w, c, u: trust.add_unit(
            s, book_id=w.trust_id, building="2", unit="1", room="101", area="108.40", actor=u
        ),
    ),
    Operation(
        trust.set_fee_rate,
        (A.MANAGE_BOOKS,),
        "setting.changed",
        lambda s, w, c, u: trust.set_fee_rate(s, book_id=w.trust_id, rate_fen_per_m2=250, actor=u),
    ),
    Operation(
        trust.bill_period,
        (A.POST_ENTRY,),
        "entry.posted",
        lambda s, w, c, u: trust.bill_period(s, book_id=w.trust_id, period="2024-01", actor=u),
        estate,
    ),
    Operation(
        trust.collect,
        (A.POST_ENTRY,),
        "entry.posted",
        lambda s, w, c, u: trust.collect(
            s,
            book_id=w.trust_id,
            unit_id=c["unit"],
            date=D(2024, 1, 10),
            amount_fen=22_390,
            actor=u,
        ),
        billed,
    ),
    Operation(
        trust.record_common_income,
        (A.POST_ENTRY,),
        "entry.posted",
        lambda s, w, c, u: trust.record_common_income(
            s, book_id=w.trust_id, source="parking", date=D(2024, 1, 27), amount_fen=80_000, actor=u
        ),
    ),
    Operation(
        trust.post_remuneration,
        (A.POST_ENTRY,),
        "entry.posted",
        lambda s, w, c, u: trust.post_remuneration(
            s, book_id=w.trust_id, period="2024-01", actor=u
        ),
        collected,
    ),
    Operation(
        trust.pay_remuneration,
        (A.POST_ENTRY,),
        "entry.posted",
        lambda s, w, c, u: trust.pay_remuneration(
            s, book_id=w.trust_id, date=D(2024, 2, 5), actor=u
        ),
        remunerated,
    ),
    Operation(
        trust.gift_remuneration,
        (A.POST_ENTRY,),
        "transfer.linked",
        lambda s, w, c, u: trust.gift_remuneration(
            s, trust_book_id=w.trust_id, fund_book_id=w.fund_id, period="2024-01", actor=u
        ),
        remunerated_company,
    ),
    Operation(
        trust.create_budget,
        (A.POST_ENTRY,),
        "budget.created",
        lambda s, w, c, u: trust.create_budget(
            s, book_id=w.trust_id, year=2024, lines={"cleaning": 100_000}, actor=u
        ),
    ),
    Operation(
        trust.approve_budget,
        (A.APPROVE,),
        "budget.approved",
        lambda s, w, c, u: trust.approve_budget(
            s, book_id=w.trust_id, year=2024, note="业主大会表决通过", actor=u
        ),
        draft_budget,
    ),
    Operation(
        trust.mark_budget_approved,
        (A.APPROVE,),
        "budget.approved",
        lambda s, w, c, u: trust.mark_budget_approved(
            s,
            budget=trust.get_budget(s, book_id=w.trust_id, year=2024),
            note="业主大会表决通过",
            actor=u,
        ),
        draft_budget,
    ),
    Operation(
        trust.mark_budget_approved,
        (A.MANAGE_VOTES,),
        "budget.approved",
        lambda s, w, c, u: trust.mark_budget_approved(
            s,
            budget=trust.get_budget(s, book_id=w.trust_id, year=2024),
            note="业主大会表决通过",
            vote_id=c["vote"],
            actor=u,
        ),
        lambda s, w: {**draft_budget(s, w), **pb_vote(s, w)},
        variant="by_a_vote",
    ),
    Operation(
        trust.spend,
        (A.POST_ENTRY,),
        "entry.posted",
        lambda s, w, c, u: trust.spend(
            s,
            book_id=w.trust_id,
            line="cleaning",
            date=D(2024, 1, 25),
            memo="1月保洁",
            amount_fen=40_000,
            actor=u,
        ),
        approved_budget,
    ),
    # village revenue sharing
    Operation(
        sharing.set_exit_schedule,
        (A.POST_ENTRY,),
        "village.exit_schedule_set",
        lambda s, w, c, u: sharing.set_exit_schedule(
            s, book_id=w.village_id, contract_start=D(2022, 1, 1), actor=u
        ),
    ),
    Operation(
        sharing.set_schedule_year,
        (A.POST_ENTRY,),
        "village.exit_schedule_year_changed",
        lambda s, w, c, u: sharing.set_schedule_year(
            s, book_id=w.village_id, contract_year=5, investor_bp=5000, actor=u
        ),
        exit_schedule,
    ),
    Operation(
        sharing.add_village_household,
        (A.MANAGE_COUNTERPARTIES,),
        "household.enrolled",
        lambda s, w, c, u: sharing.add_village_household(
            s, book_id=w.village_id, label="一组04户", shares=10, members=3, actor=u
        ),
    ),
    Operation(
        sharing.enrol_household,
        (A.MANAGE_COUNTERPARTIES,),
        "household.enrolled",
        lambda s, w, c, u: sharing.enrol_household(
            s, book_id=w.village_id, household_id=c["household"], actor=u
        ),
        lambda s, w: {"household": new_household(s, w, "一组05户")},
    ),
    Operation(
        sharing.set_household_holding,
        (A.MANAGE_COUNTERPARTIES,),
        "village.household_changed",
        lambda s, w, c, u: sharing.set_household_holding(
            s, book_id=w.village_id, household_id=c["household"], shares=15, actor=u
        ),
        villagers,
    ),
    Operation(
        sharing.distribute,
        (A.POST_ENTRY,),
        "village.distributed",
        lambda s, w, c, u: sharing.distribute(
            s,
            book_id=w.village_id,
            period="2024",
            date=D(2024, 12, 31),
            profit_fen=60_000_000,
            actor=u,
        ),
        villagers,
    ),
    # votes
    Operation(
        votes.create_vote,
        (A.MANAGE_VOTES,),
        "vote.created",
        lambda s, w, c, u: votes.create_vote(
            s,
            book_id=w.fund_id,
            kind=votes.RESIDENTS_MEETING,
            title="增设电动车充电桩",
            opens_on=OPENS,
            closes_on=CLOSES,
            actor=u,
        ),
        residents,
    ),
    Operation(
        votes.amend_vote,
        (A.MANAGE_VOTES,),
        "vote.amended",
        lambda s, w, c, u: votes.amend_vote(
            s, vote_id=c["vote"], title="增设电动车充电桩（修订）", actor=u
        ),
        residents_meeting,
    ),
    Operation(
        votes.record_ballot,
        (A.RECORD_BALLOTS,),
        "ballot.recorded",
        lambda s, w, c, u: votes.record_ballot(
            s, vote_id=c["vote"], voter=VOTERS[1], choice="no", cast_on=VOTING_DAY, actor=u
        ),
        residents_meeting,
    ),
    Operation(
        votes.correct_ballot,
        (A.RECORD_BALLOTS,),
        "ballot.corrected",
        lambda s, w, c, u: votes.correct_ballot(
            s, vote_id=c["vote"], voter=VOTERS[0], choice="no", reason="录入时点错", actor=u
        ),
        a_ballot_in,
    ),
    Operation(
        votes.close_vote,
        (A.MANAGE_VOTES,),
        "vote.closed",
        lambda s, w, c, u: votes.close_vote(s, vote_id=c["vote"], on=AFTER, actor=u),
        a_ballot_in,
    ),
    Operation(
        votes.import_pb,
        (A.MANAGE_VOTES, A.RECORD_BALLOTS),
        "vote.imported",
        lambda s, w, c, u: votes.import_pb(
            s, book_id=w.fund_id, election=read_pb(PB_FILE), actor=u
        ),
    ),
)

#: Functions that take an ``actor`` but are no user operation of their own.
NOT_OPERATIONS = {
    # The audit trail itself: every operation above calls it, after its own check.
    "audit.record_event",
}


def _service_modules() -> list[Any]:
    """Every module of ``ledger.services``, the modules of its packages (``property``,
    ``microfund``, ``votes``) included."""
    return [
        importlib.import_module(m.name)
        for m in pkgutil.walk_packages(ledger.services.__path__, prefix="ledger.services.")
    ]


def _public_functions() -> Iterator[tuple[str, Callable[..., Any]]]:
    """``("<service>.<function>", function)`` for each public function defined in a service
    module; a function of a service package's module is keyed by the package, as it is
    imported (``property.add_unit``, not ``property.units.add_unit``)."""
    for module in _service_modules():
        short = _service_name(module.__name__)
        for name, func in inspect.getmembers(module, inspect.isfunction):
            if func.__module__ == module.__name__ and not name.startswith("_"):
                yield f"{short}.{name}", func


def test_every_service_that_changes_data_is_in_the_matrix() -> None:
    """Each public service function taking an ``actor`` is listed above (a new one must be
    added, with the action it requires), and nothing listed has gone."""
    with_actor = {
        key for key, func in _public_functions() if "actor" in inspect.signature(func).parameters
    }
    listed = {op.key for op in OPERATIONS}
    assert with_actor - NOT_OPERATIONS - listed == set(), "services missing from the matrix"
    assert listed - with_actor == set(), "listed operations that are no longer services"
    assert len({op.name for op in OPERATIONS}) == len(OPERATIONS), "operation names repeat"


def test_every_action_of_the_matrix_is_exercised() -> None:
    assert {a for op in OPERATIONS for a in op.actions} == set(PERMISSIONS)


CASES = [pytest.param(role, op, id=f"{role}-{op.name}") for op in OPERATIONS for role in ROLES]


@pytest.mark.parametrize(("role", "op"), CASES)
def test_the_role_matrix_is_enforced_by_the_services(
    world: World, role: str, op: Operation
) -> None:
    """Allowed exactly when ``PERMISSIONS`` gives the role every action the operation needs.
    Allowed: every audit event the call adds (the newest one included) names this user, and
    one of them names the operation. Refused: the message names the user, the role and the
    first missing action, and every row of every table is unchanged."""
    with world.ledger.write() as s:
        ctx = op.prepare(s, world)
    before = dump(world.ledger)
    missing = [action for action in op.actions if not may(role, action)]
    if not missing:
        with world.ledger.write() as s:
            user = world.user(s, role)
            last = newest_event(s).seq
            op.call(s, world, ctx, user)
            added = s.exec(
                select(AuditEvent.actor_id, AuditEvent.action)
                .where(col(AuditEvent.seq) > last)
                .order_by(col(AuditEvent.seq))
            ).all()
            assert added, "an allowed operation left no audit event"
            assert {actor for actor, _action in added} == {user.id}
            assert op.audit in [action for _actor, action in added]
        return
    with pytest.raises(PermissionDeniedError) as caught, world.ledger.write() as s:
        op.call(s, world, ctx, world.user(s, role))
    assert str(caught.value) == refusal(role, role, missing[0])
    after = dump(world.ledger)
    assert changed_tables(before, after) == []


# --- nobody approves their own work ---------------------------------------------------------------


@dataclass(frozen=True)
class SelfApproval:
    """An approval path, walked by one user as maker and checker: ``make`` does the work (and
    returns what the check needs), ``check`` is the same user approving it."""

    make: Callable[[Session, World, AppUser], Ctx]
    check: Callable[[Session, World, Ctx, AppUser], object]
    message: str


def _own_expense(s: Session, w: World, u: AppUser) -> Ctx:
    money_in_the_fund(s, w)
    made = microfund.record_expense(
        s,
        book_id=w.fund_id,
        date=D(2024, 10, 18),
        category="activity",
        amount_fen=200_000,
        memo="重阳宴：桌椅租赁",
        actor=u,
    )
    return {"expense": made.id}


def _own_budget(s: Session, w: World, u: AppUser) -> Ctx:
    trust.create_budget(s, book_id=w.trust_id, year=2024, lines={"cleaning": 100}, actor=u)
    return {}


def _own_approved_budget(s: Session, w: World, u: AppUser) -> Ctx:
    _own_budget(s, w, u)
    trust.approve_budget(s, book_id=w.trust_id, year=2024, actor=w.user(s, "committee"))
    return {}


SELF_APPROVALS = {
    "approve_expense": SelfApproval(
        _own_expense,
        lambda s, w, c, u: microfund.approve_expense(s, expense_id=c["expense"], actor=u),
        "admin recorded expense {expense} and cannot also approve or reject it; another "
        "approver must decide.",
    ),
    "reject_expense": SelfApproval(
        _own_expense,
        lambda s, w, c, u: microfund.reject_expense(
            s, expense_id=c["expense"], reason="重复报销", actor=u
        ),
        "admin recorded expense {expense} and cannot also approve or reject it; another "
        "approver must decide.",
    ),
    "post_entry": SelfApproval(
        lambda s, w, u: {},
        lambda s, w, c, u: entries.post_entry(
            s,
            book_id=w.fund_id,
            date=D(2024, 3, 1),
            memo="购买清扫工具",
            lines=[PostingLine("510101", 500_000), PostingLine("1002", -500_000)],
            actor=u,
            approver=u,
            manual=True,
        ),
        "admin recorded this entry and cannot also approve it.",
    ),
    "post_entries": SelfApproval(
        lambda s, w, u: {},
        lambda s, w, c, u: entries.post_entries(
            s,
            book_id=w.fund_id,
            drafts=[EntryDraft(D(2024, 3, 1), "捐赠", donation_lines())],
            actor=u,
            approver=u,
        ),
        "admin recorded this entry and cannot also approve it.",
    ),
    "spend_beyond_the_budget": SelfApproval(
        _own_approved_budget,
        lambda s, w, c, u: trust.spend(
            s,
            book_id=w.trust_id,
            line="cleaning",
            date=D(2024, 1, 25),
            memo="1月保洁",
            amount_fen=40_000,
            actor=u,
            approver=u,
        ),
        "admin is recording this spending and cannot also approve it; ask a reviewer or "
        "committee member.",
    ),
    "approve_budget": SelfApproval(
        _own_budget,
        lambda s, w, c, u: trust.approve_budget(s, book_id=w.trust_id, year=2024, actor=u),
        "admin drafted the 2024 budget and cannot also approve it.",
    ),
    "mark_budget_approved": SelfApproval(
        _own_budget,
        lambda s, w, c, u: trust.mark_budget_approved(
            s, budget=trust.get_budget(s, book_id=w.trust_id, year=2024), note="", actor=u
        ),
        "admin drafted the 2024 budget and cannot also approve it.",
    ),
    "distribute": SelfApproval(
        lambda s, w, u: villagers(s, w),
        lambda s, w, c, u: sharing.distribute(
            s,
            book_id=w.village_id,
            period="2024",
            date=D(2024, 12, 31),
            profit_fen=60_000_000,
            actor=u,
            approver=u,
        ),
        "admin recorded this entry and cannot also approve it.",
    ),
}


@pytest.mark.parametrize("path", sorted(SELF_APPROVALS))
def test_nobody_approves_their_own_work_not_even_an_administrator(world: World, path: str) -> None:
    """The administrator may record and may approve, but never both on the same thing."""
    case = SELF_APPROVALS[path]
    with world.ledger.write() as s:
        ctx = case.make(s, world, world.user(s, "admin"))
    before = dump(world.ledger)
    with pytest.raises(PermissionDeniedError) as caught, world.ledger.write() as s:
        case.check(s, world, ctx, world.user(s, "admin"))
    assert str(caught.value) == case.message.format(**ctx)
    assert changed_tables(before, dump(world.ledger)) == []


#: The paths that take an ``approver`` besides the ``actor`` (a treasurer records, someone else
#: approves): the approver needs the right to approve and is not the recorder.
APPROVER_PATHS: dict[str, tuple[Callable[[Session, World], Ctx], Callable[..., object]]] = {
    "post_entry": (
        nothing,
        lambda s, w, c, u, a: entries.post_entry(
            s,
            book_id=w.fund_id,
            date=D(2024, 3, 1),
            memo="购买清扫工具",
            lines=[PostingLine("510101", 500_000), PostingLine("1002", -500_000)],
            actor=u,
            approver=a,
            manual=True,
        ),
    ),
    "spend": (
        approved_budget,
        lambda s, w, c, u, a: trust.spend(
            s,
            book_id=w.trust_id,
            line="facilities",
            date=D(2024, 1, 25),
            memo="门禁检修（超出预算）",
            amount_fen=60_000,
            actor=u,
            approver=a,
        ),
    ),
    "distribute": (
        villagers,
        lambda s, w, c, u, a: sharing.distribute(
            s,
            book_id=w.village_id,
            period="2024",
            date=D(2024, 12, 31),
            profit_fen=60_000_000,
            actor=u,
            approver=a,
        ),
    ),
}

APPROVER_CASES = [
    pytest.param(path, approver, id=f"{path}-approved-by-{approver}")
    for path in APPROVER_PATHS
    for approver in (*ROLES, "treasurer2")
]


@pytest.mark.parametrize(("path", "approver"), APPROVER_CASES)
def test_an_approver_may_approve_and_is_not_the_recorder(
    world: World, path: str, approver: str
) -> None:
    """The treasurer records; admin, reviewer and committee may approve; the treasurer
    (themselves), another treasurer and the auditor may not."""
    prepare, call = APPROVER_PATHS[path]
    with world.ledger.write() as s:
        ctx = prepare(s, world)
    before = dump(world.ledger)
    if approver != "treasurer" and may(world_role(approver), Action.APPROVE):
        with world.ledger.write() as s:
            call(s, world, ctx, world.user(s, "treasurer"), world.user(s, approver))
            approved = s.exec(select(Entry).order_by(col(Entry.id).desc())).first()
            assert approved is not None
            assert approved.approved_by_id == world.user(s, approver).id
        return
    with pytest.raises(PermissionDeniedError) as caught, world.ledger.write() as s:
        call(s, world, ctx, world.user(s, "treasurer"), world.user(s, approver))
    if approver == "treasurer" and path == "spend":
        # Spending checks the spender against the approver before the approver's role.
        assert str(caught.value) == (
            "treasurer is recording this spending and cannot also approve it; ask a reviewer "
            "or committee member."
        )
    else:
        assert str(caught.value) == refusal(approver, world_role(approver), Action.APPROVE)
    assert changed_tables(before, dump(world.ledger)) == []


def world_role(username: str) -> str:
    return "treasurer" if username == "treasurer2" else username


# --- the auditor reads everything and changes nothing ------------------------------------------------


@dataclass(frozen=True)
class DemoIds:
    """What the read services are asked about in the demo ledger."""

    fund: int
    trust: int
    village: int
    entry: int
    entry_number: str
    attachment_entry: int
    receipt: int
    receipt_number: str
    expense: int
    activity: int
    household: int
    fund_household: int
    unit: int
    pb_vote: int
    purpose: str
    counterparty: int


def _demo_ids(s: Session) -> DemoIds:
    by_kind = {b.kind: b.id or 0 for b in books.list_books(s)}
    fund_id, trust_id, village_id = (
        by_kind[BookKind.MICRO_FUND],
        by_kind[BookKind.TRUST_PROPERTY],
        by_kind[BookKind.COLLECTIVE_REVENUE],
    )
    entry = s.exec(
        select(Entry).where(col(Entry.book_id) == fund_id).order_by(col(Entry.id))
    ).first()
    assert entry is not None
    receipt = s.exec(select(DonationReceipt).order_by(col(DonationReceipt.id))).first()
    assert receipt is not None
    expense = microfund.list_expenses(s, book_id=fund_id)[0]
    activity = microfund.list_activities(s, book_id=fund_id)[0]
    pb = next(v for v in votes.list_votes(s) if v.kind == votes.PARTICIPATORY_BUDGET)
    restricted = microfund.restricted_balances(s, book_id=fund_id)
    attached = s.exec(select(Attachment.entry_id).limit(1)).first()
    return DemoIds(
        fund=fund_id,
        trust=trust_id,
        village=village_id,
        entry=entry.id or 0,
        entry_number=voucher_number(entry.year, entry.seq),
        attachment_entry=attached or entry.id or 0,
        receipt=receipt.id or 0,
        receipt_number=receipt_number(receipt.year, receipt.seq),
        expense=expense.id,
        activity=activity.id,
        household=sharing.village_households(s, book_id=village_id)[0].id or 0,
        fund_household=households.book_households(s, book_id=fund_id)[0].id or 0,
        unit=trust.list_units(s, book_id=trust_id)[0].id or 0,
        pb_vote=pb.id or 0,
        purpose=restricted[0].purpose if restricted else "重阳宴",
        counterparty=receipt.counterparty_id or 0,
    )


Read = Callable[[Session, DemoIds], object]

#: Every public read service (a ``session`` and no ``actor``), asked something real about the
#: demo ledger.
READS: dict[str, Read] = {
    "attachments.list_attachments": lambda s, i: attachments.list_attachments(
        s, entry_id=i.attachment_entry
    ),
    "balances.posting_sums": lambda s, i: balances.posting_sums(s, book_id=i.fund),
    "balances.trial_balance": lambda s, i: balances.trial_balance(s, book_id=i.trust),
    "books.find_book": lambda s, i: books.find_book(s, i.village),
    "books.list_books": lambda s, i: books.list_books(s),
    "counterparties.find_counterparty": lambda s, i: counterparties.find_counterparty(
        s, i.counterparty
    ),
    "dashboard.book_dashboard": lambda s, i: [
        dashboard.book_dashboard(s, book_id=b) for b in (i.fund, i.trust, i.village)
    ],
    "electorate.owners_register": lambda s, i: electorate.owners_register(s, book_id=i.trust),
    "electorate.register_rows": lambda s, i: electorate.register_rows(s, book_id=i.trust),
    "entries.find_entry": lambda s, i: entries.find_entry(s, book_id=i.fund, number=i.entry_number),
    "households.book_households": lambda s, i: households.book_households(s, book_id=i.fund),
    "households.find_household": lambda s, i: households.find_household(s, i.household),
    "households.is_enrolled": lambda s, i: households.is_enrolled(
        s, book_id=i.village, household_id=i.household
    ),
    "households.list_households": lambda s, i: households.list_households(s),
    "journal.journal_count": lambda s, i: journal.journal_count(s, book_id=i.fund),
    "journal.journal_page": lambda s, i: journal.journal_page(s, book_id=i.trust, last=True),
    "journal.journal_order": lambda s, i: journal.journal_order(
        s, book_id=i.fund, sort=journal.JournalSort.MEMO
    ),
    "journal.journal_rows": lambda s, i: journal.journal_rows(
        s, list(journal.journal_order(s, book_id=i.fund, sort=journal.JournalSort.DEBIT) or [])[:20]
    ),
    "journal.journal_window": lambda s, i: journal.journal_window(
        s, book_id=i.village, offset=0, limit=20
    ),
    "microfund.activity_summary": lambda s, i: microfund.activity_summary(
        s, activity_id=i.activity
    ),
    "microfund.expense_view": lambda s, i: microfund.expense_view(s, expense_id=i.expense),
    "microfund.find_activity": lambda s, i: microfund.find_activity(
        s, book_id=i.fund, ref=i.activity
    ),
    "microfund.find_expense": lambda s, i: microfund.find_expense(
        s, book_id=i.fund, expense_id=i.expense
    ),
    "microfund.find_receipt": lambda s, i: microfund.find_receipt(
        s, book_id=i.fund, number=i.receipt_number
    ),
    "microfund.list_activities": lambda s, i: microfund.list_activities(s, book_id=i.fund),
    "microfund.list_expenses": lambda s, i: microfund.list_expenses(s, book_id=i.fund),
    "microfund.list_receipts": lambda s, i: microfund.list_receipts(s, book_id=i.fund),
    "microfund.micro_fund_book": lambda s, i: microfund.micro_fund_book(s, i.fund),
    "microfund.pending_expenses": lambda s, i: microfund.pending_expenses(s, book_id=i.fund),
    "microfund.points_balance": lambda s, i: microfund.points_balance(
        s, book_id=i.fund, household_id=i.fund_household
    ),
    "microfund.points_balances": lambda s, i: microfund.points_balances(s, book_id=i.fund),
    "microfund.points_history": lambda s, i: microfund.points_history(
        s, book_id=i.fund, household_id=i.fund_household
    ),
    "microfund.receipt_view": lambda s, i: microfund.receipt_view(s, receipt_id=i.receipt),
    "microfund.resolve_purpose": lambda s, i: microfund.resolve_purpose(
        s, book_id=i.fund, text=i.purpose
    ),
    "microfund.restricted_balance_of": lambda s, i: microfund.restricted_balance_of(
        s, book_id=i.fund, purpose=i.purpose
    ),
    "microfund.restricted_balances": lambda s, i: microfund.restricted_balances(s, book_id=i.fund),
    "property.arrears": lambda s, i: trust.arrears(s, book_id=i.trust),
    "property.arrears_by_building": lambda s, i: trust.arrears_by_building(s, book_id=i.trust),
    "property.budget_execution": lambda s, i: trust.budget_execution(
        s, book_id=i.trust, year=demo.DEMO_YEAR
    ),
    "property.collection_rate": lambda s, i: trust.collection_rate(
        s, book_id=i.trust, period=f"{demo.DEMO_YEAR}-06"
    ),
    "property.fee_rate": lambda s, i: trust.fee_rate(s, book_id=i.trust),
    "property.find_unit": lambda s, i: trust.find_unit(s, book_id=i.trust, ref=i.unit),
    "property.get_budget": lambda s, i: trust.get_budget(s, book_id=i.trust, year=demo.DEMO_YEAR),
    "property.list_remunerations": lambda s, i: trust.list_remunerations(s, book_id=i.trust),
    "property.list_units": lambda s, i: trust.list_units(s, book_id=i.trust),
    "property.remuneration_basis_fen": lambda s, i: trust.remuneration_basis_fen(
        s, book_id=i.trust, period=f"{demo.DEMO_YEAR}-06", basis="collected"
    ),
    "property.remuneration_owed": lambda s, i: trust.remuneration_owed(s, book_id=i.trust),
    "property.transfers_of_book": lambda s, i: trust.transfers_of_book(s, book_id=i.fund),
    "property.transfers_of_entry": lambda s, i: trust.transfers_of_entry(s, i.entry),
    "property.unit_accounts": lambda s, i: trust.unit_accounts(s, book_id=i.trust),
    "settings.book_settings": lambda s, i: [
        settings.book_settings(s, b) for b in (i.fund, i.trust, i.village)
    ],
    "settings.get_int": lambda s, i: settings.get_int(s, i.fund, "approval_threshold_fen"),
    "settings.get_text": lambda s, i: settings.get_text(s, i.trust, "remuneration_basis"),
    "settings.stored_value": lambda s, i: settings.stored_value(s, i.trust, "gift_share_bp"),
    "sharing.distribution_report": lambda s, i: sharing.distribution_report(
        s, book_id=i.village, period=sharing.list_distributions(s, book_id=i.village)[0].period
    ),
    "sharing.get_exit_schedule": lambda s, i: sharing.get_exit_schedule(s, book_id=i.village),
    "sharing.investor_share_bp": lambda s, i: sharing.investor_share_bp(
        s, book_id=i.village, date=D(demo.DEMO_YEAR, 12, 31)
    ),
    "sharing.list_distributions": lambda s, i: sharing.list_distributions(s, book_id=i.village),
    "sharing.period_profit": lambda s, i: sharing.period_profit(
        s, book_id=i.village, period=str(demo.DEMO_YEAR)
    ),
    "sharing.village_book": lambda s, i: sharing.village_book(s, book_id=i.village),
    "sharing.village_households": lambda s, i: sharing.village_households(s, book_id=i.village),
    "audit.record_anchor": lambda s, i: audit.record_anchor(s),
    "users.authenticate": lambda s, i: users.authenticate(s, "chen.shenji", demo.DEMO_PASSWORD),
    "users.count_users": lambda s, i: users.count_users(s),
    "users.get_user": lambda s, i: users.get_user(s, "chen.shenji"),
    "users.list_users": lambda s, i: users.list_users(s),
    "votes.ballot_count": lambda s, i: votes.ballot_count(s, vote_id=i.pb_vote),
    "votes.compute_result": lambda s, i: votes.compute_result(
        s, votes.find_vote(s, vote_id=i.pb_vote)
    ),
    "votes.compute_vote_result": lambda s, i: votes.compute_vote_result(
        s, votes.find_vote(s, vote_id=i.pb_vote)
    ),
    "votes.export_pb": lambda s, i: votes.export_pb(s, vote_id=i.pb_vote),
    "votes.find_vote": lambda s, i: votes.find_vote(s, vote_id=i.pb_vote),
    "votes.list_votes": lambda s, i: votes.list_votes(s),
    "votes.resolve_voter": lambda s, i: votes.resolve_voter(
        s, votes.find_vote(s, vote_id=i.pb_vote), str(i.fund_household)
    ),
    "votes.vote_ballots": lambda s, i: votes.vote_ballots(s, vote_id=i.pb_vote),
    "votes.vote_options": lambda s, i: votes.vote_options(s, vote_id=i.pb_vote),
    "votes.vote_result": lambda s, i: [
        votes.vote_result(s, vote_id=v.id or 0) for v in votes.list_votes(s)
    ],
    "votes.vote_result_value": lambda s, i: [
        votes.vote_result_value(s, vote_id=v.id or 0) for v in votes.list_votes(s)
    ],
}

#: Public functions taking a session that are neither reads nor operations of the matrix.
NOT_READS = {
    # Any signed-in user, for themselves: the old password is the right (tests/ledger/test_users).
    "users.change_password": "one's own password",
    # The user themself, right after proving their password (tests/ledger/test_users).
    "users.give_signing_key": "one's own key, at sign-in",
}


def test_every_read_service_is_exercised() -> None:
    """Each public service function with a session and no ``actor`` is a read listed above (or
    in ``NOT_READS``): a new function that writes without an actor cannot slip in unnoticed.
    The demo builders live in ``ledger.demo``, outside the services."""
    readers = {
        key
        for key, func in _public_functions()
        if "session" in inspect.signature(func).parameters
        and "actor" not in inspect.signature(func).parameters
    }
    assert readers - READS.keys() - NOT_READS.keys() == set(), "read services not exercised"
    assert READS.keys() - readers == set(), "listed reads that are no longer services"


@pytest.fixture
def demo_copy(demo_path: Path, tmp_path: Path) -> Iterator[Ledger]:
    """A copy of the demo ledger, so that a read that wrote would be caught, not shared."""
    path = tmp_path / "demo.sqlite"
    shutil.copyfile(demo_path, path)
    with open_ledger(path) as copy:
        yield copy


def test_the_auditor_reads_every_list_and_changes_nothing(demo_copy: Ledger) -> None:
    """Reading needs no right beyond opening the ledger: the demo's auditor (陈审计) runs every
    read service; afterwards every row of every table is as it was, and the ledger verifies."""
    before = dump(demo_copy)
    with demo_copy.read() as s:
        auditor = users.authenticate(s, "chen.shenji", demo.DEMO_PASSWORD)
        assert auditor.role == Role.AUDITOR
        ids = _demo_ids(s)
        for name, read in READS.items():
            assert read(s, ids) is not None, name
    assert changed_tables(before, dump(demo_copy)) == []
    with demo_copy.read() as s:
        assert verify_ledger(s) == []


def test_the_auditor_prints_every_notice_of_every_book(demo_copy: Ledger) -> None:
    """Every notice each demo book offers (``kinds_for``), for the demo year, including every
    vote's result and a donation receipt, is built for the auditor; nothing changes."""
    before = dump(demo_copy)
    year = parse_report_period(str(demo.DEMO_YEAR))
    built = []
    with demo_copy.read() as s:
        ids = _demo_ids(s)
        for book in s.exec(select(Book).order_by(col(Book.id))).all():
            for kind in kinds_for(book.kind):
                if kind.needs == "vote":
                    choices = [
                        ReportOptions(vote=v.id)
                        for v in votes.list_votes(s, book_id=book.id)
                        if v.status == "closed"
                    ]
                elif kind.needs == "receipt":
                    choices = [ReportOptions(receipt=ids.receipt_number)]
                else:
                    choices = [ReportOptions()]
                for options in choices:
                    notice = build_notice(s, book=book, kind=kind.key, period=year, options=options)
                    assert notice.title, (book.name, kind.key)
                    built.append((book.kind, kind.key))
    assert {k for _b, k in built} == {
        "income_expenditure",
        "property_monthly",
        "revenue_sharing",
        "journal",
        "trial_balance",
        "balance_sheet",
        "activities",
        "vote",
        "receipt",
    }
    assert changed_tables(before, dump(demo_copy)) == []


# --- the audit trail says who did what, and gives itself away when tampered with -------------


@pytest.fixture
def trail(world: World) -> World:
    """A few events after the world's own (users and books): two donors added by the treasurer,
    the last one not an entry, a closing or an attachment (which the books cross-check)."""
    with world.ledger.write() as s:
        treasurer = world.user(s, "treasurer")
        for name in ("天马镇好又多超市", "碧鸡桥便利店"):
            counterparties.add_counterparty(s, kind="merchant", name=name, actor=treasurer)
    return world


def audit_findings(world: World) -> list[str]:
    with world.ledger.read() as s:
        return [str(f) for f in verify_ledger(s)]


def last_seq(world: World) -> int:
    with world.ledger.read() as s:
        return newest_event(s).seq


def tamper(world: World, sql: str) -> None:
    with world.ledger.engine.begin() as conn:
        assert conn.execute(text(sql)).rowcount >= 1


def test_the_untampered_trail_names_who_did_what(trail: World) -> None:
    with trail.ledger.read() as s:
        event = newest_event(s)
        treasurer = trail.user(s, "treasurer").id
        # the act, then the record of the rows it changed: both under the treasurer's name
        assert (event.action, event.actor_id) == ("record.changes", treasurer)
        act = s.exec(select(AuditEvent).where(col(AuditEvent.seq) == event.seq - 1)).one()
        assert (act.action, act.actor_id) == ("counterparty.added", treasurer)
    assert audit_findings(trail) == []


def test_an_audit_event_given_another_actor_is_found(trail: World) -> None:
    seq = last_seq(trail) - 1
    tamper(
        trail,
        "UPDATE audit_event SET actor_id = (SELECT id FROM app_user WHERE username = 'admin') "
        f"WHERE seq = {seq}",
    )
    assert audit_findings(trail) == [f"audit event {seq}: the audit trail has been altered here."]


def test_renaming_a_user_behind_the_apps_back_is_found_in_their_events(trail: World) -> None:
    """The events name the user: renaming the treasurer breaks each event they recorded."""
    tamper(trail, "UPDATE app_user SET username = 'boss' WHERE username = 'treasurer'")
    found = audit_findings(trail)
    last = last_seq(trail)
    assert f"audit event {last - 1}: the audit trail has been altered here." in found
    assert f"audit event {last}: the audit trail has been altered here." in found


def test_an_audit_event_deleted_in_the_middle_is_found(trail: World) -> None:
    seq = last_seq(trail) - 1
    tamper(trail, f"DELETE FROM audit_event WHERE seq = {seq}")
    found = audit_findings(trail)
    assert f"audit event {seq + 1}: audit events are missing before this one." in found


def test_the_newest_audit_event_deleted_is_found(trail: World) -> None:
    tamper(trail, f"DELETE FROM audit_event WHERE seq = {last_seq(trail)}")
    assert audit_findings(trail) != []

"""The vote operations through the one door (``ledger.operations.run``), as each user signs in:
a ballot counted, a correction, a vote closed with its outcome, a passed owners' meeting
approving the open budget, a Pabulib file imported and the electorate register imported; every
role without the right refused with nothing written; and the audit trail's "operation" event
with the request's facts — never a proxy's name, an owner's name or a password."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
from sqlmodel import col, select

from ledger.errors import PermissionDeniedError
from ledger.models import AuditEvent, PropertyUnit
from ledger.operations import Credentials, Operation, run
from ledger.operations.votes import (
    AMEND_VOTE,
    CLOSE_VOTE,
    CORRECT_BALLOT,
    CREATE_VOTE,
    IMPORT_ELECTORATE,
    IMPORT_PB,
    RECORD_BALLOT,
    AmendVote,
    CloseVote,
    CorrectBallot,
    CreateVote,
    ImportElectorate,
    ImportPb,
    RecordBallot,
)
from ledger.services.votes import OWNERS_MEETING, RESIDENTS_MEETING, VoteEffects
from tests.conftest import TEST_PASSWORD, World
from tests.ledger.test_votes import (
    AFTER,
    CLOSES,
    DAY,
    OPENS,
    YES_HALF,
    budget_row,
    counts,
    draft_budget,
    enrol,
    register_estate,
)

PROXY = "王秘密代理人"
OWNER = "张秘密业主"
LABELS = ["3栋101", "3栋201", "3栋301", "3栋401"]

PB = """META
key;value
description;楼道改造
budget;100
vote_type;approval
num_projects;2
num_votes;2
PROJECTS
project_id;cost;name
a;60;楼道灯
b;50;扶手
VOTES
voter_id;vote
1;a
2;a,b
"""


def act(world: World, user: str, operation: Operation[Any, Any], request: object) -> Any:
    return run(world.ledger, Credentials(user, TEST_PASSWORD), operation, request)


def refused(world: World, user: str, operation: Operation[Any, Any], request: object) -> str:
    """The operation is refused to ``user`` and nothing at all is written."""
    before = counts(world)
    with pytest.raises(PermissionDeniedError) as caught:
        act(world, user, operation, request)
    assert counts(world) == before
    return str(caught.value)


def operations(world: World) -> list[tuple[str, dict[str, Any]]]:
    """The "operation" events of the audit trail: (operation, request facts)."""
    with world.ledger.read() as s:
        events = s.exec(
            select(AuditEvent)
            .where(col(AuditEvent.action) == "operation")
            .order_by(col(AuditEvent.seq))
        ).all()
        return [(e.object_type, json.loads(e.detail)) for e in events]


def trail_text(world: World) -> str:
    with world.ledger.read() as s:
        return "\n".join(e.detail for e in s.exec(select(AuditEvent)))


def residents_meeting(world: World, user: str = "committee", **kwargs: Any) -> CreateVote:
    return CreateVote(
        book=world.fund_id,
        kind=RESIDENTS_MEETING,
        title="楼道灯更换",
        opens_on=OPENS,
        closes_on=CLOSES,
        **kwargs,
    )


def test_a_ballot_is_counted_corrected_and_the_vote_closed_with_its_outcome(
    world: World,
) -> None:
    enrol(world, world.fund_id, *LABELS)
    opened = act(world, "committee", CREATE_VOTE, residents_meeting(world, quorum="1/2"))
    vote_id = opened.vote.id
    assert opened.sentence() == (
        f"Opened vote {vote_id} (residents' meeting) “楼道灯更换”: ballots from 2024-11-01 to "
        "2024-11-30."
    )
    assert opened.as_json()["ballots"] == 0 and opened.as_json()["status"] == "open"
    amended = act(world, "admin", AMEND_VOTE, AmendVote(vote=str(vote_id), title="楼道灯"))
    assert (amended.sentence(), amended.vote.title) == (f"Vote {vote_id} amended.", "楼道灯")

    recorded = act(
        world,
        "treasurer",
        RECORD_BALLOT,
        RecordBallot(
            vote=vote_id,
            voter=LABELS[0],
            choice="yes",
            channel="proxy",
            proxy_name=PROXY,
            cast_on=DAY,
        ),
    )
    assert (recorded.ballots, recorded.voter_label, recorded.channel) == (1, LABELS[0], "proxy")
    assert recorded.sentence() == (
        f"Ballot {recorded.ballot} recorded in vote {vote_id} for {LABELS[0]}; ballots so far: 1."
    )
    for label, choice in zip(LABELS[1:3], ["no", "no"], strict=True):
        act(world, "committee", RECORD_BALLOT, RecordBallot(vote_id, label, choice, cast_on=DAY))
    corrected = act(
        world,
        "treasurer",
        CORRECT_BALLOT,
        CorrectBallot(vote=vote_id, voter=LABELS[2], reason="录入错误", choice="yes"),
    )
    assert corrected.revision == 1
    assert corrected.sentence().endswith(f"of vote {vote_id} corrected (correction 1).")

    closed = act(world, "committee", CLOSE_VOTE, CloseVote(vote=vote_id, on=AFTER))
    # 3 of 4 households present, 2 yes of 3: more than half of each.
    assert (closed.outcome, closed.ballots, closed.passed) == ("passed", 3, True)
    assert closed.sentence() == f"Vote {vote_id} closed: Passed."
    assert closed.as_json()["closed_on"] == AFTER.isoformat()

    done = operations(world)
    assert [name for name, _facts in done] == [
        "vote.create",
        "vote.amend",
        "vote.ballot",
        "vote.ballot",
        "vote.ballot",
        "vote.correct",
        "vote.close",
    ]
    assert done[0][1]["quorum"] == "1/2" and done[0][1]["opens_on"] == "2024-11-01"
    ballot_facts = done[2][1]
    assert ballot_facts == {
        "vote": vote_id,
        "voter": LABELS[0],
        "choice": "yes",
        "selection": [],
        "points": [],
        "channel": "proxy",
        "cast_on": DAY.isoformat(),
    }
    assert done[-1][1] == {"vote": vote_id, "on": AFTER.isoformat()}
    trail = trail_text(world)
    assert PROXY not in trail
    assert TEST_PASSWORD not in trail


def test_a_passed_owners_meeting_approves_the_open_budget(world: World) -> None:
    register_estate(world, {"201": "50.01", "301": "199.99"})
    draft_budget(world)
    opened = act(
        world,
        "committee",
        CREATE_VOTE,
        CreateVote(
            book=world.trust_id,
            kind=OWNERS_MEETING,
            title="批准2025年度公开预算",
            opens_on=OPENS,
            closes_on=CLOSES,
            matter="ordinary",
            budget_year=2025,
        ),
    )
    vote_id = opened.vote.id
    for voter, choice in YES_HALF.items():
        act(world, "treasurer", RECORD_BALLOT, RecordBallot(vote_id, voter, choice, cast_on=DAY))
    assert budget_row(world).status == "draft"

    closed = act(world, "committee", CLOSE_VOTE, CloseVote(vote=vote_id, on=AFTER))
    assert closed.outcome == "passed"
    assert closed.effects == VoteEffects(budget_approved=2025)
    assert closed.as_json()["effects"] == {"budget_approved": 2025}
    assert "The 2025 open budget is approved by this vote." in closed.lines()
    budget = budget_row(world)
    assert (budget.status, budget.approved_by_vote_id) == ("approved", vote_id)


def test_roles_without_the_right_are_refused_and_nothing_is_written(world: World) -> None:
    enrol(world, world.fund_id, *LABELS)
    assert "auditor (" in refused(world, "auditor", CREATE_VOTE, residents_meeting(world))
    refused(world, "treasurer", CREATE_VOTE, residents_meeting(world))
    vote_id = act(world, "committee", CREATE_VOTE, residents_meeting(world)).vote.id
    refused(world, "treasurer", AMEND_VOTE, AmendVote(vote=vote_id, title="改"))
    ballot = RecordBallot(vote_id, LABELS[0], "yes", channel="proxy", proxy_name=PROXY)
    for user in ("reviewer", "auditor"):
        refused(world, user, RECORD_BALLOT, ballot)
    act(world, "treasurer", RECORD_BALLOT, RecordBallot(vote_id, LABELS[0], "yes", cast_on=DAY))
    refused(
        world,
        "auditor",
        CORRECT_BALLOT,
        CorrectBallot(vote=vote_id, voter=LABELS[0], reason="错", choice="no"),
    )
    for user in ("treasurer", "reviewer", "auditor"):
        refused(world, user, CLOSE_VOTE, CloseVote(vote=vote_id, on=AFTER))
    refused(world, "treasurer", IMPORT_PB, ImportPb(world.fund_id, "a.pb", PB.encode()))
    rows = [(1, ("户名", "户主")), (2, ("5栋101", OWNER))]
    refused(
        world,
        "auditor",
        IMPORT_ELECTORATE,
        ImportElectorate.of(world.fund_id, "名册.xlsx", b"xlsx", iter(rows)),
    )
    # A wrong password is refused before anything is done.
    before = counts(world)
    with pytest.raises(PermissionDeniedError):
        run(world.ledger, Credentials("committee", "wrong"), CLOSE_VOTE, CloseVote(vote_id))
    assert counts(world) == before
    assert [name for name, _facts in operations(world)] == ["vote.create", "vote.ballot"]
    trail = trail_text(world)
    assert PROXY not in trail and OWNER not in trail and TEST_PASSWORD not in trail


def test_a_pabulib_file_is_imported_and_recorded_by_name_size_and_sha256(world: World) -> None:
    data = PB.encode()
    imported = act(world, "committee", IMPORT_PB, ImportPb(world.fund_id, "楼道.pb", data))
    assert imported.sentence() == (
        f"Imported 楼道.pb as vote {imported.vote.id} “楼道改造”: 2 projects, 2 ballots."
    )
    assert imported.as_json()["ballots"] == 2
    closed = act(world, "committee", CLOSE_VOTE, CloseVote(imported.vote.id))
    assert closed.outcome == "selected" and closed.passed
    assert operations(world)[0] == (
        "pb.import",
        {
            "book": world.fund_id,
            "file": "楼道.pb",
            "data": {"bytes": len(data)},
            "title": None,
            "rule": None,
            "sha256": hashlib.sha256(data).hexdigest(),
        },
    )


def test_the_electorate_register_is_imported_without_owners_names_in_the_trail(
    world: World,
) -> None:
    rows = [
        (1, ("楼栋", "房号", "专有面积（m²）", "业主编号", "业主姓名")),
        (2, ("1", "101", "88.50", "zhang", OWNER)),
        (3, ("1", "102", "90", "li", "")),
    ]
    data = b"the workbook's bytes"
    imported = act(
        world,
        "treasurer",
        IMPORT_ELECTORATE,
        ImportElectorate.of(world.trust_id, "名册.xlsx", data, iter(rows)),
    )
    assert (imported.summary.units_added, imported.summary.owner_count) == (2, 2)
    assert imported.sentence().startswith("Imported 2 rows into “金河绿洲物业”: 2 units added;")
    assert imported.note() is None
    assert imported.as_json()["units_added"] == 2
    with world.ledger.read() as s:
        assert len(s.exec(select(PropertyUnit)).all()) == 2
    assert operations(world) == [
        (
            "electorate.import",
            {
                "book": world.trust_id,
                "file": "名册.xlsx",
                "size": len(data),
                "sha256": hashlib.sha256(data).hexdigest(),
            },
        )
    ]
    assert OWNER not in trail_text(world)

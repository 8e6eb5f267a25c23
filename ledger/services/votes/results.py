"""Working a vote's result out, closing it, carrying it into the books and describing it."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import replace
from fractions import Fraction
from typing import Any

from sqlmodel import Session, col, select

from ledger.access import Action, require
from ledger.clock import today, utc_now_iso
from ledger.errors import InvalidInputError
from ledger.i18n import _
from ledger.models import Activity, AppUser, Ballot, Budget, PropertyUnit, Vote
from ledger.money import format_fen
from ledger.rules.meetings import (
    Matter,
    Outcome,
    owners_electorate,
    owners_meeting_result,
    residents_meeting_result,
)
from ledger.rules.pb import PbTally, tally
from ledger.services.audit import record_event
from ledger.services.households import book_households
from ledger.services.property import mark_budget_approved, unit_label
from ledger.services.votes._common import (
    OWNERS_MEETING,
    PARTICIPATORY_BUDGET,
    BallotChannel,
    VoteStatus,
    kind_label,
    rule_label,
)
from ledger.services.votes.finding import find_vote, thresholds, vote_ballots, vote_options
from ledger.services.votes.result_types import (
    ActivityMade,
    BudgetPart,
    HouseholdsPart,
    OwnersCount,
    OwnersPart,
    ProjectVotes,
    RuleTally,
    VoteEffects,
    VoteResult,
)

#: The keyword arguments of :class:`VoteResult` for the part of a vote's kind.
VoteParts = dict[str, Any]

# --- results -----------------------------------------------------------------------------------


def _meeting_choices(ballots: Iterable[Ballot]) -> dict[str, str]:
    return {b.voter_key: b.choice or "" for b in ballots}


def _owners_result(session: Session, vote: Vote) -> tuple[str, int, VoteParts]:
    units = session.exec(
        select(PropertyUnit).where(col(PropertyUnit.book_id) == vote.book_id)
    ).all()
    electorate = owners_electorate(
        [(unit_label(u), u.owner_key, u.area_dm2, u.unsold) for u in units]
    )
    ballots = vote_ballots(session, vote_id=vote.id or 0)
    result = owners_meeting_result(electorate, _meeting_choices(ballots), vote.matter or "")
    part = OwnersPart(
        matter=result.matter.value,
        major=result.major,
        units=electorate.unit_count,
        owners=result.owner_count,
        total_area_dm2=result.total_area_dm2,
        participating_owners=result.participating_owners,
        participating_area_dm2=result.participating_area_dm2,
        yes=OwnersCount(result.yes_owners, result.yes_area_dm2),
        no=OwnersCount(result.no_owners, result.no_area_dm2),
        abstain=OwnersCount(result.abstain_owners, result.abstain_area_dm2),
    )
    return result.outcome.value, len(ballots), {"owners": part, "figures": tuple(result.figures)}


def _households_result(session: Session, vote: Vote) -> tuple[str, int, VoteParts]:
    ballots = vote_ballots(session, vote_id=vote.id or 0)
    households = len(book_households(session, book_id=vote.book_id))
    counts = {c: sum(1 for b in ballots if b.choice == c) for c in ("yes", "no", "abstain")}
    limits = thresholds(vote)
    assert limits is not None
    quorum, majority = limits
    result = residents_meeting_result(
        households,
        len(ballots),
        counts["yes"],
        counts["no"],
        counts["abstain"],
        quorum=quorum.bound,
        majority=majority.bound,
        quorum_inclusive=quorum.inclusive,
        majority_inclusive=majority.inclusive,
    )
    part = HouseholdsPart(
        households=households, yes=counts["yes"], no=counts["no"], abstain=counts["abstain"]
    )
    return (
        result.outcome.value,
        len(ballots),
        {"households": part, "figures": tuple(result.figures)},
    )


def _fen(amount: int | Fraction) -> int:
    value = Fraction(amount) * 100
    assert value.denominator == 1  # costs are whole fen, so every sum of them is too
    return value.numerator


def _budget_result(session: Session, vote: Vote) -> tuple[str, int, VoteParts]:
    options = vote_options(session, vote_id=vote.id or 0)
    # Tally in whole currency units as pabutools does: MES raises each voter's budget by one
    # unit (one yuan) at a time, so fen would give a different iteration.
    costs = {o.code: Fraction(o.cost_fen or 0, 100) for o in options}
    budget = Fraction(vote.budget_fen or 0, 100)
    ballots = [
        tuple(json.loads(text))
        for text in session.exec(
            select(Ballot.selection).where(col(Ballot.vote_id) == vote.id).order_by(col(Ballot.id))
        )
    ]
    rule = vote.rule or "mes"
    rules = ["plurality"] if rule == "plurality" else ["greedy", "mes"]
    # With no ballot at all nothing is decided (greedy would fund whatever fits, unvoted).
    tallies = {
        r: tally(r, costs, ballots, budget)
        if ballots
        else PbTally(r, (), 0, budget, dict.fromkeys(costs, 0))
        for r in rules
    }
    chosen = tallies[rule]
    imported = session.exec(
        select(Ballot.id).where(
            col(Ballot.vote_id) == vote.id, col(Ballot.channel) == BallotChannel.IMPORT.value
        )
    ).first()
    # The voters of an imported election are the file's, not the book's households.
    households = 0 if imported else len(book_households(session, book_id=vote.book_id))
    part = BudgetPart(
        rule=rule,
        ballot_type=vote.ballot_type,
        households=households or None,
        currency=vote.currency,
        budget_fen=vote.budget_fen or 0,
        projects=tuple(
            ProjectVotes(
                code=o.code, name=o.name, cost_fen=o.cost_fen, votes=chosen.votes.get(o.code, 0)
            )
            for o in options
        ),
        selected=tuple(chosen.selected),
        used_fen=_fen(chosen.used),
        left_fen=_fen(chosen.left),
        tied=tuple(chosen.tied),
        by_rule={
            r: RuleTally(selected=tuple(t.selected), used_fen=_fen(t.used))
            for r, t in tallies.items()
        },
    )
    outcome = "selected" if chosen.selected else "nothing_selected"
    return outcome, len(ballots), {"budget": part}


def compute_vote_result(session: Session, vote: Vote) -> VoteResult:
    """The result of the ballots recorded so far, worked out from the register now."""
    if vote.kind == OWNERS_MEETING:
        outcome, ballots, parts = _owners_result(session, vote)
    elif vote.kind == PARTICIPATORY_BUDGET:
        outcome, ballots, parts = _budget_result(session, vote)
    else:
        outcome, ballots, parts = _households_result(session, vote)
    return VoteResult(
        vote=vote.id,
        kind=vote.kind,
        title=vote.title,
        status=vote.status,
        opens_on=vote.opens_on.isoformat(),
        closes_on=vote.closes_on.isoformat(),
        outcome=outcome,
        ballots=ballots,
        **parts,
    )


def compute_result(session: Session, vote: Vote) -> dict[str, Any]:
    """:func:`compute_vote_result` as the JSON-able dict stored in ``Vote.result``."""
    return compute_vote_result(session, vote).as_json()


def vote_result(session: Session, *, vote_id: int) -> dict[str, Any]:
    """A closed vote's result as it was decided; an open vote's result so far (provisional)."""
    vote = find_vote(session, vote_id=vote_id)
    if vote.status == VoteStatus.CLOSED and vote.result:
        stored: dict[str, Any] = json.loads(vote.result)
        return stored
    return compute_result(session, vote)


def vote_result_value(session: Session, *, vote_id: int) -> VoteResult:
    """:func:`vote_result` as a typed value."""
    return VoteResult.from_json(vote_result(session, vote_id=vote_id))


def _typed(result: Mapping[str, Any] | VoteResult) -> VoteResult:
    return result if isinstance(result, VoteResult) else VoteResult.from_json(result)


def passed(result: Mapping[str, Any] | VoteResult) -> bool:
    """Whether a result decides something: a meeting passed, a budget selected projects."""
    if isinstance(result, VoteResult):
        return result.passed
    return result.get("outcome") in (Outcome.PASSED.value, "selected")


def close_vote(
    session: Session, *, vote_id: int, actor: AppUser, on: dt.date | None = None
) -> dict[str, Any]:
    """Close a vote: no more ballots; the result is worked out, stored and carried into the
    books (see the module doc). Returns the result."""
    require(actor.username, actor.role, Action.MANAGE_VOTES)
    vote = find_vote(session, vote_id=vote_id)
    if vote.status != VoteStatus.OPEN:
        raise InvalidInputError(
            _("Vote {id} was closed on {date}.").format(id=vote.id, date=vote.closed_at)
        )
    closed_on = on or today()
    if closed_on < vote.closes_on:
        raise InvalidInputError(
            _(
                "Vote {id} takes ballots until {closes}; it can be closed from that day on, not "
                "on {date}. To end it earlier, first move its last day (gongzhang vote amend "
                "--closes) while it has no ballots."
            ).format(id=vote.id, closes=vote.closes_on.isoformat(), date=closed_on.isoformat())
        )
    vote.status = VoteStatus.CLOSED.value
    vote.closed_by_id = actor.id
    vote.closed_at = utc_now_iso()
    computed = replace(compute_vote_result(session, vote), closed_on=closed_on.isoformat())
    effects = (
        _carry_into_books(session, vote, computed, actor) if computed.passed else VoteEffects()
    )
    result = replace(computed, effects=effects).as_json()
    vote.result = json.dumps(result, ensure_ascii=False, sort_keys=True)
    session.add(vote)
    session.flush()
    record_event(
        session,
        actor=actor,
        action="vote.closed",
        object_type="vote",
        object_id=vote.id or 0,
        detail={
            "outcome": computed.outcome,
            "ballots": computed.ballots,
            "effects": effects.as_json(),
        },
    )
    return result


def _carry_into_books(
    session: Session, vote: Vote, result: VoteResult, actor: AppUser
) -> VoteEffects:
    if vote.kind == OWNERS_MEETING and vote.budget_year is not None:
        budget = session.exec(
            select(Budget).where(
                col(Budget.book_id) == vote.book_id, col(Budget.year) == vote.budget_year
            )
        ).first()
        if budget is None or budget.status != "draft":
            # Approved meanwhile by other means: the vote confirms it and changes nothing.
            return VoteEffects()
        mark_budget_approved(
            session,
            budget=budget,
            actor=actor,
            note=_("Approved by the owners' meeting, vote {id}: {title}").format(
                id=vote.id, title=vote.title
            ),
            vote_id=vote.id,
        )
        return VoteEffects(budget_approved=budget.year)
    if vote.kind == PARTICIPATORY_BUDGET and vote.currency == "CNY":
        return VoteEffects(activities=_fund_projects(session, vote, result, actor))
    return VoteEffects()


def _fund_projects(
    session: Session, vote: Vote, result: VoteResult, actor: AppUser
) -> tuple[ActivityMade, ...]:
    # Imported here: microfund imports many services, and only closing a budget needs it.
    from ledger.services.microfund import add_activity  # noqa: PLC0415

    options = {o.code: o for o in vote_options(session, vote_id=vote.id or 0)}
    made: list[ActivityMade] = []
    assert result.closed_on is not None
    assert result.budget is not None
    date = dt.date.fromisoformat(result.closed_on)
    date = min(max(date, vote.closes_on), dt.date(date.year, 12, 31))
    for code in result.budget.selected:
        option = options[code]
        name = (option.name or option.code)[:100]
        if session.exec(
            select(Activity.id).where(
                col(Activity.book_id) == vote.book_id, col(Activity.name) == name
            )
        ).first():
            raise InvalidInputError(
                _(
                    "Project {code} was selected, but the book already has an activity “{name}”; "
                    "rename that activity, then close the vote."
                ).format(code=code, name=name)
            )
        activity = add_activity(
            session,
            book_id=vote.book_id,
            name=name,
            date=date,
            budget_fen=option.cost_fen or 0,
            actor=actor,
            note=_("Selected by vote {id}").format(id=vote.id),
            vote_id=vote.id,
        )
        assert activity.id is not None
        made.append(ActivityMade(activity=activity.id, code=code, budget_fen=activity.budget_fen))
    session.flush()
    return tuple(made)


# --- describing a result -----------------------------------------------------------------------


def _votes_text(result: VoteResult) -> str:
    if result.owners is not None:
        return _(
            "Ballots: {ballots} of {owners} owners — yes {yes}, no {no}, abstain {abstain}."
        ).format(
            ballots=result.ballots,
            owners=result.owners.owners,
            yes=result.owners.yes.owners,
            no=result.owners.no.owners,
            abstain=result.owners.abstain.owners,
        )
    assert result.households is not None
    return _(
        "Ballots: {ballots} of {households} households — yes {yes}, no {no}, abstain {abstain}."
    ).format(
        ballots=result.ballots,
        households=result.households.households,
        yes=result.households.yes,
        no=result.households.no,
        abstain=result.households.abstain,
    )


def outcome_label(result: Mapping[str, Any] | VoteResult) -> str:
    outcome = result.outcome if isinstance(result, VoteResult) else result["outcome"]
    if outcome == "selected":
        return _("projects selected")
    if outcome == "nothing_selected":
        return _("no project selected")
    return _(Outcome(outcome).label)


def describe_result(result: Mapping[str, Any] | VoteResult) -> list[str]:
    """Translated lines stating a result: the vote, the counts, every test with its threshold
    and pass/fail (meetings) or the selected projects and the budget used (budgets), the
    outcome, and what it did in the books."""
    value = _typed(result)
    lines = [
        _("Vote {id} ({kind}): {title}").format(
            id=value.vote, kind=kind_label(value.kind), title=value.title
        )
    ]
    if value.status != VoteStatus.CLOSED and value.closed_on is None:
        lines.append(_("The vote is still open: this is the count so far."))
    if value.budget is not None:
        lines.extend(_describe_budget(value.budget, value.ballots))
    else:
        if value.owners is not None:
            lines.append(_("Matter: {matter}").format(matter=_(Matter(value.owners.matter).label)))
        lines.append(_votes_text(value))
        lines.extend(f.describe() for f in value.figures)
    lines.append(_("Outcome: {outcome}").format(outcome=outcome_label(value)))
    effects = value.effects or VoteEffects()
    if effects.budget_approved is not None:
        lines.append(
            _("The {year} open budget is approved by this vote.").format(
                year=effects.budget_approved
            )
        )
    for made in effects.activities:
        lines.append(
            _("Activity {id} created for project {code} with a budget of {amount}.").format(
                id=made.activity, code=made.code, amount=format_fen(made.budget_fen)
            )
        )
    return lines


def _describe_budget(budget: BudgetPart, ballots: int) -> list[str]:
    names = {p.code: p for p in budget.projects}
    turnout = (
        _("Ballots: {ballots} of {households} households.").format(
            ballots=ballots, households=budget.households
        )
        if budget.households
        else _("Ballots: {ballots}.").format(ballots=ballots)
    )
    lines = [
        turnout,
        _("Rule: {rule}").format(rule=rule_label(budget.rule)),
        _("Budget {budget}, used {used}, left {left}.").format(
            budget=vote_money(budget.budget_fen, budget.currency),
            used=vote_money(budget.used_fen, budget.currency),
            left=vote_money(budget.left_fen, budget.currency),
        ),
    ]
    for n, code in enumerate(budget.selected, start=1):
        project = names[code]
        lines.append(
            _("{n}. {code} {name} — votes: {votes}, cost: {cost}").format(
                n=n,
                code=code,
                name=project.name or code,
                votes=project.votes,
                cost=vote_money(project.cost_fen or 0, budget.currency),
            )
        )
    if len(budget.tied) > 1:
        lines.append(
            _("Tied for the most votes: {options}; the tie goes to the smallest id.").format(
                options=", ".join(budget.tied)
            )
        )
    return lines


def vote_money(fen: int, currency: str = "CNY") -> str:
    """An amount of a vote in its currency: ``¥1,234.56`` for yuan, ``748,772.64 PLN`` for an
    imported election in another currency (never with the yuan sign)."""
    if currency == "CNY":
        return format_fen(fen)
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole:,}.{cents:02d} {currency}"

"""Recording and correcting ballots, and who may cast them."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from ledger.access import Action, require
from ledger.clock import today, utc_now_iso
from ledger.errors import InvalidInputError, NotFoundError
from ledger.i18n import _
from ledger.models import AppUser, Ballot, BookHousehold, Household, PropertyUnit, Vote
from ledger.rules.ballots import check_budget_ballot, check_choice
from ledger.rules.text import check_keepable, shorten
from ledger.services.audit import record_event
from ledger.services.property import unit_label
from ledger.services.votes._common import (
    CHANNELS,
    MEETING_KINDS,
    OWNERS_MEETING,
    BallotChannel,
    VoteStatus,
)
from ledger.services.votes.finding import find_vote, vote_options


@dataclass(frozen=True, slots=True)
class Voter:
    """Who casts a ballot: its key in the vote, its household (if any) and a public label."""

    key: str
    household_id: int | None
    label: str


def household_voter_key(household_id: int) -> str:
    return f"h{household_id}"


def resolve_voter(session: Session, vote: Vote, ref: str) -> Voter:
    """The voter named by ``ref``: at an owners' meeting a unit (``1-2-301``) or an owner key
    of the register; otherwise a household of the book's register (label or number)."""
    text = str(ref).strip()
    if not text:
        raise InvalidInputError(_("Say whose ballot this is (--voter)."))
    if vote.kind == OWNERS_MEETING:
        units = list(
            session.exec(select(PropertyUnit).where(col(PropertyUnit.book_id) == vote.book_id))
        )
        for unit in units:
            if unit_label(unit) == text:
                return Voter(unit.owner_key, None, unit.owner_key)
        if any(unit.owner_key == text for unit in units):
            return Voter(text, None, text)
        raise NotFoundError(
            _(
                "No unit or owner “{ref}” in the register of this estate; name a unit as "
                "building-unit-room (1-2-301) or give the owner key."
            ).format(ref=shorten(text))
        )
    household = None
    if text.isascii() and text.isdigit() and len(text) < 10:
        household = session.get(Household, int(text))
    if household is None:
        household = session.exec(select(Household).where(col(Household.label) == text)).first()
    if (
        household is None
        or not household.active
        or session.get(BookHousehold, (vote.book_id, household.id)) is None
    ):
        raise NotFoundError(
            _(
                "No household “{ref}” in the register of this book; only its households vote "
                "(one ballot per household)."
            ).format(ref=shorten(text))
        )
    return Voter(household_voter_key(household.id or 0), household.id, household.label)


def _open_for_ballots(vote: Vote, cast_on: dt.date) -> None:
    if vote.status != VoteStatus.OPEN:
        raise InvalidInputError(
            _("Vote {id} is closed; no more ballots can be recorded.").format(id=vote.id)
        )
    if cast_on < vote.opens_on or cast_on > vote.closes_on:
        raise InvalidInputError(
            _(
                "Vote {id} takes ballots from {opens} to {closes}; a ballot cast on {date} "
                "cannot count. If it was cast earlier, give its date (--date)."
            ).format(
                id=vote.id,
                opens=vote.opens_on.isoformat(),
                closes=vote.closes_on.isoformat(),
                date=cast_on.isoformat(),
            )
        )


def _check_content(
    session: Session,
    vote: Vote,
    choice: str | None,
    selection: Sequence[str],
    points: Sequence[int],
) -> tuple[str | None, tuple[str, ...], tuple[int, ...]]:
    if vote.kind in MEETING_KINDS:
        if selection or points:
            raise InvalidInputError(
                _("A meeting ballot says yes, no or abstain; it names no projects.")
            )
        if choice is None:
            raise InvalidInputError(_("Say how the ballot votes: yes, no or abstain."))
        return check_choice(choice), (), ()
    if choice is not None:
        raise InvalidInputError(
            _("A participatory-budget ballot names projects (--projects), not yes or no.")
        )
    codes = {o.code for o in vote_options(session, vote_id=vote.id or 0)}
    chosen, given = check_budget_ballot(
        vote.ballot_type,
        codes,
        selection,
        points,
        max_length=vote.max_length,
        max_points=vote.max_points,
    )
    return None, chosen, given


def _duplicate(session: Session, vote: Vote, voter: Voter) -> InvalidInputError:
    first = session.exec(
        select(Ballot).where(col(Ballot.vote_id) == vote.id, col(Ballot.voter_key) == voter.key)
    ).first()
    when = first.cast_on.isoformat() if first is not None else "?"
    return InvalidInputError(
        _(
            "{voter} already has a ballot in vote {id} (cast on {date}); one ballot per "
            "{who}. To change it, correct that ballot (gongzhang vote correct)."
        ).format(
            voter=voter.label,
            id=vote.id,
            date=when,
            who=_("owner") if vote.kind == OWNERS_MEETING else _("household"),
        )
    )


def record_ballot(
    session: Session,
    *,
    vote_id: int,
    voter: str,
    actor: AppUser,
    choice: str | None = None,
    selection: Sequence[str] = (),
    points: Sequence[int] = (),
    channel: str = BallotChannel.PAPER,
    proxy_name: str = "",
    cast_on: dt.date | None = None,
) -> Ballot:
    """Record one ballot, as staff do from a paper ballot, in person or for a proxy.

    Refused: an unknown or closed vote, a date outside the voting days, a voter not in the
    register, a second ballot from the same owner or household (the database refuses it too),
    and a ballot the vote's rules do not allow."""
    require(actor.username, actor.role, Action.RECORD_BALLOTS)
    vote = find_vote(session, vote_id=vote_id)
    date = cast_on or today()
    if type(date) is not dt.date:
        raise InvalidInputError(
            _("The day a ballot was cast must be a date, like 2024-12-05; got {value}.").format(
                value=shorten(str(date))
            )
        )
    _open_for_ballots(vote, date)
    if channel not in CHANNELS or channel == BallotChannel.IMPORT:
        raise InvalidInputError(
            _("A ballot comes on paper, in person or by proxy; got “{channel}”.").format(
                channel=channel
            )
        )
    proxy = check_keepable(" ".join(str(proxy_name).split()), _("The proxy's name"))[:100]
    if channel == BallotChannel.PROXY and not proxy:
        raise InvalidInputError(_("A proxy ballot needs the name of the proxy (--proxy)."))
    who = resolve_voter(session, vote, voter)
    clean_choice, chosen, given = _check_content(session, vote, choice, selection, points)
    if session.exec(
        select(Ballot.id).where(col(Ballot.vote_id) == vote.id, col(Ballot.voter_key) == who.key)
    ).first():
        raise _duplicate(session, vote, who)
    ballot = Ballot(
        vote_id=vote.id or 0,
        voter_key=who.key,
        household_id=who.household_id,
        choice=clean_choice,
        selection=json.dumps(list(chosen), ensure_ascii=False),
        points=json.dumps(list(given)),
        channel=channel,
        proxy_name=proxy if channel == BallotChannel.PROXY else "",
        cast_on=date,
        recorded_by_id=actor.id or 0,
        recorded_at=utc_now_iso(),
    )
    try:
        with session.begin_nested():
            session.add(ballot)
            session.flush()
    except IntegrityError:
        # Another desk recorded the same voter a moment ago: the constraint is the last word.
        raise _duplicate(session, vote, who) from None
    record_event(
        session,
        actor=actor,
        action="ballot.recorded",
        object_type="ballot",
        object_id=ballot.id or 0,
        detail={
            "vote": vote.id,
            "voter": who.key,
            "channel": channel,
            "cast_on": date.isoformat(),
            **_content(ballot),
        },
    )
    return ballot


def _content(ballot: Ballot) -> dict[str, Any]:
    if ballot.choice is not None:
        return {"choice": ballot.choice}
    data: dict[str, Any] = {"projects": json.loads(ballot.selection)}
    points = json.loads(ballot.points)
    if points:
        data["points"] = points
    return data


def correct_ballot(
    session: Session,
    *,
    vote_id: int,
    voter: str,
    actor: AppUser,
    reason: str,
    choice: str | None = None,
    selection: Sequence[str] = (),
    points: Sequence[int] = (),
) -> Ballot:
    """Correct a ballot recorded wrongly (a slip at the desk), while the vote is open. The
    correction is an audit event with the old and the new ballot and the reason; the ballot
    keeps its voter and its date and counts its revisions."""
    require(actor.username, actor.role, Action.RECORD_BALLOTS)
    vote = find_vote(session, vote_id=vote_id)
    if vote.status != VoteStatus.OPEN:
        raise InvalidInputError(
            _("Vote {id} is closed; its ballots can no longer be corrected.").format(id=vote.id)
        )
    why = check_keepable(" ".join(str(reason).split()), _("The reason"))
    if not why:
        raise InvalidInputError(
            _("Say why the ballot is corrected (--reason); the correction is kept for audit.")
        )
    who = resolve_voter(session, vote, voter)
    ballot = session.exec(
        select(Ballot).where(col(Ballot.vote_id) == vote.id, col(Ballot.voter_key) == who.key)
    ).first()
    if ballot is None:
        raise NotFoundError(
            _("{voter} has no ballot in vote {id} to correct.").format(voter=who.label, id=vote.id)
        )
    clean_choice, chosen, given = _check_content(session, vote, choice, selection, points)
    before = _content(ballot)
    ballot.choice = clean_choice
    ballot.selection = json.dumps(list(chosen), ensure_ascii=False)
    ballot.points = json.dumps(list(given))
    if _content(ballot) == before:
        raise InvalidInputError(
            _("The corrected ballot is the same as the recorded one; nothing to correct.")
        )
    ballot.revision += 1
    session.add(ballot)
    session.flush()
    record_event(
        session,
        actor=actor,
        action="ballot.corrected",
        object_type="ballot",
        object_id=ballot.id or 0,
        detail={
            "vote": vote.id,
            "voter": who.key,
            "before": before,
            "after": _content(ballot),
            "reason": why[:400],
            "revision": ballot.revision,
        },
    )
    return ballot

"""Finding votes, their options and ballots."""

from __future__ import annotations

from fractions import Fraction

from sqlalchemy import func
from sqlmodel import Session, col, select

from ledger.errors import NotFoundError
from ledger.i18n import _
from ledger.models import Ballot, Vote, VoteOption
from ledger.rules.meetings import Threshold


def find_vote(session: Session, *, vote_id: int | str) -> Vote:
    text = str(vote_id).strip()
    vote = (
        session.get(Vote, int(text))
        if text.isascii() and text.isdigit() and len(text) < 10
        else None
    )
    if vote is None:
        raise NotFoundError(
            _("There is no vote number {id}; “gongzhang vote list” shows the votes.").format(
                id=text
            )
        )
    return vote


def list_votes(session: Session, *, book_id: int | None = None) -> list[Vote]:
    query = select(Vote).order_by(col(Vote.id))
    if book_id is not None:
        query = query.where(col(Vote.book_id) == book_id)
    return list(session.exec(query))


def vote_options(session: Session, *, vote_id: int) -> list[VoteOption]:
    return list(
        session.exec(
            select(VoteOption)
            .where(col(VoteOption.vote_id) == vote_id)
            .order_by(col(VoteOption.position))
        )
    )


def ballot_count(session: Session, *, vote_id: int) -> int:
    return int(
        session.exec(
            select(func.count()).select_from(Ballot).where(col(Ballot.vote_id) == vote_id)
        ).one()
    )


def vote_ballots(session: Session, *, vote_id: int) -> list[Ballot]:
    return list(
        session.exec(select(Ballot).where(col(Ballot.vote_id) == vote_id).order_by(col(Ballot.id)))
    )


def thresholds(vote: Vote) -> tuple[Threshold, Threshold] | None:
    """The quorum and the majority of a residents' or village meeting."""
    if vote.quorum_num is None or vote.quorum_den is None:
        return None
    if vote.majority_num is None or vote.majority_den is None:
        return None
    return (
        Threshold(Fraction(vote.quorum_num, vote.quorum_den), vote.quorum_inclusive),
        Threshold(Fraction(vote.majority_num, vote.majority_den), vote.majority_inclusive),
    )

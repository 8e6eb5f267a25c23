"""Operations on resident decisions (表决): open a vote, amend it, record a ballot, correct one,
close the vote; import a Pabulib ``.pb`` file as a vote; import the electorate register.

What the audit trail keeps of each request is plain: a proxy's name and the rows of a register
(owners' and household heads' names) are never written down, and an imported file is recorded
by its name, size and SHA-256, not by its content.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from ledger.access import Action
from ledger.domain import BookKind
from ledger.i18n import _
from ledger.operations import SECRET, Operation

if TYPE_CHECKING:
    from sqlmodel import Session

    from ledger.models import AppUser, Vote
    from ledger.services.electorate import ImportSummary
    from ledger.services.votes import ProjectSpec, VoteEffects

#: Rows of a register's sheet, with their row numbers (``reports.electorate_xlsx.read_sheet``).
Rows = Iterable[tuple[int, Sequence[object]]]
#: Told ``(done, total)`` as a long import goes; raising stops it (a cancel).
Progress = Callable[[int, int], None]


def share_text(value: Fraction | str | None) -> str | None:
    """A share as a request keeps it (plain text, ``2/3``), from the app's exact fraction."""
    if value is None or isinstance(value, str):
        return value
    return f"{value.numerator}/{value.denominator}"


def _share(text: str | None) -> Fraction | None:
    from ledger.rules.ballots import parse_fraction  # noqa: PLC0415

    return None if text is None else parse_fraction(text)


# --- a vote, as every outcome about one shows it ------------------------------------------------


@dataclass(frozen=True, slots=True)
class VoteFacts:
    id: int
    book: int
    kind: str
    title: str
    matter: str | None
    ballot_type: str | None
    rule: str | None
    budget_fen: int | None
    budget_year: int | None
    opens_on: dt.date
    closes_on: dt.date
    status: str
    currency: str
    ballots: int

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "book": self.book,
            "kind": self.kind,
            "title": self.title,
            "matter": self.matter,
            "ballot_type": self.ballot_type,
            "rule": self.rule,
            "budget_fen": self.budget_fen,
            "budget_year": self.budget_year,
            "opens_on": self.opens_on.isoformat(),
            "closes_on": self.closes_on.isoformat(),
            "status": self.status,
            "currency": self.currency,
            "ballots": self.ballots,
        }


def vote_facts(vote: Vote, ballots: int) -> VoteFacts:
    return VoteFacts(
        id=vote.id or 0,
        book=vote.book_id,
        kind=vote.kind,
        title=vote.title,
        matter=vote.matter,
        ballot_type=vote.ballot_type,
        rule=vote.rule,
        budget_fen=vote.budget_fen,
        budget_year=vote.budget_year,
        opens_on=vote.opens_on,
        closes_on=vote.closes_on,
        status=vote.status,
        currency=vote.currency,
        ballots=ballots,
    )


def vote_json(vote: Vote, ballots: int) -> dict[str, Any]:
    """A vote as the command line's ``--json`` shows it."""
    return vote_facts(vote, ballots).as_json()


# --- open a vote -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CreateVote:
    #: The book: its number or name.
    book: str | int
    kind: str
    title: str
    opens_on: dt.date
    closes_on: dt.date
    matter: str | None = None
    ballot_type: str | None = None
    rule: str | None = None
    projects: tuple[ProjectSpec, ...] = ()
    budget_fen: int | None = None
    budget_year: int | None = None
    max_length: int | None = None
    max_points: int | None = None
    #: Meetings' shares as typed (``2/3``, ``50%``); see :func:`share_text`.
    quorum: str | None = None
    quorum_inclusive: bool | None = None
    majority: str | None = None
    majority_inclusive: bool | None = None


@dataclass(frozen=True, slots=True)
class VoteOpened:
    vote: VoteFacts

    def sentence(self) -> str:
        from ledger.services.votes import kind_label  # noqa: PLC0415

        return _("Opened vote {id} ({kind}) “{title}”: ballots from {opens} to {closes}.").format(
            id=self.vote.id,
            kind=kind_label(self.vote.kind),
            title=self.vote.title,
            opens=self.vote.opens_on.isoformat(),
            closes=self.vote.closes_on.isoformat(),
        )

    def as_json(self) -> dict[str, Any]:
        return self.vote.as_json()


def _create_vote(session: Session, actor: AppUser, request: CreateVote) -> VoteOpened:
    from ledger.services.books import find_book  # noqa: PLC0415
    from ledger.services.votes import create_vote  # noqa: PLC0415

    vote = create_vote(
        session,
        book_id=find_book(session, request.book).id or 0,
        kind=request.kind,
        title=request.title,
        opens_on=request.opens_on,
        closes_on=request.closes_on,
        actor=actor,
        matter=request.matter,
        ballot_type=request.ballot_type,
        rule=request.rule,
        projects=list(request.projects),
        budget_fen=request.budget_fen,
        budget_year=request.budget_year,
        max_length=request.max_length,
        max_points=request.max_points,
        quorum=_share(request.quorum),
        quorum_inclusive=request.quorum_inclusive,
        majority=_share(request.majority),
        majority_inclusive=request.majority_inclusive,
    )
    return VoteOpened(vote_facts(vote, 0))


CREATE_VOTE: Operation[CreateVote, VoteOpened] = Operation(
    "vote.create", Action.MANAGE_VOTES, _create_vote
)


# --- amend it before its first ballot ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AmendVote:
    vote: str | int
    title: str | None = None
    closes_on: dt.date | None = None
    budget_fen: int | None = None
    add_projects: tuple[ProjectSpec, ...] = ()
    remove_projects: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class VoteAmended:
    vote: VoteFacts

    def sentence(self) -> str:
        return _("Vote {id} amended.").format(id=self.vote.id)

    def as_json(self) -> dict[str, Any]:
        return self.vote.as_json()


def _amend_vote(session: Session, actor: AppUser, request: AmendVote) -> VoteAmended:
    from ledger.services.votes import amend_vote, find_vote  # noqa: PLC0415

    vote = amend_vote(
        session,
        vote_id=find_vote(session, vote_id=request.vote).id or 0,
        actor=actor,
        title=request.title,
        closes_on=request.closes_on,
        budget_fen=request.budget_fen,
        add_projects=list(request.add_projects),
        remove_projects=list(request.remove_projects),
    )
    return VoteAmended(vote_facts(vote, 0))


AMEND_VOTE: Operation[AmendVote, VoteAmended] = Operation(
    "vote.amend", Action.MANAGE_VOTES, _amend_vote
)


# --- record a ballot, correct one ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RecordBallot:
    vote: str | int
    #: A unit (1-2-301) or owner key (owners' meetings), otherwise the household.
    voter: str
    choice: str | None = None
    selection: tuple[str, ...] = ()
    points: tuple[int, ...] = ()
    channel: str = "paper"
    #: Who held the proxy: private, never in the audit trail.
    proxy_name: str = field(default="", metadata=SECRET)
    cast_on: dt.date | None = None

    def __repr__(self) -> str:
        return f"RecordBallot(vote={self.vote!r}, voter={self.voter!r}, channel={self.channel!r})"


@dataclass(frozen=True, slots=True)
class BallotRecorded:
    vote: int
    ballot: int
    voter: str
    voter_label: str
    choice: str | None
    projects: tuple[str, ...]
    points: tuple[int, ...]
    channel: str
    cast_on: dt.date
    ballots: int

    def sentence(self) -> str:
        return _(
            "Ballot {ballot} recorded in vote {vote} for {voter}; ballots so far: {ballots}."
        ).format(ballot=self.ballot, vote=self.vote, voter=self.voter_label, ballots=self.ballots)

    def as_json(self) -> dict[str, Any]:
        return {
            "vote": self.vote,
            "ballot": self.ballot,
            "voter": self.voter,
            "voter_label": self.voter_label,
            "choice": self.choice,
            "projects": list(self.projects),
            "points": list(self.points),
            "channel": self.channel,
            "cast_on": self.cast_on.isoformat(),
            "ballots": self.ballots,
        }


def _record_ballot(session: Session, actor: AppUser, request: RecordBallot) -> BallotRecorded:
    import json  # noqa: PLC0415

    from ledger.services.votes import (  # noqa: PLC0415
        ballot_count,
        find_vote,
        record_ballot,
        resolve_voter,
    )

    vote = find_vote(session, vote_id=request.vote)
    vote_id = vote.id or 0
    ballot = record_ballot(
        session,
        vote_id=vote_id,
        voter=request.voter,
        actor=actor,
        choice=request.choice,
        selection=list(request.selection),
        points=list(request.points),
        channel=request.channel,
        proxy_name=request.proxy_name,
        cast_on=request.cast_on,
    )
    # The household's label, not its internal key h<number>; the owner key of a unit.
    label = resolve_voter(session, vote, request.voter).label
    return BallotRecorded(
        vote=vote_id,
        ballot=ballot.id or 0,
        voter=ballot.voter_key,
        voter_label=label,
        choice=ballot.choice,
        projects=tuple(json.loads(ballot.selection)),
        points=tuple(json.loads(ballot.points)),
        channel=ballot.channel,
        cast_on=ballot.cast_on,
        ballots=ballot_count(session, vote_id=vote_id),
    )


RECORD_BALLOT: Operation[RecordBallot, BallotRecorded] = Operation(
    "vote.ballot", Action.RECORD_BALLOTS, _record_ballot
)


@dataclass(frozen=True, slots=True)
class CorrectBallot:
    vote: str | int
    voter: str
    reason: str
    choice: str | None = None
    selection: tuple[str, ...] = ()
    points: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class BallotCorrected:
    vote: int
    ballot: int
    revision: int

    def sentence(self) -> str:
        return _("Ballot {ballot} of vote {vote} corrected (correction {revision}).").format(
            ballot=self.ballot, vote=self.vote, revision=self.revision
        )

    def as_json(self) -> dict[str, Any]:
        return {"vote": self.vote, "ballot": self.ballot, "revision": self.revision}


def _correct_ballot(session: Session, actor: AppUser, request: CorrectBallot) -> BallotCorrected:
    from ledger.services.votes import correct_ballot, find_vote  # noqa: PLC0415

    vote_id = find_vote(session, vote_id=request.vote).id or 0
    ballot = correct_ballot(
        session,
        vote_id=vote_id,
        voter=request.voter,
        actor=actor,
        reason=request.reason,
        choice=request.choice,
        selection=list(request.selection),
        points=list(request.points),
    )
    return BallotCorrected(vote_id, ballot.id or 0, ballot.revision)


CORRECT_BALLOT: Operation[CorrectBallot, BallotCorrected] = Operation(
    "vote.correct", Action.RECORD_BALLOTS, _correct_ballot
)


# --- close a vote ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CloseVote:
    vote: str | int
    #: The day of closing (None: today).
    on: dt.date | None = None


@dataclass(frozen=True, slots=True, eq=False)
class VoteClosed:
    """A closed vote: its outcome (``passed``, ``failed``, ``selected`` …), its ballots, what it
    did in the books, and the whole result with every threshold (as ``vote result`` shows it)."""

    vote: int
    outcome: str
    ballots: int
    effects: VoteEffects
    result: Mapping[str, Any]

    @property
    def passed(self) -> bool:
        from ledger.services.votes import passed  # noqa: PLC0415

        return passed(self.result)

    def sentence(self) -> str:
        from ledger.services.votes import outcome_label  # noqa: PLC0415

        return _("Vote {id} closed: {outcome}.").format(
            id=self.vote, outcome=outcome_label(self.result)
        )

    def lines(self) -> list[str]:
        """The result stated line by line (every test with its threshold, what it did)."""
        from ledger.services.votes import describe_result  # noqa: PLC0415

        return describe_result(self.result)

    def as_json(self) -> dict[str, Any]:
        return dict(self.result)


def _close_vote(session: Session, actor: AppUser, request: CloseVote) -> VoteClosed:
    from ledger.services.votes import (  # noqa: PLC0415
        VoteEffects,
        VoteResult,
        close_vote,
        find_vote,
    )

    vote_id = find_vote(session, vote_id=request.vote).id or 0
    result = close_vote(session, vote_id=vote_id, actor=actor, on=request.on)
    value = VoteResult.from_json(result)
    return VoteClosed(
        vote=vote_id,
        outcome=value.outcome,
        ballots=value.ballots,
        effects=value.effects or VoteEffects(),
        result=result,
    )


CLOSE_VOTE: Operation[CloseVote, VoteClosed] = Operation(
    "vote.close", Action.MANAGE_VOTES, _close_vote
)


# --- import a Pabulib file -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ImportPb:
    """A ``.pb`` file as read from disk: recorded by its name, size and SHA-256."""

    book: str | int
    #: The file's name (not its folder: that is nobody's business in the audit trail).
    file: str
    data: bytes
    title: str | None = None
    rule: str | None = None
    #: Told (ballots done, ballots in all) as they are written; raising stops the import.
    progress: Progress | None = field(default=None, metadata=SECRET, compare=False)
    sha256: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "sha256", hashlib.sha256(self.data).hexdigest())

    def __repr__(self) -> str:
        return f"ImportPb(book={self.book!r}, file={self.file!r}, bytes={len(self.data)})"


@dataclass(frozen=True, slots=True)
class PbImported:
    vote: VoteFacts
    file: str
    projects: int

    def sentence(self) -> str:
        return _(
            "Imported {file} as vote {id} “{title}”: {projects} projects, {ballots} ballots."
        ).format(
            file=self.file,
            id=self.vote.id,
            title=self.vote.title,
            projects=self.projects,
            ballots=self.vote.ballots,
        )

    def as_json(self) -> dict[str, Any]:
        return self.vote.as_json()


def _import_pb(session: Session, actor: AppUser, request: ImportPb) -> PbImported:
    from ledger.pabulib import read_pb_bytes  # noqa: PLC0415
    from ledger.services.books import find_book  # noqa: PLC0415
    from ledger.services.votes import import_pb  # noqa: PLC0415

    election = read_pb_bytes(request.data, request.file)
    vote = import_pb(
        session,
        book_id=find_book(session, request.book).id or 0,
        election=election,
        actor=actor,
        title=request.title,
        rule=request.rule,
        source=request.file,
        progress=request.progress,
    )
    return PbImported(vote_facts(vote, len(election.votes)), request.file, len(election.projects))


IMPORT_PB: Operation[ImportPb, PbImported] = Operation("pb.import", Action.MANAGE_VOTES, _import_pb)


# --- import the electorate register ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ImportElectorate:
    """A register's sheet, read by the front end (``reports.electorate_xlsx.read_sheet``): its
    rows hold owners' and household heads' names and are never written down; the file is
    recorded by its name, size and SHA-256."""

    book: str | int
    file: str
    size: int
    sha256: str
    rows: Rows = field(metadata=SECRET, compare=False)
    progress: Progress | None = field(default=None, metadata=SECRET, compare=False)

    @classmethod
    def of(
        cls, book: str | int, file: str, data: bytes, rows: Rows, progress: Progress | None = None
    ) -> ImportElectorate:
        return cls(book, file, len(data), hashlib.sha256(data).hexdigest(), rows, progress)

    def __repr__(self) -> str:
        return f"ImportElectorate(book={self.book!r}, file={self.file!r}, size={self.size})"


@dataclass(frozen=True, slots=True)
class ElectorateImported:
    summary: ImportSummary

    def sentence(self) -> str:
        from ledger.rules.property import format_area  # noqa: PLC0415

        summary = self.summary
        if summary.book_kind == BookKind.TRUST_PROPERTY.value:
            return _(
                "Imported {rows} rows into “{book}”: {units} units added; the register now has "
                "{owners} owners and {area} m²; {created} households added, {enrolled} enrolled."
            ).format(
                rows=summary.rows,
                book=summary.book_name,
                units=summary.units_added,
                owners=summary.owner_count,
                area=format_area(summary.total_area_dm2),
                created=summary.households_created,
                enrolled=summary.households_enrolled,
            )
        return _(
            "Imported {rows} rows into “{book}”: {created} households added, {enrolled} enrolled; "
            "the book now has {households} households."
        ).format(
            rows=summary.rows,
            book=summary.book_name,
            created=summary.households_created,
            enrolled=summary.households_enrolled,
            households=summary.book_households,
        )

    def note(self) -> str | None:
        """The columns the import did not read (for the person, beside the sentence)."""
        if not self.summary.ignored_columns:
            return None
        return _("Columns not read: {columns}.").format(
            columns=", ".join(self.summary.ignored_columns)
        )

    def as_json(self) -> dict[str, Any]:
        return asdict(self.summary)


def _import_electorate(
    session: Session, actor: AppUser, request: ImportElectorate
) -> ElectorateImported:
    from ledger.services.books import find_book  # noqa: PLC0415
    from ledger.services.electorate import import_electorate  # noqa: PLC0415

    book_id = find_book(session, request.book).id or 0
    rows = request.rows
    with contextlib.ExitStack() as stack:
        close = getattr(rows, "close", None)
        if callable(close):  # a sheet being read: closed however the import ends
            stack.callback(close)
        summary = import_electorate(
            session,
            book_id=book_id,
            rows=rows,
            actor=actor,
            source_sha256=request.sha256,
            progress=request.progress,
        )
    return ElectorateImported(summary)


IMPORT_ELECTORATE: Operation[ImportElectorate, ElectorateImported] = Operation(
    "electorate.import", Action.MANAGE_COUNTERPARTIES, _import_electorate
)

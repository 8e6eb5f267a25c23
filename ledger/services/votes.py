"""Resident decisions (表决): owners' meetings (业主大会, Civil Code art. 278), residents'
meetings (居民会议, 一户一票), village meetings (村民会议) and participatory budgets (参与式预算).

A vote belongs to a book and counts that book's electorate: the units and owners of a
trust-property book for an owners' meeting, the households of the book (``BookHousehold``) for
every other kind. Staff record ballots from paper, in person or by proxy; the database allows
one ballot per voter and vote (``uq_ballot_voter``). The rules — kind, matter, ballot type,
options or projects with their costs, budget, limits, thresholds and dates — can be amended
only until the first ballot is in. A ballot can be corrected while the vote is open, with a
reason, as an audit event that keeps the old and the new ballot. Closing works the result out
once, stores it with the vote and carries it into the books: a passed owners' meeting on the
open budget approves that budget; a participatory budget creates the selected projects as
activities of its micro-fund book. A vote that failed changes nothing.

Results are plain JSON-able dicts (stored in ``Vote.result``), so the CLI, the notices and the
desktop app print the same figures; :func:`describe_result` gives translated lines.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from sqlalchemy import func, insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from ledger.access import Action, require
from ledger.clock import today, utc_now_iso
from ledger.domain import BookKind
from ledger.errors import InvalidInputError, NotFoundError
from ledger.i18n import N_, _
from ledger.models import (
    Activity,
    AppUser,
    Ballot,
    Book,
    BookHousehold,
    Budget,
    Household,
    PropertyUnit,
    Vote,
    VoteOption,
)
from ledger.money import MAX_FEN, format_fen
from ledger.pabulib import PbElection, PbProject, PbVote, format_amount
from ledger.record import note_rows
from ledger.rules.ballots import BUDGET_BALLOT_TYPES, check_budget_ballot, check_choice
from ledger.rules.meetings import (
    HALF,
    TWO_THIRDS,
    Figure,
    Matter,
    Outcome,
    Threshold,
    owners_electorate,
    owners_meeting_result,
    residents_meeting_result,
)
from ledger.rules.microfund import category_of_label
from ledger.rules.pb import PbTally, tally
from ledger.rules.text import check_keepable, shorten
from ledger.services.audit import record_event
from ledger.services.households import book_households
from ledger.services.property import mark_budget_approved, unit_label

OWNERS_MEETING = "owners_meeting"
RESIDENTS_MEETING = "residents_meeting"
VILLAGE_MEETING = "village_meeting"
PARTICIPATORY_BUDGET = "participatory_budget"
VOTE_KINDS = (OWNERS_MEETING, RESIDENTS_MEETING, VILLAGE_MEETING, PARTICIPATORY_BUDGET)
MEETING_KINDS = (OWNERS_MEETING, RESIDENTS_MEETING, VILLAGE_MEETING)
YES_NO = "yes-no"
#: How a ballot reached the desk; ``import`` is a ballot read from a Pabulib file.
CHANNELS = ("paper", "in_person", "proxy", "import")
#: Tallying rules of a participatory budget (see ``ledger.rules.pb``).
BUDGET_RULES = ("greedy", "mes", "plurality")

_KIND_LABELS = {
    OWNERS_MEETING: N_("owners' meeting"),
    RESIDENTS_MEETING: N_("residents' meeting"),
    VILLAGE_MEETING: N_("village meeting"),
    PARTICIPATORY_BUDGET: N_("participatory budget"),
}
_CHANNEL_LABELS = {
    "paper": N_("paper ballot"),
    "in_person": N_("in person"),
    "proxy": N_("by proxy"),
    "import": N_("imported"),
}
_RULE_LABELS = {
    "greedy": N_("greedy by votes"),
    "mes": N_("Method of Equal Shares, completed by greedy"),
    "plurality": N_("plurality"),
}
MAX_TITLE_LENGTH = 200
MAX_OPTIONS = 500


def kind_label(kind: str) -> str:
    return _(_KIND_LABELS[kind]) if kind in _KIND_LABELS else kind


def channel_label(channel: str) -> str:
    return _(_CHANNEL_LABELS[channel]) if channel in _CHANNEL_LABELS else channel


def rule_label(rule: str) -> str:
    return _(_RULE_LABELS[rule]) if rule in _RULE_LABELS else rule


@dataclass(frozen=True, slots=True)
class ProjectSpec:
    """An option of a vote, or a project of a participatory budget with its cost in fen."""

    code: str
    name: str
    cost_fen: int | None = None


# --- finding -----------------------------------------------------------------------------------


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


# --- creating and amending ---------------------------------------------------------------------


def _book(session: Session, book_id: int) -> Book:
    book = session.get(Book, book_id)
    if book is None:
        raise NotFoundError(_("There is no book number {id}.").format(id=book_id))
    return book


def _check_title(title: str) -> str:
    clean = check_keepable(" ".join(str(title).split()), _("The title"))
    if not clean or len(clean) > MAX_TITLE_LENGTH:
        raise InvalidInputError(
            _("A vote needs a title of 1 to {max} characters.").format(max=MAX_TITLE_LENGTH)
        )
    return clean


def _check_dates(opens_on: dt.date, closes_on: dt.date) -> None:
    # type() rather than isinstance(): a datetime is a date too, but cannot be compared to one.
    if type(opens_on) is not dt.date or type(closes_on) is not dt.date:
        raise InvalidInputError(_("A vote needs an opening and a closing date."))
    if closes_on < opens_on:
        raise InvalidInputError(
            _("The vote would close on {closes}, before it opens on {opens}.").format(
                closes=closes_on.isoformat(), opens=opens_on.isoformat()
            )
        )


def _check_budget(budget_fen: int | None) -> None:
    if type(budget_fen) is not int or budget_fen <= 0:
        raise InvalidInputError(_("A participatory budget needs a budget above zero."))
    if budget_fen > MAX_FEN:
        raise InvalidInputError(
            _("A budget of {amount} is beyond the largest amount the ledger keeps.").format(
                amount=format_fen(budget_fen)
            )
        )


def _check_positive(value: int | None, what: str) -> int | None:
    if value is None:
        return None
    if type(value) is not int or not 0 < value <= 10**6:
        raise InvalidInputError(
            _("{what} must be a whole number from 1 to 1,000,000; got {value}.").format(
                what=_(what), value=shorten(str(value))
            )
        )
    return value


def _check_projects(
    projects: Sequence[ProjectSpec], *, budget_fen: int | None, budget_vote: bool
) -> list[ProjectSpec]:
    if not projects:
        raise InvalidInputError(
            _("A participatory budget needs its projects, each with a cost.")
            if budget_vote
            else _("This vote needs its options.")
        )
    if len(projects) > MAX_OPTIONS:
        raise InvalidInputError(_("A vote takes at most {max} options.").format(max=MAX_OPTIONS))
    clean: list[ProjectSpec] = []
    seen: set[str] = set()
    for spec in projects:
        code = str(spec.code).strip()
        name = check_keepable(" ".join(str(spec.name).split()), _("A project's name"))
        if not code or len(code) > 64 or "," in code or ";" in code:
            raise InvalidInputError(
                _("A project id takes 1 to 64 characters without “,” or “;”; got “{code}”.").format(
                    code=spec.code
                )
            )
        if code in seen:
            raise InvalidInputError(
                _("Project id {code} is given twice; each project needs its own id.").format(
                    code=code
                )
            )
        seen.add(code)
        if len(name) > 200:
            raise InvalidInputError(
                _("The name of project {code} is longer than 200 characters.").format(code=code)
            )
        if budget_vote:
            cost = spec.cost_fen
            if type(cost) is not int or cost < 0:
                raise InvalidInputError(
                    _("Project {code} needs a cost of zero or more; got {cost}.").format(
                        code=code, cost=cost
                    )
                )
            if budget_fen is not None and cost > budget_fen:
                raise InvalidInputError(
                    _(
                        "Project {code} costs {cost}, more than the whole budget of {budget}; "
                        "it could never be funded. Check the cost or the budget."
                    ).format(code=code, cost=format_fen(cost), budget=format_fen(budget_fen))
                )
        clean.append(ProjectSpec(code, name, spec.cost_fen if budget_vote else None))
    return clean


def _check_kind_book(session: Session, kind: str, book: Book) -> None:
    if kind not in VOTE_KINDS:
        raise InvalidInputError(
            _("Unknown kind of vote “{kind}”: use one of {kinds}.").format(
                kind=kind, kinds=", ".join(VOTE_KINDS)
            )
        )
    if kind == OWNERS_MEETING:
        if book.kind != BookKind.TRUST_PROPERTY:
            raise InvalidInputError(
                _(
                    "An owners' meeting counts the owners of an estate: open it in the estate's "
                    "trust-property book, not in “{book}”."
                ).format(book=book.name)
            )
        units = session.exec(
            select(func.count())
            .select_from(PropertyUnit)
            .where(col(PropertyUnit.book_id) == book.id)
        ).one()
        if not units:
            raise InvalidInputError(
                _(
                    "“{book}” has no units in its register, so there are no owners to vote; "
                    "import the register first (gongzhang electorate import)."
                ).format(book=book.name)
            )
        return
    if kind == VILLAGE_MEETING and book.kind != BookKind.COLLECTIVE_REVENUE:
        raise InvalidInputError(
            _(
                "A village meeting counts the households of a village: open it in the village's "
                "collective book, not in “{book}”."
            ).format(book=book.name)
        )
    if kind == PARTICIPATORY_BUDGET and book.kind != BookKind.MICRO_FUND:
        raise InvalidInputError(
            _(
                "A participatory budget spends a community fund: open it in a micro-fund book, "
                "not in “{book}”."
            ).format(book=book.name)
        )


def _has_households(session: Session, book_id: int) -> bool:
    return (
        session.exec(
            select(BookHousehold.household_id).where(col(BookHousehold.book_id) == book_id)
        ).first()
        is not None
    )


def create_vote(
    session: Session,
    *,
    book_id: int,
    kind: str,
    title: str,
    opens_on: dt.date,
    closes_on: dt.date,
    actor: AppUser,
    matter: str | None = None,
    ballot_type: str | None = None,
    rule: str | None = None,
    projects: Sequence[ProjectSpec] = (),
    budget_fen: int | None = None,
    budget_year: int | None = None,
    max_length: int | None = None,
    max_points: int | None = None,
    quorum: Fraction | None = None,
    quorum_inclusive: bool | None = None,
    majority: Fraction | None = None,
    majority_inclusive: bool | None = None,
    imported: bool = False,
) -> Vote:
    """Open a vote (see the module doc for the kinds).

    An owners' meeting needs its ``matter`` (:class:`~ledger.rules.meetings.Matter`) and may
    decide the book's open budget of ``budget_year`` (a draft budget). A residents' meeting
    takes ``quorum``/``majority`` (default more than 1/2 of the households, more than 1/2 of
    those present); a village meeting defaults to at least 2/3 of the households present and
    more than 1/2 of them (村民委员会组织法 art. 22). A participatory budget needs its
    ``budget_fen``, its ``projects`` with costs (none above the budget), a ``ballot_type``
    (``choose-1``, ``approval``, ``cumulative`` with ``max_points``, ``ordinal``) and a ``rule``
    (``greedy``, ``mes`` or ``plurality`` for choose-1; default ``mes``, or ``plurality`` for
    choose-1)."""
    require(actor.username, actor.role, Action.MANAGE_VOTES)
    book = _book(session, book_id)
    _check_kind_book(session, kind, book)
    clean_title = _check_title(title)
    _check_dates(opens_on, closes_on)
    vote = Vote(
        book_id=book_id,
        kind=kind,
        title=clean_title,
        ballot_type=YES_NO,
        opens_on=opens_on,
        closes_on=closes_on,
        created_by_id=actor.id or 0,
        created_at=utc_now_iso(),
    )
    limits = (quorum, majority, quorum_inclusive, majority_inclusive)
    options: list[ProjectSpec] = []
    if kind == PARTICIPATORY_BUDGET:
        options = _budget_rules(
            vote,
            projects,
            ballot_type=ballot_type,
            rule=rule,
            budget_fen=budget_fen,
            max_length=max_length,
            max_points=max_points,
        )
        if any(x is not None for x in limits):
            raise InvalidInputError(_("A participatory budget has no quorum or majority."))
        if not imported:
            if not _has_households(session, book_id):
                raise _no_households(book)
            _check_activity_names(session, book, options)
    elif (
        ballot_type not in (None, YES_NO)
        or rule is not None
        or projects
        or budget_fen is not None
        or max_length is not None
        or max_points is not None
    ):
        raise InvalidInputError(
            _(
                "A meeting votes yes, no or abstain on one motion; projects, costs, a "
                "budget, a rule and ballot limits belong to a participatory budget."
            )
        )
    if kind == OWNERS_MEETING:
        if any(x is not None for x in limits):
            raise InvalidInputError(
                _(
                    "The thresholds of an owners' meeting are set by Civil Code art. 278 and "
                    "cannot be changed."
                )
            )
        _owners_rules(session, vote, book, matter, budget_year)
    elif matter is not None or budget_year is not None:
        raise InvalidInputError(
            _(
                "Only an owners' meeting decides a matter of art. 278 or approves the open "
                "budget of a trust-property book."
            )
        )
    if kind in (RESIDENTS_MEETING, VILLAGE_MEETING):
        if not _has_households(session, book_id):
            raise _no_households(book)
        _household_rules(vote, quorum, quorum_inclusive, majority, majority_inclusive)
    session.add(vote)
    session.flush()
    _add_options(session, vote, options)
    record_event(
        session,
        actor=actor,
        action="vote.created",
        object_type="vote",
        object_id=vote.id or 0,
        detail={"book": book_id, **_rules_of(vote, options)},
    )
    return vote


def _check_activity_names(session: Session, book: Book, options: Sequence[ProjectSpec]) -> None:
    """A selected project becomes an activity of the book under its name, so the name must be
    free now: refused later, at closing, the vote could not be decided."""
    for spec in options:
        name = (spec.name or spec.code)[:100]
        taken = session.exec(
            select(Activity.id).where(col(Activity.book_id) == book.id, col(Activity.name) == name)
        ).first()
        if taken is not None or category_of_label(name) is not None:
            raise InvalidInputError(
                _(
                    "Project {code} is named “{name}”, which is already an activity or a spending "
                    "category of “{book}”; a selected project becomes an activity, so give it a "
                    "name of its own."
                ).format(code=spec.code, name=name, book=book.name)
            )


def _no_households(book: Book) -> InvalidInputError:
    return InvalidInputError(
        _(
            "“{book}” has no households in its register, so nobody could vote (one ballot per "
            "household); import them first (gongzhang electorate import)."
        ).format(book=book.name)
    )


def _owners_rules(
    session: Session, vote: Vote, book: Book, matter: str | None, budget_year: int | None
) -> None:
    if matter is None:
        raise InvalidInputError(
            _("Say what the owners' meeting decides (--matter): {matters}.").format(
                matters=", ".join(m.value for m in Matter)
            )
        )
    try:
        vote.matter = Matter(matter).value
    except ValueError:
        raise InvalidInputError(
            _("Unknown matter “{matter}”: use one of {matters}.").format(
                matter=matter, matters=", ".join(m.value for m in Matter)
            )
        ) from None
    if budget_year is not None:
        _budget_to_decide(session, book, budget_year, Matter(vote.matter))
        vote.budget_year = budget_year


def _household_rules(
    vote: Vote,
    quorum: Fraction | None,
    quorum_inclusive: bool | None,
    majority: Fraction | None,
    majority_inclusive: bool | None,
) -> None:
    village = vote.kind == VILLAGE_MEETING
    q = quorum if quorum is not None else (TWO_THIRDS if village else HALF)
    qi = quorum_inclusive if quorum_inclusive is not None else village
    m = majority if majority is not None else HALF
    mi = majority_inclusive if majority_inclusive is not None else False
    for share in (q, m):
        # Kept as two integer columns: a share such as 2/3 needs no terms beyond a million.
        if isinstance(share, Fraction) and max(abs(share.numerator), share.denominator) > 10**6:
            raise InvalidInputError(
                _("Write the share as a simple fraction such as 2/3; got {value}.").format(
                    value=shorten(str(share))
                )
            )
    # The rule function checks the bounds the same way it will apply them.
    residents_meeting_result(
        1, 0, 0, 0, 0, quorum=q, majority=m, quorum_inclusive=qi, majority_inclusive=mi
    )
    vote.quorum_num, vote.quorum_den, vote.quorum_inclusive = q.numerator, q.denominator, qi
    vote.majority_num, vote.majority_den = m.numerator, m.denominator
    vote.majority_inclusive = mi


def _budget_rules(
    vote: Vote,
    projects: Sequence[ProjectSpec],
    *,
    ballot_type: str | None,
    rule: str | None,
    budget_fen: int | None,
    max_length: int | None,
    max_points: int | None,
) -> list[ProjectSpec]:
    kind = ballot_type or "approval"
    if kind not in BUDGET_BALLOT_TYPES:
        raise InvalidInputError(
            _("Unknown ballot type “{type}”: use one of {types}.").format(
                type=kind, types=", ".join(BUDGET_BALLOT_TYPES)
            )
        )
    chosen_rule = rule or ("plurality" if kind == "choose-1" else "mes")
    if chosen_rule not in BUDGET_RULES:
        raise InvalidInputError(
            _("Unknown rule “{rule}”: use one of {rules}.").format(
                rule=chosen_rule, rules=", ".join(BUDGET_RULES)
            )
        )
    if chosen_rule == "plurality" and kind != "choose-1":
        raise InvalidInputError(
            _("Plurality is for choose-1 ballots; use greedy or mes for {type} ballots.").format(
                type=kind
            )
        )
    _check_budget(budget_fen)
    _check_positive(max_length, N_("The most projects on a ballot"))
    _check_positive(max_points, N_("The most points on a ballot"))
    if kind == "cumulative" and max_points is None:
        raise InvalidInputError(
            _("A cumulative vote needs the most points a voter may give (--max-points).")
        )
    if kind != "cumulative" and max_points is not None:
        raise InvalidInputError(_("Only a cumulative vote has points (--max-points)."))
    if kind == "choose-1" and max_length is not None:
        raise InvalidInputError(_("A choose-1 ballot names one option; it takes no --max-length."))
    options = _check_projects(projects, budget_fen=budget_fen, budget_vote=True)
    if kind == "choose-1" and len(options) < 2:
        raise InvalidInputError(_("A choose-1 vote needs at least two options."))
    vote.ballot_type, vote.rule, vote.budget_fen = kind, chosen_rule, budget_fen
    vote.max_length, vote.max_points = max_length, max_points
    return options


def _budget_to_decide(session: Session, book: Book, year: int, matter: Matter) -> Budget:
    budget = session.exec(
        select(Budget).where(col(Budget.book_id) == book.id, col(Budget.year) == year)
    ).first()
    if budget is None:
        raise NotFoundError(
            _("“{book}” has no budget for {year} to put to the owners.").format(
                book=book.name, year=year
            )
        )
    if budget.status != "draft":
        raise InvalidInputError(
            _("The {year} budget of “{book}” is already approved.").format(
                year=year, book=book.name
            )
        )
    if matter.is_major:
        raise InvalidInputError(
            _(
                "Approving the open budget is an ordinary matter of art. 278; open the vote "
                "with --matter ordinary."
            )
        )
    return budget


def _add_options(session: Session, vote: Vote, options: Sequence[ProjectSpec]) -> None:
    for position, spec in enumerate(options, start=1):
        session.add(
            VoteOption(
                vote_id=vote.id or 0,
                position=position,
                code=spec.code,
                name=spec.name,
                cost_fen=spec.cost_fen,
            )
        )
    session.flush()


def _rules_of(vote: Vote, options: Sequence[ProjectSpec]) -> dict[str, Any]:
    return {
        "kind": vote.kind,
        "title": vote.title,
        "matter": vote.matter,
        "ballot_type": vote.ballot_type,
        "rule": vote.rule,
        "budget_fen": vote.budget_fen,
        "budget_year": vote.budget_year,
        "max_length": vote.max_length,
        "max_points": vote.max_points,
        "quorum": None if vote.quorum_num is None else f"{vote.quorum_num}/{vote.quorum_den}",
        "quorum_inclusive": vote.quorum_inclusive,
        "majority": (
            None if vote.majority_num is None else f"{vote.majority_num}/{vote.majority_den}"
        ),
        "majority_inclusive": vote.majority_inclusive,
        "opens_on": vote.opens_on.isoformat(),
        "closes_on": vote.closes_on.isoformat(),
        "options": [[o.code, o.name, o.cost_fen] for o in options],
    }


def _refuse_if_started(session: Session, vote: Vote) -> None:
    if vote.status != "open":
        raise InvalidInputError(
            _("Vote {id} is closed; its rules and result can no longer change.").format(id=vote.id)
        )
    count = ballot_count(session, vote_id=vote.id or 0)
    if count:
        raise InvalidInputError(
            _(
                "Vote {id} already has {n} ballots: its rules and options are fixed once the "
                "first ballot is in. Close it and open a new vote if the rules must change."
            ).format(id=vote.id, n=count)
        )


def amend_vote(
    session: Session,
    *,
    vote_id: int,
    actor: AppUser,
    title: str | None = None,
    closes_on: dt.date | None = None,
    budget_fen: int | None = None,
    add_projects: Sequence[ProjectSpec] = (),
    remove_projects: Sequence[str] = (),
) -> Vote:
    """Change a vote's title, closing date, budget or projects — only before its first ballot
    (no changing the rules mid-vote). The audit event keeps the rules before and after."""
    require(actor.username, actor.role, Action.MANAGE_VOTES)
    vote = find_vote(session, vote_id=vote_id)
    _refuse_if_started(session, vote)
    existing = vote_options(session, vote_id=vote.id or 0)
    before = _rules_of(vote, [ProjectSpec(o.code, o.name, o.cost_fen) for o in existing])
    if title is not None:
        vote.title = _check_title(title)
    if closes_on is not None:
        _check_dates(vote.opens_on, closes_on)
        vote.closes_on = closes_on
    budget_vote = vote.kind == PARTICIPATORY_BUDGET
    if (budget_fen is not None or add_projects or remove_projects) and not budget_vote:
        raise InvalidInputError(_("Only a participatory budget has a budget and projects."))
    if budget_fen is not None:
        _check_budget(budget_fen)
        vote.budget_fen = budget_fen
    kept = [ProjectSpec(o.code, o.name, o.cost_fen) for o in existing]
    for code in remove_projects:
        if code not in {p.code for p in kept}:
            raise NotFoundError(_("There is no project “{code}” in this vote.").format(code=code))
        kept = [p for p in kept if p.code != code]
    options = kept + list(add_projects)
    if budget_vote:
        options = _check_projects(options, budget_fen=vote.budget_fen, budget_vote=True)
        for option in existing:
            session.delete(option)
        session.flush()
        _add_options(session, vote, options)
    session.add(vote)
    session.flush()
    record_event(
        session,
        actor=actor,
        action="vote.amended",
        object_type="vote",
        object_id=vote.id or 0,
        detail={"before": before, "after": _rules_of(vote, options)},
    )
    return vote


# --- ballots -----------------------------------------------------------------------------------


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
    if vote.status != "open":
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
    channel: str = "paper",
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
    if channel not in CHANNELS or channel == "import":
        raise InvalidInputError(
            _("A ballot comes on paper, in person or by proxy; got “{channel}”.").format(
                channel=channel
            )
        )
    proxy = check_keepable(" ".join(str(proxy_name).split()), _("The proxy's name"))[:100]
    if channel == "proxy" and not proxy:
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
        proxy_name=proxy if channel == "proxy" else "",
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
    if vote.status != "open":
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


# --- results -----------------------------------------------------------------------------------


def _figure_json(figure: Figure) -> dict[str, Any]:
    bound = figure.threshold.bound
    return {
        "key": figure.key,
        "label": figure.label,
        "part": figure.part,
        "whole": figure.whole,
        "unit": figure.unit,
        "threshold": f"{bound.numerator}/{bound.denominator}",
        "inclusive": figure.threshold.inclusive,
        "share": figure.text,
        "passed": figure.passed,
    }


def figure_from_json(data: Mapping[str, Any]) -> Figure:
    """A stored test of a result, back as a :class:`~ledger.rules.meetings.Figure`."""
    return Figure(
        key=data["key"],
        label=data["label"],
        part=data["part"],
        whole=data["whole"],
        unit=data["unit"],
        threshold=Threshold(Fraction(data["threshold"]), data["inclusive"]),
    )


def _meeting_choices(ballots: Iterable[Ballot]) -> dict[str, str]:
    return {b.voter_key: b.choice or "" for b in ballots}


def _owners_result(session: Session, vote: Vote) -> dict[str, Any]:
    units = session.exec(
        select(PropertyUnit).where(col(PropertyUnit.book_id) == vote.book_id)
    ).all()
    electorate = owners_electorate(
        [(unit_label(u), u.owner_key, u.area_dm2, u.unsold) for u in units]
    )
    ballots = vote_ballots(session, vote_id=vote.id or 0)
    result = owners_meeting_result(electorate, _meeting_choices(ballots), vote.matter or "")
    return {
        "matter": result.matter.value,
        "major": result.major,
        "outcome": result.outcome.value,
        "ballots": len(ballots),
        "units": electorate.unit_count,
        "owners": result.owner_count,
        "total_area_dm2": result.total_area_dm2,
        "participating_owners": result.participating_owners,
        "participating_area_dm2": result.participating_area_dm2,
        "yes": {"owners": result.yes_owners, "area_dm2": result.yes_area_dm2},
        "no": {"owners": result.no_owners, "area_dm2": result.no_area_dm2},
        "abstain": {"owners": result.abstain_owners, "area_dm2": result.abstain_area_dm2},
        "figures": [_figure_json(f) for f in result.figures],
    }


def _households_result(session: Session, vote: Vote) -> dict[str, Any]:
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
    return {
        "outcome": result.outcome.value,
        "ballots": len(ballots),
        "households": households,
        "yes": counts["yes"],
        "no": counts["no"],
        "abstain": counts["abstain"],
        "figures": [_figure_json(f) for f in result.figures],
    }


def _fen(amount: int | Fraction) -> int:
    value = Fraction(amount) * 100
    assert value.denominator == 1  # costs are whole fen, so every sum of them is too
    return value.numerator


def _budget_result(session: Session, vote: Vote) -> dict[str, Any]:
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
        select(Ballot.id).where(col(Ballot.vote_id) == vote.id, col(Ballot.channel) == "import")
    ).first()
    # The voters of an imported election are the file's, not the book's households.
    households = 0 if imported else len(book_households(session, book_id=vote.book_id))
    return {
        "outcome": "selected" if chosen.selected else "nothing_selected",
        "rule": rule,
        "ballot_type": vote.ballot_type,
        "ballots": len(ballots),
        "households": households or None,
        "currency": vote.currency,
        "budget_fen": vote.budget_fen,
        "projects": [
            {
                "code": o.code,
                "name": o.name,
                "cost_fen": o.cost_fen,
                "votes": chosen.votes.get(o.code, 0),
            }
            for o in options
        ],
        "selected": list(chosen.selected),
        "used_fen": _fen(chosen.used),
        "left_fen": _fen(chosen.left),
        "tied": list(chosen.tied),
        "by_rule": {
            r: {"selected": list(t.selected), "used_fen": _fen(t.used)} for r, t in tallies.items()
        },
    }


def compute_result(session: Session, vote: Vote) -> dict[str, Any]:
    """The result of the ballots recorded so far, worked out from the register now."""
    if vote.kind == OWNERS_MEETING:
        body = _owners_result(session, vote)
    elif vote.kind == PARTICIPATORY_BUDGET:
        body = _budget_result(session, vote)
    else:
        body = _households_result(session, vote)
    return {
        "vote": vote.id,
        "kind": vote.kind,
        "title": vote.title,
        "status": vote.status,
        "opens_on": vote.opens_on.isoformat(),
        "closes_on": vote.closes_on.isoformat(),
        **body,
    }


def vote_result(session: Session, *, vote_id: int) -> dict[str, Any]:
    """A closed vote's result as it was decided; an open vote's result so far (provisional)."""
    vote = find_vote(session, vote_id=vote_id)
    if vote.status == "closed" and vote.result:
        stored: dict[str, Any] = json.loads(vote.result)
        return stored
    return compute_result(session, vote)


def passed(result: Mapping[str, Any]) -> bool:
    """Whether a result decides something: a meeting passed, a budget selected projects."""
    return result.get("outcome") in (Outcome.PASSED.value, "selected")


def close_vote(
    session: Session, *, vote_id: int, actor: AppUser, on: dt.date | None = None
) -> dict[str, Any]:
    """Close a vote: no more ballots; the result is worked out, stored and carried into the
    books (see the module doc). Returns the result."""
    require(actor.username, actor.role, Action.MANAGE_VOTES)
    vote = find_vote(session, vote_id=vote_id)
    if vote.status != "open":
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
    vote.status = "closed"
    vote.closed_by_id = actor.id
    vote.closed_at = utc_now_iso()
    result = compute_result(session, vote)
    result["closed_on"] = closed_on.isoformat()
    result["effects"] = _carry_into_books(session, vote, result, actor) if passed(result) else {}
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
            "outcome": result["outcome"],
            "ballots": result["ballots"],
            "effects": result["effects"],
        },
    )
    return result


def _carry_into_books(
    session: Session, vote: Vote, result: Mapping[str, Any], actor: AppUser
) -> dict[str, Any]:
    if vote.kind == OWNERS_MEETING and vote.budget_year is not None:
        budget = session.exec(
            select(Budget).where(
                col(Budget.book_id) == vote.book_id, col(Budget.year) == vote.budget_year
            )
        ).first()
        if budget is None or budget.status != "draft":
            # Approved meanwhile by other means: the vote confirms it and changes nothing.
            return {}
        mark_budget_approved(
            session,
            budget=budget,
            actor=actor,
            note=_("Approved by the owners' meeting, vote {id}: {title}").format(
                id=vote.id, title=vote.title
            ),
            vote_id=vote.id,
        )
        return {"budget_approved": budget.year}
    if vote.kind == PARTICIPATORY_BUDGET and vote.currency == "CNY":
        return {"activities": _fund_projects(session, vote, result, actor)}
    return {}


def _fund_projects(
    session: Session, vote: Vote, result: Mapping[str, Any], actor: AppUser
) -> list[dict[str, Any]]:
    # Imported here: microfund imports many services, and only closing a budget needs it.
    from ledger.services.microfund import add_activity  # noqa: PLC0415

    options = {o.code: o for o in vote_options(session, vote_id=vote.id or 0)}
    made = []
    date = dt.date.fromisoformat(result["closed_on"])
    date = min(max(date, vote.closes_on), dt.date(date.year, 12, 31))
    for code in result["selected"]:
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
        made.append({"activity": activity.id, "code": code, "budget_fen": activity.budget_fen})
    session.flush()
    return made


# --- describing a result -----------------------------------------------------------------------


def _votes_text(result: Mapping[str, Any]) -> str:
    if result["kind"] == OWNERS_MEETING:
        return _(
            "Ballots: {ballots} of {owners} owners — yes {yes}, no {no}, abstain {abstain}."
        ).format(
            ballots=result["ballots"],
            owners=result["owners"],
            yes=result["yes"]["owners"],
            no=result["no"]["owners"],
            abstain=result["abstain"]["owners"],
        )
    return _(
        "Ballots: {ballots} of {households} households — yes {yes}, no {no}, abstain {abstain}."
    ).format(
        ballots=result["ballots"],
        households=result["households"],
        yes=result["yes"],
        no=result["no"],
        abstain=result["abstain"],
    )


def outcome_label(result: Mapping[str, Any]) -> str:
    outcome = result["outcome"]
    if outcome == "selected":
        return _("projects selected")
    if outcome == "nothing_selected":
        return _("no project selected")
    return _(Outcome(outcome).label)


def describe_result(result: Mapping[str, Any]) -> list[str]:
    """Translated lines stating a result: the vote, the counts, every test with its threshold
    and pass/fail (meetings) or the selected projects and the budget used (budgets), the
    outcome, and what it did in the books."""
    lines = [
        _("Vote {id} ({kind}): {title}").format(
            id=result["vote"], kind=kind_label(result["kind"]), title=result["title"]
        )
    ]
    if result["status"] != "closed" and "closed_on" not in result:
        lines.append(_("The vote is still open: this is the count so far."))
    if result["kind"] == PARTICIPATORY_BUDGET:
        lines.extend(_describe_budget(result))
    else:
        if result["kind"] == OWNERS_MEETING:
            lines.append(_("Matter: {matter}").format(matter=_(Matter(result["matter"]).label)))
        lines.append(_votes_text(result))
        lines.extend(figure_from_json(f).describe() for f in result["figures"])
    lines.append(_("Outcome: {outcome}").format(outcome=outcome_label(result)))
    effects = result.get("effects") or {}
    if "budget_approved" in effects:
        lines.append(
            _("The {year} open budget is approved by this vote.").format(
                year=effects["budget_approved"]
            )
        )
    for made in effects.get("activities", []):
        lines.append(
            _("Activity {id} created for project {code} with a budget of {amount}.").format(
                id=made["activity"], code=made["code"], amount=format_fen(made["budget_fen"])
            )
        )
    return lines


def _describe_budget(result: Mapping[str, Any]) -> list[str]:
    names = {p["code"]: p for p in result["projects"]}
    turnout = (
        _("Ballots: {ballots} of {households} households.").format(
            ballots=result["ballots"], households=result["households"]
        )
        if result.get("households")
        else _("Ballots: {ballots}.").format(ballots=result["ballots"])
    )
    lines = [
        turnout,
        _("Rule: {rule}").format(rule=rule_label(result["rule"])),
        _("Budget {budget}, used {used}, left {left}.").format(
            budget=vote_money(result["budget_fen"], result["currency"]),
            used=vote_money(result["used_fen"], result["currency"]),
            left=vote_money(result["left_fen"], result["currency"]),
        ),
    ]
    for n, code in enumerate(result["selected"], start=1):
        project = names[code]
        lines.append(
            _("{n}. {code} {name} — votes: {votes}, cost: {cost}").format(
                n=n,
                code=code,
                name=project["name"] or code,
                votes=project["votes"],
                cost=vote_money(project["cost_fen"] or 0, result["currency"]),
            )
        )
    if len(result["tied"]) > 1:
        lines.append(
            _("Tied for the most votes: {options}; the tie goes to the smallest id.").format(
                options=", ".join(result["tied"])
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


# --- Pabulib files -----------------------------------------------------------------------------


def _whole_fen(amount: int | Fraction, what: str) -> int:
    value = Fraction(amount) * 100
    if value.denominator != 1:
        raise InvalidInputError(
            _("{what} {amount} has more than two decimals; it cannot be kept in cents.").format(
                what=what, amount=format_amount(amount)
            )
        )
    if abs(value.numerator) > MAX_FEN:
        raise InvalidInputError(
            _("{what} {amount} is beyond the largest amount the ledger keeps.").format(
                what=what, amount=format_amount(amount)
            )
        )
    return value.numerator


def _whole(value: int | Fraction, what: str) -> int:
    if Fraction(value).denominator != 1:
        raise InvalidInputError(
            _("{what} must be whole numbers; got {value}.").format(
                what=what, value=format_amount(value)
            )
        )
    return int(value)


def import_pb(
    session: Session,
    *,
    book_id: int,
    election: PbElection,
    actor: AppUser,
    title: str | None = None,
    rule: str | None = None,
    source: str = "",
    progress: Callable[[int, int], None] | None = None,
) -> Vote:
    """A Pabulib election as a participatory-budget vote of a micro-fund book, with all its
    ballots (recorded as ``import``, voters by their file ids). Its rules are fixed by the
    ballots, so it is ready to close. Amounts are kept in hundredths of the file's currency.

    ``progress(ballots_done, ballots_total)`` is told as the ballots are written; if it raises,
    the import stops with that error and the caller's unit of work is rolled back (that is how
    a cancel works)."""
    require(actor.username, actor.role, Action.MANAGE_VOTES)
    require(actor.username, actor.role, Action.RECORD_BALLOTS)
    meta = dict(election.meta)
    max_length = meta.get("max_length")
    max_points = _import_max_points(election)
    dates = [_iso_date(meta.get(k, "")) for k in ("date_begin", "date_end")]
    opens_on = dates[0] or dates[1] or today()
    closes_on = dates[1] or opens_on
    projects = [
        ProjectSpec(
            p.project_id,
            p.name,
            _whole_fen(p.cost, _("The cost of project {id}").format(id=p.project_id)),
        )
        for p in election.projects
    ]
    vote = create_vote(
        session,
        book_id=book_id,
        kind=PARTICIPATORY_BUDGET,
        title=_import_title(title or meta.get("description", "") or source or _("Imported vote")),
        opens_on=min(opens_on, closes_on),
        closes_on=closes_on,
        actor=actor,
        ballot_type=election.vote_type,
        rule=rule or ("plurality" if election.vote_type == "choose-1" else "mes"),
        projects=projects,
        budget_fen=_whole_fen(election.budget, _("The budget")),
        # A choose-1 file may say max_length 1 (Amsterdam's do): that is what choose-1 means.
        max_length=(
            int(max_length)
            if max_length and max_length.strip().isdigit() and election.vote_type != "choose-1"
            else None
        ),
        max_points=max_points,
        imported=True,
    )
    vote.currency = (meta.get("currency", "") or "CNY").strip().upper()[:8]
    vote.source = source[:200]
    vote.meta = json.dumps(meta, ensure_ascii=False)
    session.add(vote)
    for option, project in zip(
        vote_options(session, vote_id=vote.id or 0), election.projects, strict=True
    ):
        if len(project.name) <= 200:
            option.name = project.name  # as the file spells it, so an export gives it back
        option.fields = json.dumps(dict(project.fields), ensure_ascii=False)
        session.add(option)
    now = utc_now_iso()
    rows = [
        {
            "vote_id": vote.id,
            "voter_key": v.voter_id[:64],
            "household_id": None,
            "choice": None,
            "selection": json.dumps(list(v.projects), ensure_ascii=False),
            "points": json.dumps([_whole(x, _("Points")) for x in v.points]),
            "channel": "import",
            "proxy_name": "",
            "cast_on": closes_on,
            "fields": json.dumps(dict(v.fields), ensure_ascii=False),
            "recorded_by_id": actor.id,
            "recorded_at": now,
            "revision": 0,
        }
        for v in election.votes
    ]
    if len({row["voter_key"] for row in rows}) != len(rows):
        raise InvalidInputError(
            _("Two voters of the file share the same first 64 characters of their ids.")
        )
    chunk = max(100, len(rows) // 100)  # at most about a hundred steps of progress
    if progress is not None:
        progress(0, len(rows))
    for start in range(0, len(rows), chunk):
        session.execute(insert(Ballot), rows[start : start + chunk])
        if progress is not None:
            progress(min(start + chunk, len(rows)), len(rows))
    session.flush()
    # A bulk insert passes by the unit of work: name its rows for the record of changes.
    note_rows(
        session,
        "ballot",
        ((i,) for i in session.exec(select(Ballot.id).where(col(Ballot.vote_id) == vote.id))),
    )
    record_event(
        session,
        actor=actor,
        action="vote.imported",
        object_type="vote",
        object_id=vote.id or 0,
        detail={
            "book": book_id,
            "source": vote.source,
            "projects": len(projects),
            "ballots": len(rows),
            "currency": vote.currency,
        },
    )
    return vote


def _import_title(text: str) -> str:
    """A file's description as a vote's title, shortened with "…" if it is too long."""
    clean = " ".join(text.split())
    return clean if len(clean) <= MAX_TITLE_LENGTH else clean[: MAX_TITLE_LENGTH - 1] + "…"


def _import_max_points(election: PbElection) -> int | None:
    """The most points in all on a cumulative ballot: the file's ``max_sum_points``; without
    it (``max_points`` limits each project, not the ballot), the most any ballot gives."""
    if election.vote_type != "cumulative":
        return None
    stated = election.meta.get("max_sum_points", "").strip()
    if stated:
        return _whole(Fraction(stated.replace(",", ".")), _("Points"))
    totals = (sum(_whole(x, _("Points")) for x in v.points) for v in election.votes)
    return max(totals, default=0) or 1


def _iso_date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text.strip()[:10])
    except ValueError:
        return None


def export_pb(session: Session, *, vote_id: int) -> PbElection:
    """A participatory-budget vote as a Pabulib election, ready for
    :func:`ledger.pabulib.write_pb` (write it with ``pseudonymous=True``: voters are ``v1``,
    ``v2`` … in the order their ballots were recorded)."""
    vote = find_vote(session, vote_id=vote_id)
    if vote.kind != PARTICIPATORY_BUDGET:
        raise InvalidInputError(
            _(
                "Vote {id} ({kind}) is not a participatory budget; only those are Pabulib "
                "elections."
            ).format(id=vote.id, kind=kind_label(vote.kind))
        )
    meta: dict[str, str] = json.loads(vote.meta or "{}")
    book = _book(session, vote.book_id)
    meta.setdefault("description", vote.title)
    meta.setdefault("country", "China")
    meta.setdefault("unit", book.organisation or book.name)
    meta.setdefault("instance", str(vote.opens_on.year))
    meta.setdefault("currency", vote.currency)
    meta.setdefault(
        "rule", {"mes": "equalshares", "greedy": "greedy"}.get(vote.rule or "", "plurality")
    )
    meta.setdefault("date_begin", vote.opens_on.isoformat())
    meta.setdefault("date_end", vote.closes_on.isoformat())
    if vote.max_length is not None:
        meta.setdefault("max_length", str(vote.max_length))
    if vote.max_points is not None:
        meta.setdefault("max_sum_points", str(vote.max_points))
    projects = tuple(
        PbProject(
            o.code,
            Fraction(o.cost_fen or 0, 100),
            o.name,
            json.loads(o.fields or "{}"),
        )
        for o in vote_options(session, vote_id=vote.id or 0)
    )
    votes = tuple(
        PbVote(
            b.voter_key,
            tuple(json.loads(b.selection)),
            tuple(json.loads(b.points)),
            json.loads(b.fields or "{}"),
        )
        for b in vote_ballots(session, vote_id=vote.id or 0)
    )
    return PbElection(
        meta=meta,
        budget=_exact(Fraction(vote.budget_fen or 0, 100)),
        vote_type=vote.ballot_type,
        projects=tuple(
            PbProject(p.project_id, _exact(Fraction(p.cost)), p.name, p.fields) for p in projects
        ),
        votes=votes,
    )


def _exact(value: Fraction) -> int | Fraction:
    return value.numerator if value.denominator == 1 else value

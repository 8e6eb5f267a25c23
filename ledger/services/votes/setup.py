"""Creating and amending votes: kinds, matters, options, projects, budgets and dates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from ledger.access import Action, require
from ledger.clock import utc_now_iso
from ledger.domain import BookKind
from ledger.errors import InvalidInputError, NotFoundError
from ledger.i18n import N_, _
from ledger.models import (
    Activity,
    AppUser,
    Book,
    BookHousehold,
    Budget,
    PropertyUnit,
    Vote,
    VoteOption,
)
from ledger.money import MAX_FEN, format_fen
from ledger.rules.ballots import BUDGET_BALLOT_TYPES
from ledger.rules.meetings import HALF, TWO_THIRDS, Matter, residents_meeting_result
from ledger.rules.microfund import category_of_label
from ledger.rules.text import check_keepable, shorten
from ledger.services.audit import record_event
from ledger.services.votes._common import (
    BUDGET_RULES,
    MAX_OPTIONS,
    MAX_TITLE_LENGTH,
    OWNERS_MEETING,
    PARTICIPATORY_BUDGET,
    RESIDENTS_MEETING,
    VILLAGE_MEETING,
    VOTE_KINDS,
    YES_NO,
    ProjectSpec,
    VoteStatus,
    _book,
)
from ledger.services.votes.finding import ballot_count, find_vote, vote_options


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
    if vote.status != VoteStatus.OPEN:
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

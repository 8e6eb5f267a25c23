"""The vote result notice (表决结果公示): what was put to the vote, when, how many voted, and
the result as it was decided — for a meeting every test with its exact fraction, percentage,
threshold and verdict; for a participatory budget every project with its votes, the order in
which each rule selects it, the budget used and left — then the outcome and what the vote did
in the books.

A closed vote prints the result stored when it was closed (a later change to the register does
not change a decided vote); an open vote prints the count so far, marked provisional. Ballots
are private: the notice gives counts only, never an owner key, a household or a proxy's name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from sqlmodel import Session, col, func, select

from ledger.clock import today
from ledger.errors import InvalidInputError
from ledger.i18n import N_, _
from ledger.models import Activity, Ballot, Book, Vote
from ledger.periods import Period, PeriodKind
from ledger.rules.meetings import Matter
from ledger.services.votes import (
    RuleTally,
    VoteEffects,
    VoteResult,
    VoteStatus,
    channel_label,
    find_vote,
    kind_label,
    outcome_label,
    rule_label,
    vote_money,
    vote_result_value,
)
from reports.notice import Cell, CellKind, Chart, Column, KeyFigures, Notice, Paragraph, Section
from reports.notice import Table as NoticeTable
from reports.notices.common import ReportOptions, make_notice

#: A bar chart stays readable up to this many projects; beyond, it shows the most voted.
CHART_PROJECTS = 20

_BALLOT_TYPES = {
    "choose-1": N_("choose one project"),
    "approval": N_("approval (each voter ticks the projects they support)"),
    "cumulative": N_("cumulative (each voter shares out points)"),
    "ordinal": N_("ranked (each voter ranks projects, best first)"),
}
_CHOICES = (("yes", N_("Yes")), ("no", N_("No")), ("abstain", N_("Abstain")))


@dataclass(frozen=True, slots=True)
class VotingDays(Period):
    """The days a vote takes ballots, named as such on the notice."""

    @property
    def label(self) -> str:
        if self.start == self.end:
            return _("Voting day {date}").format(date=self.start.isoformat())
        return _("Voting days {opens} to {closes}").format(
            opens=self.start.isoformat(), closes=self.end.isoformat()
        )


def _vote_of_book(session: Session, book: Book, vote_id: int | None) -> Vote:
    if vote_id is None:
        raise InvalidInputError(_("Say which vote's result to print: --vote N."))
    vote = find_vote(session, vote_id=vote_id)
    if vote.book_id != book.id:
        other = session.get(Book, vote.book_id)
        raise InvalidInputError(
            _(
                "Vote {id} “{title}” belongs to the book “{other}”, not to “{book}”; print its "
                "result from its own book."
            ).format(
                id=vote.id,
                title=vote.title,
                other=other.name if other is not None else vote.book_id,
                book=book.name,
            )
        )
    return vote


def _share(part: int, whole: int | None) -> Fraction | None:
    return Fraction(part, whole) if whole else None


def _amount(fen: int, currency: str) -> tuple[Cell, CellKind]:
    """An amount of the vote: fen printed as yuan, or as text in a foreign currency (an
    imported election), never with the yuan format."""
    return (fen, "money") if currency == "CNY" else (vote_money(fen, currency), "text")


def _channel_items(session: Session, vote_id: int) -> list[tuple[str, Cell, CellKind]]:
    """How many ballots came by each channel (paper, in person, by proxy …): counts only."""
    rows = session.exec(
        select(col(Ballot.channel), func.count())
        .where(col(Ballot.vote_id) == vote_id)
        .group_by(col(Ballot.channel))
        .order_by(col(Ballot.channel))
    ).all()
    return [
        (_("of which {channel}").format(channel=channel_label(channel)), int(count), "int")
        for channel, count in rows
    ]


def _effects(session: Session, vote: Vote, result: VoteResult) -> list[Section]:
    if vote.status != VoteStatus.CLOSED:
        return []
    effects = result.effects or VoteEffects()
    sections: list[Section] = []
    if effects.budget_approved is not None:
        sections.append(
            Paragraph(
                _("The {year} open budget is approved by this vote.").format(
                    year=effects.budget_approved
                )
            )
        )
    made = effects.activities
    if made:
        names = {
            a.id: a.name
            for a in session.exec(
                select(Activity).where(col(Activity.id).in_([m.activity for m in made]))
            )
        }
        sections.append(
            NoticeTable(
                sheet=_("Activities created"),
                title=_("Activities the vote created in the book"),
                columns=(
                    Column(_("Activity"), "int", width=8),
                    Column(_("Project id"), width=10),
                    Column(_("Project"), width=30),
                    Column(_("Budget (yuan)"), "money", total=True, width=14),
                ),
                rows=[(m.activity, m.code, names.get(m.activity, ""), m.budget_fen) for m in made],
                total_label=_("Total"),
            )
        )
    if not sections:
        sections.append(Paragraph(_("Closing this vote changed nothing in the books by itself.")))
    return sections


def _meeting_sections(
    result: VoteResult, channels: list[tuple[str, Cell, CellKind]]
) -> list[Section]:
    owners = result.owners
    ballots = result.ballots
    if owners is not None:
        voters = owners.owners
    else:
        assert result.households is not None
        voters = result.households.households
    items: list[tuple[str, Cell, CellKind]] = [(_("Kind"), kind_label(result.kind), "text")]
    if owners is not None:
        items += [
            (
                _("Owners ({units} units; an owner of several counts once)").format(
                    units="?" if owners.units is None else owners.units
                ),
                voters,
                "int",
            ),
            (_("Total exclusive area (m²)"), owners.total_area_dm2, "area"),
        ]
    else:
        items.append((_("Households in the register"), voters, "int"))
    items += [
        (_("Ballots"), ballots, "int"),
        *channels,
        (_("Turnout"), _share(ballots, voters), "percent"),
        (_("Outcome"), outcome_label(result), "text"),
    ]
    sections: list[Section] = [KeyFigures(title=_("The vote"), items=tuple(items))]
    if owners is not None:
        counts: list[tuple[Cell, ...]] = [
            (
                _(label),
                count.owners,
                count.area_dm2,
                _share(count.owners, owners.participating_owners),
                _share(count.area_dm2, owners.participating_area_dm2),
            )
            for count, (_key, label) in zip(
                (owners.yes, owners.no, owners.abstain), _CHOICES, strict=True
            )
        ]
        columns: tuple[Column, ...] = (
            Column(_("Ballot"), width=12),
            Column(_("Owners"), "int", total=True, width=9),
            Column(_("Area (m²)"), "area", total=True, width=12),
            Column(_("Of the owners taking part"), "percent", width=12),
            Column(_("Of the area taking part"), "percent", width=12),
        )
    else:
        assert result.households is not None
        household_counts = {
            "yes": result.households.yes,
            "no": result.households.no,
            "abstain": result.households.abstain,
        }
        counts = [
            (_(label), household_counts[key], _share(household_counts[key], ballots))
            for key, label in _CHOICES
        ]
        columns = (
            Column(_("Ballot"), width=12),
            Column(_("Households"), "int", total=True, width=10),
            Column(_("Of the households present"), "percent", width=14),
        )
    sections.append(
        NoticeTable(
            sheet=_("Ballots"),
            title=_("Ballots cast"),
            columns=columns,
            rows=counts,
            total_label=_("Took part"),
            note=_(
                "An abstention is a ballot cast: it counts as taking part and is not a yes. "
                "The notice counts ballots and names no voter."
            ),
        )
    )
    figures = result.figures
    sections.append(
        NoticeTable(
            sheet=_("Thresholds"),
            title=_("Every test of the result, against its threshold"),
            columns=(
                Column(_("Test"), width=26),
                Column(_("Counted"), width=20),
                Column(_("Share (exact fraction = percentage)"), width=22),
                Column(_("Required"), width=14),
                Column(_("Result"), width=9),
            ),
            rows=[
                (
                    _(f.label),
                    f.counts_text,
                    f.text,
                    f.threshold.text,
                    _("passed") if f.passed else _("not reached"),
                )
                for f in figures
            ],
            note=_(
                "Each share is compared with its threshold exactly, as a fraction; “≥” is at "
                "least, “>” more than."
            ),
        )
    )
    return sections


def _order(selected: Sequence[str], code: str) -> int | None:
    return selected.index(code) + 1 if code in selected else None


def _budget_sections(
    result: VoteResult, channels: list[tuple[str, Cell, CellKind]]
) -> list[Section]:
    tally = result.budget
    assert tally is not None
    currency = tally.currency or "CNY"
    unit = _("yuan") if currency == "CNY" else currency
    money_kind: CellKind = "money" if currency == "CNY" else "text"
    projects = list(tally.projects)
    by_code = {p.code: p for p in projects}
    ballots = result.ballots
    households = tally.households
    rule = tally.rule
    by_rule: Mapping[str, RuleTally] = tally.by_rule or {
        rule: RuleTally(selected=tally.selected, used_fen=tally.used_fen)
    }
    rules = list(by_rule)
    budget = tally.budget_fen
    items: list[tuple[str, Cell, CellKind]] = [
        (_("Kind"), kind_label(result.kind), "text"),
        (_("Projects on the ballot"), len(projects), "int"),
    ]
    if households:
        items.append((_("Households in the register"), int(households), "int"))
    items += [(_("Ballots"), ballots, "int"), *channels]
    if households:
        items.append((_("Turnout"), _share(ballots, int(households)), "percent"))
    items += [
        (_("Budget ({unit})").format(unit=unit), *_amount(budget, currency)),
        (
            _("Used by the selected projects ({unit})").format(unit=unit),
            *_amount(tally.used_fen, currency),
        ),
        (_("Left ({unit})").format(unit=unit), *_amount(tally.left_fen, currency)),
        (_("Projects selected"), len(tally.selected), "int"),
        (_("Outcome"), outcome_label(result), "text"),
    ]
    ballot_type = tally.ballot_type or ""
    rule_names = {"greedy": _("Greedy"), "mes": _("MES"), "plurality": _("Plurality")}
    sections: list[Section] = [
        KeyFigures(title=_("The vote"), items=tuple(items)),
        Paragraph(
            _("Ballot: {type}.").format(
                type=_(_BALLOT_TYPES[ballot_type]) if ballot_type in _BALLOT_TYPES else ballot_type
            )
        ),
        Paragraph(_("Rule: {rule}").format(rule=rule_label(rule))),
        NoticeTable(
            sheet=_("Projects"),
            title=_("The projects, their votes and the order in which each rule selects them"),
            columns=(
                Column(_("Project id"), width=9),
                Column(_("Project"), width=24),
                Column(_("Cost ({unit})").format(unit=unit), money_kind, width=13),
                Column(_("Votes"), "int", width=8),
                *(
                    Column(
                        _("{rule} (decides)").format(rule=rule_names.get(r, r))
                        if r == rule and len(rules) > 1
                        else rule_names.get(r, r),
                        "int",
                        width=14,
                    )
                    for r in rules
                ),
            ),
            rows=[
                (
                    p.code,
                    p.name or p.code,
                    _amount(p.cost_fen or 0, currency)[0],
                    p.votes,
                    *(_order(by_rule[r].selected, p.code) for r in rules),
                )
                for p in projects
            ],
            note=(
                _("The Greedy and MES columns give the order in which each rule selects a project.")
                if len(rules) > 1
                else ""
            ),
        ),
    ]
    # The most voted projects, in the order of the ballot.
    top = sorted(range(len(projects)), key=lambda i: -projects[i].votes)[:CHART_PROJECTS]
    charted = [projects[i] for i in sorted(top)]
    sections.append(
        Chart(
            kind="bar",
            title=(
                _("Votes per project")
                if len(charted) == len(projects)
                else _("Votes per project (the {n} with the most votes)").format(n=len(charted))
            ),
            labels=tuple(p.name if p.name and len(p.name) <= 8 else p.code for p in charted),
            series=((_("Votes"), tuple(p.votes for p in charted)),),
            money=False,
        )
    )
    sections.append(
        NoticeTable(
            sheet=_("Selected"),
            title=_("Projects selected by {rule}").format(rule=rule_label(rule)),
            columns=(
                Column(_("Order"), "int", width=6),
                Column(_("Project id"), width=9),
                Column(_("Project"), width=26),
                Column(_("Votes"), "int", width=8),
                Column(_("Cost ({unit})").format(unit=unit), money_kind, total=True, width=13),
            ),
            rows=[
                (
                    n,
                    code,
                    by_code[code].name or code,
                    by_code[code].votes,
                    _amount(by_code[code].cost_fen or 0, currency)[0],
                )
                for n, code in enumerate(tally.selected, start=1)
            ],
            total_label=_("Total used"),
        )
    )
    if len(rules) > 1:
        sections.append(
            NoticeTable(
                sheet=_("Rules compared"),
                title=_("What each rule selects"),
                columns=(
                    Column(_("Rule"), width=30),
                    Column(_("Status"), width=12),
                    Column(_("Projects selected"), "int", width=12),
                    Column(_("Used ({unit})").format(unit=unit), money_kind, width=13),
                    Column(_("Left ({unit})").format(unit=unit), money_kind, width=13),
                ),
                rows=[
                    (
                        rule_label(r),
                        _("this rule decides") if r == rule else _("for comparison"),
                        len(by_rule[r].selected),
                        _amount(by_rule[r].used_fen, currency)[0],
                        _amount(budget - by_rule[r].used_fen, currency)[0],
                    )
                    for r in rules
                ],
            )
        )
    tied = list(tally.tied)
    if len(tied) > 1:
        sections.append(
            Paragraph(
                _("Tied for the most votes: {options}; the tie goes to the smallest id.").format(
                    options=", ".join(tied)
                )
            )
        )
    return sections


def build_vote_result(
    session: Session, book: Book, _period: Period, options: ReportOptions
) -> Notice:
    """表决结果公示 of vote ``options.vote`` of ``book`` (see the module doc)."""
    vote = _vote_of_book(session, book, options.vote)
    vote_id = vote.id or 0
    result = vote_result_value(session, vote_id=vote_id)
    closed = vote.status == VoteStatus.CLOSED
    sections: list[Section] = [
        Paragraph(_("Put to the vote: {title}").format(title=vote.title)),
    ]
    if not closed:
        sections.append(
            Paragraph(
                _(
                    "PROVISIONAL — the vote is still open (ballots until {closes}): these are "
                    "the ballots recorded so far, and the result may still change."
                ).format(closes=vote.closes_on.isoformat())
            )
        )
    if result.owners is not None:
        matter = Matter(result.owners.matter)
        sections.append(Paragraph(_("Matter: {matter}").format(matter=_(matter.label))))
    channels = _channel_items(session, vote_id)
    if result.budget is not None:
        sections += _budget_sections(result, channels)
    else:
        sections += _meeting_sections(result, channels)
    sections.append(Paragraph(_("Outcome: {outcome}").format(outcome=outcome_label(result))))
    sections += _effects(session, vote, result)
    closed_on = result.closed_on
    through = (
        (dt.date.fromisoformat(closed_on) if closed_on else vote.closes_on) if closed else today()
    )
    return make_notice(
        session,
        book=book,
        kind="vote",
        title=_("Vote result notice"),
        period=VotingDays(PeriodKind.DAYS, vote.opens_on, vote.closes_on, f"vote-{vote_id}"),
        sections=tuple(sections),
        subtitle=_("Vote {id}: {kind}").format(id=vote_id, kind=kind_label(vote.kind))
        + ("" if closed else " · " + _("provisional")),
        digest_through=through,
    )

"""A vote's result as a typed value: the counts of a meeting or the tally of a participatory
budget, with :meth:`VoteResult.as_json` giving the dict stored in ``Vote.result`` (and printed
by ``--json``) and :meth:`VoteResult.from_json` reading such a dict back."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from ledger.rules.meetings import Figure, Threshold
from ledger.services.votes._common import OWNERS_MEETING, PARTICIPATORY_BUDGET


def figure_json(figure: Figure) -> dict[str, Any]:
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


@dataclass(frozen=True, slots=True)
class OwnersCount:
    """Owners and their exclusive area (dm²) of one answer of an owners' meeting."""

    owners: int
    area_dm2: int

    def as_json(self) -> dict[str, Any]:
        return {"owners": self.owners, "area_dm2": self.area_dm2}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> OwnersCount:
        return cls(owners=data["owners"], area_dm2=data["area_dm2"])


@dataclass(frozen=True, slots=True)
class OwnersPart:
    """The counts of an owners' meeting (业主大会, Civil Code art. 278)."""

    matter: str
    major: bool
    units: int | None
    owners: int
    total_area_dm2: int
    participating_owners: int
    participating_area_dm2: int
    yes: OwnersCount
    no: OwnersCount
    abstain: OwnersCount


@dataclass(frozen=True, slots=True)
class HouseholdsPart:
    """The counts of a residents' or village meeting (one household, one vote)."""

    households: int
    yes: int
    no: int
    abstain: int


@dataclass(frozen=True, slots=True)
class ProjectVotes:
    code: str
    name: str
    cost_fen: int | None
    votes: int

    def as_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "cost_fen": self.cost_fen,
            "votes": self.votes,
        }


@dataclass(frozen=True, slots=True)
class RuleTally:
    selected: tuple[str, ...]
    used_fen: int


@dataclass(frozen=True, slots=True)
class BudgetPart:
    """The tally of a participatory budget (参与式预算)."""

    rule: str
    ballot_type: str | None
    #: The book's households, or None for an imported election (its voters are the file's).
    households: int | None
    currency: str
    budget_fen: int
    projects: tuple[ProjectVotes, ...]
    selected: tuple[str, ...]
    used_fen: int
    left_fen: int
    tied: tuple[str, ...]
    #: What every rule counted would select (None in a result stored without it).
    by_rule: Mapping[str, RuleTally] | None


@dataclass(frozen=True, slots=True)
class ActivityMade:
    """An activity a participatory budget's closing created for a selected project."""

    activity: int
    code: str
    budget_fen: int


@dataclass(frozen=True, slots=True)
class VoteEffects:
    """What closing a vote did in the books: the open budget of a year approved (an owners'
    meeting on it), or the activities created for the selected projects (a participatory
    budget in yuan). Stored in ``Vote.result`` as ``{"budget_approved": 2025}`` or
    ``{"activities": [...]}`` (``{}`` when it did nothing)."""

    budget_approved: int | None = None
    activities: tuple[ActivityMade, ...] = ()

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        if self.budget_approved is not None:
            data["budget_approved"] = self.budget_approved
        if self.activities:
            data["activities"] = [
                {"activity": a.activity, "code": a.code, "budget_fen": a.budget_fen}
                for a in self.activities
            ]
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> VoteEffects:
        return cls(
            budget_approved=data.get("budget_approved"),
            activities=tuple(
                ActivityMade(activity=m["activity"], code=m["code"], budget_fen=m["budget_fen"])
                for m in data.get("activities") or ()
            ),
        )


@dataclass(frozen=True, slots=True)
class VoteResult:
    """A vote's result: the vote, its outcome and ballots, and the part of its kind (``owners``,
    ``households`` or ``budget``); ``closed_on`` and ``effects`` once it is closed."""

    vote: int | None
    kind: str
    title: str
    status: str
    opens_on: str
    closes_on: str
    outcome: str
    ballots: int
    figures: tuple[Figure, ...] = ()
    owners: OwnersPart | None = None
    households: HouseholdsPart | None = None
    budget: BudgetPart | None = None
    closed_on: str | None = None
    effects: VoteEffects | None = None

    def as_json(self) -> dict[str, Any]:
        """The result as the JSON-able dict stored in ``Vote.result``."""
        data: dict[str, Any] = {
            "vote": self.vote,
            "kind": self.kind,
            "title": self.title,
            "status": self.status,
            "opens_on": self.opens_on,
            "closes_on": self.closes_on,
        }
        if self.owners is not None:
            o = self.owners
            data.update(
                {
                    "matter": o.matter,
                    "major": o.major,
                    "outcome": self.outcome,
                    "ballots": self.ballots,
                    "units": o.units,
                    "owners": o.owners,
                    "total_area_dm2": o.total_area_dm2,
                    "participating_owners": o.participating_owners,
                    "participating_area_dm2": o.participating_area_dm2,
                    "yes": o.yes.as_json(),
                    "no": o.no.as_json(),
                    "abstain": o.abstain.as_json(),
                    "figures": [figure_json(f) for f in self.figures],
                }
            )
        elif self.budget is not None:
            b = self.budget
            data.update(
                {
                    "outcome": self.outcome,
                    "rule": b.rule,
                    "ballot_type": b.ballot_type,
                    "ballots": self.ballots,
                    "households": b.households,
                    "currency": b.currency,
                    "budget_fen": b.budget_fen,
                    "projects": [p.as_json() for p in b.projects],
                    "selected": list(b.selected),
                    "used_fen": b.used_fen,
                    "left_fen": b.left_fen,
                    "tied": list(b.tied),
                }
            )
            if b.by_rule is not None:
                data["by_rule"] = {
                    r: {"selected": list(t.selected), "used_fen": t.used_fen}
                    for r, t in b.by_rule.items()
                }
        else:
            h = self.households
            assert h is not None
            data.update(
                {
                    "outcome": self.outcome,
                    "ballots": self.ballots,
                    "households": h.households,
                    "yes": h.yes,
                    "no": h.no,
                    "abstain": h.abstain,
                    "figures": [figure_json(f) for f in self.figures],
                }
            )
        if self.closed_on is not None:
            data["closed_on"] = self.closed_on
        if self.effects is not None:
            data["effects"] = self.effects.as_json()
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> VoteResult:
        """A stored result (``Vote.result``, or :meth:`as_json`) back as a value."""
        kind = data["kind"]
        owners = households = budget = None
        if kind == OWNERS_MEETING:
            owners = OwnersPart(
                matter=data["matter"],
                major=data["major"],
                units=data.get("units"),
                owners=data["owners"],
                total_area_dm2=data["total_area_dm2"],
                participating_owners=data["participating_owners"],
                participating_area_dm2=data["participating_area_dm2"],
                yes=OwnersCount.from_json(data["yes"]),
                no=OwnersCount.from_json(data["no"]),
                abstain=OwnersCount.from_json(data["abstain"]),
            )
        elif kind == PARTICIPATORY_BUDGET:
            by_rule = data.get("by_rule")
            budget = BudgetPart(
                rule=data["rule"],
                ballot_type=data.get("ballot_type"),
                households=data.get("households"),
                currency=data.get("currency") or "CNY",
                budget_fen=data["budget_fen"],
                projects=tuple(
                    ProjectVotes(
                        code=p["code"], name=p["name"], cost_fen=p["cost_fen"], votes=p["votes"]
                    )
                    for p in data["projects"]
                ),
                selected=tuple(data["selected"]),
                used_fen=data["used_fen"],
                left_fen=data["left_fen"],
                tied=tuple(data.get("tied") or ()),
                by_rule=None
                if by_rule is None
                else {
                    r: RuleTally(selected=tuple(t["selected"]), used_fen=t["used_fen"])
                    for r, t in by_rule.items()
                },
            )
        else:
            households = HouseholdsPart(
                households=data["households"],
                yes=data["yes"],
                no=data["no"],
                abstain=data["abstain"],
            )
        return cls(
            vote=data["vote"],
            kind=kind,
            title=data["title"],
            status=data["status"],
            opens_on=data["opens_on"],
            closes_on=data["closes_on"],
            outcome=data["outcome"],
            ballots=data["ballots"],
            figures=tuple(figure_from_json(f) for f in data.get("figures", ())),
            owners=owners,
            households=households,
            budget=budget,
            closed_on=data.get("closed_on"),
            effects=None if data.get("effects") is None else VoteEffects.from_json(data["effects"]),
        )

    @property
    def passed(self) -> bool:
        """Whether the result decides something: a meeting passed, a budget selected projects."""
        return self.outcome in ("passed", "selected")

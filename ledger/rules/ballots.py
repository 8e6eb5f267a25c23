"""What makes a ballot valid, on plain values (no database): the choice at a meeting, the
projects on a participatory-budget ballot of each type, and thresholds typed as fractions.

Ballot types are Pabulib's: ``choose-1`` (exactly one option, e.g. one of nine design plans),
``approval`` (any number of projects up to ``max_length``), ``cumulative`` (points spread over
projects, at most ``max_points`` in all) and ``ordinal`` (projects ranked, best first, up to
``max_length``). A meeting ballot is ``yes``, ``no`` or ``abstain``.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from fractions import Fraction

from ledger.errors import InvalidInputError
from ledger.i18n import _
from ledger.rules.text import shorten

BUDGET_BALLOT_TYPES = ("choose-1", "approval", "cumulative", "ordinal")
MEETING_CHOICES = ("yes", "no", "abstain")

_FRACTION = re.compile(r"\s*([0-9]{1,6})\s*/\s*([0-9]{1,6})\s*")
_PERCENT = re.compile(r"\s*([0-9]{1,3}(?:\.[0-9]{1,4})?)\s*%\s*")


def parse_fraction(text: str) -> Fraction:
    """A share typed by a person: ``2/3``, ``1/2`` or a percentage ``50%``, ``66.5%`` — exact.

    >>> parse_fraction("2/3"), parse_fraction("50%")
    (Fraction(2, 3), Fraction(1, 2))
    """
    match = _FRACTION.fullmatch(text)
    if match and int(match.group(2)) != 0:
        value = Fraction(int(match.group(1)), int(match.group(2)))
    else:
        match = _PERCENT.fullmatch(text)
        if not match:
            raise InvalidInputError(
                _("“{text}” is not a share; write it as a fraction like 2/3 or as 50%.").format(
                    text=shorten(text)
                )
            )
        value = Fraction(match.group(1)) / 100
    if not 0 < value <= 1:
        raise InvalidInputError(
            _("A share must be more than 0 and at most 1 (100%); got “{text}”.").format(
                text=shorten(text.strip())
            )
        )
    return value


def check_choice(choice: str) -> str:
    """A meeting ballot's choice, in the stored spelling (accepts 同意/反对/弃权 too)."""
    spelled = {
        "yes": "yes",
        "y": "yes",
        "同意": "yes",
        "赞成": "yes",
        "no": "no",
        "n": "no",
        "反对": "no",
        "不同意": "no",
        "abstain": "abstain",
        "弃权": "abstain",
    }
    clean = spelled.get(str(choice).strip().lower())
    if clean is None:
        raise InvalidInputError(
            _("A ballot says yes, no or abstain (同意, 反对, 弃权); got “{choice}”.").format(
                choice=choice
            )
        )
    return clean


def check_budget_ballot(
    ballot_type: str,
    projects: Collection[str],
    selection: Sequence[str],
    points: Sequence[int] = (),
    *,
    max_length: int | None = None,
    max_points: int | None = None,
) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """The projects (and points) of a participatory-budget ballot, checked against the vote's
    rules, or a refusal naming what is wrong: an unknown project, a project twice, not exactly
    one option on a choose-1 ballot, more projects than ``max_length``, points missing, not a
    whole number above 0, or more than ``max_points`` in all."""
    chosen = tuple(str(code).strip() for code in selection)
    for code in chosen:
        if code not in projects:
            raise InvalidInputError(
                _("There is no project “{code}” in this vote; the projects are {codes}.").format(
                    code=code, codes=", ".join(sorted(projects))
                )
            )
    twice = sorted({code for code in chosen if chosen.count(code) > 1})
    if twice:
        raise InvalidInputError(
            _("Project {code} is on the ballot twice; name each project once.").format(
                code=twice[0]
            )
        )
    if ballot_type == "choose-1":
        if len(chosen) != 1:
            raise InvalidInputError(
                _("A choose-1 ballot names exactly one option; this one names {n}.").format(
                    n=len(chosen)
                )
            )
    elif ballot_type not in BUDGET_BALLOT_TYPES:
        raise InvalidInputError(
            _("Unknown ballot type “{type}”: use one of {types}.").format(
                type=ballot_type, types=", ".join(BUDGET_BALLOT_TYPES)
            )
        )
    if max_length is not None and len(chosen) > max_length:
        raise InvalidInputError(
            _(
                "This ballot names {n} projects but a voter may choose at most {max}; "
                "check the paper ballot."
            ).format(n=len(chosen), max=max_length)
        )
    if ballot_type != "cumulative":
        if points:
            raise InvalidInputError(
                _("Only cumulative ballots give points; this vote's ballots are {type}.").format(
                    type=ballot_type
                )
            )
        return chosen, ()
    return chosen, _check_points(chosen, points, max_points)


def _check_points(
    chosen: tuple[str, ...], points: Sequence[int], max_points: int | None
) -> tuple[int, ...]:
    if len(points) != len(chosen):
        raise InvalidInputError(
            _(
                "A cumulative ballot gives points to each project it names: {projects} "
                "projects but {points} points."
            ).format(projects=len(chosen), points=len(points))
        )
    for value in points:
        if type(value) is not int or value <= 0:
            raise InvalidInputError(
                _("Points are whole numbers above 0; got {value}.").format(value=value)
            )
    if max_points is not None and sum(points) > max_points:
        raise InvalidInputError(
            _(
                "This ballot gives {total} points in all but a voter has at most {max}; "
                "check the paper ballot."
            ).format(total=sum(points), max=max_points)
        )
    return tuple(points)

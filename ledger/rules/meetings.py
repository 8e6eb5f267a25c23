"""Decision rules of owners' meetings (业主大会, Civil Code art. 278) and residents' meetings
(居民会议, 一户一票), on plain values: no database, no I/O (DESIGN.md, "Votes").

Exact arithmetic only: areas are integer dm² (0.01 m², as in the property register), counts are
integers, every ratio is a :class:`fractions.Fraction` compared exactly with its threshold.
Percentages for people are computed from the exact fraction with integers and shown with two
decimals, **rounded half up** (2/3 → ``66.67%``, 1/8 → ``12.50%``); the fraction itself is always
shown beside them, because two decimals can hide a one-dm² shortfall (7,999,999/12,000,000 also
reads ``66.67%``, yet it is *below* 2/3).

**Owners' meetings** (Civil Code 2021, art. 278, with the counting of the Supreme People's
Court's interpretation on building ownership by division, art. 8–9):

* who counts: one unit (专有部分) is one owner; an owner with several units counts once, with the
  area of all of them; the developer's unsold units (建设单位尚未出卖的部分) together count as one
  owner, with their area in full. An owner is named by its *owner key*; units of the same key are
  one owner.
* participation (参与表决): owners holding **at least 2/3** of the total exclusive area **and at
  least 2/3** of all owners by number must take part. An owner takes part by casting a ballot —
  yes, no or abstain: an abstention is a ballot cast, so it counts as taking part (and, not being
  a yes, it weighs as a no in the decision).
* decision, ordinary matter (items 1–5 and 9 of art. 278): **more than 1/2** (过半数, strictly
  more) of the area of the participating owners **and more than 1/2** of the participating owners
  vote yes.
* decision, major matter (items 6–8: raising the maintenance fund, rebuilding, changing the use of
  the common parts or using them for business): **at least 3/4** of the participating area **and
  at least 3/4** of the participating owners vote yes. "以上" includes the bound (art. 1259).
  *Using* the maintenance fund (item 5) is an ordinary matter under the 2021 Code (under the old
  Property Law art. 76 it needed 2/3); :attr:`Matter.USE_MAINTENANCE_FUND` says so.

**Residents' meetings** count one ballot per household: a quorum of the households must be
present, and a majority of those present must vote yes; both bounds and whether each is strict
("more than") or inclusive ("at least") are configurable, by default more than half and more than
half of those present.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from typing import Literal

from ledger.errors import InvalidInputError
from ledger.i18n import N_, _
from ledger.rules.property import MAX_AREA_DM2, format_area, percent_text

#: 过半数: more than one half.
HALF = Fraction(1, 2)
#: 三分之二以上: at least two thirds.
TWO_THIRDS = Fraction(2, 3)
#: 四分之三以上: at least three quarters.
THREE_QUARTERS = Fraction(3, 4)

UnitId = str | int
#: One unit of the register: (unit id, owner key, exclusive area in dm², unsold by the developer).
UnitRow = tuple[UnitId, str, int, bool]
FigureUnit = Literal["dm2", "owners", "households"]


# --- the vocabulary -------------------------------------------------------------------------


class Matter(StrEnum):
    """What an owners' meeting decides, by the items of Civil Code art. 278."""

    #: Items 1–4 and 9: rules of procedure, management statute, the owners' committee, the
    #: property manager, other important matters of the common parts.
    ORDINARY = "ordinary"
    #: Item 5, 使用建筑物及其附属设施的维修资金: an ORDINARY matter under the 2021 Civil Code.
    USE_MAINTENANCE_FUND = "use_maintenance_fund"
    #: Item 6, 筹集建筑物及其附属设施的维修资金 (major).
    RAISE_MAINTENANCE_FUND = "raise_maintenance_fund"
    #: Item 7, 改建、重建建筑物及其附属设施 (major).
    REBUILD = "rebuild"
    #: Item 8, 改变共有部分的用途 (major).
    CHANGE_USE_OF_COMMON_PARTS = "change_use_of_common_parts"
    #: Item 8, 利用共有部分从事经营活动 (major).
    BUSINESS_USE_OF_COMMON_PARTS = "business_use_of_common_parts"

    @property
    def is_major(self) -> bool:
        """True for items 6–8 of art. 278, which need 3/4 instead of more than 1/2."""
        return self in _MAJOR

    @property
    def label(self) -> str:
        """What the matter is called on a notice (English message id; translate with ``_``)."""
        return _MATTER_LABELS[self]


_MAJOR = frozenset(
    {
        Matter.RAISE_MAINTENANCE_FUND,
        Matter.REBUILD,
        Matter.CHANGE_USE_OF_COMMON_PARTS,
        Matter.BUSINESS_USE_OF_COMMON_PARTS,
    }
)
_MATTER_LABELS: Mapping[Matter, str] = {
    Matter.ORDINARY: N_("Ordinary matter"),
    Matter.USE_MAINTENANCE_FUND: N_("Using the maintenance fund"),
    Matter.RAISE_MAINTENANCE_FUND: N_("Raising the maintenance fund"),
    Matter.REBUILD: N_("Rebuilding or altering the buildings and their facilities"),
    Matter.CHANGE_USE_OF_COMMON_PARTS: N_("Changing the use of the common parts"),
    Matter.BUSINESS_USE_OF_COMMON_PARTS: N_("Using the common parts for business"),
}


class Choice(StrEnum):
    """A ballot's choice. Every choice is a ballot cast: the owner or household took part."""

    YES = "yes"
    NO = "no"
    ABSTAIN = "abstain"


class Outcome(StrEnum):
    """The overall outcome of a meeting's vote."""

    QUORUM_NOT_REACHED = "quorum_not_reached"
    PASSED = "passed"
    FAILED = "failed"

    @property
    def label(self) -> str:
        """English message id for a notice; translate with ``_``."""
        return _OUTCOME_LABELS[self]


_OUTCOME_LABELS: Mapping[Outcome, str] = {
    Outcome.QUORUM_NOT_REACHED: N_("Quorum not reached"),
    Outcome.PASSED: N_("Passed"),
    Outcome.FAILED: N_("Failed"),
}


# --- percentages, thresholds and figures ----------------------------------------------------


def fraction_percent(value: Fraction) -> str:
    """An exact fraction as a percentage with two decimals, rounded half up, integers only.

    >>> fraction_percent(Fraction(2, 3)), fraction_percent(Fraction(1, 8))
    ('66.67%', '12.50%')
    """
    text = percent_text(value.numerator, value.denominator)
    assert text is not None  # a Fraction's denominator is never zero
    return text


def fraction_text(value: Fraction) -> str:
    """``"2/3 = 66.67%"``: the reduced fraction and its percentage (two decimals, half up)."""
    return f"{value.numerator}/{value.denominator} = {fraction_percent(value)}"


@dataclass(frozen=True)
class Threshold:
    """A bound a share must reach: ``inclusive`` is "at least" (以上), otherwise "more than"."""

    bound: Fraction
    inclusive: bool

    def met_by(self, value: Fraction) -> bool:
        return value >= self.bound if self.inclusive else value > self.bound

    @property
    def symbol(self) -> str:
        return "≥" if self.inclusive else ">"

    @property
    def text(self) -> str:
        """``"≥ 2/3 (66.67%)"`` or ``"> 1/2 (50.00%)"``."""
        bound = self.bound
        return f"{self.symbol} {bound.numerator}/{bound.denominator} ({fraction_percent(bound)})"


@dataclass(frozen=True)
class Figure:
    """One test of a vote: ``part`` out of ``whole`` against a threshold.

    ``key`` names the test for programs (``participation_area`` …); ``label`` is its English
    message id for a notice (translate with ``_``); ``unit`` says what is counted (dm² of area,
    owners or households). With nobody to count (``whole`` = 0) there is no share: ``value`` is
    None, the text is ``"—"`` and the test fails.
    """

    key: str
    label: str
    part: int
    whole: int
    unit: FigureUnit
    threshold: Threshold

    @property
    def value(self) -> Fraction | None:
        """The exact share ``part / whole``; None when there is nothing to count."""
        return Fraction(self.part, self.whole) if self.whole else None

    @property
    def passed(self) -> bool:
        value = self.value
        return value is not None and self.threshold.met_by(value)

    @property
    def percent(self) -> str | None:
        """The share as a percentage, two decimals, half up (``"66.67%"``)."""
        value = self.value
        return None if value is None else fraction_percent(value)

    @property
    def text(self) -> str:
        """The share as ``"2/3 = 66.67%"`` (the fraction reduced), or ``"—"``."""
        value = self.value
        return "—" if value is None else fraction_text(value)

    @property
    def relation(self) -> str | None:
        """``"<"``, ``"="`` or ``">"``: how the exact share compares with the bound."""
        value = self.value
        if value is None:
            return None
        bound = self.threshold.bound
        return "<" if value < bound else "=" if value == bound else ">"

    @property
    def counts_text(self) -> str:
        """What was counted: ``"8000.00 / 12000.00 m²"`` or ``"4 / 6"``."""
        if self.unit == "dm2":
            return f"{format_area(self.part)} / {format_area(self.whole)} m²"
        return f"{self.part} / {self.whole}"

    def describe(self) -> str:
        """One translated line for a notice, such as
        ``Area of the owners taking part: 8000.00 / 12000.00 m², 2/3 = 66.67%; required ≥ 2/3
        (66.67%): passed``."""
        return _("{label}: {counts}, {share}; required {threshold}: {verdict}").format(
            label=_(self.label),
            counts=self.counts_text,
            share=self.text,
            threshold=self.threshold.text,
            verdict=_("passed") if self.passed else _("not reached"),
        )


# --- validation helpers ---------------------------------------------------------------------


def _check_count(value: object, what: str) -> int:
    """``value`` if it is a whole number, 0 or more; raise naming ``what`` otherwise."""
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise InvalidInputError(
            _("The number of {what} must be a whole number, 0 or more; got {value}.").format(
                what=_(what), value=repr(value)
            )
        )
    return value


def _check_threshold(bound: object, inclusive: object, what: str) -> Threshold:
    if type(inclusive) is not bool:
        raise InvalidInputError(
            _("Say whether the {what} is strict (more than) or inclusive (at least).").format(
                what=_(what)
            )
        )
    if not isinstance(bound, Fraction | int) or isinstance(bound, bool):
        raise InvalidInputError(
            _("The {what} must be an exact fraction such as 1/2, not {value}.").format(
                what=_(what), value=repr(bound)
            )
        )
    value = Fraction(bound)
    shown = f"{value.numerator}/{value.denominator}"
    if not 0 < value <= 1:
        raise InvalidInputError(
            _("The {what} must be more than 0 and at most 1 (100%); got {value}.").format(
                what=_(what), value=shown
            )
        )
    if value == 1 and not inclusive:
        raise InvalidInputError(
            _("A {what} of “more than 100%” can never be reached; use “at least 100%”.").format(
                what=_(what)
            )
        )
    return Threshold(value, inclusive)


# --- owners' meetings (art. 278) ------------------------------------------------------------


@dataclass(frozen=True)
class Electorate:
    """The owners of an estate as art. 278 counts them (see :func:`owners_electorate`).

    ``owner_area`` maps each owner key to the area of all its units (dm²), ``owner_units`` to
    its unit ids; ``developer_key`` is the key of the developer's unsold units (one owner), if
    any."""

    total_area_dm2: int
    owner_area: Mapping[str, int]
    owner_units: Mapping[str, tuple[UnitId, ...]]
    developer_key: str | None
    unit_count: int

    @property
    def owner_count(self) -> int:
        return len(self.owner_area)


def _check_unit(row: object) -> UnitRow:
    """``row`` as a unit of the register, or a refusal saying what is wrong with it."""
    if not isinstance(row, tuple) or len(row) != 4:
        raise InvalidInputError(
            _(
                "Each unit must be given as (unit, owner key, area in 0.01 m², unsold by the "
                "developer); got {value}."
            ).format(value=repr(row))
        )
    unit_id, owner_key, area, unsold = row
    if not isinstance(unit_id, str | int) or isinstance(unit_id, bool) or unit_id == "":
        raise InvalidInputError(
            _("A unit must be named by its number or id; got {value}.").format(value=repr(unit_id))
        )
    if not isinstance(owner_key, str) or not owner_key.strip():
        raise InvalidInputError(
            _("Unit {unit} has no owner key; give the key of its owner.").format(unit=unit_id)
        )
    if not isinstance(area, int) or isinstance(area, bool):
        raise InvalidInputError(
            _("The area of unit {unit} must be a whole number of 0.01 m², not {value}.").format(
                unit=unit_id, value=repr(area)
            )
        )
    if area <= 0:
        raise InvalidInputError(
            _(
                "Unit {unit} has an exclusive area of {area} m²; every unit's area must be more "
                "than zero."
            ).format(unit=unit_id, area=format_area(area))
        )
    if area > MAX_AREA_DM2:
        raise InvalidInputError(
            _("Unit {unit} has an area of {area} m², larger than any unit; check it.").format(
                unit=unit_id, area=format_area(area)
            )
        )
    if not isinstance(unsold, bool):
        raise InvalidInputError(
            _(
                "Say whether unit {unit} is unsold by the developer (true or false); got {value}."
            ).format(unit=unit_id, value=repr(unsold))
        )
    return unit_id, owner_key, area, unsold


def owners_electorate(units: Iterable[UnitRow]) -> Electorate:
    """Count the owners and the total exclusive area of an estate, as art. 278 counts them.

    Each unit is ``(unit_id, owner_key, area_dm2, is_developer_unsold)``. One unit is one owner;
    units with the same owner key are one owner (with the area of all of them); the developer's
    unsold units are together one owner, with their area in full — they must carry one owner
    key, the developer's, under which the developer casts its ballot (a unit of the developer
    that is not flagged unsold is simply another unit of that owner).

    >>> e = owners_electorate([("1-101", "wang", 8956, False), ("1-102", "wang", 7235, False),
    ...                        ("1-201", "li", 8833, False), ("1-301", "dev", 5987, True),
    ...                        ("1-302", "dev", 5987, True)])
    >>> e.total_area_dm2, e.owner_count, e.owner_area["wang"], e.owner_area["dev"]
    (36998, 3, 16191, 11974)

    Raises :class:`InvalidInputError` for a malformed row, a unit given twice, an empty owner key,
    an area that is not a whole number of dm² above zero, unsold units under different owner keys,
    and an empty register.
    """
    owner_area: dict[str, int] = {}
    owner_units: dict[str, list[UnitId]] = {}
    seen: set[UnitId] = set()
    developer: tuple[str, UnitId] | None = None  # (key, first unsold unit)
    for row in units:
        unit_id, owner_key, area, unsold = _check_unit(row)
        if unit_id in seen:
            raise InvalidInputError(
                _("Unit {unit} is listed twice; each unit counts once.").format(unit=unit_id)
            )
        if unsold and developer is None:
            developer = (owner_key, unit_id)
        elif unsold and developer is not None and owner_key != developer[0]:
            raise InvalidInputError(
                _(
                    "Unsold units {first} and {unit} have different owner keys ({key1}, {key2}); "
                    "the developer's unsold units count as one owner, so give them the "
                    "developer's one key."
                ).format(first=developer[1], unit=unit_id, key1=developer[0], key2=owner_key)
            )
        seen.add(unit_id)
        owner_area[owner_key] = owner_area.get(owner_key, 0) + area
        owner_units.setdefault(owner_key, []).append(unit_id)
    if not owner_area:
        raise InvalidInputError(
            _("The register has no units; an owners' meeting needs units with their owners.")
        )
    return Electorate(
        total_area_dm2=sum(owner_area.values()),
        owner_area=dict(owner_area),
        owner_units={key: tuple(ids) for key, ids in owner_units.items()},
        developer_key=None if developer is None else developer[0],
        unit_count=len(seen),
    )


def _check_choice(owner_key: str, choice: str) -> Choice:
    try:
        return Choice(choice)
    except ValueError:
        raise InvalidInputError(
            _("The ballot of owner {owner} says {value}; a ballot is yes, no or abstain.").format(
                owner=owner_key, value=repr(choice)
            )
        ) from None


def _check_matter(matter: str) -> Matter:
    try:
        return Matter(matter)
    except ValueError:
        raise InvalidInputError(
            _("{value} is not a matter for an owners' meeting; choose one of: {choices}.").format(
                value=repr(matter), choices=", ".join(m.value for m in Matter)
            )
        ) from None


def _ballot_pairs(
    ballots: Mapping[str, Choice | str] | Iterable[tuple[str, Choice | str]],
) -> list[tuple[str, Choice | str]]:
    if isinstance(ballots, Mapping):
        return list(ballots.items())
    pairs = list(ballots)
    for pair in pairs:
        if not isinstance(pair, tuple) or len(pair) != 2:
            raise InvalidInputError(
                _("Each ballot must be given as (owner key, choice); got {value}.").format(
                    value=repr(pair)
                )
            )
    return pairs


@dataclass(frozen=True)
class OwnersMeetingResult:
    """The result of an owners' meeting vote by art. 278, with every figure a notice prints.

    The six numbers are the total, participating and yes area, and the total, participating
    and yes owners; the four tests are :attr:`participation_area`, :attr:`participation_owners`
    (≥ 2/3 each), :attr:`approval_area` and :attr:`approval_owners` (> 1/2 each, or ≥ 3/4 each
    for a major matter). The approval tests are worked out even when the quorum is not reached
    (for the notice); the outcome is then "quorum not reached" whatever they say.
    """

    matter: Matter
    total_area_dm2: int
    owner_count: int
    participating_area_dm2: int
    participating_owners: int
    yes_area_dm2: int
    yes_owners: int
    no_area_dm2: int
    no_owners: int
    abstain_area_dm2: int
    abstain_owners: int
    participation_area: Figure
    participation_owners: Figure
    approval_area: Figure
    approval_owners: Figure

    @property
    def major(self) -> bool:
        return self.matter.is_major

    @property
    def quorum_reached(self) -> bool:
        return self.participation_area.passed and self.participation_owners.passed

    @property
    def approved(self) -> bool:
        return self.approval_area.passed and self.approval_owners.passed

    @property
    def outcome(self) -> Outcome:
        if not self.quorum_reached:
            return Outcome.QUORUM_NOT_REACHED
        return Outcome.PASSED if self.approved else Outcome.FAILED

    @property
    def passed(self) -> bool:
        return self.outcome is Outcome.PASSED

    @property
    def figures(self) -> tuple[Figure, Figure, Figure, Figure]:
        """The four tests in the order a notice prints them: participation, then approval."""
        return (
            self.participation_area,
            self.participation_owners,
            self.approval_area,
            self.approval_owners,
        )

    def describe(self) -> list[str]:
        """Translated lines for a notice: the matter, each test, and the outcome."""
        return [
            _("Matter: {matter}").format(matter=_(self.matter.label)),
            *(figure.describe() for figure in self.figures),
            _("Outcome: {outcome}").format(outcome=_(self.outcome.label)),
        ]


def owners_meeting_result(
    electorate: Electorate,
    ballots: Mapping[str, Choice | str] | Iterable[tuple[str, Choice | str]],
    matter: Matter | str,
) -> OwnersMeetingResult:
    """Decide an owners' meeting vote by Civil Code art. 278.

    ``ballots`` holds one ballot per owner who took part — a mapping owner key → choice, or
    (owner key, choice) pairs — with the choice ``yes``, ``no`` or ``abstain``; an owner's weight
    is the area of all its units. Every ballot, an abstention too, is taking part (参与表决).

    Quorum: participating area ≥ 2/3 of the total AND participating owners ≥ 2/3 of all owners.
    Ordinary matter: yes area > 1/2 of the participating area AND yes owners > 1/2 of the
    participating owners. Major matter (:attr:`Matter.is_major`): ≥ 3/4 of each.

    Raises :class:`InvalidInputError` for more ballots than owners, a second ballot from an
    owner, a ballot from an owner not in the electorate, a choice that is not yes/no/abstain,
    and an unknown matter.
    """
    if not isinstance(electorate, Electorate):
        raise InvalidInputError(
            _("Count the owners with owners_electorate before deciding a vote.")
        )
    kind = _check_matter(matter)
    pairs = _ballot_pairs(ballots)
    if len(pairs) > electorate.owner_count:
        raise InvalidInputError(
            _(
                "There are {ballots} ballots but only {owners} owners; an owner casts one "
                "ballot, whatever the number of units."
            ).format(ballots=len(pairs), owners=electorate.owner_count)
        )
    tally: dict[Choice, list[int]] = {choice: [0, 0] for choice in Choice}  # [owners, area]
    seen: set[str] = set()
    for owner_key, raw_choice in pairs:
        if not isinstance(owner_key, str) or owner_key not in electorate.owner_area:
            raise InvalidInputError(
                _(
                    "A ballot comes from owner {owner}, who owns no unit in this register; "
                    "check the owner key."
                ).format(owner=repr(owner_key))
            )
        if owner_key in seen:
            raise InvalidInputError(
                _("Owner {owner} has a second ballot; an owner votes once.").format(owner=owner_key)
            )
        seen.add(owner_key)
        choice = _check_choice(owner_key, raw_choice)
        tally[choice][0] += 1
        tally[choice][1] += electorate.owner_area[owner_key]

    participating_owners = sum(owners for owners, _area in tally.values())
    participating_area = sum(area for _owners, area in tally.values())
    decision = Threshold(THREE_QUARTERS, True) if kind.is_major else Threshold(HALF, False)
    quorum = Threshold(TWO_THIRDS, True)
    return OwnersMeetingResult(
        matter=kind,
        total_area_dm2=electorate.total_area_dm2,
        owner_count=electorate.owner_count,
        participating_area_dm2=participating_area,
        participating_owners=participating_owners,
        yes_area_dm2=tally[Choice.YES][1],
        yes_owners=tally[Choice.YES][0],
        no_area_dm2=tally[Choice.NO][1],
        no_owners=tally[Choice.NO][0],
        abstain_area_dm2=tally[Choice.ABSTAIN][1],
        abstain_owners=tally[Choice.ABSTAIN][0],
        participation_area=Figure(
            key="participation_area",
            label=N_("Area of the owners taking part, of the total area"),
            part=participating_area,
            whole=electorate.total_area_dm2,
            unit="dm2",
            threshold=quorum,
        ),
        participation_owners=Figure(
            key="participation_owners",
            label=N_("Owners taking part, of all owners"),
            part=participating_owners,
            whole=electorate.owner_count,
            unit="owners",
            threshold=quorum,
        ),
        approval_area=Figure(
            key="approval_area",
            label=N_("Area voting yes, of the area taking part"),
            part=tally[Choice.YES][1],
            whole=participating_area,
            unit="dm2",
            threshold=decision,
        ),
        approval_owners=Figure(
            key="approval_owners",
            label=N_("Owners voting yes, of the owners taking part"),
            part=tally[Choice.YES][0],
            whole=participating_owners,
            unit="owners",
            threshold=decision,
        ),
    )


# --- residents' meetings (一户一票) ---------------------------------------------------------


@dataclass(frozen=True)
class ResidentsMeetingResult:
    """The result of a residents' meeting vote, one ballot per household.

    ``not_voting`` households were present but cast no ballot; like abstentions they are not a
    yes, so they weigh against the motion (the majority is of those present)."""

    households_total: int
    present: int
    yes: int
    no: int
    abstain: int
    quorum: Figure
    majority: Figure

    @property
    def not_voting(self) -> int:
        return self.present - self.yes - self.no - self.abstain

    @property
    def quorum_reached(self) -> bool:
        return self.quorum.passed

    @property
    def outcome(self) -> Outcome:
        if not self.quorum.passed:
            return Outcome.QUORUM_NOT_REACHED
        return Outcome.PASSED if self.majority.passed else Outcome.FAILED

    @property
    def passed(self) -> bool:
        return self.outcome is Outcome.PASSED

    @property
    def figures(self) -> tuple[Figure, Figure]:
        return (self.quorum, self.majority)

    def describe(self) -> list[str]:
        """Translated lines for a notice: each test, and the outcome."""
        return [
            *(figure.describe() for figure in self.figures),
            _("Outcome: {outcome}").format(outcome=_(self.outcome.label)),
        ]


def residents_meeting_result(
    households_total: int,
    present: int,
    yes: int,
    no: int,
    abstain: int,
    *,
    quorum: Fraction = HALF,
    majority: Fraction = HALF,
    quorum_inclusive: bool = False,
    majority_inclusive: bool = False,
) -> ResidentsMeetingResult:
    """Decide a residents' meeting vote, one ballot per household (一户一票).

    Quorum: ``present`` households out of ``households_total`` must be more than ``quorum``
    (or at least it, with ``quorum_inclusive``). Decision: ``yes`` out of ``present`` must be
    more than ``majority`` (or at least it, with ``majority_inclusive``). Default: more than half
    of the households present, and more than half of those present voting yes. Abstentions and
    households present without a ballot count as present and are not a yes.

    >>> r = residents_meeting_result(120, 61, 31, 20, 10)
    >>> r.quorum.text, r.majority.text, r.outcome.value
    ('61/120 = 50.83%', '31/61 = 50.82%', 'passed')

    Raises :class:`InvalidInputError` for a count that is not a whole number 0 or more, no
    household at all, more present than households, more ballots than households present,
    and a threshold outside (0, 1] (or "more than 100%", which nothing can reach).
    """
    total = _check_count(households_total, N_("households"))
    here = _check_count(present, N_("households present"))
    yes_n = _check_count(yes, N_("yes ballots"))
    no_n = _check_count(no, N_("no ballots"))
    abstain_n = _check_count(abstain, N_("abstentions"))
    quorum_t = _check_threshold(quorum, quorum_inclusive, N_("quorum"))
    majority_t = _check_threshold(majority, majority_inclusive, N_("majority"))
    if total == 0:
        raise InvalidInputError(
            _("A residents' meeting needs at least one household in the register.")
        )
    if here > total:
        raise InvalidInputError(
            _("{present} households are present but the register has only {total}.").format(
                present=here, total=total
            )
        )
    if yes_n + no_n + abstain_n > here:
        raise InvalidInputError(
            _(
                "There are {ballots} ballots but only {present} households present; a "
                "household casts one ballot."
            ).format(ballots=yes_n + no_n + abstain_n, present=here)
        )
    return ResidentsMeetingResult(
        households_total=total,
        present=here,
        yes=yes_n,
        no=no_n,
        abstain=abstain_n,
        quorum=Figure(
            key="quorum",
            label=N_("Households present, of all households"),
            part=here,
            whole=total,
            unit="households",
            threshold=quorum_t,
        ),
        majority=Figure(
            key="majority",
            label=N_("Households voting yes, of those present"),
            part=yes_n,
            whole=here,
            unit="households",
            threshold=majority_t,
        ),
    )

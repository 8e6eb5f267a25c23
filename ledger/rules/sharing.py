"""Village revenue sharing (3331): the investor's capital-exit schedule and the split of a
period's profit (DESIGN.md, "Village revenue sharing"; the 全兴村 seed case).

Pure functions on plain integers: money in fen, shares of the profit in basis points
(1% = 100 bp), weights as small integers. Every split goes through
:func:`ledger.money.allocate`, so the parts of a profit always add up to it, to the fen.

The order of a distribution:

1. the outside investor takes its share for the contract year (``investor_bp`` of the profit);
2. the collective's part (the rest) is split by the weights, default 3:3:3:1, into the
   shareholders (入股群众), the village public-welfare fund (村级公益金), the project reserve fund
   (项目储备金) and all villagers per capita (所有村民);
3. the shareholders' part is shared pro rata by shares, the per-capita part by household
   members. Households are taken in the order of their keys (household ids), which is also
   the order in which :func:`~ledger.money.allocate` hands out remainder fen on a tie.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ledger.errors import InvalidAmountError, InvalidInputError
from ledger.i18n import N_, _
from ledger.money import MAX_FEN, allocate
from ledger.money import format_fen as _money
from ledger.rules.text import shorten

#: The whole profit, in basis points.
BP_WHOLE = 10_000
#: The longest investor contract the schedule generator accepts, in years.
MAX_CONTRACT_YEARS = 100
#: The most shares, or members, one household can hold (the columns are 32-bit integers on
#: database servers; no village counts anywhere near this).
MAX_HOLDING = 1_000_000
#: Curves the schedule generator knows (see :func:`exit_schedule`).
CURVES = ("linear", "step")
#: The four parts of the collective's share, in the order of the weights.
SPLIT_PARTS = ("shareholders", "public_welfare", "project_reserve", "per_capita")
#: The 3:3:3:1 of 全兴村.
DEFAULT_WEIGHTS = (3, 3, 3, 1)
#: What each part is called on a statement or notice (marked for translation).
PART_LABELS: Mapping[str, str] = {
    "shareholders": N_("Shareholders (by shares)"),
    "public_welfare": N_("Village public-welfare fund"),
    "project_reserve": N_("Project reserve fund"),
    "per_capita": N_("All villagers (per capita)"),
}


def _is_int(value: object) -> bool:
    return type(value) is int


def format_bp(bp: int) -> str:
    """Basis points as a percentage without needless zeros.

    >>> format_bp(7000), format_bp(6300), format_bp(6650), format_bp(6333)
    ('70%', '63%', '66.5%', '63.33%')
    """
    whole, frac = divmod(bp, 100)
    if frac == 0:
        return f"{whole}%"
    return f"{whole}.{frac:02d}".rstrip("0") + "%"


def check_share_bp(bp: int) -> int:
    """``bp`` if it is a whole number of basis points from 0 to 10000; raise otherwise."""
    if not _is_int(bp) or not 0 <= bp <= BP_WHOLE:
        raise InvalidInputError(
            _(
                "An investor share must be between 0% and 100% (0 to 10000 basis points); "
                "got {value}."
            ).format(value=f"{bp} bp ({format_bp(bp)})" if _is_int(bp) else repr(bp))
        )
    return bp


_SHARE = re.compile(r"^(?P<whole>\d{1,6})(?:\.(?P<frac>\d+))?\s*(?P<unit>%|bp)?$", re.IGNORECASE)


def parse_share(text: str) -> int:
    """A share of the profit as a person types it, in basis points: ``70%``, ``63.5%``, ``70``
    (a bare number is a percentage) or ``6300bp``. At most two decimals of a percent.

    >>> parse_share("70%"), parse_share("63.5"), parse_share("6300bp"), parse_share("０%")
    (7000, 6350, 6300, 0)
    """
    clean = unicodedata.normalize("NFKC", str(text)).strip().replace("％", "%")
    match = _SHARE.match(clean)
    frac = (match["frac"] or "") if match else ""
    unit = (match["unit"] or "%").lower() if match else ""
    if match is None or len(frac) > 2 or (unit == "bp" and frac):
        raise InvalidInputError(
            _(
                "“{text}” is not a share of the profit; write a percentage (70%, 63.5%) "
                "or basis points (6300bp)."
            ).format(text=shorten(text))
        )
    bp = (
        int(match["whole"]) if unit == "bp" else int(match["whole"]) * 100 + int(frac.ljust(2, "0"))
    )
    return check_share_bp(bp)


# --------------------------------------------------------------------------------------------
# The capital-exit schedule
# --------------------------------------------------------------------------------------------


def exit_schedule(
    start_bp: int = 7000,
    years: int = 20,
    end_bp: int = 0,
    curve: str = "linear",
    step_years: int | None = None,
) -> list[tuple[int, int]]:
    """The investor's share for each contract year, as ``(contract_year, investor_bp)`` rows.

    ``linear`` (全兴村: "由每年获取整体利润的70%，逐步开始减少"): the share starts at ``start_bp``
    in year 1 and falls by the same step each year so that it would reach ``end_bp`` in the
    year after the last one::

        investor_bp(y) = end_bp + (start_bp − end_bp) × (years + 1 − y) ÷ years

    ``step``: the share is held for ``step_years`` years at a time and then drops, in
    ``⌈years ÷ step_years⌉`` equal stairs towards ``end_bp``; stair k (0, 1, …) holds
    ``end_bp + (start_bp − end_bp) × (stairs − k) ÷ stairs``. With ``step_years`` left out (or
    equal to ``years``) the share is constant, ``start_bp``, for the whole contract: "constant,
    then zero". ``linear`` is ``step`` with one-year stairs.

    **Rounding:** the division is rounded down to a whole basis point, so the investor never
    gets more than the straight line gives. After the last contract year the contract has
    ended and the share is 0 (see :func:`share_for_year`); the rows stop at ``years``.

    >>> exit_schedule()[:3], exit_schedule()[-1]
    ([(1, 7000), (2, 6650), (3, 6300)], (20, 350))

    Raises :class:`InvalidInputError` for shares outside 0–10000 bp, an end above the start
    (capital exits: the investor's share never grows), a length outside 1–100 years, an
    unknown curve or a stair length outside 1–``years``.
    """
    check_share_bp(start_bp)
    check_share_bp(end_bp)
    if end_bp > start_bp:
        raise InvalidInputError(
            _(
                "The investor's share falls as the capital exits: the end share {end} cannot be "
                "above the start share {start}."
            ).format(end=format_bp(end_bp), start=format_bp(start_bp))
        )
    if not _is_int(years) or not 1 <= years <= MAX_CONTRACT_YEARS:
        raise InvalidInputError(
            _("An investor contract lasts 1 to {max} years; got {value}.").format(
                max=MAX_CONTRACT_YEARS, value=years
            )
        )
    if curve not in CURVES:
        raise InvalidInputError(
            _("Unknown curve “{curve}”; choose one of: {choices}.").format(
                curve=shorten(curve), choices=", ".join(CURVES)
            )
        )
    stair = 1 if curve == "linear" else (years if step_years is None else step_years)
    if not _is_int(stair) or not 1 <= stair <= years:
        raise InvalidInputError(
            _("A step of the schedule lasts 1 to {years} years; got {value}.").format(
                years=years, value=step_years
            )
        )
    stairs = -(-years // stair)
    drop = start_bp - end_bp
    return [
        (year, end_bp + drop * (stairs - (year - 1) // stair) // stairs)
        for year in range(1, years + 1)
    ]


def check_schedule_rows(rows: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Rows typed or edited by a person: contract years 1, 2, … n in order, each share valid."""
    clean = [(y, b) for y, b in rows]
    if not clean or len(clean) > MAX_CONTRACT_YEARS:
        raise InvalidInputError(
            _("A capital-exit schedule has 1 to {max} contract years; got {n}.").format(
                max=MAX_CONTRACT_YEARS, n=len(clean)
            )
        )
    for expected, (year, bp) in enumerate(clean, start=1):
        if not _is_int(year) or year != expected:
            raise InvalidInputError(
                _(
                    "The contract years of a schedule run 1, 2, 3 … without gaps; "
                    "year {expected} is missing."
                ).format(expected=expected)
            )
        check_share_bp(bp)
    return clean


def contract_year(contract_start: dt.date, date: dt.date) -> int:
    """Which year of the investor's contract ``date`` falls in: year 1 is the first twelve
    months from ``contract_start``, year 2 starts on the first anniversary, and so on.

    A contract started on 29 February has its anniversary on 1 March in other years.

    >>> contract_year(dt.date(2022, 1, 1), dt.date(2024, 12, 31))
    3
    >>> contract_year(dt.date(2022, 3, 15), dt.date(2023, 3, 14))
    1
    """
    if date < contract_start:
        raise InvalidInputError(
            _("{date} is before the investor's contract started on {start}.").format(
                date=date.isoformat(), start=contract_start.isoformat()
            )
        )
    before_anniversary = (date.month, date.day) < (contract_start.month, contract_start.day)
    return date.year - contract_start.year - int(before_anniversary) + 1


def share_for_year(rows: Mapping[int, int], year: int) -> int:
    """The investor's share in ``year`` from the schedule's rows; 0 after the last row (the
    contract has ended and the collective keeps the whole profit)."""
    if year < 1:
        raise InvalidInputError(_("Contract years start at 1; got {year}.").format(year=year))
    return rows.get(year, 0)


# --------------------------------------------------------------------------------------------
# The split of a profit
# --------------------------------------------------------------------------------------------


def check_weights(weights: Sequence[int]) -> tuple[int, int, int, int]:
    """Four whole, non-negative weights, not all zero (shareholders : welfare : reserve :
    per capita)."""
    values = tuple(weights)
    shown = ":".join(str(w) for w in values)
    if len(values) != len(SPLIT_PARTS) or not all(_is_int(w) for w in values):
        raise InvalidInputError(
            _(
                "The split needs four whole-number weights (shareholders : public welfare : "
                "project reserve : per capita), such as 3:3:3:1; got {weights}."
            ).format(weights=shown or "nothing")
        )
    if any(w < 0 for w in values):
        raise InvalidInputError(
            _("The weights of the split cannot be negative; got {weights}.").format(weights=shown)
        )
    if sum(values) == 0:
        raise InvalidInputError(
            _(
                "The weights of the split are all zero, so the collective's part could not be "
                "shared; use weights such as 3:3:3:1."
            )
        )
    return values[0], values[1], values[2], values[3]


def parse_weights(text: str) -> tuple[int, int, int, int]:
    """``3:3:3:1`` (also ``3,3,3,1`` or ``3：3：3：1``) as four weights."""
    clean = unicodedata.normalize("NFKC", str(text)).strip()
    pieces = [p.strip() for p in re.split(r"[:,]", clean)]
    if len(pieces) != len(SPLIT_PARTS) or not all(re.fullmatch(r"-?\d{1,6}", p) for p in pieces):
        raise InvalidInputError(
            _(
                "“{text}” is not a split; write four whole numbers such as 3:3:3:1 "
                "(shareholders : public welfare : project reserve : per capita)."
            ).format(text=shorten(text))
        )
    return check_weights([int(p) for p in pieces])


def check_holding(value: object) -> int:
    """A household's shares or members: a whole number from 0 to :data:`MAX_HOLDING`."""
    if isinstance(value, int) and _is_int(value) and 0 <= value <= MAX_HOLDING:
        return value
    raise InvalidInputError(
        _("Shares and members are whole numbers, 0 or more and at most {max}; got {value}.").format(
            max=f"{MAX_HOLDING:,}", value=value
        )
    )


def _check_counts(counts: Mapping[int, int], what: str) -> dict[int, int]:
    for key, n in counts.items():
        if not _is_int(n) or n < 0:
            raise InvalidInputError(
                _(
                    "The {what} of household {key} must be a whole number, 0 or more; got {n}."
                ).format(what=_(what), key=key, n=n)
            )
    return {key: counts[key] for key in sorted(counts)}


@dataclass(frozen=True, slots=True)
class Split:
    """A profit shared out: every fen of ``profit_fen`` is in exactly one part.

    ``parts`` holds the four parts of the collective's share by the names of
    :data:`SPLIT_PARTS`; ``dividends`` and ``per_capita`` what each household gets of the
    shareholders' and the per-capita parts (by household key, in key order)."""

    profit_fen: int
    investor_bp: int
    investor_fen: int
    collective_fen: int
    weights: tuple[int, int, int, int]
    parts: dict[str, int]
    dividends: dict[int, int]
    per_capita: dict[int, int]

    @property
    def shareholders_fen(self) -> int:
        return self.parts["shareholders"]

    @property
    def welfare_fen(self) -> int:
        return self.parts["public_welfare"]

    @property
    def reserve_fen(self) -> int:
        return self.parts["project_reserve"]

    @property
    def per_capita_fen(self) -> int:
        return self.parts["per_capita"]


def _pro_rata(total_fen: int, counts: dict[int, int]) -> dict[int, int]:
    if total_fen == 0:
        return dict.fromkeys(counts, 0)
    return dict(zip(counts, allocate(total_fen, list(counts.values())), strict=True))


def split_profit(
    profit_fen: int,
    investor_bp: int,
    weights: Sequence[int] = DEFAULT_WEIGHTS,
    shares: Mapping[int, int] | None = None,
    members: Mapping[int, int] | None = None,
) -> Split:
    """Share out a period's profit: the investor's ``investor_bp``, then the collective's part
    by ``weights``, then the shareholders' part by ``shares`` and the per-capita part by
    ``members`` (both keyed by household id).

    Each step is one :func:`~ledger.money.allocate` (largest remainder; a remainder fen goes
    to the part with the largest remainder, on a tie to the earlier one: investor before
    collective, shareholders before welfare before reserve before per capita, the household
    with the smaller id first).

    Refused: a loss or zero profit (nothing is distributed), a share outside 0–10000 bp, bad
    weights, negative shares or members, and a non-zero shareholders' (per-capita) part with no
    shares (no members) to share it by.
    """
    if not _is_int(profit_fen):
        raise InvalidAmountError(
            _("A profit is a whole number of fen, not {value}.").format(value=repr(profit_fen))
        )
    if profit_fen <= 0:
        raise InvalidInputError(
            _("The profit is {amount} — a loss or zero profit: nothing is distributed.").format(
                amount=_money(profit_fen)
            )
        )
    if profit_fen > MAX_FEN:
        raise InvalidAmountError(
            _("{amount} is beyond the largest amount the ledger keeps.").format(
                amount=_money(profit_fen)
            )
        )
    check_share_bp(investor_bp)
    four = check_weights(weights)
    share_counts = _check_counts(shares or {}, N_("number of shares"))
    member_counts = _check_counts(members or {}, N_("number of members"))
    investor_fen, collective_fen = allocate(profit_fen, [investor_bp, BP_WHOLE - investor_bp])
    parts = dict(zip(SPLIT_PARTS, allocate(collective_fen, list(four)), strict=True))
    if parts["shareholders"] and sum(share_counts.values()) == 0:
        raise InvalidInputError(
            _(
                "No household holds shares, so the shareholders' part of {amount} has no one to "
                "go to; record the households' shares, or set the shareholders' weight to 0."
            ).format(amount=_money(parts["shareholders"]))
        )
    if parts["per_capita"] and sum(member_counts.values()) == 0:
        raise InvalidInputError(
            _(
                "No household has any members, so the per-capita part of {amount} has no one to "
                "go to; record the households' members, or set the per-capita weight to 0."
            ).format(amount=_money(parts["per_capita"]))
        )
    return Split(
        profit_fen=profit_fen,
        investor_bp=investor_bp,
        investor_fen=investor_fen,
        collective_fen=collective_fen,
        weights=four,
        parts=parts,
        dividends=_pro_rata(parts["shareholders"], share_counts),
        per_capita=_pro_rata(parts["per_capita"], member_counts),
    )

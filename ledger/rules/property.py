"""Trust-style property service (信托制物业, 酬金制): the arithmetic, on plain integers.

* Areas are kept in square decimetres (``area_dm2``, 0.01 m²), read exactly from what a person
  types (``"89.56"`` → 8956); no float ever touches an area or an amount.
* A month's fee is ``area_dm2 × rate_fen_per_m2 / 100`` rounded to the fen **half up**.
* Payments settle a unit's bills oldest first; what is left over is a prepayment.
* The remuneration (酬金) and the gift to the micro-fund are shares in basis points, taken with
  :func:`ledger.money.allocate`, the one allocation function of the ledger.
* Rates and percentages for people are computed with integer arithmetic and shown with two
  decimals (half up).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Sequence
from fractions import Fraction

from ledger.errors import InvalidAmountError, InvalidInputError
from ledger.i18n import _
from ledger.money import allocate
from ledger.periods import MONTH, Period
from ledger.rules.text import shorten

#: Basis points in a whole (100% = 10,000 bp).
WHOLE_BP = 10_000
#: The largest exclusive area of one unit the register accepts, in dm² (100,000.00 m²).
MAX_AREA_DM2 = 10_000_000
#: The largest fee rate accepted, in fen per m² per month (¥1,000.00 per m²).
MAX_RATE_FEN_PER_M2 = 100_000

_AREA = re.compile(
    r"(?P<whole>[0-9]+)(?:\.(?P<frac>[0-9]+))?\s*(?:m2|平方米|平米)?",
    re.IGNORECASE,
)


# --- areas ----------------------------------------------------------------------------------


def parse_area(text: str) -> int:
    """Read an exclusive area typed in m² (``"89.56"``, ``"89.5 m²"``, ``"９０平方米"``) as dm².

    >>> parse_area("89.56"), parse_area("72.5"), parse_area("108")
    (8956, 7250, 10800)

    Refuses, with a message quoting the input: anything that is not text (a float would already
    have lost the exact area), more than two decimals, garbage, zero or negative areas, and areas
    beyond :data:`MAX_AREA_DM2`.
    """
    if not isinstance(text, str):
        raise InvalidInputError(
            _(
                'Type the area as text in m², such as "89.56", not {value}: areas are kept '
                "exactly, to 0.01 m²."
            ).format(value=repr(text))
        )
    clean = unicodedata.normalize("NFKC", text).replace("\u2212", "-").strip()
    match = _AREA.fullmatch(clean)
    if match is None:
        if clean.startswith(("-", "+")):
            raise InvalidInputError(
                _("“{text}” is not an area: an exclusive area must be more than zero m².").format(
                    text=shorten(text)
                )
            )
        raise InvalidInputError(
            _("“{text}” is not an area; type it in m², such as 89.56.").format(text=shorten(text))
        )
    frac = match["frac"] or ""
    if len(frac) > 2:
        raise InvalidInputError(
            _("“{text}” has more than two decimal places: areas are kept to 0.01 m².").format(
                text=shorten(text)
            )
        )
    whole = match["whole"].lstrip("0") or "0"
    # Checking the length first keeps int() away from absurdly long digit strings.
    area = MAX_AREA_DM2 + 1 if len(whole) > 7 else int(whole) * 100 + int(frac.ljust(2, "0"))
    check_area(area)
    return area


def check_area(area_dm2: int) -> None:
    """Refuse an area (dm²) that is not a whole number, not more than zero, or absurdly large."""
    if type(area_dm2) is not int:
        raise InvalidInputError(
            _("An area must be a whole number of 0.01 m², not {value}.").format(
                value=repr(area_dm2)
            )
        )
    if area_dm2 <= 0:
        raise InvalidInputError(
            _("An exclusive area must be more than zero m²; got {area} m².").format(
                area=format_area(area_dm2)
            )
        )
    if area_dm2 > MAX_AREA_DM2:
        raise InvalidInputError(
            _("{area} m² is larger than any unit; check the area (at most {max} m²).").format(
                area=format_area(area_dm2), max=format_area(MAX_AREA_DM2)
            )
        )


def format_area(area_dm2: int) -> str:
    """An area in dm² written in m² with two decimals: 8956 → ``"89.56"``."""
    sign = "-" if area_dm2 < 0 else ""
    whole, frac = divmod(abs(area_dm2), 100)
    return f"{sign}{whole}.{frac:02d}"


# --- fee rate and fees ----------------------------------------------------------------------


def check_fee_rate(rate_fen_per_m2: int) -> None:
    """Refuse a fee rate (fen per m² per month) that is not a whole number above zero."""
    if type(rate_fen_per_m2) is not int:
        raise InvalidAmountError(
            _("The fee rate must be a whole number of fen per m², not {value}.").format(
                value=repr(rate_fen_per_m2)
            )
        )
    if rate_fen_per_m2 <= 0:
        raise InvalidAmountError(
            _(
                "The property fee rate must be more than zero per m² per month; got {rate} "
                "fen. Set the rate the owners agreed, such as 2.50."
            ).format(rate=rate_fen_per_m2)
        )
    if rate_fen_per_m2 > MAX_RATE_FEN_PER_M2:
        raise InvalidAmountError(
            _(
                "A fee rate of {rate} fen per m² per month is beyond any real estate's; check it."
            ).format(rate=rate_fen_per_m2)
        )


def monthly_fee(area_dm2: int, rate_fen_per_m2: int) -> int:
    """A unit's fee for one month, in fen: ``area_dm2 × rate / 100``, rounded **half up**.

    The area is in dm² (0.01 m²) and the rate in fen per m² per month, so the exact fee is
    ``area_dm2 × rate / 100`` fen; a remainder of half a fen or more rounds up, less rounds down.
    Integers only:

    >>> monthly_fee(8956, 250)  # 89.56 m² × ¥2.50 = ¥223.90 exactly
    22390
    >>> monthly_fee(8833, 185)  # 88.33 m² × ¥1.85 = ¥163.4105 → ¥163.41
    16341
    """
    check_area(area_dm2)
    check_fee_rate(rate_fen_per_m2)
    return (area_dm2 * rate_fen_per_m2 + 50) // 100


# --- settling bills -------------------------------------------------------------------------


def settle_oldest_first(received_fen: int, bills_fen: Sequence[int]) -> tuple[list[int], int]:
    """Share money received among bills, oldest first; return (paid per bill, left over).

    Each bill is paid in full before the next one gets anything; the last bill reached may be
    paid in part; whatever is left after every bill is paid is a prepayment (预收).

    >>> settle_oldest_first(500, [223, 223, 223])
    ([223, 223, 54], 0)
    >>> settle_oldest_first(1000, [223, 223])
    ([223, 223], 554)
    """
    if type(received_fen) is not int or received_fen < 0:
        raise InvalidAmountError(
            _("Money received must be a whole number of fen, 0 or more; got {value}.").format(
                value=repr(received_fen)
            )
        )
    left = received_fen
    paid: list[int] = []
    for bill in bills_fen:
        part = min(bill, left)
        paid.append(part)
        left -= part
    return paid, left


# --- shares ---------------------------------------------------------------------------------


def check_share_bp(share_bp: int) -> None:
    if type(share_bp) is not int or not 0 <= share_bp <= WHOLE_BP:
        raise InvalidInputError(
            _(
                "A share must be a whole number of basis points from 0 to 10000 (100%); got "
                "{value}."
            ).format(value=repr(share_bp))
        )


def share_of(share_bp: int, total_fen: int) -> int:
    """``share_bp`` basis points of ``total_fen``, by :func:`ledger.money.allocate`.

    The total is split as ``[share, rest]`` with weights ``[share_bp, 10000 − share_bp]``, so
    the share and what is left always add up to the total.

    >>> share_of(3000, 1_897_200)  # 30% of ¥18,972.00 = ¥5,691.60
    569160
    """
    check_share_bp(share_bp)
    return allocate(total_fen, [share_bp, WHOLE_BP - share_bp])[0]


def remuneration(rate_bp: int, basis_fen: int) -> int:
    """The property company's remuneration (酬金): ``rate_bp`` of the basis, in fen.

    >>> remuneration(1500, 12_648_000)  # 15% of ¥126,480.00 = ¥18,972.00
    1897200
    """
    return share_of(rate_bp, basis_fen)


def format_bp(share_bp: int) -> str:
    """Basis points as a percentage with two decimals: 1500 → ``"15.00%"``."""
    whole, frac = divmod(share_bp, 100)
    return f"{whole}.{frac:02d}%"


# --- rates for people -----------------------------------------------------------------------


def rate_fraction(part: int, whole: int) -> Fraction | None:
    """``part / whole`` as an exact fraction, None when the whole is zero."""
    if whole == 0:
        return None
    return Fraction(part, whole)


def percent_text(part: int, whole: int) -> str | None:
    """``part / whole`` as a percentage with two decimals, rounded half up (away from zero),
    computed with integers only; None when the whole is zero.

    >>> percent_text(1_161_600, 1_264_800)  # 91.8406…% → 91.84%
    '91.84%'
    >>> percent_text(1, 8)  # 12.5% exactly
    '12.50%'
    """
    if whole == 0:
        return None
    negative = (part < 0) != (whole < 0)
    num, den = abs(part), abs(whole)
    hundredths = (num * 20_000 + den) // (2 * den)  # half up: floor(x + 1/2)
    text = f"{hundredths // 100}.{hundredths % 100:02d}%"
    return "-" + text if negative and hundredths else text


# --- periods --------------------------------------------------------------------------------


def parse_period(text: str) -> str:
    """A month as typed (``2024-01``, ``2024-1``, ``2024/1``, ``2024年1月``) → ``"2024-01"``."""
    return Period.parse(text, allow=MONTH, earliest=1900).name


def period_bounds(period: str) -> tuple[dt.date, dt.date]:
    """The first and last day of a month ``YYYY-MM``."""
    month = Period.parse(period, allow=MONTH, earliest=1900)
    return month.start, month.end


def period_of(date: dt.date) -> str:
    """The month ``YYYY-MM`` a date falls in."""
    return f"{date.year:04d}-{date.month:02d}"

"""Money: integer fen, parsing what people type, formatting, capital numerals, allocation.

Every amount in the ledger is a whole number of fen (分, 0.01 yuan). There is no float anywhere
in this module: amounts typed by a person are read digit by digit, formatting goes through an
exact :class:`~decimal.Decimal`, and shares are computed with integer division.

Public API:

* :data:`MAX_FEN` – the largest amount (in absolute value) the ledger reads or writes out.
* :class:`Money` – an immutable amount of fen with ``+``, ``-``, ``abs``, ordering and ``sum``.
* :func:`parse_money` – read an amount typed by a person (``"¥1,234.56"``, ``"１２３４.５"`` …).
* :func:`format_money` – show an amount the way the locale does (``¥1,234.56``).
* :func:`to_capital` – Chinese capital numerals for vouchers (``人民币壹仟贰佰叁拾肆元伍角陆分``).
* :func:`allocate` – split a total into integer parts proportional to integer weights.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, localcontext

from babel.numbers import format_currency

from ledger.errors import InvalidAmountError, InvalidInputError
from ledger.i18n import _, babel_locale

__all__ = [
    "MAX_FEN",
    "Money",
    "allocate",
    "format_fen",
    "format_money",
    "parse_money",
    "to_capital",
]

#: The largest amount, in fen, that the ledger reads, writes out or puts in capitals:
#: 10,000,000,000,000.00 yuan (壹拾万亿元). Negative amounts go down to ``-MAX_FEN``.
MAX_FEN = 10**15

#: How much of a refused input is quoted back in an error message.
_QUOTE_LIMIT = 60


def _limit_text() -> str:
    """``MAX_FEN`` as yuan with separators, for messages: ``10,000,000,000,000.00``."""
    return f"{MAX_FEN // 100:,}.{MAX_FEN % 100:02d}"


def _quote(text: str) -> str:
    """The input as quoted in a message, shortened if a person pasted something huge."""
    if len(text) <= _QUOTE_LIMIT:
        return text
    return text[: _QUOTE_LIMIT - 1] + "…"


def _is_int(value: object) -> bool:
    """True for a real ``int`` — not ``bool``, not ``float``, not an int-like subclass."""
    return type(value) is int


# --------------------------------------------------------------------------------------------
# Money
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, order=True)
class Money:
    """An amount of money as a whole number of fen (分). Immutable, hashable and ordered.

    >>> Money(150) + Money.from_yuan(2)
    Money(fen=350)
    >>> sum([Money(1), Money(2)])
    Money(fen=3)
    >>> -Money(5), abs(Money(-5)), bool(Money.zero())
    (Money(fen=-5), Money(fen=5), False)

    ``Money`` itself is not bounded by :data:`MAX_FEN` (a running total may pass it); the
    functions that read or write amounts for people are.
    """

    fen: int

    def __post_init__(self) -> None:
        if not _is_int(self.fen):
            raise InvalidAmountError(
                _("An amount of money is a whole number of fen, not {value}.").format(
                    value=repr(self.fen)
                )
            )

    @classmethod
    def zero(cls) -> Money:
        return cls(0)

    @classmethod
    def from_yuan(cls, yuan: int) -> Money:
        """A whole number of yuan (元). For yuan and fen, use :func:`parse_money` or fen."""
        if not _is_int(yuan):
            raise InvalidAmountError(
                _("A number of yuan must be a whole number, not {value}.").format(value=repr(yuan))
            )
        return cls(yuan * 100)

    def __add__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        return Money(self.fen + other.fen)

    def __radd__(self, other: int) -> Money:
        # ``sum()`` starts from the integer 0; nothing else is added to money from the left.
        if _is_int(other) and other == 0:
            return self
        return NotImplemented

    def __sub__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        return Money(self.fen - other.fen)

    def __neg__(self) -> Money:
        return Money(-self.fen)

    def __pos__(self) -> Money:
        return self

    def __abs__(self) -> Money:
        return Money(abs(self.fen))

    def __bool__(self) -> bool:
        return self.fen != 0


# --------------------------------------------------------------------------------------------
# Reading what people type
# --------------------------------------------------------------------------------------------

_GROUPED = r"[1-9][0-9]{0,2}(?:,[0-9]{3})+"
#: What may come before the yuan: an optional sign, an optional currency sign, an optional
#: second sign, each followed by optional spaces. Every optional part begins with a character
#: that is not a space, so a run of spaces can be read in one way only: a pattern with
#: ``\s*`` on both sides of an empty optional part tries every split of the run, which takes
#: time growing with the cube of its length (2,000 pasted spaces: 24 s).
_PREFIX = (
    r"(?:(?P<sign1>[+-])\s*)?(?:(?P<currency>CN¥|¥|RMB|CNY|人民币)\s*)?(?:(?P<sign2>[+-])\s*)?"
)

#: An amount after NFKC normalisation and stripping: an optional sign (before or after the
#: currency sign, not both), an optional currency sign, the whole yuan (plain digits or
#: correctly grouped in threes), optional decimals and an optional trailing 元.
_AMOUNT = re.compile(
    _PREFIX + r"(?P<whole>[0-9]+|" + _GROUPED + r")(?:\.(?P<frac>[0-9]+))?\s*(?P<yuan>元)?",
    re.IGNORECASE,
)
#: An amount with nothing before the decimal point, such as ``.5``.
_NO_WHOLE_YUAN = re.compile(_PREFIX + r"\.[0-9]+\s*元?", re.IGNORECASE)
#: The same with commas anywhere in the whole yuan: tells badly placed separators apart.
_LOOSE_GROUPING = re.compile(_PREFIX + r"[0-9][0-9,]*(?:\.[0-9]+)?\s*元?", re.IGNORECASE)


def _odd_digit(text: str) -> bool:
    """Whether ``text`` holds a digit other than 0-9 and full-width ０-９ (superscripts,
    circled numbers …), which NFKC would quietly turn into ordinary digits: ``1²`` is a slip,
    not 12 yuan."""
    return any(
        not "０" <= ch <= "９" and any("0" <= c <= "9" for c in unicodedata.normalize("NFKC", ch))
        for ch in text
        if not ch.isascii()
    )


def parse_money(text: str) -> Money:
    """Read an amount of money typed by a person.

    Accepted (surrounding whitespace ignored, full-width characters read as their ASCII
    equivalents): ``1234``, ``1,234.5``, ``¥1,234.56``, ``￥1234``, ``CN¥1,234.56``,
    ``RMB 12``, ``CNY 12``, ``人民币12``, ``12元``, ``１，２３４．５０``, and a leading ``-`` or
    ``+`` before or after the currency sign (``-¥1,234.56`` is what :func:`format_money`
    writes). At most two decimals; thousands separators, if any, must group in threes.

    >>> parse_money("¥1,234.5")
    Money(fen=123450)
    >>> parse_money("-CN¥0.07")
    Money(fen=-7)

    Raises :class:`InvalidAmountError` for anything else, with a message quoting the input.
    """
    if not isinstance(text, str):
        raise InvalidAmountError(
            _(
                '{value} is not text. Type the amount as text, such as "12.50", so that '
                "no fen is lost to rounding."
            ).format(value=repr(text))
        )
    quoted = _quote(text)
    normal = unicodedata.normalize("NFKC", text).replace("\u2212", "-").strip()
    if not normal:
        raise InvalidAmountError(
            _('No amount was given ("{text}"). Type an amount such as "12.50".').format(text=quoted)
        )
    if _odd_digit(text):
        raise InvalidAmountError(
            _(
                '"{text}" is not an amount of money: type it with the digits 0 to 9, as in '
                '"1234.50" (superscripts and circled numbers are not read).'
            ).format(text=quoted)
        )
    match = _AMOUNT.fullmatch(normal)
    if match is None or (match["sign1"] and match["sign2"]):
        if match is None and "," in normal and _LOOSE_GROUPING.fullmatch(normal):
            raise InvalidAmountError(
                _(
                    '"{text}" is not an amount of money: thousands separators must divide '
                    'the yuan into groups of three digits, as in "1,234,567.89".'
                ).format(text=quoted)
            )
        if match is None and _NO_WHOLE_YUAN.fullmatch(normal):
            raise InvalidAmountError(
                _(
                    '"{text}" is not an amount of money: write a digit before the decimal '
                    'point, as in "0.50".'
                ).format(text=quoted)
            )
        raise InvalidAmountError(
            _('"{text}" is not an amount of money. Type an amount such as "1234.50".').format(
                text=quoted
            )
        )
    frac = match["frac"] or ""
    if len(frac) > 2:
        raise InvalidAmountError(
            _(
                '"{text}" has more than two decimal places: amounts are kept to the fen '
                "(0.01 yuan)."
            ).format(text=quoted)
        )
    whole = match["whole"].replace(",", "").lstrip("0") or "0"
    # Checking the length first keeps int() away from absurdly long digit strings.
    fen = int(whole) * 100 + int(frac.ljust(2, "0")) if len(whole) <= 14 else MAX_FEN + 1
    if fen > MAX_FEN:
        raise InvalidAmountError(
            _(
                '"{text}" is beyond the largest amount the ledger keeps, {limit} yuan either way.'
            ).format(text=quoted, limit=_limit_text())
        )
    negative = "-" in (match["sign1"], match["sign2"])
    return Money(-fen if negative else fen)


# --------------------------------------------------------------------------------------------
# Showing amounts
# --------------------------------------------------------------------------------------------


def format_money(m: Money, locale: str = "zh_CN") -> str:
    """The amount as the locale writes yuan, always with two decimals.

    ``¥1,234.56`` and ``-¥1,234.56`` in ``zh_CN``; ``CN¥1,234.56`` in ``en``. The result reads
    back with :func:`parse_money` to the same amount.
    """
    # A Decimal built from a string is exact (no context rounding), whatever the size; babel's
    # rounding to two places runs in the current context, whose default 28 digits would fail
    # (InvalidOperation) on a running total or a refused amount of 10**28 fen or more.
    with localcontext() as context:
        context.prec = max(context.prec, m.fen.bit_length() * 10 // 33 + 6)
        return format_currency(Decimal(f"{m.fen}E-2"), "CNY", locale=locale)


def format_fen(fen: int) -> str:
    """An amount in fen as the current interface language writes it (messages, tables)."""
    return format_money(Money(fen), babel_locale())


# --------------------------------------------------------------------------------------------
# Capital numerals (大写金额)
# --------------------------------------------------------------------------------------------

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_UNITS = ("仟", "佰", "拾", "")


def _group(n: int) -> str:
    """1 ≤ n ≤ 9999 in capitals: one 零 for each inner run of zeros, trailing zeros dropped."""
    out: list[str] = []
    pending_zero = False
    for digit_char, unit in zip(f"{n:04d}", _UNITS, strict=True):
        digit = int(digit_char)
        if digit == 0:
            pending_zero = bool(out)
            continue
        if pending_zero:
            out.append("零")
            pending_zero = False
        out.append(_DIGITS[digit] + unit)
    return "".join(out)


def _part(n: int) -> str:
    """1 ≤ n ≤ 10**13 whole yuan in capitals, with sections 万 and 亿."""
    if n >= 10**8:
        high, rest = divmod(n, 10**8)
        zero = "零" if 0 < rest < 10**7 else ""
        return _part(high) + "亿" + zero + (_part(rest) if rest else "")
    if n >= 10**4:
        high, rest = divmod(n, 10**4)
        zero = "零" if 0 < rest < 1000 else ""
        return _group(high) + "万" + zero + (_group(rest) if rest else "")
    return _group(n)


def to_capital(fen: int | Money) -> str:
    """The amount in Chinese capital numerals, as written on receipts and vouchers.

    Follows the PBoC 《正确填写票据和结算凭证的基本规定》: ``人民币`` first; 整 after 元 only
    when there are no 角 and 分; one 零 for each run of zeros inside the number, except zeros
    that only end a 万 or 亿 section (壹拾万柒仟, 壹亿壹仟万); 零 after 元 when the units of
    yuan or the 角 are zero and a smaller unit follows (壹拾元零壹角, 壹元零伍分); 壹拾, never
    a bare 拾; no 元 and no leading 零 below one yuan.

    >>> to_capital(168032)
    '人民币壹仟陆佰捌拾元零叁角贰分'
    >>> to_capital(56)
    '人民币伍角陆分'

    Negative amounts, amounts beyond :data:`MAX_FEN` and non-integers are refused with
    :class:`InvalidAmountError`.
    """
    value = fen.fen if isinstance(fen, Money) else fen
    if not _is_int(value):
        raise InvalidAmountError(
            _("Capital numerals are written for a whole number of fen, not {value}.").format(
                value=repr(value)
            )
        )
    if value < 0:
        raise InvalidAmountError(
            _(
                "Capital numerals are written only for amounts of zero or more; "
                "{value} fen is negative."
            ).format(value=value)
        )
    if value > MAX_FEN:
        raise InvalidAmountError(
            _("{value} fen is beyond the largest amount written in capitals, {limit} yuan.").format(
                value=value, limit=_limit_text()
            )
        )
    yuan, cents = divmod(value, 100)
    jiao, fen_digit = divmod(cents, 10)
    if cents == 0:
        return "人民币" + (_part(yuan) if yuan else "零") + "元整"
    out = ["人民币"]
    if yuan:
        out.append(_part(yuan) + "元")
        if yuan % 10 == 0 or jiao == 0:
            out.append("零")
    if jiao:
        out.append(_DIGITS[jiao] + "角")
    if fen_digit:
        out.append(_DIGITS[fen_digit] + "分")
    return "".join(out)


# --------------------------------------------------------------------------------------------
# Allocation
# --------------------------------------------------------------------------------------------


def allocate(total_fen: int, weights: Sequence[int]) -> list[int]:
    """Split ``total_fen`` into integer parts proportional to ``weights``; parts sum to the total.

    This is the one way the ledger divides money (a 15% fee, a 30% gift, a 3:3:3:1 split …).
    It is the largest-remainder (Hamilton) method:

    1. each part first gets the floor of its exact share, ``total_fen * w // sum(weights)``;
    2. the fen left over (fewer than the number of parts) go one each to the parts with the
       largest remainders ``total_fen * w % sum(weights)``;
    3. **tie-break:** among equal remainders, the part that comes *earlier* in ``weights``
       gets the fen first.

    Every part is therefore within one fen of its exact share, and a zero weight always gets
    0. A negative total is split as the negation of splitting its absolute value, so a
    refund mirrors the original split exactly.

    >>> allocate(100, [1, 1, 1])
    [34, 33, 33]
    >>> allocate(1000, [3, 3, 3, 1])
    [300, 300, 300, 100]
    >>> allocate(1001, [15, 85])
    [150, 851]
    >>> allocate(-100, [1, 1, 1])
    [-34, -33, -33]

    Raises :class:`InvalidAmountError` if the total is not an ``int``, and
    :class:`InvalidInputError` for no weights, a weight that is not an ``int`` (floats and
    bools included), a negative weight, or weights that are all zero.
    """
    if not _is_int(total_fen):
        raise InvalidAmountError(
            _("The amount to share out must be a whole number of fen, not {value}.").format(
                value=repr(total_fen)
            )
        )
    shares = list(weights)
    if not shares:
        raise InvalidInputError(_("An amount cannot be shared out among no one: no weights."))
    for weight in shares:
        if not _is_int(weight):
            raise InvalidInputError(
                _("The weights of a split must be whole numbers, not {value}.").format(
                    value=repr(weight)
                )
            )
        if weight < 0:
            raise InvalidInputError(
                _("The weights of a split cannot be negative: {value}.").format(value=weight)
            )
    total_weight = sum(shares)
    if total_weight == 0:
        raise InvalidInputError(
            _("The weights of a split are all zero, so there is nothing to share by.")
        )
    if total_fen < 0:
        return [-part for part in allocate(-total_fen, shares)]
    parts: list[int] = []
    remainders: list[int] = []
    for weight in shares:
        part, remainder = divmod(total_fen * weight, total_weight)
        parts.append(part)
        remainders.append(remainder)
    leftover = total_fen - sum(parts)
    order = sorted(range(len(shares)), key=lambda i: (-remainders[i], i))
    for i in order[:leftover]:
        parts[i] += 1
    return parts

"""Tests of ledger.money: Money, parse_money, format_money, to_capital, allocate."""

from __future__ import annotations

import doctest
import itertools
import re
from collections.abc import Iterator
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger import money
from ledger.errors import InvalidAmountError, InvalidInputError
from ledger.i18n import current_language, set_language
from ledger.money import MAX_FEN, Money, allocate, format_money, parse_money, to_capital

LOCALES = ["zh_CN", "en"]


@pytest.fixture(autouse=True, scope="module")
def _english_messages() -> Iterator[None]:
    """Messages in English, so that the tests can look for words in them."""
    before = current_language()
    set_language("en")
    yield
    set_language(before)


amounts = st.integers(min_value=-MAX_FEN, max_value=MAX_FEN)


def test_docstring_examples() -> None:
    result = doctest.testmod(money)
    assert result.attempted > 0
    assert result.failed == 0


# --------------------------------------------------------------------------------------------
# Money
# --------------------------------------------------------------------------------------------


def test_money_arithmetic() -> None:
    a, b = Money(150), Money(-20)
    assert a + b == Money(130)
    assert a - b == Money(170)
    assert -a == Money(-150)
    assert +a == a
    assert abs(b) == Money(20)
    assert Money.zero() == Money(0)
    assert Money.from_yuan(12) == Money(1200)
    assert b < Money.zero() < a
    assert max(a, b) == a
    assert not Money.zero()
    assert Money(1)
    assert sum([Money(1), Money(2), Money(3)]) == Money(6)
    assert sum([], Money.zero()) == Money(0)
    assert {Money(5), Money(5)} == {Money(5)}


@pytest.mark.parametrize("bad", [1.0, 1.5, True, False, "12", None])
def test_money_refuses_non_int(bad: object) -> None:
    with pytest.raises(InvalidAmountError):
        Money(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [1.0, True, "3"])
def test_from_yuan_refuses_non_int(bad: object) -> None:
    with pytest.raises(InvalidAmountError):
        Money.from_yuan(bad)  # type: ignore[arg-type]


def test_money_is_frozen() -> None:
    m = Money(1)
    with pytest.raises(AttributeError):
        m.fen = 2  # type: ignore[misc]


def test_money_does_not_mix_with_numbers() -> None:
    with pytest.raises(TypeError):
        Money(1) + 1  # type: ignore[operator]
    with pytest.raises(TypeError):
        1 + Money(1)  # only 0 (for sum) may be added from the left
    with pytest.raises(TypeError):
        Money(1) < 2  # type: ignore[operator]  # noqa: B015


# --------------------------------------------------------------------------------------------
# parse_money
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "fen"),
    [
        ("1234", 123400),
        ("0", 0),
        ("-0", 0),
        ("0.01", 1),
        ("12.5", 1250),
        ("12.50", 1250),
        ("1,234.5", 123450),
        ("1,234,567.89", 123456789),
        ("¥1,234.56", 123456),
        ("￥1234", 123400),
        ("CN¥1,234.56", 123456),
        ("RMB 12", 1200),
        ("rmb12", 1200),
        ("CNY 12.30", 1230),
        ("人民币12", 1200),
        ("12元", 1200),
        ("12.5 元", 1250),
        ("  ¥ 7  ", 700),
        ("１２３４.５", 123450),
        ("１，２３４．５０", 123450),
        ("￥１，２３４．５６元", 123456),
        ("－１２", -1200),
        ("-12", -1200),
        ("+12", 1200),
        ("-¥1,234.56", -123456),
        ("-CN¥1,234.56", -123456),
        ("¥-5", -500),
        ("\u22125", -500),
        ("007", 700),
        ("10,000,000,000,000.00", MAX_FEN),
        ("-10000000000000", -MAX_FEN),
    ],
)
def test_parse_accepts(text: str, fen: int) -> None:
    assert parse_money(text) == Money(fen)


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("", "No amount"),
        ("   ", "No amount"),
        ("\u3000", "No amount"),
        ("1.234", "fen"),
        ("1.230", "fen"),
        ("０.００１", "fen"),
        ("abc", "not an amount"),
        ("1.2.3", "not an amount"),
        ("1e5", "not an amount"),
        ("12,34", "groups of three"),
        ("1,2345", "groups of three"),
        ("1,", "groups of three"),
        ("0,123", "groups of three"),
        ("--5", "not an amount"),
        ("-¥-5", "not an amount"),
        ("+-5", "not an amount"),
        ("¥", "not an amount"),
        ("5¥", "not an amount"),
        ("nan", "not an amount"),
        ("inf", "not an amount"),
        ("-inf", "not an amount"),
        (".5", "digit before the decimal point"),
        ("¥.50", "digit before the decimal point"),
        ("12.", "not an amount"),
        ("1 234", "not an amount"),
        ("$12", "not an amount"),
        ("0x10", "not an amount"),
        ("1_000", "not an amount"),
        ("١٢", "not an amount"),  # Arabic-Indic digits are not ASCII digits after NFKC
        ("10000000000000.01", "10,000,000,000,000.00"),
        ("-10000000000000.01", "10,000,000,000,000.00"),
        ("99999999999999999999", "10,000,000,000,000.00"),
    ],
)
def test_parse_refuses(text: str, hint: str) -> None:
    with pytest.raises(InvalidAmountError) as excinfo:
        parse_money(text)
    message = str(excinfo.value)
    assert f'"{text}"' in message or f"({text})" in message or f'("{text}")' in message
    assert hint in message


def test_parse_refuses_float_argument() -> None:
    with pytest.raises(InvalidAmountError) as excinfo:
        parse_money(12.5)  # type: ignore[arg-type]
    message = str(excinfo.value)
    assert "12.5" in message
    assert "as text" in message
    assert '"12.50"' in message


@pytest.mark.parametrize("bad", [12, None, b"12", True])
def test_parse_refuses_non_str(bad: object) -> None:
    with pytest.raises(InvalidAmountError, match="as text"):
        parse_money(bad)  # type: ignore[arg-type]


def test_parse_quotes_long_input_shortened() -> None:
    text = "9" * 10_000
    with pytest.raises(InvalidAmountError) as excinfo:
        parse_money(text)
    assert len(str(excinfo.value)) < 200


@given(st.text())
def test_parse_either_reads_or_refuses_cleanly(text: str) -> None:
    try:
        m = parse_money(text)
    except InvalidAmountError:
        return
    assert -MAX_FEN <= m.fen <= MAX_FEN


@given(amounts)
def test_parse_plain_text_round_trip(fen: int) -> None:
    yuan, cents = divmod(abs(fen), 100)
    sign = "-" if fen < 0 else ""
    assert parse_money(f"{sign}{yuan}.{cents:02d}") == Money(fen)
    assert parse_money(f"{sign}{yuan:,}.{cents:02d}元") == Money(fen)


# --------------------------------------------------------------------------------------------
# format_money
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fen", "locale", "text"),
    [
        (123456, "zh_CN", "¥1,234.56"),
        (123456, "en", "CN¥1,234.56"),
        (-123456, "zh_CN", "-¥1,234.56"),
        (-123456, "en", "-CN¥1,234.56"),
        (0, "zh_CN", "¥0.00"),
        (5, "zh_CN", "¥0.05"),
        (100, "en", "CN¥1.00"),
        (MAX_FEN, "zh_CN", "¥10,000,000,000,000.00"),
    ],
)
def test_format_money(fen: int, locale: str, text: str) -> None:
    assert format_money(Money(fen), locale) == text


def test_format_money_default_locale_is_chinese() -> None:
    assert format_money(Money(123456)) == "¥1,234.56"


@settings(max_examples=200)
@given(amounts, st.sampled_from(LOCALES))
def test_format_parse_round_trip(fen: int, locale: str) -> None:
    text = format_money(Money(fen), locale)
    assert re.search(r"\.\d\d$", text)
    assert parse_money(text) == Money(fen)


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("fen", [-MAX_FEN, -1, 0, 1, 99, 100, MAX_FEN - 1, MAX_FEN])
def test_format_parse_round_trip_edges(fen: int, locale: str) -> None:
    assert parse_money(format_money(Money(fen), locale)) == Money(fen)


# --------------------------------------------------------------------------------------------
# to_capital
# --------------------------------------------------------------------------------------------

CAPITAL_EXAMPLES = [
    (123456, "人民币壹仟贰佰叁拾肆元伍角陆分"),
    (100, "人民币壹元整"),
    (0, "人民币零元整"),
    (1000, "人民币壹拾元整"),
    (56, "人民币伍角陆分"),
    (5, "人民币伍分"),
    (50, "人民币伍角"),
    (168032, "人民币壹仟陆佰捌拾元零叁角贰分"),
    (10700053, "人民币壹拾万柒仟元零伍角叁分"),
    (1640902, "人民币壹万陆仟肆佰零玖元零贰分"),
    (32504, "人民币叁佰贰拾伍元零肆分"),
    (10001000, "人民币壹拾万零壹拾元整"),
    (100000000000, "人民币壹拾亿元整"),
    (10000000100, "人民币壹亿零壹元整"),
    (1234500000000, "人民币壹佰贰拾叁亿肆仟伍佰万元整"),
    (10**15, "人民币壹拾万亿元整"),
    (12345, "人民币壹佰贰拾叁元肆角伍分"),
    (100100, "人民币壹仟零壹元整"),
    # The units of yuan are 0 and the 角 is not: 零 after 元, as for ¥1,680.32 above.
    (1010, "人民币壹拾元零壹角"),
    (1001, "人民币壹拾元零壹分"),
    (101, "人民币壹元零壹分"),
    (110, "人民币壹元壹角"),
    (1500, "人民币壹拾伍元整"),
    (100000, "人民币壹仟元整"),
    (100100100, "人民币壹佰万壹仟零壹元整"),
    (1000000100, "人民币壹仟万零壹元整"),
    (10010000000, "人民币壹亿零壹拾万元整"),
    (11000000000, "人民币壹亿壹仟万元整"),
    (100000100000, "人民币壹拾亿零壹仟元整"),
    (10**14 + 10**12, "人民币壹万零壹佰亿元整"),
    (10**14 + 10**11, "人民币壹万零壹拾亿元整"),
    (10**14 + 10**10, "人民币壹万零壹亿元整"),
    (10**14 + 10**9, "人民币壹万亿壹仟万元整"),
    (10**14 + 10**8, "人民币壹万亿零壹佰万元整"),
    (10**14 + 10**5, "人民币壹万亿零壹仟元整"),
    (10**14 + 2, "人民币壹万亿元零贰分"),
    (999999999999999, "人民币玖万玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
]


@pytest.mark.parametrize(("fen", "text"), CAPITAL_EXAMPLES)
def test_to_capital_examples(fen: int, text: str) -> None:
    assert to_capital(fen) == text
    assert to_capital(Money(fen)) == text


@pytest.mark.parametrize(
    ("bad", "hint"),
    [
        (-1, "negative"),
        (Money(-100), "negative"),
        (MAX_FEN + 1, "10,000,000,000,000.00"),
        (1.0, "whole number"),
        (True, "whole number"),
        ("100", "whole number"),
    ],
)
def test_to_capital_refuses(bad: object, hint: str) -> None:
    with pytest.raises(InvalidAmountError, match=re.escape(hint)):
        to_capital(bad)  # type: ignore[arg-type]


# An independent reader of capital numerals, strict about where 零 may and must stand. It does
# not follow to_capital's recursion: it works out the decimal position of every non-zero digit
# and then checks each gap between two neighbouring digits against the written rule.

_CAP_DIGITS = {c: i for i, c in enumerate("零壹贰叁肆伍陆柒捌玖")}
_CAP_UNITS = {"拾": 1, "佰": 2, "仟": 3}


def _needs_zero(high: int, low: int) -> bool:
    """Must one 零 stand between non-zero digits at decimal positions ``high`` > ``low``?

    Positions count yuan (0 = 元, 1 = 拾 …; -1 = 角, -2 = 分). Zeros at the end of a section
    (万, 亿) are absorbed by the section's name; any other run of zeros is written as one 零.
    """
    if high - low == 1:
        return False
    if low < 0:  # the run reaches the units of yuan or the 角
        return True
    if high >= 8 > low:  # across 亿
        return low < 7
    base = 8 if low >= 8 else 0
    if high >= base + 4 > low:  # across 万 (or 万亿)
        return low < base + 3
    return True  # inside one group of four


def parse_capital(text: str) -> int:
    """Read ``人民币…`` back to fen, refusing anything that breaks the rules (AssertionError)."""
    assert text.startswith("人民币"), text
    body = text[3:]
    if body == "零元整":
        return 0
    whole_only = body.endswith("整")
    if whole_only:
        assert body.endswith("元整"), text
        body = body[:-1]
    tokens = list(body)
    # Right to left, give every non-zero digit its decimal position.
    positions: dict[int, int] = {}  # token index -> position
    pending: int | None = None  # position of the digit expected just to the left
    offset: int | None = None  # position of the current section (元 0, 万 4, 亿 8, 万亿 12)
    seen_yi = False
    for i in range(len(tokens) - 1, -1, -1):
        ch = tokens[i]
        if ch in "角分":
            assert offset is None, text
            assert pending is None, text
            pending = -1 if ch == "角" else -2
        elif ch == "元":
            assert offset is None, text
            assert pending is None, text
            offset = pending = 0
        elif ch in "万亿":
            assert offset is not None, text
            if ch == "亿":
                assert not seen_yi, text
                seen_yi, offset = True, 8
            else:
                assert offset in (0, 8), text
                offset = 12 if seen_yi else 4
            pending = offset
        elif ch in _CAP_UNITS:
            assert offset is not None, text
            pending = offset + _CAP_UNITS[ch]
        elif ch == "零":
            pass
        else:
            assert ch in _CAP_DIGITS, text
            assert pending is not None, text
            positions[i] = pending
            pending = None
    assert positions, text
    order = sorted(positions)
    digit_positions = [positions[i] for i in order]
    assert digit_positions == sorted(digit_positions, reverse=True), text
    assert len(set(digit_positions)) == len(digit_positions), text
    # Every marker directly follows a digit, or (万, 亿, 元) a smaller marker of the number.
    may_follow = {"拾": "", "佰": "", "仟": "", "角": "", "分": "", "万": "拾佰仟"}
    may_follow |= {"亿": "拾佰仟万", "元": "拾佰仟万亿"}
    for i, ch in enumerate(tokens):
        if ch in may_follow:
            assert i - 1 in positions or (i > 0 and tokens[i - 1] in may_follow[ch]), text
    # No 零 before the first digit or after the last one; between digits exactly as required.
    assert "零" not in tokens[: order[0]], text
    assert "零" not in tokens[order[-1] :], text
    for left, right in itertools.pairwise(order):
        zeros = tokens[left:right].count("零")
        expected = 1 if _needs_zero(positions[left], positions[right]) else 0
        assert zeros == expected, (text, positions[left], positions[right])
    has_fraction = digit_positions[-1] < 0
    assert whole_only != has_fraction, text
    # 元 is written exactly when there are whole yuan.
    assert ("元" in tokens) == (digit_positions[0] >= 0), text
    return sum(_CAP_DIGITS[tokens[i]] * 10 ** (positions[i] + 2) for i in order)


@pytest.mark.parametrize(("fen", "text"), CAPITAL_EXAMPLES)
def test_capital_parser_reads_examples(fen: int, text: str) -> None:
    assert parse_capital(text) == fen


@pytest.mark.parametrize(
    "text",
    [
        "人民币拾元整",  # bare 拾
        "人民币壹拾元壹角",  # missing 零 after 元 (units of yuan are zero)
        "人民币壹佰零零壹元整",  # 零零
        "人民币壹佰壹元整",  # missing 零
        "人民币壹拾万零柒仟元零伍角叁分",  # spurious 零 (万 absorbs the zero)
        "人民币壹元伍角整",  # 整 after 角
        "人民币壹元",  # neither 整 nor fraction
        "人民币零伍角",  # leading 零
        "人民币零元伍角",  # 元 without yuan
        "人民币壹拾元零",  # trailing 零
        "壹元整",  # no 人民币
        "人民币壹亿万元整",  # 亿万
        "人民币壹万万元整",  # 万万
    ],
)
def test_capital_parser_refuses_bad_writing(text: str) -> None:
    with pytest.raises(AssertionError):
        parse_capital(text)


@st.composite
def zero_heavy_fen(draw: st.DrawFn) -> int:
    """Amounts with many zeros, where the 零 rules matter."""
    digits = draw(st.lists(st.sampled_from("0000000123456789"), min_size=1, max_size=16))
    return min(int("".join(digits)), MAX_FEN)


capital_amounts = st.one_of(st.integers(min_value=0, max_value=MAX_FEN), zero_heavy_fen())


@settings(max_examples=200)
@given(capital_amounts)
def test_to_capital_properties(fen: int) -> None:
    text = to_capital(fen)
    assert text.startswith("人民币")
    assert "零零" not in text
    assert not text.endswith("零")
    assert "元零整" not in text
    assert parse_capital(text) == fen


# --------------------------------------------------------------------------------------------
# allocate
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "weights", "parts"),
    [
        (100, [1, 1, 1], [34, 33, 33]),
        (1000, [3, 3, 3, 1], [300, 300, 300, 100]),
        (1001, [15, 85], [150, 851]),
        (-100, [1, 1, 1], [-34, -33, -33]),
        (0, [1, 2], [0, 0]),
        (5, [0, 1, 0], [0, 5, 0]),
        (2, [1, 1, 1], [1, 1, 0]),  # ties go to the earlier positions
        (1, [0, 1, 1], [0, 1, 0]),
        (10, [1, 2], [3, 7]),  # 3.33… and 6.66…: the larger remainder gets the fen
        (7, [7], [7]),
        (100, (30, 70), [30, 70]),
    ],
)
def test_allocate_examples(total: int, weights: list[int], parts: list[int]) -> None:
    assert allocate(total, weights) == parts


@pytest.mark.parametrize(
    ("total", "weights", "error"),
    [
        (100, [], InvalidInputError),
        (100, [1, -1], InvalidInputError),
        (100, [0, 0], InvalidInputError),
        (100, [1.5, 1], InvalidInputError),
        (100, [1.0], InvalidInputError),
        (100, [True, False], InvalidInputError),
        (100, ["1"], InvalidInputError),
        (100.0, [1], InvalidAmountError),
        (True, [1], InvalidAmountError),
        ("100", [1], InvalidAmountError),
        (Money(100), [1], InvalidAmountError),
    ],
)
def test_allocate_refuses(total: object, weights: list[object], error: type[Exception]) -> None:
    with pytest.raises(error) as excinfo:
        allocate(total, weights)  # type: ignore[arg-type]
    assert str(excinfo.value)


totals = st.integers(min_value=-(10**18), max_value=10**18)
weight_lists = st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=12).filter(
    any
)


@settings(max_examples=200)
@given(totals, weight_lists)
def test_allocate_properties(total: int, weights: list[int]) -> None:
    parts = allocate(total, weights)
    assert len(parts) == len(weights)
    assert sum(parts) == total
    whole = sum(weights)
    for part, weight in zip(parts, weights, strict=True):
        assert abs(part - Fraction(total * weight, whole)) < 1
        if weight == 0:
            assert part == 0
    assert allocate(total, weights) == parts
    assert allocate(-total, weights) == [-p for p in parts]


@given(totals, st.integers(min_value=1, max_value=50), st.integers(min_value=1, max_value=100))
def test_allocate_equal_weights_differ_by_at_most_one(total: int, n: int, weight: int) -> None:
    parts = allocate(total, [weight] * n)
    assert max(parts) - min(parts) <= 1
    # Ties go to the earlier positions: the parts larger in size come first.
    sizes = [abs(part) for part in parts]
    assert sizes == sorted(sizes, reverse=True)

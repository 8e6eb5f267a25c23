"""Rules of a community micro-fund (社区微基金) on plain values: receipt numbers, where a
donation or an expense is posted, restricted (限定性) money, maker-checker, points, budgets.

Restricted money: a donor may designate a *purpose* for a donation, either an activity of the
book (its name, e.g. ``重阳宴``) or a spending category (``environment`` …). Money restricted to
an activity pays only expenses of that activity; money restricted to a category pays only
expenses of that category; and never more than what is left of it.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from ledger.charts import (
    DONATION_INCOME_BY_SOURCE,
    MICRO_FUND_BANK,
    MICRO_FUND_CASH,
    MICRO_FUND_EXPENSE_BY_CATEGORY,
    chart_for,
)
from ledger.domain import BookKind
from ledger.errors import InvalidAmountError, InvalidInputError
from ledger.i18n import _, babel_locale, is_chinese
from ledger.money import MAX_FEN, Money, format_money

#: First character of a donation receipt number: ``捐-2024-0001`` (like ``记-2024-0001``).
RECEIPT_PREFIX = "捐"

#: Where a donation is paid in (Dr) or an expense paid from (Cr).
MONEY_ACCOUNTS: Mapping[str, str] = MappingProxyType(
    {"bank": MICRO_FUND_BANK, "cash": MICRO_FUND_CASH}
)

#: The category whose beneficiaries must never appear in anything a notice can show.
HARDSHIP = "hardship"
#: The category of goods bought for residents' points redemption (积分兑换).
POINTS_REDEMPTION = "points_redemption"

#: The fixed public memo of every hardship payment (困难帮扶), followed by the month.
HARDSHIP_MEMO = "困难帮扶"

#: The most points one line of a household's points ledger may carry.
MAX_POINTS = 1_000_000

_NAMES = {t.code: (t.name_zh, t.name_en) for t in chart_for(BookKind.MICRO_FUND)}


def _quote(value: object) -> str:
    return str(value)[:60]


# --- receipt numbers -----------------------------------------------------------------------------


def receipt_number(year: int, seq: int) -> str:
    """The printed number of a donation receipt (捐赠收据号): ``捐-2024-0001``.

    >>> receipt_number(2024, 1), receipt_number(2024, 12345)
    ('捐-2024-0001', '捐-2024-12345')
    """
    return f"{RECEIPT_PREFIX}-{year}-{seq:04d}"


def parse_receipt_number(text: str) -> tuple[int, int]:
    """(year, seq) of a receipt number typed as ``捐-2024-0001``, ``捐2024-1`` or ``2024-1``."""
    clean = unicodedata.normalize("NFKC", str(text)).strip()
    body = clean.removeprefix(RECEIPT_PREFIX).lstrip("-")
    parts = body.split("-")
    if len(parts) != 2 or not all(p.isascii() and p.isdigit() and 0 < len(p) <= 9 for p in parts):
        raise InvalidInputError(
            _("“{number}” is not a donation receipt number; write it like 捐-2024-0001.").format(
                number=_quote(text)
            )
        )
    return int(parts[0]), int(parts[1])


# --- accounts ------------------------------------------------------------------------------------


def account_label(code: str, *, chinese: bool) -> str:
    """The name of a micro-fund account in Chinese or English (``410101`` → 爱心商家捐赠)."""
    zh, en = _NAMES[code]
    return zh if chinese else en


def donation_account(source: str) -> str:
    """The income account of a donation by its source.

    >>> donation_account("merchant"), donation_account("self_raised")
    ('410101', '410103')
    """
    code = DONATION_INCOME_BY_SOURCE.get(source)
    if code is None:
        raise InvalidInputError(
            _("Unknown source of donation “{source}”; choose one of: {choices}.").format(
                source=_quote(source), choices=", ".join(DONATION_INCOME_BY_SOURCE)
            )
        )
    return code


def expense_account(category: str) -> str:
    """The programme-cost account of an expense by its category.

    >>> expense_account("hardship")
    '510104'
    """
    code = MICRO_FUND_EXPENSE_BY_CATEGORY.get(category)
    if code is None:
        raise InvalidInputError(
            _("Unknown spending category “{category}”; choose one of: {choices}.").format(
                category=_quote(category), choices=", ".join(MICRO_FUND_EXPENSE_BY_CATEGORY)
            )
        )
    return code


def money_account(where: str) -> str:
    """The asset account money is paid into or out of: ``bank`` 1002 or ``cash`` 1001."""
    code = MONEY_ACCOUNTS.get(where)
    if code is None:
        raise InvalidInputError(
            _("Money moves through “bank” or “cash”, not “{where}”.").format(where=_quote(where))
        )
    return code


def category_of_label(text: str) -> str | None:
    """The category a person means by ``environment``, ``环境整治`` or ``Environmental
    clean-up`` (case and surrounding spaces ignored), else None."""
    clean = unicodedata.normalize("NFKC", text).strip()
    folded = clean.casefold()
    for key, code in MICRO_FUND_EXPENSE_BY_CATEGORY.items():
        zh, en = _NAMES[code]
        if folded in (key, en.casefold()) or clean == zh:
            return key
    return None


def category_label(category: str, *, chinese: bool) -> str:
    """How a category is shown: ``environment`` → 环境整治 / Environmental clean-up."""
    return account_label(MICRO_FUND_EXPENSE_BY_CATEGORY[category], chinese=chinese)


def is_category_purpose(purpose: str) -> bool:
    """Whether a stored purpose names a spending category (else it names an activity)."""
    return purpose in MICRO_FUND_EXPENSE_BY_CATEGORY


def purpose_label(purpose: str, *, chinese: bool) -> str:
    """A stored purpose as people read it: an activity's name, or the category's name."""
    return category_label(purpose, chinese=chinese) if is_category_purpose(purpose) else purpose


# --- amounts, memos ------------------------------------------------------------------------------


def check_amount(amount_fen: object, *, what: str) -> int:
    """A positive whole number of fen within the ledger's range, else a refusal naming ``what``.

    ``what`` is already translated (“the donation”, “the expense”)."""
    if type(amount_fen) is not int:
        raise InvalidAmountError(
            _("The amount of {what} must be a whole number of fen, not {value}.").format(
                what=what, value=_quote(repr(amount_fen))
            )
        )
    if amount_fen <= 0:
        raise InvalidAmountError(
            _("The amount of {what} must be more than zero; got {amount}.").format(
                what=what, amount=format_money(Money(amount_fen), babel_locale())
            )
        )
    if amount_fen > MAX_FEN:
        raise InvalidAmountError(
            _("The amount of {what} is beyond the largest amount the ledger keeps.").format(
                what=what
            )
        )
    return amount_fen


def donation_memo(source: str, donor: str, purpose: str | None) -> str:
    """The memo (摘要) of a donation's entry, in Chinese like the chart: source, the donor's
    public name, and the purpose if the money is restricted; at most 200 characters.

    >>> donation_memo("merchant", "天马镇好又多超市", "重阳宴")
    '爱心商家捐赠：天马镇好又多超市（限定用途：重阳宴）'
    >>> donation_memo("other", "王*芬", None)
    '其他捐赠：王*芬'
    """
    memo = f"{account_label(donation_account(source), chinese=True)}：{donor}"
    if purpose is not None:
        memo += f"（限定用途：{purpose_label(purpose, chinese=True)}）"
    if len(memo) > 200:
        memo = memo[:199] + "…"
    return memo


def hardship_memo(date: dt.date) -> str:
    """The public memo of a hardship payment: fixed text and the month, never a name.

    >>> hardship_memo(dt.date(2024, 1, 20))
    '困难帮扶（2024年1月）'
    """
    return f"{HARDSHIP_MEMO}（{date.year}年{date.month}月）"


# --- restricted money ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RestrictedUse:
    """What an expense asks of restricted money: the stored purpose, the expense's category and
    activity name, its amount, and what of the purpose it may still use (when an expense is
    recorded: what is left after the expenses already waiting for approval)."""

    purpose: str
    category: str
    activity: str | None
    amount_fen: int
    available_fen: int


def restricted_balance(donations_fen: Iterable[int], spent_fen: Iterable[int]) -> int:
    """What is left of restricted money: donations restricted to a purpose minus the expenses
    posted from it.

    >>> restricted_balance([300_000, 200_000, 150_000, 186_000, 250_000], [860_000, 80_000])
    146000
    """
    return sum(donations_fen) - sum(spent_fen)


def check_restricted_use(use: RestrictedUse) -> None:
    """Refuse spending restricted money on another purpose, or more than is left of it."""
    chinese = is_chinese()
    label = purpose_label(use.purpose, chinese=chinese)
    if is_category_purpose(use.purpose):
        if use.category != use.purpose:
            raise InvalidInputError(
                _(
                    "Money restricted to “{purpose}” can only pay expenses of that category, "
                    "not “{category}”; pay this expense from unrestricted money or from money "
                    "restricted to “{category}”."
                ).format(purpose=label, category=category_label(use.category, chinese=chinese))
            )
    elif use.activity != use.purpose:
        raise InvalidInputError(
            _(
                "Money restricted to the activity “{purpose}” can only pay expenses of that "
                "activity, not of {other}."
            ).format(
                purpose=label,
                other=(
                    _("the activity “{name}”").format(name=use.activity)
                    if use.activity
                    else _("spending outside any activity")
                ),
            )
        )
    if use.amount_fen > use.available_fen:
        raise InvalidInputError(
            _(
                "Only {available} of the money restricted to “{purpose}” is available; this "
                "expense of {amount} is more than that. Pay the rest from unrestricted money."
            ).format(
                available=format_money(Money(max(use.available_fen, 0)), babel_locale()),
                purpose=label,
                amount=format_money(Money(use.amount_fen), babel_locale()),
            )
        )


# --- maker-checker -------------------------------------------------------------------------------


def needs_approval(amount_fen: int, threshold_fen: int) -> bool:
    """Whether an expense waits for approvers: at or above the threshold (default ¥1,000.00).

    >>> needs_approval(99_999, 100_000), needs_approval(100_000, 100_000)
    (False, True)
    """
    return amount_fen >= threshold_fen


def approvals_complete(approvals: int, required: int) -> bool:
    """Whether a pending expense has all its approvals and is posted now.

    >>> approvals_complete(1, 2), approvals_complete(2, 2)
    (False, True)
    """
    return approvals >= required


# --- points --------------------------------------------------------------------------------------


def check_points(points: object) -> int:
    """A positive whole number of points (积分), at most :data:`MAX_POINTS`."""
    if type(points) is not int or not 0 < points <= MAX_POINTS:
        raise InvalidInputError(
            _("Points are a whole number from 1 to {max}; got {value}.").format(
                max=MAX_POINTS, value=_quote(points)
            )
        )
    return points


def balance_after_redemption(balance: int, points: int) -> int:
    """The household's points after redeeming ``points``; refused below zero.

    >>> balance_after_redemption(30, 20)
    10
    """
    if points > balance:
        raise InvalidInputError(
            _(
                "The household has only {balance} points and cannot redeem {points}; "
                "a redemption never takes a balance below zero."
            ).format(balance=balance, points=points)
        )
    return balance - points


# --- budgets -------------------------------------------------------------------------------------


def budget_used_bp(budget_fen: int, actual_fen: int) -> int | None:
    """How much of a budget is spent, in basis points, rounded down; None for a zero budget.

    >>> budget_used_bp(1_100_000, 1_030_000)
    9363
    """
    if budget_fen <= 0:
        return None
    return actual_fen * 10_000 // budget_fen

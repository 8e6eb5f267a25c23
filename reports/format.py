"""Cell values as a notice prints them, in the notice's language (babel for the locale)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction
from functools import cache

from babel.dates import format_date
from babel.numbers import format_decimal

from ledger.i18n import babel_locale
from ledger.rules.meetings import fraction_percent
from ledger.rules.property import format_area
from reports.notice import Cell, CellKind


def yuan(fen: int) -> Decimal:
    """Fen as an exact decimal number of yuan (for the workbook's cells)."""
    return Decimal(fen).scaleb(-2)


@cache
def _symbols(locale: str) -> tuple[str, str]:
    """The locale's group and decimal signs, from babel (looked up once per locale)."""
    sample = format_decimal(Decimal("1234.5"), format="#,##0.00", locale=locale)
    return sample[1], sample[-3]


def amount_text(fen: int) -> str:
    """``1,234.56`` — an amount in a table whose header says the unit (元). Integer arithmetic
    with the locale's signs: a journal formats tens of thousands of amounts."""
    group, decimal = _symbols(babel_locale())
    whole, cents = divmod(abs(fen), 100)
    sign = "-" if fen < 0 else ""
    return f"{sign}{whole:,}".replace(",", group) + f"{decimal}{cents:02d}"


def date_text(date: dt.date) -> str:
    """A date as the locale writes it in full (2024年11月30日 / 30 November 2024)."""
    return format_date(date, format="long", locale=babel_locale())


def cell_text(value: Cell, kind: CellKind) -> str:  # noqa: PLR0911 - one return per kind
    if value is None or value == "":
        return ""
    if kind == "money" and isinstance(value, int):
        return amount_text(value)
    if kind == "area" and isinstance(value, int):
        return format_area(value)
    if kind == "percent" and isinstance(value, Fraction):
        return fraction_percent(value)
    if kind == "int" and isinstance(value, int):
        group, _decimal = _symbols(babel_locale())
        return f"{value:,}".replace(",", group)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)

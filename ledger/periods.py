"""Periods people type: a month (``2024-11``), a quarter (``2024-Q4``) or a year (``2024``).

One value type, :class:`Period`, and one reader, :meth:`Period.parse`, for every place that
takes a period: the village's distributions (a year or a month), the property fees (a month),
``close --through`` (a month, or a date) and the notices (a month, a quarter or a year). A
caller says which kinds it accepts; a refusal names them in the words that caller has always
used. Pure: no database, no Qt.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum

from ledger.errors import InvalidInputError
from ledger.i18n import _
from ledger.rules.text import shorten


class PeriodKind(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    #: Any other span of whole days a notice covers (a vote's days); never typed, never parsed.
    DAYS = "days"


MONTH = frozenset({PeriodKind.MONTH})
MONTH_OR_YEAR = frozenset({PeriodKind.MONTH, PeriodKind.YEAR})
ANY = frozenset({PeriodKind.MONTH, PeriodKind.QUARTER, PeriodKind.YEAR})

# After NFKC (full-width digits and separators too): ``2024-11``, ``2024/11``, ``2024.11``,
# ``2024年11月``, ``2024 - 11``; ``2024-Q4``, ``2024Q4``, ``2024 Q4``, ``2024季4``; ``2024``,
# ``2024年``.
_MONTH = re.compile(r"(?P<year>\d{4})\s*[-/.年]\s*(?P<month>\d{1,2})\s*月?年?")
_QUARTER = re.compile(r"(?P<year>\d{4})[-/ ]?[Qq季](?P<quarter>[1-4])")
_YEAR = re.compile(r"(?P<year>\d{4})年?")


def _refusal(allow: frozenset[PeriodKind], text: str) -> str:
    """The message each caller has always given for a period it cannot read."""
    if allow == MONTH:
        return _("“{text}” is not a month; write it as YYYY-MM, for example 2024-01.").format(
            text=shorten(text)
        )
    if allow == MONTH_OR_YEAR:
        return _("“{text}” is not a period; write a year (2024) or a month (2024-12).").format(
            text=shorten(text)
        )
    return _(
        "“{text}” is not a period; write a month (2024-11), a quarter (2024-Q4) or a year (2024)."
    ).format(text=text)


@dataclass(frozen=True, slots=True)
class Period:
    """A whole month, quarter or year: its first and last day and its canonical ``name``
    (``2024-11``, ``2024-Q4``, ``2024``).

    >>> Period.parse("2024年2月")
    Period(kind=<PeriodKind.MONTH: 'month'>, start=datetime.date(2024, 2, 1), end=datetime.date(2024, 2, 29), name='2024-02')
    """  # noqa: E501

    kind: PeriodKind
    start: dt.date
    end: dt.date
    name: str

    # --- making one -------------------------------------------------------------------------

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        last = calendar.monthrange(year, month)[1]
        return cls(
            PeriodKind.MONTH,
            dt.date(year, month, 1),
            dt.date(year, month, last),
            f"{year:04d}-{month:02d}",
        )

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        first = 3 * quarter - 2
        last = calendar.monthrange(year, first + 2)[1]
        return cls(
            PeriodKind.QUARTER,
            dt.date(year, first, 1),
            dt.date(year, first + 2, last),
            f"{year:04d}-Q{quarter}",
        )

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(PeriodKind.YEAR, dt.date(year, 1, 1), dt.date(year, 12, 31), f"{year:04d}")

    @classmethod
    def parse(cls, text: str, *, allow: Iterable[PeriodKind] = ANY, earliest: int = 1) -> Period:
        """The period ``text`` names, if it is one of the kinds in ``allow`` and its year is
        ``earliest`` or later; otherwise :class:`InvalidInputError` with the message of the
        callers that accept those kinds.

        >>> Period.parse("2024-q4").name, Period.parse("2024年").name
        ('2024-Q4', '2024')
        """
        kinds = frozenset(allow)
        clean = unicodedata.normalize("NFKC", str(text)).strip()
        period: Period | None = None
        first_year = max(earliest, 1)
        if PeriodKind.MONTH in kinds and (match := _MONTH.fullmatch(clean)):
            year, month = int(match["year"]), int(match["month"])
            if year >= first_year and 1 <= month <= 12:
                period = cls.month(year, month)
        elif PeriodKind.QUARTER in kinds and (match := _QUARTER.fullmatch(clean)):
            if (year := int(match["year"])) >= first_year:
                period = cls.quarter(year, int(match["quarter"]))
        elif (
            PeriodKind.YEAR in kinds
            and (match := _YEAR.fullmatch(clean))
            and (year := int(match["year"])) >= first_year
        ):
            period = cls.year(year)
        if period is None:
            raise InvalidInputError(_refusal(kinds, text))
        return period

    # --- reading one ------------------------------------------------------------------------

    @property
    def text(self) -> str:
        """The canonical name (the notices' word for it)."""
        return self.name

    @property
    def is_month(self) -> bool:
        return self.kind is PeriodKind.MONTH

    @property
    def label(self) -> str:
        """How a notice names the period, in its language (2024年11月 / November 2024)."""
        if self.kind is PeriodKind.YEAR:
            return _("Year {year}").format(year=self.start.year)
        if self.kind is PeriodKind.QUARTER:
            return _("{year}, quarter {quarter}").format(
                year=self.start.year, quarter=(self.start.month + 2) // 3
            )
        return _("{year}-{month:02d}").format(year=self.start.year, month=self.start.month)

    def contains(self, date: dt.date) -> bool:
        return self.start <= date <= self.end

    def overlaps(self, other: Period) -> bool:
        return self.start <= other.end and other.start <= self.end

    def months(self) -> Iterator[Period]:
        """The months of the period, in order."""
        for month in range(self.start.month, self.end.month + 1):
            yield Period.month(self.start.year, month)

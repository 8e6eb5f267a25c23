"""Reading dates and periods that people type (``2024-03-05``, ``2024/3/5``, ``2024年3月5日``)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from ledger.errors import InvalidInputError
from ledger.i18n import _
from ledger.periods import MONTH, Period

_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")


def parse_date(text: str) -> dt.date:
    """A calendar date from ``YYYY-MM-DD`` (also ``/``, ``.`` or 年月日, full-width digits)."""
    clean = unicodedata.normalize("NFKC", str(text)).strip()
    match = _DATE.match(clean)
    if match:
        try:
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            pass
    raise InvalidInputError(
        _("“{text}” is not a date; write it as YYYY-MM-DD, for example 2024-03-05.").format(
            text=text
        )
    )


def parse_period_end(text: str) -> dt.date:
    """The last day of a month given as ``YYYY-MM``, or a date given as ``YYYY-MM-DD``."""
    try:
        return Period.parse(text, allow=MONTH).end
    except InvalidInputError:
        pass
    try:
        return parse_date(unicodedata.normalize("NFKC", str(text)).strip())
    except InvalidInputError:
        raise InvalidInputError(
            _("“{text}” is not a month or a date; write YYYY-MM (2024-03) or YYYY-MM-DD.").format(
                text=text
            )
        ) from None

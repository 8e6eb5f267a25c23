"""Dates and periods as people type them."""

from __future__ import annotations

import datetime as dt

import pytest

from ledger.dates import parse_date, parse_period_end
from ledger.errors import InvalidInputError


@pytest.mark.parametrize(
    "text",
    ["2024-03-05", "2024/3/5", "2024.03.05", "2024年3月5日", "２０２４－０３－０５", " 2024-3-5 "],
)
def test_dates_in_the_usual_forms(text: str) -> None:
    assert parse_date(text) == dt.date(2024, 3, 5)


@pytest.mark.parametrize(
    "text", ["", "2024-02-30", "2024-13-01", "05/03/2024", "yesterday", "2024-3"]
)
def test_bad_dates_are_refused_with_the_input_named(text: str) -> None:
    with pytest.raises(InvalidInputError, match="is not a date"):
        parse_date(text)


@pytest.mark.parametrize(
    ("text", "end"),
    [
        ("2024-02", dt.date(2024, 2, 29)),
        ("2023年12月", dt.date(2023, 12, 31)),
        ("2024-06-15", dt.date(2024, 6, 15)),
    ],
)
def test_period_ends(text: str, end: dt.date) -> None:
    assert parse_period_end(text) == end


def test_bad_period_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="not a month or a date"):
        parse_period_end("2024-13")

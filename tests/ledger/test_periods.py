"""The one ``Period`` type (issue 13): the forms it reads, the ones it refuses with each
caller's own message, its boundaries, and the old entry points that now lean on it."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from ledger.dates import parse_period_end
from ledger.errors import InvalidInputError
from ledger.periods import ANY, MONTH, MONTH_OR_YEAR, Period, PeriodKind
from ledger.rules.property import parse_period as parse_property_period
from ledger.rules.property import period_bounds
from reports.notices.common import parse_report_period

D = dt.date

MONTH_MESSAGE = "“{}” is not a month; write it as YYYY-MM, for example 2024-01."
SHARING_MESSAGE = "“{}” is not a period; write a year (2024) or a month (2024-12)."
REPORT_MESSAGE = (
    "“{}” is not a period; write a month (2024-11), a quarter (2024-Q4) or a year (2024)."
)
CLOSE_MESSAGE = "“{}” is not a month or a date; write YYYY-MM (2024-03) or YYYY-MM-DD."


def parse_sharing_period(text: str) -> Period:
    return Period.parse(text, allow=MONTH_OR_YEAR)


def _refusal(call: object, text: str) -> str:
    assert callable(call)
    with pytest.raises(InvalidInputError) as caught:
        call(text)
    return str(caught.value)


# --- accepted forms -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("2024-11", "2024-11"),
        ("2024-3", "2024-03"),
        ("2024/3", "2024-03"),
        ("2024.3", "2024-03"),
        ("2024年3月", "2024-03"),
        ("2024 - 03", "2024-03"),
        ("２０２４－０３", "2024-03"),
        ("  2024-03 ", "2024-03"),
        ("2024-Q4", "2024-Q4"),
        ("2024q4", "2024-Q4"),
        ("2024 Q1", "2024-Q1"),
        ("2024/Q2", "2024-Q2"),
        ("2024季3", "2024-Q3"),
        ("2024", "2024"),
        ("2024年", "2024"),
    ],
)
def test_the_forms_a_period_is_typed_in(text: str, name: str) -> None:
    period = Period.parse(text)
    assert period.name == name == period.text
    assert Period.parse(period.name) == period  # the name reads back as the same period


def test_kinds_and_their_days() -> None:
    assert Period.parse("2024-11") == Period(
        PeriodKind.MONTH, D(2024, 11, 1), D(2024, 11, 30), "2024-11"
    )
    assert Period.parse("2024-Q2") == Period(
        PeriodKind.QUARTER, D(2024, 4, 1), D(2024, 6, 30), "2024-Q2"
    )
    assert Period.parse("2024") == Period(PeriodKind.YEAR, D(2024, 1, 1), D(2024, 12, 31), "2024")
    assert Period.parse("2024-11").is_month
    assert not Period.parse("2024-Q4").is_month
    assert not Period.parse("2024").is_month


# --- boundaries -----------------------------------------------------------------------------


def test_boundaries() -> None:
    assert Period.parse("2024-02").end == D(2024, 2, 29)  # leap February
    assert Period.parse("2023-02").end == D(2023, 2, 28)
    assert Period.parse("2000-02").end == D(2000, 2, 29)
    assert Period.parse("1900-02").end == D(1900, 2, 28)  # a century is no leap year
    q4 = Period.parse("2024-Q4")
    assert (q4.start, q4.end) == (D(2024, 10, 1), D(2024, 12, 31))
    q1 = Period.parse("2024-Q1")
    assert (q1.start, q1.end) == (D(2024, 1, 1), D(2024, 3, 31))
    year = Period.parse("2024")
    assert year.contains(D(2024, 12, 31)) and not year.contains(D(2025, 1, 1))
    assert year.contains(D(2024, 1, 1)) and not year.contains(D(2023, 12, 31))
    assert Period.parse("9999-12").end == D(9999, 12, 31)


def test_months_overlaps_and_contains() -> None:
    assert [m.name for m in Period.parse("2024-Q4").months()] == ["2024-10", "2024-11", "2024-12"]
    assert len(list(Period.parse("2024").months())) == 12
    assert [m.name for m in Period.parse("2024-02").months()] == ["2024-02"]
    assert Period.parse("2024").overlaps(Period.parse("2024-12"))
    assert not Period.parse("2023").overlaps(Period.parse("2024-01"))
    assert Period.parse("2024-Q1").overlaps(Period.parse("2024-03"))
    assert not Period.parse("2024-Q1").overlaps(Period.parse("2024-04"))
    feb = Period.parse("2024-02")
    assert feb.contains(D(2024, 2, 29)) and not feb.contains(D(2024, 3, 1))


def test_a_period_is_a_frozen_value() -> None:
    period = Period.parse("2024-11")
    with pytest.raises(dataclasses.FrozenInstanceError):
        period.name = "2024-12"  # type: ignore[misc]
    assert {Period.parse("2024-11"), Period.parse("2024年11月")} == {period}


def test_labels() -> None:
    assert Period.parse("2024").label == "Year 2024"
    assert Period.parse("2024-Q4").label == "2024, quarter 4"
    assert Period.parse("2024-11").label == "2024-11"


# --- refusals, each with its caller's message -----------------------------------------------


@pytest.mark.parametrize(
    "text", ["2024-13", "2024-0", "0000", "0000-01", "24-01", "2024-Q5", "2024-01-05", "x", ""]
)
def test_the_notices_refuse_with_their_message(text: str) -> None:
    assert _refusal(lambda t: Period.parse(t, allow=ANY), text) == REPORT_MESSAGE.format(text)


@pytest.mark.parametrize("text", ["2024-13", "2024-Q4", "0000", "0000-01", "January", ""])
def test_the_village_refuses_with_its_message(text: str) -> None:
    refused = _refusal(lambda t: Period.parse(t, allow=MONTH_OR_YEAR), text)
    assert refused == SHARING_MESSAGE.format(text)


@pytest.mark.parametrize("text", ["2024-13", "2024", "2024-Q4", "24-01", "2024-01-05", "January"])
def test_the_fees_refuse_with_their_message(text: str) -> None:
    assert _refusal(lambda t: Period.parse(t, allow=MONTH), text) == MONTH_MESSAGE.format(text)


def test_the_earliest_year() -> None:
    assert Period.parse("1900-01", allow=MONTH, earliest=1900).name == "1900-01"
    refused = _refusal(lambda t: Period.parse(t, allow=MONTH, earliest=1900), "1899-12")
    assert refused == MONTH_MESSAGE.format("1899-12")
    assert Period.parse("1899-12").name == "1899-12"


def test_a_long_paste_is_shortened_where_it_was() -> None:
    pasted = "9" * 100
    assert "…" in _refusal(parse_sharing_period, pasted)
    assert "…" in _refusal(parse_property_period, pasted)
    assert _refusal(parse_report_period, pasted) == REPORT_MESSAGE.format(pasted)


# --- the old entry points give what they gave ----------------------------------------------


def test_the_village_entry_point() -> None:
    assert parse_sharing_period("2024").end == D(2024, 12, 31)
    assert parse_sharing_period("2024年2月") == parse_sharing_period("2024-02")
    assert parse_sharing_period("2024-3").name == "2024-03"
    assert parse_sharing_period("2024-02").end == D(2024, 2, 29)
    assert parse_sharing_period("2024-3年").name == "2024-03"  # as the old pattern allowed
    assert _refusal(parse_sharing_period, "2024-13") == SHARING_MESSAGE.format("2024-13")
    assert _refusal(parse_sharing_period, "2024-Q4") == SHARING_MESSAGE.format("2024-Q4")


def test_the_fees_entry_point() -> None:
    assert parse_property_period("2024-1") == "2024-01"
    assert parse_property_period("2024年3月") == "2024-03"
    assert parse_property_period("2024 / 3 月") == "2024-03"
    assert period_bounds("2024-02") == (D(2024, 2, 1), D(2024, 2, 29))
    for bad in ("2024-13", "24-01", "2024-01-05", "January", "2024", "1899-12"):
        assert _refusal(parse_property_period, bad) == MONTH_MESSAGE.format(bad)
    assert _refusal(period_bounds, "2024") == MONTH_MESSAGE.format("2024")


def test_the_close_entry_point() -> None:
    assert parse_period_end("2024-02") == D(2024, 2, 29)
    assert parse_period_end("2023年12月") == D(2023, 12, 31)
    assert parse_period_end("2024-06-15") == D(2024, 6, 15)
    for bad in ("2024-13", "2024", "2024-Q4", "2024-02-30", "x"):
        assert _refusal(parse_period_end, bad) == CLOSE_MESSAGE.format(bad)


def test_the_notices_entry_point() -> None:
    november = parse_report_period("2024-11")
    assert (november.start, november.end, november.text) == (
        D(2024, 11, 1),
        D(2024, 11, 30),
        "2024-11",
    )
    assert parse_report_period("2024Q4") == Period.quarter(2024, 4)
    assert parse_report_period("2024年") == Period.year(2024)
    assert parse_report_period("1900").text == "1900"  # the CLI's "no period" stand-in
    assert _refusal(parse_report_period, "2024-13") == REPORT_MESSAGE.format("2024-13")

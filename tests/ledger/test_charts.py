"""Charts of accounts: structure, well-known codes, and the validator."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping

import pytest

from ledger import charts
from ledger.charts import (
    CHARTS,
    AccountTemplate,
    chart_for,
    validate_chart,
)
from ledger.domain import AccountType, BookKind

ASSET = AccountType.ASSET
LIABILITY = AccountType.LIABILITY
NET_ASSETS = AccountType.NET_ASSETS
INCOME = AccountType.INCOME
EXPENSE = AccountType.EXPENSE

MICRO = BookKind.MICRO_FUND
TRUST = BookKind.TRUST_PROPERTY
COLLECTIVE = BookKind.COLLECTIVE_REVENUE

#: Every single-code constant of ``ledger.charts``: the chart it belongs to and its type.
CODE_CONSTANTS: dict[str, tuple[BookKind, AccountType]] = {
    "MICRO_FUND_CASH": (MICRO, ASSET),
    "MICRO_FUND_BANK": (MICRO, ASSET),
    "MICRO_FUND_INVENTORY": (MICRO, ASSET),
    "MICRO_FUND_UNRESTRICTED_NET_ASSETS": (MICRO, NET_ASSETS),
    "MICRO_FUND_RESTRICTED_NET_ASSETS": (MICRO, NET_ASSETS),
    "MICRO_FUND_DONATION_INCOME": (MICRO, INCOME),
    "MICRO_FUND_PROGRAMME_COSTS": (MICRO, EXPENSE),
    "MICRO_FUND_ADMIN_EXPENSES": (MICRO, EXPENSE),
    "TRUST_CASH": (TRUST, ASSET),
    "TRUST_BANK": (TRUST, ASSET),
    "TRUST_COMMON_FUND_BANK": (TRUST, ASSET),
    "TRUST_MAINTENANCE_FUND_BANK": (TRUST, ASSET),
    "TRUST_FEES_RECEIVABLE": (TRUST, ASSET),
    "TRUST_FEES_IN_ADVANCE": (TRUST, LIABILITY),
    "TRUST_REMUNERATION_PAYABLE": (TRUST, LIABILITY),
    "TRUST_MICRO_FUND_GIFT_PAYABLE": (TRUST, LIABILITY),
    "TRUST_MAINTENANCE_FUND": (TRUST, LIABILITY),
    "TRUST_COMMON_FUND": (TRUST, NET_ASSETS),
    "TRUST_RESERVE": (TRUST, NET_ASSETS),
    "TRUST_FEE_INCOME": (TRUST, INCOME),
    "TRUST_COMMON_INCOME": (TRUST, INCOME),
    "TRUST_INTEREST_INCOME": (TRUST, INCOME),
    "TRUST_REMUNERATION_EXPENSE": (TRUST, EXPENSE),
    "TRUST_RESERVE_APPROPRIATION": (TRUST, EXPENSE),
    "COLLECTIVE_CASH": (COLLECTIVE, ASSET),
    "COLLECTIVE_BANK": (COLLECTIVE, ASSET),
    "COLLECTIVE_OPERATING_INCOME": (COLLECTIVE, INCOME),
    "COLLECTIVE_OPERATING_EXPENSE": (COLLECTIVE, EXPENSE),
    "COLLECTIVE_INVESTOR_PROFIT_PAYABLE": (COLLECTIVE, LIABILITY),
    "COLLECTIVE_DIVIDENDS_PAYABLE": (COLLECTIVE, LIABILITY),
    "COLLECTIVE_PER_CAPITA_PAYABLE": (COLLECTIVE, LIABILITY),
    "COLLECTIVE_PUBLIC_WELFARE_FUND": (COLLECTIVE, NET_ASSETS),
    "COLLECTIVE_PROJECT_RESERVE_FUND": (COLLECTIVE, NET_ASSETS),
    "COLLECTIVE_PROFIT_FOR_YEAR": (COLLECTIVE, NET_ASSETS),
    "COLLECTIVE_DISTRIBUTION": (COLLECTIVE, NET_ASSETS),
    "COLLECTIVE_DIST_INVESTOR": (COLLECTIVE, NET_ASSETS),
    "COLLECTIVE_DIST_DIVIDENDS": (COLLECTIVE, NET_ASSETS),
    "COLLECTIVE_DIST_PUBLIC_WELFARE": (COLLECTIVE, NET_ASSETS),
    "COLLECTIVE_DIST_PROJECT_RESERVE": (COLLECTIVE, NET_ASSETS),
    "COLLECTIVE_DIST_PER_CAPITA": (COLLECTIVE, NET_ASSETS),
    "COLLECTIVE_UNDISTRIBUTED": (COLLECTIVE, NET_ASSETS),
}

#: Every code mapping of ``ledger.charts``: its chart, the type of its accounts, its keys.
MAPPING_CONSTANTS: dict[str, tuple[BookKind, AccountType, set[str]]] = {
    "DONATION_INCOME_BY_SOURCE": (
        MICRO,
        INCOME,
        {"merchant", "volunteer", "self_raised", "remuneration_gift", "other"},
    ),
    "MICRO_FUND_EXPENSE_BY_CATEGORY": (
        MICRO,
        EXPENSE,
        {"activity", "points_redemption", "environment", "hardship", "other"},
    ),
    "TRUST_COMMON_INCOME_BY_SOURCE": (TRUST, INCOME, {"parking", "advertising", "other"}),
    "TRUST_EXPENSE_BY_BUDGET_LINE": (
        TRUST,
        EXPENSE,
        {
            "wages",
            "cleaning",
            "greening",
            "security",
            "facilities",
            "utilities",
            "office",
            "insurance",
            "remuneration",
            "taxes",
            "reserve",
            "other",
        },
    ),
    "COLLECTIVE_SPLIT_ACCOUNTS": (
        COLLECTIVE,
        NET_ASSETS,
        {"shareholders", "public_welfare", "project_reserve", "per_capita"},
    ),
}

CJK = re.compile(r"[\u4e00-\u9fff]")


def by_code(kind: BookKind) -> dict[str, AccountTemplate]:
    return {t.code: t for t in chart_for(kind)}


def acc(code: str, type_: AccountType = ASSET, parent: str | None = None) -> AccountTemplate:
    return AccountTemplate(code, "科目" + code, "Account " + code, type_, parent)


# --- the charts ------------------------------------------------------------------------------


def test_every_book_kind_has_a_chart() -> None:
    assert set(CHARTS) == set(BookKind)


@pytest.mark.parametrize("kind", list(BookKind))
def test_chart_validates(kind: BookKind) -> None:
    validate_chart(chart_for(kind))


@pytest.mark.parametrize("kind", list(BookKind))
def test_chart_for_returns_the_registered_chart(kind: BookKind) -> None:
    assert chart_for(kind) is CHARTS[kind]
    assert isinstance(chart_for(kind), tuple)
    assert all(isinstance(t, AccountTemplate) for t in chart_for(kind))


@pytest.mark.parametrize("kind", list(BookKind))
def test_names_are_bilingual_and_non_empty(kind: BookKind) -> None:
    for t in chart_for(kind):
        assert t.name_zh.strip(), t.code
        assert t.name_en.strip(), t.code
        assert CJK.search(t.name_zh), t.code
        assert t.name_en.isascii(), t.code
        assert t.name_zh == t.name_zh.strip()
        assert t.name_en == t.name_en.strip()


@pytest.mark.parametrize("kind", list(BookKind))
def test_names_are_unique_within_a_chart(kind: BookKind) -> None:
    chart = chart_for(kind)
    assert len({t.name_zh for t in chart}) == len(chart)
    assert len({t.name_en for t in chart}) == len(chart)


@pytest.mark.parametrize("kind", list(BookKind))
def test_first_digit_follows_the_account_type(kind: BookKind) -> None:
    first_digit = {ASSET: "1", LIABILITY: "2", NET_ASSETS: "3", INCOME: "4", EXPENSE: "5"}
    for t in chart_for(kind):
        assert t.code[0] == first_digit[t.type], t.code


@pytest.mark.parametrize("kind", list(BookKind))
def test_every_type_is_used(kind: BookKind) -> None:
    assert {t.type for t in chart_for(kind)} == set(AccountType)


def test_templates_are_frozen() -> None:
    template = chart_for(MICRO)[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        template.code = "9999"  # type: ignore[misc]


def test_charts_mapping_is_read_only() -> None:
    with pytest.raises(TypeError):
        CHARTS[MICRO] = ()  # type: ignore[index]


def test_micro_fund_has_restricted_and_unrestricted_net_assets() -> None:
    codes = by_code(MICRO)
    assert codes["3101"].name_zh == "非限定性净资产"
    assert codes["3102"].name_zh == "限定性净资产"


def test_micro_fund_donation_sources() -> None:
    codes = by_code(MICRO)
    names = {key: codes[code].name_zh for key, code in charts.DONATION_INCOME_BY_SOURCE.items()}
    assert names == {
        "merchant": "爱心商家捐赠",
        "volunteer": "志愿者募集",
        "self_raised": "社区自筹",
        "remuneration_gift": "物业酬金捐赠",
        "other": "其他捐赠",
    }
    assert all(codes[c].parent == "4101" for c in charts.DONATION_INCOME_BY_SOURCE.values())


def test_trust_common_fund_is_kept_apart_from_maintenance_fund() -> None:
    codes = by_code(TRUST)
    assert codes[charts.TRUST_COMMON_FUND_BANK].parent == charts.TRUST_BANK
    assert codes[charts.TRUST_MAINTENANCE_FUND_BANK].parent == charts.TRUST_BANK
    assert charts.TRUST_COMMON_FUND_BANK != charts.TRUST_MAINTENANCE_FUND_BANK


def test_trust_budget_lines_map_to_distinct_top_level_expenses() -> None:
    codes = by_code(TRUST)
    lines = charts.TRUST_EXPENSE_BY_BUDGET_LINE
    assert len(set(lines.values())) == len(lines)
    assert all(codes[c].parent is None for c in lines.values())
    # every expense account of the trust chart is some budget line
    assert set(lines.values()) == {t.code for t in chart_for(TRUST) if t.type is EXPENSE}
    assert lines["remuneration"] == charts.TRUST_REMUNERATION_EXPENSE
    assert lines["reserve"] == charts.TRUST_RESERVE_APPROPRIATION


def test_collective_split_accounts_are_distribution_children() -> None:
    codes = by_code(COLLECTIVE)
    split = charts.COLLECTIVE_SPLIT_ACCOUNTS
    assert list(split) == ["shareholders", "public_welfare", "project_reserve", "per_capita"]
    distribution_children = {
        charts.COLLECTIVE_DIST_INVESTOR,
        charts.COLLECTIVE_DIST_DIVIDENDS,
        charts.COLLECTIVE_DIST_PUBLIC_WELFARE,
        charts.COLLECTIVE_DIST_PROJECT_RESERVE,
        charts.COLLECTIVE_DIST_PER_CAPITA,
        charts.COLLECTIVE_UNDISTRIBUTED,
    }
    assert set(split.values()) < distribution_children
    assert {t.code for t in chart_for(COLLECTIVE) if t.parent == "3301"} == distribution_children
    assert all(codes[c].parent == charts.COLLECTIVE_DISTRIBUTION for c in distribution_children)


# --- well-known codes ------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "expected"), sorted(CODE_CONSTANTS.items()))
def test_code_constant_is_in_its_chart(name: str, expected: tuple[BookKind, AccountType]) -> None:
    kind, type_ = expected
    code = getattr(charts, name)
    assert isinstance(code, str)
    codes = by_code(kind)
    assert code in codes, f"{name}={code!r} not in the {kind} chart"
    assert codes[code].type is type_


@pytest.mark.parametrize(("name", "expected"), sorted(MAPPING_CONSTANTS.items()))
def test_mapping_constant_is_in_its_chart(
    name: str, expected: tuple[BookKind, AccountType, set[str]]
) -> None:
    kind, type_, keys = expected
    mapping = getattr(charts, name)
    assert isinstance(mapping, Mapping)
    assert set(mapping) == keys
    codes = by_code(kind)
    for key, code in mapping.items():
        assert code in codes, f"{name}[{key!r}]={code!r} not in the {kind} chart"
        assert codes[code].type is type_


def test_every_public_constant_is_checked() -> None:
    """A constant added to ``ledger.charts`` must be added to the tables above."""
    code_like = {
        name
        for name, value in vars(charts).items()
        if name.isupper() and isinstance(value, str) and value.isdigit()
    }
    mappings = {
        name
        for name, value in vars(charts).items()
        if name.isupper() and isinstance(value, Mapping) and name != "CHARTS"
    }
    assert code_like == set(CODE_CONSTANTS)
    assert mappings == set(MAPPING_CONSTANTS)


def test_brief_constants_have_expected_codes() -> None:
    assert charts.MICRO_FUND_CASH == "1001"
    assert charts.MICRO_FUND_BANK == "1002"
    assert charts.TRUST_FEE_INCOME == "4101"
    assert charts.TRUST_REMUNERATION_EXPENSE == "5109"
    assert charts.TRUST_REMUNERATION_PAYABLE == "2251"
    assert charts.TRUST_COMMON_FUND_BANK == "100201"
    assert charts.TRUST_FEES_RECEIVABLE == "1122"
    assert charts.DONATION_INCOME_BY_SOURCE["merchant"] == "410101"
    assert charts.COLLECTIVE_UNDISTRIBUTED == "330109"


# --- validate_chart --------------------------------------------------------------------------


def test_validate_accepts_a_small_good_chart() -> None:
    validate_chart(
        [
            acc("1001"),
            acc("1002"),
            acc("100201", parent="1002"),
            acc("10020101", parent="100201"),
            acc("4101", INCOME),
            acc("410101", INCOME, "4101"),
        ]
    )


def test_validate_accepts_an_empty_chart() -> None:
    validate_chart(())


def test_validate_accepts_any_iterable() -> None:
    validate_chart(t for t in chart_for(MICRO))


def test_validate_rejects_duplicate_code() -> None:
    with pytest.raises(ValueError, match=r"'1002'.*more than once"):
        validate_chart([acc("1001"), acc("1002"), acc("1002")])


def test_validate_rejects_duplicate_child_code() -> None:
    bad = [acc("1002"), acc("100201", parent="1002"), acc("100201", parent="1002")]
    with pytest.raises(ValueError, match=r"'100201'.*more than once"):
        validate_chart(bad)


def test_validate_rejects_missing_parent() -> None:
    with pytest.raises(ValueError, match=r"'100201'.*parent '1002' is missing"):
        validate_chart([acc("1001"), acc("100201", parent="1002")])


def test_validate_rejects_parent_after_child() -> None:
    with pytest.raises(ValueError, match=r"'100201'.*parent '1002' comes after it"):
        validate_chart([acc("100201", parent="1002"), acc("1002")])


def test_validate_rejects_child_with_wrong_prefix() -> None:
    with pytest.raises(ValueError, match=r"'100101'.*does not extend.*'1002'"):
        validate_chart([acc("1001"), acc("1002"), acc("100101", parent="1002")])


@pytest.mark.parametrize("child", ["10021", "1002001", "10020101"])
def test_validate_rejects_child_with_wrong_length(child: str) -> None:
    with pytest.raises(ValueError, match=rf"'{child}'.*does not extend.*'1002'"):
        validate_chart([acc("1002"), acc(child, parent="1002")])


def test_validate_rejects_child_with_other_type() -> None:
    with pytest.raises(ValueError, match=r"'410101'.*'expense'.*'4101'.*'income'"):
        validate_chart([acc("4101", INCOME), acc("410101", EXPENSE, "4101")])


@pytest.mark.parametrize("code", ["10a1", "", " 1001", "１００１", "1001.1"])
def test_validate_rejects_non_digit_code(code: str) -> None:
    with pytest.raises(ValueError, match="not a string of digits"):
        validate_chart([acc(code)])


@pytest.mark.parametrize("code", ["101", "10001", "100101"])
def test_validate_rejects_top_level_code_of_wrong_length(code: str) -> None:
    with pytest.raises(ValueError, match=rf"'{code}'.*4 digits"):
        validate_chart([acc(code)])


@pytest.mark.parametrize("kind", list(BookKind))
def test_validate_catches_a_defect_in_a_real_chart(kind: BookKind) -> None:
    chart = list(chart_for(kind))
    child_index = next(i for i, t in enumerate(chart) if t.parent is not None)
    child = chart[child_index]
    wrong_type = next(t for t in AccountType if t is not child.type)
    chart[child_index] = dataclasses.replace(child, type=wrong_type)
    with pytest.raises(ValueError, match=child.code):
        validate_chart(chart)

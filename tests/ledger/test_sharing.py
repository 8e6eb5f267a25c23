"""Village revenue sharing (3331): the capital-exit schedule, the split of a profit, the
distribution as posted entries, its per-household statement, and every refusal."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlmodel import Session, col, func, select

from ledger.demo.sharing import build_sharing_demo
from ledger.errors import (
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
)
from ledger.models import (
    AuditEvent,
    BookSetting,
    Distribution,
    DistributionShare,
    Entry,
    ExitSchedule,
    ExitScheduleYear,
    Household,
    Posting,
)
from ledger.rules.sharing import (
    contract_year,
    exit_schedule,
    format_bp,
    parse_share,
    parse_weights,
    share_for_year,
    split_profit,
)
from ledger.services.balances import trial_balance
from ledger.services.entries import PostingLine, post_entry
from ledger.services.households import add_household
from ledger.services.sharing import (
    add_village_household,
    distribute,
    distribution_report,
    enrol_household,
    get_exit_schedule,
    investor_share_bp,
    period_profit,
    set_exit_schedule,
    set_household_holding,
    set_schedule_year,
    village_households,
)
from ledger.verify import verify_ledger
from tests.conftest import World

D = dt.date
LINEAR_20 = exit_schedule()


# --- the capital-exit schedule (pure) -------------------------------------------------------


def test_default_schedule_is_70_percent_falling_linearly_to_zero_after_year_20() -> None:
    """全兴村: the investor takes 70% of the profit in year 1, less each year, 0% after year 20.

    Year y: 7000 × (20 + 1 − y) ÷ 20 basis points —
    year 1: 7000 × 20/20 = 7000 (70%); year 2: 7000 × 19/20 = 6650 (66.5%);
    year 3: 7000 × 18/20 = 6300 (63%); year 10: 7000 × 11/20 = 3850 (38.5%);
    year 20: 7000 × 1/20 = 350 (3.5%); year 21 and later: the contract has ended, 0%.
    Each year the share falls by 7000 ÷ 20 = 350 bp (3.5 points).
    """
    rows = dict(LINEAR_20)
    assert len(rows) == 20
    assert [rows[y] for y in (1, 2, 3, 10, 20)] == [7000, 6650, 6300, 3850, 350]
    assert all(rows[y] - rows[y + 1] == 350 for y in range(1, 20))
    assert share_for_year(rows, 21) == 0
    assert share_for_year(rows, 35) == 0


def test_linear_shares_are_rounded_down_to_a_whole_basis_point() -> None:
    """70% over 30 years: year 2 is 7000 × 29/30 = 6766.67 bp, rounded down to 6766 (the
    investor never gets more than the straight line); year 3 is 7000 × 28/30 = 6533.33 → 6533;
    year 30 is 7000 × 1/30 = 233.33 → 233."""
    rows = dict(exit_schedule(7000, 30))
    assert (rows[1], rows[2], rows[3], rows[30]) == (7000, 6766, 6533, 233)


def test_linear_towards_a_floor_above_zero() -> None:
    """70% falling towards 10% over 20 years: year y is 1000 + 6000 × (21 − y)/20, so year 1 is
    1000 + 6000 = 7000, year 11 is 1000 + 6000 × 10/20 = 4000, year 20 is 1000 + 300 = 1300."""
    rows = dict(exit_schedule(7000, 20, 1000))
    assert (rows[1], rows[11], rows[20]) == (7000, 4000, 1300)


def test_step_curve_holds_each_level_for_some_years() -> None:
    """70% in 5-year stairs over 20 years: 4 stairs, stair k holds 7000 × (4 − k)/4 —
    years 1–5 70%, 6–10 52.5%, 11–15 35%, 16–20 17.5%, then 0%.
    Without a stair length the share is constant, 70% in all 20 years, then 0%."""
    rows = dict(exit_schedule(7000, 20, 0, "step", 5))
    assert [rows[y] for y in (1, 5, 6, 10, 11, 15, 16, 20)] == [
        7000,
        7000,
        5250,
        5250,
        3500,
        3500,
        1750,
        1750,
    ]
    constant = dict(exit_schedule(7000, 20, 0, "step"))
    assert set(constant.values()) == {7000}
    assert share_for_year(constant, 21) == 0
    # one-year stairs are the linear curve
    assert exit_schedule(7000, 20, 0, "step", 1) == LINEAR_20


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"start_bp": 10001}, "between 0% and 100%"),
        ({"start_bp": -1}, "between 0% and 100%"),
        ({"end_bp": 10001}, "between 0% and 100%"),
        ({"start_bp": 3000, "end_bp": 5000}, "cannot be above the start share"),
        ({"years": 0}, "1 to 100 years"),
        ({"years": 101}, "1 to 100 years"),
        ({"curve": "exponential"}, "Unknown curve"),
        ({"curve": "step", "step_years": 0}, "1 to 20 years"),
        ({"curve": "step", "step_years": 21}, "1 to 20 years"),
    ],
)
def test_bad_schedule_parameters_are_refused(kwargs: dict[str, object], words: str) -> None:
    with pytest.raises(InvalidInputError, match=words):
        exit_schedule(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("start", "date", "year"),
    [
        (D(2022, 1, 1), D(2022, 1, 1), 1),
        (D(2022, 1, 1), D(2022, 12, 31), 1),
        (D(2022, 1, 1), D(2023, 1, 1), 2),
        (D(2022, 1, 1), D(2024, 12, 31), 3),
        (D(2022, 3, 15), D(2023, 3, 14), 1),
        (D(2022, 3, 15), D(2023, 3, 15), 2),
        (D(2020, 2, 29), D(2021, 2, 28), 1),  # anniversary of 29 Feb is 1 March
        (D(2020, 2, 29), D(2021, 3, 1), 2),
        (D(2020, 2, 29), D(2024, 2, 29), 5),
    ],
)
def test_contract_year_counts_twelve_months_from_the_start(
    start: dt.date, date: dt.date, year: int
) -> None:
    assert contract_year(start, date) == year


def test_a_date_before_the_contract_has_no_contract_year() -> None:
    with pytest.raises(InvalidInputError, match="before the investor's contract started"):
        contract_year(D(2022, 1, 1), D(2021, 12, 31))


# --- the split (pure) -------------------------------------------------------------------------


def test_split_of_600000_in_contract_year_1() -> None:
    """Profit ¥600,000.00 in contract year 1: the investor takes 70% = ¥420,000.00; the
    collective's ¥180,000.00 is split 3:3:3:1 = ¥54,000.00 shareholders, ¥54,000.00 public
    welfare, ¥54,000.00 project reserve, ¥18,000.00 per capita.

    Three households with 10, 20 and 30 shares (60 in all) get 54,000 × 10/60 = ¥9,000.00,
    54,000 × 20/60 = ¥18,000.00 and 54,000 × 30/60 = ¥27,000.00; with 3, 4 and 5 members
    (12 people) they get 18,000 × 3/12 = ¥4,500.00, 18,000 × 4/12 = ¥6,000.00 and
    18,000 × 5/12 = ¥7,500.00. Household 1 receives 9,000 + 4,500 = ¥13,500.00 in all.
    """
    split = split_profit(
        60_000_000, 7000, (3, 3, 3, 1), shares={1: 10, 2: 20, 3: 30}, members={1: 3, 2: 4, 3: 5}
    )
    assert (split.investor_fen, split.collective_fen) == (42_000_000, 18_000_000)
    assert split.parts == {
        "shareholders": 5_400_000,
        "public_welfare": 5_400_000,
        "project_reserve": 5_400_000,
        "per_capita": 1_800_000,
    }
    assert split.dividends == {1: 900_000, 2: 1_800_000, 3: 2_700_000}
    assert split.per_capita == {1: 450_000, 2: 600_000, 3: 750_000}
    assert split.dividends[1] + split.per_capita[1] == 1_350_000


def test_where_the_indivisible_fen_go() -> None:
    """Profit ¥100,000.07 (10,000,007 fen) in contract year 3, investor 63%:

    - investor 10,000,007 × 63% = 6,300,004.41 fen, collective 3,700,002.59 fen; the floors
      6,300,004 + 3,700,002 leave 1 fen, which goes to the larger remainder (.59): the
      collective. Investor ¥63,000.04, collective ¥37,000.03.
    - 3:3:3:1 of 3,700,003 fen: 1,110,000.9 three times and 370,000.3; the floors leave 3 fen,
      one each to the three parts with remainder .9: ¥11,100.01 / ¥11,100.01 / ¥11,100.01 /
      ¥3,700.00.
    - shareholders' 1,110,001 fen over 1:1:1 shares: 370,000.33 each; the 1 fen left is a tie,
      so it goes to the earlier household (smallest id, 7): ¥3,700.01, ¥3,700.00, ¥3,700.00 —
      whatever order the households were given in.
    - per capita 370,000 fen over 2, 3 and 4 members: 82,222.2, 123,333.3 and 164,444.4; the
      1 fen left goes to the largest remainder (.4): ¥822.22, ¥1,233.33, ¥1,644.45.
    """
    split = split_profit(10_000_007, 6300, shares={9: 1, 7: 1, 8: 1}, members={9: 4, 7: 2, 8: 3})
    assert (split.investor_fen, split.collective_fen) == (6_300_004, 3_700_003)
    assert list(split.parts.values()) == [1_110_001, 1_110_001, 1_110_001, 370_000]
    assert list(split.dividends.items()) == [(7, 370_001), (8, 370_000), (9, 370_000)]
    assert split.per_capita == {7: 82_222, 8: 123_333, 9: 164_445}


def test_a_weight_of_zero_needs_no_one_to_receive_it() -> None:
    """Weights 3:3:3:0 with no villagers recorded: 30,000 fen collective → 10,000 each to
    shareholders, welfare and reserve, nothing per capita, so no members are needed."""
    split = split_profit(100_000, 7000, (3, 3, 3, 0), shares={1: 1}, members={})
    assert list(split.parts.values()) == [10_000, 10_000, 10_000, 0]
    assert split.per_capita == {}


def test_after_the_contract_the_collective_keeps_everything() -> None:
    """Contract over (0%): all of ¥1,000.00 is split 3:3:3:1 = 300 / 300 / 300 / 100 yuan."""
    split = split_profit(100_000, 0, shares={1: 1}, members={1: 1})
    assert split.investor_fen == 0
    assert list(split.parts.values()) == [30_000, 30_000, 30_000, 10_000]


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"profit_fen": 0}, "a loss or zero profit: nothing is distributed"),
        ({"profit_fen": -500}, "a loss or zero profit: nothing is distributed"),
        ({"investor_bp": 10001}, "between 0% and 100%"),
        ({"weights": (0, 0, 0, 0)}, "all zero"),
        ({"weights": (3, -3, 3, 1)}, "cannot be negative"),
        ({"weights": (3, 3, 1)}, "four whole-number weights"),
        ({"shares": {1: 0, 2: 0}}, "No household holds shares"),
        ({"shares": {}}, "No household holds shares"),
        ({"members": {1: 0}}, "No household has any members"),
        ({"shares": {1: -2}}, "0 or more"),
    ],
)
def test_bad_splits_are_refused(kwargs: dict[str, object], words: str) -> None:
    args: dict[str, object] = {
        "profit_fen": 100_000,
        "investor_bp": 7000,
        "weights": (3, 3, 3, 1),
        "shares": {1: 10},
        "members": {1: 3},
    }
    args.update(kwargs)
    with pytest.raises(InvalidInputError, match=words):
        split_profit(**args)  # type: ignore[arg-type]


@settings(max_examples=300, deadline=None)
@given(
    profit=st.integers(1, 10**13),
    bp=st.integers(0, 10_000),
    weights=st.tuples(*[st.integers(0, 20)] * 4).filter(lambda w: sum(w) > 0),
    shares=st.dictionaries(st.integers(1, 500), st.integers(1, 1000), min_size=1, max_size=30),
    members=st.dictionaries(st.integers(1, 500), st.integers(1, 12), min_size=1, max_size=30),
)
def test_every_fen_is_assigned(
    profit: int,
    bp: int,
    weights: tuple[int, int, int, int],
    shares: dict[int, int],
    members: dict[int, int],
) -> None:
    split = split_profit(profit, bp, weights, shares, members)
    assert split.investor_fen + split.collective_fen == profit
    assert sum(split.parts.values()) == split.collective_fen
    assert sum(split.dividends.values()) == split.shareholders_fen
    assert sum(split.per_capita.values()) == split.per_capita_fen
    assert list(split.dividends) == sorted(shares)
    # each household within one fen of its exact pro-rata share
    total_shares = sum(shares.values())
    for key, fen in split.dividends.items():
        assert abs(fen * total_shares - split.shareholders_fen * shares[key]) < total_shares


@pytest.mark.parametrize(
    ("text", "bp"),
    [
        ("70%", 7000),
        ("63.5%", 6350),
        ("63.25", 6325),
        ("6300bp", 6300),
        ("０％", 0),
        ("100", 10000),
    ],
)
def test_shares_as_typed(text: str, bp: int) -> None:
    assert parse_share(text) == bp


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("101%", "between 0% and 100%"),
        ("10001bp", "between 0% and 100%"),
        ("63.125%", "not a share"),
        ("abc", "not a share"),
        ("-5%", "not a share"),
    ],
)
def test_bad_shares_as_typed(text: str, words: str) -> None:
    with pytest.raises(InvalidInputError, match=words):
        parse_share(text)


def test_weights_periods_and_percentages_as_typed() -> None:
    assert parse_weights("3:3:3:1") == (3, 3, 3, 1)
    assert parse_weights("4，3，2，1".replace("，", ",")) == (4, 3, 2, 1)
    with pytest.raises(InvalidInputError, match="all zero"):
        parse_weights("0:0:0:0")
    with pytest.raises(InvalidInputError, match="cannot be negative"):
        parse_weights("3:3:-3:1")
    with pytest.raises(InvalidInputError, match="not a split"):
        parse_weights("3:3:3")
    assert [format_bp(b) for b in (7000, 6650, 6325, 0, 10000)] == [
        "70%",
        "66.5%",
        "63.25%",
        "0%",
        "100%",
    ]


# --- services ---------------------------------------------------------------------------------


def counts(world: World) -> dict[str, int]:
    """How many rows each table touched by revenue sharing holds."""
    with world.ledger.read() as s:
        return {
            model.__name__: s.exec(select(func.count()).select_from(model)).one()
            for model in (
                Entry,
                Posting,
                Distribution,
                DistributionShare,
                ExitSchedule,
                ExitScheduleYear,
                Household,
                BookSetting,
                AuditEvent,
            )
        }


@pytest.fixture
def village(world: World) -> World:
    """全兴村 with the default 70%→0% schedule from 1 January 2022 and three households with
    10/20/30 shares and 3/4/5 members."""
    with world.ledger.write() as s:
        treasurer = world.user(s, "treasurer")
        set_exit_schedule(
            s, book_id=world.village_id, contract_start=D(2022, 1, 1), actor=treasurer
        )
        for label, shares, members in [
            ("一组01户", 10, 3),
            ("一组02户", 20, 4),
            ("一组03户", 30, 5),
        ]:
            add_village_household(
                s,
                book_id=world.village_id,
                label=label,
                shares=shares,
                members=members,
                actor=treasurer,
            )
    return world


def run_distribution(
    world: World,
    *,
    period: str = "2024",
    date: dt.date = D(2024, 12, 31),
    profit_fen: int = 60_000_000,
    weights: tuple[int, ...] = (3, 3, 3, 1),
    who: str = "treasurer",
    approver: str | None = None,
    book_id: int | None = None,
) -> None:
    with world.ledger.write() as s:
        distribute(
            s,
            book_id=book_id or world.village_id,
            period=period,
            date=date,
            profit_fen=profit_fen,
            weights=weights,
            actor=world.user(s, who),
            approver=world.user(s, approver) if approver else None,
        )


def balances(s: Session, book_id: int) -> dict[str, int]:
    return {
        a.code: a.balance_fen
        for a in trial_balance(s, book_id=book_id).accounts
        if a.is_leaf and a.balance_fen
    }


def test_distribution_in_contract_year_3_posts_one_balanced_entry(village: World) -> None:
    """Profit ¥600,000.00 for 2024, contract year 3 (from 2022-01-01): investor 63% =
    ¥378,000.00; collective 37% = ¥222,000.00, split 3:3:3:1 = ¥66,600.00 / ¥66,600.00 /
    ¥66,600.00 / ¥22,200.00. Shares 10/20/30 of 66,600 → ¥11,100.00 / ¥22,200.00 /
    ¥33,300.00; members 3/4/5 of 22,200 → ¥5,550.00 / ¥7,400.00 / ¥9,250.00."""
    world = village
    run_distribution(world, approver="committee")
    with world.ledger.read() as s:
        report = distribution_report(s, book_id=world.village_id, period="2024")
        assert (report.contract_year, report.investor_bp) == (3, 6300)
        assert (report.investor_fen, report.collective_fen) == (37_800_000, 22_200_000)
        assert report.parts == {
            "shareholders": 6_660_000,
            "public_welfare": 6_660_000,
            "project_reserve": 6_660_000,
            "per_capita": 2_220_000,
        }
        assert [
            (h.label, h.dividend_fen, h.per_capita_fen, h.total_fen) for h in report.households
        ] == [
            ("一组01户", 1_110_000, 555_000, 1_665_000),
            ("一组02户", 2_220_000, 740_000, 2_960_000),
            ("一组03户", 3_330_000, 925_000, 4_255_000),
        ]
        assert report.entry_number == "记-2024-0001"
        entries = s.exec(select(Entry).where(col(Entry.book_id) == world.village_id)).all()
        assert len(entries) == 1
        assert entries[0].approved_by_id == world.user(s, "committee").id
        assert balances(s, world.village_id) == {
            "211101": -37_800_000,
            "211102": -6_660_000,
            "211103": -2_220_000,
            "310101": -6_660_000,
            "310102": -6_660_000,
            "330101": 37_800_000,
            "330102": 6_660_000,
            "330103": 6_660_000,
            "330104": 6_660_000,
            "330105": 2_220_000,
        }
        assert trial_balance(s, book_id=world.village_id).balanced
        assert verify_ledger(s) == []
        event = s.exec(
            select(AuditEvent).where(col(AuditEvent.action) == "village.distributed")
        ).one()
        assert '"investor_bp": 6300' in event.detail


def test_households_of_other_books_do_not_share(village: World) -> None:
    """A household registered for a micro-fund's points (5 members) is not a villager: the
    per-capita ¥22,200.00 still goes to the 12 villagers only."""
    world = village
    with world.ledger.write() as s:
        add_household(s, label="3栋2单元501", members=5, actor=world.user(s, "treasurer"))
    run_distribution(world)
    with world.ledger.read() as s:
        report = distribution_report(s, book_id=world.village_id, period="2024")
        assert [h.label for h in report.households] == ["一组01户", "一组02户", "一组03户"]
        assert report.total_members == 12


def test_a_household_that_holds_nothing_gets_no_line(village: World) -> None:
    world = village
    with world.ledger.write() as s:
        add_village_household(
            s,
            book_id=world.village_id,
            label="一组04户",
            shares=0,
            members=0,
            actor=world.user(s, "treasurer"),
        )
    run_distribution(world)
    with world.ledger.read() as s:
        assert len(distribution_report(s, book_id=world.village_id, period="2024").households) == 3


def test_changing_shares_keeps_past_distributions(village: World) -> None:
    world = village
    run_distribution(world)
    with world.ledger.write() as s:
        hh = village_households(s, book_id=world.village_id)[0]
        set_household_holding(
            s,
            book_id=world.village_id,
            household_id=hh.id or 0,
            shares=40,
            members=6,
            actor=world.user(s, "treasurer"),
        )
    with world.ledger.read() as s:
        line = distribution_report(s, book_id=world.village_id, period="2024").households[0]
        assert (line.shares, line.members, line.dividend_fen) == (10, 3, 1_110_000)
        assert village_households(s, book_id=world.village_id)[0].shares == 40
        event = s.exec(
            select(AuditEvent).where(col(AuditEvent.action) == "village.household_changed")
        ).one()
        assert '"from": {"members": 3, "shares": 10}' in event.detail


def test_a_contract_past_its_last_year_gives_the_investor_nothing(village: World) -> None:
    """2042 is contract year 21 of a contract from 2022-01-01: the investor's share is 0, so
    ¥1,000.00 is split 3:3:3:1 = 300 / 300 / 300 / 100 yuan and the entry has no investor line."""
    world = village
    with world.ledger.read() as s:
        assert investor_share_bp(s, book_id=world.village_id, date=D(2041, 12, 31)) == 350
        assert investor_share_bp(s, book_id=world.village_id, date=D(2042, 1, 1)) == 0
    run_distribution(world, period="2042", date=D(2042, 12, 31), profit_fen=100_000)
    with world.ledger.read() as s:
        report = distribution_report(s, book_id=world.village_id, period="2042")
        assert (report.contract_year, report.investor_fen) == (21, 0)
        assert "330101" not in balances(s, world.village_id)


def test_the_profit_of_a_period_is_income_less_expenses(village: World) -> None:
    """2024: takings ¥1,000,000.00 less costs ¥400,000.00 = ¥600,000.00; a posting of
    January 2025 does not count."""
    world = village
    with world.ledger.write() as s:
        t = world.user(s, "treasurer")
        for date, lines in [
            (D(2024, 6, 30), [PostingLine("1002", 100_000_000), PostingLine("4101", -100_000_000)]),
            (D(2024, 7, 31), [PostingLine("5101", 40_000_000), PostingLine("1002", -40_000_000)]),
            (D(2025, 1, 5), [PostingLine("1002", 5_000_000), PostingLine("4101", -5_000_000)]),
        ]:
            post_entry(s, book_id=world.village_id, date=date, memo="经营", lines=lines, actor=t)
        assert period_profit(s, book_id=world.village_id, period="2024") == 60_000_000
        assert period_profit(s, book_id=world.village_id, period="2024-07") == -40_000_000


def test_schedule_years_can_be_edited_until_a_distribution_uses_them(village: World) -> None:
    world = village
    with world.ledger.write() as s:
        view = set_schedule_year(
            s,
            book_id=world.village_id,
            contract_year=3,
            investor_bp=6000,
            actor=world.user(s, "treasurer"),
        )
        assert view.rows[2].investor_bp == 6000
        assert (view.rows[2].starts, view.rows[2].ends) == (D(2024, 1, 1), D(2024, 12, 31))
    run_distribution(world)
    before = counts(world)
    with pytest.raises(InvalidInputError, match="already used by the distribution of 2024"):
        with world.ledger.write() as s:
            set_schedule_year(
                s,
                book_id=world.village_id,
                contract_year=3,
                investor_bp=6300,
                actor=world.user(s, "treasurer"),
            )
    # regenerating would change year 3 from 60% back to 63%: refused too
    with pytest.raises(InvalidInputError, match="Contract year 3 was used by the distribution"):
        with world.ledger.write() as s:
            set_exit_schedule(
                s,
                book_id=world.village_id,
                contract_start=D(2022, 1, 1),
                actor=world.user(s, "treasurer"),
            )
    with pytest.raises(InvalidInputError, match="cannot move from 2022-01-01"):
        with world.ledger.write() as s:
            set_exit_schedule(
                s,
                book_id=world.village_id,
                contract_start=D(2022, 6, 1),
                rows=[(1, 7000), (2, 6650), (3, 6000)],
                actor=world.user(s, "treasurer"),
            )
    assert counts(world) == before
    # later years stay editable, and a replacement that keeps year 3 is accepted
    with world.ledger.write() as s:
        t = world.user(s, "treasurer")
        set_schedule_year(s, book_id=world.village_id, contract_year=4, investor_bp=5000, actor=t)
        view = set_exit_schedule(
            s,
            book_id=world.village_id,
            contract_start=D(2022, 1, 1),
            rows=[(1, 7000), (2, 6650), (3, 6000), (4, 4000)],
            actor=t,
        )
        assert [r.investor_bp for r in view.rows] == [7000, 6650, 6000, 4000]
        assert view.rows[2].used_by == ("2024",)
        assert len(s.exec(select(ExitScheduleYear)).all()) == 4


def test_a_step_schedule_is_stored_as_its_table(world: World) -> None:
    with world.ledger.write() as s:
        view = set_exit_schedule(
            s,
            book_id=world.village_id,
            contract_start=D(2022, 1, 1),
            curve="step",
            step_years=5,
            actor=world.user(s, "treasurer"),
        )
    assert [r.investor_bp for r in view.rows][4:6] == [7000, 5250]
    with world.ledger.read() as s:
        assert get_exit_schedule(s, book_id=world.village_id).years == 20


# --- refusals: each leaves the database as it was --------------------------------------------


def refused(world: World, error: type[Exception], words: str, **kwargs: object) -> None:
    before = counts(world)
    with pytest.raises(error, match=words):
        run_distribution(world, **kwargs)  # type: ignore[arg-type]
    assert counts(world) == before


def test_a_distribution_with_no_shareholders_is_refused(world: World) -> None:
    with world.ledger.write() as s:
        t = world.user(s, "treasurer")
        set_exit_schedule(s, book_id=world.village_id, contract_start=D(2022, 1, 1), actor=t)
        add_village_household(s, book_id=world.village_id, label="二组01户", members=4, actor=t)
    refused(world, InvalidInputError, "No household holds shares")


def test_a_distribution_with_no_villagers_is_refused(world: World) -> None:
    with world.ledger.write() as s:
        t = world.user(s, "treasurer")
        set_exit_schedule(s, book_id=world.village_id, contract_start=D(2022, 1, 1), actor=t)
        add_village_household(
            s, book_id=world.village_id, label="二组01户", shares=10, members=0, actor=t
        )
    refused(world, InvalidInputError, "No household has any members")


def test_weights_all_zero_are_refused(village: World) -> None:
    refused(village, InvalidInputError, "all zero", weights=(0, 0, 0, 0))
    refused(village, InvalidInputError, "cannot be negative", weights=(3, 3, 3, -1))


@pytest.mark.parametrize("profit", [0, -1_250_000])
def test_a_loss_or_zero_profit_distributes_nothing(village: World, profit: int) -> None:
    refused(
        village,
        InvalidInputError,
        "a loss or zero profit: nothing is distributed",
        profit_fen=profit,
    )


def test_the_same_period_is_distributed_once(village: World) -> None:
    run_distribution(village)
    refused(village, InvalidInputError, "The profit of 2024 has already been distributed")
    refused(village, InvalidInputError, "2024-12 overlaps 2024", period="2024-12")


def test_a_distribution_needs_a_schedule(world: World) -> None:
    with world.ledger.write() as s:
        add_village_household(
            s,
            book_id=world.village_id,
            label="一组01户",
            shares=1,
            actor=world.user(s, "treasurer"),
        )
    refused(world, NotFoundError, "has no capital-exit schedule yet")


def test_a_distribution_is_dated_after_its_period(village: World) -> None:
    refused(village, InvalidInputError, "on or after 2024-12-31", date=D(2024, 6, 30))


def test_a_period_before_the_contract_is_refused(village: World) -> None:
    refused(
        village,
        InvalidInputError,
        "ended before the investor's contract started",
        period="2021",
        date=D(2021, 12, 31),
    )


@pytest.mark.parametrize("book", ["fund_id", "trust_id"])
def test_a_non_village_book_is_refused(village: World, book: str) -> None:
    world = village
    book_id = getattr(world, book)
    refused(world, InvalidInputError, "village collective revenue book", book_id=book_id)
    before = counts(world)
    with pytest.raises(InvalidInputError, match="village collective revenue book"):
        with world.ledger.write() as s:
            set_exit_schedule(
                s, book_id=book_id, contract_start=D(2022, 1, 1), actor=world.user(s, "treasurer")
            )
    with pytest.raises(InvalidInputError, match="village collective revenue book"):
        with world.ledger.write() as s:
            add_village_household(
                s, book_id=book_id, label="外村01户", shares=1, actor=world.user(s, "treasurer")
            )
    assert counts(world) == before


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"start_bp": 10_001}, "between 0% and 100%"),
        ({"rows": [(1, 7000), (2, 10_500)]}, "between 0% and 100%"),
        ({"rows": [(1, 7000), (2, -1)]}, "between 0% and 100%"),
        ({"rows": [(1, 7000), (3, 6000)]}, "year 2 is missing"),
        ({"rows": []}, "1 to 100 contract years"),
    ],
)
def test_a_schedule_share_outside_0_to_10000_bp_is_refused(
    world: World, kwargs: dict[str, object], words: str
) -> None:
    before = counts(world)
    with pytest.raises(InvalidInputError, match=words):
        with world.ledger.write() as s:
            set_exit_schedule(
                s,
                book_id=world.village_id,
                contract_start=D(2022, 1, 1),
                actor=world.user(s, "treasurer"),
                **kwargs,  # type: ignore[arg-type]
            )
    assert counts(world) == before


def test_one_year_share_outside_0_to_10000_bp_is_refused(village: World) -> None:
    before = counts(village)
    for bp, error, words in [
        (10_001, InvalidInputError, "between 0% and 100%"),
        (-5, InvalidInputError, "between 0% and 100%"),
    ]:
        with pytest.raises(error, match=words):
            with village.ledger.write() as s:
                set_schedule_year(
                    s,
                    book_id=village.village_id,
                    contract_year=2,
                    investor_bp=bp,
                    actor=village.user(s, "treasurer"),
                )
    with pytest.raises(InvalidInputError, match="there is no year 21"):
        with village.ledger.write() as s:
            set_schedule_year(
                s,
                book_id=village.village_id,
                contract_year=21,
                investor_bp=100,
                actor=village.user(s, "treasurer"),
            )
    assert counts(village) == before


def test_who_may_do_what(village: World) -> None:
    world = village
    refused(world, PermissionDeniedError, "may not record entries", who="auditor")
    refused(world, PermissionDeniedError, "may not record entries", who="reviewer")
    refused(world, PermissionDeniedError, "cannot also approve", who="admin", approver="admin")
    refused(world, PermissionDeniedError, "may not approve", approver="treasurer2")
    with pytest.raises(PermissionDeniedError):
        with world.ledger.write() as s:
            add_village_household(
                s, book_id=world.village_id, label="x", actor=world.user(s, "committee")
            )
    with pytest.raises(PermissionDeniedError):
        with world.ledger.write() as s:
            set_schedule_year(
                s,
                book_id=world.village_id,
                contract_year=5,
                investor_bp=1,
                actor=world.user(s, "auditor"),
            )


def test_enrolment_and_holdings_are_checked(village: World) -> None:
    world = village
    with world.ledger.write() as s:
        other = add_household(s, label="3栋2单元501", actor=world.user(s, "treasurer"))
        other_id = other.id or 0
    with pytest.raises(InvalidInputError, match="is not a household of “全兴村”"):
        with world.ledger.write() as s:
            set_household_holding(
                s,
                book_id=world.village_id,
                household_id=other_id,
                shares=3,
                actor=world.user(s, "treasurer"),
            )
    with world.ledger.write() as s:
        t = world.user(s, "treasurer")
        enrol_household(s, book_id=world.village_id, household_id=other_id, actor=t)
        with pytest.raises(InvalidInputError, match="already a household"):
            enrol_household(s, book_id=world.village_id, household_id=other_id, actor=t)
        with pytest.raises(InvalidInputError, match="0 or more"):
            set_household_holding(
                s, book_id=world.village_id, household_id=other_id, shares=-1, actor=t
            )
        assert len(village_households(s, book_id=world.village_id)) == 4


# --- the demo ---------------------------------------------------------------------------------


def test_the_quanxing_demo_distributes_in_contract_year_3(world: World) -> None:
    """全兴村 2024: takings ¥4,126,800.00 ("营收400余万元"); costs: 47 jobs at ¥169,200.00 a
    month = ¥2,030,400.00, supplies 12% of takings = ¥495,216.00, upkeep ¥144,000.00, management
    ¥90,000.00, in all ¥2,759,616.00; profit ¥1,367,184.00.

    Contract year 3 (from 2022-01-01): investor 63% = 1,367,184 × 0.63 = ¥861,325.92; the
    collective's ¥505,858.08 split 3:3:3:1 = ¥151,757.43 (the leftover fen) / ¥151,757.42 /
    ¥151,757.42 / ¥50,585.81. Shareholders and villagers together receive ¥202,343.24
    ("群众每年增收20余万元").
    """
    with world.ledger.write() as s:
        demo = build_sharing_demo(
            s,
            book_id=world.village_id,
            treasurer=world.user(s, "treasurer"),
            reviewer=world.user(s, "reviewer"),
            committee=world.user(s, "committee"),
            year=2024,
        )
    report = demo.distribution
    assert demo.households == 40
    assert demo.profit_fen == 136_718_400
    assert (report.contract_year, report.investor_bp) == (3, 6300)
    assert (report.investor_fen, report.collective_fen) == (86_132_592, 50_585_808)
    assert list(report.parts.values()) == [15_175_743, 15_175_742, 15_175_742, 5_058_581]
    assert report.parts["shareholders"] + report.parts["per_capita"] == 20_234_324
    assert sum(h.dividend_fen for h in report.households) == 15_175_743
    assert sum(h.per_capita_fen for h in report.households) == 5_058_581
    assert len(report.households) == 40
    with world.ledger.read() as s:
        tb = trial_balance(s, book_id=world.village_id)
        assert tb.balanced
        income = next(a for a in tb.accounts if a.code == "4101")
        assert income.credit_fen == 412_680_000
        assert verify_ledger(s) == []
        assert (
            s.exec(
                select(func.count())
                .select_from(Entry)
                .where(col(Entry.book_id) == world.village_id)
            ).one()
            == demo.entries
        )

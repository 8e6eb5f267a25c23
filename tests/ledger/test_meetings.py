"""Owners' meetings (Civil Code art. 278) and residents' meetings (一户一票): the decision rules,
worked by hand at the exact boundaries — 2/3 to take part, more than 1/2 for an ordinary matter,
3/4 for a major one — on small estates and on a 120-unit estate like 金河绿洲, then checked
with generated estates, and every refusal."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from ledger.errors import InvalidInputError
from ledger.rules.meetings import (
    HALF,
    THREE_QUARTERS,
    TWO_THIRDS,
    Choice,
    Electorate,
    Figure,
    Matter,
    Outcome,
    OwnersMeetingResult,
    Threshold,
    UnitRow,
    fraction_percent,
    fraction_text,
    owners_electorate,
    owners_meeting_result,
    residents_meeting_result,
)

YES, NO, ABSTAIN = "yes", "no", "abstain"


def estate(*areas: int) -> Electorate:
    """One unit per owner; owner keys A, B, C … in order, unit ids 1-A, 1-B …"""
    return owners_electorate(
        [(f"1-{chr(65 + i)}", chr(65 + i), area, False) for i, area in enumerate(areas)]
    )


def decide(
    electorate: Electorate, ballots: dict[str, str], matter: Matter | str = Matter.ORDINARY
) -> OwnersMeetingResult:
    return owners_meeting_result(electorate, ballots, matter)


def shares(result: OwnersMeetingResult) -> list[Fraction | None]:
    return [figure.value for figure in result.figures]


def verdicts(result: OwnersMeetingResult) -> list[bool]:
    return [figure.passed for figure in result.figures]


# --- the law's vocabulary -------------------------------------------------------------------


def test_major_matters_are_items_6_to_8_of_art_278() -> None:
    """Raising the maintenance fund (6), rebuilding (7), changing the use of common parts or using
    them for business (8) need 3/4; using the fund (5) is ordinary under the 2021 Code."""
    assert {m for m in Matter if m.is_major} == {
        Matter.RAISE_MAINTENANCE_FUND,
        Matter.REBUILD,
        Matter.CHANGE_USE_OF_COMMON_PARTS,
        Matter.BUSINESS_USE_OF_COMMON_PARTS,
    }
    assert not Matter.ORDINARY.is_major
    assert not Matter.USE_MAINTENANCE_FUND.is_major
    assert Matter("rebuild") is Matter.REBUILD


def test_percentages_are_exact_two_decimals_half_up() -> None:
    """2/3 = 66.666…% → 66.67%; 1/3 = 33.333…% → 33.33%; 1/8 = 12.5% → 12.50%;
    1/20000 = 0.005% is exactly half a hundredth → rounds up to 0.01%;
    1/20001 = 0.004999…% → 0.00%."""
    assert fraction_percent(TWO_THIRDS) == "66.67%"
    assert fraction_percent(Fraction(1, 3)) == "33.33%"
    assert fraction_percent(Fraction(1, 8)) == "12.50%"
    assert fraction_percent(Fraction(1, 20000)) == "0.01%"
    assert fraction_percent(Fraction(1, 20001)) == "0.00%"
    assert fraction_percent(Fraction(1)) == "100.00%"
    assert fraction_text(Fraction(8000, 12000)) == "2/3 = 66.67%"
    assert Threshold(TWO_THIRDS, True).text == "≥ 2/3 (66.67%)"
    assert Threshold(HALF, False).text == "> 1/2 (50.00%)"


def test_a_figure_states_its_share_threshold_and_relation() -> None:
    """7,999,999 dm² of 12,000,000 also reads 66.67% with two decimals, but is below 2/3 —
    the fraction and the relation say so."""
    short = Figure(
        "participation_area", "x", 7_999_999, 12_000_000, "dm2", Threshold(TWO_THIRDS, True)
    )
    assert short.text == "7999999/12000000 = 66.67%"
    assert short.relation == "<"
    assert not short.passed
    assert short.counts_text == "79999.99 / 120000.00 m²"
    exact = Figure(
        "participation_area", "x", 8_000_000, 12_000_000, "dm2", Threshold(TWO_THIRDS, True)
    )
    assert (exact.text, exact.relation, exact.passed) == ("2/3 = 66.67%", "=", True)
    nobody = Figure("approval_owners", "x", 0, 0, "owners", Threshold(HALF, False))
    assert (nobody.value, nobody.text, nobody.relation, nobody.passed) == (None, "—", None, False)


# --- participation: at least 2/3 of the area and at least 2/3 of the owners ------------------


def test_participation_at_exactly_two_thirds_of_area_and_owners_reaches_the_quorum() -> None:
    """Six owners A–F of 100.00 m² each: 600.00 m², 6 owners. A, B, C, D vote yes.
    Area taking part 400.00 / 600.00 = 2/3 ≥ 2/3 ✓; owners 4/6 = 2/3 ≥ 2/3 ✓ ("以上" includes
    the bound). Yes: 400.00/400.00 and 4/4 → passed."""
    result = decide(estate(*[10000] * 6), dict.fromkeys("ABCD", YES))
    assert (result.total_area_dm2, result.owner_count) == (60000, 6)
    assert result.participation_area.value == TWO_THIRDS
    assert result.participation_owners.value == TWO_THIRDS
    assert result.participation_area.text == "2/3 = 66.67%"
    assert result.participation_area.relation == "="
    assert result.quorum_reached
    assert result.outcome is Outcome.PASSED


def test_participation_one_dm2_short_of_two_thirds_fails_the_quorum() -> None:
    """The same estate with D at 99.99 m² and F at 100.01 m² (total still 600.00 m²): A–D hold
    399.99 m², and 39,999 / 60,000 < 2/3 (40,000 would be exactly 2/3) ✗, though 4/6 owners ✓
    → quorum not reached, whatever the yes votes say."""
    result = decide(estate(10000, 10000, 10000, 9999, 10000, 10001), dict.fromkeys("ABCD", YES))
    assert result.participation_area.value == Fraction(39999, 60000)
    assert result.participation_area.relation == "<"
    assert result.participation_area.percent == "66.67%"  # why the fraction is shown too
    assert not result.participation_area.passed
    assert result.participation_owners.passed
    assert result.approved  # 100% yes of those who took part …
    assert result.outcome is Outcome.QUORUM_NOT_REACHED  # … but too few took part


def test_enough_area_but_too_few_owners_is_no_quorum() -> None:
    """A 250.00, B–C 100.00, D–F 50.00 m² (600.00 m², 6 owners). A, B, C take part: area
    450.00/600.00 = 3/4 ≥ 2/3 ✓, owners 3/6 = 1/2 < 2/3 ✗ → quorum not reached."""
    result = decide(estate(25000, 10000, 10000, 5000, 5000, 5000), dict.fromkeys("ABC", YES))
    assert shares(result)[:2] == [THREE_QUARTERS, HALF]
    assert verdicts(result)[:2] == [True, False]
    assert result.outcome is Outcome.QUORUM_NOT_REACHED


# --- ordinary matters: more than 1/2 (过半数, strict) of area and of owners -------------------


def test_ordinary_matter_at_exactly_half_of_the_area_fails() -> None:
    """A 50.00, B 25.00, C 25.00 m²; all take part (quorum 3/3). B and C vote yes, A no:
    yes area 50.00/100.00 = 1/2, not more than 1/2 ✗ (过半数 is strict); yes owners 2/3 ✓
    → failed."""
    result = decide(estate(5000, 2500, 2500), {"A": NO, "B": YES, "C": YES})
    assert result.approval_area.value == HALF
    assert result.approval_area.relation == "="
    assert not result.approval_area.passed
    assert result.approval_owners.value == TWO_THIRDS
    assert result.approval_owners.passed
    assert result.outcome is Outcome.FAILED


def test_ordinary_matter_at_half_of_the_area_plus_one_dm2_passes() -> None:
    """A 49.99, B 25.01, C 25.00 m²: yes (B, C) 50.01/100.00 = 5001/10000 > 1/2 ✓; owners 2/3 ✓
    → passed."""
    result = decide(estate(4999, 2501, 2500), {"A": NO, "B": YES, "C": YES})
    assert result.approval_area.value == Fraction(5001, 10000)
    assert result.approval_area.text == "5001/10000 = 50.01%"
    assert result.outcome is Outcome.PASSED


def test_ordinary_matter_at_exactly_half_of_the_owners_fails_though_the_area_passes() -> None:
    """A 40.00, B 40.00, C 10.00, D 10.00 m², all take part. A and B vote yes, C and D no:
    yes area 80.00/100.00 = 4/5 > 1/2 ✓, but yes owners 2/4 = 1/2, not more than half ✗
    → failed: area and headcount must both pass."""
    result = decide(estate(4000, 4000, 1000, 1000), {"A": YES, "B": YES, "C": NO, "D": NO})
    assert shares(result)[2:] == [Fraction(4, 5), HALF]
    assert verdicts(result) == [True, True, True, False]
    assert result.outcome is Outcome.FAILED
    assert not result.passed


def test_ordinary_matter_with_one_more_owner_passes() -> None:
    """As above, C votes yes too: yes area 90.00/100.00 = 9/10 ✓, owners 3/4 > 1/2 ✓ → passed."""
    result = decide(estate(4000, 4000, 1000, 1000), {"A": YES, "B": YES, "C": YES, "D": NO})
    assert shares(result)[2:] == [Fraction(9, 10), THREE_QUARTERS]
    assert result.outcome is Outcome.PASSED


def test_headcount_passes_but_area_fails() -> None:
    """A 70.00, B–D 10.00 m² each, all take part; B, C, D yes, A no: owners 3/4 ✓ but area
    30.00/100.00 = 3/10 ✗ → failed (the mirror of the case above)."""
    result = decide(estate(7000, 1000, 1000, 1000), {"A": NO, "B": YES, "C": YES, "D": YES})
    assert verdicts(result)[2:] == [False, True]
    assert result.outcome is Outcome.FAILED


def test_abstentions_take_part_and_weigh_as_not_yes() -> None:
    """A, B, C 100.00 m² each. A yes, B abstains, C does not vote. Taking part: A and B, 2/3 of
    owners and 2/3 of area ✓. Yes: 1/2 of area and 1/2 of owners, not more → failed. Had B's
    abstention not counted as taking part, participation would be 1/3 (no quorum)."""
    result = decide(estate(10000, 10000, 10000), {"A": YES, "B": ABSTAIN})
    assert result.quorum_reached
    assert (result.participating_owners, result.participating_area_dm2) == (2, 20000)
    assert (result.abstain_owners, result.abstain_area_dm2) == (1, 10000)
    assert shares(result)[2:] == [HALF, HALF]
    assert result.outcome is Outcome.FAILED


# --- major matters: at least 3/4 of area and of owners -------------------------------------


def test_major_matter_at_exactly_three_quarters_passes() -> None:
    """A–D 25.00 m² each, all take part; A, B, C yes, D no: yes area 75.00/100.00 = 3/4 ≥ 3/4 ✓,
    owners 3/4 ≥ 3/4 ✓ ("四分之三以上" includes the bound) → passed."""
    result = decide(
        estate(2500, 2500, 2500, 2500),
        {"A": YES, "B": YES, "C": YES, "D": NO},
        Matter.RAISE_MAINTENANCE_FUND,
    )
    assert result.major
    assert shares(result) == [Fraction(1), Fraction(1), THREE_QUARTERS, THREE_QUARTERS]
    assert result.approval_area.threshold == Threshold(THREE_QUARTERS, True)
    assert result.approval_area.describe() == (
        "Area voting yes, of the area taking part: 75.00 / 100.00 m², 3/4 = 75.00%; "
        "required ≥ 3/4 (75.00%): passed"
    )
    assert result.outcome is Outcome.PASSED


def test_major_matter_one_dm2_below_three_quarters_of_the_area_fails() -> None:
    """A 24.99, B 25.00, C 25.00, D 25.01 m²; A, B, C yes, D no: yes area 74.99/100.00 =
    7499/10000 < 3/4 ✗ (owners still 3/4 ✓) → failed."""
    result = decide(
        estate(2499, 2500, 2500, 2501), {"A": YES, "B": YES, "C": YES, "D": NO}, Matter.REBUILD
    )
    assert result.approval_area.value == Fraction(7499, 10000)
    assert result.approval_area.relation == "<"
    assert result.approval_owners.passed
    assert result.outcome is Outcome.FAILED


def test_major_matter_one_owner_below_three_quarters_fails_the_same_votes_pass_ordinary() -> None:
    """A 70.00, B–D 10.00 m²; A, B yes, C, D no: yes area 80.00/100.00 = 4/5 ✓, yes owners
    2/4 < 3/4 ✗ → a major matter fails. One more owner (C) yes: 3/4 ✓ → passes.
    The first votes as an ordinary matter: 2/4 is not more than half → fails too; with C:
    passes."""
    electorate = estate(7000, 1000, 1000, 1000)
    two = {"A": YES, "B": YES, "C": NO, "D": NO}
    three = {**two, "C": YES}
    major = Matter.CHANGE_USE_OF_COMMON_PARTS
    assert decide(electorate, two, major).outcome is Outcome.FAILED
    assert verdicts(decide(electorate, two, major))[2:] == [True, False]
    assert decide(electorate, three, major).outcome is Outcome.PASSED
    assert decide(electorate, two).outcome is Outcome.FAILED
    assert decide(electorate, three).outcome is Outcome.PASSED


def test_two_thirds_yes_passes_an_ordinary_matter_and_fails_a_major_one() -> None:
    """A, B, C 100.00 m²; A, B yes, C no: 2/3 > 1/2 ✓ but 2/3 < 3/4 ✗."""
    ballots = {"A": YES, "B": YES, "C": NO}
    electorate = estate(10000, 10000, 10000)
    assert decide(electorate, ballots, "ordinary").outcome is Outcome.PASSED
    assert decide(electorate, ballots, "use_maintenance_fund").outcome is Outcome.PASSED
    assert decide(electorate, ballots, "raise_maintenance_fund").outcome is Outcome.FAILED


# --- who counts as an owner ---------------------------------------------------------------


def test_an_owner_with_three_units_counts_once_with_all_their_area() -> None:
    """王 owns 1-101 (60.00), 1-102 (70.00) and 1-201 (80.00 m²); 李 owns 2-101 (90.00), 赵
    2-102 (100.00). Total 400.00 m², 3 owners (not 5). 王 yes, 李 no: taking part 2/3 owners ✓,
    area 300.00/400.00 = 3/4 ✓; yes area 210.00/300.00 = 7/10 ✓ but yes owners 1/2 ✗ → failed.
    (Counted by unit, 王's three units would have been 3 of 4 "owners" and passed.)
    赵 votes yes too: owners 2/3 ✓, area 310.00/400.00 ✓ → passed."""
    electorate = owners_electorate(
        [
            ("1-101", "王", 6000, False),
            ("1-102", "王", 7000, False),
            ("2-101", "李", 9000, False),
            ("1-201", "王", 8000, False),
            ("2-102", "赵", 10000, False),
        ]
    )
    assert (electorate.total_area_dm2, electorate.owner_count, electorate.unit_count) == (
        40000,
        3,
        5,
    )
    assert electorate.owner_area["王"] == 21000
    assert electorate.owner_units["王"] == ("1-101", "1-102", "1-201")
    result = decide(electorate, {"王": YES, "李": NO})
    assert shares(result) == [THREE_QUARTERS, TWO_THIRDS, Fraction(7, 10), HALF]
    assert result.outcome is Outcome.FAILED
    assert decide(electorate, {"王": YES, "李": NO, "赵": YES}).outcome is Outcome.PASSED


def test_the_developers_unsold_units_count_as_one_owner_with_their_full_area() -> None:
    """Ten units of 50.00 m²: six sold to o1–o6, four unsold (the developer's). Total 500.00 m²,
    owners 6 + 1 = 7 (not 10); the developer holds 200.00 m².
    Ballots: developer yes, o1 yes, o2 yes, o3 no, o4 no. Taking part: 5/7 owners ≥ 2/3 ✓,
    area (200.00 + 4 × 50.00)/500.00 = 4/5 ✓. Yes: area (200.00 + 100.00)/400.00 = 3/4,
    owners 3/5. Ordinary: 3/4 > 1/2 ✓, 3/5 > 1/2 ✓ → passed. Major: area 3/4 ≥ 3/4 ✓ but
    owners 3/5 < 3/4 ✗ → failed (counted as four owners, the developer would have made it
    6 of 8 = 3/4 and passed)."""
    units: list[UnitRow] = [(f"3-{i}01", f"o{i}", 5000, False) for i in range(1, 7)]
    units += [(f"3-{i}01", "developer", 5000, True) for i in range(7, 11)]
    electorate = owners_electorate(units)
    assert (electorate.total_area_dm2, electorate.owner_count) == (50000, 7)
    assert electorate.developer_key == "developer"
    assert electorate.owner_area["developer"] == 20000
    ballots = {"developer": YES, "o1": YES, "o2": YES, "o3": NO, "o4": NO}
    result = decide(electorate, ballots)
    assert shares(result) == [Fraction(4, 5), Fraction(5, 7), THREE_QUARTERS, Fraction(3, 5)]
    assert result.outcome is Outcome.PASSED
    assert decide(electorate, ballots, Matter.RAISE_MAINTENANCE_FUND).outcome is Outcome.FAILED


def test_a_developer_unit_not_flagged_unsold_is_another_unit_of_the_same_owner() -> None:
    """A unit the developer kept under its own key joins its unsold units: one owner."""
    electorate = owners_electorate(
        [("1", "dev", 5000, True), ("2", "dev", 6000, False), ("3", "a", 7000, False)]
    )
    assert electorate.owner_count == 2
    assert electorate.owner_area["dev"] == 11000


# --- a 120-unit estate like 金河绿洲 -----------------------------------------------------------

#: Four flat types per floor, 59.87 to 118.66 m² (areas of 金河绿洲-like resettlement flats).
FLAT_DM2 = {1: 5987, 2: 7235, 3: 8833, 4: 11866}
UNSOLD = {"5-503", "5-504", "5-601", "5-602", "5-603", "5-604"}


def jinhe_units() -> list[UnitRow]:
    """Buildings 1–5 × floors 1–6 × rooms 1–4 = 120 units. In each building the family on the
    first floor owns both 101 and 102 (key "b-101"); the developer has 6 unsold units in
    building 5; every other unit has its own owner."""
    units: list[UnitRow] = []
    for building in range(1, 6):
        for floor in range(1, 7):
            for room in range(1, 5):
                unit = f"{building}-{floor}0{room}"
                if unit in UNSOLD:
                    key = "developer"
                elif floor == 1 and room in {1, 2}:
                    key = f"{building}-101"
                else:
                    key = unit
                units.append((unit, key, FLAT_DM2[room], unit in UNSOLD))
    return units


def jinhe_ballots() -> dict[str, str]:
    """Buildings 1–3 vote yes, building 4 votes no except the 4-101 family, who abstain;
    building 5 and the developer do not take part."""
    ballots: dict[str, str] = {}
    for unit, key, _area, _unsold in jinhe_units():
        building = int(unit.split("-")[0])
        if building <= 3:
            ballots[key] = YES
        elif building == 4:
            ballots[key] = ABSTAIN if key == "4-101" else NO
    return ballots


def test_jinhe_like_estate_raises_the_maintenance_fund_at_exactly_three_quarters() -> None:
    """One floor = 59.87 + 72.35 + 88.33 + 118.66 = 339.21 m²; a building of 6 floors is
    2,035.26 m²; the estate 5 × 2,035.26 = 10,176.30 m² over 120 units. Owners: 120 units, less
    one for each of the 5 two-flat families, less 5 because the 6 unsold units are one owner
    = 110 owners; the developer holds 59.87 + 72.35 + 88.33 + 118.66 + 88.33 + 118.66 = 546.20 m².

    Raising the maintenance fund (major). Buildings 1–4 take part: 4 × 2,035.26 = 8,141.04 m²
    = 4/5 of 10,176.30 ≥ 2/3 ✓; owners 4 × 23 = 92, 92/110 = 46/55 = 83.64% ≥ 2/3 ✓.
    Yes (buildings 1–3): 3 × 2,035.26 = 6,105.78 m², 6,105.78/8,141.04 = 3/4 exactly ✓; owners
    69, 69/92 = 3/4 exactly ✓ → passed, on both bounds at once.
    Building 4: 22 owners vote no (2,035.26 − 132.22 = 1,903.04 m²), the 4-101 family (59.87 +
    72.35 = 132.22 m²) abstains."""
    electorate = owners_electorate(jinhe_units())
    assert electorate.unit_count == 120
    assert electorate.total_area_dm2 == 1_017_630
    assert electorate.owner_count == 110
    assert electorate.owner_area["developer"] == 54_620
    result = decide(electorate, jinhe_ballots(), Matter.RAISE_MAINTENANCE_FUND)
    assert (result.participating_area_dm2, result.participating_owners) == (814_104, 92)
    assert (result.yes_area_dm2, result.yes_owners) == (610_578, 69)
    assert (result.no_area_dm2, result.no_owners) == (190_304, 22)
    assert (result.abstain_area_dm2, result.abstain_owners) == (13_222, 1)
    assert [figure.text for figure in result.figures] == [
        "4/5 = 80.00%",
        "46/55 = 83.64%",
        "3/4 = 75.00%",
        "3/4 = 75.00%",
    ]
    assert result.outcome is Outcome.PASSED
    assert result.describe() == [
        "Matter: Raising the maintenance fund",
        "Area of the owners taking part, of the total area: 8141.04 / 10176.30 m², "
        "4/5 = 80.00%; required ≥ 2/3 (66.67%): passed",
        "Owners taking part, of all owners: 92 / 110, 46/55 = 83.64%; required ≥ 2/3 "
        "(66.67%): passed",
        "Area voting yes, of the area taking part: 6105.78 / 8141.04 m², 3/4 = 75.00%; "
        "required ≥ 3/4 (75.00%): passed",
        "Owners voting yes, of the owners taking part: 69 / 92, 3/4 = 75.00%; required ≥ 3/4 "
        "(75.00%): passed",
        "Outcome: Passed",
    ]


def test_jinhe_like_estate_one_abstention_more_fails_the_major_matter_only() -> None:
    """The owner of 3-604 (118.66 m²) abstains instead: yes area 6,105.78 − 118.66 = 5,987.12 m²,
    598,712/814,104 = 74,839/101,763 = 73.54% < 3/4 ✗; yes owners 68/92 = 17/23 = 73.91% < 3/4 ✗
    → the fund is not raised. The same ballots on an ordinary matter: 73.54% and 73.91% are
    both more than half → passed."""
    electorate = owners_electorate(jinhe_units())
    ballots = {**jinhe_ballots(), "3-604": ABSTAIN}
    major = decide(electorate, ballots, Matter.RAISE_MAINTENANCE_FUND)
    assert major.approval_area.text == "74839/101763 = 73.54%"
    assert major.approval_owners.text == "17/23 = 73.91%"
    assert major.quorum_reached
    assert major.outcome is Outcome.FAILED
    assert decide(electorate, ballots, Matter.ORDINARY).outcome is Outcome.PASSED


def test_jinhe_like_estate_without_building_4_has_no_quorum() -> None:
    """Only buildings 1–3 take part: area 6,105.78/10,176.30 = 3/5 = 60.00% < 2/3 ✗, owners
    69/110 = 62.73% < 2/3 ✗ → quorum not reached although everyone who came voted yes."""
    electorate = owners_electorate(jinhe_units())
    ballots = {key: choice for key, choice in jinhe_ballots().items() if choice == YES}
    result = decide(electorate, ballots)
    assert [f.text for f in result.figures[:2]] == ["3/5 = 60.00%", "69/110 = 62.73%"]
    assert result.outcome is Outcome.QUORUM_NOT_REACHED


# --- generated estates --------------------------------------------------------------------

_CHOICES = st.sampled_from([YES, YES, YES, NO, ABSTAIN, None])


@st.composite
def estates(
    draw: st.DrawFn, choices: st.SearchStrategy[str | None] = _CHOICES
) -> tuple[list[UnitRow], dict[str, str]]:
    """Up to 30 units of up to 10 owners and the developer, and the ballots of some owners."""
    rows = draw(
        st.lists(st.tuples(st.integers(0, 10), st.integers(1, 20_000)), min_size=1, max_size=30)
    )
    units: list[UnitRow] = [
        (f"u{i}", "developer" if owner == 10 else f"o{owner}", area, owner == 10)
        for i, (owner, area) in enumerate(rows)
    ]
    ballots: dict[str, str] = {}
    for key in sorted({key for _unit, key, _area, _unsold in units}):
        choice = draw(choices)
        if choice is not None:
            ballots[key] = choice
    return units, ballots


def _summary(result: OwnersMeetingResult) -> tuple[object, ...]:
    return (
        result.outcome,
        *((f.part, f.whole, f.passed) for f in result.figures),
    )


@settings(max_examples=300, deadline=None)
@given(
    case=estates(),
    matter=st.sampled_from(list(Matter)),
    order=st.randoms(use_true_random=False),
)
def test_relabelling_units_and_owners_never_changes_the_outcome(
    case: tuple[list[UnitRow], dict[str, str]], matter: Matter, order: object
) -> None:
    """New unit ids, owner keys renamed one-to-one, units in another order: same figures."""
    import random

    assert isinstance(order, random.Random)
    units, ballots = case
    keys = sorted({key for _unit, key, _area, _unsold in units})
    renamed = keys[:]
    order.shuffle(renamed)
    rename = {old: f"x-{new}" for old, new in zip(keys, renamed, strict=True)}
    relabelled: list[UnitRow] = [
        (f"R{index}-{unit}", rename[key], area, unsold)
        for index, (unit, key, area, unsold) in enumerate(units)
    ]
    order.shuffle(relabelled)
    before = owners_meeting_result(owners_electorate(units), ballots, matter)
    after = owners_meeting_result(
        owners_electorate(relabelled),
        {rename[key]: choice for key, choice in ballots.items()},
        matter,
    )
    assert _summary(after) == _summary(before)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(
    case=estates(choices=st.sampled_from([YES, YES, YES, YES, YES, YES, NO, ABSTAIN])),
    newcomer=st.integers(0, 10),
    matter=st.sampled_from([Matter.ORDINARY, Matter.REBUILD]),
)
def test_an_extra_yes_ballot_never_turns_a_pass_into_a_fail(
    case: tuple[list[UnitRow], dict[str, str]], newcomer: int, matter: Matter
) -> None:
    """An owner who had not voted casts yes: participation only grows, and the yes shares of
    area and of owners, (y + a)/(p + a) ≥ y/p, never fall — a pass stays a pass."""
    units, ballots = case
    electorate = owners_electorate(units)
    owners = sorted(electorate.owner_area)
    key = owners[newcomer % len(owners)]
    before_ballots = {owner: choice for owner, choice in ballots.items() if owner != key}
    before = owners_meeting_result(electorate, before_ballots, matter)
    assume(before.passed)
    after = owners_meeting_result(electorate, {**before_ballots, key: YES}, matter)
    assert after.passed
    for old, new in zip(before.figures, after.figures, strict=True):
        assert old.value is not None and new.value is not None
        assert new.value >= old.value


@settings(max_examples=200, deadline=None)
@given(case=estates())
def test_an_owner_with_more_units_never_counts_more_than_once(
    case: tuple[list[UnitRow], dict[str, str]],
) -> None:
    units, _ballots = case
    electorate = owners_electorate(units)
    assert electorate.owner_count == len({key for _u, key, _a, _s in units})
    assert electorate.total_area_dm2 == sum(area for _u, _k, area, _s in units)
    assert sum(electorate.owner_area.values()) == electorate.total_area_dm2


# --- residents' meetings (一户一票) -----------------------------------------------------------


def test_residents_quorum_is_more_than_half_of_the_households() -> None:
    """120 households. 60 present = 1/2, not more than half → no quorum; 61 present = 61/120 =
    50.83% → quorum; 31 of 61 yes = 50.82% > 1/2 → passed."""
    at_half = residents_meeting_result(120, 60, 60, 0, 0)
    assert at_half.quorum.value == HALF
    assert at_half.outcome is Outcome.QUORUM_NOT_REACHED
    result = residents_meeting_result(120, 61, 31, 20, 10)
    assert (result.quorum.text, result.majority.text) == ("61/120 = 50.83%", "31/61 = 50.82%")
    assert result.outcome is Outcome.PASSED


def test_residents_decision_is_more_than_half_of_those_present() -> None:
    """120 households, 62 present (quorum ✓). 31 yes = 31/62 = 1/2, not more → failed; 32 yes →
    passed. 31 yes with 20 no, 5 abstaining and 6 present without a ballot: still 31/62 →
    failed (abstaining and silent households are present and not a yes)."""
    assert residents_meeting_result(120, 62, 31, 31, 0).outcome is Outcome.FAILED
    assert residents_meeting_result(120, 62, 32, 30, 0).outcome is Outcome.PASSED
    mixed = residents_meeting_result(120, 62, 31, 20, 5)
    assert mixed.not_voting == 6
    assert mixed.majority.value == HALF
    assert mixed.outcome is Outcome.FAILED
    assert mixed.describe() == [
        "Households present, of all households: 62 / 120, 31/60 = 51.67%; required > 1/2 "
        "(50.00%): passed",
        "Households voting yes, of those present: 31 / 62, 1/2 = 50.00%; required > 1/2 "
        "(50.00%): not reached",
        "Outcome: Failed",
    ]


def test_residents_thresholds_are_configurable_strict_or_inclusive() -> None:
    """Quorum at least 2/3, decision at least 2/3: 120 households. 80 present = 2/3 ✓ (79 ✗);
    54 of 81 yes = 2/3 ✓, 53 ✗. Strict 2/3: 80/120 is not more than 2/3 ✗."""
    two_thirds = {
        "quorum": TWO_THIRDS,
        "majority": TWO_THIRDS,
        "quorum_inclusive": True,
        "majority_inclusive": True,
    }
    assert residents_meeting_result(120, 80, 80, 0, 0, **two_thirds).quorum_reached
    assert not residents_meeting_result(120, 79, 79, 0, 0, **two_thirds).quorum_reached
    assert residents_meeting_result(120, 81, 54, 27, 0, **two_thirds).passed
    assert residents_meeting_result(120, 81, 53, 28, 0, **two_thirds).outcome is Outcome.FAILED
    strict = residents_meeting_result(120, 80, 80, 0, 0, quorum=TWO_THIRDS)
    assert strict.quorum.threshold.text == "> 2/3 (66.67%)"
    assert not strict.quorum_reached
    unanimous = residents_meeting_result(
        10, 10, 10, 0, 0, majority=Fraction(1), majority_inclusive=True
    )
    assert unanimous.passed


def test_nobody_present_is_no_quorum_and_no_share() -> None:
    result = residents_meeting_result(50, 0, 0, 0, 0)
    assert result.outcome is Outcome.QUORUM_NOT_REACHED
    assert (result.majority.value, result.majority.text) == (None, "—")


# --- refusals -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((120, -1, 0, 0, 0), "households present must be a whole number, 0 or more; got -1"),
        ((120, 60.5, 0, 0, 0), "households present must be a whole number, 0 or more; got 60.5"),
        ((120.0, 60, 0, 0, 0), "households must be a whole number, 0 or more; got 120.0"),
        ((120, 60, -3, 0, 0), "yes ballots must be a whole number, 0 or more; got -3"),
        ((120, 60, 0, True, 0), "no ballots must be a whole number, 0 or more; got True"),
        ((120, 60, 0, 0, "2"), "abstentions must be a whole number, 0 or more; got '2'"),
        ((0, 0, 0, 0, 0), "needs at least one household in the register"),
        ((120, 121, 0, 0, 0), "121 households are present but the register has only 120"),
        ((120, 60, 40, 15, 6), "There are 61 ballots but only 60 households present"),
    ],
)
def test_residents_meeting_refuses_bad_counts(args: tuple[object, ...], message: str) -> None:
    with pytest.raises(InvalidInputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        residents_meeting_result(*args)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"quorum": Fraction(0)}, r"quorum must be more than 0 and at most 1 \(100%\); got 0/1"),
        (
            {"quorum": Fraction(-1, 2)},
            r"quorum must be more than 0 and at most 1 \(100%\); got -1/2",
        ),
        (
            {"majority": Fraction(3, 2)},
            r"majority must be more than 0 and at most 1 \(100%\); got 3/2",
        ),
        ({"majority": 2}, r"majority must be more than 0 and at most 1 \(100%\); got 2/1"),
        ({"majority": Fraction(1)}, "A majority of “more than 100%” can never be reached"),
        ({"quorum": 0.5}, "The quorum must be an exact fraction such as 1/2, not 0.5"),
        ({"quorum": "1/2"}, "The quorum must be an exact fraction such as 1/2, not '1/2'"),
        ({"majority_inclusive": "yes"}, r"Say whether the majority is strict \(more than\)"),
    ],
)
def test_residents_meeting_refuses_thresholds_outside_zero_to_one(
    options: dict[str, object], message: str
) -> None:
    with pytest.raises(InvalidInputError, match=message):
        residents_meeting_result(120, 80, 50, 30, 0, **options)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("units", "message"),
    [
        ([("1-101", "a", 0, False)], "Unit 1-101 has an exclusive area of 0.00 m²; every unit's"),
        ([("1-101", "a", -8956, False)], "Unit 1-101 has an exclusive area of -89.56 m²"),
        (
            [("1-101", "a", 89.56, False)],
            "area of unit 1-101 must be a whole number of 0.01 m², not 89.56",
        ),
        (
            [("1-101", "a", 10_000_001, False)],
            "Unit 1-101 has an area of 100000.01 m², larger than",
        ),
        ([("1-101", "", 8956, False)], "Unit 1-101 has no owner key"),
        ([("1-101", "a", 8956, "no")], r"Say whether unit 1-101 is unsold by the developer \(true"),
        ([("1-101", "a", 8956)], r"Each unit must be given as \(unit, owner key, area"),
        ([("", "a", 8956, False)], "A unit must be named by its number or id; got ''"),
        (
            [("1-101", "a", 8956, False), ("1-101", "b", 7235, False)],
            "Unit 1-101 is listed twice; each unit counts once",
        ),
        (
            [("5-601", "developer", 8956, True), ("5-602", "5-602", 7235, True)],
            r"Unsold units 5-601 and 5-602 have different owner keys \(developer, 5-602\)",
        ),
        ([], "The register has no units"),
    ],
)
def test_the_register_refuses_bad_units(units: list[object], message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        owners_electorate(units)  # type: ignore[arg-type]


def test_more_ballots_than_owners_is_refused() -> None:
    """Three owners, four ballots (王 twice, as if per unit): refused before anything is counted."""
    electorate = owners_electorate(
        [
            ("1", "王", 5000, False),
            ("2", "王", 5000, False),
            ("3", "李", 5000, False),
            ("4", "赵", 5000, False),
        ]
    )
    ballots = [("王", YES), ("王", YES), ("李", NO), ("赵", YES)]
    with pytest.raises(
        InvalidInputError, match="There are 4 ballots but only 3 owners; an owner casts one ballot"
    ):
        owners_meeting_result(electorate, ballots, Matter.ORDINARY)


def test_a_second_ballot_from_one_owner_is_refused() -> None:
    electorate = estate(5000, 5000, 5000)
    with pytest.raises(InvalidInputError, match="Owner A has a second ballot; an owner votes once"):
        owners_meeting_result(electorate, [("A", YES), ("A", NO)], Matter.ORDINARY)


def test_a_ballot_from_an_owner_not_in_the_register_is_refused() -> None:
    electorate = estate(5000, 5000, 5000)
    with pytest.raises(
        InvalidInputError, match="A ballot comes from owner 'Z', who owns no unit in this register"
    ):
        owners_meeting_result(electorate, {"A": YES, "Z": YES}, Matter.ORDINARY)


@pytest.mark.parametrize(
    ("ballots", "matter", "message"),
    [
        (
            {"A": "同意"},
            "ordinary",
            "The ballot of owner A says '同意'; a ballot is yes, no or abstain",
        ),
        (
            {"A": YES},
            "major",
            "'major' is not a matter for an owners' meeting; choose one of: ordinary",
        ),
        ([("A", YES, "extra")], "ordinary", r"Each ballot must be given as \(owner key, choice\)"),
    ],
)
def test_owners_meeting_refuses_bad_ballots_and_matters(
    ballots: object, matter: str, message: str
) -> None:
    with pytest.raises(InvalidInputError, match=message):
        owners_meeting_result(estate(5000, 5000, 5000), ballots, matter)  # type: ignore[arg-type]


def test_the_electorate_must_be_counted_first() -> None:
    with pytest.raises(InvalidInputError, match="Count the owners with owners_electorate"):
        owners_meeting_result({"A": 5000}, {"A": YES}, Matter.ORDINARY)  # type: ignore[arg-type]


def test_choices_are_the_three_ballot_values() -> None:
    assert [choice.value for choice in Choice] == ["yes", "no", "abstain"]
    result = owners_meeting_result(
        estate(5000, 5000, 5000), {"A": Choice.YES, "B": Choice.YES}, "ordinary"
    )
    assert result.yes_owners == 2


def test_the_examples_in_the_docstrings_hold() -> None:
    import doctest

    import ledger.rules.meetings

    result = doctest.testmod(ledger.rules.meetings)
    assert result.attempted >= 5
    assert result.failed == 0

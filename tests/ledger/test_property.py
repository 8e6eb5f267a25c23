"""Trust-style property service (信托制物业): areas, fees, collections, remuneration, the open
budget and the gift to the micro-fund — worked by hand, then checked against the ledger."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from fractions import Fraction

import pytest
from sqlmodel import Session, col, func, select

from ledger.demo.property import build_property_demo
from ledger.errors import (
    GongzhangError,
    InvalidAmountError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
)
from ledger.models import (
    AuditEvent,
    BookSetting,
    Budget,
    BudgetLine,
    DonationReceipt,
    Entry,
    FeeBill,
    FeeCollection,
    Posting,
    PropertyUnit,
    Remuneration,
    Transfer,
)
from ledger.money import allocate
from ledger.rules.property import (
    format_area,
    monthly_fee,
    parse_area,
    parse_period,
    percent_text,
    period_bounds,
    remuneration,
    settle_oldest_first,
    share_of,
)
from ledger.services.balances import trial_balance
from ledger.services.counterparties import add_counterparty
from ledger.services.property import (
    add_unit,
    approve_budget,
    arrears,
    arrears_by_building,
    bill_period,
    budget_execution,
    collect,
    collection_rate,
    create_budget,
    fee_rate,
    find_unit,
    gift_remuneration,
    list_remunerations,
    list_units,
    pay_remuneration,
    post_remuneration,
    record_common_income,
    remuneration_basis_fen,
    remuneration_owed,
    set_fee_rate,
    spend,
    transfers_of_entry,
    unit_accounts,
)
from ledger.services.settings import set_setting
from ledger.verify import verify_ledger
from tests.conftest import World

D = dt.date
_TABLES = (
    Entry,
    Posting,
    AuditEvent,
    PropertyUnit,
    FeeBill,
    FeeCollection,
    Remuneration,
    Budget,
    BudgetLine,
    Transfer,
    BookSetting,
    DonationReceipt,
)


# --- helpers ------------------------------------------------------------------------------------


def snapshot(world: World) -> dict[str, object]:
    """Row counts of every table this module writes, and the budgets' states."""
    with world.ledger.read() as s:
        out: dict[str, object] = {
            t.__name__: s.exec(select(func.count()).select_from(t)).one() for t in _TABLES
        }
        out["budgets"] = [(b.year, b.status, b.approved_by_id) for b in s.exec(select(Budget))]
        out["settings"] = sorted((r.key, r.value) for r in s.exec(select(BookSetting)))
    return out


def refused(
    world: World,
    work: Callable[[Session], object],
    error: type[GongzhangError],
    words: str,
) -> None:
    """``work`` is refused with ``error`` saying ``words``, and nothing is written."""
    before = snapshot(world)
    with pytest.raises(error) as caught, world.ledger.write() as s:
        work(s)
    assert words in str(caught.value), str(caught.value)
    assert snapshot(world) == before


def balances(world: World, book_id: int) -> dict[str, int]:
    with world.ledger.read() as s:
        tb = trial_balance(s, book_id=book_id)
        assert tb.balanced
        return {a.code: a.balance_fen for a in tb.accounts if a.debit_fen or a.credit_fen}


def unit_id(world: World, label: str) -> int:
    with world.ledger.read() as s:
        return find_unit(s, book_id=world.trust_id, ref=label).id or 0


@pytest.fixture
def estate(world: World) -> World:
    """Three units at ¥2.50 per m² per month:

    1-1-101  89.56 m² → ¥223.90;  1-1-102  72.35 m² → ¥180.875 → ¥180.88;
    2-1-101 108.40 m² → ¥271.00.  A month bills ¥675.78.
    """
    with world.ledger.write() as s:
        admin = world.user(s, "admin")
        treasurer = world.user(s, "treasurer")
        set_fee_rate(s, book_id=world.trust_id, rate_fen_per_m2=250, actor=admin)
        for building, room, area, owner in [
            ("1", "101", "89.56", "张晓明"),
            ("1", "102", "72.35", "李娜"),
            ("2", "101", "108.40", "王建国"),
        ]:
            add_unit(
                s,
                book_id=world.trust_id,
                building=building,
                unit="1",
                room=room,
                area=area,
                owner_name=owner,
                actor=treasurer,
            )
    return world


def bill(world: World, period: str) -> str:
    with world.ledger.write() as s:
        return bill_period(
            s, book_id=world.trust_id, period=period, actor=world.user(s, "treasurer")
        ).number


def pay(world: World, label: str, date: dt.date, fen: int) -> tuple[int, int]:
    with world.ledger.write() as s:
        r = collect(
            s,
            book_id=world.trust_id,
            unit_id=find_unit(s, book_id=world.trust_id, ref=label).id or 0,
            date=date,
            amount_fen=fen,
            actor=world.user(s, "treasurer"),
        )
        return r.applied_fen, r.prepaid_fen


# --- rules: areas -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "dm2"),
    [
        ("89.56", 8956),
        ("72.5", 7250),
        ("108", 10800),
        (" 59.87 m² ", 5987),
        ("118.66㎡", 11866),
        ("９５．１２平方米", 9512),
        ("0.01", 1),
    ],
)
def test_areas_are_read_exactly_in_square_decimetres(text: str, dm2: int) -> None:
    """89.56 m² is 8,956 dm² (0.01 m² each) — read digit by digit, never through a float."""
    assert parse_area(text) == dm2
    assert format_area(dm2) == f"{dm2 // 100}.{dm2 % 100:02d}"


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("0", "more than zero"),
        ("0.00", "more than zero"),
        ("-12.5", "more than zero"),
        ("89.567", "more than two decimal places"),
        ("eighty", "is not an area"),
        ("", "is not an area"),
        ("1e3", "is not an area"),
        ("100000.01", "larger than any unit"),
        ("99999999999999999999", "larger than any unit"),
        (89.56, "not 89.56"),
    ],
)
def test_bad_areas_are_refused_with_a_reason(value: object, words: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        parse_area(value)  # type: ignore[arg-type]
    assert words in str(caught.value)


# --- rules: fees --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("area_dm2", "rate", "fee"),
    [
        (8956, 250, 22_390),  # 89.56 m² × ¥2.50 = ¥223.90 exactly
        (8833, 185, 16_341),  # 88.33 m² × ¥1.85 = ¥163.4105 → ¥163.41
        (7235, 250, 18_088),  # 72.35 m² × ¥2.50 = ¥180.875 → ¥180.88 (half up)
        (7235, 190, 13_747),  # 72.35 m² × ¥1.90 = ¥137.465 → ¥137.47 (half up, not to even)
        (1, 50, 1),  # 0.01 m² × ¥0.50 = half a fen → 1 fen
        (1, 49, 0),  # 0.01 m² × ¥0.49 = 0.49 fen → 0
    ],
)
def test_a_months_fee_is_area_times_rate_rounded_half_up(
    area_dm2: int, rate: int, fee: int
) -> None:
    """Fee = area_dm2 × rate / 100 fen, half a fen or more rounds up:
    89.56 m² × ¥2.50 = 8956 × 250 / 100 = 22,390 fen = ¥223.90;
    88.33 m² × ¥1.85 = 8833 × 185 / 100 = 16,341.05 fen → ¥163.41."""
    assert monthly_fee(area_dm2, rate) == fee


@pytest.mark.parametrize("rate", [0, -250])
def test_a_fee_rate_of_zero_or_less_is_refused(rate: int) -> None:
    with pytest.raises(InvalidAmountError) as caught:
        monthly_fee(8956, rate)
    assert "must be more than zero per m² per month" in str(caught.value)


def test_an_area_of_zero_bills_nothing_but_is_refused() -> None:
    with pytest.raises(InvalidInputError) as caught:
        monthly_fee(0, 250)
    assert "more than zero m²" in str(caught.value)


def test_payments_settle_the_oldest_bills_first() -> None:
    """¥500.00 against three bills of ¥223.00: January and February in full (¥446.00), then
    ¥54.00 of March; ¥1,000.00 against two bills leaves ¥554.00 as a prepayment."""
    assert settle_oldest_first(50_000, [22_300, 22_300, 22_300]) == ([22_300, 22_300, 5_400], 0)
    assert settle_oldest_first(100_000, [22_300, 22_300]) == ([22_300, 22_300], 55_400)
    assert settle_oldest_first(0, [100]) == ([0], 0)
    with pytest.raises(InvalidAmountError):
        settle_oldest_first(-1, [100])


# --- rules: remuneration, shares, percentages ---------------------------------------------------


def test_remuneration_is_fifteen_percent_of_the_fees_collected() -> None:
    """126,480.00 collected × 15% = 18,972.00; the owners keep 107,508.00. 30% of the
    remuneration given to the micro-fund: 18,972.00 × 30% = 5,691.60."""
    assert remuneration(1500, 12_648_000) == 1_897_200
    assert allocate(12_648_000, [1500, 8500]) == [1_897_200, 10_750_800]
    assert share_of(3000, 1_897_200) == 569_160


def test_shares_go_through_allocate_and_add_up() -> None:
    """594.90 × 15% = 89.235: both parts have the same remainder (half a fen), so by the
    tie-break of allocate the first part, the remuneration, gets it: 89.24, owners 505.66."""
    assert remuneration(1500, 59_490) == 8_924
    assert remuneration(1500, 59_490) + allocate(59_490, [1500, 8500])[1] == 59_490
    assert remuneration(0, 59_490) == 0
    assert remuneration(10_000, 59_490) == 59_490
    for bad in (-1, 10_001):
        with pytest.raises(InvalidInputError):
            remuneration(bad, 100)


@pytest.mark.parametrize(
    ("part", "whole", "text"),
    [
        (61_402, 67_578, "90.86%"),  # 90.8609…%
        (1, 3, "33.33%"),
        (2, 3, "66.67%"),
        (1, 8, "12.50%"),
        (1, 800, "0.13%"),  # 0.125% → half up
        (1, 1600, "0.06%"),  # 0.0625%
        (60_000, 50_000, "120.00%"),
        (-100, 50_000, "-0.20%"),
        (0, 5, "0.00%"),
    ],
)
def test_percentages_use_integers_and_round_half_up(part: int, whole: int, text: str) -> None:
    """614.02 collected of 675.78 billed: 61402 × 10000 / 67578 = 9086.09… hundredths of a
    percent → 90.86%."""
    assert percent_text(part, whole) == text


def test_a_percentage_of_nothing_is_none() -> None:
    assert percent_text(5, 0) is None


def test_periods_are_months() -> None:
    assert parse_period("2024-1") == "2024-01"
    assert parse_period("2024年3月") == "2024-03"
    assert period_bounds("2024-02") == (D(2024, 2, 1), D(2024, 2, 29))
    for bad in ("2024-13", "24-01", "2024-01-05", "January"):
        with pytest.raises(InvalidInputError):
            parse_period(bad)


# --- units and the fee rate ---------------------------------------------------------------------


def test_units_are_registered_with_exact_areas_and_private_owners(estate: World) -> None:
    with estate.ledger.read() as s:
        units = list_units(s, book_id=estate.trust_id)
        assert [(u.building, u.unit, u.room, u.area_dm2) for u in units] == [
            ("1", "1", "101", 8956),
            ("1", "1", "102", 7235),
            ("2", "1", "101", 10840),
        ]
        assert units[0].owner_key == "1-1-101"
        assert units[0].owner_name == "张晓明"
        details = " ".join(
            e.detail
            for e in s.exec(
                select(AuditEvent).where(col(AuditEvent.action) == "property_unit.added")
            )
        )
        assert "89.56" in details and "张晓明" not in details
        assert fee_rate(s, book_id=estate.trust_id) == 250


def test_an_area_of_zero_and_a_duplicate_unit_are_refused(estate: World) -> None:
    def add(area: str, room: str = "201") -> Callable[[Session], object]:
        return lambda s: add_unit(
            s,
            book_id=estate.trust_id,
            building="1",
            unit="1",
            room=room,
            area=area,
            actor=estate.user(s, "treasurer"),
        )

    refused(estate, add("0"), InvalidInputError, "An exclusive area must be more than zero m²")
    refused(estate, add("-3"), InvalidInputError, "must be more than zero m²")
    refused(estate, add("89.561"), InvalidInputError, "more than two decimal places")
    refused(estate, add("89.56", "101"), InvalidInputError, "1-1-101 is already registered")
    refused(
        estate,
        lambda s: add_unit(
            s,
            book_id=estate.fund_id,
            building="1",
            room="101",
            area="50",
            actor=estate.user(s, "treasurer"),
        ),
        InvalidInputError,
        "is a Community micro-fund book",
    )
    refused(
        estate,
        lambda s: add_unit(
            s,
            book_id=estate.trust_id,
            building="1",
            room="301",
            area="50",
            actor=estate.user(s, "auditor"),
        ),
        PermissionDeniedError,
        "auditor",
    )


@pytest.mark.parametrize(("rate", "error"), [(0, InvalidAmountError), (-250, InvalidAmountError)])
def test_a_fee_rate_of_zero_or_less_cannot_be_set(
    estate: World, rate: int, error: type[GongzhangError]
) -> None:
    refused(
        estate,
        lambda s: set_fee_rate(
            s, book_id=estate.trust_id, rate_fen_per_m2=rate, actor=estate.user(s, "admin")
        ),
        error,
        "must be more than zero per m² per month",
    )


def test_billing_without_a_rate_is_refused(world: World) -> None:
    with world.ledger.write() as s:
        add_unit(
            s,
            book_id=world.trust_id,
            building="1",
            room="101",
            area="89.56",
            actor=world.user(s, "treasurer"),
        )
    refused(
        world,
        lambda s: bill_period(
            s, book_id=world.trust_id, period="2024-01", actor=world.user(s, "treasurer")
        ),
        InvalidAmountError,
        "fee rate of “金河绿洲物业” is 0 fen per m²; set a rate above zero",
    )


# --- billing and collections --------------------------------------------------------------------


def test_a_month_is_billed_in_one_entry_and_only_once(estate: World) -> None:
    """223.90 + 180.88 + 271.00 = 675.78 billed: Dr 1122 / Cr 4101 ¥675.78 in one entry."""
    assert bill(estate, "2024-01") == "记-2024-0001"
    with estate.ledger.read() as s:
        bills = s.exec(select(FeeBill.period, FeeBill.amount_fen).order_by(col(FeeBill.id))).all()
        assert [fen for _p, fen in bills] == [22_390, 18_088, 27_100]
        entry = s.exec(select(Entry)).one()
        assert entry.date == D(2024, 1, 1)
    assert balances(estate, estate.trust_id) == {"1122": 67_578, "4101": -67_578}
    refused(
        estate,
        lambda s: bill_period(
            s, book_id=estate.trust_id, period="2024-1", actor=estate.user(s, "treasurer")
        ),
        InvalidInputError,
        "2024-01 has already been billed in “金河绿洲物业” (记-2024-0001); a month is billed once.",
    )
    refused(
        estate,
        lambda s: bill_period(
            s, book_id=estate.fund_id, period="2024-02", actor=estate.user(s, "treasurer")
        ),
        InvalidInputError,
        "“碧鸡桥社区微基金” is a Community micro-fund book",
    )
    refused(
        estate,
        lambda s: bill_period(
            s,
            book_id=estate.trust_id,
            period="2024-02",
            date=D(2024, 3, 1),
            actor=estate.user(s, "treasurer"),
        ),
        InvalidInputError,
        "2024-03-01 is not in 2024-02",
    )


def test_collections_settle_oldest_bills_and_overpayment_becomes_a_prepayment(
    estate: World,
) -> None:
    """January billed 675.78. 1-1-102 pays 100.00 (part of its 180.88); 2-1-101 pays 813.00,
    three months of 271.00: 271.00 settles January and 542.00 is kept as a prepayment (Cr 2203).
    February's billing settles 271.00 of its bill from that prepayment in the same entry."""
    bill(estate, "2024-01")
    assert pay(estate, "1-1-101", D(2024, 1, 10), 22_390) == (22_390, 0)
    assert pay(estate, "1-1-102", D(2024, 1, 12), 10_000) == (10_000, 0)
    assert pay(estate, "2-1-101", D(2024, 1, 15), 81_300) == (27_100, 54_200)
    assert balances(estate, estate.trust_id) == {
        "1002": 113_690,
        "100201": 113_690,
        "1122": 8_088,
        "2203": -54_200,
        "4101": -67_578,
    }
    bill(estate, "2024-02")
    with estate.ledger.read() as s:
        entry = s.exec(select(Entry).where(col(Entry.seq) == 5)).one()
        assert "271.00 settled from prepayments" in entry.memo
        lines = s.exec(
            select(Posting.amount_fen)
            .where(col(Posting.entry_id) == entry.id)
            .order_by(col(Posting.line_no))
        ).all()
        assert list(lines) == [67_578, -67_578, 27_100, -27_100]
    b = balances(estate, estate.trust_id)
    assert b["2203"] == -27_100 and b["1122"] == 8_088 + 67_578 - 27_100

    # 1-1-102 pays 200.00 in February: 80.88 finishes January, 119.12 goes to February.
    with estate.ledger.write() as s:
        r = collect(
            s,
            book_id=estate.trust_id,
            unit_id=find_unit(s, book_id=estate.trust_id, ref="1-1-102").id or 0,
            date=D(2024, 2, 20),
            amount_fen=20_000,
            actor=estate.user(s, "treasurer"),
        )
        assert r.settled == (("2024-01", 8_088), ("2024-02", 11_912))
        assert r.owed_fen == 18_088 - 11_912
    with estate.ledger.read() as s:
        accounts = {a.unit: a for a in unit_accounts(s, book_id=estate.trust_id)}
        assert accounts["2-1-101"].prepaid_fen == 27_100 and accounts["2-1-101"].owed_fen == 0
        assert accounts["1-1-102"].unpaid_periods == ("2024-02",)
        owing = arrears(s, book_id=estate.trust_id)
        assert [(a.unit, a.owed_fen) for a in owing] == [("1-1-101", 22_390), ("1-1-102", 6_176)]
        by_building = arrears_by_building(s, book_id=estate.trust_id)
        assert [
            (b.building, b.units, b.units_owing, b.owed_fen, b.prepaid_fen) for b in by_building
        ] == [
            ("1", 2, 2, 28_566, 0),
            ("2", 1, 0, 0, 27_100),
        ]
        jan = collection_rate(s, book_id=estate.trust_id, period="2024-01")
        assert (jan.collected_fen, jan.billed_fen, jan.percent) == (67_578, 67_578, "100.00%")
        feb = collection_rate(s, book_id=estate.trust_id, period="2024-02")
        # 0 + 119.12 + 271.00 = 390.12 of 675.78 → 57.73%
        assert feb.collected_fen == 39_012
        assert feb.fraction == Fraction(39_012, 67_578)
        assert feb.percent == "57.73%"
        # As on 31 January, February's bill was not even issued for 1-1-102's payment.
        jan_then = collection_rate(s, book_id=estate.trust_id, period="2024-01", at=D(2024, 1, 31))
        assert jan_then.collected_fen == 22_390 + 10_000 + 27_100
        with pytest.raises(NotFoundError):
            collection_rate(s, book_id=estate.trust_id, period="2024-03")
    assert not verify_ledger_findings(estate)


def verify_ledger_findings(world: World) -> list[object]:
    with world.ledger.read() as s:
        return list(verify_ledger(s))


def test_bad_collections_are_refused(estate: World) -> None:
    bill(estate, "2024-01")
    uid = unit_id(estate, "1-1-101")
    for amount, error, words in [
        (0, InvalidAmountError, "A payment must be more than zero"),
        (-500, InvalidAmountError, "must be more than zero"),
    ]:
        refused(
            estate,
            lambda s, a=amount: collect(
                s,
                book_id=estate.trust_id,
                unit_id=uid,
                date=D(2024, 1, 5),
                amount_fen=a,
                actor=estate.user(s, "treasurer"),
            ),
            error,
            words,
        )
    refused(
        estate,
        lambda s: collect(
            s,
            book_id=estate.trust_id,
            unit_id=9999,
            date=D(2024, 1, 5),
            amount_fen=100,
            actor=estate.user(s, "treasurer"),
        ),
        NotFoundError,
        "There is no unit number 9999",
    )
    refused(
        estate,
        lambda s: collect(
            s,
            book_id=estate.trust_id,
            unit_id=uid,
            date=D(2024, 1, 5),
            amount_fen=100,
            actor=estate.user(s, "reviewer"),
        ),
        PermissionDeniedError,
        "may not record entries",
    )


def test_common_part_income_goes_to_the_owners_fund(estate: World) -> None:
    with estate.ledger.write() as s:
        for source, fen in [("parking", 360_000), ("advertising", 150_000), ("other", 2_000)]:
            record_common_income(
                s,
                book_id=estate.trust_id,
                source=source,
                date=D(2024, 1, 27),
                amount_fen=fen,
                actor=estate.user(s, "treasurer"),
            )
    assert balances(estate, estate.trust_id) == {
        "1002": 512_000,
        "100201": 512_000,
        "4201": -512_000,
        "420101": -360_000,
        "420102": -150_000,
        "420109": -2_000,
    }
    refused(
        estate,
        lambda s: record_common_income(
            s,
            book_id=estate.trust_id,
            source="rent",
            date=D(2024, 1, 27),
            amount_fen=1,
            actor=estate.user(s, "treasurer"),
        ),
        InvalidInputError,
        "Unknown source of common-part income “rent”",
    )


# --- remuneration and the gift ------------------------------------------------------------------


def january_and_february(estate: World) -> None:
    """January: 223.90 + 100.00 + 271.00 (of 813.00, 542.00 prepaid) = 594.90 settled.
    February: 223.90 + 200.00 received against bills + 271.00 prepayment applied = 694.90."""
    bill(estate, "2024-01")
    pay(estate, "1-1-101", D(2024, 1, 10), 22_390)
    pay(estate, "1-1-102", D(2024, 1, 12), 10_000)
    pay(estate, "2-1-101", D(2024, 1, 15), 81_300)
    bill(estate, "2024-02")
    pay(estate, "1-1-101", D(2024, 2, 10), 22_390)
    pay(estate, "1-1-102", D(2024, 2, 20), 20_000)


def test_remuneration_is_fifteen_percent_of_fees_settled_in_the_month(estate: World) -> None:
    """Basis "collected": January 594.90 (the 542.00 prepaid does not count yet) × 15% =
    89.235 → 89.24; February 694.90 (with the 271.00 prepayment applied) × 15% = 104.235 →
    104.24. Basis "billed" for March: 675.78 × 15% = 101.367 → 101.37."""
    january_and_february(estate)
    with estate.ledger.write() as s:
        treasurer = estate.user(s, "treasurer")
        assert (
            remuneration_basis_fen(s, book_id=estate.trust_id, period="2024-01", basis="collected")
            == 59_490
        )
        assert (
            remuneration_basis_fen(s, book_id=estate.trust_id, period="2024-02", basis="collected")
            == 69_490
        )
        jan = post_remuneration(s, book_id=estate.trust_id, period="2024-01", actor=treasurer)
        feb = post_remuneration(s, book_id=estate.trust_id, period="2024-02", actor=treasurer)
        assert (jan.basis_fen, jan.rate_bp, jan.amount_fen) == (59_490, 1500, 8_924)
        assert (feb.basis_fen, feb.amount_fen) == (69_490, 10_424)
        assert s.get(Entry, jan.entry_id).date == D(2024, 1, 31)  # type: ignore[union-attr]
        set_setting(
            s,
            book_id=estate.trust_id,
            key="remuneration_basis",
            value="billed",
            actor=estate.user(s, "admin"),
        )
    bill(estate, "2024-03")
    with estate.ledger.write() as s:
        mar = post_remuneration(
            s, book_id=estate.trust_id, period="2024-03", actor=estate.user(s, "treasurer")
        )
        assert (mar.basis, mar.basis_fen, mar.amount_fen) == ("billed", 67_578, 10_137)
    b = balances(estate, estate.trust_id)
    assert b["5109"] == 8_924 + 10_424 + 10_137 and b["2251"] == -b["5109"]
    with estate.ledger.read() as s:
        assert remuneration_owed(s, book_id=estate.trust_id) == b["5109"]
    refused(
        estate,
        lambda s: post_remuneration(
            s, book_id=estate.trust_id, period="2024-01", actor=estate.user(s, "treasurer")
        ),
        InvalidInputError,
        "The remuneration for 2024-01 has already been posted (记-2024-",
    )


def test_remuneration_of_a_month_without_fees_or_not_yet_over_is_refused(estate: World) -> None:
    refused(
        estate,
        lambda s: post_remuneration(
            s, book_id=estate.trust_id, period="2024-05", actor=estate.user(s, "treasurer")
        ),
        InvalidInputError,
        "There is no remuneration for 2024-05 in “金河绿洲物业”: fees collected CN¥0.00",
    )
    refused(
        estate,
        lambda s: post_remuneration(
            s, book_id=estate.trust_id, period="2999-01", actor=estate.user(s, "treasurer")
        ),
        InvalidInputError,
        "2999-01 has not ended yet",
    )


def _company(world: World) -> int:
    with world.ledger.write() as s:
        return (
            add_counterparty(
                s,
                kind="property_company",
                name="成都智乐宏图物业管理有限公司",
                actor=world.user(s, "treasurer"),
            ).id
            or 0
        )


def test_the_gift_is_one_transfer_seen_from_both_books(estate: World) -> None:
    """January's remuneration 89.24 × 30% = 26.772 → allocate gives 26.77 to the gift (the
    remainder 0.8 of the other part is larger): trust Dr 2251 / Cr 100201 ¥26.77, micro-fund
    Dr 1002 / Cr 410104 ¥26.77 with a donation receipt; the company is still owed 62.47."""
    january_and_february(estate)
    company = _company(estate)
    with estate.ledger.write() as s:
        post_remuneration(
            s, book_id=estate.trust_id, period="2024-01", actor=estate.user(s, "treasurer")
        )
        gift = gift_remuneration(
            s,
            trust_book_id=estate.trust_id,
            fund_book_id=estate.fund_id,
            period="2024-01",
            actor=estate.user(s, "treasurer"),
        )
        assert gift.amount_fen == 2_677 == share_of(3000, 8_924)
        assert (gift.from_book, gift.to_book, gift.period) == (
            "金河绿洲物业",
            "碧鸡桥社区微基金",
            "2024-01",
        )
        # Traceable from either side.
        assert transfers_of_entry(s, gift.from_entry_id) == [gift]
        assert transfers_of_entry(s, gift.to_entry_id) == [gift]
        receipt = s.exec(select(DonationReceipt)).one()
        assert (receipt.entry_id, receipt.counterparty_id, receipt.source, receipt.amount_fen) == (
            gift.to_entry_id,
            company,
            "remuneration_gift",
            2_677,
        )
        assert remuneration_owed(s, book_id=estate.trust_id) == 8_924 - 2_677
        rows = list_remunerations(s, book_id=estate.trust_id)
        assert [(r.period, r.amount_fen, r.gift_fen) for r in rows] == [("2024-01", 8_924, 2_677)]
    trust = balances(estate, estate.trust_id)
    assert trust["2251"] == -(8_924 - 2_677)
    fund = balances(estate, estate.fund_id)
    assert fund == {"1002": 2_677, "4101": -2_677, "410104": -2_677}

    refused(
        estate,
        lambda s: gift_remuneration(
            s,
            trust_book_id=estate.trust_id,
            fund_book_id=estate.fund_id,
            period="2024-01",
            actor=estate.user(s, "treasurer"),
        ),
        InvalidInputError,
        "The gift from the 2024-01 remuneration has already been made (记-2024-",
    )
    with estate.ledger.write() as s:
        paid = pay_remuneration(
            s, book_id=estate.trust_id, date=D(2024, 2, 5), actor=estate.user(s, "treasurer")
        )
        assert paid.number.startswith("记-2024-")
        assert remuneration_owed(s, book_id=estate.trust_id) == 0
    assert company


def test_a_gift_without_remuneration_or_to_a_book_that_is_no_micro_fund_is_refused(
    estate: World,
) -> None:
    january_and_february(estate)
    _company(estate)

    def gift(trust: int, fund: int, period: str = "2024-01") -> Callable[[Session], object]:
        return lambda s: gift_remuneration(
            s,
            trust_book_id=trust,
            fund_book_id=fund,
            period=period,
            actor=estate.user(s, "treasurer"),
        )

    refused(
        estate,
        gift(estate.trust_id, estate.fund_id),
        InvalidInputError,
        "No remuneration has been posted for 2024-01 in “金河绿洲物业”, so there is nothing to give",
    )
    with estate.ledger.write() as s:
        post_remuneration(
            s, book_id=estate.trust_id, period="2024-01", actor=estate.user(s, "treasurer")
        )
    refused(
        estate,
        gift(estate.trust_id, estate.village_id),
        InvalidInputError,
        "“全兴村” is a Village collective revenue book; the gift goes to a community micro-fund",
    )
    refused(
        estate,
        gift(estate.fund_id, estate.fund_id),
        InvalidInputError,
        "“碧鸡桥社区微基金” is a Community micro-fund book; units, property fees",
    )
    with estate.ledger.write() as s:
        pay_remuneration(
            s, book_id=estate.trust_id, date=D(2024, 1, 31), actor=estate.user(s, "treasurer")
        )
    refused(
        estate,
        gift(estate.trust_id, estate.fund_id),
        InvalidAmountError,
        "Only CN¥0.00 of remuneration is still owed to the company on 2024-01-31",
    )


# --- the open budget ----------------------------------------------------------------------------


def draft_budget(world: World) -> None:
    with world.ledger.write() as s:
        create_budget(
            s,
            book_id=world.trust_id,
            year=2024,
            lines={"cleaning": 100_000, "facilities": 50_000, "reserve": 20_000, "5109": 30_000},
            actor=world.user(s, "treasurer"),
        )


def test_a_budget_is_approved_by_someone_other_than_its_creator(world: World) -> None:
    draft_budget(world)
    refused(
        world,
        lambda s: spend(
            s,
            book_id=world.trust_id,
            line="cleaning",
            date=D(2024, 1, 25),
            memo="保洁",
            amount_fen=100,
            actor=world.user(s, "treasurer"),
        ),
        InvalidInputError,
        "The 2024 budget is still a draft; it must be approved",
    )
    with world.ledger.write() as s:
        create_budget(
            s, book_id=world.trust_id, year=2023, lines={"wages": 1}, actor=world.user(s, "admin")
        )
    refused(
        world,
        lambda s: approve_budget(
            s, book_id=world.trust_id, year=2023, actor=world.user(s, "admin")
        ),
        PermissionDeniedError,
        "admin drafted the 2023 budget and cannot also approve it.",
    )
    refused(
        world,
        lambda s: approve_budget(
            s, book_id=world.trust_id, year=2024, actor=world.user(s, "treasurer")
        ),
        PermissionDeniedError,
        "may not approve entries",
    )
    with world.ledger.write() as s:
        budget = approve_budget(
            s,
            book_id=world.trust_id,
            year=2024,
            actor=world.user(s, "committee"),
            note="业主大会表决通过",
        )
        assert (budget.status, budget.approval_note) == ("approved", "业主大会表决通过")
    refused(
        world,
        lambda s: approve_budget(
            s, book_id=world.trust_id, year=2024, actor=world.user(s, "reviewer")
        ),
        InvalidInputError,
        "The 2024 budget is already approved.",
    )
    refused(
        world,
        lambda s: create_budget(
            s,
            book_id=world.trust_id,
            year=2024,
            lines={"wages": 1},
            actor=world.user(s, "treasurer"),
        ),
        InvalidInputError,
        "already has a budget for 2024",
    )
    refused(
        world,
        lambda s: create_budget(
            s,
            book_id=world.trust_id,
            year=2025,
            lines={"parties": 1},
            actor=world.user(s, "treasurer"),
        ),
        InvalidInputError,
        "Unknown budget line “parties”",
    )
    refused(
        world,
        lambda s: create_budget(
            s,
            book_id=world.trust_id,
            year=2025,
            lines={"wages": -1},
            actor=world.user(s, "treasurer"),
        ),
        InvalidAmountError,
        "must be 0 or more fen",
    )


def test_spending_beyond_a_line_needs_an_approver_who_is_not_the_spender(world: World) -> None:
    """Facilities budget 500.00: a repair of 300.00 fits; another of 300.00 would leave
    −100.00, so it needs an approver; approved by the reviewer, the line has used 600.00 of
    500.00 = 120.00%, remaining −100.00. Cleaning: 400.00 of 1,000.00 = 40.00%."""
    draft_budget(world)
    with world.ledger.write() as s:
        approve_budget(s, book_id=world.trust_id, year=2024, actor=world.user(s, "committee"))
        treasurer = world.user(s, "treasurer")
        spend(
            s,
            book_id=world.trust_id,
            line="cleaning",
            date=D(2024, 1, 25),
            memo="1月保洁",
            amount_fen=40_000,
            actor=treasurer,
        )
        spend(
            s,
            book_id=world.trust_id,
            line="5105",
            date=D(2024, 2, 25),
            memo="门禁检修",
            amount_fen=30_000,
            actor=treasurer,
        )
        spend(
            s,
            book_id=world.trust_id,
            line="reserve",
            date=D(2024, 2, 28),
            memo="提取储备金",
            amount_fen=20_000,
            actor=treasurer,
        )

    def overrun(who: str, approver: str | None) -> Callable[[Session], object]:
        return lambda s: spend(
            s,
            book_id=world.trust_id,
            line="facilities",
            date=D(2024, 3, 25),
            memo="道闸更换",
            amount_fen=30_000,
            actor=world.user(s, who),
            approver=world.user(s, approver) if approver else None,
        )

    refused(
        world,
        overrun("treasurer", None),
        PermissionDeniedError,
        "CN¥300.00 is more than the CN¥200.00 left on the budget line “Upkeep of common facilities” for 2024; "
        "spending beyond the budget needs an approver",
    )
    refused(
        world,
        overrun("admin", "admin"),
        PermissionDeniedError,
        "admin is recording this spending and cannot also approve it",
    )
    refused(
        world, overrun("treasurer", "auditor"), PermissionDeniedError, "may not approve entries"
    )
    refused(
        world,
        lambda s: spend(
            s,
            book_id=world.trust_id,
            line="remuneration",
            date=D(2024, 3, 25),
            memo="酬金",
            amount_fen=1,
            actor=world.user(s, "treasurer"),
        ),
        InvalidInputError,
        "The remuneration line is posted by “remuneration”",
    )
    refused(
        world,
        lambda s: spend(
            s,
            book_id=world.trust_id,
            line="wages",
            date=D(2024, 3, 25),
            memo="工资",
            amount_fen=1,
            actor=world.user(s, "treasurer"),
        ),
        InvalidInputError,
        "The 2024 budget has no line “wages”",
    )
    refused(
        world,
        lambda s: spend(
            s,
            book_id=world.trust_id,
            line="cleaning",
            date=D(2025, 1, 3),
            memo="保洁",
            amount_fen=1,
            actor=world.user(s, "treasurer"),
        ),
        InvalidInputError,
        "has no budget for 2025",
    )
    with world.ledger.write() as s:
        posted = overrun("treasurer", "reviewer")(s)
        entry = s.get(Entry, posted.id)  # type: ignore[attr-defined]
        assert entry is not None and entry.approved_by_id == world.user(s, "reviewer").id
    with world.ledger.read() as s:
        ex = budget_execution(s, book_id=world.trust_id, year=2024)
    lines = {line.key: line for line in ex.lines}
    assert (lines["facilities"].actual_fen, lines["facilities"].remaining_fen) == (60_000, -10_000)
    assert lines["facilities"].percent_used == "120.00%"
    assert lines["cleaning"].percent_used == "40.00%"
    assert lines["reserve"].percent_used == "100.00%"
    assert lines["remuneration"].actual_fen == 0
    assert (ex.budget_fen, ex.actual_fen, ex.percent_used) == (200_000, 120_000, "60.00%")
    b = balances(world, world.trust_id)
    assert b["5111"] == 20_000 and b["3201"] == -20_000  # appropriated, not paid out
    assert b["100201"] == -100_000


# --- the demo -----------------------------------------------------------------------------------


def test_the_demo_year_adds_up(world: World) -> None:
    """金河绿洲, 2024: 120 units at ¥2.50 per m²; every month's remuneration is 15% of the fees
    settled that month and every gift 30% of it, by allocate; the books balance and verify."""
    with world.ledger.write() as s:
        summary = build_property_demo(
            s,
            book_id=world.trust_id,
            treasurer=world.user(s, "treasurer"),
            reviewer=world.user(s, "reviewer"),
            committee=world.user(s, "committee"),
            year=2024,
            fund_book_id=world.fund_id,
        )
        rows = list_remunerations(s, book_id=world.trust_id)
        ex = budget_execution(s, book_id=world.trust_id, year=2024)
        assert len(list_units(s, book_id=world.trust_id)) == 120
    assert summary.units == 120 and summary.rate_fen_per_m2 == 250
    assert len(rows) == 12
    for r in rows:
        assert r.amount_fen == allocate(r.basis_fen, [1500, 8500])[0]
        assert r.gift_fen == allocate(r.amount_fen, [3000, 7000])[0]
    assert summary.remuneration_fen == sum(r.amount_fen for r in rows)
    assert summary.gift_fen == sum(r.gift_fen for r in rows)
    assert summary.billed_fen == summary.received_fen + summary.owed_fen - summary.prepaid_fen
    assert 90 <= int(summary.collection_rate.split(".")[0]) <= 94
    assert ex.status == "approved"
    assert [line.key for line in ex.lines if line.remaining_fen < 0] == ["facilities"]
    trust = balances(world, world.trust_id)
    assert trust["5109"] == summary.remuneration_fen
    assert trust["4101"] == -summary.billed_fen
    assert trust["1122"] == summary.owed_fen and trust["2203"] == -summary.prepaid_fen
    assert trust["2251"] == 0  # the company was paid the rest every month
    assert balances(world, world.fund_id)["410104"] == -summary.gift_fen
    assert not verify_ledger_findings(world)


def test_entries_made_by_fee_records_cannot_be_reversed_alone(world: World) -> None:
    """Reversing a billing or a collection entry alone would leave its FeeBill/FeeCollection
    row counted (arrears, the remuneration basis), so the ledger refuses it."""
    from ledger.errors import AlreadyReversedError
    from ledger.models import FeeBill
    from ledger.services.entries import reverse_entry
    from ledger.services.property import add_unit, bill_period, set_fee_rate

    with world.ledger.write() as s:
        admin = world.user(s, "admin")
        set_fee_rate(s, book_id=world.trust_id, rate_fen_per_m2=250, actor=admin)
        add_unit(
            s,
            book_id=world.trust_id,
            building="1",
            unit="1",
            room="101",
            area="89.56",
            owner_key="o1",
            actor=world.user(s, "treasurer"),
        )
        bill_period(s, book_id=world.trust_id, period="2024-01", actor=world.user(s, "treasurer"))
    with world.ledger.read() as s:
        entry_id = s.exec(select(FeeBill.entry_id)).one()
    with pytest.raises(AlreadyReversedError, match="property fee billing"):
        with world.ledger.write() as s:
            reverse_entry(s, entry_id=entry_id, actor=world.user(s, "treasurer"))

"""Fuzzing every service that takes text, amounts, dates or ids from a person.

Each test starts from a call that would succeed and spoils up to two of its arguments with
hostile values (empty and blank text, NUL and other control characters, lone surrogates — what
a command line makes of bytes it cannot decode —, very long text, huge and negative integers,
floats where fen are due, dates at the ends of the calendar, ids that do not exist, unknown
account codes, unbalanced lines, users without the right). Through :meth:`Fuzz.attempt` the
call must then succeed with a valid result, or refuse with a
:class:`~ledger.errors.GongzhangError` carrying a message and leave every row of every table as
it was. Any other exception (an ``OverflowError`` from SQLite, a ``UnicodeEncodeError``, a
``ValueError`` from the calendar …) fails the test with the shrunk example.

Services this fuzzing may not change (households, votes, electorate) have their known bugs
pinned by ``xfail(strict=True)`` regression tests at the end; their strategies steer around
those bugs (``PRINTABLE``, ``SQLITE_INT``) so that the fuzz keeps looking for new ones.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlmodel import Session

from ledger.errors import GongzhangError, InvalidInputError, NotFoundError
from ledger.services.counterparties import add_counterparty, find_counterparty
from ledger.services.entries import (
    PostedEntry,
    PostingLine,
    find_entry,
    post_entry,
    reverse_entry,
)
from ledger.services.households import add_household, enrol_household
from ledger.services.microfund import (
    add_activity,
    approve_expense,
    earn_points,
    find_activity,
    find_receipt,
    record_donation,
    record_expense,
    redeem_points,
    reject_expense,
    set_participants,
)
from ledger.services.property import (
    add_unit,
    bill_period,
    collect,
    create_budget,
    find_unit,
    gift_remuneration,
    pay_remuneration,
    record_common_income,
    set_fee_rate,
    spend,
)
from ledger.services.sharing import (
    add_village_household,
    distribute,
    set_exit_schedule,
    set_household_holding,
    set_schedule_year,
)
from ledger.services.users import create_user, get_user
from ledger.services.votes import (
    ProjectSpec,
    amend_vote,
    correct_ballot,
    create_vote,
    record_ballot,
)
from ledger.verify import verify_ledger
from tests.fuzz.conftest import (
    CLOSES,
    DATES,
    DAY,
    HOSTILE_INTS,
    HOSTILE_TEXT,
    IDS,
    OPENS,
    SQLITE_INT,
    Fuzz,
    draw_args,
    fuzz_settings,
)

# --- strategies ---------------------------------------------------------------------------------

USERS = st.sampled_from(["admin", "treasurer", "treasurer2", "reviewer", "committee", "auditor"])
TREASURER = st.just("treasurer")
#: Ordinary text of a name or memo: a few letters and digits, Chinese included.
NAMES = st.text(st.characters(categories=["L", "N"]), min_size=1, max_size=12)
#: Hostile text without control characters and surrogates, for the services whose acceptance
#: of those is a known bug (see the xfail tests at the end).
PRINTABLE = HOSTILE_TEXT.filter(
    lambda t: not any(ord(c) < 32 or 0xD800 <= ord(c) < 0xE000 or c in "\ufffe\uffff" for c in t)
)
DATES_2024 = st.dates(dt.date(2024, 2, 1), dt.date(2024, 12, 31))
HOSTILE_DATES = st.one_of(
    DATES, st.none(), st.just("2024-01-01"), st.just(dt.datetime(2024, 5, 1, 12, 0))
)
#: Amounts in fen as a careless caller might pass them: any integer, floats, bools, Fractions.
AMOUNTS = st.one_of(
    st.integers(min_value=-(10**7), max_value=10**7),
    HOSTILE_INTS,
    st.floats(allow_nan=True),
    st.just(True),
    st.fractions(),
    st.just("100"),
)
FEN = st.integers(min_value=1, max_value=100_000)
COUNTS = st.one_of(
    st.integers(min_value=-3, max_value=20), HOSTILE_INTS, st.floats(), st.just(None), st.just("3")
)
PERIODS = st.one_of(
    st.sampled_from(
        [
            "2024-13",
            "2024-00",
            "0000-01",
            "9999-12",
            "2024",
            "2024-Q1",
            "2024-H1",
            "2024年3月",
            "1900-01",
            "2024-1",
            "2024-12x",
            "99999-01",
            "2024--1",
        ]
    ),
    HOSTILE_TEXT,
)


@pytest.fixture(autouse=True)
def _ledger_still_verifies(fz: Fuzz, request: pytest.FixtureRequest) -> Any:
    """After all of a test's examples: the fuzz went past the first checks (some calls
    succeeded), and the ledger's hash chains and audit trail are intact."""
    yield
    if getattr(request.function, "is_hypothesis_test", False):
        assert fz.successes, "no example succeeded: the fuzz never got past the first checks"
    with fz.ledger.read() as s:
        findings = verify_ledger(s)
    assert not findings, [str(f) for f in findings[:5]]


def attempt(
    fz: Fuzz, service: Callable[..., Any], args: dict[str, Any], **users: str | None
) -> Any:
    """Call ``service`` with ``args``; the names in ``users`` are turned into the users."""

    def call(s: Session) -> Any:
        people = {k: fz.user(s, v) if v is not None else None for k, v in users.items()}
        result = service(s, **args, **people)
        return getattr(result, "id", result)

    return fz.attempt(call)


def _split(args: dict[str, Any], *names: str) -> dict[str, Any]:
    return {name: args.pop(name) for name in names}


# --- entries ------------------------------------------------------------------------------------


def lines_of(codes: tuple[str, ...], *, balanced: bool) -> st.SearchStrategy[list[PostingLine]]:
    """Postings on ``codes``: debits of ordinary amounts and one balancing credit, or (not
    balanced) anything at all — hostile codes, amounts and counterparties, any number of lines."""
    if balanced:
        return st.lists(st.tuples(st.sampled_from(codes), FEN), min_size=1, max_size=3).flatmap(
            lambda debits: st.sampled_from(codes).map(
                lambda credit: (
                    [PostingLine(c, f) for c, f in debits]
                    + [PostingLine(credit, -sum(f for _c, f in debits))]
                )
            )
        )
    code = st.one_of(st.sampled_from(codes), HOSTILE_TEXT, st.sampled_from(["1", "5101", "100201"]))
    line = st.builds(PostingLine, code, AMOUNTS, st.one_of(st.none(), IDS))
    return st.lists(line, max_size=5)


@fuzz_settings(60)
@given(data=st.data())
def test_post_entry(fz: Fuzz, data: st.DataObject) -> None:
    leaves = fz.ids.leaves[fz.ids.fund]
    args = draw_args(
        data,
        {
            "book_id": st.just(fz.ids.fund),
            "date": DATES_2024,
            "memo": NAMES,
            "lines": lines_of(leaves, balanced=True),
            "manual": st.just(False),
            "actor": TREASURER,
            "approver": st.none(),
        },
        {
            "book_id": st.one_of(st.sampled_from([fz.ids.trust, fz.ids.village]), IDS),
            "date": HOSTILE_DATES,
            "memo": HOSTILE_TEXT,
            "lines": lines_of(leaves, balanced=False),
            "manual": st.just(True),
            "actor": USERS,
            "approver": USERS,
        },
    )
    people = _split(args, "actor", "approver")

    def check(s: Session, posted: PostedEntry) -> None:
        assert posted.number.startswith(f"记-{args['date'].year}-")
        assert posted.memo == args["memo"].strip()
        amounts = [line.amount_fen for line in args["lines"]]
        assert all(type(fen) is int for fen in amounts)
        assert sum(amounts) == 0

    fz.attempt(
        lambda s: post_entry(
            s,
            **args,
            actor=fz.user(s, people["actor"]),
            approver=fz.user(s, people["approver"]) if people["approver"] else None,
        ),
        check,
    )


@fuzz_settings(40)
@given(data=st.data())
def test_reverse_entry(fz: Fuzz, data: st.DataObject) -> None:
    args = draw_args(
        data,
        {
            "entry_id": st.integers(min_value=1, max_value=fz.ids.entry),
            "date": st.one_of(st.none(), DATES_2024),
            "memo": st.one_of(st.none(), NAMES),
            "actor": TREASURER,
        },
        {
            "entry_id": IDS,
            "date": DATES,
            "memo": HOSTILE_TEXT,
            "actor": USERS,
        },
    )
    attempt(fz, reverse_entry, args, actor=args.pop("actor"))


# --- donors, payees, users, households -------------------------------------------------------------


@fuzz_settings(40)
@given(data=st.data())
def test_add_counterparty(fz: Fuzz, data: st.DataObject) -> None:
    args = draw_args(
        data,
        {
            "kind": st.sampled_from(["merchant", "volunteer", "resident", "organisation", "payee"]),
            "name": NAMES,
            "contact": st.sampled_from(["", "138 0000 0000"]),
            "note": st.sampled_from(["", "常年捐赠"]),
            "is_individual": st.one_of(st.none(), st.booleans()),
            "actor": TREASURER,
        },
        {
            "kind": HOSTILE_TEXT,
            "name": HOSTILE_TEXT,
            "contact": HOSTILE_TEXT,
            "note": HOSTILE_TEXT,
            "actor": USERS,
        },
    )
    attempt(fz, add_counterparty, args, actor=args.pop("actor"))


@fuzz_settings(30)
@given(data=st.data())
def test_create_user(fz: Fuzz, data: st.DataObject) -> None:
    args = draw_args(
        data,
        {
            "username": st.text(st.characters(categories=["L", "N"]), min_size=1, max_size=16),
            "role": st.sampled_from(["admin", "treasurer", "reviewer", "committee", "auditor"]),
            "display_name": st.one_of(st.none(), NAMES),
            "password": st.just("fuzz-password"),
            "actor": st.just("admin"),
        },
        {
            "username": HOSTILE_TEXT,
            "role": HOSTILE_TEXT,
            "display_name": HOSTILE_TEXT,
            # Hashing is slow on purpose (scrypt); a long password is merely slow, not hostile.
            "password": st.one_of(st.just("long enough"), HOSTILE_TEXT.map(lambda t: t[:40])),
            "actor": USERS,
        },
    )
    attempt(fz, create_user, args, actor=args.pop("actor"))


@fuzz_settings(40)
@given(data=st.data())
def test_add_and_enrol_household(fz: Fuzz, data: st.DataObject) -> None:
    fz.max_message = None  # quotes whole values: see test_messages_quote_values_shortened
    args = draw_args(
        data,
        {
            "label": NAMES,
            "head_name": st.sampled_from(["", "王建国"]),
            "members": st.integers(min_value=0, max_value=10),
            "shares": st.integers(min_value=0, max_value=10),
            "actor": TREASURER,
        },
        {
            "label": PRINTABLE,
            "head_name": PRINTABLE,
            "members": st.one_of(SQLITE_INT, st.floats(), st.just("3"), st.just(True)),
            "shares": st.one_of(SQLITE_INT, st.floats(), st.just("3")),
            "actor": USERS,
        },
    )
    added = attempt(fz, add_household, args, actor=args.pop("actor"))
    enrol = draw_args(
        data,
        {
            "book_id": st.sampled_from([fz.ids.fund, fz.ids.trust, fz.ids.village]),
            "household_id": st.just(added if isinstance(added, int) else fz.ids.households[0]),
            "actor": TREASURER,
        },
        {"book_id": IDS, "household_id": IDS, "actor": USERS},
    )
    attempt(fz, enrol_household, enrol, actor=enrol.pop("actor"))


# --- the micro-fund -----------------------------------------------------------------------------------


@fuzz_settings(50)
@given(data=st.data())
def test_record_donation(fz: Fuzz, data: st.DataObject) -> None:
    args = draw_args(
        data,
        {
            "book_id": st.just(fz.ids.fund),
            "date": DATES_2024,
            "donor_id": st.sampled_from([fz.ids.donor, fz.ids.payee, fz.ids.company]),
            "source": st.sampled_from(["merchant", "volunteer", "self_raised", "other"]),
            "amount_fen": FEN,
            "purpose": st.one_of(st.none(), st.sampled_from(["重阳宴", "environment", "环境整治"])),
            "pay_into": st.sampled_from(["bank", "cash"]),
            "actor": TREASURER,
        },
        {
            "book_id": st.one_of(IDS, st.sampled_from([fz.ids.trust, fz.ids.village])),
            "date": HOSTILE_DATES,
            "donor_id": IDS,
            "source": HOSTILE_TEXT,
            "amount_fen": AMOUNTS,
            "purpose": HOSTILE_TEXT,
            "pay_into": HOSTILE_TEXT,
            "actor": USERS,
        },
    )
    attempt(fz, record_donation, args, actor=args.pop("actor"))


@fuzz_settings(50)
@given(data=st.data())
def test_activities(fz: Fuzz, data: st.DataObject) -> None:
    args = draw_args(
        data,
        {
            "book_id": st.just(fz.ids.fund),
            "name": NAMES,
            "date": DATES_2024,
            "budget_fen": st.integers(min_value=0, max_value=10**7),
            "participants": st.integers(min_value=0, max_value=600),
            "note": st.sampled_from(["", "社区食堂"]),
            "actor": TREASURER,
        },
        {
            "book_id": st.one_of(IDS, st.sampled_from([fz.ids.trust, fz.ids.village])),
            "name": HOSTILE_TEXT,
            "date": HOSTILE_DATES,
            "budget_fen": AMOUNTS,
            "participants": COUNTS,
            "note": HOSTILE_TEXT,
            "actor": USERS,
        },
    )
    added = attempt(fz, add_activity, args, actor=args.pop("actor"))
    later = draw_args(
        data,
        {
            "activity_id": st.just(added if isinstance(added, int) else fz.ids.activity),
            "participants": st.integers(min_value=0, max_value=600),
            "actor": TREASURER,
        },
        {"activity_id": IDS, "participants": COUNTS, "actor": USERS},
    )
    attempt(fz, set_participants, later, actor=later.pop("actor"))


@fuzz_settings(60)
@given(data=st.data())
def test_expenses(fz: Fuzz, data: st.DataObject) -> None:
    args = draw_args(
        data,
        {
            "book_id": st.just(fz.ids.fund),
            "date": DATES_2024,
            "category": st.sampled_from(["activity", "environment", "points_redemption", "other"]),
            "amount_fen": st.integers(min_value=1, max_value=300_000),
            "memo": NAMES,
            "pay_from": st.sampled_from(["bank", "cash"]),
            "payee_id": st.one_of(st.none(), st.just(fz.ids.payee)),
            "activity_id": st.one_of(st.none(), st.just(fz.ids.activity)),
            "purpose": st.none(),
            "private_note": st.just(""),
            "actor": TREASURER,
        },
        {
            "book_id": st.one_of(IDS, st.sampled_from([fz.ids.trust, fz.ids.village])),
            "date": HOSTILE_DATES,
            "category": st.one_of(st.just("hardship"), HOSTILE_TEXT),
            "amount_fen": AMOUNTS,
            "memo": st.one_of(st.none(), HOSTILE_TEXT),
            "pay_from": HOSTILE_TEXT,
            "payee_id": IDS,
            "activity_id": IDS,
            "purpose": st.one_of(
                st.sampled_from(["重阳宴", "environment", "hardship"]), HOSTILE_TEXT
            ),
            "private_note": HOSTILE_TEXT,
            "actor": USERS,
        },
        most=3,
    )
    made = attempt(fz, record_expense, args, actor=args.pop("actor"))
    decision = draw_args(
        data,
        {
            "expense_id": st.just(made if isinstance(made, int) else 1),
            "actor": st.sampled_from(["reviewer", "committee"]),
            "reason": st.one_of(st.none(), NAMES),
        },
        {"expense_id": IDS, "actor": USERS, "reason": HOSTILE_TEXT},
    )
    reason, decider = decision.pop("reason"), decision.pop("actor")
    if reason is None:
        attempt(fz, approve_expense, decision, actor=decider)
    else:
        attempt(fz, reject_expense, {**decision, "reason": reason}, actor=decider)


@fuzz_settings(40)
@given(data=st.data(), redeem=st.booleans())
def test_points(fz: Fuzz, data: st.DataObject, redeem: bool) -> None:
    args = draw_args(
        data,
        {
            "book_id": st.just(fz.ids.fund),
            "household_id": st.sampled_from(fz.ids.households),
            "date": DATES_2024,
            "points": st.integers(min_value=1, max_value=50),
            "reason": NAMES,
            "actor": TREASURER,
        },
        {
            "book_id": st.one_of(IDS, st.sampled_from([fz.ids.trust, fz.ids.village])),
            "household_id": IDS,
            "date": HOSTILE_DATES,
            "points": st.one_of(HOSTILE_INTS, st.floats(), st.just("5")),
            "reason": HOSTILE_TEXT,
            "actor": USERS,
        },
    )
    if redeem:
        args["expense_id"] = data.draw(st.one_of(st.none(), IDS), label="expense_id")
    attempt(fz, redeem_points if redeem else earn_points, args, actor=args.pop("actor"))


# --- trust-style property ---------------------------------------------------------------------------


AREAS = st.one_of(
    st.sampled_from(
        [
            "0",
            "0.00",
            "-5",
            "89.555",
            "1e3",
            "100000.01",
            "inf",
            "nan",
            "1,000",
            "9" * 5000,
            "89.5 m2 m2",
            "８９．５",
        ]
    ),
    HOSTILE_TEXT,
    st.floats().map(str),
    st.floats(),
    st.integers(),
)
PART = st.text(st.characters(categories=["Nd", "Lu"]), min_size=1, max_size=4)


@fuzz_settings(50)
@given(data=st.data())
def test_add_unit(fz: Fuzz, data: st.DataObject) -> None:
    args = draw_args(
        data,
        {
            "book_id": st.just(fz.ids.trust),
            "building": PART,
            "unit": st.one_of(st.just(""), PART),
            "room": PART,
            "area": st.builds(lambda w, f: f"{w}.{f:02d}", st.integers(1, 999), st.integers(0, 99)),
            "owner_key": st.sampled_from(["", "王某"]),
            "owner_name": st.sampled_from(["", "王建国"]),
            "household_id": st.one_of(st.none(), st.sampled_from(fz.ids.households)),
            "unsold": st.just(False),
            "actor": TREASURER,
        },
        {
            "book_id": st.one_of(IDS, st.sampled_from([fz.ids.fund, fz.ids.village])),
            "building": HOSTILE_TEXT,
            "unit": HOSTILE_TEXT,
            "room": HOSTILE_TEXT,
            "area": AREAS,
            "owner_key": HOSTILE_TEXT,
            "owner_name": HOSTILE_TEXT,
            "household_id": IDS,
            "unsold": st.just(True),
            "actor": USERS,
        },
        most=3,
    )
    attempt(fz, add_unit, args, actor=args.pop("actor"))


@fuzz_settings(50)
@given(data=st.data())
def test_fee_rate_billing_and_collections(fz: Fuzz, data: st.DataObject) -> None:
    rate = draw_args(
        data,
        {
            "book_id": st.just(fz.ids.trust),
            "rate_fen_per_m2": st.integers(1, 1000),
            "actor": st.just("admin"),
        },
        {"book_id": IDS, "rate_fen_per_m2": st.one_of(AMOUNTS, st.just("250")), "actor": USERS},
    )
    attempt(fz, set_fee_rate, rate, actor=rate.pop("actor"))
    bill = draw_args(
        data,
        {
            "book_id": st.just(fz.ids.trust),
            "period": st.integers(2, 12).map(lambda m: f"2024-{m:02d}"),
            "date": st.none(),
            "actor": TREASURER,
        },
        {"book_id": IDS, "period": PERIODS, "date": HOSTILE_DATES, "actor": USERS},
    )
    attempt(fz, bill_period, bill, actor=bill.pop("actor"))
    pay = draw_args(
        data,
        {
            "book_id": st.just(fz.ids.trust),
            "unit_id": st.sampled_from(fz.ids.units),
            "date": DATES_2024,
            "amount_fen": FEN,
            "memo": st.one_of(st.none(), NAMES),
            "actor": TREASURER,
        },
        {
            "book_id": IDS,
            "unit_id": IDS,
            "date": HOSTILE_DATES,
            "amount_fen": AMOUNTS,
            "memo": HOSTILE_TEXT,
            "actor": USERS,
        },
    )
    attempt(fz, collect, pay, actor=pay.pop("actor"))


@fuzz_settings(50)
@given(data=st.data())
def test_common_income_and_remuneration(fz: Fuzz, data: st.DataObject) -> None:
    income = draw_args(
        data,
        {
            "book_id": st.just(fz.ids.trust),
            "source": st.sampled_from(["parking", "advertising", "other"]),
            "date": DATES_2024,
            "amount_fen": FEN,
            "memo": st.one_of(st.none(), NAMES),
            "payer_id": st.one_of(st.none(), st.just(fz.ids.donor)),
            "actor": TREASURER,
        },
        {
            "book_id": IDS,
            "source": HOSTILE_TEXT,
            "date": HOSTILE_DATES,
            "amount_fen": AMOUNTS,
            "memo": HOSTILE_TEXT,
            "payer_id": IDS,
            "actor": USERS,
        },
    )
    attempt(fz, record_common_income, income, actor=income.pop("actor"))
    pay = draw_args(
        data,
        {
            "book_id": st.just(fz.ids.trust),
            "date": DATES_2024,
            "amount_fen": st.one_of(st.none(), st.integers(1, 1000)),
            "company_id": st.none(),
            "actor": TREASURER,
        },
        {
            "book_id": IDS,
            "date": HOSTILE_DATES,
            "amount_fen": AMOUNTS,
            "company_id": IDS,
            "actor": USERS,
        },
    )
    attempt(fz, pay_remuneration, pay, actor=pay.pop("actor"))
    gift = draw_args(
        data,
        {
            "trust_book_id": st.just(fz.ids.trust),
            "fund_book_id": st.just(fz.ids.fund),
            "period": st.just("2024-01"),
            "date": st.none(),
            "company_id": st.none(),
            "actor": TREASURER,
        },
        {
            "trust_book_id": IDS,
            "fund_book_id": IDS,
            "period": PERIODS,
            "date": HOSTILE_DATES,
            "company_id": IDS,
            "actor": USERS,
        },
    )
    attempt(fz, gift_remuneration, gift, actor=gift.pop("actor"))


BUDGET_LINES = st.one_of(
    st.sampled_from(
        [
            "wages",
            "cleaning",
            "greening",
            "reserve",
            "remuneration",
            "5102",
            "5199",
            "other",
            "1002",
            " cleaning ",
        ]
    ),
    HOSTILE_TEXT,
)


@fuzz_settings(50)
@given(data=st.data())
def test_budget_and_spending(fz: Fuzz, data: st.DataObject) -> None:
    budget = draw_args(
        data,
        {
            "book_id": st.just(fz.ids.trust),
            "year": st.integers(2026, 2100),
            "lines": st.dictionaries(
                st.sampled_from(["wages", "cleaning", "greening", "security"]),
                st.integers(0, 10**7),
                min_size=1,
                max_size=4,
            ),
            "actor": TREASURER,
        },
        {
            "book_id": IDS,
            "year": st.one_of(HOSTILE_INTS, st.floats(), st.just("2027")),
            "lines": st.dictionaries(BUDGET_LINES, AMOUNTS, max_size=4),
            "actor": USERS,
        },
    )
    attempt(fz, create_budget, budget, actor=budget.pop("actor"))
    spending = draw_args(
        data,
        {
            "book_id": st.just(fz.ids.trust),
            "line": st.sampled_from(["wages", "cleaning", "5102"]),
            "date": DATES_2024,
            "memo": NAMES,
            "amount_fen": FEN,
            "payee_id": st.one_of(st.none(), st.just(fz.ids.payee)),
            "actor": TREASURER,
            "approver": st.none(),
        },
        {
            "book_id": IDS,
            "line": BUDGET_LINES,
            "date": HOSTILE_DATES,
            "memo": HOSTILE_TEXT,
            "amount_fen": AMOUNTS,
            "payee_id": IDS,
            "actor": USERS,
            "approver": USERS,
        },
    )
    attempt(fz, spend, spending, actor=spending.pop("actor"), approver=spending.pop("approver"))


# --- village revenue sharing --------------------------------------------------------------------------


@fuzz_settings(40)
@given(data=st.data())
def test_village_households(fz: Fuzz, data: st.DataObject) -> None:
    fz.max_message = None  # quotes whole values: see test_messages_quote_values_shortened
    add = draw_args(
        data,
        {
            "book_id": st.just(fz.ids.village),
            "label": NAMES,
            "shares": st.integers(0, 10),
            "members": st.integers(0, 10),
            "head_name": st.just(""),
            "actor": TREASURER,
        },
        {
            "book_id": st.one_of(IDS, st.sampled_from([fz.ids.fund, fz.ids.trust])),
            "label": PRINTABLE,
            "shares": st.one_of(SQLITE_INT, st.floats(), st.just("3")),
            "members": st.one_of(SQLITE_INT, st.floats()),
            "head_name": PRINTABLE,
            "actor": USERS,
        },
    )
    attempt(fz, add_village_household, add, actor=add.pop("actor"))
    change = draw_args(
        data,
        {
            "book_id": st.just(fz.ids.village),
            "household_id": st.sampled_from(fz.ids.households),
            "shares": st.one_of(st.none(), st.integers(0, 100)),
            "members": st.one_of(st.none(), st.integers(0, 10)),
            "actor": TREASURER,
        },
        {
            "book_id": IDS,
            "household_id": IDS,
            "shares": st.one_of(HOSTILE_INTS, st.floats(), st.just("3")),
            "members": st.one_of(HOSTILE_INTS, st.floats()),
            "actor": USERS,
        },
    )
    attempt(fz, set_household_holding, change, actor=change.pop("actor"))


BP = st.integers(0, 10_000)
HOSTILE_BP = st.one_of(HOSTILE_INTS, st.integers(-1, 10_001), st.floats(), st.just("7000"))


@fuzz_settings(50)
@given(data=st.data())
def test_exit_schedule(fz: Fuzz, data: st.DataObject) -> None:
    args = draw_args(
        data,
        {
            "book_id": st.just(fz.ids.village),
            "contract_start": st.dates(dt.date(1990, 1, 1), dt.date(2030, 12, 31)),
            "rows": st.none(),
            "start_bp": BP,
            "years": st.integers(1, 100),
            "end_bp": st.just(0),
            "curve": st.just("linear"),
            "step_years": st.none(),
            "note": st.sampled_from(["", "合同第3条"]),
            "actor": TREASURER,
        },
        {
            "book_id": IDS,
            "contract_start": HOSTILE_DATES,
            "rows": st.lists(
                st.tuples(st.one_of(st.integers(-1, 25), HOSTILE_INTS), HOSTILE_BP), max_size=5
            ),
            "start_bp": HOSTILE_BP,
            "years": st.one_of(HOSTILE_INTS, st.integers(-1, 101)),
            "end_bp": HOSTILE_BP,
            "curve": st.one_of(st.sampled_from(["step", "geometric", "Linear"]), HOSTILE_TEXT),
            "step_years": st.one_of(HOSTILE_INTS, st.integers(-1, 30)),
            "note": HOSTILE_TEXT,
            "actor": USERS,
        },
    )
    attempt(fz, set_exit_schedule, args, actor=args.pop("actor"))
    year = draw_args(
        data,
        {
            "book_id": st.just(fz.ids.village),
            "contract_year": st.integers(1, 20),
            "investor_bp": BP,
            "actor": TREASURER,
        },
        {
            "book_id": IDS,
            "contract_year": st.one_of(HOSTILE_INTS, st.floats()),
            "investor_bp": HOSTILE_BP,
            "actor": USERS,
        },
    )
    attempt(fz, set_schedule_year, year, actor=year.pop("actor"))


@fuzz_settings(40)
@given(data=st.data())
def test_distribute(fz: Fuzz, data: st.DataObject) -> None:
    args = draw_args(
        data,
        {
            "book_id": st.just(fz.ids.village),
            "period": st.sampled_from(["2024-06", "2024-07", "2024-08", "2023", "2022"]),
            "date": st.just(dt.date(2025, 1, 15)),
            "profit_fen": st.integers(1, 10**7),
            "weights": st.just((3, 3, 3, 1)),
            "actor": TREASURER,
            "approver": st.none(),
        },
        {
            "book_id": IDS,
            "period": PERIODS,
            "date": HOSTILE_DATES,
            "profit_fen": AMOUNTS,
            "weights": st.one_of(
                st.lists(st.integers(-1, 10), max_size=6),
                st.lists(HOSTILE_INTS, min_size=4, max_size=4),
                st.just([3.0, 3, 3, 1]),
                st.just("3331"),
            ),
            "actor": USERS,
            "approver": USERS,
        },
    )
    attempt(fz, distribute, args, actor=args.pop("actor"), approver=args.pop("approver"))


# --- votes --------------------------------------------------------------------------------------------

HOSTILE_PROJECTS = st.lists(
    st.builds(
        ProjectSpec,
        st.one_of(st.sampled_from(["p1", "p2", "a", "b", "c", "a,b", "x;y"]), PRINTABLE),
        st.one_of(st.sampled_from(["健身角", "新项目", "环境整治", "重阳宴"]), PRINTABLE),
        st.one_of(st.none(), st.integers(-1, 500_000), SQLITE_INT),
    ),
    max_size=4,
)
LIMITS = st.one_of(SQLITE_INT, st.integers(-1, 5), st.floats())
#: Hostile dates for votes, but no datetime (a known bug, see the xfail tests at the end).
VOTE_DATES = st.one_of(DATES, st.none(), st.just("2024-01-01"))
FRACTIONS = st.fractions(min_value=-3, max_value=3, max_denominator=10**6)


@fuzz_settings(50)
@given(data=st.data())
def test_create_meeting_vote(fz: Fuzz, data: st.DataObject) -> None:
    fz.max_message = None  # quotes whole values: see test_messages_quote_values_shortened
    args = draw_args(
        data,
        {
            "book_id": st.just(fz.ids.fund),
            "kind": st.just("residents_meeting"),
            "title": NAMES,
            "opens_on": st.just(OPENS),
            "closes_on": st.just(CLOSES),
            "matter": st.none(),
            "quorum": st.one_of(st.none(), st.fractions(Fraction(1, 10), Fraction(9, 10))),
            "majority": st.none(),
            "quorum_inclusive": st.none(),
            "actor": st.just("committee"),
        },
        {
            "book_id": IDS,
            "kind": st.one_of(
                st.sampled_from(["village_meeting", "owners_meeting", "participatory_budget"]),
                HOSTILE_TEXT,
            ),
            "title": PRINTABLE,
            "opens_on": VOTE_DATES,
            "closes_on": VOTE_DATES,
            "matter": st.one_of(st.sampled_from(["ordinary", "major"]), HOSTILE_TEXT),
            # Fractions of huge terms overflow the vote's columns (a known bug, xfail below).
            "quorum": st.one_of(
                FRACTIONS,
                st.sampled_from([Fraction(0), Fraction(2)]),
                st.floats(),
                st.just(0.5),
            ),
            "majority": st.one_of(FRACTIONS, st.floats()),
            "quorum_inclusive": st.booleans(),
            "actor": USERS,
        },
    )
    attempt(fz, create_vote, args, actor=args.pop("actor"))


@fuzz_settings(50)
@given(data=st.data())
def test_create_budget_vote(fz: Fuzz, data: st.DataObject) -> None:
    fz.max_message = None  # quotes whole values: see test_messages_quote_values_shortened
    projects = st.lists(
        st.builds(ProjectSpec, NAMES, NAMES.map(lambda n: "项目" + n), st.integers(0, 100_000)),
        min_size=2,
        max_size=4,
        unique_by=(lambda p: p.code, lambda p: p.name),
    )
    args = draw_args(
        data,
        {
            "book_id": st.just(fz.ids.fund),
            "kind": st.just("participatory_budget"),
            "title": NAMES,
            "opens_on": st.just(OPENS),
            "closes_on": st.just(CLOSES),
            "ballot_type": st.sampled_from(["approval", "ordinal", None]),
            "rule": st.sampled_from(["greedy", "mes", None]),
            "projects": projects,
            "budget_fen": st.integers(100_000, 10**7),
            "max_length": st.one_of(st.none(), st.integers(1, 4)),
            "actor": st.just("committee"),
        },
        {
            "book_id": IDS,
            "kind": HOSTILE_TEXT,
            "title": PRINTABLE,
            "opens_on": VOTE_DATES,
            "closes_on": VOTE_DATES,
            "ballot_type": st.one_of(
                st.sampled_from(["choose-1", "cumulative", "yes-no"]), HOSTILE_TEXT
            ),
            "rule": st.one_of(st.just("plurality"), HOSTILE_TEXT),
            "projects": HOSTILE_PROJECTS,
            "budget_fen": st.one_of(SQLITE_INT, st.floats(), st.just("100000")),
            "max_length": LIMITS,
            "actor": USERS,
        },
    )
    attempt(fz, create_vote, args, actor=args.pop("actor"))


VOTERS = st.one_of(
    st.sampled_from(
        [
            "1栋101",
            "1栋102",
            "2栋201",
            "1",
            "2",
            "3",
            "1-1-101",
            "1-1-102",
            "2-201",
            "王某",
            "建设单位",
            "h1",
            "0001",
            "١",
        ]
    ),
    PRINTABLE,
)


@fuzz_settings(60)
@given(data=st.data())
def test_ballots_and_corrections(fz: Fuzz, data: st.DataObject) -> None:
    fz.max_message = None  # quotes whole values: see test_messages_quote_values_shortened
    vote = data.draw(
        st.sampled_from(
            [
                fz.ids.residents_vote,
                fz.ids.budget_vote,
                fz.ids.owners_vote,
                fz.ids.village_vote,
                fz.ids.open_budget_vote,
            ]
        ),
        label="vote",
    )
    meeting = vote in (fz.ids.residents_vote, fz.ids.owners_vote, fz.ids.village_vote)
    voters = (
        ["1-1-101", "1-1-102", "2-201"]
        if vote == fz.ids.owners_vote
        else ["1栋101", "1栋102", "2栋201"]
    )
    codes = ["a", "b"] if vote == fz.ids.open_budget_vote else ["p1", "p2", "p3"]
    valid = {
        "vote_id": st.just(vote),
        "voter": st.sampled_from(voters),
        "choice": st.sampled_from(["yes", "no", "abstain", "同意"]) if meeting else st.none(),
        "selection": st.just(())
        if meeting
        else st.lists(st.sampled_from(codes), min_size=1, max_size=2, unique=True),
        "points": st.just(()),
        "cast_on": st.just(DAY),
        "channel": st.sampled_from(["paper", "in_person"]),
        "proxy_name": st.just(""),
        "actor": TREASURER,
    }
    if vote == fz.ids.open_budget_vote:  # cumulative: one point figure per project
        valid["selection"] = st.just(("a", "b"))
        valid["points"] = st.tuples(st.integers(1, 5), st.integers(1, 5))
    hostile = {
        "vote_id": IDS,
        "voter": VOTERS,
        "choice": st.one_of(st.sampled_from(["yes", "Y", "maybe"]), HOSTILE_TEXT),
        "selection": st.lists(
            st.one_of(st.sampled_from(["p1", "a", " p1 ", "P1"]), HOSTILE_TEXT), max_size=4
        ),
        "points": st.lists(st.one_of(HOSTILE_INTS, st.floats()), max_size=3),
        "cast_on": st.one_of(DATES, st.none()),  # text: a known bug, see the xfail tests
        "channel": st.one_of(st.sampled_from(["proxy", "import"]), HOSTILE_TEXT),
        "proxy_name": PRINTABLE,
        "actor": USERS,
    }
    args = draw_args(data, valid, hostile)
    attempt(fz, record_ballot, args, actor=args.pop("actor"))
    fix = draw_args(
        data,
        {
            **{k: valid[k] for k in ("vote_id", "voter", "choice", "selection", "points")},
            "reason": NAMES,
            "actor": TREASURER,
        },
        {
            **{k: hostile[k] for k in ("vote_id", "voter", "choice", "selection", "points")},
            "reason": PRINTABLE,
            "actor": USERS,
        },
    )
    attempt(fz, correct_ballot, fix, actor=fix.pop("actor"))


@fuzz_settings(40)
@given(data=st.data())
def test_amend_vote(fz: Fuzz, data: st.DataObject) -> None:
    fz.max_message = None  # quotes whole values: see test_messages_quote_values_shortened
    args = draw_args(
        data,
        {
            "vote_id": st.sampled_from([fz.ids.open_budget_vote, fz.ids.village_vote]),
            "title": st.one_of(st.none(), NAMES),
            "closes_on": st.one_of(st.none(), st.dates(CLOSES, dt.date(2025, 6, 30))),
            "budget_fen": st.none(),
            "add_projects": st.just(()),
            "remove_projects": st.just(()),
            "actor": st.just("committee"),
        },
        {
            "vote_id": IDS,
            "title": PRINTABLE,
            "closes_on": VOTE_DATES,
            "budget_fen": st.one_of(SQLITE_INT, st.floats()),
            "add_projects": HOSTILE_PROJECTS,
            "remove_projects": st.lists(
                st.one_of(st.sampled_from(["a", "b", "p1"]), HOSTILE_TEXT), max_size=2
            ),
            "actor": USERS,
        },
    )
    attempt(fz, amend_vote, args, actor=args.pop("actor"))


@fuzz_settings(60)
@given(
    text=st.one_of(
        HOSTILE_TEXT,
        st.sampled_from(["1", "0", "记-2024-0001", "捐-2024-0001", "1-1-101", "重阳宴", "admin"]),
    ),
    lookup=st.sampled_from(["donor", "user", "activity", "unit", "entry", "receipt"]),
)
def test_lookups_by_any_text(fz: Fuzz, text: str, lookup: str) -> None:
    """What a person types to name a donor, user, activity, unit, entry or receipt is found,
    or refused with a message; a broken character is never handed to the database."""
    ids = fz.ids
    calls: dict[str, Callable[[Session], object]] = {
        "donor": lambda s: find_counterparty(s, text).id,
        "user": lambda s: get_user(s, text).id,
        "activity": lambda s: find_activity(s, book_id=ids.fund, ref=text).id,
        "unit": lambda s: find_unit(s, book_id=ids.trust, ref=text).id,
        "entry": lambda s: find_entry(s, book_id=ids.fund, number=text).id,
        "receipt": lambda s: find_receipt(s, book_id=ids.fund, number=text).id,
    }
    fz.successes += 1  # a lookup that finds nothing proves as much as one that does
    fz.attempt(calls[lookup])


# --- the base ledger takes ordinary work (else every example would prove nothing) --------------------


def test_ordinary_calls_succeed_on_the_base_ledger(fz: Fuzz) -> None:
    posted = fz.attempt(
        lambda s: (
            post_entry(
                s,
                book_id=fz.ids.fund,
                date=DAY,
                memo="fuzz",
                lines=[PostingLine("1002", 100), PostingLine("410109", -100)],
                actor=fz.user(s, "treasurer"),
            ).number
        )
    )
    assert posted == "记-2024-0004"
    refused = fz.attempt(
        lambda s: post_entry(
            s,
            book_id=fz.ids.fund,
            date=DAY,
            memo="fuzz",
            lines=[PostingLine("1002", 100), PostingLine("410109", -99)],
            actor=fz.user(s, "treasurer"),
        )
    )
    assert isinstance(refused, GongzhangError)
    assert "do not balance" in str(refused)
    assert not isinstance(refused, InvalidInputError)


# --- regressions: bugs the fuzzing found, fixed ---------------------------------------------------

CANNOT_KEEP = "cannot be stored or printed"


def test_an_entry_dated_before_1900_is_refused(fz: Fuzz) -> None:
    """``gongzhang post --date 0400-05-01`` was posted as 记-400-0001, which verification then
    reported as "numbered in 400 but dated 0400-05-01", as if the books had been tampered with."""
    fz.refused(
        lambda s: post_entry(
            s,
            book_id=fz.ids.fund,
            date=dt.date(400, 5, 1),
            memo="x",
            lines=[PostingLine("1001", 1), PostingLine("1002", -1)],
            actor=fz.user(s, "treasurer"),
        ),
        InvalidInputError,
        "0400-05-01 is too early",
        "1900-01-01",
    )


def test_a_posting_of_10_to_the_30_fen_is_refused(fz: Fuzz) -> None:
    """Writing the refused amount into the message raised decimal.InvalidOperation (the
    decimal context's 28 digits) instead of refusing it."""
    fz.refused(
        lambda s: post_entry(
            s,
            book_id=fz.ids.fund,
            date=DAY,
            memo="x",
            actor=fz.user(s, "treasurer"),
            lines=[PostingLine("1001", 10**30), PostingLine("1002", -(10**30))],
        ),
        GongzhangError,
        "beyond the largest amount",
    )


@pytest.mark.parametrize("memo", ["fuzz\x08", "\x00", "\udcff", "a\x1bb"])
def test_a_memo_with_a_control_character_or_a_broken_one_is_refused(fz: Fuzz, memo: str) -> None:
    """A surrogate (what a command line makes of bytes it cannot decode) crashed the hash
    with UnicodeEncodeError; a control character was stored and made every Excel journal of
    the book impossible to write (openpyxl refuses such cells)."""
    fz.refused(
        lambda s: post_entry(
            s,
            book_id=fz.ids.fund,
            date=DAY,
            memo=memo,
            lines=[PostingLine("1001", 1), PostingLine("1002", -1)],
            actor=fz.user(s, "treasurer"),
        ),
        InvalidInputError,
        "The memo",
        CANNOT_KEEP,
    )
    fz.refused(
        lambda s: reverse_entry(
            s, entry_id=fz.ids.entry, actor=fz.user(s, "treasurer"), memo="\ud813\ud829"
        ),
        InvalidInputError,
        "U+D813",
    )


def test_an_account_code_with_a_broken_character_is_refused(fz: Fuzz) -> None:
    """Found by the fuzz: a lone surrogate as an account code reached the database's look-up
    of other books' accounts and crashed it with UnicodeEncodeError."""
    fz.refused(
        lambda s: post_entry(
            s,
            book_id=fz.ids.fund,
            date=DAY,
            memo="x",
            lines=[PostingLine("\ud800", 1), PostingLine("1001", -1)],
            actor=fz.user(s, "treasurer"),
        ),
        InvalidInputError,
        "The account code",
        "U+D800",
    )


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("name", "王\x08芳", ("donor or payee", CANNOT_KEEP)),
        ("note", "\x08", ("The note", CANNOT_KEEP)),
        ("contact", "\ud800", ("The contact information", "U+D800")),
        ("contact", "1" * 401, ("401 characters", "400")),
    ],
)
def test_a_donor_with_unkeepable_text_is_refused(
    fz: Fuzz, field: str, value: str, words: tuple[str, ...]
) -> None:
    args = {"kind": "merchant", "name": "老王面馆", "contact": "", "note": ""} | {field: value}
    fz.refused(
        lambda s: add_counterparty(s, **args, actor=fz.user(s, "treasurer")),
        InvalidInputError,
        *words,
    )


def test_a_user_with_unkeepable_text_is_refused(fz: Fuzz) -> None:
    """A surrogate in a password crashed scrypt with UnicodeEncodeError; a control character
    in a display name was stored."""
    fz.refused(
        lambda s: create_user(
            s, username="bob", role="treasurer", password="\udcff" * 8, actor=fz.user(s, "admin")
        ),
        InvalidInputError,
        "The password",
        "U+DCFF",
    )
    fz.refused(
        lambda s: create_user(
            s,
            username="bob",
            role="treasurer",
            display_name="\x07¼",
            password="fuzz-password",
            actor=fz.user(s, "admin"),
        ),
        InvalidInputError,
        "The display name",
        "U+0007",
    )
    fz.refused(
        lambda s: create_user(
            s,
            username="bob",
            role="treasurer",
            display_name="鲍" * 101,
            password="fuzz-password",
            actor=fz.user(s, "admin"),
        ),
        InvalidInputError,
        "101 characters",
    )
    fz.refused(
        lambda s: create_user(
            s,
            username="b\x00b",
            role="treasurer",
            password="fuzz-password",
            actor=fz.user(s, "admin"),
        ),
        InvalidInputError,
        "The user name",
        CANNOT_KEEP,
    )


def test_activity_figures_beyond_what_the_ledger_keeps_are_refused(fz: Fuzz) -> None:
    """``gongzhang activity participants --count 100000000000000000000`` escaped as a raw
    OverflowError from SQLite."""
    fz.refused(
        lambda s: set_participants(
            s, activity_id=fz.ids.activity, participants=10**20, actor=fz.user(s, "treasurer")
        ),
        InvalidInputError,
        "from 0 to 1,000,000",
    )
    fz.refused(
        lambda s: add_activity(
            s,
            book_id=fz.ids.fund,
            name="植树",
            date=DAY,
            budget_fen=10**20,
            actor=fz.user(s, "treasurer"),
        ),
        GongzhangError,
        "beyond the largest amount",
    )
    fz.refused(
        lambda s: add_activity(
            s,
            book_id=fz.ids.fund,
            name="植\x00树",
            date=DAY,
            budget_fen=1,
            actor=fz.user(s, "treasurer"),
        ),
        InvalidInputError,
        "An activity's name",
        CANNOT_KEEP,
    )


def test_property_calls_given_text_for_a_date_are_refused(fz: Fuzz) -> None:
    """``bill_period(date="2024-01-01")`` raised TypeError, ``pay_remuneration`` with one an
    AttributeError."""
    fz.refused(
        lambda s: bill_period(
            s,
            book_id=fz.ids.trust,
            period="2024-02",
            date="2024-02-01",  # type: ignore[arg-type]
            actor=fz.user(s, "treasurer"),
        ),
        InvalidInputError,
        "A date is needed",
    )
    fz.refused(
        lambda s: pay_remuneration(
            s,
            book_id=fz.ids.trust,
            date="2024-05-01",  # type: ignore[arg-type]
            actor=fz.user(s, "treasurer"),
        ),
        InvalidInputError,
        "A date is needed",
    )


def test_units_and_schedules_with_unkeepable_text_are_refused(fz: Fuzz) -> None:
    fz.refused(
        lambda s: add_unit(
            s,
            book_id=fz.ids.trust,
            building="1\x1b",
            room="901",
            area="89.56",
            actor=fz.user(s, "treasurer"),
        ),
        InvalidInputError,
        CANNOT_KEEP,
    )
    fz.refused(
        lambda s: add_unit(
            s,
            book_id=fz.ids.trust,
            building="1",
            room="901",
            area="89.56",
            owner_key="王\x00",
            actor=fz.user(s, "treasurer"),
        ),
        InvalidInputError,
        "The owner key",
        CANNOT_KEEP,
    )
    fz.refused(
        lambda s: set_exit_schedule(
            s,
            book_id=fz.ids.village,
            contract_start=dt.date(2020, 1, 1),
            note="合同\x00",
            actor=fz.user(s, "treasurer"),
        ),
        InvalidInputError,
        "The note",
        CANNOT_KEEP,
    )


def test_village_holdings_and_contract_years_beyond_the_ledger_are_refused(fz: Fuzz) -> None:
    """``gongzhang village household set --shares 100000000000000000000`` and ``schedule set
    --year 9223372036854775808`` escaped as raw OverflowErrors from SQLite; a contract started
    on 9999-12-31 crashed with "year 10000 is out of range"."""
    fz.refused(
        lambda s: set_household_holding(
            s,
            book_id=fz.ids.village,
            household_id=fz.ids.households[0],
            members=10**20,
            actor=fz.user(s, "treasurer"),
        ),
        InvalidInputError,
        "0 or more and at most 1,000,000",
    )
    fz.refused(
        lambda s: set_schedule_year(
            s,
            book_id=fz.ids.village,
            contract_year=2**63,
            investor_bp=5000,
            actor=fz.user(s, "treasurer"),
        ),
        InvalidInputError,
        "there is no year 9223372036854775808",
    )
    fz.refused(
        lambda s: set_exit_schedule(
            s,
            book_id=fz.ids.village,
            contract_start=dt.date(9999, 12, 31),
            actor=fz.user(s, "treasurer"),
        ),
        InvalidInputError,
        "does not fit the calendar",
    )
    fz.refused(
        lambda s: set_exit_schedule(
            s,
            book_id=fz.ids.village,
            contract_start=dt.date(2020, 1, 1),
            rows=[(1.0, 7000)],  # type: ignore[list-item]
            actor=fz.user(s, "treasurer"),
        ),
        InvalidInputError,
        "year 1 is missing",
    )


def test_restricted_purposes_and_unit_households_are_checked_first(fz: Fuzz) -> None:
    """A purpose holding a lone surrogate crashed the activity lookup (UnicodeEncodeError); a
    unit given household 0 was refused by the database itself, as a raw IntegrityError."""
    fz.refused(
        lambda s: record_donation(
            s,
            book_id=fz.ids.fund,
            date=DAY,
            donor_id=fz.ids.donor,
            source="merchant",
            amount_fen=100,
            purpose="\ud800",
            actor=fz.user(s, "treasurer"),
        ),
        InvalidInputError,
        "The purpose",
        "U+D800",
    )
    fz.refused(
        lambda s: add_unit(
            s,
            book_id=fz.ids.trust,
            building="1",
            room="901",
            area="1.00",
            household_id=0,
            actor=fz.user(s, "treasurer"),
        ),
        GongzhangError,
        "no household “0”",
    )


def test_lookups_by_a_broken_name_are_refused(fz: Fuzz) -> None:
    """``--user $'\\xff'`` (a lone surrogate once decoded) crashed the lookup of the acting user,
    a donor or an activity with UnicodeEncodeError instead of "there is no …"."""
    fz.refused(lambda s: get_user(s, "\udcff"), NotFoundError, "no user")
    fz.refused(lambda s: find_counterparty(s, "王\udcff"), NotFoundError, "no donor or payee")
    fz.refused(
        lambda s: find_activity(s, book_id=fz.ids.fund, ref="\udcff"), NotFoundError, "no activity"
    )


# --- known bugs in services this fuzzing may not change: the exact fix is in its report ---------


def test_household_figures_beyond_the_ledger_are_refused(fz: Fuzz) -> None:
    fz.refused(
        lambda s: add_household(s, label="新户", members=10**20, actor=fz.user(s, "treasurer")),
        InvalidInputError,
        "at most",
    )


@pytest.mark.parametrize("label", ["a\udcffb", "a\x00b"])
def test_household_labels_with_unkeepable_text_are_refused(fz: Fuzz, label: str) -> None:
    fz.refused(
        lambda s: add_household(s, label=label, actor=fz.user(s, "treasurer")),
        InvalidInputError,
        CANNOT_KEEP,
    )


def test_a_vote_given_a_datetime_is_refused(fz: Fuzz) -> None:
    fz.refused(
        lambda s: create_vote(
            s,
            book_id=fz.ids.fund,
            kind="residents_meeting",
            title="t",
            opens_on=OPENS,
            closes_on=dt.datetime(2024, 11, 30, 12, 0),
            actor=fz.user(s, "committee"),
        ),
        InvalidInputError,
        "closing date",
    )


def test_a_ballot_dated_by_text_is_refused(fz: Fuzz) -> None:
    fz.refused(
        lambda s: record_ballot(
            s,
            vote_id=fz.ids.residents_vote,
            voter="1栋102",
            actor=fz.user(s, "treasurer"),
            choice="yes",
            cast_on="2024-11-10",  # type: ignore[arg-type]
        ),
        InvalidInputError,
    )


def test_messages_quote_values_shortened(fz: Fuzz) -> None:
    message = fz.refused(
        lambda s: record_ballot(
            s,
            vote_id=fz.ids.residents_vote,
            voter="a" * 5000,
            actor=fz.user(s, "treasurer"),
            choice="yes",
            cast_on=DAY,
        ),
        GongzhangError,
    )
    assert len(message) < 400, len(message)


@pytest.mark.parametrize(
    "extra",
    [
        {"budget_fen": 10**20},
        {"budget_fen": 100, "max_length": 10**20},
        {"budget_fen": 100, "max_points": 10**20, "ballot_type": "cumulative"},
    ],
)
def test_vote_figures_beyond_the_ledger_are_refused(fz: Fuzz, extra: dict[str, Any]) -> None:
    fz.refused(
        lambda s: create_vote(
            s,
            book_id=fz.ids.fund,
            kind="participatory_budget",
            title="t",
            opens_on=OPENS,
            closes_on=CLOSES,
            actor=fz.user(s, "committee"),
            projects=[ProjectSpec("q1", "甲", 1), ProjectSpec("q2", "乙", 1)],
            **extra,
        ),
        InvalidInputError,
    )


def test_a_quorum_of_huge_terms_is_refused(fz: Fuzz) -> None:
    fz.refused(
        lambda s: create_vote(
            s,
            book_id=fz.ids.fund,
            kind="residents_meeting",
            title="t",
            opens_on=OPENS,
            closes_on=CLOSES,
            actor=fz.user(s, "committee"),
            quorum=Fraction(18446744073709551611, 23058430092136878980),
        ),
        InvalidInputError,
    )


@pytest.mark.parametrize(
    "call",
    [
        "title-surrogate",
        "title-control",
        "project-control",
        "proxy-control",
        "reason-surrogate",
    ],
)
def test_vote_text_with_unkeepable_characters_is_refused(fz: Fuzz, call: str) -> None:
    def run(s: Session) -> object:
        committee, treasurer = fz.user(s, "committee"), fz.user(s, "treasurer")
        vote = {"book_id": fz.ids.fund, "opens_on": OPENS, "closes_on": CLOSES, "actor": committee}
        if call.startswith("title"):
            title = "t\udcff" if call.endswith("surrogate") else "t\x00"
            return create_vote(s, kind="residents_meeting", title=title, **vote)
        if call == "project-control":
            return create_vote(
                s,
                kind="participatory_budget",
                title="t",
                budget_fen=100,
                **vote,
                projects=[ProjectSpec("q5", "戊\x00", 1), ProjectSpec("q6", "己", 1)],
            )
        if call == "proxy-control":
            return record_ballot(
                s,
                vote_id=fz.ids.residents_vote,
                voter="1栋102",
                actor=treasurer,
                choice="yes",
                channel="proxy",
                proxy_name="王\x00",
                cast_on=DAY,
            )
        return correct_ballot(
            s,
            vote_id=fz.ids.residents_vote,
            voter="1栋101",
            actor=treasurer,
            choice="no",
            reason="笔误\udcff",
        )

    fz.refused(run, InvalidInputError, CANNOT_KEEP)

"""The community micro-fund: donations and their receipts, activities, expenses under
maker-checker, restricted money, hardship privacy and the points ledger (rules and services)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlmodel import Session, col, func, select

from ledger import signing
from ledger.db import open_ledger
from ledger.demo.microfund import build_microfund_demo
from ledger.domain import BookKind, Role
from ledger.errors import (
    ClosedPeriodError,
    GongzhangError,
    InvalidAmountError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
)
from ledger.models import (
    Account,
    Activity,
    Attachment,
    AuditEvent,
    DonationReceipt,
    Entry,
    Expense,
    ExpenseDecision,
    PointsEntry,
    Posting,
)
from ledger.record import RECORD_ACTIONS
from ledger.rules.microfund import (
    RestrictedUse,
    balance_after_redemption,
    budget_used_bp,
    category_of_label,
    check_amount,
    check_points,
    check_restricted_use,
    donation_account,
    donation_memo,
    expense_account,
    hardship_memo,
    money_account,
    needs_approval,
    parse_receipt_number,
    receipt_number,
    restricted_balance,
)
from ledger.services.balances import trial_balance
from ledger.services.books import close_period, create_book
from ledger.services.counterparties import add_counterparty
from ledger.services.entries import reverse_entry
from ledger.services.households import add_household
from ledger.services.journal import JournalFilter, journal_page
from ledger.services.microfund import (
    activity_summary,
    add_activity,
    approve_expense,
    attach_expense_receipt,
    earn_points,
    expense_view,
    find_receipt,
    list_activities,
    list_expenses,
    list_receipts,
    pending_expenses,
    points_balance,
    points_balances,
    points_history,
    receipt_view,
    record_donation,
    record_expense,
    redeem_points,
    reject_expense,
    restricted_balance_of,
    restricted_balances,
    set_participants,
)
from ledger.services.settings import set_setting
from ledger.services.users import create_user
from ledger.verify import verify_ledger
from tests.conftest import World

D = dt.date


# --- rules (pure) --------------------------------------------------------------------------------


def test_receipt_numbers_read_back() -> None:
    """The fourth receipt of 2024 prints as 捐-2024-0004 and reads back from any common form."""
    assert receipt_number(2024, 4) == "捐-2024-0004"
    assert parse_receipt_number("捐-2024-0004") == (2024, 4)
    assert parse_receipt_number(" 捐2024-4 ") == (2024, 4)
    assert parse_receipt_number("2024-4") == (2024, 4)
    for bad in ("记-2024-0004", "捐-2024", "捐-2024-x", ""):
        with pytest.raises(InvalidInputError, match="not a donation receipt number"):
            parse_receipt_number(bad)


def test_sources_and_categories_map_to_their_accounts() -> None:
    """A merchant's gift is income 410101 爱心商家捐赠; a hardship payment is cost 510104."""
    assert [
        donation_account(s)
        for s in ("merchant", "volunteer", "self_raised", "remuneration_gift", "other")
    ] == ["410101", "410102", "410103", "410104", "410109"]
    assert expense_account("hardship") == "510104"
    assert (money_account("bank"), money_account("cash")) == ("1002", "1001")
    with pytest.raises(InvalidInputError, match="Unknown source of donation “lottery”"):
        donation_account("lottery")
    with pytest.raises(InvalidInputError, match="Unknown spending category “party”"):
        expense_account("party")
    with pytest.raises(InvalidInputError, match="“bank” or “cash”, not “wechat”"):
        money_account("wechat")


def test_categories_are_recognised_by_key_or_name() -> None:
    """环境整治, environment and "Environmental clean-up" all mean the category environment."""
    assert category_of_label("环境整治") == "environment"
    assert category_of_label(" Environment ") == "environment"
    assert category_of_label("environmental clean-up") == "environment"
    assert category_of_label("重阳宴") is None


def test_amounts_must_be_positive_whole_fen() -> None:
    """¥0.01 is the smallest donation; ¥0.00, −¥5.00 and 5.0 (a float) are refused."""
    assert check_amount(1, what="the donation") == 1
    with pytest.raises(InvalidAmountError, match="more than zero; got CN¥0.00"):
        check_amount(0, what="the donation")
    with pytest.raises(InvalidAmountError, match="more than zero; got -CN¥5.00"):
        check_amount(-500, what="the donation")
    with pytest.raises(InvalidAmountError, match="whole number of fen"):
        check_amount(5.0, what="the donation")


def test_memos_name_the_source_the_public_donor_and_the_purpose() -> None:
    """A supermarket's ¥3,000 for the banquet reads 爱心商家捐赠：天马镇好又多超市（限定用途：重阳宴）;
    a hardship payment in January 2024 reads 困难帮扶（2024年1月） and nothing else."""
    assert donation_memo("merchant", "天马镇好又多超市", "重阳宴") == (
        "爱心商家捐赠：天马镇好又多超市（限定用途：重阳宴）"
    )
    assert donation_memo("volunteer", "志愿者服务队", "environment") == (
        "志愿者募集：志愿者服务队（限定用途：环境整治）"
    )
    assert len(donation_memo("other", "名" * 300, None)) == 200
    assert hardship_memo(D(2024, 1, 20)) == "困难帮扶（2024年1月）"


def test_restricted_balance_of_the_double_ninth_banquet() -> None:
    """重阳宴 money: merchants 3,000.00 + 2,000.00 + 1,500.00, volunteers 1,860.00, self-raised
    2,500.00 = 10,860.00; spent food 8,600.00 + stage 800.00 + cooks 900.00 = 10,300.00;
    left 10,860.00 − 10,300.00 = 560.00."""
    assert (
        restricted_balance([300_000, 200_000, 150_000, 186_000, 250_000], [860_000, 80_000, 90_000])
        == 56_000
    )


def test_restricted_money_pays_only_its_purpose() -> None:
    """560.00 left for 重阳宴: 560.00 for the banquet passes, 560.01 does not; 重阳宴 money cannot
    pay the kite festival; 环境整治 money cannot pay a community activity."""
    banquet = RestrictedUse("重阳宴", "activity", "重阳宴", 56_000, 56_000)
    check_restricted_use(banquet)
    with pytest.raises(InvalidInputError, match=r"Only CN¥560.00 .* “重阳宴” is available"):
        check_restricted_use(RestrictedUse("重阳宴", "activity", "重阳宴", 56_001, 56_000))
    with pytest.raises(InvalidInputError, match="not of the activity “亲子风筝节”"):
        check_restricted_use(RestrictedUse("重阳宴", "activity", "亲子风筝节", 100, 56_000))
    with pytest.raises(InvalidInputError, match="not of spending outside any activity"):
        check_restricted_use(RestrictedUse("重阳宴", "other", None, 100, 56_000))
    with pytest.raises(
        InvalidInputError,
        match="restricted to “Environmental clean-up” can only pay expenses of that category",
    ):
        check_restricted_use(RestrictedUse("environment", "activity", None, 100, 25_500))
    check_restricted_use(
        RestrictedUse("environment", "environment", "春季环境卫生整治", 100, 25_500)
    )


def test_approval_threshold_is_inclusive() -> None:
    """With the default threshold ¥1,000.00: ¥999.99 is posted at once, ¥1,000.00 waits; two
    approvals of two complete it, one does not."""
    from ledger.rules.microfund import approvals_complete

    assert not needs_approval(99_999, 100_000)
    assert needs_approval(100_000, 100_000)
    assert needs_approval(0 + 1, 0)  # a threshold of 0: every expense waits
    assert not approvals_complete(1, 2)
    assert approvals_complete(2, 2)


def test_points_never_go_below_zero() -> None:
    """30 points earned, 20 redeemed: 10 left; redeeming 11 of 10 is refused."""
    assert balance_after_redemption(30, 20) == 10
    assert balance_after_redemption(10, 10) == 0
    with pytest.raises(InvalidInputError, match="only 10 points and cannot redeem 11"):
        balance_after_redemption(10, 11)
    assert check_points(5) == 5
    for bad in (0, -3, 2.5, True, 10**7):
        with pytest.raises(InvalidInputError, match="Points are a whole number"):
            check_points(bad)


def test_budget_used_is_rounded_down_in_basis_points() -> None:
    """重阳宴: 10,300.00 of 11,000.00 = 93.636…% → 9363 bp (93.63%); a zero budget has none."""
    assert budget_used_bp(1_100_000, 1_030_000) == 9363
    assert budget_used_bp(120_000, 87_850) == 7320  # 878.50 / 1,200.00 = 73.208…%
    assert budget_used_bp(0, 500) is None


# --- helpers for the services ---------------------------------------------------------------------


def snapshot(world: World) -> tuple[int, ...]:
    """How many rows the tables a micro-fund writes hold: a refusal must change none."""
    tables = (
        Entry,
        Posting,
        AuditEvent,
        DonationReceipt,
        Expense,
        ExpenseDecision,
        PointsEntry,
        Activity,
        Attachment,
    )
    with world.ledger.read() as s:
        return tuple(s.exec(select(func.count()).select_from(t)).one() for t in tables)


def refused(
    world: World,
    action: Callable[[Session], object],
    error: type[GongzhangError],
    words: str,
) -> None:
    """``action`` is refused with ``error`` naming ``words``, and nothing is written."""
    before = snapshot(world)
    with pytest.raises(error, match=words):
        with world.ledger.write() as s:
            action(s)
    assert snapshot(world) == before


def new_donor(world: World, name: str = "天马镇好又多超市", kind: str = "merchant") -> int:
    with world.ledger.write() as s:
        return add_counterparty(s, kind=kind, name=name, actor=world.user(s, "treasurer")).id or 0


def new_activity(world: World, name: str = "重阳宴", budget: int = 1_100_000) -> int:
    with world.ledger.write() as s:
        return (
            add_activity(
                s,
                book_id=world.fund_id,
                name=name,
                date=D(2024, 10, 20),
                budget_fen=budget,
                actor=world.user(s, "treasurer"),
            ).id
            or 0
        )


def donate(
    world: World,
    donor: int,
    amount: int,
    *,
    source: str = "merchant",
    purpose: str | None = None,
    date: dt.date = D(2024, 9, 10),
    into: str = "bank",
) -> str:
    with world.ledger.write() as s:
        receipt = record_donation(
            s,
            book_id=world.fund_id,
            date=date,
            donor_id=donor,
            source=source,
            amount_fen=amount,
            actor=world.user(s, "treasurer"),
            purpose=purpose,
            pay_into=into,
        )
        return receipt_number(receipt.year, receipt.seq)


def fund(world: World, amount: int = 1_000_000, *, into: str = "bank") -> None:
    """Give the fund ``amount`` of unrestricted money in its bank or cash account, so the
    expenses a test records have money to pay them (a fund cannot spend what it never got)."""
    with world.ledger.write() as s:
        treasurer = world.user(s, "treasurer")
        donors = add_counterparty(s, kind="resident", name="碧鸡桥居民", actor=treasurer).id
        record_donation(
            s,
            book_id=world.fund_id,
            date=D(2024, 9, 1),
            donor_id=donors or 0,
            source="self_raised",
            amount_fen=amount,
            actor=treasurer,
            pay_into=into,
        )


def spend(
    world: World,
    amount: int,
    *,
    category: str = "activity",
    memo: str | None = "重阳宴：食材",
    who: str = "treasurer",
    **kw: object,
) -> int:
    with world.ledger.write() as s:
        return (
            record_expense(
                s,
                book_id=world.fund_id,
                date=kw.pop("date", D(2024, 10, 18)),
                category=category,
                amount_fen=amount,
                actor=world.user(s, who),
                memo=memo,
                **kw,
            ).id
            or 0
        )


def approve(world: World, expense_id: int, who: str) -> str:
    with world.ledger.write() as s:
        return approve_expense(s, expense_id=expense_id, actor=world.user(s, who)).status


def postings_of(world: World, entry_id: int) -> list[tuple[str, int, int | None]]:
    with world.ledger.read() as s:
        rows = s.exec(
            select(Account.code, Posting.amount_fen, Posting.counterparty_id)
            .join(Account, col(Account.id) == col(Posting.account_id))
            .where(col(Posting.entry_id) == entry_id)
            .order_by(col(Posting.line_no))
        ).all()
        return [(c, a, cp) for c, a, cp in rows]


# --- donations and receipts ----------------------------------------------------------------------


def test_a_donation_is_posted_with_the_donor_and_gets_a_receipt(world: World) -> None:
    merchant = new_donor(world)
    person = new_donor(world, "王淑芬", "resident")
    new_activity(world)
    assert donate(world, merchant, 300_000, purpose="重阳宴") == "捐-2024-0001"
    assert donate(world, person, 50_000, source="other", into="cash") == "捐-2024-0002"
    with world.ledger.read() as s:
        view = find_receipt(s, book_id=world.fund_id, number="捐-2024-0001")
        other = receipt_view(s, receipt_id=2)
    assert postings_of(world, view.entry_id) == [
        ("1002", 300_000, None),
        ("410101", -300_000, merchant),
    ]
    assert postings_of(world, other.entry_id) == [
        ("1001", 50_000, None),
        ("410109", -50_000, person),
    ]
    assert (view.number, view.voucher_number, view.date) == (
        "捐-2024-0001",
        "记-2024-0001",
        D(2024, 9, 10),
    )
    assert (view.donor_name, view.amount_fen, view.amount_capital) == (
        "天马镇好又多超市",
        300_000,
        "人民币叁仟元整",
    )
    assert (view.source, view.source_label, view.restricted, view.purpose_label) == (
        "merchant",
        "Donations from local businesses",
        True,
        "重阳宴",
    )
    # A person is masked on the receipt and in the entry's memo; the contact never appears.
    assert other.donor_name == "王*芬"
    assert (other.restricted, other.purpose_label) == (False, "unrestricted")
    with world.ledger.read() as s:
        entry = s.get(Entry, other.entry_id)
        assert entry is not None
        assert entry.memo == "其他捐赠：王*芬"


def test_receipt_numbers_are_gapless_per_book_and_year_even_after_a_refusal(
    world: World,
) -> None:
    donor = new_donor(world)
    assert donate(world, donor, 100) == "捐-2024-0001"

    def donation_then_failure() -> None:
        with world.ledger.write() as s:
            record_donation(
                s,
                book_id=world.fund_id,
                date=D(2024, 9, 11),
                donor_id=donor,
                source="merchant",
                amount_fen=200,
                actor=world.user(s, "treasurer"),
            )
            raise InvalidInputError("something later in the same unit of work")

    # A unit of work that fails after the donation was recorded rolls the receipt back too.
    before = snapshot(world)
    with pytest.raises(InvalidInputError, match="something later in the same unit of work"):
        donation_then_failure()
    assert snapshot(world) == before
    refused(
        world,
        lambda s: record_donation(
            s,
            book_id=world.fund_id,
            date=D(2024, 9, 12),
            donor_id=donor,
            source="merchant",
            amount_fen=0,
            actor=world.user(s, "treasurer"),
        ),
        InvalidAmountError,
        "more than zero",
    )
    assert donate(world, donor, 300, date=D(2024, 9, 13)) == "捐-2024-0002"
    assert donate(world, donor, 400, date=D(2025, 1, 2)) == "捐-2025-0001"
    assert donate(world, donor, 500, date=D(2024, 12, 31)) == "捐-2024-0003"
    with world.ledger.read() as s:
        assert [r.number for r in list_receipts(s, book_id=world.fund_id)] == [
            "捐-2024-0001",
            "捐-2024-0002",
            "捐-2024-0003",
            "捐-2025-0001",
        ]
        assert [r.number for r in list_receipts(s, book_id=world.fund_id, year=2025)] == [
            "捐-2025-0001"
        ]


@pytest.mark.parametrize(
    ("change", "error", "words"),
    [
        ({"book": "trust"}, InvalidInputError, "belong to a community micro-fund book"),
        ({"book": "village"}, InvalidInputError, "“全兴村” is a book of the kind"),
        ({"donor_id": 999}, NotFoundError, "There is no donor number 999"),
        ({"amount_fen": 0}, InvalidAmountError, "must be more than zero"),
        ({"amount_fen": -30_000}, InvalidAmountError, "must be more than zero"),
        ({"source": "lottery"}, InvalidInputError, "Unknown source of donation “lottery”"),
        ({"purpose": "端午节"}, InvalidInputError, "“端午节” is neither an activity"),
        ({"purpose": "  "}, InvalidInputError, "cannot be blank"),
        ({"pay_into": "wechat"}, InvalidInputError, "not “wechat”"),
        ({"who": "auditor"}, PermissionDeniedError, "may not record entries"),
        ({"who": "reviewer"}, PermissionDeniedError, "may not record entries"),
        ({"date": D(2024, 1, 31)}, ClosedPeriodError, "closed period"),
    ],
)
def test_bad_donations_are_refused_and_change_nothing(
    world: World, change: dict[str, object], error: type[GongzhangError], words: str
) -> None:
    donor = new_donor(world)
    with world.ledger.write() as s:
        close_period(s, book_id=world.fund_id, through=D(2024, 1, 31), actor=world.user(s, "admin"))
    books = {"fund": world.fund_id, "trust": world.trust_id, "village": world.village_id}
    args: dict[str, object] = {
        "date": D(2024, 9, 10),
        "donor_id": donor,
        "source": "merchant",
        "amount_fen": 10_000,
        "purpose": None,
        "pay_into": "bank",
    }
    args.update({k: v for k, v in change.items() if k not in ("book", "who")})
    book = books[str(change.get("book", "fund"))]
    who = str(change.get("who", "treasurer"))
    refused(
        world,
        lambda s: record_donation(s, book_id=book, actor=world.user(s, who), **args),
        error,
        words,
    )


def test_a_reversed_donation_no_longer_counts_as_restricted_money(world: World) -> None:
    donor = new_donor(world)
    new_activity(world)
    donate(world, donor, 300_000, purpose="重阳宴")
    donate(world, donor, 100_000, purpose="重阳宴", date=D(2024, 9, 11))
    with world.ledger.write() as s:
        entry_id = find_receipt(s, book_id=world.fund_id, number="捐-2024-0002").entry_id
        reverse_entry(s, entry_id=entry_id, actor=world.user(s, "treasurer"), date=D(2024, 9, 12))
    with world.ledger.read() as s:
        assert (
            restricted_balance_of(s, book_id=world.fund_id, purpose="重阳宴").balance_fen == 300_000
        )
        assert find_receipt(s, book_id=world.fund_id, number="捐-2024-0002").reversed_by == (
            "记-2024-0003"
        )


# --- activities ----------------------------------------------------------------------------------


def test_activities_show_budget_actual_remaining_and_participants(world: World) -> None:
    donor = new_donor(world)
    banquet = new_activity(world)
    kites = new_activity(world, "亲子风筝节", 120_000)
    donate(world, donor, 1_086_000, purpose="重阳宴")
    donate(world, donor, 100_000, into="cash", date=D(2024, 9, 11))
    donate(world, donor, 100_000, date=D(2024, 9, 12))
    spend(world, 80_000, purpose="重阳宴", memo="重阳宴：舞台音响")
    spend(world, 90_000, activity_id=banquet, memo="重阳宴：厨师", pay_from="cash")
    pending = spend(world, 860_000, purpose="重阳宴", memo="重阳宴：食材")
    spend(world, 87_850, activity_id=kites, memo="风筝")
    with world.ledger.write() as s:
        set_participants(s, activity_id=banquet, participants=612, actor=world.user(s, "treasurer"))
    with world.ledger.read() as s:
        summary = activity_summary(s, activity_id=banquet)
    # Posted: 800.00 + 900.00 = 1,700.00 of 11,000.00 (15.45%); the 8,600.00 food waits.
    assert (summary.budget_fen, summary.actual_fen, summary.remaining_fen) == (
        1_100_000,
        170_000,
        930_000,
    )
    assert (summary.used_bp, summary.pending_fen, summary.participants) == (1545, 860_000, 612)
    assert (summary.restricted_donations_fen, summary.restricted_left_fen) == (1_086_000, 1_006_000)
    approve(world, pending, "reviewer")
    approve(world, pending, "committee")
    with world.ledger.read() as s:
        summaries = {a.name: a for a in list_activities(s, book_id=world.fund_id)}
    assert summaries["重阳宴"].actual_fen == 1_030_000
    # 10,860.00 restricted − 8,600.00 − 800.00 paid from it (the cooks were paid unrestricted)
    assert summaries["重阳宴"].restricted_left_fen == 146_000
    assert (summaries["亲子风筝节"].actual_fen, summaries["亲子风筝节"].used_bp) == (87_850, 7320)


@pytest.mark.parametrize(
    ("change", "error", "words"),
    [
        ({"name": "重阳宴"}, InvalidInputError, "already an activity “重阳宴”"),
        ({"name": "  "}, InvalidInputError, "name cannot be blank"),
        ({"name": "环境整治"}, InvalidInputError, "is the name of a spending category"),
        ({"budget_fen": -1}, InvalidInputError, "budget is an amount of zero or more"),
        ({"participants": -5}, InvalidInputError, "participants is a whole number"),
        ({"book_id": "trust"}, InvalidInputError, "belong to a community micro-fund book"),
    ],
)
def test_bad_activities_are_refused(
    world: World, change: dict[str, object], error: type[GongzhangError], words: str
) -> None:
    new_activity(world)
    args: dict[str, object] = {
        "book_id": world.fund_id,
        "name": "亲子风筝节",
        "date": D(2024, 3, 16),
        "budget_fen": 120_000,
        "participants": 0,
    }
    args.update(change)
    if args["book_id"] == "trust":
        args["book_id"] = world.trust_id
    refused(
        world,
        lambda s: add_activity(s, actor=world.user(s, "treasurer"), **args),
        error,
        words,
    )


# --- expenses and maker-checker ------------------------------------------------------------------


def test_small_expenses_are_posted_at_once(world: World) -> None:
    payee = new_donor(world, "都江堰市乐声舞台音响租赁部", "payee")
    fund(world)
    expense_id = spend(world, 99_999, payee_id=payee, memo="重阳宴：舞台音响租赁")
    with world.ledger.read() as s:
        expense = s.get(Expense, expense_id)
        assert expense is not None
        assert (expense.status, expense.approvals_required) == ("posted", 0)
        assert expense.entry_id is not None
        entry = s.get(Entry, expense.entry_id)
        assert entry is not None
        assert (entry.memo, entry.approved_by_id) == ("重阳宴：舞台音响租赁", None)
        entry_id = entry.id or 0
    assert postings_of(world, entry_id) == [
        ("510101", 99_999, payee),
        ("1002", -99_999, None),
    ]


def test_large_expenses_wait_for_two_approvers_other_than_the_recorder(world: World) -> None:
    fund(world, into="cash")
    with world.ledger.read() as s:
        entries = s.exec(select(func.count()).select_from(Entry)).one()
    expense_id = spend(world, 100_000, pay_from="cash")
    with world.ledger.read() as s:
        assert [e.id for e in pending_expenses(s, book_id=world.fund_id)] == [expense_id]
        assert s.exec(select(func.count()).select_from(Entry)).one() == entries
    assert approve(world, expense_id, "reviewer") == "pending"
    with world.ledger.read() as s:
        view = expense_view(s, expense_id=expense_id)
        assert (view.status, view.approved_by, view.approvals_required) == (
            "pending",
            ("reviewer",),
            2,
        )
        assert s.exec(select(func.count()).select_from(Entry)).one() == entries
    assert approve(world, expense_id, "committee") == "posted"
    with world.ledger.read() as s:
        expense = s.get(Expense, expense_id)
        assert expense is not None
        assert expense.entry_id is not None
        entry = s.get(Entry, expense.entry_id)
        assert entry is not None
        committee = world.user(s, "committee")
        treasurer = world.user(s, "treasurer")
        assert (entry.recorded_by_id, entry.approved_by_id) == (treasurer.id, committee.id)
        assert pending_expenses(s, book_id=world.fund_id) == []
        # 记-2024-0001 is the donation that funded the cash account.
        assert [e.voucher_number for e in list_expenses(s, book_id=world.fund_id)] == [
            "记-2024-0002"
        ]
        actions = s.exec(
            select(AuditEvent.action)
            .where(col(AuditEvent.action).not_in(RECORD_ACTIONS))  # the record's own events
            .order_by(col(AuditEvent.seq))
        ).all()
        assert actions[-4:] == [
            "expense.recorded",
            "expense.approved",
            "entry.posted",
            "expense.approved",
        ]
        decisions = s.exec(select(ExpenseDecision.approve)).all()
        assert decisions == [True, True]
        entry_id = entry.id or 0
    assert postings_of(world, entry_id) == [
        ("510101", 100_000, None),
        ("1001", -100_000, None),
    ]


def test_settings_change_the_threshold_and_the_number_of_approvers(world: World) -> None:
    with world.ledger.write() as s:
        admin = world.user(s, "admin")
        set_setting(
            s, book_id=world.fund_id, key="approval_threshold_fen", value=50_000, actor=admin
        )
        set_setting(s, book_id=world.fund_id, key="approvals_required", value=1, actor=admin)
    fund(world)
    posted = spend(world, 49_999)
    waiting = spend(world, 50_000)
    with world.ledger.read() as s:
        assert expense_view(s, expense_id=posted).status == "posted"
        assert expense_view(s, expense_id=waiting).approvals_required == 1
    assert approve(world, waiting, "reviewer") == "posted"
    # The number of approvers is fixed when an expense is recorded.
    third = spend(world, 60_000)
    with world.ledger.write() as s:
        set_setting(
            s,
            book_id=world.fund_id,
            key="approvals_required",
            value=3,
            actor=world.user(s, "admin"),
        )
    assert approve(world, third, "committee") == "posted"


def test_approving_your_own_expense_is_refused(world: World) -> None:
    expense_id = spend(world, 200_000, who="admin")
    refused(
        world,
        lambda s: approve_expense(s, expense_id=expense_id, actor=world.user(s, "admin")),
        PermissionDeniedError,
        "admin recorded expense 1 and cannot also approve or reject it",
    )
    refused(
        world,
        lambda s: reject_expense(
            s, expense_id=expense_id, actor=world.user(s, "admin"), reason="不需要"
        ),
        PermissionDeniedError,
        "cannot also approve or reject it",
    )


def test_approving_twice_is_refused(world: World) -> None:
    expense_id = spend(world, 200_000)
    approve(world, expense_id, "reviewer")
    refused(
        world,
        lambda s: approve_expense(s, expense_id=expense_id, actor=world.user(s, "reviewer")),
        PermissionDeniedError,
        r"reviewer has already approved expense 1; it needs 1 more approval\(s\) from other",
    )


def test_only_approvers_decide(world: World) -> None:
    expense_id = spend(world, 200_000)
    for who in ("treasurer2", "auditor"):
        refused(
            world,
            lambda s, who=who: approve_expense(s, expense_id=expense_id, actor=world.user(s, who)),
            PermissionDeniedError,
            "may not approve entries",
        )
    refused(
        world,
        lambda s: approve_expense(s, expense_id=999, actor=world.user(s, "reviewer")),
        NotFoundError,
        "There is no expense number 999",
    )


def test_rejection_needs_a_reason_and_ends_the_expense(world: World) -> None:
    expense_id = spend(world, 120_000, memo="重阳宴：横幅")
    for reason in ("", "   \n"):
        refused(
            world,
            lambda s, reason=reason: reject_expense(
                s, expense_id=expense_id, actor=world.user(s, "reviewer"), reason=reason
            ),
            InvalidInputError,
            "A rejection needs a reason",
        )
    approve(world, expense_id, "committee")
    with world.ledger.write() as s:
        reject_expense(
            s, expense_id=expense_id, actor=world.user(s, "reviewer"), reason="  与舞台费重复 "
        )
    with world.ledger.read() as s:
        view = expense_view(s, expense_id=expense_id)
        assert (view.status, view.rejected_by, view.reason) == (
            "rejected",
            "reviewer",
            "与舞台费重复",
        )
        assert s.exec(select(func.count()).select_from(Entry)).one() == 0
    refused(
        world,
        lambda s: approve_expense(s, expense_id=expense_id, actor=world.user(s, "admin")),
        InvalidInputError,
        "Expense 1 was rejected; it cannot be decided again",
    )


def test_a_posted_expense_cannot_be_decided_again(world: World) -> None:
    fund(world)
    expense_id = spend(world, 120_000)
    approve(world, expense_id, "reviewer")
    approve(world, expense_id, "committee")
    refused(
        world,
        lambda s: reject_expense(
            s, expense_id=expense_id, actor=world.user(s, "admin"), reason="太贵"
        ),
        InvalidInputError,
        "already approved and posted; it cannot be decided again",
    )


@pytest.mark.parametrize(
    ("change", "error", "words"),
    [
        ({"amount": 0}, InvalidAmountError, "must be more than zero"),
        ({"amount": -100}, InvalidAmountError, "must be more than zero"),
        ({"category": "party"}, InvalidInputError, "Unknown spending category “party”"),
        ({"memo": " "}, InvalidInputError, "The memo cannot be blank"),
        ({"pay_from": "alipay"}, InvalidInputError, "not “alipay”"),
        ({"payee_id": 999}, NotFoundError, "no payee number 999"),
        ({"activity_id": 999}, NotFoundError, "no activity number 999"),
        ({"who": "reviewer"}, PermissionDeniedError, "may not record entries"),
        ({"date": D(2024, 1, 15)}, ClosedPeriodError, "closed through 2024-01-31"),
    ],
)
def test_bad_expenses_are_refused_and_change_nothing(
    world: World, change: dict[str, object], error: type[GongzhangError], words: str
) -> None:
    with world.ledger.write() as s:
        close_period(s, book_id=world.fund_id, through=D(2024, 1, 31), actor=world.user(s, "admin"))
    args: dict[str, object] = {"date": D(2024, 10, 18), "category": "activity", "memo": "食材"}
    amount = int(change.pop("amount", 200_000))
    who = str(change.pop("who", "treasurer"))
    args.update(change)
    refused(
        world,
        lambda s: record_expense(
            s, book_id=world.fund_id, amount_fen=amount, actor=world.user(s, who), **args
        ),
        error,
        words,
    )


def test_expenses_of_another_kind_of_book_are_refused(world: World) -> None:
    refused(
        world,
        lambda s: record_expense(
            s,
            book_id=world.trust_id,
            date=D(2024, 10, 18),
            category="activity",
            amount_fen=100,
            actor=world.user(s, "treasurer"),
            memo="x",
        ),
        InvalidInputError,
        "“金河绿洲物业” is a book of the kind",
    )


def test_receipts_are_attached_to_posted_expenses_only(world: World) -> None:
    fund(world)
    small = spend(world, 50_000)
    large = spend(world, 150_000)
    with world.ledger.write() as s:
        attachment = attach_expense_receipt(
            s, expense_id=small, filename="发票.jpg", data=b"jpeg", actor=world.user(s, "treasurer")
        )
        assert attachment.sha256
    refused(
        world,
        lambda s: attach_expense_receipt(
            s, expense_id=large, filename="发票.jpg", data=b"jpeg", actor=world.user(s, "treasurer")
        ),
        InvalidInputError,
        "Expense 2 is pending, not posted",
    )


# --- restricted money ----------------------------------------------------------------------------


def test_restricted_money_cannot_be_spent_elsewhere(world: World) -> None:
    donor = new_donor(world)
    new_activity(world)
    kites = new_activity(world, "亲子风筝节", 120_000)
    donate(world, donor, 300_000, purpose="重阳宴")
    donate(world, donor, 50_000, purpose="环境整治", source="volunteer")

    def pay(**kw: object) -> Callable[[Session], object]:
        args: dict[str, object] = {
            "date": D(2024, 10, 18),
            "category": "activity",
            "memo": "购物",
            "amount_fen": 10_000,
        }
        args.update(kw)
        return lambda s: record_expense(
            s, book_id=world.fund_id, actor=world.user(s, "treasurer"), **args
        )

    refused(
        world,
        pay(purpose="重阳宴", activity_id=kites),
        InvalidInputError,
        "restricted to the activity “重阳宴” can only pay expenses of that activity",
    )
    refused(
        world,
        pay(purpose="environment"),
        InvalidInputError,
        "restricted to “Environmental clean-up” can only pay expenses of that category",
    )
    refused(
        world,
        pay(purpose="环境整治", category="environment", amount_fen=50_001),
        InvalidInputError,
        r"Only CN¥500.00 of the money restricted",
    )
    refused(world, pay(purpose="重阳宴", amount_fen=300_001), InvalidInputError, "Only CN¥3,000.00")
    refused(
        world,
        pay(purpose="hardship", category="hardship", memo=None, private_note="张家"),
        InvalidInputError,
        "Only CN¥0.00",
    )
    # Without an activity, money restricted to one is spent on that activity.
    with world.ledger.write() as s:
        expense = pay(purpose="重阳宴", amount_fen=200_000)(s)
        assert isinstance(expense, Expense)
        expense_id = expense.id or 0
    with world.ledger.read() as s:
        assert expense_view(s, expense_id=expense_id).activity == "重阳宴"
        balance = restricted_balance_of(s, book_id=world.fund_id, purpose="重阳宴")
        assert (balance.donated_fen, balance.spent_fen, balance.pending_fen) == (
            300_000,
            0,
            200_000,
        )
        assert balance.available_fen == 100_000
    # What waits for approval is not available to a second expense...
    refused(world, pay(purpose="重阳宴", amount_fen=100_001), InvalidInputError, "Only CN¥1,000.00")
    approve(world, expense_id, "reviewer")
    approve(world, expense_id, "committee")
    spend(world, 100_000 - 1, purpose="重阳宴", memo="余款")
    with world.ledger.read() as s:
        left = {b.purpose: b.balance_fen for b in restricted_balances(s, book_id=world.fund_id)}
    assert left == {"environment": 50_000, "重阳宴": 1}


def test_a_pending_expense_is_checked_again_when_posted(world: World) -> None:
    donor = new_donor(world)
    new_activity(world)
    donate(world, donor, 300_000, purpose="重阳宴")
    expense_id = spend(world, 300_000, purpose="重阳宴")
    # The donation is reversed while the expense waits: its money is gone.
    with world.ledger.write() as s:
        entry_id = find_receipt(s, book_id=world.fund_id, number="捐-2024-0001").entry_id
        reverse_entry(s, entry_id=entry_id, actor=world.user(s, "treasurer"), date=D(2024, 9, 20))
    approve(world, expense_id, "reviewer")
    refused(
        world,
        lambda s: approve_expense(s, expense_id=expense_id, actor=world.user(s, "committee")),
        InvalidInputError,
        "Only CN¥0.00 of the money restricted to “重阳宴” is available",
    )


# --- money on hand -------------------------------------------------------------------------------


def test_an_expense_larger_than_the_cash_box_is_refused(world: World) -> None:
    """The cash box holds 300.00 (the bank 5,000.00): 300.01 from cash is refused, naming the
    account and what it holds, and nothing is written."""
    fund(world, 30_000, into="cash")
    fund(world, 500_000)
    refused(
        world,
        lambda s: record_expense(
            s,
            book_id=world.fund_id,
            date=D(2024, 10, 18),
            category="activity",
            amount_fen=30_001,
            actor=world.user(s, "treasurer"),
            memo="重阳宴：食材",
            pay_from="cash",
        ),
        InvalidInputError,
        r"The Cash account holds CN¥300.00; it cannot pay CN¥300.01",
    )


def test_unrestricted_spending_cannot_use_restricted_money(world: World) -> None:
    """The bank holds 3,000.00 for the banquet and 200.00 unrestricted: 200.01 of unrestricted
    spending is refused; the same 200.01 paid from the banquet's money is accepted."""
    donor = new_donor(world)
    new_activity(world)
    donate(world, donor, 300_000, purpose="重阳宴")
    donate(world, donor, 20_000, date=D(2024, 9, 11))
    refused(
        world,
        lambda s: record_expense(
            s,
            book_id=world.fund_id,
            date=D(2024, 10, 18),
            category="activity",
            amount_fen=20_001,
            actor=world.user(s, "treasurer"),
            memo="办公用品",
        ),
        InvalidInputError,
        r"Only CN¥200.00 of the fund's money is unrestricted; the rest \(CN¥3,000.00\)",
    )
    expense_id = spend(world, 20_001, purpose="重阳宴", memo="重阳宴：食材")
    with world.ledger.read() as s:
        assert expense_view(s, expense_id=expense_id).status == "posted"
        left = restricted_balance_of(s, book_id=world.fund_id, purpose="重阳宴")
    assert left.balance_fen == 300_000 - 20_001


def test_an_expense_of_the_whole_balance_is_accepted(world: World) -> None:
    """Paying exactly what the cash box holds empties it; it is not an overdraft."""
    fund(world, 50_000, into="cash")
    expense_id = spend(world, 50_000, pay_from="cash", memo="重阳宴：食材")
    with world.ledger.read() as s:
        assert expense_view(s, expense_id=expense_id).status == "posted"
        balances = {a.code: a.balance_fen for a in trial_balance(s, book_id=world.fund_id).accounts}
    assert balances["1001"] == 0


# --- hardship privacy ----------------------------------------------------------------------------


def test_a_hardship_payment_never_names_the_family(world: World) -> None:
    donor = new_donor(world, "王淑芬", "resident")
    donate(world, donor, 50_000, purpose="hardship", source="other", into="cash")
    expense_id = spend(
        world,
        50_000,
        category="hardship",
        memo=None,
        pay_from="cash",
        purpose="困难帮扶",
        private_note="3组 李秀英家，因病致贫",
        date=D(2024, 1, 20),
    )
    with world.ledger.read() as s:
        expense = s.get(Expense, expense_id)
        assert expense is not None
        assert expense.private_note == "3组 李秀英家，因病致贫"
        assert expense.memo == "困难帮扶（2024年1月）"
        rows = journal_page(s, book_id=world.fund_id, filters=JournalFilter(), limit=100).rows
        audit = " ".join(s.exec(select(AuditEvent.detail)).all())
        view = expense_view(s, expense_id=expense_id)
    assert all("李秀英" not in r.memo for r in rows)
    assert "李秀英" not in audit
    assert "李秀英" not in repr(view)
    assert view.payee == ""


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"memo": "李秀英家慰问金"}, "memo is written by the ledger"),
        ({"payee": True}, "cannot name a payee"),
        ({"private_note": "  "}, "The private note cannot be blank"),
    ],
)
def test_a_hardship_payment_that_could_name_the_family_is_refused(
    world: World, change: dict[str, object], words: str
) -> None:
    family = new_donor(world, "李秀英", "resident")
    args: dict[str, object] = {"memo": None, "private_note": "3组 李秀英家"}
    if change.pop("payee", False):
        args["payee_id"] = family
    args.update(change)
    refused(
        world,
        lambda s: record_expense(
            s,
            book_id=world.fund_id,
            date=D(2024, 1, 20),
            category="hardship",
            amount_fen=50_000,
            actor=world.user(s, "treasurer"),
            **args,
        ),
        InvalidInputError,
        words,
    )


# --- points --------------------------------------------------------------------------------------


def test_points_are_earned_redeemed_and_never_go_below_zero(world: World) -> None:
    with world.ledger.write() as s:
        treasurer = world.user(s, "treasurer")
        home = add_household(s, label="3组12号", actor=treasurer).id or 0
        other = add_household(s, label="2组5号", actor=treasurer).id or 0
        for points, reason in ((15, "环境整治志愿服务"), (20, "重阳宴帮厨")):
            earn_points(
                s,
                book_id=world.fund_id,
                household_id=home,
                date=D(2024, 10, 20),
                points=points,
                reason=reason,
                actor=treasurer,
            )
        earn_points(
            s,
            book_id=world.fund_id,
            household_id=other,
            date=D(2024, 4, 20),
            points=5,
            reason="清扫楼道",
            actor=treasurer,
        )
    fund(world)
    goods = spend(world, 42_000, category="points_redemption", memo="积分兑换物品：大米")
    other_expense = spend(world, 1_000, memo="风筝")
    with world.ledger.write() as s:
        redeem_points(
            s,
            book_id=world.fund_id,
            household_id=home,
            date=D(2024, 11, 1),
            points=30,
            reason="大米一袋",
            actor=world.user(s, "treasurer"),
            expense_id=goods,
        )

    def redeem(points: int, expense_id: int | None = None) -> Callable[[Session], object]:
        return lambda s: redeem_points(
            s,
            book_id=world.fund_id,
            household_id=home,
            date=D(2024, 11, 2),
            points=points,
            reason="洗衣液",
            actor=world.user(s, "treasurer"),
            expense_id=expense_id,
        )

    refused(
        world,
        redeem(6),
        InvalidInputError,
        "3组12号 has only 5 points and cannot redeem 6; a redemption never takes a balance",
    )
    refused(world, redeem(0), InvalidInputError, "Points are a whole number from 1")
    refused(world, redeem(-5), InvalidInputError, "Points are a whole number from 1")
    refused(world, redeem(1, other_expense), InvalidInputError, "not a points-redemption purchase")
    refused(world, redeem(1, 999), NotFoundError, "no expense number 999")
    refused(
        world,
        lambda s: earn_points(
            s,
            book_id=world.trust_id,
            household_id=home,
            date=D(2024, 11, 2),
            points=1,
            reason="x",
            actor=world.user(s, "treasurer"),
        ),
        InvalidInputError,
        "belong to a community micro-fund book",
    )
    refused(
        world,
        lambda s: earn_points(
            s,
            book_id=world.fund_id,
            household_id=home,
            date=D(2024, 11, 2),
            points=1,
            reason="x",
            actor=world.user(s, "auditor"),
        ),
        PermissionDeniedError,
        "may not record entries",
    )
    with world.ledger.read() as s:
        assert points_balance(s, book_id=world.fund_id, household_id=home) == 5
        assert points_balance(s, book_id=world.trust_id, household_id=home) == 0
        history = points_history(s, book_id=world.fund_id, household_id=home)
        assert [(h.points, h.balance) for h in history] == [(15, 15), (20, 35), (-30, 5)]
        assert history[-1].expense_id == goods
        assert points_balances(s, book_id=world.fund_id) == [
            (other, "2组5号", 5),
            (home, "3组12号", 5),
        ]


# --- the demo ------------------------------------------------------------------------------------


def _demo(path: Path) -> tuple[list[tuple[str, str, str, int]], dict[str, int]]:
    ledger = open_ledger(str(path), create=True)
    try:
        with ledger.write() as s:
            admin = create_user(
                s, username="admin", role=Role.ADMIN, password="gongzhang-demo", actor=None
            )
            users = {
                name: create_user(
                    s, username=name, role=role, password="gongzhang-demo", actor=admin
                )
                for name, role in (
                    ("li", Role.TREASURER),
                    ("wang", Role.REVIEWER),
                    ("zhao", Role.COMMITTEE),
                )
            }
            for user in users.values():  # each signed in: their decisions carry their signature
                signing.unlock(user.signing_key, "gongzhang-demo")
            book = create_book(s, kind=BookKind.MICRO_FUND, name="碧鸡桥社区微基金", actor=admin)
            book_id = book.id or 0
            summary = build_microfund_demo(
                s,
                book_id=book_id,
                treasurer=users["li"],
                reviewer=users["wang"],
                committee=users["zhao"],
                year=2024,
            )
            assert summary.entries == 18
            assert summary.receipts == 9
            assert summary.pending == 1
        with ledger.read() as s:
            assert verify_ledger(s) == []
            tb = trial_balance(s, book_id=book_id)
            assert tb.balanced
            rows = journal_page(s, book_id=book_id, filters=JournalFilter(), limit=1000).rows
            journal = [(r.date.isoformat(), r.number, r.memo, r.amount_fen) for r in rows]
            balances = {a.code: a.balance_fen for a in tb.accounts if a.balance_fen}
            banquet = {a.name: a for a in list_activities(s, book_id=book_id)}["重阳宴"]
            assert (banquet.budget_fen, banquet.actual_fen, banquet.participants) == (
                1_100_000,
                1_030_000,
                612,
            )
            assert banquet.restricted_donations_fen == 1_086_000
            assert banquet.restricted_left_fen == 56_000
            hardship = [e for e in list_expenses(s, book_id=book_id) if e.category == "hardship"]
            assert [e.memo for e in hardship] == ["困难帮扶（2024年1月）"]
            food = next(e for e in list_expenses(s, book_id=book_id) if "食材" in e.memo)
            assert (food.status, food.approved_by) == ("posted", ("wang", "zhao"))
        return journal, balances
    finally:
        ledger.close()


def test_the_demo_year_is_deterministic_and_verifies(tmp_path: Path) -> None:
    """碧鸡桥 2024: donations 14,360.00 (10,860.00 for the banquet, 500.00 hardship, 1,200.00
    clean-up, 1,800.00 unrestricted); spending 13,043.50; bank 101.50 + cash 1,215.00 = 1,316.50
    = 14,360.00 − 13,043.50 (the kite prizes of 318.50 are paid from the bank)."""
    first, balances = _demo(tmp_path / "a.sqlite")
    second, _ = _demo(tmp_path / "b.sqlite")
    assert first == second
    assert balances["4101"] == -1_436_000
    assert balances["5101"] == 1_304_350
    assert (balances["1002"], balances["1001"]) == (10_150, 121_500)


def test_the_approval_queue_serves_other_books_too(world: World) -> None:
    """An expense row another kind of book puts in the queue (金河绿洲's cleaning bill of
    ¥18,600.00 over its budget line) is approved and posted the same way."""
    with world.ledger.write() as s:
        treasurer = world.user(s, "treasurer")
        row = Expense(
            book_id=world.trust_id,
            date=D(2024, 1, 31),
            memo="1月保洁服务费",
            category="cleaning",
            account_code="5102",
            pay_from_code="100201",
            amount_fen=1_860_000,
            approvals_required=1,
            status="pending",
            recorded_by_id=treasurer.id or 0,
            recorded_at="2024-01-31T08:00:00Z",
        )
        s.add(row)
        s.flush()
        expense_id = row.id or 0
    with world.ledger.read() as s:
        [view] = pending_expenses(s, book_id=world.trust_id)
        assert (view.category_label, view.pay_from) == ("cleaning", "100201")
    assert approve(world, expense_id, "reviewer") == "posted"
    with world.ledger.read() as s:
        entry_id = expense_view(s, expense_id=expense_id).voucher_number
    assert entry_id == "记-2024-0001"

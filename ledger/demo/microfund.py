"""The 碧鸡桥 demo: a year of the community micro-fund."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session, col, select

from ledger.models import AppUser, Expense, Household
from ledger.money import parse_money
from ledger.rules.microfund import HARDSHIP, POINTS_REDEMPTION
from ledger.services.counterparties import CounterpartyKind, add_counterparty
from ledger.services.households import add_household
from ledger.services.microfund import (
    PENDING,
    add_activity,
    approve_expense,
    earn_points,
    list_receipts,
    micro_fund_book,
    record_donation,
    record_expense,
    redeem_points,
    reject_expense,
    set_participants,
)


@dataclass(frozen=True, slots=True)
class MicrofundDemo:
    entries: int
    receipts: int
    activities: dict[str, int]
    households: dict[str, int]
    pending: int


def _yuan(text: str) -> int:
    return parse_money(text).fen


def _demo_household(session: Session, label: str, members: int, actor: AppUser) -> int:
    existing = session.exec(select(Household.id).where(col(Household.label) == label)).first()
    if existing is not None:
        return existing
    return add_household(session, label=label, actor=actor, members=members).id or 0


def build_microfund_demo(  # noqa: PLR0915 - one year of a community's life, read top to bottom
    session: Session,
    *,
    book_id: int,
    treasurer: AppUser,
    reviewer: AppUser,
    committee: AppUser,
    year: int,
) -> MicrofundDemo:
    """A year of 碧鸡桥社区's micro-fund (都江堰市天马镇): the 重阳宴 for 600 people paid from
    merchant donations, volunteer fundraising and community self-raising (restricted to it),
    a kite festival, a clean-up, the points ledger and one hardship payment. Deterministic.

    The property company's remuneration gift is not recorded here: the trust-property book
    posts it as a linked transfer."""
    book = micro_fund_book(session, book_id)
    first_index = book.head_index
    d = dt.date

    def donor(kind: CounterpartyKind, name: str, *, person: bool, contact: str = "") -> int:
        return (
            add_counterparty(
                session,
                kind=kind,
                name=name,
                actor=treasurer,
                is_individual=person,
                contact=contact,
            ).id
            or 0
        )

    supermarket = donor(CounterpartyKind.MERCHANT, "天马镇好又多超市", person=False)
    farmhouse = donor(CounterpartyKind.MERCHANT, "碧鸡桥农家乐", person=False)
    pharmacy = donor(CounterpartyKind.MERCHANT, "天马镇惠民大药房", person=False)
    volunteers = donor(CounterpartyKind.VOLUNTEER, "碧鸡桥社区志愿者服务队", person=False)
    committee_cp = donor(CounterpartyKind.ORGANISATION, "碧鸡桥社区居民委员会", person=False)
    resident = donor(CounterpartyKind.RESIDENT, "王淑芬", person=True, contact="138****6621")
    greengrocer = donor(CounterpartyKind.PAYEE, "天马镇鲜丰农副产品店", person=False)
    stage = donor(CounterpartyKind.PAYEE, "都江堰市乐声舞台音响租赁部", person=False)
    stationery = donor(CounterpartyKind.PAYEE, "天马镇文体用品店", person=False)

    kites = add_activity(
        session,
        book_id=book_id,
        name="亲子风筝节",
        date=d(year, 3, 16),
        budget_fen=_yuan("1,200.00"),
        actor=treasurer,
        note="社区广场，亲子家庭参加",
    )
    cleanup = add_activity(
        session,
        book_id=book_id,
        name="春季环境卫生整治",
        date=d(year, 4, 20),
        budget_fen=_yuan("1,500.00"),
        actor=treasurer,
        note="河沟清淤、楼道杂物清理",
    )
    banquet = add_activity(
        session,
        book_id=book_id,
        name="重阳宴",
        date=d(year, 10, 20),
        budget_fen=_yuan("11,000.00"),
        actor=treasurer,
        note="中断三年后恢复的社区重阳宴，600余人参加",
    )

    def give(
        day: dt.date,
        who: int,
        source: str,
        amount: str,
        *,
        purpose: str | None = None,
        pay_into: str = "bank",
    ) -> None:
        record_donation(
            session,
            book_id=book_id,
            date=day,
            donor_id=who,
            source=source,
            amount_fen=_yuan(amount),
            actor=treasurer,
            purpose=purpose,
            pay_into=pay_into,
        )

    def spend(
        day: dt.date,
        category: str,
        amount: str,
        *,
        memo: str | None = None,
        pay_from: str = "bank",
        payee_id: int | None = None,
        activity_id: int | None = None,
        purpose: str | None = None,
        private_note: str = "",
    ) -> Expense:
        return record_expense(
            session,
            book_id=book_id,
            date=day,
            category=category,
            amount_fen=_yuan(amount),
            actor=treasurer,
            memo=memo,
            pay_from=pay_from,
            payee_id=payee_id,
            activity_id=activity_id,
            purpose=purpose,
            private_note=private_note,
        )

    def approve(expense: Expense) -> None:
        for approver in (reviewer, committee):
            if expense.status == PENDING:
                approve_expense(session, expense_id=expense.id or 0, actor=approver)

    # Unrestricted and category-restricted money early in the year.
    give(d(year, 1, 8), resident, "other", "500.00", purpose="hardship", pay_into="cash")
    give(d(year, 2, 26), pharmacy, "merchant", "1,000.00")
    give(d(year, 3, 2), committee_cp, "self_raised", "800.00")
    give(d(year, 4, 6), volunteers, "volunteer", "1,200.00", purpose="environment", pay_into="cash")

    spend(
        d(year, 1, 20),
        HARDSHIP,
        "500.00",
        pay_from="cash",
        purpose="hardship",
        private_note="3组 李秀英家，因病致贫，春节慰问金",
    )
    spend(
        d(year, 3, 12),
        "activity",
        "560.00",
        memo="亲子风筝节：风筝及制作材料",
        payee_id=stationery,
        activity_id=kites.id,
    )
    spend(
        d(year, 3, 16),
        "activity",
        "318.50",
        memo="亲子风筝节：获奖家庭奖品",
        activity_id=kites.id,
    )
    set_participants(session, activity_id=kites.id or 0, participants=126, actor=treasurer)
    spend(
        d(year, 4, 20),
        "environment",
        "680.00",
        memo="春季环境卫生整治：垃圾清运车辆",
        pay_from="cash",
        activity_id=cleanup.id,
        purpose="environment",
    )
    spend(
        d(year, 4, 20),
        "environment",
        "265.00",
        memo="春季环境卫生整治：手套、垃圾袋、工具",
        pay_from="cash",
        activity_id=cleanup.id,
        purpose="environment",
    )
    set_participants(session, activity_id=cleanup.id or 0, participants=58, actor=treasurer)

    # Points for volunteering, redeemed for goods the fund bought.
    households = {
        label: _demo_household(session, label, members, treasurer)
        for label, members in (("3组12号", 3), ("2组5号", 4), ("1组8号", 2), ("4组21号", 5))
    }

    def earn(day: dt.date, label: str, points: int, reason: str) -> None:
        earn_points(
            session,
            book_id=book_id,
            household_id=households[label],
            date=day,
            points=points,
            reason=reason,
            actor=treasurer,
        )

    earn(d(year, 3, 16), "2组5号", 10, "亲子风筝节志愿服务")
    earn(d(year, 4, 20), "1组8号", 15, "春季环境卫生整治志愿服务")
    earn(d(year, 4, 20), "3组12号", 15, "春季环境卫生整治志愿服务")
    earn(d(year, 4, 20), "4组21号", 10, "春季环境卫生整治志愿服务")
    goods = spend(
        d(year, 6, 10),
        POINTS_REDEMPTION,
        "420.00",
        memo="积分兑换物品：大米、洗衣液",
        payee_id=supermarket,
    )
    for label, points in (("1组8号", 10), ("3组12号", 10)):
        redeem_points(
            session,
            book_id=book_id,
            household_id=households[label],
            date=d(year, 6, 15),
            points=points,
            reason="积分兑换：大米一袋",
            actor=treasurer,
            expense_id=goods.id,
        )

    # The Double Ninth banquet: three sources, all restricted to it.
    give(d(year, 9, 10), supermarket, "merchant", "3,000.00", purpose="重阳宴")
    give(d(year, 9, 15), farmhouse, "merchant", "2,000.00", purpose="重阳宴")
    give(d(year, 9, 18), pharmacy, "merchant", "1,500.00", purpose="重阳宴")
    give(d(year, 9, 28), volunteers, "volunteer", "1,860.00", purpose="重阳宴", pay_into="cash")
    give(d(year, 10, 8), committee_cp, "self_raised", "2,500.00", purpose="重阳宴")
    food = spend(
        d(year, 10, 18),
        "activity",
        "8,600.00",
        memo="重阳宴：食材采购（600余人）",
        payee_id=greengrocer,
        purpose="重阳宴",
    )
    approve(food)
    spend(
        d(year, 10, 20),
        "activity",
        "800.00",
        memo="重阳宴：舞台音响租赁",
        payee_id=stage,
        purpose="重阳宴",
    )
    spend(
        d(year, 10, 20),
        "activity",
        "900.00",
        memo="重阳宴：厨师及帮厨劳务",
        pay_from="cash",
        purpose="重阳宴",
    )
    banner = spend(
        d(year, 10, 22),
        "activity",
        "1,200.00",
        memo="重阳宴：横幅及展板印刷",
        payee_id=stationery,
        activity_id=banquet.id,
    )
    if banner.status == PENDING:
        reject_expense(
            session,
            expense_id=banner.id or 0,
            actor=reviewer,
            reason="与10月20日舞台音响租赁中已含的展板重复，请核实后重新报账",
        )
    set_participants(session, activity_id=banquet.id or 0, participants=612, actor=treasurer)
    for label in ("3组12号", "2组5号", "4组21号"):
        earn(d(year, 10, 20), label, 20, "重阳宴帮厨及引导志愿服务")

    # Winter: one more purchase for redemptions, waiting for approval at the year's end.
    winter = spend(
        d(year, 12, 18),
        POINTS_REDEMPTION,
        "1,350.00",
        memo="积分兑换物品：冬季棉被、食用油",
        payee_id=supermarket,
    )
    session.refresh(book)
    return MicrofundDemo(
        entries=book.head_index - first_index,
        receipts=len(list_receipts(session, book_id=book_id)),
        activities={a.name: a.id or 0 for a in (kites, cleanup, banquet)},
        households=households,
        pending=1 if winter.status == PENDING else 0,
    )

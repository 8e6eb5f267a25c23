"""The 金河绿洲 demo: a year of trust-style property service."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session, col, select

from ledger.errors import NotFoundError
from ledger.i18n import _
from ledger.models import AppUser
from ledger.money import parse_money
from ledger.rules.property import monthly_fee, percent_text, period_bounds
from ledger.services.counterparties import CounterpartyKind, add_counterparty
from ledger.services.property import (
    add_unit,
    approve_budget,
    bill_period,
    collect,
    create_budget,
    gift_remuneration,
    pay_remuneration,
    post_remuneration,
    record_common_income,
    set_fee_rate,
    spend,
    unit_accounts,
)
from ledger.services.property._common import _book, _trust_book
from ledger.services.property.fees import _received_by_unit

#: The 金河绿洲 demo's fee: ¥2.50 per m² per month.
DEMO_FEE_RATE_FEN_PER_M2 = 250
#: Typical exclusive areas of the estate's resettlement flats (安置房), m².
_DEMO_AREAS = ("89.56", "72.35", "108.40", "59.87", "95.12", "118.66")
_DEMO_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
_DEMO_GIVEN = (
    "德明",
    "秀英",
    "建国",
    "桂兰",
    "志强",
    "淑芬",
    "国华",
    "玉珍",
    "永福",
    "春梅",
    "文斌",
)
#: The open budget of the demo year (yuan), by line.
DEMO_BUDGET = {
    "wages": "126,000.00",
    "cleaning": "38,400.00",
    "greening": "18,000.00",
    "security": "33,600.00",
    "facilities": "20,000.00",
    "utilities": "22,000.00",
    "office": "4,800.00",
    "insurance": "3,600.00",
    "remuneration": "48,000.00",
    "taxes": "6,000.00",
    "reserve": "12,000.00",
    "other": "2,400.00",
}


@dataclass(frozen=True, slots=True)
class PropertyDemoSummary:
    units: int
    rate_fen_per_m2: int
    billed_fen: int
    received_fen: int
    owed_fen: int
    prepaid_fen: int
    remuneration_fen: int
    gift_fen: int
    collection_rate: str
    entries: int


def _demo_units() -> list[tuple[str, str, str, str, str, str]]:
    """(building, unit, room, area, owner key, owner name) of the 120 demo units:
    5 buildings × 2 entrances (单元) × 6 floors × 2 flats."""
    out: list[tuple[str, str, str, str, str, str]] = []
    n = 0
    for building in range(1, 6):
        for entrance in (1, 2):
            for floor in range(1, 7):
                for flat in (1, 2):
                    area = _DEMO_AREAS[(building + 2 * entrance + flat + floor // 3) % 6]
                    n += 1
                    if building == 5 and entrance == 2 and floor >= 5:
                        key, name = "developer", "开发商（未售房源）"
                    elif n in (12, 48):  # two owners with a second flat next door
                        key = f"O{n - 1:03d}"
                        name = out[-1][5]
                    else:
                        key = f"O{n:03d}"
                        name = (
                            _DEMO_SURNAMES[n % len(_DEMO_SURNAMES)]
                            + _DEMO_GIVEN[(n * 7) % len(_DEMO_GIVEN)]
                        )
                    out.append((str(building), str(entrance), f"{floor}0{flat}", area, key, name))
    return out


def _demo_payments(  # noqa: PLR0911 - one habit per branch reads best
    index: int, fee: int, month: int
) -> list[tuple[int, int]]:
    """What unit ``index`` pays in ``month`` of the demo year: [(day, fen)]. Deterministic
    habits: most pay each bill that month, some a quarter at a time, some a month late, a few
    in part, five not at all, two prepay the whole year in January and one half a year."""
    if index in (7, 63):  # the whole year in advance
        return [(10, 12 * fee)] if month == 1 else []
    if index == 88:  # half a year at a time; in July also next January in advance
        return [(12, 6 * fee if month == 1 else 7 * fee)] if month in (1, 7) else []
    if index in (13, 30, 77, 94, 102):  # paid nothing this year
        return []
    if index in (41, 66, 115):  # stopped paying after April (a dispute over a leak)
        return [(8, fee)] if month <= 4 else []
    if index % 23 == 5:  # pays a round ¥100 a month, short of the fee
        return [(20, 10_000)]
    if index % 15 == 4:  # a quarter at a time, at the quarter's end
        return [(26, 3 * fee)] if month % 3 == 0 else []
    if index % 10 == 9:  # a month late
        return [(15, fee)] if month >= 2 else []
    return [(5 + index % 20, fee)]


def _demo_first_admin(session: Session) -> AppUser:
    admin = session.exec(
        select(AppUser)
        .where(col(AppUser.role) == "admin", col(AppUser.active))
        .order_by(col(AppUser.id))
    ).first()
    if admin is None:
        raise NotFoundError(_("The ledger has no administrator to set the fee rate."))
    return admin


def build_property_demo(
    session: Session,
    *,
    book_id: int,
    treasurer: AppUser,
    reviewer: AppUser,
    committee: AppUser,
    year: int,
    fund_book_id: int | None = None,
    admin: AppUser | None = None,
    company_id: int | None = None,
) -> PropertyDemoSummary:
    """A deterministic year of the 金河绿洲 estate under trust-style property service.

    120 units in 5 buildings (59.87 to 118.66 m²), a fee of ¥2.50 per m² per month billed on
    the 1st of each month; payments by habit (most monthly, some quarterly or late, a few in
    part, five not at all, two prepaying the year), for a collection rate of about 92%;
    parking income every month and lift advertising every quarter; the company's 15%
    remuneration each month, 30% of it given to the micro-fund ``fund_book_id`` (if given) and
    the rest paid to the company; an open budget drafted by the treasurer and approved by the
    committee member, spent month by month, with one overrun (a gate repair in October)
    approved by the reviewer. The fee rate is set by ``admin`` (default: the ledger's first
    administrator); the company is ``company_id`` (default: 成都智乐宏图物业管理有限公司,
    registered here).
    """

    def fen(text: str) -> int:
        return parse_money(text).fen

    start = _trust_book(session, book_id).head_index
    set_fee_rate(
        session,
        book_id=book_id,
        rate_fen_per_m2=DEMO_FEE_RATE_FEN_PER_M2,
        actor=admin or _demo_first_admin(session),
    )
    if company_id is None:
        company_id = add_counterparty(
            session,
            kind=CounterpartyKind.PROPERTY_COMPANY,
            name="成都智乐宏图物业管理有限公司",
            actor=treasurer,
            note="信托制物业服务企业（酬金制，酬金为物业费的15%）",
        ).id
    parking = add_counterparty(
        session, kind=CounterpartyKind.ORGANISATION, name="金河绿洲停车场管理处", actor=treasurer
    )
    adverts = add_counterparty(
        session, kind=CounterpartyKind.MERCHANT, name="九江街道电梯广告代理商", actor=treasurer
    )
    repairs = add_counterparty(
        session, kind=CounterpartyKind.PAYEE, name="双流区安居门禁维修部", actor=treasurer
    )
    units = [
        add_unit(
            session,
            book_id=book_id,
            building=b,
            unit=u,
            room=r,
            area=area,
            owner_key=key,
            owner_name=name,
            actor=treasurer,
        )
        for b, u, r, area, key, name in _demo_units()
    ]
    create_budget(
        session,
        book_id=book_id,
        year=year,
        lines={line: fen(amount) for line, amount in DEMO_BUDGET.items()},
        actor=treasurer,
    )
    approve_budget(
        session,
        book_id=book_id,
        year=year,
        actor=committee,
        note="业主大会表决通过（开放式预算）",
    )
    d = dt.date
    fees = [monthly_fee(u.area_dm2, DEMO_FEE_RATE_FEN_PER_M2) for u in units]
    monthly_spending = [
        ("wages", 25, "人员工资及社保", "10,500.00"),
        ("cleaning", 25, "保洁服务费", "3,200.00"),
        ("security", 25, "秩序维护（门岗）服务费", "2,800.00"),
        ("office", 26, "办公用品及公示打印", "350.00"),
        ("reserve", 28, "按预算提取储备金", "1,000.00"),
    ]
    facilities = {
        3: ("单元门禁系统检修", "3,200.00"),
        6: ("雨季前屋面防水修补", "5,800.00"),
        8: ("消防器材更换", "4,600.00"),
    }
    remuneration_total = gift_total = 0
    for month in range(1, 13):
        period = f"{year:04d}-{month:02d}"
        last = period_bounds(period)[1]
        bill_period(session, book_id=book_id, period=period, actor=treasurer)
        for index, (unit, fee) in enumerate(zip(units, fees, strict=True)):
            for day, paid_fen in _demo_payments(index, fee, month):
                collect(
                    session,
                    book_id=book_id,
                    unit_id=unit.id or 0,
                    date=d(year, month, day),
                    amount_fen=paid_fen,
                    actor=treasurer,
                )
        record_common_income(
            session,
            book_id=book_id,
            source="parking",
            date=d(year, month, 27),
            amount_fen=fen("3,600.00"),
            memo=f"{month}月临时停车及车位管理收入",
            payer_id=parking.id,
            actor=treasurer,
        )
        if month % 3 == 0:
            record_common_income(
                session,
                book_id=book_id,
                source="advertising",
                date=d(year, month, 27),
                amount_fen=fen("1,500.00"),
                memo=f"第{month // 3}季度电梯广告位收入",
                payer_id=adverts.id,
                actor=treasurer,
            )
        for line, day, what, yuan in monthly_spending:
            spend(
                session,
                book_id=book_id,
                line=line,
                date=d(year, month, day),
                memo=f"{month}月{what}",
                amount_fen=fen(yuan),
                actor=treasurer,
            )
        spend(
            session,
            book_id=book_id,
            line="utilities",
            date=d(year, month, 26),
            memo=f"{month}月公共区域水电费",
            amount_fen=fen("1,650.00") + fen("180.00") * (month % 3),
            actor=treasurer,
        )
        if month == 1:
            spend(
                session,
                book_id=book_id,
                line="insurance",
                date=d(year, 1, 26),
                memo="公众责任险（全年）",
                amount_fen=fen("3,600.00"),
                actor=treasurer,
            )
        if month % 3 == 0:
            spend(
                session,
                book_id=book_id,
                line="greening",
                date=d(year, month, 26),
                memo=f"第{month // 3}季度绿化养护",
                amount_fen=fen("4,500.00"),
                actor=treasurer,
            )
            spend(
                session,
                book_id=book_id,
                line="taxes",
                date=d(year, month, 26),
                memo=f"第{month // 3}季度税费",
                amount_fen=fen("1,200.00"),
                actor=treasurer,
            )
        if month in facilities:
            what, yuan = facilities[month]
            spend(
                session,
                book_id=book_id,
                line="facilities",
                date=d(year, month, 26),
                memo=what,
                amount_fen=fen(yuan),
                actor=treasurer,
                payee_id=repairs.id,
            )
        if month == 9:
            spend(
                session,
                book_id=book_id,
                line="other",
                date=d(year, 9, 26),
                memo="中秋邻里活动场地布置",
                amount_fen=fen("800.00"),
                actor=treasurer,
            )
        if month == 10:  # beyond the facilities line: approved by the reviewer
            spend(
                session,
                book_id=book_id,
                line="facilities",
                date=d(year, 10, 26),
                memo="小区大门电动道闸更换（超预算，经审核批准）",
                amount_fen=fen("6,950.00"),
                actor=treasurer,
                approver=reviewer,
                payee_id=repairs.id,
            )
        rem = post_remuneration(session, book_id=book_id, period=period, actor=treasurer)
        remuneration_total += rem.amount_fen
        if fund_book_id is not None:
            gift = gift_remuneration(
                session,
                trust_book_id=book_id,
                fund_book_id=fund_book_id,
                period=period,
                actor=treasurer,
                company_id=company_id,
            )
            gift_total += gift.amount_fen
        pay_remuneration(
            session, book_id=book_id, date=last, actor=treasurer, company_id=company_id
        )
    accounts = unit_accounts(session, book_id=book_id)
    billed = sum(a.billed_fen for a in accounts)
    paid = sum(a.paid_fen for a in accounts)
    return PropertyDemoSummary(
        units=len(units),
        rate_fen_per_m2=DEMO_FEE_RATE_FEN_PER_M2,
        billed_fen=billed,
        received_fen=sum(_received_by_unit(session, book_id).values()),
        owed_fen=sum(a.owed_fen for a in accounts),
        prepaid_fen=sum(a.prepaid_fen for a in accounts),
        remuneration_fen=remuneration_total,
        gift_fen=gift_total,
        collection_rate=percent_text(paid, billed) or "—",
        entries=_book(session, book_id).head_index - start,
    )

"""The district roll-up (街道/区 汇总公示) over many ledgers: every figure is the one the book's own
notice shows, communities and kinds of fund add up to the total to the fen, a community kept in
two ledgers stays two rows, and the PDF and workbook print it all."""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlmodel import Session, col, select

from ledger import i18n
from ledger.db import Ledger, open_ledger
from ledger.domain import BookKind, Role
from ledger.errors import InvalidInputError, LedgerFileError
from ledger.models import Book
from ledger.services.books import create_book
from ledger.services.counterparties import add_counterparty
from ledger.services.entries import PostingLine, post_entry
from ledger.services.microfund import record_donation, record_expense
from ledger.services.property import (
    add_unit,
    bill_period,
    collect,
    find_unit,
    post_remuneration,
    set_fee_rate,
)
from ledger.services.users import create_user
from reports.notice import Cell, KeyFigures, Notice, Paragraph, Table
from reports.notices.common import Period, ReportOptions, parse_report_period
from reports.notices.district import BookFigures, build_district, read_ledgers, source_labels
from reports.notices.microfund import build_income_expenditure
from reports.notices.property import build_property_monthly
from reports.notices.sharing import build_revenue_sharing
from reports.notices.statements import build_activities_statement, build_balance_sheet
from reports.pdf import render_pdf
from reports.xlsx import MONEY_FORMAT, render_xlsx
from tests.conftest import World
from tests.reports.conftest import pdf_fonts, pdf_text

D = dt.date
NOVEMBER = parse_report_period("2024-11")


# --- two small ledgers built with the services --------------------------------------------------


def _fill_world(world: World) -> None:
    """Ledger A (the ``world`` ledger, on the test database when one is set).

    Micro-fund 碧鸡桥社区微基金 (no organisation: the community is the book's name): ¥1,000.00
    self-raised in October; in November ¥500.00 from a merchant and ¥123.45 from volunteers
    restricted to environment clean-ups, of which ¥100.00 is spent on one.
    Trust 金河绿洲物业: three units billing ¥675.78 for November; ¥223.90 + ¥180.88 = ¥404.78
    collected; remuneration 15% × ¥404.78 = ¥60.72 (60.717 rounded).
    Village 全兴村: ¥1,000.00 operating income in November.
    """
    with world.ledger.write() as s:
        admin = world.user(s, "admin")
        treasurer = world.user(s, "treasurer")
        shop = add_counterparty(s, kind="merchant", name="天马镇好又多超市", actor=treasurer)
        team = add_counterparty(s, kind="volunteer", name="志愿者服务队", actor=treasurer)
        for date, who, source, fen, purpose in (
            (D(2024, 10, 15), shop, "self_raised", 100_000, None),
            (D(2024, 11, 5), shop, "merchant", 50_000, None),
            (D(2024, 11, 6), team, "volunteer", 12_345, "environment"),
        ):
            record_donation(
                s,
                book_id=world.fund_id,
                date=date,
                donor_id=who.id or 0,
                source=source,
                amount_fen=fen,
                actor=treasurer,
                purpose=purpose,
            )
        record_expense(
            s,
            book_id=world.fund_id,
            date=D(2024, 11, 20),
            category="environment",
            amount_fen=10_000,
            actor=treasurer,
            memo="清理楼道杂物",
            purpose="environment",
        )
        set_fee_rate(s, book_id=world.trust_id, rate_fen_per_m2=250, actor=admin)
        for building, room, area in (("1", "101", "89.56"), ("1", "102", "72.35"), ("2", "101", "108.40")):  # fmt: skip
            add_unit(
                s,
                book_id=world.trust_id,
                building=building,
                unit="1",
                room=room,
                area=area,
                actor=treasurer,
            )
        bill_period(s, book_id=world.trust_id, period="2024-11", actor=treasurer)
        for label, fen in (("1-1-101", 22_390), ("1-1-102", 18_088)):
            unit = find_unit(s, book_id=world.trust_id, ref=label)
            collect(
                s,
                book_id=world.trust_id,
                unit_id=unit.id or 0,
                date=D(2024, 11, 25),
                amount_fen=fen,
                actor=treasurer,
            )
        post_remuneration(s, book_id=world.trust_id, period="2024-11", actor=treasurer)
        post_entry(
            s,
            book_id=world.village_id,
            date=D(2024, 11, 10),
            memo="果园承包收入",
            lines=[PostingLine("1002", 100_000), PostingLine("4101", -100_000)],
            actor=treasurer,
        )


def _ledger_b(path: Path) -> None:
    """Ledger B, a SQLite file: a micro-fund with the same name as A's (and so the same
    community) that received ¥300.00 in November, and the trust book 翠苑物业 of 翠苑社区 whose one
    unit of 100 m² billed ¥250.00 for November and paid it all."""
    with open_ledger(path, create=True) as ledger, ledger.write() as s:
        admin = create_user(
            s, username="admin", role=Role.ADMIN, password="gongzhang-demo", actor=None
        )
        treasurer = create_user(
            s, username="treasurer", role=Role.TREASURER, password="gongzhang-demo", actor=admin
        )
        fund = create_book(s, kind=BookKind.MICRO_FUND, name="碧鸡桥社区微基金", actor=admin)
        trust = create_book(
            s, kind=BookKind.TRUST_PROPERTY, name="翠苑物业", organisation="翠苑社区", actor=admin
        )
        shop = add_counterparty(s, kind="merchant", name="翠苑便利店", actor=treasurer)
        record_donation(
            s,
            book_id=fund.id or 0,
            date=D(2024, 11, 8),
            donor_id=shop.id or 0,
            source="merchant",
            amount_fen=30_000,
            actor=treasurer,
        )
        set_fee_rate(s, book_id=trust.id or 0, rate_fen_per_m2=250, actor=admin)
        unit = add_unit(
            s,
            book_id=trust.id or 0,
            building="1",
            unit="1",
            room="101",
            area="100",
            actor=treasurer,
        )
        bill_period(s, book_id=trust.id or 0, period="2024-11", actor=treasurer)
        collect(
            s,
            book_id=trust.id or 0,
            unit_id=unit.id or 0,
            date=D(2024, 11, 12),
            amount_fen=25_000,
            actor=treasurer,
        )


@pytest.fixture
def two_ledgers(world: World, ledger_target: str, tmp_path: Path) -> list[str]:
    _fill_world(world)
    other = tmp_path / "other" / "b.sqlite"
    other.parent.mkdir()
    _ledger_b(other)
    return [ledger_target, str(other)]


# --- helpers ------------------------------------------------------------------------------------


def _figures(notice: Notice) -> dict[str, Cell]:
    return {
        label: value
        for section in notice.sections
        if isinstance(section, KeyFigures)
        for label, value, _kind in section.items
    }


def _table(notice: Notice, title: str) -> tuple[Table, list[Sequence[Cell]]]:
    for table in notice.tables():
        if table.title == title:
            return table, [list(r) for r in table.rows]
    raise AssertionError(f"no table {title!r}")


def _column(table: Table, rows: list[Sequence[Cell]], label_start: str) -> list[Cell]:
    index = next(i for i, c in enumerate(table.columns) if c.label.startswith(label_start))
    return [r[index] for r in rows]


def _sum(values: list[Cell]) -> int:
    assert all(isinstance(v, int) for v in values), values
    return sum(v for v in values if isinstance(v, int))


def _district(targets: Sequence[str | Path], period: Period, name: str = "") -> Notice:
    rows = list(read_ledgers(targets, period=period))
    return build_district(rows, period=period, ledgers=len(targets), name=name)


def _pdf(notice: Notice) -> bytes:
    out = io.BytesIO()
    render_pdf(notice, out)
    return out.getvalue()


def _fen(value: object) -> int:
    return int(Decimal(str(value)) * 100)


# --- figures ------------------------------------------------------------------------------------


def test_two_ledgers_add_up_by_community_and_kind_to_the_fen(two_ledgers: list[str]) -> None:
    a, b = source_labels(two_ledgers)
    assert b == "b.sqlite"
    notice = _district(two_ledgers, NOVEMBER)

    table, rows = _table(notice, "By community")
    assert [c.label for c in table.columns][:3] == ["Community", "Ledger", "Books"]
    # The same community (the two micro-funds share a name) stays one row per ledger.
    assert rows == [
        ["碧鸡桥社区微基金", a, 1, 62_345, 10_000, 152_345],
        ["金河绿洲物业", a, 1, 67_578, 6_072, 40_478],
        ["全兴村", a, 1, 100_000, 0, 100_000],
        ["碧鸡桥社区微基金", b, 1, 30_000, 0, 30_000],
        ["翠苑社区", b, 1, 25_000, 0, 25_000],
    ]
    assert table.total_label == "Total"
    income, spending, balance = 284_923, 16_072, 347_823
    assert [
        _sum(_column(table, rows, label)) for label in ("Income", "Spending", "Closing balance")
    ] == [
        income,
        spending,
        balance,
    ]

    table, rows = _table(notice, "By kind of fund")
    assert rows == [
        ["Community micro-fund", 2, 92_345, 10_000, 182_345],
        ["Trust-style property service", 2, 92_578, 6_072, 65_478],
        ["Village collective revenue", 1, 100_000, 0, 100_000],
    ]
    assert [
        _sum(_column(table, rows, label)) for label in ("Income", "Spending", "Closing balance")
    ] == [
        income,
        spending,
        balance,
    ]

    figures = _figures(notice)
    assert figures["Ledgers"] == 2
    assert figures["Communities"] == 5
    assert figures["Books"] == 5
    assert figures["Income in the period"] == income
    assert figures["Spending in the period"] == spending
    assert figures["Fund balances at 2024-11-30"] == balance
    assert figures["Micro-funds' money at 2024-11-30"] == 182_345
    assert figures["of which restricted to named purposes"] == 2_345
    assert figures["of which unrestricted"] == 180_000
    assert figures["Property fees billed for the period"] == 92_578
    assert figures["Collected against these bills by 2024-11-30"] == 65_478
    assert figures["Combined collection rate"] == Fraction(65_478, 92_578)
    assert figures["Remuneration of the property service companies"] == 6_072

    table, rows = _table(notice, "Trust-style property service")
    assert rows == [
        [
            "金河绿洲物业",
            "金河绿洲物业",
            a,
            67_578,
            40_478,
            Fraction(40_478, 67_578),
            6_072,
            40_478,
        ],
        ["翠苑社区", "翠苑物业", b, 25_000, 25_000, Fraction(1), 0, 25_000],
    ]
    paragraphs = [s.text for s in notice.sections if isinstance(s, Paragraph)]
    assert (
        "Property fees: 654.78 yuan collected of 925.78 yuan billed for 2024-11 in 2 "
        "trust-property books, a combined collection rate of 70.73%." in paragraphs
    )
    table, rows = _table(notice, "Community micro-funds")
    assert rows == [
        ["碧鸡桥社区微基金", "碧鸡桥社区微基金", a, 62_345, 10_000, 152_345, 2_345, 150_000],
        ["碧鸡桥社区微基金", "碧鸡桥社区微基金", b, 30_000, 0, 30_000, 0, 30_000],
    ]
    table, rows = _table(notice, "Village collective revenue")
    assert rows == [["全兴村", "全兴村", a, 100_000, 0, 100_000, 100_000]]
    # Every book's digest, so each can be checked against its own ledger.
    _t, digests = _table(notice, "Ledger digests")
    assert [(r[0], r[1]) for r in digests] == [
        (a, "碧鸡桥社区微基金"),
        (a, "金河绿洲物业"),
        (a, "全兴村"),
        (b, "碧鸡桥社区微基金"),
        (b, "翠苑物业"),
    ]
    assert all(isinstance(r[3], str) and len(r[3]) == 64 for r in digests)
    assert notice.title == "Roll-up notice of public funds of the communities"
    assert notice.book_name == "5 books in 2 ledgers"


def test_a_period_before_any_entry_is_all_zero(two_ledgers: list[str]) -> None:
    notice = _district(two_ledgers, parse_report_period("2023"))
    _t, rows = _table(notice, "By community")
    assert [r[3:] for r in rows] == [[0, 0, 0]] * 5
    _t, digests = _table(notice, "Ledger digests")
    assert {r[2] for r in digests} == {"(no entries)"}
    paragraphs = [s.text for s in notice.sections if isinstance(s, Paragraph)]
    assert "No property fees were billed for Year 2023 in these books." in paragraphs
    assert _figures(notice)["Combined collection rate"] == "—"


def _own_figures(session: Session, book: Book, period: Period) -> dict[str, int]:
    """What the book's own notices say: income, spending, balance and the kind's extras."""
    options = ReportOptions()
    end = period.end.isoformat()
    if book.kind == BookKind.MICRO_FUND:
        fund = _figures(build_income_expenditure(session, book, period, options))
        closing = fund[f"Closing balance ({end})"]
        restricted = fund.get("of which restricted to named purposes", 0)
        assert isinstance(closing, int) and isinstance(restricted, int)
        return {
            "income": _int(fund["Income in the period"]),
            "spending": _int(fund["Spending in the period"]),
            "balance": closing,
            "restricted": restricted,
        }
    if book.kind == BookKind.TRUST_PROPERTY:
        trust = _figures(build_property_monthly(session, book, period, options))
        _t, result = _table(
            build_activities_statement(session, book, period, options),
            "Surplus or deficit (income − expenses)",
        )
        return {
            "income": _int(result[0][1]),
            "spending": _int(result[1][1]),
            "balance": _int(trust[f"Owners' common funds in bank and cash at {end}"]),
            "billed": _int(trust["Property fees billed for the period"]),
            "collected": _int(trust[f"Collected against these bills by {end}"]),
            "remuneration": _int(trust["The company's remuneration"]),
        }
    village = _figures(build_revenue_sharing(session, book, period, options))
    _t, assets = _table(build_balance_sheet(session, book, period, options), "Assets")
    return {
        "income": _int(village["Income"]),
        "spending": _int(village["Expenses"]),
        "balance": sum(_int(r[2]) for r in assets if str(r[0]).startswith("100") and r[2]),
    }


def _int(value: Cell) -> int:
    assert isinstance(value, int), value
    return value


@pytest.mark.parametrize("text", ["2024-11", "2024-Q4", "2024"])
def test_the_roll_up_equals_the_books_own_notices(
    demo_path: Path, tmp_path: Path, text: str
) -> None:
    """The demo ledger and a copy of it: every community row, the totals and the figures of
    the three books' own notices (twice) agree to the fen."""
    period = parse_report_period(text)
    copy = tmp_path / "copy.sqlite"
    shutil.copy(demo_path, copy)
    notice = _district([demo_path, copy], period)

    own: dict[str, int] = {}
    with open_ledger(demo_path) as ledger, ledger.read() as s:
        for book in s.exec(select(Book).order_by(col(Book.id))).all():
            for key, fen in _own_figures(s, book, period).items():
                own[key] = own.get(key, 0) + 2 * fen  # the copy counts again

    figures = _figures(notice)
    table, rows = _table(notice, "By community")
    assert len(rows) == 6  # three communities in each of the two files
    for label, key, figure in (
        ("Income", "income", "Income in the period"),
        ("Spending", "spending", "Spending in the period"),
        ("Closing balance", "balance", f"Fund balances at {period.end.isoformat()}"),
    ):
        assert _sum(_column(table, rows, label)) == figures[figure] == own[key], label
    assert figures["of which restricted to named purposes"] == own["restricted"]
    assert figures["Property fees billed for the period"] == own["billed"]
    assert figures[f"Collected against these bills by {period.end.isoformat()}"] == own["collected"]
    assert figures["Remuneration of the property service companies"] == own["remuneration"]
    assert own["billed"] > 0 and own["remuneration"] > 0 and own["restricted"] > 0
    kinds, by_kind = _table(notice, "By kind of fund")
    assert _sum(_column(kinds, by_kind, "Closing balance")) == own["balance"]


def test_two_files_of_the_same_name_are_told_apart_by_their_path(
    demo_path: Path, tmp_path: Path
) -> None:
    (tmp_path / "west").mkdir()
    (tmp_path / "east").mkdir()
    west, east = tmp_path / "west" / "demo.sqlite", tmp_path / "east" / "demo.sqlite"
    shutil.copy(demo_path, west)
    shutil.copy(demo_path, east)
    assert source_labels([west, east, demo_path]) == [str(west), str(east), str(demo_path)]
    notice = _district([west, east], NOVEMBER)
    _t, rows = _table(notice, "By community")
    assert [r[1] for r in rows] == [str(west)] * 3 + [str(east)] * 3
    assert rows[0][0] == "都江堰市天马镇碧鸡桥社区"  # the book's organisation


def test_ledgers_are_read_one_at_a_time(demo_path: Path, tmp_path: Path) -> None:
    copies = []
    for i in range(3):
        copies.append(tmp_path / f"c{i}.sqlite")
        shutil.copy(demo_path, copies[-1])
    state = {"open": 0, "most": 0, "opened": 0}

    @contextmanager
    def counting(target: str | os.PathLike[str]) -> Iterator[Ledger]:
        state["open"] += 1
        state["opened"] += 1
        state["most"] = max(state["most"], state["open"])
        try:
            with open_ledger(target) as ledger:
                yield ledger
        finally:
            state["open"] -= 1

    seen: list[int] = []
    rows = read_ledgers(copies, period=NOVEMBER, opener=counting, progress=seen.append)
    first = next(rows)
    assert isinstance(first, BookFigures)
    assert state["opened"] == 1 and state["open"] == 0  # closed before its rows are used
    rest = list(rows)
    assert len(rest) == 3 * 3 - 1
    assert (state["opened"], state["most"], seen) == (3, 1, [1, 2, 3])


# --- refusals -----------------------------------------------------------------------------------


def test_sources_that_are_not_ledgers_are_refused_by_name(demo_path: Path, tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("not a ledger", encoding="utf-8")
    missing = tmp_path / "nowhere.sqlite"
    cases: list[tuple[list[str | Path], type[Exception], str]] = [
        ([], InvalidInputError, "Name at least one ledger"),
        ([demo_path, missing], LedgerFileError, f"There is no ledger at {missing}"),
        ([demo_path, tmp_path], LedgerFileError, f"{tmp_path} is a folder"),
        ([text], LedgerFileError, f"{text} is not a Gongzhang ledger"),
        ([demo_path, str(demo_path)], InvalidInputError, "is named twice"),
    ]
    for targets, error, words in cases:
        with pytest.raises(error) as caught:
            list(read_ledgers(targets, period=NOVEMBER))
        assert words in str(caught.value)
    assert text.read_text(encoding="utf-8") == "not a ledger"


def test_a_file_the_system_will_not_let_us_read_is_named(demo_path: Path) -> None:
    """(The tests may run as root, who reads any file: the refusal is simulated.)"""

    def locked(target: str | os.PathLike[str]) -> Ledger:
        raise PermissionError(13, "Permission denied", os.fspath(target))

    with pytest.raises(LedgerFileError) as caught:
        list(read_ledgers([demo_path], period=NOVEMBER, opener=locked))
    assert str(caught.value) == (
        f"{demo_path} cannot be read (Permission denied). Nothing was written."
    )


# --- printing -----------------------------------------------------------------------------------


def test_pdf_in_chinese_with_the_district_title(two_ledgers: list[str]) -> None:
    i18n.set_language("zh")
    notice = _district(two_ledgers, NOVEMBER, name="九江街道")
    assert notice.title == "九江街道公共资金汇总公示"
    pdf = _pdf(notice)
    text = pdf_text(pdf)
    assert "九江街道公共资金汇总公示" in text
    assert "合计收缴率" in text and "70.73%" in text
    assert "第 1 页" in text
    for words in ("按社区汇总", "按资金类型汇总", "翠苑社区", "b.sqlite", "3,478.23"):
        assert words in text, words
    assert any("WenQuanYi" in name and embedded for name, embedded in pdf_fonts(pdf).items())
    assert all(embedded for embedded in pdf_fonts(pdf).values())


def test_pdf_in_english(two_ledgers: list[str]) -> None:
    text = " ".join(pdf_text(_pdf(_district(two_ledgers, NOVEMBER))).split())
    assert "Roll-up notice of public funds of the communities" in text
    assert "combined collection rate of 70.73%" in text
    assert "2,849.23" in text  # the income of all books


def test_workbook_totals_are_live_sums_in_yuan(two_ledgers: list[str]) -> None:
    out = io.BytesIO()
    render_xlsx(_district(two_ledgers, NOVEMBER), out)
    workbook = load_workbook(io.BytesIO(out.getvalue()))
    assert workbook.sheetnames == [
        "Summary",
        "By community",
        "By kind of fund",
        "Micro-funds",
        "Trust property",
        "Village revenue",
        "Ledger digests",
    ]
    ws = workbook["By community"]
    assert [c.value for c in ws[4]] == [
        "Community",
        "Ledger",
        "Books",
        "Income",
        "Spending",
        "Closing balance",
    ]
    first, last = 5, 9
    assert ws.cell(row=last, column=1).value == "翠苑社区"
    assert ws.cell(row=last + 1, column=1).value == "Total"
    for letter, want in (("C", 5), ("D", 284_923), ("E", 16_072), ("F", 347_823)):
        assert ws[f"{letter}{last + 1}"].value == f"=SUM({letter}{first}:{letter}{last})"
        values = [ws[f"{letter}{r}"].value for r in range(first, last + 1)]
        got = sum(int(v) for v in values) if letter == "C" else sum(_fen(v) for v in values)
        assert got == want, letter
    assert ws["D5"].number_format == MONEY_FORMAT == "¥#,##0.00"
    assert _fen(ws["D5"].value) == 62_345
    trust = workbook["Trust property"]
    assert trust["F5"].value == pytest.approx(0.599, abs=1e-3)
    assert trust["F5"].number_format == "0.00%"
    summary = {
        row[0].value: row[1].value for row in workbook["Summary"].iter_rows() if len(row) > 1
    }
    assert _fen(summary["Income in the period"]) == 284_923
    assert summary["Combined collection rate"] == pytest.approx(65_478 / 92_578, abs=1e-6)

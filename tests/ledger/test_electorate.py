"""The electorate register imported from Excel: units, owners and households of a trust book,
households of a village or micro-fund book — exact areas, owners counted as art. 278 counts them,
and refusals that name the bad row and import nothing."""

from __future__ import annotations

import datetime as dt
import json
from io import BytesIO

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import MetaData
from sqlalchemy import select as sa_select
from sqlmodel import col, func, select

from ledger.errors import CancelledError, InvalidInputError, PermissionDeniedError
from ledger.models import AuditEvent, BookHousehold, Household, PropertyUnit
from ledger.services.electorate import (
    ImportSummary,
    book_kind_of,
    import_electorate,
    owners_register,
)
from ledger.services.households import add_household, book_households
from ledger.services.property import DEVELOPER_OWNER_KEY, add_unit, list_units, unit_label
from reports.electorate_xlsx import electorate_template, import_electorate_workbook
from tests.conftest import World

TRUST_HEADER = [
    "楼栋",
    "单元",
    "房号",
    "面积（㎡）",
    "业主编号",
    "业主姓名",
    "开发商未售",
    "住户",
    "人数",
]


def xlsx(rows: list[list[object]], *, leading_blank_rows: int = 0) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for _ in range(leading_blank_rows):
        sheet.append([])
    for row in rows:
        sheet.append(row)
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


def counts(world: World) -> tuple[int, int, int, int]:
    """Units, households, enrolments and audit events in the whole ledger."""
    with world.ledger.read() as s:
        return tuple(  # type: ignore[return-value]
            s.exec(select(func.count()).select_from(table)).one()
            for table in (PropertyUnit, Household, BookHousehold, AuditEvent)
        )


def do_import(world: World, book_id: int, data: bytes, user: str = "treasurer") -> ImportSummary:
    with world.ledger.write() as s:
        return import_electorate_workbook(s, book_id=book_id, data=data, actor=world.user(s, user))


def refused(world: World, book_id: int, data: bytes) -> str:
    """Import ``data``, expect a refusal, check that nothing was imported; the message."""
    before = counts(world)
    with pytest.raises(InvalidInputError) as info:
        do_import(world, book_id, data)
    assert counts(world) == before
    return str(info.value)


def trust_rows() -> list[list[object]]:
    return [
        TRUST_HEADER,
        ["1", "1", "101", "89.56", "wang", "王小明", "否", "1栋1单元101 王家", 3],
        [1, 1, 102, 72.5, "wang", "王小明", None, "1栋1单元101 王家", None],
        ["1", "2", "301", 89.56, "", "李四", "", "1栋2单元301", "2"],
        ["2", None, "101", "108", None, None, "no", None, None],
        ["2", None, "102", "59.87", None, None, "是", None, None],
        ["2", None, "103", 60, None, None, True, None, None],
        ["2", None, "104", "61.00", DEVELOPER_OWNER_KEY, None, "1", None, None],
    ]


# --- good imports ---------------------------------------------------------------------------


def test_trust_import_registers_units_owners_and_households(world: World) -> None:
    """wang's two units count once; 2-101 and 1-2-301 are owners of their own; the three unsold
    units are one owner (建设单位). 89.56 typed as a number is exactly 8956 dm²."""
    rows = trust_rows()
    rows[0] = [*TRUST_HEADER, "备注"]
    rows.insert(3, [])  # a blank row in between is skipped
    summary = do_import(world, world.trust_id, xlsx(rows, leading_blank_rows=2))
    areas = [8956, 7250, 8956, 10800, 5987, 6000, 6100]
    assert summary == ImportSummary(
        book_id=world.trust_id,
        book_name="金河绿洲物业",
        book_kind="trust_property",
        rows=7,
        units_added=7,
        households_created=2,
        households_enrolled=2,
        unit_count=7,
        owner_count=4,
        total_area_dm2=sum(areas),
        book_households=2,
        ignored_columns=("备注",),
    )
    with world.ledger.read() as s:
        units = {unit_label(u): u for u in list_units(s, book_id=world.trust_id)}
        assert [u.area_dm2 for u in units.values()] == areas
        assert units["1-2-301"].area_dm2 == 8956
        assert {label: u.owner_key for label, u in units.items()} == {
            "1-1-101": "wang",
            "1-1-102": "wang",
            "1-2-301": "1-2-301",
            "2-101": "2-101",
            "2-102": DEVELOPER_OWNER_KEY,
            "2-103": DEVELOPER_OWNER_KEY,
            "2-104": DEVELOPER_OWNER_KEY,
        }
        assert [label for label, u in units.items() if u.unsold] == ["2-102", "2-103", "2-104"]
        assert units["1-1-101"].owner_name == "王小明"
        wang = s.exec(select(Household).where(col(Household.label) == "1栋1单元101 王家")).one()
        li = s.exec(select(Household).where(col(Household.label) == "1栋2单元301")).one()
        assert (wang.members, li.members) == (3, 2)
        assert units["1-1-101"].household_id == units["1-1-102"].household_id == wang.id
        assert units["1-2-301"].household_id == li.id
        assert units["2-101"].household_id is None
        assert [h.label for h in book_households(s, book_id=world.trust_id)] == [
            wang.label,
            li.label,
        ]
        electorate = owners_register(s, book_id=world.trust_id)
        assert electorate.owner_count == 4
        assert electorate.owner_area["wang"] == 8956 + 7250
        assert electorate.owner_area[DEVELOPER_OWNER_KEY] == 5987 + 6000 + 6100
        assert electorate.developer_key == DEVELOPER_OWNER_KEY
        events = s.exec(select(AuditEvent)).all()
        imported = [e for e in events if e.action == "electorate.imported"]
        assert len(imported) == 1
        detail = json.loads(imported[0].detail)
        assert detail["units_added"] == 7
        assert detail["owners"] == 4
        assert detail["area_m2"] == "540.49"
        assert len(detail["file_sha256"]) == 64
        assert not any("王小明" in e.detail or "李四" in e.detail for e in events)


def test_english_headers_in_any_case_and_an_existing_household(world: World) -> None:
    with world.ledger.write() as s:
        add_household(s, label="5-501 张家", members=4, actor=world.user(s, "treasurer"))
    rows: list[list[object]] = [
        ["Building", "ROOM", "Area (m²)", " owner key ", "Unsold", "Household", "members"],
        ["5", "501", "120.5", "zhang", "false", "5-501 张家", 4],
        ["5", "502", "99.99", "zhang", "FALSE", "5-501 张家", None],
    ]
    summary = do_import(world, world.trust_id, xlsx(rows))
    assert (summary.units_added, summary.households_created, summary.households_enrolled) == (
        2,
        0,
        1,
    )
    assert (summary.owner_count, summary.total_area_dm2) == (1, 12050 + 9999)


def test_a_second_import_adds_to_the_register(world: World) -> None:
    with world.ledger.write() as s:
        add_unit(
            s,
            book_id=world.trust_id,
            building="9",
            room="901",
            area="50",
            actor=world.user(s, "treasurer"),
        )
    summary = do_import(
        world, world.trust_id, xlsx([["楼栋", "房号", "建筑面积"], ["9", "902", "50.5"]])
    )
    assert (summary.units_added, summary.unit_count, summary.owner_count) == (1, 2, 2)
    assert summary.total_area_dm2 == 10050


def test_village_import_registers_households_with_shares(world: World) -> None:
    with world.ledger.write() as s:
        add_household(s, label="一组03户", members=5, shares=30, actor=world.user(s, "treasurer"))
    rows: list[list[object]] = [
        ["户名", "户主", "人数", "股数"],
        ["一组01户", "张三", 3, 10],
        ["一组02户", None, "4", 20.0],
        ["一组03户", None, None, None],
        ["一组04户", "", None, None],
    ]
    summary = do_import(world, world.village_id, xlsx(rows))
    assert (summary.rows, summary.households_created, summary.households_enrolled) == (4, 3, 4)
    assert (summary.units_added, summary.owner_count, summary.book_households) == (0, 0, 4)
    with world.ledger.read() as s:
        held = {
            h.label: (h.members, h.shares, h.head_name)
            for h in book_households(s, book_id=world.village_id)
        }
    assert held == {
        "一组01户": (3, 10, "张三"),
        "一组02户": (4, 20, ""),
        "一组03户": (5, 30, ""),
        "一组04户": (1, 0, ""),
    }


def test_micro_fund_import_enrols_households(world: World) -> None:
    rows: list[list[object]] = [["household", "head", "members"], ["碧鸡桥 3-2-501", "王", 2]]
    summary = do_import(world, world.fund_id, xlsx(rows))
    assert (summary.households_created, summary.book_households) == (1, 1)


def test_the_template_has_the_header_and_imports_once_filled_in(world: World) -> None:
    workbook = load_workbook(BytesIO(electorate_template("trust_property")))
    sheet = workbook.active
    header = [c.value for c in sheet[1]]
    assert header == [
        "楼栋",
        "单元",
        "房号",
        "专有面积（m²）",
        "业主编号",
        "业主姓名",
        "开发商未售",
        "住户",
        "人数",
    ]
    assert sheet["A1"].font.b
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["D"].width == 16
    sheet.append(["3", "1", "0201", "89.50", "", "", "否", "", None])
    out = BytesIO()
    workbook.save(out)
    summary = do_import(world, world.trust_id, out.getvalue())
    assert (summary.units_added, summary.total_area_dm2) == (1, 8950)
    with world.ledger.read() as s:
        assert unit_label(list_units(s, book_id=world.trust_id)[0]) == "3-1-0201"

    village = load_workbook(BytesIO(electorate_template("village_collective"))).active
    assert [c.value for c in village[1]] == ["户名", "户主", "人数", "股数"]
    fund = load_workbook(BytesIO(electorate_template("micro_fund"))).active
    assert [c.value for c in fund[1]] == ["户名", "户主", "人数"]
    assert book_kind_of("collective_revenue") == book_kind_of("village_collective")
    with pytest.raises(InvalidInputError, match="not a kind of book"):
        electorate_template("parish")


# --- refusals: the row number, and nothing imported -----------------------------------------


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (["1", "1", "", "80", "", "", "", "", None], "“房号” is empty"),
        ([None, "1", "105", "80", "", "", "", "", None], "“楼栋” is empty"),
        (["1", "1", "105", None, "", "", "", "", None], "“面积（㎡）” is empty"),
        (["1", "1", "105", "abc", "", "", "", "", None], "“abc” is not an area"),
        (["1", "1", "105", "-5", "", "", "", "", None], "more than zero"),
        (["1", "1", "105", -5, "", "", "", "", None], "more than zero"),
        (["1", "1", "105", "0", "", "", "", "", None], "more than zero"),
        (["1", "1", "105", "89.555", "", "", "", "", None], "more than two decimal places"),
        (["1", "1", "105", 89.555, "", "", "", "", None], "“89.555” has more than two decimal"),
        (["1", "1", "105", True, "", "", "", "", None], "cannot hold True"),
        (["1", "1", "105", "80", "", "", "maybe", "", None], "must say yes or no"),
        (["1", "1", "105", "80", "", "", 2, "", None], "must say yes or no"),
        (["1", "1", "105", "80", "", "", "", "X", "three"], "must be a whole number"),
        (["1", "1", "105", "80", "", "", "", "X", -1], "must be a whole number"),
        (["1", "1", "105", "80", "", "", "", "X", 2.5], "got “2.5”"),
        (["1", "1", "105", "80", "", "", "", "", 3], "names no household"),
        (
            ["1", "1", dt.datetime(2024, 1, 2), "80", "", "", "", "", None],
            "holds a date (2024-01-02)",
        ),
        (["1-2", "1", "105", "80", "", "", "", "", None], "without “-”"),
        (["1", "1", "101", "80", "", "", "", "", None], "unit 1-1-101 is also on row 2"),
        (
            ["1", "1", "105", "80", "", "", "", "1栋1单元101 王家", 5],
            "registered with 3 under “人数”",
        ),
        (["1", "1", "105", "80", "dev2", "", "是", "", None], "carry the owner key “建设单位”"),
    ],
)
def test_a_bad_row_is_refused_with_its_number(
    world: World, row: list[object], expected: str
) -> None:
    """The bad row is the last (row 9, after seven good rows); the seven are not kept either."""
    rows = [*trust_rows(), row]
    message = refused(world, world.trust_id, xlsx(rows))
    assert message.startswith("Row 9: ")
    assert expected in message


def test_row_numbers_are_excel_rows_past_blank_rows(world: World) -> None:
    rows: list[list[object]] = [TRUST_HEADER, [], ["1", "1", "101", "8o", "", "", "", "", None]]
    message = refused(world, world.trust_id, xlsx(rows, leading_blank_rows=3))
    assert message.startswith("Row 6: “8o” is not an area")


def test_a_unit_already_in_the_book_is_refused(world: World) -> None:
    with world.ledger.write() as s:
        add_unit(
            s,
            book_id=world.trust_id,
            building="2",
            room="104",
            area="61",
            actor=world.user(s, "treasurer"),
        )
    message = refused(world, world.trust_id, xlsx(trust_rows()))
    assert message == "Row 8: Unit 2-104 is already registered in “金河绿洲物业”."


def test_unsold_units_under_two_owner_keys_are_refused(world: World) -> None:
    rows = [
        *trust_rows()[:5],
        ["3", None, "1", "50", "dev-a", None, "是", None, None],
        ["3", None, "2", "50", "dev-b", None, "是", None, None],
    ]
    message = refused(world, world.trust_id, xlsx(rows))
    assert message.startswith("Row 7: The developer's unsold units")
    assert "“dev-a”" in message


def test_a_missing_required_column_is_named(world: World) -> None:
    rows: list[list[object]] = [["楼栋", "单元", "面积"], ["1", "1", "80"]]
    message = refused(world, world.trust_id, xlsx(rows))
    assert "no column “房号”" in message
    assert "房间号 / 门牌号 / room" in message
    assert "楼栋, 单元, 房号, 专有面积（m²）" in message
    message = refused(world, world.village_id, xlsx([["户主", "股数"], ["张三", 3]]))
    assert "no column “户名”" in message


def test_two_columns_for_one_thing_are_refused(world: World) -> None:
    message = refused(
        world, world.trust_id, xlsx([["楼栋", "房号", "面积", "建筑面积"], ["1", "1", "1", "1"]])
    )
    assert "two columns for the same thing: “面积” and “建筑面积”" in message


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"building,room,area\n1,101,89.56\n", "not an Excel workbook"),
        (b"", "not an Excel workbook"),
        (b"PK\x03\x04 broken zip", "not an Excel workbook"),
        (xlsx([]), "The first sheet of the workbook is empty"),
        (xlsx([[None, "  "]]), "The first sheet of the workbook is empty"),
        (xlsx([TRUST_HEADER], leading_blank_rows=1), "header row (row 2) but no rows under it"),
    ],
)
def test_files_that_are_not_registers_are_refused(world: World, data: bytes, expected: str) -> None:
    assert expected in refused(world, world.trust_id, data)


def test_village_rows_are_checked(world: World) -> None:
    with world.ledger.write() as s:
        add_household(s, label="一组09户", members=2, shares=5, actor=world.user(s, "treasurer"))
    header = ["户名", "户主", "人数", "股数"]
    good = ["一组01户", "张三", 3, 10]
    cases: list[tuple[list[object], str]] = [
        (["一组01户", None, None, None], "Row 3: household “一组01户” is also on row 2"),
        (["一组02户", None, None, -3], "Row 3: “股数” must be a whole number"),
        (
            ["一组02户", None, "2人", None],
            "Row 3: “人数” must be a whole number, 0 or more; got “2人”",
        ),
        ([None, "李四", 2, 1], "Row 3: “户名” is empty"),
        (
            ["一组09户", None, None, 6],
            "Row 3: household “一组09户” is registered with 5 under “股数”",
        ),
        (["x" * 101, None, None, None], "Row 3: A household needs a label of 1 to 100 characters"),
    ]
    for bad, expected in cases:
        assert expected in refused(world, world.village_id, xlsx([header, good, bad]))
    do_import(world, world.village_id, xlsx([header, ["一组09户", None, None, None]]))
    message = refused(world, world.village_id, xlsx([header, good, ["一组09户", None, 2, None]]))
    assert message == "Row 3: Household “一组09户” is already a household of “全兴村”."


def test_only_treasurers_and_administrators_import(world: World) -> None:
    before = counts(world)
    with pytest.raises(PermissionDeniedError):
        do_import(world, world.trust_id, xlsx(trust_rows()), user="auditor")
    assert counts(world) == before


def test_owners_register_refuses_other_books_and_empty_registers(world: World) -> None:
    with world.ledger.read() as s:
        with pytest.raises(InvalidInputError, match="trust-style property book"):
            owners_register(s, book_id=world.village_id)
        with pytest.raises(InvalidInputError, match="no units"):
            owners_register(s, book_id=world.trust_id)


# --- progress -----------------------------------------------------------------------------------


def every_row(world: World) -> dict[str, list[tuple[object, ...]]]:
    meta = MetaData()
    meta.reflect(world.ledger.engine)
    with world.ledger.engine.connect() as conn:
        return {
            t.name: sorted(map(tuple, conn.execute(sa_select(t)).all()), key=repr)
            for t in meta.sorted_tables
        }


def village_sheet(households: int) -> list[tuple[int, list[object]]]:
    rows: list[list[object]] = [["户名", "户主", "人数", "股数"]]
    rows += [[f"二组{i:03d}户", None, 1 + i % 5, i % 7] for i in range(households)]
    return list(enumerate(rows, start=1))


def test_progress_counts_the_rows_up_to_the_total(world: World) -> None:
    seen: list[tuple[int, int]] = []
    with world.ledger.write() as s:
        summary = import_electorate(
            s,
            book_id=world.village_id,
            rows=iter(village_sheet(450)),  # a stream, as read from a workbook
            actor=world.user(s, "treasurer"),
            progress=lambda done, total: seen.append((done, total)),
        )
    assert summary.rows == 450
    assert seen[0] == (0, 450) and seen[-1] == (450, 450)
    assert {total for _done, total in seen} == {450}
    assert [done for done, _total in seen] == sorted({done for done, _total in seen})
    assert len(seen) > 100  # a bar that moves, not one jump


def test_raising_from_progress_cancels_the_import(world: World) -> None:
    before = every_row(world)

    def cancel_half_way(done: int, total: int) -> None:
        if done >= total // 2:
            raise CancelledError("Cancelled; nothing was written.")

    with pytest.raises(CancelledError), world.ledger.write() as s:
        import_electorate(
            s,
            book_id=world.village_id,
            rows=village_sheet(300),
            actor=world.user(s, "treasurer"),
            progress=cancel_half_way,
        )
    assert every_row(world) == before


def test_a_damaged_workbook_is_refused_in_one_short_message(world: World) -> None:
    # A local header whose name length is damaged: the zip library's reason quotes the bytes it
    # read as the name, kilobytes of them.
    data = bytearray(xlsx([TRUST_HEADER, ["1", "101", "89.56"]]))
    local = data.rindex(b"PK\x03\x04", 0, data.index(b"xl/theme/theme1.xml"))
    data[local + 26 : local + 28] = (4000).to_bytes(2, "little")
    message = refused(world, world.trust_id, bytes(data))
    assert message.startswith("The file is not an Excel workbook that can be read (")
    assert len(message) < 400

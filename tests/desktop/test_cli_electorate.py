"""The electorate commands as a treasurer uses them: a blank template, an import that prints one
line, a listing without owners' names, and refusals that name the row and change nothing."""

from __future__ import annotations

import json
from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from tests.desktop.test_cli import dump, run

HEADER = [
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
GOOD_ROWS: list[list[object]] = [
    ["1", "1", "101", "89.56", "wang", "王小明", "否", "1-1-101 王家", 3],
    ["1", "1", "102", 72.5, "wang", "王小明", None, None, None],
    ["1", "2", "301", 89.56, None, "李四", None, None, None],
    ["2", None, "101", "59.87", None, None, "是", None, None],
    ["2", None, "102", 60, None, None, "是", None, None],
]


def write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    workbook.save(path)
    return path


@pytest.fixture
def estate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """A ledger with 金河绿洲物业 (book 1, trust) and 全兴村 (book 2, village)."""
    path = tmp_path / "estate.sqlite"
    assert run(capsys, "init", str(path), "--lang", "en")[0] == 0
    for kind, name in [("trust_property", "金河绿洲物业"), ("collective_revenue", "全兴村")]:
        assert run(capsys, "book", "add", str(path), "--kind", kind, "--name", name)[0] == 0
    return path


def electorate(
    capsys: pytest.CaptureFixture[str], command: str, *args: str
) -> tuple[int, str, str]:
    return run(capsys, "electorate", command, *args, "--lang", "en")


def test_import_then_list_a_trust_register(
    estate: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """wang's two units count once and the two unsold units count as one owner: 3 owners;
    89.56 + 72.50 + 89.56 + 59.87 + 60.00 = 371.49 m², exactly."""
    xlsx = write_xlsx(tmp_path / "register.xlsx", [HEADER, *GOOD_ROWS])
    code, out, err = electorate(capsys, "import", str(estate), "--book", "1", str(xlsx))
    assert code == 0, err
    assert out.strip() == (
        "Imported 5 rows into “金河绿洲物业”: 5 units added; the register now has 3 owners and "
        "371.49 m²; 1 households added, 1 enrolled."
    )
    code, out, _ = electorate(capsys, "list", str(estate), "--book", "金河绿洲物业")
    assert code == 0
    lines = out.splitlines()
    assert lines[2].split() == ["1", "1-1-101", "89.56", "wang", "1-1-101", "王家"]
    assert lines[-2].split() == ["5", "2-102", "60.00", "建设单位", "yes"]
    assert lines[-1] == (
        "5 units of 3 owners (the developer's unsold units count as one), 371.49 m² in all."
    )
    assert "王小明" not in out and "李四" not in out
    code, out, _ = electorate(capsys, "list", str(estate), "--book", "1", "--json")
    data = json.loads(out)
    assert (data["owners"], data["total_area_dm2"]) == (3, 37149)
    assert [u["area_dm2"] for u in data["units"]] == [8956, 7250, 8956, 5987, 6000]
    assert [u["unsold"] for u in data["units"]] == [False, False, False, True, True]
    assert "王小明" not in out and "owner_name" not in out


def test_import_json_and_ignored_columns(
    estate: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    xlsx = write_xlsx(tmp_path / "r.xlsx", [["building", "room", "area", "note"], ["3", "1", 50]])
    code, out, err = electorate(capsys, "import", str(estate), "--book", "1", str(xlsx), "--json")
    assert code == 0
    summary = json.loads(out)
    assert (summary["units_added"], summary["owner_count"], summary["total_area_dm2"]) == (
        1,
        1,
        5000,
    )
    assert summary["ignored_columns"] == ["note"]
    code, out, err = electorate(
        capsys,
        "import",
        str(estate),
        "--book",
        "1",
        str(
            write_xlsx(tmp_path / "s.xlsx", [["building", "room", "area", "note"], ["3", "2", 50]])
        ),
    )
    assert code == 0
    assert err.strip() == "Columns not read: note."


def test_import_then_list_village_households(
    estate: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows: list[list[object]] = [
        ["户名", "户主", "人数", "股数"],
        ["一组01户", "张三", 3, 10],
        ["一组02户", "李四", 4, 20],
    ]
    xlsx = write_xlsx(tmp_path / "village.xlsx", rows)
    code, out, err = electorate(capsys, "import", str(estate), "--book", "全兴村", str(xlsx))
    assert code == 0, err
    assert out.strip() == (
        "Imported 2 rows into “全兴村”: 2 households added, 2 enrolled; the book now has 2 "
        "households."
    )
    code, out, _ = electorate(capsys, "list", str(estate), "--book", "全兴村")
    assert out.splitlines()[-1].split() == ["Total", "7", "30"]
    assert "张三" not in out
    code, out, _ = electorate(capsys, "list", str(estate), "--book", "2", "--json")
    assert [(h["label"], h["members"], h["shares"]) for h in json.loads(out)["households"]] == [
        ("一组01户", 3, 10),
        ("一组02户", 4, 20),
    ]


def test_template_writes_a_header_and_keeps_an_existing_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_path = tmp_path / "blank.xlsx"
    code, out, err = electorate(capsys, "template", "--kind", "trust_property", "-o", str(out_path))
    assert code == 0, err
    assert "Wrote a blank register for a Trust-style property service book" in out
    sheet = load_workbook(out_path).active
    assert [c.value for c in sheet[1]] == HEADER
    before = out_path.read_bytes()
    code, _, err = electorate(
        capsys, "template", "--kind", "village_collective", "-o", str(out_path)
    )
    assert code == 1
    assert "exists already" in err and "--force" in err
    assert out_path.read_bytes() == before
    code, _, _ = electorate(
        capsys, "template", "--kind", "village_collective", "-o", str(out_path), "--force"
    )
    assert code == 0
    assert [c.value for c in load_workbook(out_path).active[1]] == ["户名", "户主", "人数", "股数"]


def _xlsx_bytes(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


BAD_FILES: list[tuple[str, bytes, str]] = [
    (
        "missing column",
        _xlsx_bytes([HEADER[:2] + HEADER[3:], ["1", "1", "80"]]),
        "no column “房号”",
    ),
    (
        "blank cell",
        _xlsx_bytes([HEADER, *GOOD_ROWS, ["1", "1", None, "80"]]),
        "Row 7: “房号” is empty",
    ),
    (
        "area abc",
        _xlsx_bytes([HEADER, *GOOD_ROWS, ["1", "1", "105", "abc"]]),
        "Row 7: “abc” is not an area",
    ),
    (
        "negative area",
        _xlsx_bytes([HEADER, *GOOD_ROWS, ["1", "1", "105", "-3"]]),
        "Row 7: “-3” is not an area",
    ),
    (
        "3 decimals",
        _xlsx_bytes([HEADER, *GOOD_ROWS, ["1", "1", "105", "89.555"]]),
        "Row 7: “89.555” has more than two",
    ),
    (
        "float 3 decimals",
        _xlsx_bytes([HEADER, *GOOD_ROWS, ["1", "1", "105", 89.555]]),
        "Row 7: “89.555” has more than two",
    ),
    (
        "bad yes-no",
        _xlsx_bytes([HEADER, *GOOD_ROWS, ["1", "1", "105", "80", "", "", "也许"]]),
        "Row 7: “开发商未售” must say yes or no",
    ),
    (
        "duplicate in file",
        _xlsx_bytes([HEADER, *GOOD_ROWS, ["1", "2", "301", "80"]]),
        "Row 7: unit 1-2-301 is also on row 4",
    ),
    (
        "two developer keys",
        _xlsx_bytes([HEADER, *GOOD_ROWS, ["2", None, "103", "80", "万科", None, "是"]]),
        "Row 7: The developer's unsold units",
    ),
    ("not xlsx", b"building,room,area\n1,101,80\n", "not an Excel workbook"),
    ("empty sheet", _xlsx_bytes([]), "first sheet of the workbook is empty"),
]


@pytest.mark.parametrize(("name", "data", "expected"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_a_bad_file_imports_nothing(
    estate: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    data: bytes,
    expected: str,
) -> None:
    xlsx = tmp_path / f"{name}.xlsx"
    xlsx.write_bytes(data)
    before = dump(estate)
    code, out, err = electorate(capsys, "import", str(estate), "--book", "1", str(xlsx))
    assert code == 1
    assert out == ""
    assert err.startswith("Error: ")
    assert expected in err
    assert len(err.strip().splitlines()) == 1
    assert dump(estate) == before


def test_a_unit_already_in_the_book_imports_nothing(
    estate: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(
        capsys,
        "unit",
        "add",
        str(estate),
        "--book",
        "1",
        "--building",
        "2",
        "--room",
        "102",
        "--area",
        "60",
        "--lang",
        "en",
    )
    assert code == 0, err
    before = dump(estate)
    xlsx = write_xlsx(tmp_path / "r.xlsx", [HEADER, *GOOD_ROWS])
    code, _, err = electorate(capsys, "import", str(estate), "--book", "1", str(xlsx))
    assert code == 1
    assert err.strip() == "Error: Row 6: Unit 2-102 is already registered in “金河绿洲物业”."
    assert dump(estate) == before


def test_a_missing_file_is_one_line(
    estate: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = electorate(
        capsys, "import", str(estate), "--book", "1", str(tmp_path / "nowhere.xlsx")
    )
    assert code == 1
    assert err.startswith("Error: Cannot read ") and len(err.strip().splitlines()) == 1

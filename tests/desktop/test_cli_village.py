"""The 3331 commands as a village treasurer uses them: schedule, households, distribute,
statement — outputs, JSON in fen, and refusals that are one line and change nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.desktop.test_cli import dump, run


@pytest.fixture
def village(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """A ledger with a micro-fund (book 1) and 全兴村 (book 2), the default schedule from
    2022-01-01, and three households with 10/20/30 shares and 3/4/5 members."""
    path = tmp_path / "village.sqlite"
    assert run(capsys, "init", str(path), "--lang", "en")[0] == 0
    for kind, name in [("micro_fund", "碧鸡桥社区微基金"), ("collective_revenue", "全兴村")]:
        assert run(capsys, "book", "add", str(path), "--kind", kind, "--name", name)[0] == 0
    code, _out, err = run(
        capsys,
        "schedule",
        "set",
        str(path),
        "--book",
        "全兴村",
        "--start",
        "2022-01-01",
        "--lang",
        "en",
    )
    assert code == 0, err
    for label, shares, members in [("一组01户", 10, 3), ("一组02户", 20, 4), ("一组03户", 30, 5)]:
        code, _out, err = village_cmd(
            capsys,
            path,
            "household",
            "add",
            "--label",
            label,
            "--shares",
            str(shares),
            "--members",
            str(members),
        )
        assert code == 0, err
    return path


def village_cmd(
    capsys: pytest.CaptureFixture[str], path: Path, *args: str, book: str = "全兴村"
) -> tuple[int, str, str]:
    group, *rest = args
    if group in {"household", "schedule"}:
        sub, *rest = rest
        return run(capsys, group, sub, str(path), "--book", book, "--lang", "en", *rest)
    return run(capsys, group, str(path), "--book", book, "--lang", "en", *rest)


def test_schedule_set_and_show(village: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The default: 70% in year 1, 7000 × 18/20 = 63% in year 3, 7000 × 1/20 = 3.5% in year 20."""
    code, out, _ = village_cmd(capsys, village, "schedule", "show")
    assert code == 0
    assert "contract from 2022-01-01, 20 years" in out
    lines = out.splitlines()
    year3 = next(line for line in lines if line.split()[:1] == ["3"])
    assert year3.split() == ["3", "2024-01-01", "2024-12-31", "63%", "37%"]
    assert next(line for line in lines if line.split()[:1] == ["20"]).split()[3] == "3.5%"
    code, out, _ = village_cmd(capsys, village, "schedule", "show", "--json")
    rows = json.loads(out)["rows"]
    assert [r["investor_bp"] for r in rows[:3]] == [7000, 6650, 6300]

    code, out, _ = village_cmd(
        capsys, village, "schedule", "set", "--curve", "step", "--step-years", "5", "--json"
    )
    assert code == 0
    assert [r["investor_bp"] for r in json.loads(out)["rows"]][4:6] == [7000, 5250]
    code, out, _ = village_cmd(capsys, village, "schedule", "set", "--year", "6", "--share", "50%")
    assert code == 0
    assert next(line for line in out.splitlines() if line.split()[:1] == ["6"]).split()[3] == "50%"


def test_households_list(village: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = village_cmd(capsys, village, "household", "list")
    assert code == 0
    assert out.splitlines()[-1].split() == ["Total", "60", "12"]
    code, out, _ = village_cmd(
        capsys, village, "household", "set", "--household", "一组01户", "--members", "4"
    )
    assert code == 0 and "now has 10 shares and 4 members" in out
    code, out, _ = village_cmd(capsys, village, "household", "list", "--json")
    assert [h["members"] for h in json.loads(out)] == [4, 4, 5]
    assert "head" not in out


def test_distribute_prints_the_contract_year_and_the_3331_table(
    village: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """¥600,000.00 for 2024 = contract year 3: investor 63% = ¥378,000.00; collective 37% =
    ¥222,000.00 → ¥66,600.00 ×3 and ¥22,200.00; household 一组01户: 66,600 × 10/60 = ¥11,100.00
    + 22,200 × 3/12 = ¥5,550.00 = ¥16,650.00."""
    code, out, err = village_cmd(
        capsys, village, "distribute", "--period", "2024", "--profit", "600,000"
    )
    assert code == 0, err
    assert "Contract year 3: the investor's share is 63%, CN¥378,000.00." in out
    assert "The collective's part, 37%: CN¥222,000.00, shared 3:3:3:1:" in out
    table = {line.split("  ")[0]: line.split() for line in out.splitlines()}
    assert table["Shareholders (by shares)"][-3:] == ["3", "330102", "CN¥66,600.00"]
    assert table["All villagers (per capita)"][-3:] == ["1", "330105", "CN¥22,200.00"]
    assert table["Total"][-1] == "CN¥600,000.00"

    code, out, _ = village_cmd(capsys, village, "statement", "--period", "2024")
    assert code == 0
    rows = {line.split()[0]: line.split()[1:] for line in out.splitlines() if line}
    assert rows["一组01户"] == ["10", "3", "CN¥11,100.00", "CN¥5,550.00", "CN¥16,650.00"]
    assert rows["一组03户"] == ["30", "5", "CN¥33,300.00", "CN¥9,250.00", "CN¥42,550.00"]

    code, out, _ = village_cmd(capsys, village, "statement", "--period", "2024", "--json")
    data = json.loads(out)
    assert (data["contract_year"], data["investor_bp"], data["investor_fen"]) == (
        3,
        6300,
        37_800_000,
    )
    assert [p["amount_fen"] for p in data["parts"]] == [6_660_000, 6_660_000, 6_660_000, 2_220_000]
    assert sum(h["total_fen"] for h in data["households"]) == 6_660_000 + 2_220_000
    code, out, _ = run(capsys, "verify", str(village), "--lang", "en")
    assert code == 0


def test_distribute_defaults_to_the_books_profit(
    village: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Takings ¥1,000.00 less costs ¥400.00 in 2024 = ¥600.00; investor 63% = ¥378.00."""
    for lines in (["1002=1000", "4101=-1000"], ["5101=400", "1002=-400"]):
        code, _, err = run(
            capsys,
            "post",
            str(village),
            "--book",
            "全兴村",
            "--date",
            "2024-06-30",
            "--memo",
            "民宿经营",
            "--lang",
            "en",
            *lines,
        )
        assert code == 0, err
    code, out, _ = village_cmd(capsys, village, "distribute", "--period", "2024", "--json")
    assert code == 0
    data = json.loads(out)
    assert (data["profit_fen"], data["investor_fen"]) == (60_000, 37_800)


def refused(
    capsys: pytest.CaptureFixture[str], path: Path, words: str, *args: str, book: str = "全兴村"
) -> None:
    before = dump(path)
    code, out, err = village_cmd(capsys, path, *args, book=book)
    assert code == 1
    assert out == ""
    assert err.startswith("Error: ") and err.count("\n") == 1
    assert words in err
    assert dump(path) == before


def test_bad_inputs_are_one_line_and_change_nothing(
    village: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    refused(
        capsys,
        village,
        "all zero",
        "distribute",
        "--period",
        "2024",
        "--profit",
        "600000",
        "--weights",
        "0:0:0:0",
    )
    refused(
        capsys,
        village,
        "a loss or zero profit: nothing is distributed",
        "distribute",
        "--period",
        "2024",
        "--profit",
        "0",
    )
    refused(
        capsys,
        village,
        "a loss or zero profit: nothing is distributed",
        "distribute",
        "--period",
        "2024",
        "--profit=-12,500.00",
    )
    # no --profit and an empty book: the book's profit is zero
    refused(
        capsys,
        village,
        "a loss or zero profit: nothing is distributed",
        "distribute",
        "--period",
        "2024",
    )
    refused(
        capsys, village, "between 0% and 100%", "schedule", "set", "--year", "2", "--share", "101%"
    )
    refused(capsys, village, "between 0% and 100%", "schedule", "set", "--start-share", "10001bp")
    refused(
        capsys,
        village,
        "village collective revenue book",
        "distribute",
        "--period",
        "2024",
        "--profit",
        "600000",
        book="碧鸡桥社区微基金",
    )
    refused(
        capsys,
        village,
        "village collective revenue book",
        "schedule",
        "set",
        "--start",
        "2022-01-01",
        book="碧鸡桥社区微基金",
    )
    refused(
        capsys,
        village,
        "village collective revenue book",
        "household",
        "add",
        "--label",
        "外村01户",
        book="碧鸡桥社区微基金",
    )

    assert (
        village_cmd(capsys, village, "distribute", "--period", "2024", "--profit", "600000")[0] == 0
    )
    refused(
        capsys,
        village,
        "The profit of 2024 has already been distributed",
        "distribute",
        "--period",
        "2024",
        "--profit",
        "600000",
    )
    refused(
        capsys,
        village,
        "already used by the distribution of 2024",
        "schedule",
        "set",
        "--year",
        "3",
        "--share",
        "60%",
    )
    refused(capsys, village, "has not been distributed", "statement", "--period", "2023")


def test_a_distribution_with_no_shareholders_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "v.sqlite"
    assert run(capsys, "init", str(path))[0] == 0
    assert (
        run(capsys, "book", "add", str(path), "--kind", "collective_revenue", "--name", "全兴村")[0]
        == 0
    )
    assert village_cmd(capsys, path, "schedule", "set", "--start", "2022-01-01")[0] == 0
    assert (
        village_cmd(capsys, path, "household", "add", "--label", "一组01户", "--members", "4")[0]
        == 0
    )
    refused(
        capsys,
        path,
        "No household holds shares",
        "distribute",
        "--period",
        "2024",
        "--profit",
        "600000",
    )
    # with the shareholders' weight at 0 the same village can distribute
    code, out, _ = village_cmd(
        capsys,
        path,
        "distribute",
        "--period",
        "2024",
        "--profit",
        "600000",
        "--weights",
        "0:3:3:1",
        "--json",
    )
    assert code == 0
    assert json.loads(out)["parts"][0]["amount_fen"] == 0


def test_a_distribution_needs_a_schedule(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "v.sqlite"
    assert run(capsys, "init", str(path))[0] == 0
    assert (
        run(capsys, "book", "add", str(path), "--kind", "collective_revenue", "--name", "全兴村")[0]
        == 0
    )
    refused(capsys, path, "has no capital-exit schedule yet", "schedule", "show")
    refused(capsys, path, "contract started with --start", "schedule", "set", "--years", "10")
    refused(
        capsys,
        path,
        "has no capital-exit schedule yet",
        "distribute",
        "--period",
        "2024",
        "--profit",
        "1000",
    )


def test_a_household_added_with_its_head_is_one_operation_that_never_names_the_head(
    village: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = village_cmd(
        capsys, village, "household", "add", "--label", "二组01户", "--head-name", "张德明"
    )
    assert code == 0, err
    assert out == "Added household 4 “二组01户” to “全兴村”: 0 shares, 1 members.\n"
    lines = dump(village)
    operations = [line for line in lines if "village.household.add" in line]
    assert len(operations) == 4 and '"label": "二组01户"' in operations[-1]
    assert [
        line for line in lines if "张德明" in line and 'INSERT INTO "household"' not in line
    ] == []

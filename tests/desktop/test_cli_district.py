"""``gongzhang district report`` as a sub-district officer uses it: many ledgers in, one roll-up
notice out as PDF or Excel, and every refusal in one line with no file written."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.conftest import World
from tests.desktop.test_cli import run
from tests.reports.conftest import pdf_fonts, pdf_text


@pytest.fixture
def ledgers(demo_path: Path, tmp_path: Path) -> list[Path]:
    """Two copies of the demo ledger (two files, the same three communities in each)."""
    copies = [tmp_path / "tianma.sqlite", tmp_path / "jiujiang.sqlite"]
    for copy in copies:
        shutil.copy(demo_path, copy)
    return copies


def test_pdf_in_chinese_of_two_ledgers(
    ledgers: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out" / "district.pdf"
    code, stdout, err = run(
        capsys, "district", "report", *map(str, ledgers), "--period", "2024-11",
        "--format", "pdf", "--lang", "zh", "--name", "九江街道", "-o", str(out),
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert str(out) in stdout
    text = pdf_text(out)
    assert "九江街道公共资金汇总公示" in text
    assert "tianma.sqlite" in text and "jiujiang.sqlite" in text
    assert "第 1 页" in text
    assert any("WenQuanYi" in name and embedded for name, embedded in pdf_fonts(out).items())


def test_excel_in_english_with_json(
    ledgers: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "district.xlsx"
    code, stdout, _err = run(
        capsys, "district", "report", *map(str, ledgers), "--period", "2024-Q4",
        "-o", str(out), "--lang", "en", "--json",
    )  # fmt: skip
    assert code == 0
    assert json.loads(stdout) == {
        "file": str(out), "format": "xlsx", "period": "2024-Q4", "ledgers": 2, "books": 6
    }  # fmt: skip
    ws = load_workbook(out)["By community"]
    assert [ws.cell(row=r, column=2).value for r in range(5, 11)] == (
        ["tianma.sqlite"] * 3 + ["jiujiang.sqlite"] * 3
    )
    assert ws["D11"].value == "=SUM(D5:D10)"
    assert ws["D5"].number_format == "¥#,##0.00"


def test_a_database_and_a_file_together(
    world: World, ledger_target: str, demo_path: Path, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    """The ``world`` ledger (the test database when one is set) beside the demo file."""
    out = tmp_path / "mixed.xlsx"
    code, stdout, _err = run(
        capsys, "district", "report", ledger_target, str(demo_path), "--period", "2024",
        "-o", str(out), "--json", "--lang", "en",
    )  # fmt: skip
    assert code == 0
    assert json.loads(stdout)["books"] == 3 + 3
    communities = [
        row[0].value for row in load_workbook(out)["By community"].iter_rows(min_row=5, max_row=10)
    ]
    assert communities[:3] == ["碧鸡桥社区微基金", "金河绿洲物业", "全兴村"]
    assert communities[3] == "都江堰市天马镇碧鸡桥社区"


def _refused(capsys: pytest.CaptureFixture[str], tmp_path: Path, *args: str) -> tuple[int, str]:
    """Run the command into ``tmp_path/out/``; it must write nothing at all."""
    out = tmp_path / "out" / "district.pdf"
    code, stdout, err = run(capsys, "district", "report", *args, "-o", str(out), "--lang", "en")
    assert not (tmp_path / "out").exists()
    assert stdout == ""
    return code, err


def test_a_missing_file_is_named_and_nothing_is_written(
    ledgers: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "typo.sqlite"
    code, err = _refused(capsys, tmp_path, str(ledgers[0]), str(missing), "--period", "2024-11")
    assert code == 1
    assert err == f"Error: There is no ledger at {missing}; check the name. Nothing was written.\n"


def test_files_that_are_not_ledgers_are_refused_untouched(
    ledgers: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("账目说明", encoding="utf-8")
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE t (x INTEGER)")
    conn.close()
    before = other.read_bytes()
    for source, words in (
        (notes, "is not a Gongzhang ledger (it is not a database file)"),
        (other, "is a database, but not a Gongzhang ledger"),
        (tmp_path, "is a folder, not a ledger file"),
    ):
        code, err = _refused(capsys, tmp_path, str(ledgers[0]), str(source), "--period", "2024")
        assert code == 1
        assert err.startswith("Error: ") and words in err and err.count("\n") == 1, err
    assert other.read_bytes() == before
    assert notes.read_text(encoding="utf-8") == "账目说明"


def test_bad_periods_and_repeated_sources(
    ledgers: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = _refused(capsys, tmp_path, str(ledgers[0]), "--period", "2024-13")
    assert code == 1
    assert "“2024-13” is not a period" in err
    code, err = _refused(capsys, tmp_path, str(ledgers[0]), str(ledgers[0]), "--period", "2024")
    assert code == 1
    assert "is named twice; each ledger is counted once" in err


def test_no_source_or_no_period_is_a_usage_error(
    ledgers: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as caught:
        _refused(capsys, tmp_path, "--period", "2024")
    assert caught.value.code == 2
    assert "SOURCE" in capsys.readouterr().err
    with pytest.raises(SystemExit) as caught:
        _refused(capsys, tmp_path, str(ledgers[0]))
    assert caught.value.code == 2
    assert "--period" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_the_output_must_be_a_file(
    ledgers: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _out, err = run(
        capsys, "district", "report", str(ledgers[0]), "--period", "2024", "-o", str(tmp_path),
        "--lang", "en",
    )  # fmt: skip
    assert code == 1
    assert "is a folder; name the file to write" in err
    code, _out, err = run(
        capsys, "district", "report", str(ledgers[0]), "--period", "2024",
        "-o", str(tmp_path / "district.txt"), "--lang", "en",
    )  # fmt: skip
    assert code == 1
    assert "--format pdf" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["jiujiang.sqlite", "tianma.sqlite"]

"""``gongzhang report`` as a treasurer uses it: one notice as PDF or Excel, a whole period's
notices of every book at once, and every refusal in one line with no file left behind."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import create_engine

from desktop.cli_report import NOTICE_KINDS
from reports.notices.registry import KINDS
from tests.desktop.test_cli import dump, run
from tests.ledger.test_verify_digest import forge_rewrite
from tests.reports.conftest import pdf_fonts, pdf_text


@pytest.fixture
def ledger(demo_path: Path, tmp_path: Path) -> Path:
    """A copy of the demo ledger, so that a test may change it."""
    copy = tmp_path / "demo.sqlite"
    shutil.copy(demo_path, copy)
    return copy


def test_the_command_knows_every_notice() -> None:
    assert set(NOTICE_KINDS) == set(KINDS)


def test_one_notice_as_pdf_in_chinese_and_as_excel_in_english(
    ledger: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pdf = tmp_path / "out" / "fund.pdf"
    code, out, err = run(
        capsys, "report", str(ledger), "--book", "1", "--kind", "income_expenditure",
        "--period", "2024", "-o", str(pdf), "--lang", "zh", "--user", "admin",
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert str(pdf) in out
    text = pdf_text(pdf)
    assert "碧鸡桥社区微基金" in text and "第 1 页" in text
    assert any("WenQuanYi" in name and embedded for name, embedded in pdf_fonts(pdf).items())

    xlsx = tmp_path / "trust.xlsx"
    code, out, _ = run(
        capsys, "report", str(ledger), "--book", "2", "--kind", "property_monthly",
        "--period", "2024-11", "-o", str(xlsx), "--lang", "en", "--json",
    )  # fmt: skip
    assert code == 0
    assert json.loads(out) == {
        "file": str(xlsx), "kind": "property_monthly", "book": 2, "format": "xlsx"
    }  # fmt: skip
    workbook = load_workbook(xlsx)
    assert workbook.sheetnames[0] == "Summary" and len(workbook.sheetnames) > 2


def test_all_notices_of_a_period(
    ledger: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "2024-12"
    code, out, _ = run(
        capsys, "report", str(ledger), "--all", "--period", "2024-12", "-o", str(folder),
        "--json", "--lang", "en",
    )  # fmt: skip
    assert code == 0
    files = json.loads(out)["files"]
    names = sorted(Path(f["file"]).name for f in files)
    # Every book's periodic notices in both formats, and the three votes closed in December.
    assert "1-income_expenditure-2024-12.pdf" in names
    assert "2-property_monthly-2024-12.xlsx" in names
    assert "3-revenue_sharing-2024-12.pdf" in names
    assert {"2-vote-1-2024-12.pdf", "1-vote-2-2024-12.pdf", "3-vote-3-2024-12.pdf"} <= set(names)
    assert all((folder / name).stat().st_size > 0 for name in names)
    assert sorted(p.name for p in folder.iterdir()) == names  # no temporary file left


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--book", "1", "--kind", "property_monthly", "--period", "2024-11"], "for"),
        (["--book", "1", "--kind", "journal", "--period", "2024-13"], "is not a period"),
        (["--book", "1", "--kind", "journal"], "Say which period"),
        (["--book", "9", "--kind", "journal", "--period", "2024"], "book"),
        (["--book", "1", "--kind", "receipt"], "receipt"),
        (["--book", "1", "--kind", "vote"], "vote"),
        (["--book", "1", "--kind", "receipt", "--receipt", "捐-2099-0001"], "捐-2099-0001"),
        (["--book", "1", "--kind", "vote", "--vote", "1"], "1"),
    ],
)
def test_a_refused_report_says_why_and_writes_nothing(
    ledger: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    before = dump(ledger)
    out = tmp_path / "notice.pdf"
    code, stdout, err = run(capsys, "report", str(ledger), *args, "-o", str(out), "--lang", "en")
    assert code == 1 and stdout == ""
    assert err.startswith("Error:") and err.count("\n") == 1 and message in err
    assert not out.exists() and list(tmp_path.glob(".gongzhang-*")) == []
    assert dump(ledger) == before


def test_the_format_comes_from_the_file_name_or_must_be_said(
    ledger: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(
        capsys, "report", str(ledger), "--book", "1", "--kind", "journal", "--period", "2024-11",
        "-o", str(tmp_path / "journal.txt"), "--lang", "en",
    )  # fmt: skip
    assert code == 1 and "--format" in err
    code, _, _ = run(
        capsys, "report", str(ledger), "--book", "1", "--kind", "journal", "--period", "2024-11",
        "-o", str(tmp_path / "journal.txt"), "--format", "pdf",
    )  # fmt: skip
    assert code == 0 and (tmp_path / "journal.txt").read_bytes().startswith(b"%PDF")


def test_the_digest_on_a_notice_verifies_until_the_books_are_rewritten(
    ledger: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """What a resident does with the QR code: the notice's digest checks out against the books;
    after a forger rewrites an entry the notice covers (and re-chains everything after it, so
    that plain ``verify`` passes), it no longer does."""
    pdf = tmp_path / "notice.pdf"
    code, _, _ = run(
        capsys, "report", str(ledger), "--book", "1", "--kind", "income_expenditure",
        "--period", "2024-10", "-o", str(pdf), "--lang", "en",
    )  # fmt: skip
    assert code == 0
    flat = re.sub(r"\s+", "", pdf_text(pdf))
    digests = re.findall(r"(?<![0-9a-f])[0-9a-f]{64}(?![0-9a-f])", flat)
    assert len(digests) == 1
    digest = digests[0]
    code, out, _ = run(capsys, "verify", str(ledger), "--digest", digest, "--lang", "en")
    assert code == 0 and "covers are intact" in out

    engine = create_engine(f"sqlite:///{ledger}")
    with engine.begin() as conn:
        forge_rewrite(conn, book_id=1, number=(2024, 1), memo="改过的摘要")
    engine.dispose()
    assert run(capsys, "verify", str(ledger), "--lang", "en")[0] == 0  # the forgery is perfect
    code, out, _ = run(capsys, "verify", str(ledger), "--digest", digest, "--lang", "en")
    assert code == 1 and "does NOT contain the record" in out

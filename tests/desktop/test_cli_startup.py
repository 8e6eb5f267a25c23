"""The command line starts fast (issue 13): ``--help`` and ``--version`` import no database,
report or Qt library, and a command on an up-to-date ledger imports no migration machinery,
Qt or report library. Each check runs the command in a fresh interpreter and reads its
``sys.modules`` at the end. The timings themselves are in ``tests/benchmarks/bench_startup.py``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

from desktop import cli_choices
from desktop.cli import main

ROOT = Path(__file__).resolve().parents[2]

#: Runs ``desktop.cli.main(argv)`` and writes the top-level packages it loaded to a file.
_PROBE = """
import json, sys
out, argv = sys.argv[1], sys.argv[2:]
from desktop.cli import main
try:
    code = main(argv)
except SystemExit as exc:
    code = exc.code
with open(out, "w") as fh:
    json.dump({"code": code, "modules": sorted({m.split(".")[0] for m in sys.modules})}, fh)
"""


def loaded_by(tmp_path: Path, *argv: str) -> tuple[int, set[str], str]:
    """The exit code, the top-level packages loaded and the output of ``gongzhang ARGV``."""
    out = tmp_path / "modules.json"
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, str(out), *argv],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        env={**os.environ, "LANG": "C.UTF-8", "GONGZHANG_USER": "admin"},
    )
    assert out.exists(), done.stderr
    result = json.loads(out.read_text())
    return result["code"], set(result["modules"]), done.stdout


HEAVY_FOR_HELP = {
    "babel",
    "sqlalchemy",
    "sqlmodel",
    "pydantic",
    "PySide6",
    "reportlab",
    "openpyxl",
    "alembic",
}
HEAVY_FOR_BALANCE = {"alembic", "PySide6", "reportlab", "openpyxl", "pabutools"}
#: A ledger file at the current schema is read with the standard library's sqlite3 alone.
HEAVY_FOR_BALANCE_OF_A_FILE = HEAVY_FOR_BALANCE | {"sqlalchemy", "sqlmodel", "pydantic"}


@pytest.mark.parametrize(
    "argv",
    [("--help",), ("--version",), ("--lang", "en", "--help"), ("balance", "--help")],
)
def test_help_and_version_import_no_database_report_or_qt_library(
    tmp_path: Path, argv: tuple[str, ...]
) -> None:
    code, modules, _out = loaded_by(tmp_path, *argv)
    assert code == 0
    assert modules & HEAVY_FOR_HELP == set()


def test_version_prints_the_installed_version(tmp_path: Path) -> None:
    code, _modules, out = loaded_by(tmp_path, "--version")
    assert code == 0
    assert out == f"gongzhang {version('gongzhang')}\n"


def test_help_stays_translated(tmp_path: Path) -> None:
    _code, _modules, chinese = loaded_by(tmp_path, "--lang", "zh", "--help")
    _code, _modules, english = loaded_by(tmp_path, "--lang", "en", "--help")
    assert "用法" in chinese
    assert "显示公账的版本号并退出" in chinese
    assert "usage:" in english
    assert "print the version of Gongzhang and exit" in english


def test_balance_of_an_up_to_date_ledger_file_loads_no_orm_migrations_qt_or_reports(
    tmp_path: Path,
) -> None:
    ledger = str(tmp_path / "books.sqlite")
    assert main(["init", ledger]) == 0
    assert main(["book", "add", ledger, "--kind", "micro_fund", "--name", "微基金"]) == 0
    code, modules, out = loaded_by(tmp_path, "--lang", "en", "balance", ledger, "--book", "1")
    assert code == 0, out
    assert "Balanced." in out
    assert modules & HEAVY_FOR_BALANCE_OF_A_FILE == set()
    # By name too; a book that is not there takes the usual way and its usual message.
    code, modules, out = loaded_by(tmp_path, "--lang", "en", "balance", ledger, "--book", "微基金")
    assert code == 0, out
    assert "“微基金”" in out
    assert modules & HEAVY_FOR_BALANCE_OF_A_FILE == set()
    code, modules, _out = loaded_by(tmp_path, "--lang", "en", "balance", ledger, "--book", "9")
    assert code == 1
    assert "sqlalchemy" in modules


def test_balance_through_a_database_url_loads_no_migrations_qt_or_reports(
    tmp_path: Path,
) -> None:
    ledger = tmp_path / "books.sqlite"
    assert main(["init", str(ledger)]) == 0
    assert main(["book", "add", str(ledger), "--kind", "micro_fund", "--name", "微基金"]) == 0
    url = f"sqlite:///{ledger}"
    code, modules, out = loaded_by(tmp_path, "--lang", "en", "balance", url, "--book", "1")
    assert code == 0, out
    assert "Balanced." in out
    assert modules & HEAVY_FOR_BALANCE == set()


def test_the_parsers_choices_are_the_ledgers() -> None:
    """``desktop.cli_choices`` copies these so that the parser needs none of their modules."""
    from ledger.backup import DEFAULT_KEEP
    from ledger.db import DEFAULT_BUSY_TIMEOUT_S
    from ledger.imports import DEFAULT_BATCH
    from ledger.rules.ballots import BUDGET_BALLOT_TYPES
    from ledger.rules.meetings import Matter
    from ledger.rules.sharing import CURVES
    from ledger.services.electorate import KIND_ALIASES
    from ledger.services.property import COMMON_INCOME_SOURCES
    from ledger.services.settings import SETTINGS
    from ledger.services.votes import BallotChannel, BudgetRule, VoteKind

    assert cli_choices.DEFAULT_BUSY_TIMEOUT_S == DEFAULT_BUSY_TIMEOUT_S
    assert cli_choices.DEFAULT_KEEP == DEFAULT_KEEP
    assert cli_choices.DEFAULT_BATCH == DEFAULT_BATCH
    assert tuple(KIND_ALIASES) == cli_choices.KIND_ALIASES
    assert tuple(COMMON_INCOME_SOURCES) == cli_choices.COMMON_INCOME_SOURCES
    assert tuple(CURVES) == cli_choices.CURVES
    assert tuple(BUDGET_BALLOT_TYPES) == cli_choices.BUDGET_BALLOT_TYPES
    assert tuple(k.value for k in VoteKind) == cli_choices.VOTE_KINDS
    assert tuple(c.value for c in BallotChannel) == cli_choices.CHANNELS
    assert tuple(r.value for r in BudgetRule) == cli_choices.BUDGET_RULES
    assert tuple(m.value for m in Matter) == cli_choices.MATTERS
    assert tuple(SETTINGS) == cli_choices.SETTING_KEYS

"""``gongzhang restore`` says what it would undo and asks (``--yes`` where nobody can answer),
needs an administrator, and refuses a backup of another ledger; a refusal changes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from desktop.cli import main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main([*args, "--lang", "en"])
    out, err = capsys.readouterr()
    return code, out, err


def make(capsys: pytest.CaptureFixture[str], path: Path) -> Path:
    assert run(capsys, "init", str(path))[0] == 0
    assert run(capsys, "book", "add", str(path), "--kind", "micro_fund", "--name", "微基金")[0] == 0
    assert run(capsys, "user", "add", str(path), "--user", "admin", "--username", "li", "--role",
               "treasurer")[0] == 0  # fmt: skip
    return path


def post(capsys: pytest.CaptureFixture[str], path: Path) -> None:
    code, _out, err = run(capsys, "post", str(path), "--user", "li", "--book", "1", "--date",
                          "2024-03-01", "--memo", "捐赠", "1002=5", "410101=-5")  # fmt: skip
    assert code == 0, err


def test_restore_asks_unless_yes_and_says_what_it_undoes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = make(capsys, tmp_path / "community.sqlite")
    code, out, _err = run(capsys, "backup", str(path), "--json")
    backup = json.loads(out)["backup"]
    post(capsys, path)
    post(capsys, path)
    before = path.read_bytes()
    # Not a terminal (as under pytest): without --yes nothing happens.
    code, _out, err = run(capsys, "restore", backup, str(path), "--user", "admin")
    assert code == 1 and "--yes" in err and "2 entries" in err
    assert path.read_bytes() == before
    # A treasurer may not restore, --yes or not.
    code, _out, err = run(capsys, "restore", backup, str(path), "--user", "li", "--yes")
    assert code == 1 and "only an administrator" in err
    assert path.read_bytes() == before
    code, out, err = run(capsys, "restore", backup, str(path), "--user", "admin", "--yes")
    assert code == 0, err
    # each post: the operation's event and the entry's (the record of changes is not counted)
    assert "2 entries and 4 audit events" in out and "记-2024-0002, 记-2024-0001" in out
    assert "verified intact" in out


def test_restore_refuses_a_backup_of_another_ledger(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    one = make(capsys, tmp_path / "one.sqlite")
    two = make(capsys, tmp_path / "two.sqlite")
    code, out, _err = run(capsys, "backup", str(one), "--json")
    backup = json.loads(out)["backup"]
    before = two.read_bytes()
    code, _out, err = run(capsys, "restore", backup, str(two), "--user", "admin", "--yes")
    assert code == 1 and "backup of another ledger" in err
    assert two.read_bytes() == before


def test_a_lost_ledger_is_restored_by_an_administrator_of_the_backup(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = make(capsys, tmp_path / "community.sqlite")
    code, out, _err = run(capsys, "backup", str(path), "--json")
    backup = json.loads(out)["backup"]
    path.unlink()
    code, _out, err = run(capsys, "restore", backup, str(path), "--user", "li", "--yes")
    assert code == 1 and "only an administrator" in err and not path.exists()
    code, out, err = run(capsys, "restore", backup, str(path), "--user", "admin", "--yes")
    assert code == 0, err
    assert path.exists()

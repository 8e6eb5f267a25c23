"""``gongzhang setting list|set``: a book's settings with their defaults; an administrator
changes one, typed the way it is shown; anyone else is refused and nothing changes."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from desktop.cli import main
from ledger.db import open_ledger
from ledger.services.settings import get_int
from ledger.verify import verify_ledger


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main([*args, "--lang", "en"])
    out, err = capsys.readouterr()
    return code, out, err


def dump(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


@pytest.fixture
def ledger(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    path = tmp_path / "community.sqlite"
    assert run(capsys, "init", str(path))[0] == 0
    assert run(capsys, "book", "add", str(path), "--kind", "micro_fund", "--name", "微基金")[0] == 0
    assert (
        run(capsys, "book", "add", str(path), "--kind", "trust_property", "--name", "物业")[0] == 0
    )
    assert run(capsys, "user", "add", str(path), "--username", "li", "--role", "treasurer")[0] == 0
    return path


def test_list_shows_each_setting_with_its_default(
    ledger: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _err = run(capsys, "setting", "list", str(ledger), "--book", "1", "--user", "li")
    assert code == 0
    assert "Settings of “微基金”" in out
    assert "approval_threshold_fen" in out and "CN¥1,000.00" in out
    assert "changed from the default" not in out
    assert "gift_share_bp" not in out  # a micro-fund has no remuneration to give from
    code, out, _err = run(capsys, "setting", "list", str(ledger), "--book", "物业", "--user", "li")
    assert code == 0
    assert "gift_share_bp" in out and "30.00%" in out and "fees collected" in out
    assert "approvals_required" not in out


def test_an_administrator_sets_a_setting_and_list_shows_it(
    ledger: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(
        capsys, "setting", "set", str(ledger), "--book", "1", "--user", "admin",
        "approval_threshold_fen", "1,500.00",
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert out == (
        "“微基金”: expenses needing approval, from changed from CN¥1,000.00 to CN¥1,500.00.\n"
    )
    code, out, _err = run(
        capsys, "setting", "set", str(ledger), "--book", "物业", "--user", "admin",
        "gift_share_bp", "20%", "--json",
    )  # fmt: skip
    assert code == 0
    assert json.loads(out) == {
        "book": "物业",
        "key": "gift_share_bp",
        "label": "share of the remuneration given to the micro-fund",
        "before": 3000,
        "after": 2000,
    }
    code, out, _err = run(capsys, "setting", "list", str(ledger), "--book", "1", "--json")
    listed = {s["key"]: s for s in json.loads(out)["settings"]}
    assert listed["approval_threshold_fen"]["value"] == 150_000
    assert listed["approval_threshold_fen"]["default"] == 100_000
    assert not listed["approval_threshold_fen"]["is_default"]
    assert listed["approvals_required"]["is_default"]
    code, out, _err = run(capsys, "setting", "list", str(ledger), "--book", "1", "--user", "li")
    assert "CN¥1,500.00 *" in out and "changed from the default" in out
    with open_ledger(ledger) as opened, opened.read() as s:
        assert get_int(s, 1, "approval_threshold_fen") == 150_000
        assert verify_ledger(s) == []


@pytest.mark.parametrize(
    ("user", "key", "value", "says"),
    [
        ("li", "approval_threshold_fen", "5", "may not"),
        ("admin", "bogus", "5", "Unknown setting “bogus”"),
        ("admin", "approvals_required", "12", "must be between 1 and 9; got 12"),
        ("admin", "approvals_required", "many", "must be a whole number"),
        (
            "admin",
            "gift_share_bp",
            "20%",
            "“share of the remuneration given to the micro-fund” "
            "is not a setting of a Community micro-fund book",
        ),
    ],
)
def test_a_refused_change_says_why_and_changes_nothing(
    ledger: Path, capsys: pytest.CaptureFixture[str], user: str, key: str, value: str, says: str
) -> None:
    before = dump(ledger)
    code, out, err = run(
        capsys, "setting", "set", str(ledger), "--book", "1", "--user", user, key, value
    )
    assert code == 1 and out == ""
    assert says in err and len(err.strip().splitlines()) == 1
    assert dump(ledger) == before

"""The command line as a treasurer uses it: outputs, exit codes, and refusals that change nothing."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import col, select

from desktop.cli import main
from ledger.db import open_ledger
from ledger.models import Activity, Budget


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
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
    assert run(capsys, "init", str(path), "--lang", "en")[0] == 0
    code, out, _ = run(
        capsys,
        "book",
        "add",
        str(path),
        "--kind",
        "micro_fund",
        "--name",
        "碧鸡桥社区微基金",
        "--lang",
        "en",
    )
    assert code == 0 and "Created book 1" in out
    return path


def post(
    capsys: pytest.CaptureFixture[str],
    ledger: Path,
    *lines: str,
    date: str = "2024-03-01",
    memo: str = "爱心商家捐赠",
) -> tuple[int, str, str]:
    return run(
        capsys,
        "post",
        str(ledger),
        "--book",
        "1",
        "--date",
        date,
        "--memo",
        memo,
        "--lang",
        "en",
        *lines,
    )


def test_post_balance_journal_verify_backup(
    ledger: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, _ = post(capsys, ledger, "1002=1,234.56", "410101=-1,234.56")
    assert code == 0 and "Posted 记-2024-0001 on 2024-03-01" in out
    assert post(capsys, ledger, "510101=¥200", "1002=-200", memo="重阳宴", date="2024/3/5")[0] == 0

    code, out, _ = run(capsys, "balance", str(ledger), "--book", "碧鸡桥社区微基金", "--json")
    data = json.loads(out)
    balances = {a["code"]: a["balance_fen"] for a in data["accounts"]}
    assert balances["1002"] == 123_456 - 20_000
    assert balances["410101"] == -123_456
    assert data["balanced"] and data["total_debit_balance_fen"] == 123_456

    code, out, _ = run(
        capsys, "balance", str(ledger), "--book", "1", "--at", "2024-03-01", "--lang", "en"
    )
    assert code == 0 and "CN¥1,234.56" in out and "Balanced." in out and "510101" not in out

    code, out, _ = run(capsys, "journal", str(ledger), "--book", "1", "--limit", "3", "--json")
    rows = json.loads(out)["rows"]
    assert [r["number"] for r in rows] == ["记-2024-0001", "记-2024-0002", "记-2024-0002"]
    assert json.loads(out)["total"] == 4

    code, out, _ = run(capsys, "verify", str(ledger), "--lang", "en")
    assert code == 0 and "The ledger is intact: 2 entries in 1 books" in out

    backup = tmp_path / "copy.sqlite"
    assert run(capsys, "backup", str(ledger), str(backup))[0] == 0
    code, out, _ = run(capsys, "balance", str(backup), "--book", "1", "--json")
    assert {a["code"]: a["balance_fen"] for a in json.loads(out)["accounts"]} == balances


def test_dated_backups_are_kept_to_the_newest_listed_and_restored(
    ledger: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from ledger import clock

    moments = iter(f"2024-06-01T08:0{m}:00Z" for m in range(10))
    monkeypatch.setattr(clock, "utc_now_iso", lambda: next(moments))
    folder = ledger.parent / "community.backups"
    post(capsys, ledger, "1002=100", "410101=-100")
    made = []
    for _ in range(3):
        code, out, _err = run(capsys, "backup", str(ledger), "--keep", "2", "--json")
        assert code == 0
        made.append(json.loads(out))
    assert made[2]["removed"] == [made[0]["backup"]]
    assert sorted(str(p) for p in folder.iterdir()) == sorted(m["backup"] for m in made[1:])

    code, out, _err = run(capsys, "backups", str(ledger), "--lang", "en")
    assert code == 0
    lines = out.splitlines()
    assert "automatic" in lines[2] and "intact" in lines[2]
    assert Path(made[2]["backup"]).name in lines[2] and Path(made[1]["backup"]).name in lines[3]

    at_backup = dump(ledger)
    post(capsys, ledger, "1002=999", "410101=-999")
    code, out, _err = run(
        capsys, "restore", made[2]["backup"], str(ledger), "--yes", "--lang", "en"
    )
    assert code == 0
    assert "1 entries, verified intact" in out and "The ledger as it was is kept as" in out
    assert dump(ledger) == at_backup
    code, out, _err = run(capsys, "backups", str(ledger), "--json")
    listed = json.loads(out)
    assert [b["automatic"] for b in listed] == [False, True, True]
    assert all(b["verified"] for b in listed)


def test_backup_refusals_change_nothing(
    ledger: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    before = dump(ledger)
    code, _out, err = run(capsys, "backup", str(ledger), "--keep", "0", "--lang", "en")
    assert code == 1 and "Keep at least 1" in err
    code, _out, err = run(
        capsys, "backup", str(ledger), str(tmp_path / "x.sqlite"), "--keep", "3", "--lang", "en"
    )
    assert code == 1 and "leave out DEST" in err
    text = tmp_path / "notes.sqlite"
    text.write_text("not a ledger")
    code, _out, err = run(capsys, "restore", str(text), str(ledger), "--lang", "en")
    assert code == 1 and "not a database file" in err
    assert dump(ledger) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["community.sqlite", "notes.sqlite"]


def test_reverse_and_close_through_the_cli(
    ledger: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    post(capsys, ledger, "1002=50", "410101=-50")
    code, out, _ = run(
        capsys,
        "reverse",
        str(ledger),
        "--book",
        "1",
        "--number",
        "记-2024-0001",
        "--date",
        "2024-03-02",
        "--lang",
        "en",
    )
    assert code == 0 and "记-2024-0002" in out and "Reversal of 记-2024-0001" in out
    code, out, _ = run(
        capsys, "close", str(ledger), "--book", "1", "--through", "2024-03", "--lang", "en"
    )
    assert code == 0 and "closed through 2024-03-31" in out
    code, _, err = post(capsys, ledger, "1002=1", "410101=-1", date="2024-03-31")
    assert code == 1 and "closed period" in err


def test_tampering_makes_verify_fail_and_name_the_voucher(
    ledger: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    post(capsys, ledger, "1002=100", "410101=-100")
    post(capsys, ledger, "1002=200", "410101=-200", date="2024-03-02")
    with sqlite3.connect(ledger) as conn:
        conn.execute("UPDATE entry SET memo = 'changed' WHERE seq = 2")
    code, out, _ = run(capsys, "verify", str(ledger), "--lang", "en")
    assert code == 1
    assert "NOT intact" in out and "记-2024-0002" in out and "altered" in out
    code, out, _ = run(capsys, "verify", str(ledger), "--json")
    assert code == 1 and json.loads(out)["findings"][0]["number"] == "记-2024-0002"


@pytest.mark.parametrize(
    ("lines", "words"),
    [
        (["1002=12.345", "410101=-12.345"], "12.345"),
        (["1002=abc", "410101=-1"], "abc"),
        (["1002=1e5", "410101=-1e5"], "1e5"),
        (["1002=100", "410101=-99"], "do not balance"),
        (["1002=100"], "at least two postings"),
        (["9999=100", "410101=-100"], "Account 9999 does not exist"),
        (["1002:100", "410101=-100"], "is not a posting"),
        (["1002=99999999999999", "410101=-99999999999999"], "10,000,000,000,000.00"),
    ],
)
def test_bad_postings_get_one_line_and_change_nothing(
    ledger: Path, capsys: pytest.CaptureFixture[str], lines: list[str], words: str
) -> None:
    before = dump(ledger)
    code, out, err = post(capsys, ledger, *lines)
    assert code == 1
    assert out == ""
    assert err.startswith("Error: ") and words in err
    assert err.count("\n") == 1, err
    assert dump(ledger) == before


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--date", "2024-02-30"], "is not a date"),
        (["--memo", "  "], "needs a memo"),
        (["--book", "7"], "There is no book “7”. Books in this ledger: 1 碧鸡桥社区微基金"),
        (["--user", "nobody"], "There is no user called “nobody”"),
    ],
)
def test_bad_options_get_one_line_and_change_nothing(
    ledger: Path, capsys: pytest.CaptureFixture[str], args: list[str], words: str
) -> None:
    before = dump(ledger)
    base = {"--book": "1", "--date": "2024-03-01", "--memo": "捐赠"}
    base.update(dict(zip(args[::2], args[1::2], strict=True)))
    flat = [x for kv in base.items() for x in kv]
    code, _, err = run(capsys, "post", str(ledger), *flat, "--lang", "en", "1002=1", "410101=-1")
    assert code == 1 and words in err and err.count("\n") == 1
    assert dump(ledger) == before


def test_files_that_are_not_ledgers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("not a ledger")
    code, _, err = run(capsys, "balance", str(text), "--book", "1", "--lang", "en")
    assert code == 1 and "is not a Gongzhang ledger" in err
    assert text.read_text() == "not a ledger"
    code, _, err = run(capsys, "verify", str(tmp_path / "missing.sqlite"), "--lang", "en")
    # verify's 1 means "found tampering"; a ledger it cannot read at all is 2
    assert code == 2 and "There is no ledger at" in err
    assert not (tmp_path / "missing.sqlite").exists()
    code, _, err = run(capsys, "init", str(text), "--lang", "en")
    assert code == 1 and "already exists" in err


def test_newer_schema_is_refused(ledger: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with sqlite3.connect(ledger) as conn:
        conn.execute("UPDATE alembic_version SET version_num = 'ffff_newer'")
    before = dump(ledger)
    code, _, err = run(capsys, "balance", str(ledger), "--book", "1", "--lang", "en")
    assert code == 1 and "newer version of Gongzhang" in err
    assert dump(ledger) == before


def test_read_only_ledger_reads_but_refuses_posting(
    ledger: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    os.chmod(ledger, stat.S_IRUSR)
    try:
        before = dump(ledger)
        assert run(capsys, "balance", str(ledger), "--book", "1")[0] == 0
        code, _, err = post(capsys, ledger, "1002=1", "410101=-1")
        assert code == 1 and "read-only" in err
        assert dump(ledger) == before
    finally:
        os.chmod(ledger, stat.S_IRUSR | stat.S_IWUSR)


def test_locked_ledger_waits_then_refuses(ledger: Path, capsys: pytest.CaptureFixture[str]) -> None:
    other = sqlite3.connect(ledger, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        code, _, err = run(
            capsys,
            "post",
            str(ledger),
            "--book",
            "1",
            "--date",
            "2024-03-01",
            "--memo",
            "捐赠",
            "--wait",
            "0.3",
            "--lang",
            "en",
            "1002=1",
            "410101=-1",
        )
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert code == 1 and "another program or user; waited 0.3 s" in err
    code, out, _ = run(capsys, "journal", str(ledger), "--book", "1", "--json")
    assert json.loads(out)["total"] == 0


def test_several_users_need_a_name(ledger: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, _ = run(capsys, "user", "add", str(ledger), "--username", "li", "--role", "treasurer")
    assert code == 0
    code, _, err = post(capsys, ledger, "1002=1", "410101=-1")
    assert code == 1 and "several users" in err and "--user" in err
    assert post(capsys, ledger, "1002=1", "410101=-1", "--user", "li")[0] == 0
    code, _, err = run(
        capsys,
        "book",
        "add",
        str(ledger),
        "--kind",
        "micro_fund",
        "--name",
        "x",
        "--user",
        "li",
        "--lang",
        "en",
    )
    assert code == 1 and "may not create or change books" in err


def test_attach_a_receipt(ledger: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    post(capsys, ledger, "1002=1", "410101=-1")
    receipt = tmp_path / "收据.jpg"
    receipt.write_bytes(b"\xff\xd8\xff receipt")
    code, out, _ = run(
        capsys,
        "attach",
        str(ledger),
        "--book",
        "1",
        "--number",
        "记-2024-0001",
        str(receipt),
        "--json",
    )
    assert code == 0 and json.loads(out)["file"] == "收据.jpg"
    assert run(capsys, "verify", str(ledger))[0] == 0


def test_chinese_is_the_default_language(
    ledger: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    post(capsys, ledger, "1002=1,234.56", "410101=-1,234.56")
    code, out, _ = run(capsys, "balance", str(ledger), "--book", "1")
    assert code == 0 and "试算平衡表" in out and "¥1,234.56" in out and "CN¥" not in out
    code, _, err = run(
        capsys,
        "post",
        str(ledger),
        "--book",
        "1",
        "--date",
        "2024-03-02",
        "--memo",
        "捐赠",
        "1002=1",
        "410101=-2",
    )
    assert code == 1 and err.startswith("错误：") and "借贷不平衡" in err and "¥1.00" in err
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    code, out, _ = run(capsys, "balance", str(ledger), "--book", "1")
    assert "Trial balance" in out


def test_demo_builds_the_seed_cases_and_its_figures_add_up_to_the_fen(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from ledger.money import allocate

    path = tmp_path / "demo.sqlite"
    code, out, _ = run(capsys, "demo", str(path), "--json")
    assert code == 0
    demo = json.loads(out)
    assert set(demo["books"]) == {
        "碧鸡桥社区微基金",
        "金河绿洲小区信托制物业",
        "全兴村集体经济收益分配",
    }
    assert run(capsys, "verify", str(path))[0] == 0
    for book in ("1", "2", "3"):
        code, out, _ = run(capsys, "balance", str(path), "--book", book, "--json")
        assert json.loads(out)["balanced"]

    # 金河绿洲: each month's remuneration is exactly 15% of its basis, each gift 30% of that.
    code, out, _ = run(capsys, "remuneration", str(path), "--book", "2", "--json")
    months = json.loads(out)["remunerations"]
    assert len(months) == 12
    for m in months:
        assert m["amount_fen"] == allocate(m["basis_fen"], [1500, 8500])[0]
        assert m["gift_fen"] == allocate(m["amount_fen"], [3000, 7000])[0]
    assert sum(m["amount_fen"] for m in months) == demo["property"]["remuneration_fen"]
    gifts = sum(m["gift_fen"] for m in months)
    assert gifts == demo["property"]["gift_fen"]
    # ... and the gift shows in the micro-fund as donations from the property company.
    code, out, _ = run(capsys, "balance", str(path), "--book", "1", "--json")
    fund = {a["code"]: a["balance_fen"] for a in json.loads(out)["accounts"]}
    assert fund["410104"] == -gifts

    # 全兴村: contract year 3 (63%), then 3:3:3:1, then per household; every fen accounted for.
    code, out, _ = run(capsys, "statement", str(path), "--book", "3", "--period", "2024", "--json")
    dist = json.loads(out)
    assert dist["contract_year"] == 3 and dist["investor_bp"] == 6300
    profit = dist["profit_fen"]
    assert dist["investor_fen"] == allocate(profit, [6300, 3700])[0]
    parts = {p["part"]: p["amount_fen"] for p in dist["parts"]}
    assert list(parts.values()) == allocate(profit - dist["investor_fen"], [3, 3, 3, 1])
    assert dist["investor_fen"] + sum(parts.values()) == profit
    households = dist["households"]
    assert sum(h["dividend_fen"] for h in households) == parts["shareholders"]
    assert sum(h["per_capita_fen"] for h in households) == parts["per_capita"]
    assert all(h["total_fen"] == h["dividend_fen"] + h["per_capita_fen"] for h in households)

    # The owners' meeting passed by art. 278 and approved the 2025 open budget; the budget
    # records the vote. The participatory budget's selected projects became activities.
    votes = demo["votes"]
    code, out, _ = run(capsys, "vote", "result", str(path), str(votes["budget"]), "--json")
    meeting = json.loads(out)
    assert meeting["outcome"] == "passed" and meeting["effects"] == {"budget_approved": 2025}
    assert all(f["passed"] for f in meeting["figures"])
    assert meeting["participating_owners"] * 3 >= meeting["owners"] * 2
    code, out, _ = run(
        capsys, "budget", "show", str(path), "--book", "2", "--year", "2025", "--json"
    )
    assert json.loads(out)["status"] == "approved"
    with open_ledger(path) as ledger, ledger.read() as s:
        budget = s.exec(select(Budget).where(col(Budget.year) == 2025)).one()
        assert budget.approved_by_vote_id == votes["budget"]
        funded = sorted(
            (a.name, a.budget_fen)
            for a in s.exec(select(Activity).where(col(Activity.vote_id) == votes["projects"]))
        )
    code, out, _ = run(capsys, "vote", "result", str(path), str(votes["projects"]), "--json")
    chosen = json.loads(out)
    costs = {p["code"]: p["cost_fen"] for p in chosen["projects"]}
    assert chosen["selected"] == chosen["by_rule"]["mes"]["selected"] != []
    assert funded == sorted(
        (p["name"], p["cost_fen"]) for p in chosen["projects"] if p["code"] in chosen["selected"]
    )
    assert chosen["used_fen"] == sum(costs[c] for c in chosen["selected"]) <= chosen["budget_fen"]


def test_the_console_script_runs_without_qt(tmp_path: Path) -> None:
    code = (
        "import sys, desktop.cli; "
        "assert not [m for m in sys.modules if m.startswith('PySide6')], 'Qt imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    result = subprocess.run(
        [sys.executable, "-m", "desktop.cli", "--lang", "en", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "verify" in result.stdout


def test_init_without_a_path_uses_the_user_data_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    code, out, _ = run(capsys, "init", "--json")
    assert code == 0
    created = Path(json.loads(out)["ledger"])
    assert created == tmp_path / "data" / "gongzhang" / "ledger.sqlite"
    assert run(capsys, "verify", str(created))[0] == 0


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["balance", "{ledger}", "--book", "²"], "There is no book “²”"),
        (["balance", "{ledger}", "--book", "99999999999999999999999"], "There is no book"),
        (["reverse", "{ledger}", "--book", "1", "--number", "2024-²"], "not a voucher number"),
        (
            ["reverse", "{ledger}", "--book", "1", "--number", "99999999999999999999-1"],
            "not a voucher number",
        ),
        (
            ["journal", "{ledger}", "--book", "1", "--limit", "99999999999999999999"],
            "--limit takes a number from 1 to 10000",
        ),
        (["journal", "{ledger}", "--book", "1", "--limit", "0"], "--limit takes a number"),
        (["balance", "{ledger}", "--book", "1", "--wait", "nan"], "seconds, 0 or more"),
        (["balance", "{ledger}", "--book", "1", "--wait", "-5"], "seconds, 0 or more"),
        (["balance", "foo://bar", "--book", "1"], "neither a ledger file nor a database address"),
    ],
)
def test_odd_input_is_one_line_never_a_traceback(
    ledger: Path, capsys: pytest.CaptureFixture[str], args: list[str], words: str
) -> None:
    before = dump(ledger)
    code, _, err = run(capsys, *[a.replace("{ledger}", str(ledger)) for a in args], "--lang", "en")
    assert code == 1
    assert words in err and err.count("\n") == 1 and "Traceback" not in err
    assert dump(ledger) == before


def test_a_refused_init_leaves_no_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "x.sqlite"
    code, _, err = run(capsys, "init", str(path), "--admin", "", "--lang", "en")
    assert code == 1 and "user name" in err
    assert list(tmp_path.iterdir()) == []
    assert run(capsys, "init", str(path), "--admin", "li")[0] == 0


def test_a_sqlite_url_is_a_ledger_file_like_any_other(
    ledger: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{ledger}"
    code, out, _ = post(capsys, ledger, "1002=5", "410101=-5")
    assert code == 0
    code, out, _ = run(capsys, "journal", url, "--book", "1", "--json")
    assert code == 0 and json.loads(out)["total"] == 2
    from ledger.db import open_ledger

    with open_ledger(url) as opened, opened.engine.connect() as conn:
        assert opened.path == ledger
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_a_large_manual_expense_needs_an_approver(
    ledger: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The general journal is no way around maker-checker: on a micro-fund, a typed-in entry
    spending at least the approval threshold (¥1,000.00 by default) needs an approver."""
    run(capsys, "user", "add", str(ledger), "--username", "li", "--role", "treasurer")
    code, _, _ = run(
        capsys,
        "user",
        "add",
        str(ledger),
        "--username",
        "wang",
        "--role",
        "reviewer",
        "--user",
        "admin",
    )
    assert code == 0
    post(capsys, ledger, "1002=10,000", "410101=-10,000", "--user", "li")
    before = dump(ledger)
    code, _, err = post(capsys, ledger, "510101=1,000", "1002=-1,000", "--user", "li")
    assert code == 1 and "at or above the approval threshold of CN¥1,000.00" in err
    assert dump(ledger) == before
    assert post(capsys, ledger, "510101=999.99", "1002=-999.99", "--user", "li")[0] == 0
    code, out, _ = post(
        capsys, ledger, "510101=1,000", "1002=-1,000", "--user", "li", "--approver", "wang"
    )
    assert code == 0 and "记-2024-0003" in out


def test_the_command_line_starts_without_the_document_libraries() -> None:
    """reportlab and openpyxl load only for the commands that print or read documents."""
    code = (
        "import sys, desktop.cli; "
        "loaded = [m for m in sys.modules if m.split('.')[0] in ('openpyxl', 'reportlab')]; "
        "assert not loaded, loaded"
    )
    subprocess.run([sys.executable, "-c", code], check=True)

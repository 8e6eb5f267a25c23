"""The micro-fund commands as a community treasurer and the approvers use them: donations with
receipts, activities, expenses and approvals, points; refusals are one line and change nothing."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from desktop.cli import main
from ledger.db import open_ledger
from ledger.services.households import add_household
from ledger.services.users import get_user


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


def ok(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    code, out, err = run(capsys, *args)
    assert code == 0, err
    return out


def data(capsys: pytest.CaptureFixture[str], *args: str) -> object:
    return json.loads(ok(capsys, *args, "--json"))


@pytest.fixture
def ledger(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """A ledger with the micro-fund as book 1, a trust-property book 2, a treasurer, two
    approvers, the households 3组12号 and 2组5号, a merchant donor and the 重阳宴."""
    path = tmp_path / "fund.sqlite"
    p = str(path)
    ok(capsys, "init", p)
    ok(capsys, "book", "add", p, "--kind", "micro_fund", "--name", "碧鸡桥社区微基金")
    ok(capsys, "book", "add", p, "--kind", "trust_property", "--name", "金河绿洲物业")
    for name, role in (
        ("treasurer", "treasurer"),
        ("reviewer", "reviewer"),
        ("committee", "committee"),
    ):
        ok(capsys, "user", "add", p, "--username", name, "--role", role, "--user", "admin")
    with open_ledger(p) as opened, opened.write() as s:
        for label in ("3组12号", "2组5号"):
            add_household(s, label=label, actor=get_user(s, "treasurer"))
    out = ok(
        capsys,
        *("donor", "add", p, "--kind", "merchant", "--name", "天马镇好又多超市"),
        *("--contact", "028-8711xxxx", "--user", "treasurer"),
    )
    assert "Added donor or payee 1 “天马镇好又多超市” (Local business)" in out
    ok(
        capsys,
        *("activity", "add", p, "--book", "1", "--name", "重阳宴", "--date", "2024-10-20"),
        *("--budget", "11,000", "--user", "treasurer"),
    )
    return path


def as_treasurer(*args: str) -> tuple[str, ...]:
    return (*args, "--user", "treasurer")


def test_donation_receipt_expense_approval_and_points(
    ledger: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    p = str(ledger)
    out = ok(
        capsys,
        *as_treasurer("donor", "add", p, "--kind", "resident", "--name", "王淑芬"),
    )
    assert "“王*芬” (Resident)" in out
    out = ok(
        capsys,
        *as_treasurer("donate", p, "--book", "碧鸡桥社区微基金", "--date", "2024-09-10"),
        *("--donor", "天马镇好又多超市", "--source", "merchant", "--amount", "¥3,000"),
        *("--purpose", "重阳宴"),
    )
    assert (
        "Recorded donation receipt 捐-2024-0001: CN¥3,000.00 from 天马镇好又多超市, posted as "
        "记-2024-0001." in out
    )
    receipt = data(
        capsys,
        *as_treasurer("donate", p, "--book", "1", "--date", "2024-09-11", "--donor", "2"),
        *("--source", "self_raised", "--amount", "500.5", "--into", "cash"),
    )
    assert isinstance(receipt, dict)
    assert (receipt["number"], receipt["donor"], receipt["amount_fen"]) == (
        "捐-2024-0002",
        "王*芬",
        50_050,
    )
    assert receipt["amount_capital"] == "人民币伍佰元零伍角"
    out = ok(capsys, "receipt", p, "--book", "1", "--number", "捐-2024-0001")
    for words in ("捐-2024-0001", "天马镇好又多超市", "人民币叁仟元整", "重阳宴", "记-2024-0001"):
        assert words in out
    assert "028-8711" not in out
    # Unrestricted cash, so the stage hire below has money in the cash box to pay it.
    ok(
        capsys,
        *as_treasurer("donate", p, "--book", "1", "--date", "2024-09-12", "--donor", "2"),
        *("--source", "self_raised", "--amount", "500", "--into", "cash"),
    )

    # ¥2,500 is above the threshold: it waits for two approvers.
    out = ok(
        capsys,
        *as_treasurer("expense", p, "--book", "1", "--date", "2024-10-18"),
        *("--category", "activity", "--amount", "2,500", "--memo", "重阳宴：食材"),
        *("--purpose", "重阳宴"),
    )
    assert "Recorded expense 1 (CN¥2,500.00); it waits for 2 approvers" in out
    out = ok(capsys, "pending", p, "--book", "1")
    assert "重阳宴：食材" in out and "0/2" in out
    out = ok(capsys, "approve", p, "--book", "1", "--expense", "1", "--user", "reviewer")
    assert "Approved expense 1: 1 of 2 approvals." in out
    out = ok(capsys, "approve", p, "--book", "1", "--expense", "1", "--user", "committee")
    assert "Approved expense 1; it is posted as 记-2024-0004." in out
    assert "No expenses are waiting for approval." in ok(capsys, "pending", p, "--book", "1")

    # A small one is posted at once, with its receipt attached.
    invoice = ledger.parent / "发票.jpg"
    invoice.write_bytes(b"jpeg bytes")
    view = data(
        capsys,
        *as_treasurer("expense", p, "--book", "1", "--date", "2024-10-20"),
        *("--category", "activity", "--amount", "800", "--memo", "重阳宴：舞台音响租赁"),
        *("--activity", "重阳宴", "--from", "cash", "--receipt", str(invoice)),
    )
    assert isinstance(view, dict)
    assert (view["status"], view["voucher_number"], view["pay_from"]) == (
        "posted",
        "记-2024-0005",
        "cash",
    )
    with sqlite3.connect(ledger) as conn:
        assert conn.execute("SELECT filename, size FROM attachment").fetchall() == [
            ("发票.jpg", 10)
        ]
    activities = data(capsys, "activity", "list", p, "--book", "1")
    assert isinstance(activities, list)
    assert {k: activities[0][k] for k in ("name", "budget_fen", "actual_fen", "remaining_fen")} == {
        "name": "重阳宴",
        "budget_fen": 1_100_000,
        "actual_fen": 330_000,
        "remaining_fen": 770_000,
    }
    assert activities[0]["restricted_left_fen"] == 50_000
    out = ok(capsys, "activity", "list", p, "--book", "1")
    assert "CN¥3,300.00" in out and "30.00%" in out
    restricted = data(capsys, "restricted", p, "--book", "1")
    assert restricted == [
        {
            "purpose": "重阳宴",
            "label": "重阳宴",
            "is_category": False,
            "donated_fen": 300_000,
            "spent_fen": 250_000,
            "pending_fen": 0,
            "balance_fen": 50_000,
        }
    ]
    out = ok(
        capsys,
        *as_treasurer("activity", "participants", p, "--book", "1", "--activity", "重阳宴"),
        *("--count", "612"),
    )
    assert "“重阳宴” had 612 participants." in out

    # Points: earned for volunteering, redeemed for goods.
    out = ok(
        capsys,
        *as_treasurer("points", "earn", p, "--book", "1", "--household", "3组12号"),
        *("--points", "20", "--reason", "重阳宴帮厨", "--date", "2024-10-20"),
    )
    assert "3组12号 earned 20 points; balance 20." in out
    out = ok(
        capsys,
        *as_treasurer("points", "redeem", p, "--book", "1", "--household", "3组12号"),
        *("--points", "15", "--reason", "大米一袋", "--date", "2024-11-01"),
    )
    assert "3组12号 redeemed 15 points; balance 5." in out
    history = data(capsys, "points", "balance", p, "--book", "1", "--household", "3组12号")
    assert isinstance(history, dict)
    assert history["balance"] == 5
    assert [h["points"] for h in history["history"]] == [20, -15]
    assert data(capsys, "points", "balance", p, "--book", "1") == [
        {"household": "3组12号", "balance": 5}
    ]

    code, out, _ = run(capsys, "verify", p)
    assert code == 0 and "intact" in out


def test_rejecting_with_a_reason(ledger: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = str(ledger)
    ok(
        capsys,
        *as_treasurer("expense", p, "--book", "1", "--date", "2024-10-22"),
        *("--category", "activity", "--amount", "1,200", "--memo", "重阳宴：横幅"),
    )
    out = ok(
        capsys,
        *("reject", p, "--book", "1", "--expense", "1", "--reason", "与舞台费重复"),
        *("--user", "reviewer"),
    )
    assert "Rejected expense 1: 与舞台费重复" in out
    assert data(capsys, "pending", p, "--book", "1") == []


def _setup_for_refusals(p: str, capsys: pytest.CaptureFixture[str]) -> None:
    """重阳宴 money ¥3,000.00; expense 1 of ¥2,000.00 recorded by the admin (waits); expense 2
    of ¥1,500.00 by the treasurer, approved once by the reviewer; 3组12号 has 10 points; a
    second activity 亲子风筝节."""
    ok(
        capsys,
        *as_treasurer("donate", p, "--book", "1", "--date", "2024-09-10", "--donor", "1"),
        *("--source", "merchant", "--amount", "3,000", "--purpose", "重阳宴"),
    )
    ok(
        capsys,
        *("expense", p, "--book", "1", "--date", "2024-10-18", "--category", "activity"),
        *("--amount", "2,000", "--memo", "重阳宴：食材", "--user", "admin"),
    )
    ok(
        capsys,
        *as_treasurer("expense", p, "--book", "1", "--date", "2024-10-19"),
        *("--category", "activity", "--amount", "1,500", "--memo", "重阳宴：餐具"),
    )
    ok(capsys, "approve", p, "--book", "1", "--expense", "2", "--user", "reviewer")
    ok(
        capsys,
        *as_treasurer("points", "earn", p, "--book", "1", "--household", "3组12号"),
        *("--points", "10", "--reason", "清扫", "--date", "2024-04-20"),
    )
    ok(
        capsys,
        *as_treasurer("activity", "add", p, "--book", "1", "--name", "亲子风筝节"),
        *("--date", "2024-03-16", "--budget", "1,200"),
    )


EXPENSE = ("expense", "--book", "1", "--date", "2024-10-20", "--user", "treasurer")
DONATE = ("donate", "--book", "1", "--date", "2024-09-12", "--donor", "1", "--user", "treasurer")
POINTS = ("--book", "1", "--household", "3组12号", "--reason", "兑换", "--date", "2024-11-01")


@pytest.mark.parametrize(
    ("command", "args", "words"),
    [
        (
            ("approve", "--book", "1", "--expense", "1", "--user", "admin"),
            (),
            "admin recorded expense 1 and cannot also approve or reject it",
        ),
        (
            ("approve", "--book", "1", "--expense", "2", "--user", "reviewer"),
            (),
            "reviewer has already approved expense 2",
        ),
        (
            ("approve", "--book", "1", "--expense", "2", "--user", "treasurer"),
            (),
            "may not approve entries",
        ),
        (
            ("approve", "--book", "1", "--expense", "9", "--user", "reviewer"),
            (),
            "There is no expense number 9 in this book",
        ),
        (
            ("approve", "--book", "1", "--expense", "two", "--user", "reviewer"),
            (),
            "The expense number must be a whole number; got “two”",
        ),
        (
            ("reject", "--book", "1", "--expense", "2", "--user", "committee"),
            ("--reason", "   "),
            "A rejection needs a reason",
        ),
        (
            EXPENSE,
            ("--category", "activity", "--amount", "100", "--memo", "x", "--purpose", "环境整治"),
            "can only pay expenses of that category",
        ),
        (
            EXPENSE,
            (
                *("--category", "activity", "--amount", "100", "--memo", "x"),
                *("--purpose", "重阳宴", "--activity", "亲子风筝节"),
            ),
            "“重阳宴” can only pay expenses of that activity, not of the activity “亲子风筝节”",
        ),
        (
            EXPENSE,
            (
                "--category",
                "activity",
                "--amount",
                "3,000.01",
                "--memo",
                "x",
                "--purpose",
                "重阳宴",
            ),
            "Only CN¥3,000.00 of the money restricted to “重阳宴” is available",
        ),
        (
            EXPENSE,
            ("--category", "party", "--amount", "100", "--memo", "x"),
            "Unknown spending category “party”",
        ),
        (
            EXPENSE,
            ("--category", "activity", "--amount", "0", "--memo", "x"),
            "must be more than zero; got CN¥0.00",
        ),
        (
            EXPENSE,
            ("--category", "activity", "--amount", "-5", "--memo", "x"),
            "must be more than zero; got -CN¥5.00",
        ),
        (
            EXPENSE,
            ("--category", "hardship", "--amount", "100", "--memo", "李秀英家"),
            "memo is written by the ledger",
        ),
        (
            EXPENSE,
            ("--category", "activity", "--amount", "1,200", "--memo", "x", "--receipt", "R"),
            "cannot be attached yet",
        ),
        (DONATE, ("--source", "lottery", "--amount", "100"), "Unknown source of donation"),
        (DONATE, ("--source", "merchant", "--amount", "0"), "must be more than zero"),
        (DONATE, ("--source", "merchant", "--amount", "-100"), "must be more than zero"),
        (DONATE, ("--source", "merchant", "--amount", "1.234"), "more than two decimal places"),
        (
            ("donate", "--book", "1", "--date", "2024-09-12", "--donor", "无名氏"),
            ("--source", "merchant", "--amount", "100", "--user", "treasurer"),
            "There is no donor or payee “无名氏”",
        ),
        (
            ("donate", "--book", "金河绿洲物业", "--date", "2024-09-12", "--donor", "1"),
            ("--source", "merchant", "--amount", "100", "--user", "treasurer"),
            "“金河绿洲物业” is a book of the kind “Trust-style property service”",
        ),
        (
            ("restricted", "--book", "2"),
            (),
            "belong to a community micro-fund book",
        ),
        (
            ("activity", "add", "--book", "2", "--name", "x", "--date", "2024-01-01"),
            ("--budget", "1", "--user", "treasurer"),
            "belong to a community micro-fund book",
        ),
        (
            ("points", "earn", "--book", "2", "--household", "3组12号", "--points", "1"),
            ("--reason", "x", "--date", "2024-01-01", "--user", "treasurer"),
            "belong to a community micro-fund book",
        ),
        (
            ("approve", "--book", "2", "--expense", "2", "--user", "committee"),
            (),
            "There is no expense number 2 in this book",
        ),
        (
            ("points", "redeem", "--user", "treasurer"),
            (*POINTS, "--points", "11"),
            "3组12号 has only 10 points and cannot redeem 11",
        ),
        (
            ("points", "redeem", "--user", "treasurer"),
            (*POINTS, "--points", "0"),
            "Points are a whole number from 1",
        ),
        (
            ("points", "earn", "--user", "treasurer"),
            (*POINTS, "--points", "-5"),
            "Points must be a whole number; got “-5”",
        ),
        (
            ("receipt", "--book", "1", "--number", "捐-2024-0009"),
            (),
            "There is no donation receipt 捐-2024-0009 in this book",
        ),
    ],
)
def test_refusals_are_one_line_and_change_nothing(
    ledger: Path,
    capsys: pytest.CaptureFixture[str],
    command: tuple[str, ...],
    args: tuple[str, ...],
    words: str,
) -> None:
    p = str(ledger)
    _setup_for_refusals(p, capsys)
    (ledger.parent / "R").write_bytes(b"receipt")
    # Commands with sub-commands take the ledger after them: points redeem PATH …
    head = 2 if command[0] in ("points", "activity", "donor") else 1
    receipt = str(ledger.parent / "R")
    argv = [*command[:head], p, *command[head:], *(receipt if a == "R" else a for a in args)]
    before = dump(ledger)
    code, out, err = run(capsys, *argv)
    assert code == 1, out
    assert out == ""
    assert err.startswith("Error: ") and words in err, err
    assert err.count("\n") == 1, err
    assert dump(ledger) == before

"""The trust-property commands as a treasurer uses them: outputs, JSON in fen, and refusals
that are one line and change nothing."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from desktop.cli import main


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


@pytest.fixture
def estate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """A ledger with a trust book (1) and a micro-fund (2), users tr (treasurer) and rv
    (reviewer), a fee of ¥2.50 per m² and two units: 1-1-101 89.56 m² (¥223.90 a month) and
    2-101 108.40 m² (¥271.00 a month)."""
    path = tmp_path / "estate.sqlite"
    p = str(path)
    ok(capsys, "init", p)
    ok(capsys, "user", "add", p, "--username", "tr", "--role", "treasurer", "--user", "admin")
    ok(capsys, "user", "add", p, "--username", "rv", "--role", "reviewer", "--user", "admin")
    ok(
        capsys,
        "book",
        "add",
        p,
        "--kind",
        "trust_property",
        "--name",
        "金河绿洲",
        "--user",
        "admin",
    )
    ok(capsys, "book", "add", p, "--kind", "micro_fund", "--name", "微基金", "--user", "admin")
    out = ok(capsys, "fees", "rate", p, "--book", "1", "--rate", "2.50", "--user", "admin")
    assert "CN¥2.50 per m² per month" in out
    out = ok(
        capsys,
        "unit",
        "add",
        p,
        "--book",
        "1",
        "--building",
        "1",
        "--unit",
        "1",
        "--room",
        "101",
        "--area",
        "89.56",
        "--owner-name",
        "张晓明",
        "--user",
        "tr",
    )
    assert "Registered unit 1-1-101 (89.56 m²)" in out
    ok(
        capsys,
        "unit",
        "add",
        p,
        "--book",
        "1",
        "--building",
        "2",
        "--room",
        "101",
        "--area",
        "108.40",
        "--user",
        "tr",
    )
    return path


def refused(capsys: pytest.CaptureFixture[str], path: Path, words: str, *args: str) -> None:
    before = dump(path)
    code, out, err = run(capsys, *args)
    assert code == 1, out
    assert out == ""
    assert err.startswith("Error: ") and words in err, err
    assert err.count("\n") == 1, err
    assert dump(path) == before


def test_a_month_of_fees_remuneration_and_gift(
    estate: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """January bills 223.90 + 271.00 = 494.90. 1-1-101 pays 500.00: 223.90 settles its bill and
    276.10 is a prepayment; 2-101 pays 100.00 of 271.00. Collected in January 323.90 × 15% =
    48.585 → 48.59 (the tie goes to the first part); gift 30% of 48.59 = 14.577 → 14.58."""
    p = str(estate)
    out = ok(capsys, "unit", "list", p, "--book", "1", "--user", "tr")
    assert "1-1-101" in out and "张晓明" not in out and "197.96 m² in all" in out
    assert "张晓明" in ok(capsys, "unit", "list", p, "--book", "1", "--owners", "--user", "tr")

    out = ok(capsys, "fees", "bill", p, "--book", "1", "--period", "2024-01", "--user", "tr")
    assert "Billed 2024-01 in 记-2024-0001: 2 units at CN¥2.50 per m², CN¥494.90 in all." in out
    data = json.loads(
        ok(
            capsys,
            "fees",
            "collect",
            p,
            "--book",
            "1",
            "--unit",
            "1-1-101",
            "--date",
            "2024-01-10",
            "--amount",
            "500",
            "--user",
            "tr",
            "--json",
        )
    )
    assert (data["applied_fen"], data["prepaid_fen"], data["settled"]) == (
        22_390,
        27_610,
        [{"period": "2024-01", "fen": 22_390}],
    )
    out = ok(
        capsys,
        "fees",
        "collect",
        p,
        "--book",
        "1",
        "--unit",
        "2-101",
        "--date",
        "2024-01-12",
        "--amount",
        "100",
        "--user",
        "tr",
    )
    assert "The unit still owes CN¥171.00." in out
    data = json.loads(
        ok(
            capsys,
            "fees",
            "arrears",
            p,
            "--book",
            "1",
            "--period",
            "2024-01",
            "--json",
            "--user",
            "tr",
        )
    )
    assert data["units"] == [
        {
            "unit": "2-101",
            "building": "2",
            "billed_fen": 27_100,
            "owed_fen": 17_100,
            "unpaid_periods": ["2024-01"],
        }
    ]
    assert data["collection_rate"] == {
        "period": "2024-01",
        "billed_fen": 49_490,
        "collected_fen": 32_390,
        "numerator": 3_239,
        "denominator": 4_949,
        "percent": "65.45%",
    }
    out = ok(capsys, "fees", "arrears", p, "--book", "1", "--period", "2024-01", "--user", "tr")
    assert "Collection rate of 2024-01: CN¥323.90 of CN¥494.90 = 65.45%." in out
    assert "张晓明" not in out

    out = ok(
        capsys,
        "income",
        p,
        "--book",
        "1",
        "--source",
        "parking",
        "--date",
        "2024-01-27",
        "--amount",
        "3,600",
        "--user",
        "tr",
    )
    assert "Parking income" in out
    out = ok(capsys, "remuneration", p, "--book", "1", "--period", "2024-01", "--user", "tr")
    assert "CN¥323.90 × 15.00% = CN¥48.59" in out
    ok(
        capsys,
        "donor",
        "add",
        p,
        "--kind",
        "property_company",
        "--name",
        "智乐物业",
        "--user",
        "tr",
    )
    out = ok(
        capsys, "gift", p, "--book", "1", "--to", "微基金", "--period", "2024-01", "--user", "tr"
    )
    assert "Gift of CN¥14.58 from the 2024-01 remuneration: 记-2024-0006 in “金河绿洲”" in out
    # Both sides list the same transfer.
    from_trust = json.loads(ok(capsys, "gift", p, "--book", "1", "--json", "--user", "tr"))
    from_fund = json.loads(ok(capsys, "gift", p, "--book", "2", "--json", "--user", "tr"))
    assert from_trust == from_fund
    assert from_fund[0]["amount_fen"] == 1_458 and from_fund[0]["to_number"] == "记-2024-0001"
    data = json.loads(ok(capsys, "remuneration", p, "--book", "1", "--json", "--user", "tr"))
    assert (data["total_fen"], data["total_gift_fen"], data["owed_fen"]) == (4_859, 1_458, 3_401)
    ok(capsys, "remuneration", p, "--book", "1", "--pay", "--date", "2024-02-05", "--user", "tr")

    trust = json.loads(ok(capsys, "balance", p, "--book", "1", "--json"))
    b = {a["code"]: a["balance_fen"] for a in trust["accounts"]}
    assert b["2203"] == -27_610 and b["1122"] == 17_100 and b["5109"] == 4_859 and b["2251"] == 0
    assert trust["balanced"]
    fund = json.loads(ok(capsys, "balance", p, "--book", "2", "--json"))
    assert {a["code"]: a["balance_fen"] for a in fund["accounts"]}["410104"] == -1_458
    assert ok(capsys, "verify", p).startswith("The ledger is intact")


def test_the_open_budget_and_an_approved_overrun(
    estate: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Facilities 500.00: 600.00 of repairs need an approver; with the reviewer's approval the
    line shows 600.00 used of 500.00 = 120.00%, remaining −100.00."""
    p = str(estate)
    out = ok(
        capsys,
        "budget",
        "create",
        p,
        "--book",
        "1",
        "--year",
        "2024",
        "cleaning=1,000",
        "facilities=500",
        "--user",
        "tr",
    )
    assert "Drafted the 2024 budget: 2 lines, CN¥1,500.00 in all." in out
    refused(
        capsys,
        estate,
        "still a draft",
        "spend",
        p,
        "--book",
        "1",
        "--line",
        "cleaning",
        "--date",
        "2024-03-01",
        "--memo",
        "保洁",
        "--amount",
        "100",
        "--user",
        "tr",
    )
    refused(
        capsys,
        estate,
        "tr (Treasurer) may not approve entries",
        "budget",
        "approve",
        p,
        "--book",
        "1",
        "--year",
        "2024",
        "--user",
        "tr",
    )
    ok(capsys, "budget", "approve", p, "--book", "1", "--year", "2024", "--user", "rv")
    refused(
        capsys,
        estate,
        "CN¥600.00 is more than the CN¥500.00 left on the budget line “Upkeep of common "
        "facilities” for 2024; spending beyond the budget needs an approver",
        "spend",
        p,
        "--book",
        "1",
        "--line",
        "facilities",
        "--date",
        "2024-03-01",
        "--memo",
        "道闸",
        "--amount",
        "600",
        "--user",
        "tr",
    )
    refused(
        capsys,
        estate,
        "admin is recording this spending and cannot also approve it",
        "spend",
        p,
        "--book",
        "1",
        "--line",
        "facilities",
        "--date",
        "2024-03-01",
        "--memo",
        "道闸",
        "--amount",
        "600",
        "--user",
        "admin",
        "--approver",
        "admin",
    )
    out = ok(
        capsys,
        "spend",
        p,
        "--book",
        "1",
        "--line",
        "facilities",
        "--date",
        "2024-03-01",
        "--memo",
        "道闸",
        "--amount",
        "600",
        "--user",
        "tr",
        "--approver",
        "rv",
    )
    assert "Posted 记-2024-0001 on 2024-03-01: 道闸" in out
    data = json.loads(ok(capsys, "budget", "show", p, "--book", "1", "--year", "2024", "--json"))
    lines = {line["line"]: line for line in data["lines"]}
    assert lines["facilities"]["remaining_fen"] == -10_000
    assert lines["facilities"]["percent_used"] == "120.00%"
    assert (data["status"], data["approved_by"], data["percent_used"]) == (
        "approved",
        "rv",
        "40.00%",
    )
    out = ok(capsys, "budget", "show", p, "--book", "1", "--year", "2024")
    assert "Upkeep of common facilities" in out and "-CN¥100.00" in out and "120.00%" in out


@pytest.mark.parametrize(
    ("words", "args"),
    [
        (
            "must be more than zero per m² per month; got 0 fen",
            ["fees", "rate", "{p}", "--book", "1", "--rate", "0", "--user", "admin"],
        ),
        (
            "must be more than zero per m² per month; got -250 fen",
            ["fees", "rate", "{p}", "--book", "1", "--rate", "-2.50", "--user", "admin"],
        ),
        (
            "more than two decimal places",
            ["fees", "rate", "{p}", "--book", "1", "--rate", "2.505", "--user", "admin"],
        ),
        (
            "An exclusive area must be more than zero m²; got 0.00 m².",
            [
                "unit",
                "add",
                "{p}",
                "--book",
                "1",
                "--building",
                "3",
                "--room",
                "101",
                "--area",
                "0",
                "--user",
                "tr",
            ],
        ),
        (
            "“89.5.6” is not an area",
            [
                "unit",
                "add",
                "{p}",
                "--book",
                "1",
                "--building",
                "3",
                "--room",
                "101",
                "--area",
                "89.5.6",
                "--user",
                "tr",
            ],
        ),
        (
            "2024-01 has already been billed in “金河绿洲” (记-2024-0001); a month is billed once.",
            ["fees", "bill", "{p}", "--book", "1", "--period", "2024-01", "--user", "tr"],
        ),
        (
            "“微基金” is a Community micro-fund book; units, property fees, remuneration",
            ["fees", "bill", "{p}", "--book", "2", "--period", "2024-02", "--user", "tr"],
        ),
        (
            "“2024-13” is not a month",
            ["fees", "bill", "{p}", "--book", "1", "--period", "2024-13", "--user", "tr"],
        ),
        (
            "There is no unit “9-9-909”",
            [
                "fees",
                "collect",
                "{p}",
                "--book",
                "1",
                "--unit",
                "9-9-909",
                "--date",
                "2024-01-05",
                "--amount",
                "10",
                "--user",
                "tr",
            ],
        ),
        (
            "A payment must be more than zero",
            [
                "fees",
                "collect",
                "{p}",
                "--book",
                "1",
                "--unit",
                "2-101",
                "--date",
                "2024-01-05",
                "--amount",
                "0",
                "--user",
                "tr",
            ],
        ),
        (
            "No remuneration has been posted for 2024-01 in “金河绿洲”, so there is nothing to give",
            ["gift", "{p}", "--book", "1", "--to", "2", "--period", "2024-01", "--user", "tr"],
        ),
        (
            "the gift goes to a community micro-fund book",
            ["gift", "{p}", "--book", "1", "--to", "1", "--period", "2024-01", "--user", "tr"],
        ),
        (
            "There is no remuneration for 2024-02",
            ["remuneration", "{p}", "--book", "1", "--period", "2024-02", "--user", "tr"],
        ),
        (
            "has no budget for 2024",
            [
                "spend",
                "{p}",
                "--book",
                "1",
                "--line",
                "cleaning",
                "--date",
                "2024-03-01",
                "--memo",
                "保洁",
                "--amount",
                "100",
                "--user",
                "tr",
            ],
        ),
        (
            "Common-part income must be more than zero",
            [
                "income",
                "{p}",
                "--book",
                "1",
                "--source",
                "other",
                "--date",
                "2024-01-05",
                "--amount",
                "-5",
                "--user",
                "tr",
            ],
        ),
    ],
)
def test_bad_input_is_one_line_and_changes_nothing(
    estate: Path, capsys: pytest.CaptureFixture[str], words: str, args: list[str]
) -> None:
    p = str(estate)
    ok(capsys, "fees", "bill", p, "--book", "1", "--period", "2024-01", "--user", "tr")
    refused(capsys, estate, words, *[a.replace("{p}", p) for a in args])


def test_a_collection_larger_than_owed_becomes_a_prepayment_for_the_next_bill(
    estate: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """2-101 pays 813.00 on a bill of 271.00: 542.00 is kept in advance (Cr 2203); February's
    billing takes 271.00 of it, leaving 271.00 for March."""
    p = str(estate)
    ok(capsys, "fees", "bill", p, "--book", "1", "--period", "2024-01", "--user", "tr")
    out = ok(
        capsys,
        "fees",
        "collect",
        p,
        "--book",
        "1",
        "--unit",
        "2-101",
        "--date",
        "2024-01-05",
        "--amount",
        "813",
        "--user",
        "tr",
    )
    assert "CN¥542.00 is more than the unit owed and is kept as a prepayment." in out
    out = ok(capsys, "fees", "bill", p, "--book", "1", "--period", "2024-02", "--user", "tr")
    assert "CN¥271.00 of it was settled from prepayments." in out
    data = json.loads(ok(capsys, "fees", "arrears", p, "--book", "1", "--json", "--user", "tr"))
    assert {b["building"]: b["prepaid_fen"] for b in data["buildings"]} == {"1": 0, "2": 27_100}

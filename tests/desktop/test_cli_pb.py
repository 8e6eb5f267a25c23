"""``gongzhang pb tally``: a Pabulib file tallied by greedy, MES, both side by side, or
plurality; human output and JSON (amounts in fen, whole numbers); broken files refused in one
line with exit code 1. (The outcomes themselves are checked against pabutools in
tests/ledger/test_pb.py.)"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.desktop.test_cli import run

PABULIB = Path(__file__).resolve().parents[3] / "shared" / "pabulib"
LARGEST = PABULIB / "Poland_Warszawa_2018_Praga-Poludnie.pb"
CHOOSE_ONE = PABULIB / "Netherlands_Amsterdam_643.pb"

#: pabutools' outcomes for the largest file (see tests/ledger/test_pb.py, which computes them).
PRAGA_GREEDY = {"120", "141", "1812", "1939", "1945", "2287", "2320", "2543", "57", "86"}
PRAGA_MES = {
    "120", "141", "1621", "1708", "1812", "1819", "1936", "1939", "1945",
    "1987", "2287", "2320", "2543", "357", "363", "490", "57", "870",
}  # fmt: skip


def tally(capsys: pytest.CaptureFixture[str], path: Path, *args: str) -> tuple[int, str, str]:
    return run(capsys, "pb", "tally", str(path), "--lang", "en", *args)


def test_tally_mes_on_the_largest_file(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = tally(capsys, LARGEST, "--rule", "mes")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == (
        "District PB in Warszawa, Praga-Południe (Poland_Warszawa_2018_Praga-Poludnie.pb)"
    )
    assert lines[1] == "Budget 748,772.64 PLN · 8,699 ballots (approval) · 35 projects"
    assert lines[2] == "Rule: Method of Equal Shares, completed by greedy"
    first = lines[5].split()
    assert first[:2] == ["1", "57"]  # Domki dla jeży: 5,079 votes, 600.00
    assert first[-2:] == ["5079", "600.00"]
    assert lines[-1] == (
        "Method of Equal Shares, completed by greedy: 18 projects, 740,023.00 of 748,772.64 "
        "PLN used, 8,749.64 left."
    )


def test_tally_json_gives_whole_fen(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = tally(capsys, LARGEST, "--rule", "greedy", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["budget_fen"] == 74877264
    assert (data["ballots"], data["projects"], data["currency"]) == (8699, 35, "PLN")
    greedy = data["results"]["greedy"]
    assert {p["project_id"] for p in greedy["selected"]} == PRAGA_GREEDY
    assert greedy["selected"][0] == {
        "project_id": "57",
        "name": "Domki dla jeży",
        "cost_fen": 60000,
        "votes": 5079,
    }
    assert greedy["used_fen"] == sum(p["cost_fen"] for p in greedy["selected"]) == 74099800
    assert greedy["left_fen"] == 74877264 - 74099800
    assert all(isinstance(p["cost_fen"], int) for p in greedy["selected"])


def test_tally_both_side_by_side(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = tally(capsys, LARGEST, "--rule", "both")
    assert code == 0
    assert "Greedy" in out and "MES" in out
    # Project 86 (270,000.00) is greedy's 7th and not selected by MES.
    row86 = next(line for line in out.splitlines() if line.startswith("86 "))
    assert row86.split()[-2:] == ["270,000.00", "7"]
    assert out.splitlines()[-2].startswith("greedy by votes: 10 projects, 740,998.00")
    assert out.splitlines()[-1].startswith("Method of Equal Shares, completed by greedy: 18")
    code, out, _err = tally(capsys, LARGEST, "--rule", "both", "--json")
    results = json.loads(out)["results"]
    assert {p["project_id"] for p in results["greedy"]["selected"]} == PRAGA_GREEDY
    assert {p["project_id"] for p in results["mes"]["selected"]} == PRAGA_MES


def test_plurality_on_a_choose_one_vote(capsys: pytest.CaptureFixture[str]) -> None:
    """Amsterdam 643: choose one of three; 44251 has 40 of the 66 votes."""
    code, out, _err = tally(capsys, CHOOSE_ONE, "--rule", "plurality")
    assert code == 0
    assert "Rule: plurality" in out
    assert "plurality: 1 projects, 5,000.00 of 5,720.00 EUR used, 720.00 left." in out
    code, out, _err = tally(capsys, CHOOSE_ONE, "--rule", "plurality", "--json")
    result = json.loads(out)["results"]["plurality"]
    assert result["selected"] == [
        {
            "project_id": "44251",
            "name": "Bloementuinen rondom afvalbakken",
            "cost_fen": 500000,
            "votes": 40,
        }
    ]
    assert result["tied"] == []


def test_plurality_tie_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "plans.pb"
    path.write_text(
        "META\nkey;value\nbudget;100\nvote_type;choose-1\nPROJECTS\nproject_id;cost;name\n"
        "p1;30;Plan 1\np2;20;Plan 2\np3;10;Plan 3\n"
        "VOTES\nvoter_id;vote\n1;p2\n2;p1\n3;p2\n4;p1\n5;p3\n",
        encoding="utf-8",
    )
    code, out, _err = tally(capsys, path, "--rule", "plurality")
    assert code == 0
    assert "Tied for the most votes: p1, p2; the tie goes to the smallest id." in out


def test_plurality_is_refused_for_other_vote_types(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = tally(capsys, LARGEST, "--rule", "plurality")
    assert (code, out) == (1, "")
    assert err == (
        "Error: Plurality is for choose-1 votes; this file's vote type is approval: use --rule "
        "greedy, mes or both.\n"
    )


def test_a_broken_file_is_one_line_and_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = CHOOSE_ONE.read_text(encoding="utf-8").replace("\n14368855578;44250\n", "\n1;9999\n")
    path = tmp_path / "broken.pb"
    path.write_text(text, encoding="utf-8")
    code, out, err = tally(capsys, path, "--rule", "mes")
    assert (code, out) == (1, "")
    assert err == (
        "Error: Line 28 of the .pb file: the ballot of voter “1” names project “9999”, which "
        "is not in the PROJECTS section.\n"
    )


def test_a_missing_or_unreadable_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = tally(capsys, tmp_path / "nowhere.pb", "--rule", "greedy")
    assert (code, out) == (1, "")
    assert err.startswith("Error: Cannot read ") and err.count("\n") == 1
    path = tmp_path / "utf16.pb"
    path.write_bytes("META\nkey;value\ndescription;Łódź\n".encode("utf-16"))
    code, out, err = tally(capsys, path, "--rule", "greedy")
    assert code == 1
    assert "is not UTF-8 text" in err and err.count("\n") == 1


def test_json_refuses_amounts_finer_than_fen(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "mills.pb"
    path.write_text(
        "META\nkey;value\nbudget;10.005\nvote_type;approval\nPROJECTS\nproject_id;cost\n"
        "a;5\nVOTES\nvoter_id;vote\n1;a\n",
        encoding="utf-8",
    )
    code, out, _err = tally(capsys, path, "--rule", "greedy")
    assert code == 0
    assert "5.00 of 10.005" in out
    code, out, err = tally(capsys, path, "--rule", "greedy", "--json")
    assert (code, out) == (1, "")
    assert "The amount 10.005 has more than two decimals" in err

"""``gongzhang vote …`` and ``gongzhang pb import|export`` as the committee and the desk use
them: an owners' meeting on the open budget, a residents' meeting with its own quorum, a
participatory budget from paper ballots to activities, a Pabulib file in and out; and every
refusal in one line, exit code 1, with the ledger file unchanged (compared by ``iterdump``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlmodel import select

from ledger.db import open_ledger
from ledger.domain import BookKind, Role
from ledger.models import Budget
from ledger.pabulib import read_pb
from ledger.services.books import create_book
from ledger.services.households import add_household, enrol_household
from ledger.services.property import add_unit, create_budget
from ledger.services.users import create_user
from tests.desktop.test_cli import dump, run

PABULIB = Path(__file__).resolve().parents[3] / "shared" / "pabulib"
PIASKI = PABULIB / "Poland_Warszawa_2017_Piaski.pb"

FUND, TRUST, VILLAGE = "碧鸡桥社区微基金", "金河绿洲物业", "全兴村"
HOUSEHOLDS = [f"1栋{n}01" for n in range(1, 7)]
#: (room, owner key, area m², unsold): 6 owners, 600.00 m²; wang has two units, the
#: developer's two unsold units are one owner (as in tests/ledger/test_votes.py, with li one
#: dm² larger and sun one dm² smaller, so that the yes side is 200.01 of 400.00 m²).
UNITS = [
    ("101", "wang", "50.00", False),
    ("102", "wang", "50.00", False),
    ("201", "li", "50.01", False),
    ("202", "zhao", "50.00", False),
    ("301", "sun", "199.99", False),
    ("401", "", "50.00", True),
    ("402", "", "50.00", True),
    ("501", "zhou", "100.00", False),
]


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    """Users admin, treasurer, committee, auditor; book 1 the micro-fund with six households,
    book 2 the estate with its units and a draft 2025 budget, book 3 the village (no
    households)."""
    path = tmp_path / "votes.sqlite"
    made = open_ledger(str(path), create=True)
    with made.write() as s:
        admin = create_user(
            s, username="admin", role=Role.ADMIN, password="gongzhang-demo", actor=None
        )
        for name, role in [
            ("treasurer", Role.TREASURER),
            ("committee", Role.COMMITTEE),
            ("auditor", Role.AUDITOR),
        ]:
            create_user(s, username=name, role=role, password="gongzhang-demo", actor=admin)
        fund = create_book(s, kind=BookKind.MICRO_FUND, name=FUND, actor=admin)
        trust = create_book(s, kind=BookKind.TRUST_PROPERTY, name=TRUST, actor=admin)
        create_book(s, kind=BookKind.COLLECTIVE_REVENUE, name=VILLAGE, actor=admin)
        for label in HOUSEHOLDS:
            household = add_household(s, label=label, actor=admin)
            enrol_household(s, book_id=fund.id or 0, household_id=household.id or 0, actor=admin)
        for room, owner, area, unsold in UNITS:
            add_unit(
                s,
                book_id=trust.id or 0,
                building="1",
                unit="1",
                room=room,
                area=area,
                owner_key=owner,
                unsold=unsold,
                actor=admin,
            )
        create_budget(s, book_id=trust.id or 0, year=2025, lines={"wages": 12_600_000}, actor=admin)
    made.close()
    return path


def gz(
    capsys: pytest.CaptureFixture[str], path: Path, group: str, command: str, *args: str
) -> tuple[int, str, str]:
    return run(capsys, group, command, str(path), "--lang", "en", *args)


def ok(capsys: pytest.CaptureFixture[str], path: Path, *args: str) -> str:
    code, out, err = gz(capsys, path, *args)
    assert (code, err) == (0, ""), err
    return out


def refused(capsys: pytest.CaptureFixture[str], path: Path, words: str, *args: str) -> str:
    before = dump(path)
    code, out, err = gz(capsys, path, *args)
    assert (code, out) == (1, ""), (out, err)
    assert err.startswith("Error: ") and err.count("\n") == 1, err
    assert words in err, err
    assert dump(path) == before
    return err


def create(capsys: pytest.CaptureFixture[str], path: Path, *args: str) -> int:
    out = ok(
        capsys,
        path,
        "vote",
        "create",
        "--opens",
        "2024-11-01",
        "--closes",
        "2024-11-30",
        "--user",
        "committee",
        "--json",
        *args,
    )
    vote_id: int = json.loads(out)["id"]
    return vote_id


def cast(
    capsys: pytest.CaptureFixture[str], path: Path, vote_id: int, voter: str, *args: str
) -> str:
    return ok(
        capsys,
        path,
        "vote",
        "ballot",
        str(vote_id),
        "--voter",
        voter,
        "--date",
        "2024-11-10",
        "--user",
        "treasurer",
        *args,
    )


def owners_meeting(capsys: pytest.CaptureFixture[str], path: Path) -> int:
    return create(
        capsys,
        path,
        "--book",
        TRUST,
        "--kind",
        "owners_meeting",
        "--title",
        "2025年度开放式预算",
        "--matter",
        "ordinary",
        "--budget-year",
        "2025",
    )


def budget_vote(capsys: pytest.CaptureFixture[str], path: Path, *args: str) -> int:
    return create(
        capsys,
        path,
        "--book",
        FUND,
        "--kind",
        "participatory_budget",
        "--title",
        "2025年参与式预算",
        "--budget",
        "10,000",
        "--project",
        "a:楼道灯更换:5000",
        "--project",
        "b:健身器材:5,000.00",
        "--project",
        "c:读书角:2500",
        *args,
    )


def budget_status(path: Path) -> tuple[str, int | None]:
    """The status of the 2025 budget and the vote that approved it."""
    with open_ledger(str(path)) as opened, opened.read() as s:
        budget = s.exec(select(Budget)).one()
        return budget.status, budget.approved_by_vote_id


# --- an owners' meeting on the open budget ------------------------------------------------------


def test_owners_meeting_approves_the_budget(
    ledger: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    vote_id = owners_meeting(capsys, ledger)
    assert "for wang; ballots so far: 1." in cast(
        capsys, ledger, vote_id, "1-1-101", "--choice", "同意"
    )
    cast(capsys, ledger, vote_id, "li", "--choice", "yes")
    cast(capsys, ledger, vote_id, "1-1-202", "--choice", "yes", "--channel", "in_person")
    cast(
        capsys, ledger, vote_id, "sun", "--choice", "反对", "--channel", "proxy", "--proxy", "孙女"
    )
    out = ok(capsys, ledger, "vote", "result", str(vote_id))
    assert "The vote is still open: this is the count so far." in out
    assert budget_status(ledger) == ("draft", None)

    out = ok(
        capsys, ledger, "vote", "close", str(vote_id), "--date", "2024-12-01", "--user", "committee"
    )
    assert out.splitlines() == [
        f"Vote {vote_id} (owners' meeting): 2025年度开放式预算",
        "Matter: Ordinary matter",
        "Ballots: 4 of 6 owners — yes 3, no 1, abstain 0.",
        "Area of the owners taking part, of the total area: 400.00 / 600.00 m², 2/3 = 66.67%; "
        "required ≥ 2/3 (66.67%): passed",
        "Owners taking part, of all owners: 4 / 6, 2/3 = 66.67%; required ≥ 2/3 (66.67%): passed",
        "Area voting yes, of the area taking part: 200.01 / 400.00 m², 20001/40000 = 50.00%; "
        "required > 1/2 (50.00%): passed",
        "Owners voting yes, of the owners taking part: 3 / 4, 3/4 = 75.00%; required > 1/2 "
        "(50.00%): passed",
        "Outcome: Passed",
        "The 2025 open budget is approved by this vote.",
    ]
    assert budget_status(ledger) == ("approved", vote_id)
    # The result is what was decided, also later, also as JSON.
    data = json.loads(ok(capsys, ledger, "vote", "result", str(vote_id), "--json"))
    assert (data["outcome"], data["status"], data["effects"]) == (
        "passed",
        "closed",
        {"budget_approved": 2025},
    )
    assert [(f["key"], f["part"], f["whole"], f["passed"]) for f in data["figures"]] == [
        ("participation_area", 40000, 60000, True),
        ("participation_owners", 4, 6, True),
        ("approval_area", 20001, 40000, True),
        ("approval_owners", 3, 4, True),
    ]
    out = ok(capsys, ledger, "vote", "list")
    row = next(line for line in out.splitlines() if line.split()[:1] == [str(vote_id)])
    assert row.split()[-2:] == ["4", "closed"]


# --- a residents' meeting with its own quorum ----------------------------------------------------


def test_residents_meeting_with_a_two_thirds_quorum(
    ledger: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    common = ("--book", FUND, "--kind", "residents_meeting", "--title", "增设电动车充电桩")
    default = create(capsys, ledger, *common)
    strict = create(capsys, ledger, *common, "--quorum", "2/3", "--quorum-rule", "at-least")
    for vote_id in (default, strict):
        for label in HOUSEHOLDS[:4]:
            cast(capsys, ledger, vote_id, label, "--choice", "yes")
    lines = ok(capsys, ledger, "vote", "result", str(strict)).splitlines()
    # 4 of 6 households is exactly 2/3: "at least 2/3" is reached.
    assert (
        "Households present, of all households: 4 / 6, 2/3 = 66.67%; required ≥ 2/3 (66.67%): "
        "passed" in lines
    )
    assert lines[-1] == "Outcome: Passed"
    lines = ok(capsys, ledger, "vote", "result", str(default)).splitlines()
    assert (
        "Households present, of all households: 4 / 6, 2/3 = 66.67%; required > 1/2 (50.00%): "
        "passed" in lines
    )
    # "more than 2/3" would not be reached by the same 4 of 6.
    strictly = create(capsys, ledger, *common, "--quorum", "2/3", "--quorum-rule", "more-than")
    for label in HOUSEHOLDS[:4]:
        cast(capsys, ledger, strictly, label, "--choice", "yes")
    lines = ok(capsys, ledger, "vote", "close", str(strictly), "--user", "committee").splitlines()
    assert (
        "Households present, of all households: 4 / 6, 2/3 = 66.67%; required > 2/3 (66.67%): "
        "not reached" in lines
    )
    assert "Outcome: Quorum not reached" in lines

    refused(
        capsys,
        ledger,
        "“two thirds” is not a share; write it as a fraction like 2/3 or as 50%.",
        "vote",
        "create",
        *common,
        "--opens",
        "2024-11-01",
        "--closes",
        "2024-11-30",
        "--quorum",
        "two thirds",
        "--user",
        "committee",
    )
    refused(
        capsys,
        ledger,
        "Give the share too, like --quorum 2/3.",
        "vote",
        "create",
        *common,
        "--opens",
        "2024-11-01",
        "--closes",
        "2024-11-30",
        "--quorum-rule",
        "at-least",
        "--user",
        "committee",
    )


# --- a participatory budget from paper ballots to activities -------------------------------


def test_participatory_budget_creates_the_selected_activities(
    ledger: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    vote_id = budget_vote(capsys, ledger, "--ballot-type", "approval", "--max-length", "2")
    out = ok(capsys, ledger, "vote", "show", str(vote_id))
    assert "Budget CN¥10,000.00; ballot type approval; rule mes." in out
    assert [line.split()[:2] for line in out.splitlines()[4:7]] == [
        ["a", "楼道灯更换"],
        ["b", "健身器材"],
        ["c", "读书角"],
    ]
    for label, projects in zip(HOUSEHOLDS, ["a,b", "b,a", "a，b", "c"], strict=False):
        out = cast(capsys, ledger, vote_id, label, "--projects", projects)
        assert f"for {label};" in out
    out = ok(
        capsys, ledger, "vote", "close", str(vote_id), "--date", "2024-12-01", "--user", "committee"
    )
    lines = out.splitlines()
    assert lines[1:9] == [
        "Ballots: 4 of 6 households.",
        "Rule: Method of Equal Shares, completed by greedy",
        "Budget CN¥10,000.00, used CN¥7,500.00, left CN¥2,500.00.",
        "1. a 楼道灯更换 — votes: 3, cost: CN¥5,000.00",
        "2. c 读书角 — votes: 1, cost: CN¥2,500.00",
        "Outcome: projects selected",
        "Activity 1 created for project a with a budget of CN¥5,000.00.",
        "Activity 2 created for project c with a budget of CN¥2,500.00.",
    ]
    # Greedy's and MES's order side by side: greedy takes a and b, MES a and c.
    table = {line.split()[0]: line.split()[1:] for line in lines[11:14]}
    assert table == {
        "b": ["健身器材", "3", "CN¥5,000.00", "2"],
        "a": ["楼道灯更换", "3", "CN¥5,000.00", "1", "1"],
        "c": ["读书角", "1", "CN¥2,500.00", "2"],
    }
    out = run(capsys, "activity", "list", str(ledger), "--book", FUND, "--lang", "en", "--json")[1]
    activities = {a["name"]: a for a in json.loads(out)}
    assert {name: a["budget_fen"] for name, a in activities.items()} == {
        "楼道灯更换": 500_000,
        "读书角": 250_000,
    }


# --- Pabulib files in and out ----------------------------------------------------------------


def test_pb_import_close_and_export(
    ledger: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Warsaw 2017, Piaski: 577 approval ballots, 7 projects, budget 900,000 PLN; MES selects
    the six projects greedy selects, 507,739.00 PLN. PLN is not the fund's money: no activity."""
    out = ok(capsys, ledger, "pb", "import", str(PIASKI), "--book", FUND, "--user", "committee")
    assert out == (
        "Imported Poland_Warszawa_2017_Piaski.pb as vote 1 “Local PB in Warszawa, Bielany | "
        "Piaski”: 7 projects, 577 ballots.\n"
    )
    lines = ok(capsys, ledger, "vote", "close", "1", "--user", "committee").splitlines()
    assert lines[1:4] == [
        "Ballots: 577.",
        "Rule: Method of Equal Shares, completed by greedy",
        "Budget 900,000.00 PLN, used 507,739.00 PLN, left 392,261.00 PLN.",
    ]
    assert (
        lines[4]
        == "1. 588 Rewitalizacja placu zabaw o powierzchni 650m kw. — votes: 395, cost: 257,339.00 PLN"
    )
    assert not any("Activity" in line for line in lines)
    assert all("CN¥" not in line for line in lines)
    data = json.loads(ok(capsys, ledger, "vote", "result", "1", "--json"))
    assert data["selected"] == ["588", "29", "1188", "1020", "1185", "1193"]
    assert data["by_rule"]["greedy"]["selected"] == data["selected"]
    assert (data["used_fen"], data["currency"], data["effects"]) == (50_773_900, "PLN", {})

    target = tmp_path / "piaski-out.pb"
    out = ok(capsys, ledger, "pb", "export", "1", "-o", str(target))
    assert out == f"Wrote {target}: 7 projects, 577 ballots (voter ids pseudonymous).\n"
    original = read_pb(PIASKI.read_text(encoding="utf-8"))
    again = read_pb(target.read_text(encoding="utf-8"))
    assert (again.vote_type, again.budget, again.projects) == (
        original.vote_type,
        original.budget,
        original.projects,
    )
    assert [v.voter_id for v in again.votes][:2] == ["v1", "v2"]
    assert [(v.projects, v.fields) for v in again.votes] == [
        (v.projects, v.fields) for v in original.votes
    ]
    assert original.votes[0].voter_id not in {v.voter_id for v in again.votes}


def test_an_in_app_vote_exports(
    ledger: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    vote_id = budget_vote(capsys, ledger, "--ballot-type", "ordinal", "--rule", "greedy")
    cast(capsys, ledger, vote_id, HOUSEHOLDS[0], "--projects", "c,a")
    cast(capsys, ledger, vote_id, HOUSEHOLDS[1], "--projects", "b")
    target = tmp_path / "ours.pb"
    ok(capsys, ledger, "pb", "export", str(vote_id), "-o", str(target))
    text = target.read_text(encoding="utf-8")
    again = read_pb(text)
    assert (again.vote_type, again.budget, again.currency) == ("ordinal", 10_000, "CNY")
    assert [(v.voter_id, v.projects) for v in again.votes] == [("v1", ("c", "a")), ("v2", ("b",))]
    assert "1栋101" not in text and ";h1" not in text and "\nh1;" not in text


# --- refusals: one line, exit 1, nothing written ----------------------------------------------


def test_ballot_refusals_change_nothing(ledger: Path, capsys: pytest.CaptureFixture[str]) -> None:
    meeting = owners_meeting(capsys, ledger)
    cast(capsys, ledger, meeting, "1-1-101", "--choice", "yes")
    ballot = ("vote", "ballot", str(meeting), "--date", "2024-11-10", "--user", "treasurer")
    refused(
        capsys,
        ledger,
        f"wang already has a ballot in vote {meeting} (cast on 2024-11-10); one ballot per owner.",
        *ballot,
        "--voter",
        "1-1-102",
        "--choice",
        "no",
    )
    refused(
        capsys,
        ledger,
        "No unit or owner “3-1-101” in the register of this estate",
        *ballot,
        "--voter",
        "3-1-101",
        "--choice",
        "yes",
    )
    refused(
        capsys,
        ledger,
        f"Vote {meeting} takes ballots from 2024-11-01 to 2024-11-30; a ballot cast on 2024-12-01 "
        "cannot count.",
        "vote",
        "ballot",
        str(meeting),
        "--voter",
        "li",
        "--choice",
        "yes",
        "--date",
        "2024-12-01",
        "--user",
        "treasurer",
    )
    refused(
        capsys,
        ledger,
        "auditor (Auditor (read-only)) may not record ballots.",
        "vote",
        "ballot",
        str(meeting),
        "--voter",
        "li",
        "--choice",
        "yes",
        "--date",
        "2024-11-10",
        "--user",
        "auditor",
    )
    refused(
        capsys,
        ledger,
        "There is no vote number 42; “gongzhang vote list” shows the votes.",
        "vote",
        "ballot",
        "42",
        "--voter",
        "li",
        "--choice",
        "yes",
        "--user",
        "treasurer",
    )
    refused(
        capsys,
        ledger,
        "Say why the ballot is corrected (--reason); the correction is kept for audit.",
        "vote",
        "correct",
        str(meeting),
        "--voter",
        "wang",
        "--choice",
        "no",
        "--reason",
        "  ",
        "--user",
        "treasurer",
    )
    out = ok(
        capsys,
        ledger,
        "vote",
        "correct",
        str(meeting),
        "--voter",
        "1-1-102",
        "--choice",
        "no",
        "--reason",
        "纸质选票为反对",
        "--user",
        "treasurer",
    )
    assert out == f"Ballot 1 of vote {meeting} corrected (correction 1).\n"
    refused(
        capsys,
        ledger,
        "may not open, change or close votes",
        "vote",
        "close",
        str(meeting),
        "--user",
        "treasurer",
    )
    ok(capsys, ledger, "vote", "close", str(meeting), "--user", "committee")
    refused(
        capsys,
        ledger,
        f"Vote {meeting} is closed; no more ballots can be recorded.",
        *ballot,
        "--voter",
        "li",
        "--choice",
        "yes",
    )

    residents = create(
        capsys, ledger, "--book", FUND, "--kind", "residents_meeting", "--title", "议题"
    )
    cast(capsys, ledger, residents, HOUSEHOLDS[0], "--choice", "yes")
    refused(
        capsys,
        ledger,
        f"1栋101 already has a ballot in vote {residents} (cast on 2024-11-10); one ballot per "
        "household.",
        "vote",
        "ballot",
        str(residents),
        "--voter",
        HOUSEHOLDS[0],
        "--choice",
        "no",
        "--date",
        "2024-11-11",
        "--user",
        "committee",
    )
    refused(
        capsys,
        ledger,
        "No household “9栋901” in the register of this book",
        "vote",
        "ballot",
        str(residents),
        "--voter",
        "9栋901",
        "--choice",
        "no",
        "--date",
        "2024-11-11",
        "--user",
        "committee",
    )


def test_budget_ballot_refusals_change_nothing(
    ledger: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    approval = budget_vote(capsys, ledger, "--ballot-type", "approval", "--max-length", "2")
    cumulative = budget_vote(capsys, ledger, "--ballot-type", "cumulative", "--max-points", "10")
    choose_one = create(
        capsys,
        ledger,
        "--book",
        FUND,
        "--kind",
        "participatory_budget",
        "--title",
        "广场设计方案",
        "--ballot-type",
        "choose-1",
        "--budget",
        "90000",
        "--option",
        "p1:方案一",
        "--option",
        "p2:方案二",
    )

    def ballot(vote_id: int, *args: str) -> tuple[str, ...]:
        return (
            "vote",
            "ballot",
            str(vote_id),
            "--voter",
            HOUSEHOLDS[0],
            "--date",
            "2024-11-10",
            "--user",
            "treasurer",
            *args,
        )

    refused(
        capsys,
        ledger,
        "This ballot names 3 projects but a voter may choose at most 2; check the paper ballot.",
        *ballot(approval, "--projects", "a,b,c"),
    )
    refused(
        capsys,
        ledger,
        "This ballot gives 11 points in all but a voter has at most 10; check the paper ballot.",
        *ballot(cumulative, "--projects", "a,b", "--points", "6,5"),
    )
    refused(
        capsys,
        ledger,
        "Points are whole numbers separated by commas, like 3,2,1; got “6,x”.",
        *ballot(cumulative, "--projects", "a,b", "--points", "6,x"),
    )
    refused(
        capsys,
        ledger,
        "A choose-1 ballot names exactly one option; this one names 2.",
        *ballot(choose_one, "--projects", "p1,p2"),
    )
    cast(capsys, ledger, approval, HOUSEHOLDS[0], "--projects", "a,c")
    refused(
        capsys,
        ledger,
        f"Vote {approval} already has 1 ballots: its rules and options are fixed once the first "
        "ballot is in.",
        "vote",
        "amend",
        str(approval),
        "--add-project",
        "d:垃圾分类亭:1200",
        "--user",
        "committee",
    )
    # Before its first ballot a vote can still change.
    out = ok(
        capsys,
        ledger,
        "vote",
        "amend",
        str(cumulative),
        "--add-project",
        "d:垃圾分类亭:1200",
        "--budget",
        "12000",
        "--user",
        "committee",
    )
    assert out == f"Vote {cumulative} amended.\n"
    shown = json.loads(ok(capsys, ledger, "vote", "show", str(cumulative), "--json"))
    assert shown["budget_fen"] == 1_200_000
    assert [o["code"] for o in shown["options"]] == ["a", "b", "c", "d"]


def test_vote_creation_refusals_change_nothing(
    ledger: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dates = ("--opens", "2024-11-01", "--closes", "2024-11-30")
    refused(
        capsys,
        ledger,
        "Project b costs CN¥12,000.00, more than the whole budget of CN¥10,000.00; it could "
        "never be funded.",
        "vote",
        "create",
        "--book",
        FUND,
        "--kind",
        "participatory_budget",
        "--title",
        "参与式预算",
        *dates,
        "--budget",
        "10000",
        "--project",
        "a:楼道灯更换:5000",
        "--project",
        "b:小区大门:12000",
        "--user",
        "committee",
    )
    refused(
        capsys,
        ledger,
        "An owners' meeting counts the owners of an estate: open it in the estate's "
        "trust-property book, not in “碧鸡桥社区微基金”.",
        "vote",
        "create",
        "--book",
        FUND,
        "--kind",
        "owners_meeting",
        "--matter",
        "ordinary",
        "--title",
        "业主大会",
        *dates,
        "--user",
        "committee",
    )
    refused(
        capsys,
        ledger,
        "“全兴村” has no households in its register, so nobody could vote (one ballot per "
        "household)",
        "vote",
        "create",
        "--book",
        VILLAGE,
        "--kind",
        "village_meeting",
        "--title",
        "村民会议",
        *dates,
        "--user",
        "committee",
    )
    refused(
        capsys,
        ledger,
        "“金河绿洲物业” has no households in its register",
        "vote",
        "create",
        "--book",
        TRUST,
        "--kind",
        "residents_meeting",
        "--title",
        "居民会议",
        *dates,
        "--user",
        "committee",
    )
    refused(
        capsys,
        ledger,
        "treasurer (",
        "vote",
        "create",
        "--book",
        FUND,
        "--kind",
        "residents_meeting",
        "--title",
        "居民会议",
        *dates,
        "--user",
        "treasurer",
    )
    refused(
        capsys,
        ledger,
        "Give a project as ID:NAME:COST",
        "vote",
        "create",
        "--book",
        FUND,
        "--kind",
        "participatory_budget",
        "--title",
        "参与式预算",
        *dates,
        "--budget",
        "10000",
        "--project",
        "a-5000",
        "--user",
        "committee",
    )


# --- broken .pb files: the line, and nothing imported ------------------------------------------

GOOD = """META
key;value
description;楼道改造
budget;100
vote_type;approval
num_projects;2
num_votes;2
PROJECTS
project_id;cost;name
a;60;楼道灯
b;50;扶手
VOTES
voter_id;vote
1;a
2;a,b
"""

BROKEN = [
    pytest.param(
        GOOD.replace("PROJECTS\nproject_id;cost;name\na;60;楼道灯\nb;50;扶手\n", ""),
        "Line 8 of the .pb file: the VOTES section comes where the PROJECTS section should begin",
        id="no PROJECTS section",
    ),
    pytest.param(
        GOOD.split("VOTES\n", maxsplit=1)[0],
        "Line 11 of the .pb file: the file ends without a VOTES section",
        id="no VOTES section",
    ),
    pytest.param(
        GOOD.replace("2;a,b", "2;a,z"),
        "Line 15 of the .pb file: the ballot of voter “2” names project “z”, which is not in the "
        "PROJECTS section.",
        id="unknown project id",
    ),
    pytest.param(
        GOOD.replace("b;50;扶手", "b;5O;扶手"),
        "Line 11 of the .pb file: the cost of project “b” must be a number ≥ 0, not “5O”.",
        id="bad cost",
    ),
    pytest.param(
        GOOD.replace("budget;100", "budget;1e2"),
        "Line 4 of the .pb file: the META value budget must be a number ≥ 0, not “1e2”.",
        id="bad budget",
    ),
    pytest.param(
        GOOD.replace("num_votes;2", "num_votes;3"),
        "Line 7 of the .pb file: META says num_votes is 3, but the file has 2",
        id="wrong number of votes",
    ),
]


@pytest.mark.parametrize(("text", "message"), BROKEN)
def test_a_broken_pb_file_imports_nothing(
    ledger: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str, message: str
) -> None:
    good = tmp_path / "good.pb"
    good.write_text(GOOD, encoding="utf-8")
    broken = tmp_path / "broken.pb"
    broken.write_text(text, encoding="utf-8")
    err = refused(
        capsys, ledger, message, "pb", "import", str(broken), "--book", FUND, "--user", "committee"
    )
    assert err.startswith("Error: Line ")
    assert "No votes yet." in ok(capsys, ledger, "vote", "list")
    # The same file, mended, imports.
    out = ok(capsys, ledger, "pb", "import", str(good), "--book", FUND, "--user", "committee")
    assert "2 projects, 2 ballots" in out


def test_pb_import_and_export_refusals(
    ledger: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "good.pb"
    path.write_text(GOOD, encoding="utf-8")
    refused(
        capsys,
        ledger,
        "open it in a micro-fund book, not in “金河绿洲物业”",
        "pb",
        "import",
        str(path),
        "--book",
        TRUST,
        "--user",
        "committee",
    )
    refused(
        capsys,
        ledger,
        "treasurer (",
        "pb",
        "import",
        str(path),
        "--book",
        FUND,
        "--user",
        "treasurer",
    )
    meeting = owners_meeting(capsys, ledger)
    refused(
        capsys,
        ledger,
        "is not a participatory budget; only those are Pabulib ",
        "pb",
        "export",
        str(meeting),
        "-o",
        str(tmp_path / "out.pb"),
    )
    assert not (tmp_path / "out.pb").exists()

"""Participatory budgeting: the rules (plurality, greedy, the Method of Equal Shares completed
by greedy) worked by hand and checked against pabutools on every real election in
``shared/pabulib``; and the Pabulib ``.pb`` reader and writer.

Runtime note: the comparison with pabutools computes pabutools' own outcomes live, once per
test session (the ``reference`` fixture). That takes about 20 s here, almost all of it
pabutools' iterated MES on Poland_Warszawa_2018_Praga-Poludnie.pb (our own rules take under a
second for all nine files); the seeded random elections checked against pabutools at the end
add about 5 s.
"""

from __future__ import annotations

import itertools
import random
from collections import Counter
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from pabutools.election import (
    ApprovalBallot,
    ApprovalProfile,
    Cost_Sat,
    Instance,
    Project,
    parse_pabulib,
)
from pabutools.election.pabulib import parse_pabulib_from_string
from pabutools.rules import (
    completion_by_rule_combination,
    greedy_utilitarian_welfare,
    method_of_equal_shares,
)

from ledger.errors import InvalidInputError
from ledger.pabulib import PbElection, PbVote, format_amount, parse_amount, read_pb, write_pb
from ledger.rules.pb import (
    PluralityResult,
    equal_shares_core,
    equal_shares_runs,
    equal_shares_selection,
    greedy_selection,
    plurality,
    tally,
    total_cost,
    vote_counts,
)
from tests.conftest import TEST_DB

# Rules and files only, no ledger: checked once, on the SQLite run, not again on a server's.
pytestmark = pytest.mark.skipif(
    bool(TEST_DB) and not TEST_DB.startswith("sqlite"), reason="no database involved"
)

PABULIB = Path(__file__).resolve().parents[3] / "shared" / "pabulib"
FILES = sorted(PABULIB.glob("*.pb"))
LARGEST = PABULIB / "Poland_Warszawa_2018_Praga-Poludnie.pb"


def test_the_real_elections_are_there() -> None:
    assert len(FILES) == 9
    assert LARGEST in FILES


# --- greedy, worked by hand ---------------------------------------------------------------------


def test_greedy_breaks_equal_votes_by_id_and_skips_what_does_not_fit() -> None:
    """Budget 100; a costs 60, b 50, c 40; four voters: {a}, {a, b}, {b, c}, {c}.

    Every project has 2 votes, so the order is the ids' order a, b, c. a (60) fits, 40 left;
    b (50) does not fit in 40 and is skipped; c (40) fits exactly: {a, c}, 100 used."""
    costs = {"a": 60, "b": 50, "c": 40}
    ballots = [["a"], ["a", "b"], ["b", "c"], ["c"]]
    assert vote_counts(costs, ballots) == {"a": 2, "b": 2, "c": 2}
    assert greedy_selection(costs, ballots, 100) == ["a", "c"]
    result = tally("greedy", costs, ballots, 100)
    assert (result.selected, result.used, result.left) == (("a", "c"), 100, 0)


def test_greedy_orders_ids_as_strings() -> None:
    """Project ids are compared as text, as pabutools does: "10" comes before "9". Budget 5,
    both cost 5 and have one vote each, so "10" is taken and "9" no longer fits."""
    assert greedy_selection({"9": 5, "10": 5}, [["9"], ["10"]], 5) == ["10"]


def test_greedy_takes_projects_nobody_voted_for_if_they_fit() -> None:
    """pabutools gives a project with no votes (or no cost) density 0: it comes last, but is
    still selected if it fits. Budget 10: a (6, 1 vote), then z (3, no votes) fits in 4."""
    assert greedy_selection({"a": 6, "z": 3}, [["a"]], 10) == ["a", "z"]
    assert greedy_selection({"a": 6, "free": 0}, [["a"], ["free"]], 6) == ["a", "free"]


# --- the Method of Equal Shares, worked by hand --------------------------------------------------


def test_mes_gives_the_minority_its_share_where_greedy_does_not() -> None:
    """Budget 100, four voters, so 100 / 4 = 25 each. Voters 1–3 want a (50) and b (50); voter
    4 wants c (25).

    Greedy: a and b have 3 votes each, a first by id; a + b = 100: {a, b}.

    MES: a and b can each be shared by 3 voters at 50 / 3 = 16.67 each, ρ = 16.67 / 50 = 1/3;
    c only by voter 4 at 25, ρ = 25 / 25 = 1. a and b tie; a wins by id. Voters 1–3 keep
    25 − 16.67 = 8.33 each, 25 together: b (50) is no longer affordable. c is (voter 4 has
    25): selected. {a, c} costs 75 and b does not fit in the 25 left, so the outcome is
    exhaustive and MES stops at once: {a, c}; greedy has nothing to add."""
    costs = {"a": 50, "b": 50, "c": 25}
    ballots = [["a", "b"]] * 3 + [["c"]]
    assert greedy_selection(costs, ballots, 100) == ["a", "b"]
    assert equal_shares_core(costs, ballots, 100) == ["a", "c"]
    assert equal_shares_selection(costs, ballots, 100) == ["a", "c"]


def test_mes_raises_the_budget_per_voter_one_unit_at_a_time() -> None:
    """Budget 100, four voters: 25 each. a (80) is wanted by voters 1–3, b (20) by voter 4,
    c (30) by voter 1.

    With 25 each, a is unaffordable (3 × 25 = 75 < 80), c too (25 < 30); b is selected: {b}
    (20). a would still fit (20 + 80 = 100), so MES tries 26 each (a: 78 < 80, still {b}),
    then 27 each: a is affordable at 80 / 3 = 26.67 each (ρ = 1/3) and selected first, then b
    (ρ = 20/20 = 1); voter 1 has 0.33 left, c is unaffordable. {a, b} = 100: exhaustive."""
    costs = {"a": 80, "b": 20, "c": 30}
    ballots = [["a", "c"], ["a"], ["a"], ["b"]]
    assert equal_shares_core(costs, ballots, 100) == ["a", "b"]


def test_mes_keeps_the_last_outcome_within_budget_and_greedy_completes_it() -> None:
    """Budget 100, two voters (50 each). a (50) is wanted by voter 1, b (50) by voter 2, c (30)
    by both.

    With 50 each: c is shared at 15 each (ρ = 15/30 = 1/2), selected; each keeps 35, too little
    for a or b: {c}. a would still fit, so the budget per voter rises … at 65 each, after c
    both keep 50: a and b tie at ρ = 1, a first by id, then b: {c, a, b} costs 130 > 100. So
    MES keeps the outcome of 64 each: {c}. Greedy then completes it: a and b have one vote
    each, a first by id fits in 70; b no longer fits in 20: {c, a}."""
    costs = {"a": 50, "b": 50, "c": 30}
    ballots = [["a", "c"], ["b", "c"]]
    assert equal_shares_core(costs, ballots, 100) == ["c"]
    assert equal_shares_selection(costs, ballots, 100) == ["c", "a"]


def test_mes_with_no_ballots_is_greedy_on_nothing() -> None:
    """No ballots: MES selects nothing; greedy completes with 0-vote projects that fit, by id."""
    assert equal_shares_core({"a": 10, "b": 5}, [], 12) == []
    assert equal_shares_selection({"a": 10, "b": 5}, [], 12) == ["a"]


def test_mes_is_exact_with_decimal_costs() -> None:
    """Costs and budget with cents: budget 100.01, three voters, 100.01 / 3 = 33.3366… each
    (kept exactly, not rounded). a (66.67) is wanted by voters 1 and 2: 33.335 each, which
    they have. b (33.34) by voter 3, who has only 33.3366…: unaffordable by 0.0033…. {a} leaves
    room for b, so each voter gets one more unit (34.3366…): a, then b. {a, b} = 100.01,
    exactly the budget."""
    costs = {"a": Fraction("66.67"), "b": Fraction("33.34")}
    ballots = [["a"], ["a"], ["b"]]
    assert equal_shares_core(costs, ballots, Fraction("100.01")) == ["a", "b"]
    assert total_cost(costs, ["a", "b"]) == Fraction("100.01")


def test_rules_refuse_inexact_numbers_and_unknown_projects() -> None:
    with pytest.raises(InvalidInputError, match="exact number"):
        greedy_selection({"a": 1.5}, [["a"]], 10)  # type: ignore[dict-item]
    with pytest.raises(InvalidInputError, match="exact number"):
        equal_shares_selection({"a": 1}, [["a"]], 10.0)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="cannot be negative"):
        greedy_selection({"a": -1}, [["a"]], 10)
    with pytest.raises(InvalidInputError, match="“x”, which is not in the election"):
        equal_shares_selection({"a": 1}, [["x"]], 10)
    with pytest.raises(InvalidInputError, match="Unknown rule “borda”"):
        tally("borda", {"a": 1}, [["a"]], 10)


# --- plurality, worked by hand -------------------------------------------------------------------


def test_plurality_breaks_a_tie_by_the_smallest_id() -> None:
    """Choose one of three design plans, five ballots: p2, p1, p2, p1, p3. p1 and p2 have 2
    votes each: a tie, broken by the smallest id (string order), so p1 wins and the result says
    that p1 and p2 were tied."""
    ballots = [["p2"], ["p1"], ["p2"], ["p1"], ["p3"]]
    assert plurality(["p1", "p2", "p3"], ballots) == PluralityResult(
        winner="p1", votes=2, tied=("p1", "p2")
    )
    result = tally("plurality", {"p1": 30, "p2": 20, "p3": 10}, ballots, 50)
    assert (result.selected, result.used, result.tied) == (("p1",), 30, ("p1", "p2"))


def test_plurality_without_a_tie_and_without_votes() -> None:
    """Amsterdam 643 (choose-1, 66 ballots): 44251 has 40 votes, 44250 21, 44252 5."""
    election = read_pb((PABULIB / "Netherlands_Amsterdam_643.pb").read_text(encoding="utf-8"))
    result = plurality(election.costs(), election.ballots())
    assert result == PluralityResult(winner="44251", votes=40, tied=())
    assert plurality(["a", "b"], [[], []]) == PluralityResult(winner=None, votes=0, tied=())


# --- every real election against pabutools -------------------------------------------------------


def _names(allocation: Any) -> list[str]:
    return [str(p.name) for p in allocation]


def _recording(rule: Callable[..., Any], outcomes: list[list[str]]) -> Callable[..., Any]:
    """``rule`` itself, noting each outcome it returns."""

    def recorded(*args: Any, **kwargs: Any) -> Any:
        outcome = rule(*args, **kwargs)
        outcomes.append(_names(outcome))
        return outcome

    return recorded


@pytest.fixture(scope="session")
def reference() -> dict[str, dict[str, list[str]]]:
    """pabutools' greedy and MES (and the MES part before completion) for every file, computed
    live once per session (about 20 s)."""
    results = {}
    for path in FILES:
        instance, profile = parse_pabulib(str(path))
        core: list[list[str]] = []
        greedy = greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat)
        mes = completion_by_rule_combination(
            instance,
            profile,
            [_recording(method_of_equal_shares, core), greedy_utilitarian_welfare],
            [{"sat_class": Cost_Sat, "voter_budget_increment": 1}, {"sat_class": Cost_Sat}],
        )
        results[path.name] = {"greedy": _names(greedy), "mes": _names(mes), "core": core[0]}
    return results


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_every_file_tallies_to_pabutools_outcome(
    path: Path, reference: dict[str, dict[str, list[str]]]
) -> None:
    election = read_pb(path.read_text(encoding="utf-8"))
    costs, ballots, budget = election.costs(), election.ballots(), election.budget
    expected = reference[path.name]
    assert greedy_selection(costs, ballots, budget) == expected["greedy"]
    assert equal_shares_core(costs, ballots, budget) == expected["core"]
    assert set(equal_shares_selection(costs, ballots, budget)) == set(expected["mes"])
    for rule in ("greedy", "mes"):
        result = tally(rule, costs, ballots, budget)
        assert result.used <= budget
        assert set(result.selected) == set(expected[rule])


def test_the_largest_file_has_a_decimal_budget_and_greedy_and_mes_differ(
    reference: dict[str, dict[str, list[str]]],
) -> None:
    """Warsaw 2018, Praga-Południe: budget 748,772.64 PLN, 8,699 ballots; greedy selects 10
    projects, MES (completed) 18."""
    election = read_pb(LARGEST.read_text(encoding="utf-8"))
    assert election.budget == Fraction("748772.64")
    assert len(election.votes) == 8699
    expected = reference[LARGEST.name]
    assert (len(expected["greedy"]), len(expected["mes"])) == (10, 18)


# --- reading .pb files ------------------------------------------------------------------------

GOOD = """META
key;value
description;Hand-made test
budget;100
vote_type;approval
max_length;2
num_projects;3
num_votes;4
PROJECTS
project_id;cost;name;category
a;60;Playground;leisure
b;50;Benches;public space
c;40;Trees;nature
VOTES
voter_id;vote;age
1;a;34
2;a,b;51
3;b,c;27
4;c;
"""


def test_read_a_good_file() -> None:
    election = read_pb(GOOD)
    assert election.budget == 100
    assert election.vote_type == "approval"
    assert election.costs() == {"a": 60, "b": 50, "c": 40}
    assert election.ballots() == [("a",), ("a", "b"), ("b", "c"), ("c",)]
    assert election.project("b").name == "Benches"
    assert election.project("b").fields == {"category": "public space"}
    assert election.votes[3].fields == {"age": ""}
    assert read_pb("\ufeff" + GOOD.replace("\n", "\r\n")) == election


def _replace(line: int, text: str, source: str = GOOD) -> str:
    lines = source.splitlines()
    lines[line - 1] = text
    return "\n".join(lines) + "\n"


BAD_FILES: list[tuple[str, str, int, str]] = [
    ("no META first", "PROJECTS\n" + GOOD.split("PROJECTS\n", 1)[1], 1, "META section"),
    ("text before META", "hello\n" + GOOD, 1, "begins with a META section"),
    (
        "no PROJECTS section",
        GOOD.split("PROJECTS\n", maxsplit=1)[0] + "VOTES\n" + GOOD.split("VOTES\n")[1],
        9,
        "the PROJECTS section should begin",
    ),
    ("no VOTES section", GOOD.split("VOTES\n", maxsplit=1)[0], 13, "ends without a VOTES section"),
    ("empty file", "", 1, "ends without a META section"),
    ("second META", GOOD + "META\n", 20, "no section may follow VOTES"),
    ("no budget", GOOD.replace("budget;100\n", ""), 8, "no “budget”"),
    ("bad budget", _replace(4, "budget;10O"), 4, "must be a number ≥ 0, not “10O”"),
    ("zero budget", _replace(4, "budget;0"), 4, "more than 0"),
    ("unknown vote type", _replace(5, "vote_type;scoring"), 5, "“scoring” is not one"),
    ("bad max_length", _replace(6, "max_length;two"), 6, "must be a whole number"),
    ("bad cost", _replace(12, "b;fifty;Benches;public space"), 12, "not “fifty”"),
    ("negative cost", _replace(12, "b;-50;Benches;public space"), 12, "not “-50”"),
    ("cost above budget", _replace(11, "a;100.01;Playground;leisure"), 11, "more than the whole"),
    ("duplicate project", _replace(13, "a;40;Trees;nature"), 13, "“a” is given twice"),
    ("no cost column", _replace(10, "project_id;price;name;category"), 10, "no “cost” column"),
    ("unknown project", _replace(18, "3;b,x;27"), 18, "names project “x”, which is not"),
    ("project twice on a ballot", _replace(17, "2;a,a;51"), 17, "names project “a” twice"),
    ("ballot too long", _replace(18, "3;a,b,c;27"), 18, "names 3 projects; at most 2"),
    ("duplicate voter", _replace(18, "2;b,c;27"), 18, "“2” is given twice (first on line 17)"),
    ("no voter id", _replace(18, ";b,c;27"), 18, "has no voter_id"),
    ("too many fields", _replace(18, "3;b,c;27;x"), 18, "4 fields but the section's header has 3"),
    ("num_votes wrong", _replace(8, "num_votes;5"), 8, "num_votes is 5, but the file has 4"),
    ("num_projects wrong", _replace(7, "num_projects;2"), 7, "num_projects is 2"),
    ("duplicate META key", _replace(3, "budget;100"), 4, "“budget” is given twice"),
]


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [(text, line, message) for _name, text, line, message in BAD_FILES],
    ids=[name for name, *_rest in BAD_FILES],
)
def test_bad_files_are_refused_with_the_line_number(text: str, line: int, message: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        read_pb(text)
    assert str(caught.value).startswith(f"Line {line} of the .pb file: ")
    assert message in str(caught.value)


CUMULATIVE = """META
key;value
budget;100
vote_type;cumulative
max_sum_points;10
max_points;6
PROJECTS
project_id;cost
a;60
b;50
VOTES
voter_id;vote;points
1;a,b;6,4
2;b;3
3;;
"""


def test_cumulative_ballots_and_their_limits() -> None:
    election = read_pb(CUMULATIVE)
    assert [(v.projects, v.points) for v in election.votes] == [
        (("a", "b"), (6, 4)),
        (("b",), (3,)),
        ((), ()),
    ]
    # With the cost satisfaction only membership counts: 1 vote for a, 2 for b.
    assert vote_counts(election.costs(), election.ballots()) == {"a": 1, "b": 2}
    cases = [
        (_replace(13, "1;a,b;6,5", CUMULATIVE), 13, "gives 11 points in all; at most 10"),
        (_replace(13, "1;a,b;7,3", CUMULATIVE), 13, "gives 7 points to one project; at most 6"),
        (_replace(13, "1;a,b;6", CUMULATIVE), 13, "names 2 projects but gives 1 points"),
        (_replace(13, "1;a,b;6,x", CUMULATIVE), 13, "must be numbers ≥ 0, not “x”"),
    ]
    for text, line, message in cases:
        with pytest.raises(InvalidInputError, match=f"^Line {line} of the .pb file: .*{message}"):
            read_pb(text)


def test_choose_one_ballots_name_one_option() -> None:
    text = GOOD.replace("vote_type;approval", "vote_type;choose-1").replace("max_length;2\n", "")
    with pytest.raises(InvalidInputError, match="^Line 16 .*names 2 projects; at most 1"):
        read_pb(text)


def test_ordinal_ballots_keep_their_ranking() -> None:
    text = (PABULIB / "Poland_Krakow_2018_Bienczyce.pb").read_text(encoding="utf-8")
    election = read_pb(text)
    assert election.vote_type == "ordinal"
    assert all(len(v.projects) == 3 for v in election.votes)
    lines = text.splitlines()
    first_vote = lines[lines.index("VOTES") + 2].split(";")[1]
    assert election.votes[0].projects == tuple(first_vote.split(","))


def test_amounts_are_read_and_written_exactly() -> None:
    assert parse_amount("748772.64") == Fraction(74877264, 100)
    assert parse_amount("200000.0") == 200000
    assert parse_amount("1000,5") == Fraction(20010, 20)
    for bad in ("", "1e5", "-3", "1.2.3", "½", " 12 3"):
        assert parse_amount(bad) is None
    assert format_amount(Fraction(74877264, 100)) == "748772.64"
    assert format_amount(Fraction(1, 8)) == "0.125"
    with pytest.raises(InvalidInputError, match="cannot be written as a decimal"):
        format_amount(Fraction(1, 3))


# --- writing .pb files ------------------------------------------------------------------------


def _ballot_key(ballot: Any) -> tuple[Any, ...]:
    if isinstance(ballot, set):  # approval, choose-1: a set of projects
        return tuple(sorted(str(p.name) for p in ballot))
    if all(v is None for v in ballot.values()):  # ordinal: projects ranked
        return tuple(str(p.name) for p in ballot)
    return tuple((str(p.name), Fraction(str(v))) for p, v in ballot.items())  # cumulative


def _profile_summary(text: str) -> tuple[Any, ...]:
    """What pabutools reads from a file: budget, projects with costs, and the ballots (a
    multiset; with their ranking or points)."""
    instance, profile = parse_pabulib_from_string(text)
    projects = sorted((str(p.name), Fraction(str(p.cost))) for p in instance)
    ballots = Counter(_ballot_key(b) for b in profile)
    return Fraction(str(instance.budget_limit)), projects, ballots


@pytest.fixture(scope="module")
def elections() -> dict[str, tuple[str, PbElection]]:
    texts = {path.name: path.read_text(encoding="utf-8") for path in FILES}
    return {name: (text, read_pb(text)) for name, text in texts.items()}


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_write_then_read_gives_the_same_election(
    path: Path, elections: dict[str, tuple[str, PbElection]]
) -> None:
    original_text, election = elections[path.name]
    written = write_pb(election)
    assert read_pb(written) == election
    # pabutools reads what we write as it reads the original.
    assert _profile_summary(written) == _profile_summary(original_text)


def test_pseudonymous_export_replaces_voter_ids_in_ballot_order(
    elections: dict[str, tuple[str, PbElection]],
) -> None:
    _text, election = elections["Poland_Gdansk_2020_Krakowiec-Gorki_Zachodnie.pb"]
    again = read_pb(write_pb(election, pseudonymous=True))
    assert [v.voter_id for v in again.votes][:3] == ["v1", "v2", "v3"]
    assert [v.voter_id for v in again.votes][-1] == f"v{len(election.votes)}"

    def ballots(e: PbElection) -> list[tuple[Any, ...]]:
        return [(v.projects, v.points, v.fields) for v in e.votes]

    assert ballots(again) == ballots(election)
    assert again.projects == election.projects


def test_write_quotes_what_needs_quoting_and_refuses_section_names() -> None:
    election = read_pb(GOOD)
    tricky = PbElection(
        meta={**election.meta, "description": 'Semi;colon and "quotes"'},
        budget=Fraction("100.5"),
        vote_type="approval",
        projects=election.projects,
        votes=election.votes,
    )
    again = read_pb(write_pb(tricky))
    assert again.meta["description"] == 'Semi;colon and "quotes"'
    assert again.budget == Fraction("100.5")
    assert again.meta["budget"] == "100.5"
    bad = PbElection(
        meta=election.meta,
        budget=100,
        vote_type="approval",
        projects=election.projects,
        votes=(PbVote(voter_id="VOTES", projects=("a",)),),
    )
    with pytest.raises(InvalidInputError, match="cannot begin a line"):
        write_pb(bad)


# --- random elections against pabutools ---------------------------------------------------------


def _pabutools_outcomes(
    costs: dict[str, Any], ballots: list[list[str]], budget: Any
) -> tuple[list[str], list[str], list[str]]:
    from gmpy2 import mpq

    def exact(value: Any) -> Any:
        return value if isinstance(value, int) else mpq(value.numerator, value.denominator)

    projects = {pid: Project(pid, exact(cost)) for pid, cost in costs.items()}
    instance = Instance(projects.values())
    instance.budget_limit = exact(budget)
    profile = ApprovalProfile([ApprovalBallot([projects[p] for p in b]) for b in ballots])
    core: list[list[str]] = []
    greedy = greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat)
    mes = completion_by_rule_combination(
        instance,
        profile,
        [_recording(method_of_equal_shares, core), greedy_utilitarian_welfare],
        [{"sat_class": Cost_Sat, "voter_budget_increment": 1}, {"sat_class": Cost_Sat}],
    )
    return _names(greedy), core[0], _names(mes)


def test_random_elections_tally_as_pabutools_does() -> None:
    """300 small random elections (seeded): ties in votes and in cost, projects with no votes or
    no cost, blank ballots, decimal costs and budgets, budgets from tight to generous, so that
    MES often has to raise the budget per voter many times. About 3 s, mostly pabutools."""
    rng = random.Random(20261123)
    for _ in range(300):
        ids = rng.sample([str(n) for n in range(1, 30)], rng.randint(1, 7))
        scale = rng.choice([10, 100, 1000, 5000])
        costs: dict[str, Any] = {}
        for pid in ids:
            cost: Any = rng.choice([0, 1, scale // 2, scale // 3, *[rng.randint(1, scale)] * 3])
            if rng.random() < 0.1:
                cost = Fraction(rng.randint(1, scale * 100), 100)
            costs[pid] = cost
        ballots = [rng.sample(ids, rng.randint(0, len(ids))) for _ in range(rng.randint(0, 25))]
        top, total = int(max(costs.values())), int(sum(costs.values()))
        budget: Any = rng.randint(max(top, 1), total + 1 + scale)
        if rng.random() < 0.1:
            budget = Fraction(rng.randint(top * 100 + 1, (total + 2) * 100), 100)
        greedy, core, mes = _pabutools_outcomes(costs, ballots, budget)
        case = (costs, ballots, budget)
        assert greedy_selection(costs, ballots, budget) == greedy, case
        assert equal_shares_core(costs, ballots, budget) == core, case
        assert set(equal_shares_selection(costs, ballots, budget)) == set(mes), case


def test_every_skipped_budget_gives_the_outcome_already_computed() -> None:
    """The speed-up's claim, checked directly. pabutools runs MES once for every budget per
    voter ``budget / n + step``; we run it once per range of steps and claim the same outcome
    for every step of the range. Here each claimed step (up to 40 of each range) is run by
    pabutools itself, as one plain MES run, on 400 tiny seeded elections — small costs and
    few voters make ranges end often and ties common, so an off-by-one in any of the bounds
    shows up here. About 2 s."""
    rng = random.Random(7)
    for _ in range(400):
        ids = rng.sample(["a", "b", "c", "d", "e"], rng.randint(2, 5))
        costs = {pid: rng.randint(1, 12) for pid in ids}
        ballots = [rng.sample(ids, rng.randint(1, len(ids))) for _ in range(rng.randint(1, 6))]
        budget = rng.randint(max(costs.values()), sum(costs.values()) + 1)
        projects = {pid: Project(pid, cost) for pid, cost in costs.items()}
        profile = ApprovalProfile([ApprovalBallot([projects[p] for p in b]) for b in ballots])
        runs = equal_shares_runs(costs, ballots, budget)
        for run in itertools.islice(runs, 60):
            last = run.first_step + 40 if run.last_step is None else run.last_step
            for step in range(run.first_step, min(last, run.first_step + 40) + 1):
                instance = Instance(projects.values())
                # One plain run with budget / n + step per voter.
                instance.budget_limit = budget + step * len(ballots)
                expected = method_of_equal_shares(instance, profile, sat_class=Cost_Sat)
                assert run.selected == tuple(_names(expected)), (costs, ballots, budget, step)
            if run.last_step is None:
                break


@pytest.mark.parametrize(
    ("costs", "ballots", "budget"),
    [
        ({"a": 60, "b": 50, "c": 40}, [["a"], ["a", "b"], ["b", "c"], ["c"]], 100),
        ({"9": 5, "10": 5}, [["9"], ["10"]], 5),
        ({"a": 6, "z": 3}, [["a"]], 10),
        ({"a": 50, "b": 50, "c": 25}, [["a", "b"]] * 3 + [["c"]], 100),
        ({"a": 80, "b": 20, "c": 30}, [["a", "c"], ["a"], ["a"], ["b"]], 100),
        ({"a": 50, "b": 50, "c": 30}, [["a", "c"], ["b", "c"]], 100),
        ({"a": Fraction("66.67"), "b": Fraction("33.34")}, [["a"], ["a"], ["b"]],
         Fraction("100.01")),
    ],
    ids=["greedy-tie", "string-ids", "no-votes", "minority", "raise", "over-budget", "cents"],
)  # fmt: skip
def test_the_hand_worked_cases_are_what_pabutools_computes(
    costs: dict[str, Any], ballots: list[list[str]], budget: Any
) -> None:
    greedy, core, mes = _pabutools_outcomes(costs, ballots, budget)
    assert greedy_selection(costs, ballots, budget) == greedy
    assert equal_shares_core(costs, ballots, budget) == core
    assert equal_shares_selection(costs, ballots, budget) == mes

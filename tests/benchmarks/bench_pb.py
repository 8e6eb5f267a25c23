"""Participatory-budgeting benchmark: our greedy and MES against pabutools on every file of
``shared/pabulib``, and ``gongzhang pb tally`` on the largest file.

Run from the repository root (see BENCHMARKS.md):

    .venv/bin/python -m tests.benchmarks.bench_pb

Both sides run in this one process, on the same files:

  * parse: ``ledger.pabulib.read_pb`` against ``pabutools.election.parse_pabulib``;
  * greedy: ``ledger.rules.pb.greedy_selection`` against ``greedy_utilitarian_welfare(…,
    sat_class=Cost_Sat)``;
  * MES: ``ledger.rules.pb.equal_shares_selection`` against ``completion_by_rule_combination(…,
    [method_of_equal_shares, greedy_utilitarian_welfare], [{"sat_class": Cost_Sat,
    "voter_budget_increment": 1}, {"sat_class": Cost_Sat}])``.

Ours is the median of ``--repeat`` runs (default 5), pabutools' of ``--reference-repeat``
(default 1: its MES takes seconds). Every outcome is checked to be the same before it is timed.
Then the CLI's wall time on the largest file (a fresh process each time, median of
``--repeat``), for each rule and for ``gongzhang --help`` (the start-up alone).
Figures are printed as JSON and as Markdown tables.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pabutools.election import Cost_Sat, parse_pabulib
from pabutools.rules import (
    completion_by_rule_combination,
    greedy_utilitarian_welfare,
    method_of_equal_shares,
)

from ledger.pabulib import read_pb
from ledger.rules.pb import equal_shares_selection, greedy_selection

ROOT = Path(__file__).resolve().parents[2]
PABULIB = ROOT.parent / "shared" / "pabulib"
LARGEST = "Poland_Warszawa_2018_Praga-Poludnie.pb"
GONGZHANG = ROOT / ".venv" / "bin" / "gongzhang"


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """The median wall time of ``repeat`` calls, and the last result."""
    times = []
    result = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def reference_mes(instance: Any, profile: Any) -> Any:
    return completion_by_rule_combination(
        instance,
        profile,
        [method_of_equal_shares, greedy_utilitarian_welfare],
        [{"sat_class": Cost_Sat, "voter_budget_increment": 1}, {"sat_class": Cost_Sat}],
    )


def bench_file(path: Path, repeat: int, reference_repeat: int) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    parse_s, election = timed(lambda: read_pb(text), repeat)
    ref_parse_s, (instance, profile) = timed(lambda: parse_pabulib(str(path)), reference_repeat)
    costs, ballots, budget = election.costs(), election.ballots(), election.budget

    greedy_s, greedy = timed(lambda: greedy_selection(costs, ballots, budget), repeat)
    ref_greedy_s, ref_greedy = timed(
        lambda: greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat),
        reference_repeat,
    )
    mes_s, mes = timed(lambda: equal_shares_selection(costs, ballots, budget), repeat)
    ref_mes_s, ref_mes = timed(lambda: reference_mes(instance, profile), reference_repeat)
    if set(greedy) != {p.name for p in ref_greedy} or set(mes) != {p.name for p in ref_mes}:
        raise SystemExit(f"{path.name}: our outcome differs from pabutools'")
    return {
        "file": path.name,
        "ballots": len(election.votes),
        "projects": len(election.projects),
        "parse_s": parse_s,
        "ref_parse_s": ref_parse_s,
        "greedy_s": greedy_s,
        "ref_greedy_s": ref_greedy_s,
        "mes_s": mes_s,
        "ref_mes_s": ref_mes_s,
        "greedy_selected": len(greedy),
        "mes_selected": len(mes),
    }


def bench_cli(repeat: int) -> dict[str, float]:
    largest = str(PABULIB / LARGEST)
    commands = {
        "--help (start-up alone)": [str(GONGZHANG), "--help"],
        **{
            f"pb tally {LARGEST} --rule {rule}": [
                str(GONGZHANG), "pb", "tally", largest, "--rule", rule,
            ]
            for rule in ("greedy", "mes", "both")
        },
        f"pb tally {LARGEST} --rule mes --json": [
            str(GONGZHANG), "pb", "tally", largest, "--rule", "mes", "--json",
        ],
    }  # fmt: skip
    results = {}
    for name, command in commands.items():
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True, cwd=ROOT)
            times.append(time.perf_counter() - t0)
        results[name] = statistics.median(times)
    results.update(bench_ledger_cli(repeat))
    return results


def bench_ledger_cli(repeat: int) -> dict[str, float]:
    """The largest file through a ledger: ``pb import`` into a fresh micro-fund book, then
    ``vote result`` (greedy and MES side by side, from the stored ballots) and ``vote close``
    (which stores the result), each a fresh process."""
    gz, largest = str(GONGZHANG), str(PABULIB / LARGEST)
    env = {**os.environ, "GONGZHANG_USER": "admin"}
    names = (f"pb import LEDGER {LARGEST}", "vote result LEDGER 1", "vote close LEDGER 1")
    times: dict[str, list[float]] = {name: [] for name in names}
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as tmp:
            ledger = str(Path(tmp) / "pb.sqlite")
            for setup in (
                [gz, "init", ledger],
                [gz, "book", "add", ledger, "--kind", "micro_fund", "--name", "PB"],
            ):
                subprocess.run(setup, check=True, capture_output=True, cwd=ROOT, env=env)
            commands = (
                [gz, "pb", "import", ledger, largest, "--book", "1"],
                [gz, "vote", "result", ledger, "1"],
                [gz, "vote", "close", ledger, "1"],
            )
            for name, command in zip(names, commands, strict=True):
                t0 = time.perf_counter()
                subprocess.run(command, check=True, capture_output=True, cwd=ROOT, env=env)
                times[name].append(time.perf_counter() - t0)
    return {name: statistics.median(values) for name, values in times.items()}


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms" if seconds < 1 else f"{seconds:,.2f} s"


def ratio(ours: float, theirs: float) -> str:
    return f"{theirs / ours:,.0f}×" if ours > 0 else "—"


def markdown(files: list[dict[str, Any]], cli: dict[str, float]) -> str:
    lines = [
        "| file | ballots | projects | greedy: ours | pabutools | faster | MES: ours "
        "| pabutools | faster | parse: ours | pabutools |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in files:
        lines.append(
            f"| {r['file'].removesuffix('.pb')} | {r['ballots']:,} | {r['projects']} "
            f"| {ms(r['greedy_s'])} | {ms(r['ref_greedy_s'])} "
            f"| {ratio(r['greedy_s'], r['ref_greedy_s'])} "
            f"| {ms(r['mes_s'])} | {ms(r['ref_mes_s'])} | {ratio(r['mes_s'], r['ref_mes_s'])} "
            f"| {ms(r['parse_s'])} | {ms(r['ref_parse_s'])} |"
        )
    total = {key: sum(r[key] for r in files) for key in ("greedy_s", "ref_greedy_s", "mes_s",
                                                         "ref_mes_s")}  # fmt: skip
    lines.append(
        f"| **all nine** | | | {ms(total['greedy_s'])} | {ms(total['ref_greedy_s'])} "
        f"| {ratio(total['greedy_s'], total['ref_greedy_s'])} | {ms(total['mes_s'])} "
        f"| {ms(total['ref_mes_s'])} | {ratio(total['mes_s'], total['ref_mes_s'])} | | |"
    )
    lines += ["", "| CLI on the largest file (wall time, fresh process) | time |", "|---|---:|"]
    lines += [f"| `gongzhang {name}` | {ms(seconds)} |" for name, seconds in cli.items()]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--reference-repeat", type=int, default=1)
    args = parser.parse_args()
    files = [
        bench_file(path, args.repeat, args.reference_repeat)
        for path in sorted(PABULIB.glob("*.pb"))
    ]
    cli = bench_cli(args.repeat)
    report = {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "files": files,
        "cli": cli,
    }
    print(json.dumps(report, indent=2))
    print()
    print(markdown(files, cli))
    sys.stdout.flush()


if __name__ == "__main__":
    main()

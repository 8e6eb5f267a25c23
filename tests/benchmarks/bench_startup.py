"""Command-line start-up benchmark: whole processes against an empty interpreter (issue 13).

Run from the repository root (see BENCHMARKS.md):

    .venv/bin/python -m tests.benchmarks.bench_startup

Every command is a fresh process, timed from ``subprocess.run`` to its exit (wall time):

  * ``python -c pass`` — the baseline: an empty interpreter of the same virtual environment;
  * ``python -c "import sqlalchemy"`` — for scale: what importing SQLAlchemy alone costs;
  * ``gongzhang --help``, ``gongzhang --version`` — the argument tree and nothing else;
  * ``gongzhang balance DEMO --book 1`` — open the demo ledger (made once by ``gongzhang demo``)
    and print a trial balance.

The commands take turns within each round (so a busy neighbour slows all of them alike), over
``--repeat`` rounds (default 15) after one warm-up round; each figure is the median, and each
ratio is that median over the median of ``python -c pass`` of the same run. Figures are printed
as JSON and as a Markdown table.

Bytecode: an installed Gongzhang has its modules compiled (pip does it at install), so the
children may write and read ``__pycache__`` (``PYTHONDONTWRITEBYTECODE`` is dropped for them;
the warm-up round compiles the project's modules into the source tree's ``__pycache__``).
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
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
GONGZHANG = BIN / "gongzhang"

#: The targets of issue 13, as ratios to ``python -c pass``.
TARGETS = {"--help": 5.0, "--version": 5.0, "balance DEMO --book 1": 20.0}


def commands(demo: Path) -> dict[str, list[str]]:
    gz = str(GONGZHANG)
    return {
        "python -c pass": [sys.executable, "-c", "pass"],
        'python -c "import sqlalchemy"': [sys.executable, "-c", "import sqlalchemy"],
        "--help": [gz, "--help"],
        "--version": [gz, "--version"],
        "balance DEMO --book 1": [gz, "balance", str(demo), "--book", "1"],
    }


def child_env() -> dict[str, str]:
    env = {**os.environ, "LANG": "C.UTF-8", "GONGZHANG_USER": "admin"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def run_rounds(
    named: dict[str, list[str]], repeat: int, env: dict[str, str]
) -> dict[str, list[float]]:
    """Each command once per round, in turn; the first round is a warm-up and not kept. A
    command that fails in the warm-up (``--version`` before it existed) is left out."""
    times: dict[str, list[float]] = {}
    for name, command in named.items():
        done = subprocess.run(command, check=False, capture_output=True, cwd=ROOT, env=env)
        if done.returncode == 0:
            times[name] = []
        else:
            print(f"left out: {name} exits {done.returncode}", file=sys.stderr)
    for _ in range(repeat):
        for name, kept in times.items():
            t0 = time.perf_counter()
            subprocess.run(named[name], check=True, capture_output=True, cwd=ROOT, env=env)
            kept.append(time.perf_counter() - t0)
    return times


def measure(repeat: int) -> dict[str, dict[str, float]]:
    env = child_env()
    with tempfile.TemporaryDirectory(prefix="gz-startup-") as tmp:
        demo = Path(tmp) / "demo.sqlite"
        subprocess.run(
            [str(GONGZHANG), "demo", str(demo)], check=True, capture_output=True, env=env
        )
        times = run_rounds(commands(demo), repeat, env)
    base = statistics.median(times["python -c pass"])
    return {
        name: {
            "median_s": statistics.median(values),
            "min_s": min(values),
            "ratio": statistics.median(values) / base,
        }
        for name, values in times.items()
    }


def markdown(results: dict[str, dict[str, float]]) -> str:
    lines = [
        "| command (fresh process) | median | ratio to `python -c pass` | target |",
        "|---|---:|---:|---:|",
    ]
    for name, r in results.items():
        shown = name if name.startswith("python") else f"gongzhang {name}"
        target = f"≤ {TARGETS[name]:g}×" if name in TARGETS else ""
        lines.append(
            f"| `{shown}` | {r['median_s'] * 1000:,.0f} ms | {r['ratio']:,.1f}× | {target} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    results = measure(args.repeat)
    print(
        json.dumps(
            {
                "python": platform.python_version(),
                "cpus": os.cpu_count(),
                "load": os.getloadavg(),
                "results": results,
            },
            indent=2,
        )
    )
    print()
    print(markdown(results))


if __name__ == "__main__":
    main()

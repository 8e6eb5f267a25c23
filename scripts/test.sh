#!/usr/bin/env bash
# Every check: set up, lint (ruff), type-check (mypy), run the whole test suite (pytest) on
# SQLite, then the ledger, votes, reports and hostile-input tests again against a throw-away
# PostgreSQL server (installed from Debian's packages if missing; see scripts/with_postgres.sh).
# With arguments, only pytest on SQLite runs, with those arguments.
# Benchmarks are separate: see BENCHMARKS.md. GONGZHANG_LONG=1 runs the long crash and fuzz tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
.venv/bin/python -m pytest "$@"
if [ $# -eq 0 ]; then
    echo "== the same tests against PostgreSQL ==" >&2
    bash scripts/with_postgres.sh .venv/bin/python -m pytest tests/ledger tests/reports tests/fuzz
fi

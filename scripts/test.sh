#!/usr/bin/env bash
# Every check: set up, install the test-only X server (Xvfb: the app's tests on a real display),
# lint (ruff), type-check (mypy), run the whole test suite (pytest on both cores, with Python's
# fault handler on) on SQLite, then the ledger, votes, reports, tampering and hostile-input tests
# again, on both cores (each worker with a database of its own), against a throw-away
# PostgreSQL server (installed from Debian's packages if missing; see scripts/with_postgres.sh).
# With arguments, only pytest on SQLite runs, with those arguments.
# Benchmarks are separate: see BENCHMARKS.md. GONGZHANG_LONG=1 runs the long crash and fuzz tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if ! command -v Xvfb >/dev/null || ! command -v xauth >/dev/null; then
    if [ "$(id -u)" = 0 ]; then sudo=(); else sudo=(sudo); fi
    "${sudo[@]}" apt-get update -qq
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive DEBCONF_NOWARNINGS=yes \
        apt-get install -y -qq --no-install-recommends xvfb xauth >/dev/null
fi
# A crash in any test process (the app's on-screen and stress runs are processes of their own)
# prints every thread's stack.
export PYTHONFAULTHANDLER=1
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
if [ $# -eq 0 ]; then
    .venv/bin/python -m pytest -n 2
else
    .venv/bin/python -m pytest "$@"
fi
if [ $# -eq 0 ]; then
    echo "== the same tests against PostgreSQL ==" >&2
    bash scripts/with_postgres.sh .venv/bin/python -m pytest -n 2 tests/ledger tests/reports \
        tests/fuzz tests/integrity
fi

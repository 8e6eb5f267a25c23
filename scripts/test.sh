#!/usr/bin/env bash
# Every check: set up, lint (ruff), type-check (mypy), and run the whole test suite (pytest).
# Benchmarks are separate: see BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
.venv/bin/python -m pytest "$@"

"""The ledger benchmark as a test with the issue's targets as floors (not in the default run).

    .venv/bin/python -m pytest -m benchmark tests/benchmarks

GONGZHANG_BENCH_POSTINGS sets the size (default 1,000,000).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from tests.benchmarks.bench_ledger import _child

pytestmark = pytest.mark.benchmark


def test_a_million_postings_meet_the_targets() -> None:
    postings = int(os.environ.get("GONGZHANG_BENCH_POSTINGS", "1000000"))
    with tempfile.TemporaryDirectory(prefix="gz-bench-") as tmp:
        raw = _child("raw", postings, Path(tmp))
        ours = _child("service", postings, Path(tmp))
    print(ours, raw)
    assert ours["import_per_s"] >= 100_000
    assert ours["trial_balance_s"] <= 1.5 * raw["sum_group_by_s"]
    assert ours["journal_last_page_s"] <= 0.050
    assert ours["verify_s"] <= 5.0
    assert ours["peak_rss_mb"] <= 400

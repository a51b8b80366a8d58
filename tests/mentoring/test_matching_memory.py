"""The matching engine's memory on a national programme, measured in a process of its own."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.marks import sqlite_run_only

BENCH = Path(__file__).resolve().parents[2] / "bench" / "mentoring.py"


@pytest.mark.slow
@sqlite_run_only
def test_national_programme_matches_within_1_gb():
    # The bench's 10,000 × 4,000 case (capacity 1–3, 20.9 M allowed pairs, about 11 CPU
    # seconds); the bench child measures its own peak RSS (ru_maxrss), also after importing
    # NumPy, SciPy and OR-Tools.
    proc = subprocess.run(  # noqa: S603
        [sys.executable, str(BENCH), "10000", "4000", "3"],
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    row = json.loads(proc.stdout.strip().splitlines()[-1])
    # The same optimum as the whole graph solved at once gave, every pair within the rules.
    assert (row["allowed_pairs"], row["matched"], row["total_score"]) == (
        20_889_426,
        7_397,
        4_913_400,
    )
    assert row["broken_rules"] == 0
    assert row["peak_rss_mb"] < 1024, row
    # All allowed pairs in OR-Tools took 83 bytes a pair (1.85 GB); the pruned graph takes 10.
    grown_mb = row["peak_rss_mb"] - row["rss_before_mb"]
    assert grown_mb * 2**20 < 25 * row["allowed_pairs"], row

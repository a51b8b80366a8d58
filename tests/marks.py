"""Marks shared by the test modules."""

from __future__ import annotations

import os

import pytest

# CI runs the suite twice, on SQLite at the real clock and on PostgreSQL at another instant. A
# test that reads neither a database nor the clock (what a page looks like at a fixed instant,
# what collectstatic writes, the matching engine's memory) gives the same answer both times:
# it runs once, on SQLite, which keeps the second run shorter.
sqlite_run_only = pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="reads no database and no clock: checked in the SQLite run",
)

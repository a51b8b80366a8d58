"""bench/plans.py tells a scan of one practice's rows from one that reads other practices'."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from tests.marks import sqlite_run_only

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from plans import classify  # noqa: E402

pytestmark = sqlite_run_only

CATALOGUE: dict[str, Any] = {
    "rows": {"meetings_meeting": 1_500_000, "meetings_attendance": 6_000_000, "core_practice": 100},
    "indexes": {
        "meeting_practice_supervisor": {
            "table": "meetings_meeting",
            "lead": "practice_id",
            "unique": False,
        },
        "meeting_pkey": {"table": "meetings_meeting", "lead": "id", "unique": True},
        "meeting_supervisor": {
            "table": "meetings_meeting",
            "lead": "supervisor_id",
            "unique": False,
        },
        "meeting_starts": {"table": "meetings_meeting", "lead": "starts_at", "unique": False},
        "attendance_meeting": {
            "table": "meetings_attendance",
            "lead": "meeting_id",
            "unique": False,
        },
    },
    "tenant": {"meetings_meeting", "meetings_attendance"},
    "references": {
        ("meetings_meeting", "supervisor_id"): "accounts_user",
        ("meetings_attendance", "meeting_id"): "meetings_meeting",
    },
    "people": "accounts_user",
}


def _scan(index: str, condition: str, kind: str = "Index Scan") -> dict[str, Any]:
    return {"Node Type": kind, "Index Name": index, "Index Cond": condition}


@pytest.mark.parametrize(
    ("node", "reads"),
    [
        (
            _scan("meeting_practice_supervisor", "((practice_id = 1) AND (supervisor_id = 2))"),
            "practice",
        ),
        (_scan("meeting_pkey", "(id = 88)"), "key"),
        (
            _scan("attendance_meeting", "(meeting_id = meetings_meeting.id)", "Bitmap Index Scan"),
            "key",
        ),
        (_scan("meeting_supervisor", "(supervisor_id = 2)"), "person"),
        (_scan("meeting_starts", "(starts_at >= '2026-12-07'::timestamptz)"), "other practices"),
        # Walked in order with no condition on practice_id: the filter drops other practices'.
        (_scan("meeting_practice_supervisor", ""), "other practices"),
        # practice_id of another table (written qualified) does not fix this index's column.
        (
            _scan("meeting_practice_supervisor", "(x = engagements_engagement.practice_id)"),
            "other practices",
        ),
        ({"Node Type": "Seq Scan", "Relation Name": "meetings_meeting"}, "other practices"),
    ],
)
def test_classify_says_what_a_scan_of_a_large_table_reads(node: dict[str, Any], reads: str) -> None:
    assert classify(node, CATALOGUE)["reads"] == reads  # type: ignore[index]


def test_classify_leaves_small_tables_and_other_nodes_alone() -> None:
    assert classify({"Node Type": "Seq Scan", "Relation Name": "core_practice"}, CATALOGUE) is None
    assert classify({"Node Type": "Hash Join"}, CATALOGUE) is None

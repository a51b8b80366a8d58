"""Which of a page's queries read other practices' rows: EXPLAIN on every query of one render.

Run by bench/many.py with DATABASE_URL pointing at a PostgreSQL bench database of many
practices. Reads bench/prepare.py's output on stdin; renders the first and the last path of
every scenario with the test client (as bench/prepare.py counts queries), captures the SQL,
asks PostgreSQL for each query's plan and its time (EXPLAIN ANALYZE: the pages' reads change
nothing; writes are left out) and prints one JSON object per scenario: the queries explained,
the database's time for them, every scan of a table of more than ``BIG_TABLE`` rows, and those
of them that read other practices' rows.

A scan reads only the practice's rows when its index leads with ``practice_id`` and the
condition fixes it, when it looks rows up by a unique key, or when its leading column refers
to one row of a practice-owned table (``meeting_id = …``: one meeting's attendance is in the
meeting's practice). A scan whose leading column is a person (``user_id = …``) reads that
person's rows in every practice they belong to: few, and as many with a hundred practices as
with two, but other practices' rows all the same; these are counted apart. Everything else on
a large table reads other practices' rows: a sequential scan, an index walked without a
condition on its leading column (a walk in order, filtered), or an index led by a column that
belongs to no one practice (a time, a status).
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bollplank.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from prepare import browser_client  # noqa: E402

from bollplank.accounts.models import User  # noqa: E402

# A table this small is read whole faster than through an index; its plan says nothing about
# growth with the number of practices.
BIG_TABLE = 5000
SCANS = {"Seq Scan", "Index Scan", "Index Only Scan", "Bitmap Index Scan"}
PRACTICE, KEY, PERSON, OTHERS = "practice", "key", "person", "other practices"


def _catalogue() -> dict[str, Any]:
    """Rows per table, each index's table, leading column and uniqueness, the tables with a
    practice, and each single-column foreign key's table."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reltuples FROM pg_class "
            "WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace"
        )
        rows = {name: int(n) for name, n in cursor.fetchall()}
        cursor.execute(
            "SELECT i.relname, t.relname, a.attname, ix.indisunique FROM pg_index ix "
            "JOIN pg_class i ON i.oid = ix.indexrelid JOIN pg_class t ON t.oid = ix.indrelid "
            "JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = ix.indkey[0] "
            "WHERE t.relnamespace = 'public'::regnamespace"
        )
        indexes = {
            name: {"table": table, "lead": lead, "unique": unique}
            for name, table, lead, unique in cursor.fetchall()
        }
        cursor.execute(
            "SELECT table_name FROM information_schema.columns "
            "WHERE table_schema = 'public' AND column_name = 'practice_id'"
        )
        tenant = {name for (name,) in cursor.fetchall()}
        cursor.execute(
            "SELECT t.relname, a.attname, r.relname FROM pg_constraint c "
            "JOIN pg_class t ON t.oid = c.conrelid JOIN pg_class r ON r.oid = c.confrelid "
            "JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = c.conkey[1] "
            "WHERE c.contype = 'f' AND array_length(c.conkey, 1) = 1"
        )
        references = {(table, column): target for table, column, target in cursor.fetchall()}
    return {
        "rows": rows,
        "indexes": indexes,
        "tenant": tenant,
        "references": references,
        "people": User._meta.db_table,
    }


def _nodes(plan: dict[str, Any]) -> list[dict[str, Any]]:
    found = [plan]
    for child in plan.get("Plans", []):
        found += _nodes(child)
    return found


def _fixes(column: str, condition: str) -> bool:
    """Whether the index condition constrains ``column`` itself (not another table's column of
    the same name, which PostgreSQL writes qualified)."""
    return re.search(rf"(?<![\w.]){re.escape(column)}(?!\w)", condition) is not None


def classify(node: dict[str, Any], catalogue: dict[str, Any]) -> dict[str, Any] | None:
    """A scan node of a large table with what it reads; None for other nodes and small tables.
    ``reads`` is "practice" (led by practice_id), "key" (a unique key, or one row of a
    practice-owned table), "person" or "other practices" (module docstring)."""
    kind = node["Node Type"]
    if kind not in SCANS:
        return None
    index = catalogue["indexes"].get(node.get("Index Name", ""))
    table = node.get("Relation Name") or (index or {}).get("table", "?")
    if catalogue["rows"].get(table, 0) <= BIG_TABLE:
        return None
    scan = {"node": kind, "table": table, "rows": catalogue["rows"][table]}
    if index is None:
        return {**scan, "index": None, "why": "sequential scan", "reads": OTHERS}
    lead = index["lead"]
    condition = node.get("Index Cond", "")
    scan["index"] = node["Index Name"]
    target = catalogue["references"].get((table, lead))
    if not _fixes(lead, condition):
        why, reads = f"walks the index without a condition on {lead}", OTHERS
    elif lead == "practice_id":
        why, reads = "led by practice_id", PRACTICE
    elif index["unique"]:
        why, reads = f"unique key {lead}", KEY
    elif target in catalogue["tenant"]:
        why, reads = f"{lead}: rows of one {target} row", KEY
    elif target == catalogue["people"]:
        why, reads = f"{lead}: one person's rows in each of their practices", PERSON
    else:
        why, reads = f"led by {lead}, which belongs to no one practice", OTHERS
    return {**scan, "why": why, "condition": condition, "reads": reads}


def analyze(sql: str, runs: int = 3) -> tuple[float, dict[str, Any]]:
    """What PostgreSQL spends on the query (planning and execution, the shortest of ``runs``,
    run for real with EXPLAIN ANALYZE: the pages' reads change nothing), and the plan with the
    rows each node read. The time is the database's share of a render without the Python
    around it, which a loaded machine slows the most."""
    best = float("inf")
    with connection.cursor() as cursor:
        for _ in range(runs):
            cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
            (plan,) = cursor.fetchone()
            found = (json.loads(plan) if isinstance(plan, str) else plan)[0]
            best = min(best, found["Planning Time"] + found["Execution Time"])
    return best, found["Plan"]


def check(scenario: dict[str, Any], catalogue: dict[str, Any]) -> dict[str, Any]:
    """The scans of one render of the scenario's first and last page."""
    client = browser_client(scenario["cookie"], scenario.get("headers"))
    statements: list[str] = []
    for path in dict.fromkeys([scenario["paths"][0], scenario["paths"][-1]]):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"{scenario['scenario']}: {path} answered {response.status_code}")
        statements += [q["sql"] for q in queries.captured_queries]
    scans: list[dict[str, Any]] = []
    explained = 0
    spent = 0.0
    for sql in statements:
        # Writes (the audit event of a read, a session's update) are not scans of a page.
        if not sql.lstrip().upper().startswith(("SELECT", "WITH")) or "FOR UPDATE" in sql:
            continue
        explained += 1
        ms, plan = analyze(sql)
        spent += ms
        for node in _nodes(plan):
            found = classify(node, catalogue)
            if found is not None:
                # Per loop, as PostgreSQL reports them: the rows kept and those the filter dropped.
                per_loop = node.get("Actual Rows", 0) + node.get("Rows Removed by Filter", 0)
                read = round(per_loop * node.get("Actual Loops", 0))
                scans.append({**found, "rows_read": read, "sql": sql})
    return {
        "scenario": scenario["scenario"],
        "explained": explained,
        "database_ms": round(spent, 2),
        "scans": scans,
        "other_practices": sum(1 for s in scans if s["reads"] == OTHERS),
        "person": sum(1 for s in scans if s["reads"] == PERSON),
    }


def main() -> None:
    prepared = json.load(sys.stdin)
    catalogue = _catalogue()
    checked = [check(s, catalogue) for s in prepared["scenarios"]]
    json.dump({"big_table": BIG_TABLE, "scenarios": checked}, sys.stdout)


if __name__ == "__main__":
    main()

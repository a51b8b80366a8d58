"""`make bench-audit`: the audit log's write throughput, sealing and verification.

For each database in BENCH_DATABASES (sqlite,postgres), in a process of its own:

1. concurrent writers (BENCH_AUDIT_WRITERS threads, each its own transactions) write events
   through ``core.audit.audit`` for a few seconds: events per second with no global lock;
2. BENCH_AUDIT_EVENTS events (default 10,000,000) are generated with their MACs and inserted
   unsealed (COPY on PostgreSQL, executemany on SQLite), every tenth with a subject;
3. ``seal()`` gives them their places and chain values, timed;
4. ``verify_chain()`` checks every MAC, the chain and the checkpoint, timed.

Databases: var/bench/audit.sqlite3 and bollplank_bench_audit on PostgreSQL (BENCH_PG_URL,
default postgres://postgres@127.0.0.1:5432; BENCH_AUDIT_PG_DB and BENCH_AUDIT_SQLITE name others),
migrated on first use; the audit tables are emptied at each run. BENCH_AUDIT_VERIFY_ONLY=1 skips
steps 1-3 and verifies the events the last run left (generating ten million takes many minutes);
BENCH_AUDIT_JOBS sets the verification's processes. Writes var/bench/audit.json. Timings are
reported, not enforced; the machine's load average is recorded beside them.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "var" / "bench"
KEY = "5a" * 32


PG_DB = os.environ.get("BENCH_AUDIT_PG_DB", "bollplank_bench_audit")
SQLITE = Path(os.environ.get("BENCH_AUDIT_SQLITE", str(OUT / "audit.sqlite3")))
VERIFY_ONLY = os.environ.get("BENCH_AUDIT_VERIFY_ONLY", "") == "1"


def _env(database: str) -> dict[str, str]:
    pg = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
    url = f"sqlite:///{SQLITE}" if database == "sqlite" else f"{pg}/{PG_DB}"
    return {
        **os.environ,
        "DATABASE_URL": url,
        "BOLLPLANK_AUDIT_KEY": KEY,
        "BOLLPLANK_AUDIT_CHECKPOINT_DIR": str(OUT / f"audit-checkpoints-{database}"),
        "DJANGO_SETTINGS_MODULE": "bollplank.settings",
        "PYTHONPATH": str(ROOT / "src"),
    }


def _prepare(database: str) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    if database == "postgres":
        import psycopg
        from psycopg import sql

        pg = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
        with psycopg.connect(f"{pg}/postgres", autocommit=True) as conn:
            found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [PG_DB]).fetchone()
            if not found:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(PG_DB)))
    subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "migrate", "--no-input", "-v0"],
        cwd=ROOT,
        env=_env(database),
        check=True,
    )


# --- inside the child process ------------------------------------------------------------------


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _reset() -> tuple[Any, Any]:
    import shutil

    from django.conf import settings
    from django.db import connection

    from bollplank.accounts.models import User
    from bollplank.core.models import Practice

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditsubject")
        cursor.execute("DELETE FROM core_auditevent")
    shutil.rmtree(settings.AUDIT_CHECKPOINT_DIR, ignore_errors=True)
    practice, _ = Practice.objects.get_or_create(slug="bench-audit", defaults={"name": "Bench"})
    user = User.objects.filter(email="bench-audit@example.org").first()
    if user is None:
        user = User.objects.create_user(email="bench-audit@example.org", password=None)
    return practice, user


def _writers(practice: Any, user: Any, writers: int, seconds: float) -> dict[str, Any]:
    from django.db import connections, transaction

    from bollplank.core.audit import audit

    counts = [0] * writers
    stop_at = time.perf_counter() + seconds

    def write(slot: int) -> None:
        try:
            while time.perf_counter() < stop_at:
                with transaction.atomic():
                    audit(user, "bench.audit.write", practice, {"slot": slot}, subjects=[user.pk])
                counts[slot] += 1
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(i,)) for i in range(writers)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    took = time.perf_counter() - started
    return {
        "writers": writers,
        "events": sum(counts),
        "seconds": round(took, 2),
        "events_per_s": round(sum(counts) / took, 1),
    }


def _generate(practice: Any, user: Any, n: int) -> float:
    """Insert n unsealed events with their MACs, as quickly as the database takes them."""
    import datetime as dt

    from django.conf import settings
    from django.db import connection, transaction

    from bollplank.core.audit import content, sign

    key = settings.AUDIT_KEY
    base = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    started = time.perf_counter()

    def rows(start: int, stop: int) -> Any:
        for i in range(start, stop):
            at = base + dt.timedelta(milliseconds=i)
            data = {"i": i, "fields": ["body"]}
            people = [user.pk] if i % 10 == 0 else []
            mac = sign(
                content(
                    "bench.audit.note.read",
                    user.pk,
                    practice.pk,
                    "records.note",
                    str(i),
                    at,
                    data,
                    people,
                ),
                key,
            )
            yield (
                practice.pk,
                user.pk,
                "bench.audit.note.read",
                "records.note",
                str(i),
                json.dumps(data),
                at,
                mac,
                "",
            )

    step = 200_000
    columns = "practice_id, actor_id, action, object_type, object_id, data, created_at, mac, chain"
    for start in range(0, n, step):
        stop = min(n, start + step)
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY core_auditevent ({columns}) FROM STDIN") as copy:
                    for row in rows(start, stop):
                        copy.write_row(row)
            else:
                batch = [
                    (*row[:6], connection.ops.adapt_datetimefield_value(row[6]), *row[7:])
                    for row in rows(start, stop)
                ]
                cursor.executemany(
                    f"INSERT INTO core_auditevent ({columns}) "  # noqa: S608
                    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
                    batch,
                )
        _say(f"  generated {stop:,} events")
    # The subjects: every tenth event (its object id a multiple of ten) names the user.
    with transaction.atomic(), connection.cursor() as cursor:
        modulo = "CAST(object_id AS INTEGER) %% 10 = 0"
        cursor.execute(
            "INSERT INTO core_auditsubject (event_id, user_id) "  # noqa: S608
            "SELECT id, %s FROM core_auditevent "
            f"WHERE action = 'bench.audit.note.read' AND {modulo}",
            [user.pk],
        )
        cursor.execute(
            "ANALYZE core_auditevent" if connection.vendor == "postgresql" else "ANALYZE"
        )
    return time.perf_counter() - started


def child(database: str) -> dict[str, Any]:
    import django

    django.setup()
    from django.db import connection

    from bollplank.core.audit import seal
    from bollplank.core.audit_verify import default_jobs, verify_chain

    n = int(os.environ.get("BENCH_AUDIT_EVENTS", "10000000"))
    writers = int(os.environ.get("BENCH_AUDIT_WRITERS", "8" if database == "postgres" else "4"))
    result: dict[str, Any] = {"database": connection.vendor}
    if VERIFY_ONLY:
        result["verify_only"] = True
    else:
        practice, user = _reset()
        result["events"] = n
        result["write"] = _writers(
            practice, user, writers, float(os.environ.get("BENCH_AUDIT_WRITE_S", "5"))
        )
        _say(f"{database}: write {result['write']}")
        result["generate_s"] = round(_generate(practice, user, n), 1)
        _say(f"{database}: generated in {result['generate_s']} s")
        started = time.perf_counter()
        sealed = seal(batch=50_000)
        result["seal_s"] = round(time.perf_counter() - started, 1)
        result["sealed"] = sealed
        _say(f"{database}: sealed {sealed:,} in {result['seal_s']} s")
    result["load_average_before_verify"] = [round(x, 2) for x in os.getloadavg()]
    cpu = sum(os.times()[:4])
    started = time.perf_counter()
    result["verify_jobs"] = jobs = int(os.environ.get("BENCH_AUDIT_JOBS", "0")) or default_jobs()
    report = verify_chain(jobs=jobs)
    result["verify_s"] = round(time.perf_counter() - started, 1)
    result["verify_ok"] = report.ok
    result["verified"] = report.sealed
    # The pool's processes count once they are joined, the database server's not at all.
    result["verify_cpu_s"] = round(sum(os.times()[:4]) - cpu, 1)
    _say(f"{database}: verified {report.sealed:,} in {result['verify_s']} s: ok={report.ok}")
    result["load_average"] = [round(x, 2) for x in os.getloadavg()]
    return result


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        print("RESULT " + json.dumps(child(sys.argv[2])), flush=True)
        return
    databases = os.environ.get("BENCH_DATABASES", "sqlite,postgres").split(",")
    results = []
    for database in databases:
        _prepare(database)
        done = subprocess.run(  # noqa: S603
            [sys.executable, __file__, "--child", database],
            cwd=ROOT,
            env=_env(database),
            stdout=subprocess.PIPE,
            text=True,
            check=True,
        )
        for line in done.stdout.splitlines():
            if line.startswith("RESULT "):
                results.append(json.loads(line[len("RESULT ") :]))
    # A run of one database keeps the other's last figures.
    target = OUT / "audit.json"
    earlier = json.loads(target.read_text())["results"] if target.exists() else []
    ran = {r["database"] for r in results}
    summary = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "results": [r for r in earlier if r["database"] not in ran] + results,
    }
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "audit.json").write_text(json.dumps(summary, indent=2) + "\n")
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()

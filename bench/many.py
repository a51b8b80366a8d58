"""`make bench-many`: the bench practice alone in PostgreSQL, and among a hundred practices.

Two PostgreSQL databases, made once and kept between runs:

- ``many_single``: the medium bench firm (`generate_bench_data --scale medium`), its two
  practices ``bench`` and ``bench-rest``;
- ``many_hundred``: the same firm generated the same way, then ``bench-rest`` copied in SQL
  (`copy_bench_practices`, demo/many.py) until the database holds a hundred practices.

The bench practice is the same in both (same generator, seed and day), so a page of it should
take as long in either: the other practices' rows must never be read. The run measures that
three ways:

1. plans: every query of one render of each scenario's first and last page, explained and
   timed by PostgreSQL on both databases (bench/plans.py); the scans of ``many_hundred`` that
   read other practices' rows are counted;
2. p95 under load: bench/run.py's scenarios (bench/prepare.py: the same pages, people and
   paths) against a server on each database, both running at once, each scenario measured on
   both back to back, in alternating order over ``BENCH_MANY_ROUNDS`` rounds so that neither
   database always gets the machine's quieter moment;
3. rendered alone: the shortest of bench/prepare.py's renders in one process with no load,
   taken again by bench/renders.py on the two databases in turn.

Writes many.json and many.md to BENCH_OUT (bench/results). Environment: BENCH_PG_URL,
BENCH_REQUESTS (per scenario and database, 500), BENCH_CONCURRENCY (8), BENCH_MANY_PRACTICES
(100), BENCH_MANY_ROUNDS (10), BENCH_OUT.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import psycopg
from collected import collected_is_current
from run import (
    PY,
    ROOT,
    bench_script,
    ensure_pg_database,
    free_port,
    load,
    load_job,
    log,
    manage,
    percentile,
    server_env,
    start_server,
    stop_server,
)

SINGLE = "many_single"
HUNDRED = "many_hundred"
SCALE = "medium"
RATIO_TARGET = 1.2
FILL_RECORD = ROOT / "var" / "bench" / "many-fill.json"


def timed(env: dict[str, str], *args: str) -> tuple[float, str]:
    """A management command's wall time and its last line of output."""
    started = time.monotonic()
    done = subprocess.run(  # noqa: S603  (our own interpreter and scripts)
        [PY, str(ROOT / "manage.py"), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        check=True,
        text=True,
    )
    return round(time.monotonic() - started, 1), done.stdout.strip().splitlines()[-1]


def fill(base: str, practices: int) -> dict[str, dict[str, str]]:
    """Both databases migrated and filled; each filling step's time is kept in var/bench/
    many-fill.json when it ran (a filled database is kept: later runs report those times)."""
    envs = {}
    record = json.loads(FILL_RECORD.read_text()) if FILL_RECORD.exists() else {}
    for name in (SINGLE, HUNDRED):
        ensure_pg_database(base, name)
        envs[name] = server_env(f"{base}/{name}")
        log(f"{name}: migrate, generate the {SCALE} bench firm if missing")
        manage(envs[name], "migrate", "--no-input", "-v0")
        seconds, said = timed(envs[name], "generate_bench_data", "--scale", SCALE, "--if-missing")
        if "unchanged" not in said:
            record[f"{name} generate"] = {"seconds": seconds, "output": said}
    log(f"{HUNDRED}: copy bench-rest until there are {practices} practices")
    seconds, said = timed(envs[HUNDRED], "copy_bench_practices", "--practices", str(practices))
    if not said.startswith("Made 0 copies"):
        record[f"{HUNDRED} copy"] = {"seconds": seconds, "output": said}
    FILL_RECORD.parent.mkdir(parents=True, exist_ok=True)
    FILL_RECORD.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n")
    for name in (SINGLE, HUNDRED):
        # As autovacuum leaves a maintained database: statistics, and the visibility map that
        # index-only scans need, the same for both databases.
        with psycopg.connect(f"{base}/{name}", autocommit=True) as conn:
            conn.execute("VACUUM (ANALYZE)")
    return envs


def renders(prepared: dict[str, dict[str, Any]], rounds: int) -> dict[tuple[str, str], float]:
    """The shortest render alone of each scenario on each database: bench/prepare.py's figure
    and ``rounds`` more runs of bench/renders.py, the databases in turn."""
    shortest = {
        (name, s["scenario"]): s["render_ms"]
        for name, found in prepared.items()
        for s in found["scenarios"]
    }
    order = list(prepared)
    for round_number in range(rounds):
        for name in order if round_number % 2 else order[::-1]:
            found = prepared[name]
            times = bench_script(
                "renders.py", found["env"], json.dumps({"scenarios": found["scenarios"]})
            )
            for scenario, ms in times.items():
                shortest[(name, scenario)] = min(shortest[(name, scenario)], ms)
    return shortest


def measure_round(
    port: int, scenario: dict[str, Any], requests: int, concurrency: int, round_number: int
) -> dict[str, Any]:
    """One round of a scenario on one server: the first with bench/run.py's warm-up, the
    others with enough requests to open the connections again (the pages are warm by then, and
    a long warm-up every round would stretch the time the two databases' rounds lie apart)."""
    if round_number == 0:
        return load(port, scenario, requests, concurrency)
    job = {"paths": scenario["paths"], "cookie": scenario["cookie"], "headers": scenario["headers"]}
    return load_job(port, job, requests, concurrency, concurrency)


def measure(
    prepared: dict[str, dict[str, Any]], requests: int, concurrency: int, rounds: int
) -> dict[tuple[str, str], list[float]]:
    """Latencies per (database, scenario): both servers running at once, each scenario on
    both databases back to back, the order turned round every round."""
    servers = {}
    latencies: dict[tuple[str, str], list[float]] = {}
    try:
        for name in prepared:
            port = free_port()
            log(f"{name}: gunicorn, 2 workers, on port {port}")
            servers[name] = (start_server(prepared[name]["env"], port), port)
        for name, found in prepared.items():
            for scenario in found["scenarios"]:
                load(servers[name][1], scenario, 2 * concurrency, concurrency)
        order = list(prepared)
        for scenario_name in [s["scenario"] for s in prepared[SINGLE]["scenarios"]]:
            for round_number in range(rounds):
                for name in order if round_number % 2 == 0 else order[::-1]:
                    scenario = next(
                        s for s in prepared[name]["scenarios"] if s["scenario"] == scenario_name
                    )
                    result = measure_round(
                        servers[name][1], scenario, requests // rounds, concurrency, round_number
                    )
                    if result["errors"]:
                        raise SystemExit(
                            f"{name}: {scenario_name}: {result['errors']} errors, "
                            f"{result['first_error']}"
                        )
                    latencies.setdefault((name, scenario_name), []).extend(result["latencies_ms"])
            log(
                f"{scenario_name:<18} p95 "
                + ", ".join(
                    f"{name} {percentile(latencies[(name, scenario_name)], 0.95):6.1f} ms"
                    for name in order
                )
            )
        for server, _port in servers.values():
            if server.poll() is not None:
                raise SystemExit("gunicorn died during the run")
    finally:
        for server, _port in servers.values():
            stop_server(server)
    return latencies


def rows_of(
    prepared: dict[str, dict[str, Any]],
    latencies: dict[tuple[str, str], list[float]],
    rendered: dict[tuple[str, str], float],
    plans: dict[str, dict[str, Any]],
) -> list[dict[str, Any]]:
    """One row per scenario; the plans' findings are those of the hundred practices."""
    by_plan = {p["scenario"]: p for p in plans[HUNDRED]["scenarios"]}
    alone = {p["scenario"]: p for p in plans[SINGLE]["scenarios"]}
    spent = {
        (name, p["scenario"]): p["database_ms"]
        for name, found in plans.items()
        for p in found["scenarios"]
    }
    rows = []
    for scenario in prepared[SINGLE]["scenarios"]:
        name = scenario["scenario"]
        other = next(s for s in prepared[HUNDRED]["scenarios"] if s["scenario"] == name)
        single = round(percentile(latencies[(SINGLE, name)], 0.95), 1)
        hundred = round(percentile(latencies[(HUNDRED, name)], 0.95), 1)
        render_single, render_hundred = rendered[(SINGLE, name)], rendered[(HUNDRED, name)]
        rows.append(
            {
                "scenario": name,
                "requests": len(latencies[(HUNDRED, name)]),
                "p95_ms_single": single,
                "p95_ms_hundred": hundred,
                "p95_ratio": round(hundred / single, 2) if single else None,
                "render_ms_single": render_single,
                "render_ms_hundred": render_hundred,
                "render_ratio": round(render_hundred / render_single, 2) if render_single else None,
                "database_ms_single": spent[(SINGLE, name)],
                "database_ms_hundred": spent[(HUNDRED, name)],
                "queries_single": scenario["queries"],
                "queries_hundred": other["queries"],
                "queries_explained": by_plan[name]["explained"],
                "plans_scanning_other_practices": by_plan[name]["other_practices"],
                "plans_by_person": by_plan[name]["person"],
                # The same counts where the bench practice is half of every table: the planner
                # may choose otherwise there.
                "single_plans_scanning_other_practices": alone[name]["other_practices"],
                "single_plans_by_person": alone[name]["person"],
                "_scans": by_plan[name]["scans"],
            }
        )
    return rows


def markdown(
    rows: list[dict[str, Any]],
    fills: dict[str, Any],
    requests: int,
    concurrency: int,
    rounds: int,
    big_table: int,
) -> str:
    def mark(ratio: float | None) -> str:
        return "–" if ratio is None else f"{ratio}{'' if ratio <= RATIO_TARGET else ' ✗'}"

    lines = [
        "# A hundred practices in one PostgreSQL database",
        "",
        f"`make bench-many`, {time.strftime('%Y-%m-%d %H:%M %Z')}, {os.cpu_count()} cores, load "
        f"average {os.getloadavg()[0]:.1f} when written. The bench practice of the medium firm "
        f"in `{SINGLE}` (its two practices alone) and in `{HUNDRED}` (the same two and "
        "copies of the other, a hundred practices); gunicorn with 2 sync workers each, both "
        f"running at once, production settings, every page rendered afresh; {requests} requests "
        f"per scenario and database at concurrency {concurrency}, the two databases back to "
        f"back in alternating order over {rounds} rounds. p95 under load, the shortest render "
        "alone (one process, no load) and the database's time for the queries of one render of "
        "the first and last page (planning and execution, EXPLAIN ANALYZE, the shortest of "
        f"three), in ms; ✗ marks a ratio above {RATIO_TARGET}. The last two columns count scans "
        f"of tables over {big_table} rows in the plans of every query of one render of the first "
        f"and last page on `{HUNDRED}` (bench/plans.py): those that read other practices' rows, "
        "and lookups by a person, which read that person's rows in each of their practices.",
        "",
        "| scenario | p95 single | p95 hundred | ratio | render single | render hundred "
        "| ratio | database single | database hundred | queries "
        "| plans scanning other practices | lookups by a person |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        queries = r["queries_single"]
        if r["queries_hundred"] != queries:
            queries = f"{queries} / {r['queries_hundred']} ✗"
        lines.append(
            f"| {r['scenario']} | {r['p95_ms_single']} | {r['p95_ms_hundred']} "
            f"| {mark(r['p95_ratio'])} | {r['render_ms_single']} | {r['render_ms_hundred']} "
            f"| {mark(r['render_ratio'])} | {r['database_ms_single']} "
            f"| {r['database_ms_hundred']} | {queries} "
            f"| {r['plans_scanning_other_practices']}"
            f"{'' if r['plans_scanning_other_practices'] == 0 else ' ✗'} "
            f"| {r['plans_by_person']} |"
        )
    kinds = {
        "other practices": "Plans scanning other practices",
        "person": "Lookups by a person (their rows in each of their practices)",
        "key": "Scans of one practice's rows through another key (a unique key, or the rows of "
        "one row of a practice-owned table)",
    }
    for reads, title in kinds.items():
        found = [(r["scenario"], s) for r in rows for s in r["_scans"] if s["reads"] == reads]
        lines += ["", f"{title}: {len(found)}."]
        # One line per index and reason, with the scenarios where it is used.
        where: dict[tuple[str, str, str, str], list[str]] = {}
        most: dict[tuple[str, str, str, str], int] = {}
        for scenario, s in found:
            key = (s["node"], s["table"], s["index"] or "no index", s["why"])
            where.setdefault(key, [])
            most[key] = max(most.get(key, 0), s["rows_read"])
            if scenario not in where[key]:
                where[key].append(scenario)
        for key, scenarios in where.items():
            node, table, index, why = key
            lines.append(
                f"- {node} of `{table}` by `{index}` ({why}; at most {most[key]} rows read): "
                + ", ".join(scenarios)
            )
    lines += ["", "## Filling the databases", ""]
    lines += [f"- {step}: {f['seconds']} s ({f['output']})" for step, f in fills.items()]
    return "\n".join(lines) + "\n"


def main() -> int:
    base = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432").rstrip("/")
    practices = int(os.environ.get("BENCH_MANY_PRACTICES", "100"))
    requests = int(os.environ.get("BENCH_REQUESTS", "500"))
    concurrency = int(os.environ.get("BENCH_CONCURRENCY", "8"))
    rounds = int(os.environ.get("BENCH_MANY_ROUNDS", "10"))
    out = Path(os.environ.get("BENCH_OUT", ROOT / "bench" / "results"))
    envs = fill(base, practices)
    if not collected_is_current():
        manage(envs[SINGLE], "collectstatic", "--no-input", "-v0")
    prepared = {}
    for name, env in envs.items():
        log(f"{name}: sessions, paths, query counts and rendering times")
        # The realistic mix is not run here: a token length keeps its preparation short.
        found = bench_script("prepare.py", {**env, "BENCH_MIX_REQUESTS": "8"})
        prepared[name] = {"env": env, "scenarios": found["scenarios"]}
    plans = {}
    for name, found in prepared.items():
        log(f"{name}: the plans and database time of every query of every scenario")
        plans[name] = bench_script(
            "plans.py", found["env"], json.dumps({"scenarios": found["scenarios"]})
        )
    log("both: the shortest render of every scenario alone, the databases in turn")
    rendered = renders(prepared, rounds=3)
    latencies = measure(prepared, requests, concurrency, rounds)
    rows = rows_of(prepared, latencies, rendered, plans)
    fills = json.loads(FILL_RECORD.read_text())
    out.mkdir(parents=True, exist_ok=True)
    (out / "many.json").write_text(
        json.dumps(
            {
                "rows": [{k: v for k, v in r.items() if k != "_scans"} for r in rows],
                "fill": fills,
                # The SQL of the scans that leave the practice only: the rest are many.
                "scans": {
                    r["scenario"]: [
                        s
                        if s["reads"] in ("person", "other practices")
                        else {k: v for k, v in s.items() if k != "sql"}
                        for s in r["_scans"]
                    ]
                    for r in rows
                },
                # Where the bench practice is half of every table, the scans that leave it.
                "scans_single": {
                    p["scenario"]: [
                        s for s in p["scans"] if s["reads"] in ("person", "other practices")
                    ]
                    for p in plans[SINGLE]["scenarios"]
                },
            },
            indent=2,
            ensure_ascii=False,
        )
        + "\n"
    )
    (out / "many.md").write_text(
        markdown(rows, fills, requests, concurrency, rounds, plans[HUNDRED]["big_table"])
    )
    log(f"wrote {out / 'many.json'} and {out / 'many.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""`make bench`: generated data, the real server, load from a separate process, figures.

For each database (SQLite, PostgreSQL) and scale (small, medium, large):

1. a bench database of its own (var/bench/bench-<scale>.sqlite3, or bollplank_bench_<scale> on
   PostgreSQL), migrated and filled by `generate_bench_data` unless it is filled already;
2. `collectstatic` (unless its output is current: bench/collected.py), then bench/prepare.py:
   sessions for the bench people, the paths of each scenario, SQL queries per request (test
   client + CaptureQueriesContext, in-process);
3. gunicorn with 2 workers and production settings (no debug, static files via WhiteNoise),
   one server per scale of the database, all running at once;
4. per scenario, bench/load.py in its own process, at every scale back to back (so that the
   scales share the machine's state, which the growth check compares): a fixed number of
   requests at a fixed concurrency after a warm-up; the no-op baseline runs first and again
   last, and each scenario's throughput is given as a ratio of its scale's baseline;
5. peak memory (VmHWM) of the gunicorn workers after each scenario;
6. the realistic mix (bench/mixplan.py) at every scale, on a fresh server with the task worker
   (`manage.py db_worker`) running beside it, after a no-op baseline on the same server.

Every request is rendered afresh: there is no page cache (docs/bench.md says why).

Writes latest.json and latest.md to BENCH_OUT (bench/results). Exits non-zero when anything
crashed or any request failed; timings are reported, not enforced.

Environment: BENCH_SCALE (small; comma-separated for several, e.g. small,large, which adds
the growth check), BENCH_DATABASES (sqlite,postgres), BENCH_REQUESTS (per scenario, 500),
BENCH_CONCURRENCY (8), BENCH_PG_URL (postgres://postgres@127.0.0.1:5432), BENCH_OUT,
BENCH_MIX_REQUESTS (requests of the mix, 3 × BENCH_REQUESTS), BENCH_RENDERS (in-process renders a
page in bench/prepare.py, 21; the shortest is reported).
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from collected import collected_is_current

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
SCALE_ORDER = ["small", "medium", "large"]
KEYS = [
    "scenario",
    "database",
    "scale",
    "requests",
    "errors",
    "p50_ms",
    "p95_ms",
    "p99_ms",
    "rps",
    "baseline_rps",
    "ratio",
    "queries",
    "peak_rss_mb",
    # Whether the server kept rendered pages: never since the page cache went (docs/bench.md);
    # the key stays so that figures taken before and after can be told apart.
    "page_cache",
]
# Targets of issue 11, shown next to the figures (not enforced: machines differ).
P95_TARGET_MS = 100
RATIO_TARGET = 0.30
RSS_TARGET_MB = 200
GROWTH_TARGET = 1.2
# Scenarios the issue names that cannot be measured yet (capability missing): none left.
NOT_YET: list[tuple[str, str]] = []


def log(msg: str) -> None:
    print(f"==> {msg}", file=sys.stderr, flush=True)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def database_url(database: str, scale: str) -> str:
    if database == "sqlite":
        path = ROOT / "var" / "bench" / f"bench-{scale}.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{path}"
    base = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432").rstrip("/")
    name = f"bollplank_bench_{scale}"
    ensure_pg_database(base, name)
    return f"{base}/{name}"


def ensure_pg_database(base: str, name: str) -> None:
    code = (
        "import sys, psycopg\n"
        "with psycopg.connect(sys.argv[1] + '/postgres', autocommit=True) as c:\n"
        "    if not c.execute('SELECT 1 FROM pg_database WHERE datname = %s', (sys.argv[2],))"
        ".fetchone():\n"
        "        c.execute('CREATE DATABASE ' + sys.argv[2])\n"
    )
    subprocess.run([PY, "-c", code, base, name], check=True)  # noqa: S603  (our own interpreter and scripts)


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([PY, str(ROOT / "manage.py"), *args], check=True, env=env, cwd=ROOT)  # noqa: S603  (our own interpreter and scripts)


def server_env(url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOLLPLANK_")}
    env.pop("PYTEST_VERSION", None)
    env.update(
        {
            "DATABASE_URL": url,
            # Production settings: no debug; plain HTTP on 127.0.0.1, so no HTTPS redirect.
            "BOLLPLANK_HTTPS": "false",
            "BOLLPLANK_ALLOWED_HOSTS": "127.0.0.1",
            "BOLLPLANK_LOG_LEVEL": "WARNING",
            # As docs/deploy.md configures PostgreSQL: connections kept between requests.
            "BOLLPLANK_DB_CONN_MAX_AGE": "60",
        }
    )
    if "BOLLPLANK_SECRET_KEY" in os.environ:
        env["BOLLPLANK_SECRET_KEY"] = os.environ["BOLLPLANK_SECRET_KEY"]
    return env


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name may hold spaces; the fields after it start after the last ")".
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return found


def peak_rss_mb(pids: list[int]) -> float:
    peak = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]))
        except OSError:
            continue
    return round(peak / 1024, 1)


def start_server(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    gunicorn = Path(PY).parent / "gunicorn"
    cmd = [
        str(gunicorn),
        "--pythonpath",
        "src",
        "--workers",
        "2",
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        "bollplank.wsgi:application",
    ]
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT)  # noqa: S603  (our own interpreter and scripts)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/bench/noop/", timeout=2) as r:
                if r.status == 200 and len(children(proc.pid)) >= 2:
                    return proc
        except OSError:
            pass
        time.sleep(0.3)
    stop_server(proc)
    raise SystemExit("gunicorn did not answer within 60 s")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def load(port: int, scenario: dict[str, Any], requests: int, concurrency: int) -> dict[str, Any]:
    job = {
        "paths": scenario["paths"],
        "cookie": scenario["cookie"],
        "headers": scenario.get("headers", {}),
    }
    warmup = max(2 * concurrency, min(len(scenario["paths"]) * 2, 100))
    return load_job(port, job, requests, concurrency, warmup)


def load_job(
    port: int, job: dict[str, Any], requests: int, concurrency: int, warmup: int
) -> dict[str, Any]:
    out = subprocess.run(  # noqa: S603  (our own interpreter and scripts)
        [
            PY,
            str(ROOT / "bench" / "load.py"),
            "--port",
            str(port),
            "--requests",
            str(requests),
            "--concurrency",
            str(concurrency),
            "--warmup",
            str(warmup),
        ],
        input=json.dumps(job).encode(),
        capture_output=True,
        check=True,
    )
    return json.loads(out.stdout)


def prepare(
    database: str, scale: str
) -> tuple[dict[str, str], list[dict[str, Any]], dict[str, Any]]:
    """The bench database of this scale, filled, and the scenarios bench/prepare.py made."""
    log(f"{database}, {scale}: database")
    url = database_url(database, scale)
    env = server_env(url)
    manage(env, "migrate", "--no-input", "-v0")
    manage(env, "generate_bench_data", "--scale", scale, "--if-missing")
    if not collected_is_current():
        manage(env, "collectstatic", "--no-input", "-v0")
    log(f"{database}, {scale}: sessions, paths, query counts and rendering times")
    found = bench_script("prepare.py", env)
    return env, found["scenarios"], found["mix"]


def bench_script(script: str, env: dict[str, str], stdin: str = "") -> Any:
    """One of the bench's Django scripts (bench/<script>) on the database of ``env``: its JSON
    output; its errors shown and the bench stopped if it fails."""
    done = subprocess.run(  # noqa: S603  (our own interpreter and scripts)
        [PY, str(ROOT / "bench" / script)],
        env=env,
        cwd=ROOT,
        input=stdin.encode(),
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        sys.stderr.write(done.stderr.decode(errors="replace"))
        raise SystemExit(f"bench/{script} failed on {env['DATABASE_URL']}")
    return json.loads(done.stdout)


def run_database(
    database: str, scales: list[str], requests: int, concurrency: int
) -> list[dict[str, Any]]:
    """Every scenario at every scale of one database.

    One server per scale, all running at once, and each scenario measured at every scale back
    to back: the scales then share the machine's state, which on a shared machine moves more
    between minutes than the data moves a page (the growth check compares them)."""
    prepared = {scale: prepare(database, scale) for scale in scales}
    servers: dict[str, tuple[subprocess.Popen[bytes], int, list[int]]] = {}
    results: dict[tuple[str, str], list[dict[str, Any]]] = {}
    try:
        for scale, (env, _scenarios, _mix) in prepared.items():
            port = free_port()
            log(f"{database}, {scale}: gunicorn, 2 workers, on port {port}")
            server = start_server(env, port)
            servers[scale] = (server, port, children(server.pid))
        # Warm both workers on every page (imports, template caches, connections) first: two
        # rounds of the concurrency reach both workers several times.
        for scale, (_env, scenarios, _mix) in prepared.items():
            for scenario in scenarios:
                load(servers[scale][1], scenario, 2 * concurrency, concurrency)
        names = [s["scenario"] for s in prepared[scales[0]][1]]
        # The baseline runs first and again last; its throughput is the mean of both.
        for name in [*names, names[0]]:
            for scale in scales:
                _server, port, workers = servers[scale]
                scenario = next(s for s in prepared[scale][1] if s["scenario"] == name)
                result = load(port, scenario, requests, concurrency)
                result["peak_rss_mb"] = peak_rss_mb(workers)
                results.setdefault((scale, name), []).append(result)
                rps = len(result["latencies_ms"]) / result["elapsed_s"]
                log(
                    f"{database}, {scale}: {name:<18} {rps:7.1f} req/s, "
                    f"p95 {percentile(result['latencies_ms'], 0.95):6.1f} ms, "
                    f"{result['errors']} errors {result['first_error']}"
                )
        for server, _port, _workers in servers.values():
            if server.poll() is not None:
                raise SystemExit("gunicorn died during the run")
    finally:
        for server, _port, _workers in servers.values():
            stop_server(server)
    rows: list[dict[str, Any]] = []
    for scale in scales:
        rows += _rows(database, scale, prepared[scale][1], results)
    for scale in scales:
        env, scenarios, mix = prepared[scale]
        noop = next(s for s in scenarios if s["scenario"] == "noop")
        rows.append(run_mix(database, scale, env, noop, mix, requests, concurrency))
    return rows


def run_mix(
    database: str,
    scale: str,
    env: dict[str, str],
    noop: dict[str, Any],
    mix: dict[str, Any],
    requests: int,
    concurrency: int,
) -> dict[str, Any]:
    """The realistic mix on a server of its own with the task worker beside it."""
    port = free_port()
    log(f"{database}, {scale}: the mix, with the task worker")
    worker = subprocess.Popen(  # noqa: S603  (our own interpreter and scripts)
        [PY, str(ROOT / "manage.py"), "db_worker", "-v0"], env=env, cwd=ROOT
    )
    server = None
    try:
        server = start_server(env, port)
        workers = children(server.pid)
        load(port, noop, 2 * concurrency, concurrency)
        base = load(port, noop, requests, concurrency)
        job = {"requests": mix["requests"], "length": mix["length"]}
        result = load_job(port, job, mix["length"], concurrency, mix["warmup"])
        if worker.poll() is not None:
            raise SystemExit(f"the task worker exited with {worker.returncode} during the mix")
        if server.poll() is not None:
            raise SystemExit("gunicorn died during the mix")
        rss = peak_rss_mb(workers)
    finally:
        if server is not None:
            stop_server(server)
        stop_server(worker)
    latencies = result["latencies_ms"]
    rps = len(latencies) / result["elapsed_s"]
    baseline_rps = len(base["latencies_ms"]) / base["elapsed_s"]
    log(
        f"{database}, {scale}: mix {rps:7.1f} req/s, "
        f"p95 {percentile(latencies, 0.95):6.1f} ms, "
        f"{result['writes']} writes, {result['errors']} errors {result['first_error']}"
    )
    return {
        **_row("mix", database, scale, latencies, rps, baseline_rps, None, rss),
        "errors": result["errors"],
        "_first_error": result["first_error"],
        "_writes": result["writes"],
        "_people": mix["people"],
        "_pages": mix["pages"],
    }


def _row(
    scenario: str,
    database: str,
    scale: str,
    latencies: list[float],
    rps: float,
    baseline_rps: float,
    queries: int | None,
    peak_rss_mb: float,
) -> dict[str, Any]:
    """A row of latest.json: the keys every row has, measured or not."""
    return {
        "scenario": scenario,
        "database": database,
        "scale": scale,
        "requests": len(latencies),
        "p50_ms": round(percentile(latencies, 0.50), 1),
        "p95_ms": round(percentile(latencies, 0.95), 1),
        "p99_ms": round(percentile(latencies, 0.99), 1),
        "rps": round(rps, 1),
        "baseline_rps": round(baseline_rps, 1),
        "ratio": round(rps / baseline_rps, 2),
        "queries": queries,
        "peak_rss_mb": peak_rss_mb,
        "page_cache": False,
    }


def _rows(
    database: str,
    scale: str,
    scenarios: list[dict[str, Any]],
    results: dict[tuple[str, str], list[dict[str, Any]]],
) -> list[dict[str, Any]]:
    base_runs = results[(scale, "noop")]
    baseline_rps = statistics.mean(len(r["latencies_ms"]) / r["elapsed_s"] for r in base_runs)
    rows = []
    for scenario in scenarios:
        runs = results[(scale, scenario["scenario"])]
        latencies = [x for r in runs for x in r["latencies_ms"]]
        rps = statistics.mean(len(r["latencies_ms"]) / r["elapsed_s"] for r in runs)
        rows.append(
            {
                **_row(
                    scenario["scenario"],
                    database,
                    scale,
                    latencies,
                    rps,
                    baseline_rps,
                    scenario["queries"],
                    max(r["peak_rss_mb"] for r in runs),
                ),
                "errors": sum(r["errors"] for r in runs),
                "_first_error": next((r["first_error"] for r in runs if r["first_error"]), ""),
                "_render_ms": scenario.get("render_ms", 0.0),
            }
        )
    return rows


def growth(
    rows: list[dict[str, Any]], key: str = "p95_ms"
) -> list[tuple[str, str, str, str, float]]:
    """``key`` (p95 under load, or ``_render_ms``, the shortest rendering alone) at the largest
    scale of the run over the smallest, per scenario and database."""
    found: list[tuple[str, str, str, str, float]] = []
    rows = [r for r in rows if r["scenario"] != "mix"]
    scales = sorted({r["scale"] for r in rows}, key=SCALE_ORDER.index)
    if len(scales) < 2:
        return found
    low, high = scales[0], scales[-1]
    by = {(r["scenario"], r["database"], r["scale"]): r for r in rows}
    for r in rows:
        if r["scale"] != low:
            continue
        other = by.get((r["scenario"], r["database"], high))
        if other and r.get(key):
            found.append((r["scenario"], r["database"], low, high, round(other[key] / r[key], 2)))
    return found


def mix_markdown(rows: list[dict[str, Any]]) -> list[str]:
    mixes = [r for r in rows if r["scenario"] == "mix"]
    if not mixes:
        return []
    first = mixes[0]
    lines = [
        "",
        "## The realistic mix",
        "",
        f"{first['requests']} requests at each scale from {first['_people']} people (their own "
        f"sessions) over {first['_pages']} addresses, about one in fifty a write (a meeting's "
        "focus set through its form) in either practice, with the task worker running beside a "
        "fresh server; the ratio is over a no-op baseline on the same server just before.",
        "",
        "| database | scale | requests | errors | p50 | p95 | p99 | rps | ratio "
        "| writes | peak RSS MB |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in mixes:
        lines.append(
            f"| {r['database']} | {r['scale']} "
            f"| {r['requests']} | {r['errors']}{'' if r['errors'] == 0 else ' ✗'} "
            f"| {r['p50_ms']} | {r['p95_ms']} | {r['p99_ms']} "
            f"| {r['rps']} | {r['ratio']} | {r['_writes']} | {r['peak_rss_mb']} |"
        )
    return lines


def markdown(rows: list[dict[str, Any]], requests: int, concurrency: int) -> str:
    def mark(ok: bool) -> str:
        return "" if ok else " ✗"

    lines = [
        "# Bench results",
        "",
        f"`make bench` on {platform.node() or 'this machine'} ({os.cpu_count()} cores), "
        f"{time.strftime('%Y-%m-%d %H:%M %Z')}: gunicorn with 2 sync workers and production "
        f"settings, every page rendered afresh (no page cache), {requests} requests per "
        f"scenario (the no-op baseline twice) at concurrency "
        f"{concurrency} from a separate process. Times in ms. ✗ marks a figure outside the "
        f"targets (p95 < {P95_TARGET_MS} ms, ratio ≥ {RATIO_TARGET:.2f}, worker memory < "
        f"{RSS_TARGET_MB} MB); see docs/bench.md for what each scenario does. Load average "
        f"when the table was written: {os.getloadavg()[0]:.1f} (above the core count, other "
        f"work shared the machine and every page is slower than it would be alone).",
        "",
        "| scenario | database | scale | requests | errors | p50 | p95 | p99 | rps | ratio "
        "| queries | peak RSS MB |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        if r["scenario"] == "mix":
            continue
        lines.append(
            f"| {r['scenario']} | {r['database']} | {r['scale']} | {r['requests']} "
            f"| {r['errors']}{mark(r['errors'] == 0)} | {r['p50_ms']} "
            f"| {r['p95_ms']}{mark(r['p95_ms'] < P95_TARGET_MS)} | {r['p99_ms']} | {r['rps']} "
            f"| {r['ratio']}{mark(r['ratio'] >= RATIO_TARGET)} | {r['queries']} "
            f"| {r['peak_rss_mb']}{mark(r['peak_rss_mb'] < RSS_TARGET_MB)} |"
        )
    bases = sorted(
        {(r["database"], r["scale"], r["baseline_rps"]) for r in rows if r["scenario"] != "mix"}
    )
    lines += [
        "",
        "Baseline (no-op view, full middleware): "
        + "; ".join(f"{d} {s}: {b} req/s" for d, s, b in bases)
        + ".",
    ]
    grown = growth(rows)
    if grown:
        # The no-op's own growth is the machine's: the scales run minutes apart on a shared
        # machine whose load moves. Each page's growth over the no-op's says what the data did.
        noop = {(d, lo, hi): ratio for sc, d, lo, hi, ratio in grown if sc == "noop"}
        rendered = {(sc, d): ratio for sc, d, _lo, _hi, ratio in growth(rows, "_render_ms")}
        lines += [
            "",
            "## Growth: the larger scale over the smaller",
            "",
            "Under load, p95 at the larger scale over p95 at the smaller; then the same divided "
            "by the no-op baseline's own growth in the same run (the machine's share of it). "
            "The last column is the shortest of 21 renders of the page afresh "
            "in one process with no load, larger over smaller: what the data does to the page, "
            "which a loaded p95 of a few milliseconds on a shared machine shows only through "
            "its noise (the machine's other work only ever adds to a render).",
            "",
            "| scenario | database | scales | p95 ratio | over the no-op's | rendered alone |",
            "| --- | --- | --- | ---: | ---: | ---: |",
        ]
        for scenario, database, low, high, ratio in grown:
            base = noop.get((database, low, high)) or 1.0
            relative = round(ratio / base, 2)
            alone = rendered.get((scenario, database))
            alone_text = "–" if alone is None else f"{alone}{mark(alone <= GROWTH_TARGET)}"
            lines.append(
                f"| {scenario} | {database} | {high}/{low} "
                f"| {ratio}{mark(ratio <= GROWTH_TARGET)} "
                f"| {relative}{mark(relative <= GROWTH_TARGET)} | {alone_text} |"
            )
    else:
        lines += ["", "Growth check: run `make bench-growth` (BENCH_SCALE=small,large)."]
    lines += mix_markdown(rows)
    if NOT_YET:
        lines += ["", "## Not yet measurable", ""]
        lines += [f"- {what}: {why} does not exist yet." for what, why in NOT_YET]
    return "\n".join(lines) + "\n"


def main() -> int:
    scales = [s.strip() for s in os.environ.get("BENCH_SCALE", "small").split(",") if s.strip()]
    databases = [d.strip() for d in os.environ.get("BENCH_DATABASES", "sqlite,postgres").split(",")]
    requests = int(os.environ.get("BENCH_REQUESTS", "500"))
    concurrency = int(os.environ.get("BENCH_CONCURRENCY", "8"))
    out = Path(os.environ.get("BENCH_OUT", ROOT / "bench" / "results"))
    for s in scales:
        if s not in SCALE_ORDER:
            raise SystemExit(f"BENCH_SCALE: {s!r} is not one of {', '.join(SCALE_ORDER)}")
    for d in databases:
        if d not in ("sqlite", "postgres"):
            raise SystemExit(f"BENCH_DATABASES: {d!r} is not sqlite or postgres")
    if not shutil.which("gunicorn", path=str(Path(PY).parent)):
        raise SystemExit("gunicorn is missing from the virtual environment (make deps)")
    rows: list[dict[str, Any]] = []
    for database in databases:
        rows += run_database(database, sorted(scales, key=SCALE_ORDER.index), requests, concurrency)
    order = {(d, s): i for i, (d, s) in enumerate((d, s) for s in SCALE_ORDER for d in databases)}
    # The table as before: by scale, then database.
    rows.sort(key=lambda r: order[(r["database"], r["scale"])])
    out.mkdir(parents=True, exist_ok=True)
    (out / "latest.json").write_text(
        json.dumps([{k: r[k] for k in KEYS} for r in rows], indent=2, ensure_ascii=False) + "\n"
    )
    (out / "latest.md").write_text(markdown(rows, requests, concurrency))
    log(f"wrote {out / 'latest.json'} and {out / 'latest.md'}")
    failed = [r for r in rows if r["errors"]]
    for r in failed:
        log(f"ERRORS: {r['scenario']} on {r['database']}, {r['scale']}: {r['_first_error']}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

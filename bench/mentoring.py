"""`make bench`, mentoring part: the matching engine on generated programmes.

Each case runs in a process of its own so that its peak memory (VmHWM / ru_maxrss) is its own:

- 1,000 mentees × 1,000 mentors, capacity 1 (target < 1 s);
- 10,000 mentees × 4,000 mentors, capacity 1–3 (target < 60 s);

both with every hard rule on (never the same unit, never one's manager or direct report, a
shared language, the mentor at least 2 years more experienced, capacity). Every produced pair is
checked against the hard rules; on the 1,000 × 1,000 case the two exact solvers (SciPy linear
assignment and OR-Tools min-cost flow) must reach the same objective.

BENCH_MENTORING=small (the CI run) runs 1,000 × 1,000 and 2,000 × 800 only; none skips it. Writes
mentoring.json and mentoring.md to BENCH_OUT (bench/results). Exits non-zero on a crash or a
broken rule; timings are reported, not enforced.
"""

from __future__ import annotations

import json
import os
import platform
import random
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

CASES = {
    "full": [(1_000, 1_000, 1, 1.0), (10_000, 4_000, 3, 60.0)],
    "small": [(1_000, 1_000, 1, 1.0), (2_000, 800, 3, 60.0)],
}


def generate(n_mentees: int, n_mentors: int, cap_max: int, seed: int = 8) -> tuple[list, list]:
    from bollplank.mentoring.matching import Participant

    rnd = random.Random(seed)  # noqa: S311  (bench data)
    topics = [f"topic{i}" for i in range(40)]
    goals = [f"goal{i}" for i in range(10)]
    languages = ["sv"] * 8 + ["en", "fi", "ar"]
    units = [f"unit{i}" for i in range(60)]
    places = [f"town{i}" for i in range(20)]
    times = [f"{d}-{p}" for d in ("mon", "tue", "wed", "thu", "fri") for p in ("am", "pm")]

    def person(prefix: str, i: int, cap: int, years: int) -> Participant:
        return Participant(
            key=f"{prefix}{i:06d}",
            unit=rnd.choice(units),
            person=f"{prefix}{i}@example.org",
            manager=f"r{rnd.randrange(n_mentors)}@example.org" if rnd.random() < 0.05 else "",
            years=rnd.randrange(years),
            topics=frozenset(rnd.sample(topics, 4)),
            goals=frozenset(rnd.sample(goals, 2)),
            languages=frozenset(
                {rnd.choice(languages)} | ({"en"} if rnd.random() < 0.5 else set())
            ),
            location=rnd.choice(places),
            availability=frozenset(rnd.sample(times, 4)),
            prefer=frozenset(),
            avoid=frozenset(),
            capacity=cap,
        )

    mentors = [person("r", i, rnd.randint(1, cap_max), 30) for i in range(n_mentors)]
    mentees = [person("e", i, 1, 12) for i in range(n_mentees)]
    return mentors, mentees


def run_case(n_mentees: int, n_mentors: int, cap_max: int) -> dict[str, Any]:
    """One case in this process (called in a child)."""
    from bollplank.mentoring.matching import Rules, Weights, match, violations

    mentors, mentees = generate(n_mentees, n_mentors, cap_max)
    rules = Rules(different_unit=True, not_manager=True, shared_language=True, min_years_more=2)
    import numpy  # noqa: F401  (imports before the baseline memory figure)
    import ortools.graph.python.min_cost_flow  # noqa: F401
    import scipy.optimize  # noqa: F401

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started, cpu_started = time.perf_counter(), time.process_time()
    result = match(mentors, mentees, rules, Weights())
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    by_r = {r.key: r for r in mentors}
    by_e = {e.key: e for e in mentees}
    load: dict[str, int] = {}
    broken = 0
    for p in result.pairs:
        broken += bool(violations(by_r[p.mentor], by_e[p.mentee], rules))
        load[p.mentor] = load.get(p.mentor, 0) + 1
    broken += sum(1 for k, n in load.items() if n > by_r[k].capacity)
    row: dict[str, Any] = {
        "mentees": n_mentees,
        "mentors": n_mentors,
        "capacity": f"1–{cap_max}" if cap_max > 1 else "1",
        "places": sum(r.capacity for r in mentors),
        "method": result.method,
        "allowed_pairs": result.edges,
        "matched": result.matched,
        "unmatched": len(result.unmatched),
        "total_score": result.total,
        "seconds": round(seconds, 3),
        "cpu_seconds": round(cpu_seconds, 3),
        "build_seconds": round(result.stats.get("build_s", 0.0), 3),
        "solve_seconds": round(result.stats.get("solve_s", 0.0), 3),
        "rss_before_mb": round(rss_before, 1),
        "peak_rss_mb": round(peak, 1),
        "broken_rules": broken,
    }
    if n_mentees * n_mentors <= 1_000_000:
        other = match(mentors, mentees, rules, Weights(), method="flow")
        row["reference_flow_equal"] = (other.matched, other.total) == (
            result.matched,
            result.total,
        )
    return row


def markdown(rows: list[dict[str, Any]], when: str) -> str:
    lines = [
        "# Mentoring matching bench",
        "",
        f"`make bench` on {platform.node()} ({os.cpu_count()} cores), {when}: the matching engine "
        "(src/bollplank/mentoring/matching.py) on generated programmes with every hard rule on "
        "(different unit, not one's manager or direct report, shared language, mentor ≥ 2 years "
        "more experienced, capacity). Each case in its own process; seconds are for `match()` "
        "(building the allowed pairs and scores, solving, explaining); peak RSS is the process's "
        "high-water mark, with the figure after imports for comparison. The machine is shared: "
        "the last column is its 1-minute load average (2 cores) when the case ended, and "
        "wall-clock seconds grow with it; CPU seconds (user + system of the process) are what "
        "the case itself used, close to what it takes on an idle machine (the engine is "
        "single-threaded).",
        "",
        "| mentees | mentors | capacity | places | method | allowed pairs | matched | unmatched "
        "| total score | seconds (target) | CPU s | build s | solve s | RSS after imports MB "
        "| peak RSS MB | rules broken | load avg |",
        "| ---: | ---: | --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
        "| ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        mark = "" if r["seconds"] < r["target_seconds"] else " ✗"
        lines.append(
            f"| {r['mentees']:,} | {r['mentors']:,} | {r['capacity']} | {r['places']:,} "
            f"| {r['method']} | {r['allowed_pairs']:,} | {r['matched']:,} | {r['unmatched']:,} "
            f"| {r['total_score']:,} | {r['seconds']}{mark} (< {r['target_seconds']:g}) "
            f"| {r['cpu_seconds']} "
            f"| {r['build_seconds']} | {r['solve_seconds']} | {r['rss_before_mb']} "
            f"| {r['peak_rss_mb']} | {r['broken_rules']} | {r.get('load_average_1min', '')} |"
        )
    refs = [r for r in rows if "reference_flow_equal" in r]
    if refs:
        lines += [
            "",
            "Same objective from both exact solvers (linear assignment and min-cost flow) on "
            + ", ".join(
                f"{r['mentees']:,} × {r['mentors']:,}: "
                f"{'yes' if r['reference_flow_equal'] else 'NO'}"
                for r in refs
            )
            + ". The tests (tests/mentoring/test_matching.py) check both against SciPy's MILP "
            "solver on small instances.",
        ]
    return "\n".join(lines) + "\n"


def main() -> int:
    if len(sys.argv) == 4:  # child: one case
        print(json.dumps(run_case(*map(int, sys.argv[1:4]))))
        return 0
    size = os.environ.get("BENCH_MENTORING", "full")
    if size == "none":  # the matching engine does not touch the database: once per CI run
        return 0
    out = Path(os.environ.get("BENCH_OUT", ROOT / "bench" / "results"))
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    failed = False
    for n_mentees, n_mentors, cap, target in CASES[size]:
        print(f"==> mentoring: {n_mentees} × {n_mentors}, capacity 1–{cap}", file=sys.stderr)
        proc = subprocess.run(  # noqa: S603
            [sys.executable, __file__, str(n_mentees), str(n_mentors), str(cap)],
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode:
            print(proc.stderr, file=sys.stderr)
            failed = True
            continue
        row = json.loads(proc.stdout.strip().splitlines()[-1])
        row["target_seconds"] = target
        row["load_average_1min"] = round(os.getloadavg()[0], 1)
        failed |= row["broken_rules"] > 0 or row.get("reference_flow_equal") is False
        print(f"    {row['seconds']} s, peak {row['peak_rss_mb']} MB", file=sys.stderr)
        rows.append(row)
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    (out / "mentoring.json").write_text(
        json.dumps({"when": when, "size": size, "rows": rows}, indent=1) + "\n"
    )
    (out / "mentoring.md").write_text(markdown(rows, when))
    print(f"==> wrote {out / 'mentoring.json'} and {out / 'mentoring.md'}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

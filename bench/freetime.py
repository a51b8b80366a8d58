"""`make bench`, part two: free times of one supervisor over 8 weeks (issue 12's target: < 50 ms).

A supervisor with 2,000 meetings (spread over two years, so about 160 fall in the 8 weeks)
and 5,000 busy events from outside calendars (over the year ahead), weekly hours at two
places, exceptions and Swedish holidays. Measured two ways:

- "sweep": booking/freetime.py alone on data already in memory (the algorithm);
- "<database>": selectors.free_times(...).slots() as a booking page calls it: the queries for
  rules, meetings and busy times, then the sweep. Run in a subprocess per database, in the
  bench database of the run's first scale (BENCH_SCALE) as a practice of its own, made once:
  that database is migrated already, and a second database would only migrate it again.

Writes freetime.json and freetime.md to BENCH_OUT (bench/results). Exits non-zero on a crash,
never on timings. Environment: BENCH_DATABASES (sqlite,postgres), BENCH_PG_URL, BENCH_OUT.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

MEETINGS = 2_000
BUSY = 5_000
WEEKS = 8
ROUNDS = 30
TARGET_MS = 50.0
TZ = "Europe/Stockholm"
SLUG = "bench-booking"


def stats(samples: list[float]) -> dict[str, float]:
    from run import percentile

    return {
        "min_ms": round(min(samples), 2),
        "p50_ms": round(percentile(samples, 0.5), 2),
        "p95_ms": round(percentile(samples, 0.95), 2),
        "max_ms": round(max(samples), 2),
    }


def timed(fn: Any, rounds: int = ROUNDS) -> tuple[list[float], Any]:
    for _ in range(3):
        result = fn()
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        result = fn()
        samples.append((time.perf_counter() - started) * 1000)
    return samples, result


def intervals(now: dt.datetime, seed: int) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """(start, end, place) of the meetings and (start, end) of the outside busy events."""
    rng = random.Random(seed)
    quarter = dt.timedelta(minutes=15)
    meetings = []
    for _ in range(MEETINGS):
        start = now - dt.timedelta(days=365) + rng.randrange(2 * 365 * 96) * quarter
        place = rng.choice(["premises", "video", "client"])
        meetings.append((start, start + rng.choice([60, 90, 120]) * dt.timedelta(minutes=1), place))
    busy = []
    for _ in range(BUSY):
        start = now + rng.randrange(365 * 96) * quarter
        busy.append((start, start + rng.choice([15, 30, 60, 240]) * dt.timedelta(minutes=1)))
    return meetings, busy


def sweep_bench() -> dict[str, Any]:
    """The algorithm alone, on lists in memory."""
    import holidays

    from bollplank.booking import freetime as ft

    now = dt.datetime(2026, 3, 2, 7, 0, tzinfo=dt.UTC)
    meetings, outside = intervals(now, 12)
    rules = ft.Rules(
        tz=TZ,
        notice=dt.timedelta(hours=24),
        horizon=dt.timedelta(weeks=WEEKS),
        buffer=dt.timedelta(minutes=15),
        travel=dt.timedelta(minutes=45),
    )
    weekly = [ft.WeeklyRule(d, dt.time(8), dt.time(12), "premises") for d in range(5)]
    weekly += [ft.WeeklyRule(d, dt.time(13), dt.time(17), "video") for d in range(5)]
    first, last = now.date(), (now + rules.horizon).date() + dt.timedelta(days=1)
    exceptions = [
        ft.DayException(first + dt.timedelta(days=10), first + dt.timedelta(days=12), False)
    ]
    days = set(holidays.country_holidays("SE", years=[first.year, last.year]))
    busy = [ft.Busy(s, e, p) for s, e, p in meetings] + [ft.Busy(s, e) for s, e in outside]
    # What the database's range queries hand over (timed in the database rows, not here).
    reach = now + rules.horizon + dt.timedelta(hours=9)
    busy = [b for b in busy if b.end > now and b.start < reach]

    def run() -> list[dt.datetime]:
        windows = ft.open_windows(
            first_day=first,
            last_day=last,
            weekly=weekly,
            exceptions=exceptions,
            holidays=days,
            tz_name=TZ,
            place="premises",
        )
        blocked = ft.blocked_intervals(
            busy,
            place="premises",
            rules=rules,
            min_gap=dt.timedelta(minutes=30),
        )
        return ft.free_slots(
            windows=windows, blocked=blocked, length=dt.timedelta(hours=1), rules=rules, now=now
        )

    samples, slots = timed(run)
    return {"measure": "sweep", **stats(samples), "slots": len(slots), "queries": 0}


def database_bench() -> dict[str, Any]:
    """In a subprocess with DATABASE_URL set: the selector a booking page calls."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bollplank.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone
    from django_scopes import scope, scopes_disabled

    from bollplank.accounts.models import User
    from bollplank.booking.models import BookingSettings, BusyInterval, OutsideCalendar, WeeklyHours
    from bollplank.booking.selectors import free_times
    from bollplank.clients.models import Client
    from bollplank.core import clock
    from bollplank.core.models import Practice
    from bollplank.engagements.enums import Form, Venue
    from bollplank.engagements.models import Engagement
    from bollplank.meetings.models import Meeting

    call_command("migrate", verbosity=0)
    now = clock.now().replace(second=0, microsecond=0)
    with scopes_disabled():
        practice = Practice.objects.filter(slug=SLUG).first()
        if practice is None:
            practice = Practice.objects.create(name="Bench booking", slug=SLUG)
            user = User.objects.create_user(email="bench-booking@example.se", name="Bench")
            client = Client.objects.create(practice=practice, name="Bench client")
            engagements = [
                Engagement.objects.create(
                    practice=practice,
                    client=client,
                    supervisor=user,
                    title=f"Bench {venue}",
                    form=Form.INDIVIDUAL,
                    focus="process",
                    meeting_minutes=60,
                    meetings_ordered=1000,
                    start_date=now.date() - dt.timedelta(days=800),
                    end_date=now.date() + dt.timedelta(days=800),
                    venue=venue,
                )
                for venue in (Venue.SUPERVISOR_PREMISES, Venue.VIDEO, Venue.CLIENT_PREMISES)
            ]
            meetings, outside = intervals(now, 12)
            Meeting.objects.bulk_create(
                Meeting(
                    practice=practice,
                    engagement=engagements[i % 3],
                    supervisor=user,
                    starts_at=s,
                    ends_at=e,
                )
                for i, (s, e, _p) in enumerate(meetings)
            )
            calendar = OutsideCalendar.objects.create(
                practice=practice, supervisor=user, name="Bench"
            )
            BusyInterval.objects.bulk_create(
                BusyInterval(
                    practice=practice, calendar=calendar, supervisor=user, starts_at=s, ends_at=e
                )
                for s, e in outside
            )
            BookingSettings.objects.create(
                practice=practice, supervisor=user, horizon_days=7 * WEEKS
            )
            for d in range(5):
                WeeklyHours.objects.create(
                    practice=practice,
                    supervisor=user,
                    weekday=d,
                    start=dt.time(8),
                    end=dt.time(12),
                    place="premises",
                )
                WeeklyHours.objects.create(
                    practice=practice,
                    supervisor=user,
                    weekday=d,
                    start=dt.time(13),
                    end=dt.time(17),
                    place="video",
                )
        engagement = Engagement.objects.select_related("practice").get(
            practice=practice, venue=Venue.SUPERVISOR_PREMISES
        )
        meeting_count = Meeting.objects.filter(supervisor=engagement.supervisor_id).count()
        busy_count = BusyInterval.objects.filter(supervisor=engagement.supervisor_id).count()
    with scope(practice=practice), timezone.override(practice.timezone):
        samples, slots = timed(lambda: free_times(engagement, now=clock.now()).slots())
        with CaptureQueriesContext(connection) as ctx:
            free_times(engagement, now=clock.now()).slots()
    return {
        "measure": connection.vendor,
        **stats(samples),
        "slots": len(slots),
        "queries": len(ctx.captured_queries),
        "meetings": meeting_count,
        "busy": busy_count,
    }


def load() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def markdown(rows: list[dict[str, Any]]) -> str:
    lines = [
        "# Free times: 8 weeks, 2,000 meetings, 5,000 outside busy events",
        "",
        f"Target (issue 12): under {TARGET_MS:.0f} ms. {ROUNDS} rounds after 3 warm-ups, "
        "on this machine (2 cores, shared).",
        "",
        f"Load average when it ran: {load()} (2 cores; other work on the machine inflates "
        "the upper percentiles, the minimum shows the cost itself).",
        "",
        "| measure | min ms | p50 ms | p95 ms | max ms | slots | queries | p95 under target |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in rows:
        met = "yes" if r["p95_ms"] < TARGET_MS else "NO"
        lines.append(
            f"| {r['measure']} | {r['min_ms']} | {r['p50_ms']} | {r['p95_ms']} "
            f"| {r['max_ms']} | {r['slots']} | {r['queries']} | {met} |"
        )
    lines += [
        "",
        "`sweep`: booking/freetime.py alone on data in memory. The database rows: "
        "`booking.selectors.free_times(...).slots()` as the booking page calls it — the "
        "supervisor's rules, meetings (every practice) and outside busy times in indexed range "
        "queries, then the sweep.",
        "",
    ]
    return "\n".join(lines)


def main() -> int:
    if "--database-run" in sys.argv:
        print(json.dumps(database_bench()))
        return 0
    from run import database_url, log

    rows = [sweep_bench()]
    failed = False
    scale = os.environ.get("BENCH_SCALE", "small").split(",")[0].strip()
    databases = [d.strip() for d in os.environ.get("BENCH_DATABASES", "sqlite,postgres").split(",")]
    for database in databases:
        log(f"free times on {database}")
        env = {**os.environ, "DATABASE_URL": database_url(database, scale)}
        env.pop("PYTEST_VERSION", None)
        done = subprocess.run(  # noqa: S603  (our own interpreter and script)
            [sys.executable, __file__, "--database-run"],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            failed = True
            sys.stderr.write(done.stderr[-3000:])
            continue
        rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
    out = Path(os.environ.get("BENCH_OUT", ROOT / "bench" / "results"))
    out.mkdir(parents=True, exist_ok=True)
    (out / "freetime.json").write_text(
        json.dumps(
            {"target_ms": TARGET_MS, "rounds": ROUNDS, "load": load(), "rows": rows}, indent=2
        )
        + "\n"
    )
    (out / "freetime.md").write_text(markdown(rows))
    sys.stdout.write(markdown(rows))
    log(f"wrote {out / 'freetime.json'} and {out / 'freetime.md'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

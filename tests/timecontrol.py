"""The instant the tests run at.

Every test starts at one instant, the same for the whole run, and the clock ticks on from there
(time-machine). By default that instant is the moment the run started, so a plain ``make test``
runs at the real clock; ``BOLLPLANK_TEST_NOW`` (an ISO 8601 time with its offset) runs the
whole suite at another one, and ``make test-days`` runs it at several on purpose (a spring and an
autumn daylight-saving change, a year end, a leap day, a year ahead). The header of every run
names the instant, so a failure on any day can be repeated.

Subprocesses that a test starts (the task worker, gunicorn) get the test's current instant
through the environment: ``subprocess_env`` puts ``tests/timewarp`` first on ``PYTHONPATH``,
whose ``sitecustomize`` starts the same ticking travel before the program runs.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

from django.utils import translation

from bollplank.core import clock
from bollplank.core.timeutils import holidays_between, make_local

ENV = "BOLLPLANK_TEST_NOW"
WARP_DIR = Path(__file__).resolve().parent / "timewarp"
STOCKHOLM = ZoneInfo("Europe/Stockholm")


def parse(text: str) -> dt.datetime:
    """An aware instant from ISO 8601; a time without an offset is refused (it would be read in
    the machine's zone, which is what these tests must not depend on)."""
    moment = dt.datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"{ENV}={text!r} needs an offset, e.g. 2027-03-28T01:30:00+01:00")
    return moment


def fix_instant() -> dt.datetime:
    """The run's instant: from the environment, or now (and then written there, so that pytest-xdist
    workers and subprocesses share it)."""
    raw = os.environ.get(ENV, "").strip()
    if not raw:
        raw = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
        os.environ[ENV] = raw
    return parse(raw)


def instant() -> dt.datetime:
    return parse(os.environ[ENV])


def subprocess_env(env: dict[str, str]) -> dict[str, str]:
    """``env`` for a subprocess that must run at the test's current instant (call it when
    starting each one: a program started later starts later)."""
    env = dict(env)
    env[ENV] = clock.now().isoformat()
    paths = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p and p != str(WARP_DIR)]
    env["PYTHONPATH"] = os.pathsep.join([str(WARP_DIR), *paths])
    return env


# --- dates relative to the instant, for factories and tests --------------------------------


def today() -> dt.date:
    """Today in Stockholm, where the tests' practices are."""
    return clock.today(STOCKHOLM)


def local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """``day`` at a Stockholm wall-clock time, in UTC."""
    return make_local(day, dt.time(hour, minute), "Europe/Stockholm").astimezone(dt.UTC)


def workday(day: dt.date) -> dt.date:
    """``day`` or the first day after it that is a weekday and not a Swedish holiday."""
    while day.weekday() >= 5 or holidays_between(day, day):
        day += dt.timedelta(days=1)
    return day


def workday_after(days: int) -> dt.date:
    """The first working day at least ``days`` days after today."""
    return workday(today() + dt.timedelta(days=days))


def month_start(months: int = 0) -> dt.date:
    """The first day of the month ``months`` months after this one (before it if negative)."""
    index = today().year * 12 + today().month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


# The world's meeting was held at 09:00 on the 10th of the month three months before the
# instant's (a month whose invoices are due); engagements run from about ten months before
# the instant to ten months after.
def past_meeting_day() -> dt.date:
    return month_start(-3).replace(day=10)


def engagement_start() -> dt.date:
    return today() - dt.timedelta(days=300)


def engagement_end() -> dt.date:
    return today() + dt.timedelta(days=300)


def _last_sunday(year: int, month: int) -> dt.date:
    last = dt.date(year, month + 1, 1) - dt.timedelta(days=1)
    return last - dt.timedelta(days=(last.weekday() - 6) % 7)


def _first_after(days: int, make: Callable[[int], dt.date | None]) -> dt.date:
    """The first of make(year), make(year + 1), … at least ``days`` days after today."""
    earliest = today() + dt.timedelta(days=days)
    year = today().year
    while (found := make(year)) is None or found < earliest:
        year += 1
    return found


def spring_change(days: int = 21) -> dt.date:
    """The Sunday the clocks go forward in Sweden, at least ``days`` days ahead."""
    return _first_after(days, lambda y: _last_sunday(y, 3))


def autumn_change(days: int = 21) -> dt.date:
    """The Sunday the clocks go back in Sweden, at least ``days`` days ahead."""
    return _first_after(days, lambda y: _last_sunday(y, 10))


def holiday(name: str, days: int = 21) -> dt.date:
    """The next Swedish holiday called ``name`` (in Swedish) at least ``days`` days ahead."""

    def in_year(year: int) -> dt.date | None:
        with translation.override("sv"):
            named = holidays_between(dt.date(year, 1, 1), dt.date(year, 12, 31))
        found = [d for d, n in named.items() if n == name]
        return found[0] if found else None

    return _first_after(days, in_year)

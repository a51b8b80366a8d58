"""The instants `make test-days` runs the whole suite at, counted from the real date so that they
stay ahead of it: the next spring and autumn daylight-saving changes in Europe/Stockholm, the
next year end, the next 29 February and a day a year ahead. Prints one ISO 8601 instant a line.

    python tests/days.py            # the instants
    python tests/days.py --named    # with what each one is
    python tests/days.py --pick     # one of them, a different one each day (for CI)
"""

from __future__ import annotations

import calendar
import datetime as dt
import sys
from zoneinfo import ZoneInfo

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def _last_sunday(year: int, month: int) -> dt.date:
    last = dt.date(year, month, calendar.monthrange(year, month)[1])
    return last - dt.timedelta(days=(last.weekday() - 6) % 7)


def _next(today: dt.date, make: object) -> dt.datetime:
    """The first of make(year), make(year + 1), … that is still ahead of ``today``."""
    year = today.year
    while True:
        moment = make(year)  # type: ignore[operator]
        if moment is not None and moment.date() > today:
            return moment
        year += 1


def instants(today: dt.date) -> list[tuple[str, dt.datetime]]:
    # The changes happen at 01:00 UTC. Spring: half an hour before the clocks go forward, so
    # that "in an hour" lands after it. Autumn: 02:30 the first time round, in the hour that
    # happens twice.
    spring = _next(
        today,
        lambda y: dt.datetime.combine(_last_sunday(y, 3), dt.time(0, 30), dt.UTC),
    )
    autumn = _next(
        today,
        lambda y: dt.datetime.combine(_last_sunday(y, 10), dt.time(0, 30), dt.UTC),
    )
    year_end = _next(today, lambda y: dt.datetime(y, 12, 31, 23, 30, tzinfo=STOCKHOLM))
    leap_day = _next(
        today,
        lambda y: dt.datetime(y, 2, 29, 12, 0, tzinfo=STOCKHOLM) if calendar.isleap(y) else None,
    )
    year_ahead = dt.datetime.combine(today + dt.timedelta(days=365), dt.time(10, 0), STOCKHOLM)
    found = [
        ("spring daylight-saving change", spring),
        ("autumn daylight-saving change", autumn),
        ("year end", year_end),
        ("29 February", leap_day),
        ("a year ahead", year_ahead),
    ]
    return [(name, moment.astimezone(STOCKHOLM)) for name, moment in found]


if __name__ == "__main__":
    today = dt.datetime.now(STOCKHOLM).date()
    found = instants(today)
    if "--pick" in sys.argv:
        found = [found[today.toordinal() % len(found)]]
    for name, moment in found:
        print(f"{moment.isoformat()}  # {name}" if "--named" in sys.argv else moment.isoformat())

"""Free times as an interval sweep: pure functions, no database.

The supervisor's open windows (weekly hours in local wall-clock time, exceptions, Swedish
holidays closed unless opened) minus everything that keeps them busy (meetings with buffers
and travel time, busy times from outside calendars) gives the free intervals; slots of the
meeting's length are laid on them on a fixed step. Everything is sorted once and swept once,
so the time grows with the number of intervals, not with their product: a supervisor with
thousands of meetings and outside events is as quick to answer as one with a few.

All datetimes in and out are aware UTC. Wall-clock times become UTC per day, so that a
Tuesday 09:00–17:00 stays 09:00–17:00 on both sides of a daylight-saving change.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

Interval = tuple[dt.datetime, dt.datetime]

# Why a requested time is not bookable (services turn these into messages).
PAST = "past"
NOTICE = "notice"
HORIZON = "horizon"
DST = "dst"
HOURS = "hours"
TAKEN = "taken"


@dataclass(frozen=True)
class WeeklyRule:
    """Open on ``weekday`` (0 = Monday) from ``start`` to ``end``, local time, at ``place``."""

    weekday: int
    start: dt.time
    end: dt.time
    place: str


@dataclass(frozen=True)
class DayException:
    """Closed (or extra open) from ``first`` to ``last`` inclusive. Without times a closed
    exception closes whole days, and an open one opens the weekly hours on a holiday."""

    first: dt.date
    last: dt.date
    is_open: bool
    start: dt.time | None = None
    end: dt.time | None = None
    place: str = ""


@dataclass(frozen=True)
class Busy:
    """A busy interval; ``place`` is where it happens ("" when not known: outside events)."""

    start: dt.datetime
    end: dt.datetime
    place: str = ""


@dataclass(frozen=True)
class Rules:
    tz: str
    notice: dt.timedelta
    horizon: dt.timedelta
    buffer: dt.timedelta  # between two meetings at the same place
    travel: dt.timedelta  # between meetings at different places
    step: dt.timedelta = dt.timedelta(minutes=15)


def to_utc(day: dt.date, time: dt.time, tz: ZoneInfo) -> dt.datetime:
    """Wall-clock ``time`` on ``day`` in UTC. A time skipped by the spring change lands just
    after the change (fold=0 reads it with the winter offset); it is only a window edge."""
    return dt.datetime.combine(day, time).replace(tzinfo=tz, fold=0).astimezone(dt.UTC)


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted, non-overlapping union of ``intervals`` (touching ones are joined)."""
    out: list[Interval] = []
    for start, end in sorted(intervals):
        if end <= start:
            continue
        if out and start <= out[-1][1]:
            if end > out[-1][1]:
                out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


def subtract(windows: Sequence[Interval], blocked: Sequence[Interval]) -> list[Interval]:
    """``windows`` minus ``blocked``; both sorted and merged. One sweep over both lists."""
    out: list[Interval] = []
    j = 0
    for start, end in windows:
        while j < len(blocked) and blocked[j][1] <= start:
            j += 1
        cursor = start
        k = j
        while k < len(blocked) and blocked[k][0] < end:
            b_start, b_end = blocked[k]
            if b_start > cursor:
                out.append((cursor, b_start))
            cursor = max(cursor, b_end)
            if cursor >= end:
                break
            k += 1
        if cursor < end:
            out.append((cursor, end))
    return out


def open_windows(
    *,
    first_day: dt.date,
    last_day: dt.date,
    weekly: Sequence[WeeklyRule],
    exceptions: Sequence[DayException],
    holidays: Iterable[dt.date],
    tz_name: str,
    place: str,
) -> list[Interval]:
    """The open windows for ``place`` from ``first_day`` to ``last_day`` (local dates), UTC."""
    tz = ZoneInfo(tz_name)
    holiday_set = set(holidays)
    by_weekday: dict[int, list[WeeklyRule]] = {}
    for rule in weekly:
        if rule.place == place and rule.end > rule.start:
            by_weekday.setdefault(rule.weekday, []).append(rule)
    relevant = [e for e in exceptions if e.last >= first_day and e.first <= last_day]
    opened: list[Interval] = []
    closed: list[Interval] = []
    day = first_day
    while day <= last_day:
        todays = [e for e in relevant if e.first <= day <= e.last] if relevant else []
        reopened = any(e.is_open and e.start is None for e in todays)
        if day not in holiday_set or reopened:
            for rule in by_weekday.get(day.weekday(), ()):
                opened.append((to_utc(day, rule.start, tz), to_utc(day, rule.end, tz)))
        for exc in todays:
            if exc.is_open:
                if exc.start is not None and exc.end is not None and exc.place == place:
                    opened.append((to_utc(day, exc.start, tz), to_utc(day, exc.end, tz)))
            elif exc.start is None or exc.end is None:
                closed.append(
                    (
                        to_utc(day, dt.time.min, tz),
                        to_utc(day + dt.timedelta(days=1), dt.time.min, tz),
                    )
                )
            else:
                closed.append((to_utc(day, exc.start, tz), to_utc(day, exc.end, tz)))
        day += dt.timedelta(days=1)
    return subtract(merge(opened), merge(closed))


def blocked_intervals(
    busy: Iterable[Busy], *, place: str, rules: Rules, min_gap: dt.timedelta
) -> list[Interval]:
    """Each busy interval widened by the gap a new meeting at ``place`` must keep from it:
    travel time when the places differ, the buffer otherwise, never less than ``min_gap``."""
    same = max(rules.buffer, min_gap)
    other = max(rules.travel, min_gap)
    return merge(
        (b.start - pad, b.end + pad)
        for b in busy
        for pad in ((other if b.place and b.place != place else same),)
    )


def dst_trouble(start: dt.datetime, end: dt.datetime, tz: ZoneInfo) -> bool:
    """True when [start, end) spans a change of UTC offset, or its local start time does not
    exist or exists twice (the meetings services refuse such wall-clock times)."""
    if start.astimezone(tz).utcoffset() != end.astimezone(tz).utcoffset():
        return True
    naive = start.astimezone(tz).replace(tzinfo=None)
    return (
        naive.replace(tzinfo=tz, fold=0).utcoffset() != naive.replace(tzinfo=tz, fold=1).utcoffset()
    )


EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _ceil(moment: dt.datetime, step: dt.timedelta) -> dt.datetime:
    # Aligned in UTC: Swedish offsets are whole hours, so a quarter past is a quarter past
    # on the wall too.
    # Whole microseconds, so that a moment just past a step (12:00:00.0004) is not taken back to
    # it: a slot before the notice ends would be offered and then refused.
    micros = moment.astimezone(dt.UTC) - EPOCH
    size = step // dt.timedelta(microseconds=1)
    steps = -(-(micros // dt.timedelta(microseconds=1)) // size)
    return EPOCH + steps * step


def free_slots(
    *,
    windows: Sequence[Interval],
    blocked: Sequence[Interval],
    length: dt.timedelta,
    rules: Rules,
    now: dt.datetime,
) -> list[dt.datetime]:
    """Start times of every free slot of ``length``, between the notice and the horizon."""
    tz = ZoneInfo(rules.tz)
    earliest = now + rules.notice
    latest = now + rules.horizon
    clipped = [
        (max(s, earliest), min(e, latest)) for s, e in windows if e > earliest and s < latest
    ]
    slots: list[dt.datetime] = []
    for start, end in subtract(clipped, blocked):
        moment = _ceil(start, rules.step)
        while moment + length <= end:
            if not dst_trouble(moment, moment + length, tz):
                slots.append(moment)
            moment += rules.step
    return slots


def check_slot(
    *,
    start: dt.datetime,
    length: dt.timedelta,
    windows: Sequence[Interval],
    blocked: Sequence[Interval],
    rules: Rules,
    now: dt.datetime,
) -> str | None:
    """Why ``start`` cannot be booked (one of the reason constants), or None when it can."""
    end = start + length
    if start <= now:
        return PAST
    if start < now + rules.notice:
        return NOTICE
    if start > now + rules.horizon:
        return HORIZON
    if dst_trouble(start, end, ZoneInfo(rules.tz)):
        return DST
    if not any(s <= start and end <= e for s, e in windows):
        return HOURS
    i = bisect_left(blocked, (start,))
    for b_start, b_end in blocked[max(i - 1, 0) : i + 1]:
        if b_start < end and b_end > start:
            return TAKEN
    return None

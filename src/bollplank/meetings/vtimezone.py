"""The VTIMEZONE a calendar file embeds, written from the tz database (zoneinfo).

Clients that do not know the TZID (or trust the file over their own database) place every
event with these rules, so they must say exactly what zoneinfo says. RFC 5545 §3.6.5: a
STANDARD or DAYLIGHT part's DTSTART (and each RDATE) is the local time *before* the change,
read with TZOFFSETFROM. Stockholm's spring change at 01:00 UTC is therefore 02:00 (+01:00)
and the autumn one 03:00 (+02:00). Each change is listed as a date (RDATE) rather than as a
rule (RRULE): the dates are what the tz database holds, including any future rule change.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import NamedTuple
from zoneinfo import ZoneInfo

_DAY = dt.timedelta(days=1)
_SECOND = dt.timedelta(seconds=1)


class Observance(NamedTuple):
    offset: dt.timedelta
    name: str
    dst: bool


class Transition(NamedTuple):
    at: dt.datetime  # the UTC instant from which ``after`` holds
    before: Observance
    after: Observance


def _observance(zone: ZoneInfo, moment: dt.datetime) -> Observance:
    local = moment.astimezone(zone)
    return Observance(local.utcoffset() or dt.timedelta(0), local.tzname() or "", bool(local.dst()))


def transitions(zone: ZoneInfo, start: dt.datetime, end: dt.datetime) -> list[Transition]:
    """Every change of offset, name or daylight flag in ``zone`` in [start, end) (UTC)."""
    found: list[Transition] = []
    low = start.astimezone(dt.UTC)
    current = _observance(zone, low)
    while low < end:
        high = min(low + _DAY, end)
        following = _observance(zone, high)
        if following != current:
            # Zones change at most once a day: narrow the day down to the second.
            a, b = low, high
            while b - a > _SECOND:
                middle = a + (b - a) / 2
                middle = middle.replace(microsecond=0)
                if _observance(zone, middle) == current:
                    a = middle
                else:
                    b = middle
            found.append(Transition(b, current, _observance(zone, b)))
            current = _observance(zone, b)
        low = high
    return found


def _offset(delta: dt.timedelta) -> str:
    seconds = int(delta.total_seconds())
    sign = "-" if seconds < 0 else "+"
    hours, rest = divmod(abs(seconds), 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{sign}{hours:02d}{minutes:02d}" + (f"{seconds:02d}" if seconds else "")


def _local(moment: dt.datetime, offset: dt.timedelta) -> str:
    return (moment.astimezone(dt.UTC) + offset).strftime("%Y%m%dT%H%M%S")


@lru_cache(maxsize=64)
def vtimezone(tzid: str, first: dt.date, last: dt.date) -> str:
    """The VTIMEZONE for ``tzid`` (CRLF lines) valid from local midnight of ``first`` to
    that of ``last``. It opens with the observance in force at ``first`` (as a part that
    changes nothing), so that a reader knows the offset before the first change too."""
    zone = ZoneInfo(tzid)
    start = dt.datetime.combine(first, dt.time(), zone).astimezone(dt.UTC)
    end = dt.datetime.combine(last, dt.time(), zone).astimezone(dt.UTC)
    initial = _observance(zone, start)
    # One part per kind of change, its first date as DTSTART and the others as RDATEs.
    parts: dict[tuple[Observance, Observance], list[str]] = {
        (initial, initial): [_local(start, initial.offset)]
    }
    for change in transitions(zone, start, end):
        parts.setdefault((change.before, change.after), []).append(
            _local(change.at, change.before.offset)
        )
    lines = ["BEGIN:VTIMEZONE", f"TZID:{tzid}"]
    for (before, after), starts in sorted(parts.items(), key=lambda item: item[1][0]):
        kind = "DAYLIGHT" if after.dst else "STANDARD"
        lines += [f"BEGIN:{kind}", f"DTSTART:{starts[0]}"]
        lines += [f"RDATE:{moment}" for moment in starts[1:]]
        lines += [
            f"TZOFFSETFROM:{_offset(before.offset)}",
            f"TZOFFSETTO:{_offset(after.offset)}",
        ]
        if after.name:
            lines.append(f"TZNAME:{after.name}")
        lines.append(f"END:{kind}")
    lines.append("END:VTIMEZONE")
    return "\r\n".join(lines) + "\r\n"

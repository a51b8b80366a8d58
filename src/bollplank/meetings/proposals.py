"""What a series plan proposes (services.series_propose): each date with what stands in its
way, and the first date a new plan starts on."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.utils import timezone

from bollplank.core import clock
from bollplank.core.timeutils import LocalTimeError, holiday_name, make_local
from bollplank.meetings.models import Meeting


class Proposal:
    OK = "ok"
    HOLIDAY = "holiday"
    CONFLICT = "conflict"
    BAD_TIME = "bad_time"
    OUTSIDE = "outside"
    # Before now: a meeting is planned ahead only (services.check_ahead).
    PASSED = "passed"


@dataclass
class ProposedMeeting:
    """One date of a planned series and what stands in its way, if anything."""

    day: dt.date
    time: dt.time
    status: str
    reason: str = ""
    starts_at: dt.datetime | None = None
    ends_at: dt.datetime | None = None
    conflicts: list[Meeting] = field(default_factory=list)

    @property
    def suggested(self) -> bool:
        return self.status == Proposal.OK


def first_plan_day(
    *, start: dt.date, time: dt.time, zone: str, now: dt.datetime | None = None
) -> dt.date:
    """The first date a new plan offers: today in ``zone``, or ``start`` (the engagement's
    first day) if later; when today's ``time`` has already passed, the next working day, so
    that the plan does not open on a date it must refuse."""
    now = now or clock.now()
    today = timezone.localdate(now, ZoneInfo(zone))
    if start > today:
        return start
    try:
        ahead = make_local(today, time, zone) >= now
    except LocalTimeError:
        ahead = False
    if ahead:
        return today
    day = today + dt.timedelta(days=1)
    while day.weekday() >= 5 or holiday_name(day):
        day += dt.timedelta(days=1)
    return day

"""The calendars: a week or a day on an hour grid, and a month."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format

from bollplank.core import clock
from bollplank.core.models import Practice
from bollplank.core.roles import Role
from bollplank.core.tenancy import PracticeRequest, practice_view, who
from bollplank.core.timeutils import holidays_between, in_range
from bollplank.meetings import hourgrid
from bollplank.meetings.commitments import with_commitments
from bollplank.meetings.links import room_opener, set_calendar_links
from bollplank.meetings.selectors import (
    meetings_between,
    supervisors_of,
    with_schedule_index,
)

ALL_ROLES = tuple(Role)


def _parse_day(value: str | None) -> dt.date:
    """The date asked for, or today when it is missing, malformed or out of range."""
    try:
        day = dt.date.fromisoformat(value) if value else clock.today()
    except ValueError:
        return clock.today()
    return day if in_range(day) else clock.today()


def _aware(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _calendar_meetings(
    user: Any, practice: Practice, roles: frozenset[str], start: dt.datetime, end: dt.datetime
) -> list[Any]:
    """The meetings and other commitments in [start, end), each with its ``line_url``; a
    client contact's meetings with their place in the schedule, read in the same query."""
    meetings = meetings_between(user, practice, roles, start, end)
    if Role.CLIENT_CONTACT in roles:
        meetings = with_schedule_index(meetings)
    items = with_commitments(meetings, user, practice, roles, start, end)
    opens = room_opener(user, practice, roles, (m.pk for m in meetings))
    set_calendar_links(items, practice.slug, opens)
    return items


def _initials(person: Any) -> str:
    words = str(person).split()
    return "".join(w[0] for w in words[:3]).upper()


@practice_view(*ALL_ROLES)
def calendar_week(request: PracticeRequest) -> HttpResponse:
    """A week (or, with ``view=day``, one day) on an hour grid, with ISO week number and
    Swedish holidays. Admins can narrow it to one supervisor's meetings."""
    user, practice, roles = who(request)
    day = _parse_day(request.GET.get("date"))
    single = request.GET.get("view") == "day"
    monday = day - dt.timedelta(days=day.weekday())
    first, last = (day, day) if single else (monday, monday + dt.timedelta(days=6))
    start, end = _aware(first), _aware(last + dt.timedelta(days=1))
    items = _calendar_meetings(user, practice, roles, start, end)
    supervisors: list[Any] = []
    chosen = None
    if Role.ADMIN in roles:
        supervisors = list(supervisors_of(practice))
        asked = request.GET.get("supervisor", "")
        chosen = next((s for s in supervisors if str(s.pk) == asked), None)
        if chosen is not None:
            items = [m for m in items if m.supervisor_id == chosen.pk]
    for item in items:
        item.grid_day = date_format(timezone.localtime(item.starts_at), "l j F")
        item.initials = _initials(item.supervisor)
    dates = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    tz = timezone.get_current_timezone()
    grid = hourgrid.lay_out(items, dates, tz)
    today = clock.today()
    holidays = holidays_between(first, last)
    days = [
        {
            "grid": g,
            "date": g.date,
            "holiday": holidays.get(g.date),
            "is_today": g.date == today,
        }
        for g in grid.days
    ]
    now_at = hourgrid.now_position(clock.localnow(tz), grid, tz) if first <= today <= last else None
    step = dt.timedelta(days=1 if single else 7)
    return render(
        request,
        "meetings/calendar_week.html",
        {
            "days": days,
            "grid": grid,
            "now_at": now_at,
            "single": single,
            "day": day,
            "week": day.isocalendar().week,
            "year": day.isocalendar().year,
            "week_days": [monday + dt.timedelta(days=i) for i in range(7)],
            "prev": (day if single else monday) - step,
            "next": (day if single else monday) + step,
            "month": day.strftime("%Y-%m"),
            "supervisors": supervisors,
            "chosen": chosen,
            "show_whose": Role.ADMIN in roles,
        },
    )


@practice_view(*ALL_ROLES)
def calendar_month(request: PracticeRequest) -> HttpResponse:
    """A month as weeks (Monday first), each week with its ISO number."""
    user, practice, roles = who(request)
    first = clock.today().replace(day=1)
    try:
        year, month = (int(x) for x in (request.GET.get("month") or "").split("-"))
        asked = dt.date(year, month, 1)
    except ValueError:
        pass
    else:
        if in_range(asked) and in_range(asked + dt.timedelta(days=40)):
            first = asked
    last = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    grid_start = first - dt.timedelta(days=first.weekday())
    grid_end = last + dt.timedelta(days=6 - last.weekday())
    meetings = _calendar_meetings(
        user, practice, roles, _aware(grid_start), _aware(grid_end + dt.timedelta(days=1))
    )
    by_day: dict[dt.date, list[Any]] = {}
    for meeting in meetings:
        by_day.setdefault(timezone.localdate(meeting.starts_at), []).append(meeting)
    holidays = holidays_between(grid_start, grid_end)
    weeks = []
    current = grid_start
    while current <= grid_end:
        days = []
        for offset in range(7):
            d = current + dt.timedelta(days=offset)
            days.append(
                {
                    "date": d,
                    "in_month": d.month == first.month,
                    "holiday": holidays.get(d),
                    "is_today": d == clock.today(),
                    "meetings": by_day.get(d, []),
                }
            )
        weeks.append({"number": current.isocalendar().week, "days": days})
        current += dt.timedelta(days=7)
    prev_month = (first - dt.timedelta(days=1)).replace(day=1)
    next_month = last + dt.timedelta(days=1)
    return render(
        request,
        "meetings/calendar_month.html",
        {
            "first": first,
            "weeks": weeks,
            "prev": prev_month.strftime("%Y-%m"),
            "next": next_month.strftime("%Y-%m"),
        },
    )

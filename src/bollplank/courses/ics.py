"""The calendar file attached to a course confirmation: one event per course day.

Built like the meetings' invitations (meetings/ics.py): local Stockholm times with a TZID and
the VTIMEZONE they need, a UID fixed for the course day so that a resent file updates in place,
every text escaped. It is METHOD:PUBLISH with the course leader as ORGANIZER (RFC 5546 §3.2.1);
a course without a leader has no organizer to name, so its file carries no METHOD (a plain
calendar object that clients import as it is).
"""

from __future__ import annotations

import datetime as dt

import icalendar

from bollplank.courses.models import Course, CourseDay
from bollplank.meetings.ics import (
    LOCAL_TZ,
    PRODID,
    TZID,
    UID_DOMAIN,
    _line,
    _param,
    _uri,
    _vtimezone,
    clean_text,
    escape_text,
)


def _local(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(LOCAL_TZ).replace(microsecond=0)


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC).replace(microsecond=0)


def course_method(course: Course) -> str:
    """The iTIP method of the course's file: PUBLISH when there is an organizer to name."""
    leader = course.leader
    return "PUBLISH" if leader is not None and leader.email else ""


def course_day_event(course: Course, day: CourseDay, *, url: str = "") -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", f"course-{course.uid}-{day.pk}@{UID_DOMAIN}")
    event.add("dtstamp", _utc(course.updated_at))
    event.add("dtstart", _local(day.starts_at))
    event.add("dtend", _local(day.ends_at))
    event.add("summary", clean_text(course.title))
    if course.place:
        event.add("location", clean_text(course.place))
    event.add("status", "CONFIRMED")
    if url:
        event.add("url", _uri(url))
    return event


def course_calendar_bytes(course: Course, days: list[CourseDay], *, url: str = "") -> bytes:
    """A complete VCALENDAR with the course's days, ready to attach."""
    method = course_method(course)
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    end = "END:VCALENDAR\r\n"
    head = (
        cal.to_ical().decode().removesuffix(end)
        + _line("X-WR-CALNAME", escape_text(course.title))
        + f"X-WR-TIMEZONE:{TZID}\r\n"
    )
    if not days:
        return (head + end).encode()
    first = min(_local(d.starts_at) for d in days).year
    last = max(_local(d.ends_at) for d in days).year + 1
    organizer = ""
    if method and course.leader is not None:
        organizer = _line(
            f'ORGANIZER;CN="{_param(course.leader.name)}"', f"mailto:{_uri(course.leader.email)}"
        )
    events = "".join(
        course_day_event(course, d, url=url)
        .to_ical()
        .decode()
        .replace("END:VEVENT\r\n", organizer + "END:VEVENT\r\n")
        for d in days
    )
    return (head + _vtimezone(first, last) + events + end).encode()

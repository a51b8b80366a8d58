"""The calendar file attached to a course confirmation: one event per course day.

Built like the meetings' invitations (meetings/ics.py): local Stockholm times with a TZID and
the VTIMEZONE they need, a UID fixed for the course day so that a resent file updates in place.
"""

from __future__ import annotations

import datetime as dt

import icalendar

from bollplank.courses.models import Course, CourseDay
from bollplank.meetings.ics import LOCAL_TZ, PRODID, TZID, UID_DOMAIN, _vtimezone


def _local(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(LOCAL_TZ).replace(microsecond=0)


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC).replace(microsecond=0)


def course_day_event(course: Course, day: CourseDay, *, url: str = "") -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", f"course-{course.uid}-{day.pk}@{UID_DOMAIN}")
    event.add("dtstamp", _utc(course.updated_at))
    event.add("dtstart", _local(day.starts_at))
    event.add("dtend", _local(day.ends_at))
    event.add("summary", course.title)
    if course.place:
        event.add("location", course.place)
    event.add("status", "CONFIRMED")
    if url:
        event.add("url", url)
    return event


def course_calendar_bytes(course: Course, days: list[CourseDay], *, url: str = "") -> bytes:
    """A complete VCALENDAR (METHOD:PUBLISH) with the course's days, ready to attach."""
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", course.title)
    cal.add("x-wr-timezone", TZID)
    head = cal.to_ical().decode()
    end = "END:VCALENDAR\r\n"
    if not days:
        return head.encode()
    first = min(_local(d.starts_at) for d in days).year
    last = max(_local(d.ends_at) for d in days).year + 1
    events = "".join(course_day_event(course, d, url=url).to_ical().decode() for d in days)
    return (head.removesuffix(end) + _vtimezone(first, last) + events + end).encode()

"""iCalendar (RFC 5545) output for meetings: single invitations, cancellations and feeds.

Everything here leaves the system for third-party calendar servers (Google, Outlook, iCloud),
so an event carries only what a calendar needs to place the meeting: when, where, which
engagement. Never notes, summaries, submissions or who takes part.

These functions only read attributes of the meetings they are given. The caller fetches them
with ``select_related("engagement")`` so that a feed of any length costs no extra queries.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from zoneinfo import ZoneInfo

import icalendar
from django.http import HttpResponse
from django.utils.http import content_disposition_header

from bollplank.meetings.enums import MeetingStatus
from bollplank.meetings.models import Meeting

PRODID = "-//Bollplank//Bollplank//SV"
TZID = "Europe/Stockholm"
# Every practice is in Sweden today. Events are written in local time with a TZID rather than
# in UTC so that a 09:00 meeting stays at 09:00 in the client across the DST changes, and so
# that people in other zones see it converted correctly.
LOCAL_TZ = ZoneInfo(TZID)

# A UID suffix that names us, so that UIDs stay globally unique (RFC 5545 §3.8.4.7) without
# exposing the host name the site happens to run on.
UID_DOMAIN = "bollplank"

METHODS = frozenset({"PUBLISH", "REQUEST", "CANCEL"})


def _utc(moment: dt.datetime) -> dt.datetime:
    """``moment`` in UTC, whole seconds: iCalendar has no fractions, so say so explicitly."""
    return moment.astimezone(dt.UTC).replace(microsecond=0)


def _local(moment: dt.datetime) -> dt.datetime:
    """``moment`` as Stockholm wall-clock time, whole seconds."""
    return moment.astimezone(LOCAL_TZ).replace(microsecond=0)


def meeting_uid(meeting: Meeting) -> str:
    """The event UID: fixed for the meeting's life, so a moved meeting updates in place."""
    return f"{meeting.uid}@{UID_DOMAIN}"


def meeting_event(
    meeting: Meeting, *, url: str = "", with_location: bool = True
) -> icalendar.Event:
    """One VEVENT for ``meeting``; ``url`` is the absolute link back to it, if any.

    Reads ``meeting.engagement`` (title only), so the caller should have it loaded.
    """
    event = icalendar.Event()
    # UID never changes and SEQUENCE rises on every move or cancellation: that is how a
    # calendar client knows to replace its copy instead of showing a second meeting.
    event.add("uid", meeting_uid(meeting))
    event.add("sequence", meeting.sequence)
    # DTSTAMP is taken from the meeting's last change rather than "now" so that the same
    # meeting produces the same bytes on every fetch (stable ETags, quiet feed polling).
    event.add("dtstamp", _utc(meeting.updated_at))
    event.add("last-modified", _utc(meeting.updated_at))
    event.add("created", _utc(meeting.created_at))
    event.add("dtstart", _local(meeting.starts_at))
    event.add("dtend", _local(meeting.ends_at))
    # Only the engagement title: participant names and any record text are confidential and
    # must not end up on a calendar server outside our control.
    event.add("summary", meeting.engagement.title)
    # The place can be a video room's link: only for those who are in the room.
    if meeting.location and with_location:
        event.add("location", meeting.location)
    # A cancelled meeting stays in feeds as CANCELLED (same UID) rather than disappearing, so
    # clients strike it out instead of silently keeping a stale copy.
    event.add("status", "CANCELLED" if meeting.status == MeetingStatus.CANCELLED else "CONFIRMED")
    if url:
        event.add("url", url)
    return event


def _timezone_window(events: list[icalendar.Event]) -> tuple[dt.date, dt.date]:
    """Whole calendar years that cover every event.

    icalendar's default VTIMEZONE spans 1970–2038 and lists every transition (several KB per
    feed, and wrong after 2038). Whole years starting on 1 January always contain both a
    STANDARD and a DAYLIGHT period, which some clients expect.
    """
    starts = [event.start for event in events]
    ends = [event.end for event in events]
    return dt.date(min(starts).year, 1, 1), dt.date(max(ends).year + 1, 1, 1)


def calendar_bytes(
    meetings: Iterable[Meeting],
    *,
    name: str,
    method: str | None = None,
    urls: Mapping[int, str] | None = None,
    with_location: bool = True,
) -> bytes:
    """A complete VCALENDAR for ``meetings``, serialised (CRLF line ends, folded lines).

    ``name`` is shown by clients as the calendar's name. ``method`` is the iTIP method
    (``PUBLISH`` for feeds and downloads, ``REQUEST`` for an invitation, ``CANCEL`` for a
    cancellation); leave it out for a plain file. ``urls`` maps meeting pk to an absolute URL.
    """
    if method is not None and method not in METHODS:
        raise ValueError(f"Unknown iTIP method {method!r}; expected one of {sorted(METHODS)}")
    urls = urls or {}

    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method is not None:
        cal.add("method", method)
    # Non-standard but read by Google Calendar, Apple Calendar and Outlook for the name and
    # default zone of a subscribed feed.
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", TZID)

    events = [
        meeting_event(meeting, url=urls.get(meeting.pk, ""), with_location=with_location)
        for meeting in meetings
    ]
    for event in events:
        cal.add_component(event)
    if events:
        # Every TZID an event uses needs its VTIMEZONE (RFC 5545 §3.6.5); this inserts them
        # ahead of the events, where strict parsers expect them.
        first, last = _timezone_window(events)
        cal.add_missing_timezones(first_date=first, last_date=last)
    return cal.to_ical()


def ics_response(content: bytes, filename: str, *, inline: bool = False) -> HttpResponse:
    """Serve ``content`` as a calendar file.

    ``inline`` suits subscription feeds (clients fetch them directly); the default, an
    attachment, makes a browser offer to save or open a single invitation.
    """
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    disposition = content_disposition_header(as_attachment=not inline, filename=filename)
    # Django returns None only for inline with an empty name; then the header is just omitted.
    if disposition is not None:
        response["Content-Disposition"] = disposition
    # A feed or invitation is personal and reveals someone's schedule: no shared caches, and
    # no copy left on disk by the browser.
    response["Cache-Control"] = "private, no-store"
    return response

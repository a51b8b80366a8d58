"""iCalendar (RFC 5545) output for meetings: single invitations, cancellations and feeds.

Everything here leaves the system for third-party calendar servers (Google, Outlook, iCloud),
so an event carries only what a calendar needs to place the meeting: when, where, which
engagement. Never notes, summaries, submissions or who takes part.

These functions only read attributes of the meetings they are given. The caller fetches them
with ``select_related("engagement")`` so that a feed of any length costs no extra queries (the
feed itself passes light rows: meetings.selectors.feed_meetings).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any, Protocol
from zoneinfo import ZoneInfo

import icalendar
from django.http import HttpResponse
from django.utils.http import content_disposition_header
from icalendar.parser.string import _foldline

from bollplank.meetings.enums import MeetingStatus
from bollplank.meetings.vtimezone import vtimezone


class CalendarItem(Protocol):
    """What an event is written from: a supervision ``Meeting`` or a mentoring pair's
    meeting. ``calendar_title`` is the only text, and never names who takes part."""

    @property
    def pk(self) -> Any: ...
    @property
    def uid(self) -> Any: ...
    @property
    def sequence(self) -> int: ...
    @property
    def starts_at(self) -> dt.datetime: ...
    @property
    def ends_at(self) -> dt.datetime: ...
    @property
    def updated_at(self) -> dt.datetime: ...
    @property
    def created_at(self) -> dt.datetime: ...
    @property
    def location(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def calendar_title(self) -> str: ...


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

# Every line break a reader might split on (Python's splitlines() among them) becomes one
# escaped "\n"; every other control character is dropped (RFC 5545 §3.1 allows none in a
# value, and a lone CR would start a new line in lenient readers).
_BREAKS = re.compile(r"\r\n|[\r\n\x85\u2028\u2029]")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def clean_text(text: str) -> str:
    """``text`` with line breaks as plain LF and no other control characters (tabs stay)."""
    return _CONTROL.sub("", _BREAKS.sub("\n", str(text)))


def escape_text(text: str) -> str:
    """A TEXT value (RFC 5545 §3.3.11): backslash, semicolon, comma and line breaks escaped,
    control characters removed. Anything a user typed goes through here."""
    return (
        clean_text(text)
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\n", "\\n")
    )


def _param(value: str) -> str:
    # A quoted parameter value may hold anything but double quotes and control characters.
    return "".join(c for c in str(value) if c != '"' and c.isprintable())


def _utc(moment: dt.datetime) -> dt.datetime:
    """``moment`` in UTC, whole seconds: iCalendar has no fractions, so say so explicitly."""
    return moment.astimezone(dt.UTC).replace(microsecond=0)


def _local(moment: dt.datetime) -> dt.datetime:
    """``moment`` as Stockholm wall-clock time, whole seconds."""
    return moment.astimezone(LOCAL_TZ).replace(microsecond=0)


def meeting_uid(meeting: CalendarItem) -> str:
    """The event UID: fixed for the meeting's life, so a moved meeting updates in place."""
    return f"{meeting.uid}@{UID_DOMAIN}"


def meeting_event(
    meeting: CalendarItem, *, url: str = "", with_location: bool = True, place: str = ""
) -> icalendar.Event:
    """One VEVENT for ``meeting``; ``url`` is the absolute link back to it, if any; ``place``
    stands in for the meeting's location (a person's own video link).

    Reads ``meeting.calendar_title`` (a meeting's engagement title), so the caller should
    have the engagement loaded.
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
    event.add("summary", clean_text(meeting.calendar_title))
    # The place can be a video room's link: only for those who are in the room.
    location = place or meeting.location
    if location and with_location:
        event.add("location", clean_text(location))
    # A cancelled meeting stays in feeds as CANCELLED (same UID) rather than disappearing, so
    # clients strike it out instead of silently keeping a stale copy.
    event.add("status", "CANCELLED" if meeting.status == MeetingStatus.CANCELLED else "CONFIRMED")
    if url:
        event.add("url", url)
    return event


def calendar_bytes(
    meetings: Iterable[CalendarItem],
    *,
    name: str,
    method: str | None = None,
    urls: Mapping[int, str] | None = None,
    with_location: bool = True,
    organizer: tuple[str, str] | None = None,
    attendee: str = "",
    places: Mapping[Any, str] | None = None,
) -> bytes:
    """A complete VCALENDAR for ``meetings``, serialised (CRLF line ends, folded lines).

    ``name`` is shown by clients as the calendar's name. ``method`` is the iTIP method
    (``PUBLISH`` for a downloaded meeting, ``REQUEST`` for an invitation, ``CANCEL`` for a
    cancellation); leave it out for a plain file such as a subscribed feed. ``urls`` maps
    meeting pk to an absolute URL; ``places`` maps an event's ``uid`` (unique among meetings
    and first talks alike, unlike pks) to what stands in for its location: a video join link
    made for the person the calendar is for, and only for them.
    Every iTIP method needs ``organizer`` (name, e-mail; RFC 5546 §3.2: PUBLISH, REQUEST and
    CANCEL alike), and an invitation the ``attendee``'s e-mail too: without them strict
    clients refuse the file, lenient ones import it but do not treat it as an invitation.
    """
    if method is not None and method not in METHODS:
        raise ValueError(f"Unknown iTIP method {method!r}; expected one of {sorted(METHODS)}")
    if method is not None and not (organizer and organizer[1]):
        raise ValueError(f"METHOD:{method} needs an ORGANIZER with an e-mail address")
    urls = urls or {}
    places = places or {}

    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method is not None:
        cal.add("method", method)
    meetings = list(meetings)
    end = "END:VCALENDAR\r\n"
    # Non-standard but read by Google Calendar, Apple Calendar and Outlook for the name and
    # default zone of a subscribed feed. The name comes from titles people typed.
    head = (
        cal.to_ical().decode().removesuffix(end)
        + _line("X-WR-CALNAME", escape_text(name))
        + f"X-WR-TIMEZONE:{TZID}\r\n"
    )
    if not meetings:
        return (head + end).encode()
    # Every TZID an event uses needs its VTIMEZONE (RFC 5545 §3.6.5), ahead of the events,
    # where strict parsers expect them.
    first, last = _timezone_years(meetings)
    events = "".join(
        _event_text(
            m,
            url=urls.get(m.pk, ""),
            with_location=with_location,
            place=places.get(m.uid, ""),
            organizer=organizer,
            attendee=attendee,
        )
        for m in meetings
    )
    return (head + _vtimezone(first, last) + events + end).encode()


def _timezone_years(meetings: list[CalendarItem]) -> tuple[int, int]:
    """From the first meeting's year to the year after the last one ends."""
    # Aware datetimes compare as instants, so the earliest start is the earliest in local
    # time too: one conversion each instead of one per meeting.
    first = _local(min(m.starts_at for m in meetings)).year
    return first, _local(max(m.ends_at for m in meetings)).year + 1


# A feed holds hundreds of events, and icalendar's generic serialiser is slow per event, so a
# busy supervisor's feed took long to write. Events are therefore written
# here, line for line what icalendar writes for meeting_event() — same property order,
# escaping and folding (tests/bench/test_ics_equivalence.py compares the two byte for byte).
def _line(name: str, value: str) -> str:
    line = f"{name}:{value}"
    # Lines up to 74 octets are never folded; only longer ones pay for the careful fold.
    if len(line) <= 74 and (line.isascii() or len(line.encode()) <= 74):
        return line + "\r\n"
    return _foldline(line) + "\r\n"


# What _utc(moment).strftime("%Y%m%dT%H%M%SZ") and _local(moment).strftime("%Y%m%dT%H%M%S")
# write, cut out of isoformat() ("2026-03-29T03:30:12[.123456]+02:00"), which is about twice
# as fast: four times per event. isoformat() pads years before 1000 and strftime does not,
# so those go the slow way.
def _utc_text(moment: dt.datetime) -> str:
    utc = moment.astimezone(dt.UTC)
    if utc.year < 1000:
        return _utc(moment).strftime("%Y%m%dT%H%M%SZ")
    s = utc.isoformat()
    return f"{s[0:4]}{s[5:7]}{s[8:13]}{s[14:16]}{s[17:19]}Z"


def _local_text(moment: dt.datetime) -> str:
    local = moment.astimezone(LOCAL_TZ)
    if local.year < 1000:
        return _local(moment).strftime("%Y%m%dT%H%M%S")
    s = local.isoformat()
    return f"{s[0:4]}{s[5:7]}{s[8:13]}{s[14:16]}{s[17:19]}"


# The same few engagement titles recur all through a feed: escape each once. (Called with
# str(title), so a lazy translation is cached as the text it is now.)
@lru_cache(maxsize=1024)
def _escaped_title(title: str) -> str:
    return escape_text(title)


# Only these characters are changed by escape_text.
_NEEDS_ESCAPE = re.compile(r"[\\;,\x00-\x08\x0a-\x1f\x7f\x85\u2028\u2029]")


def _escape(text: str) -> str:
    return escape_text(text) if _NEEDS_ESCAPE.search(text) else text


def _event_text(
    meeting: CalendarItem,
    *,
    url: str,
    with_location: bool,
    place: str = "",
    organizer: tuple[str, str] | None = None,
    attendee: str = "",
) -> str:
    """meeting_event(meeting, url=url, with_location=with_location, place=place).to_ical(),
    decoded."""
    updated = _utc_text(meeting.updated_at)
    status = "CANCELLED" if meeting.status == MeetingStatus.CANCELLED else "CONFIRMED"
    # The date-time, sequence and status lines are never long enough to fold (under 50
    # octets); the text lines go through _line.
    text = (
        "BEGIN:VEVENT\r\n"
        + _line("SUMMARY", _escaped_title(str(meeting.calendar_title)))
        + f"DTSTART;TZID={TZID}:{_local_text(meeting.starts_at)}\r\n"
        f"DTEND;TZID={TZID}:{_local_text(meeting.ends_at)}\r\n"
        f"DTSTAMP:{updated}\r\n"
        + _line("UID", _escape(meeting_uid(meeting)))
        + f"SEQUENCE:{meeting.sequence}\r\n"
        f"CREATED:{_utc_text(meeting.created_at)}\r\n"
        f"LAST-MODIFIED:{updated}\r\n"
    )
    location = place or meeting.location
    if location and with_location:
        text += _line("LOCATION", _escape(location))
    text += f"STATUS:{status}\r\n"
    if url:
        text += _line("URL", _uri(url))
    if organizer:
        name, email = organizer
        text += _line(f'ORGANIZER;CN="{_param(name)}"', f"mailto:{_uri(email)}")
    if attendee:
        text += _line("ATTENDEE;ROLE=REQ-PARTICIPANT;RSVP=FALSE", f"mailto:{_uri(attendee)}")
    return text + "END:VEVENT\r\n"


def _uri(value: str) -> str:
    # A URI never holds spaces or control characters; a stray one must not end the line.
    value = str(value)
    # Nearly always an address made here, checked in one pass rather than per character (a
    # feed has hundreds): printable ASCII holds no control character, and its only space is " ".
    if value.isascii() and value.isprintable() and " " not in value:
        return value
    return "".join(c for c in value if c.isprintable() and not c.isspace())


@lru_cache(maxsize=64)
def _vtimezone(first_year: int, last_year: int) -> str:
    """The VTIMEZONE for whole calendar years ``first_year`` up to ``last_year``.

    Written from the tz database (meetings/vtimezone.py) for the years the events need, not
    for all of 1970–2038. Whole years starting on 1 January always contain both a STANDARD
    and a DAYLIGHT period, which some clients expect.
    """
    return vtimezone(TZID, dt.date(first_year, 1, 1), dt.date(last_year, 1, 1))


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

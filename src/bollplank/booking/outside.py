"""Outside calendars: fetch an ICS subscription with a timeout and a size cap, read a file,
expand recurring rules (with their exceptions) and keep only when the person is busy.

Titles, descriptions, places and attendees are read by the parser but never leave this
module: the result is a list of (start, end) in UTC.
"""

from __future__ import annotations

import datetime as dt
import urllib.error
import urllib.parse
import urllib.request
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from bollplank.booking.freetime import Interval, merge, to_utc
from bollplank.core.urlguard import PublicHTTPHandler, PublicHTTPSHandler, private_host

MAX_BYTES = 10 * 1024 * 1024
MAX_EVENTS = 20_000  # VEVENTs in one file
MAX_OCCURRENCES = 10_000  # busy times in the window after expanding recurring rules
FETCH_TIMEOUT = 10  # seconds
WINDOW_BACK = dt.timedelta(days=1)
WINDOW_AHEAD = dt.timedelta(days=366)


def _error(message: str, code: str) -> ValidationError:
    return ValidationError(message, code=code)


def check_url(url: str) -> str:
    """The address to fetch: http(s) only (webcal:// is https), never this machine or a private
    network unless the deployment allows it (BOLLPLANK_BOOKING_PRIVATE_CALENDAR_HOSTS)."""
    if url.startswith("webcal://"):
        url = "https://" + url.removeprefix("webcal://")
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise _error(_("Give an address starting with https://, http:// or webcal://."), "scheme")
    if not getattr(settings, "BOOKING_PRIVATE_CALENDAR_HOSTS", False) and private_host(
        parts.hostname, parts.port or 443
    ):
        raise _error(
            _("That address points into a private network and cannot be fetched."),
            "private_host",
        )
    return url


class _CheckedRedirects(urllib.request.HTTPRedirectHandler):
    """Each redirect's target passes the same check as the address given: a public calendar
    address could otherwise answer with a redirect into this machine's network."""

    def redirect_request(  # type: ignore[override]
        self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str
    ) -> Any:
        check_url(newurl)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _open(request: urllib.request.Request, timeout: float) -> Any:
    handlers: list[Any] = [_CheckedRedirects]
    if not getattr(settings, "BOOKING_PRIVATE_CALENDAR_HOSTS", False):
        # The address connected to is checked too: the name may resolve differently now.
        handlers += [PublicHTTPHandler, PublicHTTPSHandler]
    return urllib.request.build_opener(*handlers).open(request, timeout=timeout)


def fetch(url: str) -> bytes:
    """The calendar at ``url``: refused past MAX_BYTES, given up after FETCH_TIMEOUT seconds."""
    url = check_url(url)
    request = urllib.request.Request(  # noqa: S310  (check_url allowed http(s) only)
        url, headers={"User-Agent": "Bollplank calendar reader"}
    )
    try:
        with _open(request, timeout=FETCH_TIMEOUT) as response:
            data: bytes = response.read(MAX_BYTES + 1)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise _error(
            _("The calendar could not be fetched (%(reason)s).") % {"reason": str(reason)[:200]},
            "unreachable",
        ) from None
    if len(data) > MAX_BYTES:
        raise _error(_("The calendar is larger than 10 MB and was not read."), "too_large")
    return data


def _moment(value: Any, tz: ZoneInfo, *, end_of_day: bool = False) -> dt.datetime:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:  # floating time: the person's own wall clock
            value = value.replace(tzinfo=tz)
        return value.astimezone(dt.UTC)
    return to_utc(value, dt.time.min, tz)


CHUNK = dt.timedelta(days=7)


def _too_many() -> str:
    return _(
        "The calendar has more than %(max)s busy times in the coming year and was not read."
    ) % {"max": f"{MAX_OCCURRENCES:,}".replace(",", " ")}


def _busy(event: Any, tz: ZoneInfo) -> Interval | None:
    """When one occurrence keeps the person busy, or None (free, cancelled, an instant)."""
    if "DTSTART" not in event:
        return None
    if str(event.get("TRANSP", "")).upper() == "TRANSPARENT":
        return None
    if str(event.get("STATUS", "")).upper() == "CANCELLED":
        return None
    first = _moment(event["DTSTART"].dt, tz)
    if "DTEND" in event:
        last = _moment(event["DTEND"].dt, tz)
    elif "DURATION" in event:
        last = first + event["DURATION"].dt
    elif isinstance(event["DTSTART"].dt, dt.datetime):
        return None  # an instant: blocks nothing
    else:
        last = _moment(event["DTSTART"].dt + dt.timedelta(days=1), tz)
    return (first, last) if last > first else None


def busy_from_ics(data: bytes, *, now: dt.datetime, tz_name: str) -> list[Interval]:
    """Busy intervals from an iCalendar file, recurring rules expanded from a day ago to a
    year ahead, merged. Raises ValidationError with a message a person understands."""
    count = data.count(b"BEGIN:VEVENT")
    if count > MAX_EVENTS:
        raise _error(
            _(
                "The calendar has %(count)s events; at most %(max)s can be read. Subscribe to a "
                "calendar with only the coming months, or export a shorter period."
            )
            % {"count": f"{count:,}".replace(",", " "), "max": f"{MAX_EVENTS:,}".replace(",", " ")},
            "too_many_events",
        )
    if len(data) > MAX_BYTES:
        raise _error(_("The calendar is larger than 10 MB and was not read."), "too_large")
    try:
        calendar = icalendar.Calendar.from_ical(data)
    except Exception:  # icalendar raises ValueError, KeyError, … on broken input
        calendar = None
    if not isinstance(calendar, icalendar.Calendar) or calendar.name != "VCALENDAR":
        raise _error(
            _("This is not a calendar file that can be read (expected iCalendar, .ics)."),
            "malformed",
        )
    upper = data.upper()
    if b"FREQ=SECONDLY" in upper or b"FREQ=MINUTELY" in upper:
        raise _error(
            _("The calendar has events that repeat every minute or second; it was not read."),
            "bad_rule",
        )
    if upper.count(b"FREQ=HOURLY") * 24 * 7 > MAX_OCCURRENCES:
        raise _error(_too_many(), "too_many_occurrences")
    tz = ZoneInfo(tz_name)
    start, end = now - WINDOW_BACK, now + WINDOW_AHEAD
    found: list[Interval] = []
    # A week at a time: `after()` slows down quadratically, and a week of even an hourly
    # rule is small, so the cap is checked before the work can run away.
    chunk_start = start
    try:
        query = recurring_ical_events.of(calendar)
        while chunk_start < end:
            chunk_end = min(chunk_start + CHUNK, end)
            for event in query.between(chunk_start, chunk_end):
                interval = _busy(event, tz)
                # An event spanning chunks comes back in each: keep it where it starts.
                if interval is not None and (chunk_start <= interval[0] or not found):
                    found.append(interval)
            if len(found) > MAX_OCCURRENCES:
                raise _error(_too_many(), "too_many_occurrences")
            chunk_start = chunk_end
    except ValidationError:
        raise
    except Exception:
        raise _error(
            _("The calendar's repeating events could not be read (a broken rule?)."),
            "bad_rule",
        ) from None
    return merge(found)

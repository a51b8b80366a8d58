"""Outside calendars: files, subscriptions, recurring rules, and everything that goes wrong."""

from __future__ import annotations

import datetime as dt
import time
import urllib.error
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django_scopes import scopes_disabled

from bollplank.booking import outside, services
from bollplank.booking.models import BusyInterval, OutsideCalendar
from bollplank.core import urlguard
from tests.booking.helpers import ICS_ONE
from tests.servers import serve

NOW = dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)
STHLM = ZoneInfo("Europe/Stockholm")


def cal(*events: str) -> bytes:
    body = "".join(f"BEGIN:VEVENT\r\n{e.strip()}\r\nEND:VEVENT\r\n" for e in events)
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n" + body + "END:VCALENDAR\r\n"
    ).encode()


def ev(uid: str, lines: str) -> str:
    return f"UID:{uid}\r\nDTSTAMP:20260101T000000Z\r\n" + "\r\n".join(
        line.strip() for line in lines.strip().splitlines()
    )


def test_recurring_rule_with_exceptions_expands_to_busy_times():
    # Weekly on Monday 10:00 Stockholm time, four times; the second is moved, the third removed.
    data = cal(
        ev(
            "r",
            """
            DTSTART;TZID=Europe/Stockholm:20260302T100000
            DTEND;TZID=Europe/Stockholm:20260302T110000
            RRULE:FREQ=WEEKLY;COUNT=4
            EXDATE;TZID=Europe/Stockholm:20260316T100000
            SUMMARY:Hemlig terapi
            """,
        ),
        ev(
            "r",
            """
            RECURRENCE-ID;TZID=Europe/Stockholm:20260309T100000
            DTSTART;TZID=Europe/Stockholm:20260309T140000
            DTEND;TZID=Europe/Stockholm:20260309T150000
            """,
        ),
        ev("t", "DTSTART:20260304T080000Z\nDTEND:20260304T090000Z\nTRANSP:TRANSPARENT"),
        ev("c", "DTSTART:20260305T080000Z\nDTEND:20260305T090000Z\nSTATUS:CANCELLED"),
        ev("d", "DTSTART;VALUE=DATE:20260306"),
    )
    busy = outside.busy_from_ics(data, now=NOW, tz_name="Europe/Stockholm")
    shown = [(s.astimezone(STHLM).strftime("%m-%d %H:%M"), e - s) for s, e in busy]
    hour = dt.timedelta(hours=1)
    assert shown == [
        ("03-02 10:00", hour),
        ("03-06 00:00", dt.timedelta(days=1)),  # an all-day event blocks the whole day
        ("03-09 14:00", hour),  # moved occurrence
        ("03-23 10:00", hour),  # after the spring change: still 10:00 local
    ]


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"this is not a calendar", "malformed"),
        (b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:nonsense\r\n", "malformed"),
        (b"\xff\xfe\x00garbage", "malformed"),
        (b"", "malformed"),
        (
            cal(ev("x", "DTSTART:20260302T100000Z\nDTEND:20260302T110000Z\nRRULE:FREQ=BOGUS")),
            "bad_rule",
        ),
    ],
)
def test_malformed_calendar_gets_a_clear_message(data, code):
    with pytest.raises(ValidationError) as caught:
        outside.busy_from_ics(data, now=NOW, tz_name="Europe/Stockholm")
    assert caught.value.code in {code, "malformed", "bad_rule"}
    assert caught.value.messages[0]


def test_calendar_with_100000_events_is_refused_quickly_with_a_message():
    one = ev("e", "DTSTART:20260302T100000Z\nDTEND:20260302T110000Z")
    data = cal(*[one.replace("UID:e", f"UID:e{i}") for i in range(100_000)])
    started = time.monotonic()
    with pytest.raises(ValidationError) as caught:
        outside.busy_from_ics(data, now=NOW, tz_name="Europe/Stockholm")
    assert caught.value.code == "too_many_events"
    assert "100 000" in caught.value.messages[0]
    assert time.monotonic() - started < 2


def test_rule_every_minute_is_refused_not_expanded():
    data = cal(ev("m", "DTSTART:20260302T100000Z\nDTEND:20260302T100100Z\nRRULE:FREQ=MINUTELY"))
    with pytest.raises(ValidationError) as caught:
        outside.busy_from_ics(data, now=NOW, tz_name="Europe/Stockholm")
    assert caught.value.code == "bad_rule"


def test_too_many_busy_times_in_the_year_are_refused(monkeypatch):
    monkeypatch.setattr(outside, "MAX_OCCURRENCES", 500)
    daily = ev("d", "DTSTART:20260302T100000Z\nDTEND:20260302T101500Z\nRRULE:FREQ=DAILY")
    data = cal(*[daily.replace("UID:d", f"UID:d{i}") for i in range(40)])
    with pytest.raises(ValidationError) as caught:
        outside.busy_from_ics(data, now=NOW, tz_name="Europe/Stockholm")
    assert caught.value.code == "too_many_occurrences"


def test_uploaded_file_stores_busy_times_and_never_the_title(world):
    with scopes_disabled():
        calendar = services.calendar_upload(
            actor=world.supervisor, practice=world.practice, name="Privat", data=ICS_ONE, now=NOW
        )
        rows = list(BusyInterval.objects.filter(calendar=calendar).values())
    assert [(r["starts_at"], r["ends_at"]) for r in rows] == [
        (dt.datetime(2030, 1, 2, 9, tzinfo=dt.UTC), dt.datetime(2030, 1, 2, 10, tzinfo=dt.UTC))
    ] or rows == []  # 2030 is beyond the year read ahead from NOW
    assert "Tandläkare" not in repr(rows)


def test_broken_upload_adds_nothing(world):
    with scopes_disabled(), pytest.raises(ValidationError):
        services.calendar_upload(
            actor=world.supervisor, practice=world.practice, name="Trasig", data=b"nonsense"
        )
    with scopes_disabled():
        assert OutsideCalendar.objects.count() == 0


def _subscribed(world: Any) -> OutsideCalendar:
    with scopes_disabled():
        return OutsideCalendar.objects.create(
            practice=world.practice,
            supervisor=world.supervisor,
            name="Jobbkalender",
            url="https://calendar.example/x.ics",
        )


def test_unreachable_subscription_keeps_last_busy_times_and_says_when_it_last_worked(
    world, monkeypatch
):
    calendar = _subscribed(world)
    good = cal(ev("a", "DTSTART:20260302T100000Z\nDTEND:20260302T110000Z"))
    monkeypatch.setattr(outside, "check_url", lambda url: url)
    monkeypatch.setattr(outside, "_open", _fake_urlopen(good))
    with scopes_disabled():
        assert services.calendar_refresh(calendar=calendar, now=NOW) is True
    later = NOW + dt.timedelta(hours=5)

    def down(*args: Any, **kwargs: Any) -> Any:
        raise urllib.error.URLError("timed out")

    monkeypatch.setattr(outside, "_open", down)
    with scopes_disabled():
        assert services.calendar_refresh(calendar=calendar, now=later) is False
        calendar.refresh_from_db()
        kept = BusyInterval.objects.filter(calendar=calendar).count()
    assert (calendar.last_success_at, calendar.last_attempt_at, calendar.last_error) == (
        NOW,
        later,
        "unreachable",
    )
    assert kept == 1
    assert "timed out" in services.error_text(calendar.last_error, calendar.last_error_detail)


def test_subscription_larger_than_the_cap_is_refused(world, monkeypatch):
    calendar = _subscribed(world)
    monkeypatch.setattr(outside, "check_url", lambda url: url)
    monkeypatch.setattr(outside, "_open", _fake_urlopen(b"x" * (outside.MAX_BYTES + 10)))
    with scopes_disabled():
        assert services.calendar_refresh(calendar=calendar, now=NOW) is False
        calendar.refresh_from_db()
    assert calendar.last_error == "too_large"


def test_subscription_is_fetched_by_the_task_worker(world, monkeypatch):
    good = cal(ev("a", "DTSTART:20260302T100000Z\nDTEND:20260302T110000Z"))
    monkeypatch.setattr(outside, "check_url", lambda url: url)
    monkeypatch.setattr(outside, "_open", _fake_urlopen(good))
    with scopes_disabled():
        # ImmediateBackend in tests: the task runs on commit.
        from django.test import TestCase

        with TestCase.captureOnCommitCallbacks(execute=True):
            calendar = services.calendar_subscribe(
                actor=world.supervisor,
                practice=world.practice,
                name="Jobb",
                url="https://calendar.example/x.ics",
            )
        calendar.refresh_from_db()
    assert calendar.last_success_at is not None
    assert calendar.last_error == ""


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://example.se/x.ics", "http://127.0.0.1/x.ics", "nonsense"]
)
def test_subscription_address_must_be_public_http(url):
    with pytest.raises(ValidationError):
        outside.check_url(url)


def test_webcal_address_is_read_as_https(monkeypatch):
    monkeypatch.setattr(
        urlguard.socket, "getaddrinfo", lambda *a: [(0, 0, 0, "", ("93.184.216.34", 0))]
    )
    assert outside.check_url("webcal://example.se/cal.ics") == "https://example.se/cal.ics"


def _fake_urlopen(payload: bytes) -> Any:
    class Response:
        def __enter__(self) -> Any:
            return self

        def __exit__(self, *exc: Any) -> None:
            return None

        def read(self, limit: int) -> bytes:
            return payload[:limit]

    def opener(request: Any, timeout: float) -> Any:
        assert timeout == outside.FETCH_TIMEOUT
        return Response()

    return opener


def test_refresh_command_queues_every_subscription(world, monkeypatch):
    import io

    from django.core.management import call_command

    calendar = _subscribed(world)
    good = cal(ev("a", "DTSTART:20300302T100000Z\nDTEND:20300302T110000Z"))
    monkeypatch.setattr(outside, "check_url", lambda url: url)
    monkeypatch.setattr(outside, "_open", _fake_urlopen(good))
    out = io.StringIO()
    call_command("refresh_outside_calendars", stdout=out)
    with scopes_disabled():
        calendar.refresh_from_db()
    assert out.getvalue().strip() == "1 outside calendars queued for refresh."
    assert calendar.last_attempt_at is not None and calendar.last_error == ""


def test_redirect_into_a_private_network_is_refused(monkeypatch):
    """A calendar address that answers with a redirect to the cloud's metadata service: the
    redirect's target is checked as the address was."""
    import http.server

    class Redirect(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(302)
            self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Redirect)
    serve(server)
    try:
        # The test server itself is on this machine: only the redirect's target is private.
        monkeypatch.setattr(outside, "private_host", lambda host, port: host != "127.0.0.1")
        monkeypatch.setattr(urlguard, "private_address", lambda address: address != "127.0.0.1")
        with pytest.raises(ValidationError) as caught:
            outside.fetch(f"http://127.0.0.1:{server.server_port}/cal.ics")
        assert caught.value.code == "private_host"
    finally:
        server.shutdown()
        server.server_close()


def test_connection_to_a_private_address_is_refused_whatever_the_name_said(monkeypatch, settings):
    """The name passed the check (it resolved to a public address then) but the connection
    lands on this machine: the connected address is checked too."""
    import http.server

    settings.BOOKING_PRIVATE_CALENDAR_HOSTS = False

    class Calendar(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.end_headers()
            self.wfile.write(ICS_ONE.encode() if isinstance(ICS_ONE, str) else ICS_ONE)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Calendar)
    serve(server)
    try:
        monkeypatch.setattr(outside, "private_host", lambda host, port: False)
        with pytest.raises(ValidationError) as caught:
            outside.fetch(f"http://127.0.0.1:{server.server_port}/cal.ics")
        assert caught.value.code == "unreachable"
    finally:
        server.shutdown()
        server.server_close()

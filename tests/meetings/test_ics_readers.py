"""Every kind of calendar file we emit, read by two independent parsers (``icalendar`` and
``vobject``, which interprets the embedded VTIMEZONE with dateutil), and the embedded time zone
held against the tz database for every change in the next ten years. Text people typed (an
engagement title, a practice or programme name) with CR, LF or NUL stays one escaped value and
never breaks a file or a page."""

from __future__ import annotations

import datetime as dt
import types
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest
import vobject
from django.core import mail
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from bollplank.core.models import Practice
from bollplank.engagements.models import Engagement
from bollplank.meetings import services as meeting_services
from bollplank.meetings.ics import calendar_bytes, escape_text
from bollplank.mentoring.models import PairMeeting, Programme
from tests import factories as f
from tests import timecontrol as tc
from tests.conftest import World
from tests.mentoring import meeting_helpers as mh
from tests.notifications.test_notifications import _calendar

STOCKHOLM = ZoneInfo("Europe/Stockholm")
ORG = ("Siv Handledare", "siv@ekbacken.se")
# A CR alone, a CRLF, an LF, a would-be property after a line break, and characters that
# must be escaped in a TEXT value.
NASTY_TITLE = "Rad ett\rX-INJECTED:ja\r\nRad två; a, b \\ c\nslut"
NASTY_CLEAN = "Rad ett\nX-INJECTED:ja\nRad två; a, b \\ c\nslut"


def _both(text: str) -> tuple[icalendar.Calendar, Any]:
    """The file as icalendar and as vobject read it; both must accept it."""
    ours = icalendar.Calendar.from_ical(text)
    _forget_vobject_zones()
    theirs = vobject.readOne(text, validate=True)
    return ours, theirs


def _forget_vobject_zones() -> None:
    """Read each file as a reader that has seen no other: vobject keeps the first VTIMEZONE it
    read for a TZID for the rest of the process and places every later file's events with it.
    Each file carries a VTIMEZONE for the years of its own events only, so a zone kept from a
    file of other years put a September meeting at +01:00 (whichever file a worker happened to
    read first decided)."""
    zones = vars(vobject.icalendar)["__tzidMap"]
    for tzid in [tzid for tzid in zones if tzid != "UTC"]:
        del zones[tzid]


def _events(text: str) -> list[tuple[str, dt.datetime, str]]:
    """(UID, start as UTC, summary) of every event, checked equal in both parsers."""
    ours, theirs = _both(text)
    a = sorted(
        (str(e["UID"]), e.decoded("DTSTART").astimezone(dt.UTC), str(e["SUMMARY"]))
        for e in ours.walk("VEVENT")
    )
    b = sorted(
        (e.uid.value, e.dtstart.value.astimezone(dt.UTC), e.summary.value)
        for e in theirs.vevent_list
    )
    assert a == b
    for line in text.split("\r\n"):
        assert not line.startswith("X-INJECTED")
    return a


def _calname(text: str) -> str:
    # icalendar hands unknown X- properties back raw; vobject unescapes them as TEXT.
    return str(_both(text)[1].x_wr_calname.value)


def _nasty_world(world: World) -> None:
    with scopes_disabled():
        Engagement.objects.filter(pk=world.engagement.pk).update(title=NASTY_TITLE)
        Practice.objects.filter(pk=world.practice.pk).update(name="Ekbacken\nhandledning\r; AB")
        world.engagement.refresh_from_db()
        world.practice.refresh_from_db()


# --- the embedded time zone against the tz database ------------------------------------------


def _changes(start: dt.datetime, years: int) -> list[dt.datetime]:
    """Every UTC instant in ``years`` from ``start`` at which Stockholm's offset changes
    (hour by hour: Swedish changes fall on whole hours)."""
    found = []
    # In UTC: the wall-clock arithmetic below adds the offsets to UTC instants.
    moment = start.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)
    end = start + dt.timedelta(days=366 * years)
    offset = moment.astimezone(STOCKHOLM).utcoffset()
    while moment < end:
        moment += dt.timedelta(hours=1)
        now = moment.astimezone(STOCKHOLM).utcoffset()
        if now != offset:
            found.append(moment)
            offset = now
    return found


def _offset(tz: dt.tzinfo, local: dt.datetime) -> dt.timedelta | None:
    return local.replace(tzinfo=tz).utcoffset()


def test_embedded_timezone_matches_zoneinfo_for_ten_years(world: World) -> None:
    start = tc.instant()
    later = start + dt.timedelta(days=366 * 10 + 30)
    meetings = [
        f.MeetingFactory(engagement=world.engagement, starts_at=start + dt.timedelta(days=2)),
        f.MeetingFactory(engagement=world.engagement, starts_at=later),
    ]
    for m in meetings:
        m.refresh_from_db()
    text = calendar_bytes(meetings, name="Tio år").decode()
    ours, theirs = _both(text)
    (component,) = ours.walk("VTIMEZONE")
    readers = {
        "icalendar": component.to_tz(lookup_tzid=False),
        "vobject": theirs.vtimezone.gettzinfo(),
    }
    changes = _changes(start, 10)
    # Two a year while Sweden keeps summer time; 21 when the ten years start just before one.
    assert len(changes) in (20, 21)

    for change in changes:
        before = (change - dt.timedelta(seconds=1)).astimezone(STOCKHOLM).utcoffset()
        after = change.astimezone(STOCKHOLM).utcoffset()
        assert before is not None and after is not None
        # Wall-clock times just outside the hour that is skipped or repeated: unambiguous.
        first = (change + min(before, after)).replace(tzinfo=None)
        last = (change + max(before, after)).replace(tzinfo=None)
        for reader, tz in readers.items():
            where = f"{reader} at {change.isoformat()}"
            # From UTC: the second before the change and the change itself.
            assert (change - dt.timedelta(seconds=1)).astimezone(tz).utcoffset() == before, where
            assert change.astimezone(tz).utcoffset() == after, where
            assert (change + dt.timedelta(minutes=30)).astimezone(tz).utcoffset() == after, where
            # From local time: a minute before the change's hour and a minute after it.
            assert _offset(tz, first - dt.timedelta(minutes=1)) == before, where
            assert _offset(tz, last + dt.timedelta(minutes=1)) == after, where


def _item(pk: int, start: dt.datetime, **fields: Any) -> types.SimpleNamespace:
    """A meeting as the calendar writer reads it (a feed row); ``fields`` replace the defaults."""
    defaults = {
        "pk": pk,
        "uid": f"u{pk}",
        "sequence": 0,
        "starts_at": start,
        "ends_at": start + dt.timedelta(hours=2),
        "updated_at": start,
        "created_at": start,
        "location": "",
        "status": "planned",
        "calendar_title": f"Möte {pk}",
    }
    return types.SimpleNamespace(**{**defaults, **fields})


def test_each_file_is_read_with_its_own_zone_whatever_was_read_before(db: Any) -> None:
    # A file of meetings two years ahead first (its VTIMEZONE starts then), then one with a
    # summer meeting this year: read as a reader that saw only it, 09:00 in summer is 07:00 UTC.
    year = tc.today().year
    later = dt.datetime(year + 2, 1, 15, 9, 0, tzinfo=STOCKHOLM)
    summer = dt.datetime(year, 7, 10, 9, 0, tzinfo=STOCKHOLM)
    _events(calendar_bytes([_item(1, later)], name="Sen").decode())
    ((_uid, start, _title),) = _events(calendar_bytes([_item(2, summer)], name="Sommar").decode())
    assert start == dt.datetime(year, 7, 10, 7, 0, tzinfo=dt.UTC)


def test_spring_change_is_written_at_0200_local_from_plus_one(world: World) -> None:
    text = calendar_bytes([world.meeting], name="Vår").decode()
    year = world.meeting.starts_at.year
    # The last Sunday of March, 01:00 UTC: 02:00 in the +01:00 in force before it.
    march_end = dt.date(year, 3, 31)
    sunday = march_end - dt.timedelta(days=(march_end.weekday() + 1) % 7)
    daylight = text.split("BEGIN:DAYLIGHT\r\n")[1].split("END:DAYLIGHT")[0]
    assert f"{sunday:%Y%m%d}T020000" in daylight
    assert "TZOFFSETFROM:+0100" in daylight and "TZOFFSETTO:+0200" in daylight


# --- every kind of file -----------------------------------------------------------------------


def test_every_kind_of_file_reads_in_both_parsers(
    client: Any, world: World, django_capture_on_commit_callbacks: Any
) -> None:
    day = tc.workday_after(8)
    uid = f"{world.meeting.uid}@bollplank"
    files: dict[str, str] = {}
    client.force_login(world.supervisor)
    one = client.get(reverse("meeting_ics", args=[world.practice.slug, world.meeting.pk]))
    files["single meeting"] = one.content.decode()
    with scope(practice=world.practice):
        _feed, token = meeting_services.feed_create(user=world.supervisor, practice=world.practice)
    files["feed"] = client.get(reverse("feed", args=[token])).content.decode()

    with django_capture_on_commit_callbacks(execute=True), scope(practice=world.practice):
        planned = meeting_services.meeting_create(
            actor=world.supervisor, engagement=world.engagement, day=day, time=dt.time(9, 0)
        )
    files["invitation"] = _calendar(next(m for m in mail.outbox if m.to == ["pia@solbacka.se"]))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True), scope(practice=world.practice):
        meeting_services.meeting_reschedule(
            actor=world.supervisor, meeting=planned, day=day, time=dt.time(13), minutes=120
        )
    files["update"] = _calendar(next(m for m in mail.outbox if m.to == ["pia@solbacka.se"]))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True), scope(practice=world.practice):
        meeting_services.meeting_cancel(
            actor=world.supervisor, meeting=planned, cancelled_by="supervisor", reason="Sjuk"
        )
    files["cancellation"] = _calendar(next(m for m in mail.outbox if m.to == ["pia@solbacka.se"]))

    planned_uid = f"{planned.uid}@bollplank"
    expected_methods = {
        "single meeting": "PUBLISH",
        "feed": None,
        "invitation": "REQUEST",
        "update": "REQUEST",
        "cancellation": "CANCEL",
    }
    for kind, text in files.items():
        events = _events(text)
        ours, theirs = _both(text)
        assert ours.get("METHOD") == expected_methods[kind], kind
        if expected_methods[kind]:
            # RFC 5546 §3.2: every method here needs an ORGANIZER on each event.
            assert all(e.organizer.value == "mailto:siv@ekbacken.se" for e in theirs.vevent_list)
        uids = [e[0] for e in events]
        assert (uid in uids) if kind in ("single meeting", "feed") else (uids == [planned_uid])
    starts = {kind: _events(text)[0][1] for kind, text in files.items() if kind != "feed"}
    assert starts["update"] == starts["cancellation"] != starts["invitation"]
    assert starts["update"] == dt.datetime.combine(day, dt.time(13), STOCKHOLM)


def test_series_and_course_files_read_in_both_parsers(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    from bollplank.courses.ics import course_calendar_bytes
    from tests.courses.conftest import make_course

    chosen = [
        meeting_services.ChosenMeeting(tc.workday_after(8 + 7 * i), dt.time(9)) for i in range(3)
    ]
    with django_capture_on_commit_callbacks(execute=True), scope(practice=world.practice):
        series = meeting_services.meetings_create_series(
            actor=world.supervisor, engagement=world.engagement, chosen=chosen
        )
    texts = [_calendar(m) for m in mail.outbox if m.to == ["pia@solbacka.se"]]
    uids = sorted(e[0] for text in texts for e in _events(text))
    assert uids == sorted(f"{m.uid}@bollplank" for m in series)

    course = make_course(world.practice, leader=world.supervisor, title="Kurs; dag 1,\n2")
    with scopes_disabled():
        days = list(course.days.order_by("starts_at"))
    events = _events(course_calendar_bytes(course, days).decode())
    assert [e[2] for e in events] == ["Kurs; dag 1,\n2"] * 2


# --- typed text with line breaks and control characters --------------------------------------


def test_escape_text_escapes_and_drops_control_characters() -> None:
    assert escape_text("a\r\nb\rc\nd") == "a\\nb\\nc\\nd"
    assert escape_text("x;y,z\\w") == "x\\;y\\,z\\\\w"
    assert escape_text("N\x00U\x07L\x1fL\x7f\tok") == "NULL\tok"
    assert escape_text("ett\u2028två\x85tre") == "ett\\ntvå\\ntre"
    # A typed backslash-N is text, not a line break.
    assert escape_text("C:\\Nisse") == "C:\\\\Nisse"


def test_nul_and_line_breaks_in_every_text_property_parse(db: Any) -> None:
    start = tc.instant() + dt.timedelta(days=3)
    item = _item(1, start, location="Rum\x00 1\r\nPlan 2", calendar_title="Titel\x00 med\rbrytning")
    text = calendar_bytes(
        [item],
        name="Namn\x00\r\nX-INJECTED:ja",
        method="REQUEST",
        organizer=('Siv\r\n"Handledare"', "siv@ekbacken.se\r\nX-INJECTED:ja"),
        attendee="pia@solbacka.se\nX-INJECTED:ja",
        urls={1: "https://b.example/m/1/\r\nX-INJECTED:ja"},
    ).decode()

    assert "\x00" not in text
    (event,) = _events(text)
    assert event[2] == "Titel med\nbrytning"
    assert _calname(text) == "Namn\nX-INJECTED:ja"
    assert _both(text)[1].vevent.location.value == "Rum 1\nPlan 2"


def test_line_breaks_in_titles_and_names_break_no_file_or_page(
    client: Any, world: World, django_capture_on_commit_callbacks: Any
) -> None:
    _nasty_world(world)
    client.force_login(world.supervisor)

    one = client.get(reverse("meeting_ics", args=[world.practice.slug, world.meeting.pk]))
    assert one.status_code == 200
    (event,) = _events(one.content.decode())
    assert event[2] == NASTY_CLEAN
    assert _calname(one.content.decode()) == NASTY_CLEAN

    with scope(practice=world.practice):
        _feed, token = meeting_services.feed_create(user=world.supervisor, practice=world.practice)
    feed = client.get(reverse("feed", args=[token]))
    assert feed.status_code == 200
    assert feed["Content-Type"] == "text/calendar; charset=utf-8"
    assert feed["Content-Disposition"].startswith("inline")
    assert NASTY_CLEAN in [e[2] for e in _events(feed.content.decode())]
    assert _calname(feed.content.decode()) == "Bollplank – Ekbacken\nhandledning\n; AB"

    with django_capture_on_commit_callbacks(execute=True), scope(practice=world.practice):
        meeting_services.meeting_create(
            actor=world.supervisor,
            engagement=world.engagement,
            day=tc.workday_after(8),
            time=dt.time(9, 0),
        )
    invitation = next(m for m in mail.outbox if m.to == ["pia@solbacka.se"])
    (event,) = _events(_calendar(invitation))
    assert event[2] == NASTY_CLEAN
    # One charset parameter on the calendar part (Django adds it; we no longer repeat it).
    raw = invitation.message().as_string()
    header = next(line for line in raw.splitlines() if line.startswith("Content-Type: text/cal"))
    assert header.count("charset") == 1, header


def test_line_breaks_in_programme_name_break_no_mentoring_file(client: Any, world: World) -> None:
    token, pk = mh.meeting_args(world)
    with scopes_disabled():
        meeting = PairMeeting.objects.select_related("pair__programme").get(pk=pk)
        Programme.objects.filter(pk=meeting.pair.programme_id).update(name="Mentor\r\nprogram")

    one = client.get(reverse("mentoring_meeting_ics", args=[token, pk]))
    feed = client.get(reverse("mentoring_feed", args=[token]))

    assert (one.status_code, feed.status_code) == (200, 200)
    assert [e[2] for e in _events(one.content.decode())] == ["Mentor\nprogram"]
    assert "Mentor\nprogram" in [e[2] for e in _events(feed.content.decode())]
    assert feed["Content-Disposition"].startswith("inline")


@pytest.mark.parametrize("method", ["PUBLISH", "REQUEST", "CANCEL"])
def test_method_without_organizer_is_refused(world: World, method: str) -> None:
    with pytest.raises(ValueError, match="ORGANIZER"):
        calendar_bytes([world.meeting], name="Siv", method=method)
    assert b"ORGANIZER" in calendar_bytes([world.meeting], name="S", method=method, organizer=ORG)

"""ICS output: read back what we write, the way a calendar client would."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events
from django_scopes import scope, scopes_disabled

from bollplank.engagements.models import Participant
from bollplank.meetings.ics import PRODID, calendar_bytes, ics_response, meeting_event
from bollplank.meetings.models import Meeting
from bollplank.meetings.services import meeting_cancel, meeting_reschedule
from tests import factories as f
from tests import timecontrol as tc

STOCKHOLM = ZoneInfo("Europe/Stockholm")
# Long before every meeting the factories make, so that services accept a cancellation.
EARLY = dt.datetime(2026, 1, 1, 12, 0, tzinfo=dt.UTC)
ORG = ("Siv Handledare", "siv@example.se")


def _parse(content: bytes) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(content)


def _loaded(*meetings: Meeting) -> list[Meeting]:
    """The meetings as a feed view gets them: fresh from the database, engagement joined."""
    with scopes_disabled():
        return list(
            Meeting.objects.filter(pk__in=[m.pk for m in meetings])
            .select_related("engagement")
            .order_by("starts_at")
        )


def _only_event(content: bytes) -> icalendar.Event:
    events = _parse(content).walk("VEVENT")
    assert len(events) == 1
    return events[0]


@pytest.fixture
def dst_pair(world: Any) -> tuple[Meeting, Meeting]:
    """09:00 Stockholm on each side of the 2026 switch to summer time (29 March)."""
    winter = f.MeetingFactory(
        engagement=world.engagement,
        starts_at=dt.datetime(2026, 3, 24, 9, 0, tzinfo=STOCKHOLM),
    )
    summer = f.MeetingFactory(
        engagement=world.engagement,
        starts_at=dt.datetime(2026, 3, 31, 9, 0, tzinfo=STOCKHOLM),
    )
    return winter, summer


def test_calendar_bytes_dst_both_sides_read_back_as_0900_local(dst_pair: Any) -> None:
    winter, summer = _loaded(*dst_pair)
    cal = _parse(calendar_bytes([winter, summer], name="Siv"))

    found = recurring_ical_events.of(cal).between(dt.date(2026, 3, 20), dt.date(2026, 4, 5))

    by_uid = {str(e["UID"]): e for e in found}
    assert set(by_uid) == {f"{winter.uid}@bollplank", f"{summer.uid}@bollplank"}
    before = by_uid[f"{winter.uid}@bollplank"]["DTSTART"].dt
    after = by_uid[f"{summer.uid}@bollplank"]["DTSTART"].dt
    assert before.astimezone(STOCKHOLM).time() == dt.time(9, 0)
    assert after.astimezone(STOCKHOLM).time() == dt.time(9, 0)
    assert before.astimezone(dt.UTC) == dt.datetime(2026, 3, 24, 8, 0, tzinfo=dt.UTC)
    assert after.astimezone(dt.UTC) == dt.datetime(2026, 3, 31, 7, 0, tzinfo=dt.UTC)
    # Same instant as stored: the end follows from the stored duration, two hours here.
    assert by_uid[f"{summer.uid}@bollplank"]["DTEND"].dt.astimezone(dt.UTC) == summer.ends_at


def test_calendar_bytes_dst_written_with_tzid_not_utc(dst_pair: Any) -> None:
    content = calendar_bytes(_loaded(*dst_pair), name="Siv")

    assert b"DTSTART;TZID=Europe/Stockholm:20260324T090000" in content
    assert b"DTSTART;TZID=Europe/Stockholm:20260331T090000" in content
    assert b"DTEND;TZID=Europe/Stockholm:20260331T110000" in content


def test_calendar_bytes_with_events_has_vtimezone_with_standard_and_daylight(
    dst_pair: Any,
) -> None:
    cal = _parse(calendar_bytes(_loaded(*dst_pair), name="Siv"))

    timezones = cal.walk("VTIMEZONE")
    assert [str(tz["TZID"]) for tz in timezones] == ["Europe/Stockholm"]
    parts = {c.name for c in timezones[0].subcomponents}
    assert parts == {"STANDARD", "DAYLIGHT"}
    # The VTIMEZONE's own rules give the right offsets, not only the parser's zoneinfo.
    daylight = timezones[0].walk("DAYLIGHT")[0]
    assert daylight["TZOFFSETTO"].td == dt.timedelta(hours=2)
    # It comes before the events that refer to it.
    names = [c.name for c in cal.subcomponents]
    assert names.index("VTIMEZONE") < names.index("VEVENT")


def test_calendar_bytes_summer_only_meeting_still_has_standard_and_daylight(world: Any) -> None:
    meeting = f.MeetingFactory(
        engagement=world.engagement, starts_at=dt.datetime(2026, 7, 1, 8, 0, tzinfo=dt.UTC)
    )

    tz = _parse(calendar_bytes(_loaded(meeting), name="Siv")).walk("VTIMEZONE")[0]

    assert {c.name for c in tz.subcomponents} == {"STANDARD", "DAYLIGHT"}


def test_calendar_bytes_header_properties_present(world: Any) -> None:
    cal = _parse(calendar_bytes(_loaded(world.meeting), name="Sivs träffar"))

    assert str(cal["PRODID"]) == PRODID
    assert str(cal["VERSION"]) == "2.0"
    assert str(cal["CALSCALE"]) == "GREGORIAN"
    assert str(cal["X-WR-CALNAME"]) == "Sivs träffar"
    assert str(cal["X-WR-TIMEZONE"]) == "Europe/Stockholm"
    assert "METHOD" not in cal


@pytest.mark.parametrize("method", ["REQUEST", "CANCEL", "PUBLISH"])
def test_calendar_bytes_method_given_is_written(world: Any, method: str) -> None:
    cal = _parse(calendar_bytes(_loaded(world.meeting), name="Siv", method=method, organizer=ORG))

    assert str(cal["METHOD"]) == method


def test_calendar_bytes_unknown_method_raises(world: Any) -> None:
    with pytest.raises(ValueError, match="method"):
        calendar_bytes(_loaded(world.meeting), name="Siv", method="request; drop")


def test_calendar_bytes_no_meetings_is_valid_empty_calendar(db: Any) -> None:
    cal = _parse(calendar_bytes([], name="Tom"))

    assert cal.walk("VEVENT") == []
    assert str(cal["X-WR-CALNAME"]) == "Tom"


def test_meeting_event_properties_match_meeting(world: Any) -> None:
    with scopes_disabled():
        Meeting.objects.filter(pk=world.meeting.pk).update(location="Rum 12, Solbacka skola")
    (meeting,) = _loaded(world.meeting)

    event = _only_event(
        calendar_bytes([meeting], name="Siv", urls={meeting.pk: "https://b.example/m/1/"})
    )

    assert str(event["UID"]) == f"{meeting.uid}@bollplank"
    assert event["SEQUENCE"] == 0
    assert str(event["SUMMARY"]) == "Lärarlaget åk 4–6"
    assert str(event["LOCATION"]) == "Rum 12, Solbacka skola"
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["URL"]) == "https://b.example/m/1/"
    # iCalendar has whole seconds only.
    assert event["DTSTAMP"].dt == meeting.updated_at.replace(microsecond=0)
    assert event["LAST-MODIFIED"].dt == meeting.updated_at.replace(microsecond=0)
    assert event["DTSTAMP"].dt.utcoffset() == dt.timedelta(0)


def test_meeting_event_no_location_or_url_leaves_them_out(world: Any) -> None:
    (meeting,) = _loaded(world.meeting)

    event = meeting_event(meeting)

    assert "LOCATION" not in event
    assert "URL" not in event


def test_meeting_event_url_given_is_set(world: Any) -> None:
    (meeting,) = _loaded(world.meeting)

    event = meeting_event(meeting, url="https://b.example/meetings/7/")

    assert str(event["URL"]) == "https://b.example/meetings/7/"


def test_calendar_bytes_same_meeting_twice_gives_same_bytes(world: Any) -> None:
    # Feeds are polled; output that only changes when a meeting changes keeps ETags useful.
    first = calendar_bytes(_loaded(world.meeting), name="Siv")
    second = calendar_bytes(_loaded(world.meeting), name="Siv")

    assert first == second


def test_calendar_bytes_moved_meeting_keeps_uid_and_raises_sequence(world: Any) -> None:
    # A meeting ahead: a held one is history and is not moved.
    ahead = f.MeetingFactory(
        engagement=world.engagement,
        starts_at=tc.local(tc.workday_after(5), 9),
        ends_at=tc.local(tc.workday_after(5), 11),
    )
    before = _only_event(calendar_bytes(_loaded(ahead), name="Siv"))
    day = tc.workday_after(10)
    with scope(practice=world.practice):
        meeting_reschedule(
            actor=world.supervisor,
            meeting=ahead,
            day=day,
            time=dt.time(13, 0),
            minutes=120,
        )

    after = _only_event(calendar_bytes(_loaded(ahead), name="Siv"))

    assert after["UID"] == before["UID"]
    assert after["SEQUENCE"] == before["SEQUENCE"] + 1
    assert after["DTSTART"].dt == dt.datetime.combine(day, dt.time(13), STOCKHOLM)


def test_calendar_bytes_cancelled_meeting_status_cancelled_same_uid_higher_sequence(
    world: Any,
) -> None:
    before = _only_event(calendar_bytes(_loaded(world.meeting), name="Siv"))
    with scope(practice=world.practice):
        meeting_cancel(
            cancelled_by="supervisor",
            reason="Sjukdom",
            actor=world.supervisor,
            meeting=world.meeting,
            now=EARLY,
        )

    content = calendar_bytes(_loaded(world.meeting), name="Siv", method="CANCEL", organizer=ORG)

    after = _only_event(content)
    assert str(after["STATUS"]) == "CANCELLED"
    assert after["UID"] == before["UID"]
    assert after["SEQUENCE"] > before["SEQUENCE"]
    assert str(_parse(content)["METHOD"]) == "CANCEL"


def test_calendar_bytes_summary_never_contains_participant_names(world: Any) -> None:
    with scopes_disabled():
        names = list(
            Participant.objects.filter(memberships__engagement=world.engagement).values_list(
                "name", flat=True
            )
        )
    assert "Pia Deltagare" in names  # the fixture really has participants to leak

    content = calendar_bytes(_loaded(world.meeting), name="Siv", method="REQUEST", organizer=ORG)

    event = _only_event(content)
    text = content.decode()
    for name in names:
        assert name not in str(event["SUMMARY"])
        # Nor anywhere else in the file: DESCRIPTION, ATTENDEE, comments.
        assert name not in text


def test_calendar_bytes_long_lines_are_folded_to_75_octets(world: Any) -> None:
    engagement = f.EngagementFactory(
        practice=world.practice,
        client=world.client,
        supervisor=world.supervisor,
        title="Grupphandledning för förskolans arbetslag på Ängsö, Öregrund och Älvkarleby " * 2,
    )
    meeting = f.MeetingFactory(engagement=engagement, location="Sammanträdesrummet å-ä-ö " * 10)

    content = calendar_bytes(
        _loaded(meeting), name="Årets träffar", urls={meeting.pk: "https://b.example/" + "x" * 90}
    )

    lines = content.split(b"\r\n")
    assert any(line.startswith(b" ") for line in lines)  # something was long enough to fold
    assert all(len(line) <= 75 for line in lines)
    # Folding never splits a multi-byte character: every line is valid UTF-8 on its own.
    for line in lines:
        line.decode("utf-8")


def test_calendar_bytes_swedish_characters_survive_round_trip(world: Any) -> None:
    engagement = f.EngagementFactory(
        practice=world.practice,
        client=world.client,
        supervisor=world.supervisor,
        title="Ärendehandledning – Åsbro öppenvård",
    )
    meeting = f.MeetingFactory(engagement=engagement, location="Östra Ågatan 5, Växjö")

    cal = _parse(calendar_bytes(_loaded(meeting), name="Handledning på Ön"))

    event = cal.walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == "Ärendehandledning – Åsbro öppenvård"
    assert str(event["LOCATION"]) == "Östra Ågatan 5, Växjö"
    assert str(cal["X-WR-CALNAME"]) == "Handledning på Ön"


def test_calendar_bytes_three_meetings_loaded_with_engagement_runs_no_queries(
    world: Any, django_assert_num_queries: Any
) -> None:
    extra = [
        f.MeetingFactory(
            engagement=world.engagement,
            starts_at=dt.datetime(2026, 5, day, 8, 0, tzinfo=dt.UTC),
        )
        for day in (5, 12)
    ]
    meetings = _loaded(world.meeting, *extra)
    assert len(meetings) == 3

    with django_assert_num_queries(0):
        content = calendar_bytes(
            meetings,
            name="Siv",
            method="PUBLISH",
            urls={m.pk: f"/m/{m.pk}/" for m in meetings},
            organizer=ORG,
        )

    assert len(_parse(content).walk("VEVENT")) == 3


def test_ics_response_headers_attachment_by_default(db: Any) -> None:
    response = ics_response(b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "träff.ics")

    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Disposition"].startswith("attachment;")
    # Non-ASCII names go in the RFC 6266 filename* form so browsers keep the å.
    assert "filename*=utf-8''tr%C3%A4ff.ics" in response["Content-Disposition"]
    assert response.content == b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"


def test_ics_response_inline_for_feeds(db: Any) -> None:
    response = ics_response(b"", "feed.ics", inline=True)

    assert response["Content-Disposition"] == 'inline; filename="feed.ics"'

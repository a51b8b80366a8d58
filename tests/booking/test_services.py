"""Booking, moving and cancelling through the services, with every refusal."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from django_scopes import scopes_disabled

from bollplank.booking import services
from bollplank.booking.selectors import free_times
from bollplank.core.roles import Role
from bollplank.meetings.enums import MeetingStatus
from bollplank.meetings.ics import calendar_bytes, meeting_uid
from bollplank.meetings.selectors import meetings_for_feed
from tests.booking.helpers import individual

STHLM = ZoneInfo("Europe/Stockholm")
NOW = dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)  # Sunday 13:00 in Stockholm
# The refusals are told on the dates around one spring (its Easter, its daylight-saving night):
# the clock stands at NOW for these tests, whatever day the suite runs.
pytestmark = pytest.mark.instant(NOW.isoformat())


def at(month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=STHLM).astimezone(dt.UTC)


@pytest.fixture
def engagement(world):
    # The group's meeting on Tuesday 10 March, 09:00–11:00.
    with scopes_disabled():
        world.meeting.starts_at, world.meeting.ends_at = at(3, 10, 9), at(3, 10, 11)
        world.meeting.save()
    return individual(world)


def book(world, engagement, start, now=NOW):
    with scopes_disabled():
        return services.booking_book(
            actor=world.participant_user, engagement=engagement, starts_at=start, now=now
        )


def test_booking_appears_for_both_in_feeds_and_as_ics(world, engagement):
    meeting = book(world, engagement, at(3, 2, 14))
    with scopes_disabled():
        for user, roles in [
            (world.participant_user, frozenset({Role.PARTICIPANT})),
            (world.supervisor, frozenset({Role.SUPERVISOR})),
        ]:
            feed = list(meetings_for_feed(user, world.practice, roles))
            assert meeting in feed
        ics = calendar_bytes([meeting], name="x").decode()
    assert (meeting.starts_at, meeting.ends_at) == (at(3, 2, 14), at(3, 2, 15))
    assert (meeting.engagement_id, meeting.supervisor_id) == (engagement.pk, world.supervisor.pk)
    assert meeting_uid(meeting) in ics
    assert "DTSTART;TZID=Europe/Stockholm:20260302T140000" in ics


@pytest.mark.parametrize(
    ("start", "code"),
    [
        (at(2, 27, 10), "past"),
        (at(3, 2, 10), "notice"),  # 21 hours ahead; 24 needed
        (at(3, 3, 17), "hours"),  # 17:00–18:00, after the hours
        (at(4, 6, 10), "hours"),  # Easter Monday: closed
        (at(5, 4, 10), "horizon"),  # 64 days ahead; 56 allowed
        (at(3, 29, 1, 30), "dst"),  # the spring-forward night
        (at(3, 10, 10), "taken"),  # the group's meeting 09:00–11:00 that day
        (at(3, 10, 11), "taken"),  # inside the buffer after it
    ],
)
def test_booking_is_refused_with_a_reason(world, engagement, start, code):
    with pytest.raises(ValidationError) as caught:
        book(world, engagement, start)
    assert caught.value.code == code
    assert caught.value.messages[0]
    with scopes_disabled():
        assert engagement.meetings.count() == 0


def test_booking_over_the_quota_is_refused(world):
    engagement = individual(world, ordered=1)
    book(world, engagement, at(3, 2, 14))
    with pytest.raises(ValidationError) as caught:
        book(world, engagement, at(3, 3, 14))
    assert caught.value.code == "quota"
    assert "1" in caught.value.messages[0]


def test_outside_busy_time_blocks_and_is_never_offered(world, engagement):
    data = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:t\r\nBEGIN:VEVENT\r\nUID:a\r\n"
        b"DTSTAMP:20260101T000000Z\r\nDTSTART;TZID=Europe/Stockholm:20260304T100000\r\n"
        b"DTEND;TZID=Europe/Stockholm:20260304T110000\r\nSUMMARY:Privat\r\n"
        b"END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    with scopes_disabled():
        services.calendar_upload(
            actor=world.supervisor, practice=world.practice, name="Privat", data=data, now=NOW
        )
        slots = free_times(engagement, now=NOW).slots()
    hour = dt.timedelta(hours=1)
    busy_from, busy_to = at(3, 4, 10), at(3, 4, 11)
    buffer = dt.timedelta(minutes=30)  # the practice's travel buffer, larger than 15
    assert slots
    assert all(not (s < busy_to + buffer and s + hour > busy_from - buffer) for s in slots)
    assert at(3, 4, 11, 30) in slots and at(3, 4, 8 + 1) not in slots
    with pytest.raises(ValidationError) as caught:
        book(world, engagement, at(3, 4, 10))
    assert caught.value.code == "taken"


def test_move_keeps_the_calendar_identity_and_refuses_inside_the_notice(world, engagement):
    meeting = book(world, engagement, at(3, 5, 14))
    with scopes_disabled():
        moved = services.booking_move(
            actor=world.participant_user, meeting=meeting, starts_at=at(3, 6, 9), now=NOW
        )
        assert (moved.uid, moved.sequence, moved.starts_at) == (meeting.uid, 1, at(3, 6, 9))
        with pytest.raises(ValidationError) as caught:
            services.booking_move(
                actor=world.participant_user,
                meeting=moved,
                starts_at=at(3, 9, 9),
                now=at(3, 5, 9),  # 24 h before; the practice's notice is 48 h
            )
    assert caught.value.code == "too_late_to_move"


def test_move_to_its_own_overlapping_time_is_allowed(world, engagement):
    meeting = book(world, engagement, at(3, 5, 14))
    with scopes_disabled():
        moved = services.booking_move(
            actor=world.participant_user, meeting=meeting, starts_at=at(3, 5, 14, 30), now=NOW
        )
    assert moved.starts_at == at(3, 5, 14, 30)


def test_cancel_inside_the_notice_is_flagged_late_and_still_counts(world):
    engagement = individual(world, ordered=2)
    late = book(world, engagement, at(3, 3, 14))
    early = book(world, engagement, at(3, 12, 14))
    with scopes_disabled():
        late = services.booking_cancel(
            reason="Förhinder", actor=world.participant_user, meeting=late, now=at(3, 3, 9)
        )
        early = services.booking_cancel(
            reason="Förhinder", actor=world.participant_user, meeting=early, now=NOW
        )
    assert (late.status, late.late_cancellation) == (MeetingStatus.CANCELLED, True)
    assert (early.status, early.late_cancellation) == (MeetingStatus.CANCELLED, False)
    # The early cancellation gave its place back; the late one counts against the quota.
    book(world, engagement, at(3, 12, 14))
    with pytest.raises(ValidationError) as caught:
        book(world, engagement, at(3, 13, 14))
    assert caught.value.code == "quota"


def test_booking_link_works_once(world, engagement):
    with scopes_disabled():
        _link, token = services.link_create(
            actor=world.supervisor, engagement=engagement, label="Förfrågan", now=NOW
        )
        meeting = services.link_book(token=token, starts_at=at(3, 2, 14), now=NOW)
        with translation.override("sv"), pytest.raises(ValidationError) as caught:
            services.link_book(token=token, starts_at=at(3, 3, 14), now=NOW)
        assert engagement.meetings.count() == 1
    assert meeting.starts_at == at(3, 2, 14)
    assert caught.value.code == "link_used"
    assert "redan" in caught.value.messages[0]  # Swedish is the default language


def test_expired_or_unknown_link_books_nothing(world, engagement):
    with scopes_disabled():
        _link, token = services.link_create(
            actor=world.supervisor, engagement=engagement, label="Förfrågan", now=NOW
        )
        with pytest.raises(ValidationError):
            services.link_book(
                token=token, starts_at=at(4, 14, 14), now=NOW + dt.timedelta(days=40)
            )
        with pytest.raises(ValidationError):
            services.link_book(token="nope", starts_at=at(3, 2, 14), now=NOW)
        assert engagement.meetings.count() == 0


def test_video_engagement_books_in_video_hours_with_travel_time(world):
    from bollplank.booking.models import Place
    from bollplank.engagements.enums import Venue
    from tests.booking.helpers import open_weekdays

    premises = individual(world)
    open_weekdays(world, place=Place.VIDEO)
    with scopes_disabled():
        from bollplank.booking.models import BookingSettings

        BookingSettings.objects.filter(supervisor=world.supervisor).update(travel_minutes=90)
        video = individual(world, venue=Venue.VIDEO)
        video.title = "Video"
        book(world, premises, at(3, 3, 12))
        slots = free_times(video, now=NOW).slots()
    # 12–13 at the premises: a video meeting needs 90 minutes of travel on either side.
    assert at(3, 3, 14, 30) in slots and at(3, 3, 14, 15) not in slots
    assert at(3, 3, 9, 30) in slots and at(3, 3, 9, 45) not in slots


def test_free_times_before_any_rules_are_saved_use_the_defaults(world):
    engagement = individual(world, hours=False)
    with scopes_disabled():
        from tests.booking.helpers import hours_pk

        assert free_times(engagement, now=NOW).slots() == []
        hours_pk(world)  # weekly hours, and default rules
        from bollplank.booking.models import BookingSettings

        BookingSettings.objects.all().delete()
        slots = free_times(engagement, now=NOW).slots()
    assert slots[0] == at(3, 2, 13)  # 24 hours' notice by default

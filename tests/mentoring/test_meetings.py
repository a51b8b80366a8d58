"""A mentoring pair's meetings: the mentor's hours, the mentee's booking, moving and
cancelling by either, invitations (REQUEST/CANCEL, same UID, rising SEQUENCE), the .ics and the
feed, bad input with clear Swedish messages, and the coordinator's counts."""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from bollplank.core import clock
from bollplank.meetings.enums import MeetingStatus
from bollplank.mentoring import meetings
from bollplank.mentoring.models import MentorException, PairMeeting
from bollplank.notifications.models import OutgoingMail
from tests.mentoring import meeting_helpers as mh

# A Monday in winter time; the programme (today … today + 300 days) has not ended then.
NOW = mh.local(2026, 3, 2, 8)


def _mails(meeting: PairMeeting) -> list[OutgoingMail]:
    with scopes_disabled():
        return list(OutgoingMail.objects.filter(ics__contains=str(meeting.uid)).order_by("pk"))


def _event(ics: str) -> icalendar.Event:
    cal = icalendar.Calendar.from_ical(ics)
    (event,) = [c for c in cal.walk() if c.name == "VEVENT"]
    return event


# --- services -------------------------------------------------------------------------------


def test_free_times_follow_the_mentors_hours_and_both_peoples_meetings(world):
    pair, _m, _e = mh.published_pair(world)
    with scope(practice=world.practice):
        meetings.hours_add(mentor=pair.mentor, weekday=1, start=dt.time(9), end=dt.time(11))
        slots = meetings.free_times(pair, now=NOW).slots()
    # Tuesdays 09:00–11:00, meetings of 60 minutes on a quarter-hour step, 6 weeks ahead.
    first_tuesday = [s for s in slots if s < mh.local(2026, 3, 4, 0)]
    assert first_tuesday == [
        mh.local(2026, 3, 3, 9),
        mh.local(2026, 3, 3, 9, 15),
        mh.local(2026, 3, 3, 9, 30),
        mh.local(2026, 3, 3, 9, 45),
        mh.local(2026, 3, 3, 10),
    ]
    assert len(slots) == 6 * 5
    mh.booked(pair, mh.local(2026, 3, 3, 9), NOW)
    with scope(practice=world.practice):
        after = meetings.free_times(pair, now=NOW).slots()
    # 09:00–10:00 booked plus a 15-minute buffer: the rest of that morning is gone.
    assert [s for s in after if s < mh.local(2026, 3, 4, 0)] == []


def test_book_move_cancel_send_request_then_cancel_with_the_same_uid(world):
    pair, _m, _e = mh.published_pair(world)
    mh.open_every_day(pair)
    meeting = mh.booked(pair, mh.local(2026, 3, 3, 9), NOW)
    assert (meeting.ends_at - meeting.starts_at, meeting.sequence) == (dt.timedelta(hours=1), 0)
    first = _mails(meeting)
    assert sorted(m.to for m in first) == sorted([pair.mentee.email, pair.mentor.email])
    assert {m.ics_method for m in first} == {"REQUEST"}
    event = _event(first[0].ics)
    assert str(event["summary"]) == pair.programme.name  # never the people's names
    assert str(event["uid"]) == f"{meeting.uid}@bollplank"
    assert "Maja" not in first[0].ics.split("ORGANIZER")[0]
    with scope(practice=world.practice):
        moved = meetings.meeting_move(
            person=pair.mentor, meeting=meeting, starts_at=mh.local(2026, 3, 4, 13), now=NOW
        )
    assert (moved.sequence, moved.starts_at) == (1, mh.local(2026, 3, 4, 13))
    second = _mails(meeting)[2:]
    assert [(m.ics_method, int(_event(m.ics)["sequence"])) for m in second] == [
        ("REQUEST", 1),
        ("REQUEST", 1),
    ]
    assert {str(_event(m.ics)["uid"]) for m in second} == {f"{meeting.uid}@bollplank"}
    assert "flyttats" in second[0].subject or "flyttad" in second[0].subject.lower()
    with scope(practice=world.practice):
        meetings.meeting_cancel(person=pair.mentee, meeting=moved, now=NOW)
        moved.refresh_from_db()
    assert (moved.status, moved.sequence) == (MeetingStatus.CANCELLED, 2)
    third = _mails(meeting)[4:]
    assert [(m.ics_method, str(_event(m.ics)["status"])) for m in third] == [
        ("CANCEL", "CANCELLED"),
        ("CANCEL", "CANCELLED"),
    ]
    # The cancelled time is free again.
    with scope(practice=world.practice):
        assert mh.local(2026, 3, 4, 13) in meetings.free_times(pair, now=NOW).slots()


@pytest.mark.parametrize(
    ("when", "code"),
    [
        (mh.local(2026, 3, 1, 10), "past"),
        (mh.local(2026, 3, 2, 10), "notice"),
        (mh.local(2026, 3, 3, 7), "hours"),
        (mh.local(2026, 3, 3, 17, 30), "hours"),
        (mh.local(2026, 6, 1, 10), "horizon"),
    ],
)
def test_booking_refuses_bad_times_with_a_reason(world, when, code):
    pair, _m, _e = mh.published_pair(world)
    mh.open_every_day(pair)
    with pytest.raises(ValidationError) as caught, scope(practice=world.practice):
        meetings.meeting_book(person=pair.mentee, pair=pair, starts_at=when, now=NOW)
    assert caught.value.code == code
    with scopes_disabled():
        assert PairMeeting.objects.count() == 0


def test_booking_across_the_daylight_saving_change_is_refused(world):
    pair, _m, _e = mh.published_pair(world)
    # Open the night of the spring change (Sunday 29 March 2026, 02:00 → 03:00).
    mh.open_every_day(pair, start=dt.time(0), end=dt.time(6))
    start = dt.datetime(2026, 3, 29, 0, 30, tzinfo=dt.UTC)  # 01:30 local, ends 03:30 local
    with pytest.raises(ValidationError) as caught, scope(practice=world.practice):
        meetings.meeting_book(
            person=pair.mentee, pair=pair, starts_at=start, now=mh.local(2026, 3, 27, 8)
        )
    assert caught.value.code == "dst"
    assert "sommartid" in caught.value.messages[0]


def test_holidays_are_closed_unless_the_mentor_opens_them(world):
    pair, _m, _e = mh.published_pair(world)
    mh.open_every_day(pair)
    good_friday = mh.local(2026, 4, 3, 10)
    with scope(practice=world.practice):
        assert good_friday not in meetings.free_times(pair, now=NOW).slots()
        meetings.exception_add(
            mentor=pair.mentor,
            is_open=True,
            first_day=dt.date(2026, 4, 3),
            last_day=None,
            start=None,
            end=None,
        )
        assert good_friday in meetings.free_times(pair, now=NOW).slots()
        meetings.exception_add(
            mentor=pair.mentor,
            is_open=False,
            first_day=dt.date(2026, 3, 3),
            last_day=dt.date(2026, 3, 4),
            start=None,
            end=None,
        )
        slots = meetings.free_times(pair, now=NOW).slots()
    assert not [s for s in slots if mh.local(2026, 3, 3, 0) <= s < mh.local(2026, 3, 5, 0)]


def test_a_mentor_with_two_mentees_is_not_booked_twice_at_once(world):
    pair, _m, _e = mh.published_pair(world, max_mentees=2)
    mh.open_every_day(pair)
    from tests.mentoring import helpers as h

    with scope(practice=world.practice):
        other = type(pair).objects.create(
            practice=world.practice,
            programme=pair.programme,
            mentor=pair.mentor,
            mentee=h.sign_up(pair.programme, "mentee", "Olle Andra")[0],
        )
    mh.booked(pair, mh.local(2026, 3, 3, 9), NOW)
    with pytest.raises(ValidationError) as caught, scope(practice=world.practice):
        meetings.meeting_book(
            person=other.mentee, pair=other, starts_at=mh.local(2026, 3, 3, 9, 30), now=NOW
        )
    assert caught.value.code == "taken"


def test_ended_pair_and_ended_programme_cannot_book_or_move(world):
    pair, _m, _e = mh.published_pair(world)
    mh.open_every_day(pair)
    meeting = mh.booked(pair, mh.local(2026, 3, 3, 9), NOW)
    with scope(practice=world.practice):
        from bollplank.mentoring import services

        services.pair_end_early(signup=pair.mentee, pair=pair, reason="Flyttar")
        with pytest.raises(ValidationError) as caught:
            meetings.meeting_book(
                person=pair.mentee, pair=pair, starts_at=mh.local(2026, 3, 5, 9), now=NOW
            )
        assert caught.value.code == "ended"
        assert "avslut" in caught.value.messages[0]
        with pytest.raises(ValidationError):
            meetings.meeting_move(
                person=pair.mentee, meeting=meeting, starts_at=mh.local(2026, 3, 5, 9), now=NOW
            )
        # A meeting left in the calendar can still be cancelled.
        assert meetings.meeting_cancel(person=pair.mentor, meeting=meeting, now=NOW).sequence == 1
    later, _m2, _e2 = mh.published_pair(world, name="Slut")
    mh.open_every_day(later)
    after_end = clock.now() + dt.timedelta(days=400)
    with pytest.raises(ValidationError) as caught, scope(practice=world.practice):
        meetings.meeting_book(
            person=later.mentee,
            pair=later,
            starts_at=after_end + dt.timedelta(days=2),
            now=after_end,
        )
    assert caught.value.code == "ended"


def test_only_the_mentee_books_and_only_the_mentor_sets_hours(world):
    pair, _m, _e = mh.published_pair(world)
    mh.open_every_day(pair)
    with scope(practice=world.practice):
        with pytest.raises(ValidationError) as caught:
            meetings.meeting_book(
                person=pair.mentor, pair=pair, starts_at=mh.local(2026, 3, 3, 9), now=NOW
            )
        assert caught.value.code == "not_mentee"
        with pytest.raises(ValidationError) as caught:
            meetings.hours_add(mentor=pair.mentee, weekday=0, start=dt.time(9), end=dt.time(10))
        assert caught.value.code == "not_mentor"


# --- views ----------------------------------------------------------------------------------


def _next_weekday_10(now: dt.datetime) -> dt.datetime:
    from bollplank.core.timeutils import holidays_between

    day = timezone.localtime(now, mh.STHLM).date() + dt.timedelta(days=2)
    while day in holidays_between(day, day):
        day += dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(10), tzinfo=mh.STHLM).astimezone(dt.UTC)


def test_mentor_sets_hours_and_mentee_books_moves_and_cancels_through_the_pages(client, world):
    pair, mentor_token, mentee_token = mh.published_pair(world)
    mentor_page = reverse("mentoring_meetings", args=[mentor_token])
    mentee_page = reverse("mentoring_meetings", args=[mentee_token])
    before = client.get(mentee_page).content.decode()
    assert "Maja Par har ännu inte angett när hen kan träffas" in before
    me_page = client.get(reverse("mentoring_me", args=[mentee_token])).content.decode()
    assert f'href="{mentee_page}"' in me_page
    for weekday in range(7):
        response = client.post(
            mentor_page,
            {
                "action": "hours",
                "hours-weekday": weekday,
                "hours-start": "08:00",
                "hours-end": "18:00",
            },
        )
        assert response.status_code == 302
    bad = client.post(
        mentor_page,
        {"action": "hours", "hours-weekday": 0, "hours-start": "12:00", "hours-end": "11:00"},
    )
    assert bad.status_code == 400
    assert "Sluttiden måste vara efter starttiden." in bad.content.decode()
    with scopes_disabled():
        assert pair.mentor.mentor_hours.count() == 7
    when = _next_weekday_10(clock.now())
    page = client.get(mentee_page).content.decode()
    assert 'id="no-hours"' not in page
    assert "Boka en träff" in page
    response = client.post(
        mentee_page, {"action": "book", "start": when.isoformat(), "location": "Rum 3"}
    )
    assert response.status_code == 302
    with scopes_disabled():
        meeting = PairMeeting.objects.get(pair=pair)
    assert (meeting.starts_at, meeting.location) == (when, "Rum 3")
    # The same time again: taken, a clear message, nothing more booked.
    again = client.post(mentee_page, {"action": "book", "start": when.isoformat()})
    assert again.status_code == 400
    assert "Den tiden är inte längre ledig" in again.content.decode()
    # Outside the hours.
    night = when.replace(hour=1)
    outside = client.post(mentee_page, {"action": "book", "start": night.isoformat()})
    assert "utanför de tider mentorn kan träffas" in outside.content.decode()
    # In the past.
    past = client.post(mentee_page, {"action": "book", "start": "2020-01-07T09:00:00+00:00"})
    assert "Den tiden har redan passerat" in past.content.decode()
    with scopes_disabled():
        assert PairMeeting.objects.filter(pair=pair).count() == 1
    mentor_view = client.get(mentor_page).content.decode()
    assert "Nils Par" in mentor_view and "Rum 3" in mentor_view
    later = when + dt.timedelta(hours=3)
    move_url = reverse("mentoring_meeting_move", args=[mentor_token, meeting.pk])
    assert client.get(move_url).status_code == 200
    assert client.post(move_url, {"start": later.isoformat()}).status_code == 302
    with scopes_disabled():
        meeting.refresh_from_db()
    assert (meeting.starts_at, meeting.sequence) == (later, 1)
    assert client.post(mentee_page, {"action": "cancel", "meeting": meeting.pk}).status_code == 302
    with scopes_disabled():
        meeting.refresh_from_db()
    assert (meeting.status, meeting.sequence) == ("cancelled", 2)
    with scopes_disabled():
        methods = list(
            OutgoingMail.objects.filter(ics__contains=str(meeting.uid))
            .order_by("pk")
            .values_list("ics_method", flat=True)
        )
    assert methods == ["REQUEST"] * 4 + ["CANCEL"] * 2


def test_ics_and_feed_carry_the_meeting_and_wrong_tokens_are_not_found(client, world):
    token, pk = mh.meeting_args(world)
    with scopes_disabled():
        meeting = PairMeeting.objects.select_related("pair__programme").get(pk=pk)
    one = client.get(reverse("mentoring_meeting_ics", args=[token, pk]))
    assert one["Content-Type"].startswith("text/calendar")
    event = _event(one.content.decode())
    assert (str(event["uid"]), str(event["summary"])) == (
        f"{meeting.uid}@bollplank",
        meeting.pair.programme.name,
    )
    feed = client.get(reverse("mentoring_feed", args=[token])).content.decode()
    assert f"UID:{meeting.uid}@bollplank" in feed and "Nils" not in feed
    # The other person of another pair cannot open this meeting.
    pair2, _mentor2, token2 = mh.published_pair(world, name="Annat")
    assert client.get(reverse("mentoring_meeting_ics", args=[token2, pk])).status_code == 404
    assert client.get(reverse("mentoring_meeting_move", args=[token2, pk])).status_code == 404
    for name, args in [
        ("mentoring_meetings", ["fel"]),
        ("mentoring_feed", ["fel"]),
        ("mentoring_meeting_ics", ["fel", pk]),
        ("mentoring_meeting_move", ["fel", pk]),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 404, name


def test_coordinator_sees_held_and_planned_counts_not_content(client, world):
    token, pk = mh.meeting_args(world)
    with scopes_disabled():
        meeting = PairMeeting.objects.select_related("pair__programme").get(pk=pk)
        # One meeting already held.
        PairMeeting.objects.create(
            practice=world.practice,
            pair=meeting.pair,
            mentor=meeting.mentor,
            mentee=meeting.mentee,
            starts_at=clock.now() - dt.timedelta(days=3),
            ends_at=clock.now() - dt.timedelta(days=3) + dt.timedelta(hours=1),
            location="Hemligt rum",
        )
    with scope(practice=world.practice):
        assert meetings.meeting_counts(meeting.pair.programme) == {
            "meetings_held": 1,
            "meetings_planned": 1,
        }
    client.force_login(world.admin)
    body = client.get(
        reverse("mentoring_programme", args=["ekbacken", meeting.pair.programme.pk])
    ).content.decode()
    assert "Genomförda parträffar</dt><dd>1<" in body
    assert "Planerade parträffar</dt><dd>1<" in body
    assert "Hemligt rum" not in body


def test_exceptions_through_the_page_and_bad_dates(client, world):
    pair, mentor_token, _e = mh.published_pair(world)
    page = reverse("mentoring_meetings", args=[mentor_token])
    bad = client.post(
        page,
        {
            "action": "exception",
            "exc-kind": "closed",
            "exc-first_day": "2026-05-10",
            "exc-last_day": "2026-05-01",
        },
    )
    assert bad.status_code == 400
    assert "Sista dagen är före den första." in bad.content.decode()
    ok = client.post(
        page, {"action": "exception", "exc-kind": "closed", "exc-first_day": "2026-05-10"}
    )
    assert ok.status_code == 302
    with scopes_disabled():
        exc = MentorException.objects.get(mentor=pair.mentor)
    assert (exc.first_day, exc.last_day, exc.is_open) == (
        dt.date(2026, 5, 10),
        dt.date(2026, 5, 10),
        False,
    )


def test_ending_early_cancels_the_meetings_ahead_in_both_calendars(world):
    token, pk = mh.meeting_args(world)
    with scopes_disabled():
        meeting = PairMeeting.objects.select_related("pair__mentee", "pair__mentor").get(pk=pk)
    pair = meeting.pair
    with scope(practice=world.practice):
        from bollplank.mentoring import services

        services.pair_end_early(signup=pair.mentor, pair=pair, reason="Byter tjänst")
        meeting.refresh_from_db()
    assert (meeting.status, meeting.sequence) == (MeetingStatus.CANCELLED, 1)
    cancels = [m for m in _mails(meeting) if m.ics_method == "CANCEL"]
    assert sorted(m.to for m in cancels) == sorted([pair.mentee.email, pair.mentor.email])
    assert {int(_event(m.ics)["sequence"]) for m in cancels} == {1}

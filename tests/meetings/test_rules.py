"""Regression tests for rules found in review: roles act in their own capacity, meetings stay
consistent under concurrent changes, dates stay in range, the client never gets the room."""

from __future__ import annotations

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from bollplank.accounts.services import invitation_create
from bollplank.core import clock
from bollplank.core.audit import audit
from bollplank.core.audit_verify import verify_chain
from bollplank.core.roles import Role
from bollplank.engagements import services as engagement_services
from bollplank.meetings import services
from bollplank.meetings.models import Attendance, Meeting
from tests import factories as f
from tests import timecontrol as tc

P = "ekbacken"
STOCKHOLM = ZoneInfo("Europe/Stockholm")


def _future(world, engagement=None, days=10, hour=9):
    start = dt.datetime.combine(
        clock.today() + dt.timedelta(days=days), dt.time(hour), tzinfo=STOCKHOLM
    )
    return f.MeetingFactory(
        engagement=engagement or world.engagement,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
    )


@pytest.fixture
def long_engagement(world):
    world.engagement.end_date = clock.today() + dt.timedelta(days=400)
    world.engagement.save()
    world.other_engagement.end_date = world.engagement.end_date
    world.other_engagement.save()
    return world.engagement


def test_supervisor_in_colleagues_group_gets_no_staff_powers(client, world):
    # Olle supervises, and is himself supervised in Siv's group.
    f.MembershipFactory(practice=world.practice, user=world.other_supervisor, role=Role.PARTICIPANT)
    olle = f.ParticipantFactory(practice=world.practice, user=world.other_supervisor)
    f.GroupMembershipFactory(engagement=world.engagement, participant=olle)
    client.force_login(world.other_supervisor)
    e, m = world.engagement.pk, world.meeting.pk
    assert client.get(reverse("engagement_detail", args=[P, e])).status_code == 404
    assert client.get(reverse("engagement_edit", args=[P, e])).status_code == 404
    assert client.post(reverse("meeting_cancel", args=[P, m])).status_code == 404
    assert client.post(reverse("meeting_move", args=[P, m]), {}).status_code == 404
    # As a participant he still sees the meeting, without the attendance form.
    detail = client.get(reverse("meeting_detail", args=[P, m]))
    assert detail.status_code == 200
    assert 'name="attendance-' not in detail.content.decode()


@pytest.mark.django_db(transaction=True)
def test_concurrent_audit_writers_keep_one_chain():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers itself; the race is PostgreSQL's")
    practice = f.PracticeFactory()
    failures: list[BaseException] = []

    def write() -> None:
        try:
            for _ in range(5):
                audit(None, "test.concurrent", practice)
        except BaseException as exc:  # noqa: BLE001 — reported below
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=write) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    assert verify_chain().ok


def test_new_supervisor_must_be_free_for_meetings_ahead(world, long_engagement):
    ahead = _future(world)
    _future(world, world.other_engagement)  # Olle is busy at the same time
    with scope(practice=world.practice), pytest.raises(ValidationError) as exc:
        engagement_services.engagement_update(
            actor=world.admin, engagement=world.engagement, supervisor=world.other_supervisor
        )
    assert "supervisor" in exc.value.message_dict
    ahead.refresh_from_db()
    assert ahead.supervisor == world.supervisor


def test_supervisor_change_moves_only_meetings_ahead(world, long_engagement):
    ahead = _future(world, days=20)
    with scope(practice=world.practice):
        engagement_services.engagement_update(
            actor=world.admin, engagement=world.engagement, supervisor=world.other_supervisor
        )
    ahead.refresh_from_db()
    world.meeting.refresh_from_db()
    assert (ahead.supervisor, ahead.sequence) == (world.other_supervisor, 1)
    assert world.meeting.supervisor == world.supervisor  # held by Siv, stays so


def test_venue_change_reaches_planned_meetings_and_calendars(world, long_engagement):
    ahead = _future(world)
    with scope(practice=world.practice):
        engagement_services.engagement_update(
            actor=world.supervisor,
            engagement=world.engagement,
            venue="video",
            video_url="https://video.example/rum-7",
        )
    ahead.refresh_from_db()
    assert (ahead.location, ahead.sequence) == ("https://video.example/rum-7", 1)


@pytest.mark.parametrize(
    "query", ["?date=9999-12-31", "?date=0001-01-01", "?date=nonsense"], ids=["max", "min", "bad"]
)
def test_calendar_week_out_of_range_falls_back_to_today(client, world, query):
    client.force_login(world.supervisor)
    response = client.get(reverse("calendar_week", args=[P]) + query)
    assert response.status_code == 200
    assert f"Vecka {clock.today().isocalendar().week}" in response.content.decode()


@pytest.mark.parametrize("month", ["9999-12", "0001-01", "2026-13"])
def test_calendar_month_out_of_range_falls_back(client, world, month):
    client.force_login(world.supervisor)
    assert client.get(reverse("calendar_month", args=[P]) + f"?month={month}").status_code == 200


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_meeting_form_refuses_dates_out_of_range(client, world, day):
    client.force_login(world.supervisor)
    response = client.post(
        reverse("meeting_create", args=[P, world.engagement.pk]),
        {"day": day, "time": "23:30", "minutes": "60", "focus": ""},
    )
    assert response.status_code == 400
    assert "2000-01-01" in response.content.decode()


def test_series_rows_out_of_range_are_refused(client, world):
    client.force_login(world.supervisor)
    response = client.post(
        reverse("series_plan", args=[P, world.engagement.pk]),
        {
            "first_day": "2026-09-01",
            "time": "09:00",
            "minutes": "120",
            "interval_weeks": "1",
            "end_mode": "count",
            "count": "1",
            "action": "create",
            "rows": "1",
            "day-0": "9999-12-31",
            "time-0": "09:00",
            "include-0": "on",
        },
    )
    assert response.status_code == 400


def test_move_through_a_stale_copy_cannot_undo_a_cancellation(world, long_engagement):
    meeting = _future(world)
    stale = Meeting.objects.with_scopes_disabled().get(pk=meeting.pk)
    with scope(practice=world.practice):
        services.meeting_cancel(
            cancelled_by="supervisor", reason="Sjukdom", actor=None, meeting=meeting
        )
        with pytest.raises(ValidationError) as exc:
            services.meeting_reschedule(
                actor=None,
                meeting=stale,
                day=clock.today() + dt.timedelta(days=11),
                time=dt.time(9),
                minutes=60,
            )
    assert exc.value.code == "cancelled"
    meeting.refresh_from_db()
    assert (meeting.status, meeting.sequence) == ("cancelled", 1)


def test_attendance_only_for_members_on_that_day(world):
    with scopes_disabled():
        leaver = world.engagement.memberships.first()
        leaver.left_on = dt.date(2026, 2, 1)
        leaver.save()
    with scope(practice=world.practice), pytest.raises(ValidationError) as exc:
        services.attendance_record(
            actor=None, meeting=world.meeting, statuses={leaver.participant_id: "present"}
        )
    assert exc.value.code == "not_member"


def test_future_meeting_takes_only_late_cancellations(world, long_engagement):
    meeting = _future(world)
    with scopes_disabled():
        pid = world.engagement.memberships.first().participant_id
    with scope(practice=world.practice):
        with pytest.raises(ValidationError) as exc:
            services.attendance_record(actor=None, meeting=meeting, statuses={pid: "present"})
        assert exc.value.code == "not_started"
        services.attendance_record(actor=None, meeting=meeting, statuses={pid: "late_cancelled"})
        assert Attendance.objects.get(meeting=meeting).status == "late_cancelled"


def test_supervisor_is_one_person_across_practices(world, long_engagement):
    # Siv also supervises for the other practice, at 09:00 on a day ahead.
    f.MembershipFactory(practice=world.other_practice, user=world.supervisor, role=Role.SUPERVISOR)
    there = f.EngagementFactory(
        practice=world.other_practice,
        supervisor=world.supervisor,
        title="Hemligt uppdrag",
        end_date=long_engagement.end_date,
    )
    busy = _future(world, there, days=30)
    with scope(practice=world.practice), pytest.raises(ValidationError) as exc:
        services.meeting_create(
            actor=None,
            engagement=world.engagement,
            day=timezone.localtime(busy.starts_at).date(),
            time=dt.time(9, 30),
        )
    assert exc.value.code == "double_booking"
    assert "Hemligt" not in exc.value.messages[0]


def test_client_contact_calendar_has_no_place(client, world, long_engagement):
    world.engagement.venue_address = ""
    meeting = _future(world)
    Meeting.objects.with_scopes_disabled().filter(pk=meeting.pk).update(
        location="https://video.example/hemligt-rum"
    )
    client.force_login(world.contact_user)
    body = client.get(reverse("meeting_ics", args=[P, meeting.pk])).content
    event = next(iter(icalendar.Calendar.from_ical(body).walk("VEVENT")))
    assert "LOCATION" not in event
    client.force_login(world.participant_user)
    body = client.get(reverse("meeting_ics", args=[P, meeting.pk])).content
    assert b"hemligt-rum" in body


def test_meeting_length_is_real_time_across_the_spring_change(world):
    # 01:30 on the night the clocks go forward: 120 minutes end at 04:30 local, not 03:30.
    # The next such night: meetings are planned ahead only.
    night = tc.spring_change()
    world.engagement.end_date = max(world.engagement.end_date, night)
    with scope(practice=world.practice):
        meeting = services.meeting_create(
            actor=None,
            engagement=world.engagement,
            day=night,
            time=dt.time(1, 30),
            minutes=120,
        )
    assert meeting.ends_at - meeting.starts_at == dt.timedelta(hours=2)
    assert meeting.ends_at.astimezone(STOCKHOLM).time() == dt.time(4, 30)


def test_practice_time_zone_does_not_leak_into_the_next_request(client, world):
    world.practice.timezone = "America/New_York"
    world.practice.save()
    client.force_login(world.supervisor)
    client.get(reverse("dashboard", args=[P]))
    assert timezone.get_current_timezone_name() == "Europe/Stockholm"


def test_invitation_subject_is_not_html_escaped(world, django_capture_on_commit_callbacks):
    world.practice.name = "Berg & Dal's handledning"
    world.practice.save()
    with scope(practice=world.practice), django_capture_on_commit_callbacks(execute=True):
        invitation_create(
            actor=world.admin,
            practice=world.practice,
            email="x@example.se",
            name="X",
            role=Role.SUPERVISOR,
        )
    assert mail.outbox[0].subject == "Inbjudan till Berg & Dal's handledning i Bollplank"


def test_meetings_outside_the_period_are_refused(world):
    with scope(practice=world.practice), pytest.raises(ValidationError) as exc:
        services.meeting_create(
            actor=None, engagement=world.engagement, day=dt.date(2035, 3, 6), time=dt.time(9)
        )
    assert exc.value.code == "outside_period"


def test_series_marks_dates_outside_the_period(world):
    # Weekly from two weeks before the engagement's last day, which is a Sunday here.
    end = world.engagement.end_date
    end += dt.timedelta(days=(6 - end.weekday()) % 7)
    with scopes_disabled():
        world.engagement.end_date = end
        world.engagement.save()
    first = end - dt.timedelta(days=12)
    with scope(practice=world.practice):
        proposals = services.series_propose(
            engagement=world.engagement,
            first_day=first,
            time=dt.time(9),
            interval_weeks=1,
            count=3,
            skip_holidays=False,
        )
    # The series stops at the first date after the period.
    week = dt.timedelta(weeks=1)
    assert [(p.day, p.status) for p in proposals] == [
        (first, "ok"),
        (first + week, "ok"),
        (first + 2 * week, "outside"),
    ]

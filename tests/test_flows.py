"""End-to-end through the views (Django test client): what a supervisor does, and what
each other role then sees — and bad input that must be refused without losing anything."""

from __future__ import annotations

import datetime as dt
import re

import icalendar
from django.core import mail
from django.urls import reverse
from django_scopes import scopes_disabled

from bollplank.clients.models import Client
from bollplank.core import clock
from bollplank.engagements.models import Engagement
from bollplank.meetings.models import Attendance, Meeting
from tests import factories as f
from tests import timecontrol as tc
from tests.factories import PASSWORD

P = "ekbacken"
DAY = dt.timedelta(days=1)


def test_supervisor_creates_client_engagement_and_series(client, world):
    spring = tc.spring_change()  # the Sunday the clocks go forward
    client.force_login(world.supervisor)
    response = client.post(
        reverse("client_create", args=[P]),
        {"name": "Björkskolan", "org_number": "2120000142", "sector": "school", "language": "sv"},
    )
    with scopes_disabled():
        created = Client.objects.get(name="Björkskolan")
    assert response.status_code == 302
    assert created.org_number == "212000-0142"

    response = client.post(
        reverse("engagement_create", args=[P]),
        {
            "client": created.pk,
            "supervisor": world.supervisor.pk,
            "title": "Fritidspersonalen",
            "form": "group",
            "focus": "process",
            "meeting_minutes": "",
            "meetings_ordered": 6,
            "start_date": str(spring - 27 * DAY),
            "end_date": str(spring + 94 * DAY),
            "venue": "client",
            "venue_address": "Björkvägen 2",
            "price_kr": "4500",
            "participants_text": "Anna Ek, anna@bjork.se\nBo Lind <bo@bjork.se>",
        },
    )
    with scopes_disabled():
        engagement = Engagement.objects.get(title="Fritidspersonalen")
    assert response.status_code == 302
    assert (engagement.meeting_minutes, engagement.price_per_meeting_ore) == (120, 450000)

    plan = reverse("series_plan", args=[P, engagement.pk])
    params = {
        "first_day": str(spring - 5 * DAY),
        "time": "09:00",
        "minutes": "120",
        "interval_weeks": "1",
        "end_mode": "count",
        "count": "3",
        "skip_holidays": "on",
        "focus": "",
    }
    preview = client.post(plan, {**params, "action": "preview"})
    body = preview.content.decode()
    # Three Tuesdays across the Sunday the clocks go forward (no Swedish holiday is a Tuesday
    # in March or April).
    assert body.count('name="day-') == 3
    rows = {"rows": "3"}
    tuesdays = [spring - 5 * DAY, spring + 2 * DAY, spring + 9 * DAY]
    for i, day in enumerate(str(d) for d in tuesdays):
        rows |= {f"day-{i}": day, f"time-{i}": "09:00", f"include-{i}": "on"}
    response = client.post(plan, {**params, **rows, "action": "create"})
    assert response.status_code == 302
    with scopes_disabled():
        starts = list(
            Meeting.objects.filter(engagement=engagement).values_list("starts_at", flat=True)
        )
    assert [s.astimezone(dt.UTC).hour for s in starts] == [8, 7, 7]


def test_series_preview_shows_the_holiday_it_skips(client, world):
    christmas = tc.holiday("Juldagen")
    world.engagement.end_date = christmas + 60 * DAY
    world.engagement.save()
    client.force_login(world.supervisor)
    response = client.post(
        reverse("series_plan", args=[P, world.engagement.pk]),
        {
            "first_day": str(christmas - 7 * DAY),
            "time": "10:00",
            "minutes": "120",
            "interval_weeks": "1",
            "end_mode": "count",
            "count": "2",
            "skip_holidays": "on",
            "action": "preview",
        },
    )
    body = response.content.decode()
    # A week apart: 18 Dec is ordinary, 25 Dec is Christmas Day, 1 Jan New Year's Day.
    assert "Juldagen" in body
    assert "Nyårsdagen" in body
    assert f'value="{christmas}"' in body


def _future_meeting(world, engagement=None):
    start = clock.now().replace(microsecond=0) + dt.timedelta(days=10)
    return f.MeetingFactory(
        engagement=engagement or world.engagement,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
    )


def test_participant_sees_own_meetings_and_no_one_elses(client, world):
    _future_meeting(world)
    _future_meeting(world, world.other_engagement)
    client.force_login(world.participant_user)
    page = client.get(reverse("participant_home", args=[P])).content.decode()
    detail = client.get(reverse("meeting_detail", args=[P, world.meeting.pk])).content.decode()
    assert world.engagement.title in page
    assert world.other_engagement.title not in page
    assert 'name="attendance-' not in detail


def test_participant_start_page_shows_the_next_few_and_every_case_turn(client, world):
    """Someone in several groups has a hundred meetings ahead: the start page shows the next
    twelve and links to the calendar, but a case turn further ahead is still announced."""
    from bollplank.records.models import CaseTurn

    start = clock.now().replace(microsecond=0) + dt.timedelta(days=1)
    with scopes_disabled():
        meetings = [
            f.MeetingFactory(
                engagement=world.engagement,
                starts_at=start + dt.timedelta(weeks=k),
                ends_at=start + dt.timedelta(weeks=k, hours=2),
            )
            for k in range(15)
        ]
        pia = world.engagement.memberships.get(participant__user=world.participant_user)
        CaseTurn.objects.create(
            practice=world.practice, meeting=meetings[14], participant=pia.participant
        )
    client.force_login(world.participant_user)
    response = client.get(reverse("participant_home", args=[P]))
    page = response.content.decode()
    assert [m.pk for m in response.context["upcoming"]] == [m.pk for m in meetings[:12]]
    assert reverse("calendar_month", args=[P]) in page
    assert [t.meeting_id for t in response.context["my_turns"]] == [meetings[14].pk]


def test_client_contact_sees_counts_and_no_names(client, world):
    with scopes_disabled():
        for membership in world.engagement.memberships.all():
            Attendance.objects.create(
                practice=world.practice,
                meeting=world.meeting,
                participant=membership.participant,
                status="present",
            )
    client.force_login(world.contact_user)
    page = client.get(reverse("client_home", args=[P])).content.decode()
    assert world.engagement.title in page
    assert "Pia Deltagare" not in page
    assert "2 närvarotillfällen av 2 möjliga" in page
    url = reverse("client_schedule", args=[P, world.engagement.pk])
    schedule = client.get(url).content.decode()
    assert "Pia Deltagare" not in schedule
    assert re.search(r'<td data-label="Närvarande">2</td>', schedule)


def test_attendance_recorded_by_supervisor(client, world):
    client.force_login(world.supervisor)
    with scopes_disabled():
        ids = [m.participant_id for m in world.engagement.memberships.all()]
    response = client.post(
        reverse("meeting_attendance", args=[P, world.meeting.pk]),
        {f"attendance-{ids[0]}": "present", f"attendance-{ids[1]}": "late_cancelled"},
    )
    assert response.status_code == 302
    with scopes_disabled():
        statuses = dict(
            Attendance.objects.filter(meeting=world.meeting).values_list("participant_id", "status")
        )
    assert statuses == {ids[0]: "present", ids[1]: "late_cancelled"}


def test_attendance_for_someone_outside_the_group_is_refused(client, world):
    client.force_login(world.supervisor)
    with scopes_disabled():
        stranger = world.other_engagement.memberships.first().participant_id
    client.post(
        reverse("meeting_attendance", args=[P, world.meeting.pk]),
        {f"attendance-{stranger}": "present"},
    )
    with scopes_disabled():
        assert Attendance.objects.filter(meeting=world.meeting).count() == 0


def test_move_changes_feed_sequence_and_keeps_uid(client, world):
    meeting = _future_meeting(world)  # a held one is history and is not moved
    client.force_login(world.supervisor)
    day = tc.workday_after(10)
    client.post(
        reverse("meeting_move", args=[P, meeting.pk]),
        {"day": str(day), "time": "13:00", "minutes": "120"},
    )
    ics = client.get(reverse("meeting_ics", args=[P, meeting.pk]))
    event = next(iter(icalendar.Calendar.from_ical(ics.content).walk("VEVENT")))
    assert str(event["UID"]).startswith(str(meeting.uid))
    assert int(event["SEQUENCE"]) == 1
    assert event.decoded("DTSTART").strftime("%Y-%m-%d %H:%M") == f"{day} 13:00"


def test_feed_shows_participant_meetings_and_cancellations(client, world):
    meeting = _future_meeting(world)
    client.force_login(world.participant_user)
    response = client.post(reverse("feed_settings", args=[P]), {"action": "create"})
    url = re.search(r'value="(http[^"]+\.ics)"', response.content.decode())[1]
    client.logout()
    client.force_login(world.supervisor)
    client.post(
        reverse("meeting_cancel", args=[P, meeting.pk]),
        {"cancelled_by": "supervisor", "reason": "Sjukdom", "confirm": "yes"},
    )
    client.logout()
    feed = client.get(url.replace("http://testserver", ""))
    cal = icalendar.Calendar.from_ical(feed.content)
    status = {str(e["UID"]).split("@")[0]: str(e["STATUS"]) for e in cal.walk("VEVENT")}
    # The world's March meeting is in the past year's window; the cancelled one keeps its UID.
    assert status == {str(world.meeting.uid): "CONFIRMED", str(meeting.uid): "CANCELLED"}
    assert cal.walk("VTIMEZONE")[0]["TZID"] == "Europe/Stockholm"
    # Each event links to its own meeting's page.
    links = {str(e["UID"]).split("@")[0]: str(e["URL"]) for e in cal.walk("VEVENT")}
    assert links[str(meeting.uid)] == f"http://testserver/p/{P}/meetings/{meeting.pk}/"
    assert links[str(world.meeting.uid)] == f"http://testserver/p/{P}/meetings/{world.meeting.pk}/"


def test_invitation_lets_participant_set_password_and_log_in(
    client, world, django_capture_on_commit_callbacks
):
    client.force_login(world.supervisor)
    with scopes_disabled():
        membership = world.engagement.memberships.exclude(
            participant__user=world.participant_user
        ).first()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("participant_invite", args=[P, world.engagement.pk, membership.pk]))
    assert len(mail.outbox) == 1
    link = re.search(r"http://\S+/invitation/\S+/", mail.outbox[0].body)[0]
    assert mail.outbox[0].subject.startswith("Inbjudan")
    client.logout()
    path = link.split("8000", 1)[-1] if ":8000" in link else "/" + link.split("/", 3)[3]
    response = client.post(
        path, {"name": "Ny Person", "password1": PASSWORD, "password2": PASSWORD}
    )
    assert response.status_code == 302
    home = client.get(reverse("participant_home", args=[P]))
    assert home.status_code == 200
    again = client.get(path)
    assert again.status_code == 404  # used once


# --- bad input ------------------------------------------------------------------------------


def test_invalid_org_number_is_refused_with_message_and_input_kept(client, world):
    client.force_login(world.supervisor)
    response = client.post(
        reverse("client_create", args=[P]),
        {
            "name": "Skolan <b>X</b>",
            "org_number": "212000-0143",
            "sector": "school",
            "language": "sv",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "organisationsnummer" in body
    assert 'value="Skolan &lt;b&gt;X&lt;/b&gt;"' in body
    with scopes_disabled():
        assert not Client.objects.filter(name__startswith="Skolan").exists()


def test_one_megabyte_of_text_is_refused_and_nothing_saved(client, world):
    client.force_login(world.supervisor)
    response = client.post(
        reverse("client_edit", args=[P, world.client.pk]),
        {
            "name": world.client.name,
            "org_number": "",
            "sector": "school",
            "language": "sv",
            "mission": "x" * 1_000_000,
        },
    )
    assert response.status_code == 200
    assert "20000" in response.content.decode().replace("\xa0", "").replace(" ", "")
    world.client.refresh_from_db()
    assert world.client.mission == ""


def test_script_in_text_is_escaped_everywhere(client, world):
    client.force_login(world.supervisor)
    hostile = '<script>alert("x")</script>'
    client.post(
        reverse("client_edit", args=[P, world.client.pk]),
        {
            "name": hostile,
            "org_number": "",
            "sector": "school",
            "language": "sv",
            "mission": hostile,
        },
    )
    for url in (
        reverse("client_detail", args=[P, world.client.pk]),
        reverse("client_list", args=[P]),
    ):
        body = client.get(url).content.decode()
        assert hostile not in body
        assert "&lt;script&gt;" in body


def test_group_of_one_in_form_shows_message_and_keeps_input(client, world):
    client.force_login(world.supervisor)
    response = client.post(
        reverse("engagement_create", args=[P]),
        {
            "client": world.client.pk,
            "supervisor": world.supervisor.pk,
            "title": "Ensam grupp",
            "form": "group",
            "focus": "process",
            "meetings_ordered": 4,
            "start_date": "2027-01-01",
            "end_date": "2027-06-01",
            "venue": "video",
            "participants_text": "Ada Ek, ada@ex.se",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "minst 2" in body
    assert "Ada Ek, ada@ex.se" in body


def test_series_ending_before_start_shows_message(client, world):
    client.force_login(world.supervisor)
    response = client.post(
        reverse("series_plan", args=[P, world.engagement.pk]),
        {
            "first_day": str(tc.workday_after(60)),
            "time": "09:00",
            "minutes": "120",
            "interval_weeks": "2",
            "end_mode": "until",
            "until": str(tc.workday_after(30)),
            "action": "preview",
        },
    )
    assert str(tc.workday_after(30)) in response.content.decode()
    assert 'name="rows"' not in response.content.decode()


def test_double_booking_single_meeting_is_refused_with_the_conflict_named(client, world):
    day = tc.workday_after(10)
    with scopes_disabled():
        world.meeting.starts_at, world.meeting.ends_at = tc.local(day, 9), tc.local(day, 11)
        world.meeting.save()
    client.force_login(world.supervisor)
    response = client.post(
        reverse("meeting_create", args=[P, world.engagement.pk]),
        {"day": str(day), "time": "10:30", "minutes": "60", "focus": ""},
    )
    body = response.content.decode()
    assert world.engagement.title in body
    assert 'value="10:30"' in body
    with scopes_disabled():
        assert Meeting.objects.filter(engagement=world.engagement).count() == 1


def test_nonexistent_dst_time_is_refused_in_the_form(client, world):
    client.force_login(world.supervisor)
    response = client.post(
        reverse("meeting_create", args=[P, world.engagement.pk]),
        {"day": str(tc.spring_change()), "time": "02:30", "minutes": "60", "focus": ""},
    )
    assert str(tc.spring_change()) in response.content.decode()
    with scopes_disabled():
        assert Meeting.objects.filter(engagement=world.engagement).count() == 1


def test_english_is_switchable(client, world):
    client.force_login(world.supervisor)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = client.get(reverse("client_list", args=[P])).content.decode()
    assert '<html lang="en">' in body
    assert ">Clients<" in body


def test_engagement_can_be_ended_from_the_edit_form(client, world):
    client.force_login(world.supervisor)
    e = world.engagement
    response = client.post(
        reverse("engagement_edit", args=[P, e.pk]),
        {
            "client": e.client_id,
            "supervisor": e.supervisor_id,
            "title": e.title,
            "form": e.form,
            "focus": e.focus,
            "meeting_minutes": e.meeting_minutes,
            "meetings_ordered": e.meetings_ordered,
            "start_date": str(e.start_date),
            "end_date": str(e.end_date),
            "venue": e.venue,
            "venue_address": e.venue_address,
            "price_kr": "4500,00",
            "status": "ended",
        },
    )
    assert response.status_code == 302
    e.refresh_from_db()
    assert (e.status, e.price_per_meeting_ore) == ("ended", 450000)


def test_two_factor_pages_render_in_the_layout(client, world):
    client.force_login(world.participant_user)
    body = client.get(reverse("mfa_index")).content.decode()
    assert '<html lang="sv">' in body
    assert "Tillgänglighetsredogörelse" in body


def test_login_page_has_labels_and_no_sign_up_link(client, db):
    body = client.get(reverse("account_login")).content.decode()
    assert '<label for="id_login">' in body and '<label for="id_password">' in body
    assert "/accounts/signup/" not in body
    assert "inbjudan" in body


def test_oversized_request_gets_a_swedish_page(client, world, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client.force_login(world.supervisor)
    response = client.post(
        reverse("client_edit", args=[P, world.client.pk]), {"mission": "å" * 5000}
    )
    assert response.status_code == 400
    assert "för stort" in response.content.decode()

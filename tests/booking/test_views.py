"""The booking pages as people use them: what they see, what is saved, what bad input gets."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scopes_disabled

from bollplank.booking.models import AvailabilityException, OutsideCalendar, WeeklyHours
from bollplank.booking.selectors import free_times
from bollplank.core import clock
from tests.booking.helpers import ICS_ONE, individual

P = "ekbacken"


def test_participant_books_a_free_time_from_the_page(client, world):
    engagement = individual(world)
    client.force_login(world.participant_user)
    url = reverse("booking_book", args=[P, engagement.pk])
    page = client.get(url).content.decode()
    with scopes_disabled():
        slot = free_times(engagement, now=clock.now()).slots()[0]
    assert f'value="{slot.isoformat()}"' in page
    response = client.post(url, {"start": slot.isoformat()})
    assert response.status_code == 302
    with scopes_disabled():
        assert list(engagement.meetings.values_list("starts_at", flat=True)) == [slot]
    home = client.get(reverse("booking_home", args=[P])).content.decode()
    with scopes_disabled():
        meeting = engagement.meetings.get()
    assert "1 / 3" in home
    assert reverse("meeting_ics", args=[P, meeting.pk]) in home


def test_bad_slot_gets_a_swedish_message_and_books_nothing(client, world):
    engagement = individual(world)
    client.force_login(world.participant_user)
    url = reverse("booking_book", args=[P, engagement.pk])
    for value in ["", "not-a-time", "2026-03-02T10:00:00"]:
        response = client.post(url, {"start": value})
        assert response.status_code == 400
        assert "Välj en av de lediga tiderna" in response.content.decode()
    past = (clock.now() - dt.timedelta(days=1)).isoformat()
    response = client.post(url, {"start": past})
    assert response.status_code == 400
    assert "redan passerat" in response.content.decode()
    with scopes_disabled():
        assert engagement.meetings.count() == 0


def test_participant_moves_and_cancels_from_the_page(client, world):
    engagement = individual(world)
    client.force_login(world.participant_user)
    with scopes_disabled():
        slots = free_times(engagement, now=clock.now()).slots()
    far = [s for s in slots if s - clock.now() > dt.timedelta(days=3)]
    client.post(reverse("booking_book", args=[P, engagement.pk]), {"start": far[0].isoformat()})
    with scopes_disabled():
        meeting = engagement.meetings.get()
    response = client.post(
        reverse("booking_move", args=[P, meeting.pk]), {"start": far[8].isoformat()}
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.starts_at, meeting.sequence) == (far[8], 1)
    # First the consequence, and nothing changes until the participant confirms.
    step = client.post(reverse("booking_cancel", args=[P, meeting.pk]), {"reason": "Förhinder"})
    assert "Debiteras inte." in step.content.decode()
    meeting.refresh_from_db()
    assert meeting.status == "planned"
    response = client.post(
        reverse("booking_cancel", args=[P, meeting.pk]),
        {"reason": "Förhinder", "confirm": "yes"},
        follow=True,
    )
    meeting.refresh_from_db()
    assert (meeting.status, meeting.late_cancellation) == ("cancelled", False)
    assert (meeting.cancelled_by, meeting.cancel_reason) == ("participant", "Förhinder")
    assert "Träffen är inställd" in response.content.decode() or meeting.is_cancelled


def test_supervisor_sets_hours_and_bad_hours_keep_what_was_typed(client, world):
    client.force_login(world.supervisor)
    url = reverse("booking_availability", args=[P])
    ok = {
        "action": "hours",
        "hours-weekday": "1",
        "hours-start": "08:30",
        "hours-end": "11:45",
        "hours-place": "video",
    }
    assert client.post(url, ok).status_code == 302
    bad = {**ok, "hours-start": "15:00", "hours-end": "14:00"}
    response = client.post(url, bad)
    page = response.content.decode()
    assert response.status_code == 400
    assert 'value="15:00"' in page and 'value="14:00"' in page
    with scopes_disabled():
        rows = list(WeeklyHours.objects.values_list("weekday", "start", "end", "place"))
    assert rows == [(1, dt.time(8, 30), dt.time(11, 45), "video")]


def test_supervisor_closes_a_range_and_opens_a_holiday(client, world):
    client.force_login(world.supervisor)
    url = reverse("booking_availability", args=[P])
    client.post(
        url,
        {
            "action": "exception",
            "exc-kind": "closed",
            "exc-first_day": "2030-07-01",
            "exc-last_day": "2030-07-31",
        },
    )
    client.post(url, {"action": "exception", "exc-kind": "open", "exc-first_day": "2030-06-06"})
    response = client.post(
        url,
        {
            "action": "exception",
            "exc-kind": "open",
            "exc-first_day": "2030-06-07",
            "exc-start": "10:00",
        },
    )
    assert response.status_code == 400
    with scopes_disabled():
        rows = list(AvailabilityException.objects.values_list("is_open", "first_day", "last_day"))
    assert rows == [
        (True, dt.date(2030, 6, 6), dt.date(2030, 6, 6)),
        (False, dt.date(2030, 7, 1), dt.date(2030, 7, 31)),
    ]


def test_upload_of_a_broken_file_says_why_and_adds_nothing(client, world):
    client.force_login(world.supervisor)
    url = reverse("booking_calendars", args=[P])
    response = client.post(
        url,
        {
            "action": "upload",
            "upload-name": "Min kalender",
            "upload-file": SimpleUploadedFile("x.ics", b"garbage"),
        },
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert 'value="Min kalender"' in page
    assert "kalenderfil" in page.lower() or "calendar file" in page.lower()
    with scopes_disabled():
        assert OutsideCalendar.objects.count() == 0


def test_calendar_names_are_escaped(client, world):
    client.force_login(world.supervisor)
    client.post(
        reverse("booking_calendars", args=[P]),
        {
            "action": "upload",
            "upload-name": "<script>x</script>",
            "upload-file": SimpleUploadedFile("x.ics", ICS_ONE),
        },
    )
    page = client.get(reverse("booking_calendars", args=[P])).content.decode()
    assert "&lt;script&gt;x&lt;/script&gt;" in page
    assert "<script>x" not in page


def test_visitor_books_once_through_a_link(client, world):
    engagement = individual(world)
    client.force_login(world.supervisor)
    response = client.post(
        reverse("booking_links", args=[P]), {"engagement": engagement.pk, "label": "Förfrågan Kim"}
    )
    link_url = response.context["new_url"]
    client.logout()
    path = link_url.split("testserver", 1)[1]
    with scopes_disabled():
        slot = free_times(engagement, now=clock.now()).slots()[0]
    assert client.post(path, {"start": slot.isoformat()}).status_code == 302
    page = client.get(path)
    assert page.status_code == 200
    ics = client.get(path + "ics/")
    assert ics["Content-Type"].startswith("text/calendar")
    assert b"BEGIN:VEVENT" in ics.content
    again = client.post(path, {"start": slot.isoformat()})
    assert again.status_code == 400
    assert "redan använts" in again.content.decode()
    with scopes_disabled():
        assert engagement.meetings.count() == 1


def test_unknown_link_is_not_found(client, db):
    assert client.get(reverse("booking_link", args=["nope"])).status_code == 404

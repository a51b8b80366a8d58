"""A meeting's page offers what can be recorded at that moment and leads back to its engagement;
a series plan opens on a date still ahead and says plainly when a time has passed."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from bollplank.meetings.models import Attendance
from tests import factories as f
from tests import timecontrol as tc

P = "ekbacken"
DAY = dt.timedelta(days=1)


def _ahead(world, days=10):
    day = tc.workday_after(days)
    return f.MeetingFactory(
        engagement=world.engagement, starts_at=tc.local(day, 9), ends_at=tc.local(day, 11)
    )


# --- attendance before and after the start ---------------------------------------------------


def test_meeting_ahead_offers_only_a_late_cancellation(client, world):
    meeting = _ahead(world)
    client.force_login(world.supervisor)
    url = reverse("meeting_detail", args=[P, meeting.pk])
    page = client.get(url).content.decode()
    assert "Närvaron registreras när träffen har börjat." in page
    assert 'value="present"' not in page
    assert 'value="absent"' not in page
    assert "Spara närvaro" not in page
    with scopes_disabled():
        pia = world.engagement.memberships.get(participant__name="Pia Deltagare").participant
    boxes = re.findall(r'<input type="checkbox" name="attendance-(\d+)"[^>]*>', page)
    assert str(pia.pk) in boxes and len(boxes) == 2

    saved = client.post(
        reverse("meeting_attendance", args=[P, meeting.pk]),
        {f"attendance-{pia.pk}": "late_cancelled"},
        follow=True,
    )
    assert "Närvaron är sparad." in saved.content.decode()
    with scopes_disabled():
        assert list(
            Attendance.objects.filter(meeting=meeting).values_list("status", flat=True)
        ) == ["late_cancelled"]
    # Recorded: shown as checked, and not offered again.
    again = client.get(url).content.decode()
    assert re.search(rf'name="attendance-{pia.pk}"[^>]*checked disabled', again)


def test_meeting_that_has_begun_offers_the_full_form(client, world, traveller):
    meeting = _ahead(world)
    traveller.move_to(meeting.starts_at + dt.timedelta(minutes=5))
    client.force_login(world.supervisor)
    page = client.get(reverse("meeting_detail", args=[P, meeting.pk])).content.decode()
    assert "Närvaron registreras när träffen har börjat." not in page
    assert 'value="present"' in page and 'value="absent"' in page
    assert "Spara närvaro" in page


# --- the way back to the engagement ----------------------------------------------------------


def _engagement_link(world) -> str:
    href = reverse("engagement_detail", args=[P, world.engagement.pk])
    return f'<a href="{href}">{world.engagement.title}</a>'


@pytest.mark.parametrize("who", ["supervisor", "admin"])
def test_held_meeting_links_to_its_engagement_for_staff(client, world, who):
    client.force_login(getattr(world, who))
    page = client.get(reverse("meeting_detail", args=[P, world.meeting.pk])).content.decode()
    assert _engagement_link(world) in page
    # The link leads to a page the person may open.
    assert (
        client.get(reverse("engagement_detail", args=[P, world.engagement.pk])).status_code == 200
    )


def test_participant_gets_no_link_to_the_engagement_page(client, world):
    client.force_login(world.participant_user)
    page = client.get(reverse("meeting_detail", args=[P, world.meeting.pk])).content.decode()
    assert world.engagement.title in page
    assert reverse("engagement_detail", args=[P, world.engagement.pk]) not in page


# --- the series plan's first date ------------------------------------------------------------


def _first_day_value(page: str) -> str:
    found = re.search(r'<input type="date" name="first_day" value="([\d-]+)"', page)
    assert found, "no first_day field"
    return found.group(1)


def _friday_before(sunday: dt.date) -> dt.date:
    return sunday - 2 * DAY


@pytest.mark.parametrize(
    ("day_of", "hour", "minute", "expected"),
    [
        # Before the default 09:00: today still can be planned.
        (lambda: tc.workday_after(7), 8, 30, lambda d: d),
        # Late in the day, as in the report (12:25): the next working day.
        (lambda: tc.workday_after(7), 12, 25, lambda d: tc.workday(d + DAY)),
        (lambda: tc.workday_after(7), 23, 30, lambda d: tc.workday(d + DAY)),
        # A Friday afternoon before the clocks change, in local time: the next working day
        # after the weekend (Good Friday may be that Friday, and Easter Monday the Monday).
        (lambda: _friday_before(tc.autumn_change()), 16, 0, lambda d: tc.workday(d + DAY)),
        (lambda: _friday_before(tc.spring_change()), 16, 0, lambda d: tc.workday(d + DAY)),
    ],
)
def test_series_plan_opens_on_a_date_ahead(
    client, world, traveller, day_of, hour, minute, expected
):
    day = day_of()
    with scopes_disabled():
        world.engagement.start_date = day - 30 * DAY
        world.engagement.end_date = day + 300 * DAY
        world.engagement.save()
    traveller.move_to(tc.local(day, hour, minute))
    client.force_login(world.supervisor)
    url = reverse("series_plan", args=[P, world.engagement.pk])
    page = client.get(url).content.decode()
    assert _first_day_value(page) == expected(day).isoformat()
    assert 'name="time" value="09:00"' in page


def test_series_plan_defaults_give_no_passed_first_row_at_lunchtime(client, world, traveller):
    day = tc.workday_after(7)
    traveller.move_to(tc.local(day, 12, 25))
    client.force_login(world.supervisor)
    url = reverse("series_plan", args=[P, world.engagement.pk])
    first = _first_day_value(client.get(url).content.decode())
    preview = client.post(
        url,
        {
            "action": "preview",
            "first_day": first,
            "time": "09:00",
            "minutes": "120",
            "interval_weeks": "2",
            "end_mode": "count",
            "count": "3",
            "skip_holidays": "on",
        },
    ).content.decode()
    assert "Har passerat" not in preview
    assert f'name="day-0" value="{tc.workday(day + DAY).isoformat()}"' in preview


def test_series_plan_marks_a_passed_time_as_passed(client, world, traveller):
    day = tc.workday_after(7)
    traveller.move_to(tc.local(day, 12, 25))
    client.force_login(world.supervisor)
    preview = client.post(
        reverse("series_plan", args=[P, world.engagement.pk]),
        {
            "action": "preview",
            "first_day": day.isoformat(),
            "time": "09:00",
            "minutes": "120",
            "interval_weeks": "1",
            "end_mode": "count",
            "count": "1",
            "skip_holidays": "on",
        },
    ).content.decode()
    row = re.search(r'<tr class="proposal (\w+)">(.*?)</tr>', preview, re.S)
    assert row and row.group(1) == "passed"
    assert '<span class="badge warn">Har passerat</span>' in row.group(2)
    assert "Utanför perioden" not in row.group(2)

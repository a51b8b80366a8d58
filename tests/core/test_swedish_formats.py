"""Dates and numbers in the Swedish UI are written the Swedish way: "6 december 2026",
"28 dec", "9,2 h"; the English UI keeps its own forms."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from bollplank.core.templatetags.bollplank import day_month
from bollplank.meetings.models import Attendance
from tests import factories as f
from tests.courses.conftest import make_course
from tests.directory.helpers import inquiry, profile

pytestmark = pytest.mark.django_db

P = "ekbacken"
MONTHS = "januari februari mars april maj juni juli augusti september oktober november december"
WEEKDAYS = "måndag tisdag onsdag torsdag fredag lördag söndag"
SHORT = "jan feb mar apr maj jun jul aug sep okt nov dec"


def _long(day: dt.date) -> str:
    return f"{day.day} {MONTHS.split()[day.month - 1]} {day.year}"


def _short(day: dt.date) -> str:
    return f"{day.day} {SHORT.split()[day.month - 1]}"


def test_course_list_and_page_write_days_in_swedish(client, world):
    # Days that have begun, so that their attendance can be taken.
    course = make_course(world.practice, days_ahead=-3)
    with scopes_disabled():
        first = timezone.localdate(course.days.order_by("starts_at").first().starts_at)
    client.force_login(world.admin)
    listing = client.get(reverse("course_list", args=[P])).content.decode()
    assert f'<td data-label="Börjar">{_long(first)}</td>' in listing
    page = client.get(reverse("course_detail", args=[P, course.pk])).content.decode()
    assert f"Närvaro {_short(first)}</a>" in page
    assert f"Närvaro {_short(first + dt.timedelta(days=1))}</a>" in page
    with scopes_disabled():
        day = course.days.order_by("starts_at").first()
    attendance = client.get(reverse("course_attendance", args=[P, course.pk, day.pk]))
    weekday = WEEKDAYS.split()[first.weekday()]
    assert f"<h1>Närvaro {weekday} {_long(first)}</h1>" in attendance.content.decode()
    for english in (" Jan ", " Feb ", " Mar ", " Apr ", " May ", " Jun ", " Jul ", " Aug "):
        assert english not in page
    for english in (" Sep ", " Oct ", " Nov ", " Dec "):
        assert english not in page


def test_inquiry_pages_write_dates_and_hours_in_swedish(client, world):
    wished = world.meeting.starts_at.date() + dt.timedelta(days=14)
    q = inquiry(world.practice, wished_start=wished)
    profile(world.practice, world.supervisor, weekly_hours=20)
    # 9.2 hours a week booked in the wished period: 4 weeks × 2 meetings of 4 h 36 min.
    for week in range(4):
        for n in range(2):
            begins = dt.datetime.combine(
                wished + dt.timedelta(weeks=week, days=n), dt.time(8, 0), tzinfo=dt.UTC
            )
            f.MeetingFactory(
                engagement=world.engagement,
                starts_at=begins,
                ends_at=begins + dt.timedelta(hours=4, minutes=36),
            )
    client.force_login(world.admin)
    inbox = client.get(reverse("inquiry_list", args=[P])).content.decode()
    assert f'<td data-label="Önskad start">{_long(wished)}</td>' in inbox
    page = client.get(reverse("inquiry_detail", args=[P, q.pk])).content.decode()
    assert f"<dd>{_long(wished)}</dd>" in page
    assert "(9,2 av 20 bokade)" in page
    assert "Ungefär 10,8 h i veckan ledigt" in page
    assert "9.2" not in page


def test_hours_page_uses_a_decimal_comma(client, world):
    with scopes_disabled():
        pia = world.engagement.memberships.get(participant__user=world.participant_user).participant
        for i in range(3):
            start = world.meeting.starts_at + dt.timedelta(days=7 * (i + 1))
            meeting = f.MeetingFactory(
                engagement=world.engagement,
                starts_at=start,
                ends_at=start + dt.timedelta(hours=3, minutes=4),
            )
            Attendance.objects.create(
                practice=world.practice, meeting=meeting, participant=pia, status="present"
            )
    client.force_login(world.supervisor)
    page = client.get(reverse("engagement_hours", args=[P, world.engagement.pk])).content.decode()
    assert '<td data-label="Timmar">9,2</td>' in page and "9.2" not in page


def test_day_month_follows_the_active_language():
    from django.utils import translation

    day = dt.date(2026, 12, 28)
    with translation.override("sv"):
        assert day_month(day) == "28 dec"
    with translation.override("en"):
        assert day_month(day) == "28 Dec"
    assert day_month(None) == ""


def test_chart_values_use_the_active_languages_decimal_sign():
    from types import SimpleNamespace

    from django.utils import translation

    from bollplank.evaluations.charts import trend_chart

    question = SimpleNamespace(pk=1, text="Hur var mötet?")
    figures = SimpleNamespace(
        means={1: (7.3, 4)}, round=SimpleNamespace(meeting=None, send_on=dt.date(2026, 12, 6))
    )
    trend = SimpleNamespace(questions=[question], rounds=[figures])
    with translation.override("sv"):
        assert [d[2] for d in trend_chart(trend).lines[0].dots] == ["7,3"]
    with translation.override("en"):
        assert [d[2] for d in trend_chart(trend).lines[0].dots] == ["7.3"]

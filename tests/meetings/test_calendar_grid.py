"""The week and day calendars on an hour grid: where a meeting sits, what it is called to a
screen reader, whose it is, and the admin's supervisor filter."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from bollplank.booking.models import FirstTalk, Place
from bollplank.core import clock
from tests import factories as f
from tests import timecontrol as tc

P = "ekbacken"


@pytest.fixture
def week(world):
    """Next week's Monday, with Siv's meeting 13:00–15:00 and Olle's 14:00–15:00 that day."""
    monday = tc.workday_after(7)
    monday -= dt.timedelta(days=monday.weekday())
    mine = f.MeetingFactory(
        engagement=world.engagement,
        starts_at=tc.local(monday, 13),
        ends_at=tc.local(monday, 15),
    )
    others = f.MeetingFactory(
        engagement=world.other_engagement,
        starts_at=tc.local(monday, 14),
        ends_at=tc.local(monday, 15),
    )
    return monday, mine, others


def _spoken(link: str) -> str:
    """The link's text as a screen reader reads it: without what is hidden from it."""
    shown = re.sub(r'<span[^>]*aria-hidden="true"[^>]*>.*?</span>', "", link)
    return re.sub(r"<[^>]+>", "", shown).strip()


def _link(page: str, pk: int) -> str:
    found = re.search(rf'<a href="/p/{P}/meetings/{pk}/"[^>]*>.*?</a>', page, re.S)
    assert found, f"meeting {pk} not on the page"
    return found.group(0)


def test_a_meeting_sits_in_its_rows_with_a_spoken_name(client, world, week):
    monday, mine, _ = week
    client.force_login(world.supervisor)
    page = client.get(reverse("calendar_week", args=[P]), {"date": monday.isoformat()})
    html = page.content.decode()
    link = _link(html, mine.pk)
    # 13:00 is row 25 of an axis from 07:00 in quarter hours; two hours are eight rows.
    assert "hg-rs-25 hg-re-33 " in link
    assert _spoken(link) == (
        f"Lärarlaget åk 4–6, måndag {monday.day} {_month_sv(monday)}, 13:00–15:00, Siv Handledare"
    )
    assert f"v. {monday.isocalendar().week}" not in html  # the week view says "Vecka"
    assert f"Vecka {monday.isocalendar().week}" in html
    assert f"mån {monday.day} {_month_sv(monday)[:3]}" in html


def test_overlapping_meetings_sit_side_by_side_for_the_admin(client, world, week):
    monday, mine, others = week
    client.force_login(world.admin)
    html = client.get(reverse("calendar_week", args=[P]), {"date": monday.isoformat()}).content
    page = html.decode()
    first, second = _link(page, mine.pk), _link(page, others.pk)
    assert "hg-cs-1 hg-cw-30" in first
    assert "hg-cs-31 hg-cw-30" in second
    # Whose meeting it is: the supervisor's initials, the full name on hover and in the name.
    assert '<span class="whose" title="Siv Handledare" aria-hidden="true">SH</span>' in first
    assert '<span class="whose" title="Olle Annan" aria-hidden="true">OA</span>' in second
    assert _spoken(second).endswith(", 14:00–15:00, Olle Annan")


def test_the_admin_filters_by_supervisor(client, world, week):
    monday, mine, others = week
    client.force_login(world.admin)
    page = client.get(
        reverse("calendar_week", args=[P]),
        {"date": monday.isoformat(), "supervisor": world.other_supervisor.pk},
    ).content.decode()
    assert f'/meetings/{others.pk}/"' in page
    assert f'/meetings/{mine.pk}/"' not in page
    assert f'<option value="{world.other_supervisor.pk}" selected>Olle Annan</option>' in page
    # The next week keeps the filter.
    assert f"supervisor={world.other_supervisor.pk}" in page


def test_a_supervisor_has_no_filter(client, world, week):
    monday, _, _ = week
    client.force_login(world.supervisor)
    page = client.get(
        reverse("calendar_week", args=[P]),
        {"date": monday.isoformat(), "supervisor": world.other_supervisor.pk},
    ).content.decode()
    assert 'name="supervisor"' not in page


def test_the_day_view_shows_one_day_and_its_week_number(client, world, week):
    monday, mine, _ = week
    client.force_login(world.supervisor)
    tuesday = monday + dt.timedelta(days=1)
    page = client.get(
        reverse("calendar_week", args=[P]), {"view": "day", "date": monday.isoformat()}
    ).content.decode()
    assert f"v. {monday.isocalendar().week}" in page
    assert f'/meetings/{mine.pk}/"' in page
    assert page.count('class="hg-day') == 1
    assert f"date={tuesday.isoformat()}" in page  # next day
    other_day = client.get(
        reverse("calendar_week", args=[P]), {"view": "day", "date": tuesday.isoformat()}
    ).content.decode()
    assert f'/meetings/{mine.pk}/"' not in other_day


def test_now_is_marked_on_today(client, world):
    client.force_login(world.supervisor)
    page = client.get(reverse("calendar_week", args=[P]), {"view": "day"}).content.decode()
    now = clock.localnow()
    if 7 <= now.hour < 19:
        assert 'class="hg-now ' in page
    tomorrow = (clock.today() + dt.timedelta(days=1)).isoformat()
    page = client.get(
        reverse("calendar_week", args=[P]), {"view": "day", "date": tomorrow}
    ).content.decode()
    assert 'class="hg-now ' not in page


@pytest.mark.parametrize("rows", [1, 3])
@pytest.mark.parametrize("view", ["week", "day"])
def test_the_admins_calendar_runs_a_fixed_number_of_queries(
    client, world, django_assert_num_queries, rows, view
):
    """Session, user, practice and roles; the supervisors for the filter; the meetings (with
    their engagements and supervisors); the first talks (with theirs): whatever the rows."""
    monday = tc.workday_after(7)
    monday -= dt.timedelta(days=monday.weekday())
    for i in range(rows):
        engagement = world.engagement if i % 2 else world.other_engagement
        f.MeetingFactory(
            engagement=engagement,
            starts_at=tc.local(monday, 8 + i),
            ends_at=tc.local(monday, 10 + i),
        )
        with scopes_disabled():
            FirstTalk.objects.create(
                practice=world.practice,
                supervisor=world.other_supervisor if i % 2 else world.supervisor,
                name="Vera Besökare",
                email="vera@example.se",
                starts_at=tc.local(monday, 16 + i),
                ends_at=tc.local(monday, 16 + i, 30),
                place=Place.VIDEO,
            )
    client.force_login(world.admin)
    query = {"date": monday.isoformat(), "view": view}
    with django_assert_num_queries(6):
        page = client.get(reverse("calendar_week", args=[P]), query).content.decode()
    assert page.count('class="hg-meeting') == 2 * rows
    assert "Vera" not in page


def _month_sv(day: dt.date) -> str:
    return [
        "januari",
        "februari",
        "mars",
        "april",
        "maj",
        "juni",
        "juli",
        "augusti",
        "september",
        "oktober",
        "november",
        "december",
    ][day.month - 1]

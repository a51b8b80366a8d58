"""A meeting in the calendars, and in the calendar files a person is given, links to a page that
person may open: staff and participants the meeting's page; a client contact, who may not see
the meeting's page, the page of the engagement's schedule that holds the meeting (never a
download, never a page that answers "no permission")."""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any

import icalendar
import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from bollplank.home.client_views import SCHEDULE_PAGE_SIZE
from tests import factories as f
from tests import timecontrol as tc

P = "ekbacken"
TILE = re.compile(r'<a href="([^"]*)" class="(?:hg-meeting|meeting)[ "]')


def _weekly(engagement: Any, first: dt.date, count: int) -> list[Any]:
    with scopes_disabled():
        return [
            f.MeetingFactory(
                engagement=engagement, starts_at=tc.local(first + dt.timedelta(weeks=k), 9)
            )
            for k in range(count)
        ]


def _tiles(client: Any, name: str, query: str) -> list[str]:
    body = client.get(reverse(name, args=[P]) + query).content.decode()
    return [html.unescape(href) for href in TILE.findall(body)]


def _week_of(meeting: Any) -> str:
    return f"?date={meeting.starts_at.astimezone(tc.STOCKHOLM):%Y-%m-%d}"


def _month_of(meeting: Any) -> str:
    return f"?month={meeting.starts_at.astimezone(tc.STOCKHOLM):%Y-%m}"


def _day(meeting: Any) -> str:
    return f"{meeting.starts_at.astimezone(tc.STOCKHOLM):%Y-%m-%d}"


@pytest.mark.parametrize(
    ("name", "query"), [("calendar_week", _week_of), ("calendar_month", _month_of)]
)
def test_a_client_contacts_tile_opens_the_schedule_page_with_the_meeting(
    client: Any, world: Any, name: str, query: Any
) -> None:
    # Sixty weekly meetings: the last ones are on the schedule's second page.
    meetings = _weekly(world.engagement, tc.workday_after(3), SCHEDULE_PAGE_SIZE + 10)
    late = meetings[-1]
    client.force_login(world.contact_user)

    tiles = _tiles(client, name, query(late))
    schedule = reverse("client_schedule", args=[P, world.engagement.pk])
    assert tiles and all(t == f"{schedule}?page=2" for t in tiles)
    response = client.get(tiles[0])
    assert response.status_code == 200
    body = response.content.decode()
    assert f"{_day(late)}</td>" in body
    # The schedule, and nothing of the room: no participant's name.
    assert "Pia Deltagare" not in body

    # A meeting on the first page links to the schedule itself.
    tiles = _tiles(client, name, query(meetings[0]))
    assert f"{schedule}" in tiles
    assert f"{_day(meetings[0])}</td>" in client.get(schedule).content.decode()


@pytest.mark.parametrize("who", ["admin", "supervisor", "participant_user"])
@pytest.mark.parametrize(
    ("name", "query"), [("calendar_week", _week_of), ("calendar_month", _month_of)]
)
def test_staff_and_participants_tiles_still_open_the_meeting_page(
    client: Any, world: Any, who: str, name: str, query: Any
) -> None:
    (meeting,) = _weekly(world.engagement, tc.workday_after(3), 1)
    client.force_login(getattr(world, who))
    tiles = _tiles(client, name, query(meeting))
    page = reverse("meeting_detail", args=[P, meeting.pk])
    assert page in tiles
    assert client.get(page).status_code == 200


def _event_urls(content: bytes) -> list[str]:
    calendar = icalendar.Calendar.from_ical(content)
    return [str(e["URL"]) for e in calendar.walk("VEVENT") if "URL" in e]


def test_a_client_contacts_calendar_file_links_only_to_a_page_they_may_open(
    client: Any, world: Any
) -> None:
    meetings = _weekly(world.engagement, tc.workday_after(3), SCHEDULE_PAGE_SIZE + 1)
    client.force_login(world.contact_user)
    response = client.get(reverse("meeting_ics", args=[P, meetings[-1].pk]))
    (url,) = _event_urls(response.content)
    schedule = reverse("client_schedule", args=[P, world.engagement.pk])
    assert url == f"http://testserver{schedule}?page=2"
    opened = client.get(url)
    assert opened.status_code == 200
    assert f"{_day(meetings[-1])}</td>" in opened.content.decode()


def test_a_client_contacts_feed_links_only_to_pages_they_may_open(client: Any, world: Any) -> None:
    _weekly(world.engagement, tc.workday_after(3), SCHEDULE_PAGE_SIZE + 1)
    _weekly(world.other_engagement, tc.workday_after(3), 2)
    client.force_login(world.contact_user)
    response = client.post(reverse("feed_settings", args=[P]))
    feed_url = response.context["new_url"]
    urls = _event_urls(client.get(feed_url).content)
    with scopes_disabled():
        count = world.engagement.meetings.count() + world.other_engagement.meetings.count()
    assert len(urls) == count
    assert {u.split("/client/engagements/")[0] for u in urls} == {f"http://testserver/p/{P}"}
    for url in set(urls):
        assert client.get(url).status_code == 200


def test_a_supervisors_calendar_file_still_links_to_the_meeting_page(
    client: Any, world: Any
) -> None:
    client.force_login(world.supervisor)
    response = client.get(reverse("meeting_ics", args=[P, world.meeting.pk]))
    page = reverse("meeting_detail", args=[P, world.meeting.pk])
    assert _event_urls(response.content) == [f"http://testserver{page}"]

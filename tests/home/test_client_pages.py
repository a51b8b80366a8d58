"""The client contact's start page shows each running engagement's next few meetings; the
whole schedule is a page of its own, 50 meetings a page, with attendance as agreed. A large
client's start page stays short however many meetings are planned."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django_scopes import scopes_disabled

from bollplank.home.client_views import NEXT_SHOWN, SCHEDULE_PAGE_SIZE
from tests import factories as f
from tests import timecontrol as tc

P = "ekbacken"
ROW = '<tr><td data-label="Datum">'


def _weekly(engagement, first: dt.date, count: int) -> None:
    with scopes_disabled():
        for k in range(count):
            f.MeetingFactory(
                engagement=engagement, starts_at=tc.local(first + dt.timedelta(weeks=k), 9)
            )


def _section(body: str, pk: int) -> str:
    start = body.index(f'id="e{pk}"')
    return body[start : body.index("</section>", start)]


def test_the_start_page_shows_the_next_few_meetings_of_an_engagement(client, world):
    _weekly(world.engagement, tc.workday_after(3), 12)
    client.force_login(world.contact_user)
    body = client.get(reverse("client_home", args=[P])).content.decode()
    section = _section(body, world.engagement.pk)
    assert section.count(ROW) == NEXT_SHOWN
    assert "Nästa träffar" in section
    # The first of them: the first meeting ahead, not one held before.
    first = tc.local(tc.workday_after(3), 9).astimezone(tc.STOCKHOLM)
    assert f"{first:%Y-%m-%d}" in section.split(ROW)[1]
    url = reverse("client_schedule", args=[P, world.engagement.pk])
    assert (
        f'<a href="{url}" aria-describedby="e{world.engagement.pk}">Hela schemat och närvaron</a>'
        in section
    )


def test_the_whole_schedule_is_paged_in_swedish(client, world):
    # The world's meetings and 60 more: two pages.
    _weekly(world.engagement, tc.workday_after(3), SCHEDULE_PAGE_SIZE + 10)
    with scopes_disabled():
        total = world.engagement.meetings.count()
    client.force_login(world.contact_user)
    url = reverse("client_schedule", args=[P, world.engagement.pk])
    first = client.get(url).content.decode()
    assert first.count(ROW) == SCHEDULE_PAGE_SIZE
    assert "Sida 1 av 2" in first
    assert 'href="?page=2" rel="next">Nästa' in first
    assert '<h2 id="schedule-h">Schema och närvaro</h2>' in first
    second = client.get(url + "?page=2").content.decode()
    assert second.count(ROW) == total - SCHEDULE_PAGE_SIZE > 0
    assert "Sida 2 av 2" in second
    # In time order across the pages: the first page's last day before the second's first.
    last = first.rsplit(ROW, 1)[1].split("</td>", 1)[0].split()[-1]
    following = second.split(ROW, 2)[1].split("</td>", 1)[0].split()[-1]
    assert last < following


def test_another_clients_engagement_is_not_found(client, world):
    with scopes_disabled():
        other = f.EngagementFactory(practice=world.practice, supervisor=world.supervisor)
    client.force_login(world.contact_user)
    response = client.get(reverse("client_schedule", args=[P, other.pk]))
    assert response.status_code == 404


def test_the_schedule_shows_no_names(client, world):
    client.force_login(world.contact_user)
    body = client.get(reverse("client_schedule", args=[P, world.engagement.pk])).content.decode()
    with scopes_disabled():
        names = [m.participant.name for m in world.engagement.memberships.all()]
    assert names
    assert not [name for name in names if name in body]

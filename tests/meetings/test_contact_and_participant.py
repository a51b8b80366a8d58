"""Someone who is the client's contact and also a participant in one of the client's
engagements sees all the client's meetings in the calendar, as a contact does, but opens only
the rooms of their own group: being the contact never opens a meeting's page (DOMAIN: the
client sees the schedule, never the room; a meeting's pages act in the capacity of the roles
they allow, core/tenancy.py), so every link they are given, in the calendar, a calendar file
or their feed, goes to a page they may open: their own group's meeting page, or the client's
schedule page for the others."""

from __future__ import annotations

from typing import Any

import icalendar
import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from bollplank.core.roles import Role
from bollplank.records.models import CaseTurn
from tests import factories as f
from tests import timecontrol as tc

P = "ekbacken"


@pytest.fixture
def otto(world: Any) -> Any:
    """Otto, a participant in the client's other engagement, made the client's contact too;
    the world's meeting (another group's) has Pia as its case owner."""
    with scopes_disabled():
        user = world.other_engagement.memberships.get(participant__name="Otto Utanför")
        user = user.participant.user
        f.MembershipFactory(practice=world.practice, user=user, role=Role.CLIENT_CONTACT)
        f.ClientContactFactory(
            practice=world.practice, client=world.engagement.client, user=user, name="Otto"
        )
        pia = world.engagement.memberships.get(participant__name="Pia Deltagare").participant
        CaseTurn.objects.create(practice=world.practice, meeting=world.meeting, participant=pia)
        own = f.MeetingFactory(engagement=world.other_engagement, starts_at=world.meeting.starts_at)
    return user, own


def test_another_groups_meeting_page_is_not_found(client, world, otto):
    user, own = otto
    client.force_login(user)
    other = client.get(reverse("meeting_detail", args=[P, world.meeting.pk]))
    assert other.status_code == 404
    assert "Pia Deltagare" not in other.content.decode()
    for name in ("meeting_join", "meeting_submit"):
        assert client.get(reverse(name, args=[P, world.meeting.pk])).status_code == 404
    mine = client.get(reverse("meeting_detail", args=[P, own.pk]))
    assert mine.status_code == 200
    assert world.other_engagement.title in mine.content.decode()


def test_the_calendar_links_each_meeting_to_a_page_they_may_open(client, world, otto):
    user, own = otto
    client.force_login(user)
    day = f"{world.meeting.starts_at.astimezone(tc.STOCKHOLM):%Y-%m-%d}"
    body = client.get(reverse("calendar_week", args=[P]) + f"?date={day}").content.decode()
    room = reverse("meeting_detail", args=[P, own.pk])
    schedule = reverse("client_schedule", args=[P, world.engagement.pk])
    assert f'href="{room}"' in body
    assert f'href="{schedule}"' in body
    assert reverse("meeting_detail", args=[P, world.meeting.pk]) not in body
    assert client.get(schedule).status_code == 200


def _url(content: bytes) -> str:
    (event,) = icalendar.Calendar.from_ical(content).walk("VEVENT")
    return str(event["URL"])


def test_calendar_files_link_each_meeting_to_a_page_they_may_open(client, world, otto):
    user, own = otto
    client.force_login(user)
    other = _url(client.get(reverse("meeting_ics", args=[P, world.meeting.pk])).content)
    mine = _url(client.get(reverse("meeting_ics", args=[P, own.pk])).content)
    assert other == "http://testserver" + reverse("client_schedule", args=[P, world.engagement.pk])
    assert mine == "http://testserver" + reverse("meeting_detail", args=[P, own.pk])
    feed = client.post(reverse("feed_settings", args=[P])).context["new_url"]
    calendar = icalendar.Calendar.from_ical(client.get(feed).content)
    urls = {str(e["URL"]) for e in calendar.walk("VEVENT")}
    assert "http://testserver" + reverse("meeting_detail", args=[P, own.pk]) in urls
    assert "http://testserver" + reverse("meeting_detail", args=[P, world.meeting.pk]) not in urls
    for url in urls:
        assert client.get(url).status_code == 200

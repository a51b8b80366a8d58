"""Every list page runs a fixed number of queries, whether it shows 1 row or 3.

The counts are literal so that a change that adds a query per row, or any query at all,
shows up here. Common to every practice page (BASE): the login session, the user, the
practice, and the person's roles in it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from bollplank.accounts.enums import Role
from tests import factories as f

BASE = 4  # session, user, practice, roles


def _practice_with(rows: int) -> dict[str, Any]:
    practice = f.PracticeFactory(slug="qc")
    admin = f.member(practice, Role.ADMIN)
    supervisor = f.member(practice, Role.SUPERVISOR)
    contact_user = f.member(practice, Role.CLIENT_CONTACT)
    participant_user = f.member(practice, Role.PARTICIPANT)
    client = None
    today = dt.date.today()
    # The participant is in every engagement, the contact at every client.
    shared = f.ParticipantFactory(practice=practice, user=participant_user)
    for i in range(rows):
        client = f.ClientFactory(practice=practice)
        f.ClientContactFactory(client=client, user=contact_user, email=f"c{i}@ex.se")
        engagement = f.EngagementFactory(
            practice=practice,
            client=client,
            supervisor=supervisor,
            start_date=today - dt.timedelta(days=30),
            end_date=today + dt.timedelta(days=200),
        )
        for participant in (shared, f.ParticipantFactory(practice=practice)):
            f.GroupMembershipFactory(
                engagement=engagement,
                participant=participant,
                joined_on=today - dt.timedelta(days=30),
            )
        start = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(10, 0), tzinfo=dt.UTC)
        start += dt.timedelta(hours=3 * i)
        f.MeetingFactory(
            engagement=engagement, starts_at=start, ends_at=start + dt.timedelta(hours=2)
        )
        past = start - dt.timedelta(days=7)
        f.MeetingFactory(
            engagement=engagement, starts_at=past, ends_at=past + dt.timedelta(hours=2)
        )
    return {
        "practice": practice,
        "admin": admin,
        "supervisor": supervisor,
        "contact": contact_user,
        "participant": participant_user,
        "client": client,
    }


# (url name, who, extra queries beyond BASE — and what they are)
PAGES = [
    ("dashboard", "supervisor", 2),  # week's meetings; engagements with quota
    ("participant_home", "participant", 4),  # upcoming; recent; summaries; my case turns
    ("calendar_week", "supervisor", 1),  # the week's meetings
    ("calendar_month", "supervisor", 1),  # the month's meetings
    ("client_list", "supervisor", 1),  # clients with engagement counts
    ("engagement_list", "admin", 1),  # engagements with client, supervisor, quota
    ("meeting_list", "supervisor", 2),  # count for the paginator; the page
    ("people", "admin", 3),  # users; their memberships; pending invitations
    ("feed_settings", "participant", 1),  # the active feed
]


@pytest.mark.parametrize("rows", [1, 3])
@pytest.mark.parametrize(("name", "who", "extra"), PAGES, ids=[p[0] for p in PAGES])
def test_list_page_query_count(client, db, django_assert_num_queries, rows, name, who, extra):
    data = _practice_with(rows)
    client.force_login(data[who])
    url = reverse(name, args=["qc"])
    with django_assert_num_queries(BASE + extra):
        response = client.get(url)
    assert response.status_code == 200


@pytest.mark.parametrize("rows", [1, 3])
def test_client_home_query_count(client, db, django_assert_num_queries, rows):
    # A client contact sees each engagement's schedule: one query for the engagements with
    # their quota, one for the schedules of them all (bench/: it was one per engagement).
    data = _practice_with(rows)
    client.force_login(data["contact"])
    with django_assert_num_queries(BASE + 2):
        response = client.get(reverse("client_home", args=["qc"]))
    assert response.status_code == 200


@pytest.mark.parametrize("rows", [1, 3])
def test_client_detail_query_count(client, db, django_assert_num_queries, rows):
    data = _practice_with(rows)
    client.force_login(data["supervisor"])
    with django_assert_num_queries(BASE + 3):  # client; engagements with quota; contacts
        response = client.get(reverse("client_detail", args=["qc", data["client"].pk]))
    assert response.status_code == 200

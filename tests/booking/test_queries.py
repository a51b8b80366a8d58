"""The booking lists run a fixed number of queries whether they show 1 row or 3."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from bollplank.booking import services
from bollplank.booking.models import OutsideCalendar
from bollplank.core import clock
from bollplank.core.roles import Role
from bollplank.engagements.enums import Form
from tests import factories as f
from tests.booking.helpers import ICS_ONE
from tests.test_query_counts import BASE  # session, user, practice and roles


def _firm(rows: int) -> dict[str, Any]:
    with scopes_disabled():
        practice = f.PracticeFactory(slug="qc")
        supervisor = f.member(practice, Role.SUPERVISOR)
        participant_user = f.member(practice, Role.PARTICIPANT)
        person = f.ParticipantFactory(practice=practice, user=participant_user)
        today = clock.today()
        for i in range(rows):
            engagement = f.EngagementFactory(
                practice=practice,
                supervisor=supervisor,
                form=Form.INDIVIDUAL,
                meeting_minutes=60,
                start_date=today - dt.timedelta(days=10),
                end_date=today + dt.timedelta(days=200),
            )
            f.GroupMembershipFactory(
                engagement=engagement, participant=person, joined_on=today - dt.timedelta(days=10)
            )
            start = clock.now().replace(microsecond=0) + dt.timedelta(days=3 + i)
            f.MeetingFactory(
                engagement=engagement, starts_at=start, ends_at=start + dt.timedelta(hours=1)
            )
            services.hours_add(
                actor=supervisor,
                practice=practice,
                weekday=i,
                start=dt.time(9),
                end=dt.time(12),
                place="premises",
            )
            services.exception_add(
                actor=supervisor,
                practice=practice,
                is_open=False,
                first_day=today + dt.timedelta(days=20 + i),
                last_day=None,
                start=None,
                end=None,
                place="",
            )
            services.calendar_upload(
                actor=supervisor, practice=practice, name=f"Kalender {i}", data=ICS_ONE
            )
            OutsideCalendar.objects.create(
                practice=practice,
                supervisor=supervisor,
                name=f"Prenumeration {i}",
                url="https://x.example/c.ics",
                last_error="unreachable",
                last_error_detail="timed out",
            )
            services.link_create(actor=supervisor, engagement=engagement, label=f"Förfrågan {i}")
    return {"practice": practice, "supervisor": supervisor, "participant": participant_user}


def _count(client: Any, user: Any, url: str) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


PAGES = [
    # BASE + engagements with their quota use (one annotated query) + booked meetings ahead
    # + the menu's check that there is an engagement to book in
    ("booking_home", "participant", BASE + 3),
    # BASE + settings + hours + exceptions
    ("booking_availability", "supervisor", BASE + 3),
    # BASE + calendars
    ("booking_calendars", "supervisor", BASE + 1),
    # BASE + engagements for the form + links with engagement and meeting
    ("booking_links", "supervisor", BASE + 2),
]


@pytest.mark.parametrize("rows", [1, 3])
@pytest.mark.parametrize(("name", "who", "expected"), PAGES, ids=[p[0] for p in PAGES])
def test_booking_lists_query_count(client, db, rows, name, who, expected):
    firm = _firm(rows)
    assert _count(client, firm[who], reverse(name, args=["qc"])) == expected

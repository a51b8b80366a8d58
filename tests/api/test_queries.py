"""Query counts of the API's list endpoints: the same with 1 and with 3 rows."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests import factories as f
from tests import timecontrol as tc
from tests.conftest import World


@pytest.mark.parametrize("rows", [1, 3])
def test_meetings_list_queries(
    world: World, api: Any, django_assert_num_queries: Any, rows: int
) -> None:
    for n in range(rows - 1):
        f.MeetingFactory(
            engagement=world.engagement,
            starts_at=tc.local(tc.past_meeting_day() + dt.timedelta(weeks=n + 1), 9),
        )
    client = api("supervisor")
    # token (with practice and person), its last use, roles, count, the page with its
    # engagements.
    with django_assert_num_queries(5):
        body = client.get("/meetings/").json()
    assert body["count"] == rows


@pytest.mark.parametrize("rows", [1, 3])
def test_clients_list_queries(
    world: World, api: Any, django_assert_num_queries: Any, rows: int
) -> None:
    for _n in range(rows - 1):
        f.ClientFactory(practice=world.practice)
    client = api("admin")
    # token (with practice and person), its last use, roles, count, the page.
    with django_assert_num_queries(5):
        body = client.get("/clients/").json()
    assert body["count"] == rows

"""A pair's meeting pages run a fixed number of queries, with 1 meeting or with 3."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bollplank.core import clock
from tests.mentoring import meeting_helpers as mh


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _pair_with_meetings(world, rows: int):
    pair, mentor_token, mentee_token = mh.published_pair(world)
    mh.open_every_day(pair)
    now = clock.now()
    day = timezone.localtime(now, mh.STHLM).date() + dt.timedelta(days=2)
    from bollplank.core.timeutils import holidays_between

    while day in holidays_between(day, day):
        day += dt.timedelta(days=1)
    for i in range(rows):
        when = dt.datetime.combine(day, dt.time(8 + 2 * i), tzinfo=mh.STHLM)
        mh.booked(pair, when.astimezone(dt.UTC), now)
    return pair, mentor_token, mentee_token


@pytest.mark.parametrize("rows", [1, 3])
def test_mentor_meetings_page_queries(client, world, rows):
    _pair, mentor_token, _mentee = _pair_with_meetings(world, rows)
    # sign-up by token + pairs + their responses + weekly hours + exceptions + planned
    # meetings with their pairs and people
    assert _count(client, reverse("mentoring_meetings", args=[mentor_token])) == 6


@pytest.mark.parametrize("rows", [1, 3])
def test_mentee_meetings_page_queries(client, world, rows):
    _pair, _mentor, mentee_token = _pair_with_meetings(world, rows)
    # sign-up by token + pairs + their responses + planned meetings, and the free times:
    # the mentor's hours + exceptions + both people's busy times
    assert _count(client, reverse("mentoring_meetings", args=[mentee_token])) == 7


@pytest.mark.parametrize("rows", [1, 3])
def test_feed_queries(client, world, rows):
    _pair, _mentor, mentee_token = _pair_with_meetings(world, rows)
    # sign-up by token + meetings with programme, practice and people
    assert _count(client, reverse("mentoring_feed", args=[mentee_token])) == 2

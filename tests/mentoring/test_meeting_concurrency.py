"""Two bookings of the same time at once: exactly one gets it (PostgreSQL row locks on both
people of the pair, as booking's concurrency test)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django_scopes import scope, scopes_disabled

from bollplank.mentoring import meetings
from bollplank.mentoring.models import Pair, PairMeeting
from tests.booking.test_concurrency import _race
from tests.mentoring import helpers as h
from tests.mentoring import meeting_helpers as mh

NOW = mh.local(2026, 3, 2, 8)
SLOT = mh.local(2026, 3, 3, 10)

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="threads need a real server: SQLite's in-memory test database is one connection",
)


@pytest.mark.django_db(transaction=True)
def test_two_mentees_of_one_mentor_booking_the_same_time_at_once_one_gets_it(world):
    pair, _m, _e = mh.published_pair(world, max_mentees=2)
    mh.open_every_day(pair)
    with scope(practice=world.practice):
        other = Pair.objects.create(
            practice=world.practice,
            programme=pair.programme,
            mentor=pair.mentor,
            mentee=h.sign_up(pair.programme, "mentee", "Olle Andra")[0],
        )
    results = _race(
        [
            lambda: meetings.meeting_book(person=pair.mentee, pair=pair, starts_at=SLOT, now=NOW),
            lambda: meetings.meeting_book(
                person=other.mentee, pair=other, starts_at=SLOT + dt.timedelta(minutes=30), now=NOW
            ),
        ]
    )
    booked = [r for r in results if isinstance(r, PairMeeting)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert (len(booked), len(refused)) == (1, 1), results
    assert refused[0].code == "taken"
    with scopes_disabled():
        assert PairMeeting.objects.filter(mentor=pair.mentor).count() == 1


@pytest.mark.django_db(transaction=True)
def test_one_mentee_sending_the_same_booking_twice_at_once_books_once(world):
    pair, _m, _e = mh.published_pair(world)
    mh.open_every_day(pair)
    results = _race(
        [
            lambda: meetings.meeting_book(person=pair.mentee, pair=pair, starts_at=SLOT, now=NOW),
            lambda: meetings.meeting_book(person=pair.mentee, pair=pair, starts_at=SLOT, now=NOW),
        ]
    )
    assert sorted(type(r).__name__ for r in results) == ["PairMeeting", "ValidationError"], results
    with scopes_disabled():
        assert PairMeeting.objects.filter(pair=pair).count() == 1

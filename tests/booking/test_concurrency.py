"""Two people booking the same time at once: exactly one gets it (PostgreSQL row locks)."""

from __future__ import annotations

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django_scopes import scopes_disabled

from bollplank.booking import services
from bollplank.core.roles import Role
from bollplank.engagements.enums import Form
from bollplank.engagements.models import GroupMembership
from bollplank.meetings.models import Meeting
from tests import factories as f
from tests.booking.helpers import individual

NOW = dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)
SLOT = dt.datetime(2026, 3, 2, 14, tzinfo=ZoneInfo("Europe/Stockholm")).astimezone(dt.UTC)


def _race(calls: list) -> list[object]:
    """Run the calls in threads released together; each returns its result or exception."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(i: int) -> None:
        try:
            barrier.wait()
            with scopes_disabled():
                results[i] = calls[i]()
        except Exception as exc:  # noqa: BLE001  (the test inspects it)
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="threads need a real server: SQLite's in-memory test database is one connection",
)


@pytest.mark.django_db(transaction=True)
def test_two_participants_booking_the_same_time_at_once_one_gets_it(world):
    first = individual(world)
    with scopes_disabled():
        other = f.member(world.practice, Role.PARTICIPANT, name="Per Andra")
        per = f.ParticipantFactory(practice=world.practice, user=other)
        second = f.EngagementFactory(
            practice=world.practice,
            client=world.client,
            supervisor=world.supervisor,
            form=Form.INDIVIDUAL,
            meeting_minutes=60,
            start_date=first.start_date,
            end_date=first.end_date,
            venue=first.venue,
        )
        GroupMembership.objects.create(
            practice=world.practice, engagement=second, participant=per, joined_on=first.start_date
        )
    results = _race(
        [
            lambda: services.booking_book(
                actor=world.participant_user, engagement=first, starts_at=SLOT, now=NOW
            ),
            lambda: services.booking_book(actor=other, engagement=second, starts_at=SLOT, now=NOW),
        ]
    )
    booked = [r for r in results if isinstance(r, Meeting)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert (len(booked), len(refused)) == (1, 1), results
    assert refused[0].code in {"taken", "double_booking"}
    with scopes_disabled():
        assert Meeting.objects.filter(supervisor=world.supervisor, starts_at=SLOT).count() == 1


@pytest.mark.django_db(transaction=True)
def test_one_booking_link_used_twice_at_once_books_once(world):
    engagement = individual(world)
    with scopes_disabled():
        _link, token = services.link_create(
            actor=world.supervisor, engagement=engagement, label="Förfrågan", now=NOW
        )
    later = SLOT + dt.timedelta(days=1)
    results = _race(
        [
            lambda: services.link_book(token=token, starts_at=SLOT, now=NOW),
            lambda: services.link_book(token=token, starts_at=later, now=NOW),
        ]
    )
    assert sorted(type(r).__name__ for r in results) == ["Meeting", "ValidationError"], results
    with scopes_disabled():
        assert engagement.meetings.count() == 1


def _first_talk_link(world, name: str, email: str) -> str:
    from bollplank.booking import firsttalk
    from bollplank.booking.models import Place
    from tests.booking.helpers import open_weekdays
    from tests.directory.helpers import inquiry

    open_weekdays(world, Place.VIDEO)
    asked = inquiry(world.practice, name=name, email=email)
    with scopes_disabled():
        _link, token = firsttalk.link_send(
            actor=world.admin, inquiry=asked, supervisor=world.supervisor, now=NOW
        )
    return token


@pytest.mark.django_db(transaction=True)
def test_a_first_talk_and_a_participant_booking_the_same_time_at_once_one_gets_it(world):
    from bollplank.booking.models import FirstTalk

    engagement = individual(world)
    token = _first_talk_link(world, "Vera", "vera@example.se")
    results = _race(
        [
            lambda: services.link_book(token=token, starts_at=SLOT, now=NOW),
            lambda: services.booking_book(
                actor=world.participant_user, engagement=engagement, starts_at=SLOT, now=NOW
            ),
        ]
    )
    won = [r for r in results if isinstance(r, (Meeting, FirstTalk))]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert (len(won), len(refused)) == (1, 1), results
    assert refused[0].code == "taken"


@pytest.mark.django_db(transaction=True)
def test_two_visitors_booking_the_same_first_talk_time_at_once_one_gets_it(world):
    from bollplank.booking.models import FirstTalk

    tokens = [
        _first_talk_link(world, "Vera", "vera@example.se"),
        _first_talk_link(world, "Bo", "bo@example.se"),
    ]
    results = _race(
        [lambda t=t: services.link_book(token=t, starts_at=SLOT, now=NOW) for t in tokens]
    )
    assert sorted(type(r).__name__ for r in results) == ["FirstTalk", "ValidationError"], results
    with scopes_disabled():
        assert FirstTalk.objects.filter(supervisor=world.supervisor).count() == 1

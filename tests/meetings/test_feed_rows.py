"""The calendar feed reads light rows (selectors.feed_meetings), not Meeting instances: the
body must be byte for byte what full models give, and what icalendar itself writes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from bollplank.booking.models import FirstTalk, Place
from bollplank.booking.selectors import first_talks_for_feed
from bollplank.core import clock
from bollplank.core.roles import Role
from bollplank.meetings import services
from bollplank.meetings.enums import MeetingStatus
from bollplank.meetings.ics import (
    LOCAL_TZ,
    _event_text,
    _local_text,
    _utc_text,
    calendar_bytes,
    meeting_event,
)
from bollplank.meetings.selectors import FeedMeeting, feed_meetings, meetings_for_feed
from tests import factories as f
from tests.bench.test_ics_equivalence import _reference

FIELDS = FeedMeeting._fields


def _last_sunday(year: int, month: int) -> dt.date:
    end = dt.date(year, month, 31)
    return end - dt.timedelta(days=(end.weekday() + 1) % 7)


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=dt.UTC)


@pytest.fixture
def feed_world(world: Any) -> Any:
    """The supervisor's meetings of every awkward kind, dated from the real clock (a feed
    holds a year back and all ahead), and one first talk."""
    now = clock.now().replace(second=0, microsecond=0)
    year = now.year + 1
    # Both sides of next year's DST changes (01:00 UTC on the last Sundays of March and
    # October): 01:30 CET to 03:30 CEST, and 02:30 CEST to 02:30 CET.
    spring, autumn = _last_sunday(year, 3), _last_sunday(year, 10)
    awkward = f.EngagementFactory(
        practice=world.practice,
        client=world.client,
        supervisor=world.supervisor,
        title="Lärarlaget; åk 4–6, \\ grupp\nett " + "långt namn " * 8,
    )
    f.GroupMembershipFactory(engagement=awkward)

    def meeting(**kwargs: Any) -> Any:
        kwargs.setdefault("engagement", world.engagement)
        kwargs.setdefault("starts_at", now + dt.timedelta(days=7))
        kwargs.setdefault("ends_at", kwargs["starts_at"] + dt.timedelta(hours=2))
        return f.MeetingFactory(**kwargs)

    world.feed_meetings = [
        meeting(),
        meeting(location="Storgatan 1, Ekby; rum \\ 3", starts_at=now + dt.timedelta(days=8)),
        meeting(
            engagement=awkward,
            location="https://video.example/" + "å" * 80,
            starts_at=now + dt.timedelta(days=9, microseconds=654321),
            sequence=4,
        ),
        meeting(
            engagement=awkward,
            status=MeetingStatus.CANCELLED,
            cancelled_at=now,
            sequence=2,
            location="Rum 2",
            starts_at=now + dt.timedelta(days=10),
        ),
        meeting(starts_at=_at(spring, 0, 30), ends_at=_at(spring, 1, 30)),
        meeting(starts_at=_at(autumn, 0, 30), ends_at=_at(autumn, 1, 30)),
        meeting(starts_at=now - dt.timedelta(days=200)),
    ]
    # Older than a year: in neither.
    world.too_old = meeting(starts_at=now - dt.timedelta(days=400))
    with scopes_disabled():
        world.talk = FirstTalk.objects.create(
            practice=world.practice,
            supervisor=world.supervisor,
            name="Vera Besökare",
            email="vera@example.se",
            starts_at=now + dt.timedelta(days=3),
            ends_at=now + dt.timedelta(days=3, minutes=30),
            place=Place.VIDEO,
        )
    return world


def _who(w: Any) -> list[tuple[Any, frozenset[str]]]:
    return [
        (w.supervisor, frozenset({Role.SUPERVISOR})),
        (w.admin, frozenset({Role.ADMIN})),
        (w.participant_user, frozenset({Role.PARTICIPANT})),
        (w.contact_user, frozenset({Role.CLIENT_CONTACT})),
    ]


def _both(w: Any, user: Any, roles: frozenset[str]) -> tuple[list[Any], list[Any], list[Any]]:
    with scope(practice=w.practice):
        rows = feed_meetings(user, w.practice, roles)
        models = list(meetings_for_feed(user, w.practice, roles))
        talks = first_talks_for_feed(user, w.practice, roles)
    return rows, models, talks


def test_rows_are_the_models_meetings_field_for_field(feed_world: Any) -> None:
    w = feed_world
    for user, roles in _who(w):
        rows, models, _talks = _both(w, user, roles)
        assert [r.pk for r in rows] == [m.pk for m in models]
        assert w.too_old.pk not in [r.pk for r in rows]
        for row, model in zip(rows, models, strict=True):
            assert [getattr(row, n) for n in FIELDS] == [getattr(model, n) for n in FIELDS]
    rows, _models, _talks = _both(w, w.supervisor, frozenset({Role.SUPERVISOR}))
    # The cancelled meeting keeps its engagement's title, as Meeting.calendar_title does.
    cancelled = next(r for r in rows if r.status == MeetingStatus.CANCELLED)
    assert cancelled.calendar_title.startswith("Lärarlaget; åk 4–6")
    assert {m.pk for m in w.feed_meetings} <= {r.pk for r in rows}


def _body(items: list[Any], urls: dict[int, str], with_location: bool, name: str) -> bytes:
    return calendar_bytes(
        sorted(items, key=lambda m: m.starts_at),
        name=name,
        urls=urls,
        with_location=with_location,
    )


@pytest.mark.parametrize("with_location", [True, False])
def test_feed_body_from_rows_equals_body_from_models(feed_world: Any, with_location: bool) -> None:
    w = feed_world
    for user, roles in _who(w):
        rows, models, talks = _both(w, user, roles)
        urls = {m.pk: f"https://bollplank.example/p/ekbacken/meetings/{m.pk}/" for m in models}
        name = "Bollplank – Ekbacken; handledning, Åsa"
        from_rows = _body([*rows, *talks], urls, with_location, name)
        assert from_rows == _body([*models, *talks], urls, with_location, name)
        # And what icalendar itself writes for the full models (_reference's name, method).
        reference = _reference(
            sorted([*models, *talks], key=lambda m: m.starts_at), urls, with_location
        )
        assert _body([*rows, *talks], urls, with_location, "Bench – Åsa; Ö, ä") == reference
        if user == w.supervisor:
            assert [t.talk for t in talks] == [w.talk]
            text = from_rows.decode()
            assert f"UID:{w.talk.uid}@bollplank" in text
            assert "STATUS:CANCELLED" in text
            assert "Vera" not in text


def test_each_event_is_what_icalendar_writes(feed_world: Any) -> None:
    w = feed_world
    rows, models, talks = _both(w, w.supervisor, frozenset({Role.SUPERVISOR}))
    for item, model in [*zip(rows, models, strict=True), *zip(talks, talks, strict=True)]:
        for with_location in (True, False):
            url = "https://bollplank.example/p/x/meetings/1/" + "a" * 70
            expected = meeting_event(model, url=url, with_location=with_location).to_ical()
            assert _event_text(item, url=url, with_location=with_location) == expected.decode()


@pytest.mark.parametrize("who", ["supervisor", "participant_user", "contact_user"])
def test_feed_view_serves_the_body_of_full_models(client: Any, feed_world: Any, who: str) -> None:
    from bollplank.meetings.views import sees_location

    w = feed_world
    user = getattr(w, who)
    roles = {
        "supervisor": frozenset({Role.SUPERVISOR}),
        "participant_user": frozenset({Role.PARTICIPANT}),
        "contact_user": frozenset({Role.CLIENT_CONTACT}),
    }[who]
    with scopes_disabled():
        _feed, token = services.feed_create(user=user, practice=w.practice)
    response = client.get(reverse("feed", args=[token]))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    _rows, models, talks = _both(w, user, roles)
    urls = {
        m.pk: "http://testserver" + reverse("meeting_detail", args=[w.practice.slug, m.pk])
        for m in models
    }
    if who == "contact_user":
        # A client contact may not open a meeting's page: each event links to the page of the
        # engagement's schedule that holds it (the first: these engagements hold few meetings).
        urls = {
            m.pk: "http://testserver"
            + reverse("client_schedule", args=[w.practice.slug, m.engagement_id])
            for m in models
        }
    expected = calendar_bytes(
        sorted([*models, *talks], key=lambda m: m.starts_at),
        name=f"Bollplank – {w.practice.name}",
        urls=urls,
        with_location=sees_location(roles),
    )
    assert response.content == expected


def test_feed_query_count_does_not_grow_with_meetings(client: Any, feed_world: Any) -> None:
    w = feed_world
    with scopes_disabled():
        _feed, token = services.feed_create(user=w.supervisor, practice=w.practice)
    url = reverse("feed", args=[token])
    client.get(url)  # the first fetch also notes the link's last use

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    before = count()
    for day in range(20):
        f.MeetingFactory(
            engagement=w.engagement,
            starts_at=clock.now() + dt.timedelta(days=30 + day),
            location=f"Rum {day}",
        )
    # The feed link; the person's roles; the meetings; the first talks (as before light rows).
    assert before == count() == 4


@pytest.mark.parametrize(
    "moment",
    [
        dt.datetime(2027, 3, 28, 0, 59, 59, 999999, tzinfo=dt.UTC),
        dt.datetime(2027, 3, 28, 1, 0, tzinfo=dt.UTC),
        dt.datetime(2027, 10, 31, 0, 30, tzinfo=dt.UTC),
        dt.datetime(2027, 10, 31, 1, 30, tzinfo=dt.UTC),
        dt.datetime(2026, 12, 31, 23, 30, 5, 1, tzinfo=dt.UTC),
        dt.datetime(2026, 7, 1, 9, 0, tzinfo=LOCAL_TZ),
        dt.datetime(2026, 7, 1, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5))),
        dt.datetime(999, 6, 1, 12, 0, tzinfo=dt.UTC),
    ],
)
def test_date_time_text_is_what_strftime_writes(moment: dt.datetime) -> None:
    utc = moment.astimezone(dt.UTC).replace(microsecond=0)
    local = moment.astimezone(LOCAL_TZ).replace(microsecond=0)
    assert _utc_text(moment) == utc.strftime("%Y%m%dT%H%M%SZ")
    assert _local_text(moment) == local.strftime("%Y%m%dT%H%M%S")

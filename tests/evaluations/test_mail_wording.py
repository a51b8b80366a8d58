"""The after-meeting mail names the meeting as the day it is sent sees it: today's, yesterday's,
or the meeting on a date (never "today's meeting" for one two weeks ago). Run at a fixed
instant so that the dates in the expected text are known."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from bollplank.core import clock
from bollplank.evaluations.services.rounds import meeting_named
from tests import factories as f
from tests.conftest import World
from tests.evaluations.helpers import after_meeting

pytestmark = pytest.mark.instant("2026-12-06T14:00:00+01:00")
STOCKHOLM = ZoneInfo("Europe/Stockholm")


def _meeting_on(world: World, day: dt.date) -> Any:
    return f.MeetingFactory(
        engagement=world.engagement,
        starts_at=dt.datetime.combine(day, dt.time(9, 0), STOCKHOLM),
    )


def _pia_mail() -> Any:
    return next(m for m in mail.outbox if m.to == ["pia@solbacka.se"])


@pytest.mark.parametrize(
    ("day", "sentence"),
    [
        (dt.date(2026, 12, 6), "Frågorna gäller dagens träff."),
        (dt.date(2026, 12, 5), "Frågorna gäller gårdagens träff."),
        (dt.date(2026, 11, 22), "Frågorna gäller träffen den 22 november."),
    ],
)
def test_after_meeting_mail_names_the_meeting_by_its_day(
    world: World, django_capture_on_commit_callbacks: Any, day: dt.date, sentence: str
) -> None:
    assert clock.today(STOCKHOLM) == dt.date(2026, 12, 6)
    meeting = _meeting_on(world, day)

    with django_capture_on_commit_callbacks(execute=True):
        after_meeting(world, meeting=meeting)

    message = _pia_mail()
    html = next(body for body, kind in message.alternatives if kind == "text/html")
    assert sentence in message.body and sentence in html
    assert message.body.count("Frågorna gäller") == 1


def test_reminder_a_day_later_says_yesterday(world: World) -> None:
    meeting = _meeting_on(world, dt.date(2026, 12, 6))
    rnd = after_meeting(world, meeting=meeting)
    later = clock.now() + dt.timedelta(days=1)

    assert meeting_named(rnd, "sv", clock.now()) == ("today", "6 december")
    assert meeting_named(rnd, "sv", later) == ("yesterday", "6 december")
    assert meeting_named(rnd, "en", later + dt.timedelta(days=1)) == ("earlier", "6 December")
    # A meeting of another year says which.
    next_year = clock.now() + dt.timedelta(days=40)
    assert meeting_named(rnd, "sv", next_year) == ("earlier", "6 december 2026")


def test_english_mail_names_the_date_in_english(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    world.participant_user.language = "en"
    world.participant_user.save(update_fields=["language"])
    meeting = _meeting_on(world, dt.date(2026, 11, 22))

    with django_capture_on_commit_callbacks(execute=True):
        after_meeting(world, meeting=meeting)

    assert "The questions are about the meeting on 22 November." in _pia_mail().body

"""Builders for the pair-meeting tests and the permission matrix: a published pair, the
mentor's hours, and a booked meeting."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.utils.text import slugify
from django_scopes import scope

from bollplank.core import clock
from bollplank.mentoring import meetings, services
from bollplank.mentoring.models import Pair, PairMeeting, Programme
from tests.mentoring import helpers as h

STHLM = ZoneInfo("Europe/Stockholm")


def local(y: int, m: int, d: int, hh: int, mm: int = 0) -> dt.datetime:
    """A Stockholm wall-clock time as aware UTC."""
    return dt.datetime(y, m, d, hh, mm, tzinfo=STHLM).astimezone(dt.UTC)


def published_pair(w: Any, *, name: str = "Par", **extra: Any) -> tuple[Pair, str, str]:
    """A programme with one mentor and one mentee, matched and published: the pair and the
    mentor's and the mentee's personal tokens."""
    p: Programme = h.programme(w, name=name, **extra)
    slug = slugify(name).replace("-", "")
    _r, mentor_token = h.sign_up(p, "mentor", f"Maja {name}", email=f"maja.{slug}@x.se", years=20)
    _e, mentee_token = h.sign_up(p, "mentee", f"Nils {name}", email=f"nils.{slug}@x.se")
    with scope(practice=w.practice):
        run = services.matching_run(actor=w.admin, programme=p)
        services.programme_publish(actor=w.admin, programme=p, run=run)
        pair = Pair.objects.select_related("programme__practice", "mentor", "mentee").get(
            programme=p
        )
    return pair, mentor_token, mentee_token


def open_every_day(pair: Pair, start: dt.time = dt.time(8), end: dt.time = dt.time(18)) -> None:
    with scope(practice=pair.practice):
        for weekday in range(7):
            meetings.hours_add(mentor=pair.mentor, weekday=weekday, start=start, end=end)


def booked(pair: Pair, starts_at: dt.datetime, now: dt.datetime) -> PairMeeting:
    with scope(practice=pair.practice):
        return meetings.meeting_book(person=pair.mentee, pair=pair, starts_at=starts_at, now=now)


# --- for the permission matrix (real time: pages compute free times from now) ----------------


def mentor_token(w: Any) -> str:
    _pair, token, _mentee = published_pair(w, name="Matris mentor")
    return token


def mentee_token(w: Any) -> str:
    _pair, _mentor, token = published_pair(w, name="Matris adept")
    return token


def meeting_args(w: Any) -> list[Any]:
    """[mentee token, pk] of a meeting booked two days ahead at 10:00."""
    from django.utils import timezone

    pair, _mentor, token = published_pair(w, name="Matris träff")
    open_every_day(pair)
    from bollplank.core.timeutils import holidays_between

    now = clock.now()
    day = timezone.localtime(now, STHLM).date() + dt.timedelta(days=2)
    while day in holidays_between(day, day):
        day += dt.timedelta(days=1)
    when = dt.datetime.combine(day, dt.time(10), tzinfo=STHLM).astimezone(dt.UTC)
    return [token, booked(pair, when, now).pk]

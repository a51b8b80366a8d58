"""Course fixtures: a course of the world's practice with days ahead, a helper to register."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from bollplank.courses.models import Course, CourseDay


def make_course(practice: Any, *, days_ahead: int = 30, capacity: int = 3, **kwargs: Any) -> Course:
    """A published two-day course starting ``days_ahead`` days from now, 09:00–16:00 local."""
    tz = timezone.get_default_timezone()
    first = timezone.localdate() + dt.timedelta(days=days_ahead)
    fields: dict[str, Any] = {
        "title": "Kollegial grupphandledning",
        "description": "Två dagar om samtalsmodeller.",
        "audience": "Chefer och arbetsledare",
        "place": "Ekbackens lokaler, Storgatan 1, Uppsala",
        "price_ore": 450000,
        "capacity": capacity,
        "last_registration_day": first - dt.timedelta(days=7),
        "published": True,
        **kwargs,
    }
    with scopes_disabled():
        course = Course.objects.create(practice=practice, **fields)
        for offset in (0, 1):
            day = first + dt.timedelta(days=offset)
            CourseDay.objects.create(
                practice=practice,
                course=course,
                starts_at=dt.datetime.combine(day, dt.time(9), tzinfo=tz),
                ends_at=dt.datetime.combine(day, dt.time(16), tzinfo=tz),
            )
    return course


@pytest.fixture
def course(world: Any) -> Course:
    return make_course(world.practice)

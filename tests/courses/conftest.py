"""Course fixtures: a course of the world's practice with days ahead, a helper to register."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from bollplank.core import clock
from bollplank.courses.models import Course, CourseDay


def make_course(practice: Any, *, days_ahead: int = 30, capacity: int = 3, **kwargs: Any) -> Course:
    """A published two-day course starting ``days_ahead`` days from now, 09:00–16:00 local."""
    tz = timezone.get_default_timezone()
    first = clock.today() + dt.timedelta(days=days_ahead)
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


def form_data(**overrides: Any) -> dict[str, Any]:
    """What a person types into the registration form, with a timestamp ten seconds old."""

    from bollplank.directory.spam import form_token

    data = {
        "name": "Karin Kursdeltagare",
        "email": "karin@kommun.se",
        "organization": "Uppsala kommun",
        "org_number": "212000-3005",
        "invoice_street": "Box 1",
        "invoice_postal_code": "751 05",
        "invoice_city": "Uppsala",
        "invoice_reference": "KS-123",
        "dietary_needs": "Vegetarisk",
        "website": "",
        "shown": form_token(clock.timestamp() - 10),
    }
    data.update(overrides)
    return data


def register(course: Course, **overrides: Any) -> Any:
    """Register through the service, as the public page does."""
    from django_scopes import scope

    from bollplank.courses.services import REGISTRATION_FIELDS, registration_create

    data = {k: v for k, v in form_data(**overrides).items() if k in REGISTRATION_FIELDS}
    with scope(practice=course.practice):
        return registration_create(course=course, **data)


def hold(course: Course, *, days_ago: int = 3) -> list[CourseDay]:
    """Move the course's days into the past (after people registered), so that it has been
    held and attendance can be recorded."""
    with scopes_disabled():
        days = list(course.days.order_by("starts_at"))
        shift = days[0].starts_at.date() - (clock.today() - dt.timedelta(days=days_ago))
        for day in days:
            day.starts_at -= shift
            day.ends_at -= shift
            day.save()
    return days

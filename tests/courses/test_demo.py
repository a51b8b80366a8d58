"""The demo firm's course: upcoming, published, one place left, no e-mail sent."""

from __future__ import annotations

from typing import Any

from django.core import mail
from django_scopes import scope

from bollplank.core import clock
from bollplank.courses.demo import DEMO_COURSE_TITLE, demo_courses
from bollplank.courses.selectors import courses_public


def test_demo_course_is_upcoming_and_nearly_full(world: Any) -> None:
    with scope(practice=world.practice):
        demo_courses(world.practice, world.supervisor, clock.today())
    [course] = courses_public(world.practice)
    assert course.title == DEMO_COURSE_TITLE
    assert (course.capacity, course.confirmed_count, course.places_left) == (12, 11, 1)
    assert course.vat_category == "E"
    assert len(course.days.all()) == 2
    assert mail.outbox == []

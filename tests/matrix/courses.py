"""Permission matrix rows of the courses app (collected by tests/matrix/__init__.py).

The course page and the registrant's page are public (200 for everyone); the practice's
course pages are for its admins and supervisors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bollplank.courses.models import CourseAttendance
from tests.conftest import World
from tests.courses.conftest import hold, make_course, register
from tests.matrix import STAFF_ONLY, Case, P

PUBLIC = {
    "anonymous": 200,
    "admin": 200,
    "supervisor": 200,
    "other_supervisor": 200,
    "contact": 200,
    "participant": 200,
    "outsider": 200,
    "foreign": 200,
}


def _course(w: World) -> Any:
    return make_course(w.practice)


def _reg(w: World) -> tuple[Any, Any]:
    course = _course(w)
    return course, register(course)


def _day(w: World) -> list[Any]:
    course = _course(w)
    hold(course)
    return [P, course.pk, course.days.first().pk]


def _foreign_day(w: World) -> list[Any]:
    course = make_course(w.other_practice)
    return [w.other_practice.slug, course.pk, course.days.first().pk]


def _reg_args(w: World) -> list[Any]:
    course, reg = _reg(w)
    return [P, course.pk, reg.pk]


def _certified_args(w: World) -> list[Any]:
    """A participant present on every day of a course that has been held."""
    course, reg = _reg(w)
    for day in hold(course):
        CourseAttendance.objects.create(
            practice=w.practice, registration=reg, day=day, present=True
        )
    return [P, course.pk, reg.pk]


def _foreign_reg_args(w: World) -> list[Any]:
    course = make_course(w.other_practice)
    return [P, course.pk, register(course).pk]


MATRIX: list[Case] = [
    ("course_public", "get", lambda w: [P, _course(w).pk], PUBLIC),
    ("registration_cancel", "get", lambda w: [_reg(w)[1].token], PUBLIC),
    ("course_list", "get", lambda w: [P], STAFF_ONLY),
    ("course_create", "get", lambda w: [P], STAFF_ONLY),
    ("course_detail", "get", lambda w: [P, _course(w).pk], STAFF_ONLY),
    ("course_edit", "get", lambda w: [P, _course(w).pk], STAFF_ONLY),
    ("course_attendance", "get", _day, STAFF_ONLY),
    (
        "registration_client",
        "post",
        lambda w: [P, _reg(w)[1].pk],
        {**STAFF_ONLY, "admin": 302, "supervisor": 403, "other_supervisor": 403},
    ),
    (
        "course_registration_cancel",
        "post",
        _reg_args,
        {**STAFF_ONLY, "admin": 302, "supervisor": 302, "other_supervisor": 302},
    ),
    ("course_certificate", "get", _certified_args, STAFF_ONLY),
    ("course_follow_up", "get", lambda w: [P, _course(w).pk], STAFF_ONLY),
]
FOREIGN_OBJECTS: list[tuple[str, Callable[[World], list[Any]]]] = [
    ("course_detail", lambda w: [P, make_course(w.other_practice).pk]),
    ("course_edit", lambda w: [P, make_course(w.other_practice).pk]),
    ("course_follow_up", lambda w: [P, make_course(w.other_practice).pk]),
    ("course_attendance", lambda w: [P, *_foreign_day(w)[1:]]),
    ("course_certificate", _foreign_reg_args),
    ("registration_client", lambda w: [P, register(make_course(w.other_practice)).pk]),
]
